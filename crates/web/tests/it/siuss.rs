//! The SIUSS page (`/siuss`) on SQLite and PostgreSQL: a month's delivery becomes a PSA record,
//! invalid until the ente's settings are saved (named with the link to them), then valid and
//! downloaded as the upload file INPS takes, which validates against the XSD; the download is
//! audited; bad settings are named field by field; the counter's operator is refused.

use crate::istanze_fixtures::{
    ROSSI_CF, assert_redirect, attest, file_mensa, office, org_id, register_rossi, upload_identity,
};
use crate::support::{Client, Response};
use axum::http::{StatusCode, header};
use domain::siuss::{Flow, validate_document};
use store::{AuditFilter, AuditStore, BenefitStore};
use uuid::Uuid;
use web::AppState;

on_both!(a_month_of_delivery_is_a_siuss_record_fixed_exported_and_audited);

/// A month of the school canteen delivered to Mario Rossi (a PSA record), recorded by the
/// counter's operator after the responsabile accepted the application.
pub struct Delivered {
    pub resp: Client,
    pub op: Client,
    /// `/istanze/{id}`.
    pub app: String,
    pub org: Uuid,
    pub months: Vec<store::Delivery>,
}

pub async fn a_month_delivered(state: &AppState) -> Delivered {
    let (mut resp, mut op) = office(state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(state, &mut op, &person).await;
    let app = file_mensa(state, &mut op, &person, &attestation).await;
    upload_identity(&mut op, &app).await;
    let r = op
        .post(
            &format!("{app}/stato"),
            &[("to", "in_istruttoria"), ("version", "1")],
        )
        .await;
    assert_redirect(&r);
    for (to, version) in [("accolta", "2"), ("in_erogazione", "3")] {
        let r = resp
            .post(
                &format!("{app}/stato"),
                &[("to", to), ("version", version), ("note", "")],
            )
            .await;
        assert_redirect(&r);
    }
    let org = org_id(state).await;
    let app_id = Uuid::parse_str(app.trim_start_matches("/istanze/")).unwrap();
    let months = state
        .store
        .application_deliveries(org, app_id)
        .await
        .unwrap();
    let r = op
        .post(
            &format!("{app}/erogazioni/{}", months[0].id),
            &[
                ("quantity", "18"),
                ("amount", "0"),
                ("co_payment", "63,00"),
                ("version", "1"),
            ],
        )
        .await;
    assert_redirect(&r);
    Delivered {
        resp,
        op,
        app,
        org,
        months,
    }
}

/// `AAAA-MM` of a month.
pub fn periodo(m: time::Date) -> String {
    format!("{:04}-{:02}", m.year(), u8::from(m.month()))
}

/// The ente's SIUSS settings saved by the responsabile (INPS code A794).
pub async fn save_settings(resp: &mut Client, periodo: &str) -> Response {
    resp.post(
        "/siuss/impostazioni",
        &[
            ("ente_code", "a794"),
            ("seat", "A794"),
            ("operator_cf", "80034840167"),
            ("version", "0"),
            ("periodo", periodo),
        ],
    )
    .await
}

async fn a_month_of_delivery_is_a_siuss_record_fixed_exported_and_audited(state: AppState) {
    let Delivered {
        mut resp,
        mut op,
        app: _,
        org,
        months,
    } = a_month_delivered(&state).await;
    let periodo = periodo(months[0].month);
    let page = format!("/siuss?periodo={periodo}");

    // Without the ente's settings the record names what is missing and where to fix it.
    let r = resp.get(&page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("Mancano le impostazioni SIUSS"),
        "{}",
        r.body
    );
    let problems = r.text("#problemi-siuss");
    assert!(
        problems.contains("codice fiscale dell'operatore"),
        "{problems}"
    );
    assert!(problems.contains("Rossi Mario"), "{problems}");
    assert!(r.body.contains("href=\"#impostazioni\""), "{}", r.body);
    assert!(
        r.body.contains("Nessun record valido da esportare"),
        "{}",
        r.body
    );

    // Bad settings: every field named, nothing saved.
    let bad = resp
        .post(
            "/siuss/impostazioni",
            &[
                ("ente_code", ""),
                ("seat", "Z404"),
                ("operator_cf", "X"),
                ("version", "0"),
                ("periodo", &periodo),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["ente_code", "seat", "operator_cf"] {
        assert!(
            !bad.text(&format!("#{field}-err")).is_empty(),
            "{field}: {}",
            bad.body
        );
    }

    let ok = save_settings(&mut resp, &periodo).await;
    assert_redirect(&ok);
    assert_eq!(ok.location(), page);
    let r = resp.get(&page).await;
    assert!(
        r.body
            .contains("Nessuno: tutti i record del mese sono validi"),
        "{}",
        r.body
    );
    let files = r.text("#file-siuss");
    assert!(
        files.contains("A794.PSA.") && files.contains("(1 record)"),
        "{files}"
    );

    // The file: the XML INPS takes, valid by the XSD, with the beneficiary and the DSU.
    let f = resp
        .get(&format!("/siuss/file?periodo={periodo}&n=1"))
        .await;
    assert_eq!(f.status, StatusCode::OK);
    assert!(
        f.headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("A794.PSA.")
    );
    assert_eq!(
        validate_document(Flow::PsPsaSina, &f.body),
        Vec::<String>::new()
    );
    assert!(
        f.body.contains(&format!("CodiceFiscale=\"{ROSSI_CF}\"")),
        "{}",
        f.body
    );
    assert!(
        f.body.contains("PresenzaProvaMezzi=\"1\"")
            && f.body.contains("NumeroProtocolloDSU=\"INPS-ISEE-"),
        "{}",
        f.body
    );
    assert!(
        f.body.contains("ImportoQuotaUtente=\"63.00\""),
        "{}",
        f.body
    );
    let audit = state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org),
            action: Some("siuss.export".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0].summary.contains("1 record in 1 file"),
        "{}",
        audit[0].summary
    );
    // A file that is not there sends back to the month.
    let gone = resp
        .get(&format!("/siuss/file?periodo={periodo}&n=9"))
        .await;
    assert_redirect(&gone);

    // The counter's operator does not see the records.
    assert_eq!(op.get(&page).await.status, StatusCode::FORBIDDEN);
}
