//! The comune fields of the person form in a browser (issue 23, item 10): as a name is
//! typed, the comuni whose name begins with it are offered in a datalist, accessible; the
//! chosen one is read back as the same comune.

use crate::browser::{accessible, choose, fill, login, run_journey, submit, text, wait_h1};
use crate::support;
use fantoccini::Client;
use std::time::{Duration, Instant};

/// The values the datalist of the field `id` (its `list`) offers, once it offers `expected`.
async fn suggestions(c: &Client, id: &str, expected: &str) -> Vec<String> {
    let script = format!(
        "const l = document.getElementById('{id}').list; return l ? Array.from(l.options).map(o => o.value) : [];"
    );
    let start = Instant::now();
    loop {
        let found = c.execute(&script, Vec::new()).await.expect("the datalist");
        let values: Vec<String> = serde_json::from_value(found).expect("values");
        if values.iter().any(|v| v == expected) {
            return values;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "«{expected}» not suggested for #{id}: {values:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn comuni_journey(c: Client, base: String, _state: web::AppState) {
    let c = &c;
    login(c, &base, "sportello", support::STRONG).await;
    wait_h1(c, "Scrivania").await;
    c.goto(&format!("{base}/persone/nuova"))
        .await
        .expect("the new person form");
    wait_h1(c, "Nuova persona").await;
    fill(c, "#residence_istat", "berg").await;
    let offered = suggestions(c, "residence_istat", "Bergamo (BG)").await;
    assert!(offered.len() <= 10, "{offered:?}");
    fill(c, "#birthplace", "Callia").await;
    suggestions(c, "birthplace", "Calliano (TN)").await;
    accessible(c, "nuova-persona-con-suggerimenti").await;

    // The suggestions' values, as if chosen, register the person in those comuni.
    for (css, value) in [
        ("#surname", "Sala"),
        ("#given_names", "Irene"),
        ("#birth_date", "02/03/1975"),
        ("#birthplace", "Calliano (TN)"),
        ("#citizenship", "IT"),
        ("#residence_istat", "Bergamo (BG)"),
        ("#residence_street", "Via Tasso 8"),
    ] {
        fill(c, css, value).await;
    }
    choose(c, "#sex", "F").await;
    submit(c).await;
    wait_h1(c, "Sala Irene").await;
    let card = text(c, "main").await;
    assert!(card.contains("Calliano (TN)"), "{card}");
    assert!(card.contains("Bergamo (BG)"), "{card}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_comune_fields_suggest_comuni_as_a_name_is_typed() {
    let state = support::app().await;
    // The operator, password already changed.
    support::staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello",
        domain::Role::OperatoreSportello,
    )
    .await;
    run_journey(
        "the_comune_fields_suggest_comuni_as_a_name_is_typed",
        state,
        comuni_journey,
    )
    .await;
}
