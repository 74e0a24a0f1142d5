//! One application on the portal, and what the citizen does with it: where it stands and
//! what comes next, the messages with the office both ways, the documents the office waits
//! for, the observations on a notice before rejection, the letters and documents to
//! download, the months of delivery with their co-payments. Every action goes through the
//! services the office uses (`app::follow`, `app::letters`) with the citizen as actor and the
//! scope computed from the records (`app::portal::acting_on`).

use super::i18n::{Problem, T};
use super::pages::{PortalLayout, state_words, whose};
use super::session::CitizenCtx;
use crate::AppState;
use crate::error::AppError;
use crate::pages::dates::instant;
use crate::pages::render::{pdf, render_page};
use crate::pages::upload::{MAX_UPLOAD_BODY, read_upload, send_file};
use app::follow::{self, NewDocument};
use app::letters::LetterKind;
use app::portal::CitizenApp;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::application::{ApplicationState, DeliveryStatus, NOTICE_REPLY_DAYS, month_label};
use domain::localtime::format_date_time;
use serde::Deserialize;
use store::{ApplicationDocument, BenefitStore, MessageKind};
use time::Duration;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portale/domande/{id}", get(application))
        .route("/portale/domande/{id}/messaggi", post(write_message))
        .route(
            "/portale/domande/{id}/documenti",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)),
        )
        .route(
            "/portale/domande/{id}/osservazioni",
            post(observations).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)),
        )
        .route("/portale/domande/{id}/documenti/{doc}", get(download))
        .route("/portale/domande/{id}/lettere/{letter}", get(letter))
}

fn page_path(id: Uuid) -> String {
    format!("/portale/domande/{id}")
}

fn parse_uuid(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| app::Error::NotFound.into())
}

struct Step {
    when: String,
    what: String,
}

struct MessageRow {
    when: String,
    who: String,
    kind: String,
    from_office: bool,
    body: String,
    document: Option<(String, String)>,
}

struct DocRow {
    href: String,
    name: String,
    requirement: String,
    when: String,
    by_you: bool,
}

struct LetterRow {
    href: String,
    label: String,
}

struct DeliveryRow {
    month: String,
    status: String,
    amount: String,
    co_payment: String,
}

/// A required document and whether the application has it yet.
struct Needed {
    name: String,
    present: bool,
}

#[derive(Template)]
#[template(path = "portale/domanda.html")]
struct ApplicationPage {
    l: PortalLayout,
    id: Uuid,
    heading: String,
    protocol: String,
    filed: String,
    channel: &'static str,
    person: String,
    state: String,
    next: String,
    due: Option<String>,
    decided: Option<String>,
    amount: Option<String>,
    steps: Vec<Step>,
    notice: Option<String>,
    errors: Vec<Problem>,
    messages: Vec<MessageRow>,
    documents: Vec<DocRow>,
    letters: Vec<LetterRow>,
    deliveries: Vec<DeliveryRow>,
    /// What was delivered and what the citizen owes, so far.
    delivered_totals: String,
    /// The office waits for documents: the upload form, with what the benefit asks for.
    integration: bool,
    needed: Vec<Needed>,
    /// A notice before rejection waits for observations: the sentence with the last day.
    observations_until: Option<String>,
    /// The typed text, kept when refused.
    message: String,
    note: String,
    observations: String,
}

impl ApplicationPage {
    /// The error of the field `name`, shown beside it.
    fn error(&self, name: &str) -> Option<&Problem> {
        Problem::of(&self.errors, name)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    inviato: String,
    /// Why the file sent from the page was refused before it was read.
    file: String,
}

/// What the citizen typed, shown again with the errors.
#[derive(Default)]
struct Typed {
    message: String,
    note: String,
    observations: String,
}

fn message_kind(t: &T, k: MessageKind) -> String {
    t.t(match k {
        MessageKind::Message => "message-kind-message",
        MessageKind::Integration => "message-kind-integration",
        MessageKind::Observations => "message-kind-observations",
    })
}

fn letter_label(t: &T, k: LetterKind) -> String {
    t.t(match k {
        LetterKind::Decision => "letter-decision",
        LetterKind::Notice => "letter-notice",
        LetterKind::Integration => "letter-integration",
    })
}

fn letter_of(file: &str) -> Option<LetterKind> {
    LetterKind::ALL.into_iter().find(|k| k.file() == file)
}

fn doc_row(t: &T, id: Uuid, d: &ApplicationDocument) -> DocRow {
    DocRow {
        href: format!("{}/documenti/{}", page_path(id), d.id),
        name: d.file_name.clone(),
        requirement: if d.requirement.is_empty() {
            t.t("document-other")
        } else {
            d.requirement.clone()
        },
        when: format_date_time(instant(d.at_us)),
        by_you: d.by_citizen,
    }
}

async fn page(
    state: &AppState,
    ctx: &CitizenCtx,
    mine: &CitizenApp,
    notice: Option<String>,
    errors: Vec<FieldError>,
    typed: Typed,
) -> Result<ApplicationPage, AppError> {
    let t = ctx.t;
    let c = &ctx.citizen;
    let v = &mine.access.view;
    let a = &v.app;
    let org = mine.org.id;
    let events = state.store.application_events(org, a.id).await?;
    let docs = state.store.application_documents(org, a.id).await?;
    let messages = state.store.application_messages(org, a.id).await?;
    let deliveries = state.store.application_deliveries(org, a.id).await?;
    let open = !matches!(
        a.state,
        ApplicationState::Accepted
            | ApplicationState::Rejected
            | ApplicationState::Archived
            | ApplicationState::Delivering
            | ApplicationState::Concluded
    );
    let integration = a.state == ApplicationState::IntegrationRequested;
    let needed = if integration {
        state
            .store
            .get_benefit(org, a.benefit_id)
            .await?
            .data
            .documents
            .into_iter()
            .map(|name| Needed {
                present: docs.iter().any(|d| d.requirement == name),
                name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let delivered = || {
        deliveries
            .iter()
            .filter(|d| d.status == DeliveryStatus::Delivered)
    };
    let delivered_total: domain::money::Money = delivered().map(|d| d.amount).sum();
    let co_payment_total: domain::money::Money = delivered().map(|d| d.co_payment).sum();
    let heading = t.args("application-title", &[("benefit", &v.benefit_name)]);
    let observing = a.state == ApplicationState::NoticeOfRejection;
    let errors = t.problems(&errors, |field| {
        Some(t.t(match field {
            "message" => "message-write",
            "note" => "integration-note",
            "observations" => "observations-text",
            "requirement" => "integration-requirement",
            "file" if observing => "observations-file",
            "file" => "integration-file",
            _ => return None,
        }))
    });
    Ok(ApplicationPage {
        id: a.id,
        protocol: a
            .protocol
            .clone()
            .unwrap_or_else(|| t.t("application-no-protocol")),
        filed: a.submitted_on.map(|d| t.date(d)).unwrap_or_default(),
        channel: a.channel.label(),
        person: whose(&t, c, org, a.person_id),
        state: state_words(&t, a.state),
        next: t.t(&format!("next-{}", a.state.as_str())),
        due: a
            .due_on
            .filter(|_| open)
            .map(|d| t.args("application-due", &[("date", &t.date(d))])),
        decided: a
            .decided_on
            .map(|d| t.args("application-decided", &[("date", &t.date(d))])),
        // The rules' figure is the office's estimate until the decision grants it.
        amount: a
            .amount
            .filter(|_| {
                matches!(
                    a.state,
                    ApplicationState::Accepted
                        | ApplicationState::Delivering
                        | ApplicationState::Concluded
                )
            })
            .map(|m| t.money(m)),
        steps: events
            .iter()
            .map(|e| Step {
                when: t.date_time(instant(e.at_us)),
                what: state_words(&t, e.to),
            })
            .collect(),
        notice,
        errors,
        messages: messages
            .iter()
            .map(|m| MessageRow {
                when: t.date_time(instant(m.at_us)),
                // The office as the access log names it: the operator and the office.
                who: if m.from_office {
                    t.args(
                        "message-from-office",
                        &[("name", &m.author_name), ("office", &mine.org.name)],
                    )
                } else {
                    m.author_name.clone()
                },
                kind: message_kind(&t, m.kind),
                from_office: m.from_office,
                body: m.body.clone(),
                document: m
                    .document_id
                    .and_then(|id| docs.iter().find(|d| d.id == id))
                    .map(|d| {
                        (
                            format!("{}/documenti/{}", page_path(a.id), d.id),
                            d.file_name.clone(),
                        )
                    }),
            })
            .collect(),
        documents: docs.iter().map(|d| doc_row(&t, a.id, d)).collect(),
        letters: app::letters::available(v, &events)
            .into_iter()
            .map(|k| LetterRow {
                href: format!("{}/lettere/{}", page_path(a.id), k.file()),
                label: letter_label(&t, k),
            })
            .collect(),
        deliveries: deliveries
            .iter()
            .map(|d| DeliveryRow {
                month: month_label(d.month),
                status: t.t(&format!("delivery-{}", d.status.as_str())),
                amount: t.money(d.amount),
                co_payment: t.money(d.co_payment),
            })
            .collect(),
        delivered_totals: t.args(
            "deliveries-totals",
            &[
                ("delivered", &t.money(delivered_total)),
                ("copayment", &t.money(co_payment_total)),
            ],
        ),
        integration,
        needed,
        observations_until: observing.then(|| {
            let until = a
                .notice_on
                .map(|d| t.date(d.saturating_add(Duration::days(NOTICE_REPLY_DAYS))))
                .unwrap_or_default();
            t.args("observations-lead", &[("date", &until)])
        }),
        message: typed.message,
        note: typed.note,
        observations: typed.observations,
        // The language switch comes back to this page; the menu marks «My applications».
        l: PortalLayout::new(t, heading.clone(), Some(c), &page_path(a.id)),
        heading,
    })
}

async fn application(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let mine = app::portal::application(&state, &ctx.citizen, parse_uuid(&id)?).await?;
    let notice = match q.inviato.as_str() {
        "messaggio" => Some(ctx.t.t("sent-message")),
        "documento" => Some(ctx.t.t("sent-document")),
        "osservazioni" => Some(ctx.t.t("sent-observations")),
        "domanda" => mine
            .access
            .view
            .app
            .protocol
            .as_ref()
            .map(|p| ctx.t.args("apply-sent", &[("protocol", p)])),
        _ => None,
    };
    let errors = super::upload_refusals(&q.file);
    let p = page(&state, &ctx, &mine, notice, errors, Typed::default()).await?;
    Ok(render_page(jar, &p, StatusCode::OK))
}

/// After a change: back to the page, which says what was sent; or the page again with the
/// errors and what was typed.
async fn answer(
    state: &AppState,
    jar: CookieJar,
    ctx: &CitizenCtx,
    mine: &CitizenApp,
    outcome: Result<&str, Vec<FieldError>>,
    typed: Typed,
) -> Result<Response, AppError> {
    match outcome {
        Ok(what) => Ok(Redirect::to(&format!(
            "{}?inviato={what}#messaggi",
            page_path(mine.access.view.app.id)
        ))
        .into_response()),
        Err(errors) => {
            let p = page(state, ctx, mine, None, errors, typed).await?;
            Ok(render_page(jar, &p, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MessageForm {
    message: String,
}

async fn write_message(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
    crate::pages::forms::Form(f): crate::pages::forms::Form<MessageForm>,
) -> Result<Response, AppError> {
    let mine = app::portal::acting_on(&state, &ctx.citizen, parse_uuid(&id)?).await?;
    let outcome = follow::write_message(&state, &mine.actor, &mine.access, &f.message)
        .await?
        .map(|_| "messaggio");
    let typed = Typed {
        message: f.message,
        ..Typed::default()
    };
    answer(&state, jar, &ctx, &mine, outcome, typed).await
}

/// The page's two forms that carry a file.
#[derive(Clone, Copy)]
enum Sending {
    /// A document the office asked for, with a note.
    Document,
    /// The observations on a notice, with a document if the citizen likes.
    Observations,
}

async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    send_with_file(state, jar, ctx, &id, multipart, Sending::Document).await
}

async fn observations(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    send_with_file(state, jar, ctx, &id, multipart, Sending::Observations).await
}

async fn send_with_file(
    state: AppState,
    jar: CookieJar,
    ctx: CitizenCtx,
    id: &str,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    sending: Sending,
) -> Result<Response, AppError> {
    let mine = app::portal::acting_on(&state, &ctx.citizen, parse_uuid(id)?).await?;
    let up = match read_upload(&state.store, multipart).await? {
        Ok(up) => up,
        Err(e) => return answer(&state, jar, &ctx, &mine, Err(vec![e]), Typed::default()).await,
    };
    let (file_name, bytes) = up.file.clone().unwrap_or_default();
    let (outcome, typed) = match sending {
        Sending::Document => {
            let note = up.field("note").to_owned();
            let doc = NewDocument {
                requirement: up.field("requirement").to_owned(),
                file_name,
                bytes,
            };
            let outcome = follow::attach_document(&state, &mine.actor, &mine.access, doc, &note)
                .await?
                .map(|()| "documento");
            (
                outcome,
                Typed {
                    note,
                    ..Typed::default()
                },
            )
        }
        Sending::Observations => {
            let body = up.field("observations").to_owned();
            // The document is optional: a form sent without a file carries an empty one.
            let doc = (!file_name.is_empty() || !bytes.is_empty()).then(|| NewDocument {
                requirement: String::new(),
                file_name,
                bytes,
            });
            let outcome = follow::send_observations(&state, &mine.actor, &mine.access, &body, doc)
                .await?
                .map(|()| "osservazioni");
            (
                outcome,
                Typed {
                    observations: body,
                    ..Typed::default()
                },
            )
        }
    };
    answer(&state, jar, &ctx, &mine, outcome, typed).await
}

async fn download(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (d, content) =
        app::portal::document(&state, &ctx.citizen, parse_uuid(&id)?, parse_uuid(&doc)?).await?;
    Ok(send_file(&d.file_name, d.content_type, content))
}

async fn letter(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = letter_of(&file).ok_or(app::Error::NotFound)?;
    let mine = app::portal::acting_on(&state, &ctx.citizen, parse_uuid(&id)?).await?;
    let letter = app::letters::letter(&state, &mine.actor, &mine.access, kind).await?;
    Ok(pdf(&letter.file_name, letter.pdf))
}
