//! Funds and payments in a browser (issue 25, items 1 and 5): the responsabile's acceptance
//! is refused beyond the fund's allocation, the allocation is raised on `/fondi` and the
//! application accepted; once delivered, the ragioneria prepares and approves the month's
//! list, downloads a SEPA file valid against pain.001.001.09 and imports the treasurer's
//! return with the payment rejected. Every page passes axe.

use crate::browser::{
    accessible, choose, click_button, fill, login, login_with_code, logout, run_journey, text,
    wait_h1,
};
use crate::payments::{TREASURY, deliver, poverty_fund, save_iban, under_review};
use crate::support::{self, Client as Http};
use domain::payment::{PaymentState, validate_pain001};
use fantoccini::Client;
use store::PaymentStore;

struct Office {
    resp: Http,
    op: Http,
    rag: Http,
    app: String,
    person: String,
}

async fn payments_journey(c: Client, base: String, state: web::AppState, mut o: Office) {
    let c = &c;
    let year = domain::localtime::today(state.clock.now()).year();
    let title = format!("Domanda {year}/000001");
    login_with_code(c, &base, &state, "responsabile").await;
    c.goto(&format!("{base}{}", o.app))
        .await
        .expect("application");
    wait_h1(c, &title).await;
    click_button(c, "Accogli").await;
    wait_h1(c, &title).await;
    let body = text(c, "main").await;
    assert!(
        body.contains("il fondo «Fondo povertà» non basta"),
        "refused: {body}"
    );
    assert!(body.contains("disponibili 200,00"), "{body}");

    // The responsabile raises the allocation on the funds' page, then accepts.
    c.goto(&format!("{base}/fondi")).await.expect("funds");
    wait_h1(c, "Fondi").await;
    fill(c, "#amount", "300,00").await;
    click_button(c, "Salva lo stanziamento").await;
    wait_h1(c, "Fondi").await;
    assert!(text(c, "#fondi").await.contains("300,00"));
    // And as an Ambito would: a quota for Bergamo, where Rossi lives, from which he draws.
    choose(c, "#comune", "016024").await;
    fill(c, "#amount", "300,00").await;
    click_button(c, "Salva lo stanziamento").await;
    wait_h1(c, "Fondi").await;
    let quotas = text(c, "#quote").await;
    assert!(quotas.contains("quota del comune di Bergamo"), "{quotas}");
    accessible(c, "fondi-quote").await;
    c.goto(&format!("{base}{}", o.app))
        .await
        .expect("application");
    wait_h1(c, &title).await;
    click_button(c, "Accogli").await;
    wait_h1(c, &title).await;
    assert!(!text(c, "main").await.contains("non basta"));

    // Delivered and the IBAN recorded (the procedure's own pages, tested elsewhere).
    let r = o
        .resp
        .post(
            &format!("{}/stato", o.app),
            &[("to", "in_erogazione"), ("version", "3"), ("note", "")],
        )
        .await;
    crate::istanze_fixtures::assert_redirect(&r);
    let mese = deliver(&state, &mut o.op, &o.app).await;
    let pid = o.person.trim_start_matches("/persone/");
    crate::istanze_fixtures::assert_redirect(
        &save_iban(&mut o.rag, &o.person, TREASURY, "0").await,
    );

    // The ragioneria prepares and approves the month's list.
    logout(c).await;
    login(c, &base, "ragioneria", support::STRONG).await;
    wait_h1(c, "Scrivania").await;
    let m = crate::payments::month_of(&mese);
    let (list_title, xml) = approve_the_month(c, &base, &mese, "Rossi Mario").await;
    assert!(xml.contains("250.00"), "{xml}");

    // The treasurer's return rejects the payment: imported from the page.
    let org = crate::istanze_fixtures::org_id(&state).await;
    let list = state.store.payment_lists(org, m, m).await.unwrap()[0].id;
    let payment = state.store.list_payments(org, list).await.unwrap()[0].clone();
    let flash = import_return(
        c,
        &base,
        &mese,
        &format!(
            "EndToEndId;esito;motivo\n{};respinto;AC01 IBAN errato\n",
            payment.end_to_end
        ),
    )
    .await;
    assert!(flash.contains("1 respinti"), "{flash}");
    let payment = state.store.list_payments(org, list).await.unwrap()[0].clone();
    assert_eq!(payment.state, PaymentState::Rejected);
    c.goto(&format!("{base}/pagamenti/distinte/{list}"))
        .await
        .expect("the list");
    wait_h1(c, &list_title).await;
    assert!(text(c, "#pagamenti").await.contains("AC01 IBAN errato"));
    c.goto(&format!("{base}/pagamenti/iban/{pid}"))
        .await
        .expect("the IBAN");
    wait_h1(c, "IBAN di Rossi Mario").await;
    accessible(c, "iban").await;
}

/// On the month's payments page, where `payee` waits to be paid, the ragioneria prepares and
/// approves the list of the «Fondo povertà» and takes the SEPA file, checked valid against
/// pain.001.001.09: the list's heading and the file.
pub(crate) async fn approve_the_month(
    c: &Client,
    base: &str,
    mese: &str,
    payee: &str,
) -> (String, String) {
    c.goto(&format!("{base}/pagamenti?mese={mese}"))
        .await
        .expect("payments");
    wait_h1(c, "Pagamenti").await;
    assert!(text(c, "#da-pagare").await.contains(payee));
    click_button(c, "Prepara la distinta del mese").await;
    let list_title = format!(
        "Distinta Fondo povertà – {}",
        domain::application::month_label(crate::payments::month_of(mese))
    );
    wait_h1(c, &list_title).await;
    click_button(c, "Approva la distinta").await;
    wait_h1(c, &list_title).await;
    assert!(text(c, "#stato-distinta").await.contains("approvata"));
    accessible(c, "distinta-approvata").await;
    let xml = c
        .execute(
            "return fetch(arguments[0]).then(r => r.text());",
            vec![serde_json::Value::String(format!(
                "/pagamenti/sepa?mese={mese}"
            ))],
        )
        .await
        .expect("the SEPA file");
    let xml = xml.as_str().unwrap_or_default().to_owned();
    assert_eq!(validate_pain001(&xml), Vec::<String>::new(), "{xml}");
    (list_title, xml)
}

/// Imports the bank's return `csv` from the month's payments page: the message shown.
pub(crate) async fn import_return(c: &Client, base: &str, mese: &str, csv: &str) -> String {
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("esito.csv");
    std::fs::write(&file, csv).expect("write");
    c.goto(&format!("{base}/pagamenti?mese={mese}"))
        .await
        .expect("payments");
    wait_h1(c, "Pagamenti").await;
    fill(c, "#file", &file.display().to_string()).await;
    click_button(c, "Importa l'esito").await;
    wait_h1(c, "Pagamenti").await;
    text(c, ".sp-alert").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acceptance_beyond_the_fund_is_refused_and_the_months_list_goes_to_the_bank_and_back() {
    let state = support::app().await;
    let (resp, op, app, person) = under_review(&state).await;
    let (rag, _) = poverty_fund(&state, "200,00").await;
    let o = Office {
        resp,
        op,
        rag,
        app,
        person,
    };
    run_journey(
        "an_acceptance_beyond_the_fund_is_refused_and_the_months_list_goes_to_the_bank_and_back",
        state,
        move |c, base, state| payments_journey(c, base, state, o),
    )
    .await;
}
