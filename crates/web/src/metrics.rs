//! The Prometheus metrics (`GET /metrics`, text exposition format 0.0.4): request latency by
//! route template and status class (this server's, since it started), the database pools
//! (this server's), and the background jobs' runs (every server's, from `job_run`). Never
//! public: the route answers 404 until `[metrics]` gives a token or addresses, then only to
//! the bearer of the token and from those addresses.

use crate::AppState;
use crate::auth::IpNet;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;
use store::{HealthStore, ServerStore};

/// Who may read the metrics. Both empty (the default): nobody, the route answers 404.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// The bearer token the scraper sends (`Authorization: Bearer …`).
    pub token: Option<String>,
    /// The addresses (or networks) the scraper connects from.
    pub allowed: Vec<IpNet>,
}

impl MetricsConfig {
    pub fn enabled(&self) -> bool {
        self.token.is_some() || !self.allowed.is_empty()
    }
}

/// A pool gauge: its name, its help, its value for one pool.
type PoolGauge = (&'static str, &'static str, fn(&store::PoolUse) -> u64);

/// The latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at or under each bucket's bound (not cumulative; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// This server's request latencies, by method, route template and status class.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, &'static str), Histogram>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: StatusCode, seconds: f64) {
        let class = match status.as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let mut map = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let h = map
            .entry((method.to_owned(), route.to_owned(), class))
            .or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
        h.count += 1;
        h.sum += seconds;
    }

    fn write(&self, out: &mut String) {
        let map = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        out.push_str("# HELP sportello_http_request_duration_seconds Time to answer a request, by route template and status class.\n");
        out.push_str("# TYPE sportello_http_request_duration_seconds histogram\n");
        for ((method, route, class), h) in &map {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{class}\"",
                escape(method),
                escape(route)
            );
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "sportello_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "sportello_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "sportello_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "sportello_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

/// A label value as the exposition format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Times every request, under the route template it matched (`/persone/{id}`, never the
/// path with its ids) or `altro` for none.
pub async fn time_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "altro".to_owned(), |m| m.as_str().to_owned());
    let response = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        response.status(),
        started.elapsed().as_secs_f64(),
    );
    response
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Whether `token` is the configured one (compared in constant time).
fn token_matches(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn metrics(State(state): State<AppState>, parts: axum::http::request::Parts) -> Response {
    let cfg = &state.config.metrics;
    if !cfg.enabled() {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !cfg.allowed.is_empty() {
        let ip = crate::auth::client_ip(&parts, &state.config.trusted_proxies);
        let allowed = ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| cfg.allowed.iter().any(|net| net.contains(ip)));
        if !allowed {
            return (
                StatusCode::FORBIDDEN,
                "indirizzo non ammesso alle metriche\n",
            )
                .into_response();
        }
    }
    if let Some(token) = &cfg.token {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !token_matches(token, given.trim()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
                "token mancante o errato\n",
            )
                .into_response();
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP sportello_build_info The running version.\n# TYPE sportello_build_info gauge\nsportello_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    state.metrics.write(&mut out);
    let pools = match &state.store {
        store::Backend::Sqlite(db) => db.pool_use(),
        store::Backend::Postgres(db) => db.pool_use(),
    };
    let gauges: [PoolGauge; 3] = [
        (
            "sportello_db_pool_connections",
            "Connections open in each database pool of this server.",
            |p| u64::from(p.size),
        ),
        (
            "sportello_db_pool_idle_connections",
            "Idle connections in each database pool of this server.",
            |p| p.idle as u64,
        ),
        (
            "sportello_db_pool_max_connections",
            "The most connections each pool opens.",
            |p| u64::from(p.max),
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for p in &pools {
            let _ = writeln!(out, "{name}{{pool=\"{}\"}} {}", p.name, value(p));
        }
    }
    let up = u8::from(state.store.ping().await.is_ok());
    let _ = writeln!(
        out,
        "# HELP sportello_db_up Whether the database answered.\n# TYPE sportello_db_up gauge\nsportello_db_up {up}"
    );
    match state.store.job_summaries().await {
        Ok(jobs) => {
            out.push_str("# HELP sportello_job_runs_total Runs of each background job on any server (last 30 days).\n# TYPE sportello_job_runs_total counter\n");
            for j in &jobs {
                let _ = writeln!(
                    out,
                    "sportello_job_runs_total{{job=\"{}\"}} {}",
                    escape(&j.job),
                    j.runs
                );
            }
            out.push_str("# HELP sportello_job_failures_total Runs of each background job that failed (last 30 days).\n# TYPE sportello_job_failures_total counter\n");
            for j in &jobs {
                let _ = writeln!(
                    out,
                    "sportello_job_failures_total{{job=\"{}\"}} {}",
                    escape(&j.job),
                    j.failures
                );
            }
            out.push_str("# HELP sportello_job_last_success_timestamp_seconds When the last successful run of each job ended (Unix time).\n# TYPE sportello_job_last_success_timestamp_seconds gauge\n");
            for j in &jobs {
                if let Some(us) = j.last_success_us {
                    let _ = writeln!(
                        out,
                        "sportello_job_last_success_timestamp_seconds{{job=\"{}\"}} {}",
                        escape(&j.job),
                        us / 1_000_000
                    );
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "metriche dei lavori non lette"),
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_add_up_and_labels_are_escaped() {
        let m = Metrics::default();
        m.observe("GET", "/persone/{id}", StatusCode::OK, 0.003);
        m.observe("GET", "/persone/{id}", StatusCode::OK, 0.2);
        m.observe("GET", "/persone/{id}", StatusCode::NOT_FOUND, 40.0);
        let mut out = String::new();
        m.write(&mut out);
        assert!(
            out.contains("route=\"/persone/{id}\",status=\"2xx\",le=\"0.005\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("route=\"/persone/{id}\",status=\"2xx\",le=\"0.25\"} 2\n"),
            "{out}"
        );
        assert!(out.contains("status=\"4xx\",le=\"30\"} 0\n"), "{out}");
        assert!(out.contains("status=\"4xx\",le=\"+Inf\"} 1\n"), "{out}");
        assert_eq!(escape("a\"b\\"), "a\\\"b\\\\");
        assert!(
            token_matches("abc", "abc")
                && !token_matches("abc", "abd")
                && !token_matches("abc", "")
        );
    }
}
