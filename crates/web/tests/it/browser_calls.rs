//! A call in a browser, from the call to the bank (issue 25, item 7): a call is open, 30
//! applications arrive (27 filed at the counter beforehand, three typed on the call's page: one
//! accepted, one of a person who already applied, one after the last day), the responsabile
//! ranks them, reads a score's breakdown, publishes the ranking without names, makes it final
//! after the appeals and funds down the list; the funded contributions are delivered, the
//! ragioneria prepares and approves the month's list of the fund, downloads the pain.001 file
//! (valid against the XSD, one transfer per funded application) and imports the bank's return
//! with one transfer rejected. Every page is checked with axe-core.

use crate::browser::{
    accessible, click_button, fetched, fill, login, login_with_code, logout, run_journey, text,
    wait_h1,
};
use crate::browser_payments::{approve_the_month, import_return};
use crate::calls::{applicant_cf, apply, open_call, register_applicant};
use crate::istanze_fixtures::{assert_redirect, office, org_id};
use crate::payments::{TREASURY, month_of, poverty_fund};
use crate::support::{self, Client as Http};
use domain::call::RankOutcome;
use domain::localtime::today;
use domain::payment::PaymentState;
use fantoccini::{Client, Locator};
use std::time::Duration;
use store::{BenefitStore, CallStore, PaymentStore};
use uuid::Uuid;

const TITLE: &str = "Contributo straordinario 2026";

/// ISEE of applicant `n`: from 1.000 € up, 330 € apart: the 27th and 28th over the benefit's 9.360 €.
fn isee(n: usize) -> i64 {
    1_000 + 330 * n as i64
}

/// The office's accounts besides the browser's, and the call's path.
struct Office {
    resp: Http,
    op: Http,
    rag: Http,
    call: String,
}

async fn calls_journey(c: Client, base: String, state: web::AppState, mut o: Office) {
    let c = &c;
    let call = o.call.clone();
    login_with_code(c, &base, &state, "responsabile").await;
    c.goto(&format!("{base}/bandi")).await.expect("the calls");
    wait_h1(c, "Bandi e graduatorie").await;
    assert!(
        text(c, "#bandi").await.contains("27"),
        "27 applications so far"
    );
    c.find(Locator::LinkText(TITLE))
        .await
        .expect("the call's link")
        .click()
        .await
        .expect("open the call");
    wait_h1(c, TITLE).await;
    assert!(text(c, "#criteri").await.contains("art. 5, c. 3"));

    // One more at the counter's form, accepted.
    fill(c, "#codice_fiscale", &applicant_cf(27)).await;
    fill(c, "#rent", "2.400").await;
    fill(c, "#answers", "REG-27").await;
    click_button(c, "Presenta la domanda").await;
    wait_h1(c, TITLE).await;
    assert!(
        text(c, ".sp-alert").await.contains("protocollo"),
        "the protocol given"
    );
    // A person who already applied: refused, the call named.
    fill(c, "#codice_fiscale", &applicant_cf(0)).await;
    fill(c, "#rent", "1.000").await;
    fill(c, "#answers", "REG-0").await;
    click_button(c, "Presenta la domanda").await;
    wait_h1(c, TITLE).await;
    assert!(
        text(c, ".sp-error-summary")
            .await
            .contains("domanda doppia"),
        "the duplicate refused"
    );
    // The page stays open past the last day: the application typed then is late.
    state.clock.advance(Duration::from_secs(2 * 86_400));
    fill(c, "#codice_fiscale", &applicant_cf(29)).await;
    fill(c, "#rent", "3.000").await;
    fill(c, "#answers", "REG-29").await;
    click_button(c, "Presenta la domanda").await;
    wait_h1(c, TITLE).await;
    assert!(
        text(c, ".sp-error-summary")
            .await
            .contains("domanda fuori termine"),
        "the late one refused"
    );

    // The provisional ranking, with a score's breakdown opened.
    c.goto(&format!("{base}{call}/graduatoria"))
        .await
        .expect("the ranking");
    let h1 = format!("Graduatoria: {TITLE}");
    wait_h1(c, &h1).await;
    let appeals = domain::dates::format_date(today(state.clock.now()) + time::Duration::days(5));
    fill(c, "#appeals_until", &appeals).await;
    click_button(c, "Calcola la graduatoria provvisoria").await;
    wait_h1(c, &h1).await;
    let rows = c
        .find_all(Locator::Css("#graduatoria tbody tr"))
        .await
        .expect("the rows");
    assert_eq!(
        rows.len(),
        28,
        "27 + 1 filed, the duplicate and the late one not"
    );
    c.find(Locator::Css("#graduatoria tbody tr:first-child summary"))
        .await
        .expect("the first score")
        .click()
        .await
        .expect("open the breakdown");
    let breakdown = text(c, "#graduatoria tbody tr:first-child details ul").await;
    assert!(
        breakdown.contains("Fascia ISEE (art. 5, c. 1)"),
        "{breakdown}"
    );
    accessible(c, "graduatoria-dettaglio-punteggio").await;

    // The publication: protocols, no names.
    let csv = fetched(c, &format!("{call}/graduatoria.csv")).await;
    assert!(csv.starts_with("text/csv"), "{csv}");
    let body: String = c
        .execute(
            "return fetch(arguments[0]).then(r => r.text());",
            vec![serde_json::Value::String(format!("{call}/graduatoria.csv"))],
        )
        .await
        .expect("the CSV")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        body.contains("Protocollo") && !body.contains("Anna"),
        "{body}"
    );
    let pdf = fetched(c, &format!("{call}/graduatoria.pdf")).await;
    assert_eq!(pdf, "application/pdf %PDF-");

    // After the appeals: final, and funded down the list.
    state.clock.advance(Duration::from_secs(6 * 86_400));
    c.refresh().await.expect("reload");
    wait_h1(c, &h1).await;
    click_button(c, "Approva la graduatoria definitiva").await;
    wait_h1(c, &h1).await;
    assert_eq!(text(c, "#stato-graduatoria").await, "definitiva");
    click_button(c, "Finanzia scorrendo la graduatoria").await;
    wait_h1(c, &h1).await;
    let flash = text(c, ".sp-alert").await;
    assert!(flash.contains("domande accolte ora"), "{flash}");
    assert_eq!(
        text(c, "#finanziato").await,
        "10.000,00 €",
        "the whole budget"
    );
    let outcomes = text(c, "#graduatoria").await;
    assert!(
        outcomes.contains("ammessa e finanziata in parte")
            && outcomes.contains("ammessa non finanziata")
            && outcomes.contains("non ammessa"),
        "{outcomes}"
    );
    accessible(c, "graduatoria-finanziata").await;

    let mese = delivered_month_of_the_funded(&state, &mut o).await;
    logout(c).await;
    login(c, &base, "ragioneria", support::STRONG).await;
    wait_h1(c, "Scrivania").await;
    pay_the_month(c, &base, &state, &mese).await;
}

/// The funded applications (accepted by the funding) start their delivery at the
/// responsabile's hand, the counter records the contribution planned (what the ranking
/// funded) and the ragioneria keeps each applicant's IBAN: the month, as `AAAA-MM`.
async fn delivered_month_of_the_funded(state: &web::AppState, o: &mut Office) -> String {
    let org = org_id(state).await;
    let call = Uuid::parse_str(o.call.trim_start_matches("/bandi/")).expect("the call's id");
    let funded: Vec<_> = state
        .store
        .ranking_rows(org, call)
        .await
        .expect("the ranking")
        .into_iter()
        .filter(|e| {
            matches!(
                e.row.outcome,
                RankOutcome::Funded | RankOutcome::PartlyFunded
            )
        })
        .collect();
    assert!(funded.len() > 10, "{} funded", funded.len());
    let mut months = Vec::new();
    for e in &funded {
        let id = e.row.application_id;
        let app = format!("/istanze/{id}");
        let view = state
            .store
            .get_application(org, id)
            .await
            .expect("the application");
        let version = view.app.version.to_string();
        assert_redirect(
            &o.resp
                .post(
                    &format!("{app}/stato"),
                    &[("to", "in_erogazione"), ("version", &version), ("note", "")],
                )
                .await,
        );
        let planned = state
            .store
            .application_deliveries(org, id)
            .await
            .expect("the planned months")
            .remove(0);
        // As planned: what the ranking funded, the last one in part.
        assert_eq!(planned.amount, e.row.funded, "{}", e.row.protocol);
        let amount = planned.amount.format_plain();
        assert_redirect(
            &o.op
                .post(
                    &format!("{app}/erogazioni/{}", planned.id),
                    &[
                        ("quantity", ""),
                        ("amount", &amount),
                        ("co_payment", "0"),
                        ("version", "1"),
                    ],
                )
                .await,
        );
        let holder = format!("{} {}", view.surname, view.given_names);
        assert_redirect(
            &o.rag
                .post(
                    &format!("/pagamenti/iban/{}", view.app.person_id),
                    &[("iban", TREASURY), ("holder", &holder), ("version", "0")],
                )
                .await,
        );
        months.push(planned.month);
    }
    months.dedup();
    assert_eq!(months.len(), 1, "one month: {months:?}");
    format!("{:04}-{:02}", months[0].year(), u8::from(months[0].month()))
}

/// The ragioneria prepares and approves the month's list in the browser, takes the SEPA
/// file and imports the bank's return rejecting the first transfer.
async fn pay_the_month(c: &Client, base: &str, state: &web::AppState, mese: &str) {
    let org = org_id(state).await;
    let m = month_of(mese);
    let (list_title, xml) = approve_the_month(c, base, mese, "Anna").await;
    let list = state.store.payment_lists(org, m, m).await.expect("lists")[0].id;
    let payments = state
        .store
        .list_payments(org, list)
        .await
        .expect("payments");
    assert_eq!(
        xml.matches("<CdtTrfTxInf>").count(),
        payments.len(),
        "one transfer per funded application"
    );
    let total: i64 = payments.iter().map(|p| p.amount.cents()).sum();
    assert_eq!(total, 1_000_000, "the call's whole budget, not a cent more");
    assert!(
        xml.contains(&format!(
            "<CtrlSum>{}.{:02}</CtrlSum>",
            total / 100,
            total % 100
        )),
        "{xml}"
    );

    let mut back = String::from("EndToEndId;esito;motivo\n");
    for (n, p) in payments.iter().enumerate() {
        back.push_str(&if n == 0 {
            format!("{};respinto;AC04 conto estinto\n", p.end_to_end)
        } else {
            format!("{};pagato;\n", p.end_to_end)
        });
    }
    let flash = import_return(c, base, mese, &back).await;
    assert!(
        flash.contains(&format!("{} pagati, 1 respinti", payments.len() - 1)),
        "{flash}"
    );
    let after = state
        .store
        .list_payments(org, list)
        .await
        .expect("payments");
    let rejected: Vec<_> = after
        .iter()
        .filter(|p| p.state == PaymentState::Rejected)
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].id, payments[0].id);
    assert_eq!(
        after
            .iter()
            .filter(|p| p.state == PaymentState::Paid)
            .count(),
        payments.len() - 1
    );
    c.goto(&format!("{base}/pagamenti/distinte/{list}"))
        .await
        .expect("the list");
    wait_h1(c, &list_title).await;
    assert!(text(c, "#pagamenti").await.contains("AC04 conto estinto"));
    accessible(c, "distinta-con-esito").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_ranked_published_funded_and_paid_with_the_banks_return_in_a_browser() {
    // The office's page stays open across days: sessions last as long as the journey (20 days:
    // the page's expiry warning is a browser timer, which holds at most 24.8 days).
    let days = Duration::from_secs(20 * 86_400);
    let state = support::app_with(web::WebConfig {
        session_idle: days,
        session_absolute: days,
        ..web::WebConfig::default()
    })
    .await;
    let (mut resp, mut op) = office(&state).await;
    // The contributions are paid from a fund that holds them all.
    let (rag, _) = poverty_fund(&state, "20.000,00").await;
    let call = open_call(&state, &mut resp, "10.000,00").await;
    for n in 0..30 {
        let cf = register_applicant(&state, &mut op, n, isee(n)).await;
        if n < 27 {
            let rent = (1_000 + 100 * n).to_string();
            assert_redirect(&apply(&mut op, &call, &cf, &rent).await);
        }
    }
    let o = Office {
        resp,
        op,
        rag,
        call,
    };
    run_journey(
        "a_call_is_ranked_published_funded_and_paid_with_the_banks_return_in_a_browser",
        state,
        move |c, base, state| calls_journey(c, base, state, o),
    )
    .await;
}
