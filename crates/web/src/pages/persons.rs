//! Anagrafe sociale: search, the person's page, creation with duplicate check, edits with
//! history, identity documents, and the audited merge of duplicates.

use super::dates::{optional_date, when};
use super::forms::{Form, parse_id};
use super::render::{render, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::person::{person_access, person_edit_access};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::dates::format_date;
use domain::person::{
    self, DocumentKind, PersonData, PersonInput, SearchQuery, age_on, parse_person,
};
use serde::Deserialize;
use store::{
    HistoryEntry, HouseholdMember, HouseholdStore, IdentityDocument, OrgComune, OrgStore, Person,
    PersonSearch, PersonStore, RegistryStore, StoreError, SupportLink,
};
use time::Date;
use uuid::Uuid;

const PAGE_SIZE: i64 = 20;
/// Each search pass reads every row up to the page asked for: past 10,000 results the
/// operator refines the search instead of paging on.
const MAX_PAGE: i64 = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persone", get(search))
        .route("/persone/nuova", get(new_form).post(create))
        .route("/persone/{id}", get(show))
        .route("/persone/{id}/modifica", get(edit_form).post(update))
        .route("/persone/{id}/documenti", post(add_document))
        .route(
            "/persone/{id}/documenti/{doc}/rimuovi",
            post(remove_document),
        )
        .route("/persone/{id}/unisci/{other}", get(merge_form).post(merge))
        .route("/comuni", get(comuni))
}

#[derive(Deserialize)]
struct ComuniQuery {
    #[serde(default)]
    q: String,
}

/// A comune suggested for a field of the person form.
#[derive(serde::Serialize)]
struct ComuneSuggestion {
    nome: &'static str,
    provincia: &'static str,
    /// What the field takes: «Bergamo (BG)».
    valore: String,
}

/// The comuni in force whose name begins with what is typed (`q`, at least two letters), for
/// the suggestions of the person form's comune fields: ten at most, in JSON. Who may edit
/// persons may ask.
async fn comuni(ctx: Ctx, Query(q): Query<ComuniQuery>) -> Result<Response, AppError> {
    ctx.authorize(domain::Action::PersonEdit, domain::RecordScope::SameOrg)?;
    let typed = q.q.trim();
    let found =
        if typed.chars().filter(|c| c.is_alphabetic()).count() < 2 || typed.chars().count() > 60 {
            Vec::new()
        } else {
            territory::comuni_in_force_starting(typed, 10)
        };
    let list: Vec<ComuneSuggestion> = found
        .into_iter()
        .map(|c| {
            let provincia = c.province.unwrap_or("");
            ComuneSuggestion {
                nome: c.name,
                provincia,
                valore: format!("{} ({provincia})", c.name),
            }
        })
        .collect();
    Ok(axum::Json(list).into_response())
}

/// Age bands of the search filter: value, label, youngest and oldest age.
const AGE_BANDS: [(&str, &str, i32, Option<i32>); 5] = [
    ("0-2", "0–2 anni", 0, Some(2)),
    ("3-17", "3–17 anni", 3, Some(17)),
    ("18-64", "18–64 anni", 18, Some(64)),
    ("65-79", "65–79 anni", 65, Some(79)),
    ("80", "80 anni e oltre", 80, None),
];

fn years_before(d: Date, years: i32) -> Date {
    let year = d.year() - years;
    Date::from_calendar_date(year, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(year, d.month(), d.day() - 1))
        .unwrap_or(d)
}

#[derive(Debug, Default, Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    comune: String,
    #[serde(default)]
    eta: String,
    #[serde(default)]
    pagina: Option<i64>,
    /// Set by the as-you-type script: only the results are sent back.
    #[serde(default)]
    frammento: Option<String>,
}

/// One result line, ready to show.
struct Hit {
    id: Uuid,
    name: String,
    codice_fiscale: String,
    birth: String,
    age: i32,
    residence: String,
    deceased: bool,
}

#[derive(Template)]
#[template(path = "persons_results.html")]
struct ResultsFragment {
    searched: bool,
    hits: Vec<Hit>,
    page: i64,
    has_next: bool,
    query_string: String,
    hint: String,
}

#[derive(Template)]
#[template(path = "persons_search.html")]
struct SearchPage {
    l: Layout,
    p: SearchParams,
    comuni: Vec<OrgComune>,
    bands: Vec<(&'static str, &'static str)>,
    results: ResultsFragment,
    can_create: bool,
}

fn hit(p: &Person, today: Date) -> Hit {
    let d = &p.data;
    Hit {
        id: p.id,
        name: d.full_name(),
        codice_fiscale: d
            .codice_fiscale
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        birth: format!("{} · {}", format_date(d.birth_date), d.birthplace.name),
        age: age_on(d.birth_date, d.death_date.unwrap_or(today)),
        residence: d
            .residence
            .as_ref()
            .map_or_else(String::new, |a| format!("{}, {}", a.street, a.comune.name)),
        deceased: d.death_date.is_some(),
    }
}

async fn search(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    ctx.authorize(domain::Action::PersonView, domain::RecordScope::SameOrg)?;
    let today = domain::localtime::today(ctx.now);
    let query = SearchQuery::parse(&p.q);
    let comune = p.comune.trim();
    let band = AGE_BANDS.iter().find(|b| b.0 == p.eta.trim());
    let page = p.pagina.unwrap_or(1).clamp(1, MAX_PAGE);
    let searched = !query.is_empty() || !comune.is_empty() || band.is_some();
    let mut hits = Vec::new();
    let mut has_next = false;
    if searched {
        let s = PersonSearch {
            codice_fiscale: query.codice_fiscale.clone(),
            birth_date: query.birth_date,
            words: query.words.clone(),
            phrase: query.phrase.clone(),
            residence_istat: (!comune.is_empty()).then(|| comune.to_owned()),
            born_from: band
                .and_then(|b| b.3)
                .map(|max| years_before(today, max + 1).next_day().unwrap_or(today)),
            born_to: band.map(|b| years_before(today, b.2)),
            offset: (page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE + 1,
        };
        let found = state.store.search_persons(ctx.org.id, &s).await?;
        has_next = found.len() as i64 > PAGE_SIZE;
        hits = found
            .iter()
            .take(PAGE_SIZE as usize)
            .map(|p| hit(p, today))
            .collect();
    }
    let hint = if !p.q.trim().is_empty() && query.is_empty() {
        "Scrivi l'inizio del cognome o del nome, un codice fiscale o una data di nascita (gg/mm/aaaa).".to_owned()
    } else {
        String::new()
    };
    let query_string = format!(
        "q={}&comune={}&eta={}",
        crate::paths::url_encode(&p.q),
        crate::paths::url_encode(comune),
        crate::paths::url_encode(p.eta.trim())
    );
    let results = ResultsFragment {
        searched,
        hits,
        page,
        has_next,
        query_string,
        hint,
    };
    if p.frammento.is_some() {
        return Ok(render(&results, StatusCode::OK));
    }
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let l = Layout::page(&ctx, &jar, "Anagrafe sociale", "/persone")
        .crumb("/persone", "Anagrafe sociale");
    let can_create = ctx.can(domain::Action::PersonEdit, domain::RecordScope::SameOrg);
    Ok(render_page(
        jar,
        &SearchPage {
            l,
            p,
            comuni,
            bands: AGE_BANDS.iter().map(|b| (b.0, b.1)).collect(),
            results,
            can_create,
        },
        StatusCode::OK,
    ))
}

/// A possible duplicate shown before creating a person.
struct Candidate {
    id: Uuid,
    name: String,
    codice_fiscale: String,
    birth: String,
    reason: &'static str,
}

#[derive(Deserialize, Default)]
struct PersonForm {
    #[serde(flatten)]
    input: PersonInput,
    /// Edit forms carry the version they were opened at (compare and set).
    #[serde(default)]
    version: Option<i64>,
    /// The operator checked the possible duplicates and creates the person anyway.
    #[serde(default)]
    nessun_doppione: Option<String>,
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct FormPage {
    l: Layout,
    f: PersonInput,
    /// `None` when creating.
    person: Option<(Uuid, String, i64)>,
    civil_statuses: &'static [person::CivilStatus],
    candidates: Vec<Candidate>,
    /// A disagreement between code and data was found: offer the confirmation box.
    cf_mismatch: bool,
}

impl FormPage {
    fn action(&self) -> String {
        match &self.person {
            Some((id, _, _)) => format!("/persone/{id}/modifica"),
            None => "/persone/nuova".to_owned(),
        }
    }
}

fn form_layout(ctx: &Ctx, jar: &CookieJar, person: Option<&(Uuid, String, i64)>) -> Layout {
    let l = Layout::page(
        ctx,
        jar,
        if person.is_some() {
            "Modifica persona"
        } else {
            "Nuova persona"
        },
        "/persone",
    )
    .crumb("/persone", "Anagrafe sociale");
    match person {
        Some((id, name, _)) => l
            .crumb(&format!("/persone/{id}"), name)
            .crumb(&format!("/persone/{id}/modifica"), "Modifica"),
        None => l.crumb("/persone/nuova", "Nuova persona"),
    }
}

fn form_page(
    ctx: &Ctx,
    jar: &CookieJar,
    f: PersonInput,
    person: Option<(Uuid, String, i64)>,
    errors: Vec<FieldError>,
    candidates: Vec<Candidate>,
) -> FormPage {
    let cf_mismatch = errors
        .iter()
        .any(|e| e.field == "codice_fiscale" && e.message.contains("non corrisponde ai dati"))
        || !f.cf_mismatch_confirmed.is_empty();
    FormPage {
        l: form_layout(ctx, jar, person.as_ref()).with_errors(FormErrors(errors)),
        f,
        person,
        civil_statuses: person::CivilStatus::ALL,
        candidates,
        cf_mismatch,
    }
}

async fn new_form(jar: CookieJar, ctx: Ctx) -> Result<Response, AppError> {
    ctx.authorize(domain::Action::PersonEdit, domain::RecordScope::SameOrg)?;
    let f = PersonInput {
        citizenship: "IT".into(),
        ..PersonInput::default()
    };
    let page = form_page(&ctx, &jar, f, None, Vec::new(), Vec::new());
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// Persons of the organization that may be the same as `data`, with the reason.
async fn duplicates(
    state: &AppState,
    ctx: &Ctx,
    data: &PersonData,
    except: Option<Uuid>,
) -> Result<Vec<(Person, &'static str)>, AppError> {
    let cf = data.codice_fiscale.map(|c| c.base().as_str().to_owned());
    let found = state
        .store
        .duplicate_candidates(
            ctx.org.id,
            cf.as_deref(),
            data.birth_date,
            &data.phonetic_key(),
        )
        .await?;
    let mut out: Vec<(Person, &'static str)> = found
        .into_iter()
        .filter(|p| Some(p.id) != except)
        .filter_map(|p| person::duplicate_reason(data, &p.data).map(|r| (p, r)))
        .collect();
    out.truncate(20);
    Ok(out)
}

fn candidate(p: &Person, reason: &'static str) -> Candidate {
    Candidate {
        id: p.id,
        name: p.data.full_name(),
        codice_fiscale: p
            .data
            .codice_fiscale
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        birth: format!(
            "{} · {}",
            format_date(p.data.birth_date),
            p.data.birthplace.name
        ),
        reason,
    }
}

fn cf_taken(p: &Person) -> FieldError {
    FieldError::new(
        "codice_fiscale",
        format!(
            "il codice fiscale è già registrato per {} ({} il {}): apri quella scheda invece di crearne una nuova",
            p.data.full_name(),
            domain::person::born_word(p.data.sex),
            format_date(p.data.birth_date)
        ),
    )
}

async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    ctx.authorize(domain::Action::PersonEdit, domain::RecordScope::SameOrg)?;
    let data = match parse_person(&f.input, domain::localtime::today(ctx.now)) {
        Ok(d) => d,
        Err(errors) => {
            let page = form_page(&ctx, &jar, f.input, None, errors, Vec::new());
            return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let found = duplicates(&state, &ctx, &data, None).await?;
    if let Some((same, _)) = found.iter().find(|(p, _)| {
        p.data.codice_fiscale.is_some() && p.data.codice_fiscale == data.codice_fiscale
    }) {
        let errors = vec![cf_taken(same)];
        let candidates = vec![candidate(same, "stesso codice fiscale")];
        let page = form_page(&ctx, &jar, f.input, None, errors, candidates);
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if !found.is_empty() && f.nessun_doppione.is_none() {
        let candidates = found.iter().map(|(p, r)| candidate(p, r)).collect();
        let errors = vec![FieldError::new(
            "nessun_doppione",
            "questa persona potrebbe essere già registrata: controlla le schede simili qui sotto; se nessuna è la stessa persona, conferma e salva di nuovo",
        )];
        let page = form_page(&ctx, &jar, f.input, None, errors, candidates);
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let name = data.full_name();
    let id = match app::person::create_person(&state.services, &ctx, data).await {
        Ok(p) => p.id,
        Err(StoreError::Duplicate(_)) => {
            let errors = vec![FieldError::new(
                "codice_fiscale",
                "il codice fiscale è già registrato per un'altra persona",
            )];
            let page = form_page(&ctx, &jar, f.input, None, errors, Vec::new());
            return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(e) => return Err(e.into()),
    };
    let jar = flash(jar, "success", &format!("Scheda di {name} creata."));
    Ok((jar, Redirect::to(&format!("/persone/{id}"))).into_response())
}

/// Loads a person of the actor's organization, following a merge to the surviving record.
fn person_path(id: Uuid) -> String {
    format!("/persone/{id}")
}

struct DocView {
    d: IdentityDocument,
    issued_on: String,
    expires_on: String,
    expired: bool,
}

struct HouseholdLine {
    household_id: Uuid,
    relationship: &'static str,
    from: String,
    to: String,
    current: bool,
    members: Vec<MemberLine>,
}

struct MemberLine {
    person_id: Uuid,
    name: String,
    relationship: &'static str,
    age: i32,
    deceased: bool,
    is_self: bool,
}

struct LinkView {
    l: SupportLink,
    /// The link seen from this person: the other party's id and name.
    other_id: Option<Uuid>,
    other_name: String,
    /// This person is the other party (e.g. the tutore of someone else).
    inverse: bool,
    from: String,
    to: String,
}

struct EventView {
    kind: &'static str,
    date: String,
    summary: String,
    reviewed: String,
}

struct HistoryView {
    h: HistoryEntry,
    when: String,
    merged_from: bool,
    /// Who made the change, by name.
    author: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    l: Layout,
    /// The invalid SIUSS records of the person, for who may fix the person's data.
    siuss_notes: Vec<super::siuss_notes::SiussNote>,
    p: Person,
    age: i32,
    birth_date: String,
    /// Empty for the living; a deceased person's card says so first.
    death_date: String,
    /// A death or a removal from the registry: the page of its proposed actions exists.
    life_event: bool,
    registry_left: String,
    cf_kind: String,
    documents: Vec<DocView>,
    current: Vec<HouseholdLine>,
    past: Vec<HouseholdLine>,
    links: Vec<LinkView>,
    history: Vec<HistoryView>,
    events: Vec<EventView>,
    candidates: Vec<Candidate>,
    can_edit: bool,
    can_merge: bool,
    doc_kinds: &'static [DocumentKind],
    support_kinds: &'static [person::SupportKind],
    doc: DocForm,
    today: String,
    social: super::cases::PersonSocial,
    apps: super::applications::PersonApplications,
    mandates: Vec<super::mandates::MandateRow>,
    dsu: super::dsu::PersonDsu,
    mandate_kinds: &'static [domain::mandate::MandateKind],
}

fn date_or_dash(d: Option<Date>) -> String {
    d.map_or_else(String::new, format_date)
}

async fn household_lines(
    state: &AppState,
    ctx: &Ctx,
    p: &Person,
    today: Date,
) -> Result<Vec<HouseholdLine>, AppError> {
    let memberships: Vec<HouseholdMember> = state.store.person_households(ctx.org.id, p.id).await?;
    let mut out = Vec::new();
    for m in memberships {
        let current = m.to_date.is_none();
        let members = if current {
            state
                .store
                .household_members(ctx.org.id, m.household_id)
                .await?
                .into_iter()
                .filter(|v| v.member.to_date.is_none())
                .map(|v| MemberLine {
                    person_id: v.member.person_id,
                    name: format!("{} {}", v.surname, v.given_names),
                    relationship: v.member.relationship.label(),
                    age: age_on(v.birth_date, v.death_date.unwrap_or(today)),
                    deceased: v.death_date.is_some(),
                    is_self: v.member.person_id == p.id,
                })
                .collect()
        } else {
            Vec::new()
        };
        out.push(HouseholdLine {
            household_id: m.household_id,
            relationship: m.relationship.label(),
            from: format_date(m.from_date),
            to: date_or_dash(m.to_date),
            current,
            members,
        });
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
struct DocForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_by: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    expires_on: String,
}

async fn person_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    p: Person,
    doc: DocForm,
    errors: Vec<FieldError>,
) -> Result<PersonPage, AppError> {
    let today = domain::localtime::today(ctx.now);
    let documents = state
        .store
        .person_documents(ctx.org.id, p.id)
        .await?
        .into_iter()
        .map(|d| DocView {
            issued_on: date_or_dash(d.issued_on),
            expires_on: date_or_dash(d.expires_on),
            expired: d.expires_on.is_some_and(|e| e < today),
            d,
        })
        .collect();
    let (current, past) = household_lines(state, ctx, &p, today)
        .await?
        .into_iter()
        .partition(|h| h.current);
    let links = state
        .store
        .person_support(ctx.org.id, p.id)
        .await?
        .into_iter()
        .map(|l| {
            let inverse = l.person_id != p.id;
            LinkView {
                other_id: if inverse {
                    Some(l.person_id)
                } else {
                    l.related_person_id
                },
                other_name: if inverse {
                    String::new()
                } else {
                    l.related_name.clone()
                },
                inverse,
                from: date_or_dash(l.from_date),
                to: date_or_dash(l.to_date),
                l,
            }
        })
        .collect::<Vec<_>>();
    let mut links = links;
    for link in links.iter_mut().filter(|l| l.inverse) {
        if let Some(id) = link.other_id {
            link.other_name = state
                .store
                .get_person(ctx.org.id, id)
                .await
                .map(|o| o.data.full_name())
                .unwrap_or_default();
        }
    }
    let names = super::names::Names::of_org(state, ctx.org.id).await?;
    let history = state
        .store
        .person_history(ctx.org.id, p.id)
        .await?
        .into_iter()
        .map(|h| HistoryView {
            author: names.of(&h.actor),
            when: when(h.at_us),
            merged_from: h.person_id != p.id,
            h,
        })
        .collect();
    let events = state
        .store
        .person_registry_events(ctx.org.id, p.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            kind: e.kind.label(),
            date: format_date(e.event_date),
            summary: e.summary,
            reviewed: match (e.reviewed_at_us, e.reviewed_by) {
                (Some(at), Some(by)) => {
                    format!("verificato da {} il {}", names.of(&by), when(at))
                }
                _ => String::new(),
            },
        })
        .collect();
    let can_merge = ctx.can(domain::Action::PersonMerge, ctx.scope_of(p.org_id));
    let candidates = if can_merge && p.merged_into.is_none() {
        duplicates(state, ctx, &p.data, Some(p.id))
            .await?
            .iter()
            .map(|(o, r)| candidate(o, r))
            .collect()
    } else {
        Vec::new()
    };
    let name = p.data.full_name();
    let l = Layout::page(ctx, jar, &name, "/persone")
        .crumb("/persone", "Anagrafe sociale")
        .crumb(&person_path(p.id), &name)
        .with_errors(FormErrors(errors));
    let siuss_notes = if ctx.can(domain::Action::PersonEdit, ctx.scope_of(p.org_id)) {
        super::siuss_notes::notes(state, p.org_id, app::siuss_exchange::Subject::Person(p.id)).await
    } else {
        Vec::new()
    };
    Ok(PersonPage {
        l,
        siuss_notes,
        age: age_on(p.data.birth_date, p.data.death_date.unwrap_or(today)),
        birth_date: format_date(p.data.birth_date),
        death_date: date_or_dash(p.data.death_date),
        life_event: app::life_events::LifeEvent::of(&p).is_some(),
        registry_left: date_or_dash(p.registry_left_on),
        cf_kind: p
            .data
            .codice_fiscale
            .map(|c| match c.kind() {
                territory::CodiceFiscaleKind::Ordinary if c.is_omocode() => "omocodico".to_owned(),
                territory::CodiceFiscaleKind::Ordinary => String::new(),
                k => k.label().to_owned(),
            })
            .unwrap_or_default(),
        documents,
        current,
        past,
        links,
        history,
        events,
        candidates,
        can_edit: ctx.can(domain::Action::PersonEdit, ctx.scope_of(p.org_id))
            && p.merged_into.is_none(),
        can_merge,
        doc_kinds: DocumentKind::ALL,
        support_kinds: person::SupportKind::ALL,
        doc,
        today: format_date(today),
        social: super::cases::person_social(state, ctx, &p).await?,
        apps: super::applications::person_applications(state, ctx, &p).await?,
        mandates: super::mandates::rows(state, ctx, &p).await?,
        dsu: super::dsu::person_dsu(state, ctx, &p).await?,
        mandate_kinds: domain::mandate::MandateKind::ALL,
        p,
    })
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = person_access(&state, &ctx, parse_id(&id)?).await?.person;
    if let Some(survivor) = p.merged_into {
        let jar = flash(
            jar,
            "info",
            "Questa scheda è stata unita a un'altra: ecco la scheda che la sostituisce.",
        );
        return Ok((jar, Redirect::to(&person_path(survivor))).into_response());
    }
    state
        .reads
        .view(&ctx, app::read_log::Read::Person, p.id)
        .await;
    let page = person_page(&state, &ctx, &jar, p, DocForm::default(), Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn edit_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    // The form shows the whole record: a read like the person's page.
    state
        .reads
        .view(&ctx, app::read_log::Read::Person, p.id)
        .await;
    let page = form_page(
        &ctx,
        &jar,
        p.data.to_input(),
        Some((p.id, p.data.full_name(), p.version)),
        Vec::new(),
        Vec::new(),
    );
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn update(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PersonForm>,
) -> Result<Response, AppError> {
    let old = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let version = f.version.unwrap_or(old.version);
    let meta = Some((old.id, old.data.full_name(), version));
    let data = match parse_person(&f.input, domain::localtime::today(ctx.now)) {
        Ok(d) => d,
        Err(errors) => {
            let page = form_page(&ctx, &jar, f.input, meta, errors, Vec::new());
            return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let changes = person::changes(&old.data, &data);
    if changes.is_empty() {
        let jar = flash(jar, "info", "Nessuna modifica da salvare.");
        return Ok((jar, Redirect::to(&person_path(old.id))).into_response());
    }
    let name = data.full_name();
    let p = Person {
        data,
        version: version + 1,
        updated_at: ctx.now,
        ..old.clone()
    };
    let history = ctx.history(p.id, "modifica", "Dati modificati".into(), changes.clone());
    let audit = ctx.audit(
        "person.update",
        "person",
        Some(p.id),
        format!("Modificata la scheda di {name}: {}", changes.join("; ")),
    );
    match state.store.update_person(&p, &history, &audit).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            let errors = vec![FieldError::new(
                "codice_fiscale",
                "il codice fiscale è già registrato per un'altra persona",
            )];
            let page = form_page(&ctx, &jar, f.input, meta, errors, Vec::new());
            return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(StoreError::Conflict) => {
            let errors = vec![FieldError::new(
                "surname",
                "un altro operatore ha modificato questa scheda mentre la stavi modificando: ricarica la scheda e ripeti le modifiche",
            )];
            let page = form_page(&ctx, &jar, f.input, meta, errors, Vec::new());
            return Ok(render(&page, StatusCode::CONFLICT));
        }
        Err(e) => return Err(e.into()),
    }
    let jar = flash(jar, "success", "Modifiche salvate.");
    Ok((jar, Redirect::to(&person_path(p.id))).into_response())
}

fn text(
    field: &'static str,
    raw: &str,
    what: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        errors.push(FieldError::new(field, format!("indicare {what}")));
    } else if t.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("al massimo {max} caratteri"),
        ));
    }
    t
}

async fn add_document(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DocForm>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let mut errors = Vec::new();
    let kind = DocumentKind::parse(f.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "scegliere il tipo di documento"));
    }
    let number = text(
        "number",
        &f.number,
        "il numero del documento",
        40,
        &mut errors,
    );
    let issued_by = text(
        "issued_by",
        &f.issued_by,
        "chi ha rilasciato il documento",
        120,
        &mut errors,
    );
    let issued_on = optional_date("issued_on", &f.issued_on, &mut errors);
    let expires_on = optional_date("expires_on", &f.expires_on, &mut errors);
    if let (Some(i), Some(e)) = (issued_on, expires_on)
        && e < i
    {
        errors.push(FieldError::new(
            "expires_on",
            "la scadenza è precedente al rilascio",
        ));
    }
    if issued_on.is_some_and(|i| i > domain::localtime::today(ctx.now)) {
        errors.push(FieldError::new(
            "issued_on",
            "la data di rilascio è nel futuro",
        ));
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        let page = person_page(&state, &ctx, &jar, p, f, errors).await?;
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let doc = IdentityDocument {
        id: Uuid::now_v7(),
        org_id: p.org_id,
        person_id: p.id,
        kind,
        number,
        issued_by,
        issued_on,
        expires_on,
        created_at: ctx.now,
    };
    let what = format!("{} n. {}", kind.label(), doc.number);
    let history = ctx.history(
        p.id,
        "documento",
        format!("Aggiunto documento: {what}"),
        Vec::new(),
    );
    let audit = ctx.audit(
        "person.document.add",
        "person",
        Some(p.id),
        format!("Aggiunto a {} il documento {what}", p.data.full_name()),
    );
    state.store.add_document(&doc, &history, &audit).await?;
    let jar = flash(jar, "success", "Documento aggiunto.");
    Ok((
        jar,
        Redirect::to(&format!("{}#documenti", person_path(p.id))),
    )
        .into_response())
}

async fn remove_document(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let doc_id = parse_id(&doc)?;
    let docs = state.store.person_documents(ctx.org.id, p.id).await?;
    let d = docs
        .iter()
        .find(|d| d.id == doc_id)
        .ok_or(app::Error::NotFound)?;
    let what = format!("{} n. {}", d.kind.label(), d.number);
    let history = ctx.history(
        p.id,
        "documento",
        format!("Rimosso documento: {what}"),
        Vec::new(),
    );
    let audit = ctx.audit(
        "person.document.remove",
        "person",
        Some(p.id),
        format!("Rimosso da {} il documento {what}", p.data.full_name()),
    );
    state
        .store
        .remove_document(ctx.org.id, doc_id, &history, &audit)
        .await?;
    let jar = flash(jar, "success", "Documento rimosso.");
    Ok((
        jar,
        Redirect::to(&format!("{}#documenti", person_path(p.id))),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "person_merge.html")]
struct MergePage {
    l: Layout,
    survivor: Person,
    duplicate: Person,
    rows: Vec<(&'static str, String, String)>,
    reason: String,
}

fn comparison(a: &PersonData, b: &PersonData) -> Vec<(&'static str, String, String)> {
    let cf = |d: &PersonData| {
        d.codice_fiscale
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default()
    };
    let addr = |d: &PersonData| {
        d.residence
            .as_ref()
            .map(|r| format!("{}, {}", r.street, r.comune.label()))
            .unwrap_or_default()
    };
    vec![
        ("Codice fiscale", cf(a), cf(b)),
        ("Cognome e nome", a.full_name(), b.full_name()),
        (
            "Nascita",
            format!("{} · {}", format_date(a.birth_date), a.birthplace.name),
            format!("{} · {}", format_date(b.birth_date), b.birthplace.name),
        ),
        ("Cittadinanza", a.citizenship.label(), b.citizenship.label()),
        ("Residenza", addr(a), addr(b)),
    ]
}

/// Two records the user may merge: the survivor and the duplicate merged into it.
struct MergeAccess {
    survivor: Person,
    duplicate: Person,
}

async fn merge_access(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    other: &str,
) -> Result<MergeAccess, AppError> {
    let survivor = person_edit_access(state, ctx, parse_id(id)?).await?.person;
    let duplicate = person_edit_access(state, ctx, parse_id(other)?)
        .await?
        .person;
    ctx.authorize(domain::Action::PersonMerge, ctx.scope_of(survivor.org_id))?;
    if survivor.id == duplicate.id {
        return Err(
            app::Error::BadRequest("non si può unire una scheda a sé stessa".into()).into(),
        );
    }
    Ok(MergeAccess {
        survivor,
        duplicate,
    })
}

fn merge_layout(ctx: &Ctx, jar: &CookieJar, s: &Person, d: &Person) -> Layout {
    Layout::page(ctx, jar, "Unisci schede doppie", "/persone")
        .crumb("/persone", "Anagrafe sociale")
        .crumb(&person_path(s.id), &s.data.full_name())
        .crumb(&format!("/persone/{}/unisci/{}", s.id, d.id), "Unisci")
}

async fn merge_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, other)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let MergeAccess {
        survivor,
        duplicate,
    } = merge_access(&state, &ctx, &id, &other).await?;
    state
        .reads
        .view_all(
            &ctx,
            app::read_log::Read::Person,
            vec![survivor.id, duplicate.id],
        )
        .await;
    let page = MergePage {
        l: merge_layout(&ctx, &jar, &survivor, &duplicate),
        rows: comparison(&survivor.data, &duplicate.data),
        survivor,
        duplicate,
        reason: String::new(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    reason: String,
}

async fn merge(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, other)): Path<(String, String)>,
    Form(f): Form<MergeForm>,
) -> Result<Response, AppError> {
    let MergeAccess {
        survivor,
        duplicate,
    } = merge_access(&state, &ctx, &id, &other).await?;
    let reason = f.reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.chars().count() < 5 {
        let page = MergePage {
            l: merge_layout(&ctx, &jar, &survivor, &duplicate).with_errors(FormErrors(vec![
                FieldError::new(
                    "reason",
                    "spiegare perché le due schede sono la stessa persona (almeno 5 caratteri)",
                ),
            ])),
            rows: comparison(&survivor.data, &duplicate.data),
            survivor,
            duplicate,
            reason,
        };
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let (s_name, d_name) = (survivor.data.full_name(), duplicate.data.full_name());
    let history = [
        ctx.history(
            survivor.id,
            "fusione",
            format!(
                "Unita la scheda doppia di {d_name}: i suoi documenti, nuclei e legami passano a questa scheda, che conserva i propri dati. Motivo: {reason}"
            ),
            person::merged_in(&survivor.data, &duplicate.data),
        ),
        ctx.history(
            duplicate.id,
            "fusione",
            format!("Scheda unita a quella di {s_name}. Motivo: {reason}"),
            Vec::new(),
        ),
    ];
    let mut audit = ctx.audit(
        "person.merge",
        "person",
        Some(survivor.id),
        format!(
            "Unita la scheda {} ({d_name}) alla scheda {} ({s_name})",
            duplicate.id, survivor.id
        ),
    );
    audit.reason = Some(reason);
    state
        .store
        .merge_persons(ctx.org.id, survivor.id, duplicate.id, &history, &audit)
        .await?;
    let jar = flash(
        jar,
        "success",
        &format!("Scheda doppia unita a quella di {s_name}."),
    );
    Ok((jar, Redirect::to(&person_path(survivor.id))).into_response())
}
