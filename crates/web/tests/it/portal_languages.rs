//! The portal in the citizens' languages: each of the seven chosen from the switch and
//! remembered, Arabic right to left, dates and amounts written each language's way, and the
//! portal's error pages in the citizen's language while the office's stay Italian. On SQLite
//! and PostgreSQL.

use crate::istanze_fixtures::{ROSSI_CF, attest, benefit_id, file_mensa, office, register_rossi};
use crate::portal::{identity, portal_client};
use crate::support::{Client, Response};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::localtime::today;
use domain::money::Money;
use web::AppState;
use web::portale::i18n::{LANG_COOKIE, Lang, T};

on_both!(
    each_language_is_chosen_remembered_and_writes_dates_and_amounts_its_way,
    errors_under_the_portal_are_the_portal_pages_in_the_citizen_language,
);

/// Every language: its code, its name in itself, the home page's title in it.
const LANGS: [(&str, &str, &str); 7] = [
    ("it", "Italiano", "Servizi sociali online"),
    ("en", "English", "Social services online"),
    ("ar", "العربية", "الخدمات الاجتماعية عبر الإنترنت"),
    ("ro", "Română", "Servicii sociale online"),
    ("sq", "Shqip", "Shërbime sociale në internet"),
    ("uk", "Українська", "Соціальні послуги онлайн"),
    ("zh", "中文", "网上社会服务"),
];

/// The names the language switch offers, and the one marked as current.
fn switch(page: &Response) -> (Vec<String>, String) {
    let html = page.html();
    let items = scraper::Selector::parse(".sp-portale__langs li").unwrap();
    let names = html
        .select(&items)
        .map(|li| li.text().collect::<String>())
        .collect();
    (names, page.text(".sp-portale__langs [aria-current]"))
}

async fn each_language_is_chosen_remembered_and_writes_dates_and_amounts_its_way(state: AppState) {
    let (mut resp, mut op) = office(&state).await;
    let mensa = benefit_id(&state, "mensa").await;
    let quanto = format!("/portale/enti/comune-bergamo/prestazioni/{mensa}");
    let facts = "isee=8.500%2C00&household=3&minors=1&resident=on&units=20";
    let office_amount = resp
        .get(&format!("/prestazioni/{mensa}/simulatore?{facts}"))
        .await
        .text("#importo");
    let figure = Money::parse("importo", &office_amount, "l'importo").unwrap();

    let mut visitor = Client::new(&state);
    let every_name: Vec<String> = LANGS.iter().map(|l| l.1.to_owned()).collect();
    for (code, name, title) in LANGS {
        let r = visitor
            .get(&format!("/portale/lingua/{code}?torna=%2Fportale"))
            .await;
        assert_eq!(r.location(), "/portale");
        assert_eq!(visitor.cookies[LANG_COOKIE], code);
        let home = visitor.get("/portale").await;
        assert_eq!(home.status, StatusCode::OK);
        assert_eq!(home.attr("html", "lang"), code);
        let dir = if code == "ar" { "rtl" } else { "ltr" };
        assert_eq!(home.attr("html", "dir"), dir);
        assert_eq!(home.text("h1"), title);
        assert_eq!(switch(&home), (every_name.clone(), name.to_owned()));
        // Remembered on the next page too, with its amount in the language's form.
        let lang = Lang::parse(code).unwrap();
        let page = visitor.get(&format!("{quanto}?{facts}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert_eq!(page.attr("html", "lang"), code);
        assert_eq!(page.text("#importo"), T::new(lang).money(figure), "{code}");
    }
    // «Quanto pagherò» in Arabic: right to left, Western digits, the euro after the figure.
    let arabic = T::new(Lang::Ar).money(figure);
    assert!(
        arabic.starts_with('\u{200f}') && arabic.ends_with('€'),
        "{arabic}"
    );
    // An unknown language changes nothing.
    let r = visitor.get("/portale/lingua/xx?torna=%2Fportale").await;
    assert_eq!(r.location(), "/portale");
    assert_eq!(visitor.cookies[LANG_COOKIE], "zh");

    // A citizen's application: the dates in Romanian, the access log's in Chinese.
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    assert_eq!(op.get(&app).await.status, StatusCode::OK);
    state.reads.flush().await;
    let user = app::portal::sign_in(&state, &identity(ROSSI_CF))
        .await
        .unwrap();
    let (mut citizen, _) = portal_client(&state, &user).await;
    let day = today(state.clock.now());
    citizen.get("/portale/lingua/ro").await;
    let page = citizen
        .get(&format!(
            "/portale/domande/{}",
            app.trim_start_matches("/istanze/")
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("h1"), "Cerere: Mense scolastiche");
    let romanian = T::new(Lang::Ro).date(day);
    assert!(
        page.body.contains(&format!("<dd>{romanian}</dd>")),
        "{}",
        page.body
    );
    assert!(
        page.text(".sp-portale__when").starts_with(&romanian),
        "{}",
        page.body
    );
    citizen.get("/portale/lingua/zh").await;
    let log = citizen.get("/portale/accessi").await;
    assert_eq!(log.status, StatusCode::OK);
    let chinese = format!("{} ", T::new(Lang::Zh).date(day));
    assert!(
        log.text("main table td").starts_with(&chinese),
        "{}",
        log.body
    );
}

/// A GET of `path` with the browser's `Accept-Language`.
async fn get_in(c: &mut Client, path: &str, accept: &str) -> Response {
    c.send(
        Request::get(path)
            .header(header::ACCEPT_LANGUAGE, accept)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn errors_under_the_portal_are_the_portal_pages_in_the_citizen_language(state: AppState) {
    let mut c = Client::new(&state);
    // Not found, in the language the citizen chose.
    c.get("/portale/lingua/en").await;
    let r = c.get("/portale/non-esiste").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.attr("html", "lang"), "en");
    assert_eq!(r.text("h1"), "Page not found");
    assert_eq!(r.attr("body", "class"), "sp-portale");
    assert!(r.body.contains("Skip to main content"), "{}", r.body);
    assert!(r.body.contains("Error code: 404."), "{}", r.body);
    // The language switch comes back to the same address.
    assert!(
        r.body
            .contains("/portale/lingua/it?torna=%2Fportale%2Fnon-esiste"),
        "{}",
        r.body
    );
    let r = c
        .get("/portale/enti/comune-altrove/prestazioni/non-un-id")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.text("h1"), "Page not found");

    // Without a choice, in the browser's language: Arabic, right to left.
    let mut browser = Client::new(&state);
    let r = get_in(&mut browser, "/portale/non-esiste", "ar,it;q=0.5").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (r.attr("html", "lang"), r.attr("html", "dir")),
        ("ar".to_owned(), "rtl".to_owned())
    );
    assert_eq!(r.text("h1"), "الصفحة غير موجودة");

    // A refusal from the security layers and a wrong method: the portal's pages as well.
    let r = c
        .send(
            Request::post("/portale/esci")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::HOST, "localhost:8328")
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.text("h1"), "Access denied");
    let r = c.get("/portale/esci").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.text("h1"), "Request not valid");
    assert_eq!(r.attr("html", "lang"), "en");

    // The office is unchanged: Italian, its own layout, whatever the portal's language.
    for path in ["/non-esiste", "/portalex"] {
        let r = get_in(&mut c, path, "en").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.attr("html", "lang"), "it", "{path}");
        assert_eq!(r.text("h1"), "Pagina non trovata", "{path}");
        assert!(r.body.contains("Torna alla scrivania"), "{path}");
        assert!(!r.body.contains("sp-portale"), "{path}");
    }
    // A citizen's page without a sign-in still leads to the portal's sign-in.
    let r = c.get("/portale/domande").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/portale/accedi"),
        "{}",
        r.location()
    );
}
