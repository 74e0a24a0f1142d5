//! A call in a browser (issue 25, item 7, without the payments): a call is open, 30
//! applications arrive (27 filed at the counter beforehand, three typed on the call's page: one
//! accepted, one of a person who already applied, one after the last day), the responsabile
//! ranks them, reads a score's breakdown, publishes the ranking without names, makes it final
//! after the appeals and funds down the list. Every page is checked with axe-core.

use crate::browser::{
    accessible, click_button, fetched, fill, login_with_code, run_journey, text, wait_h1,
};
use crate::calls::{applicant_cf, apply, open_call, register_applicant};
use crate::istanze_fixtures::{assert_redirect, office};
use crate::support;
use domain::localtime::today;
use fantoccini::{Client, Locator};
use std::time::Duration;

const TITLE: &str = "Contributo straordinario 2026";

/// ISEE of applicant `n`: from 1.000 € up, 330 € apart: the 27th and 28th over the benefit's 9.360 €.
fn isee(n: usize) -> i64 {
    1_000 + 330 * n as i64
}

async fn calls_journey(c: Client, base: String, state: web::AppState, call: String) {
    let c = &c;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_receives_applications_is_ranked_published_and_funded_in_a_browser() {
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
    let call = open_call(&state, &mut resp, "10.000,00").await;
    for n in 0..30 {
        let cf = register_applicant(&state, &mut op, n, isee(n)).await;
        if n < 27 {
            let rent = (1_000 + 100 * n).to_string();
            assert_redirect(&apply(&mut op, &call, &cf, &rent).await);
        }
    }
    run_journey(
        "a_call_receives_applications_is_ranked_published_and_funded_in_a_browser",
        state,
        move |c, base, state| calls_journey(c, base, state, call),
    )
    .await;
}
