//! The citizens' portal: the public pages («Quanto pagherò» computes what the office's
//! simulator computes, in Italian and in English), the citizen's account matched by codice
//! fiscale, the citizen's applications and nobody else's, the log of who in the office opened
//! their data, and the two surfaces' sessions kept apart. On SQLite and PostgreSQL.

use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, benefit_id, file_mensa, office, org_id, register_rossi,
};
use crate::support::Client;
use app::portal::PortalIdentity;
use axum::http::StatusCode;
use domain::Role;
use store::{Session, SessionStage, SessionStore, UserStore};
use territory::codice_fiscale::CodiceFiscale;
use web::AppState;

on_both!(
    the_public_pages_compute_with_the_office_rules_in_the_citizen_language,
    a_citizen_sees_only_their_applications_and_who_in_the_office_opened_them,
    a_citizen_signs_in_with_spid_and_a_forged_or_replayed_return_gets_nothing,
);

pub(crate) const BIANCHI_CF: &str = "BNCLRA85M41L219R";

pub(crate) fn identity(cf: &str) -> PortalIdentity {
    PortalIdentity {
        codice_fiscale: CodiceFiscale::parse(cf).unwrap(),
        given_name: "Mario".into(),
        family_name: "Rossi".into(),
        email: Some("mario.rossi@example.org".into()),
        method: "SPID".into(),
    }
}

/// Registers Laura Bianchi through the pages; her page's path.
pub(crate) async fn register_bianchi(op: &mut Client) -> String {
    register_bianchi_at(op, "mario.rossi@example.org").await
}

/// The same, with `email` on her record.
pub(crate) async fn register_bianchi_at(op: &mut Client, email: &str) -> String {
    let mut bianchi: Vec<(&str, &str)> = crate::istanze_fixtures::rossi();
    for (k, v) in bianchi.iter_mut() {
        match *k {
            "email" => *v = email,
            "codice_fiscale" => *v = BIANCHI_CF,
            "surname" => *v = "Bianchi",
            "given_names" => *v = "Laura",
            "sex" => *v = "F",
            "birth_date" => *v = "01/08/1985",
            "birthplace" => *v = "Torino",
            _ => {}
        }
    }
    let r = op.post("/persone/nuova", &bianchi).await;
    assert_redirect(&r);
    r.location().to_owned()
}

/// A client with a portal session of `user` (what the sign-in's callback opens).
pub(crate) async fn portal_client(state: &AppState, user: &store::User) -> (Client, String) {
    let (token, hash) = app::credentials::new_secret(web::portale::PORTAL_TOKEN_PREFIX).unwrap();
    let now = state.clock.now_us();
    state
        .store
        .create_session(&Session {
            token_hash: hash,
            user_id: user.id,
            org_id: None,
            stage: SessionStage::Active,
            pending_totp: None,
            created_us: now,
            last_seen_us: now,
            ip: "127.0.0.1".into(),
            user_agent: "test".into(),
        })
        .await
        .unwrap();
    let mut c = Client::new(state);
    c.cookies
        .insert(web::portale::PORTAL_COOKIE.into(), token.clone());
    (c, token)
}

async fn the_public_pages_compute_with_the_office_rules_in_the_citizen_language(state: AppState) {
    let (mut resp, _) = office(&state).await;
    let mensa = benefit_id(&state, "mensa").await;
    let mut visitor = Client::new(&state);
    let home = visitor.get("/portale").await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.attr("html", "lang"), "it");
    let link = format!("/portale/enti/comune-bergamo/prestazioni/{mensa}");
    assert!(home.body.contains(&link), "{}", home.body);

    // The same facts give the same amount as the office's simulator.
    let facts = "isee=8.500%2C00&household=3&minors=1&resident=on&units=20";
    let office_sim = resp
        .get(&format!("/prestazioni/{mensa}/simulatore?{facts}"))
        .await;
    let public = visitor.get(&format!("{link}?{facts}")).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    let amount = office_sim.text("#importo");
    assert!(!amount.is_empty(), "{}", office_sim.body);
    assert_eq!(public.text("#importo"), amount);
    assert!(public.body.contains("Quanto pagherò"));

    // In English when chosen, remembered, and only back to a portal page.
    let r = visitor
        .get("/portale/lingua/en?torna=%2F%2Fevil.example")
        .await;
    assert_eq!(r.location(), "/portale");
    let english = visitor.get(&format!("{link}?{facts}")).await;
    assert_eq!(english.attr("html", "lang"), "en");
    assert!(
        english.body.contains("How much will I pay"),
        "{}",
        english.body
    );
    // The same amount, written the English way.
    let figure = domain::money::Money::parse("importo", &amount, "l'importo").unwrap();
    assert_eq!(
        english.text("#importo"),
        web::portale::i18n::T::new(web::portale::i18n::Lang::En).money(figure)
    );

    // Bad values are named; unknown or foreign records are not found.
    let bad = visitor.get(&format!("{link}?isee=tanti&household=0")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.attr("#isee", "aria-invalid"), "true");
    assert_eq!(bad.attr("#household", "aria-invalid"), "true");
    for path in [
        format!("/portale/enti/comune-altrove/prestazioni/{mensa}"),
        format!(
            "/portale/enti/comune-bergamo/prestazioni/{}",
            uuid::Uuid::now_v7()
        ),
        "/portale/enti/comune-bergamo/prestazioni/non-un-id".to_owned(),
    ] {
        assert_eq!(
            visitor.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The citizen's pages need a sign-in, and lead to the portal's.
    let r = visitor.get("/portale/domande").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/portale/accedi"),
        "{}",
        r.location()
    );
}

async fn a_citizen_sees_only_their_applications_and_who_in_the_office_opened_them(state: AppState) {
    let (mut resp, mut op) = office(&state).await;
    let org = org_id(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let mine = file_mensa(&state, &mut op, &person, &attestation).await;
    // Someone else's application.
    let other_person = register_bianchi(&mut op).await;
    let other_attestation = crate::istanze_fixtures::attest_with(
        &state,
        &mut op,
        org,
        &other_person,
        "INPS-ISEE-2026-00099999A-00",
    )
    .await;
    let theirs = file_mensa(&state, &mut op, &other_person, &other_attestation).await;

    // Nobody the office holds: no account. An operator's login equal to a codice fiscale: refused.
    assert!(matches!(
        app::portal::sign_in(&state, &identity("VRDGNN70A01H501H")).await,
        Err(app::Error::BadRequest(_))
    ));

    // Rossi signs in: a citizen's account in the organization that holds him.
    let user = app::portal::sign_in(&state, &identity(ROSSI_CF))
        .await
        .unwrap();
    assert_eq!(user.login.as_str(), ROSSI_CF.to_lowercase());
    let roles = state.store.memberships(user.id).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!((roles[0].org.id, roles[0].role), (org, Role::Cittadino));
    let again = app::portal::sign_in(&state, &identity(ROSSI_CF))
        .await
        .unwrap();
    assert_eq!(again.id, user.id);

    let (mut citizen, token) = portal_client(&state, &user).await;
    let list = citizen.get("/portale/domande").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains(&format!(
        "/portale/domande/{}",
        mine.trim_start_matches("/istanze/")
    )));
    assert!(!list.body.contains(theirs.trim_start_matches("/istanze/")));
    let page = citizen
        .get(&format!(
            "/portale/domande/{}",
            mine.trim_start_matches("/istanze/")
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("#stato").contains("Ricevuta"), "{}", page.body);
    // Nothing is granted yet: no amount is shown as if it were.
    assert!(!page.body.contains("Importo riconosciuto"), "{}", page.body);
    // Another person's application, by its address: refused, whatever the id.
    let r = citizen
        .get(&format!(
            "/portale/domande/{}",
            theirs.trim_start_matches("/istanze/")
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = citizen
        .get(&format!("/portale/domande/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The counter opens his application: the citizen sees who, when and what; not his own reads.
    assert_eq!(op.get(&mine).await.status, StatusCode::OK);
    state.reads.flush().await;
    let log = citizen.get("/portale/accessi").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("Operatore sportello"), "{}", log.body);
    assert!(log.body.contains("una domanda"), "{}", log.body);
    assert!(!log.body.contains("Mario Rossi</td>"), "{}", log.body);

    // The comune names its operators by role: only its responsabile sets it, a choice not on
    // the list or a stale form changes nothing.
    assert_eq!(op.get("/admin/portale").await.status, StatusCode::FORBIDDEN);
    let settings = resp.get("/admin/portale").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    let r = resp
        .post(
            "/admin/portale",
            &[("operator_naming", "soprannome"), ("version", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("registro degli accessi indica"),
        "{}",
        r.body
    );
    let r = resp
        .post(
            "/admin/portale",
            &[("operator_naming", "ruolo"), ("version", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = resp
        .post(
            "/admin/portale",
            &[("operator_naming", "nome"), ("version", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let log = citizen.get("/portale/accessi").await;
    assert!(log.body.contains("Operatore di sportello"), "{}", log.body);
    assert!(!log.body.contains("Operatore sportello"), "{}", log.body);
    let log = citizen.get("/portale/lingua/en").await;
    assert_eq!(log.status, StatusCode::SEE_OTHER);
    let log = citizen.get("/portale/accessi").await;
    assert!(log.body.contains("Front-desk operator"), "{}", log.body);
    assert!(log.body.contains("an application"), "{}", log.body);
    // Another person's log, asked for by id: refused.
    let other_id = other_person.trim_start_matches("/persone/");
    let r = citizen
        .get(&format!("/portale/accessi?persona={org}:{other_id}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The portal's session never opens the office, and the office's never the portal.
    let mut office_with_portal_token = Client::new(&state);
    office_with_portal_token
        .cookies
        .insert(web::auth::SESSION_COOKIE.into(), token);
    let r = office_with_portal_token.get("/persone").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"), "{}", r.location());
    let office_token = op.cookies[web::auth::SESSION_COOKIE].clone();
    let mut portal_with_office_token = Client::new(&state);
    portal_with_office_token
        .cookies
        .insert(web::portale::PORTAL_COOKIE.into(), office_token);
    let r = portal_with_office_token.get("/portale/domande").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // Signing out ends the session.
    let r = citizen.post("/portale/esci", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        citizen.get("/portale/domande").await.status,
        StatusCode::SEE_OTHER
    );
}

/// The office with Rossi registered, and the portal signing in through a local SPID provider
/// that knows Rossi and a stranger.
async fn with_provider(state: AppState) -> (AppState, oidc::testing::TestProvider) {
    use oidc::testing::{Behaviour, TestIdentity, TestProvider};
    let provider = TestProvider::start(
        vec![
            TestIdentity::new(ROSSI_CF, "Mario", "Rossi", Some("mario.rossi@example.org")),
            TestIdentity::new("VRDGNN70A01H501H", "Giovanni", "Verdi", None),
        ],
        Behaviour::Honest,
    )
    .await
    .unwrap();
    let rp = web::portale::local_relying_party(
        "http://127.0.0.1:8328",
        "Comune di Bergamo",
        provider.provider_config("SPID – Provider di prova"),
    )
    .unwrap();
    provider
        .register_rp(&rp.entity_configuration(state.clock.now()).unwrap())
        .unwrap();
    (state.with_oidc(rp), provider)
}

/// Presses the provider's button on the portal and plays the citizen at the provider (as
/// identity `who`): the portal's callback path with its code and state.
async fn through_provider(
    c: &mut Client,
    provider: &oidc::testing::TestProvider,
    who: usize,
) -> String {
    let page = c.get("/portale/accedi").await;
    assert!(
        page.body.contains("Entra con SPID – Provider di prova"),
        "{}",
        page.body
    );
    let r = c.get("/portale/accedi/0?dopo=%2Fportale%2Faccessi").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let back = provider
        .authorize_headless(r.location(), who)
        .await
        .unwrap();
    back.trim_start_matches("http://127.0.0.1:8328").to_owned()
}

async fn a_citizen_signs_in_with_spid_and_a_forged_or_replayed_return_gets_nothing(
    state: AppState,
) {
    let (_, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    let (state, provider) = with_provider(state).await;

    // The federation sees the portal's signed Entity Configuration.
    let mut c = Client::new(&state);
    let ec = c.get("/portale/.well-known/openid-federation").await;
    assert_eq!(ec.status, StatusCode::OK);
    assert_eq!(
        ec.headers["content-type"],
        oidc::federation::ENTITY_STATEMENT_CONTENT_TYPE
    );
    assert_eq!(ec.body.split('.').count(), 3, "a JWS");

    // Rossi signs in and lands where he was going, as himself.
    let callback = through_provider(&mut c, &provider, 0).await;
    assert!(callback.starts_with("/portale/accesso?"), "{callback}");
    let r = c.get(&callback).await;
    assert_eq!(
        (r.status, r.location()),
        (StatusCode::SEE_OTHER, "/portale/accessi")
    );
    let page = c.get("/portale/accessi").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mario Rossi"), "{}", page.body);

    // The same return again (a replay) opens nothing.
    let mut thief = Client::new(&state);
    let r = thief.get(&callback).await;
    assert!(
        r.location().starts_with("/portale/accedi?errore="),
        "{}",
        r.location()
    );
    assert!(!thief.cookies.contains_key(web::portale::PORTAL_COOKIE));

    // A stranger to the office is told so; a provider's token with the wrong nonce is refused.
    let mut stranger = Client::new(&state);
    let callback = through_provider(&mut stranger, &provider, 1).await;
    let r = stranger.get(&callback).await;
    assert_eq!(r.location(), "/portale/accedi?errore=sconosciuto");
    let refused = stranger.get(r.location()).await;
    assert!(refused.body.contains("Non risulti"), "{}", refused.body);
    provider.set_behaviour(oidc::testing::Behaviour::WrongNonce);
    let mut other = Client::new(&state);
    let callback = through_provider(&mut other, &provider, 0).await;
    let r = other.get(&callback).await;
    assert_eq!(r.location(), "/portale/accedi?errore=errore");
    assert!(!other.cookies.contains_key(web::portale::PORTAL_COOKIE));
    // A made-up return, without a sign-in under way.
    let r = other.get("/portale/accesso?code=abc&state=def").await;
    assert_eq!(r.location(), "/portale/accedi?errore=scaduto");
}
