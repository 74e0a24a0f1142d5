//! The civil-registry import pages: the upload form with the past imports, each import's
//! report, and the registry events of persons with an open matter, to be checked.

use super::dates::when;
use super::forms::parse_id;
use super::names::Names;
use super::render::{render, render_page};
use super::upload::{MAX_REGISTRY_BYTES, REGISTRY_UPLOAD_PATH};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::life_events::{LifeEvent, apply, proposal};
use app::registry::{import_file, parse_comune};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::dates::format_date;
use domain::person::RegistryEventKind;
use domain::policy::{Action, RecordScope};
use serde::Deserialize;
use store::{OrgComune, OrgStore, RegistryEvent, RegistryImport, RegistryRejection, RegistryStore};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            REGISTRY_UPLOAD_PATH,
            get(import_page)
                .post(upload)
                .layer(DefaultBodyLimit::max(MAX_REGISTRY_BYTES)),
        )
        .route("/anagrafe/import/{id}", get(report_page))
        .route("/anagrafe/eventi", get(events_page))
        .route("/anagrafe/eventi/{id}/verificato", post(review))
        .route(
            "/persone/{id}/esiti",
            get(outcomes_page).post(outcomes_apply),
        )
}

/// An import as a table row or report header.
struct ImportView {
    i: RegistryImport,
    comune: String,
    when: String,
    reference: String,
    events: Vec<(&'static str, i64)>,
}

fn view(i: RegistryImport, comuni: &[OrgComune]) -> ImportView {
    let comune = comuni
        .iter()
        .find(|c| c.belfiore_code == i.comune)
        .map_or_else(
            || i.comune.clone(),
            |c| format!("{} ({})", c.name, c.province),
        );
    ImportView {
        comune,
        when: when(i.at_us),
        reference: format_date(i.reference_date),
        events: i.events.iter().map(|(k, n)| (k.label(), *n)).collect(),
        i,
    }
}

#[derive(Default)]
struct UploadForm {
    comune: String,
    data_riferimento: String,
}

#[derive(Template)]
#[template(path = "registry_import.html")]
struct ImportPage {
    l: Layout,
    f: UploadForm,
    comuni: Vec<OrgComune>,
    imports: Vec<ImportView>,
}

async fn import_form(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    f: UploadForm,
    errors: Vec<FieldError>,
) -> Result<ImportPage, AppError> {
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let imports = state
        .store
        .list_registry_imports(ctx.org.id, 50)
        .await?
        .into_iter()
        .map(|i| view(i, &comuni))
        .collect();
    let l = Layout::page(
        ctx,
        jar,
        "Import dall'anagrafe comunale",
        REGISTRY_UPLOAD_PATH,
    )
    .crumb(REGISTRY_UPLOAD_PATH, "Import anagrafe")
    .with_errors(FormErrors(errors));
    let f = if f.comune.is_empty() && comuni.len() == 1 {
        UploadForm {
            comune: comuni[0].belfiore_code.clone(),
            ..f
        }
    } else {
        f
    };
    Ok(ImportPage {
        l,
        f,
        comuni,
        imports,
    })
}

async fn import_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.authorize(Action::RegistryImport, RecordScope::SameOrg)?;
    let page = import_form(&state, &ctx, &jar, UploadForm::default(), Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::RegistryImport, RecordScope::SameOrg)?;
    let mut multipart = multipart.map_err(|_| {
        AppError::App(app::Error::BadRequest(
            "Il modulo deve essere inviato con il file allegato".into(),
        ))
    })?;
    let mut f = UploadForm::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    app::idle(&state.store).await;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                return Err(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::App(app::Error::BadRequest(format!(
                        "Il file supera la dimensione massima di {} MiB: dividerlo o usare il comando «sportello import anagrafe»",
                        MAX_REGISTRY_BYTES / (1024 * 1024)
                    )))
                } else {
                    AppError::App(app::Error::BadRequest(
                        "Il file inviato non è stato ricevuto per intero: riprova".into(),
                    ))
                });
            }
        };
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("anagrafe").to_owned();
                let bytes = field.bytes().await.map_err(|_| {
                    AppError::App(app::Error::BadRequest(
                        "Il file inviato non è stato ricevuto per intero: riprova".into(),
                    ))
                })?;
                if !bytes.is_empty() {
                    file = Some((file_name, bytes.to_vec()));
                }
            }
            "comune" | "data_riferimento" => {
                let text = field.text().await.unwrap_or_default();
                if name == "comune" {
                    f.comune = text.trim().to_owned();
                } else {
                    f.data_riferimento = text.trim().to_owned();
                }
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let comune = parse_comune(&f.comune);
    if comune.is_none() {
        errors.push(FieldError::new("comune", "scegliere il comune dell'elenco"));
    }
    let reference = match super::dates::parse_date("data_riferimento", &f.data_riferimento) {
        Ok(d) => d,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if file.is_none() {
        errors.push(FieldError::new(
            "file",
            "scegliere il file dell'anagrafe (CSV o JSON)",
        ));
    }
    let (Some(comune), Some((file_name, bytes)), true) = (comune, file, errors.is_empty()) else {
        let page = import_form(&state, &ctx, &jar, f, errors).await?;
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let today = domain::localtime::today(ctx.now);
    match import_file(
        &state.store,
        ctx.org.id,
        comune,
        &file_name,
        &bytes,
        reference,
        &ctx,
        today,
        None,
    )
    .await
    {
        Ok(report) => {
            let (kind, text) = match &report.import.error {
                None => (
                    "success",
                    format!(
                        "Import completato: {} righe lette, {} scartate.",
                        report.import.rows_read, report.import.rejected
                    ),
                ),
                Some(_) => (
                    "danger",
                    "Import non completato: vedi il resoconto.".to_owned(),
                ),
            };
            let jar = flash(jar, kind, &text);
            Ok((
                jar,
                Redirect::to(&format!("/anagrafe/import/{}", report.import.id)),
            )
                .into_response())
        }
        Err(app::Error::BadRequest(m)) => {
            let page = import_form(&state, &ctx, &jar, f, vec![FieldError::new("file", m)]).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "registry_report.html")]
struct ReportPage {
    l: Layout,
    v: ImportView,
    /// Who ran the import, by name.
    by: String,
    rejections: Vec<RegistryRejection>,
}

async fn report_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::RegistryImport, RecordScope::SameOrg)?;
    let id = parse_id(&id)?;
    let import = state.store.get_registry_import(ctx.org.id, id).await?;
    let rejections = state.store.registry_rejections(ctx.org.id, id).await?;
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let by = Names::of_org(&state, ctx.org.id).await?.of(&import.actor);
    let v = view(import, &comuni);
    let l = Layout::page(&ctx, &jar, "Resoconto dell'import", REGISTRY_UPLOAD_PATH)
        .crumb(REGISTRY_UPLOAD_PATH, "Import anagrafe")
        .crumb(&format!("/anagrafe/import/{id}"), "Resoconto");
    Ok(render_page(
        jar,
        &ReportPage {
            l,
            v,
            by,
            rejections,
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct EventsQuery {
    #[serde(default)]
    tutti: Option<String>,
    /// "tutte": events of every person, not only of those with an open matter.
    #[serde(default)]
    persone: Option<String>,
}

struct EventRow {
    e: RegistryEvent,
    date: String,
    kind: &'static str,
    reviewed: Option<String>,
    /// A death or a removal: its page of proposed actions is linked.
    ends_matters: bool,
}

#[derive(Template)]
#[template(path = "registry_events.html")]
struct EventsPage {
    l: Layout,
    rows: Vec<EventRow>,
    all: bool,
    every_person: bool,
    /// The same list with the other choice of reviewed events, of persons.
    reviewed_link: String,
    people_link: String,
    can_review: bool,
}

/// The events page with its two filters.
fn events_link(all: bool, every_person: bool) -> String {
    match (all, every_person) {
        (false, false) => "/anagrafe/eventi".into(),
        (true, false) => "/anagrafe/eventi?tutti=1".into(),
        (false, true) => "/anagrafe/eventi?persone=tutte".into(),
        (true, true) => "/anagrafe/eventi?tutti=1&persone=tutte".into(),
    }
}

async fn events_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<EventsQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::PersonView, RecordScope::SameOrg)?;
    let all = q.tutti.is_some_and(|v| !v.is_empty());
    let every_person = q.persone.as_deref() == Some("tutte");
    let names = Names::of_org(&state, ctx.org.id).await?;
    let rows = state
        .store
        .registry_events_to_review(ctx.org.id, all, every_person, 500)
        .await?
        .into_iter()
        .map(|e| EventRow {
            date: format_date(e.event_date),
            ends_matters: matches!(
                e.kind,
                RegistryEventKind::Death | RegistryEventKind::MoveOut
            ),
            kind: e.kind.label(),
            reviewed: e.reviewed_at_us.map(|at| {
                format!(
                    "verificato da {} il {}",
                    names.of(e.reviewed_by.as_deref().unwrap_or("")),
                    when(at)
                )
            }),
            e,
        })
        .collect();
    let l = Layout::page(
        &ctx,
        &jar,
        "Eventi anagrafici da verificare",
        "/anagrafe/eventi",
    )
    .crumb("/anagrafe/eventi", "Eventi anagrafici da verificare");
    Ok(render_page(
        jar,
        &EventsPage {
            l,
            rows,
            all,
            every_person,
            reviewed_link: events_link(!all, every_person),
            people_link: events_link(all, !every_person),
            can_review: ctx.can(Action::PersonEdit, RecordScope::SameOrg),
        },
        StatusCode::OK,
    ))
}

async fn review(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::PersonEdit, RecordScope::SameOrg)?;
    let id = parse_id(&id)?;
    let at_us = domain::audit::unix_micros(ctx.now);
    let audit = ctx.audit(
        "anagrafe.evento.verificato",
        "registry_event",
        Some(id),
        "evento anagrafico segnato come verificato".into(),
    );
    let login = ctx.user.login.to_string();
    match state
        .store
        .review_registry_event(ctx.org.id, id, at_us, &login, &audit)
        .await
    {
        Ok(()) => {
            let jar = flash(jar, "success", "Evento segnato come verificato.");
            Ok((jar, Redirect::to("/anagrafe/eventi")).into_response())
        }
        Err(store::StoreError::NotFound) => {
            let jar = flash(
                jar,
                "info",
                "L'evento era già stato verificato, o non esiste.",
            );
            Ok((jar, Redirect::to("/anagrafe/eventi")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One open matter of the person, as the page lists it.
struct StepRow {
    matter: String,
    worker: String,
    action: String,
    automatic: bool,
    allowed: bool,
}

#[derive(Template)]
#[template(path = "life_event.html")]
struct OutcomesPage {
    l: Layout,
    person_id: uuid::Uuid,
    name: String,
    death: bool,
    event: String,
    rows: Vec<StepRow>,
    can_apply: bool,
}

/// The person's open matters after a death or an emigration, with the action proposed for
/// each, and the one button that applies them.
async fn outcomes_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let p = proposal(&state, &ctx, id).await?;
    let name = p.person.data.full_name();
    let rows: Vec<StepRow> = p
        .steps
        .iter()
        .map(|s| StepRow {
            matter: s.step.matter(),
            worker: s.step.worker(),
            action: s.step.action(),
            automatic: s.step.automatic(),
            allowed: s.allowed,
        })
        .collect();
    let path = format!("/persone/{id}/esiti");
    let l = Layout::page(&ctx, &jar, "Pratiche aperte e azioni proposte", "/persone")
        .crumb("/persone", "Anagrafe sociale")
        .crumb(&format!("/persone/{id}"), &name)
        .crumb(&path, "Azioni proposte");
    let page = OutcomesPage {
        l,
        person_id: id,
        death: matches!(p.event, LifeEvent::Death(_)),
        event: p.event.describe(),
        can_apply: rows.iter().any(|r| r.automatic && r.allowed)
            && ctx.can(Action::PersonEdit, ctx.scope_of(p.person.org_id)),
        rows,
        name,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn outcomes_apply(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let applied = apply(&state, &ctx, id).await?;
    let mut text = match applied.done {
        0 => "Nessuna azione applicata.".to_owned(),
        1 => "Applicata 1 azione.".to_owned(),
        n => format!("Applicate {n} azioni."),
    };
    if !applied.refused.is_empty() {
        text.push_str(&format!(" Non applicate: {}.", applied.refused.join("; ")));
    }
    let kind = match (applied.done, applied.refused.is_empty()) {
        (_, false) => "warning",
        (0, true) => "info",
        _ => "success",
    };
    let jar = flash(jar, kind, &text);
    Ok((jar, Redirect::to(&format!("/persone/{id}/esiti"))).into_response())
}
