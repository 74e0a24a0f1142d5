//! Co-payment bills in a browser (issue 25, item 6): the ragioneria types the ente's pagoPA
//! data (a wrong codice fiscale named beside its field), issues the month's bills, opens
//! Rossi's bill and its notice (a PDF with the notice number), and imports the treasurer's
//! CSV that pays it. Every page passes axe.

use crate::bills::{PAGOPA, delivered_with_co_payment};
use crate::browser::{
    accessible, click_button, click_link, fill, login, run_journey, text, wait_h1,
};
use crate::support::{self, staff};
use domain::Role;
use domain::bill::BillState;
use fantoccini::Client;
use store::{BillFilter, BillStore};

async fn bills_journey(c: Client, base: String, state: web::AppState, mese: String) {
    let c = &c;
    login(c, &base, "ragioneria", support::STRONG).await;
    wait_h1(c, "Scrivania").await;
    c.goto(&format!("{base}/rette?mese={mese}"))
        .await
        .expect("bills");
    wait_h1(c, "Rette").await;
    accessible(c, "rette senza impostazioni").await;
    click_link(c, "inseriscili").await;
    wait_h1(c, "Impostazioni pagoPA").await;
    for (name, value) in PAGOPA {
        let value = if name == "fiscal_code" {
            "80034840168"
        } else {
            value
        };
        fill(c, &format!("#{name}"), value).await;
    }
    click_button(c, "Salva le impostazioni").await;
    wait_h1(c, "Impostazioni pagoPA").await;
    assert!(
        text(c, "#fiscal_code-err")
            .await
            .contains("cifra di controllo"),
        "{}",
        text(c, "main").await
    );
    accessible(c, "impostazioni pagoPA con errore").await;
    fill(c, "#fiscal_code", "80034840167").await;
    click_button(c, "Salva le impostazioni").await;
    wait_h1(c, "Rette").await;

    c.goto(&format!("{base}/rette?mese={mese}"))
        .await
        .expect("bills");
    wait_h1(c, "Rette").await;
    click_button(
        c,
        &format!(
            "Emetti le rette di {}",
            domain::application::month_label(crate::payments::month_of(&mese))
        ),
    )
    .await;
    wait_h1(c, "Rette").await;
    assert!(text(c, ".sp-alert").await.contains("Emesse 1 rette"));
    let row = text(c, "#rette").await;
    assert!(
        row.contains("Rossi Mario") && row.contains("42,50"),
        "{row}"
    );
    accessible(c, "rette del mese").await;

    click_link(c, "Rossi Mario").await;
    let org = crate::istanze_fixtures::org_id(&state).await;
    let bill = state
        .store
        .bills(org, &BillFilter::default())
        .await
        .unwrap()
        .remove(0);
    wait_h1(
        c,
        &format!(
            "Retta di Rossi Mario – {}",
            domain::application::month_label(bill.month)
        ),
    )
    .await;
    assert!(text(c, "#codice-avviso").await.starts_with("301"));
    accessible(c, "retta").await;
    let size = c
        .execute(
            "return fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => new Uint8Array(b).slice(0, 5).join(','));",
            vec![serde_json::Value::String(format!("/rette/{}/avviso.pdf", bill.id))],
        )
        .await
        .expect("the notice");
    assert_eq!(size.as_str(), Some("37,80,68,70,45"), "%PDF-");

    // The treasurer's CSV pays it.
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("pagamenti.csv");
    std::fs::write(
        &file,
        format!(
            "numero avviso;importo;data pagamento\n{};42,50;{}\n",
            bill.nav,
            domain::dates::format_date(domain::localtime::today(state.clock.now()))
        ),
    )
    .expect("write");
    c.goto(&format!("{base}/rette?mese={mese}"))
        .await
        .expect("bills");
    wait_h1(c, "Rette").await;
    fill(c, "#file", &file.display().to_string()).await;
    click_button(c, "Importa i pagamenti").await;
    wait_h1(c, "Rette").await;
    assert!(
        text(c, ".sp-alert").await.contains("1 avvisi saldati"),
        "{}",
        text(c, ".sp-alert").await
    );
    assert!(text(c, "#rette").await.contains("pagata"));
    let bill = state.store.get_bill(org, bill.id).await.unwrap();
    assert_eq!(bill.state, BillState::Paid);
    c.goto(&format!("{base}/rette/morosita"))
        .await
        .expect("arrears");
    wait_h1(c, "Rette scadute e solleciti").await;
    accessible(c, "morosità").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_months_bills_are_issued_with_their_pagopa_notice_and_paid_in_a_browser() {
    let state = support::app().await;
    delivered_with_co_payment(&state).await;
    let t = domain::localtime::today(state.clock.now());
    let mese = format!("{:04}-{:02}", t.year(), u8::from(t.month()));
    staff(
        &state,
        "comune-bergamo",
        "016024",
        "ragioneria",
        Role::Ragioneria,
    )
    .await;
    run_journey(
        "the_months_bills_are_issued_with_their_pagopa_notice_and_paid_in_a_browser",
        state,
        move |c, base, state| bills_journey(c, base, state, mese),
    )
    .await;
}
