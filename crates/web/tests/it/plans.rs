//! The individual plan (PAI) and the multidimensional assessments through the pages, on
//! SQLite and PostgreSQL.

use crate::support::{Client, Response, staff};
use axum::http::{StatusCode, header};
use domain::Role;
use domain::dates::format_date;
use domain::localtime::today;
use store::{AuditFilter, AuditStore, CaseStore, UserStore};
use web::AppState;

on_both!(
    a_social_worker_writes_a_plan_with_interventions_and_reviews_and_prints_it,
    a_sina_assessment_is_saved_and_shown_and_a_bad_code_is_refused,
);

const ROSSI: [(&str, &str); 10] = [
    ("codice_fiscale", "RSSMRA80A01A794J"),
    ("surname", "Rossi"),
    ("given_names", "Mario"),
    ("sex", "M"),
    ("birth_date", "01/01/1980"),
    ("birthplace", "Bergamo"),
    ("citizenship", "IT"),
    ("residence_istat", "016024"),
    ("residence_street", "Via Roma 1"),
    ("phone", "035 123456"),
];

pub fn day(state: &AppState, offset_days: i64) -> String {
    format_date(today(state.clock.now()) + time::Duration::days(offset_days))
}

/// A social worker of the comune with a person registered and a case file opened today;
/// returns the client and the case file's path.
pub async fn worker_with_case(state: &AppState) -> (Client, String) {
    let mut c = staff(
        state,
        "comune-bergamo",
        "016024",
        "assistente",
        Role::AssistenteSociale,
    )
    .await;
    let r = c.post("/persone/nuova", &ROSSI).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let person = r.location().to_owned();
    let me = state
        .store
        .get_user_by_login(&domain::Login::parse("assistente").unwrap())
        .await
        .unwrap();
    let r = c
        .post(
            &format!("{person}/cartella"),
            &[
                ("worker", &me.id.to_string()),
                ("opened_on", &day(state, 0)),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let case = r.location().to_owned();
    assert!(case.starts_with("/cartelle/"), "{case}");
    (c, case)
}

/// Posts a plan for the case file `case` (its path) from today for a year, its first review
/// in 90 days.
pub async fn post_plan(state: &AppState, c: &mut Client, case: &str) -> Response {
    c.post(
        &format!("{case}/pai"),
        &[
            ("starts_on", &day(state, 0)),
            ("ends_on", &day(state, 365)),
            ("goals", "Mantenere l'autonomia a domicilio"),
            ("commitments", "La figlia accompagna alle visite"),
            ("next_review", &day(state, 90)),
        ],
    )
    .await
}

/// Posts to the plan `plan` (its path) home care from today to `to` (open-ended if empty).
pub async fn post_intervention(state: &AppState, c: &mut Client, plan: &str, to: &str) -> Response {
    c.post(
        &format!("{plan}/interventi"),
        &[
            (
                "description",
                "Assistenza domiciliare per l'igiene personale",
            ),
            ("benefit", "SAD"),
            ("responsible", "Cooperativa Aurora"),
            ("frequency", "2 ore a settimana"),
            ("from", &day(state, 0)),
            ("to", to),
        ],
    )
    .await
}

/// Posts to the plan `plan` (its path) a review done today, the next one in 60 days.
pub async fn post_review(state: &AppState, c: &mut Client, plan: &str) -> Response {
    c.post(
        &format!("{plan}/verifiche"),
        &[
            ("done_on", &day(state, 0)),
            ("outcome", "Obiettivi confermati"),
            ("next_review", &day(state, 60)),
        ],
    )
    .await
}

async fn a_social_worker_writes_a_plan_with_interventions_and_reviews_and_prints_it(
    state: AppState,
) {
    let (mut c, case) = worker_with_case(&state).await;
    let case_id = uuid::Uuid::parse_str(case.trim_start_matches("/cartelle/")).unwrap();

    let r = c.get(&format!("{case}/pai")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Nessun progetto registrato"));
    assert!(r.body.contains("Registra il progetto"));

    // A review before the start is refused with the message, and nothing is saved.
    let r = c
        .post(
            &format!("{case}/pai"),
            &[
                ("starts_on", &day(&state, 0)),
                ("ends_on", ""),
                ("goals", "Mantenere l'autonomia a domicilio"),
                ("commitments", ""),
                ("next_review", &day(&state, -1)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text(".sp-error-summary")
            .contains("la verifica non può precedere l'inizio del progetto"),
        "{}",
        r.text(".sp-error-summary")
    );
    assert!(r.body.contains("autonomia a domicilio"), "values kept");
    let org = org_id(&state).await;
    assert!(
        state
            .store
            .case_plans(org, case_id)
            .await
            .unwrap()
            .is_empty()
    );

    // A good plan.
    let r = post_plan(&state, &mut c, &case).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let plan = r.location().to_owned();
    assert!(plan.starts_with("/pai/"), "{plan}");

    // An intervention, first with an end after the plan's.
    let r = post_intervention(&state, &mut c, &plan, &day(&state, 400)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("non può finire dopo il progetto"),
        "{}",
        r.text(".sp-error-summary")
    );
    let r = post_intervention(&state, &mut c, &plan, "").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );

    // A review.
    let r = post_review(&state, &mut c, &plan).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );

    let r = c.get(&plan).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Cooperativa Aurora"));
    assert!(r.body.contains("Obiettivi confermati"));
    assert!(r.body.contains(&day(&state, 60)), "the next review moved");
    assert!(!r.body.contains("verifica scaduta"));

    let r = c.get(&format!("{case}/pai")).await;
    assert!(r.body.contains("in vigore"));

    // The PDF.
    let res = c.get(&format!("{plan}/pdf")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    let disposition = res
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"pai-"),
        "{disposition}"
    );
    assert!(!disposition.contains('/'), "{disposition}");
    assert!(res.body.starts_with("%PDF"));

    let audit = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("plan.".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for a in [
        "plan.create",
        "plan.intervention",
        "plan.review",
        "plan.print",
    ] {
        assert_eq!(
            actions.iter().filter(|x| **x == a).count(),
            1,
            "{a}: {actions:?}"
        );
    }

    // A front-desk operator may not read the plan.
    let mut sportello = staff(
        &state,
        "comune-bergamo",
        "016024",
        "sportello",
        Role::OperatoreSportello,
    )
    .await;
    assert_eq!(sportello.get(&plan).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        sportello.get(&format!("{case}/pai")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sportello.get(&format!("{plan}/pdf")).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn org_id(state: &AppState) -> uuid::Uuid {
    use store::OrgStore;
    state
        .store
        .get_org_by_code(&domain::OrgCode::parse("comune-bergamo").unwrap())
        .await
        .unwrap()
        .id
}

pub(crate) const SINA: [(&str, &str); 7] = [
    ("mobility", "2"),
    ("daily_living", "2"),
    ("behavioural_disorders", "1"),
    ("income", "2"),
    ("support_network", "1"),
    ("assessment_source", "4"),
    ("assessment_instrument", "1"),
];

async fn a_sina_assessment_is_saved_and_shown_and_a_bad_code_is_refused(state: AppState) {
    let (mut c, case) = worker_with_case(&state).await;

    let r = c.get(&format!("{case}/valutazioni")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("valutazioni/nuova?modulo=sina"),
        "an adult gets SINA"
    );

    let r = c
        .get(&format!("{case}/valutazioni/nuova?modulo=sina"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Mobilità"));
    assert!(r.body.contains("si sposta assistito"));

    // A code not in the list: refused naming the field, the other answers kept.
    let url = format!("{case}/valutazioni/nuova?modulo=sina");
    let mut bad: Vec<(&str, &str)> = SINA
        .iter()
        .map(|(k, v)| {
            if *k == "mobility" {
                (*k, "9")
            } else {
                (*k, *v)
            }
        })
        .collect();
    let today = day(&state, 0);
    bad.push(("assessed_on", &today));
    let r = c.post(&url, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = r.text(".sp-error-summary");
    assert!(summary.contains("Mobilità"), "{summary}");
    assert!(
        r.body
            .contains(r#"<option value="2" selected>parzialmente dipendente"#),
        "values kept"
    );

    // A date in the future is refused too.
    let tomorrow = day(&state, 1);
    let mut future: Vec<(&str, &str)> = SINA.to_vec();
    future.push(("assessed_on", &tomorrow));
    let r = c.post(&url, &future).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text(".sp-error-summary").contains("nel futuro"));

    let mut good: Vec<(&str, &str)> = SINA.to_vec();
    good.push(("assessed_on", &today));
    good.push(("civil_invalidity", "5"));
    good.push(("invalidity_source", "2"));
    let r = c.post(&url, &good).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "{}",
        r.text(".sp-error-summary")
    );
    let shown = r.location().to_owned();
    assert!(shown.starts_with("/valutazioni/"), "{shown}");

    let r = c.get(&shown).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Autonomia funzionale"));
    assert!(r.body.contains("si sposta assistito"));
    assert!(r.body.contains("SVAMA"));

    let r = c.get(&format!("{case}/valutazioni")).await;
    assert!(r.body.contains("SINA-2018.12"));
    assert!(r.body.contains(&shown));

    let audit = state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("assessment.".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}
