//! Co-payment bills (issue 25, item 6) on SQLite and PostgreSQL: the ragioneria sets the
//! ente's pagoPA data (errors beside the fields), issues the month's bills from the
//! deliveries made (never twice), prints the notice with its QR code, exports the positions
//! for pagoPA in the shape of GPD's API, imports the payments (once each, an unknown IUV named),
//! lists the arrears and records reminders (not before the due date, not twice in 15 days,
//! never to a deceased person); a worker without the permission gets 403.

use crate::istanze_fixtures::{
    assert_redirect, attest, file_mensa, office, org_id, upload_identity,
};
use crate::life_events::{BIANCHI, import, rossi_from_registry, rossi_row};
use crate::support::staff;
use axum::http::StatusCode;
use domain::Role;
use domain::bill::{BillState, iuv_of};
use domain::localtime::today;
use domain::money::Money;
use store::{AuditFilter, AuditStore, BenefitStore, BillFilter, BillStore};
use uuid::Uuid;
use web::AppState;

on_both!(co_payments_are_billed_with_a_pagopa_notice_paid_once_and_reminded_when_overdue,);

/// pagoPA's GPD API v2 as published (MIT, `shared/specs/pagopa-gpd`).
const GPD_V2: &str =
    include_str!("../../../../../shared/specs/pagopa-gpd/gpd-debt-positions-external_v2.json");

/// The ente's pagoPA data as the ragioneria types them.
pub(crate) const PAGOPA: [(&str, &str); 5] = [
    ("fiscal_code", "80034840167"),
    ("segregation_code", "01"),
    ("iban", "IT60 X054 2811 1010 0000 0123 456"),
    ("category", "9/0101108TS/"),
    ("due_days", "30"),
];

/// Rossi (from the registry) with school meals delivered this month with a co-payment of
/// 42,50 € for 18 meals: the application's path.
pub(crate) async fn delivered_with_co_payment(state: &AppState) -> String {
    let (mut resp, mut op) = office(state).await;
    let person = rossi_from_registry(state, &mut resp, &[]).await;
    let attestation = attest(state, &mut op, &person).await;
    let app = file_mensa(state, &mut op, &person, &attestation).await;
    upload_identity(&mut op, &app).await;
    assert_redirect(
        &op.post(
            &format!("{app}/stato"),
            &[("to", "in_istruttoria"), ("version", "1")],
        )
        .await,
    );
    for (to, version) in [("accolta", "2"), ("in_erogazione", "3")] {
        assert_redirect(
            &resp
                .post(
                    &format!("{app}/stato"),
                    &[("to", to), ("version", version), ("note", "")],
                )
                .await,
        );
    }
    let org = org_id(state).await;
    let app_id = Uuid::parse_str(app.trim_start_matches("/istanze/")).unwrap();
    let first = state
        .store
        .application_deliveries(org, app_id)
        .await
        .unwrap()
        .remove(0);
    assert_redirect(
        &op.post(
            &format!("{app}/erogazioni/{}", first.id),
            &[
                ("quantity", "18"),
                ("amount", "0"),
                ("co_payment", "42,50"),
                ("version", &first.version.to_string()),
            ],
        )
        .await,
    );
    app
}

fn mese(state: &AppState) -> String {
    let t = today(state.clock.now());
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

async fn bills_of(state: &AppState) -> Vec<store::Bill> {
    state
        .store
        .bills(org_id(state).await, &BillFilter::default())
        .await
        .unwrap()
}

/// Checks a JSON document against a schema of the GPD API's components.
fn check_gpd(body: &serde_json::Value, schema: &str) {
    let api: serde_json::Value = serde_json::from_str(GPD_V2).unwrap();
    let root = serde_json::json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": api["components"],
    });
    let validator = jsonschema::draft202012::new(&root).expect("GPD's schema compiles");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{body:#}");
}

async fn co_payments_are_billed_with_a_pagopa_notice_paid_once_and_reminded_when_overdue(
    state: AppState,
) {
    let _ = delivered_with_co_payment(&state).await;
    let mese = mese(&state);
    let mut rag = staff(
        &state,
        "comune-bergamo",
        "016024",
        "ragioneria",
        Role::Ragioneria,
    )
    .await;

    // Without the ente's pagoPA data nothing is issued, and the page says what to do.
    let page = rag.get(&format!("/rette?mese={mese}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text("#senza-pagopa").contains("dati pagoPA"),
        "{}",
        page.body
    );
    let r = rag.post("/rette/emetti", &[("mese", &mese)]).await;
    assert_redirect(&r);
    let page = rag.get(r.location()).await;
    assert!(
        page.text(".sp-alert").contains("Impostazioni pagoPA"),
        "{}",
        page.body
    );
    assert!(bills_of(&state).await.is_empty());

    // Wrong data are named beside their fields; nothing is saved.
    let r = rag
        .post(
            "/rette/impostazioni",
            &[
                ("fiscal_code", "80034840168"),
                ("segregation_code", "1000"),
                ("iban", "IT60 X054 2811 1010 0000 0123 456"),
                ("category", "mense"),
                ("due_days", "30"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#fiscal_code-err").contains("cifra di controllo"));
    assert!(r.text("#segregation_code-err").contains("due cifre"));
    assert!(r.text("#category-err").contains("tassonomia"));
    assert_eq!(r.attr("#category", "value"), "mense");
    let org = org_id(&state).await;
    assert!(state.store.pagopa_settings(org).await.unwrap().is_none());
    let mut good: Vec<(&str, &str)> = PAGOPA.to_vec();
    good.push(("version", "0"));
    assert_redirect(&rag.post("/rette/impostazioni", &good).await);

    // The month's bill: Rossi's 42,50 €, with a notice number of aux digit 3, segregation
    // code 01 and the check digits that hold.
    assert_redirect(&rag.post("/rette/emetti", &[("mese", &mese)]).await);
    let bills = bills_of(&state).await;
    assert_eq!(bills.len(), 1, "{bills:?}");
    let bill = &bills[0];
    assert_eq!(bill.amount, Money(4_250));
    assert_eq!(bill.state, BillState::Issued);
    assert!(bill.nav.starts_with("301"), "{}", bill.nav);
    assert_eq!(iuv_of(&bill.nav).as_deref(), Some(bill.iuv.as_str()));
    assert_eq!(
        bill.due_on,
        bill.issued_on + time::Duration::days(30),
        "due after the days set"
    );
    // Issued again: nothing new, the delivery is billed once.
    let r = rag.post("/rette/emetti", &[("mese", &mese)]).await;
    let page = rag.get(r.location()).await;
    assert!(
        page.text(".sp-alert").contains("Nessuna retta da emettere"),
        "{}",
        page.body
    );
    assert_eq!(bills_of(&state).await.len(), 1);

    // The bill's page and its notice: a PDF with the notice number, the ente and the QR code.
    let href = format!("/rette/{}", bill.id);
    let page = rag.get(&href).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("#codice-avviso").starts_with("301"));
    assert!(page.text("#righe").contains("18"), "{}", page.body);
    let pdf = rag.get(&format!("{href}/avviso.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let doc = lopdf::Document::load_mem(&pdf.bytes).expect("the notice parses");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    for s in [
        "Avviso di pagamento pagoPA",
        "Rossi Mario",
        "80034840167",
        "42,50",
        &bill.nav[..4],
    ] {
        assert!(text.contains(s), "«{s}» not in the notice:\n{text}");
    }

    // The positions for pagoPA follow GPD's bulk creation model.
    let gpd = rag.get(&format!("/rette/gpd?mese={mese}")).await;
    assert_eq!(gpd.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_slice(&gpd.bytes).unwrap();
    check_gpd(&body, "MultiplePaymentPositionModel");
    let option = &body["paymentPositions"][0]["paymentOption"][0];
    assert_eq!(option["iuv"], bill.iuv.as_str());
    assert_eq!(option["amount"], 4_250);
    assert_eq!(
        body["paymentPositions"][0]["fiscalCode"],
        crate::istanze_fixtures::ROSSI_CF
    );

    // The counter operator has no access to bills.
    let mut op2 = staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello2",
        Role::OperatoreSportello,
    )
    .await;
    for path in [
        "/rette",
        href.as_str(),
        "/rette/morosita",
        "/rette/impostazioni",
    ] {
        assert_eq!(op2.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }

    // Not due yet: no reminder.
    let r = rag
        .post(&format!("{href}/sollecito"), &[("version", "1")])
        .await;
    let page = rag.get(r.location()).await;
    assert!(
        page.text(".sp-alert").contains("dopo la scadenza"),
        "{}",
        page.body
    );

    // 40 days later the bill is in arrears; a reminder is recorded, a second one waits 15 days.
    let day = std::time::Duration::from_secs(86_400);
    state.clock.advance(day * 40);
    let mut rag = staff(
        &state,
        "comune-bergamo",
        "016024",
        "ragioneria2",
        Role::Ragioneria,
    )
    .await;
    let page = rag.get("/rette/morosita").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text("#morosita").contains("Rossi Mario"),
        "{}",
        page.body
    );
    assert!(page.text("#morosita").contains("42,50"), "{}", page.body);
    assert_redirect(
        &rag.post(
            &format!("{href}/sollecito"),
            &[("version", "1"), ("da", "morosita")],
        )
        .await,
    );
    let bill = state.store.get_bill(org, bill.id).await.unwrap();
    assert_eq!(bill.reminders, 1);
    let r = rag
        .post(&format!("{href}/sollecito"), &[("version", "2")])
        .await;
    let page = rag.get(r.location()).await;
    assert!(
        page.text(".sp-alert")
            .contains("il prossimo si può inviare"),
        "{}",
        page.body
    );
    let letter = rag.get(&format!("{href}/sollecito.pdf")).await;
    assert_eq!(letter.status, StatusCode::OK);

    // Rossi dies: no reminder is sent to him (his heirs are written to by letter).
    state.clock.advance(day * 16);
    let mut resp = staff(
        &state,
        "comune-bergamo",
        "016024",
        "responsabile2",
        Role::Responsabile,
    )
    .await;
    let now = today(state.clock.now());
    let died = (now - time::Duration::days(1)).to_string();
    import(&mut resp, &[&rossi_row(&died), BIANCHI], now).await;
    let mut rag = staff(
        &state,
        "comune-bergamo",
        "016024",
        "ragioneria3",
        Role::Ragioneria,
    )
    .await;
    let r = rag
        .post(&format!("{href}/sollecito"), &[("version", "2")])
        .await;
    let page = rag.get(r.location()).await;
    assert!(page.text(".sp-alert").contains("deceduto"), "{}", page.body);
    assert_eq!(
        state.store.get_bill(org, bill.id).await.unwrap().reminders,
        1
    );

    // The treasurer's CSV: the payment is recorded once, an unknown IUV is named.
    let paid_on = domain::dates::format_date(now);
    let csv = format!(
        "iuv;importo;data pagamento;riferimento\n{};42,50;{paid_on};RC-1\n{};10,00;{paid_on};RC-2\n",
        bill.nav,
        domain::bill::Notice::new(1, 999_999).unwrap().iuv,
    );
    for round in 0..2 {
        let r = rag
            .upload(
                "/rette/pagamenti",
                &[("mese", &mese)],
                Some(("pagamenti.csv", csv.as_bytes())),
            )
            .await;
        assert_redirect(&r);
        let page = rag.get(r.location()).await;
        let told = page.text(".sp-alert");
        assert!(told.contains("IUV non di questo ente"), "{told}");
        if round == 1 {
            assert!(told.contains("1 già registrati"), "{told}");
        }
    }
    let bill = state.store.get_bill(org, bill.id).await.unwrap();
    assert_eq!(bill.paid, Money(4_250));
    assert_eq!(bill.state, BillState::Paid);
    assert!(
        rag.get("/rette/morosita")
            .await
            .body
            .contains("Nessuna retta scaduta")
    );
    // A file that does not read is refused whole, naming the line.
    let r = rag
        .upload(
            "/rette/pagamenti",
            &[("mese", &mese)],
            Some((
                "p.csv",
                b"iuv;importo;data pagamento\n123;1,00;01/01/2027\n".as_slice(),
            )),
        )
        .await;
    let page = rag.get(r.location()).await;
    assert!(page.text(".sp-alert").contains("riga 2"), "{}", page.body);

    // The audit log has the settings, the issue, the reminder and the payments; each reading
    // of the bills is in the read log.
    state.reads.flush().await;
    let actions: Vec<String> = state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org),
            action_prefix: Some("bill.".into()),
            limit: 1_000,
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for a in [
        "bill.settings",
        "bill.issue",
        "bill.remind",
        "bill.payments",
        "bill.view",
        "bill.print",
        "bill.gpd",
        "bill.list",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not in {actions:?}");
    }
}
