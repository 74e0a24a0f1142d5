//! Istanze: the worklists with their export, filing at the counter or by a CAF, the
//! application's page with the rules' outcome, the checklist of documents, the changes of
//! state, the decision and notice PDFs and the months of delivery.

use super::dates::when;
use super::forms::{Form, parse_id};
use super::render::{attachment, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use crate::paths::url_encode;
use app::follow;
use app::letters::LetterKind;
use app::procedure::{self, AppAccess, Applicant, ApplicantKey, Filing, Mailed};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::application::{
    ApplicationInput, ApplicationSearch, ApplicationState, Channel, DeliveryInput, DeliveryStatus,
    NOTICE_REPLY_DAYS, TransitionInput, month_label, needs_reason, next_states, parse_application,
    parse_delivery, transition_action, transition_label,
};
use domain::audit::unix_micros;
use domain::benefit::{AmountKind, CheckStatus, Outcome, Periodicity};
use domain::dates::{format_date, parse_date};
use domain::localtime::today;
use domain::money::Money;
use domain::policy::{Action, RecordScope, Role};
use export::{Cell, Table};
use serde::Deserialize;
use store::{
    ApplicationDocument, ApplicationEvent, ApplicationFilter, ApplicationMessage, ApplicationView,
    Attestation, AuditStore, Benefit, BenefitStore, Delivery, MessageKind, Person, PersonStore,
    StoreError, Worklist, WorklistCounts,
};
use time::{Date, Duration};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/istanze", get(worklist))
        .route("/istanze/export.csv", get(export_csv))
        .route("/istanze/export.xlsx", get(export_xlsx))
        .route("/istanze/nuova", get(new_form).post(create))
        .route("/istanze/{id}", get(show))
        .route("/istanze/{id}/stato", post(change_state))
        .route("/istanze/{id}/dati", post(update_facts))
        .route(
            "/istanze/{id}/documenti",
            post(upload).layer(DefaultBodyLimit::max(super::upload::MAX_UPLOAD_BODY)),
        )
        .route("/istanze/{id}/documenti/{doc}", get(download))
        .route("/istanze/{id}/messaggi", post(write_message))
        .route("/istanze/{id}/provvedimento.pdf", get(decision_pdf))
        .route("/istanze/{id}/preavviso.pdf", get(notice_pdf))
        .route("/istanze/{id}/integrazione.pdf", get(integration_pdf))
        .route("/istanze/{id}/erogazioni/{month}", post(deliver))
        .route(
            "/istanze/{id}/erogazioni/{month}/annulla",
            post(annul_delivery),
        )
        .route("/istanze/{id}/sospensione", post(suspend))
}

const PAGE_SIZE: i64 = 50;
/// Most rows of one export: a year's applications of a large comune.
const EXPORT_ROWS: i64 = 20_000;

fn app_path(id: Uuid) -> String {
    format!("/istanze/{id}")
}

fn opt_date(d: Option<Date>) -> String {
    d.map(format_date).unwrap_or_default()
}

fn protocol_or_draft(v: &ApplicationView) -> String {
    v.app
        .protocol
        .clone()
        .unwrap_or_else(|| "bozza senza protocollo".into())
}

fn after_change(jar: CookieJar, id: Uuid, text: &str, mailed: Option<&Mailed>) -> Response {
    let (kind, text) = match mailed {
        Some(m @ Mailed::Sent(_)) => ("success", format!("{text} {}", m.sentence())),
        Some(m) => ("warning", format!("{text} {}", m.sentence())),
        None => ("success", text.to_owned()),
    };
    let jar = flash(jar, kind, &text);
    (jar, Redirect::to(&app_path(id))).into_response()
}

// --- Worklists --------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ListQuery {
    /// The search box: a protocol number, a codice fiscale or words of the applicant's name.
    #[serde(default)]
    q: String,
    #[serde(default)]
    lista: String,
    #[serde(default)]
    stato: String,
    #[serde(default)]
    prestazione: String,
    #[serde(default)]
    pagina: String,
}

struct Tab {
    code: &'static str,
    label: &'static str,
    count: i64,
    current: bool,
}

struct Row {
    v: ApplicationView,
    protocol: String,
    submitted: String,
    due: String,
    overdue: bool,
    isee_flag: &'static str,
    amount: String,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct WorklistPage {
    l: Layout,
    tabs: Vec<Tab>,
    /// The search and filters, without the list: what each tab's link keeps.
    filters: String,
    q: String,
    lista: String,
    stato: String,
    prestazione: String,
    states: &'static [ApplicationState],
    benefits: Vec<Benefit>,
    rows: Vec<Row>,
    page: i64,
    more: bool,
    query: String,
    can_file: bool,
    /// May read the register of acts.
    can_register: bool,
}

const LISTS: [(&str, &str); 6] = [
    ("tutte", "Tutte"),
    ("mie", "Le mie"),
    ("da-istruire", "Da istruire"),
    ("scadute", "Scadute"),
    ("integrazioni", "In attesa di documenti"),
    ("isee", "ISEE mancante o scaduto"),
];

fn worklist_of(code: &str, ctx: &Ctx, on: Date) -> Worklist {
    match code {
        "mie" => Worklist::Mine(ctx.user.id),
        "da-istruire" => Worklist::ToReview,
        "scadute" => Worklist::Overdue(on),
        "integrazioni" => Worklist::AwaitingDocuments,
        "isee" => Worklist::IseeMissing(on),
        _ => Worklist::All,
    }
}

fn count_of(c: &WorklistCounts, code: &str) -> i64 {
    match code {
        "mie" => c.mine,
        "da-istruire" => c.to_review,
        "scadute" => c.overdue,
        "integrazioni" => c.awaiting_documents,
        "isee" => c.isee_missing,
        _ => c.all,
    }
}

/// The ISEE situation of an application, as the lists flag it.
fn isee_flag(v: &ApplicationView, on: Date) -> &'static str {
    if !v.needs_isee || !v.app.state.is_open() {
        ""
    } else {
        match v.isee_valid_until {
            None => "ISEE mancante",
            Some(d) if d < on => "ISEE scaduto",
            Some(_) => "",
        }
    }
}

/// The filter a worklist query asks for; unknown values are ignored, as a list link
/// edited by hand should still show something.
async fn filter_of(
    state: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    limit: i64,
) -> Result<(ApplicationFilter, i64), AppError> {
    let filed_by = procedure::application_list_access(ctx)?.filed_by;
    let page = q.pagina.trim().parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let benefit_id = match Uuid::parse_str(q.prestazione.trim()) {
        Ok(id) => match state.store.get_benefit(ctx.org.id, id).await {
            Ok(b) => Some(b.id),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    Ok((
        ApplicationFilter {
            list: worklist_of(&q.lista, ctx, today(ctx.now)),
            state: ApplicationState::parse(q.stato.trim()),
            benefit_id,
            filed_by,
            person_id: None,
            search: ApplicationSearch::parse(&q.q),
            limit,
            offset: (page - 1) * PAGE_SIZE,
        },
        page,
    ))
}

fn amount_text(v: &ApplicationView) -> String {
    v.app.amount.map(Money::format).unwrap_or_default()
}

async fn worklist(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let (filter, page) = filter_of(&state, &ctx, &q, PAGE_SIZE + 1).await?;
    let on = today(ctx.now);
    let counts = state
        .store
        .worklist_counts(ctx.org.id, ctx.user.id, filter.filed_by, on)
        .await?;
    let mut list = state.store.list_applications(ctx.org.id, &filter).await?;
    // "A che punto è la domanda 2026/000123?": a protocol found goes straight to its page.
    if filter.search.protocol.is_some()
        && let [only] = list.as_slice()
    {
        return Ok(Redirect::to(&app_path(only.app.id)).into_response());
    }
    let more = list.len() as i64 > PAGE_SIZE;
    list.truncate(PAGE_SIZE as usize);
    let lista = if LISTS.iter().any(|(c, _)| *c == q.lista) {
        q.lista.clone()
    } else {
        "tutte".to_owned()
    };
    let tabs = LISTS
        .iter()
        .map(|(code, label)| Tab {
            code,
            label,
            count: count_of(&counts, code),
            current: *code == lista,
        })
        .collect();
    let rows = list
        .into_iter()
        .map(|v| Row {
            protocol: protocol_or_draft(&v),
            submitted: opt_date(v.app.submitted_on),
            due: opt_date(v.app.due_on),
            overdue: v.app.state.is_pending() && v.app.due_on.is_some_and(|d| d < on),
            isee_flag: isee_flag(&v, on),
            amount: amount_text(&v),
            v,
        })
        .collect();
    let stato = filter
        .state
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    let prestazione = filter.benefit_id.map(|b| b.to_string()).unwrap_or_default();
    let q_typed = q.q.trim().to_owned();
    let filters = format!(
        "q={}&stato={}&prestazione={}",
        url_encode(&q_typed),
        url_encode(&stato),
        url_encode(&prestazione)
    );
    let query = format!("lista={}&{filters}", url_encode(&lista));
    let page = WorklistPage {
        l: Layout::page(&ctx, &jar, "Istanze", "/istanze").crumb("/istanze", "Istanze"),
        tabs,
        filters,
        q: q_typed,
        lista,
        stato,
        prestazione,
        states: ApplicationState::ALL,
        benefits: state.store.list_benefits(ctx.org.id).await?,
        rows,
        page,
        more,
        query,
        can_file: ctx.can(Action::ApplicationFile, RecordScope::Own),
        can_register: ctx.can(Action::ApplicationView, RecordScope::SameOrg),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn export_table(state: &AppState, ctx: &Ctx, q: &ListQuery) -> Result<Table, AppError> {
    let (mut filter, _) = filter_of(state, ctx, q, EXPORT_ROWS).await?;
    filter.offset = 0;
    let on = today(ctx.now);
    let list = state.store.list_applications(ctx.org.id, &filter).await?;
    let headers = [
        "Protocollo",
        "Presentata il",
        "Cognome",
        "Nome",
        "Codice fiscale",
        "Prestazione",
        "Stato",
        "Scadenza",
        "ISEE",
        "Situazione ISEE",
        "Importo",
        "Tipo di importo",
        "Canale",
        "Inserita da",
    ];
    let rows = list
        .iter()
        .map(|v| {
            let kind = v
                .app
                .outcome
                .as_ref()
                .and_then(|o| o.amount.as_ref())
                .map_or("", |a| a.kind.label());
            vec![
                v.app.protocol.clone().map_or(Cell::Empty, Cell::Text),
                v.app.submitted_on.map_or(Cell::Empty, Cell::Date),
                Cell::from(v.surname.as_str()),
                Cell::from(v.given_names.as_str()),
                v.codice_fiscale.clone().map_or(Cell::Empty, Cell::Text),
                Cell::from(v.benefit_name.as_str()),
                Cell::from(v.app.state.label()),
                v.app.due_on.map_or(Cell::Empty, Cell::Date),
                v.isee.map_or(Cell::Empty, |m| Cell::Money(m.cents())),
                Cell::from(isee_flag(v, on)),
                v.app.amount.map_or(Cell::Empty, |m| Cell::Money(m.cents())),
                Cell::from(kind),
                Cell::from(v.app.channel.label()),
                Cell::from(v.filed_by_name.as_str()),
            ]
        })
        .collect();
    state
        .store
        .append_audit(&ctx.audit(
            "application.export",
            "application",
            None,
            format!("Esportazione di {} domande", list.len()),
        ))
        .await?;
    Ok(Table {
        sheet: "Istanze".into(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    })
}

fn export_name(ctx: &Ctx, ext: &str) -> String {
    let d = today(ctx.now);
    format!(
        "istanze-{:04}-{:02}-{:02}.{ext}",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let table = export_table(&state, &ctx, &q).await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        &export_name(&ctx, "csv"),
        export::to_csv(&table),
    ))
}

async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let table = export_table(&state, &ctx, &q).await?;
    let bytes = export::to_xlsx(&table).map_err(|e| app::Error::Internal(e.to_string()))?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &export_name(&ctx, "xlsx"),
        bytes,
    ))
}

// --- Filing --------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct FileForm {
    #[serde(default)]
    persona: String,
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    benefit: String,
    #[serde(default)]
    attestation: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    resident_since: String,
    #[serde(default)]
    disability: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    units: String,
    #[serde(default)]
    months: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    notes: String,
    /// "bozza" or "presenta".
    #[serde(default)]
    azione: String,
    #[serde(default)]
    version: String,
}

impl FileForm {
    fn input(&self) -> ApplicationInput {
        ApplicationInput {
            benefit: self.benefit.clone(),
            attestation: self.attestation.clone(),
            channel: self.channel.clone(),
            resident_since: self.resident_since.clone(),
            disability: self.disability.clone(),
            cost: self.cost.clone(),
            units: self.units.clone(),
            months: self.months.clone(),
            email: self.email.clone(),
            notes: self.notes.clone(),
        }
    }
}

struct AttestationOption {
    id: Uuid,
    label: String,
}

fn attestation_label(a: &Attestation, on: Date) -> String {
    let until = a.data.valid_until();
    format!(
        "{} · {} {} · valida fino al {}{}",
        a.data.protocol.as_str(),
        a.data.variant.label(),
        a.data.isee.format(),
        format_date(until),
        if until < on { " (scaduta)" } else { "" }
    )
}

async fn attestation_options(
    state: &AppState,
    ctx: &Ctx,
    person_id: Uuid,
) -> Result<Vec<AttestationOption>, AppError> {
    let on = today(ctx.now);
    Ok(state
        .store
        .person_attestations(ctx.org.id, person_id)
        .await?
        .iter()
        .map(|a| AttestationOption {
            id: a.id,
            label: attestation_label(a, on),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "application_form.html")]
struct FilePage {
    l: Layout,
    person: Option<Person>,
    benefits: Vec<Benefit>,
    attestations: Vec<AttestationOption>,
    channels: &'static [Channel],
    caf: bool,
    /// The applicant's data and attestations are not the user's to see (see
    /// `procedure::Applicant`).
    limited: bool,
    form: FileForm,
}

fn is_caf(ctx: &Ctx) -> bool {
    ctx.role == Role::OperatoreCaf
}

async fn file_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    applicant: Option<Applicant>,
    form: FileForm,
    errors: Vec<FieldError>,
) -> Result<FilePage, AppError> {
    let attestations = match &applicant {
        Some(a) if a.full_view => attestation_options(state, ctx, a.person.id).await?,
        _ => Vec::new(),
    };
    let limited = applicant.as_ref().is_some_and(|a| !a.full_view);
    let person = applicant.map(|a| a.person);
    let benefits = state
        .store
        .list_benefits(ctx.org.id)
        .await?
        .into_iter()
        .filter(|b| b.data.active)
        .collect();
    Ok(FilePage {
        l: Layout::page(ctx, jar, "Nuova istanza", "/istanze")
            .crumb("/istanze", "Istanze")
            .crumb("/istanze/nuova", "Nuova istanza")
            .with_errors(FormErrors(errors)),
        person,
        benefits,
        attestations,
        channels: Channel::ALL,
        caf: is_caf(ctx),
        limited,
        form,
    })
}

/// The applicant: by id from the person's page, or by codice fiscale (a CAF operator, who
/// does not browse the registry, types it).
async fn applicant(
    state: &AppState,
    ctx: &Ctx,
    f: &FileForm,
) -> Result<Result<Option<Applicant>, FieldError>, AppError> {
    let cf = f.codice_fiscale.trim().to_uppercase();
    let key = if let Ok(id) = Uuid::parse_str(f.persona.trim()) {
        ApplicantKey::Id(id)
    } else if cf.is_empty() {
        return Ok(Ok(None));
    } else {
        ApplicantKey::CodiceFiscale(&cf)
    };
    Ok(procedure::find_applicant(state, ctx, key).await?.map(Some))
}

/// What a new application of `p` starts with: their only attestation valid today, and since
/// when the registry's events say they live in the comune (each empty when unknown).
async fn prefilled(state: &AppState, ctx: &Ctx, p: &Person) -> Result<(String, String), AppError> {
    let (attestation, since) =
        app::procedure::prefill(state, ctx.org.id, p, today(ctx.now), None).await?;
    Ok((
        attestation.map(|a| a.to_string()).unwrap_or_default(),
        since.map(format_date).unwrap_or_default(),
    ))
}

async fn new_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(f): Query<FileForm>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::ApplicationFile, RecordScope::Own)?;
    let (person, errors) = match applicant(&state, &ctx, &f).await? {
        Ok(p) => (p, Vec::new()),
        Err(e) => (None, vec![e]),
    };
    let seen = person.as_ref().filter(|a| a.full_view).map(|a| &a.person);
    let (attestation, resident_since) = match seen {
        Some(p) => prefilled(&state, &ctx, p).await?,
        None => (String::new(), String::new()),
    };
    let form = FileForm {
        channel: if is_caf(&ctx) { "caf" } else { "sportello" }.into(),
        months: "12".into(),
        email: seen.and_then(|p| p.data.email.clone()).unwrap_or_default(),
        codice_fiscale: f.codice_fiscale.trim().to_uppercase(),
        attestation: if f.attestation.is_empty() {
            attestation
        } else {
            f.attestation.clone()
        },
        resident_since: if f.resident_since.is_empty() {
            resident_since
        } else {
            f.resident_since.clone()
        },
        ..f
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = file_page(&state, &ctx, &jar, person, form, errors).await?;
    Ok(render_page(jar, &page, status))
}

async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<FileForm>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::ApplicationFile, RecordScope::Own)?;
    let person = match applicant(&state, &ctx, &f).await? {
        Ok(Some(p)) => p,
        Ok(None) => {
            let e = FieldError::new(
                "codice_fiscale",
                "indicare il codice fiscale del richiedente",
            );
            let page = file_page(&state, &ctx, &jar, None, f, vec![e]).await?;
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(e) => {
            let page = file_page(&state, &ctx, &jar, None, f, vec![e]).await?;
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let mut input = f.input();
    if is_caf(&ctx) {
        input.channel = Channel::Caf.as_str().into();
    }
    let mut errors = Vec::new();
    let data = parse_application(&input, today(ctx.now)).map_err(|e| errors.extend(e));
    let benefit = match Uuid::parse_str(f.benefit.trim()) {
        Ok(id) => match state.store.get_benefit(ctx.org.id, id).await {
            Ok(b) => Some(b),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    if benefit.is_none() {
        errors.push(FieldError::new(
            "benefit",
            "scegliere la prestazione richiesta",
        ));
    }
    let attestation =
        match procedure::chosen_attestation(&state, &ctx, &person, &f.attestation).await? {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                None
            }
        };
    if let Some(b) = &benefit {
        errors.extend(procedure::check_filing(
            b,
            &person.person,
            attestation.as_ref(),
        ));
    }
    let (Ok(data), Some(benefit), true) = (data, benefit, errors.is_empty()) else {
        let page = file_page(&state, &ctx, &jar, Some(person), f, errors).await?;
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let person = person.person;
    let submit = f.azione == "presenta";
    let filed = procedure::file(
        &state,
        &ctx,
        Filing {
            person,
            benefit,
            attestation,
            data,
            submit,
        },
    )
    .await?;
    let text = match &filed.protocol {
        Some(p) => format!("Domanda presentata con protocollo n. {p}."),
        None => "Bozza della domanda salvata: presentala quando è completa.".to_owned(),
    };
    Ok(after_change(jar, filed.id, &text, filed.mailed.as_ref()))
}

// --- The application's page -----------------------------------------------------------------

struct CheckRow {
    class: &'static str,
    label: &'static str,
    text: String,
}

struct ActionRow {
    to: &'static str,
    label: &'static str,
    reason: bool,
    danger: bool,
    /// The notice's reply term: the observations check box.
    observations: bool,
}

struct Requirement {
    name: String,
    docs: Vec<ApplicationDocument>,
}

/// A message of the thread with the citizen, as the office reads it.
struct MessageRow {
    when: String,
    who: String,
    /// "Messaggio", "Documenti per l'integrazione", "Osservazioni al preavviso".
    kind: &'static str,
    from_office: bool,
    body: String,
    /// The document sent with it: its address and name.
    document: Option<(String, String)>,
}

fn message_kind_label(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Message => "Messaggio",
        MessageKind::Integration => "Documenti per l'integrazione",
        MessageKind::Observations => "Osservazioni al preavviso di rigetto",
    }
}

/// The thread as the office's page lists it, the first on top: who wrote (the operator, or
/// the citizen marked as such), when, and the document sent with it.
fn message_rows(
    app_id: Uuid,
    messages: Vec<ApplicationMessage>,
    docs: &[ApplicationDocument],
) -> Vec<MessageRow> {
    messages
        .into_iter()
        .map(|m| MessageRow {
            when: when(m.at_us),
            who: if m.from_office {
                m.author_name
            } else {
                format!("{} (cittadino, dal portale)", m.author_name)
            },
            kind: message_kind_label(m.kind),
            from_office: m.from_office,
            body: m.body,
            document: m
                .document_id
                .and_then(|id| docs.iter().find(|d| d.id == id))
                .map(|d| {
                    (
                        format!("{}/documenti/{}", app_path(app_id), d.id),
                        d.file_name.clone(),
                    )
                }),
        })
        .collect()
}

struct EventRow {
    when: String,
    from: &'static str,
    to: &'static str,
    note: String,
    actor: String,
}

struct DeliveryRow {
    d: Delivery,
    month: String,
    amount: String,
    co_payment: String,
    quantity: String,
    editable: bool,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    l: Layout,
    v: ApplicationView,
    protocol: String,
    can_see_person: bool,
    benefit: Benefit,
    submitted: String,
    due: String,
    decided: String,
    overdue: bool,
    suspended_since: String,
    notice_reply_until: String,
    attestation: Option<Attestation>,
    attestation_text: String,
    isee_flag: &'static str,
    isee_needed: &'static str,
    outcome: Option<Outcome>,
    rule_from: String,
    checks: Vec<CheckRow>,
    amount_line: String,
    explanation: String,
    requirements: Vec<Requirement>,
    other_docs: Vec<ApplicationDocument>,
    doc_names: Vec<String>,
    actions: Vec<ActionRow>,
    history: Vec<EventRow>,
    deliveries: Vec<DeliveryRow>,
    /// The invalid SIUSS records of its deliveries, for who records them.
    siuss_notes: Vec<super::siuss_notes::SiussNote>,
    delivered_total: String,
    co_payment_total: String,
    months: Vec<(String, String)>,
    can_upload: bool,
    can_edit: bool,
    can_deliver: bool,
    attestations: Vec<AttestationOption>,
    /// The attestation is named by its protocol: the user may not list the person's.
    limited: bool,
    form: FileForm,
    decision_pdf: bool,
    notice_pdf: bool,
    integration_pdf: bool,
    /// The acts of the register issued on it: "Provvedimento n. 12/2026 del 07/12/2026".
    acts: Vec<String>,
    /// Which form the errors are about, to open it.
    open: &'static str,
    /// The thread with the citizen.
    messages: Vec<MessageRow>,
    /// May write to the citizen.
    can_write: bool,
    /// The citizen's observations on the notice arrived from the portal.
    observations_arrived: bool,
}

fn check_row(c: &domain::benefit::Check) -> CheckRow {
    let (class, label) = match c.status {
        CheckStatus::Met => ("success", "soddisfatto"),
        CheckStatus::NotMet => ("danger", "non soddisfatto"),
        CheckStatus::Warning => ("warning", "da verificare"),
    };
    CheckRow {
        class,
        label,
        text: c.text.clone(),
    }
}

fn amount_line(o: &Outcome, benefit: &Benefit, months: u8) -> String {
    let Some(a) = &o.amount else {
        return String::new();
    };
    let who = match a.kind {
        AmountKind::Contributo => "contributo del Comune",
        AmountKind::Compartecipazione => "compartecipazione a carico del richiedente",
    };
    match benefit.data.periodicity {
        Periodicity::Periodic => format!(
            "{} al mese ({who}) per {months} mesi: {} in tutto",
            a.value.format(),
            Money(a.value.cents().saturating_mul(i64::from(months))).format()
        ),
        Periodicity::OneOff => format!("{} una tantum ({who})", a.value.format()),
    }
}

fn facts_form(v: &ApplicationView) -> FileForm {
    let d = &v.app.declared;
    FileForm {
        attestation: v
            .app
            .attestation_id
            .map(|a| a.to_string())
            .unwrap_or_default(),
        channel: v.app.channel.as_str().into(),
        resident_since: opt_date(d.resident_since),
        disability: if d.disability {
            "on".into()
        } else {
            String::new()
        },
        cost: d.cost.map(Money::format_plain).unwrap_or_default(),
        units: d.units.map(|u| u.to_string()).unwrap_or_default(),
        months: d.months.to_string(),
        email: v.app.email.clone().unwrap_or_default(),
        notes: v.app.notes.clone(),
        version: v.app.version.to_string(),
        ..FileForm::default()
    }
}

/// The documents of an application under each document the benefit requires, and the others.
fn by_requirement(
    names: &[String],
    docs: Vec<ApplicationDocument>,
) -> (Vec<Requirement>, Vec<ApplicationDocument>) {
    let requirements = names
        .iter()
        .map(|name| Requirement {
            name: name.clone(),
            docs: docs
                .iter()
                .filter(|d| &d.requirement == name)
                .cloned()
                .collect(),
        })
        .collect();
    let others = docs
        .into_iter()
        .filter(|d| !names.contains(&d.requirement))
        .collect();
    (requirements, others)
}

/// The changes of state the user may make from `from`.
fn action_rows(ctx: &Ctx, a: &AppAccess, from: ApplicationState) -> Vec<ActionRow> {
    next_states(from)
        .iter()
        .filter(|to| a.can(ctx, transition_action(from, **to)))
        .map(|to| ActionRow {
            to: to.as_str(),
            label: transition_label(from, *to),
            reason: needs_reason(*to),
            danger: matches!(
                to,
                ApplicationState::Rejected
                    | ApplicationState::Archived
                    | ApplicationState::NoticeOfRejection
            ),
            observations: *to == ApplicationState::Rejected,
        })
        .collect()
}

fn event_row(e: ApplicationEvent, names: &super::names::Names) -> EventRow {
    EventRow {
        when: when(e.at_us),
        from: e.from.map_or("", ApplicationState::label),
        to: e.to.label(),
        note: e.note,
        actor: names.of(&e.actor),
    }
}

/// The months of delivery as the page lists them, with what was paid and owed so far.
struct DeliveryTable {
    rows: Vec<DeliveryRow>,
    delivered_total: String,
    co_payment_total: String,
    /// Each month's date and name, for the delivery form.
    months: Vec<(String, String)>,
}

fn delivery_table(list: Vec<Delivery>, can_deliver: bool) -> DeliveryTable {
    let delivered = || {
        list.iter()
            .filter(|d| d.status == DeliveryStatus::Delivered)
    };
    let delivered_total: Money = delivered().map(|d| d.amount).sum();
    let co_payment_total: Money = delivered().map(|d| d.co_payment).sum();
    let months = list
        .iter()
        .map(|d| (format_date(d.month), month_label(d.month)))
        .collect();
    let rows = list
        .into_iter()
        .map(|d| DeliveryRow {
            month: month_label(d.month),
            amount: d.amount.format(),
            co_payment: d.co_payment.format(),
            quantity: d.quantity.map(|q| q.to_string()).unwrap_or_default(),
            editable: can_deliver
                && matches!(
                    d.status,
                    DeliveryStatus::Planned | DeliveryStatus::Delivered
                ),
            d,
        })
        .collect();
    DeliveryTable {
        rows,
        delivered_total: delivered_total.format(),
        co_payment_total: co_payment_total.format(),
        months,
    }
}

async fn application_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    a: AppAccess,
    form: Option<FileForm>,
    errors: Vec<FieldError>,
    open: &'static str,
) -> Result<ApplicationPage, AppError> {
    let org = ctx.org.id;
    let on = today(ctx.now);
    let v = a.view.clone();
    let benefit = state.store.get_benefit(org, v.app.benefit_id).await?;
    let attestation = match v.app.attestation_id {
        Some(id) => Some(state.store.get_attestation(org, id).await?),
        None => None,
    };
    let attestation_text = attestation
        .as_ref()
        .map(|x| attestation_label(x, on))
        .unwrap_or_default();
    let docs = state.store.application_documents(org, v.app.id).await?;
    let messages = state.store.application_messages(org, v.app.id).await?;
    let events = state.store.application_events(org, v.app.id).await?;
    let observations_arrived = v.app.state == ApplicationState::NoticeOfRejection
        && follow::observations_arrived(&events, &messages);
    let messages = message_rows(v.app.id, messages, &docs);
    let (requirements, other_docs) = by_requirement(&benefit.data.documents, docs);
    let had_notice = events
        .iter()
        .any(|e| e.to == ApplicationState::NoticeOfRejection);
    let had_integration = events
        .iter()
        .any(|e| e.to == ApplicationState::IntegrationRequested);
    let acts = state
        .store
        .application_acts(org, v.app.id)
        .await?
        .iter()
        .map(|t| {
            format!(
                "{} n. {} del {}",
                t.kind.title(),
                t.number_words(),
                format_date(t.issued_on)
            )
        })
        .collect();
    let names = super::names::Names::of_org(state, ctx.org.id).await?;
    let history = events.into_iter().map(|e| event_row(e, &names)).collect();
    let delivering = v.app.state == ApplicationState::Delivering;
    let can_deliver = delivering && a.can(ctx, Action::ApplicationReview);
    let deliveries = delivery_table(
        state.store.application_deliveries(org, v.app.id).await?,
        can_deliver,
    );
    let siuss_notes = if a.can(ctx, Action::ApplicationReview) {
        super::siuss_notes::notes(
            state,
            org,
            app::siuss_exchange::Subject::Application(v.app.id),
        )
        .await
    } else {
        Vec::new()
    };
    let (checks, amount, explanation) = match &v.app.outcome {
        Some(o) => (
            o.checks.iter().map(check_row).collect(),
            amount_line(o, &benefit, v.app.declared.months),
            o.amount
                .as_ref()
                .map(|x| x.explanation.clone())
                .unwrap_or_default(),
        ),
        None => (Vec::new(), String::new(), String::new()),
    };
    let can_edit =
        procedure::editable(v.app.state) && a.can(ctx, procedure::edit_action(v.app.state));
    let limited = can_edit && !procedure::sees_person(state, ctx, v.app.person_id).await?;
    let attestations = if can_edit && !limited {
        attestation_options(state, ctx, v.app.person_id).await?
    } else {
        Vec::new()
    };
    let protocol = protocol_or_draft(&v);
    let l = Layout::page(ctx, jar, &format!("Domanda {protocol}"), "/istanze")
        .crumb("/istanze", "Istanze")
        .crumb(&app_path(v.app.id), &format!("Domanda {protocol}"))
        .with_errors(FormErrors(errors));
    let form = form.unwrap_or_else(|| {
        let mut f = facts_form(&v);
        if limited {
            // Named as the user named it: by the protocol they brought.
            f.attestation = attestation
                .as_ref()
                .map(|x| x.data.protocol.as_str().to_owned())
                .unwrap_or_default();
        }
        f
    });
    use ApplicationState::*;
    Ok(ApplicationPage {
        l,
        protocol,
        can_see_person: ctx.can(Action::PersonView, ctx.scope_of(v.app.org_id)),
        submitted: opt_date(v.app.submitted_on),
        due: opt_date(v.app.due_on),
        decided: opt_date(v.app.decided_on),
        overdue: v.app.state.is_pending() && v.app.due_on.is_some_and(|d| d < on),
        suspended_since: opt_date(v.app.suspended_since),
        notice_reply_until: opt_date(
            v.app
                .notice_on
                .map(|d| d.saturating_add(Duration::days(NOTICE_REPLY_DAYS))),
        ),
        isee_flag: isee_flag(&v, on),
        isee_needed: benefit.data.isee_variant.map_or("", |x| x.label()),
        rule_from: v
            .app
            .outcome
            .as_ref()
            .map(|o| format_date(o.rule_valid_from))
            .unwrap_or_default(),
        attestation,
        attestation_text,
        outcome: v.app.outcome.clone(),
        checks,
        amount_line: amount,
        explanation,
        requirements,
        other_docs,
        doc_names: benefit.data.documents.clone(),
        actions: action_rows(ctx, &a, v.app.state),
        history,
        deliveries: deliveries.rows,
        siuss_notes,
        delivered_total: deliveries.delivered_total,
        co_payment_total: deliveries.co_payment_total,
        months: deliveries.months,
        can_upload: v.app.state.is_open() && a.can(ctx, Action::ApplicationFile),
        can_edit,
        can_deliver,
        attestations,
        limited,
        form,
        decision_pdf: matches!(
            v.app.state,
            Accepted | Rejected | Archived | Delivering | Concluded
        ) && v.app.decided_on.is_some(),
        notice_pdf: had_notice,
        integration_pdf: had_integration,
        acts,
        open,
        messages,
        can_write: v.app.state != Draft && a.can(ctx, Action::ApplicationReview),
        observations_arrived,
        benefit,
        v,
    })
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    state
        .reads
        .view(&ctx, app::read_log::Read::Application, a.view.app.id)
        .await;
    let page = application_page(&state, &ctx, &jar, a, None, Vec::new(), "").await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn change_state(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(input): Form<TransitionInput>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    let app_id = a.view.app.id;
    match procedure::change_state(&state, &ctx, &a, &input).await? {
        Ok(changed) => {
            let text = match (&changed.protocol, changed.to) {
                (Some(p), _) => format!("Domanda presentata con protocollo n. {p}."),
                (None, to) => to.reached().to_owned(),
            };
            Ok(after_change(jar, app_id, &text, changed.mailed.as_ref()))
        }
        Err(errors) => {
            let page = application_page(&state, &ctx, &jar, a, None, errors, "stato").await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn update_facts(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<FileForm>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    ctx.authorize(procedure::edit_action(a.view.app.state), a.scope)?;
    let person = Applicant {
        full_view: procedure::sees_person(&state, &ctx, a.view.app.person_id).await?,
        person: state
            .store
            .get_person(ctx.org.id, a.view.app.person_id)
            .await?,
    };
    let mut input = f.input();
    input.channel = a.view.app.channel.as_str().into();
    let mut errors = Vec::new();
    let data = parse_application(&input, today(ctx.now)).map_err(|e| errors.extend(e));
    let attestation =
        match procedure::chosen_attestation(&state, &ctx, &person, &f.attestation).await? {
            Ok(x) => x,
            Err(e) => {
                errors.push(e);
                None
            }
        };
    let (Ok(data), true) = (data, errors.is_empty()) else {
        let page = application_page(&state, &ctx, &jar, a, Some(f), errors, "dati").await?;
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    procedure::update_facts(&state, &ctx, &a, attestation, data, &f.version).await?;
    Ok(after_change(
        jar,
        a.view.app.id,
        "Dati aggiornati e regole applicate di nuovo.",
        None,
    ))
}

// --- Documents -------------------------------------------------------------------------------

async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    ctx.authorize(Action::ApplicationFile, a.scope)?;
    let back = format!("{}#documenti", app_path(a.view.app.id));
    let up = match super::upload::read_upload(&state.store, multipart).await? {
        Ok(up) => up,
        Err(e) => return Ok(super::forms::refuse(jar, &back, &[e])),
    };
    let (file_name, bytes) = up.file.clone().unwrap_or_default();
    let doc = follow::NewDocument {
        requirement: up.field("requirement").to_owned(),
        file_name,
        bytes,
    };
    if let Err(errors) = follow::attach_document(&state, &ctx, &a, doc, "").await? {
        return Ok(super::forms::refuse(jar, &back, &errors));
    }
    let jar = flash(jar, "success", "Documento allegato alla domanda.");
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Deserialize, Default)]
struct MessageForm {
    #[serde(default)]
    message: String,
}

/// The office writes to the citizen on the application: the thread on the portal, and an
/// e-mail saying there is news.
async fn write_message(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MessageForm>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    ctx.authorize(Action::ApplicationReview, a.scope)?;
    match follow::write_message(&state, &ctx, &a, &f.message).await? {
        Ok(mailed) => Ok(after_change(
            jar,
            a.view.app.id,
            "Messaggio inviato al cittadino.",
            mailed.as_ref(),
        )),
        Err(errors) => {
            let page = application_page(&state, &ctx, &jar, a, None, errors, "messaggi").await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    let (d, content) = state
        .store
        .application_document_content(ctx.org.id, parse_id(&doc)?)
        .await?;
    if d.application_id != a.view.app.id {
        return Err(app::Error::NotFound.into());
    }
    state
        .reads
        .view(&ctx, app::read_log::Read::ApplicationDocument, d.id)
        .await;
    Ok(super::upload::send_file(
        &d.file_name,
        d.content_type,
        content,
    ))
}

// --- Decision and notice ---------------------------------------------------------------------

async fn letter_pdf(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    kind: LetterKind,
) -> Result<Response, AppError> {
    let a = procedure::application_access(state, ctx, parse_id(id)?).await?;
    ctx.authorize(Action::ApplicationView, a.scope)?;
    let letter = app::letters::letter(state, ctx, &a, kind).await?;
    Ok(super::render::pdf(&letter.file_name, letter.pdf))
}

async fn decision_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    letter_pdf(&state, &ctx, &id, LetterKind::Decision).await
}

async fn notice_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    letter_pdf(&state, &ctx, &id, LetterKind::Notice).await
}

async fn integration_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    letter_pdf(&state, &ctx, &id, LetterKind::Integration).await
}

// --- Delivery ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct DeliveryForm {
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    co_payment: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: String,
}

/// Proof that the user may record the deliveries of an application.
struct DeliveryAccess(());

/// `ApplicationReview`, on an application being delivered.
fn delivery_access(ctx: &Ctx, a: &AppAccess) -> Result<DeliveryAccess, AppError> {
    ctx.authorize(Action::ApplicationReview, a.scope)?;
    if a.view.app.state != ApplicationState::Delivering {
        return Err(app::Error::BadRequest(format!(
            "una domanda {} non è in erogazione",
            a.view.app.state.label()
        ))
        .into());
    }
    Ok(DeliveryAccess(()))
}

async fn deliver(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, month)): Path<(String, String)>,
    Form(f): Form<DeliveryForm>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    delivery_access(&ctx, &a)?;
    let back = format!("{}#erogazione", app_path(a.view.app.id));
    let month_id = parse_id(&month)?;
    let list = state
        .store
        .application_deliveries(ctx.org.id, a.view.app.id)
        .await?;
    let current = list
        .into_iter()
        .find(|d| d.id == month_id)
        .ok_or(app::Error::NotFound)?;
    // A month delivered is corrected the same way (rettifica): its SIUSS record follows.
    let correction = current.status == DeliveryStatus::Delivered;
    if !correction && current.status != DeliveryStatus::Planned {
        return Ok(super::forms::refuse(
            jar,
            &back,
            &[FieldError::new(
                "quantity",
                format!(
                    "il mese di {} è {}: non si registra",
                    month_label(current.month),
                    current.status.label()
                ),
            )],
        ));
    }
    if f.version.trim() != current.version.to_string() {
        return Err(app::Error::Conflict.into());
    }
    let input = DeliveryInput {
        quantity: f.quantity,
        amount: f.amount,
        co_payment: f.co_payment,
        note: f.note,
    };
    let data = match parse_delivery(&input) {
        Ok(d) => d,
        Err(errors) => return Ok(super::forms::refuse(jar, &back, &errors)),
    };
    let d = Delivery {
        status: DeliveryStatus::Delivered,
        quantity: data.quantity.map(i64::from),
        amount: data.amount,
        co_payment: data.co_payment,
        note: data.note,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
        version: current.version + 1,
        ..current
    };
    let audit = ctx.audit(
        if correction {
            "application.delivery.correction"
        } else {
            "application.delivery"
        },
        "application",
        Some(a.view.app.id),
        format!(
            "{} di {} per la domanda {}: {} erogati, {} di compartecipazione",
            if correction {
                "Rettifica dell'erogazione"
            } else {
                "Erogazione"
            },
            month_label(d.month),
            protocol_or_draft(&a.view),
            d.amount.format(),
            d.co_payment.format()
        ),
    );
    state.store.update_delivery(&d, &audit).await?;
    let done = format!(
        "Erogazione di {} {}.",
        month_label(d.month),
        if correction {
            "rettificata"
        } else {
            "registrata"
        }
    );
    let subject = app::siuss_exchange::Subject::Application(a.view.app.id);
    let jar =
        super::siuss_notes::flash_after_save(&state, &ctx.org, jar, &done, d.month, subject).await;
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Deserialize, Default)]
struct AnnulForm {
    #[serde(default)]
    version: String,
}

/// «Annulla»: a month recorded by mistake goes back to planned; its SIUSS record, if INPS
/// has it, is cancelled.
async fn annul_delivery(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, month)): Path<(String, String)>,
    Form(f): Form<AnnulForm>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    delivery_access(&ctx, &a)?;
    let back = format!("{}#erogazione", app_path(a.view.app.id));
    let month_id = parse_id(&month)?;
    let current = state
        .store
        .application_deliveries(ctx.org.id, a.view.app.id)
        .await?
        .into_iter()
        .find(|d| d.id == month_id)
        .ok_or(app::Error::NotFound)?;
    if current.status != DeliveryStatus::Delivered {
        return Err(app::Error::BadRequest(format!(
            "il mese di {} non è erogato: non c'è nulla da annullare",
            month_label(current.month)
        ))
        .into());
    }
    if f.version.trim() != current.version.to_string() {
        return Err(app::Error::Conflict.into());
    }
    let audit = ctx.audit(
        "application.delivery.annul",
        "application",
        Some(a.view.app.id),
        format!(
            "Annullata l'erogazione di {} per la domanda {} ({} erogati)",
            month_label(current.month),
            protocol_or_draft(&a.view),
            current.amount.format()
        ),
    );
    let d = Delivery {
        status: DeliveryStatus::Planned,
        quantity: None,
        amount: Money::ZERO,
        co_payment: Money::ZERO,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
        version: current.version + 1,
        ..current
    };
    state.store.update_delivery(&d, &audit).await?;
    let done = format!("Erogazione di {} annullata.", month_label(d.month));
    let subject = app::siuss_exchange::Subject::Application(a.view.app.id);
    let jar =
        super::siuss_notes::flash_after_save(&state, &ctx.org, jar, &done, d.month, subject).await;
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Deserialize, Default)]
struct SuspendForm {
    #[serde(default)]
    from: String,
    /// "sospendi" or "riprendi".
    #[serde(default)]
    azione: String,
}

async fn suspend(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<SuspendForm>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    delivery_access(&ctx, &a)?;
    let back = format!("{}#erogazione", app_path(a.view.app.id));
    let Some(from) = parse_date(f.from.trim()).and_then(|d| d.replace_day(1).ok()) else {
        return Ok(super::forms::refuse(
            jar,
            &back,
            &[FieldError::new(
                "from",
                "scegliere il mese da cui sospendere o riprendere",
            )],
        ));
    };
    let suspend = f.azione != "riprendi";
    let audit = ctx.audit(
        if suspend {
            "application.suspend"
        } else {
            "application.resume"
        },
        "application",
        Some(a.view.app.id),
        format!(
            "{} dell'erogazione della domanda {} da {}",
            if suspend { "Sospensione" } else { "Ripresa" },
            protocol_or_draft(&a.view),
            month_label(from)
        ),
    );
    let n = state
        .store
        .suspend_deliveries(ctx.org.id, a.view.app.id, from, suspend, &audit)
        .await?;
    let text = match (n, suspend) {
        (0, true) => "Nessun mese previsto da sospendere da quel mese.".to_owned(),
        (0, false) => "Nessun mese sospeso da riprendere da quel mese.".to_owned(),
        (n, true) => format!("Erogazione sospesa: {n} mesi da {}.", month_label(from)),
        (n, false) => format!("Erogazione ripresa: {n} mesi da {}.", month_label(from)),
    };
    let jar = flash(jar, if n == 0 { "warning" } else { "success" }, &text);
    Ok((jar, Redirect::to(&back)).into_response())
}

/// The applications box of a person's page.
pub(super) struct PersonApplications {
    pub rows: Vec<(Uuid, String, String, &'static str, &'static str)>,
    pub can_file: bool,
    pub can_attest: bool,
}

pub(super) async fn person_applications(
    state: &AppState,
    ctx: &Ctx,
    p: &Person,
) -> Result<PersonApplications, AppError> {
    if !ctx.can(Action::ApplicationView, RecordScope::SameOrg) {
        return Ok(PersonApplications {
            rows: Vec::new(),
            can_file: false,
            can_attest: false,
        });
    }
    let on = today(ctx.now);
    let list = state
        .store
        .list_applications(ctx.org.id, &ApplicationFilter::of_person(p.id, 100))
        .await?;
    Ok(PersonApplications {
        rows: list
            .iter()
            .map(|v| {
                (
                    v.app.id,
                    protocol_or_draft(v),
                    v.benefit_name.clone(),
                    v.app.state.label(),
                    isee_flag(v, on),
                )
            })
            .collect(),
        can_file: p.data.death_date.is_none()
            && ctx.can(Action::ApplicationFile, RecordScope::SameOrg),
        can_attest: ctx.can(Action::ApplicationFile, ctx.scope_of(p.org_id))
            && ctx.can(Action::PersonView, RecordScope::SameOrg),
    })
}
