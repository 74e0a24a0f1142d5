//! The SIUSS records of the organization for its responsabile (`/siuss`): a month's PS, PSA,
//! SINA and SINBA records by kind, the invalid ones with the field to fix and a link to the
//! page that keeps it, the upload files for INPS, and the ente's SIUSS settings.

use super::forms::Pairs;
use super::render::{render, render_page};
use super::siuss_notes::fix_link;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::localtime::today;
use domain::siuss::SenderInput;
use serde::Deserialize;
use time::{Date, Month};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/siuss", get(show))
        .route("/siuss/file", get(file))
        .route("/siuss/impostazioni", post(save_settings))
        .route("/siuss/flussi/{id}/reinvia", post(resend))
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    periodo: String,
    #[serde(default)]
    n: u32,
}

/// The month `AAAA-MM` asked for (its first day), else the month before today's.
pub(crate) fn month(raw: &str, today: Date) -> Date {
    let parsed = raw.trim().split_once('-').and_then(|(y, m)| {
        let year: i32 = y.parse().ok().filter(|y| (1900..=2099).contains(y))?;
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(year, month, 1).ok()
    });
    parsed.unwrap_or_else(|| {
        let first = today.replace_day(1).unwrap_or(today);
        first
            .previous_day()
            .and_then(|d| d.replace_day(1).ok())
            .unwrap_or(first)
    })
}

pub(crate) fn period_code(m: Date) -> String {
    format!("{:04}-{:02}", m.year(), u8::from(m.month()))
}

struct KindRow {
    label: &'static str,
    valid: usize,
    invalid: usize,
}

struct ProblemRow {
    kind: &'static str,
    person: String,
    field: String,
    message: String,
    href: String,
    place: &'static str,
}

/// A flow INPS rejected, last of its record.
struct RejectedRow {
    id: uuid::Uuid,
    name: String,
    kind: &'static str,
    operation: &'static str,
    person: String,
    reason: String,
    href: String,
}

struct FileRow {
    name: String,
    records: usize,
    n: usize,
}

#[derive(Template)]
#[template(path = "siuss.html")]
struct SiussPage {
    l: Layout,
    periodo: String,
    month_words: String,
    kinds: Vec<KindRow>,
    total: usize,
    problems: Vec<ProblemRow>,
    files: Vec<FileRow>,
    exchange: app::siuss_exchange::Dashboard,
    rejected: Vec<RejectedRow>,
    invalid: usize,
    configured: bool,
    f: SenderInput,
    version: i64,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    m: Date,
    settings: Option<(SenderInput, FormErrors)>,
) -> Result<SiussPage, AppError> {
    let period = app::siuss::period(state, ctx, m).await?;
    let exchange = app::siuss_exchange::dashboard(state, ctx, &period).await?;
    app::siuss::log_view(state, ctx, &period).await;
    let rejected = exchange
        .to_fix
        .iter()
        .map(|f| RejectedRow {
            id: f.id,
            name: f.name.clone(),
            kind: f.kind.as_str(),
            operation: f.operation.label(),
            person: period
                .records
                .iter()
                .find(|r| r.person_id == f.person_id)
                .map_or_else(|| "—".to_owned(), |r| r.person_name.clone()),
            reason: format!(
                "{}{}",
                f.outcome.map(|o| o.label()).unwrap_or_default(),
                f.outcome_detail
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ),
            href: match (f.application_id, f.case_file_id) {
                (Some(a), _) => format!("/istanze/{a}"),
                (None, Some(c)) => format!("/cartelle/{c}"),
                (None, None) => format!("/persone/{}", f.person_id),
            },
        })
        .collect();
    let files = domain::siuss::files(
        &period.sender,
        &period.records,
        domain::localtime::today(ctx.now),
        1,
    );
    let (f, errors) = settings.unwrap_or_else(|| {
        (
            SenderInput {
                ente_code: period.sender.ente_code.clone(),
                seat: period.sender.seat_belfiore.clone(),
                operator_cf: period.sender.operator_cf.clone(),
            },
            FormErrors::default(),
        )
    });
    let mut problems = Vec::new();
    for r in period.invalid() {
        for p in &r.problems {
            problems.push(ProblemRow {
                kind: r.kind.as_str(),
                person: r.person_name.clone(),
                field: p.field.clone(),
                message: p.message.clone(),
                href: fix_link(r.origin, r.person_id, p.target),
                place: p.target.label(),
            });
        }
    }
    Ok(SiussPage {
        l: Layout::page(ctx, jar, "Flussi SIUSS", "/siuss").with_errors(errors),
        periodo: period_code(m),
        month_words: domain::application::month_label(m),
        kinds: period
            .counts()
            .into_iter()
            .map(|(k, valid, invalid)| KindRow {
                label: k.label(),
                valid,
                invalid,
            })
            .collect(),
        total: period.records.len(),
        problems,
        files: files
            .iter()
            .enumerate()
            .map(|(i, f)| FileRow {
                name: f.name.clone(),
                records: f.records,
                n: i + 1,
            })
            .collect(),
        invalid: period.invalid().count(),
        exchange,
        rejected,
        configured: period.stored.is_some(),
        version: period.stored.as_ref().map_or(0, |s| s.version),
        f,
    })
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let m = month(&q.periodo, today(ctx.now));
    let page = page(&state, &ctx, &jar, m, None).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// One upload file of the month (`n`, from 1), made again from the stored data and audited;
/// a file that is no longer there (the records changed) sends back to the month's page.
async fn file(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let m = month(&q.periodo, today(ctx.now));
    let (_, files) = app::siuss::export(&state, &ctx, m, 1).await?;
    let Some(f) = files
        .into_iter()
        .nth(q.n.saturating_sub(1) as usize)
        .filter(|_| q.n > 0)
    else {
        let jar = flash(
            jar,
            "error",
            "Il file chiesto non c'è più: i record del mese sono cambiati, ecco i file di ora.",
        );
        return Ok((
            jar,
            Redirect::to(&format!("/siuss?periodo={}", period_code(m))),
        )
            .into_response());
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.name),
            ),
        ],
        f.content,
    )
        .into_response())
}

async fn save_settings(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    let input = SenderInput {
        ente_code: form.get("ente_code").to_owned(),
        seat: form.get("seat").to_owned(),
        operator_cf: form.get("operator_cf").to_owned(),
    };
    let periodo = form.get("periodo").to_owned();
    let m = month(&periodo, today(ctx.now));
    match app::siuss::save_sender(&state, &ctx, &input, form.get("version")).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Impostazioni SIUSS salvate: i record del mese le usano già.",
            );
            Ok((
                jar,
                Redirect::to(&format!("/siuss?periodo={}", period_code(m))),
            )
                .into_response())
        }
        Err(errors) => {
            let page = page(&state, &ctx, &jar, m, Some((input, FormErrors(errors)))).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// «Invia di nuovo»: a flow INPS rejected goes again, unchanged, as the next flow.
async fn resend(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Pairs,
) -> Result<Response, AppError> {
    let m = month(form.get("periodo"), today(ctx.now));
    let id = super::forms::parse_id(&id)?;
    let name = app::siuss_exchange::resend(&state, &ctx, m, id).await?;
    let jar = flash(
        jar,
        "success",
        &format!("Il record sarà letto di nuovo dall'INPS come flusso {name}."),
    );
    Ok((
        jar,
        Redirect::to(&format!("/siuss?periodo={}#invio", period_code(m))),
    )
        .into_response())
}
