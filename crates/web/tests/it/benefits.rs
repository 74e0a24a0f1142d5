//! The catalogue of prestazioni through the pages: the base catalogue, the entry form with
//! hostile input and stale versions, rule versions with bands, the simulator, and who may
//! change what — on SQLite and PostgreSQL.

use crate::support::{Client, Response, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::dates::format_date;
use domain::localtime::today;
use store::{AuditFilter, AuditStore, BenefitStore};
use uuid::Uuid;
use web::AppState;

on_both!(
    the_base_catalogue_is_loaded_once_and_listed_with_its_budget,
    a_hostile_entry_is_refused_field_by_field_and_nothing_is_saved,
    an_edit_from_a_stale_version_is_refused_and_nothing_is_saved,
    a_new_rule_version_with_bands_is_saved_and_shown_in_force,
    the_simulator_applies_the_rule_in_force_and_explains_it,
    a_front_desk_operator_reads_the_catalogue_but_cannot_change_it,
);

const ORG: &str = "comune-bergamo";

async fn org_id(state: &AppState) -> Uuid {
    use store::OrgStore;
    state
        .store
        .get_org_by_code(&domain::OrgCode::parse(ORG).unwrap())
        .await
        .unwrap()
        .id
}

async fn manager(state: &AppState) -> Client {
    staff(state, ORG, "016024", "responsabile", Role::Responsabile).await
}

fn today_str(state: &AppState) -> String {
    format_date(today(state.clock.now()))
}

/// Texts of every element matching `selector`.
fn texts(r: &Response, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    r.html()
        .select(&sel)
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn has_attr(r: &Response, selector: &str, name: &str) -> bool {
    let sel = scraper::Selector::parse(selector).unwrap();
    r.html()
        .select(&sel)
        .next()
        .is_some_and(|e| e.value().attr(name).is_some())
}

async fn seed(c: &mut Client) {
    let r = c.post("/prestazioni/catalogo-base", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/prestazioni");
}

async fn benefit_id(state: &AppState, code: &str) -> Uuid {
    let org = org_id(state).await;
    state
        .store
        .list_benefits(org)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.data.code == code)
        .unwrap_or_else(|| panic!("no benefit {code}"))
        .id
}

const AFFITTO: [(&str, &str); 13] = [
    ("code", "sostegno-affitto"),
    ("name", "Sostegno all'affitto 2026"),
    ("description", "Per i nuclei in difficoltà con il canone"),
    ("area", "poverta"),
    ("siuss_code", "A1.05"),
    ("periodicity", "una_tantum"),
    ("delivery", "denaro"),
    ("isee_variant", ""),
    ("funding_source", "Bilancio comunale"),
    ("budget", "25.000,00"),
    (
        "documents",
        "Contratto di locazione registrato\r\nRicevute dei canoni pagati",
    ),
    ("deadline_days", "45"),
    ("active", "on"),
];

fn with<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| {
            changes
                .iter()
                .find(|(ck, _)| ck == k)
                .map_or((*k, *v), |(ck, cv)| (*ck, *cv))
        })
        .collect()
}

async fn the_base_catalogue_is_loaded_once_and_listed_with_its_budget(state: AppState) {
    let mut c = manager(&state).await;
    let org = org_id(&state).await;

    let r = c.get("/prestazioni").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Le prestazioni dell'ente appariranno qui"));
    assert!(r.body.contains("Carica il catalogo di base"));
    assert!(r.body.contains("16 prestazioni"), "the offer says how many");
    assert!(r.body.contains("href=\"/prestazioni/nuova\""));

    seed(&mut c).await;
    let r = c.get("/prestazioni").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text(".sp-alert--success")
            .contains("Hai caricato il catalogo di base: 16 prestazioni"),
        "{}",
        r.text(".sp-alert")
    );
    let names = texts(&r, "tbody th[scope=row] a");
    assert_eq!(names.len(), 16, "{names:?}");
    assert!(names.iter().any(|n| n == "Assistenza domiciliare"));
    assert!(names.iter().any(|n| n == "Integrazione retta RSA"));
    assert!(!r.body.contains("Carica il catalogo di base"));
    // The SAD row: area, SIUSS code, periodicity, ISEE variant, no budget, active.
    let sel = scraper::Selector::parse("tbody tr").unwrap();
    let html = r.html();
    let sad: String = html
        .select(&sel)
        .map(|tr| tr.text().collect::<String>())
        .find(|t| t.contains("Assistenza domiciliare"))
        .unwrap();
    for part in [
        "Anziani",
        "A2.07",
        "periodica (mensile)",
        "ISEE sociosanitario",
        "attiva",
    ] {
        assert!(sad.contains(part), "{part} in {sad}");
    }
    let stored = state.store.list_benefits(org).await.unwrap();
    assert_eq!(stored.len(), 16);
    let sad_id = benefit_id(&state, "sad").await;
    assert_eq!(
        state.store.benefit_rules(org, sad_id).await.unwrap().len(),
        1
    );

    // A second load is refused and nothing is added.
    seed(&mut c).await;
    let r = c.get("/prestazioni").await;
    assert!(
        r.text(".sp-alert--danger")
            .contains("Il catalogo contiene già delle prestazioni"),
        "{}",
        r.text(".sp-alert")
    );
    assert_eq!(state.store.list_benefits(org).await.unwrap().len(), 16);
    assert_eq!(
        state.store.benefit_rules(org, sad_id).await.unwrap().len(),
        1
    );

    // A budget shows in the list with what is still available.
    let id = benefit_id(&state, "affitto").await;
    let form = c.get(&format!("/prestazioni/{id}/modifica")).await;
    assert_eq!(form.status, StatusCode::OK);
    let version = form.attr("input[name=version]", "value");
    let r = c
        .post(
            &format!("/prestazioni/{id}/modifica"),
            &[
                ("version", &version),
                ("code", "affitto"),
                ("name", "Contributo canoni alloggiativi"),
                ("area", "poverta"),
                ("siuss_code", "A1.05"),
                ("periodicity", "una_tantum"),
                ("delivery", "denaro"),
                ("isee_variant", "ordinario"),
                ("budget", "40000"),
                ("documents", "Contratto di locazione registrato"),
                ("deadline_days", "30"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let r = c.get("/prestazioni").await;
    let row: String = r
        .html()
        .select(&sel)
        .map(|tr| tr.text().collect::<String>())
        .find(|t| t.contains("Contributo canoni alloggiativi"))
        .unwrap();
    assert!(row.contains("40.000,00"), "{row}");

    let log = state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org),
            action_prefix: Some("benefit.".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "benefit.seed" && e.summary.contains("16 prestazioni")),
        "the load is audited"
    );
    assert!(
        log.iter()
            .any(|e| e.action == "benefit.update" && e.summary.contains("stanziamento")),
        "the change is audited with what changed"
    );
}

async fn a_hostile_entry_is_refused_field_by_field_and_nothing_is_saved(state: AppState) {
    let mut c = manager(&state).await;
    let org = org_id(&state).await;
    let r = c.get("/prestazioni/nuova").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        texts(&r, "#isee_variant option")
            .first()
            .map(String::as_str),
        Some("non richiesto")
    );
    assert!(
        texts(&r, "#siuss_code option")
            .iter()
            .any(|o| o == "A2.07 – Assistenza domiciliare socio-assistenziale")
    );

    let hostile = with(
        &AFFITTO,
        &[
            ("name", "   "),
            ("siuss_code", "A9.99"),
            ("budget", "-100"),
            ("description", "<script>alert('x')</script>"),
        ],
    );
    let r = c.post("/prestazioni/nuova", &hostile).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.text("title").starts_with("Errore: "),
        "{}",
        r.text("title")
    );
    let summary = r.text(".sp-error-summary");
    assert!(
        r.text("#name-err").contains("indicare il nome"),
        "{summary}"
    );
    assert!(
        r.text("#siuss_code-err")
            .contains("il codice SIUSS «A9.99» non è nella tabella INPS"),
        "{summary}"
    );
    assert!(
        r.text("#budget-err")
            .contains("lo stanziamento annuo: l'importo non può essere negativo"),
        "{summary}"
    );
    assert_eq!(texts(&r, ".sp-error-summary li").len(), 3, "{summary}");
    // The description comes back as text, never as markup; the other values are kept.
    assert!(r.body.contains("&#60;script&#62;alert("), "escaped");
    assert!(!r.body.contains("<script>alert("), "not markup");
    assert_eq!(r.text("#description"), "<script>alert('x')</script>");
    assert_eq!(r.attr("#code", "value"), "sostegno-affitto");
    assert_eq!(r.attr("#budget", "value"), "-100");
    assert!(state.store.list_benefits(org).await.unwrap().is_empty());

    // The same entry, corrected, is saved and shown.
    let r = c.post("/prestazioni/nuova", &AFFITTO).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let path = r.location().to_owned();
    let r = c.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text("h1"), "Sostegno all'affitto 2026");
    assert_eq!(
        texts(&r, "main ul li")
            .into_iter()
            .filter(|t| t.contains("Contratto") || t.contains("Ricevute"))
            .collect::<Vec<_>>(),
        [
            "Contratto di locazione registrato",
            "Ricevute dei canoni pagati"
        ]
    );
    assert!(r.body.contains("25.000,00"));
    assert!(r.body.contains("45 giorni"));
    assert!(r.body.contains("<dd>non richiesto</dd>"));

    // A second entry with the same code gets a message on the code, not an error page.
    let again = with(
        &AFFITTO,
        &[("code", "Sostegno-Affitto"), ("name", "Doppione")],
    );
    let r = c.post("/prestazioni/nuova", &again).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.text("#code-err")
            .contains("il codice breve «sostegno-affitto» è già usato"),
        "{}",
        r.text(".sp-error-summary")
    );
    assert_eq!(state.store.list_benefits(org).await.unwrap().len(), 1);
}

async fn an_edit_from_a_stale_version_is_refused_and_nothing_is_saved(state: AppState) {
    let mut c = manager(&state).await;
    let org = org_id(&state).await;
    let r = c.post("/prestazioni/nuova", &AFFITTO).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let path = r.location().to_owned();
    let id = Uuid::parse_str(path.trim_start_matches("/prestazioni/")).unwrap();

    let form = c.get(&format!("{path}/modifica")).await;
    assert_eq!(form.status, StatusCode::OK);
    let version = form.attr("input[name=version]", "value");
    assert_eq!(version, "1");
    assert_eq!(form.attr("#budget", "value"), "25.000,00");

    // A first operator saves from version 1…
    let mut first = with(&AFFITTO, &[("name", "Sostegno all'affitto")]);
    first.push(("version", "1"));
    let r = c.post(&format!("{path}/modifica"), &first).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    // …a second one, who opened the form at version 1 too, is refused.
    let mut second = with(&AFFITTO, &[("name", "Affitto: nome del secondo")]);
    second.push(("version", "1"));
    let r = c.post(&format!("{path}/modifica"), &second).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.text(".sp-alert--danger").contains(
            "la prestazione è stata modificata da un altro operatore: ricarica la pagina"
        ),
        "{}",
        r.body
    );
    assert!(r.text("title").starts_with("Errore: "));
    assert_eq!(
        r.attr("#name", "value"),
        "Affitto: nome del secondo",
        "input kept"
    );
    let b = state.store.get_benefit(org, id).await.unwrap();
    assert_eq!(b.data.name, "Sostegno all'affitto");
    assert_eq!(b.version, 2);

    let r = c.get(&path).await;
    assert_eq!(r.text("h1"), "Sostegno all'affitto");
}

async fn a_new_rule_version_with_bands_is_saved_and_shown_in_force(state: AppState) {
    let mut c = manager(&state).await;
    let org = org_id(&state).await;
    seed(&mut c).await;

    // The form for a benefit with rules starts from the version in force.
    let sad = benefit_id(&state, "sad").await;
    let r = c.get(&format!("/prestazioni/{sad}/regole/nuova")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.attr("#article", "value"), "art. 18");
    assert_eq!(r.attr("#band_upto-2", "value"), "12.000,00");
    assert_eq!(r.attr("#band_amount-2", "value"), "5,00");
    assert!(has_attr(&r, "#formula-tariffa", "checked"));
    assert!(!has_attr(&r, "#formula", "checked"));
    assert_eq!(r.attr("#unit option[selected]", "value"), "ora");
    for legend in [
        "Fasce ISEE",
        "Tariffa per unità",
        "Importo lineare",
        "Percentuale del costo",
    ] {
        assert!(
            texts(&r, "legend").iter().any(|l| l.starts_with(legend)),
            "{legend}"
        );
    }

    // The assegno di maternità has none yet.
    let maternita = benefit_id(&state, "maternita").await;
    let r = c
        .get(&format!("/prestazioni/{maternita}/regole/nuova"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(texts(&r, "input[name=band_upto]").len(), 6);
    let today = today_str(&state);
    let form = |upto: [&'static str; 3], amount: [&'static str; 3]| {
        vec![
            ("valid_from", today.clone()),
            (
                "regulation",
                "Regolamento comunale per l'accesso alle prestazioni sociali agevolate (D.C.C. 12/2024)"
                    .to_owned(),
            ),
            ("article", "art. 5, c. 1".to_owned()),
            ("isee_max", "20.000,00".to_owned()),
            ("residence", "on".to_owned()),
            ("minors_min", "1".to_owned()),
            ("amount_kind", "contributo".to_owned()),
            ("formula", "fasce".to_owned()),
            ("band_upto", upto[0].to_owned()),
            ("band_amount", amount[0].to_owned()),
            ("band_upto", upto[1].to_owned()),
            ("band_amount", amount[1].to_owned()),
            ("band_upto", upto[2].to_owned()),
            ("band_amount", amount[2].to_owned()),
            ("band_upto", String::new()),
            ("band_amount", String::new()),
            ("unit", String::new()),
            ("percent", String::new()),
        ]
    };
    let path = format!("/prestazioni/{maternita}/regole/nuova");

    // Bands out of order are refused, with the message next to the bands.
    let bad = form(["20.000", "10.000", ""], ["150", "80", ""]);
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post(&path, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.text("#band_upto-err")
            .contains("la fascia 2 deve arrivare a un ISEE più alto della fascia 1"),
        "{}",
        r.text(".sp-error-summary")
    );
    assert_eq!(r.attr("#band_upto", "value"), "20.000", "input kept");
    assert!(
        state
            .store
            .benefit_rules(org, maternita)
            .await
            .unwrap()
            .is_empty()
    );

    let good = form(["10.000", "20.000", ""], ["150", "80", ""]);
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post(&path, &pairs).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    assert_eq!(r.location(), format!("/prestazioni/{maternita}#regole"));
    let rules = state.store.benefit_rules(org, maternita).await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].actor, "responsabile");

    let r = c.get(&format!("/prestazioni/{maternita}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let card = r.text("#regole ~ section.sp-card");
    assert!(card.contains("in vigore oggi"), "{card}");
    assert!(card.contains(&format!("Valida dal {today}")), "{card}");
    assert!(
        card.contains(
            "art. 5, c. 1 del Regolamento comunale per l'accesso alle prestazioni sociali agevolate (D.C.C. 12/2024)"
        ),
        "{card}"
    );
    assert!(
        card.contains("ISEE non superiore a 20.000,00\u{a0}€"),
        "{card}"
    );
    assert!(card.contains("almeno un minore nel nucleo"), "{card}");
    assert!(card.contains("importo fisso per fasce ISEE"), "{card}");
    assert!(card.contains("responsabile"), "who added it");
    let bands = texts(&r, "#regole ~ section.sp-card tbody tr");
    assert_eq!(
        bands
            .iter()
            .map(|t| t.replace('\u{a0}', " "))
            .collect::<Vec<_>>(),
        [
            "fino a 10.000,00 €150,00 €",
            "oltre 10.000,00 € e fino a 20.000,00 €80,00 €"
        ]
    );

    // Versions are immutable: a second one from the same day is refused.
    let r = c.post(&path, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text("#valid_from-err")
            .contains("esiste già una versione delle regole valida dal")
    );
    assert_eq!(
        state
            .store
            .benefit_rules(org, maternita)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn the_simulator_applies_the_rule_in_force_and_explains_it(state: AppState) {
    let mut c = manager(&state).await;
    seed(&mut c).await;
    let year = today(state.clock.now()).year();
    let today = today_str(&state);

    // The detail page offers the simulator as a GET form.
    let sad = benefit_id(&state, "sad").await;
    let r = c.get(&format!("/prestazioni/{sad}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.attr("form[method=get]", "action"),
        format!("/prestazioni/{sad}/simulatore")
    );
    assert_eq!(r.attr("#on", "value"), today);
    assert!(
        r.text("#regole ~ section.sp-card")
            .contains("in vigore oggi")
    );

    // A co-payment on a band's upper edge: 12.000,00 is still in the second band (5,00 €/h).
    let r = c
        .get(&format!(
            "/prestazioni/{sad}/simulatore?isee=12.000%2C00&variant=sociosanitario&birth_date=&household=1&minors=&resident=on&resident_since=&others=&cost=&units=20&on={}",
            today.replace('/', "%2F")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text(".sp-error-summary"));
    assert!(
        r.text(".sp-alert--success").contains("ammissibile"),
        "{}",
        r.body
    );
    assert_eq!(r.text("#importo"), "100,00\u{a0}€");
    assert!(r.body.contains("5,00\u{a0}€ per ora"));
    assert!(
        r.body
            .contains("fascia 2 (ISEE oltre 6.000,00\u{a0}€ e fino a 12.000,00\u{a0}€)"),
        "{}",
        r.text("main")
    );
    assert!(r.text("main").contains(
        "art. 18 del Regolamento comunale per l'accesso alle prestazioni sociali agevolate"
    ));
    assert!(r.body.contains(&format!("valida dal 01/01/{year}")));
    assert_eq!(
        r.attr("#isee", "value"),
        "12.000,00",
        "the form keeps what was typed"
    );
    // One cent more is the third band.
    let r = c
        .get(&format!(
            "/prestazioni/{sad}/simulatore?isee=12000%2C01&variant=sociosanitario&resident=on&units=20"
        ))
        .await;
    assert_eq!(r.text("#importo"), "200,00\u{a0}€");

    // Over the threshold of the extraordinary contribution: not met, no amount.
    let extra = benefit_id(&state, "contributo-straordinario").await;
    let r = c
        .get(&format!(
            "/prestazioni/{extra}/simulatore?isee=10.000&variant=ordinario&resident=on"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text(".sp-error-summary"));
    let checks = texts(&r, "ul.sp-checks li");
    let threshold = checks
        .iter()
        .find(|t| t.contains("superiore alla soglia"))
        .unwrap_or_else(|| panic!("{checks:?}"));
    assert_eq!(
        threshold.replace('\u{a0}', " "),
        "non soddisfatto ISEE 10.000,00 € superiore alla soglia di 9.360,00 €"
    );
    assert!(
        checks
            .iter()
            .any(|t| t.starts_with("soddisfatto") && t.contains("residente"))
    );
    assert!(r.text(".sp-alert--danger").contains("non è ammissibile"));
    assert!(r.text("#importo").is_empty());

    // Bad input names the fields; nothing is evaluated.
    let r = c
        .get(&format!(
            "/prestazioni/{extra}/simulatore?isee=dieci&household=0&on=31%2F02%2F2026&others=Bad%21"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text("#isee-err")
            .contains("il valore ISEE: «dieci» non è un importo valido")
    );
    assert!(
        r.text("#household-err")
            .contains("i componenti del nucleo: «0» non è un numero intero da 1 a 50")
    );
    assert!(
        r.text("#on-err")
            .contains("la data della domanda: «31/02/2026» non è una data valida")
    );
    assert!(r.text("#others-err").contains("«Bad!»"));
    assert!(texts(&r, "ul.sp-checks li").is_empty());
    // The benefits already received are typed by their name in the catalogue.
    let r = c
        .get(&format!(
            "/prestazioni/{extra}/simulatore?isee=5.000&variant=ordinario&resident=on&others=assistenza%20domiciliare%2C%20Nessuna%20tale"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.text("#others-err");
    assert!(
        e.contains("«Nessuna tale» non è una prestazione del catalogo")
            && !e.contains("domiciliare"),
        "{e}"
    );
    let r = c
        .get(&format!(
            "/prestazioni/{extra}/simulatore?isee=5.000&variant=ordinario&resident=on&others=Assistenza%20domiciliare"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text(".sp-error-summary"));

    // No rule on that date, or none at all.
    let r = c
        .get(&format!(
            "/prestazioni/{sad}/simulatore?on=31%2F12%2F{}",
            year - 1
        ))
        .await;
    assert!(
        r.text(".sp-alert--warning")
            .contains(&format!("la prima vale dal 01/01/{year}")),
        "{}",
        r.text("main")
    );
    let maternita = benefit_id(&state, "maternita").await;
    let r = c
        .get(&format!("/prestazioni/{maternita}/simulatore?isee=5000"))
        .await;
    assert!(
        r.text(".sp-alert--warning")
            .contains("la prestazione non ha ancora regole")
    );

    // An age rule needs the birth date (RSA integration: 65 and over).
    let rsa = benefit_id(&state, "integrazione-rsa").await;
    let r = c
        .get(&format!(
            "/prestazioni/{rsa}/simulatore?isee=15000&variant=residenze&resident=on&cost=2000"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text("#birth_date-err")
            .contains("le regole in vigore controllano l'età")
    );
    let r = c
        .get(&format!(
            "/prestazioni/{rsa}/simulatore?isee=15000&variant=residenze&resident=on&cost=3.000&birth_date=01%2F01%2F1940"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text(".sp-error-summary"));
    assert_eq!(
        r.text("#importo"),
        "1.200,00\u{a0}€",
        "50% of 3.000 capped at 1.200"
    );
    assert!(r.body.contains("ridotto al tetto"));
}

async fn a_front_desk_operator_reads_the_catalogue_but_cannot_change_it(state: AppState) {
    let mut boss = manager(&state).await;
    seed(&mut boss).await;
    let org = org_id(&state).await;
    let sad = benefit_id(&state, "sad").await;
    let mut c = staff(&state, ORG, "016024", "sportello", Role::OperatoreSportello).await;

    let r = c.get("/prestazioni").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(texts(&r, "tbody th[scope=row] a").len(), 16);
    assert!(!r.body.contains("Nuova prestazione"));
    let r = c.get(&format!("/prestazioni/{sad}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("in vigore oggi"));
    assert!(!r.body.contains("Nuova versione delle regole"));
    assert!(!r.body.contains("Modifica la prestazione"));
    let r = c
        .get(&format!(
            "/prestazioni/{sad}/simulatore?isee=3000&variant=sociosanitario&resident=on&units=10"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text("#importo"), "0,00\u{a0}€", "first band: free");

    for path in [
        "/prestazioni/nuova".to_owned(),
        format!("/prestazioni/{sad}/modifica"),
        format!("/prestazioni/{sad}/regole/nuova"),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "GET {path}");
        let r = c.post(&path, &AFFITTO).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let r = c.post("/prestazioni/catalogo-base", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(state.store.list_benefits(org).await.unwrap().len(), 16);
    assert_eq!(
        state.store.get_benefit(org, sad).await.unwrap().data.name,
        "Assistenza domiciliare"
    );
    assert_eq!(state.store.benefit_rules(org, sad).await.unwrap().len(), 1);

    // A CAF operator (scope: own records) reads the catalogue and simulates too.
    let mut caf = staff(&state, ORG, "016024", "caf", Role::OperatoreCaf).await;
    let r = caf.get("/prestazioni").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(texts(&r, "tbody th[scope=row] a").len(), 16);
    let r = caf
        .get(&format!(
            "/prestazioni/{sad}/simulatore?isee=6000,01&variant=sociosanitario&resident=on&units=10"
        ))
        .await;
    assert_eq!(r.text("#importo"), "50,00\u{a0}€");
    let r = caf.get("/prestazioni/nuova").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
