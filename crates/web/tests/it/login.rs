//! Logging in: first login, password rules, second factor, throttling, session limits.

use crate::support::{self, ADMIN_PASSWORD, Client, STRONG};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use store::{SessionStore, UserStore};

#[tokio::test]
async fn the_first_administrator_must_change_the_password_and_enrol_totp() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    let r = c
        .post(
            "/login",
            &[("login", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(r.location(), "/password");
    // Nothing else is reachable before the password is changed.
    assert_eq!(c.get("/admin/enti").await.location(), "/password");
    let weak = c
        .post(
            "/password",
            &[
                ("attuale", ADMIN_PASSWORD),
                ("nuova", "password1234"),
                ("conferma", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text("title").starts_with("Errore:"));
    assert!(
        weak.text("#nuova-err").contains("troppo comune"),
        "{}",
        weak.body
    );
    let mismatch = c
        .post(
            "/password",
            &[
                ("attuale", ADMIN_PASSWORD),
                ("nuova", STRONG),
                ("conferma", "altro"),
            ],
        )
        .await;
    assert!(mismatch.text("#conferma-err").contains("non coincidono"));
    let r = c
        .post(
            "/password",
            &[
                ("attuale", ADMIN_PASSWORD),
                ("nuova", STRONG),
                ("conferma", STRONG),
            ],
        )
        .await;
    assert_eq!(r.location(), "/totp/attiva");
    assert_eq!(c.get("/").await.location(), "/totp/attiva");
    let page = c.get("/totp/attiva").await;
    assert!(page.body.contains("<svg"), "QR code shown inline");
    let wrong = c.post("/totp/attiva", &[("codice", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let secret = page.text("#chiave");
    let code = c.code(&secret, "admin");
    let before = c.cookies[web::auth::SESSION_COOKIE].clone();
    assert_eq!(
        c.post("/totp/attiva", &[("codice", &code)])
            .await
            .location(),
        "/"
    );
    assert_ne!(
        c.cookies[web::auth::SESSION_COOKIE],
        before,
        "a new session id after the enrolment"
    );
    assert!(session_is_gone(&app, &before).await);
    let home = c.get("/").await;
    assert_eq!(home.text("h1"), "Scrivania");
    assert!(
        home.text(".sp-alert--success")
            .contains("Verifica in due passaggi attivata")
    );

    // Next login asks for the code.
    let mut c2 = Client::new(&app);
    assert_eq!(
        c2.post("/login", &[("login", "admin"), ("password", STRONG)])
            .await
            .location(),
        "/totp"
    );
    assert_eq!(
        c2.post("/totp", &[("codice", "123")]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let code = c2.code(&secret, "admin");
    assert_eq!(
        c2.post("/totp", &[("codice", &code)]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the code used for the enrolment is spent"
    );
    app.clock.advance(Duration::from_secs(30));
    let code = c2.code(&secret, "admin");
    assert_eq!(c2.post("/totp", &[("codice", &code)]).await.location(), "/");
}

/// Whether the session of a cookie value is no longer stored.
async fn session_is_gone(app: &web::AppState, token: &str) -> bool {
    app.store
        .get_session_with_user(&app::credentials::hash_token(token))
        .await
        .is_err()
}

/// The secret of an enrolled user, and a client at its TOTP step.
async fn at_totp_step(app: &web::AppState, login: &str, password: &str) -> (Client, String) {
    let mut c = Client::new(app);
    let r = c
        .post("/login", &[("login", login), ("password", password)])
        .await;
    assert_eq!(r.location(), "/totp");
    let user = app
        .store
        .get_user_by_login(&domain::Login::parse(login).unwrap())
        .await
        .unwrap();
    (c, user.totp_secret.unwrap())
}

#[tokio::test]
async fn a_totp_code_is_accepted_once() {
    let app = support::app().await;
    Client::new(&app).login_fully("admin", ADMIN_PASSWORD).await;
    app.clock.advance(Duration::from_secs(30));
    let (mut a, secret) = at_totp_step(&app, "admin", STRONG).await;
    let code = a.code(&secret, "admin");
    assert_eq!(a.post("/totp", &[("codice", &code)]).await.location(), "/");
    let (mut b, _) = at_totp_step(&app, "admin", STRONG).await;
    let r = b.post("/totp", &[("codice", &code)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "replayed code");
    assert!(r.text("#codice-err").contains("non è corretto"));
    assert_eq!(b.get("/").await.location(), "/totp");
    app.clock.advance(Duration::from_secs(30));
    let code = b.code(&secret, "admin");
    assert_eq!(b.post("/totp", &[("codice", &code)]).await.location(), "/");
}

#[tokio::test]
async fn wrong_codes_are_limited_even_when_the_password_is_typed_again() {
    let app = support::app().await;
    Client::new(&app).login_fully("admin", ADMIN_PASSWORD).await;
    for wrong in [2, 2, 1] {
        let (mut c, _) = at_totp_step(&app, "admin", STRONG).await;
        for _ in 0..wrong {
            let r = c.post("/totp", &[("codice", "000000")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    app.clock.advance(Duration::from_secs(30));
    let (mut c, secret) = at_totp_step(&app, "admin", STRONG).await;
    let code = c.code(&secret, "admin");
    let r = c.post("/totp", &[("codice", &code)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.text("#codice-err").contains("sospesa"));
}

#[tokio::test]
async fn the_session_id_changes_after_the_second_factor() {
    let app = support::app().await;
    Client::new(&app).login_fully("admin", ADMIN_PASSWORD).await;
    app.clock.advance(Duration::from_secs(30));
    let (mut c, secret) = at_totp_step(&app, "admin", STRONG).await;
    let before = c.cookies[web::auth::SESSION_COOKIE].clone();
    let code = c.code(&secret, "admin");
    assert_eq!(c.post("/totp", &[("codice", &code)]).await.location(), "/");
    assert_ne!(c.cookies[web::auth::SESSION_COOKIE], before);
    assert!(session_is_gone(&app, &before).await);
    assert_eq!(c.get("/").await.status, StatusCode::OK);
}

/// A login form sent over a connection from `peer`, with `X-Forwarded-For` if given.
async fn login_from(
    c: &mut Client,
    peer: &str,
    forwarded: Option<&str>,
    login: &str,
    password: &str,
) -> support::Response {
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let body = format!("login={login}&password={}", password.replace(' ', "+"));
    let mut req = req.body(Body::from(body)).unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(
        peer.parse::<IpAddr>().unwrap(),
        40000,
    )));
    c.send(req).await
}

#[tokio::test]
async fn the_right_password_from_another_address_gets_in_after_failures_elsewhere() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    let attacker = "203.0.113.5";
    for _ in 0..5 {
        let r = login_from(&mut c, attacker, None, "admin", "sbagliata").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(&mut c, attacker, None, "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "that address waits"
    );
    assert!(r.body.contains("riprova tra 1 minuto"), "{}", r.body);
    let mut owner = Client::new(&app);
    let r = login_from(&mut owner, "198.51.100.7", None, "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        r.location(),
        "/password",
        "the owner from elsewhere gets in"
    );
    // The wait doubles with each further failure and ends by itself.
    app.clock.advance(Duration::from_secs(61));
    login_from(&mut c, attacker, None, "admin", "sbagliata").await;
    let r = login_from(&mut c, attacker, None, "admin", ADMIN_PASSWORD).await;
    assert!(r.body.contains("riprova tra 2 minuti"), "{}", r.body);
    app.clock.advance(Duration::from_secs(121));
    let r = login_from(&mut c, attacker, None, "admin", ADMIN_PASSWORD).await;
    assert_eq!(r.location(), "/password");
}

/// An application that believes the proxies of 10.0.0.0/8.
async fn behind_proxy() -> web::AppState {
    support::app_with(web::WebConfig {
        trusted_proxies: vec![web::auth::IpNet::parse("10.0.0.0/8").unwrap()],
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_counts_for_itself() {
    let app = behind_proxy().await;
    let mut c = Client::new(&app);
    let proxy = "10.0.0.2";
    for i in 0..25 {
        let login = format!("nessuno{i}");
        let r = login_from(&mut c, proxy, Some("203.0.113.5"), &login, "sbagliata").await;
        let expected = if i < 20 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(r.status, expected, "attempt {i}");
    }
    // A forged address left of the client's own is not believed.
    let forged = login_from(
        &mut c,
        proxy,
        Some("198.51.100.7, 203.0.113.5"),
        "admin",
        ADMIN_PASSWORD,
    )
    .await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
    let r = login_from(&mut c, proxy, Some("198.51.100.7"), "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        r.location(),
        "/password",
        "another office is not locked out"
    );
    let garbage = login_from(&mut c, proxy, Some("nonsense, ,:::"), "x", "y").await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_untrusted_client_cannot_choose_its_address() {
    let app = behind_proxy().await;
    let mut c = Client::new(&app);
    for i in 0..5 {
        let forwarded = format!("192.0.2.{i}");
        let r = login_from(
            &mut c,
            "203.0.113.9",
            Some(&forwarded),
            "admin",
            "sbagliata",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = login_from(
        &mut c,
        "203.0.113.9",
        Some("192.0.2.99"),
        "admin",
        ADMIN_PASSWORD,
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn wrong_passwords_make_that_address_wait() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    let r = c
        .post("/login", &[("login", "admin"), ("password", "sbagliata")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Nome utente o password non corretti"));
    let r = c
        .post("/login", &[("login", "nessuno"), ("password", "sbagliata")])
        .await;
    assert!(
        r.body.contains("Nome utente o password non corretti"),
        "unknown logins look the same"
    );
    for _ in 0..4 {
        c.post("/login", &[("login", "admin"), ("password", "sbagliata")])
            .await;
    }
    let r = c
        .post(
            "/login",
            &[("login", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
}

#[tokio::test]
async fn a_login_gets_a_new_session_id_and_logout_ends_it() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    c.login_fully("admin", ADMIN_PASSWORD).await;
    let first = c.cookies[web::auth::SESSION_COOKIE].clone();
    c.login_fully("admin", STRONG).await;
    let second = c.cookies[web::auth::SESSION_COOKIE].clone();
    assert_ne!(first, second);
    assert!(
        app.store
            .get_session_with_user(&app::credentials::hash_token(&first))
            .await
            .is_err(),
        "old session ended"
    );
    let r = c.post("/logout", &[]).await;
    assert_eq!(r.location(), "/login");
    assert!(
        app.store
            .get_session_with_user(&app::credentials::hash_token(&second))
            .await
            .is_err()
    );
    assert_eq!(c.get("/").await.location(), "/login");
}

#[tokio::test]
async fn sessions_end_after_30_idle_minutes_and_after_12_hours() {
    let app = support::app().await;
    let mut c = Client::new(&app);
    c.login_fully("admin", ADMIN_PASSWORD).await;
    app.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    app.clock.advance(Duration::from_secs(31 * 60));
    assert_eq!(c.get("/").await.location(), "/login");

    c.login_fully("admin", STRONG).await;
    for _ in 0..24 {
        app.clock.advance(Duration::from_secs(29 * 60));
        assert_eq!(c.get("/").await.status, StatusCode::OK);
    }
    app.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        c.get("/").await.location(),
        "/login",
        "absolute limit of 12 hours"
    );
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = support::app().await;
    let mut a = Client::new(&app);
    a.login_fully("admin", ADMIN_PASSWORD).await;
    let mut b = Client::new(&app);
    b.login_fully("admin", STRONG).await;
    let new = "un'altra frase lunga e segreta";
    let r = a
        .post(
            "/password",
            &[("attuale", STRONG), ("nuova", new), ("conferma", new)],
        )
        .await;
    assert_eq!(r.location(), "/");
    assert_eq!(
        a.get("/").await.status,
        StatusCode::OK,
        "this browser goes on"
    );
    assert_eq!(
        b.get("/").await.location(),
        "/login",
        "the other is logged out"
    );
    let admin = app
        .store
        .get_user_by_login(&domain::Login::parse("admin").unwrap())
        .await
        .unwrap();
    assert_eq!(
        app.store.list_user_sessions(admin.id).await.unwrap().len(),
        1
    );
}
