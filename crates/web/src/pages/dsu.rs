//! The DSU at the counter: the list, the DSU's page (general data, nucleo beside the
//! famiglia anagrafica, quadri and their state, the provisional ISEE with its explanation,
//! the steps) and one page per quadro, saved as the operator types (`data-autosave`).

use super::dates::when;
use super::forms::{Form, Pairs, parse_id, refuse};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::dsu::form::{FieldProblem, Kind, Scope, Typed, quadro};
use app::dsu::{
    self, DsuAccess, Evaluation, General, MemberChange, PRESTAZIONI, dsu_access, dsu_edit_access,
    variant_label,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::application::DsuProtocol;
use domain::benefit::IseeVariant;
use domain::dates::format_date;
use domain::dsu::{DsuRelation, DsuState, DsuStep, MemberBasis};
use domain::localtime::today;
use domain::money::Money;
use domain::policy::{Action, RecordScope};
use serde::Deserialize;
use store::{
    BenefitStore, DsuFilter, DsuMemberView, DsuRecord, DsuStore, HouseholdStore, MemberView,
    Person, PersonStore,
};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dsu", get(list))
        .route("/dsu/nuova", get(new_form).post(create))
        .route("/dsu/scadenze", get(expiring))
        .route("/dsu/{id}", get(show))
        .route("/dsu/{id}/generale", post(general))
        .route("/dsu/{id}/componenti", post(members))
        .route("/dsu/{id}/stato", post(change_state))
        .route("/dsu/{id}/correzione", post(correct))
        .route("/dsu/{id}/corrente", post(corrente))
        .route("/dsu/{id}/quadri/{key}", get(quadro_page).post(save_quadro))
}

fn money(cents: i64) -> String {
    Money(cents).format()
}

fn state_badge(s: DsuState) -> &'static str {
    match s {
        DsuState::Bozza => "warning",
        DsuState::Firmata | DsuState::Trasmessa => "info",
        DsuState::Attestata => "success",
        DsuState::Sostituita => "neutral",
    }
}

pub(crate) struct ListRow {
    pub id: Uuid,
    pub declarant: String,
    pub date: String,
    pub variant: &'static str,
    pub state: &'static str,
    pub badge: &'static str,
    pub isee: String,
    pub updated: String,
}

fn list_row(s: store::DsuSummary) -> ListRow {
    ListRow {
        id: s.id,
        declarant: s.declarant_name,
        date: format_date(s.dsu_date),
        variant: variant_label(&s.variant),
        state: s.state.label(),
        badge: state_badge(s.state),
        isee: s.isee_cents.map(money).unwrap_or_else(|| "—".into()),
        updated: when(s.updated_us),
    }
}

#[derive(Template)]
#[template(path = "dsu_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ListRow>,
    states: &'static [DsuState],
    state: String,
}

struct ExpiringRow {
    e: store::ExpiringAttestation,
    until: String,
    /// "scaduta il …", "scade oggi", "tra 12 giorni".
    when: String,
    expired: bool,
    noticed: String,
}

#[derive(Template)]
#[template(path = "dsu_expiring.html")]
struct ExpiringPage {
    l: Layout,
    rows: Vec<ExpiringRow>,
    days: i64,
}

async fn expiring(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let list = dsu::expiring(&state, &ctx).await?;
    let day = today(ctx.now);
    let rows = list
        .into_iter()
        .map(|e| {
            let left = (e.valid_until - day).whole_days();
            ExpiringRow {
                until: format_date(e.valid_until),
                when: match left {
                    ..0 => "scaduta".into(),
                    0 => "scade oggi".into(),
                    1 => "scade domani".into(),
                    n => format!("tra {n} giorni"),
                },
                expired: left < 0,
                noticed: e.noticed_us.map(when).unwrap_or_else(|| "—".into()),
                e,
            }
        })
        .collect();
    let page = ExpiringPage {
        l: Layout::page(&ctx, &jar, "Attestazioni ISEE in scadenza", "/dsu")
            .crumb("/", "Scrivania")
            .crumb("/dsu", "DSU")
            .crumb("", "Attestazioni in scadenza"),
        rows,
        days: app::reminders::EXPIRY_NOTICE_DAYS,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    stato: String,
}

async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::DsuView, RecordScope::SameOrg)?;
    let filter = DsuFilter {
        state: DsuState::parse(q.stato.trim()),
        limit: 200,
        ..DsuFilter::default()
    };
    let rows = state
        .store
        .list_dsu(ctx.org.id, &filter)
        .await?
        .into_iter()
        .map(list_row)
        .collect();
    let page = ListPage {
        l: Layout::page(&ctx, &jar, "DSU", "/dsu")
            .crumb("/", "Scrivania")
            .crumb("/dsu", "DSU"),
        rows,
        states: DsuState::ALL,
        state: q.stato,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    persona: String,
}

#[derive(Template)]
#[template(path = "dsu_new.html")]
struct NewPage {
    l: Layout,
    p: Person,
    g: General,
    variants: &'static [IseeVariant],
    prestazioni: &'static [(&'static str, &'static str)],
}

async fn new_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let p = app::person::person_access(&state, &ctx, parse_id(q.persona.trim())?)
        .await?
        .person;
    ctx.authorize(Action::DsuEdit, ctx.scope_of(p.org_id))?;
    let g = General {
        dsu_date: format_date(today(ctx.now)),
        variant: "ordinario".into(),
        prestazione: "altra".into(),
    };
    Ok(new_page(jar, &ctx, p, g, Vec::new()))
}

fn to_errors(problems: Vec<FieldProblem>) -> FormErrors {
    let mut e = FormErrors::default();
    for p in problems {
        let field: &'static str = match p.name.as_str() {
            "dsu_date" => "dsu_date",
            "variant" => "variant",
            "prestazione" => "prestazione",
            _ => "",
        };
        e.push(FieldError::new(field, p.message));
    }
    e
}

fn new_page(
    jar: CookieJar,
    ctx: &Ctx,
    p: Person,
    g: General,
    problems: Vec<FieldProblem>,
) -> Response {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewPage {
        l: Layout::page(ctx, &jar, "Nuova DSU", "/dsu")
            .crumb("/", "Scrivania")
            .crumb("/dsu", "DSU")
            .crumb("", "Nuova DSU")
            .with_errors(to_errors(problems)),
        p,
        g,
        variants: IseeVariant::ALL,
        prestazioni: PRESTAZIONI,
    };
    render_page(jar, &page, status)
}

#[derive(Deserialize, Default)]
struct GeneralForm {
    #[serde(default)]
    persona: String,
    #[serde(default)]
    dsu_date: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    prestazione: String,
    #[serde(default)]
    version: i64,
}

impl GeneralForm {
    fn general(&self) -> General {
        General {
            dsu_date: self.dsu_date.clone(),
            variant: self.variant.clone(),
            prestazione: self.prestazione.clone(),
        }
    }
}

async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<GeneralForm>,
) -> Result<Response, AppError> {
    let person_id = parse_id(f.persona.trim())?;
    match dsu::open(&state, &ctx, person_id, &f.general()).await? {
        Ok(rec) => {
            let jar = flash(jar, "success", "DSU aperta: compila i quadri.");
            Ok((jar, Redirect::to(&format!("/dsu/{}", rec.id))).into_response())
        }
        Err(problems) => {
            let p = state.store.get_person(ctx.org.id, person_id).await?;
            Ok(new_page(jar, &ctx, p, f.general(), problems))
        }
    }
}

struct MemberRow {
    person_id: Uuid,
    name: String,
    cf: String,
    born: String,
    relation: DsuRelation,
    basis: &'static str,
    excluded: bool,
    added: bool,
    convivenza: bool,
    deceased: bool,
}

struct LineRow {
    title: &'static str,
    what: &'static str,
    whose: String,
    href: String,
    fill: String,
    ok: bool,
    required: bool,
}

struct FigureRow {
    variant: &'static str,
    isr: String,
    isp: String,
    ise: String,
    scala: String,
    isee: String,
    valid_until: String,
    explanation: String,
}

#[derive(Template)]
#[template(path = "dsu.html")]
struct DsuPage {
    l: Layout,
    d: DsuRecord,
    declarant: String,
    editable: bool,
    can_edit: bool,
    /// An ISEE corrente: its nucleo and general data are the base DSU's.
    fixed: bool,
    /// A signed DSU from which an ISEE corrente can be opened.
    can_update: bool,
    state: &'static str,
    badge: &'static str,
    dsu_date: String,
    signed_on: String,
    variant: &'static str,
    prestazione: &'static str,
    g: General,
    variants: &'static [IseeVariant],
    prestazioni: &'static [(&'static str, &'static str)],
    family: Vec<MemberView>,
    members: Vec<MemberRow>,
    relations: &'static [DsuRelation],
    additions: &'static [MemberBasis],
    exclusions: &'static [MemberBasis],
    lines: Vec<LineRow>,
    blocking: Vec<String>,
    figures: Vec<FigureRow>,
    complete: bool,
    today: String,
    /// The declarant's attestations, to link one to a signed DSU.
    attestations: Vec<(Uuid, String)>,
    comparison: Option<app::dsu::compare::Comparison>,
}

fn lines(d: &DsuRecord, ev: &Evaluation) -> Vec<LineRow> {
    ev.lines
        .iter()
        .map(|l| LineRow {
            title: l.quadro.title,
            what: l.quadro.what,
            whose: l
                .member
                .as_ref()
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            href: format!("/dsu/{}/quadri/{}", d.id, l.key),
            fill: l.fill.label(),
            ok: l.fill.is_ok(),
            required: l.required,
        })
        .collect()
}

fn figure_rows(ev: &Evaluation) -> Vec<FigureRow> {
    ev.figures
        .iter()
        .map(|f| FigureRow {
            variant: variant_label(dsu::variant_code(f.variante)),
            isr: money(f.isr),
            isp: money(f.isp),
            ise: money(f.ise),
            scala: f.scala.clone(),
            isee: money(f.isee),
            valid_until: format_date(f.valid_until),
            explanation: f.explanation.clone(),
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = dsu_access(&state, &ctx, parse_id(&id)?).await?;
    let page = dsu_page(&state, &ctx, &jar, &a, None, FormErrors::default()).await?;
    dsu::log_read(&state, &ctx, &a.dsu).await;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn dsu_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    a: &DsuAccess,
    g: Option<General>,
    errors: FormErrors,
) -> Result<DsuPage, AppError> {
    let d = &a.dsu;
    let members = state.store.dsu_members(ctx.org.id, d.id).await?;
    let declarant = state.store.get_person(ctx.org.id, d.declarant_id).await?;
    let family = state
        .store
        .cohabitants(ctx.org.id, d.declarant_id, d.status.dsu_date)
        .await?;
    let ev = dsu::evaluate(d, &members, &dsu::Draft::parse(&d.quadri)?);
    let name = declarant.data.full_name();
    let in_nucleo = members
        .iter()
        .filter(|m| !m.member.basis.excludes())
        .count();
    let comparison = match d.status.attestation_id {
        Some(att) => {
            let att = state.store.get_attestation(ctx.org.id, att).await?;
            app::dsu::compare::compare(&ev, &att.data, in_nucleo)
        }
        None => None,
    };
    let attestations = if matches!(d.status.state, DsuState::Firmata | DsuState::Trasmessa) {
        state
            .store
            .person_attestations(ctx.org.id, d.declarant_id)
            .await?
            .into_iter()
            .map(|a| {
                let label = format!(
                    "{} del {} – ISEE {}",
                    a.data.protocol.as_str(),
                    format_date(a.data.submitted_on),
                    a.data.isee.format()
                );
                (a.id, label)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DsuPage {
        l: Layout::page(ctx, jar, &format!("DSU di {name}"), "/dsu")
            .crumb("/", "Scrivania")
            .crumb("/dsu", "DSU")
            .crumb("", &name)
            .with_errors(errors),
        declarant: name,
        editable: d.status.editable(),
        can_edit: ctx.can(Action::DsuEdit, a.scope),
        fixed: d.base_id.is_some(),
        can_update: d.base_id.is_none()
            && matches!(
                d.status.state,
                DsuState::Firmata | DsuState::Trasmessa | DsuState::Attestata
            ),
        state: d.status.state.label(),
        badge: state_badge(d.status.state),
        dsu_date: format_date(d.status.dsu_date),
        signed_on: d.status.signed_on.map(format_date).unwrap_or_default(),
        variant: variant_label(&d.variant),
        prestazione: PRESTAZIONI
            .iter()
            .find(|(c, _)| *c == d.prestazione)
            .map_or("", |(_, l)| l),
        g: g.unwrap_or_else(|| General {
            dsu_date: format_date(d.status.dsu_date),
            variant: d.variant.clone(),
            prestazione: d.prestazione.clone(),
        }),
        variants: IseeVariant::ALL,
        prestazioni: PRESTAZIONI,
        family,
        members: members.iter().map(member_row).collect(),
        relations: DsuRelation::ALL,
        additions: MemberBasis::ADDITIONS,
        exclusions: MemberBasis::EXCLUSIONS,
        lines: lines(d, &ev),
        blocking: ev.blocking.clone(),
        figures: figure_rows(&ev),
        complete: ev.complete(),
        today: format_date(today(ctx.now)),
        attestations,
        comparison,
        d: d.clone(),
    })
}

fn member_row(m: &DsuMemberView) -> MemberRow {
    MemberRow {
        person_id: m.member.person_id,
        name: m.full_name(),
        cf: m.codice_fiscale.clone().unwrap_or_else(|| "—".into()),
        born: format_date(m.birth_date),
        relation: m.member.relation,
        basis: m.member.basis.label(),
        excluded: m.member.basis.excludes(),
        added: m.member.basis != MemberBasis::Anagrafica && !m.member.basis.excludes(),
        convivenza: m.member.convivenza,
        deceased: m.death_date.is_some(),
    }
}

fn back(id: Uuid) -> String {
    format!("/dsu/{id}")
}

async fn general(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<GeneralForm>,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    match dsu::save_general(&state, &ctx, &a, &f.general(), f.version).await? {
        Ok(_) => {
            let jar = flash(jar, "success", "Dati generali salvati.");
            Ok((jar, Redirect::to(&back(a.dsu.id))).into_response())
        }
        Err(problems) => {
            let page = dsu_page(
                &state,
                &ctx,
                &jar,
                &a,
                Some(f.general()),
                to_errors(problems),
            )
            .await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

#[derive(Deserialize, Default)]
struct MembersForm {
    #[serde(default)]
    azione: String,
    #[serde(default)]
    persona: String,
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    motivo: String,
    #[serde(default)]
    rapporto: String,
    #[serde(default)]
    convivenza: String,
    #[serde(default)]
    version: i64,
}

async fn members(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MembersForm>,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    let to = format!("{}#nucleo", back(a.dsu.id));
    let basis = MemberBasis::parse(f.motivo.trim());
    let relation = DsuRelation::parse(f.rapporto.trim());
    let change = match f.azione.as_str() {
        "aggiungi" => {
            let cf = f.codice_fiscale.trim().to_uppercase();
            let found = match state.store.find_person_by_cf(ctx.org.id, &cf).await {
                Ok(p) => Some(p),
                Err(store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            let mut errors = Vec::new();
            if found.is_none() {
                errors.push(FieldError::new(
                    "codice_fiscale",
                    "Codice fiscale: nessuna persona dell'anagrafe sociale con questo codice fiscale",
                ));
            }
            if basis.is_none() {
                errors.push(FieldError::new("motivo", "Motivo: scegli la regola"));
            }
            if relation.is_none() {
                errors.push(FieldError::new("rapporto", "Rapporto: scegli il rapporto"));
            }
            let (Some(p), Some(basis), Some(relation)) = (found, basis, relation) else {
                return Ok(refuse(jar, &to, &errors));
            };
            MemberChange::Add {
                person_id: p.id,
                basis,
                relation,
            }
        }
        "motivo" => MemberChange::Basis {
            person_id: parse_id(f.persona.trim())?,
            basis: basis.ok_or_else(|| {
                AppError::from(app::Error::BadRequest("Motivo: scegli la regola".into()))
            })?,
        },
        "rapporto" => MemberChange::Relation {
            person_id: parse_id(f.persona.trim())?,
            relation: relation.ok_or_else(|| {
                AppError::from(app::Error::BadRequest(
                    "Rapporto: scegli il rapporto".into(),
                ))
            })?,
            convivenza: !f.convivenza.is_empty(),
        },
        _ => {
            return Err(AppError::from(app::Error::BadRequest(
                "azione sconosciuta".into(),
            )));
        }
    };
    match dsu::change_members(&state, &ctx, &a, change, f.version).await {
        Ok(_) => Ok((
            flash(jar, "success", "Nucleo aggiornato."),
            Redirect::to(&to),
        )
            .into_response()),
        Err(app::Error::BadRequest(m)) => Ok(refuse(jar, &to, &[FieldError::new("", m)])),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct StateForm {
    #[serde(default)]
    azione: String,
    #[serde(default)]
    data_firma: String,
    #[serde(default)]
    protocollo: String,
    #[serde(default)]
    attestazione: String,
    #[serde(default)]
    version: i64,
}

async fn change_state(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    let to = back(a.dsu.id);
    let step = match f.azione.as_str() {
        "firma" => match domain::dates::parse_date(f.data_firma.trim()) {
            Some(on) => DsuStep::Sign {
                on,
                complete: false,
            },
            None => {
                return Ok(refuse(
                    jar,
                    &to,
                    &[FieldError::new(
                        "data_firma",
                        "Data della firma: indica una data (gg/mm/aaaa)",
                    )],
                ));
            }
        },
        "trasmetti" if f.protocollo.trim().is_empty() => DsuStep::Transmit { protocol: None },
        "trasmetti" => match DsuProtocol::parse("protocollo", &f.protocollo) {
            Ok(p) => DsuStep::Transmit {
                protocol: Some(p.as_str().to_owned()),
            },
            Err(e) => return Ok(refuse(jar, &to, &[e])),
        },
        "attesta" => {
            let Ok(att) = Uuid::parse_str(f.attestazione.trim()) else {
                return Ok(refuse(
                    jar,
                    &to,
                    &[FieldError::new(
                        "attestazione",
                        "Attestazione: scegli l'attestazione INPS",
                    )],
                ));
            };
            return match dsu::attest(&state, &ctx, &a, att, f.version).await {
                Ok(_) => Ok((
                    flash(
                        jar,
                        "success",
                        "Attestazione collegata: il confronto è sotto.",
                    ),
                    Redirect::to(&format!("{to}#confronto")),
                )
                    .into_response()),
                Err(app::Error::BadRequest(m)) => Ok(refuse(jar, &to, &[FieldError::new("", m)])),
                Err(e) => Err(e.into()),
            };
        }
        _ => {
            return Err(AppError::from(app::Error::BadRequest(
                "azione sconosciuta".into(),
            )));
        }
    };
    match dsu::step(&state, &ctx, &a, step, f.version).await {
        Ok(s) => Ok((
            flash(jar, "success", &format!("DSU {}.", s.state.label())),
            Redirect::to(&to),
        )
            .into_response()),
        Err(app::Error::BadRequest(m)) => Ok(refuse(jar, &to, &[FieldError::new("", m)])),
        Err(e) => Err(e.into()),
    }
}

async fn correct(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    let rec = dsu::correct(&state, &ctx, &a).await?;
    let jar = flash(
        jar,
        "success",
        "Nuova DSU aperta come correzione: quando sarà firmata sostituirà la precedente.",
    );
    Ok((jar, Redirect::to(&back(rec.id))).into_response())
}

#[derive(Deserialize)]
struct CorrenteForm {
    #[serde(default)]
    data_modulo: String,
}

async fn corrente(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CorrenteForm>,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    let to = format!("{}#corrente", back(a.dsu.id));
    let Some(on) = domain::dates::parse_date(f.data_modulo.trim()) else {
        return Ok(refuse(
            jar,
            &to,
            &[FieldError::new(
                "data_modulo",
                "Data del modulo sostitutivo: indica una data (gg/mm/aaaa)",
            )],
        ));
    };
    match dsu::open_corrente(&state, &ctx, &a, on).await {
        Ok(rec) => Ok((
            flash(
                jar,
                "success",
                "ISEE corrente aperto: compila il modulo sostitutivo dei componenti con i redditi cambiati, o il patrimonio.",
            ),
            Redirect::to(&back(rec.id)),
        )
            .into_response()),
        Err(app::Error::BadRequest(m)) => Ok(refuse(jar, &to, &[FieldError::new("data_modulo", m)])),
        Err(e) => Err(e.into()),
    }
}

/// One field of a quadro page.
struct FieldView {
    name: String,
    id: String,
    label: &'static str,
    help: &'static str,
    /// `amount`, `text`, `date`, `count`, `flag`, `choice`.
    kind: &'static str,
    value: String,
    options: Vec<(&'static str, &'static str)>,
    required: bool,
    error: String,
}

struct RowView {
    n: usize,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "dsu_quadro.html")]
struct QuadroPage {
    l: Layout,
    d: DsuRecord,
    key: String,
    title: &'static str,
    what: &'static str,
    whose: String,
    editable: bool,
    fields: Vec<FieldView>,
    rows: Vec<RowView>,
    row_label: &'static str,
    lines: Vec<LineRow>,
    figures: Vec<FigureRow>,
    next: Option<String>,
}

fn field_views(
    fields: &'static [app::dsu::form::Field],
    values: &std::collections::BTreeMap<String, String>,
    prefix: &str,
    problems: &[FieldProblem],
) -> Vec<FieldView> {
    fields
        .iter()
        .map(|f| {
            let name = format!("{prefix}{}", f.key);
            let (kind, options) = match f.kind {
                Kind::Amount => ("amount", Vec::new()),
                Kind::Decimal | Kind::Count => ("count", Vec::new()),
                Kind::Date => ("date", Vec::new()),
                Kind::Flag => ("flag", Vec::new()),
                Kind::Choice(o) => ("choice", o.to_vec()),
                Kind::Text | Kind::Cf | Kind::CfList => ("text", Vec::new()),
            };
            FieldView {
                id: name.replace(['.', '#'], "-"),
                error: problems
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| p.message.clone())
                    .unwrap_or_default(),
                name,
                label: f.label,
                help: f.help,
                kind,
                value: values.get(f.key).cloned().unwrap_or_default(),
                options,
                required: f.required,
            }
        })
        .collect()
}

/// The quadro a key names, and the member it belongs to.
fn resolve(key: &str) -> Result<(&'static app::dsu::form::Quadro, Option<Uuid>), AppError> {
    let (id, member) = match key.split_once(':') {
        Some((id, m)) => (id, Some(parse_id(m)?)),
        None => (key, None),
    };
    let q = quadro(id).ok_or(AppError::from(app::Error::NotFound))?;
    match (q.scope, member) {
        (Scope::Nucleo, None) | (Scope::Member, Some(_)) => Ok((q, member)),
        _ => Err(AppError::from(app::Error::NotFound)),
    }
}

async fn quadro_view(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    a: &DsuAccess,
    key: &str,
    typed: Option<Typed>,
    extra_row: bool,
) -> Result<QuadroPage, AppError> {
    let d = &a.dsu;
    let (q, _) = resolve(key)?;
    let members = state.store.dsu_members(ctx.org.id, d.id).await?;
    let draft = dsu::Draft::parse(&d.quadri)?;
    let ev = dsu::evaluate(d, &members, &draft);
    let line = ev
        .lines
        .iter()
        .position(|l| l.key == key)
        .ok_or(AppError::from(app::Error::NotFound))?;
    let whose = ev
        .lines
        .get(line)
        .and_then(|l| l.member.as_ref())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let next = ev
        .lines
        .get(line + 1)
        .map(|l| format!("/dsu/{}/quadri/{}", d.id, l.key));
    let typed = typed.unwrap_or_else(|| draft.typed(key));
    let problems = ev.problems.get(key).cloned().unwrap_or_default();
    let mut rows: Vec<RowView> = Vec::new();
    let mut row_label = "";
    if let Some((list, row_fields)) = q.rows {
        row_label = match list {
            "rapporti" => "Rapporto",
            "immobili" => "Immobile",
            "veicoli" => "Veicolo",
            "donazioni" => "Donazione",
            _ => "Persona",
        };
        let blank = std::collections::BTreeMap::new();
        let shown = typed.rows.len() + usize::from(extra_row || typed.rows.is_empty());
        for n in 0..shown {
            let values = typed.rows.get(n).unwrap_or(&blank);
            rows.push(RowView {
                n,
                fields: field_views(row_fields, values, &format!("r.{n}."), &problems),
            });
        }
    }
    let title = format!("{} – {}", q.title, q.what);
    let declarant = members
        .iter()
        .find(|m| m.member.person_id == d.declarant_id)
        .map(DsuMemberView::full_name)
        .unwrap_or_default();
    Ok(QuadroPage {
        l: Layout::page(ctx, jar, &title, "/dsu")
            .crumb("/", "Scrivania")
            .crumb("/dsu", "DSU")
            .crumb(&format!("/dsu/{}", d.id), &declarant)
            .crumb("", q.title),
        key: key.to_owned(),
        title: q.title,
        what: q.what,
        whose,
        editable: dsu::quadro_editable(d, key) && ctx.can(Action::DsuEdit, a.scope),
        fields: field_views(q.fields, &typed.fields, "f.", &problems),
        rows,
        row_label,
        lines: lines(d, &ev),
        figures: figure_rows(&ev),
        next,
        d: d.clone(),
    })
}

async fn quadro_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = dsu_access(&state, &ctx, parse_id(&id)?).await?;
    let page = quadro_view(&state, &ctx, &jar, &a, &key, None, false).await?;
    dsu::log_read(&state, &ctx, &a.dsu).await;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// What an autosave gets back: the new version, the errors by field, the quadri's state
/// and the provisional ISEE.
#[derive(serde::Serialize)]
struct Saved {
    id: Uuid,
    version: i64,
    errors: std::collections::BTreeMap<String, String>,
    lines: Vec<(String, String, bool)>,
    figures: Vec<(String, String)>,
    blocking: Vec<String>,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

async fn save_quadro(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
    Pairs(pairs): Pairs,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    let (q, _) = resolve(&key)?;
    let version: i64 = pairs
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let action = pairs
        .iter()
        .find(|(k, _)| k == "azione")
        .map_or("", |(_, v)| v.as_str())
        .to_owned();
    let typed = Typed::from_form(q, &pairs);
    let (rec, ev) = dsu::save_quadro(&state, &ctx, &a, &key, typed.clone(), version).await?;
    let problems = ev.problems.get(&key).cloned().unwrap_or_default();
    if wants_json(&headers) {
        let saved = Saved {
            id: rec.id,
            version: rec.version,
            errors: problems.into_iter().map(|p| (p.name, p.message)).collect(),
            lines: ev
                .lines
                .iter()
                .map(|l| (l.key.clone(), l.fill.label(), l.fill.is_ok()))
                .collect(),
            figures: ev
                .figures
                .iter()
                .map(|f| {
                    (
                        variant_label(dsu::variant_code(f.variante)).to_owned(),
                        money(f.isee),
                    )
                })
                .collect(),
            blocking: ev.blocking.clone(),
        };
        return Ok(Json(saved).into_response());
    }
    let a = DsuAccess {
        dsu: rec,
        scope: a.scope,
    };
    if action == "riga" || !problems.is_empty() {
        let page = quadro_view(&state, &ctx, &jar, &a, &key, Some(typed), action == "riga").await?;
        let status = if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(render_page(jar, &page, status));
    }
    let next = ev
        .lines
        .iter()
        .skip_while(|l| l.key != key)
        .nth(1)
        .map(|l| format!("/dsu/{}/quadri/{}", a.dsu.id, l.key));
    let to = match (action.as_str(), next) {
        ("avanti", Some(next)) => next,
        _ => back(a.dsu.id),
    };
    Ok((
        flash(jar, "success", &format!("{} salvato.", q.title)),
        Redirect::to(&to),
    )
        .into_response())
}

/// The person's DSUs and the nucleo ISEE of the newest, for the person's page (beside the
/// famiglia anagrafica it already shows).
pub(crate) struct PersonDsu {
    pub shown: bool,
    pub can_open: bool,
    pub rows: Vec<ListRow>,
    /// The nucleo ISEE of the newest DSU, with each member's basis.
    pub nucleo: Vec<(String, &'static str, bool)>,
    /// The attestation in force today for each variant: variant, protocol, ISEE, last day.
    pub in_force: Vec<(&'static str, String, String, String)>,
}

pub(crate) async fn person_dsu(
    state: &AppState,
    ctx: &Ctx,
    p: &Person,
) -> Result<PersonDsu, AppError> {
    if !ctx.can(Action::DsuView, ctx.scope_of(p.org_id)) {
        return Ok(PersonDsu {
            shown: false,
            can_open: false,
            rows: Vec::new(),
            nucleo: Vec::new(),
            in_force: Vec::new(),
        });
    }
    let day = today(ctx.now);
    let attestations = state.store.person_attestations(ctx.org.id, p.id).await?;
    // Newest submitted first: the first valid one of each variant is the one in force.
    let in_force = domain::benefit::IseeVariant::ALL
        .iter()
        .filter_map(|v| {
            let a = attestations
                .iter()
                .find(|a| a.data.variant == *v && a.data.valid_until() >= day)?;
            Some((
                v.label(),
                a.data.protocol.as_str().to_owned(),
                a.data.isee.format(),
                format_date(a.data.valid_until()),
            ))
        })
        .collect();
    let list = state
        .store
        .list_dsu(
            ctx.org.id,
            &DsuFilter {
                member: Some(p.id),
                limit: 20,
                ..DsuFilter::default()
            },
        )
        .await?;
    let nucleo = match list.first() {
        Some(newest) => state
            .store
            .dsu_members(ctx.org.id, newest.id)
            .await?
            .iter()
            .map(|m| {
                (
                    m.full_name(),
                    m.member.basis.label(),
                    m.member.basis.excludes(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(PersonDsu {
        shown: true,
        can_open: ctx.can(Action::DsuEdit, ctx.scope_of(p.org_id)) && p.data.death_date.is_none(),
        rows: list.into_iter().map(list_row).collect(),
        nucleo,
        in_force,
    })
}
