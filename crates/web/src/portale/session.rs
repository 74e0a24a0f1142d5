//! The citizen's session: a server-side session row like an operator's, under its own cookie
//! and with a token that says it is the portal's, so that neither surface accepts the other's
//! session; and the sign-ins under way with the identity provider (state, nonce, PKCE
//! verifier), kept in memory for a few minutes.

use super::i18n::{LANG_COOKIE, Lang, T};
use crate::AppState;
use crate::error::AppError;
use app::portal::Citizen;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use store::{Session, SessionStage, SessionStore, StoreError, User};

/// The portal's session cookie.
pub const PORTAL_COOKIE: &str = "sportello_portale";
/// The start of every portal session token: the office refuses such a token, the portal any
/// other.
pub const PORTAL_TOKEN_PREFIX: &str = "p.";

/// The language of a request: the citizen's choice (cookie), else the browser's.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    jar.get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

/// Who is asking on the portal: the translator, and the citizen when signed in.
pub struct Visitor {
    pub t: T,
    pub citizen: Option<Citizen>,
    /// The session's token hash, to end it.
    pub session_hash: Option<String>,
}

/// A signed-in citizen (pages that need one).
pub struct CitizenCtx {
    pub t: T,
    pub citizen: Citizen,
}

impl Visitor {
    fn anonymous(t: T) -> Visitor {
        Visitor {
            t,
            citizen: None,
            session_hash: None,
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let t = T::new(lang_of(&parts.headers));
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar
            .get(PORTAL_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| v.starts_with(PORTAL_TOKEN_PREFIX))
        else {
            return Ok(Visitor::anonymous(t));
        };
        let hash = app::credentials::hash_token(&token);
        let (session, user, memberships) = match state.store.get_session_with_user(&hash).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(Visitor::anonymous(t)),
            Err(e) => return Err(e.into()),
        };
        let now = state.clock.now_us();
        if crate::auth::session_expired(&state.config, &session, now) || !user.active {
            return Ok(Visitor::anonymous(t));
        }
        crate::auth::touch_if_due(state, &session, now).await?;
        let citizen = app::portal::citizen(&state.services, user, memberships).await?;
        Ok(Visitor {
            t,
            session_hash: citizen.as_ref().map(|_| hash),
            citizen,
        })
    }
}

impl FromRequestParts<AppState> for CitizenCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let v = Visitor::from_request_parts(parts, state).await?;
        match v.citizen {
            Some(citizen) => Ok(CitizenCtx { t: v.t, citizen }),
            None => Err(AppError::LoginRequired),
        }
    }
}

/// Opens a portal session for `user` and returns the cookie jar that carries it.
pub async fn start(
    state: &AppState,
    jar: CookieJar,
    user: &User,
    ip: String,
    user_agent: String,
) -> Result<CookieJar, AppError> {
    let (token, hash) = app::credentials::new_secret(PORTAL_TOKEN_PREFIX)?;
    let now = state.clock.now_us();
    state
        .store
        .create_session(&Session {
            token_hash: hash,
            user_id: user.id,
            org_id: None,
            stage: SessionStage::Active,
            pending_totp: None,
            created_us: now,
            last_seen_us: now,
            ip,
            user_agent: user_agent.chars().take(200).collect(),
        })
        .await?;
    Ok(jar.add(cookie(PORTAL_COOKIE, token, state.config.tls)))
}

/// The client's address (`auth::client_ip`) and its user agent, for a new session.
pub(super) fn client(state: &AppState, parts: &Parts) -> (String, String) {
    let ip = crate::auth::client_ip(parts, &state.config.trusted_proxies);
    let agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (ip, agent)
}

pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}
