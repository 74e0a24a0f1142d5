//! The JSON API of the DSU: the engine's JSON in (`POST /dsu`, `PUT /dsu/{id}`), the record
//! and its calculation out. The services are [`app::dsu`], shared with the pages.

use super::api_istanze::JsonBody;
use super::forms::parse_id;
use crate::AppState;
use crate::auth::ApiCtx;
use crate::error::{AppError, problem};
use app::dsu::form::FieldProblem;
use app::dsu::{self, dsu_access, dsu_edit_access};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use isee::DsuInput;
use serde_json::{Map, Value, json};
use store::{DsuRecord, DsuStore};

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/dsu", post(create)),
        ("/dsu/{id}", get(show).put(update)),
        ("/dsu/{id}/calcolo", get(calc)),
    ]
}

fn invalid(problems: &[FieldProblem]) -> Response {
    let pairs: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.name.as_str(), p.message.as_str()))
        .collect();
    let list = pairs
        .iter()
        .map(|(f, m)| format!("{f}: {m}"))
        .collect::<Vec<_>>()
        .join("; ");
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!("la DSU non è valida: {list}"),
        Some(&pairs),
    )
}

/// The body as the engine's DSU, or the JSON path of the first problem.
fn read_input(body: Map<String, Value>) -> Result<DsuInput, FieldProblem> {
    serde_path_to_error::deserialize::<_, DsuInput>(Value::Object(body)).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let message = message.split(" at line ").next().unwrap_or("").to_owned();
        FieldProblem {
            name: if path == "." { "body".into() } else { path },
            message,
        }
    })
}

/// The record, and the DSU as the engine's JSON when every quadro is complete.
async fn envelope(
    state: &AppState,
    ctx: &crate::auth::Ctx,
    d: &DsuRecord,
) -> Result<Value, AppError> {
    let members = state.store.dsu_members(ctx.org.id, d.id).await?;
    let ev = dsu::evaluate(d, &members, &dsu::Draft::parse(&d.quadri)?);
    let missing: Vec<String> = ev
        .lines
        .iter()
        .filter(|l| !l.fill.is_ok())
        .map(|l| {
            let whose = l
                .member
                .as_ref()
                .map(|(_, n)| format!(" di {n}"))
                .unwrap_or_default();
            format!(
                "{} ({}){whose}: {}",
                l.quadro.title,
                l.quadro.what,
                l.fill.label()
            )
        })
        .chain(ev.blocking.iter().cloned())
        .collect();
    let s = &d.status;
    Ok(json!({
        "id": d.id,
        "state": s.state.as_str(),
        "declarant_id": d.declarant_id,
        "dsu_date": s.dsu_date.to_string(),
        "variant": d.variant,
        "prestazione": d.prestazione,
        "signed_on": s.signed_on.map(|x| x.to_string()),
        "inps_protocol": s.inps_protocol,
        "attestation_id": s.attestation_id,
        "replaces_id": d.replaces_id,
        "version": d.version,
        "isee_cents": d.isee_cents,
        "complete": ev.complete(),
        "missing": missing,
        "dsu": ev.input.as_ref().and_then(|i| serde_json::to_value(i).ok()),
    }))
}

async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let open = dsu::open_access(&ctx)?;
    let input = match read_input(body) {
        Ok(i) => i,
        Err(p) => return Ok(invalid(&[p])),
    };
    match dsu::import(&state, &ctx, &open, &input).await? {
        Ok(rec) => {
            let body = envelope(&state, &ctx, &rec).await?;
            Ok((
                StatusCode::CREATED,
                [(header::LOCATION, format!("{}/{}", uri.path(), rec.id))],
                axum::Json(body),
            )
                .into_response())
        }
        Err(p) => Ok(invalid(&p)),
    }
}

async fn show(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = dsu_access(&state, &ctx, parse_id(&id)?).await?;
    let body = envelope(&state, &ctx, &a.dsu).await?;
    dsu::log_read(&state, &ctx, &a.dsu).await;
    Ok(axum::Json(body).into_response())
}

async fn update(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let a = dsu_edit_access(&state, &ctx, parse_id(&id)?).await?;
    let input = match read_input(body) {
        Ok(i) => i,
        Err(p) => return Ok(invalid(&[p])),
    };
    match dsu::replace(&state, &ctx, &a, &input).await? {
        Ok(rec) => Ok(axum::Json(envelope(&state, &ctx, &rec).await?).into_response()),
        Err(p) => Ok(invalid(&p)),
    }
}

/// The calculation of a complete DSU, the same JSON as `sportello isee calc`.
async fn calc(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = dsu_access(&state, &ctx, parse_id(&id)?).await?;
    let members = state.store.dsu_members(ctx.org.id, a.dsu.id).await?;
    let ev = dsu::evaluate(&a.dsu, &members, &dsu::Draft::parse(&a.dsu.quadri)?);
    dsu::log_read(&state, &ctx, &a.dsu).await;
    match dsu::report(&ev) {
        Some(report) => Ok(axum::Json(report).into_response()),
        None => Ok(problem(
            StatusCode::CONFLICT,
            "la DSU non è completa: il calcolo è possibile quando tutti i quadri sono compilati senza errori (vedi `missing` in GET /api/v1/dsu/{id})",
            None,
        )),
    }
}
