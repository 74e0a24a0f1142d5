//! Prestazioni: the catalogue of benefits with their budget for the year, the entry form,
//! the rule versions (immutable, each citing its article of the regolamento) and the
//! simulator that applies the version in force to facts typed by the operator.

use super::dates::instant;
use super::forms::{Form, Pairs, parse_id};
use super::render::render_page;
use super::simulation::{SimQuery, SimResult, Simulation, simulate};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::catalogue::{catalogue_access, catalogue_manage_access};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::audit::unix_micros;
use domain::benefit::{
    AmountKind, Area, Band, BenefitData, BenefitInput, DeliveryKind, Eligibility, Formula,
    IseeVariant, Periodicity, Rule, RuleInput, SIUSS_CODES, Unit, base_catalogue, parse_benefit,
    parse_rule, rule_in_force, siuss_label,
};
use domain::changes::{Field, changed};
use domain::dates::format_date;
use domain::localtime::{format_date_time, today};
use domain::money::Money;
use domain::policy::{Action, RecordScope};
use serde::Deserialize;
use std::collections::HashMap;
use store::{Benefit, BenefitRule, BenefitStore, BudgetRow, StoreError};
use time::Date;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/prestazioni", get(catalogue))
        .route("/prestazioni/catalogo-base", post(seed))
        .route("/prestazioni/nuova", get(new_form).post(create))
        .route("/prestazioni/{id}", get(show))
        .route("/prestazioni/{id}/modifica", get(edit_form).post(update))
        .route(
            "/prestazioni/{id}/regole/nuova",
            get(rule_form).post(rule_save),
        )
        .route("/prestazioni/{id}/simulatore", get(simulator))
}

fn benefit_path(id: Uuid) -> String {
    format!("/prestazioni/{id}")
}

/// An option of a select or a radio group.
struct Opt {
    value: &'static str,
    label: String,
    selected: bool,
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            value: code(*v),
            label: label(*v).to_owned(),
            selected: code(*v) == current.trim(),
        })
        .collect()
}

fn isee_label(v: Option<IseeVariant>) -> &'static str {
    v.map_or("non richiesto", IseeVariant::label)
}

/// What the year's budget holds: committed by decisions, spent by deliveries.
struct BudgetView {
    budget: String,
    committed: String,
    spent: String,
    available: String,
    /// More committed than budgeted.
    over: bool,
}

fn budget_view(budget: Option<Money>, row: Option<&BudgetRow>) -> BudgetView {
    let committed = row.map_or(Money::ZERO, |r| r.committed);
    let spent = row.map_or(Money::ZERO, |r| r.spent);
    match budget {
        Some(b) => BudgetView {
            budget: b.format_plain(),
            committed: committed.format_plain(),
            spent: spent.format_plain(),
            available: (b - committed).format_plain(),
            over: committed > b,
        },
        None => BudgetView {
            budget: "—".into(),
            committed: committed.format_plain(),
            spent: spent.format_plain(),
            available: "—".into(),
            over: false,
        },
    }
}

// --- The catalogue ---------------------------------------------------------------------------

struct CatalogueRow {
    id: Uuid,
    code: String,
    name: String,
    area: &'static str,
    siuss_code: String,
    siuss_label: &'static str,
    periodicity: &'static str,
    isee: &'static str,
    money: BudgetView,
    active: bool,
}

#[derive(Template)]
#[template(path = "benefits.html")]
struct CataloguePage {
    l: Layout,
    rows: Vec<CatalogueRow>,
    year: i32,
    can_manage: bool,
    seed_count: usize,
    seed_from: String,
}

async fn catalogue(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    catalogue_access(&ctx)?;
    let org = ctx.org.id;
    let year = today(ctx.now).year();
    let (from, to) = app::procedure::year_bounds(year)?;
    let list = state.store.list_benefits(org).await?;
    let budgets: HashMap<Uuid, BudgetRow> = state
        .store
        .benefit_budgets(org, from, to)
        .await?
        .into_iter()
        .map(|r| (r.benefit_id, r))
        .collect();
    let rows = list
        .into_iter()
        .map(|b| CatalogueRow {
            id: b.id,
            money: budget_view(b.data.budget, budgets.get(&b.id)),
            siuss_label: siuss_label(&b.data.siuss_code).unwrap_or(""),
            area: b.data.area.label(),
            periodicity: b.data.periodicity.label(),
            isee: isee_label(b.data.isee_variant),
            active: b.data.active,
            code: b.data.code,
            name: b.data.name,
            siuss_code: b.data.siuss_code,
        })
        .collect();
    let page = CataloguePage {
        l: Layout::page(&ctx, &jar, "Catalogo delle prestazioni", "/prestazioni")
            .crumb("/prestazioni", "Prestazioni"),
        rows,
        year,
        can_manage: ctx.can(Action::CatalogueManage, RecordScope::SameOrg),
        seed_count: base_catalogue(from).len(),
        seed_from: format_date(from),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

fn seed_refused(jar: CookieJar) -> Response {
    let jar = flash(
        jar,
        "danger",
        "Il catalogo contiene già delle prestazioni: il catalogo di base si carica solo in un catalogo vuoto. Non ho salvato nulla.",
    );
    (jar, Redirect::to("/prestazioni")).into_response()
}

async fn seed(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let org = ctx.org.id;
    if !state.store.list_benefits(org).await?.is_empty() {
        return Ok(seed_refused(jar));
    }
    let (from, _) = app::procedure::year_bounds(today(ctx.now).year())?;
    let (benefits, rules) =
        store::base_catalogue_rows(org, from, ctx.user.login.as_str(), unix_micros(ctx.now));
    let audit = ctx.audit(
        "benefit.seed",
        "benefit",
        None,
        format!(
            "Caricato il catalogo di base: {} prestazioni e {} versioni delle regole valide dal {}",
            benefits.len(),
            rules.len(),
            format_date(from)
        ),
    );
    match state.store.seed_benefits(&benefits, &rules, &audit).await {
        Ok(()) => {}
        // Someone else loaded it at the same moment.
        Err(StoreError::Duplicate(_)) => return Ok(seed_refused(jar)),
        Err(e) => return Err(e.into()),
    }
    let jar = flash(
        jar,
        "success",
        &format!(
            "Hai caricato il catalogo di base: {} prestazioni. Adatta ogni voce e le sue regole al regolamento dell'ente.",
            benefits.len()
        ),
    );
    Ok((jar, Redirect::to("/prestazioni")).into_response())
}

// --- The entry form --------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct EntryForm {
    #[serde(flatten)]
    input: BenefitInput,
    /// Edit forms carry the version they were opened at (compare and set).
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "benefit_form.html")]
struct EntryFormPage {
    l: Layout,
    f: BenefitInput,
    /// The entry being edited: id and name.
    edit: Option<(Uuid, String)>,
    version: String,
    active: bool,
    areas: Vec<Opt>,
    siuss: Vec<Opt>,
    periodicities: Vec<Opt>,
    deliveries: Vec<Opt>,
    variants: Vec<Opt>,
    /// The entry was changed by someone else since the form was opened.
    conflict: bool,
}

impl EntryFormPage {
    fn action(&self) -> String {
        match &self.edit {
            Some((id, _)) => format!("/prestazioni/{id}/modifica"),
            None => "/prestazioni/nuova".into(),
        }
    }
}

fn to_input(d: &BenefitData) -> BenefitInput {
    BenefitInput {
        code: d.code.clone(),
        name: d.name.clone(),
        description: d.description.clone(),
        area: d.area.as_str().into(),
        siuss_code: d.siuss_code.clone(),
        periodicity: d.periodicity.as_str().into(),
        delivery: d.delivery.as_str().into(),
        isee_variant: d.isee_variant.map(IseeVariant::as_str).unwrap_or("").into(),
        funding_source: d.funding_source.clone(),
        budget: d.budget.map(Money::format_plain).unwrap_or_default(),
        documents: d.documents.join("\n"),
        deadline_days: d.deadline_days.to_string(),
        active: if d.active { "on".into() } else { String::new() },
        budget_chapter: d.budget_chapter.clone(),
        commitment: d.commitment.clone(),
        portal: if d.portal.is_some() {
            "on".into()
        } else {
            String::new()
        },
        portal_from: d.portal.map(|w| format_date(w.from)).unwrap_or_default(),
        portal_until: d
            .portal
            .and_then(|w| w.until)
            .map(format_date)
            .unwrap_or_default(),
    }
}

fn entry_page(
    ctx: &Ctx,
    jar: &CookieJar,
    f: BenefitInput,
    edit: Option<(Uuid, String)>,
    version: String,
    errors: Vec<FieldError>,
    conflict: bool,
) -> EntryFormPage {
    let title = match &edit {
        Some((_, name)) => format!("Modifica: {name}"),
        None => "Nuova prestazione".to_owned(),
    };
    let mut l = Layout::page(ctx, jar, &title, "/prestazioni").crumb("/prestazioni", "Prestazioni");
    if let Some((id, name)) = &edit {
        l = l
            .crumb(&benefit_path(*id), name)
            .crumb(&format!("/prestazioni/{id}/modifica"), "Modifica");
    } else {
        l = l.crumb("/prestazioni/nuova", "Nuova prestazione");
    }
    let mut l = l.with_errors(FormErrors(errors));
    if conflict && l.errors.is_empty() {
        l.title = format!("Errore: {}", l.title);
    }
    let siuss_current = f.siuss_code.trim().to_uppercase();
    EntryFormPage {
        areas: options(Area::ALL, Area::as_str, Area::label, &f.area),
        siuss: SIUSS_CODES
            .iter()
            .map(|(code, label)| Opt {
                value: code,
                label: format!("{code} – {label}"),
                selected: *code == siuss_current,
            })
            .collect(),
        periodicities: options(
            Periodicity::ALL,
            Periodicity::as_str,
            Periodicity::label,
            &f.periodicity,
        ),
        deliveries: options(
            DeliveryKind::ALL,
            DeliveryKind::as_str,
            DeliveryKind::label,
            &f.delivery,
        ),
        variants: options(
            IseeVariant::ALL,
            IseeVariant::as_str,
            IseeVariant::label,
            &f.isee_variant,
        ),
        active: checked(&f.active),
        l,
        f,
        edit,
        version,
        conflict,
    }
}

/// A ticked check box, as browsers send it.
pub(super) fn checked(raw: &str) -> bool {
    matches!(raw.trim(), "on" | "1" | "true" | "si" | "sì")
}

fn duplicate_code(code: &str) -> FieldError {
    FieldError::new(
        "code",
        format!(
            "il codice breve «{}» è già usato da un'altra prestazione dell'ente: scegline un altro",
            code.trim().to_lowercase()
        ),
    )
}

async fn new_form(jar: CookieJar, ctx: Ctx) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let f = BenefitInput {
        deadline_days: "30".into(),
        active: "on".into(),
        ..BenefitInput::default()
    };
    let page = entry_page(&ctx, &jar, f, None, String::new(), Vec::new(), false);
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let data = match parse_benefit(&f.input) {
        Ok(d) => d,
        Err(errors) => {
            let page = entry_page(&ctx, &jar, f.input, None, String::new(), errors, false);
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let b = Benefit {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        data,
        version: 1,
        created_at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "benefit.create",
        "benefit",
        Some(b.id),
        format!(
            "Nuova prestazione «{}» ({}), codice SIUSS {}",
            b.data.name, b.data.code, b.data.siuss_code
        ),
    );
    match state.store.create_benefit(&b, &audit).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            let errors = vec![duplicate_code(&f.input.code)];
            let page = entry_page(&ctx, &jar, f.input, None, String::new(), errors, false);
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(e) => return Err(e.into()),
    }
    let jar = flash(
        jar,
        "success",
        &format!(
            "Hai aggiunto la prestazione «{}». Ora aggiungi le sue regole.",
            b.data.name
        ),
    );
    Ok((jar, Redirect::to(&benefit_path(b.id))).into_response())
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Benefit, AppError> {
    Ok(state.store.get_benefit(ctx.org.id, parse_id(id)?).await?)
}

async fn edit_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let b = load(&state, &ctx, &id).await?;
    let page = entry_page(
        &ctx,
        &jar,
        to_input(&b.data),
        Some((b.id, b.data.name.clone())),
        b.version.to_string(),
        Vec::new(),
        false,
    );
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The fields an edit of a benefit may change, as the audit summary names them.
const BENEFIT_FIELDS: [Field<BenefitData>; 14] = [
    ("codice", |b| b.code.clone()),
    ("nome", |b| b.name.clone()),
    ("descrizione", |b| b.description.clone()),
    ("area", |b| b.area.as_str().into()),
    ("codice SIUSS", |b| b.siuss_code.clone()),
    ("periodicità", |b| b.periodicity.as_str().into()),
    ("erogazione", |b| b.delivery.as_str().into()),
    ("variante ISEE", |b| {
        b.isee_variant.map_or("", IseeVariant::as_str).into()
    }),
    ("fonte di finanziamento", |b| b.funding_source.clone()),
    ("stanziamento", |b| {
        b.budget.map_or_else(String::new, Money::format)
    }),
    ("documenti richiesti", |b| format!("{:?}", b.documents)),
    ("termine", |b| b.deadline_days.to_string()),
    ("attiva", |b| b.active.to_string()),
    ("domande dal portale", |b| {
        b.portal.map_or_else(String::new, |w| w.words())
    }),
];

/// The fields that differ, in words, for the audit summary.
fn changes(old: &BenefitData, new: &BenefitData) -> Vec<&'static str> {
    changed(&BENEFIT_FIELDS, old, new)
        .into_iter()
        .map(|(label, _, _)| label)
        .collect()
}

async fn update(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<EntryForm>,
) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let old = load(&state, &ctx, &id).await?;
    let edit = Some((old.id, old.data.name.clone()));
    let Ok(version) = f.version.trim().parse::<i64>() else {
        let page = entry_page(&ctx, &jar, f.input, edit, f.version, Vec::new(), true);
        return Ok(render_page(jar, &page, StatusCode::CONFLICT));
    };
    let data = match parse_benefit(&f.input) {
        Ok(d) => d,
        Err(errors) => {
            let page = entry_page(&ctx, &jar, f.input, edit, f.version, errors, false);
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    if version != old.version {
        let page = entry_page(&ctx, &jar, f.input, edit, f.version, Vec::new(), true);
        return Ok(render_page(jar, &page, StatusCode::CONFLICT));
    }
    let changed = changes(&old.data, &data);
    if changed.is_empty() {
        let jar = flash(jar, "info", "Nessuna modifica da salvare.");
        return Ok((jar, Redirect::to(&benefit_path(old.id))).into_response());
    }
    let b = Benefit {
        data,
        version: version + 1,
        ..old.clone()
    };
    let audit = ctx.audit(
        "benefit.update",
        "benefit",
        Some(b.id),
        format!(
            "Modificata la prestazione «{}» ({}): {}",
            b.data.name,
            b.data.code,
            changed.join(", ")
        ),
    );
    match state.store.update_benefit(&b, &audit).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            let errors = vec![duplicate_code(&f.input.code)];
            let page = entry_page(&ctx, &jar, f.input, edit, f.version, errors, false);
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(StoreError::Conflict) => {
            let page = entry_page(&ctx, &jar, f.input, edit, f.version, Vec::new(), true);
            return Ok(render_page(jar, &page, StatusCode::CONFLICT));
        }
        Err(e) => return Err(e.into()),
    }
    let jar = flash(jar, "success", "Hai salvato le modifiche alla prestazione.");
    Ok((jar, Redirect::to(&benefit_path(b.id))).into_response())
}

// --- The detail ------------------------------------------------------------------------------

struct BandView {
    range: String,
    amount: String,
}

struct RuleView {
    valid_from: String,
    citation: String,
    eligibility: Vec<String>,
    amount_kind: &'static str,
    formula: String,
    bands: Vec<BandView>,
    band_header: String,
    actor: String,
    at: String,
    /// "in_force", "future" or "past".
    status: &'static str,
}

fn percent_words(p: rust_decimal::Decimal) -> String {
    p.normalize().to_string().replace('.', ",")
}

fn eligibility_words(e: &Eligibility) -> Vec<String> {
    let mut w = Vec::new();
    if let Some(max) = e.isee_max {
        w.push(format!("ISEE non superiore a {}", max.format()));
    }
    match (e.age_min, e.age_max) {
        (Some(a), Some(b)) => w.push(format!("età da {a} a {b} anni")),
        (Some(a), None) => w.push(format!("età di almeno {a} anni")),
        (None, Some(b)) => w.push(format!("età non superiore a {b} anni")),
        (None, None) => {}
    }
    if e.residence {
        match e.residence_years {
            Some(y) => w.push(format!(
                "residenza nel territorio dell'ente da almeno {y} anni"
            )),
            None => w.push("residenza nel territorio dell'ente".into()),
        }
    }
    match e.household_min {
        Some(1) => w.push("nucleo di almeno un componente".into()),
        Some(n) => w.push(format!("nucleo di almeno {n} componenti")),
        None => {}
    }
    match e.minors_min {
        Some(1) => w.push("almeno un minore nel nucleo".into()),
        Some(n) => w.push(format!("almeno {n} minori nel nucleo")),
        None => {}
    }
    if e.disability {
        w.push("disabilità o non autosufficienza riconosciuta".into());
    }
    if !e.incompatible.is_empty() {
        w.push(format!("non cumulabile con: {}", e.incompatible.join(", ")));
    }
    w
}

fn band_rows(bands: &[Band]) -> Vec<BandView> {
    let mut prev: Option<Money> = None;
    bands
        .iter()
        .map(|b| {
            let range = match (prev, b.isee_upto) {
                (None, Some(u)) => format!("fino a {}", u.format()),
                (Some(p), Some(u)) => format!("oltre {} e fino a {}", p.format(), u.format()),
                (Some(p), None) => format!("oltre {}", p.format()),
                (None, None) => "qualsiasi ISEE".to_owned(),
            };
            prev = b.isee_upto;
            BandView {
                range,
                amount: b.amount.format(),
            }
        })
        .collect()
}

fn formula_words(f: &Formula) -> (String, Vec<BandView>, String) {
    match f {
        Formula::Nessuna => (
            "nessun importo: si decide solo l'ammissione".into(),
            Vec::new(),
            String::new(),
        ),
        Formula::Fasce { bands } => (
            "importo fisso per fasce ISEE".into(),
            band_rows(bands),
            "Importo".into(),
        ),
        Formula::Tariffa { unit, bands } => (
            format!(
                "tariffa per {} secondo la fascia ISEE, moltiplicata per la quantità del mese",
                unit.label()
            ),
            band_rows(bands),
            format!("Tariffa per {}", unit.label()),
        ),
        Formula::Lineare {
            isee_min,
            isee_max,
            at_min,
            at_max,
        } => (
            format!(
                "importo lineare: {} con ISEE fino a {}, {} con ISEE da {}, in proporzione tra i due",
                at_min.format(),
                isee_min.format(),
                at_max.format(),
                isee_max.format()
            ),
            Vec::new(),
            String::new(),
        ),
        Formula::PercentualeCosto { percent, cap } => (
            match cap {
                Some(c) => format!(
                    "{}% del costo indicato nella domanda, al massimo {}",
                    percent_words(*percent),
                    c.format()
                ),
                None => format!(
                    "{}% del costo indicato nella domanda, senza tetto",
                    percent_words(*percent)
                ),
            },
            Vec::new(),
            String::new(),
        ),
    }
}

fn rule_views(rules: &[BenefitRule], on: Date) -> Vec<RuleView> {
    let plain: Vec<Rule> = rules.iter().map(|r| r.rule.clone()).collect();
    let in_force =
        rule_in_force(&plain, on).and_then(|f| plain.iter().position(|r| std::ptr::eq(r, f)));
    rules
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let (formula, bands, band_header) = formula_words(&r.rule.formula);
            RuleView {
                valid_from: format_date(r.rule.valid_from),
                citation: r.rule.citation(),
                eligibility: eligibility_words(&r.rule.eligibility),
                amount_kind: r.rule.amount_kind.label(),
                formula,
                bands,
                band_header,
                actor: r.actor.clone(),
                at: format_date_time(instant(r.at_us)),
                status: if Some(n) == in_force {
                    "in_force"
                } else if r.rule.valid_from > on {
                    "future"
                } else {
                    "past"
                },
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "benefit.html")]
struct DetailPage {
    l: Layout,
    /// Who added each rule version, by name.
    names: super::names::Names,
    b: Benefit,
    area: &'static str,
    siuss_label: &'static str,
    periodicity: &'static str,
    delivery: &'static str,
    isee: &'static str,
    year: i32,
    money: BudgetView,
    rules: Vec<RuleView>,
    can_manage: bool,
    sim: SimQuery,
    sim_variants: Vec<Opt>,
}

impl DetailPage {
    /// Whether and when citizens apply online, in words.
    fn portal(&self) -> String {
        match self.b.data.portal {
            None => "no, solo allo sportello".into(),
            Some(w) => format!("sì, {}", w.words()),
        }
    }
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    catalogue_access(&ctx)?;
    let b = load(&state, &ctx, &id).await?;
    let now = today(ctx.now);
    let (from, to) = app::procedure::year_bounds(now.year())?;
    let budgets = state.store.benefit_budgets(ctx.org.id, from, to).await?;
    let rules = state.store.benefit_rules(ctx.org.id, b.id).await?;
    let sim = SimQuery {
        on: format_date(now),
        ..SimQuery::default()
    };
    let names = super::names::Names::of_org(&state, ctx.org.id).await?;
    let page = DetailPage {
        names,
        l: Layout::page(&ctx, &jar, &b.data.name, "/prestazioni")
            .crumb("/prestazioni", "Prestazioni")
            .crumb(&benefit_path(b.id), &b.data.name),
        area: b.data.area.label(),
        siuss_label: siuss_label(&b.data.siuss_code).unwrap_or(""),
        periodicity: b.data.periodicity.label(),
        delivery: b.data.delivery.label(),
        isee: isee_label(b.data.isee_variant),
        year: now.year(),
        money: budget_view(b.data.budget, budgets.iter().find(|r| r.benefit_id == b.id)),
        rules: rule_views(&rules, now),
        can_manage: ctx.can(Action::CatalogueManage, RecordScope::SameOrg),
        sim_variants: sim_variants(&b, &sim.variant),
        sim,
        b,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

// --- A new rule version ----------------------------------------------------------------------

struct BandInput {
    n: usize,
    upto_id: String,
    amount_id: String,
    upto: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "benefit_rule_form.html")]
struct RuleFormPage {
    l: Layout,
    b: Benefit,
    f: RuleInput,
    residence: bool,
    disability: bool,
    bands: Vec<BandInput>,
    amount_kinds: Vec<Opt>,
    formulas: Vec<Opt>,
    units: Vec<Opt>,
    /// The version the form starts from.
    based_on: Option<String>,
}

const BAND_ROWS: usize = 6;

const FORMULAS: [(&str, &str); 5] = [
    ("nessuna", "Nessun importo (si decide solo l'ammissione)"),
    ("fasce", "Importo fisso per fasce ISEE"),
    ("tariffa", "Tariffa per unità (ora, pasto…) per fasce ISEE"),
    ("lineare", "Importo lineare tra ISEE minimo e massimo"),
    ("percentuale", "Percentuale del costo, con tetto"),
];

fn rule_to_input(r: &Rule, valid_from: Date) -> RuleInput {
    let e = &r.eligibility;
    let n = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
    let m = |v: Option<Money>| v.map(Money::format_plain).unwrap_or_default();
    let mut i = RuleInput {
        valid_from: format_date(valid_from),
        regulation: r.regulation.clone(),
        article: r.article.clone(),
        isee_max: m(e.isee_max),
        age_min: n(e.age_min),
        age_max: n(e.age_max),
        residence: if e.residence {
            "on".into()
        } else {
            String::new()
        },
        residence_years: n(e.residence_years),
        household_min: n(e.household_min),
        minors_min: n(e.minors_min),
        disability: if e.disability {
            "on".into()
        } else {
            String::new()
        },
        incompatible: e.incompatible.join(", "),
        amount_kind: r.amount_kind.as_str().into(),
        formula: r.formula.kind_code().into(),
        ..RuleInput::default()
    };
    match &r.formula {
        Formula::Nessuna => {}
        Formula::Fasce { bands } | Formula::Tariffa { bands, .. } => {
            i.band_upto = bands.iter().map(|b| m(b.isee_upto)).collect();
            i.band_amount = bands.iter().map(|b| b.amount.format_plain()).collect();
            if let Formula::Tariffa { unit, .. } = &r.formula {
                i.unit = unit.as_str().into();
            }
        }
        Formula::Lineare {
            isee_min,
            isee_max,
            at_min,
            at_max,
        } => {
            i.isee_min = isee_min.format_plain();
            i.isee_max_linear = isee_max.format_plain();
            i.at_min = at_min.format_plain();
            i.at_max = at_max.format_plain();
        }
        Formula::PercentualeCosto { percent, cap } => {
            i.percent = percent_words(*percent);
            i.cap = m(*cap);
        }
    }
    i
}

fn rule_page(
    ctx: &Ctx,
    jar: &CookieJar,
    b: Benefit,
    f: RuleInput,
    based_on: Option<String>,
    errors: Vec<FieldError>,
) -> RuleFormPage {
    let l = Layout::page(ctx, jar, "Nuova versione delle regole", "/prestazioni")
        .crumb("/prestazioni", "Prestazioni")
        .crumb(&benefit_path(b.id), &b.data.name)
        .crumb(
            &format!("/prestazioni/{}/regole/nuova", b.id),
            "Nuova versione delle regole",
        )
        .with_errors(FormErrors(errors));
    let rows = f
        .band_upto
        .len()
        .max(f.band_amount.len())
        .saturating_add(1)
        .max(BAND_ROWS);
    let bands = (0..rows)
        .map(|k| {
            let n = k + 1;
            let id = |base: &str| {
                if k == 0 {
                    base.to_owned()
                } else {
                    format!("{base}-{n}")
                }
            };
            BandInput {
                n,
                upto_id: id("band_upto"),
                amount_id: id("band_amount"),
                upto: f.band_upto.get(k).cloned().unwrap_or_default(),
                amount: f.band_amount.get(k).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let formula = if f.formula.trim().is_empty() {
        "nessuna"
    } else {
        f.formula.trim()
    };
    RuleFormPage {
        residence: checked(&f.residence),
        disability: checked(&f.disability),
        bands,
        amount_kinds: options(
            AmountKind::ALL,
            AmountKind::as_str,
            AmountKind::label,
            &f.amount_kind,
        ),
        formulas: FORMULAS
            .iter()
            .map(|(code, label)| Opt {
                value: code,
                label: (*label).to_owned(),
                selected: *code == formula,
            })
            .collect(),
        units: options(Unit::ALL, Unit::as_str, Unit::label, &f.unit),
        l,
        b,
        f,
        based_on,
    }
}

async fn rule_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let b = load(&state, &ctx, &id).await?;
    let now = today(ctx.now);
    let rules: Vec<Rule> = state
        .store
        .benefit_rules(ctx.org.id, b.id)
        .await?
        .into_iter()
        .map(|r| r.rule)
        .collect();
    // A new version is an edit of the one in force (or of the latest, if none is yet).
    let base = rule_in_force(&rules, now).or(rules.first());
    let (f, based_on) = match base {
        Some(r) => (
            rule_to_input(r, now),
            Some(format!("{} ({})", format_date(r.valid_from), r.citation())),
        ),
        None => (
            RuleInput {
                valid_from: format_date(now),
                amount_kind: AmountKind::Contributo.as_str().into(),
                formula: "nessuna".into(),
                ..RuleInput::default()
            },
            None,
        ),
    };
    let page = rule_page(&ctx, &jar, b, f, based_on, Vec::new());
    Ok(render_page(jar, &page, StatusCode::OK))
}

fn rule_input(p: &Pairs) -> RuleInput {
    let s = |name: &str| p.get(name).to_owned();
    RuleInput {
        valid_from: s("valid_from"),
        regulation: s("regulation"),
        article: s("article"),
        isee_max: s("isee_max"),
        age_min: s("age_min"),
        age_max: s("age_max"),
        residence: s("residence"),
        residence_years: s("residence_years"),
        household_min: s("household_min"),
        minors_min: s("minors_min"),
        disability: s("disability"),
        incompatible: s("incompatible"),
        amount_kind: s("amount_kind"),
        formula: s("formula"),
        band_upto: p.all("band_upto"),
        band_amount: p.all("band_amount"),
        isee_min: s("isee_min"),
        isee_max_linear: s("isee_max_linear"),
        at_min: s("at_min"),
        at_max: s("at_max"),
        percent: s("percent"),
        cap: s("cap"),
        unit: s("unit"),
    }
}

async fn rule_save(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    p: Pairs,
) -> Result<Response, AppError> {
    catalogue_manage_access(&ctx)?;
    let b = load(&state, &ctx, &id).await?;
    let input = rule_input(&p);
    let existing = state.store.benefit_rules(ctx.org.id, b.id).await?;
    let mut rule = parse_rule(&input);
    if let Ok(r) = &rule
        && existing.iter().any(|e| e.rule.valid_from == r.valid_from)
    {
        rule = Err(vec![FieldError::new(
            "valid_from",
            format!(
                "esiste già una versione delle regole valida dal {}: le versioni non si modificano, scegli un'altra data di decorrenza",
                format_date(r.valid_from)
            ),
        )]);
    }
    let rule = match rule {
        Ok(r) => r,
        Err(errors) => {
            let page = rule_page(&ctx, &jar, b, input, None, errors);
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let row = BenefitRule {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        benefit_id: b.id,
        rule,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "benefit.rule",
        "benefit",
        Some(b.id),
        format!(
            "Nuova versione delle regole della prestazione «{}» valida dal {} ({}): {}",
            b.data.name,
            format_date(row.rule.valid_from),
            row.rule.citation(),
            row.rule.formula.label()
        ),
    );
    state.store.add_rule(&row, &audit).await?;
    let jar = flash(
        jar,
        "success",
        &format!(
            "Hai salvato la nuova versione delle regole, valida dal {}.",
            format_date(row.rule.valid_from)
        ),
    );
    Ok((jar, Redirect::to(&format!("{}#regole", benefit_path(b.id)))).into_response())
}

// --- The simulator ---------------------------------------------------------------------------

fn sim_variants(b: &Benefit, current: &str) -> Vec<Opt> {
    let current = if current.trim().is_empty() {
        b.data
            .isee_variant
            .unwrap_or(IseeVariant::Ordinario)
            .as_str()
    } else {
        current.trim()
    };
    options(
        IseeVariant::ALL,
        IseeVariant::as_str,
        IseeVariant::label,
        current,
    )
}

#[derive(Template)]
#[template(path = "benefit_simulator.html")]
struct SimPage {
    l: Layout,
    b: Benefit,
    isee: &'static str,
    sim: SimQuery,
    sim_variants: Vec<Opt>,
    result: Option<SimResult>,
    /// Why no rule could be applied.
    no_rule: Option<String>,
}

async fn simulator(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(mut q): Query<SimQuery>,
) -> Result<Response, AppError> {
    catalogue_access(&ctx)?;
    let b = load(&state, &ctx, &id).await?;
    let now = today(ctx.now);
    let layout = |errors: Vec<FieldError>| {
        Layout::page(
            &ctx,
            &jar,
            &format!("Simulatore: {}", b.data.name),
            "/prestazioni",
        )
        .crumb("/prestazioni", "Prestazioni")
        .crumb(&benefit_path(b.id), &b.data.name)
        .crumb(&format!("/prestazioni/{}/simulatore", b.id), "Simulatore")
        .with_errors(FormErrors(errors))
    };
    let Simulation {
        errors,
        result,
        no_rule,
    } = simulate(&state, ctx.org.id, &b, &mut q, now).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SimPage {
        l: layout(errors),
        isee: isee_label(b.data.isee_variant),
        sim_variants: sim_variants(&b, &q.variant),
        sim: q,
        result,
        no_rule,
        b,
    };
    Ok(render_page(jar, &page, status))
}
