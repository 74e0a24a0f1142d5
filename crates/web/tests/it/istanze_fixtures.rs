//! What the tests of istanze (pages and API) start from: the comune's office with the base
//! catalogue, Mario Rossi in the registry, his ISEE attestation.

use crate::support::{Client, Response, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::localtime::today;
use store::{BenefitStore, OrgStore};
use uuid::Uuid;
use web::AppState;

pub const ROSSI_CF: &str = "RSSMRA80A01A794J";

pub fn rossi() -> Vec<(&'static str, &'static str)> {
    vec![
        ("codice_fiscale", ROSSI_CF),
        ("surname", "Rossi"),
        ("given_names", "Mario"),
        ("sex", "M"),
        ("birth_date", "01/01/1980"),
        ("birthplace", "Bergamo"),
        ("citizenship", "IT"),
        ("residence_istat", "016024"),
        ("residence_street", "Via Roma 1"),
        ("email", "mario.rossi@example.org"),
    ]
}

pub fn year(state: &AppState) -> i32 {
    today(state.clock.now()).year()
}

pub fn assert_redirect(r: &Response) {
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{} {}",
        r.text(".sp-error-summary"),
        r.text(".sp-alert")
    );
}

pub async fn org_id(state: &AppState) -> Uuid {
    state
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bergamo").unwrap())
        .await
        .unwrap()
        .id
}

/// A responsabile who loaded the base catalogue, and an operator of the counter.
pub async fn office(state: &AppState) -> (Client, Client) {
    let mut resp = staff(
        state,
        "comune-bergamo",
        "016024",
        "responsabile",
        Role::Responsabile,
    )
    .await;
    assert_redirect(&resp.post("/prestazioni/catalogo-base", &[]).await);
    let op = staff(
        state,
        "comune-bergamo",
        "016024",
        "sportello",
        Role::OperatoreSportello,
    )
    .await;
    (resp, op)
}

/// Registers Mario Rossi through the pages; his page's path.
pub async fn register_rossi(op: &mut Client) -> String {
    let r = op.post("/persone/nuova", &rossi()).await;
    assert_redirect(&r);
    r.location().to_owned()
}

pub async fn benefit_id(state: &AppState, code: &str) -> String {
    benefit_in(state, org_id(state).await, code).await
}

/// The id of organization `org`'s benefit `code`.
pub async fn benefit_in(state: &AppState, org: Uuid, code: &str) -> String {
    state
        .store
        .list_benefits(org)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.data.code == code)
        .unwrap()
        .id
        .to_string()
}

/// Files and submits at the counter an application of `person` (their page's path) for school
/// meals with `attestation`; the application's path.
pub async fn file_mensa(
    state: &AppState,
    op: &mut Client,
    person: &str,
    attestation: &str,
) -> String {
    let mensa = benefit_id(state, "mensa").await;
    file_for(op, person, &mensa, attestation).await
}

/// The same for the benefit `benefit` (its id), of whichever organization `op` works in.
pub async fn file_for(op: &mut Client, person: &str, benefit: &str, attestation: &str) -> String {
    let pid = person.trim_start_matches("/persone/");
    let r = op
        .post(
            "/istanze/nuova",
            &[
                ("persona", pid),
                ("benefit", benefit),
                ("attestation", attestation),
                ("channel", "sportello"),
                ("units", "20"),
                ("months", "9"),
                ("email", "mario.rossi@example.org"),
                ("azione", "presenta"),
            ],
        )
        .await;
    assert_redirect(&r);
    let app = r.location().to_owned();
    assert!(app.starts_with("/istanze/"), "{app}");
    app
}

/// Uploads the applicant's identity document to the application `app` (its path).
pub async fn upload_identity(op: &mut Client, app: &str) {
    let r = op
        .upload(
            &format!("{app}/documenti"),
            &[("requirement", "Documento d'identità del richiedente")],
            Some(("documento.pdf", &crate::support::minimal_pdf())),
        )
        .await;
    assert_redirect(&r);
}

/// Types Rossi's attestation (ISEE 8.500,00 €) at the counter on the person's page `person`;
/// its id.
pub async fn attest(state: &AppState, op: &mut Client, person: &str) -> String {
    let protocol = format!("INPS-ISEE-{}-00012345A-00", year(state));
    attest_with(state, op, org_id(state).await, person, &protocol).await
}

/// The same attestation under `protocol`, for the person `person` of organization `org`: the
/// person's first attestation's id.
pub async fn attest_with(
    state: &AppState,
    op: &mut Client,
    org: Uuid,
    person: &str,
    protocol: &str,
) -> String {
    attest_on(op, person, protocol, today(state.clock.now()), false).await;
    let id = Uuid::parse_str(person.trim_start_matches("/persone/")).unwrap();
    state.store.person_attestations(org, id).await.unwrap()[0]
        .id
        .to_string()
}

/// Types the same figures under `protocol`, submitted on `submitted`, an ISEE corrente (valid
/// six months) if `corrente`.
pub async fn attest_on(
    op: &mut Client,
    person: &str,
    protocol: &str,
    submitted: time::Date,
    corrente: bool,
) {
    attest_variant(op, person, protocol, submitted, corrente, "ordinario").await;
}

/// [`attest_on`] for the ISEE `variant` («ordinario», «residenze», …).
pub async fn attest_variant(
    op: &mut Client,
    person: &str,
    protocol: &str,
    submitted: time::Date,
    corrente: bool,
    variant: &str,
) {
    let submitted = domain::dates::format_date(submitted);
    let r = op
        .post(
            &format!("{person}/isee"),
            &[
                ("protocol", protocol),
                ("submitted_on", submitted.as_str()),
                ("variant", variant),
                ("corrente", if corrente { "on" } else { "" }),
                ("isee", "8.500,00"),
                ("ise", "17.340,00"),
                ("isr", "15.000,00"),
                ("isp", "11.700,00"),
                ("scala", "2,04"),
                ("members", "3"),
            ],
        )
        .await;
    assert_redirect(&r);
}
