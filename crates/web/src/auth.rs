//! Who is asking: sessions and API tokens, login throttling, and the extractors that give
//! every handler an authenticated [`Ctx`] whose `authorize` it must call. The secrets
//! themselves (hashes, tokens, TOTP) are `app::credentials`.

use crate::AppState;
use crate::error::AppError;
use app::Actor;
use app::credentials::hash_token;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;
use store::{
    LoginFailure, Membership, NewAudit, ServerStore, Session, SessionStage, SessionStore,
    StoreError, TokenStore, User, UserStore,
};
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "sportello_sid";

/// How long an expired session's row stays (the purge removes it later), so that a form
/// posted with it is kept for its account (`pages::kept`).
pub const EXPIRED_SESSION_KEPT: Duration = Duration::from_secs(8 * 3600);

/// Whether the session is past its idle or absolute limit at `now_us`.
pub fn session_expired(cfg: &crate::WebConfig, session: &Session, now_us: i64) -> bool {
    now_us - session.last_seen_us > cfg.session_idle.as_micros() as i64
        || now_us - session.created_us > cfg.session_absolute.as_micros() as i64
}

/// The enrolment QR code as inline SVG (no image crate, no data: URL needed).
pub fn qr_svg(data: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(data.as_bytes())
        .map_err(|e| app::Error::Internal(format!("qr: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}

/// Failed logins, counted in the database (`login_failure`), so that every server behind a
/// load balancer sees the same counts. Nothing here locks an account for everyone: wrong passwords make one login from
/// one address wait, so the owner's right password from elsewhere still gets in.
///
/// - Per login and address: 5 failures free, then a wait of 1 minute after the last one,
///   doubling with each further failure up to 15 minutes.
/// - Per address, any login: the same after 20 failures (one address trying many logins).
/// - Per login, any address: past 100 failures in the window (many addresses guessing one
///   password) each address waits after its first failure; an address with none still tries.
/// - Second-factor codes per login: 5 free, then the same waits; the password step does not
///   reset them.
/// - Links mailed to choose a portal password (local accounts), every request counted: 3 per
///   login and 10 per address free, then the same waits.
///
/// Counts are forgotten 15 minutes after their last failure, or when an administrator lifts
/// them ([`Throttle::lift`]).
#[derive(Clone)]
pub struct Throttle {
    store: app::Store,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair {
        login: String,
        ip: String,
    },
    Account(String),
    Address(String),
    SecondFactor(String),
    /// Links asked for by e-mail for a portal login (local accounts).
    Link(String),
    /// Links asked for by e-mail from one address, any login.
    LinkAddress(String),
}

impl Key {
    fn pair(login: &str, ip: &str) -> Key {
        Key::Pair {
            login: login.into(),
            ip: network(ip),
        }
    }

    fn address(ip: &str) -> Key {
        Key::Address(network(ip))
    }

    /// The key's row in `login_failure`: kind, login, address.
    fn columns(&self) -> (&'static str, &str, &str) {
        match self {
            Key::Pair { login, ip } => ("pair", login, ip),
            Key::Account(login) => ("account", login, ""),
            Key::Address(ip) => ("address", "", ip),
            Key::SecondFactor(login) => ("second_factor", login, ""),
            Key::Link(login) => ("link", login, ""),
            Key::LinkAddress(ip) => ("link_address", "", ip),
        }
    }

    fn from_row(row: &LoginFailure) -> Option<Key> {
        let login = row.login.clone();
        let address = row.address.clone();
        Some(match row.kind.as_str() {
            "pair" => Key::Pair { login, ip: address },
            "account" => Key::Account(login),
            "address" => Key::Address(address),
            "second_factor" => Key::SecondFactor(login),
            "link" => Key::Link(login),
            "link_address" => Key::LinkAddress(address),
            _ => return None,
        })
    }
}

/// What the throttle counts as one address: an IPv4 address, or an IPv6 client's /64 (the
/// least a network hands one subscriber, who could otherwise try from a new address each time).
fn network(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let masked = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", std::net::Ipv6Addr::from(masked))
        }
        _ => ip.to_owned(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last_us: i64,
}

pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
pub const FREE_FAILURES_PER_PAIR: u32 = 5;
pub const FREE_FAILURES_PER_ADDRESS: u32 = 20;
pub const ACCOUNT_CEILING: u32 = 100;
pub const FREE_SECOND_FACTOR_FAILURES: u32 = 5;
/// Links mailed for one portal login before each further one waits.
pub const FREE_LINKS_PER_LOGIN: u32 = 3;
/// Links asked for from one address, any login, before each further one waits.
pub const FREE_LINKS_PER_ADDRESS: u32 = 10;
const FIRST_WAIT: Duration = Duration::from_secs(60);

/// The wait after `count` failures of which the first `free` cost nothing.
fn backoff(count: u32, free: u32) -> Option<Duration> {
    let beyond = count.checked_sub(free)?;
    Some(
        FIRST_WAIT
            .saturating_mul(1 << beyond.min(4))
            .min(THROTTLE_WINDOW),
    )
}

/// One counter shown to an administrator.
#[derive(Debug, Clone)]
pub struct ThrottleEntry {
    /// What is counted, in Italian: «password da 10.1.2.3», «codice di verifica», ….
    pub what: String,
    pub failures: u32,
    /// The wait still to run, if any.
    pub wait: Option<Duration>,
}

impl ThrottleEntry {
    pub fn wait_text(&self) -> String {
        self.wait.map_or_else(|| "nessuna attesa".into(), wait_text)
    }
}

/// «1 minuto», «4 minuti»: a wait rounded up to the minute.
pub fn wait_text(wait: Duration) -> String {
    match wait.as_secs().div_ceil(60).max(1) {
        1 => "1 minuto".into(),
        n => format!("{n} minuti"),
    }
}

type FailureMap = HashMap<Key, Failures>;

fn to_map(rows: &[LoginFailure]) -> FailureMap {
    rows.iter()
        .filter_map(|row| {
            let failures = Failures {
                count: u32::try_from(row.failures).unwrap_or(u32::MAX),
                last_us: row.last_us,
            };
            Some((Key::from_row(row)?, failures))
        })
        .collect()
}

impl Throttle {
    pub fn new(store: app::Store) -> Self {
        Self { store }
    }

    fn window_us() -> i64 {
        THROTTLE_WINDOW.as_micros() as i64
    }

    /// The counters that bear on `login` from `ip`, still in their window.
    async fn map_for(&self, login: &str, ip: &str, now_us: i64) -> Result<FailureMap, StoreError> {
        let rows = self
            .store
            .login_failures_for(login, &network(ip), now_us - Self::window_us())
            .await?;
        Ok(to_map(&rows))
    }

    /// Every counter of `login`, still in its window.
    async fn map_of(&self, login: &str, now_us: i64) -> Result<FailureMap, StoreError> {
        let rows = self
            .store
            .login_failures_of(login, now_us - Self::window_us())
            .await?;
        Ok(to_map(&rows))
    }

    fn count(map: &FailureMap, key: &Key, now_us: i64) -> u32 {
        map.get(key)
            .filter(|f| now_us - f.last_us < Self::window_us())
            .map_or(0, |f| f.count)
    }

    /// The wait still to run for `key` with `free` failures allowed.
    fn wait(map: &FailureMap, key: &Key, free: u32, now_us: i64) -> Option<Duration> {
        let f = map.get(key)?;
        let until = f.last_us + backoff(Self::count(map, key, now_us), free)?.as_micros() as i64;
        (until > now_us).then(|| Duration::from_micros((until - now_us) as u64))
    }

    async fn failed(
        &self,
        keys: impl IntoIterator<Item = Key>,
        now_us: i64,
    ) -> Result<(), StoreError> {
        for key in keys {
            let (kind, login, address) = key.columns();
            self.store
                .add_login_failure(kind, login, address, now_us, now_us - Self::window_us())
                .await?;
        }
        Ok(())
    }

    async fn forget(&self, key: Key) -> Result<(), StoreError> {
        let (kind, login, address) = key.columns();
        self.store.delete_login_failure(kind, login, address).await
    }

    /// How long a password for `login` from `ip` must wait, if at all.
    pub async fn password_wait(
        &self,
        login: &str,
        ip: &str,
        now_us: i64,
    ) -> Result<Option<Duration>, StoreError> {
        let map = self.map_for(login, ip, now_us).await?;
        let address = Key::address(ip);
        Ok(Self::pair_wait(&map, login, ip, now_us).max(Self::wait(
            &map,
            &address,
            FREE_FAILURES_PER_ADDRESS,
            now_us,
        )))
    }

    pub async fn password_failed(
        &self,
        login: &str,
        ip: &str,
        now_us: i64,
    ) -> Result<(), StoreError> {
        self.failed(
            [
                Key::pair(login, ip),
                Key::Account(login.into()),
                Key::address(ip),
            ],
            now_us,
        )
        .await
    }

    /// The right password clears its own address's count for the login, nothing else: an
    /// attacker's other addresses, and the login's total, keep theirs.
    pub async fn password_succeeded(&self, login: &str, ip: &str) -> Result<(), StoreError> {
        self.forget(Key::pair(login, ip)).await
    }

    pub async fn second_factor_wait(
        &self,
        login: &str,
        now_us: i64,
    ) -> Result<Option<Duration>, StoreError> {
        let map = self.map_of(login, now_us).await?;
        let key = Key::SecondFactor(login.into());
        Ok(Self::wait(&map, &key, FREE_SECOND_FACTOR_FAILURES, now_us))
    }

    pub async fn second_factor_failed(&self, login: &str, now_us: i64) -> Result<(), StoreError> {
        self.failed([Key::SecondFactor(login.into())], now_us).await
    }

    pub async fn second_factor_succeeded(&self, login: &str) -> Result<(), StoreError> {
        self.forget(Key::SecondFactor(login.into())).await
    }

    /// How long a request for a link to choose a portal password for `login` from `ip` must
    /// wait, if at all. Every request counts, whatever it found ([`Throttle::link_requested`]),
    /// so a wait says nothing about the registry, and nobody can fill a mailbox with links.
    pub async fn link_wait(
        &self,
        login: &str,
        ip: &str,
        now_us: i64,
    ) -> Result<Option<Duration>, StoreError> {
        let map = self.map_for(login, ip, now_us).await?;
        Ok(
            Self::wait(&map, &Key::Link(login.into()), FREE_LINKS_PER_LOGIN, now_us).max(
                Self::wait(
                    &map,
                    &Key::LinkAddress(network(ip)),
                    FREE_LINKS_PER_ADDRESS,
                    now_us,
                ),
            ),
        )
    }

    pub async fn link_requested(
        &self,
        login: &str,
        ip: &str,
        now_us: i64,
    ) -> Result<(), StoreError> {
        self.failed(
            [Key::Link(login.into()), Key::LinkAddress(network(ip))],
            now_us,
        )
        .await
    }

    /// The counters of `login` still in their window, for its administrator.
    pub async fn entries(
        &self,
        login: &str,
        now_us: i64,
    ) -> Result<Vec<ThrottleEntry>, StoreError> {
        let map = self.map_of(login, now_us).await?;
        let mut entries: Vec<ThrottleEntry> = map
            .iter()
            .filter(|(_, f)| now_us - f.last_us < Self::window_us())
            .filter_map(|(key, f)| {
                let (what, wait) = match key {
                    Key::Pair { login: l, ip } if l == login => (
                        format!("password errate da {ip}"),
                        Self::pair_wait(&map, login, ip, now_us),
                    ),
                    Key::Account(l) if l == login => (
                        format!("password errate da ogni indirizzo (oltre {ACCOUNT_CEILING} ogni indirizzo attende dopo un errore)"),
                        None,
                    ),
                    Key::SecondFactor(l) if l == login => (
                        "codici di verifica errati".into(),
                        Self::wait(&map, key, FREE_SECOND_FACTOR_FAILURES, now_us),
                    ),
                    Key::Link(l) if l == login => (
                        "collegamenti per la password del portale richiesti".into(),
                        Self::wait(&map, key, FREE_LINKS_PER_LOGIN, now_us),
                    ),
                    _ => return None,
                };
                Some(ThrottleEntry {
                    what,
                    failures: f.count,
                    wait,
                })
            })
            .collect();
        entries.sort_by(|a, b| a.what.cmp(&b.what));
        Ok(entries)
    }

    /// A login's wait from one address: after 5 failures, or after 1 once the login's total
    /// passed the ceiling.
    fn pair_wait(map: &FailureMap, login: &str, ip: &str, now_us: i64) -> Option<Duration> {
        let free = if Self::count(map, &Key::Account(login.into()), now_us) >= ACCOUNT_CEILING {
            1
        } else {
            FREE_FAILURES_PER_PAIR
        };
        Self::wait(map, &Key::pair(login, ip), free, now_us)
    }

    /// Forgets every counter of `login` (an administrator's decision); returns how many.
    pub async fn lift(&self, login: &str) -> Result<u64, StoreError> {
        self.store.delete_login_failures_of(login).await
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

/// A network in CIDR notation (`10.0.0.0/8`, `::1/128`) or one address, for the trusted
/// proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(text: &str) -> Result<IpNet, String> {
        let text = text.trim();
        let bad = || format!("«{text}» non è un indirizzo IP né una rete come 10.0.0.0/8");
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr = addr.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The client's address for throttling and the session list: the connection's peer, or, when
/// the peer is a trusted proxy, the rightmost address of `X-Forwarded-For` that is not one
/// (each proxy appends the peer it saw; what lies left of the first untrusted one may be
/// forged by the client). An unreadable entry ends the walk at the last address believed.
pub fn client_ip(parts: &Parts, trusted: &[IpNet]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
    else {
        return "sconosciuto".to_owned();
    };
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer.to_string();
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .flat_map(|v| v.to_str().unwrap_or("?").rsplit(',').map(str::trim));
    let mut client = peer;
    for hop in forwarded {
        let parsed = hop
            .parse::<IpAddr>()
            .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()));
        let Ok(ip) = parsed else { break };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client.to_string()
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
        // A portal session is a citizen's: it never opens the office.
        let Some(token) = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|t| !t.starts_with(crate::portale::PORTAL_TOKEN_PREFIX))
        else {
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
        // Left for the purge: a form posted with it is kept for its account.
        if session_expired(cfg, &session, now) {
            return Ok(None);
        }
        if !user.active {
            state.store.delete_session(&hash).await?;
            return Ok(None);
        }
        touch_if_due(state, &session, now).await?;
        Ok(Some(LoginSession {
            session,
            user,
            memberships,
        }))
    }
}

/// Records a session's activity at `now_us`, at most once a minute, so that page views do not
/// all turn into writes; with a short idle limit, often enough that an active session never
/// looks idle (at a quarter of the limit). The office's and the portal's sessions alike.
pub async fn touch_if_due(
    state: &AppState,
    session: &Session,
    now_us: i64,
) -> Result<(), AppError> {
    let every = (state.config.session_idle.as_micros() as i64 / 4).min(60_000_000);
    if now_us - session.last_seen_us > every {
        state
            .store
            .touch_session(&session.token_hash, now_us)
            .await?;
    }
    Ok(())
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

/// A fully authenticated operator acting inside one organization: the [`Actor`] (every
/// handler that reads or changes data calls its `authorize` before doing so) and what the
/// session adds.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    /// The operator's account (the actor's identity, with what the pages show of it).
    pub user: User,
    /// Every organization the user belongs to (the organization switch).
    pub memberships: Vec<Membership>,
    /// The session's token hash (browser) or `None` (API token).
    pub session_hash: Option<String>,
    /// How long the session lasts without a request (browser only): the pages warn before.
    pub session_idle: Option<Duration>,
}

impl std::ops::Deref for Ctx {
    type Target = Actor;
    fn deref(&self) -> &Actor {
        &self.actor
    }
}

impl Ctx {
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
            actor: Actor::user(&user, m.org.clone(), m.role, state.clock.now()),
            user,
            memberships,
            session_idle: session_hash.as_ref().map(|_| state.config.session_idle),
            session_hash,
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
            Ok(t) if t.usable(state.clock.now()) => t,
            Ok(_) | Err(StoreError::NotFound) => return Err(AppError::LoginRequired),
            Err(e) => return Err(e.into()),
        };
        let user = state.store.get_user(t.user_id).await?;
        if !user.active {
            return Err(AppError::LoginRequired);
        }
        let memberships = state.store.memberships(user.id).await?;
        let ctx = Ctx::for_user(state, user, memberships, t.org_id, None).map_err(|e| match e {
            AppError::Redirect(_) => AppError::App(app::Error::Forbidden),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_contain_their_addresses_only() {
        let net = IpNet::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.200.3.4".parse().unwrap()));
        assert!(
            net.contains("::ffff:10.0.0.1".parse().unwrap()),
            "IPv4 seen as IPv6"
        );
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(!net.contains("::1".parse().unwrap()));
        let one = IpNet::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()) && !one.contains("::2".parse().unwrap()));
        assert!(
            IpNet::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "rete",
            "::1/129",
            "1.2.3.4/x",
        ] {
            assert!(IpNet::parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn an_ipv6_client_counts_as_its_64_network() {
        let store = app::open_store("sqlite::memory:", store::conformance::test_key())
            .await
            .unwrap();
        let t = Throttle::new(store);
        for i in 0..5 {
            t.password_failed("mario", &format!("2001:db8:1:2::{i}"), 0)
                .await
                .unwrap();
        }
        assert!(
            t.password_wait("mario", "2001:db8:1:2:ffff::9", 1)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            t.password_wait("mario", "2001:db8:1:3::1", 1)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(network("10.1.2.3"), "10.1.2.3");
        assert_eq!(network("::ffff:10.1.2.3"), "::ffff:10.1.2.3");
    }

    #[test]
    fn the_wait_doubles_from_one_minute_up_to_the_window() {
        let minutes = |count| backoff(count, 5).map(|d| d.as_secs() / 60);
        assert_eq!(
            [4, 5, 6, 7, 8, 9, 30].map(minutes),
            [None, Some(1), Some(2), Some(4), Some(8), Some(15), Some(15)]
        );
    }
}
