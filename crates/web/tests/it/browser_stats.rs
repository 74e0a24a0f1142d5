//! The statistics in a browser (issue 26): the responsabile opens the dashboard, which says as
//! of when its figures are; filters by comune; reads a chart's data table; follows a figure to
//! the list behind it. Every page is checked with axe-core (0 violations).

use crate::browser::{
    accessible, choose, click_button, login_with_code, run_journey, text, wait_h1,
};
use crate::support;
use fantoccini::{Client, Locator};

async fn stats_journey(c: Client, base: String, state: web::AppState) {
    let c = &c;
    login_with_code(c, &base, &state, "responsabile").await;
    c.goto(&format!("{base}/statistiche"))
        .await
        .expect("the dashboard");
    wait_h1(c, "Statistiche").await;
    assert!(
        text(c, "#aggiornamento").await.contains("aggiornati al"),
        "the dashboard says as of when"
    );

    // A filter: the comune of Bergamo only.
    choose(c, "#comune", "016024").await;
    click_button(c, "Mostra").await;
    wait_h1(c, "Statistiche").await;
    let url = c.current_url().await.expect("url");
    assert!(
        url.query().unwrap_or_default().contains("comune=016024"),
        "{url}"
    );

    // The chart of the months has its title and description, and its data table beside it.
    let title = c
        .find(Locator::Css("#mesi svg title"))
        .await
        .expect("the chart's title")
        .html(true)
        .await
        .expect("title");
    assert!(title.contains("Primi accessi"), "{title}");
    let table = text(c, "#mesi table").await;
    assert!(table.contains("Totale"), "{table}");
    accessible(c, "statistiche-filtrate").await;

    // A figure opens the list behind it: the first accesses open the segretariato.
    c.find(Locator::Css("#mesi tbody tr:last-child td a"))
        .await
        .expect("the year's first accesses, linked")
        .click()
        .await
        .expect("click");
    wait_h1(c, "Segretariato sociale").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_responsabile_reads_the_dashboard_filters_it_and_opens_a_figure_list() {
    let state = support::app().await;
    let (_resp, mut op) = crate::istanze_fixtures::office(&state).await;
    let person = crate::istanze_fixtures::register_rossi(&mut op).await;
    let r = op
        .post(
            &format!("{person}/accesso"),
            &[
                ("channel", "di_persona"),
                ("needs", "economico"),
                ("request", "Chiede un aiuto"),
                ("outcome", "informazioni"),
            ],
        )
        .await;
    crate::istanze_fixtures::assert_redirect(&r);
    app::stats::refresh_all(&state.services)
        .await
        .expect("figures");
    run_journey(
        "the_responsabile_reads_the_dashboard_filters_it_and_opens_a_figure_list",
        state,
        stats_journey,
    )
    .await;
}
