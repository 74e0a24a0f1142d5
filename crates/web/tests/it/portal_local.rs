//! Local accounts on the portal (issue 22): off by default; when on, a citizen who types their
//! codice fiscale and the e-mail address the office recorded receives a single-use link, chooses
//! a password with it and signs in with codice fiscale and password. Nobody learns from the
//! form who is in the registry, and a codice fiscale typed with another address mails nothing.
//! On SQLite and PostgreSQL.

use crate::istanze_fixtures::{ROSSI_CF, attest, file_mensa, office, org_id, register_rossi};
use crate::portal::{BIANCHI_CF, register_bianchi_at};
use crate::smtp::{Behaviour, PORTAL_URL, Received, SmtpSink};
use crate::support::{Client, STRONG, staff};
use axum::http::StatusCode;
use domain::Role;
use std::time::Duration;
use store::{AuditStore, UserStore};
use web::AppState;

on_both!(
    local_accounts_are_off_by_default,
    a_citizen_chooses_a_password_with_the_mailed_link_and_signs_in_with_it,
    the_answer_is_the_same_and_only_the_address_on_file_gets_a_link,
    a_link_works_once_for_a_day_and_the_latest_only,
    an_operator_login_equal_to_a_codice_fiscale_is_never_a_citizen_account,
    requests_and_sign_ins_are_throttled,
);

const ROSSI_MAIL: &str = "mario.rossi@example.org";
const PASSWORD: &str = "lanterna verde sul molo antico";

/// The application with local accounts on and e-mail through a sink that keeps it.
async fn enabled(state: AppState) -> (AppState, SmtpSink) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let mut state = crate::support::with_local_accounts(state);
    state.mailer = sink.mailer();
    (state, sink)
}

/// The e-mails with a link the sink holds (the office's notices to the applicant aside).
fn links(sink: &SmtpSink) -> Vec<Received> {
    sink.received()
        .into_iter()
        .filter(|m| {
            m.header("Subject")
                .is_some_and(|s| s.ends_with("scegli la tua password"))
        })
        .collect()
}

/// Waits until the sink holds `n` e-mails with a link (mailed after the answer).
async fn mails(sink: &SmtpSink, n: usize) -> Vec<Received> {
    for _ in 0..500 {
        if links(sink).len() >= n {
            // Whatever else was on its way has arrived too.
            tokio::time::sleep(Duration::from_millis(100)).await;
            return links(sink);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{n} e-mails expected, {} arrived", links(sink).len());
}

/// The link of an e-mail, as a path of the portal.
fn link(m: &Received) -> String {
    let body = m.body();
    let prefix = format!("{PORTAL_URL}/registrati/conferma?t=");
    let at = body.find(&prefix).unwrap_or_else(|| panic!("{body}"));
    let url: String = body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url.trim_start_matches(PORTAL_URL.trim_end_matches("/portale"))
        .to_owned()
}

fn token(path: &str) -> String {
    path.split_once("?t=").unwrap().1.to_owned()
}

async fn ask(c: &mut Client, cf: &str, email: &str) -> crate::support::Response {
    c.post(
        "/portale/registrati",
        &[("codice_fiscale", cf), ("email", email)],
    )
    .await
}

async fn choose(c: &mut Client, path: &str, password: &str) -> crate::support::Response {
    c.post(
        "/portale/registrati/conferma",
        &[
            ("t", &token(path)),
            ("password", password),
            ("conferma", password),
        ],
    )
    .await
}

async fn local_accounts_are_off_by_default(state: AppState) {
    let mut visitor = Client::new(&state);
    let page = visitor.get("/portale/accedi").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html().select(&sel("#codice_fiscale")).next().is_none());
    assert!(!page.body.contains("/portale/registrati"));
    for path in ["/portale/registrati", "/portale/registrati/conferma?t=x"] {
        assert_eq!(
            visitor.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        ask(&mut visitor, ROSSI_CF, ROSSI_MAIL).await.status,
        StatusCode::NOT_FOUND
    );
    let r = visitor
        .post(
            "/portale/accedi",
            &[("codice_fiscale", ROSSI_CF), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

async fn a_citizen_chooses_a_password_with_the_mailed_link_and_signs_in_with_it(state: AppState) {
    let (state, sink) = enabled(state).await;
    let (_, mut op) = office(&state).await;
    let org = org_id(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let mine = file_mensa(&state, &mut op, &person, &attestation).await;

    let mut citizen = Client::new(&state);
    let signin = citizen.get("/portale/accedi").await;
    assert!(
        signin
            .html()
            .select(&sel("#codice_fiscale"))
            .next()
            .is_some()
    );
    assert!(signin.body.contains("/portale/registrati?dimenticata=1"));
    assert_eq!(
        citizen.get("/portale/registrati").await.status,
        StatusCode::OK
    );
    // The codice fiscale in lower case with spaces, the address in other letters: the same.
    let r = ask(
        &mut citizen,
        "rssmra 80a01 a794j",
        " Mario.Rossi@Example.org ",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.text("main").contains("Se i dati corrispondono"));
    let sent = mails(&sink, 1).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, [ROSSI_MAIL]);
    let body = sent[0].body();
    // Nothing of the person but the link.
    for personal in ["Rossi", "Mario", ROSSI_CF, "mensa", "Mense"] {
        assert!(!body.contains(personal), "{personal} in {body}");
    }
    let path = link(&sent[0]);

    // Opening the link (a mail scanner, then the citizen) spends nothing.
    for _ in 0..2 {
        let form = citizen.get(&path).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert_eq!(form.attr("input[name=t]", "value"), token(&path));
    }
    // The office's password rules, in the citizen's words; the two must match.
    let weak = choose(&mut citizen, &path, "password1234").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.attr("#password", "aria-invalid"), "true");
    let r = citizen
        .post(
            "/portale/registrati/conferma",
            &[
                ("t", &token(&path)),
                ("password", PASSWORD),
                ("conferma", "un'altra cosa"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.attr("#conferma", "aria-invalid"), "true");

    let r = choose(&mut citizen, &path, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/portale/domande");
    let list = citizen.get("/portale/domande").await;
    assert_eq!(list.status, StatusCode::OK);
    let mine_on_portal = mine.replace("/istanze/", "/portale/domande/");
    assert!(list.body.contains(&mine_on_portal), "{}", list.body);

    // The account is the one SPID would use: the codice fiscale, the citizen's role.
    let user = state
        .store
        .get_user_by_login(&domain::Login::parse(&ROSSI_CF.to_lowercase()).unwrap())
        .await
        .unwrap();
    assert_eq!(user.full_name, "Mario Rossi");
    let roles = state.store.memberships(user.id).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!((roles[0].org.id, roles[0].role), (org, Role::Cittadino));

    // Out, and in again with codice fiscale and password; a wrong one is told generically.
    citizen.post("/portale/esci", &[]).await;
    let wrong = citizen
        .post(
            "/portale/accedi",
            &[("codice_fiscale", ROSSI_CF), ("password", "non è questa")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .body
            .contains("Codice fiscale o password non corretti.")
    );
    assert_eq!(wrong.attr("#codice_fiscale", "value"), ROSSI_CF);
    let r = citizen
        .post(
            "/portale/accedi?dopo=%2Fportale%2Faccessi",
            &[
                ("codice_fiscale", &ROSSI_CF.to_lowercase()),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/portale/accessi");
    let page = citizen.get(&mine_on_portal).await;
    assert_eq!(page.status, StatusCode::OK);

    // Audited: the link (without the address), the password, each sign-in.
    let person_id: uuid::Uuid = person.rsplit('/').next().unwrap().parse().unwrap();
    let rows = state.store.audit_chain(org).await.unwrap();
    let of = |action: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| {
                r.action == action && [Some(user.id), Some(person_id)].contains(&r.record_id)
            })
            .map(|r| r.summary.clone())
            .collect()
    };
    let links = of("portal.account_link");
    assert_eq!(links.len(), 1, "{links:?}");
    assert!(!links[0].contains('@'), "{}", links[0]);
    assert_eq!(of("user.password_change").len(), 1);
    let logins = of("session.portal_login");
    assert_eq!(logins.len(), 2, "{logins:?}");
    assert!(logins.iter().all(|s| s.ends_with("con account locale")));
}

async fn the_answer_is_the_same_and_only_the_address_on_file_gets_a_link(state: AppState) {
    let (state, sink) = enabled(state).await;
    let (_, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    register_bianchi_at(&mut op, "laura.bianchi@example.org").await;
    let mut visitor = Client::new(&state);
    let right = ask(&mut visitor, ROSSI_CF, ROSSI_MAIL).await;
    mails(&sink, 1).await;
    // Rossi's codice fiscale with another address; Bianchi's with Rossi's; a codice fiscale
    // nobody holds: the same page, and nothing mailed.
    for (cf, email) in [
        (ROSSI_CF, "laura.bianchi@example.org"),
        (ROSSI_CF, "mario.rossi@example.org.evil.example"),
        (BIANCHI_CF, ROSSI_MAIL),
        ("VRDGNN70A01H501H", ROSSI_MAIL),
    ] {
        let r = ask(&mut visitor, cf, email).await;
        assert_eq!(r.status, StatusCode::OK, "{cf} {email}");
        assert_eq!(r.text("main"), right.text("main"), "{cf} {email}");
    }
    // Bianchi with her own address: her link, to her.
    ask(&mut visitor, BIANCHI_CF, "laura.bianchi@example.org").await;
    let sent = mails(&sink, 2).await;
    let to: Vec<_> = sent.iter().map(|m| m.to.clone()).collect();
    assert_eq!(
        to,
        [
            vec![ROSSI_MAIL.to_owned()],
            vec!["laura.bianchi@example.org".to_owned()]
        ]
    );
    // A bad field is named; nothing is asked of the registry.
    let bad = ask(&mut visitor, "RSSMRA80A01A794X", "mario").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.attr("#codice_fiscale", "aria-invalid"), "true");
    assert_eq!(bad.attr("#email", "aria-invalid"), "true");
    assert_eq!(bad.attr("#email", "value"), "mario");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(links(&sink).len(), 2);
}

async fn a_link_works_once_for_a_day_and_the_latest_only(state: AppState) {
    let (state, sink) = enabled(state).await;
    let (_, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    let mut citizen = Client::new(&state);
    ask(&mut citizen, ROSSI_CF, ROSSI_MAIL).await;
    let first = link(&mails(&sink, 1).await[0]);
    ask(&mut citizen, ROSSI_CF, ROSSI_MAIL).await;
    let second = link(&mails(&sink, 2).await[1]);
    assert_ne!(first, second);
    // The earlier link stopped working when the later one was sent.
    let r = citizen.get(&first).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.body.contains("/portale/registrati"));
    assert_eq!(
        choose(&mut citizen, &first, PASSWORD).await.status,
        StatusCode::GONE
    );
    // An unknown token is gone too.
    assert_eq!(
        citizen
            .get("/portale/registrati/conferma?t=inventato")
            .await
            .status,
        StatusCode::GONE
    );
    // The later one works once.
    assert_eq!(
        choose(&mut citizen, &second, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut other = Client::new(&state);
    assert_eq!(
        choose(&mut other, &second, "un'altra frase lunga e segreta")
            .await
            .status,
        StatusCode::GONE
    );
    assert_eq!(other.get(&second).await.status, StatusCode::GONE);
    // The password chosen is still the one in force.
    let r = other
        .post(
            "/portale/accedi",
            &[("codice_fiscale", ROSSI_CF), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // «Password dimenticata»: a new link, which lasts 24 hours.
    ask(&mut citizen, ROSSI_CF, ROSSI_MAIL).await;
    let third = link(&mails(&sink, 3).await[2]);
    state.clock.advance(Duration::from_secs(24 * 3600 + 1));
    assert_eq!(citizen.get(&third).await.status, StatusCode::GONE);
    assert_eq!(
        choose(&mut citizen, &third, STRONG).await.status,
        StatusCode::GONE
    );
    // The sessions opened with the old password ended with the new one, not before.
    assert_eq!(
        other.get("/portale/domande").await.status,
        StatusCode::SEE_OTHER
    );
}

async fn an_operator_login_equal_to_a_codice_fiscale_is_never_a_citizen_account(state: AppState) {
    let (state, sink) = enabled(state).await;
    let (_, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    let mut citizen = Client::new(&state);
    // The link is mailed while the login is nobody's ...
    ask(&mut citizen, ROSSI_CF, ROSSI_MAIL).await;
    let path = link(&mails(&sink, 1).await[0]);
    // ... then an operator's account takes that login.
    let login = ROSSI_CF.to_lowercase();
    let mut operator = staff(
        &state,
        "comune-bergamo",
        "016024",
        &login,
        Role::OperatoreSportello,
    )
    .await;
    let r = choose(&mut citizen, &path, PASSWORD).await;
    assert_eq!(r.location(), "/portale/accedi?errore=rifiutato");
    assert!(!citizen.cookies.contains_key(web::portale::PORTAL_COOKIE));
    // The operator's password is untouched, and no further link goes out for that login.
    assert_eq!(operator.get("/").await.status, StatusCode::OK);
    let mut again = Client::new(&state);
    again.login_fully(&login, STRONG).await;
    ask(&mut citizen, ROSSI_CF, ROSSI_MAIL).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(links(&sink).len(), 1);
    // Nor does the portal's password form open it.
    let r = citizen
        .post(
            "/portale/accedi",
            &[("codice_fiscale", ROSSI_CF), ("password", STRONG)],
        )
        .await;
    assert_eq!(r.location(), "/portale/accedi?errore=rifiutato");
    assert!(!citizen.cookies.contains_key(web::portale::PORTAL_COOKIE));
}

async fn requests_and_sign_ins_are_throttled(state: AppState) {
    let (state, sink) = enabled(state).await;
    let (_, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    let mut visitor = Client::new(&state);
    for _ in 0..3 {
        assert_eq!(
            ask(&mut visitor, ROSSI_CF, ROSSI_MAIL).await.status,
            StatusCode::OK
        );
    }
    // The fourth for the same codice fiscale waits, whatever the address typed.
    let r = ask(&mut visitor, ROSSI_CF, "chiunque@example.org").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("riprova tra 1 minuto"), "{}", r.body);
    assert_eq!(mails(&sink, 3).await.len(), 3);
    // Other codici fiscali from the same address still may, up to the address's ten.
    for cf in [
        BIANCHI_CF,
        BIANCHI_CF,
        BIANCHI_CF,
        "VRDGNN70A01H501H",
        "VRDGNN70A01H501H",
        "VRDGNN70A01H501H",
        "VRDLCU50C43A794E",
    ] {
        assert_eq!(
            ask(&mut visitor, cf, ROSSI_MAIL).await.status,
            StatusCode::OK,
            "{cf}"
        );
    }
    assert_eq!(
        ask(&mut visitor, "BNCNNA82B45A794U", ROSSI_MAIL)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Wrong passwords: the office's counters, by login and address.
    for _ in 0..5 {
        let r = visitor
            .post(
                "/portale/accedi",
                &[("codice_fiscale", ROSSI_CF), ("password", "tentativo")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = visitor
        .post(
            "/portale/accedi",
            &[("codice_fiscale", ROSSI_CF), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Troppi tentativi"), "{}", r.body);
}
