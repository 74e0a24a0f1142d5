//! Segretariato and cartella sociale through the pages: first access, taking in charge,
//! states, confidential diary entries and break-glass access, caseloads, on both databases.

use crate::support::{Client, minimal_pdf, staff};
use axum::http::StatusCode;
use domain::Role;
use store::{AuditFilter, AuditStore, UserStore};
use web::AppState;

on_both!(
    a_walk_in_is_recorded_and_taken_in_charge_with_a_numbered_case_file,
    a_confidential_entry_is_hidden_from_other_workers_until_a_logged_break_glass,
    a_long_diary_is_read_fifty_entries_a_page_newest_first,
    state_changes_follow_their_rules_dates_and_versions,
    a_responsabile_sees_caseloads_and_reassigns_in_bulk,
    a_bad_access_record_names_its_fields_and_saves_nothing,
    documents_are_checked_by_content_and_confidential_ones_stay_with_the_team,
);

const ORG: &str = "comune-bergamo";
const ISTAT: &str = "016024";

async fn worker(state: &AppState, login: &str, role: Role) -> (Client, String) {
    let c = staff(state, ORG, ISTAT, login, role).await;
    let id = state
        .store
        .get_user_by_login(&domain::Login::parse(login).unwrap())
        .await
        .unwrap()
        .id;
    (c, id.to_string())
}

/// Registers Mario Rossi, born on 01/01/1980, and returns his id.
pub(crate) async fn person(c: &mut Client) -> String {
    let r = c
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", "RSSMRA80A01A794J"),
                ("surname", "Rossi"),
                ("given_names", "Mario"),
                ("sex", "M"),
                ("birth_date", "01/01/1980"),
                ("birthplace", "Bergamo"),
                ("citizenship", "IT"),
                ("residence_istat", ISTAT),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    r.location().trim_start_matches("/persone/").to_owned()
}

/// A walk-in recorded and taken in charge by `worker_id`; returns the case page path.
async fn take_in_charge(c: &mut Client, person: &str, worker_id: &str) -> String {
    let r = c
        .post(
            &format!("/persone/{person}/accesso"),
            &[
                ("channel", "di_persona"),
                ("needs", "economico"),
                ("needs", "abitativo"),
                ("request", "Chiede aiuto per l'affitto arretrato"),
                ("outcome", "presa_in_carico"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let form = r.location().to_owned();
    assert!(
        form.starts_with(&format!("/persone/{person}/cartella?accesso=")),
        "{form}"
    );
    let access = form.split("accesso=").nth(1).unwrap().to_owned();
    let page = c.get(&form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text("main"));
    assert!(page.text("main").contains("Chiede aiuto per l'affitto"));
    let date = page
        .html()
        .select(&scraper::Selector::parse("#opened_on").unwrap())
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned();
    let r = c
        .post(
            &format!("/persone/{person}/cartella"),
            &[
                ("worker", worker_id),
                ("opened_on", &date),
                ("note", ""),
                ("access", &access),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    r.location().to_owned()
}

fn date_today(c_body: &str) -> String {
    let html = scraper::Html::parse_document(c_body);
    html.select(&scraper::Selector::parse("#state-date").unwrap())
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned()
}

async fn a_walk_in_is_recorded_and_taken_in_charge_with_a_numbered_case_file(state: AppState) {
    let (mut anna, anna_id) = worker(&state, "anna", Role::AssistenteSociale).await;
    let p = person(&mut anna).await;
    let case = take_in_charge(&mut anna, &p, &anna_id).await;
    let page = anna.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("h1").contains("/00001"), "{}", page.text("h1"));
    assert!(page.text(".sp-lead").contains("aperta"));
    // The person's page links the file; the desk lists it; the access record points to it.
    let person_page = anna.get(&format!("/persone/{p}")).await;
    assert!(
        person_page
            .text("#servizio ~ p, .sp-card")
            .contains("Cartella sociale n.")
    );
    assert!(anna.get("/").await.text("main").contains("Le mie cartelle"));
    let desk = anna.get("/segretariato").await;
    assert!(
        desk.text("table").contains("presa in carico"),
        "{}",
        desk.text("main")
    );
    // Taking in charge again leads to the same file.
    let again = anna.get(&format!("/persone/{p}/cartella")).await;
    assert_eq!(again.location(), case);
    let audit = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("casefile.open".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

async fn a_confidential_entry_is_hidden_from_other_workers_until_a_logged_break_glass(
    state: AppState,
) {
    let (mut anna, anna_id) = worker(&state, "anna", Role::AssistenteSociale).await;
    let p = person(&mut anna).await;
    let case = take_in_charge(&mut anna, &p, &anna_id).await;
    let today = date_today(&anna.get(&case).await.body);
    let r = anna
        .post(
            &format!("{case}/diario"),
            &[
                ("kind", "colloquio"),
                ("date", &today),
                ("confidentiality", "riservato"),
                ("title", "Colloquio riservato"),
                ("body", "Racconta di violenze in famiglia."),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    assert!(anna.get(&case).await.body.contains("Racconta di violenze"));

    let (mut bruno, _) = worker(&state, "bruno", Role::AssistenteSociale).await;
    let page = bruno.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Racconta di violenze"));
    assert!(page.body.contains("1 annotazione riservata non è mostrata"));
    let r = bruno
        .post(&format!("{case}/diario"), &[("kind", "nota")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not assigned: cannot write"
    );
    let r = bruno
        .post(
            &format!("{case}/accesso-straordinario"),
            &[("reason", "urgente")],
        )
        .await;
    assert!(
        bruno.get(&case).await.body.contains("Dati non salvati"),
        "{}",
        r.status
    );
    assert!(!bruno.get(&case).await.body.contains("Racconta di violenze"));

    let (mut resp, _) = worker(&state, "capo", Role::Responsabile).await;
    assert!(!resp.get(&case).await.body.contains("Racconta di violenze"));
    let reason = "Segnalazione urgente del pronto soccorso";
    let r = resp
        .post(
            &format!("{case}/accesso-straordinario"),
            &[("reason", reason)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = resp.get(&case).await;
    assert!(page.body.contains("Racconta di violenze"));
    assert!(page.body.contains("accesso straordinario"));
    // Logged with its reason, and shown to the assigned worker on the file and on the desk.
    let logged = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("casefile.breakglass".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].reason.as_deref(), Some(reason));
    assert_eq!(logged[0].actor, "capo");
    assert!(
        anna.get(&case)
            .await
            .text("#straordinari ~ div")
            .contains(reason)
    );
    assert!(anna.get("/").await.body.contains(reason));
    // Every read is logged once, the assigned worker's too (bruno opened the page three
    // times); front desk and other organizations see nothing.
    state.reads.flush().await;
    let reads = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("casefile.view".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(reads.iter().filter(|r| r.actor == "bruno").count(), 3);
    assert!(reads.iter().any(|r| r.actor == "anna"));
    assert!(reads.iter().any(|r| r.actor == "capo"));
    let (mut desk, _) = worker(&state, "sportello", Role::OperatoreSportello).await;
    assert_eq!(desk.get(&case).await.status, StatusCode::FORBIDDEN);
    assert!(
        !desk
            .get(&format!("/persone/{p}"))
            .await
            .body
            .contains("Cartella sociale n.")
    );
    let mut other = staff(
        &state,
        "comune-seriate",
        "016203",
        "sara",
        Role::AssistenteSociale,
    )
    .await;
    assert_eq!(other.get(&case).await.status, StatusCode::NOT_FOUND);
}

/// The titles of the diary entries a case page shows, in page order.
fn diary_titles(body: &str) -> Vec<String> {
    let html = scraper::Html::parse_document(body);
    html.select(&scraper::Selector::parse(".sp-diary h3").unwrap())
        .map(|h| h.text().collect::<String>())
        .collect()
}

async fn a_long_diary_is_read_fifty_entries_a_page_newest_first(state: AppState) {
    let (mut anna, anna_id) = worker(&state, "anna", Role::AssistenteSociale).await;
    let p = person(&mut anna).await;
    let case = take_in_charge(&mut anna, &p, &anna_id).await;
    let today = date_today(&anna.get(&case).await.body);
    for i in 1..=56 {
        let title = format!("Nota {i:02}");
        // The last one is confidential: a reader outside the team neither sees nor counts it.
        let confidentiality = if i == 56 { "riservato" } else { "normale" };
        let r = anna
            .post(
                &format!("{case}/diario"),
                &[
                    ("kind", "nota"),
                    ("date", &today),
                    ("confidentiality", confidentiality),
                    ("title", &title),
                    ("body", "Aggiornamento."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{title}");
    }
    let first = anna.get(&case).await;
    let titles = diary_titles(&first.body);
    let expected: Vec<String> = (7..=56).rev().map(|i| format!("Nota {i:02}")).collect();
    assert_eq!(titles, expected, "the latest fifty, newest first");
    assert!(first.text("main").contains("Annotazioni 1–50 di 56"));
    assert!(first.body.contains(&format!("{case}?diario=2#diario")));
    assert!(!first.body.contains("Annotazioni più recenti"));

    let second = anna.get(&format!("{case}?diario=2")).await;
    assert_eq!(second.status, StatusCode::OK);
    let expected: Vec<String> = (1..=6).rev().map(|i| format!("Nota {i:02}")).collect();
    assert_eq!(diary_titles(&second.body), expected, "the oldest six");
    assert!(second.text("main").contains("Annotazioni 51–56 di 56"));
    assert!(second.body.contains(&format!("{case}?diario=1#diario")));
    assert!(!second.body.contains("Annotazioni meno recenti"));

    let past = anna.get(&format!("{case}?diario=9")).await;
    assert_eq!(past.status, StatusCode::OK);
    assert!(diary_titles(&past.body).is_empty());
    assert!(
        past.text("main")
            .contains("Nessuna annotazione in questa pagina")
    );

    let (mut bruno, _) = worker(&state, "bruno", Role::AssistenteSociale).await;
    let other = bruno.get(&case).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(diary_titles(&other.body)[0], "Nota 55");
    assert!(other.text("main").contains("Annotazioni 1–50 di 55"));
    assert!(
        other
            .body
            .contains("1 annotazione riservata non è mostrata")
    );
}

async fn state_changes_follow_their_rules_dates_and_versions(state: AppState) {
    let (mut anna, anna_id) = worker(&state, "anna", Role::AssistenteSociale).await;
    let p = person(&mut anna).await;
    let case = take_in_charge(&mut anna, &p, &anna_id).await;
    let page = anna.get(&case).await;
    let today = date_today(&page.body);
    let version = |body: &str| {
        scraper::Html::parse_document(body)
            .select(&scraper::Selector::parse("input[name=version]").unwrap())
            .next()
            .and_then(|e| e.value().attr("value"))
            .unwrap()
            .to_owned()
    };
    let v1 = version(&page.body);
    let r = anna
        .post(
            &format!("{case}/stato"),
            &[
                ("to", "chiusa"),
                ("date", "01/01/2000"),
                ("close_reason", "obiettivi_raggiunti"),
                ("version", &v1),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = anna.get(&case).await;
    assert!(
        page.body.contains("non può precedere"),
        "{}",
        page.text(".sp-alert")
    );
    assert!(page.text(".sp-lead").contains("aperta"));
    let r = anna
        .post(
            &format!("{case}/stato"),
            &[
                ("to", "chiusa"),
                ("date", &today),
                ("close_reason", "obiettivi_raggiunti"),
                ("version", &v1),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = anna.get(&case).await;
    assert!(
        page.text(".sp-lead").contains("chiusa"),
        "{}",
        page.text("main")
    );
    // A closed file takes no entries; a stale form is refused; reopening needs a reason.
    let r = anna
        .post(
            &format!("{case}/diario"),
            &[
                ("kind", "nota"),
                ("date", &today),
                ("confidentiality", "normale"),
                ("title", "x"),
                ("body", "y"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = anna
        .post(
            &format!("{case}/stato"),
            &[
                ("to", "aperta"),
                ("date", &today),
                ("note", "Nuova richiesta"),
                ("version", &v1),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(anna.get(&case).await.body.contains("Qualcun altro"));
    let v2 = version(&anna.get(&case).await.body);
    anna.post(
        &format!("{case}/stato"),
        &[("to", "aperta"), ("date", &today), ("version", &v2)],
    )
    .await;
    assert!(anna.get(&case).await.body.contains("indicare il motivo"));
    anna.post(
        &format!("{case}/stato"),
        &[
            ("to", "aperta"),
            ("date", &today),
            ("note", "Nuova richiesta"),
            ("version", &v2),
        ],
    )
    .await;
    let page = anna.get(&case).await;
    assert!(page.text(".sp-lead").contains("aperta"));
    assert!(
        page.text("table").contains("riapertura"),
        "{}",
        page.text("table")
    );
}

async fn a_responsabile_sees_caseloads_and_reassigns_in_bulk(state: AppState) {
    let (mut anna, anna_id) = worker(&state, "anna", Role::AssistenteSociale).await;
    let (_, bruno_id) = worker(&state, "bruno", Role::AssistenteSociale).await;
    let p = person(&mut anna).await;
    let case = take_in_charge(&mut anna, &p, &anna_id).await;
    let case_id = case.trim_start_matches("/cartelle/").to_owned();
    let (mut capo, _) = worker(&state, "capo", Role::Responsabile).await;
    let load = capo.get("/cartelle/carico").await;
    assert!(load.text("table").contains("Operatore anna"));
    let list = capo
        .get(&format!("/cartelle/carico?operatore={anna_id}"))
        .await;
    assert!(list.body.contains(&case_id));
    let r = capo
        .post(
            "/cartelle/carico",
            &[("from", &anna_id), ("case", &case_id), ("to", &bruno_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        capo.get(&case)
            .await
            .text(".sp-lead")
            .contains("Operatore bruno")
    );
    assert_eq!(
        anna.get("/cartelle/carico").await.status,
        StatusCode::FORBIDDEN
    );
    let audit = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("casefile.reassign".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

async fn a_bad_access_record_names_its_fields_and_saves_nothing(state: AppState) {
    let (mut desk, _) = worker(&state, "sportello", Role::OperatoreSportello).await;
    let p = person(&mut desk).await;
    let r = desk
        .post(
            &format!("/persone/{p}/accesso"),
            &[
                ("channel", "scuola"),
                ("needs", "fame"),
                ("request", " "),
                ("outcome", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r.text(".sp-error-summary");
    for text in [
        "chi ha segnalato",
        "bisogni espressi",
        "la richiesta",
        "l'esito",
    ] {
        assert!(summary.contains(text), "{text}: {summary}");
    }
    assert!(
        desk.get("/segretariato")
            .await
            .body
            .contains("Nessun accesso registrato oggi")
    );
    // The front desk records accesses but cannot take in charge.
    assert_eq!(
        desk.get(&format!("/persone/{p}/cartella")).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn documents_are_checked_by_content_and_confidential_ones_stay_with_the_team(
    state: AppState,
) {
    let (mut anna, anna_id) = worker(&state, "anna", Role::AssistenteSociale).await;
    let p = person(&mut anna).await;
    let case = take_in_charge(&mut anna, &p, &anna_id).await;
    let pdf = minimal_pdf();
    let r = anna
        .upload(
            &format!("{case}/documenti"),
            &[
                ("description", "Relazione del consultorio"),
                ("confidentiality", "riservato"),
            ],
            Some(("relazione è.pdf", &pdf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // An executable named .pdf is refused, naming the file, and nothing is stored.
    anna.upload(
        &format!("{case}/documenti"),
        &[("description", "Finto"), ("confidentiality", "normale")],
        Some(("isee.pdf", b"MZ\x90\x00 programma")),
    )
    .await;
    let page = anna.get(&case).await;
    assert!(
        page.body.contains("Documento non salvato"),
        "{}",
        page.text(".sp-alert")
    );
    let table = page.text("#documenti + div table");
    assert!(
        table.contains("relazione è.pdf") && !table.contains("isee.pdf"),
        "{table}"
    );
    let link = scraper::Html::parse_document(&page.body)
        .select(&scraper::Selector::parse("a[href*='/documenti/']").unwrap())
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap()
        .to_owned();
    let got = anna.get(&link).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers["content-type"], "application/pdf");
    assert!(
        got.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // The body is read as text: the binary PDF compares as the same lossy text.
    assert_eq!(got.body, String::from_utf8_lossy(&pdf));
    let (mut bruno, _) = worker(&state, "bruno", Role::AssistenteSociale).await;
    assert!(!bruno.get(&case).await.body.contains("relazione"));
    assert_eq!(bruno.get(&link).await.status, StatusCode::FORBIDDEN);
}
