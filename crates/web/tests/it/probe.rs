//! The findings of the outside security probe (issue 19), each as the behaviour that now
//! holds: what a CAF or a citizen may learn of a person, who may take over an account shared
//! by two organizations, break-glass through team and assignment, token and one-time password
//! lifetimes, short idle limits, the flash cookie and redirects.

use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, benefit_id, office, org_id, register_rossi, year,
};
use crate::support::{ADMIN_PASSWORD, Client, STRONG, api_token, app, app_with, staff};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::{Login, Role};
use std::time::Duration;
use store::{AuditFilter, AuditStore, OrgStore, UserStore};
use web::AppState;

on_both!(
    a_caf_without_a_mandate_learns_only_that_the_code_exists,
    a_mandate_recorded_by_the_office_opens_the_person_to_the_caf_until_revoked,
    an_organizations_administrator_cannot_take_over_a_user_of_two_organizations,
    joining_a_team_or_taking_a_file_opens_past_confidences_only_through_break_glass,
);

async fn user_id(state: &AppState, login: &str) -> uuid::Uuid {
    state
        .store
        .get_user_by_login(&Login::parse(login).unwrap())
        .await
        .unwrap()
        .id
}

/// An operator of the comune the istanze fixtures use, logged in.
async fn bergamo(state: &AppState, login: &str, role: Role) -> Client {
    staff(state, "comune-bergamo", "016024", login, role).await
}

async fn org(state: &AppState, code: &str) -> store::Organization {
    state
        .store
        .get_org_by_code(&domain::OrgCode::parse(code).unwrap())
        .await
        .unwrap()
}

/// Audit rows of `action` (reads included: the read log is flushed first).
async fn count(state: &AppState, org: Option<uuid::Uuid>, action: &str) -> i64 {
    state.reads.flush().await;
    state
        .store
        .count_audit(&AuditFilter {
            org_id: org,
            action_prefix: Some(action.into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
}

/// A bearer call to the JSON API.
async fn api(
    state: &AppState,
    token: &str,
    method: &str,
    path: &str,
    body: &str,
) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let r = Client::new(state).send(req).await;
    (r.status, r.body)
}

fn protocol(state: &AppState) -> String {
    format!("INPS-ISEE-{}-00012345A-00", year(state))
}

async fn a_caf_without_a_mandate_learns_only_that_the_code_exists(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    attest(&state, &mut op, &person).await;
    let org = org_id(&state).await;
    let mut caf = bergamo(&state, "caf.uno", Role::OperatoreCaf).await;

    let page = caf
        .get(&format!("/istanze/nuova?codice_fiscale={ROSSI_CF}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text("main"));
    let main = page.text("main");
    assert!(main.contains("presente nell'anagrafe sociale"), "{main}");
    for secret in [
        "Mario",
        "mario.rossi@example.org",
        "8.500",
        &protocol(&state),
    ] {
        assert!(!page.body.contains(secret), "the CAF saw {secret}");
    }
    assert_eq!(count(&state, Some(org), "person.lookup").await, 1);
    // Reaching the person by id, as a page of the office would, gives nothing.
    let id = person.trim_start_matches("/persone/");
    let page = caf.get(&format!("/istanze/nuova?persona={id}")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.body.contains("Mario"));

    // Filing names the attestation by the protocol the person brought.
    let sad = benefit_id(&state, "sad").await;
    let file = |attestation: String| {
        vec![
            ("codice_fiscale", ROSSI_CF.to_owned()),
            ("benefit", sad.clone()),
            ("attestation", attestation),
            ("units", "10".to_owned()),
            ("months", "12".to_owned()),
            ("azione", "presenta".to_owned()),
        ]
    };
    let form = file("INPS-ISEE-2020-99999999Z-00".into());
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = caf.post("/istanze/nuova", &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("protocollo"));
    let form = file(protocol(&state));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_redirect(&caf.post("/istanze/nuova", &pairs).await);

    // The API answers the same way: no person by id, an attestation by protocol only.
    let t = api_token(&mut caf).await;
    let (status, body) = api(
        &state,
        &t,
        "POST",
        "/api/v1/istanze",
        &format!(r#"{{"person_id": "{id}", "benefit_id": "{sad}", "units": 10, "submit": false}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("person_id") && !body.contains("Mario"),
        "{body}"
    );
    let attestation_id = state
        .store
        .person_attestations(org, uuid::Uuid::parse_str(id).unwrap())
        .await
        .unwrap()[0]
        .id;
    use store::BenefitStore;
    let (status, body) = api(
        &state,
        &t,
        "POST",
        "/api/v1/istanze",
        &format!(
            r#"{{"codice_fiscale": "{ROSSI_CF}", "benefit_id": "{sad}", "attestation_id": "{attestation_id}", "units": 10, "submit": false}}"#
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("attestation_id"), "{body}");

    // A citizen's account reaches nobody without a mandate, whether the code exists or not.
    let mut citizen = bergamo(&state, "cittadino.uno", Role::Cittadino).await;
    for cf in [ROSSI_CF, "BNCLRA85M41A794X"] {
        let page = citizen
            .get(&format!("/istanze/nuova?codice_fiscale={cf}"))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.text(".sp-error-summary")
                .contains("solo per te stesso")
        );
    }
    // Every lookup was logged: two pages, two filings, two API calls, two of the citizen.
    assert_eq!(count(&state, Some(org), "person.lookup").await, 8);
}

async fn a_mandate_recorded_by_the_office_opens_the_person_to_the_caf_until_revoked(
    state: AppState,
) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    attest(&state, &mut op, &person).await;
    let mut caf = bergamo(&state, "caf.uno", Role::OperatoreCaf).await;
    let mut citizen = bergamo(&state, "mario", Role::Cittadino).await;

    // The footing must fit the account's role.
    let r = op
        .post(
            &format!("{person}/deleghe"),
            &[
                ("tipo", "caf"),
                ("utente", "mario"),
                ("note", "delega firmata il 1/3"),
            ],
        )
        .await;
    assert_redirect(&r);
    assert!(op.get(&person).await.body.contains("Dati non salvati"));
    for (tipo, utente) in [("caf", "caf.uno"), ("titolare", "mario")] {
        assert_redirect(
            &op.post(
                &format!("{person}/deleghe"),
                &[
                    ("tipo", tipo),
                    ("utente", utente),
                    ("note", "delega firmata il 1/3"),
                ],
            )
            .await,
        );
    }
    let page = op.get(&person).await;
    assert!(
        page.text("#deleghe ~ div").contains("caf.uno"),
        "{}",
        page.text("main")
    );
    for c in [&mut caf, &mut citizen] {
        let page = c
            .get(&format!("/istanze/nuova?codice_fiscale={ROSSI_CF}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Mario"));
        assert!(
            page.body.contains(&protocol(&state)),
            "{}",
            page.text("main")
        );
    }
    // Someone else's mandate opens nothing, and a revoked one no longer does.
    let mut other = bergamo(&state, "caf.due", Role::OperatoreCaf).await;
    let page = other
        .get(&format!("/istanze/nuova?codice_fiscale={ROSSI_CF}"))
        .await;
    assert!(!page.body.contains("Mario"));
    let id = uuid::Uuid::parse_str(person.trim_start_matches("/persone/")).unwrap();
    use store::MandateStore;
    let mandates = state
        .store
        .person_mandates(org_id(&state).await, id)
        .await
        .unwrap();
    let caf_mandate = mandates.iter().find(|m| m.login == "caf.uno").unwrap();
    // Only the office records or revokes them.
    let revoke = format!("{person}/deleghe/{}/revoca", caf_mandate.mandate.id);
    assert_eq!(caf.post(&revoke, &[]).await.status, StatusCode::FORBIDDEN);
    assert_redirect(&op.post(&revoke, &[]).await);
    let page = caf
        .get(&format!("/istanze/nuova?codice_fiscale={ROSSI_CF}"))
        .await;
    assert!(!page.body.contains("Mario"));
    assert_eq!(count(&state, None, "person.mandate.add").await, 2);
    assert_eq!(count(&state, None, "person.mandate.revoke").await, 1);
}

/// Comune A and comune B, each with its administrator, and `shared` with a role in both.
async fn two_organizations(state: &AppState) -> (Client, uuid::Uuid, uuid::Uuid) {
    let mut admin_a = staff(state, "comune-a", "016024", "admin.a", Role::Amministratore).await;
    staff(state, "comune-b", "016203", "admin.b", Role::Amministratore).await;
    staff(
        state,
        "comune-a",
        "016024",
        "shared",
        Role::OperatoreSportello,
    )
    .await;
    let (a, b) = (org(state, "comune-a").await, org(state, "comune-b").await);
    let shared = user_id(state, "shared").await;
    state
        .store
        .set_membership(
            shared,
            b.id,
            Role::Responsabile,
            &app::Actor::system(b.clone(), state.clock.now()).audit(
                "membership.set",
                "user",
                Some(shared),
                "test".into(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(admin_a.get("/").await.status, StatusCode::OK);
    (admin_a, a.id, b.id)
}

async fn an_organizations_administrator_cannot_take_over_a_user_of_two_organizations(
    state: AppState,
) {
    let (mut admin_a, a, b) = two_organizations(&state).await;
    let shared = user_id(&state, "shared").await;
    let logins_in_a = count(&state, Some(a), "session.login").await;
    let page = admin_a.get(&format!("/admin/utenti/{shared}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Ente comune-b"), "B's role shown to A");
    assert!(page.body.contains("anche in altri enti"));
    for action in ["password", "stato", "sessioni"] {
        let r = admin_a
            .post(
                &format!("/admin/utenti/{shared}/{action}"),
                &[("attivo", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(count(&state, None, "user.password_reset").await, 0);
    // A's role stays A's to manage.
    let r = admin_a
        .post(
            &format!("/admin/utenti/{shared}/ruolo"),
            &[("ente", &a.to_string()), ("ruolo", "assistente_sociale")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The installation's administrator resets it; both organizations' logs say so.
    let mut root = Client::new(&state);
    root.login_fully("admin", ADMIN_PASSWORD).await;
    let page = root
        .post(&format!("/admin/utenti/{shared}/password"), &[])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text("main"));
    let one_time = page.text("#password-provvisoria");
    for org in [a, b] {
        assert_eq!(count(&state, Some(org), "user.password_reset").await, 1);
    }
    // A login is logged in the organization chosen, and only there.
    let logins_in_b = count(&state, Some(b), "session.login").await;
    let mut u = Client::new(&state);
    u.login_fully("shared", &one_time).await;
    assert_eq!(count(&state, Some(a), "session.login").await, logins_in_a);
    let r = u.post("/ente", &[("ente", &b.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(&state, Some(b), "session.login").await,
        logins_in_b + 1
    );
    assert_eq!(count(&state, Some(a), "session.login").await, logins_in_a);
}

async fn joining_a_team_or_taking_a_file_opens_past_confidences_only_through_break_glass(
    state: AppState,
) {
    let mut anna = bergamo(&state, "anna", Role::AssistenteSociale).await;
    let anna_id = user_id(&state, "anna").await.to_string();
    let person = register_rossi(&mut anna).await;
    let today = domain::dates::format_date(domain::localtime::today(state.clock.now()));
    let r = anna
        .post(
            &format!("{person}/cartella"),
            &[
                ("worker", anna_id.as_str()),
                ("opened_on", &today),
                ("note", ""),
            ],
        )
        .await;
    assert_redirect(&r);
    let case = r.location().to_owned();
    let case_id = case.trim_start_matches("/cartelle/").to_owned();
    let confide = |title: &'static str| {
        vec![
            ("kind", "colloquio"),
            ("date", today.as_str()),
            ("confidentiality", "riservato"),
            ("title", title),
            ("body", title),
        ]
    };
    assert_redirect(
        &anna
            .post(&format!("{case}/diario"), &confide("Confidenza di prima"))
            .await,
    );
    state.clock.advance(Duration::from_secs(60));

    // The responsabile adds themself to the team: only with a reason, logged with it.
    let mut capo = bergamo(&state, "capo", Role::Responsabile).await;
    let capo_id = user_id(&state, "capo").await.to_string();
    capo.post(&format!("{case}/equipe"), &[("user", capo_id.as_str())])
        .await;
    assert!(capo.get(&case).await.body.contains("Dati non salvati"));
    let reason = "Sostituisco l'assistente sociale in ferie";
    let r = capo
        .post(
            &format!("{case}/equipe"),
            &[("user", capo_id.as_str()), ("reason", reason)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let logged = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("casefile.team.add_self".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].reason.as_deref(), Some(reason));
    // What was confided before they joined stays closed; what comes after is theirs.
    let page = capo.get(&case).await;
    assert!(!page.body.contains("Confidenza di prima"));
    assert!(page.body.contains("1 annotazione riservata non è mostrata"));
    state.clock.advance(Duration::from_secs(60));
    assert_redirect(
        &anna
            .post(&format!("{case}/diario"), &confide("Confidenza di dopo"))
            .await,
    );
    let page = capo.get(&case).await;
    assert!(page.body.contains("Confidenza di dopo"));
    assert!(!page.body.contains("Confidenza di prima"));
    assert_redirect(
        &capo
            .post(
                &format!("{case}/accesso-straordinario"),
                &[("reason", "Verifica richiesta dal tribunale per i minorenni")],
            )
            .await,
    );
    assert!(capo.get(&case).await.body.contains("Confidenza di prima"));

    // Taking the file as responsible worker: a reason again, and the past stays closed.
    let mut bruno = bergamo(&state, "bruno", Role::Responsabile).await;
    let bruno_id = user_id(&state, "bruno").await.to_string();
    let reassign = |reason: &'static str| {
        vec![
            ("from", anna_id.clone()),
            ("case", case_id.clone()),
            ("to", bruno_id.clone()),
            ("reason", reason.to_owned()),
        ]
    };
    let form = reassign("");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    bruno.post("/cartelle/carico", &pairs).await;
    assert_eq!(count(&state, None, "casefile.reassign").await, 0);
    let form = reassign("Riorganizzazione dei carichi di lavoro");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        bruno.post("/cartelle/carico", &pairs).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(count(&state, None, "casefile.reassign_self").await, 1);
    let page = bruno.get(&case).await;
    assert!(page.text(".sp-lead").contains("Operatore bruno"));
    assert!(!page.body.contains("Confidenza di prima"));
    assert!(!page.body.contains("Confidenza di dopo"));
}

#[tokio::test]
async fn a_reset_revokes_api_tokens_a_change_may_and_every_token_expires() {
    let state = app().await;
    let mut op = bergamo(&state, "elena", Role::OperatoreSportello).await;
    let t = api_token(&mut op).await;
    let ok = |s: StatusCode| s == StatusCode::OK;
    assert!(ok(api(&state, &t, "GET", "/api/v1/prestazioni", "")
        .await
        .0));
    let account = op.get("/account").await;
    assert!(account.body.contains("Scade il") && account.body.contains("Valido"));

    // A password change revokes them when asked.
    let r = op
        .post(
            "/password",
            &[
                ("attuale", STRONG),
                ("nuova", "un'altra frase lunga e segreta"),
                ("conferma", "un'altra frase lunga e segreta"),
                ("revoca_token", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text("main"));
    assert_eq!(
        api(&state, &t, "GET", "/api/v1/prestazioni", "").await.0,
        StatusCode::UNAUTHORIZED
    );

    // A reset always does.
    let t = api_token(&mut op).await;
    let mut root = Client::new(&state);
    root.login_fully("admin", ADMIN_PASSWORD).await;
    let elena = user_id(&state, "elena").await;
    assert_eq!(
        root.post(&format!("/admin/utenti/{elena}/password"), &[])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        api(&state, &t, "GET", "/api/v1/prestazioni", "").await.0,
        StatusCode::UNAUTHORIZED
    );

    // A token lasts the days chosen, 90 unless told.
    let mut op = bergamo(&state, "franca", Role::OperatoreSportello).await;
    let t = op
        .post("/account/token", &[("nome", "breve"), ("giorni", "1")])
        .await
        .text("#nuovo-token");
    let bad = op
        .post("/account/token", &[("nome", "lungo"), ("giorni", "5000")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(ok(api(&state, &t, "GET", "/api/v1/prestazioni", "")
        .await
        .0));
    state.clock.advance(Duration::from_secs(86_400 + 60));
    assert_eq!(
        api(&state, &t, "GET", "/api/v1/prestazioni", "").await.0,
        StatusCode::UNAUTHORIZED
    );
    op.login_fully("franca", STRONG).await;
    assert!(op.get("/account").await.body.contains("Scaduto"));
}

#[tokio::test]
async fn the_current_password_cannot_be_guessed_from_the_change_form() {
    let state = app().await;
    let mut op = bergamo(&state, "elena", Role::OperatoreSportello).await;
    let wrong = [
        ("attuale", "non è questa la password"),
        ("nuova", "un'altra frase lunga e segreta"),
        ("conferma", "un'altra frase lunga e segreta"),
    ];
    for _ in 0..5 {
        let r = op.post("/password", &wrong).await;
        assert!(r.text(".sp-error-summary").contains("non è corretta"));
    }
    // Past the free attempts the right password waits too, as at the login.
    let right = [
        ("attuale", STRONG),
        ("nuova", "un'altra frase lunga e segreta"),
        ("conferma", "un'altra frase lunga e segreta"),
    ];
    let r = op.post("/password", &right).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("troppi tentativi"));
}

#[tokio::test]
async fn a_one_time_password_expires_after_72_hours() {
    let state = app().await;
    let org = org(&state, "sistema").await;
    app::manage::create_user(
        &state.store,
        &app::Actor::system(org.clone(), state.clock.now()),
        &org,
        Login::parse("nuovo").unwrap(),
        "Nuovo Utente".into(),
        None,
        Role::Revisore,
        ADMIN_PASSWORD.into(),
    )
    .await
    .unwrap();
    state.clock.advance(Duration::from_secs(73 * 3600));
    let mut c = Client::new(&state);
    let r = c
        .post(
            "/login",
            &[("login", "nuovo"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text("main").contains("scaduta"), "{}", r.text("main"));
}

#[tokio::test]
async fn a_user_who_keeps_working_outlives_a_short_idle_limit() {
    let state = app_with(web::WebConfig {
        session_idle: Duration::from_secs(60),
        ..web::WebConfig::default()
    })
    .await;
    let mut c = Client::new(&state);
    c.login_fully("admin", ADMIN_PASSWORD).await;
    for _ in 0..4 {
        state.clock.advance(Duration::from_secs(45));
        let r = c.get("/account").await;
        assert_eq!(r.status, StatusCode::OK, "logged out while active");
    }
    state.clock.advance(Duration::from_secs(61));
    assert_eq!(c.get("/account").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_flash_cookie_carries_an_id_not_the_message_and_is_secure_over_tls() {
    for tls in [false, true] {
        let state = app_with(web::WebConfig {
            tls,
            ..web::WebConfig::default()
        })
        .await;
        let mut c = Client::new(&state);
        c.login_fully("admin", ADMIN_PASSWORD).await;
        let r = c
            .post(
                "/admin/enti/nuovo",
                &[
                    ("codice", "comune-nuovo"),
                    ("nome", "Comune di Nuovo"),
                    ("tipo", "comune"),
                    ("comuni", "016024"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text("main"));
        let flash = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.starts_with("sportello_flash="))
            .unwrap();
        let value = flash["sportello_flash=".len()..].split(';').next().unwrap();
        // A random 256-bit id (URL-safe base64), nothing of the message.
        assert_eq!(value.len(), 43, "{flash}");
        assert!(
            value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{flash}"
        );
        assert_eq!(flash.contains("; Secure"), tls, "{flash}");
        // The message, which names the organization, is shown once, from the server.
        assert!(!flash.contains("Nuovo"));
        let next = r.location().to_owned();
        assert!(
            c.get(&next)
                .await
                .body
                .contains("Ente «Comune di Nuovo» creato")
        );
        assert!(!c.get(&next).await.body.contains("creato"));
    }
}

#[tokio::test]
async fn a_login_in_use_elsewhere_is_refused_in_the_same_words_as_any_other() {
    let state = app().await;
    staff(
        &state,
        "comune-b",
        "016203",
        "mario.rossi",
        Role::OperatoreSportello,
    )
    .await;
    let mut admin_a = staff(
        &state,
        "comune-a",
        "016024",
        "admin.a",
        Role::Amministratore,
    )
    .await;
    let a = org(&state, "comune-a").await;
    let r = admin_a
        .post(
            "/admin/utenti/nuovo",
            &[
                ("login", "mario.rossi"),
                ("nome", "Mario Rossi"),
                ("email", ""),
                ("ente", &a.id.to_string()),
                ("ruolo", "operatore_sportello"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r.text(".sp-error-summary");
    assert!(summary.contains("non disponibile"), "{summary}");
    assert!(
        !summary.contains("comune-b") && !summary.contains("già"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_hostile_return_address_is_never_copied_into_a_redirect() {
    let state = app().await;
    let mut capo = bergamo(&state, "capo", Role::Responsabile).await;
    let r = capo
        .post(
            "/cartelle/carico",
            &[("from", "x\r\nSet-Cookie: preso=1"), ("to", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/cartelle/carico");
}
