//! The portal in the citizens' languages, in headless Chromium: the home page and «Quanto
//! pagherò» in Arabic, right to left, on a 360 px phone and on a desktop, then in Ukrainian;
//! the language chosen is remembered from page to page and on the error pages; applying online
//! in Arabic, its refusals beside their fields. Every page passes axe-core (`wait_h1` checks
//! each one).

use crate::browser::{
    accessible, click_button, click_link, fill, portal_sign_in, run_journey, submit, text, wait_h1,
    work_out_the_meals,
};
use crate::istanze_fixtures::office;
use crate::support;
use fantoccini::{Client, Locator};

/// The page's layout at the window's current width: whether anything is wider than the
/// window, and whether the main heading's text (its last line) stands against the right-hand
/// edge (right to left) rather than the left-hand one.
async fn layout(c: &Client) -> (bool, bool) {
    let found = c
        .execute(
            r#"const h1 = document.querySelector('main h1');
               const block = h1.getBoundingClientRect();
               const text = document.createRange();
               text.selectNodeContents(h1);
               const lines = text.getClientRects();
               const last = lines[lines.length - 1];
               const page = document.documentElement;
               return [page.scrollWidth > page.clientWidth,
                       block.right - last.right < last.left - block.left];"#,
            Vec::new(),
        )
        .await
        .expect("measure the page");
    let flags: Vec<bool> = serde_json::from_value(found).expect("two flags");
    (flags[0], flags[1])
}

/// On a 360 px phone: nothing wider than the screen, the heading on the side the language
/// starts from, no accessibility violation; then back to a desktop.
async fn on_a_phone(c: &Client, rtl: bool, what: &str) {
    c.set_window_size(360, 740).await.expect("phone size");
    let (wide, starts_right) = layout(c).await;
    assert!(!wide, "{what}: the page is wider than a 360 px screen");
    assert_eq!(starts_right, rtl, "{what}: the heading's side");
    accessible(c, &format!("{what}-360")).await;
    c.set_window_size(1280, 900).await.expect("desktop size");
    let (_, starts_right) = layout(c).await;
    assert_eq!(starts_right, rtl, "{what}: the heading's side on a desktop");
    accessible(c, &format!("{what}-desktop")).await;
}

async fn html_attr(c: &Client, name: &str) -> String {
    c.find(Locator::Css("html"))
        .await
        .expect("html")
        .attr(name)
        .await
        .expect("attribute")
        .unwrap_or_default()
}

async fn languages_journey(c: Client, base: String, _state: web::AppState) {
    let c = &c;
    c.goto(&format!("{base}/portale"))
        .await
        .expect("open the portal");
    wait_h1(c, "Social services online").await;

    // Arabic: right to left, the switch naming every language in itself.
    click_link(c, "العربية").await;
    wait_h1(c, "الخدمات الاجتماعية عبر الإنترنت").await;
    assert_eq!(
        (html_attr(c, "lang").await, html_attr(c, "dir").await),
        ("ar".to_owned(), "rtl".to_owned())
    );
    let langs = text(c, ".sp-portale__langs").await;
    for name in [
        "Italiano",
        "English",
        "العربية",
        "Română",
        "Shqip",
        "Українська",
        "中文",
    ] {
        assert!(langs.contains(name), "{name} in «{langs}»");
    }
    on_a_phone(c, true, "portale-ar-home").await;

    let heading = "كم سأدفع: Mense scolastiche";
    work_out_the_meals(c, heading).await;
    let amount = text(c, "#importo").await;
    assert!(
        amount.ends_with('€') && amount.chars().any(|ch| ch.is_ascii_digit()),
        "{amount}"
    );
    on_a_phone(c, true, "portale-ar-quanto").await;
    // A value that is not a number: the error beside its field, on the right-hand side.
    fill(c, "#isee", "tanti").await;
    submit(c).await;
    wait_h1(c, heading).await;
    assert_eq!(
        c.find(Locator::Css("#isee"))
            .await
            .expect("isee")
            .attr("aria-invalid")
            .await
            .expect("attribute")
            .as_deref(),
        Some("true")
    );
    on_a_phone(c, true, "portale-ar-quanto-errore").await;

    // Remembered: the menu's home page, the sign-in and an address typed by hand are still in
    // Arabic.
    click_link(c, "الصفحة الرئيسية").await;
    wait_h1(c, "الخدمات الاجتماعية عبر الإنترنت").await;
    click_link(c, "تسجيل الدخول").await;
    wait_h1(c, "تسجيل الدخول إلى البوابة").await;
    on_a_phone(c, true, "portale-ar-accedi").await;
    c.goto(&format!("{base}/portale/non-esiste"))
        .await
        .expect("a page that does not exist");
    wait_h1(c, "الصفحة غير موجودة").await;
    on_a_phone(c, true, "portale-ar-404").await;

    // Ukrainian, from the switch of the error page: back on the same address, then at home.
    click_link(c, "Українська").await;
    wait_h1(c, "Сторінку не знайдено").await;
    click_link(c, "Повернутися на головну сторінку").await;
    wait_h1(c, "Соціальні послуги онлайн").await;
    assert_eq!(html_attr(c, "dir").await, "ltr");
    on_a_phone(c, false, "portale-uk-home").await;
    work_out_the_meals(c, "Скільки я заплачу: Mense scolastiche").await;
    assert!(text(c, "#importo").await.ends_with('€'));
    on_a_phone(c, false, "portale-uk-quanto").await;
    c.goto(&format!("{base}/portale"))
        .await
        .expect("the portal again");
    wait_h1(c, "Соціальні послуги онлайн").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_in_arabic_and_ukrainian_on_a_phone_remembers_the_language() {
    let state = support::app().await;
    office(&state).await;
    run_journey(
        "the_portal_in_arabic_and_ukrainian_on_a_phone_remembers_the_language",
        state,
        languages_journey,
    )
    .await;
}

/// Applying online in Arabic: the steps right to left, a wrong count and a wrong e-mail refused
/// in Arabic beside their fields and in the list at the top, on a phone and on a desktop.
async fn arabic_application_journey(c: Client, base: String) {
    let c = &c;
    c.goto(&format!("{base}/portale/lingua/it"))
        .await
        .expect("Italian");
    portal_sign_in(c, &base, "Mario Rossi").await;
    c.goto(&format!(
        "{base}/portale/lingua/ar?torna=%2Fportale%2Fdomande"
    ))
    .await
    .expect("Arabic");
    wait_h1(c, "طلباتي").await;
    let title = "طلب عبر الإنترنت: Servizi sociosanitari diurni e residenziali";
    click_link(c, "Servizi sociosanitari diurni e residenziali").await;
    wait_h1(c, title).await;
    click_button(c, "ابدأ الطلب").await;
    assert!(wait_h1(c, title).await.ends_with("/passi/dati"));
    on_a_phone(c, true, "portale-ar-domanda-dati").await;

    fill(c, "#months", "99").await;
    fill(c, "#email", "non-una-mail").await;
    click_button(c, "احفظ وتابع").await;
    wait_h1(c, title).await;
    assert_eq!(
        text(c, "#months-error").await,
        "«99» غير مقبول: اكتب عددًا صحيحًا من 1 إلى 36"
    );
    assert_eq!(
        text(c, "#email-error").await,
        "«non-una-mail» ليس عنوان بريد إلكتروني صحيحًا"
    );
    assert!(
        text(c, ".sp-alert--danger")
            .await
            .contains("لكم شهرًا: «99» غير مقبول"),
    );
    assert_eq!(html_attr(c, "dir").await, "rtl");
    on_a_phone(c, true, "portale-ar-domanda-errori").await;
    fill(c, "#months", "12").await;
    fill(c, "#email", "mario.rossi@example.org").await;
    click_button(c, "احفظ وتابع").await;
    assert!(wait_h1(c, title).await.ends_with("/passi/isee"));
    on_a_phone(c, true, "portale-ar-domanda-isee").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_online_in_arabic_right_to_left() {
    crate::browser_apply::rossi_applies(
        "a_citizen_applies_online_in_arabic_right_to_left",
        arabic_application_journey,
    )
    .await;
}
