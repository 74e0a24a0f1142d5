//! Who is asking: password hashing, session and API tokens, TOTP, login throttling, and the
//! extractors that give every handler an authenticated [`Ctx`] whose `authorize` it must call.

use crate::error::AppError;
use crate::{AppState, Store};
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Block, Params, Version};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use domain::policy::{Action, Actor, RecordScope, decide};
use domain::{OrgKind, Role};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
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
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    HASHING
        .run(move |memory| {
            let (algorithm, version) = (Algorithm::Argon2id, Version::V0x13);
            argon2_phc(
                password.as_bytes(),
                &salt,
                algorithm,
                version,
                Params::default(),
                memory,
            )
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
        .run(move |memory| verify_with(password.as_bytes(), &hash, memory))
        .await?;
    Ok(ok && known)
}

/// Whether `password` matches the PHC string `stored`, computed in `memory`.
fn verify_with(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(stored) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
        return false;
    };
    let version = stored.version.unwrap_or(u32::from(Version::default()));
    let (Ok(algorithm), Ok(version), Ok(params)) = (
        Algorithm::try_from(stored.algorithm.as_str()),
        Version::try_from(version),
        Params::try_from(&stored),
    ) else {
        return false;
    };
    // `Output`'s equality is constant-time.
    argon2_phc(password, salt.as_ref(), algorithm, version, params, memory)
        .is_ok_and(|computed| computed.hash.as_ref() == Some(expected))
}

/// Argon2 of `password` as a PHC hash, computed in `memory`: grown to the parameters' size
/// once and kept for the next hash, so the allocator is not asked for 19 MiB per login.
fn argon2_phc(
    password: &[u8],
    salt: &[u8],
    algorithm: Algorithm,
    version: Version,
    params: Params,
    memory: &mut Vec<Block>,
) -> Result<PasswordHash, String> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    argon2::Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..blocks])
        .map_err(|e| e.to_string())?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    })
}

/// The one limiter every password hash of the process goes through.
static HASHING: std::sync::LazyLock<HashLimiter> =
    std::sync::LazyLock::new(HashLimiter::for_this_machine);

/// Bounds the Argon2 hashes running at once, each of which holds 19 MiB: one per core (more
/// would only share the cores), a queue of [`HashLimiter::WAITING_PER_PERMIT`] per core, and
/// at most [`HashLimiter::MAX_WAIT`] in it. Beyond that a login is answered 503 at once
/// instead of taking memory. The work memory is kept for reuse, one area per permit at most,
/// so the process holds at most cores × 19 MiB for hashing, however many logins come.
pub struct HashLimiter {
    permits: Arc<Semaphore>,
    /// Work areas not in use; a permit holder takes one (or makes one) and puts it back.
    memory: Mutex<Vec<Vec<Block>>>,
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
            memory: Mutex::new(Vec::new()),
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

    /// Runs `work` on a blocking thread with a permit and a work area, both held until the
    /// work ends even if the request that asked for it is dropped meanwhile. The area goes
    /// back before the permit, so there are never more areas than permits.
    async fn run<T: Send + 'static>(
        &'static self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self.acquire().await?;
        let mut memory = self.spare_memory().pop().unwrap_or_default();
        tokio::task::spawn_blocking(move || {
            let out = work(&mut memory);
            self.spare_memory().push(memory);
            drop(permit);
            out
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    fn spare_memory(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
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

/// Failed logins, in memory (per process: several instances would keep them in the
/// database). Nothing here locks an account for everyone: wrong passwords make one login from
/// one address wait, so the owner's right password from elsewhere still gets in.
///
/// - Per login and address: 5 failures free, then a wait of 1 minute after the last one,
///   doubling with each further failure up to 15 minutes.
/// - Per address, any login: the same after 20 failures (one address trying many logins).
/// - Per login, any address: past 100 failures in the window (many addresses guessing one
///   password) each address waits after its first failure; an address with none still tries.
/// - Second-factor codes per login: 5 free, then the same waits; the password step does not
///   reset them.
///
/// Counts are forgotten 15 minutes after their last failure, or when an administrator lifts
/// them ([`Throttle::lift`]).
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<Key, Failures>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair { login: String, ip: String },
    Account(String),
    Address(String),
    SecondFactor(String),
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

impl Throttle {
    fn map(&self) -> std::sync::MutexGuard<'_, FailureMap> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn window_us() -> i64 {
        THROTTLE_WINDOW.as_micros() as i64
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

    fn failed(&self, keys: impl IntoIterator<Item = Key>, now_us: i64) {
        let mut map = self.map();
        // Old entries go when the map grows, so a flood of logins cannot grow it forever.
        if map.len() > 100_000 {
            map.retain(|_, f| now_us - f.last_us < Self::window_us());
        }
        for key in keys {
            let count = Self::count(&map, &key, now_us) + 1;
            map.insert(
                key,
                Failures {
                    count,
                    last_us: now_us,
                },
            );
        }
    }

    /// How long a password for `login` from `ip` must wait, if at all.
    pub fn password_wait(&self, login: &str, ip: &str, now_us: i64) -> Option<Duration> {
        let map = self.map();
        let address = Key::address(ip);
        Self::pair_wait(&map, login, ip, now_us).max(Self::wait(
            &map,
            &address,
            FREE_FAILURES_PER_ADDRESS,
            now_us,
        ))
    }

    pub fn password_failed(&self, login: &str, ip: &str, now_us: i64) {
        self.failed(
            [
                Key::pair(login, ip),
                Key::Account(login.into()),
                Key::address(ip),
            ],
            now_us,
        );
    }

    /// The right password clears its own address's count for the login, nothing else: an
    /// attacker's other addresses, and the login's total, keep theirs.
    pub fn password_succeeded(&self, login: &str, ip: &str) {
        self.map().remove(&Key::pair(login, ip));
    }

    pub fn second_factor_wait(&self, login: &str, now_us: i64) -> Option<Duration> {
        let key = Key::SecondFactor(login.into());
        Self::wait(&self.map(), &key, FREE_SECOND_FACTOR_FAILURES, now_us)
    }

    pub fn second_factor_failed(&self, login: &str, now_us: i64) {
        self.failed([Key::SecondFactor(login.into())], now_us);
    }

    pub fn second_factor_succeeded(&self, login: &str) {
        self.map().remove(&Key::SecondFactor(login.into()));
    }

    /// The counters of `login` still in their window, for its administrator.
    pub fn entries(&self, login: &str, now_us: i64) -> Vec<ThrottleEntry> {
        let map = self.map();
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
        entries
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
    pub fn lift(&self, login: &str) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|key, _| match key {
            Key::Pair { login: l, .. } | Key::Account(l) | Key::SecondFactor(l) => l != login,
            Key::Address(_) => true,
        });
        before - map.len()
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
        // Activity is recorded at most once a minute, so that page views do not all turn into
        // writes; with a short idle limit, often enough that an active session never looks
        // idle (at a quarter of the limit).
        let every = (cfg.session_idle.as_micros() as i64 / 4).min(60_000_000);
        if now - session.last_seen_us > every {
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

    #[test]
    fn an_ipv6_client_counts_as_its_64_network() {
        let t = Throttle::default();
        for i in 0..5 {
            t.password_failed("mario", &format!("2001:db8:1:2::{i}"), 0);
        }
        assert!(
            t.password_wait("mario", "2001:db8:1:2:ffff::9", 1)
                .is_some()
        );
        assert!(t.password_wait("mario", "2001:db8:1:3::1", 1).is_none());
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

    #[tokio::test]
    async fn hashes_verify_both_ways_with_the_crates_own() {
        use argon2::password_hash::PasswordVerifier;
        let phrase = "una frase di prova";
        let ours = hash_password(phrase.into()).await.unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        assert!(
            verify_password(phrase.into(), Some(ours.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("un'altra".into(), Some(ours.clone()))
                .await
                .unwrap()
        );
        let argon = argon2::Argon2::default();
        assert!(
            argon
                .verify_password(phrase.as_bytes(), ours.as_str())
                .is_ok()
        );
        let theirs = argon.hash_password(phrase.as_bytes()).unwrap().to_string();
        assert!(verify_password(phrase.into(), Some(theirs)).await.unwrap());
        assert!(
            !verify_password(phrase.into(), Some("non è un hash".into()))
                .await
                .unwrap()
        );
        assert!(!verify_password(phrase.into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn a_wait_that_lasts_too_long_is_refused() {
        let limiter = HashLimiter::new(1, 1, Duration::ZERO);
        let _held = limiter.acquire().await.unwrap();
        assert!(matches!(limiter.acquire().await, Err(AppError::Busy)));
        assert_eq!(limiter.waiting(), 0, "the place in the queue is given back");
    }
}
