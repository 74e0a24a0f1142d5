//! Nothing typed is lost when a session expires. A form posted after its session expired is
//! kept for that session's account (for [`KEPT_FOR`], found by a secret in that browser's
//! cookie); once the same account has logged in again, with its second factor if it has
//! one, the desk leads to it and the operator sends it. Before that, the pages warn a few
//! minutes ahead (`app.js`) and "Resta collegato" extends the session. A page asked for
//! without a session is where the login leads (a local path only).

use super::render::render_page;
use crate::AppState;
use crate::auth::{Ctx, SESSION_COOKIE, session_expired};
use crate::error::AppError;
use crate::layout::{Layout, flash};
use crate::paths::safe_local_path;
use app::credentials::hash_token;
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use domain::audit::unix_micros;
use serde::Deserialize;
use std::time::Duration;
use store::{KeptForm, SessionStage, SessionStore};

/// The cookie that holds the secret of a kept form.
const KEPT_COOKIE: &str = "sportello_modulo";
/// The cookie that holds the page to open after logging in.
const AFTER_LOGIN_COOKIE: &str = "sportello_dopo";
/// How long a form is kept.
pub const KEPT_FOR: Duration = Duration::from_secs(30 * 60);
/// The largest form kept (its fields as stored); file uploads are never kept.
const KEPT_LIMIT: usize = 256 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/modulo-conservato", get(show))
        .route("/sessione/rinnova", post(renew))
}

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(time::Duration::seconds(KEPT_FOR.as_secs() as i64))
        .build()
}

fn removal(name: &'static str) -> Cookie<'static> {
    Cookie::build(name).path("/").build()
}

/// Whether a form posted to `path` is kept: the office's pages, not the login steps, the
/// API, or these pages themselves.
fn keeps(path: &str) -> bool {
    safe_local_path(path).is_some()
        && !path.starts_with("/api/")
        && !path.starts_with("/sessione/")
        && !path.starts_with("/modulo-conservato")
}

/// The layer that keeps a form (URL-encoded) refused for want of a session, when the
/// session it came with has expired, and sends the browser to the login page. Any other
/// request goes on as it came; only a refused one costs a look at the session.
pub async fn keep_expired_post(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
    next: Next,
) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(String::new, |p| p.as_str().to_owned());
    let url_encoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(FORM));
    let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let (Some(token), true) = (
        token,
        req.method() == Method::POST && url_encoded && keeps(&path),
    ) else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let answer = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if answer.status() != StatusCode::UNAUTHORIZED {
        return answer;
    }
    let owner = match state.store.get_session_with_user(&hash_token(&token)).await {
        Ok((s, user, _))
            if user.active
                && s.stage == SessionStage::Active
                && session_expired(&state.config, &s, state.clock.now_us()) =>
        {
            user.id
        }
        _ => return answer,
    };
    match keep(&state, owner, path, bytes).await {
        Ok(secret) => {
            let jar = jar.add(cookie(KEPT_COOKIE, secret, state.config.tls));
            (jar, Redirect::to("/login")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

async fn keep(
    state: &AppState,
    owner: uuid::Uuid,
    path: String,
    body: axum::body::Bytes,
) -> Result<String, AppError> {
    let unread = || {
        AppError::from(app::Error::BadRequest(
            "la sessione è scaduta e il modulo non si è potuto leggere: accedi di nuovo e ripeti l'operazione".into(),
        ))
    };
    // A POST, or the extractor would read the query string.
    let req = Request::builder()
        .method(Method::POST)
        .header(header::CONTENT_TYPE, FORM)
        .body(Body::from(body))
        .map_err(|_| unread())?;
    let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(req, &())
        .await
        .map_err(|_| unread())?;
    let fields = serde_json::to_string(&fields).map_err(|e| app::Error::Internal(e.to_string()))?;
    if fields.len() > KEPT_LIMIT {
        return Err(app::Error::BadRequest(
            "la sessione è scaduta e il modulo è troppo grande per essere conservato: accedi di nuovo e ripeti l'operazione".into(),
        )
        .into());
    }
    let (secret, secret_hash) = app::credentials::new_secret("")?;
    let now = state.clock.now_us();
    state
        .store
        .keep_form(&KeptForm {
            secret_hash,
            user_id: owner,
            path,
            fields,
            created_us: now,
            expires_us: now + KEPT_FOR.as_micros() as i64,
        })
        .await?;
    Ok(secret)
}

#[derive(Deserialize, Default)]
pub struct AfterLogin {
    #[serde(default)]
    dopo: String,
}

/// For the login page: remembers the page asked for, if it is a local one (anything else is
/// ignored).
pub fn before_login(jar: CookieJar, q: &AfterLogin, secure: bool) -> CookieJar {
    match safe_local_path(q.dopo.trim()) {
        Some(p) => {
            let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(p);
            jar.add(cookie(AFTER_LOGIN_COOKIE, encoded, secure))
        }
        None => jar,
    }
}

/// Whether a kept form waits for the login in this browser.
pub fn waiting(jar: &CookieJar) -> bool {
    jar.get(KEPT_COOKIE).is_some()
}

/// Where a freshly logged-in operator goes instead of the desk, where every login ends: the
/// kept form, or else the page they asked for.
pub fn after_login(jar: CookieJar) -> Result<Response, CookieJar> {
    if waiting(&jar) {
        return Ok(Redirect::to("/modulo-conservato").into_response());
    }
    let Some(asked) = jar.get(AFTER_LOGIN_COOKIE).map(|c| c.value().to_owned()) else {
        return Err(jar);
    };
    let jar = jar.remove(removal(AFTER_LOGIN_COOKIE));
    let path = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(asked)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match path.as_deref().and_then(safe_local_path) {
        Some(p) => Ok((jar, Redirect::to(p)).into_response()),
        None => Err(jar),
    }
}

#[derive(Template)]
#[template(path = "kept_form.html")]
struct KeptPage {
    l: Layout,
    action: String,
    fields: Vec<(String, String)>,
}

impl KeptPage {
    /// What the operator typed, to read before sending: the fields with a value, but the
    /// form's own bookkeeping.
    fn typed(&self) -> impl Iterator<Item = &(String, String)> {
        self.fields
            .iter()
            .filter(|(k, v)| k != "version" && !v.trim().is_empty())
    }
}

/// The kept form of this browser, if it is the operator's: shown once, to send.
async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let Some(secret) = jar.get(KEPT_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(Redirect::to("/").into_response());
    };
    let jar = jar.remove(removal(KEPT_COOKIE));
    let kept = state
        .store
        .take_kept_form(&hash_token(&secret), ctx.user.id, unix_micros(ctx.now))
        .await?;
    let form = kept.and_then(|k| {
        let fields = serde_json::from_str::<Vec<(String, String)>>(&k.fields).ok()?;
        Some((safe_local_path(&k.path)?.to_owned(), fields))
    });
    let Some((action, fields)) = form else {
        let jar = flash(
            jar,
            "warning",
            "Non c'è un modulo conservato per il tuo account: un modulo si conserva per 30 minuti, e solo per chi lo stava inviando.",
        );
        return Ok((jar, Redirect::to("/")).into_response());
    };
    let page = KeptPage {
        l: Layout::page(&ctx, &jar, "Modulo da inviare", "/"),
        action,
        fields,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// "Resta collegato": the session's idle time starts again.
async fn renew(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let Some(hash) = ctx.session_hash.as_deref() else {
        return Err(app::Error::BadRequest("nessuna sessione da rinnovare".into()).into());
    };
    state
        .store
        .touch_session(hash, unix_micros(ctx.now))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
