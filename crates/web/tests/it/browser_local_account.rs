//! A local account in the browser: Rossi, who has no SPID, asks for the link with his codice
//! fiscale and the address he gave the counter, follows the e-mailed link, is refused a weak
//! password, chooses a good one and lands on his applications; signs out and in again with
//! codice fiscale and password. Every page passes axe-core; the forms fit a 360 px phone.

use crate::browser::{
    accessible, click_link, fill, on_a_phone, portal_sign_out, run_journey_at, submit, text,
    wait_h1,
};
use crate::istanze_fixtures::{ROSSI_CF, attest, file_mensa, office, register_rossi};
use crate::smtp::{Behaviour, SmtpSink};
use fantoccini::Client;
use std::time::Duration;

const PASSWORD: &str = "lanterna verde sul molo antico";

/// The link of the first e-mail with one that the sink receives.
async fn mailed_link(sink: &SmtpSink) -> String {
    for _ in 0..500 {
        let bodies = sink.received().iter().map(|m| m.body()).collect::<Vec<_>>();
        if let Some(body) = bodies
            .iter()
            .find(|b| b.contains("/registrati/conferma?t="))
        {
            let at = body.find("http").unwrap_or_else(|| panic!("{body}"));
            return body[at..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no e-mail arrived");
}

async fn local_account_journey(c: Client, base: String, sink: SmtpSink) {
    let c = &c;
    c.goto(&format!("{base}/portale/lingua/it"))
        .await
        .expect("Italian");
    c.goto(&format!("{base}/portale/accedi"))
        .await
        .expect("sign-in");
    wait_h1(c, "Accedi al portale").await;
    accessible(c, "locale-accedi").await;
    click_link(c, "Primo accesso: scegli la password").await;
    wait_h1(c, "Scegli la password del portale").await;
    fill(c, "#codice_fiscale", ROSSI_CF).await;
    fill(c, "#email", "mario.rossi@example.org").await;
    on_a_phone(c, "locale-registrati-telefono").await;
    submit(c).await;
    wait_h1(c, "Scegli la password del portale").await;
    assert!(
        text(c, "main")
            .await
            .contains("Se i dati corrispondono a quelli registrati dal tuo Comune")
    );
    accessible(c, "locale-registrati-inviata").await;

    let link = mailed_link(&sink).await;
    assert!(
        link.starts_with(&format!("{base}/portale/registrati/conferma?t=")),
        "{link}"
    );
    c.goto(&link).await.expect("the link");
    wait_h1(c, "Scegli la tua password").await;
    fill(c, "#password", "password1234").await;
    fill(c, "#conferma", "password1234").await;
    submit(c).await;
    wait_h1(c, "Scegli la tua password").await;
    assert!(text(c, "#password-error").await.contains("troppo comune"));
    accessible(c, "locale-conferma-errore").await;
    fill(c, "#password", PASSWORD).await;
    fill(c, "#conferma", PASSWORD).await;
    on_a_phone(c, "locale-conferma-telefono").await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Le mie domande").await, "/portale/domande");
    assert!(text(c, "main").await.contains("Mense scolastiche"));

    portal_sign_out(c).await;
    c.goto(&format!("{base}/portale/accedi"))
        .await
        .expect("sign-in");
    wait_h1(c, "Accedi al portale").await;
    fill(c, "#codice_fiscale", ROSSI_CF).await;
    fill(c, "#password", "una password sbagliata").await;
    submit(c).await;
    wait_h1(c, "Accedi al portale").await;
    assert!(
        text(c, "main")
            .await
            .contains("Codice fiscale o password non corretti.")
    );
    accessible(c, "locale-accedi-errore").await;
    fill(c, "#password", PASSWORD).await;
    submit(c).await;
    assert_eq!(wait_h1(c, "Le mie domande").await, "/portale/domande");
    click_link(c, "Mense scolastiche").await;
    wait_h1(c, "Domanda: Mense scolastiche").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_without_spid_chooses_a_password_by_the_mailed_link_and_signs_in() {
    let state = crate::support::app().await;
    let (_, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    file_mensa(&state, &mut op, &person, &attestation).await;
    let sink = SmtpSink::start(Behaviour::Accept).await;
    // No portal address configured: the link names the one the browser reached.
    let mailer = app::mail::Mailer::new(&app::mail::MailConfig {
        smtp_url: Some(sink.url()),
        ..app::mail::MailConfig::default()
    })
    .unwrap();
    run_journey_at(
        "a_citizen_without_spid_chooses_a_password_by_the_mailed_link_and_signs_in",
        state,
        move |_, state| {
            let mut state = crate::support::with_local_accounts(state);
            state.mailer = mailer;
            state
        },
        move |c, base, _state| local_account_journey(c, base, sink),
    )
    .await;
}
