//! Applying online: a citizen fills a draft step by step (errors named, nothing half-saved),
//! attaches files checked by content, sees the rules' outcome, submits once, gets a protocol
//! and a receipt; the office finds the application of channel «portale» with its files. Nobody
//! else reaches the draft or the receipt, and no benefit closed to the portal takes one. On
//! SQLite and PostgreSQL.

use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, benefit_id, office, org_id, register_rossi,
};
use crate::portal::{BIANCHI_CF, identity, portal_client, register_bianchi};
use crate::support::{Client, minimal_pdf};
use axum::http::StatusCode;
use domain::benefit::PortalWindow;
use store::{BenefitStore, OrgStore};
use time::Duration;
use web::AppState;

on_both!(
    a_citizen_applies_online_for_a_residential_place_and_the_office_finds_it,
    a_benefit_closed_to_the_portal_or_a_deceased_person_takes_no_online_application,
);

/// Opens the benefit `code` on the portal from `from` to `until` (days from today).
pub(crate) async fn open_on_portal(
    state: &AppState,
    code: &str,
    from: i64,
    until: Option<i64>,
) -> String {
    let org = state.store.get_org(org_id(state).await).await.unwrap();
    let id = benefit_id(state, code).await;
    let mut b = state
        .store
        .get_benefit(org.id, id.parse().unwrap())
        .await
        .unwrap();
    let today = domain::localtime::today(state.clock.now());
    b.data.portal = Some(PortalWindow {
        from: today + Duration::days(from),
        until: until.map(|d| today + Duration::days(d)),
    });
    b.version += 1;
    let actor = app::Actor::system(org, state.clock.now());
    let audit = actor.audit("benefit.update", "benefit", Some(b.id), "portale".into());
    state.store.update_benefit(&b, &audit).await.unwrap();
    id
}

/// Rossi, registered at the counter, signed in on the portal.
pub(crate) async fn rossi_on_the_portal(state: &AppState, op: &mut Client) -> (Client, String) {
    let person = register_rossi(op).await;
    let user = app::portal::sign_in(state, &identity(ROSSI_CF))
        .await
        .unwrap();
    (portal_client(state, &user).await.0, person)
}

async fn a_citizen_applies_online_for_a_residential_place_and_the_office_finds_it(state: AppState) {
    let (_, mut op) = office(&state).await;
    let benefit = open_on_portal(&state, "sociosanitari-residenziali", -1, None).await;
    let (mut citizen, person) = rossi_on_the_portal(&state, &mut op).await;
    attest(&state, &mut op, &person).await;

    // The open benefit is offered on the citizen's list and on the home page.
    let start = format!("/portale/enti/comune-bergamo/prestazioni/{benefit}/domanda");
    let list = citizen.get("/portale/domande").await;
    assert!(list.body.contains(&start), "{}", list.body);
    assert!(citizen.get("/portale").await.body.contains(&start));
    let page = citizen.get(&start).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Scheda sanitaria compilata dal medico"));

    // Starting makes a draft and leads to its first step; starting again takes it up again.
    let pid = person.trim_start_matches("/persone/");
    let r = citizen.post(&start, &[("persona", pid)]).await;
    assert_redirect(&r);
    let draft = r.location().to_owned();
    assert!(draft.starts_with("/portale/bozze/"), "{draft}");
    assert_eq!(
        citizen.post(&start, &[("persona", pid)]).await.location(),
        draft
    );
    let r = citizen.get(&draft).await;
    assert_eq!(r.location(), format!("{draft}/passi/dati"));
    let data = citizen.get(&format!("{draft}/passi/dati")).await;
    assert_eq!(data.status, StatusCode::OK, "{}", data.body);
    // Prefilled from the account.
    assert_eq!(data.attr("#email", "value"), "mario.rossi@example.org");
    let version = data.attr("input[name=version]", "value");

    // Wrong values: each named, what was typed kept, nothing saved.
    let wrong = citizen
        .post(
            &format!("{draft}/passi/dati"),
            &[
                ("version", &version),
                ("months", "99"),
                ("email", "non-una-mail"),
                ("notes", "Preferisco la RSA di Borgo Palazzo"),
            ],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert_eq!(wrong.attr("#months", "aria-invalid"), "true");
    assert_eq!(wrong.attr("#email", "aria-invalid"), "true");
    assert_eq!(wrong.attr("#months", "value"), "99");
    assert!(wrong.text("#notes").contains("Borgo Palazzo"));
    let again = citizen.get(&format!("{draft}/passi/dati")).await;
    assert_eq!(again.attr("input[name=version]", "value"), version);

    let r = citizen
        .post(
            &format!("{draft}/passi/dati"),
            &[
                ("version", &version),
                ("months", "12"),
                ("email", "mario.rossi@example.org"),
                ("notes", "Preferisco la RSA di Borgo Palazzo"),
            ],
        )
        .await;
    assert_eq!(r.location(), format!("{draft}/passi/isee"));
    // A stale form (another tab) is not an overwrite: what it typed comes back, with the
    // draft's version, to be checked and saved again.
    let stale = citizen
        .post(
            &format!("{draft}/passi/dati"),
            &[("version", &version), ("months", "3")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale
            .text(".sp-alert--danger li")
            .contains("modificata nel frattempo"),
        "{}",
        stale.body
    );
    assert_eq!(stale.attr("#months", "value"), "3");
    assert_ne!(stale.attr("input[name=version]", "value"), version);
    let saved = citizen.get(&format!("{draft}/passi/dati")).await;
    assert_eq!(saved.attr("#months", "value"), "12");

    let isee = citizen.get(&format!("{draft}/passi/isee")).await;
    let version = isee.attr("input[name=version]", "value");
    let r = citizen
        .post(
            &format!("{draft}/passi/isee"),
            &[("version", &version), ("attestation", "non-un-id")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = citizen
        .post(
            &format!("{draft}/passi/isee"),
            &[("version", &version), ("attestation", "")],
        )
        .await;
    assert_eq!(r.location(), format!("{draft}/passi/documenti"));

    // Files are checked by what they are, not by their name.
    let uploads = format!("{draft}/allegati");
    let r = citizen
        .upload(
            &uploads,
            &[("requirement", "Documento d'identità del richiedente")],
            Some(("carta.pdf", b"<html><script>alert(1)</script></html>")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = citizen
        .upload(
            &uploads,
            &[("requirement", "Un documento inventato")],
            Some(("carta.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (req, name) in [
        ("Documento d'identità del richiedente", "carta.pdf"),
        (
            "Scheda sanitaria compilata dal medico di medicina generale",
            "scheda.pdf",
        ),
        ("", "lettera.pdf"),
    ] {
        let r = citizen
            .upload(
                &uploads,
                &[("requirement", req)],
                Some((name, &minimal_pdf())),
            )
            .await;
        assert_eq!(
            r.location(),
            format!("{draft}/passi/documenti"),
            "{}",
            r.body
        );
    }
    let docs = citizen.get(&format!("{draft}/passi/documenti")).await;
    assert!(docs.body.contains("scheda.pdf"));
    // One taken off again.
    let remove = docs
        .html()
        .select(&scraper::Selector::parse("form[action$='/elimina']").unwrap())
        .filter_map(|f| f.value().attr("action").map(str::to_owned))
        .find(|a| a.contains("/allegati/"))
        .unwrap();
    assert_redirect(&citizen.post(&remove, &[]).await);
    let version = citizen
        .get(&format!("{draft}/passi/documenti"))
        .await
        .attr("input[name=version]", "value");
    let r = citizen
        .post(
            &format!("{draft}/passi/documenti"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(r.location(), format!("{draft}/passi/riepilogo"));

    // The summary: what is missing, the declarations; no submission without them.
    let summary = citizen.get(&format!("{draft}/passi/riepilogo")).await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
    assert!(summary.body.contains("Verbale di invalidità civile"));
    let version = summary.attr("input[name=version]", "value");
    let r = citizen
        .post(&format!("{draft}/invia"), &[("version", &version)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another citizen reaches neither the draft nor its files.
    register_bianchi(&mut op).await;
    let other = app::portal::sign_in(&state, &identity(BIANCHI_CF))
        .await
        .unwrap();
    let (mut stranger, _) = portal_client(&state, &other).await;
    for path in [
        draft.clone(),
        format!("{draft}/passi/riepilogo"),
        format!("{draft}/passi/dati"),
    ] {
        assert_eq!(
            stranger.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        format!("{draft}/invia"),
        format!("{draft}/elimina"),
        remove.clone(),
    ] {
        let r = stranger
            .post(&path, &[("version", &version), ("declarations", "on")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Nor does Bianchi apply in Rossi's name.
    let r = stranger.post(&start, &[("persona", pid)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Submitted: numbered, the receipt, and the draft is gone (a second submission finds nothing).
    let r = citizen
        .post(
            &format!("{draft}/invia"),
            &[("version", &version), ("declarations", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sent = r.location().to_owned();
    assert!(sent.ends_with("?inviato=domanda"), "{sent}");
    let page = citizen.get(&sent).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Il numero di protocollo è"),
        "{}",
        page.body
    );
    let app_id = sent
        .trim_start_matches("/portale/domande/")
        .trim_end_matches("?inviato=domanda")
        .to_owned();
    let receipt = citizen
        .get(&format!("/portale/domande/{app_id}/ricevuta.pdf"))
        .await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert_eq!(receipt.headers["content-type"], "application/pdf");
    assert!(receipt.bytes.starts_with(b"%PDF-"));
    let r = citizen
        .post(
            &format!("{draft}/invia"),
            &[("version", &version), ("declarations", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger
            .get(&format!("/portale/domande/{app_id}/ricevuta.pdf"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The office finds it among the applications, from the portal, with the two files.
    let office_page = op.get(&format!("/istanze/{app_id}")).await;
    assert_eq!(office_page.status, StatusCode::OK);
    assert!(
        office_page.body.contains("portale del cittadino"),
        "{}",
        office_page.body
    );
    assert!(office_page.body.contains("scheda.pdf"));
    assert!(
        office_page
            .body
            .contains("Preferisco la RSA di Borgo Palazzo")
    );
    let list = op.get("/istanze").await;
    assert!(list.body.contains(&app_id));
}

async fn a_benefit_closed_to_the_portal_or_a_deceased_person_takes_no_online_application(
    state: AppState,
) {
    let (_, mut op) = office(&state).await;
    let (mut citizen, person) = rossi_on_the_portal(&state, &mut op).await;
    let pid = person.trim_start_matches("/persone/").to_owned();
    let start = |b: &str| format!("/portale/enti/comune-bergamo/prestazioni/{b}/domanda");

    // Never opened, not yet open, already closed: no such page, no draft.
    let mensa = benefit_id(&state, "mensa").await;
    let later = open_on_portal(&state, "affitto", 2, Some(30)).await;
    let over = open_on_portal(&state, "sad", -30, Some(-1)).await;
    for b in [&mensa, &later, &over] {
        assert_eq!(citizen.get(&start(b)).await.status, StatusCode::NOT_FOUND);
        let r = citizen.post(&start(b), &[("persona", &pid)]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let open = open_on_portal(&state, "sociosanitari-residenziali", 0, Some(0)).await;
    assert_eq!(citizen.get(&start(&open)).await.status, StatusCode::OK);

    // An operator's session is no citizen's: the portal asks to sign in.
    let r = op.get(&start(&open)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/portale/accedi"),
        "{}",
        r.location()
    );

    // Once his death is recorded, nobody applies for him.
    let died =
        domain::dates::format_date(domain::localtime::today(state.clock.now()) - Duration::days(1));
    let mut edit = crate::istanze_fixtures::rossi();
    edit.push(("death_date", &died));
    assert_redirect(&op.post(&format!("{person}/modifica"), &edit).await);
    let r = citizen.post(&start(&open), &[("persona", &pid)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}
