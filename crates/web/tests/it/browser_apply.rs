//! Applying online in the browser: Rossi signs in with the (local) SPID provider, applies for a
//! place in a residential facility with two documents, fixes a wrong value, submits, and finds
//! the protocol number and the receipt; every page passes axe-core and fits a 360 px phone.
//! The journey goes on in `browser_follow`, where the office handles the application.

use crate::browser::{
    accessible, click_button, click_link, fill, on_a_phone, portal_sign_in, run_journey_at, text,
    wait_h1,
};
use fantoccini::{Client, Locator};

const TITLE: &str = "Domanda online: Servizi sociosanitari diurni e residenziali";

/// Attaches the PDF at `path` for the checklist's line `requirement`.
async fn attach(c: &Client, requirement: &str, path: &std::path::Path) {
    // By script: the value holds an apostrophe, which the driver's selector does not escape.
    c.execute(
        "document.querySelector('#requirement').value = arguments[0];",
        vec![serde_json::json!(requirement)],
    )
    .await
    .expect("choose the document");
    c.find(Locator::Css("#file"))
        .await
        .expect("file field")
        .send_keys(path.to_str().expect("path"))
        .await
        .expect("choose the file");
    click_button(c, "Allega").await;
    wait_h1(c, TITLE).await;
}

/// The title of the residential place's application on the citizen's pages.
pub(crate) const APPLICATION: &str = "Domanda: Servizi sociosanitari diurni e residenziali";

/// Rossi applies online; the path of his application on the portal.
pub(crate) async fn apply_journey(c: &Client, base: &str) -> String {
    let pdf = tempfile::Builder::new()
        .suffix(".pdf")
        .tempfile()
        .expect("a file to attach");
    std::fs::write(pdf.path(), crate::support::minimal_pdf()).expect("write the PDF");
    c.goto(&format!("{base}/portale/lingua/it"))
        .await
        .expect("Italian");
    portal_sign_in(c, base, "Mario Rossi").await;
    click_link(c, "Servizi sociosanitari diurni e residenziali").await;
    wait_h1(c, TITLE).await;
    accessible(c, "domanda-online-inizio").await;
    click_button(c, "Inizia la domanda").await;
    assert!(wait_h1(c, TITLE).await.ends_with("/passi/dati"));

    // A wrong value is named beside its field and what was typed stays.
    fill(c, "#months", "99").await;
    fill(c, "#notes", "Preferisco la RSA di Borgo Palazzo").await;
    click_button(c, "Salva e continua").await;
    wait_h1(c, TITLE).await;
    assert!(text(c, "#months-error").await.contains("da 1 a 36"));
    accessible(c, "domanda-online-dati-errore").await;
    fill(c, "#months", "12").await;
    click_button(c, "Salva e continua").await;
    assert!(wait_h1(c, TITLE).await.ends_with("/passi/isee"));
    accessible(c, "domanda-online-isee").await;
    click_button(c, "Salva e continua").await;
    assert!(wait_h1(c, TITLE).await.ends_with("/passi/documenti"));

    attach(c, "Documento d'identità del richiedente", pdf.path()).await;
    attach(
        c,
        "Scheda sanitaria compilata dal medico di medicina generale",
        pdf.path(),
    )
    .await;
    accessible(c, "domanda-online-documenti").await;
    on_a_phone(c, "domanda-online-documenti-telefono").await;
    click_button(c, "Continua").await;
    assert!(wait_h1(c, TITLE).await.ends_with("/passi/riepilogo"));
    assert!(
        text(c, "main")
            .await
            .contains("Verbale di invalidità civile")
    );
    accessible(c, "domanda-online-riepilogo").await;
    c.find(Locator::Css("#declarations-ok"))
        .await
        .expect("declarations")
        .click()
        .await
        .expect("tick");
    click_button(c, "Invia la domanda").await;
    let at = wait_h1(c, APPLICATION).await;
    assert!(at.starts_with("/portale/domande/"), "{at}");
    assert!(text(c, "main").await.contains("Il numero di protocollo è"));
    accessible(c, "domanda-online-inviata").await;
    let receipt: String = c
        .find(Locator::LinkText("Scarica la ricevuta (PDF)"))
        .await
        .expect("the receipt link")
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(receipt.ends_with("/ricevuta.pdf"), "{receipt}");

    // A second application for the same place, thrown away after the confirmation.
    c.goto(&format!("{base}/portale/domande"))
        .await
        .expect("my applications");
    wait_h1(c, "Le mie domande").await;
    click_link(c, "Servizi sociosanitari diurni e residenziali").await;
    wait_h1(c, TITLE).await;
    click_button(c, "Inizia la domanda").await;
    wait_h1(c, TITLE).await;
    click_link(c, "Elimina questa domanda non inviata").await;
    wait_h1(c, "Eliminare la domanda non inviata?").await;
    assert!(text(c, "main").await.contains("Non hai allegato documenti"));
    accessible(c, "domanda-online-elimina").await;
    click_link(c, "No, torna alla domanda").await;
    wait_h1(c, TITLE).await;
    click_link(c, "Elimina questa domanda non inviata").await;
    wait_h1(c, "Eliminare la domanda non inviata?").await;
    click_button(c, "Elimina la domanda").await;
    wait_h1(c, "Le mie domande").await;
    assert!(
        text(c, ".sp-alert--success")
            .await
            .contains("è stata eliminata")
    );
    assert!(!text(c, "main").await.contains("Domande da completare"));
    at
}

/// Runs `journey` with Rossi registered at the counter, the residential places open on the
/// portal and the local SPID provider knowing him.
pub(crate) async fn rossi_applies<F, Fut>(test: &str, journey: F)
where
    F: FnOnce(Client, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use crate::istanze_fixtures::{ROSSI_CF, office, register_rossi};
    let state = crate::support::app().await;
    let (_, mut op) = office(&state).await;
    register_rossi(&mut op).await;
    crate::portal_apply::open_on_portal(&state, "sociosanitari-residenziali", 0, None).await;
    let provider = oidc::testing::TestProvider::start(
        vec![oidc::testing::TestIdentity::new(
            ROSSI_CF,
            "Mario",
            "Rossi",
            Some("mario.rossi@example.org"),
        )],
        oidc::testing::Behaviour::Honest,
    )
    .await
    .unwrap();
    let config = provider.provider_config("SPID – Provider di prova");
    run_journey_at(
        test,
        state,
        move |base, state| {
            state.with_oidc(
                web::portale::local_relying_party(base, "Comune di Bergamo", config).unwrap(),
            )
        },
        move |c, base, _state| async move {
            journey(c, base).await;
            drop(provider);
        },
    )
    .await;
}
