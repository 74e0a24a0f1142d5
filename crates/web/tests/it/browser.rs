//! Browser journeys in headless Chromium, driven through chromedriver with fantoccini.
//!
//! They run only when SPORTELLO_CHROMEDRIVER names a chromedriver binary (SPORTELLO_CHROMIUM
//! may name the browser, /usr/bin/chromium otherwise). Without it they are skipped, unless
//! SPORTELLO_REQUIRE_ALL=1 asks that every test really run.

use crate::support;
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// A chromedriver started for one test, killed (with the browsers it started) when dropped,
/// also when the test panics.
pub(crate) struct Chromedriver {
    child: Child,
    url: String,
}

impl Chromedriver {
    fn start(path: &str) -> Self {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
            l.local_addr().expect("local addr").port()
        };
        let mut cmd = Command::new(path);
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        {
            use std::os::unix::process::CommandExt;
            // Its own process group, so that the browsers it starts die with it.
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver {path}: {e}"));
        let mut driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let pgid = self.child.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The chromedriver to use, or `None` when the browser tests are to be skipped.
pub(crate) fn chromedriver_path(test: &str) -> Option<String> {
    match std::env::var("SPORTELLO_CHROMEDRIVER") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            if std::env::var("SPORTELLO_REQUIRE_ALL").as_deref() == Ok("1") {
                panic!(
                    "{test}: SPORTELLO_REQUIRE_ALL=1 but SPORTELLO_CHROMEDRIVER (path to chromedriver) is not set"
                );
            }
            eprintln!(
                "skipped: {test} (set SPORTELLO_CHROMEDRIVER to the path of chromedriver to run it)"
            );
            None
        }
    }
}

pub(crate) async fn browser(driver: &Chromedriver, profile: &std::path::Path) -> Client {
    let binary = std::env::var("SPORTELLO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
    .into_iter()
    .map(String::from)
    .chain([
        format!("--user-data-dir={}", profile.display()),
        "--window-size=1280,900".into(),
    ])
    .collect::<Vec<_>>();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": binary, "args": args }),
    );
    ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("new chromedriver session")
}

/// axe-core's script, installed by `npm ci` at the workspace's root (package.json), or `None`
/// when it is missing and the checks are to be skipped.
pub(crate) fn axe_source() -> Option<&'static str> {
    static AXE: std::sync::LazyLock<Option<String>> = std::sync::LazyLock::new(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../node_modules/axe-core/axe.min.js");
        match std::fs::read_to_string(&path) {
            Ok(js) => Some(js),
            Err(e) => {
                if std::env::var("SPORTELLO_REQUIRE_ALL").as_deref() == Ok("1") {
                    panic!("SPORTELLO_REQUIRE_ALL=1 but axe-core is missing ({e}): run `npm ci`");
                }
                eprintln!(
                    "accessibility checks skipped: {} ({e}); run `npm ci`",
                    path.display()
                );
                None
            }
        }
    });
    AXE.as_deref()
}

/// Checks the page shown with axe-core against WCAG 2.1 A and AA: no violation allowed.
/// With SPORTELLO_SCREENSHOTS set to a folder, also saves a screenshot named `what` (the last
/// page of a given heading stays).
pub(crate) async fn accessible(c: &Client, what: &str) {
    if let Ok(dir) = std::env::var("SPORTELLO_SCREENSHOTS") {
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(std::path::Path::new(&dir).join(format!("{what}.png")), png)
            .expect("save the screenshot");
    }
    let Some(axe) = axe_source() else { return };
    c.execute(axe, Vec::new()).await.expect("load axe-core");
    let found = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                 .then(r => done({ passes: r.passes.length, violations: r.violations.map(v => v.id + ': '
                   + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', ')) }))
                 .catch(e => done({ passes: 0, violations: ['axe did not run: ' + e] }));"#,
            Vec::new(),
        )
        .await
        .expect("run axe-core");
    let violations: Vec<String> =
        serde_json::from_value(found["violations"].clone()).expect("axe's answer");
    assert!(violations.is_empty(), "{what}: {violations:#?}");
    // A check that ran no rule would pass anything.
    assert!(
        found["passes"].as_u64().unwrap_or(0) > 0,
        "{what}: axe ran no check"
    );
}

/// The page the browser is on, as a path.
pub(crate) async fn path(c: &Client) -> String {
    c.current_url()
        .await
        .expect("current url")
        .path()
        .to_owned()
}

/// Waits until a page whose h1 reads `h1` is shown, and returns its path.
pub(crate) async fn wait_h1(c: &Client, h1: &str) -> String {
    let xpath = format!("//h1[normalize-space()=\"{h1}\"]");
    if let Err(e) = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&xpath))
        .await
    {
        let shown = c.find(Locator::Css("h1")).await.ok();
        let shown = match shown {
            Some(el) => el.text().await.unwrap_or_default(),
            None => String::new(),
        };
        panic!(
            "page «{h1}» not shown within {WAIT:?} (at {}, h1 «{shown}»): {e}",
            path(c).await
        );
    }
    let at = path(c).await;
    // Every page a journey reaches is checked for accessibility.
    let name: String = h1
        .chars()
        .map(|ch| {
            if ch.is_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    accessible(c, &name).await;
    at
}

pub(crate) async fn fill(c: &Client, css: &str, text: &str) {
    let el = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("field {css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("typing in {css}: {e}"));
}

pub(crate) async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("select {css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("option {value} of {css}: {e}"));
}

pub(crate) async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("element {css}: {e}"))
        .text()
        .await
        .expect("text")
        .trim()
        .to_owned()
}

/// The root element of the page shown, to tell when the browser has left it.
pub(crate) async fn page_root(c: &Client) -> fantoccini::elements::Element {
    c.find(Locator::Css("html")).await.expect("the page")
}

/// Waits until the browser has left the page of `root` (the element goes stale): the answer
/// to a form may have the same heading as the form, and reading it earlier would read the form.
pub(crate) async fn wait_left(root: fantoccini::elements::Element) {
    let start = Instant::now();
    while root.tag_name().await.is_ok() {
        assert!(
            start.elapsed() < WAIT,
            "the form's answer did not arrive within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(crate) async fn submit(c: &Client) {
    let root = page_root(c).await;
    c.find(Locator::Css("main form.sp-form button[type=submit]"))
        .await
        .expect("the form's submit button")
        .click()
        .await
        .expect("click submit");
    wait_left(root).await;
}

pub(crate) async fn login(c: &Client, base: &str, login: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("open /login");
    assert_eq!(wait_h1(c, "Accedi a Sportello").await, "/login");
    fill(c, "#login", login).await;
    fill(c, "#password", password).await;
    submit(c).await;
}

pub(crate) async fn first_password(c: &Client, old: &str) {
    assert_eq!(wait_h1(c, "Scegli la tua password").await, "/password");
    fill(c, "#attuale", old).await;
    fill(c, "#nuova", support::STRONG).await;
    fill(c, "#conferma", support::STRONG).await;
    submit(c).await;
}

pub(crate) async fn logout(c: &Client) {
    c.find(Locator::Css("form[action='/logout'] button.sp-link-button"))
        .await
        .expect("the Esci button")
        .click()
        .await
        .expect("click Esci");
    assert_eq!(wait_h1(c, "Accedi a Sportello").await, "/login");
}

/// Opens `url` and checks the answer is the "Accesso negato" page.
pub(crate) async fn denied(c: &Client, url: &str) {
    c.goto(url).await.expect("goto");
    wait_h1(c, "Accesso negato").await;
    let title = c.title().await.expect("title");
    assert!(
        title.starts_with("Accesso negato"),
        "title of {url}: {title}"
    );
}

pub(crate) async fn nav_labels(c: &Client) -> Vec<String> {
    let mut labels = Vec::new();
    for a in c
        .find_all(Locator::Css("nav.sp-nav a"))
        .await
        .expect("nav links")
    {
        labels.push(a.text().await.expect("nav label").trim().to_owned());
    }
    labels
}

/// The ids the journey needs from the store.
pub(crate) struct Known {
    system_org: uuid::Uuid,
    other_org: uuid::Uuid,
}

const ORG_NAME: &str = "Comune di Bergamo";
const OPERATOR: &str = "maria.bianchi";

pub(crate) async fn journey(c: Client, base: String, state: web::AppState, known: Known) {
    let c = &c;

    // The administrator: one-time password, a new one, TOTP enrolment.
    login(c, &base, "admin", support::ADMIN_PASSWORD).await;
    first_password(c, support::ADMIN_PASSWORD).await;
    assert_eq!(
        wait_h1(c, "Attiva la verifica in due passaggi").await,
        "/totp/attiva"
    );
    let secret = text(c, "#chiave").await;
    assert!(!secret.is_empty(), "no TOTP secret shown");
    c.find(Locator::Css(".sp-qr svg"))
        .await
        .expect("the QR code");
    let now = state.clock.now().unix_timestamp() as u64;
    let code = app::credentials::totp(&secret, "admin")
        .expect("TOTP of the secret shown")
        .generate(now)
        .to_string();
    fill(c, "#codice", &code).await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    assert!(
        nav_labels(c).await.iter().any(|l| l == "Amministrazione"),
        "admin nav: {:?}",
        nav_labels(c).await
    );

    // A new organization.
    c.goto(&format!("{base}/admin/enti/nuovo"))
        .await
        .expect("open new org");
    assert_eq!(wait_h1(c, "Nuovo ente").await, "/admin/enti/nuovo");
    fill(c, "#codice", "comune-bergamo").await;
    fill(c, "#nome", ORG_NAME).await;
    choose(c, "#tipo", "comune").await;
    fill(c, "#comuni", "016024").await;
    submit(c).await;
    let org_path = wait_h1(c, ORG_NAME).await;
    let org_id = org_path
        .strip_prefix("/admin/enti/")
        .unwrap_or_else(|| panic!("after creating the org: {org_path}"));
    let org_id: uuid::Uuid = org_id
        .parse()
        .unwrap_or_else(|e| panic!("org id in {org_path}: {e}"));

    // An operator in it.
    c.goto(&format!("{base}/admin/utenti/nuovo"))
        .await
        .expect("open new user");
    assert_eq!(wait_h1(c, "Nuovo utente").await, "/admin/utenti/nuovo");
    fill(c, "#login", OPERATOR).await;
    fill(c, "#nome", "Maria Bianchi").await;
    fill(c, "#email", "maria.bianchi@comune.bergamo.it").await;
    choose(c, "#ente", &org_id.to_string()).await;
    choose(c, "#ruolo", "operatore_sportello").await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Utente creato").await, "/admin/utenti/nuovo");
    let one_time = text(c, "#password-provvisoria").await;
    assert!(!one_time.is_empty(), "no one-time password shown");
    logout(c).await;

    // The operator: one-time password, a new one, no TOTP for this role.
    login(c, &base, OPERATOR, &one_time).await;
    first_password(c, &one_time).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");

    // Only the new organization.
    assert_eq!(text(c, ".sp-slim__ente").await, ORG_NAME);
    assert!(
        c.find_all(Locator::Css("a[href='/ente']"))
            .await
            .expect("links")
            .is_empty(),
        "an operator of one organization is offered «Cambia ente»"
    );
    let nav = nav_labels(c).await;
    assert!(
        !nav.iter().any(|l| l == "Amministrazione"),
        "operator nav: {nav:?}"
    );
    let lead = text(c, "main .sp-lead").await;
    assert!(lead.starts_with(ORG_NAME), "desk lead: {lead}");
    let source = c.source().await.expect("page source");
    assert!(
        source.contains("016024"),
        "the desk does not list Bergamo's comune"
    );
    assert!(
        !source.contains("Amministrazione di sistema"),
        "the desk names the system organization"
    );
    assert!(
        !source.contains("Comune di Brescia"),
        "the desk names another organization"
    );

    denied(c, &format!("{base}/admin/enti")).await;
    denied(c, &format!("{base}/admin/enti/{}", known.system_org)).await;
    denied(c, &format!("{base}/admin/enti/{}", known.other_org)).await;
    denied(c, &format!("{base}/admin/utenti/nuovo")).await;

    // Still logged in, still in the same organization.
    c.goto(&format!("{base}/")).await.expect("open /");
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    assert_eq!(text(c, ".sp-slim__ente").await, ORG_NAME);
}

/// Runs `journey` in a browser against `state` served on a real port; on failure saves a
/// screenshot, and always ends the browser and chromedriver.
pub(crate) async fn run_journey<F, Fut>(test: &str, state: web::AppState, journey: F)
where
    F: FnOnce(Client, String, web::AppState) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    run_journey_at(test, state, |_, state| state, journey).await;
}

/// The same, with the state completed once the address it is served at is known.
pub(crate) async fn run_journey_at<P, F, Fut>(
    test: &str,
    state: web::AppState,
    prepare: P,
    journey: F,
) where
    P: FnOnce(&str, web::AppState) -> web::AppState,
    F: FnOnce(Client, String, web::AppState) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(chromedriver) = chromedriver_path(test) else {
        return;
    };
    let started = Instant::now();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = prepare(&base, state);
    tokio::spawn(web::serve(listener, state.clone()));
    let driver = Chromedriver::start(&chromedriver);
    let profile = tempfile::tempdir().expect("profile dir");
    let client = browser(&driver, profile.path()).await;
    // In a task of its own, so that a failed assertion still lets us take a screenshot and
    // end the browser session.
    let outcome = tokio::spawn(journey(client.clone(), base, state)).await;
    if outcome.is_err() {
        let shot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../target/browser-failure-{test}.png"));
        if let Ok(png) = client.screenshot().await
            && std::fs::write(&shot, png).is_ok()
        {
            eprintln!("screenshot of the failure: {}", shot.display());
        }
    }
    let _ = client.close().await;
    drop(driver);
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            Err(e) => panic!("browser journey: {e}"),
        }
    }
    eprintln!("{test}: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn admin_first_login_creates_org_and_operator_who_sees_only_it() {
    let state = support::app().await;
    let system_org = {
        use store::OrgStore;
        state
            .store
            .get_org_by_code(&domain::OrgCode::parse("sistema").unwrap())
            .await
            .unwrap()
            .id
    };
    // Another organization, which the operator must not see.
    let other_org = {
        let (code, name, kind, comuni) =
            app::manage::parse_org("comune-brescia", "Comune di Brescia", "comune", "017029")
                .unwrap();
        crate::support::create_org(&state.store, state.clock.now(), code, &name, kind, comuni)
            .await
            .id
    };
    let known = Known {
        system_org,
        other_org,
    };
    run_journey(
        "admin_first_login_creates_org_and_operator_who_sees_only_it",
        state,
        move |c, base, state| journey(c, base, state, known),
    )
    .await;
}

/// Search as you type → the person → the household → an edit with a codice fiscale that does
/// not match the new birth date, refused, then corrected.
pub(crate) async fn registry_journey(c: Client, base: String, _state: web::AppState) {
    let c = &c;
    login(c, &base, "sportello", support::STRONG).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    c.find(Locator::LinkText("Anagrafe sociale"))
        .await
        .expect("the nav link")
        .click()
        .await
        .expect("click Anagrafe sociale");
    assert_eq!(wait_h1(c, "Anagrafe sociale").await, "/persone");

    // Results arrive while typing, without pressing Cerca.
    fill(c, "#q", "ross mar").await;
    let hit = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//div[@id='risultati']//a[normalize-space()='Rossi Mario']",
        ))
        .await
        .expect("live results");
    assert!(
        path(c).await == "/persone",
        "typing must not leave the page"
    );
    hit.click().await.expect("open the person");
    let person = wait_h1(c, "Rossi Mario").await;
    let family_text = text(c, "section[aria-labelledby=famiglia]").await;
    assert!(
        family_text.contains("Bianchi Anna") && family_text.contains("Intestatario"),
        "household at a glance: {family_text}"
    );

    c.find(Locator::LinkText("Apri la famiglia"))
        .await
        .expect("link to the household")
        .click()
        .await
        .expect("open the household");
    wait_h1(c, "Famiglia di Rossi Mario").await;
    let members = text(c, "table.sp-table tbody").await;
    assert!(
        members.contains("Bianchi Anna") && members.contains("marito / moglie"),
        "{members}"
    );

    // Edit: a birth date that the codice fiscale contradicts is refused, naming the field.
    c.goto(&format!("{base}{person}/modifica"))
        .await
        .expect("open edit");
    wait_h1(c, "Modifica: Rossi Mario").await;
    fill(c, "#birth_date", "02/01/1980").await;
    fill(c, "#phone", "333 1234567").await;
    submit(c).await;
    wait_h1(c, "Modifica: Rossi Mario").await;
    let summary = text(c, ".sp-error-summary").await;
    assert!(summary.contains("giorno di nascita"), "{summary}");
    assert!(
        summary.contains("RSSMRA80A02A794O"),
        "the expected code is shown: {summary}"
    );
    c.find(Locator::Css("#cf_mismatch_confirmed"))
        .await
        .expect("the confirmation box is offered");
    assert_eq!(
        c.find(Locator::Css("#birth_date"))
            .await
            .expect("field")
            .attr("aria-invalid")
            .await
            .expect("attr")
            .as_deref(),
        Some("true")
    );
    fill(c, "#birth_date", "01/01/1980").await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Rossi Mario").await, person);
    assert_eq!(text(c, ".sp-alert p").await, "Modifiche salvate.");
    let history = text(c, ".sp-history").await;
    assert!(
        history.contains("Telefono: 035 123456 → 333 1234567"),
        "{history}"
    );
    assert!(!history.contains("Data di nascita"), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn search_person_household_and_an_edit_with_a_wrong_codice_fiscale() {
    let state = support::app().await;
    // The operator (password already changed) and a household of two, made through the pages.
    let mut desk = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello",
        domain::Role::OperatoreSportello,
    )
    .await;
    let mut register = async |fields: &[(&str, &str)]| {
        let r = desk.post("/persone/nuova", fields).await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
        r.location().to_owned()
    };
    let mario = register(&[
        ("codice_fiscale", "RSSMRA80A01A794J"),
        ("surname", "Rossi"),
        ("given_names", "Mario"),
        ("sex", "M"),
        ("birth_date", "01/01/1980"),
        ("birthplace", "A794"),
        ("citizenship", "IT"),
        ("phone", "035 123456"),
    ])
    .await;
    register(&[
        ("codice_fiscale", "BNCNNA82B45A794U"),
        ("surname", "Bianchi"),
        ("given_names", "Anna"),
        ("sex", "F"),
        ("birth_date", "05/02/1982"),
        ("birthplace", "A794"),
        ("citizenship", "IT"),
    ])
    .await;
    let r = desk
        .post(&format!("{mario}/famiglia"), &[("from_date", "01/06/2010")])
        .await;
    let family = r.location().to_owned();
    let r = desk
        .post(
            &format!("{family}/componenti"),
            &[
                ("codice_fiscale", "BNCNNA82B45A794U"),
                ("relationship", "2"),
                ("from_date", "01/06/2010"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    run_journey(
        "search_person_household_and_an_edit_with_a_wrong_codice_fiscale",
        state,
        registry_journey,
    )
    .await;
}

/// Logs in a user whose second factor is enrolled, typing the current code.
pub(crate) async fn login_with_code(
    c: &Client,
    base: &str,
    state: &web::AppState,
    login_name: &str,
) {
    use store::UserStore;
    login(c, base, login_name, support::STRONG).await;
    let user = state
        .store
        .get_user_by_login(&domain::Login::parse(login_name).unwrap())
        .await
        .unwrap();
    // A code is accepted once: each login waits for the next one.
    state.clock.advance(Duration::from_secs(30));
    let now = state.clock.now().unix_timestamp() as u64;
    let code = app::credentials::totp(user.totp_secret.as_deref().unwrap(), login_name)
        .unwrap()
        .generate(now)
        .to_string();
    fill(c, "#codice", &code).await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
}

/// What `href` answers when the page fetches it with the browser's session, as a click would:
/// the content type and the first five bytes ("application/pdf %PDF-").
pub(crate) async fn fetched(c: &Client, href: &str) -> String {
    c.execute(
        "return fetch(arguments[0]).then(r => r.arrayBuffer().then(b => \
         r.headers.get('content-type') + ' ' + \
         String.fromCharCode(...new Uint8Array(b.slice(0, 5)))));",
        vec![serde_json::Value::String(href.to_owned())],
    )
    .await
    .expect("fetch")
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Follows the link named `label` on the page.
pub(crate) async fn click_link(c: &Client, label: &str) {
    c.find(Locator::LinkText(label))
        .await
        .unwrap_or_else(|e| panic!("link «{label}»: {e}"))
        .click()
        .await
        .expect("click");
}

pub(crate) async fn click_button(c: &Client, label: &str) {
    let root = page_root(c).await;
    c.find(Locator::XPath(&format!(
        "//main//button[normalize-space()=\"{label}\"]"
    )))
    .await
    .unwrap_or_else(|e| panic!("button «{label}»: {e}"))
    .click()
    .await
    .expect("click");
    wait_left(root).await;
}

/// A walk-in recorded and taken in charge; an interview logged as riservato; another worker
/// cannot read it; the responsabile's break-glass access is logged and shown.
pub(crate) async fn case_file_journey(
    c: Client,
    base: String,
    state: web::AppState,
    person: String,
) {
    let c = &c;
    login_with_code(c, &base, &state, "anna").await;
    c.goto(&format!("{base}{person}"))
        .await
        .expect("person page");
    wait_h1(c, "Rossi Mario").await;
    c.find(Locator::LinkText("Registra un accesso"))
        .await
        .expect("the access button")
        .click()
        .await
        .expect("click");
    wait_h1(c, "Nuovo accesso di Rossi Mario").await;
    c.find(Locator::Css("input[name=needs][value=economico]"))
        .await
        .expect("need box")
        .click()
        .await
        .expect("tick");
    fill(c, "#request", "Chiede aiuto per l'affitto arretrato").await;
    choose(c, "#outcome", "presa_in_carico").await;
    submit(c).await;
    wait_h1(c, "Presa in carico di Rossi Mario").await;
    submit(c).await;
    let h1 = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(
            "//h1[starts-with(normalize-space(), 'Cartella sociale n.')]",
        ))
        .await
        .expect("the case file page");
    let case_title = h1.text().await.expect("h1");
    let case = path(c).await;

    c.find(Locator::Css("details summary"))
        .await
        .expect("new entry")
        .click()
        .await
        .expect("open the form");
    c.find(Locator::Css("input[name=confidentiality][value=riservato]"))
        .await
        .expect("riservato")
        .click()
        .await
        .expect("choose riservato");
    fill(c, "#title", "Colloquio riservato").await;
    fill(c, "#body", "Racconta di violenze in famiglia.").await;
    click_button(c, "Registra l'annotazione").await;
    wait_h1(c, &case_title).await;
    assert!(text(c, "main").await.contains("Racconta di violenze"));
    logout(c).await;

    login_with_code(c, &base, &state, "bruno").await;
    c.goto(&format!("{base}{case}")).await.expect("case page");
    wait_h1(c, &case_title).await;
    let seen = text(c, "main").await;
    assert!(!seen.contains("Racconta di violenze"), "{seen}");
    assert!(
        seen.contains("1 annotazione riservata non è mostrata"),
        "{seen}"
    );
    logout(c).await;

    login_with_code(c, &base, &state, "capo").await;
    c.goto(&format!("{base}{case}")).await.expect("case page");
    wait_h1(c, &case_title).await;
    assert!(!text(c, "main").await.contains("Racconta di violenze"));
    fill(c, "#reason", "Segnalazione urgente del pronto soccorso").await;
    click_button(c, "Accedi alle annotazioni riservate").await;
    wait_h1(c, &case_title).await;
    assert!(text(c, "main").await.contains("Racconta di violenze"));
    logout(c).await;

    login_with_code(c, &base, &state, "anna").await;
    let desk = text(c, "main").await;
    assert!(
        desk.contains("Accessi straordinari alle tue cartelle")
            && desk.contains("Segnalazione urgente del pronto soccorso"),
        "{desk}"
    );
    let logged = {
        use store::AuditStore;
        state
            .store
            .list_audit(&store::AuditFilter {
                action_prefix: Some("casefile.breakglass".into()),
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap()
    };
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].actor, "capo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn walk_in_taken_in_charge_confidential_entry_and_break_glass() {
    let state = support::app().await;
    let mut anna = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "anna",
        domain::Role::AssistenteSociale,
    )
    .await;
    for (login, role) in [
        ("bruno", domain::Role::AssistenteSociale),
        ("capo", domain::Role::Responsabile),
    ] {
        support::staff(&state, "comune-bergamo", "016024", login, role).await;
    }
    let r = anna
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", "RSSMRA80A01A794J"),
                ("surname", "Rossi"),
                ("given_names", "Mario"),
                ("sex", "M"),
                ("birth_date", "01/01/1980"),
                ("birthplace", "A794"),
                ("citizenship", "IT"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let person = r.location().to_owned();
    run_journey(
        "walk_in_taken_in_charge_confidential_entry_and_break_glass",
        state,
        move |c, base, state| case_file_journey(c, base, state, person),
    )
    .await;
}

pub(crate) async fn bergamo(state: &web::AppState) -> uuid::Uuid {
    use store::OrgStore;
    state
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bergamo").unwrap())
        .await
        .unwrap()
        .id
}

/// The ids the istanze journey needs.
pub(crate) struct Office {
    person: String,
    mensa: uuid::Uuid,
    sink: std::sync::Arc<crate::smtp::SmtpSink>,
}

/// An operator records an ISEE attestation and files an application for the school meals,
/// whose tariff puts the family in a co-payment band, and starts the review; the
/// responsabile accepts it and downloads the decision; the applicant's e-mail arrives.
pub(crate) async fn application_journey(c: Client, base: String, state: web::AppState, o: Office) {
    let c = &c;
    login(c, &base, "sportello", support::STRONG).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    c.goto(&format!("{base}{}", o.person))
        .await
        .expect("person page");
    wait_h1(c, "Rossi Mario").await;
    c.find(Locator::LinkText("Attestazioni ISEE"))
        .await
        .expect("the ISEE link")
        .click()
        .await
        .expect("click");
    wait_h1(c, "Attestazioni ISEE").await;
    let year = domain::localtime::today(state.clock.now()).year();
    let protocol = format!("INPS-ISEE-{year}-00012345A-00");
    let submitted = domain::dates::format_date(domain::localtime::today(state.clock.now()));
    for (css, value) in [
        ("#protocol", protocol.as_str()),
        ("#submitted_on", submitted.as_str()),
        ("#isee", "8.500,00"),
        ("#ise", "17.340,00"),
        ("#isr", "15.000,00"),
        ("#isp", "11.700,00"),
        ("#scala", "2,04"),
        ("#members", "3"),
    ] {
        fill(c, css, value).await;
    }
    click_button(c, "Registra l'attestazione").await;
    wait_h1(c, "Attestazioni ISEE").await;
    assert!(text(c, "main table").await.contains(&protocol));

    c.goto(&format!("{base}{}", o.person))
        .await
        .expect("person page");
    wait_h1(c, "Rossi Mario").await;
    c.find(Locator::LinkText("Nuova istanza"))
        .await
        .expect("the new application link")
        .click()
        .await
        .expect("click");
    wait_h1(c, "Nuova istanza").await;
    choose(c, "#benefit", &o.mensa.to_string()).await;
    let attestation = {
        use store::BenefitStore;
        let pid = uuid::Uuid::parse_str(o.person.trim_start_matches("/persone/")).unwrap();
        let org = bergamo(&state).await;
        state.store.person_attestations(org, pid).await.unwrap()[0].id
    };
    choose(c, "#attestation", &attestation.to_string()).await;
    fill(c, "#units", "20").await;
    fill(c, "#months", "9").await;
    click_button(c, "Presenta la domanda").await;
    let protocol_no = format!("{year}/000001");
    let app = wait_h1(c, &format!("Domanda {protocol_no}")).await;
    let seen = text(c, "main").await.replace('\u{a0}', " ");
    assert!(seen.contains("requisiti soddisfatti"), "{seen}");
    assert!(
        seen.contains("70,00 € al mese (compartecipazione a carico del richiedente) per 9 mesi"),
        "{seen}"
    );
    click_button(c, "Avvia l'istruttoria").await;
    wait_h1(c, &format!("Domanda {protocol_no}")).await;
    logout(c).await;

    login_with_code(c, &base, &state, "capo").await;
    c.goto(&format!("{base}{app}")).await.expect("application");
    wait_h1(c, &format!("Domanda {protocol_no}")).await;
    click_button(c, "Accogli").await;
    wait_h1(c, &format!("Domanda {protocol_no}")).await;
    let link = c
        .find(Locator::LinkText("Provvedimento (PDF)"))
        .await
        .expect("the decision link");
    let href = link.attr("href").await.expect("href").expect("an href");
    // Fetched by the browser with its session, as the click would.
    assert_eq!(fetched(c, &href).await, "application/pdf %PDF-");

    let subjects: Vec<String> = o
        .sink
        .received()
        .iter()
        .filter(|m| m.to == ["mario.rossi@example.org"])
        .map(|m| m.header("Subject").unwrap_or_default())
        .collect();
    assert!(
        subjects.contains(&format!("Domanda {protocol_no}: accolta")),
        "{subjects:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn an_isee_is_recorded_an_application_filed_accepted_and_its_decision_downloaded()
{
    let sink =
        std::sync::Arc::new(crate::smtp::SmtpSink::start(crate::smtp::Behaviour::Accept).await);
    let mut state = support::app().await;
    state.mailer = sink.mailer();
    let mut capo = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "capo",
        domain::Role::Responsabile,
    )
    .await;
    let r = capo.post("/prestazioni/catalogo-base", &[]).await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let mut op = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello",
        domain::Role::OperatoreSportello,
    )
    .await;
    let r = op
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", "RSSMRA80A01A794J"),
                ("surname", "Rossi"),
                ("given_names", "Mario"),
                ("sex", "M"),
                ("birth_date", "01/01/1980"),
                ("birthplace", "A794"),
                ("citizenship", "IT"),
                ("residence_istat", "016024"),
                ("residence_street", "Via Roma 1"),
                ("email", "mario.rossi@example.org"),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let person = r.location().to_owned();
    let mensa = {
        use store::BenefitStore;
        let org = bergamo(&state).await;
        state
            .store
            .list_benefits(org)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.data.code == "mensa")
            .unwrap()
            .id
    };
    let office = Office {
        person,
        mensa,
        sink,
    };
    run_journey(
        "an_isee_is_recorded_an_application_filed_accepted_and_its_decision_downloaded",
        state,
        move |c, base, state| application_journey(c, base, state, office),
    )
    .await;
}

/// A CAF operator without a mandate learns only that the code exists; the counter records the
/// person's mandate on their page; then the CAF sees the applicant and their attestations.
pub(crate) async fn mandate_journey(
    c: Client,
    base: String,
    _state: web::AppState,
    person: String,
) {
    let c = &c;
    login(c, &base, "caf.uno", support::STRONG).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    c.goto(&format!("{base}/istanze/nuova"))
        .await
        .expect("new application");
    wait_h1(c, "Nuova istanza").await;
    fill(c, "#codice_fiscale", crate::istanze_fixtures::ROSSI_CF).await;
    submit(c).await;
    wait_h1(c, "Nuova istanza").await;
    let lead = text(c, ".sp-lead").await;
    assert!(lead.contains("presente nell'anagrafe sociale"), "{lead}");
    assert!(!text(c, "main").await.contains("Mario"));
    logout(c).await;

    login(c, &base, "sportello", support::STRONG).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    c.goto(&format!("{base}{person}"))
        .await
        .expect("person page");
    wait_h1(c, "Rossi Mario").await;
    c.find(Locator::XPath(
        "//summary[normalize-space()=\"Registra una delega\"]",
    ))
    .await
    .expect("the mandate form")
    .click()
    .await
    .expect("open it");
    choose(c, "#mandate_tipo", "caf").await;
    fill(c, "#mandate_utente", "caf.uno").await;
    fill(c, "#mandate_note", "Delega firmata allo sportello CAF").await;
    click_button(c, "Registra la delega").await;
    wait_h1(c, "Rossi Mario").await;
    let table = text(c, "#deleghe ~ .sp-table-wrap").await;
    assert!(table.contains("caf.uno"), "{table}");
    logout(c).await;

    login(c, &base, "caf.uno", support::STRONG).await;
    c.goto(&format!(
        "{base}/istanze/nuova?codice_fiscale={}",
        crate::istanze_fixtures::ROSSI_CF
    ))
    .await
    .expect("new application");
    wait_h1(c, "Nuova istanza").await;
    assert!(text(c, ".sp-lead").await.contains("Rossi Mario"));
    assert!(text(c, "#attestation").await.contains("INPS-ISEE-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn a_caf_sees_an_applicant_only_under_a_mandate_the_counter_records() {
    let state = support::app().await;
    let (_capo, mut op) = crate::istanze_fixtures::office(&state).await;
    let person = crate::istanze_fixtures::register_rossi(&mut op).await;
    crate::istanze_fixtures::attest(&state, &mut op, &person).await;
    support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf.uno",
        domain::Role::OperatoreCaf,
    )
    .await;
    run_journey(
        "a_caf_sees_an_applicant_only_under_a_mandate_the_counter_records",
        state,
        move |c, base, state| mandate_journey(c, base, state, person),
    )
    .await;
}

/// Waits until the element `css` is shown (not hidden) and returns its text.
pub(crate) async fn wait_shown(c: &Client, css: &str) -> String {
    let start = Instant::now();
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && el.is_displayed().await.unwrap_or(false)
        {
            return el.text().await.unwrap_or_default();
        }
        assert!(start.elapsed() < WAIT, "{css} not shown within {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the text of `css` contains `part`.
pub(crate) async fn wait_text(c: &Client, css: &str, part: &str) {
    let start = Instant::now();
    loop {
        let now = match c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if now.contains(part) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "{css}: «{part}» not shown, it reads «{now}»"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A DSU typed at the counter with the keyboard: the nucleo from the famiglia anagrafica, a
/// rent with a wrong amount named beside its field as it is typed, the draft kept across a
/// reload, two accounts added as rows, the provisional ISEE as the engine computes it, the
/// signature.
pub(crate) async fn dsu_journey(c: Client, base: String, state: web::AppState, person: String) {
    let c = &c;
    login(c, &base, "sportello", support::STRONG).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    c.goto(&format!("{base}{person}"))
        .await
        .expect("person page");
    let root = page_root(c).await;
    c.find(Locator::LinkText(
        "Nuova DSU con questa persona come dichiarante",
    ))
    .await
    .expect("the link to a new DSU")
    .click()
    .await
    .expect("click");
    wait_left(root).await;
    wait_h1(c, "Nuova DSU").await;
    submit(c).await;
    let dsu = wait_h1(c, "DSU di Esposito Andrea bozza").await;
    assert!(text(c, "#nucleo").await.contains("Romano Giulia"));

    let root = page_root(c).await;
    c.find(Locator::LinkText("MB.1 quadro B"))
        .await
        .expect("quadro B in the list")
        .click()
        .await
        .expect("click");
    wait_left(root).await;
    wait_h1(c, "MB.1 quadro B casa di abitazione e nucleo").await;
    choose(c, "#f-casa_abitazione", "locazione").await;
    fill(c, "#f-locazione-intestatario", "SPSNDR82H15F205V").await;
    fill(c, "#f-locazione-data_registrazione", "01/03/2020").await;
    fill(c, "#f-locazione-estremi_registrazione", "3T 1234 Milano").await;
    fill(c, "#f-locazione-canone_annuo", "9.600,5x").await;
    let err = wait_shown(c, "#f-locazione-canone_annuo-err").await;
    assert!(err.contains("non è un importo valido"), "{err}");
    accessible(c, "dsu-quadro-b-errore").await;
    // What was typed is on the server: a reload shows it again, the error beside it.
    c.refresh().await.expect("reload");
    wait_h1(c, "MB.1 quadro B casa di abitazione e nucleo").await;
    let kept = c
        .find(Locator::Css("#f-locazione-canone_annuo"))
        .await
        .expect("the rent")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("9.600,5x"));
    fill(c, "#f-locazione-canone_annuo", "9.600,00").await;
    wait_text(c, "[data-autosave-status]", "Salvato alle").await;
    click_button(c, "Salva e vai avanti").await;
    wait_h1(c, "FC.1 quadro FC2 patrimonio mobiliare al 31 dicembre").await;
    choose(c, "#r-0-tipo", "01").await;
    fill(c, "#r-0-saldo", "12.000,00").await;
    fill(c, "#r-0-giacenza_media", "10.000,00").await;
    click_button(c, "Aggiungi rapporto").await;
    wait_h1(c, "FC.1 quadro FC2 patrimonio mobiliare al 31 dicembre").await;
    choose(c, "#r-1-tipo", "03").await;
    c.find(Locator::Css("#r-1-postale"))
        .await
        .expect("postale")
        .click()
        .await
        .expect("tick");
    fill(c, "#r-1-saldo", "4.000,00").await;
    fill(c, "#r-1-giacenza_media", "4.000,00").await;
    fill(c, "#r-1-titoli_di_stato", "4.000,00").await;
    click_button(c, "Salva e torna alla DSU").await;
    assert_eq!(wait_h1(c, "DSU di Esposito Andrea bozza").await, dsu);

    // Two earners, a flat let out with its mortgage, the family car.
    let id = uuid::Uuid::parse_str(dsu.trim_start_matches("/dsu/")).unwrap();
    let org = bergamo(&state).await;
    let members = {
        use store::DsuStore;
        state.store.dsu_members(org, id).await.unwrap()
    };
    let pid = person.trim_start_matches("/persone/");
    let spouse = members
        .iter()
        .find(|m| m.member.relation == domain::dsu::DsuRelation::C)
        .expect("the spouse")
        .member
        .person_id;
    let quadro = |key: String| {
        let url = format!("{base}{dsu}/quadri/{key}");
        async move { c.goto(&url).await.expect("quadro") }
    };
    for (who, income) in [
        (pid.to_owned(), "28.000,00"),
        (spouse.to_string(), "18.500,00"),
    ] {
        quadro(format!("fc8:{who}")).await;
        wait_h1(
            c,
            "FC.3 quadro FC8 redditi, trattamenti e spese dell'anno di riferimento",
        )
        .await;
        fill(c, "#f-reddito_complessivo", income).await;
        fill(c, "#f-di_cui_lavoro_dipendente", income).await;
        click_button(c, "Salva e torna alla DSU").await;
        wait_h1(c, "DSU di Esposito Andrea bozza").await;
    }
    quadro(format!("fc3:{pid}")).await;
    wait_h1(c, "FC.1 quadro FC3 patrimonio immobiliare al 31 dicembre").await;
    choose(c, "#r-0-tipo", "F").await;
    fill(c, "#r-0-comune_o_stato", "Bergamo").await;
    fill(c, "#r-0-quota", "100").await;
    fill(c, "#r-0-valore", "85.000,00").await;
    fill(c, "#r-0-mutuo_residuo", "52.000,00").await;
    click_button(c, "Salva e torna alla DSU").await;
    wait_h1(c, "DSU di Esposito Andrea bozza").await;
    quadro(format!("fc6:{pid}")).await;
    wait_h1(c, "FC.1 quadro FC6 autoveicoli, motoveicoli e imbarcazioni").await;
    choose(c, "#r-0-tipo", "autoveicolo").await;
    fill(c, "#r-0-targa", "GH123JK").await;
    click_button(c, "Salva e torna alla DSU").await;
    wait_h1(c, "DSU di Esposito Andrea bozza").await;

    // The page's ISEE is the engine's on the stored DSU.
    let shown = text(c, "#calcolo tbody tr td strong").await;
    let rec = {
        use store::DsuStore;
        state.store.get_dsu(org, id).await.unwrap()
    };
    let ev = app::dsu::evaluate(
        &rec,
        &members,
        &app::dsu::Draft::parse(&rec.quadri).unwrap(),
    );
    let ours = ev.main("ordinario").expect("the ordinary ISEE").clone();
    // WebDriver gives the no-break space before € as a space.
    assert_eq!(
        shown,
        domain::money::Money(ours.isee)
            .format()
            .replace('\u{a0}', " ")
    );
    assert_eq!(rec.isee_cents, Some(ours.isee));
    // The same DSU through `sportello isee calc` gives the same ISEE.
    let json = serde_json::to_string(ev.input.as_ref().expect("complete")).unwrap();
    let mut cli = Vec::new();
    isee::cli::calc(&mut json.as_bytes(), &mut cli).unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&cli).unwrap();
    let cli_isee: rust_decimal::Decimal = cli["isee"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        domain::money::Money::from_decimal(cli_isee)
            .unwrap()
            .cents(),
        ours.isee
    );

    // Printed for the signature, then signed and sent to INPS.
    assert_eq!(
        fetched(c, &format!("{dsu}/stampa")).await,
        "application/pdf %PDF-"
    );
    click_button(c, "Registra la firma").await;
    wait_h1(c, "DSU di Esposito Andrea firmata dal dichiarante").await;
    let year = rec.status.dsu_date.year();
    let protocol = format!("INPS-ISEE-{year}-00000707H-00");
    fill(c, "#protocollo", &protocol).await;
    click_button(c, "Registra la trasmissione all'INPS").await;
    wait_h1(c, "DSU di Esposito Andrea trasmessa all'INPS").await;

    // INPS's attestation arrives as XML with the same figures: imported on the declarant's
    // page, linked to the DSU, no difference.
    let xml_file = tempfile::NamedTempFile::with_suffix(".xml").expect("xml file");
    std::fs::write(
        xml_file.path(),
        inps_xml(&protocol, rec.status.dsu_date, &members, &ours),
    )
    .expect("write the XML");
    c.goto(&format!("{base}{person}/isee")).await.expect("isee");
    c.find(Locator::Css("#xml-file"))
        .await
        .expect("the file field")
        .send_keys(&xml_file.path().display().to_string())
        .await
        .expect("choose the file");
    click_button(c, "Importa").await;
    c.goto(&format!("{base}{dsu}")).await.expect("the DSU");
    wait_h1(c, "DSU di Esposito Andrea trasmessa all'INPS").await;
    click_button(c, "Collega e confronta").await;
    wait_h1(c, "DSU di Esposito Andrea attestata dall'INPS").await;
    let cmp = text(c, "#confronto").await;
    assert!(cmp.contains("Nessuna differenza"), "{cmp}");
    accessible(c, "dsu-attestata").await;
}

/// INPS's XML attestation of an ordinary ISEE with the counter's figures `f` for the nucleo
/// `members`, as the ConsultazioneISEE service gives it.
pub(crate) fn inps_xml(
    protocol: &str,
    on: time::Date,
    members: &[store::DsuMemberView],
    f: &app::dsu::Figures,
) -> String {
    use domain::money::Money;
    let plain = |cents: i64| {
        Money(cents)
            .format_plain()
            .replace('.', "")
            .replace(',', ".")
    };
    let nucleo: String = members
        .iter()
        .map(|m| {
            format!(
                r#"<ComponenteNucleo RapportoConDichiarante="{}" Cognome="{}" Nome="{}" CodiceFiscale="{}" />"#,
                m.member.relation.as_str(),
                m.surname.to_uppercase(),
                m.given_names.to_uppercase(),
                m.codice_fiscale.as_deref().unwrap_or_default()
            )
        })
        .collect();
    let declarant = members[0].codice_fiscale.as_deref().unwrap_or_default();
    let scala = f.scala.replace(',', ".");
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<EsitoAttestazione xmlns="http://inps.it/ISEERiforma">
  <Attestazione CodiceFiscaleDichiarante="{declarant}" NumeroProtocolloDSU="{protocol}" DataPresentazione="{on}" DataValidita="{year}-12-31">
    <Ordinario>
      <NucleoFamiliare>{nucleo}</NucleoFamiliare>
      <ISEEOrdinario DataRilascio="{on}">
        <Valori ISE="{ise}" ScalaEquivalenza="{scala}" ISEE="{isee}" ISR="{isr}" ISP="{isp}" />
      </ISEEOrdinario>
    </Ordinario>
  </Attestazione>
</EsitoAttestazione>"#,
        year = on.year(),
        ise = plain(f.ise),
        isee = plain(f.isee),
        isr = plain(f.isr),
        isp = plain(f.isp),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn a_dsu_is_typed_at_the_counter_with_errors_beside_their_fields_and_signed() {
    let state = support::app().await;
    let (_capo, mut op) = crate::istanze_fixtures::office(&state).await;
    let person = crate::dsu::esposito(&mut op).await;
    run_journey(
        "a_dsu_is_typed_at_the_counter_with_errors_beside_their_fields_and_signed",
        state,
        move |c, base, state| dsu_journey(c, base, state, person),
    )
    .await;
}

/// The two appointments of the agenda journey: one tomorrow, one about to begin.
pub(crate) struct Appointments {
    tomorrow: String,
    soon: String,
    case_file: uuid::Uuid,
}

/// An appointment moved to the afternoon and then cancelled; the week shows it; a resoconto
/// typed while the session expires is kept, and after the login (password and code) it is
/// sent and reaches the case file's diary.
pub(crate) async fn agenda_journey(c: Client, base: String, state: web::AppState, a: Appointments) {
    let c = &c;
    login_with_code(c, &base, &state, "anna").await;
    c.goto(&format!("{base}/appuntamenti/{}", a.tomorrow))
        .await
        .expect("appointment page");
    wait_h1(c, "Appuntamento con Mario Rossi").await;
    accessible(c, "appuntamento").await;
    fill(c, "#time", "15:30").await;
    click_button(c, "Sposta l'appuntamento").await;
    wait_h1(c, "Appuntamento con Mario Rossi").await;
    assert!(text(c, "#quando").await.contains("15:30"));
    assert!(text(c, "#storia").await.contains("spostato dal"));
    fill(c, "#reason", "la persona è ricoverata").await;
    click_button(c, "Annulla l'appuntamento").await;
    wait_h1(c, "Appuntamento con Mario Rossi").await;
    assert_eq!(text(c, "#stato").await, "annullato");
    c.find(Locator::LinkText("Torna all'agenda"))
        .await
        .expect("back to the agenda")
        .click()
        .await
        .expect("click");
    wait_h1(c, "Agenda di Operatore anna").await;
    accessible(c, "agenda").await;
    assert!(text(c, "table.sp-week").await.contains("annullato"));

    // The interview begins; the resoconto is typed while the session runs out.
    state.clock.advance(Duration::from_secs(15 * 60));
    c.goto(&format!("{base}/appuntamenti/{}", a.soon))
        .await
        .expect("appointment page");
    wait_h1(c, "Appuntamento con Mario Rossi").await;
    c.find(Locator::Css("input[name=status][value=svolto]"))
        .await
        .expect("svolto")
        .click()
        .await
        .expect("choose svolto");
    fill(
        c,
        "#body",
        "Ha portato il contratto d'affitto e le ricevute.",
    )
    .await;
    state.clock.advance(Duration::from_secs(31 * 60));
    click_button(c, "Registra l'esito").await;
    assert_eq!(wait_h1(c, "Accedi a Sportello").await, "/login");
    assert!(text(c, "main").await.contains("è stato conservato"));
    fill(c, "#login", "anna").await;
    fill(c, "#password", support::STRONG).await;
    submit(c).await;
    let secret = {
        use store::UserStore;
        state
            .store
            .get_user_by_login(&domain::Login::parse("anna").unwrap())
            .await
            .unwrap()
            .totp_secret
            .unwrap()
    };
    state.clock.advance(Duration::from_secs(30));
    let now = state.clock.now().unix_timestamp() as u64;
    let code = app::credentials::totp(&secret, "anna")
        .unwrap()
        .generate(now)
        .to_string();
    fill(c, "#codice", &code).await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Modulo da inviare").await, "/modulo-conservato");
    accessible(c, "modulo-conservato").await;
    assert!(text(c, "#conservato").await.contains("contratto d'affitto"));
    click_button(c, "Invia il modulo").await;
    wait_h1(c, "Appuntamento con Mario Rossi").await;
    assert_eq!(text(c, "#stato").await, "svolto");
    let diary = {
        use store::CaseStore;
        state
            .store
            .diary_entries(bergamo(&state).await, a.case_file, Some(0), 0, 10)
            .await
            .unwrap()
            .entries
    };
    assert_eq!(diary.len(), 1);
    assert_eq!(
        diary[0].data.body,
        "Ha portato il contratto d'affitto e le ricevute."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn an_appointment_is_moved_and_cancelled_and_a_resoconto_outlives_the_session() {
    let state = support::app().await;
    let mut anna = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "anna",
        domain::Role::AssistenteSociale,
    )
    .await;
    let r = anna
        .post("/persone/nuova", &crate::istanze_fixtures::rossi())
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let pid = r.location().trim_start_matches("/persone/").to_owned();
    let anna_id = {
        use store::UserStore;
        state
            .store
            .get_user_by_login(&domain::Login::parse("anna").unwrap())
            .await
            .unwrap()
            .id
    };
    let today = domain::localtime::today(state.clock.now());
    let r = anna
        .post(
            &format!("/persone/{pid}/cartella"),
            &[
                ("worker", &anna_id.to_string()),
                ("opened_on", &domain::dates::format_date(today)),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let case_file = uuid::Uuid::parse_str(r.location().trim_start_matches("/cartelle/")).unwrap();
    let mut book = async |date: String, time: String| {
        let r = anna
            .post(
                &format!("/agenda/nuovo?persona={pid}"),
                &[
                    ("worker", &anna_id.to_string()),
                    ("date", &date),
                    ("time", &time),
                    ("place", "Sede di via Roma 1"),
                    ("purpose", "contributo affitto"),
                ],
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
        let week = anna.get(r.location()).await;
        let sel = scraper::Selector::parse("a[href^=\"/appuntamenti/\"]").unwrap();
        let links: Vec<String> = week
            .html()
            .select(&sel)
            .filter_map(|a| a.value().attr("href"))
            .map(|h| h.trim_start_matches("/appuntamenti/").to_owned())
            .collect();
        links
    };
    let tomorrow = domain::dates::format_date(today + time::Duration::days(1));
    let first = book(tomorrow, "10:00".into()).await;
    let soon = domain::localtime::to_local(state.clock.now() + time::Duration::minutes(11));
    let second = book(
        domain::dates::format_date(soon.date()),
        domain::localtime::format_time(soon),
    )
    .await;
    let soon_id = second
        .iter()
        .find(|id| !first.contains(id))
        .expect("the second appointment")
        .clone();
    let a = Appointments {
        tomorrow: first[0].clone(),
        soon: soon_id,
        case_file,
    };
    run_journey(
        "an_appointment_is_moved_and_cancelled_and_a_resoconto_outlives_the_session",
        state,
        move |c, base, state| agenda_journey(c, base, state, a),
    )
    .await;
}

/// The session warning: a modal before the idle limit, whose «Resta collegato» extends the
/// session.
pub(crate) async fn session_warning_journey(c: Client, base: String, state: web::AppState) {
    let c = &c;
    login(c, &base, "sportello", support::STRONG).await;
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
    let dialog = c
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("dialog.sp-dialog[open]"))
        .await
        .expect("the warning before the idle limit");
    let said = dialog.text().await.expect("its text");
    assert!(
        said.contains("la sessione si chiude per inattività"),
        "{said}"
    );
    accessible(c, "avviso-sessione").await;
    c.find(Locator::Css("dialog [data-resta]"))
        .await
        .expect("Resta collegato")
        .click()
        .await
        .expect("click");
    let asked = Instant::now();
    while c.find(Locator::Css("dialog.sp-dialog[open]")).await.is_ok() {
        assert!(asked.elapsed() < WAIT, "the dialog stays open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Past the limit counted from the login, within it counted from «Resta collegato».
    state.clock.advance(Duration::from_secs(15));
    c.goto(&format!("{base}/")).await.expect("the desk");
    assert_eq!(wait_h1(c, "Scrivania").await, "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn the_session_warning_keeps_an_operator_logged_in() {
    let state = support::app_with(web::WebConfig {
        session_idle: Duration::from_secs(20),
        ..web::WebConfig::default()
    })
    .await;
    support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello",
        domain::Role::OperatoreSportello,
    )
    .await;
    run_journey(
        "the_session_warning_keeps_an_operator_logged_in",
        state,
        session_warning_journey,
    )
    .await;
}

/// The comune's list with Rossi, dead on `died` (empty: alive).
pub(crate) fn rossi_list(died: &str) -> String {
    format!(
        "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela\n\
         1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;{died};Via Roma 1;2010-05-01;F1;1"
    )
}

/// The responsabile imports the list that records Rossi's death, opens the proposed actions
/// from the registry events, confirms them, and finds the case file closed and his card
/// saying he died.
pub(crate) async fn death_journey(c: Client, base: String, state: web::AppState, person: String) {
    let c = &c;
    login_with_code(c, &base, &state, "capo").await;
    let today = domain::localtime::today(state.clock.now());
    let died = today - time::Duration::days(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("anagrafe.csv");
    std::fs::write(&file, rossi_list(&died.to_string())).expect("write the list");
    c.goto(&format!("{base}/anagrafe/import"))
        .await
        .expect("import page");
    wait_h1(c, "Import dall'anagrafe comunale").await;
    fill(c, "#data_riferimento", &domain::dates::format_date(today)).await;
    c.find(Locator::Css("#file"))
        .await
        .expect("the file field")
        .send_keys(file.to_str().expect("path"))
        .await
        .expect("choose the file");
    submit(c).await;
    wait_h1(c, "Resoconto dell'import").await;

    c.goto(&format!("{base}/anagrafe/eventi"))
        .await
        .expect("events page");
    wait_h1(c, "Eventi anagrafici da verificare").await;
    click_link(c, "Pratiche aperte e azioni proposte").await;
    wait_h1(c, "Pratiche aperte e azioni proposte").await;
    accessible(c, "azioni-proposte").await;
    let table = text(c, "#azioni").await;
    assert!(table.contains("Chiudere la cartella"), "{table}");
    assert!(table.contains("decesso"), "{table}");
    click_button(c, "Conferma e applica le azioni proposte").await;
    wait_text(c, ".sp-alert p", "Applicata 1 azione").await;
    wait_shown(c, "#nessuna-pratica").await;

    c.goto(&format!("{base}{person}")).await.expect("card");
    wait_h1(c, "Rossi Mario").await;
    let notice = text(c, "#decesso").await;
    assert!(
        notice.contains(&format!("Deceduto il {}", domain::dates::format_date(died))),
        "{notice}"
    );
    let social = text(c, "section[aria-labelledby=servizio]").await;
    assert!(social.contains("chiusa"), "{social}");
    assert!(!social.contains("Fissa un appuntamento"), "{social}");
    accessible(c, "scheda-deceduto").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn a_death_from_the_registry_is_followed_by_the_proposed_actions_confirmed_at_once()
 {
    let state = support::app().await;
    let mut capo = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "capo",
        domain::Role::Responsabile,
    )
    .await;
    let list = rossi_list("");
    let yesterday = domain::dates::format_date(
        domain::localtime::today(state.clock.now()) - time::Duration::days(2),
    );
    let r = capo
        .upload(
            "/anagrafe/import",
            &[("comune", "A794"), ("data_riferimento", &yesterday)],
            Some(("anagrafe.csv", list.as_bytes())),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let org = bergamo(&state).await;
    let rossi = {
        use store::PersonStore;
        state
            .store
            .find_person_by_cf(org, "RSSMRA80A01A794J")
            .await
            .unwrap()
    };
    let me = {
        use store::UserStore;
        state
            .store
            .get_user_by_login(&domain::Login::parse("capo").unwrap())
            .await
            .unwrap()
            .id
            .to_string()
    };
    let r = capo
        .post(
            &format!("/persone/{}/cartella", rossi.id),
            &[("worker", me.as_str()), ("opened_on", yesterday.as_str())],
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let person = format!("/persone/{}", rossi.id);
    run_journey(
        "a_death_from_the_registry_is_followed_by_the_proposed_actions_confirmed_at_once",
        state,
        move |c, base, state| death_journey(c, base, state, person),
    )
    .await;
}

/// At 360 px, the page shown fits the screen and passes axe-core (screenshot `what`); then
/// back to a desktop's width.
pub(crate) async fn on_a_phone(c: &Client, what: &str) {
    c.set_window_size(360, 740).await.expect("phone size");
    let wide: bool = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            Vec::new(),
        )
        .await
        .expect("measure")
        .as_bool()
        .unwrap_or(true);
    assert!(!wide, "the page is wider than a 360 px screen");
    accessible(c, what).await;
    c.set_window_size(1280, 900).await.expect("desktop size");
}

/// Signs in at the portal (in Italian) through the local SPID provider as its identity named
/// `who`; lands on «Le mie domande».
pub(crate) async fn portal_sign_in(c: &Client, base: &str, who: &str) {
    c.goto(&format!("{base}/portale/accedi"))
        .await
        .expect("sign-in");
    wait_h1(c, "Accedi al portale").await;
    click_link(c, "Entra con SPID – Provider di prova").await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css("main h1"))
        .await
        .expect("the provider's page");
    accessible(c, "provider-di-prova").await;
    let root = page_root(c).await;
    c.find(Locator::XPath(&format!("//button[contains(., '{who}')]")))
        .await
        .expect("the provider's identity")
        .click()
        .await
        .expect("click");
    wait_left(root).await;
    assert_eq!(wait_h1(c, "Le mie domande").await, "/portale/domande");
}

/// «Quanto pagherò» for the school meals from the portal's home page, with the facts of the
/// office's tests; `heading` is the page's in the language shown.
pub(crate) async fn work_out_the_meals(c: &Client, heading: &str) {
    click_link(c, "Mense scolastiche").await;
    wait_h1(c, heading).await;
    fill(c, "#isee", "8.500,00").await;
    fill(c, "#household", "3").await;
    fill(c, "#minors", "1").await;
    fill(c, "#units", "20").await;
    c.find(Locator::Css("#resident"))
        .await
        .expect("resident")
        .click()
        .await
        .expect("tick");
    submit(c).await;
    wait_h1(c, heading).await;
}

/// The portal on a phone and a desktop: a visitor works out what the school meals cost, in
/// Italian and in English; Rossi signs in with the (local) SPID provider, finds his
/// application and sees that the counter opened it; every page passes axe-core and fits 360 px.
pub(crate) async fn portal_journey(c: Client, base: String, _state: web::AppState, app_id: String) {
    let c = &c;
    // Headless Chromium asks for English first: the portal answers in English.
    c.goto(&format!("{base}/portale"))
        .await
        .expect("open the portal");
    assert_eq!(wait_h1(c, "Social services online").await, "/portale");
    click_link(c, "Italiano").await;
    wait_h1(c, "Servizi sociali online").await;
    click_link(c, "English").await;
    assert_eq!(wait_h1(c, "Social services online").await, "/portale");
    click_link(c, "Italiano").await;
    wait_h1(c, "Servizi sociali online").await;
    work_out_the_meals(c, "Quanto pagherò: Mense scolastiche").await;
    assert!(!text(c, "#importo").await.is_empty());

    on_a_phone(c, "portale-telefono").await;

    portal_sign_in(c, &base, "Mario Rossi").await;
    click_link(c, "Mense scolastiche").await;
    assert_eq!(
        wait_h1(c, "Domanda: Mense scolastiche").await,
        format!("/portale/domande/{app_id}")
    );
    assert!(text(c, "#stato").await.contains("Ricevuta"));
    click_link(c, "Chi ha visto i miei dati").await;
    wait_h1(c, "Chi ha visto i miei dati").await;
    assert!(text(c, "main table").await.contains("Operatore sportello"));
    portal_sign_out(c).await;
    c.goto(&format!("{base}/portale/domande/{app_id}"))
        .await
        .expect("reopen");
    wait_h1(c, "Accedi al portale").await;
}

/// Signs out of the portal (in Italian) from any of its pages.
pub(crate) async fn portal_sign_out(c: &Client) {
    let root = page_root(c).await;
    c.find(Locator::XPath("//header//button[normalize-space()='Esci']"))
        .await
        .expect("sign-out button")
        .click()
        .await
        .expect("click");
    wait_left(root).await;
    wait_h1(c, "Servizi sociali online").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn a_citizen_signs_in_with_spid_and_follows_the_application_the_counter_opened() {
    use crate::istanze_fixtures::{attest, file_mensa, office, register_rossi};
    let state = support::app().await;
    let (_, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    assert_eq!(op.get(&app).await.status, axum::http::StatusCode::OK);
    let provider = oidc::testing::TestProvider::start(
        vec![oidc::testing::TestIdentity::new(
            crate::istanze_fixtures::ROSSI_CF,
            "Mario",
            "Rossi",
            None,
        )],
        oidc::testing::Behaviour::Honest,
    )
    .await
    .unwrap();
    let config = provider.provider_config("SPID – Provider di prova");
    let app_id = app.trim_start_matches("/istanze/").to_owned();
    run_journey_at(
        "a_citizen_signs_in_with_spid_and_follows_the_application_the_counter_opened",
        state,
        move |base, state| {
            state.with_oidc(
                web::portale::local_relying_party(base, "Comune di Bergamo", config).unwrap(),
            )
        },
        move |c, base, state| async move {
            portal_journey(c, base, state, app_id).await;
            drop(provider);
        },
    )
    .await;
}

/// The responsabile types the letterhead (with a wrong CAP first), accepts an application and
/// reads its decision: the act's number and the letterhead are in the PDF's text; the
/// register lists the act.
pub(crate) async fn letterhead_journey(c: Client, base: String, state: web::AppState, app: String) {
    let c = &c;
    login_with_code(c, &base, &state, "responsabile").await;
    c.goto(&format!("{base}/admin"))
        .await
        .expect("administration");
    wait_h1(c, "Enti").await;
    click_link(c, "Carta intestata").await;
    wait_h1(c, "Carta intestata").await;
    for (css, value) in [
        ("#office", "Settore Servizi sociali"),
        ("#address", "Piazza Matteotti 27"),
        ("#postcode", "2412"),
        ("#city", "Bergamo (BG)"),
        ("#phone", "035 399111"),
        ("#pec", "protocollo@cert.comune.bergamo.it"),
        ("#hours", "lunedì–venerdì 9–12"),
        ("#signer_title", "La Responsabile del Servizio"),
        ("#signer_name", "dott.ssa Anna Bianchi"),
    ] {
        fill(c, css, value).await;
    }
    submit(c).await;
    wait_h1(c, "Carta intestata").await;
    assert!(
        text(c, "#postcode-err").await.contains("cinque cifre"),
        "the CAP's error beside its field"
    );
    fill(c, "#postcode", "24122").await;
    submit(c).await;
    wait_h1(c, "Carta intestata").await;
    assert!(
        text(c, ".sp-alert")
            .await
            .contains("Carta intestata salvata")
    );

    c.goto(&format!("{base}{app}")).await.expect("application");
    let year = domain::localtime::today(state.clock.now()).year();
    let title = format!("Domanda {year}/000001");
    wait_h1(c, &title).await;
    click_button(c, "Accogli").await;
    wait_h1(c, &title).await;
    let number = format!("Provvedimento n. 1/{year}");
    let procedure = text(c, "section[aria-labelledby=procedimento]").await;
    assert!(procedure.contains(&number), "{procedure}");
    let bytes = crate::browser_logo::decision_pdf(c).await;
    let doc = lopdf::Document::load_mem(&bytes).expect("the PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let pdf = doc.extract_text(&pages).expect("the PDF's text");
    for s in [
        number.as_str(),
        "Settore Servizi sociali",
        "Piazza Matteotti 27 – 24122 Bergamo (BG)",
        "PEC protocollo@cert.comune.bergamo.it",
        "La Responsabile del Servizio",
        "dott.ssa Anna Bianchi",
    ] {
        assert!(pdf.contains(s), "«{s}» not in the decision:\n{pdf}");
    }

    c.goto(&format!("{base}/istanze")).await.expect("istanze");
    wait_h1(c, "Istanze").await;
    click_link(c, "Registro degli atti").await;
    wait_h1(c, &format!("Registro degli atti {year}")).await;
    let register = text(c, "main table").await;
    assert!(register.contains(&format!("1/{year}")), "{register}");
    assert!(register.contains("Rossi Mario"), "{register}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn the_letterhead_typed_by_the_responsabile_is_on_the_numbered_decision() {
    let (state, app) = crate::browser_logo::office_with_an_application().await;
    run_journey(
        "the_letterhead_typed_by_the_responsabile_is_on_the_numbered_decision",
        state,
        move |c, base, state| letterhead_journey(c, base, state, app),
    )
    .await;
}

/// The segretariato remembers: an access recorded three days later with its real day and hour
/// and a follow-up, found again by its period, its follow-up marked done.
pub(crate) async fn segretariato_journey(
    c: Client,
    base: String,
    state: web::AppState,
    person: String,
) {
    let c = &c;
    login_with_code(c, &base, &state, "anna").await;
    let today = domain::localtime::today(state.clock.now());
    let day = |n: i64| domain::dates::format_date(today + time::Duration::days(n));
    c.goto(&format!("{base}{person}/accesso"))
        .await
        .expect("the access form");
    wait_h1(c, "Nuovo accesso di Rossi Mario").await;
    fill(c, "#date", &day(-3)).await;
    fill(c, "#time", "09:30").await;
    choose(c, "#channel", "telefono").await;
    c.find(Locator::Css("input[name=needs][value=lavoro]"))
        .await
        .expect("need box")
        .click()
        .await
        .expect("tick");
    fill(
        c,
        "#request",
        "Chiede come iscriversi al centro per l'impiego",
    )
    .await;
    choose(c, "#outcome", "informazioni").await;
    fill(
        c,
        "#follow_up",
        "Richiamare con gli orari dello sportello lavoro",
    )
    .await;
    fill(c, "#follow_up_date", &day(2)).await;
    submit(c).await;
    wait_h1(c, "Segretariato sociale").await;
    assert!(
        text(c, "#seguiti")
            .await
            .contains("Richiamare con gli orari"),
        "the follow-up is due"
    );
    // Today's list leaves the access out; its period finds it.
    fill(c, "#dal", &day(-3)).await;
    click_button(c, "Mostra").await;
    wait_h1(c, "Segretariato sociale").await;
    assert!(path(c).await.starts_with("/segretariato"));
    let url = c.current_url().await.expect("url");
    assert!(url.query().unwrap_or_default().contains("dal="), "{url}");
    let list = text(c, "#accessi").await;
    assert!(list.contains(&format!("{} 09:30", day(-3))), "{list}");
    assert!(text(c, "#bisogni").await.contains("lavoro"));
    click_button(c, "Segna come fatto: seguito di Rossi Mario").await;
    wait_h1(c, "Segretariato sociale").await;
    assert!(
        text(c, "main").await.contains("Nessun seguito da fare"),
        "the follow-up is done"
    );
    // Back on the same period.
    let list = text(c, "#accessi").await;
    assert!(list.contains("fatto"), "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(crate) async fn an_access_recorded_later_with_a_follow_up_is_found_by_period_and_marked_done() {
    let state = support::app().await;
    let mut anna = support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "anna",
        domain::Role::AssistenteSociale,
    )
    .await;
    let person = crate::cases::person(&mut anna).await;
    run_journey(
        "an_access_recorded_later_with_a_follow_up_is_found_by_period_and_marked_done",
        state,
        move |c, base, state| segretariato_journey(c, base, state, format!("/persone/{person}")),
    )
    .await;
}
