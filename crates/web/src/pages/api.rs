//! The JSON API under `/api/v1`, authenticated by bearer tokens (`sportello token create`).
//! Every answer is scoped to the token's organization; errors are problem+json.

use super::parse_id;
use crate::AppState;
use crate::auth::ApiCtx;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use domain::policy::{Action, RecordScope};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::{AuditFilter, AuditStore, OrgStore, Organization, User, UserStore};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/organizations", get(organizations))
        .route("/organizations/{id}", get(organization))
        .route("/users", get(users))
        .route("/users/{id}", get(user))
        .route("/audit", get(audit))
        .route("/codice-fiscale/{cf}", get(codice_fiscale))
}

fn org_json(o: &Organization) -> Value {
    json!({ "id": o.id, "code": o.code, "name": o.name, "kind": o.kind, "active": o.active })
}

fn user_json(u: &User) -> Value {
    json!({ "id": u.id, "login": u.login, "full_name": u.full_name, "email": u.email, "active": u.active,
            "second_factor": u.totp_secret.is_some() })
}

async fn me(ApiCtx(ctx): ApiCtx) -> Result<Json<Value>, AppError> {
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)
        .or_else(|_| ctx.authorize(Action::AuditView, RecordScope::SameOrg))?;
    Ok(Json(
        json!({ "user": user_json(&ctx.user), "organization": org_json(&ctx.org), "role": ctx.role }),
    ))
}

async fn organizations(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Value>, AppError> {
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)?;
    let orgs = if ctx.can(Action::OrgView, RecordScope::OtherOrg) {
        state.store.list_orgs().await?
    } else {
        vec![ctx.org.clone()]
    };
    Ok(Json(Value::Array(orgs.iter().map(org_json).collect())))
}

async fn organization(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    ctx.authorize(Action::OrgView, ctx.scope_of(id))?;
    let org = state.store.get_org(id).await?;
    let comuni: Vec<Value> = state.store.org_comuni(id).await?.iter()
        .map(|c| json!({ "istat": c.istat_code, "belfiore": c.belfiore_code, "name": c.name, "province": c.province }))
        .collect();
    let mut v = org_json(&org);
    v["comuni"] = Value::Array(comuni);
    Ok(Json(v))
}

async fn users(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Value>, AppError> {
    ctx.authorize(Action::UserView, RecordScope::SameOrg)?;
    let members = state.store.list_members(ctx.org.id).await?;
    Ok(Json(Value::Array(
        members
            .iter()
            .map(|m| {
                let mut v = user_json(&m.user);
                v["role"] = json!(m.role);
                v
            })
            .collect(),
    )))
}

async fn user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let memberships = state.store.memberships(id).await?;
    let scope = if memberships.iter().any(|m| m.org.id == ctx.org.id) {
        RecordScope::SameOrg
    } else {
        RecordScope::OtherOrg
    };
    ctx.authorize(Action::UserView, scope)?;
    let u = state.store.get_user(id).await?;
    let mut v = user_json(&u);
    v["roles"] = Value::Array(
        memberships
            .iter()
            .map(|m| json!({ "organization": m.org.code, "role": m.role }))
            .collect(),
    );
    Ok(Json(v))
}

#[derive(Deserialize)]
struct AuditParams {
    action: Option<String>,
    actor: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize)]
struct AuditPage {
    total: i64,
    rows: Vec<domain::audit::AuditRow>,
}

async fn audit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditPage>, AppError> {
    ctx.authorize(Action::AuditView, RecordScope::SameOrg)?;
    let f = AuditFilter {
        org_id: Some(ctx.org.id),
        actor: p.actor,
        action_prefix: p.action,
        limit: p.limit.unwrap_or(100).clamp(1, 1000),
        offset: p.offset.unwrap_or(0).max(0),
        ..AuditFilter::default()
    };
    Ok(Json(AuditPage {
        total: state.store.count_audit(&f).await?,
        rows: state.store.list_audit(&f).await?,
    }))
}

/// Checks and decodes a codice fiscale, with the same JSON as `sportello cf decode`. An
/// invalid code is an answer (`valid: false` and the Italian reason), not an error.
async fn codice_fiscale(
    ApiCtx(ctx): ApiCtx,
    Path(cf): Path<String>,
) -> Result<axum::response::Response, AppError> {
    ctx.authorize(Action::PersonView, RecordScope::Own)?;
    // Serialized straight from the struct, so the keys keep the command line's order.
    let body = serde_json::to_string(&territory::cli::decode_json(&cf, ctx.now.date()))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )))
}
