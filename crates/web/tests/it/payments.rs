//! Funds and payments (issue 25, items 1 and 5) on SQLite and PostgreSQL: a fund with its
//! allocation refuses an acceptance beyond what remains, naming the figures; the ragioneria
//! keeps the IBAN (errors beside the field), prepares and approves the month's list, downloads
//! the SEPA file (valid against the pain.001.001.09 XSD) and the accounting CSV, imports the
//! bank's return (a rejection, then the payment re-issued to the corrected IBAN and paid);
//! the database refuses to pay a person twice for the same benefit and period.

use crate::istanze_fixtures::{
    assert_redirect, attest, benefit_id, file_for, office, org_id, register_rossi, upload_identity,
    year,
};
use crate::support::{Client, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::payment::{Iban, PaymentState, validate_pain001};
use store::{BenefitStore, PaymentStore, StoreError};
use uuid::Uuid;
use web::AppState;

on_both!(
    a_fund_refuses_an_acceptance_beyond_it_and_pays_through_sepa_and_the_bank_return,
    a_fund_split_by_comune_refuses_an_acceptance_beyond_the_applicants_quota,
    the_database_refuses_to_pay_a_person_twice_for_a_benefit_and_period,
);

pub(crate) const TREASURY: &str = "IT60X0542811101000000123456";

/// Rossi's application for the contributo economico straordinario (250,00 € with his ISEE
/// of 8.500,00 €) under review: the responsabile, the counter, the application's path.
pub(crate) async fn under_review(state: &AppState) -> (Client, Client, String, String) {
    let (resp, mut op) = office(state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(state, &mut op, &person).await;
    let benefit = benefit_id(state, "contributo-straordinario").await;
    let app = file_for(&mut op, &person, &benefit, &attestation).await;
    upload_identity(&mut op, &app).await;
    let r = op
        .post(
            &format!("{app}/stato"),
            &[("to", "in_istruttoria"), ("version", "1")],
        )
        .await;
    assert_redirect(&r);
    (resp, op, app, person)
}

/// The ragioneria's account, the «Fondo povertà» paid from [`TREASURY`] with `allocation`
/// this year and paying the contributo straordinario: the client and the fund's id.
pub(crate) async fn poverty_fund(state: &AppState, allocation: &str) -> (Client, Uuid) {
    let mut rag = staff(
        state,
        "comune-bergamo",
        "016024",
        "ragioneria",
        Role::Ragioneria,
    )
    .await;
    let r = rag
        .post(
            "/fondi",
            &[
                ("name", "Fondo povertà"),
                ("kind", "nazionale"),
                ("debtor_iban", TREASURY),
            ],
        )
        .await;
    assert_redirect(&r);
    let org = org_id(state).await;
    let (from, to) = app::procedure::year_bounds(year(state)).unwrap();
    let fund = state
        .store
        .fund_years(org, i64::from(year(state)), from, to)
        .await
        .unwrap()[0]
        .fund
        .id;
    allocate(state, &mut rag, fund, allocation).await;
    let benefit = benefit_id(state, "contributo-straordinario").await;
    let r = rag
        .post(
            "/fondi/prestazioni",
            &[("benefit", &benefit), ("fund", &fund.to_string())],
        )
        .await;
    assert_redirect(&r);
    (rag, fund)
}

async fn allocate(state: &AppState, rag: &mut Client, fund: Uuid, amount: &str) {
    allocate_to(state, rag, fund, "", amount).await;
}

/// Allocates `amount` of the fund this year to `comune` (ISTAT; "" for the whole ente).
async fn allocate_to(state: &AppState, rag: &mut Client, fund: Uuid, comune: &str, amount: &str) {
    let r = rag
        .post(
            "/fondi/stanziamenti",
            &[
                ("fund", &fund.to_string()),
                ("year", &year(state).to_string()),
                ("comune", comune),
                ("amount", amount),
            ],
        )
        .await;
    assert_redirect(&r);
}

/// Accepted by the responsabile, delivered, its month's 250,00 € recorded by the counter:
/// the delivery's month as `AAAA-MM`.
pub(crate) async fn accept_and_deliver(
    state: &AppState,
    resp: &mut Client,
    op: &mut Client,
    app: &str,
) -> String {
    for (to, version) in [("accolta", "2"), ("in_erogazione", "3")] {
        let r = resp
            .post(
                &format!("{app}/stato"),
                &[("to", to), ("version", version), ("note", "")],
            )
            .await;
        assert_redirect(&r);
    }
    deliver(state, op, app).await
}

/// Records the first planned month of `app` as delivered (250,00 €): its `AAAA-MM`.
pub(crate) async fn deliver(state: &AppState, op: &mut Client, app: &str) -> String {
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
                ("quantity", ""),
                ("amount", "250,00"),
                ("co_payment", "0"),
                ("version", "1"),
            ],
        )
        .await;
    assert_redirect(&r);
    let m = months[0].month;
    format!("{:04}-{:02}", m.year(), u8::from(m.month()))
}

/// Posts Rossi's IBAN form (`person` is his page's path) at `version`.
pub(crate) async fn save_iban(
    rag: &mut Client,
    person: &str,
    iban: &str,
    version: &str,
) -> crate::support::Response {
    let pid = person.trim_start_matches("/persone/");
    rag.post(
        &format!("/pagamenti/iban/{pid}"),
        &[
            ("iban", iban),
            ("holder", "Rossi Mario"),
            ("version", version),
        ],
    )
    .await
}

/// Prepares the month's list of the fund: the answer (a redirect).
async fn prepare(rag: &mut Client, fund: Uuid, mese: &str) -> crate::support::Response {
    let r = rag
        .post(
            "/pagamenti/distinte",
            &[("fund", &fund.to_string()), ("mese", mese)],
        )
        .await;
    assert_redirect(&r);
    r
}

/// The ragioneria approves the list at its first version.
async fn approve(rag: &mut Client, list: Uuid) {
    let r = rag
        .post(
            &format!("/pagamenti/distinte/{list}/approva"),
            &[("version", "1")],
        )
        .await;
    assert_redirect(&r);
}

/// Checks that the month has `n` lists; the one whose payment the bank did not reject (the
/// only one, else the re-issue) with its payments.
async fn the_list(
    state: &AppState,
    mese: &str,
    n: usize,
) -> (store::PaymentList, Vec<store::Payment>) {
    let org = org_id(state).await;
    let lists = state
        .store
        .payment_lists(org, month_of(mese), month_of(mese))
        .await
        .unwrap();
    assert_eq!(lists.len(), n, "{lists:?}");
    let mut found = Vec::new();
    for l in lists {
        let payments = state.store.list_payments(org, l.id).await.unwrap();
        found.push((l, payments));
    }
    let live = found
        .iter()
        .position(|(_, p)| p.iter().any(|p| p.state != PaymentState::Rejected))
        .unwrap_or(0);
    found.swap_remove(live)
}

pub(crate) fn month_of(mese: &str) -> time::Date {
    let (y, m) = mese.split_once('-').unwrap();
    time::Date::from_calendar_date(
        y.parse().unwrap(),
        time::Month::try_from(m.parse::<u8>().unwrap()).unwrap(),
        1,
    )
    .unwrap()
}

async fn a_fund_refuses_an_acceptance_beyond_it_and_pays_through_sepa_and_the_bank_return(
    state: AppState,
) {
    let (mut resp, mut op, app, person) = under_review(&state).await;

    // A treasury IBAN with wrong check digits is named beside its field; nothing saved.
    let mut rag = staff(
        &state,
        "comune-bergamo",
        "016024",
        "ragioneria0",
        Role::Ragioneria,
    )
    .await;
    let r = rag
        .post(
            "/fondi",
            &[
                ("name", "Fondo sbagliato"),
                ("kind", "nazionale"),
                ("debtor_iban", "IT61X0542811101000000123456"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text("#debtor_iban-err").contains("cifre di controllo"),
        "{}",
        r.body
    );
    assert_eq!(r.attr("#name", "value"), "Fondo sbagliato");

    let (mut rag, fund) = poverty_fund(&state, "200,00").await;

    // 250,00 € asked, 200,00 € allocated: refused, with the fund and the figures.
    let r = resp
        .post(
            &format!("{app}/stato"),
            &[("to", "accolta"), ("version", "2"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let y = year(&state);
    assert!(
        r.body.contains(&format!(
            "il fondo «Fondo povertà» non basta per il {y}: stanziati 200,00\u{a0}€, impegnati 0,00\u{a0}€, disponibili 200,00\u{a0}€, la domanda ne richiede 250,00\u{a0}€"
        )),
        "{}",
        r.body
    );

    // With 300,00 € it is accepted; the fund shows what is committed and what remains.
    allocate(&state, &mut rag, fund, "300,00").await;
    let mese = accept_and_deliver(&state, &mut resp, &mut op, &app).await;
    let page = rag.get("/fondi").await;
    assert_eq!(page.status, StatusCode::OK);
    let row = page.text("#fondi tbody tr");
    for figure in [
        "300,00",
        "250,00",
        "50,00",
        "Contributo economico straordinario",
    ] {
        assert!(row.contains(figure), "{figure} in {row}");
    }

    // No IBAN yet: the month's list is not made, and the page says whom it misses.
    prepare(&mut rag, fund, &mese).await;
    let page = rag.get(&format!("/pagamenti?mese={mese}")).await;
    assert!(page.text("#da-pagare").contains("manca"), "{}", page.body);
    let none = state
        .store
        .payment_lists(org_id(&state).await, month_of(&mese), month_of(&mese))
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");

    // The IBAN: a wrong one is named beside its field, a right one saved.
    let r = save_iban(&mut rag, &person, "IT60X054281110100000012345", "0").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#iban-err").contains("27 caratteri"), "{}", r.body);
    let r = save_iban(&mut rag, &person, "it60 x054 2811 1010 0000 0123 456", "0").await;
    assert_redirect(&r);

    // Prepared, then approved by the ragioneria; only then is there a SEPA file.
    let r = prepare(&mut rag, fund, &mese).await;
    let (list, payments) = the_list(&state, &mese, 1).await;
    assert_eq!(r.location(), format!("/pagamenti/distinte/{}", list.id));
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].iban, TREASURY);
    let r = rag.get(&format!("/pagamenti/sepa?mese={mese}")).await;
    assert_redirect(&r);
    approve(&mut rag, list.id).await;
    let r = rag.get(&format!("/pagamenti/sepa?mese={mese}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        validate_pain001(&r.body),
        Vec::<String>::new(),
        "{}",
        r.body
    );
    assert!(r.body.contains("<InstdAmt Ccy=\"EUR\">250.00</InstdAmt>"));
    assert!(r.body.contains(&format!(
        "<EndToEndId>{}</EndToEndId>",
        payments[0].end_to_end
    )));
    assert!(r.body.contains(&format!("<IBAN>{TREASURY}</IBAN>")));
    let csv = rag
        .get(&format!("/pagamenti/distinte/{}/csv", list.id))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Rossi Mario"), "{}", csv.body);
    assert!(csv.body.contains(&payments[0].end_to_end), "{}", csv.body);

    // The treasurer's CSV rejects it: respinto with the reason, nothing paid.
    let back = format!("{};respinto;AC04 conto estinto\n", payments[0].end_to_end);
    let r = rag
        .upload(
            "/pagamenti/esiti",
            &[("mese", &mese)],
            Some(("esito.csv", back.as_bytes())),
        )
        .await;
    assert_redirect(&r);
    let (_, payments) = the_list(&state, &mese, 1).await;
    assert_eq!(payments[0].state, PaymentState::Rejected);
    assert_eq!(payments[0].reason, "AC04 conto estinto");
    let page = rag.get(&format!("/pagamenti/distinte/{}", list.id)).await;
    assert!(page.text("#pagamenti").contains("AC04 conto estinto"));

    // The IBAN corrected, the payment goes into a new list of the month, and the bank's
    // camt.054 says it is paid.
    let other = Iban::italian('A', "03069", "09606", "000000000042").unwrap();
    assert_redirect(&save_iban(&mut rag, &person, other.as_str(), "1").await);
    prepare(&mut rag, fund, &mese).await;
    let (again, payments) = the_list(&state, &mese, 2).await;
    assert_eq!(payments[0].iban, other.as_str());
    approve(&mut rag, again.id).await;
    let camt = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>1</MsgId><CreDtTm>2026-12-01T10:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>1</Id><Ntry><Amt Ccy="EUR">250.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><NtryDtls><TxDtls><Refs><EndToEndId>{}</EndToEndId></Refs>
</TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#,
        payments[0].end_to_end
    );
    let r = rag
        .upload(
            "/pagamenti/esiti",
            &[("mese", &mese)],
            Some(("camt054.xml", camt.as_bytes())),
        )
        .await;
    assert_redirect(&r);
    let (_, payments) = the_list(&state, &mese, 2).await;
    assert_eq!(payments[0].state, PaymentState::Paid);
    let row = rag.get("/fondi").await.text("#fondi tbody tr");
    assert!(row.contains("250,00"), "paid: {row}");

    // Who may not: the counter sees neither the payments nor the funds.
    assert_eq!(op.get("/pagamenti").await.status, StatusCode::FORBIDDEN);
    assert_eq!(op.get("/fondi").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        op.get(&format!("/pagamenti/sepa?mese={mese}")).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_fund_split_by_comune_refuses_an_acceptance_beyond_the_applicants_quota(state: AppState) {
    // 1.000 € for the whole ente, a quota of 200 € for Bergamo, where Rossi lives.
    let (mut resp, _op, app, _person) = under_review(&state).await;
    let (mut rag, fund) = poverty_fund(&state, "1.000,00").await;
    allocate_to(&state, &mut rag, fund, "016024", "200,00").await;
    let accept = |version: &'static str| [("to", "accolta"), ("version", version), ("note", "")];
    let r = resp.post(&format!("{app}/stato"), &accept("2")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let y = year(&state);
    assert!(
        r.body.contains(&format!(
            "il fondo «Fondo povertà» non basta per il {y} (quota del comune di Bergamo): stanziati 200,00\u{a0}€, impegnati 0,00\u{a0}€, disponibili 200,00\u{a0}€, la domanda ne richiede 250,00\u{a0}€"
        )),
        "{}",
        r.text(".sp-error-summary")
    );
    // Bergamo's quota raised: accepted, and the quota's remainder shown on the funds' page.
    allocate_to(&state, &mut rag, fund, "016024", "300,00").await;
    assert_redirect(&resp.post(&format!("{app}/stato"), &accept("2")).await);
    let page = rag.get(&format!("/fondi?anno={y}")).await;
    let quotas = page.text("#quote");
    assert!(
        quotas.contains("Bergamo") && quotas.contains("300,00") && quotas.contains("50,00"),
        "{quotas}"
    );
}

async fn the_database_refuses_to_pay_a_person_twice_for_a_benefit_and_period(state: AppState) {
    let (mut resp, mut op, app, person) = under_review(&state).await;
    let (mut rag, fund) = poverty_fund(&state, "1.000,00").await;
    let mese = accept_and_deliver(&state, &mut resp, &mut op, &app).await;
    let r = save_iban(&mut rag, &person, TREASURY, "0").await;
    assert_redirect(&r);
    prepare(&mut rag, fund, &mese).await;
    let (list, payments) = the_list(&state, &mese, 1).await;

    // The same person, benefit and month once more, in another list: the unique index
    // refuses it and nothing of the second list is kept.
    let twin_list = store::PaymentList {
        id: Uuid::now_v7(),
        at_us: list.at_us + 1,
        ..list.clone()
    };
    let twin = store::Payment {
        id: Uuid::now_v7(),
        list_id: twin_list.id,
        end_to_end: Uuid::now_v7().simple().to_string(),
        ..payments[0].clone()
    };
    let audit = app::Actor::system(
        store::OrgStore::get_org(&state.store, list.org_id)
            .await
            .unwrap(),
        state.clock.now(),
    )
    .audit(
        "payment.list",
        "payment_list",
        Some(twin_list.id),
        "doppio".into(),
    );
    let e = state
        .store
        .create_payment_list(&twin_list, &[twin], &audit)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Duplicate(_)), "{e:?}");
    the_list(&state, &mese, 1).await;
    // Nor does preparing again find anything to pay.
    prepare(&mut rag, fund, &mese).await;
    the_list(&state, &mese, 1).await;
}
