//! Sportello's web layer: the axum router, login and sessions, the operators' pages and the
//! JSON API. It owns no SQL: every read and write goes through the `store` traits.

pub mod assets;
pub mod auth;
pub mod error;
pub mod layout;
pub mod metrics;
mod pages;
mod paths;
pub mod portale;
mod security;
pub mod waas;

use app::Services;
use app::mail::MailConfig;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use security::host_name;

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
    pub mail: MailConfig,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`auth::client_ip`).
    pub trusted_proxies: Vec<auth::IpNet>,
    /// The host names requests may carry in `Host` (DNS rebinding); by default the loopback
    /// ones, for a server listening on 127.0.0.1.
    pub allowed_hosts: Vec<String>,
    /// Citizens may also sign in to the portal with codice fiscale and password, chosen
    /// through a link mailed to the address the office recorded (`app::portal_local`). Off by
    /// default: the pages answer 404 and the sign-in shows no such form.
    pub portal_local_accounts: bool,
    /// The WaaS API for INPS (`waas`); `None` until configured (the routes answer 404).
    pub waas: Option<waas::WaasConfig>,
    /// Who may read `/metrics`; nobody by default (the route answers 404).
    pub metrics: metrics::MetricsConfig,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            tls: false,
            max_body_bytes: 1024 * 1024,
            mail: MailConfig::default(),
            trusted_proxies: Vec::new(),
            allowed_hosts: LOOPBACK_HOSTS.map(String::from).to_vec(),
            portal_local_accounts: false,
            waas: None,
            metrics: metrics::MetricsConfig::default(),
        }
    }
}

/// What a handler works with: the services and the web's own settings and login throttle.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<auth::Throttle>,
    /// The portal's SPID/CIE relying party; `None` until configured (no sign-in buttons).
    pub oidc: Option<Arc<oidc::RelyingParty>>,
    /// The portal's sign-ins under way.
    pub pending: Arc<portale::PendingLogins>,
    /// The WaaS API's calls per client this minute.
    pub waas_limiter: Arc<waas::RateLimiter>,
    /// This server's request latencies (`/metrics`).
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// Must be called inside a Tokio runtime (it starts the read log's task).
    pub fn new(store: app::Store, config: WebConfig) -> Self {
        Self {
            throttle: Arc::new(auth::Throttle::new(store.clone())),
            pending: Arc::new(portale::PendingLogins::new(store.clone())),
            services: Services::new(store, &config.mail),
            config: Arc::new(config),
            oidc: None,
            waas_limiter: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// The same, with citizens signing in to the portal through `rp`.
    pub fn with_oidc(self, rp: oidc::RelyingParty) -> Self {
        Self {
            oidc: Some(Arc::new(rp)),
            ..self
        }
    }
}

/// Handlers reach the store, clock, mailer and read log as `state.store`, … and pass `&state`
/// where a service asks for `&Services`.
impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.services
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Services {
        &mut self.services
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
    let keeper = state.clone();
    let flashes = state.clone();
    let timer = state.clone();
    pages::routes()
        .merge(portale::routes())
        .layer(axum::middleware::from_fn_with_state(
            flashes,
            layout::share_flash,
        ))
        .merge(assets::routes())
        .layer(axum::middleware::from_fn_with_state(
            keeper,
            pages::keep_expired_post,
        ))
        .merge(waas::routes())
        .merge(metrics::routes())
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
        .layer(axum::middleware::from_fn_with_state(
            timer,
            metrics::time_requests,
        ))
}

/// Runs a request with one database connection for its queries (`queries/reader.rs`).
async fn one_connection(
    store: app::Store,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match &store {
        store::Backend::Sqlite(db) => db.scope(next.run(req)).await,
        store::Backend::Postgres(db) => db.scope(next.run(req)).await,
    }
}

/// Serves until Ctrl-C (or SIGTERM), purging expired sessions every few minutes.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    app::reminders::spawn(state.services.clone());
    app::siuss_exchange::spawn(state.services.clone());
    app::stats::spawn(state.services.clone());
    let purge = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(300)).await;
            let now = purge.clock.now_us();
            // An expired session stays a while, so that a form posted with it is kept.
            let kept = auth::EXPIRED_SESSION_KEPT.as_micros() as i64;
            let idle = now - purge.config.session_idle.as_micros() as i64 - kept;
            let absolute = now - purge.config.session_absolute.as_micros() as i64 - kept;
            use store::{ServerStore, SessionStore};
            if let Err(e) = purge.store.purge_sessions(idle, absolute, now).await {
                tracing::warn!(error = %e, "session purge failed");
            }
            // Login counters, messages and sign-ins past any window; job runs after a month.
            let hour = 3600 * 1_000_000;
            if let Err(e) = purge.store.purge_server_state(now - hour).await {
                tracing::warn!(error = %e, "purge of the servers' shared state failed");
            }
            let kept = app::jobs::KEPT.as_micros() as i64;
            if let Err(e) = purge.store.purge_job_runs(now - kept).await {
                tracing::warn!(error = %e, "purge of the job runs failed");
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
