//! Headers, cross-site refusal, bad input of every kind: never a 500, always Italian.

use crate::support::{self, Client};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

#[tokio::test]
async fn pages_carry_the_security_headers_and_are_not_cached() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    let r = c.get("/login").await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(r.headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    assert!(r.headers.get("x-request-id").is_some());
    assert!(r.body.contains("<html lang=\"it\">") && r.body.contains("Accedi a Sportello"));

    let css = c
        .get(&format!("/static/{}/css/app.css", web::assets::VERSION))
        .await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let font = c
        .get(&format!(
            "/static/{}/fonts/titillium-web-latin-400-normal.woff2",
            web::assets::VERSION
        ))
        .await;
    assert_eq!(font.headers[header::CONTENT_TYPE], "font/woff2");
    assert_eq!(
        c.get("/static/x/fonts/nope.woff2").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn hsts_is_sent_only_over_tls() {
    let store = app::open_store("sqlite::memory:", store::conformance::test_key())
        .await
        .unwrap();
    let app = web::AppState::new(
        store,
        web::WebConfig {
            tls: true,
            ..Default::default()
        },
    );
    let r = Client::new(&app).get("/health").await;
    assert!(
        r.headers[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost:8328")
            .header(name, value)
            .body(Body::from("login=admin&password=x"))
            .unwrap();
        let r = c.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(r.body.contains("Accesso negato"));
    }
    let same = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost:8328")
        .header("origin", "http://localhost:8328")
        .body(Body::from("login=admin&password=x"))
        .unwrap();
    assert_eq!(c.send(same).await.status, StatusCode::UNAUTHORIZED);
}

async fn get_with_host(app: &web::AppState, path: &str, host: &str) -> support::Response {
    let req = Request::get(path)
        .header(header::HOST, host)
        .body(Body::empty())
        .unwrap();
    Client::new(app).send(req).await
}

#[tokio::test]
async fn only_the_configured_host_names_are_served() {
    let app = support::app().await;
    for host in [
        "localhost:8328",
        "127.0.0.1:41234",
        "[::1]:80",
        "LOCALHOST.",
    ] {
        let r = get_with_host(&app, "/login", host).await;
        assert_eq!(r.status, StatusCode::OK, "{host}");
    }
    for host in [
        "evil.example",
        "localhost.evil.example:8328",
        "a b",
        "[::1",
        "",
    ] {
        let r = get_with_host(&app, "/login", host).await;
        assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(
            r.body.contains("non è tra quelli di Sportello"),
            "{}",
            r.body
        );
    }
    assert_eq!(
        get_with_host(&app, "/health", "10.1.2.3:8328").await.status,
        StatusCode::OK,
        "probes by address"
    );
    let api = get_with_host(&app, "/api/v1/me", "evil.example").await;
    assert_eq!(
        api.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );

    let public = support::app_with(web::WebConfig {
        allowed_hosts: vec!["sportello.comune.bergamo.it".into()],
        ..Default::default()
    })
    .await;
    let ok = get_with_host(&public, "/login", "sportello.comune.bergamo.it").await;
    assert_eq!(ok.status, StatusCode::OK);
    let r = get_with_host(&public, "/login", "localhost").await;
    assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST);
}

#[tokio::test]
async fn unknown_routes_bad_forms_and_big_bodies_get_clear_answers() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    let r = c.get("/non-esiste").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.text("h1"), "Pagina non trovata");

    let api = c.get("/api/v1/non-esiste").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );

    let bad = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("login=a&login=b&password=x"))
        .unwrap();
    let r = c.send(bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("non sono validi"), "{}", r.body);

    let wrong_type = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(c.send(wrong_type).await.status, StatusCode::BAD_REQUEST);

    let big = "a".repeat(2 * 1024 * 1024);
    let r = c.post("/login", &[("login", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("dimensione massima"));

    assert_eq!(
        c.post("/admin/utenti/not-a-uuid/stato", &[])
            .await
            .location(),
        "/login"
    );
}

#[tokio::test]
async fn forged_cookies_and_tokens_are_simply_not_logged_in() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    c.cookies
        .insert(web::auth::SESSION_COOKIE.into(), "forged-value-%%%".into());
    let r = c.get("/").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login"));
    let req = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Bearer spt_wrong")
        .body(Body::empty())
        .unwrap();
    let r = Client::new(&app).send(req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("\"status\":401"));
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    assert_eq!(c.get("/health").await.body, "ok");
    assert_eq!(c.get("/ready").await.status, StatusCode::OK);
}
