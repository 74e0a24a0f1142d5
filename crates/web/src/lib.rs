//! Sportello's web layer: the axum router, login and sessions, the operators' pages and the
//! JSON API. It owns no SQL: every read and write goes through the `store` traits.

pub mod assets;
pub mod auth;
pub mod decision;
pub mod error;
pub mod layout;
pub mod mail;
pub mod manage;
mod pages;
mod procedure;
pub mod read_log;
pub mod registry;
pub mod reminders;
mod security;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use security::host_name;

/// The one store the application holds: SQLite or PostgreSQL, chosen by the URL at start-up.
pub type Store = store::Backend<store_sqlite::Db, store_postgres::Db>;

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and applies migrations.
/// `audit_key`, kept outside the database, keys every audit row the store appends.
pub async fn open_store(
    url: &str,
    audit_key: domain::audit::AuditKey,
) -> Result<Store, store::StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(store::Backend::Postgres(
            store_postgres::Db::open(url, 16, audit_key).await?,
        ))
    } else if url.starts_with("sqlite:") {
        if let Some(dir) = sqlite_parent_dir(url) {
            std::fs::create_dir_all(dir).map_err(|e| {
                store::StoreError::Unavailable(format!("cartella del database {dir}: {e}"))
            })?;
        }
        Ok(store::Backend::Sqlite(
            store_sqlite::Db::open(url, audit_key).await?,
        ))
    } else {
        Err(store::StoreError::Unavailable(
            "l'indirizzo del database deve iniziare con sqlite:// o postgres://".into(),
        ))
    }
}

/// The folder of a file database, so that the first start can create `./data` and the audit
/// key can default to a file beside the database.
pub fn sqlite_parent_dir(url: &str) -> Option<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    let dir = std::path::Path::new(path).parent()?.to_str()?;
    (!dir.is_empty()).then_some(dir)
}

/// The names a server listening on a loopback address is reached by.
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Web settings, filled by the binary from its configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Set when Sportello is reached over HTTPS: Secure cookies and HSTS.
    pub tls: bool,
    pub max_body_bytes: usize,
    pub mail: mail::MailConfig,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`auth::client_ip`).
    pub trusted_proxies: Vec<auth::IpNet>,
    /// The host names requests may carry in `Host` (DNS rebinding); by default the loopback
    /// ones, for a server listening on 127.0.0.1.
    pub allowed_hosts: Vec<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            tls: false,
            max_body_bytes: 1024 * 1024,
            mail: mail::MailConfig::default(),
            trusted_proxies: Vec::new(),
            allowed_hosts: LOOPBACK_HOSTS.map(String::from).to_vec(),
        }
    }
}

/// The time, with an offset that tests can move forward (idle and absolute session limits).
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now(&self) -> time::OffsetDateTime {
        let t = time::OffsetDateTime::now_utc()
            + time::Duration::seconds(self.0.load(Ordering::Relaxed));
        domain::audit::truncate_to_micros(t)
    }

    pub fn now_us(&self) -> i64 {
        domain::audit::unix_micros(self.now())
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs() as i64, Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<auth::Throttle>,
    pub clock: Clock,
    pub mailer: mail::Mailer,
    /// Reads of personal data, appended to the audit log in batches.
    pub reads: read_log::ReadLog,
}

impl AppState {
    /// Must be called inside a Tokio runtime (it starts the read log's task).
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            reads: read_log::ReadLog::start(store.clone()),
            store,
            mailer: mail::Mailer::from_config(&config.mail),
            config: Arc::new(config),
            throttle: Arc::default(),
            clock: Clock::default(),
        }
    }
}

/// The whole application: pages, API, static files and the layers every request crosses.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    let tls = state.config.tls;
    let store = state.store.clone();
    let hosts: Arc<[String]> = state
        .config
        .allowed_hosts
        .iter()
        .filter_map(|h| security::host_name(h))
        .collect();
    pages::routes()
        .merge(assets::routes())
        .with_state(state)
        .layer(axum::middleware::from_fn(move |req, next| {
            one_connection(store.clone(), req, next)
        }))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::limit_body(limit, req, next)
        }))
        .layer(axum::middleware::from_fn(security::reject_cross_site))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::check_host(Arc::clone(&hosts), req, next)
        }))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn(move |req, next| {
            security::headers(tls, req, next)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Runs a request with one database connection for its queries (`queries/reader.rs`).
async fn one_connection(
    store: Store,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match &store {
        store::Backend::Sqlite(db) => db.scope(next.run(req)).await,
        store::Backend::Postgres(db) => db.scope(next.run(req)).await,
    }
}

/// Gives the request's connection back while it waits on something slow (a client sending a
/// file, an SMTP server), so that other requests may use it.
pub(crate) async fn idle(store: &Store) {
    match store {
        store::Backend::Sqlite(db) => db.release().await,
        store::Backend::Postgres(db) => db.release().await,
    }
}

/// Serves until Ctrl-C (or SIGTERM), purging expired sessions every few minutes.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    reminders::spawn(state.clone());
    let purge = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(300)).await;
            let now = purge.clock.now_us();
            let idle = now - purge.config.session_idle.as_micros() as i64;
            let absolute = now - purge.config.session_absolute.as_micros() as i64;
            use store::SessionStore;
            if let Err(e) = purge.store.purge_sessions(idle, absolute).await {
                tracing::warn!(error = %e, "session purge failed");
            }
        }
    });
    let reads = state.reads.clone();
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // The reads of the last requests are still queued.
    reads.flush().await;
    served
}

/// Ctrl-C, or SIGTERM (what systemd and container runtimes send to stop a service): either
/// stops the server gracefully, so that the read log is flushed.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM non intercettato");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
