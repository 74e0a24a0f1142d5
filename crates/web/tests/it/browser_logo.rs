//! The letterhead's logo in a browser (issue 23, item 5): the responsabile chooses a file on
//! the letterhead page, a page saved as «logo.png» is refused beside the field, the real
//! logo is shown as the letters will print it, and the decision adopted next carries it.

use crate::browser::{accessible, click_button, fill, login_with_code, run_journey, text, wait_h1};
use crate::support;
use fantoccini::{Client, Locator};

/// Chooses `file` in the file field `#logo` and sends the logo's form.
async fn send_logo(c: &Client, file: &std::path::Path) {
    fill(c, "#logo", &file.display().to_string()).await;
    click_button(c, "Carica il logo").await;
    wait_h1(c, "Carta intestata").await;
}

/// The decision linked from the application page, fetched by the browser with its session
/// as the click would.
pub(crate) async fn decision_pdf(c: &Client) -> Vec<u8> {
    let href = c
        .find(Locator::LinkText("Provvedimento (PDF)"))
        .await
        .expect("the decision link")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    let bytes = c
        .execute(
            "return fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => Array.from(new Uint8Array(b)));",
            vec![serde_json::Value::String(href)],
        )
        .await
        .expect("fetch the PDF");
    serde_json::from_value(bytes).expect("the PDF's bytes")
}

async fn logo_journey(c: Client, base: String, state: web::AppState, app: String) {
    let c = &c;
    login_with_code(c, &base, &state, "responsabile").await;
    c.goto(&format!("{base}/admin/carta-intestata"))
        .await
        .expect("the letterhead page");
    wait_h1(c, "Carta intestata").await;

    // A web page renamed as a PNG: refused by its content, the reason beside the field.
    let dir = tempfile::tempdir().expect("a folder for the files");
    let fake = dir.path().join("logo.png");
    std::fs::write(
        &fake,
        "<!doctype html><title>logo</title><p>non un'immagine",
    )
    .expect("write");
    send_logo(c, &fake).await;
    assert!(
        text(c, "#logo-err").await.contains("PNG o JPEG"),
        "the refusal beside the field"
    );
    assert!(
        c.find(Locator::Css(".sp-logo img")).await.is_err(),
        "nothing saved"
    );

    let logo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/logo-comune.png")
        .canonicalize()
        .expect("the sample logo");
    send_logo(c, &logo).await;
    assert!(text(c, ".sp-alert").await.contains("Logo salvato"));
    let shown = c
        .execute(
            "const i = document.querySelector('.sp-logo img'); i.scrollIntoView(); return i.complete ? i.naturalWidth : 0;",
            Vec::new(),
        )
        .await
        .expect("the preview");
    assert_eq!(shown, serde_json::json!(160), "the preview shows the logo");
    accessible(c, "carta-intestata-con-il-logo").await;

    // The decision adopted now has the logo at its top.
    c.goto(&format!("{base}{app}")).await.expect("application");
    let year = domain::localtime::today(state.clock.now()).year();
    let title = format!("Domanda {year}/000001");
    wait_h1(c, &title).await;
    click_button(c, "Accogli").await;
    wait_h1(c, &title).await;
    let bytes = decision_pdf(c).await;
    assert_eq!(crate::acts::pdf_images(&bytes), vec![(160, 192)]);
}

/// The office with Rossi's application for school meals under review, his identity
/// document attached: the state and the application's path.
pub(crate) async fn office_with_an_application() -> (web::AppState, String) {
    let state = support::app().await;
    let (_resp, mut op) = crate::istanze_fixtures::office(&state).await;
    let app = crate::acts::under_review(&state, &mut op, 1)
        .await
        .remove(0);
    crate::istanze_fixtures::upload_identity(&mut op, &app).await;
    (state, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_responsabile_puts_the_logo_on_the_letterhead_and_the_decision_carries_it() {
    let (state, app) = office_with_an_application().await;
    run_journey(
        "the_responsabile_puts_the_logo_on_the_letterhead_and_the_decision_carries_it",
        state,
        move |c, base, state| logo_journey(c, base, state, app),
    )
    .await;
}
