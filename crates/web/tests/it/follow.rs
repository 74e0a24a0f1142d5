//! Following an application on the portal (issue 22, item 4): the messages between the office
//! and the citizen both ways, the documents the citizen sends for an integration request, the
//! observations on a notice before rejection, the letters and documents to download, the
//! months of delivery, and the e-mail that says only that there is news. And the other side:
//! another citizen, an operator of another organization, a CAF without a mandate reach none
//! of it. On SQLite and PostgreSQL.

use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, file_mensa, office, register_rossi,
};
use crate::portal::{BIANCHI_CF, identity, portal_client, register_bianchi};
use crate::smtp::{Behaviour, PORTAL_URL, SmtpSink};
use crate::support::{Client, minimal_pdf, staff};
use axum::http::{StatusCode, header};
use domain::Role;
use store::{AuditFilter, AuditStore, BenefitStore};
use uuid::Uuid;
use web::AppState;

on_both!(
    the_office_and_the_citizen_write_to_each_other_and_nobody_else_can,
    the_citizen_answers_an_integration_request_and_a_notice_and_downloads_the_letters,
    the_portal_lists_the_months_of_delivery_and_the_co_payments,
    a_representative_on_the_portal_is_told_of_news_while_the_mandate_lasts,
);

/// The citizen's account e-mail, which the news go to before the application's.
const ACCOUNT_MAIL: &str = "rossi.portale@example.org";

/// The office with Rossi's application for school meals filed and submitted, Rossi signed in
/// on the portal (his account's e-mail is [`ACCOUNT_MAIL`]), and e-mail through `sink`: the
/// responsabile, the operator, the citizen, the application's office path and portal path.
async fn followed(
    state: &mut AppState,
    sink: &SmtpSink,
) -> (Client, Client, Client, String, String) {
    state.mailer = sink.mailer();
    let (resp, mut op) = office(state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(state, &mut op, &person).await;
    let app = file_mensa(state, &mut op, &person, &attestation).await;
    let mut id = identity(ROSSI_CF);
    id.email = Some(ACCOUNT_MAIL.into());
    let user = app::portal::sign_in(state, &id).await.unwrap();
    let (citizen, _) = portal_client(state, &user).await;
    let portal = app.replace("/istanze/", "/portale/domande/");
    (resp, op, citizen, app, portal)
}

/// The version the office's page carries for the state forms.
async fn version(c: &mut Client, app: &str) -> String {
    let page = c.get(app).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.attr("form[action$='/stato'] input[name=version]", "value")
}

async fn to_state(c: &mut Client, app: &str, to: &str, note: &str) {
    let v = version(c, app).await;
    let r = c
        .post(
            &format!("{app}/stato"),
            &[("to", to), ("version", &v), ("note", note)],
        )
        .await;
    assert_redirect(&r);
}

/// The news e-mails to the citizen's account so far; each says nothing but that there is news.
fn news_mails(sink: &SmtpSink) -> Vec<String> {
    sink.received()
        .iter()
        .filter(|m| m.to == [ACCOUNT_MAIL])
        .map(|m| {
            let body = m.body();
            assert_eq!(
                m.header("Subject").unwrap_or_default(),
                "C'è una novità sul portale dei servizi sociali"
            );
            assert!(body.contains("c'è una novità"), "{body}");
            assert!(body.contains(PORTAL_URL), "{body}");
            for private in ["Rossi", "Mario", "mensa", "Mensa", "protocollo"] {
                assert!(!body.contains(private), "«{private}» in:\n{body}");
            }
            body
        })
        .collect()
}

/// An operator of another organization and a CAF of this one that did not file the
/// application: the office's side of the attackers.
async fn intruders(state: &AppState) -> (Client, Client) {
    let elsewhere = staff(
        state,
        "comune-altrove",
        "017029",
        "altrove",
        Role::OperatoreSportello,
    )
    .await;
    let caf = staff(state, "comune-bergamo", "016024", "caf", Role::OperatoreCaf).await;
    (elsewhere, caf)
}

async fn count_audit(state: &AppState, prefix: &str) -> usize {
    crate::dsu::audit(state, prefix).await.len()
}

async fn the_office_and_the_citizen_write_to_each_other_and_nobody_else_can(mut state: AppState) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let (_, mut op, mut citizen, app, portal) = followed(&mut state, &sink).await;

    // The office writes: the citizen is told by e-mail that there is news, nothing more.
    let r = op
        .post(
            &format!("{app}/messaggi"),
            &[("message", "Buongiorno,\nci serve la copia del documento.")],
        )
        .await;
    assert_redirect(&r);
    assert_eq!(news_mails(&sink).len(), 1);
    let page = citizen.get(&portal).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let thread = page.text("#messaggi + ol");
    assert!(thread.contains("ci serve la copia"), "{thread}");
    assert!(
        thread.contains("Operatore sportello (Comune comune-bergamo)"),
        "{thread}"
    );

    // The citizen answers; the office reads it, marked as the citizen's.
    let r = citizen
        .post(
            &format!("{portal}/messaggi"),
            &[("message", "La porto domani allo sportello.")],
        )
        .await;
    assert_eq!(r.location(), format!("{portal}?inviato=messaggio#messaggi"));
    let page = citizen.get(r.location()).await;
    assert!(
        page.text(".sp-alert--success")
            .contains("Messaggio inviato all'ufficio"),
        "{}",
        page.body
    );
    let office_page = op.get(&app).await;
    assert!(
        office_page.body.contains("La porto domani allo sportello."),
        "{}",
        office_page.body
    );
    assert!(
        office_page
            .body
            .contains("Mario Rossi (cittadino, dal portale)")
    );
    // Nobody is mailed about their own message.
    assert_eq!(news_mails(&sink).len(), 1);

    // Bad texts are refused naming the field, and nothing is saved.
    for bad in ["   ", "ciao\u{7}", &"a".repeat(5_001)] {
        let r = citizen
            .post(&format!("{portal}/messaggi"), &[("message", bad)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.attr("#message", "aria-invalid"), "true");
        assert!(r.body.contains("href=\"#message\""), "{}", r.body);
    }
    let r = op
        .post(&format!("{app}/messaggi"), &[("message", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("il messaggio"), "{}", r.body);
    assert_eq!(count_audit(&state, "application.message").await, 2);

    // Another citizen reaches neither the thread nor the form, whatever the address.
    register_bianchi(&mut op).await;
    let bianchi = app::portal::sign_in(&state, &identity(BIANCHI_CF))
        .await
        .unwrap();
    let (mut intruder, _) = portal_client(&state, &bianchi).await;
    assert_eq!(intruder.get(&portal).await.status, StatusCode::FORBIDDEN);
    let r = intruder
        .post(&format!("{portal}/messaggi"), &[("message", "Ciao")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = intruder
        .post(
            &format!("/portale/domande/{}/messaggi", Uuid::now_v7()),
            &[("message", "Ciao")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // An operator of another organization: as if it did not exist. A CAF without a mandate
    // (it did not file it): refused. Neither writes.
    let (mut elsewhere, mut caf) = intruders(&state).await;
    let r = elsewhere
        .post(&format!("{app}/messaggi"), &[("message", "Ciao")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = caf
        .post(&format!("{app}/messaggi"), &[("message", "Ciao")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(caf.get(&app).await.status, StatusCode::FORBIDDEN);
    assert_eq!(count_audit(&state, "application.message").await, 2);
    let office_page = op.get(&app).await;
    assert!(!office_page.body.contains(">Ciao<"));
}

async fn the_citizen_answers_an_integration_request_and_a_notice_and_downloads_the_letters(
    mut state: AppState,
) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let (mut resp, mut op, mut citizen, app, portal) = followed(&mut state, &sink).await;
    to_state(&mut op, &app, "in_istruttoria", "").await;
    // Nothing to send before the office asks for it.
    let r = citizen
        .upload(
            &format!("{portal}/documenti"),
            &[("requirement", "")],
            Some(("carta.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("non sta aspettando documenti"),
        "{}",
        r.body
    );
    to_state(
        &mut op,
        &app,
        "integrazione_richiesta",
        "Manca il documento d'identità",
    )
    .await;

    // The portal shows what is missing; a file that is not what it says is refused by content.
    let page = citizen.get(&portal).await;
    assert!(
        page.body.contains("Invia i documenti richiesti"),
        "{}",
        page.body
    );
    assert!(
        page.text("#integrazione ~ ul")
            .contains("Documento d'identità del richiedente")
    );
    let r = citizen
        .upload(
            &format!("{portal}/documenti"),
            &[("requirement", "Documento d'identità del richiedente")],
            Some(("carta.pdf", b"not a pdf at all")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.attr("#file", "aria-invalid"), "true");
    let r = citizen
        .upload(
            &format!("{portal}/documenti"),
            &[("requirement", "non richiesto"), ("note", "")],
            Some(("carta.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = citizen
        .upload(
            &format!("{portal}/documenti"),
            &[
                ("requirement", "Documento d'identità del richiedente"),
                ("note", "Ecco la carta d'identità."),
            ],
            Some(("carta.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The office sees it, marked as sent by the citizen, with the note.
    let office_page = op.get(&app).await;
    assert!(
        office_page.body.contains("inviato dal cittadino"),
        "{}",
        office_page.body
    );
    assert!(
        office_page.body.contains("Ecco la carta d"),
        "{}",
        office_page.body
    );
    assert_eq!(count_audit(&state, "application.integration").await, 1);
    let page = citizen.get(&portal).await;
    assert!(page.body.contains("inviato da te"), "{}", page.body);
    let doc_href = page.attr("section[aria-labelledby=documenti] a", "href");
    assert!(
        doc_href.starts_with(&format!("{portal}/documenti/")),
        "{doc_href}"
    );
    let d = citizen.get(&doc_href).await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(d.body.starts_with("%PDF-"));

    // The office goes on, then sends a notice before rejection; the citizen answers it.
    to_state(&mut op, &app, "in_istruttoria", "").await;
    to_state(&mut resp, &app, "preavviso_rigetto", "ISEE oltre la soglia").await;
    let page = citizen.get(&portal).await;
    assert!(
        page.body.contains("Invia le tue osservazioni"),
        "{}",
        page.body
    );
    let r = citizen
        .upload(
            &format!("{portal}/osservazioni"),
            &[("observations", " ")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.attr("#observations", "aria-invalid"), "true");
    let r = citizen
        .upload(
            &format!("{portal}/osservazioni"),
            &[(
                "observations",
                "Il mio ISEE è cambiato: allego quello nuovo.",
            )],
            Some(("isee.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let office_page = resp.get(&app).await;
    assert!(
        office_page
            .body
            .contains("ha inviato le osservazioni al preavviso dal portale"),
        "{}",
        office_page.body
    );
    assert!(office_page.body.contains("Il mio ISEE è cambiato"));
    // The observations arrived: the office may decide at once, and the decision says so.
    to_state(
        &mut resp,
        &app,
        "respinta",
        "ISEE oltre la soglia anche col nuovo",
    )
    .await;
    let org = crate::istanze_fixtures::org_id(&state).await;
    let app_id = Uuid::parse_str(app.trim_start_matches("/istanze/")).unwrap();
    let events = state.store.application_events(org, app_id).await.unwrap();
    assert_eq!(events.last().unwrap().observations, Some(true));

    // The letters, from the portal: the citizen's own; the download is audited as theirs.
    let page = citizen.get(&portal).await;
    for letter in ["provvedimento.pdf", "preavviso.pdf", "integrazione.pdf"] {
        let href = format!("{portal}/lettere/{letter}");
        assert!(page.body.contains(&href), "{}", page.body);
        let r = citizen.get(&href).await;
        assert_eq!(r.status, StatusCode::OK, "{letter}: {}", r.body);
        assert_eq!(
            r.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/pdf"
        );
        assert!(r.body.starts_with("%PDF-"));
    }
    assert_eq!(
        citizen
            .get(&format!("{portal}/lettere/altro.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let letters = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("application.letter".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(
        letters
            .iter()
            .any(|a| a.actor == ROSSI_CF.to_lowercase() && a.summary.contains("dal portale")),
        "{letters:?}"
    );
    // Closed: nothing more to send.
    let r = citizen
        .upload(
            &format!("{portal}/osservazioni"),
            &[("observations", "Ancora")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Every change after Rossi signed in reached him as news only.
    assert!(news_mails(&sink).len() >= 4, "{:?}", sink.received());

    // Another citizen gets neither the letters nor the documents, nor sends anything.
    register_bianchi(&mut op).await;
    let bianchi = app::portal::sign_in(&state, &identity(BIANCHI_CF))
        .await
        .unwrap();
    let (mut intruder, _) = portal_client(&state, &bianchi).await;
    for path in [
        format!("{portal}/lettere/provvedimento.pdf"),
        doc_href.clone(),
    ] {
        assert_eq!(
            intruder.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let r = intruder
        .upload(
            &format!("{portal}/documenti"),
            &[("requirement", "")],
            Some(("carta.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The office's side: another organization's operator finds nothing, a CAF that did not
    // file it is refused.
    let (mut elsewhere, mut caf) = intruders(&state).await;
    assert_eq!(
        elsewhere
            .get(&format!("{app}/provvedimento.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        caf.get(&format!("{app}/provvedimento.pdf")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        caf.get(&doc_href.replace("/portale/domande/", "/istanze/"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn the_portal_lists_the_months_of_delivery_and_the_co_payments(mut state: AppState) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    let (mut resp, mut op, mut citizen, app, portal) = followed(&mut state, &sink).await;
    crate::istanze_fixtures::upload_identity(&mut op, &app).await;
    to_state(&mut op, &app, "in_istruttoria", "").await;
    to_state(&mut resp, &app, "accolta", "").await;
    to_state(&mut resp, &app, "in_erogazione", "").await;
    let org = crate::istanze_fixtures::org_id(&state).await;
    let app_id = Uuid::parse_str(app.trim_start_matches("/istanze/")).unwrap();
    let first = state
        .store
        .application_deliveries(org, app_id)
        .await
        .unwrap()
        .remove(0);
    let r = resp
        .post(
            &format!("{app}/erogazioni/{}", first.id),
            &[
                ("quantity", "18"),
                ("amount", "0"),
                ("co_payment", "63,00"),
                ("version", &first.version.to_string()),
            ],
        )
        .await;
    assert_redirect(&r);
    let page = citizen.get(&portal).await;
    assert_eq!(page.status, StatusCode::OK);
    let deliveries = page.text("section[aria-labelledby=erogazioni]");
    assert!(deliveries.contains("63,00"), "{deliveries}");
    assert!(deliveries.contains("erogata"), "{deliveries}");
    assert!(deliveries.contains("prevista"), "{deliveries}");
    // In English too.
    citizen.get("/portale/lingua/en").await;
    let page = citizen.get(&portal).await;
    let deliveries = page.text("section[aria-labelledby=erogazioni]");
    assert!(
        deliveries.contains("Your co-payment so far"),
        "{deliveries}"
    );
    assert!(deliveries.contains("delivered"), "{deliveries}");
}

/// Bianchi's account e-mail: she represents Rossi (a guardian the office recorded).
const GUARDIAN_MAIL: &str = "bianchi.tutrice@example.org";

async fn a_representative_on_the_portal_is_told_of_news_while_the_mandate_lasts(
    mut state: AppState,
) {
    let sink = SmtpSink::start(Behaviour::Accept).await;
    state.mailer = sink.mailer();
    let (_, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    register_bianchi(&mut op).await;
    let mut id = identity(BIANCHI_CF);
    id.email = Some(GUARDIAN_MAIL.into());
    let guardian = app::portal::sign_in(&state, &id).await.unwrap();
    let r = op
        .post(
            &format!("{person}/deleghe"),
            &[
                ("tipo", "rappresentante"),
                ("utente", guardian.login.as_str()),
                ("note", "decreto di nomina del tutore"),
            ],
        )
        .await;
    assert_redirect(&r);
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    let to_guardian = |sink: &SmtpSink| {
        sink.received()
            .into_iter()
            .filter(|m| m.to == [GUARDIAN_MAIL])
            .map(|m| {
                let body = m.body();
                assert_eq!(
                    m.header("Subject").unwrap_or_default(),
                    "C'è una novità sul portale dei servizi sociali"
                );
                for private in ["Rossi", "Mario", "mensa", "Mensa", "protocollo"] {
                    assert!(!body.contains(private), "«{private}» in:\n{body}");
                }
                body
            })
            .count()
    };
    let before = to_guardian(&sink);

    // Rossi does not use the portal: his guardian, who does, is told there is news.
    to_state(&mut op, &app, "in_istruttoria", "").await;
    assert_eq!(to_guardian(&sink), before + 1, "{:?}", sink.received());
    let r = op
        .post(
            &format!("{app}/messaggi"),
            &[("message", "Serve il decreto.")],
        )
        .await;
    assert_redirect(&r);
    assert_eq!(to_guardian(&sink), before + 2, "{:?}", sink.received());

    // The mandate revoked, she is told nothing more.
    let person_id = Uuid::parse_str(person.trim_start_matches("/persone/")).unwrap();
    use store::MandateStore;
    let org = crate::istanze_fixtures::org_id(&state).await;
    let mandate = state
        .store
        .person_mandates(org, person_id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.mandate.user_id == guardian.id)
        .unwrap();
    assert_redirect(
        &op.post(
            &format!("{person}/deleghe/{}/revoca", mandate.mandate.id),
            &[],
        )
        .await,
    );
    to_state(&mut op, &app, "integrazione_richiesta", "Serve il decreto").await;
    assert_eq!(to_guardian(&sink), before + 2, "{:?}", sink.received());
}
