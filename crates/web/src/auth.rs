//! Who is asking: password hashing, session and API tokens, TOTP, login throttling, and the
//! extractors that give every handler an authenticated [`Ctx`] whose `authorize` it must call.

use crate::error::AppError;
use crate::{AppState, Store};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use domain::policy::{Action, Actor, RecordScope, decide};
use domain::{OrgKind, Role};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::{
    Membership, NewAudit, Organization, Session, SessionStage, SessionStore, StoreError,
    TokenStore, User, UserStore,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "sportello_sid";

/// A fresh random secret (256 bits) as URL-safe base64, and the SHA-256 the store keeps.
pub fn new_secret(prefix: &str) -> Result<(String, String), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let token = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_token(&token);
    Ok((token, hash))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A one-time password for a new or reset account: 20 characters from an alphabet without
/// look-alike letters, easy to read out over the phone.
pub fn one_time_password() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Argon2id with the crate's defaults (m = 19 MiB, t = 2, p = 1: OWASP's recommendation),
/// off the async threads, within the process's [`HashLimiter`].
pub async fn hash_password(password: String) -> Result<String, AppError> {
    HASHING
        .run(move || {
            argon2::Argon2::default()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("argon2: {e}")))
        })
        .await?
}

/// Verifies a password; with no stored hash (unknown login) it still spends the same time on
/// a dummy hash, so response times do not reveal which logins exist. `AppError::Busy` when
/// too many hashes are already running or waiting.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        argon2::Argon2::default()
            .hash_password(b"sportello-dummy-password")
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY.clone());
    let ok = HASHING
        .run(move || {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok()
        })
        .await?;
    Ok(ok && known)
}

/// The one limiter every password hash of the process goes through.
static HASHING: std::sync::LazyLock<HashLimiter> =
    std::sync::LazyLock::new(HashLimiter::for_this_machine);

/// Bounds the Argon2 hashes running at once, each of which holds 19 MiB: one per core (more
/// would only share the cores), a queue of [`HashLimiter::WAITING_PER_PERMIT`] per core, and
/// at most [`HashLimiter::MAX_WAIT`] in it. Beyond that a login is answered 503 at once
/// instead of taking memory, so a flood of logins holds at most cores × 19 MiB of blocks.
pub struct HashLimiter {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    max_wait: Duration,
}

/// A place in the queue, given back however the wait ends (a client that goes away
/// included).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashLimiter {
    pub const WAITING_PER_PERMIT: usize = 4;
    pub const MAX_WAIT: Duration = Duration::from_secs(2);

    pub fn new(permits: usize, max_waiting: usize, max_wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits)),
            waiting: AtomicUsize::new(0),
            max_waiting,
            max_wait,
        }
    }

    fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self::new(cores, cores * Self::WAITING_PER_PERMIT, Self::MAX_WAIT)
    }

    /// A permit to hash, or `AppError::Busy` when the queue is full or the wait too long.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, AppError> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy);
        }
        let _place = Waiting(&self.waiting);
        match tokio::time::timeout(self.max_wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) | Err(_) => Err(AppError::Busy),
        }
    }

    /// How many callers wait for a permit.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Runs `work` on a blocking thread with a permit, held until the work ends even if the
    /// request that asked for it is dropped meanwhile.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self.acquire().await?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
    }
}

/// TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock skew) for a user's secret.
pub fn totp(secret_b32: &str, login: &str) -> Result<totp_rs::Totp, AppError> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|_| AppError::Internal("stored TOTP secret is not base32".into()))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some("Sportello"))
        .with_account_name(login)
        .build()
        .map_err(|e| AppError::Internal(format!("totp: {e}")))
}

pub fn new_totp_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(totp_rs::Secret::from(bytes).to_base32())
}

/// The time step of `code` when it is right for the secret now (one step of skew either
/// way), for the caller to accept each step once.
pub fn totp_step(secret_b32: &str, login: &str, code: &str, unix: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    let step = totp(secret_b32, login).ok()?.check(&code, unix)?;
    i64::try_from(step).ok()
}

/// The enrolment QR code as inline SVG (no image crate, no data: URL needed).
pub fn qr_svg(data: &str) -> Result<String, AppError> {
    let code =
        qrcode::QrCode::new(data.as_bytes()).map_err(|e| AppError::Internal(format!("qr: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}

/// Failed-login counters per account and per address, in memory. A window of 15 minutes;
/// past the limit every attempt is refused until the window ends, right password or not.
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    window: Duration,
}

pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// Wrong second-factor codes per account in the window, counted apart from passwords: the
/// right password does not reset them.
pub const MAX_SECOND_FACTOR_FAILURES: u32 = 5;

impl Default for Throttle {
    fn default() -> Self {
        Self {
            failures: Mutex::new(HashMap::new()),
            window: Duration::from_secs(15 * 60),
        }
    }
}

impl Throttle {
    fn key_count(&self, key: &str) -> u32 {
        let now = Instant::now();
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|(_, since)| now.duration_since(*since) < self.window)
            .map_or(0, |(n, _)| *n)
    }

    pub fn blocked(&self, login: &str, ip: &str) -> bool {
        self.key_count(&format!("u:{login}")) >= MAX_FAILURES_PER_ACCOUNT
            || self.key_count(&format!("a:{ip}")) >= MAX_FAILURES_PER_ADDRESS
    }

    pub fn fail(&self, login: &str, ip: &str) {
        self.count(&[format!("u:{login}"), format!("a:{ip}")]);
    }

    fn count(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Old entries go when the map grows, so a flood of logins cannot grow it forever.
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
        for key in keys {
            let e = map.entry(key.clone()).or_insert((0, now));
            if now.duration_since(e.1) >= self.window {
                *e = (0, now);
            }
            e.0 += 1;
        }
    }

    pub fn succeed(&self, login: &str) {
        self.forget(&format!("u:{login}"));
    }

    fn forget(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
    }

    pub fn second_factor_blocked(&self, login: &str) -> bool {
        self.key_count(&format!("t:{login}")) >= MAX_SECOND_FACTOR_FAILURES
    }

    pub fn second_factor_failed(&self, login: &str) {
        self.count(&[format!("t:{login}")]);
    }

    pub fn second_factor_succeeded(&self, login: &str) {
        self.forget(&format!("t:{login}"));
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over TLS; no Max-Age, so it
/// ends with the browser as well as on the server.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").build()
}

/// The client's address for throttling and the session list.
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "sconosciuto".to_owned(), |c| c.0.ip().to_string())
}

/// A session found from the cookie and still within its idle and absolute limits, at any
/// login stage.
pub struct LoginSession {
    pub session: Session,
    pub user: User,
    /// The user's organizations and roles, read with the session.
    pub memberships: Vec<Membership>,
}

impl LoginSession {
    pub async fn load(state: &AppState, jar: &CookieJar) -> Result<Option<LoginSession>, AppError> {
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Ok(None);
        };
        let hash = hash_token(&token);
        let (session, user, memberships) = match state.store.get_session_with_user(&hash).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let now = state.clock.now_us();
        let cfg = &state.config;
        if now - session.last_seen_us > cfg.session_idle.as_micros() as i64
            || now - session.created_us > cfg.session_absolute.as_micros() as i64
        {
            state.store.delete_session(&hash).await?;
            return Ok(None);
        }
        if !user.active {
            state.store.delete_session(&hash).await?;
            return Ok(None);
        }
        // Activity is recorded at most once a minute: enough for a 30-minute idle limit,
        // and it keeps page views from turning into writes.
        if now - session.last_seen_us > 60_000_000 {
            state.store.touch_session(&hash, now).await?;
        }
        Ok(Some(LoginSession {
            session,
            user,
            memberships,
        }))
    }
}

impl OptionalFromRequestParts<AppState> for LoginSession {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        LoginSession::load(state, &jar).await
    }
}

impl FromRequestParts<AppState> for LoginSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        LoginSession::load(state, &jar)
            .await?
            .ok_or(AppError::LoginRequired)
    }
}

/// Where a session at `stage` must go next.
pub fn stage_path(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::ChangePassword => "/password",
        SessionStage::EnrolTotp => "/totp/attiva",
        SessionStage::Totp => "/totp",
        SessionStage::Active => "/",
    }
}

/// A fully authenticated operator acting inside one organization. Every handler that reads
/// or changes data takes one and calls [`Ctx::authorize`] before doing so.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: User,
    pub org: Organization,
    pub role: Role,
    pub memberships: Vec<Membership>,
    /// The session's token hash (browser) or `None` (API token).
    pub session_hash: Option<String>,
    pub now: time::OffsetDateTime,
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        Actor {
            role: self.role,
            system_org: self.org.kind == OrgKind::Sistema,
            active: self.user.active,
        }
    }

    pub fn can(&self, action: Action, scope: RecordScope) -> bool {
        decide(&self.actor(), action, scope).is_allowed()
    }

    /// The explicit permission check. Denials are logged with who tried what.
    pub fn authorize(&self, action: Action, scope: RecordScope) -> Result<(), AppError> {
        if self.can(action, scope) {
            Ok(())
        } else {
            tracing::warn!(user = %self.user.login, org = %self.org.code, ?action, ?scope, "denied");
            Err(AppError::Forbidden)
        }
    }

    /// The scope of a record that belongs to `org_id`.
    pub fn scope_of(&self, org_id: Uuid) -> RecordScope {
        if org_id == self.org.id {
            RecordScope::SameOrg
        } else {
            RecordScope::OtherOrg
        }
    }

    /// This user as the author of a change.
    pub fn author(&self) -> crate::manage::Author {
        crate::manage::Author {
            id: Some(self.user.id),
            label: self.user.login.to_string(),
            at: self.now,
        }
    }

    /// A person-history entry by this user, now.
    pub fn history(
        &self,
        person_id: Uuid,
        kind: &'static str,
        summary: String,
        changes: Vec<String>,
    ) -> store::NewHistory {
        store::NewHistory {
            person_id,
            at_us: domain::audit::unix_micros(self.now),
            actor: self.user.login.to_string(),
            kind,
            summary,
            changes,
        }
    }

    /// An audit entry by this user, in the organization they act in.
    pub fn audit(
        &self,
        action: &str,
        record_kind: &str,
        record_id: Option<Uuid>,
        summary: String,
    ) -> NewAudit {
        self.audit_in(self.org.id, action, record_kind, record_id, summary)
    }

    /// An audit entry written in another organization's chain (the change concerns it).
    pub fn audit_in(
        &self,
        org_id: Uuid,
        action: &str,
        record_kind: &str,
        record_id: Option<Uuid>,
        summary: String,
    ) -> NewAudit {
        NewAudit {
            org_id,
            at: self.now,
            actor_id: Some(self.user.id),
            actor: self.user.login.to_string(),
            action: action.into(),
            record_kind: record_kind.into(),
            record_id,
            summary,
            reason: None,
        }
    }

    fn for_user(
        state: &AppState,
        user: User,
        memberships: Vec<Membership>,
        org_id: Uuid,
        session_hash: Option<String>,
    ) -> Result<Ctx, AppError> {
        let Some(m) = memberships
            .iter()
            .find(|m| m.org.id == org_id && m.org.active)
        else {
            return Err(AppError::Redirect("/ente".into()));
        };
        Ok(Ctx {
            org: m.org.clone(),
            role: m.role,
            memberships,
            user,
            session_hash,
            now: state.clock.now(),
        })
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let login =
            <LoginSession as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        if login.session.stage != SessionStage::Active {
            return Err(AppError::Redirect(stage_path(login.session.stage).into()));
        }
        let Some(org_id) = login.session.org_id else {
            return Err(AppError::Redirect("/ente".into()));
        };
        Ctx::for_user(
            state,
            login.user,
            login.memberships,
            org_id,
            Some(login.session.token_hash),
        )
    }
}

/// An API caller authenticated by `Authorization: Bearer <token>`, acting in the token's
/// organization.
pub struct ApiCtx(pub Ctx);

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::LoginRequired)?;
        let t = match state
            .store
            .get_token_by_hash(&hash_token(token.trim()))
            .await
        {
            Ok(t) if t.revoked_at.is_none() => t,
            Ok(_) | Err(StoreError::NotFound) => return Err(AppError::LoginRequired),
            Err(e) => return Err(e.into()),
        };
        let user = state.store.get_user(t.user_id).await?;
        if !user.active {
            return Err(AppError::LoginRequired);
        }
        let memberships = state.store.memberships(user.id).await?;
        let ctx = Ctx::for_user(state, user, memberships, t.org_id, None).map_err(|e| match e {
            AppError::Redirect(_) => AppError::Forbidden,
            other => other,
        })?;
        let stale = t
            .last_used_at
            .is_none_or(|at| ctx.now - at > time::Duration::minutes(1));
        if stale {
            state.store.touch_token(t.id, ctx.now).await?;
        }
        Ok(ApiCtx(ctx))
    }
}

/// Used by the login handlers: the audit entry for an event of `user` with no session yet.
pub fn audit_for(
    user: &User,
    org_id: Uuid,
    now: time::OffsetDateTime,
    action: &str,
    summary: String,
) -> NewAudit {
    NewAudit {
        org_id,
        at: now,
        actor_id: Some(user.id),
        actor: user.login.to_string(),
        action: action.into(),
        record_kind: "user".into(),
        record_id: Some(user.id),
        summary,
        reason: None,
    }
}

/// The organization whose audit chain records a user's own events (login, password, TOTP):
/// the first one they belong to.
pub async fn home_org(store: &Store, user: &User) -> Result<Option<Uuid>, AppError> {
    Ok(store.memberships(user.id).await?.first().map(|m| m.org.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hash_limiter_refuses_beyond_its_permits_and_queue() {
        let limiter = Arc::new(HashLimiter::new(1, 1, Duration::from_secs(600)));
        let held = limiter.acquire().await.unwrap();
        let queued = tokio::spawn({
            let limiter = Arc::clone(&limiter);
            async move { limiter.acquire().await.is_ok() }
        });
        while limiter.waiting() < 1 {
            tokio::task::yield_now().await;
        }
        assert!(
            matches!(limiter.acquire().await, Err(AppError::Busy)),
            "no permit and a full queue: refused at once"
        );
        drop(held);
        assert!(queued.await.unwrap(), "the one waiting gets the permit");
        assert_eq!(limiter.waiting(), 0);
    }

    #[tokio::test]
    async fn a_wait_that_lasts_too_long_is_refused() {
        let limiter = HashLimiter::new(1, 1, Duration::ZERO);
        let _held = limiter.acquire().await.unwrap();
        assert!(matches!(limiter.acquire().await, Err(AppError::Busy)));
        assert_eq!(limiter.waiting(), 0, "the place in the queue is given back");
    }
}
