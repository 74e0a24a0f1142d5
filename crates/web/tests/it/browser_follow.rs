//! The browser journey of issue 22, item 4: the office asks for an integration; Rossi, signed
//! in through the local SPID provider, answers with a document and a message; the office
//! accepts; Rossi downloads the decision and sees in the access log who opened his file;
//! Bianchi, another citizen, reaches neither the application nor its download links. Every
//! portal page state passes axe-core (set SPORTELLO_SCREENSHOTS to a folder to look at them).

use crate::browser::{
    accessible, click_button, click_link, denied, fetched, fill, portal_sign_in, portal_sign_out,
    run_journey_at, submit, text, wait_h1,
};
use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, file_mensa, office, register_rossi,
};
use crate::support::{Client as Http, minimal_pdf};
use fantoccini::{Client, Locator};

/// The office's side, in-process: the counter and the responsabile of Rossi's application.
struct Office {
    op: Http,
    resp: Http,
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
    let portal = o.app.replace("/istanze/", "/portale/domande/");
    let heading = "Domanda: Mense scolastiche";
    o.step(false, "in_istruttoria", "").await;
    o.step(
        false,
        "integrazione_richiesta",
        "Serve il documento d'identità",
    )
    .await;

    // Rossi, who reads Italian (headless Chromium asks for English), finds the request on his
    // application's page.
    c.goto(&format!("{base}/portale/lingua/it"))
        .await
        .expect("Italian");
    wait_h1(c, "Servizi sociali online").await;
    portal_sign_in(c, &base, "Mario Rossi").await;
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
    wait_h1(c, "Application: Mense scolastiche").await;
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
    wait_h1(c, heading).await;
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
    wait_h1(c, heading).await;
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

    // Who opened his file: the counter's operator, by name.
    click_link(c, "Chi ha visto i miei dati").await;
    wait_h1(c, "Chi ha visto i miei dati").await;
    let log = text(c, "main table").await;
    assert!(log.contains("Operatore sportello"), "{log}");
    assert!(log.contains("una domanda"), "{log}");
    portal_sign_out(c).await;

    // Bianchi signs in: Rossi's application and its decision are not hers.
    portal_sign_in(c, &base, "Laura Bianchi").await;
    assert!(!text(c, "main").await.contains("Mense scolastiche"));
    denied(c, &format!("{base}{portal}")).await;
    denied(c, &format!("{base}{decision}")).await;
    c.goto(&format!("{base}/portale/domande"))
        .await
        .expect("her applications");
    wait_h1(c, "Le mie domande").await;
    portal_sign_out(c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_asks_for_documents_the_citizen_answers_and_downloads_the_decision() {
    let state = crate::support::app().await;
    let (resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    crate::portal::register_bianchi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    let second = file_mensa(&state, &mut op, &person, &attestation).await;
    let provider = oidc::testing::TestProvider::start(
        vec![
            oidc::testing::TestIdentity::new(ROSSI_CF, "Mario", "Rossi", None),
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
        app,
        second,
    };
    run_journey_at(
        "the_office_asks_for_documents_the_citizen_answers_and_downloads_the_decision",
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
