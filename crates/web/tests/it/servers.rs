//! Two servers on one database (issue 27, item 2): two `AppState`s, each with its own store
//! handle (its own pool) on the same SQLite file or PostgreSQL database, as two processes
//! behind a load balancer would have. What one server counts or leaves for the next page,
//! the other sees; a background job's period runs on one of them.

use crate::support::{ADMIN_PASSWORD, Client};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::time::Duration;
use store::{ServerStore, UserStore};
use web::{AppState, WebConfig};

const METRICS_TOKEN: &str = "prova-delle-metriche-0123456789";

/// Two servers on one SQLite file.
async fn on_sqlite() -> (AppState, AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sportello.db", dir.path().display());
    let (a, b) = two(&url).await;
    (a, b, dir)
}

/// Two servers on one PostgreSQL database, or `None` without SPORTELLO_TEST_POSTGRES_URL.
async fn on_postgres() -> Option<(AppState, AppState)> {
    let url = store_postgres::testing::fresh_url().await?;
    Some(two(&url).await)
}

async fn two(url: &str) -> (AppState, AppState) {
    let config = WebConfig {
        metrics: web::metrics::MetricsConfig {
            token: Some(METRICS_TOKEN.into()),
            allowed: Vec::new(),
        },
        ..WebConfig::default()
    };
    let first = app::open_store(url, store::conformance::test_key())
        .await
        .unwrap();
    let a = AppState::new(first, config.clone());
    app::manage::bootstrap(&a.store, a.clock.now(), Some(ADMIN_PASSWORD.into()))
        .await
        .unwrap();
    // The second starts on the migrated database, as a second process would.
    let second = app::open_store(url, store::conformance::test_key())
        .await
        .unwrap();
    let b = AppState::new(second, config);
    (a, b)
}

macro_rules! on_two {
    ($($name:ident),* $(,)?) => {
        mod sqlite_two {
            $(#[tokio::test]
            async fn $name() {
                let (a, b, _dir) = super::on_sqlite().await;
                super::$name(a, b).await
            })*
        }
        mod postgres_two {
            $(#[tokio::test]
            async fn $name() {
                if let Some((a, b)) = super::on_postgres().await {
                    super::$name(a, b).await
                }
            })*
        }
    };
}

on_two!(
    the_login_throttle_counts_on_both_servers,
    a_message_set_on_one_server_shows_on_the_other,
    a_portal_sign_in_started_on_one_server_ends_on_the_other,
    each_period_of_a_job_runs_on_one_server,
    the_metrics_need_the_token_and_show_routes_pools_and_jobs,
);

async fn the_login_throttle_counts_on_both_servers(a: AppState, b: AppState) {
    let mut c = Client::new(&a);
    // Five wrong passwords, alternating between the servers: the free ones of the login
    // from this address are used up on both together.
    for i in 0..5 {
        c.state = if i % 2 == 0 { a.clone() } else { b.clone() };
        let r = c
            .post("/login", &[("login", "admin"), ("password", "sbagliata")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            r.body
        );
    }
    for server in [&a, &b] {
        c.state = server.clone();
        let r = c
            .post(
                "/login",
                &[("login", "admin"), ("password", ADMIN_PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.body.contains("riprova tra 1 minuto"), "{}", r.body);
    }
    // The wait runs out on both, and the right password gets in on the other server.
    a.clock.advance(Duration::from_secs(61));
    b.clock.advance(Duration::from_secs(61));
    c.state = b.clone();
    let r = c
        .post(
            "/login",
            &[("login", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Past the window the counters go with the purge.
    let now = a.clock.now_us();
    assert!(
        !a.store
            .login_failures_of("admin", now - 3_600_000_000)
            .await
            .unwrap()
            .is_empty()
    );
    a.store.purge_server_state(now + 1).await.unwrap();
    assert!(
        b.store
            .login_failures_of("admin", 0)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_message_set_on_one_server_shows_on_the_other(a: AppState, b: AppState) {
    let (mut admin, _) = crate::pg::org_and_operator(&a).await;
    let user = a
        .store
        .get_user_by_login(&domain::Login::parse("op.uno").unwrap())
        .await
        .unwrap();
    // Set on the first server…
    let r = admin
        .post(&format!("/admin/utenti/{}/sblocca", user.id), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // …shown by the second, once.
    admin.state = b.clone();
    let page = admin.get(r.location()).await;
    assert!(
        page.text(".sp-alert").contains("Blocchi di accesso tolti"),
        "{}",
        page.body
    );
    let again = admin.get(r.location()).await;
    assert!(!again.body.contains("Blocchi di accesso tolti"));
    admin.state = a.clone();
    let again = admin.get(r.location()).await;
    assert!(!again.body.contains("Blocchi di accesso tolti"));
}

async fn a_portal_sign_in_started_on_one_server_ends_on_the_other(a: AppState, b: AppState) {
    let pending = oidc::PendingLogin {
        provider_id: "https://idp.example".into(),
        state: "stato-casuale-di-prova".into(),
        nonce: "n".into(),
        code_verifier: "v".into(),
        acr: oidc::Acr::SpidL2,
        created_at: a.clock.now(),
    };
    let now = a.clock.now_us();
    a.pending
        .put(now, &pending, "/portale/domande".into())
        .await
        .unwrap();
    let (found, after) = b
        .pending
        .take(now, "stato-casuale-di-prova")
        .await
        .unwrap()
        .expect("the other server finds it");
    assert_eq!((found, after.as_str()), (pending, "/portale/domande"));
    // Once only, on either server.
    assert!(
        a.pending
            .take(now, "stato-casuale-di-prova")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        b.pending
            .take(now, "stato-casuale-di-prova")
            .await
            .unwrap()
            .is_none()
    );
}

async fn each_period_of_a_job_runs_on_one_server(a: AppState, b: AppState) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let every = Duration::from_secs(300);
    let ran = Arc::new(AtomicUsize::new(0));
    let work = |ran: Arc<AtomicUsize>| {
        move || async move {
            ran.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, app::Error>(())
        }
    };
    // Three periods; in each both servers knock at once.
    for period in 0..3 {
        let (x, y) = tokio::join!(
            app::jobs::run_once(&a, "prova", every, "server-a", work(ran.clone())),
            app::jobs::run_once(&b, "prova", every, "server-b", work(ran.clone())),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(x.is_some() != y.is_some(), "period {period}: {x:?} {y:?}");
        a.clock.advance(every);
        b.clock.advance(every);
    }
    assert_eq!(ran.load(Ordering::SeqCst), 3);
    // A failed run is recorded as such, and the next period tries again.
    let failed = app::jobs::run_once(&b, "prova", every, "server-b", || async {
        Err::<(), _>(app::Error::Unavailable)
    })
    .await;
    assert!(failed.is_err());
    let jobs = a.store.job_summaries().await.unwrap();
    let prova = jobs.iter().find(|j| j.job == "prova").unwrap();
    assert_eq!((prova.runs, prova.failures), (4, 1));
    assert!(prova.last_success_us.is_some());

    // The real jobs: spawned on both servers, each runs once in its period.
    app::reminders::spawn(a.services.clone());
    app::reminders::spawn(b.services.clone());
    app::stats::spawn(a.services.clone());
    app::stats::spawn(b.services.clone());
    for _ in 0..100 {
        let seen = a.store.job_summaries().await.unwrap();
        if seen.iter().filter(|j| j.job != "prova").count() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = a.store.job_summaries().await.unwrap();
    for job in [app::jobs::REMINDERS, app::jobs::STATS] {
        let j = seen.iter().find(|j| j.job == job).expect(job);
        assert_eq!(j.runs, 1, "{job}: {seen:?}");
    }
}

async fn the_metrics_need_the_token_and_show_routes_pools_and_jobs(a: AppState, b: AppState) {
    let mut c = Client::new(&a);
    c.login_fully("admin", ADMIN_PASSWORD).await;
    assert_eq!(c.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
    app::jobs::run_once(&b, "prova", Duration::from_secs(60), "server-b", || async {
        Ok::<_, app::Error>(())
    })
    .await
    .unwrap();
    let scrape = |state: AppState, token: &str| {
        let req = Request::get("/metrics")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        async move { Client::new(&state).send(req).await }
    };
    assert_eq!(
        scrape(a.clone(), "sbagliato").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = scrape(a.clone(), METRICS_TOKEN).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let body = &r.body;
    for want in [
        "sportello_http_request_duration_seconds_bucket{method=\"POST\",route=\"/login\",status=\"3xx\",le=\"+Inf\"} 1",
        "sportello_http_request_duration_seconds_count{method=\"GET\",route=\"/metrics\",status=\"4xx\"} 2",
        "sportello_job_runs_total{job=\"prova\"} 1",
        "sportello_job_failures_total{job=\"prova\"} 0",
        "sportello_job_last_success_timestamp_seconds{job=\"prova\"} ",
        "sportello_db_pool_connections{pool=",
        "sportello_db_pool_idle_connections{pool=",
        "sportello_db_up 1",
    ] {
        assert!(body.contains(want), "{want} in\n{body}");
    }
    // The route template, never the path with an id.
    c.get("/admin/utenti/0190a0a0-0000-7000-8000-000000000000")
        .await;
    let body = scrape(a.clone(), METRICS_TOKEN).await.body;
    assert!(body.contains("route=\"/admin/utenti/{id}\""), "{body}");
    assert!(!body.contains("0190a0a0"), "{body}");
    // Unconfigured: nobody (the administrator's session above did not open it either).
    let closed = AppState::new(a.store.clone(), WebConfig::default());
    assert_eq!(
        Client::new(&closed).get("/metrics").await.status,
        StatusCode::NOT_FOUND
    );
}
