//! The segretariato remembers: accesses listed by period and operator, recorded later with
//! their real day and hour, follow-ups due until marked done, counts by need; on both
//! databases.

use crate::cases::person;
use crate::istanze_fixtures::assert_redirect;
use crate::support::{Client, staff};
use axum::http::StatusCode;
use domain::Role;
use domain::dates::format_date;
use store::{AuditFilter, AuditStore, CaseStore, OrgStore};
use time::Duration;
use web::AppState;

on_both!(
    accesses_are_listed_by_period_and_operator_with_their_counts_by_need,
    an_access_recorded_later_keeps_its_day_and_hour_never_future_nor_before_birth,
    a_follow_up_stays_due_until_marked_done_and_the_mark_is_audited,
    the_segretariato_is_refused_to_roles_without_it_and_to_other_organizations,
);

const ORG: &str = "comune-bergamo";
const ISTAT: &str = "016024";

/// Records an access of `person` with `extra` fields (day, hour, follow-up) and the given
/// needs; returns the response.
async fn access(
    c: &mut Client,
    person: &str,
    needs: &[&str],
    extra: &[(&str, &str)],
) -> crate::support::Response {
    let mut form = vec![
        ("channel", "di_persona"),
        ("request", "Chiede informazioni sui contributi"),
        ("outcome", "informazioni"),
    ];
    form.extend(needs.iter().map(|n| ("needs", *n)));
    form.extend_from_slice(extra);
    c.post(&format!("/persone/{person}/accesso"), &form).await
}

fn day(state: &AppState, days: i64) -> String {
    format_date(domain::localtime::today(state.clock.now()) + Duration::days(days))
}

async fn accesses_are_listed_by_period_and_operator_with_their_counts_by_need(state: AppState) {
    let mut desk = staff(&state, ORG, ISTAT, "sportello", Role::OperatoreSportello).await;
    let mut anna = staff(&state, ORG, ISTAT, "anna", Role::AssistenteSociale).await;
    let p = person(&mut desk).await;
    // The person's history names the operator, not their login.
    let history = desk.get(&format!("/persone/{p}")).await.body;
    assert!(
        history.contains("· Operatore sportello · Scheda creata"),
        "{history}"
    );
    let r = access(&mut desk, &p, &["economico", "abitativo"], &[]).await;
    assert_redirect(&r);
    let three_days_ago = day(&state, -3);
    let r = access(
        &mut anna,
        &p,
        &["economico"],
        &[("date", &three_days_ago), ("time", "09:30")],
    )
    .await;
    assert_redirect(&r);

    // Today's list: only the access of today, by the operator's full name, not the login.
    let today = desk.get("/segretariato").await;
    assert_eq!(today.status, StatusCode::OK);
    let list = today.text("#accessi tbody");
    assert!(list.contains("Operatore sportello"), "{list}");
    assert!(!list.contains("Operatore anna"), "{list}");
    let counts = today.text("#bisogni tbody");
    assert!(
        counts.contains("difficoltà economichePovertà ed esclusione sociale1"),
        "{counts}"
    );
    assert!(counts.contains("sfratto"), "{counts}");

    // The period in the query string: both accesses, the economic need counted twice.
    let period = format!(
        "/segretariato?dal={}&al={}",
        crate::support::enc(&three_days_ago),
        crate::support::enc(&day(&state, 0))
    );
    let page = desk.get(&period).await;
    let list = page.text("#accessi tbody");
    assert!(
        list.contains("Operatore anna") && list.contains("Operatore sportello"),
        "{list}"
    );
    assert!(list.contains(&format!("{three_days_ago} 09:30")), "{list}");
    assert!(
        page.text("#bisogni tbody")
            .contains("difficoltà economichePovertà ed esclusione sociale2")
    );
    assert!(
        page.body
            .contains(&format!("Accessi dal {three_days_ago} al "))
    );

    // By operator: anna's access only, and her counts only.
    let mine = desk.get(&format!("{period}&operatore=anna")).await;
    let list = mine.text("#accessi tbody");
    assert!(
        list.contains("Operatore anna") && !list.contains("Operatore sportello"),
        "{list}"
    );
    assert!(
        mine.text("#bisogni tbody")
            .contains("difficoltà economichePovertà ed esclusione sociale1")
    );
    assert!(!mine.text("#bisogni tbody").contains("sfratto"));

    // The counts as CSV, for the same filters.
    let csv = desk
        .get(&format!(
            "/segretariato/bisogni.csv?dal={}&al={}",
            crate::support::enc(&three_days_ago),
            crate::support::enc(&day(&state, 0))
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("bisogno"), "{}", csv.body);
    let economic = csv
        .body
        .lines()
        .find(|l| l.contains("difficoltà economiche"))
        .unwrap_or_default()
        .to_owned();
    assert!(economic.ends_with('2'), "{}", csv.body);

    // Bad filters name their field and list nothing.
    let bad = desk
        .get("/segretariato?dal=31/02/2026&operatore=nessuno")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = bad.text(".sp-error-summary");
    assert!(
        summary.contains("nessuno") && summary.contains("gg/mm/aaaa"),
        "{summary}"
    );
    let reversed = desk
        .get(&format!(
            "/segretariato?dal={}&al={}",
            crate::support::enc(&day(&state, 0)),
            crate::support::enc(&three_days_ago)
        ))
        .await;
    assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn an_access_recorded_later_keeps_its_day_and_hour_never_future_nor_before_birth(
    state: AppState,
) {
    let mut desk = staff(&state, ORG, ISTAT, "sportello", Role::OperatoreSportello).await;
    let p = person(&mut desk).await;
    let future = access(
        &mut desk,
        &p,
        &["economico"],
        &[("date", &day(&state, 1)), ("time", "09:00")],
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(future.text(".sp-error-summary").contains("futuro"));
    let before_birth = access(
        &mut desk,
        &p,
        &["economico"],
        &[("date", "31/12/1979"), ("time", "09:00")],
    )
    .await;
    assert_eq!(before_birth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        before_birth
            .text(".sp-error-summary")
            .contains("nascita della persona (01/01/1980)")
    );
    let yesterday = day(&state, -1);
    let r = access(
        &mut desk,
        &p,
        &["economico"],
        &[("date", &yesterday), ("time", "16:45")],
    )
    .await;
    assert_redirect(&r);
    let org = state
        .store
        .get_org_by_code(&domain::OrgCode::parse(ORG).unwrap())
        .await
        .unwrap();
    let saved = state
        .store
        .person_accesses(org.id, p.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(saved.len(), 1, "the refused ones saved nothing");
    let a = &saved[0];
    assert!(a.recorded_at_us > a.at_us);
    let page = desk.get(&format!("/accessi/{}", a.id)).await;
    assert!(
        page.text("h1").contains(&format!("{yesterday} 16:45")),
        "{}",
        page.text("h1")
    );
    assert!(
        page.text("main")
            .contains("Registrato daOperatore sportello, il "),
        "{}",
        page.text("main")
    );
    // Not today's access: today's list leaves it out.
    assert!(
        desk.get("/segretariato")
            .await
            .body
            .contains("Nessun accesso registrato oggi")
    );
}

async fn a_follow_up_stays_due_until_marked_done_and_the_mark_is_audited(state: AppState) {
    let mut desk = staff(&state, ORG, ISTAT, "sportello", Role::OperatoreSportello).await;
    let p = person(&mut desk).await;
    let due_on = day(&state, 2);
    let r = access(
        &mut desk,
        &p,
        &["economico"],
        &[
            ("date", &day(&state, -5)),
            ("time", "10:00"),
            ("follow_up", "Richiamare con l'esito dell'ISEE"),
            ("follow_up_date", &due_on),
        ],
    )
    .await;
    assert_redirect(&r);
    // Out of today's period, still due: on the list of follow-ups.
    let page = desk.get("/segretariato").await;
    let due = page.text("#seguiti tbody");
    assert!(
        due.contains("Richiamare con l'esito") && due.contains(&due_on),
        "{due}"
    );
    let action = page.attr("#seguiti form", "action");
    let id = action
        .trim_start_matches("/accessi/")
        .trim_end_matches("/seguito-fatto")
        .to_owned();
    let r = desk
        .post(&action, &[("back", "/segretariato?dal=&al=")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/segretariato?dal=&al=");
    let page = desk.get(r.location()).await;
    assert!(
        page.body.contains("è segnato come fatto"),
        "{}",
        page.text("main")
    );
    assert!(page.text("#seguiti").is_empty());
    assert!(page.body.contains("Nessun seguito da fare"));
    let show = desk.get(&format!("/accessi/{id}")).await;
    assert!(
        show.text("main").contains("fatto il ")
            && show.text("main").contains("da Operatore sportello"),
        "{}",
        show.text("main")
    );
    assert!(!show.body.contains("Segna il seguito come fatto"));
    // Done once: a second mark is refused and writes nothing.
    let again = desk.post(&action, &[]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let audit = state
        .store
        .list_audit(&AuditFilter {
            action: Some("access.follow_up.done".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "sportello");
    assert!(audit[0].summary.contains("Richiamare"));
    // A follow-up from outside the office's pages goes back to the access.
    let r = access(
        &mut desk,
        &p,
        &["lavoro"],
        &[("follow_up", "Inviare il modulo")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let action = desk
        .get("/segretariato")
        .await
        .attr("#seguiti form", "action");
    let r = desk
        .post(&action, &[("back", "https://example.com/")])
        .await;
    assert_eq!(r.location(), action.trim_end_matches("/seguito-fatto"));
}

async fn the_segretariato_is_refused_to_roles_without_it_and_to_other_organizations(
    state: AppState,
) {
    let mut desk = staff(&state, ORG, ISTAT, "sportello", Role::OperatoreSportello).await;
    let p = person(&mut desk).await;
    let r = access(
        &mut desk,
        &p,
        &["economico"],
        &[("follow_up", "Richiamare")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let action = desk
        .get("/segretariato")
        .await
        .attr("#seguiti form", "action");
    let access_page = action.trim_end_matches("/seguito-fatto").to_owned();

    let mut accounts = staff(&state, ORG, ISTAT, "conti", Role::Ragioneria).await;
    for path in ["/segretariato", "/segretariato/bisogni.csv", &access_page] {
        assert_eq!(
            accounts.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        accounts.post(&action, &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let mut other = staff(
        &state,
        "comune-treviglio",
        "016219",
        "altro",
        Role::OperatoreSportello,
    )
    .await;
    assert_eq!(other.get(&access_page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&action, &[]).await.status, StatusCode::NOT_FOUND);
    assert!(
        other
            .get("/segretariato")
            .await
            .body
            .contains("Nessun seguito da fare")
    );
    // Still due in its own organization.
    assert!(
        desk.get("/segretariato")
            .await
            .text("#seguiti")
            .contains("Richiamare")
    );
}
