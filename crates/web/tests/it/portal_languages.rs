//! The portal in the citizens' languages: each of the seven chosen from the switch and
//! remembered, Arabic right to left, dates and amounts written each language's way, applying
//! online translated whole, the forms' refusals and the portal's error pages in the citizen's
//! language while the office's stay Italian. On SQLite and PostgreSQL.

use crate::istanze_fixtures::{ROSSI_CF, attest, benefit_id, file_mensa, office, register_rossi};
use crate::portal::{identity, portal_client};
use crate::portal_apply::{open_on_portal, rossi_on_the_portal};
use crate::support::{Client, Response, minimal_pdf};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::localtime::today;
use domain::money::Money;
use web::AppState;
use web::portale::i18n::{LANG_COOKIE, Lang, T};

on_both!(
    each_language_is_chosen_remembered_and_writes_dates_and_amounts_its_way,
    errors_under_the_portal_are_the_portal_pages_in_the_citizen_language,
    applying_and_its_refusals_are_in_the_citizen_language,
    the_refusals_of_following_and_of_the_simulator_are_in_the_citizen_language,
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

/// The text of the list of refusals at the top of a form, one line each.
fn refusals(page: &Response) -> Vec<String> {
    let html = page.html();
    let items = scraper::Selector::parse(".sp-alert--danger li").unwrap();
    html.select(&items)
        .map(|li| li.text().collect::<String>())
        .collect()
}

async fn applying_and_its_refusals_are_in_the_citizen_language(state: AppState) {
    let (_resp, mut op) = office(&state).await;
    let benefit = open_on_portal(&state, "sociosanitari-residenziali", -1, None).await;
    let (mut citizen, person) = rossi_on_the_portal(&state, &mut op).await;
    let start = format!("/portale/enti/comune-bergamo/prestazioni/{benefit}/domanda");
    let pid = person.trim_start_matches("/persone/");
    let draft = citizen
        .post(&start, &[("persona", pid)])
        .await
        .location()
        .to_owned();
    let data = format!("{draft}/passi/dati");

    // Applying is translated whole in every language: no Italian left on the data step.
    let italian_lead = T::new(Lang::It).t("apply-data-lead");
    for lang in Lang::ALL {
        citizen
            .get(&format!("/portale/lingua/{}", lang.code()))
            .await;
        let page = citizen.get(&data).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let lead = T::new(lang).t("apply-data-lead");
        assert!(page.text("main").contains(&lead), "{}", lang.code());
        assert_eq!(lang == Lang::It, lead == italian_lead, "{}", lang.code());
    }

    // The data step's refusals: beside each field, and in the list after the field's name.
    let version = citizen
        .get(&data)
        .await
        .attr("input[name=version]", "value");
    let wrong = [
        ("version", version.as_str()),
        ("months", "99"),
        ("email", "non-una-mail"),
    ];
    for (code, months, email, first) in [
        (
            "en",
            "«99» will not do: write a whole number from 1 to 36",
            "«non-una-mail» is not a valid e-mail address",
            "For how many months: «99» will not do: write a whole number from 1 to 36",
        ),
        (
            "ro",
            "„99” nu este bun: scrieți un număr întreg de la 1 la 36",
            "„non-una-mail” nu este o adresă de e-mail validă",
            "Pentru câte luni: „99” nu este bun: scrieți un număr întreg de la 1 la 36",
        ),
        (
            "it",
            "«99» non va bene: scrivi un numero intero da 1 a 36",
            "«non-una-mail» non è un indirizzo e-mail valido",
            "Per quanti mesi: «99» non va bene: scrivi un numero intero da 1 a 36",
        ),
    ] {
        citizen.get(&format!("/portale/lingua/{code}")).await;
        let r = citizen.post(&data, &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.attr("html", "lang"), code);
        assert_eq!(r.text("#months-error"), months, "{code}");
        assert_eq!(r.text("#email-error"), email, "{code}");
        assert_eq!(refusals(&r)[0], first, "{code}");
        assert_eq!(r.attr("#months", "value"), "99");
    }
    // Saved nothing; a page older than the draft is refused in the language too.
    let r = citizen
        .post(&data, &[("version", &version), ("months", "12")])
        .await;
    assert_eq!(r.location(), format!("{draft}/passi/isee"));
    citizen.get("/portale/lingua/zh").await;
    let r = citizen
        .post(&data, &[("version", &version), ("months", "6")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refusals(&r),
        ["这份申请在此期间已被修改，可能是在另一个窗口或标签页中：请核对下面的信息后重试"]
    );

    // An upload refused by its content, by its name, by its size: in the citizen's language.
    let uploads = format!("{draft}/allegati");
    let html: &[u8] = b"<html><script>alert(1)</script></html>";
    let pdf = minimal_pdf();
    for (code, requirement, name, bytes, refusal) in [
        (
            "ro",
            "",
            "carta.pdf",
            html,
            "Fișier: fișierul nu este un PDF, o imagine JPEG sau PNG ori un document semnat digital (P7M)",
        ),
        (
            "en",
            "",
            "carta.png",
            pdf.as_slice(),
            "File: the name «carta.png» does not match the file's content (PDF): rename it or choose the right file",
        ),
        (
            "en",
            "Un documento inventato",
            "carta.pdf",
            pdf.as_slice(),
            "Document: the document chosen is not one of those required for this service",
        ),
    ] {
        citizen.get(&format!("/portale/lingua/{code}")).await;
        let r = citizen
            .upload(
                &uploads,
                &[("requirement", requirement)],
                Some((name, bytes)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{code} {name}");
        assert_eq!(refusals(&r), [refusal], "{code} {name}");
    }
    // Over the limit, refused before it is read: back to the step, which says why.
    citizen.get("/portale/lingua/uk").await;
    let documents = format!("{draft}/passi/documenti");
    let req = Request::post(&uploads)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .header(header::CONTENT_LENGTH, (11 * 1024 * 1024).to_string())
        .header(header::REFERER, format!("http://localhost:8328{documents}"))
        .header("sec-fetch-site", "same-origin")
        .body(Body::from("--x--"))
        .unwrap();
    let r = citizen.send(req).await;
    assert_eq!(r.location(), format!("{documents}?file=troppo-grande"));
    let page = citizen.get(r.location()).await;
    assert_eq!(
        refusals(&page),
        ["Файл: файл перевищує найбільший розмір — 10 МіБ"]
    );

    // The summary: the declarations unconfirmed, in Arabic.
    citizen.get("/portale/lingua/ar").await;
    let summary = citizen.get(&format!("{draft}/passi/riepilogo")).await;
    let version = summary.attr("input[name=version]", "value");
    let r = citizen
        .post(&format!("{draft}/invia"), &[("version", &version)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refusals(&r), ["لإرسال الطلب، أكّد الإقرارات"]);
    assert_eq!(r.attr(".sp-alert--danger li a", "href"), "#declarations");
}

async fn the_refusals_of_following_and_of_the_simulator_are_in_the_citizen_language(
    state: AppState,
) {
    let (_resp, mut op) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    let user = app::portal::sign_in(&state, &identity(ROSSI_CF))
        .await
        .unwrap();
    let (mut citizen, _) = portal_client(&state, &user).await;
    let page = format!("/portale/domande/{}", app.trim_start_matches("/istanze/"));

    // A message left empty; documents the office is not waiting for.
    citizen.get("/portale/lingua/sq").await;
    let r = citizen
        .post(&format!("{page}/messaggi"), &[("message", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.text("#message-error"), "plotësoni këtë fushë");
    assert_eq!(refusals(&r), ["Shkruajini zyrës: plotësoni këtë fushë"]);
    citizen.get("/portale/lingua/en").await;
    let r = citizen
        .upload(
            &format!("{page}/documenti"),
            &[("requirement", "")],
            Some(("carta.pdf", &minimal_pdf())),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refusals(&r),
        [
            "File: the office is not waiting for documents for this application: if you want to send something, write a message to the office"
        ]
    );
    let r = citizen
        .upload(
            &format!("{page}/osservazioni"),
            &[("observations", "Ho i requisiti")],
            None,
        )
        .await;
    assert_eq!(
        refusals(&r),
        [
            "Your observations: there is no notice of intended rejection to answer for this application"
        ]
    );

    // «Quanto pagherò»: a count, a date and an amount refused in Chinese, the amount's limit
    // written the language's way.
    let mensa = benefit_id(&state, "mensa").await;
    let quanto = format!("/portale/enti/comune-bergamo/prestazioni/{mensa}");
    citizen.get("/portale/lingua/zh").await;
    let r = citizen
        .get(&format!(
            "{quanto}?household=2&minors=3&birth_date=31%2F02%2F2020&cost=999999999999"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.text("#birth_date-error"),
        "“31/02/2020”不是有效的日期：请按 日/月/年（dd/mm/yyyy）格式填写，例如 01/03/2015"
    );
    assert_eq!(
        r.text("#minors-error"),
        "未成年人人数（3）不能多于家庭人数（2）"
    );
    assert_eq!(
        r.text("#cost-error"),
        format!(
            "金额超过了允许的上限（{}）",
            T::new(Lang::Zh).money(Money(domain::money::MAX_CENTS))
        )
    );
    assert!(r.attr("#minors-error", "lang").is_empty());

    // The office's own forms keep their Italian.
    let r = op
        .get(&format!(
            "/prestazioni/{mensa}/simulatore?household=2&minors=3"
        ))
        .await;
    assert!(
        r.body
            .contains("i minori nel nucleo (3) non possono essere più dei componenti (2)"),
        "{}",
        r.body
    );
}
