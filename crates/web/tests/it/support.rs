//! Test support: an application on a fresh database (SQLite in memory by default, PostgreSQL
//! when asked), in-process requests with a cookie jar, and helpers to log in.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::HashMap;
use tower::ServiceExt;
use web::{AppState, WebConfig};

pub const ADMIN_PASSWORD: &str = "prima-password-di-prova";
pub const STRONG: &str = "gatto nero sul tetto di vetro";

/// A fresh application with the first administrator created (password [`ADMIN_PASSWORD`]).
pub async fn app() -> AppState {
    app_with(WebConfig::default()).await
}

/// The same with other settings.
pub async fn app_with(config: WebConfig) -> AppState {
    let store = app::open_store("sqlite::memory:", store::conformance::test_key())
        .await
        .expect("open store");
    let state = AppState::new(store, config);
    app::manage::bootstrap(&state.store, state.clock.now(), Some(ADMIN_PASSWORD.into()))
        .await
        .expect("bootstrap");
    state
}

/// The same on PostgreSQL, or `None` when SPORTELLO_TEST_POSTGRES_URL is not set.
pub async fn app_pg() -> Option<AppState> {
    let url = store_postgres::testing::fresh_url().await?;
    let store = app::open_store(&url, store::conformance::test_key())
        .await
        .expect("open store");
    let state = AppState::new(store, WebConfig::default());
    app::manage::bootstrap(&state.store, state.clock.now(), Some(ADMIN_PASSWORD.into()))
        .await
        .expect("bootstrap");
    Some(state)
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for binary answers (PDF).
    pub bytes: axum::body::Bytes,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// The attribute `name` of the first element matching `selector`, or "".
    pub fn attr(&self, selector: &str, name: &str) -> String {
        let sel = scraper::Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(name).map(str::to_owned))
            .unwrap_or_default()
    }

    /// The text of the first element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        let sel = scraper::Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    }
}

/// A browser-like client: keeps cookies, sends same-origin headers on POST.
pub struct Client {
    pub state: AppState,
    pub cookies: HashMap<String, String>,
}

impl Client {
    pub fn new(state: &AppState) -> Self {
        Self {
            state: state.clone(),
            cookies: HashMap::new(),
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> Response {
        let mut req = req;
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().expect("cookie header"));
        }
        let res = web::router(self.state.clone())
            .oneshot(req)
            .await
            .expect("infallible");
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().expect("ascii cookie");
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Logs in and completes every step (new password, TOTP enrolment or code).
    /// Returns the password now in force.
    pub async fn login_fully(&mut self, login: &str, password: &str) -> String {
        let mut password = password.to_owned();
        let mut r = self
            .post("/login", &[("login", login), ("password", &password)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {login}: {}",
            r.body
        );
        loop {
            match r.location().to_owned().as_str() {
                "/password" => {
                    r = self
                        .post(
                            "/password",
                            &[
                                ("attuale", &password),
                                ("nuova", STRONG),
                                ("conferma", STRONG),
                            ],
                        )
                        .await;
                    assert_eq!(
                        r.status,
                        StatusCode::SEE_OTHER,
                        "password change: {}",
                        r.body
                    );
                    password = STRONG.to_owned();
                }
                "/totp/attiva" => {
                    let page = self.get("/totp/attiva").await;
                    let secret = page.text("#chiave");
                    let code = self.code(&secret, login);
                    r = self.post("/totp/attiva", &[("codice", &code)]).await;
                    assert_eq!(
                        r.status,
                        StatusCode::SEE_OTHER,
                        "totp enrolment: {}",
                        r.body
                    );
                }
                "/totp" => {
                    let user = {
                        use store::UserStore;
                        self.state
                            .store
                            .get_user_by_login(&domain::Login::parse(login).unwrap())
                            .await
                            .unwrap()
                    };
                    // A code is accepted once: the next login waits for the next one.
                    self.state.clock.advance(std::time::Duration::from_secs(30));
                    let code = self.code(user.totp_secret.as_deref().unwrap(), login);
                    r = self.post("/totp", &[("codice", &code)]).await;
                    assert_eq!(r.status, StatusCode::SEE_OTHER, "totp: {}", r.body);
                }
                _ => return password,
            }
        }
    }

    /// Posts a multipart form with an optional file, as a browser on the same site does.
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Response {
        let (ct, body) = multipart(fields, file);
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, ct)
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub fn code(&self, secret: &str, login: &str) -> String {
        let now = self.state.clock.now().unix_timestamp() as u64;
        app::credentials::totp(secret, login)
            .unwrap()
            .generate(now)
            .to_string()
    }
}

/// A new API token of the client's user, made on their profile page.
pub async fn api_token(c: &mut Client) -> String {
    let t = c
        .post("/account/token", &[("nome", "api")])
        .await
        .text("#nuovo-token");
    assert!(t.starts_with("spt_"), "{t}");
    t
}

/// A real one-page PDF, as an upload must be to pass as one.
pub fn minimal_pdf() -> Vec<u8> {
    print::Document::new(print::Heading::new(
        "Comune di prova",
        "Servizi sociali",
        "Allegato",
    ))
    .render()
}

/// A multipart/form-data body with `fields` and, if given, one file named `file`.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "sportello-test-boundary-7d2f";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._*".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An organization for a comune (created if missing) and an operator of it with `role`,
/// logged in through every step.
/// Creates an organization as the command line does: the installation acting in it.
pub async fn create_org(
    store: &app::Store,
    now: time::OffsetDateTime,
    code: domain::OrgCode,
    name: &str,
    kind: domain::OrgKind,
    comuni: Vec<store::OrgComune>,
) -> store::Organization {
    let org = app::manage::new_org(code, name.into(), kind, now);
    app::manage::create_org(store, &app::Actor::system(org.clone(), now), org, comuni)
        .await
        .expect("create org")
}

pub async fn staff(
    state: &AppState,
    org_code: &str,
    istat: &str,
    login: &str,
    role: domain::Role,
) -> Client {
    use store::OrgStore;
    let code = domain::OrgCode::parse(org_code).expect("org code");
    let org = match state.store.get_org_by_code(&code).await {
        Ok(org) => org,
        Err(_) => {
            let comuni = app::manage::parse_comuni(istat).expect("comuni");
            create_org(
                &state.store,
                state.clock.now(),
                code,
                &format!("Comune {org_code}"),
                domain::OrgKind::Comune,
                comuni,
            )
            .await
        }
    };
    app::manage::create_user(
        &state.store,
        &app::Actor::system(org.clone(), state.clock.now()),
        &org,
        domain::Login::parse(login).expect("login"),
        format!("Operatore {login}"),
        None,
        role,
        ADMIN_PASSWORD.into(),
    )
    .await
    .expect("create user");
    let mut c = Client::new(state);
    c.login_fully(login, ADMIN_PASSWORD).await;
    c
}

/// The same application with the portal's local accounts on (`WebConfig::portal_local_accounts`).
pub fn with_local_accounts(state: AppState) -> AppState {
    AppState {
        config: std::sync::Arc::new(WebConfig {
            portal_local_accounts: true,
            ..(*state.config).clone()
        }),
        ..state
    }
}
