//! Nothing typed is lost when a session expires: a form posted after it is kept for its
//! account and sent after the login (with the second factor), never given to another account
//! and gone after its time; the login leads to the page asked for, never off the site; "Resta
//! collegato" extends the session. On SQLite and PostgreSQL.

use crate::istanze_fixtures::{ROSSI_CF, rossi};
use crate::support::{Client, STRONG, staff};
use axum::http::StatusCode;
use domain::Role;
use std::time::Duration;
use web::AppState;

on_both!(
    a_form_posted_after_the_session_expired_is_sent_after_logging_in_again,
    another_account_logging_in_does_not_get_the_kept_form,
    a_kept_form_expires,
    the_login_leads_to_the_page_asked_for_and_never_off_the_site,
    staying_logged_in_extends_the_session,
);

const IDLE_PAST: Duration = Duration::from_secs(31 * 60);

async fn worker(state: &AppState, login: &str) -> Client {
    staff(
        state,
        "comune-bergamo",
        "016024",
        login,
        Role::AssistenteSociale,
    )
    .await
}

/// Lets the session expire, then posts a new person: the form is kept and the browser goes
/// to the login page, which says so.
async fn post_after_expiry(state: &AppState, c: &mut Client) {
    state.clock.advance(IDLE_PAST);
    let r = c.post("/persone/nuova", &rossi()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login");
    let login = c.get("/login").await;
    assert!(
        login
            .body
            .contains("il modulo che stavi inviando è stato conservato"),
        "{}",
        login.body
    );
}

/// The kept form's action and fields, from its page.
fn kept_form(r: &crate::support::Response) -> (String, Vec<(String, String)>) {
    let html = r.html();
    let form = scraper::Selector::parse("main form").unwrap();
    let input = scraper::Selector::parse("input[type=hidden]").unwrap();
    let f = html.select(&form).next().expect("the kept form");
    let fields = f
        .select(&input)
        .map(|i| {
            let v = i.value();
            (
                v.attr("name").unwrap().to_owned(),
                v.attr("value").unwrap_or("").to_owned(),
            )
        })
        .collect();
    (f.value().attr("action").unwrap().to_owned(), fields)
}

async fn a_form_posted_after_the_session_expired_is_sent_after_logging_in_again(state: AppState) {
    let mut c = worker(&state, "assistente").await;
    post_after_expiry(&state, &mut c).await;
    // Password and second factor again; the desk leads on to the kept form.
    c.login_fully("assistente", STRONG).await;
    let desk = c.get("/").await;
    assert_eq!(desk.location(), "/modulo-conservato");
    let page = c.get("/modulo-conservato").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.text("#conservato").contains(ROSSI_CF));
    let (action, fields) = kept_form(&page);
    assert_eq!(action, "/persone/nuova");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = c.post(&action, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/persone/"), "{}", r.location());
    let person = c.get(r.location()).await;
    assert!(person.body.contains("Rossi"), "the person is saved");
    // It was given once.
    assert_eq!(c.get("/modulo-conservato").await.location(), "/");
    assert_eq!(c.get("/").await.status, StatusCode::OK);
}

async fn another_account_logging_in_does_not_get_the_kept_form(state: AppState) {
    let mut c = worker(&state, "assistente").await;
    worker(&state, "collega").await;
    post_after_expiry(&state, &mut c).await;
    // Someone else logs in at the same browser.
    c.login_fully("collega", STRONG).await;
    assert_eq!(c.get("/").await.location(), "/modulo-conservato");
    let r = c.get("/modulo-conservato").await;
    assert_eq!(r.location(), "/", "nothing to show to another account");
    let desk = c.get("/").await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(!desk.body.contains(ROSSI_CF));
    assert!(
        desk.body
            .contains("un modulo si conserva per 30 minuti, e solo per chi lo stava inviando")
    );
}

async fn a_kept_form_expires(state: AppState) {
    let mut c = worker(&state, "assistente").await;
    post_after_expiry(&state, &mut c).await;
    state.clock.advance(Duration::from_secs(31 * 60));
    c.login_fully("assistente", STRONG).await;
    let r = c.get("/modulo-conservato").await;
    assert_eq!(r.location(), "/", "kept for 30 minutes only");
    let desk = c.get("/").await;
    assert!(desk.body.contains("un modulo si conserva per 30 minuti"));
}

async fn the_login_leads_to_the_page_asked_for_and_never_off_the_site(state: AppState) {
    let mut c = worker(&state, "assistente").await;
    state.clock.advance(IDLE_PAST);
    let r = c.get("/agenda?settimana=08/12/2027").await;
    assert_eq!(
        r.location(),
        "/login?dopo=%2Fagenda%3Fsettimana%3D08%2F12%2F2027"
    );
    assert_eq!(c.get(r.location()).await.status, StatusCode::OK);
    c.login_fully("assistente", STRONG).await;
    assert_eq!(c.get("/").await.location(), "/agenda?settimana=08/12/2027");
    assert_eq!(c.get("/").await.status, StatusCode::OK, "once only");

    for elsewhere in [
        "https://altro.example/pagina",
        "//altro.example/pagina",
        "/\\altro.example",
        "/\r\nLocation: https://altro.example",
        "javascript:alert(1)",
        "/logout",
    ] {
        let mut c = Client::new(&state);
        let q = crate::support::enc(elsewhere);
        assert_eq!(
            c.get(&format!("/login?dopo={q}")).await.status,
            StatusCode::OK
        );
        c.login_fully("assistente", STRONG).await;
        let desk = c.get("/").await;
        assert_eq!(desk.status, StatusCode::OK, "{elsewhere} followed");
    }
}

async fn staying_logged_in_extends_the_session(state: AppState) {
    let mut c = worker(&state, "assistente").await;
    let desk = c.get("/").await;
    assert!(desk.body.contains("data-sessione-secondi=\"1800\""));
    for _ in 0..3 {
        state.clock.advance(Duration::from_secs(25 * 60));
        let r = c.post("/sessione/rinnova", &[]).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    state.clock.advance(IDLE_PAST);
    let r = c.post("/sessione/rinnova", &[]).await;
    assert_eq!(r.location(), "/login", "an expired session is not renewed");
}
