//! Snapshots (insta) of what the office hands out: the OpenAPI document as served, and the
//! text of the decision letter, of the art. 10-bis notice and of the PAI, each downloaded
//! through its route. A changed document fails the test until the new snapshot is reviewed
//! (`cargo insta review`, or INSTA_UPDATE=always and a look at the diff) and committed with
//! the change. SQLite only: the documents do not depend on the database.
//!
//! Deterministic content: the clock is moved to [`NOW`] before anything is created, so every
//! date the documents print follows from it (and so do the year of the protocol and of the
//! case-file number, both first of their year in a fresh database); names and figures come
//! from the fixtures. The documents print no ids and no times of day; one that starts to
//! must have them replaced before the comparison.

use crate::istanze_fixtures::{
    assert_redirect, attest, file_mensa, office, register_rossi, upload_identity,
};
use crate::plans::{post_intervention, post_plan, post_review, worker_with_case};
use crate::support::{Client, Response, app};
use axum::http::{StatusCode, header};
use time::OffsetDateTime;
use time::macros::datetime;
use web::AppState;

/// The instant every snapshot is taken at.
const NOW: OffsetDateTime = datetime!(2040-03-16 09:00 UTC);

/// A fresh application whose clock reads [`NOW`] (and then runs on).
async fn app_at_now() -> AppState {
    let state = app().await;
    let ahead = NOW - state.clock.now();
    assert!(
        ahead.is_positive(),
        "NOW is past: move it forward and review the new snapshots"
    );
    state.clock.advance(std::time::Duration::from_secs(
        ahead.whole_seconds().unsigned_abs(),
    ));
    state
}

/// The text of a PDF answer, page after page.
pub(crate) fn pdf_text(r: &Response) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/pdf");
    let doc = lopdf::Document::load_mem(&r.bytes).expect("the PDF parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("the PDF's text")
}

#[tokio::test]
async fn the_openapi_document_as_served() {
    let state = app().await;
    let r = Client::new(&state).get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let doc: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    insta::assert_snapshot!(
        "openapi",
        serde_json::to_string_pretty(&doc).expect("pretty JSON")
    );
}

/// The office, Mario Rossi with his attestation, and his school-meals application under
/// review; the responsabile, and the application's path.
async fn application_under_review(state: &AppState) -> (Client, String) {
    let (resp, mut op) = office(state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(state, &mut op, &person).await;
    let application = file_mensa(state, &mut op, &person, &attestation).await;
    let r = op
        .post(
            &format!("{application}/stato"),
            &[("to", "in_istruttoria"), ("version", "1")],
        )
        .await;
    assert_redirect(&r);
    upload_identity(&mut op, &application).await;
    (resp, application)
}

/// The text of the document at `document` (after the application's path) once the
/// responsabile moved the application under review to `to` with `note`.
async fn decided(to: &str, note: &str, document: &str) -> String {
    let state = app_at_now().await;
    let (mut resp, application) = application_under_review(&state).await;
    let r = resp
        .post(
            &format!("{application}/stato"),
            &[("to", to), ("version", "2"), ("note", note)],
        )
        .await;
    assert_redirect(&r);
    pdf_text(&resp.get(&format!("{application}/{document}")).await)
}

#[tokio::test]
async fn the_decision_letter_of_an_accepted_application() {
    let letter = decided("accolta", "", "provvedimento.pdf").await;
    insta::assert_snapshot!("decision_letter", letter);
}

#[tokio::test]
async fn the_notice_before_rejection() {
    let notice = decided(
        "preavviso_rigetto",
        "La spesa dichiarata supera il massimo previsto dall'art. 14.",
        "preavviso.pdf",
    )
    .await;
    insta::assert_snapshot!("notice_before_rejection", notice);
}

#[tokio::test]
async fn the_individual_plan() {
    let state = app_at_now().await;
    let (mut c, case) = worker_with_case(&state).await;
    let r = post_plan(&state, &mut c, &case).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan = r.location().to_owned();
    let r = post_intervention(&state, &mut c, &plan, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post_review(&state, &mut c, &plan).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pdf = c.get(&format!("{plan}/pdf")).await;
    insta::assert_snapshot!("individual_plan", pdf_text(&pdf));
}

#[tokio::test]
async fn the_integration_request() {
    let letter = decided(
        "integrazione_richiesta",
        "Certificato di frequenza scolastica del figlio per l'anno in corso.",
        "integrazione.pdf",
    )
    .await;
    insta::assert_snapshot!("integration_request", letter);
}

/// On the letterhead, a rejection that recalls the notice and the observations received.
#[tokio::test]
async fn the_rejection_after_the_notice_on_the_letterhead() {
    let state = app_at_now().await;
    let (mut resp, application) = application_under_review(&state).await;
    let r = resp
        .post(
            "/admin/carta-intestata",
            &[
                ("office", "Settore Servizi sociali"),
                ("address", "Piazza Matteotti 27"),
                ("postcode", "24122"),
                ("city", "Bergamo (BG)"),
                ("phone", "035 399111"),
                ("pec", "protocollo@cert.comune.bergamo.it"),
                ("hours", "lunedì–venerdì 9–12"),
                ("signer_title", "La Responsabile del Servizio"),
                ("signer_name", "dott.ssa Anna Bianchi"),
                ("version", "0"),
            ],
        )
        .await;
    assert_redirect(&r);
    for (to, version, note, observations) in [
        (
            "preavviso_rigetto",
            "2",
            "La spesa dichiarata supera il massimo previsto dall'art. 14.",
            "",
        ),
        (
            "respinta",
            "3",
            "Le osservazioni non documentano una spesa diversa da quella dichiarata.",
            "on",
        ),
    ] {
        let r = resp
            .post(
                &format!("{application}/stato"),
                &[
                    ("to", to),
                    ("version", version),
                    ("note", note),
                    ("observations", observations),
                ],
            )
            .await;
        assert_redirect(&r);
    }
    let letter = pdf_text(&resp.get(&format!("{application}/provvedimento.pdf")).await);
    insta::assert_snapshot!("rejection_after_notice", letter);
}
