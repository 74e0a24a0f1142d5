//! The user's own profile: password, open sessions, API tokens.

use super::forms::{Form, parse_id};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{Layout, flash};
use app::manage;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::localtime::format_date_time;
use domain::policy::{Action, RecordScope};
use serde::Deserialize;
use store::{ApiToken, Session, SessionStore, TokenStore};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/token", post(create_token))
        .route("/account/token/{id}/revoca", post(revoke_token))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    sessions: Vec<Session>,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    current: String,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    new_token: Option<String>,
) -> Result<AccountPage, AppError> {
    Ok(AccountPage {
        l: Layout::page(ctx, jar, "Il mio profilo", "/account").crumb("/account", "Il mio profilo"),
        sessions: state.store.list_user_sessions(ctx.user.id).await?,
        tokens: token_rows(state.store.list_tokens(ctx.user.id).await?, ctx.now),
        new_token,
        current: ctx.session_hash.clone().unwrap_or_default(),
    })
}

/// A token as its owner or an administrator sees it: state, end and last use.
pub(crate) struct TokenRow {
    pub t: ApiToken,
    pub usable: bool,
    pub state: &'static str,
    pub expires: String,
    pub last_used: String,
}

pub(crate) fn token_rows(tokens: Vec<ApiToken>, now: time::OffsetDateTime) -> Vec<TokenRow> {
    tokens
        .into_iter()
        .map(|t| TokenRow {
            usable: t.usable(now),
            state: if t.revoked_at.is_some() {
                "Revocato"
            } else if t.usable(now) {
                "Valido"
            } else {
                "Scaduto"
            },
            expires: format_date_time(t.expires()),
            last_used: t
                .last_used_at
                .map_or_else(|| "mai".into(), format_date_time),
            t,
        })
        .collect()
}

// Everyone may see and manage their own sessions and tokens (`Action::OwnAccount`, scope
// `Own`): the policy allows it to every active account.
async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.authorize(Action::OwnAccount, RecordScope::Own)?;
    let p = page(&state, &ctx, &jar, None).await?;
    Ok(render_page(jar, &p, StatusCode::OK))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    nome: String,
    #[serde(default)]
    giorni: String,
}

async fn create_token(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::OwnAccount, RecordScope::Own)?;
    let days = match f.giorni.trim() {
        "" => store::TOKEN_DAYS,
        typed => typed.parse().unwrap_or(0),
    };
    let (secret, _) =
        manage::create_token(&state.store, &ctx, &ctx.user, &ctx.org, &f.nome, days).await?;
    let p = page(&state, &ctx, &jar, Some(secret)).await?;
    Ok(render_page(jar, &p, StatusCode::CREATED))
}

async fn revoke_token(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::OwnAccount, RecordScope::Own)?;
    let id = parse_id(&id)?;
    let t = state
        .store
        .list_tokens(ctx.user.id)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(app::Error::NotFound)?;
    state
        .store
        .revoke_token(
            t.id,
            ctx.now,
            &ctx.audit(
                "token.revoke",
                "api_token",
                Some(t.id),
                format!("revocato il token «{}»", t.name),
            ),
        )
        .await?;
    Ok((
        flash(jar, "success", "Token revocato."),
        Redirect::to("/account"),
    )
        .into_response())
}
