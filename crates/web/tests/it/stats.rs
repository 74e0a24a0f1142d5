//! The statistics (`/statistiche`) on SQLite and PostgreSQL: a known small population gives
//! the figures worked out by hand; nothing shows before the figures are made, and the page
//! says as of when; an Ambito's dashboard adds up its Comuni side by side; exports suppress
//! person counts under 5 and keep the other counts; a worker without ReportView is refused.

use crate::istanze_fixtures::{assert_redirect, year};
use crate::support::{Client, create_org, staff};
use axum::http::StatusCode;
use domain::{OrgCode, OrgKind, Role};
use store::{AuditFilter, AuditStore, OrgStore, UserStore};
use web::AppState;

on_both!(
    a_known_population_gives_the_figures_worked_out_by_hand,
    an_ambito_adds_up_its_comuni_side_by_side,
    exports_suppress_person_counts_under_five,
    a_worker_without_report_view_is_refused,
);

/// Registers a person with no codice fiscale, born on `day` («dd/mm») of `year`; their id.
async fn person(
    c: &mut Client,
    surname: &str,
    sex: &str,
    (day, year): (&str, i32),
    citizenship: &str,
    istat: &str,
) -> String {
    let birth = format!("{day}/{year}");
    let r = c
        .post(
            "/persone/nuova",
            &[
                ("codice_fiscale", ""),
                ("surname", surname),
                ("given_names", "Prova"),
                ("sex", sex),
                ("birth_date", birth.as_str()),
                ("birthplace", "Bergamo"),
                ("citizenship", citizenship),
                ("residence_istat", istat),
                ("nessun_doppione", "1"),
            ],
        )
        .await;
    assert_redirect(&r);
    r.location().trim_start_matches("/persone/").to_owned()
}

/// A member of staff of the Comune di Bergamo (016024) with `role`, signed in.
async fn bergamo(state: &AppState, login: &str, role: Role) -> Client {
    staff(state, "comune-bergamo", "016024", login, role).await
}

/// Makes the figures again as the responsabile `c` and opens the dashboard.
async fn refreshed(c: &mut Client) -> crate::support::Response {
    assert_redirect(&c.post("/statistiche/aggiorna", &[]).await);
    let r = c.get("/statistiche").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

/// A first access of `person` with `outcome`; where it leads.
async fn access(c: &mut Client, person: &str, outcome: &str) -> String {
    let r = c
        .post(
            &format!("/persone/{person}/accesso"),
            &[
                ("channel", "di_persona"),
                ("needs", "economico"),
                ("request", "Chiede un aiuto"),
                ("outcome", outcome),
            ],
        )
        .await;
    assert_redirect(&r);
    r.location().to_owned()
}

/// A first access taken in charge and the case file opened for `worker_id`.
async fn take_in_charge(c: &mut Client, person: &str, worker_id: &str) {
    let form = access(c, person, "presa_in_carico").await;
    let access_id = form.split("accesso=").nth(1).unwrap().to_owned();
    let page = c.get(&form).await;
    let date = page.attr("#opened_on", "value");
    let r = c
        .post(
            &format!("/persone/{person}/cartella"),
            &[
                ("worker", worker_id),
                ("opened_on", &date),
                ("note", ""),
                ("access", &access_id),
            ],
        )
        .await;
    assert_redirect(&r);
}

async fn user_id(state: &AppState, login: &str) -> String {
    state
        .store
        .get_user_by_login(&domain::Login::parse(login).unwrap())
        .await
        .unwrap()
        .id
        .to_string()
}

/// The cells of the row `label` of the table `id`, as shown.
fn row(r: &crate::support::Response, id: &str, label: &str) -> Vec<String> {
    let html = r.html();
    let rows = scraper::Selector::parse(&format!("#{id} tbody tr")).unwrap();
    let th = scraper::Selector::parse("th").unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    html.select(&rows)
        .find(|tr| {
            tr.select(&th)
                .next()
                .is_some_and(|h| h.text().collect::<String>().trim() == label)
        })
        .map(|tr| {
            tr.select(&td)
                .map(|c| c.text().collect::<String>().trim().to_owned())
                .collect()
        })
        .unwrap_or_else(|| panic!("no row «{label}» in #{id}: {}", r.text(&format!("#{id}"))))
}

/// Comune di Bergamo: Anna (social worker) takes in charge a woman of 80 from Romania and a
/// boy of 10; a man of 46 only asks for information. Worked out by hand: 3 first accesses,
/// 2 taken in charge, 2 case files opened, 2 persons followed (1 F, 1 M; one 0–17, one 75+;
/// one Italian, one of another EU country), Anna's caseload 2.
async fn a_known_population_gives_the_figures_worked_out_by_hand(state: AppState) {
    let mut anna = bergamo(&state, "anna", Role::AssistenteSociale).await;
    let anna_id = user_id(&state, "anna").await;
    let y = year(&state);
    let old = person(
        &mut anna,
        "Popescu",
        "F",
        ("01/03", y - 80),
        "Z129",
        "016024",
    )
    .await;
    let boy = person(&mut anna, "Bianchi", "M", ("01/06", y - 10), "IT", "016024").await;
    let man = person(&mut anna, "Verdi", "M", ("01/06", y - 46), "IT", "016024").await;
    take_in_charge(&mut anna, &old, &anna_id).await;
    take_in_charge(&mut anna, &boy, &anna_id).await;
    access(&mut anna, &man, "informazioni").await;

    let mut resp = bergamo(&state, "capo", Role::Responsabile).await;
    let before = resp.get("/statistiche").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert!(
        before
            .text("#aggiornamento")
            .contains("non ancora calcolati")
    );
    let r = refreshed(&mut resp).await;
    assert!(
        r.text("#aggiornamento").contains("aggiornati al"),
        "{}",
        r.text("#aggiornamento")
    );

    // The month's row and the year's total: accesses, taken in charge, opened, closed, filed.
    let total = row(&r, "mesi", "Totale");
    assert_eq!(total, ["3", "2", "2", "0", "0"]);
    let persons = row(
        &r,
        "persone-area",
        "Totale persone seguite (ciascuna una volta)",
    );
    assert_eq!(persons[1], "2");
    assert_eq!(row(&r, "persone-sesso", "Femmine"), ["1"]);
    assert_eq!(row(&r, "persone-sesso", "Maschi"), ["1"]);
    assert_eq!(row(&r, "persone-eta", "0–17 anni"), ["1"]);
    assert_eq!(row(&r, "persone-eta", "75 anni e oltre"), ["1"]);
    assert_eq!(row(&r, "persone-eta", "35–64 anni"), ["0"]);
    assert_eq!(row(&r, "persone-cittadinanza", "italiana"), ["1"]);
    assert_eq!(
        row(&r, "persone-cittadinanza", "di un altro paese UE"),
        ["1"]
    );
    assert_eq!(row(&r, "carico", "Operatore anna"), ["2"]);
    // One social worker, no registry imported: no inhabitants, no rate.
    assert_eq!(row(&r, "leps", "Comune comune-bergamo"), ["0", "1", "—"]);
    // Every figure opens its list: the accesses open the segretariato, the caseload its page.
    let links = r.html();
    let a = scraper::Selector::parse("#carico tbody a").unwrap();
    assert_eq!(
        links.select(&a).next().and_then(|e| e.value().attr("href")),
        Some("/cartelle/carico")
    );
    // The lists keep their own permissions: the links lead where the responsabile may go.
    assert_eq!(resp.get("/cartelle/carico").await.status, StatusCode::OK);
    // A filter by comune that is not this one leaves nothing.
    let other = resp.get("/statistiche?comune=016011").await;
    assert_eq!(row(&other, "mesi", "Totale"), ["0", "0", "0", "0", "0"]);
    // The refresh was audited.
    let org = state
        .store
        .get_org_by_code(&OrgCode::parse("comune-bergamo").unwrap())
        .await
        .unwrap();
    let audit = state
        .store
        .list_audit(&AuditFilter {
            org_id: Some(org.id),
            action: Some("stats.refresh".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

/// The Ambito of 016024 and 016011 sees the two Comuni side by side and their sum.
async fn an_ambito_adds_up_its_comuni_side_by_side(state: AppState) {
    let comuni = app::manage::parse_comuni("016024, 016011").expect("comuni");
    create_org(
        &state.store,
        state.clock.now(),
        OrgCode::parse("ambito-bergamo").unwrap(),
        "Ambito di Bergamo",
        OrgKind::AmbitoTerritoriale,
        comuni,
    )
    .await;
    let mut bg = bergamo(&state, "op.bg", Role::AssistenteSociale).await;
    let mut other = staff(
        &state,
        "comune-altro",
        "016011",
        "op.altro",
        Role::AssistenteSociale,
    )
    .await;
    let y = year(&state);
    for n in ["Uno", "Due"] {
        let p = person(&mut bg, n, "F", ("01/01", y - 30), "IT", "016024").await;
        access(&mut bg, &p, "informazioni").await;
    }
    let p = person(&mut other, "Tre", "M", ("01/01", y - 30), "IT", "016011").await;
    access(&mut other, &p, "informazioni").await;

    let mut boss = staff(
        &state,
        "ambito-bergamo",
        "016024,016011",
        "capo.ambito",
        Role::Responsabile,
    )
    .await;
    let r = refreshed(&mut boss).await;
    assert!(
        r.text("#aggiornamento").contains("Comune comune-altro"),
        "{}",
        r.text("#aggiornamento")
    );
    let bergamo = row(&r, "comuni", "Bergamo");
    let altro = row(&r, "comuni", "Arcene");
    let total = row(&r, "comuni", "Totale");
    // Columns: persons followed last year and this year, first accesses, taken in charge, …
    assert_eq!(bergamo[2], "2");
    assert_eq!(altro[2], "1");
    assert_eq!(total[2], "3");
    // One comune chosen: only its figures.
    let only = boss.get("/statistiche?comune=016011").await;
    assert_eq!(row(&only, "mesi", "Totale")[0], "1");
}

/// One person followed: the export of the persons' table writes «<5», the counts of
/// accesses are not persons and stay as they are; CSV and XLSX both download.
async fn exports_suppress_person_counts_under_five(state: AppState) {
    let mut anna = bergamo(&state, "anna", Role::AssistenteSociale).await;
    let anna_id = user_id(&state, "anna").await;
    let y = year(&state);
    let p = person(&mut anna, "Solo", "F", ("01/01", y - 40), "IT", "016024").await;
    take_in_charge(&mut anna, &p, &anna_id).await;
    let mut resp = bergamo(&state, "capo", Role::Responsabile).await;
    let page = refreshed(&mut resp).await;
    assert_eq!(row(&page, "persone-sesso", "Femmine"), ["1"]);

    let csv = resp
        .get("/statistiche/export?tabella=persone-sesso&formato=csv")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Femmine;<5"), "{}", csv.body);
    assert!(csv.body.contains("Maschi;0"), "{}", csv.body);
    let months = resp
        .get("/statistiche/export?tabella=mesi&formato=csv")
        .await;
    assert!(months.body.contains("Totale;1;1;1;0;0"), "{}", months.body);
    let xlsx = resp
        .get("/statistiche/export?tabella=persone-area&formato=xlsx")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let missing = resp
        .get("/statistiche/export?tabella=nessuna&formato=csv")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// The counter's operator and the social worker have no ReportView: refused, page, refresh
/// and export alike.
async fn a_worker_without_report_view_is_refused(state: AppState) {
    for (login, role) in [
        ("sportello", Role::OperatoreSportello),
        ("anna", Role::AssistenteSociale),
    ] {
        let mut c = staff(&state, "comune-bergamo", "016024", login, role).await;
        assert_eq!(c.get("/statistiche").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            c.post("/statistiche/aggiorna", &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            c.get("/statistiche/export?tabella=mesi&formato=csv")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}
