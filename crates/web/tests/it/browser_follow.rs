//! The portal's journey from end to end (issue 22): Rossi, signed in through the local SPID
//! provider, applies online (`browser_apply`); the office asks for an integration; he answers
//! with a document and a message; the office accepts; he downloads the decision, answers a
//! notice before rejection on another application, and sees in the access log who opened his
//! file, by name and then by role as the comune decides; Bianchi, another citizen, reaches
//! neither the application, nor its letters and receipt, nor the API. Every portal page state
//! passes axe-core (set SPORTELLO_SCREENSHOTS to a folder to look at them).

use crate::browser::{
    accessible, click_button, click_link, denied, fetched, fill, portal_sign_in, portal_sign_out,
    run_journey_at, submit, text, wait_h1,
};
use crate::browser_apply::{APPLICATION, apply_journey};
use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, file_mensa, office, register_rossi,
};
use crate::support::{Client as Http, minimal_pdf};
use fantoccini::{Client, Locator};

/// The office's side, in-process: the counter and the responsabile of Rossi's application.
struct Office {
    op: Http,
    resp: Http,
    /// Rossi's online application, as the office reaches it; known once he has sent it.
    app: String,
    /// A second application of Rossi's, which gets a notice before rejection.
    second: String,
}

impl Office {
    async fn step(&mut self, by_responsabile: bool, to: &str, note: &str) {
        let app = self.app.clone();
        self.move_to(by_responsabile, &app, to, note).await;
    }

    async fn move_to(&mut self, by_responsabile: bool, app: &str, to: &str, note: &str) {
        let c = if by_responsabile {
            &mut self.resp
        } else {
            &mut self.op
        };
        let page = c.get(app).await;
        let version = page.attr("form[action$='/stato'] input[name=version]", "value");
        let r = c
            .post(
                &format!("{app}/stato"),
                &[("to", to), ("version", &version), ("note", note)],
            )
            .await;
        assert_redirect(&r);
    }
}

async fn follow_journey(c: Client, base: String, mut o: Office) {
    let c = &c;
    let portal = apply_journey(c, &base).await;
    o.app = portal.replace("/portale/domande/", "/istanze/");
    let page = o.op.get("/istanze").await;
    assert!(page.body.contains(&o.app), "{}", page.body);
    let heading = APPLICATION;
    o.step(false, "in_istruttoria", "").await;
    o.step(
        false,
        "integrazione_richiesta",
        "Serve il documento d'identità",
    )
    .await;

    // Rossi finds the request on his application's page.
    c.goto(&format!("{base}{portal}"))
        .await
        .expect("his application");
    assert_eq!(wait_h1(c, heading).await, portal);
    assert!(
        text(c, "#integrazione")
            .await
            .contains("Invia i documenti richiesti")
    );
    assert!(
        text(c, "section[aria-labelledby=lettere]")
            .await
            .contains("Richiesta di integrazione")
    );

    // Sending without a file: the error is named, beside the field.
    submit(c).await;
    wait_h1(c, heading).await;
    assert!(
        text(c, ".sp-alert--danger")
            .await
            .contains("File: scegli il file da allegare")
    );
    accessible(c, "seguito-errore-documento").await;

    // The document and a note, then a message.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("carta-identita.pdf");
    std::fs::write(&file, minimal_pdf()).expect("the PDF");
    c.find(Locator::Css("#file"))
        .await
        .expect("file field")
        .send_keys(file.to_str().expect("path"))
        .await
        .expect("choose the file");
    fill(c, "#note", "Ecco la carta d'identità, fronte e retro.").await;
    submit(c).await;
    wait_h1(c, heading).await;
    assert!(
        text(c, ".sp-alert--success")
            .await
            .contains("Documento inviato")
    );
    assert!(
        text(c, "section[aria-labelledby=documenti]")
            .await
            .contains("inviato da te")
    );
    fill(c, "#message", "Ho inviato il documento: serve altro?").await;
    click_button(c, "Invia il messaggio").await;
    wait_h1(c, heading).await;
    assert!(
        text(c, ".sp-alert--success")
            .await
            .contains("Messaggio inviato")
    );
    let thread = text(c, ".sp-thread").await;
    assert!(thread.contains("serve altro?"), "{thread}");
    assert!(thread.contains("Ecco la carta d'identità"), "{thread}");
    accessible(c, "seguito-messaggi").await;

    // The office sees both, answers and accepts.
    let page = o.op.get(&o.app).await;
    assert!(page.body.contains("inviato dal cittadino"), "{}", page.body);
    assert!(page.body.contains("serve altro?"), "{}", page.body);
    let r =
        o.op.post(
            &format!("{}/messaggi", o.app),
            &[("message", "Grazie, è tutto in ordine.")],
        )
        .await;
    assert_redirect(&r);
    o.step(false, "in_istruttoria", "").await;
    o.step(true, "accolta", "").await;

    // Rossi reads the answer and downloads the decision.
    c.goto(&format!("{base}{portal}")).await.expect("reopen");
    wait_h1(c, heading).await;
    assert!(text(c, "#stato").await.contains("Accolta"));
    assert!(text(c, ".sp-thread").await.contains("è tutto in ordine"));
    let letters = text(c, "section[aria-labelledby=lettere]").await;
    assert!(letters.contains("Provvedimento"), "{letters}");
    let decision = format!("{portal}/lettere/provvedimento.pdf");
    assert_eq!(
        fetched(c, &decision).await,
        "application/pdf %PDF-",
        "the decision"
    );

    // The same page in English.
    click_link(c, "English").await;
    wait_h1(
        c,
        "Application: Servizi sociosanitari diurni e residenziali",
    )
    .await;
    assert!(
        text(c, ".sp-thread")
            .await
            .contains("(Comune comune-bergamo)")
    );
    click_link(c, "Italiano").await;
    wait_h1(c, heading).await;

    // His other application gets a notice before rejection: he answers with observations.
    let second = o.second.clone();
    o.move_to(false, &second, "in_istruttoria", "").await;
    o.move_to(true, &second, "preavviso_rigetto", "ISEE oltre la soglia")
        .await;
    let second_portal = second.replace("/istanze/", "/portale/domande/");
    c.goto(&format!("{base}{second_portal}"))
        .await
        .expect("the second application");
    let meals = "Domanda: Mense scolastiche";
    wait_h1(c, meals).await;
    assert!(
        text(c, "#osservazioni-titolo")
            .await
            .contains("osservazioni")
    );
    fill(
        c,
        "#observations",
        "Il mio ISEE è cambiato: allego quello nuovo.",
    )
    .await;
    submit(c).await;
    wait_h1(c, meals).await;
    assert!(
        text(c, ".sp-alert--success")
            .await
            .contains("Osservazioni inviate")
    );
    let page = o.resp.get(&second).await;
    assert!(
        page.body.contains("Il mio ISEE è cambiato"),
        "{}",
        page.body
    );

    // Who opened his file: the counter's operator, by name; then, as the responsabile sets
    // the portal, by role.
    click_link(c, "Chi ha visto i miei dati").await;
    wait_h1(c, "Chi ha visto i miei dati").await;
    let log = text(c, "main table").await;
    assert!(log.contains("Operatore sportello"), "{log}");
    assert!(log.contains("una domanda"), "{log}");
    let settings = o.resp.get("/admin/portale").await;
    let version = settings.attr("input[name=version]", "value");
    let r = o
        .resp
        .post(
            "/admin/portale",
            &[("operator_naming", "ruolo"), ("version", &version)],
        )
        .await;
    assert_redirect(&r);
    c.refresh().await.expect("reload");
    wait_h1(c, "Chi ha visto i miei dati").await;
    let log = text(c, "main table").await;
    assert!(log.contains("Operatore di sportello"), "{log}");
    assert!(!log.contains("Operatore sportello"), "{log}");
    accessible(c, "accessi-per-ruolo").await;
    let receipt = format!("{portal}/ricevuta.pdf");
    assert_eq!(fetched(c, &receipt).await, "application/pdf %PDF-");
    portal_sign_out(c).await;

    // Bianchi signs in: Rossi's application, its letters, its receipt are not hers, and her
    // portal session opens nothing of the office's API.
    portal_sign_in(c, &base, "Laura Bianchi").await;
    assert!(!c.source().await.expect("her page").contains(&portal));
    denied(c, &format!("{base}{portal}")).await;
    denied(c, &format!("{base}{decision}")).await;
    denied(c, &format!("{base}{receipt}")).await;
    let api = o.app.replace("/istanze/", "/api/v1/istanze/");
    let status = c
        .execute_async(
            "fetch(arguments[0], {credentials: 'include'}).then(r => arguments[1](r.status));",
            vec![serde_json::json!(api)],
        )
        .await
        .expect("the API by her session");
    assert_eq!(status, serde_json::json!(401), "{api}");
    c.goto(&format!("{base}/portale/domande"))
        .await
        .expect("her applications");
    wait_h1(c, "Le mie domande").await;
    portal_sign_out(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_online_answers_the_office_and_downloads_the_decision_no_one_else_reaches()
 {
    let state = crate::support::app().await;
    let (resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    crate::portal::register_bianchi(&mut op).await;
    crate::portal_apply::open_on_portal(&state, "sociosanitari-residenziali", 0, None).await;
    let attestation = attest(&state, &mut op, &person).await;
    let second = file_mensa(&state, &mut op, &person, &attestation).await;
    // The ISEE his residential place needs, which the online form offers him.
    crate::istanze_fixtures::attest_variant(
        &mut op,
        &person,
        &format!(
            "INPS-ISEE-{}-00077777A-00",
            crate::istanze_fixtures::year(&state)
        ),
        domain::localtime::today(state.clock.now()),
        false,
        "residenze",
    )
    .await;
    let provider = oidc::testing::TestProvider::start(
        vec![
            oidc::testing::TestIdentity::new(
                ROSSI_CF,
                "Mario",
                "Rossi",
                Some("mario.rossi@example.org"),
            ),
            oidc::testing::TestIdentity::new(crate::portal::BIANCHI_CF, "Laura", "Bianchi", None),
        ],
        oidc::testing::Behaviour::Honest,
    )
    .await
    .unwrap();
    let config = provider.provider_config("SPID – Provider di prova");
    let office = Office {
        op,
        resp,
        app: String::new(),
        second,
    };
    run_journey_at(
        "a_citizen_applies_online_answers_the_office_and_downloads_the_decision_no_one_else_reaches",
        state,
        move |base, state| {
            state.with_oidc(
                web::portale::local_relying_party(base, "Comune di Bergamo", config).unwrap(),
            )
        },
        move |c, base, _state| async move {
            follow_journey(c, base, office).await;
            drop(provider);
        },
    )
    .await;
}
