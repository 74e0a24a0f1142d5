//! The audit log seen by the revisore: the CSV export, the reads of personal data that are
//! logged, and «who saw this person's data».

use crate::support::{self, Client};
use axum::http::StatusCode;
use domain::Role;
use store::{AuditStore, CaseStore, OrgStore};
use web::AppState;

/// A comune and its revisore, logged in.
async fn revisore(app: &AppState) -> Client {
    support::staff(app, "comune-a", "016024", "revisore.a", Role::Revisore).await
}

async fn org_id(app: &AppState) -> uuid::Uuid {
    let code = domain::OrgCode::parse("comune-a").unwrap();
    app.store.get_org_by_code(&code).await.unwrap().id
}

#[tokio::test]
async fn a_formula_in_an_audit_summary_is_neutralized_in_the_export_fullwidth_included() {
    let app = support::app().await;
    let mut rev = revisore(&app).await;
    let org = org_id(&app).await;
    let author = app::Actor::system(app.store.get_org(org).await.unwrap(), app.clock.now());
    for summary in ["＝cmd|' /C calc'!A0", "=1+1", "＋1", "－1", "＠SUM(A1)"] {
        let e = author.audit("test.note", "nota", None, summary.into());
        app.store.append_audit(&e).await.unwrap();
    }
    let csv = rev.get("/audit/export.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    for neutralized in [
        "'＝cmd|' /C calc'!A0",
        "'=1+1",
        "'＋1",
        "'－1",
        "'＠SUM(A1)",
    ] {
        assert!(
            csv.body.contains(neutralized),
            "{neutralized}: {}",
            csv.body
        );
    }
    let formula_cells = csv
        .body
        .lines()
        .flat_map(|l| l.split(';'))
        .filter(|c| c.starts_with(['=', '+', '@', '＝', '＋', '－', '＠']))
        .count();
    assert_eq!(formula_cells, 0, "{}", csv.body);
}

#[tokio::test]
async fn the_day_filters_are_italian_days() {
    let app = support::app().await;
    let mut rev = revisore(&app).await;
    let org = app.store.get_org(org_id(&app).await).await.unwrap();
    // 00:30 of 1 April 2026 in Italy (summer time) is still 31 March in UTC.
    let at = time::macros::datetime!(2026-03-31 22:30 UTC);
    let e = app::Actor::system(org, at).audit("test.note", "nota", None, "a mezzanotte".into());
    app.store.append_audit(&e).await.unwrap();
    let april = rev.get("/audit?dal=01%2F04%2F2026&al=01%2F04%2F2026").await;
    assert!(april.body.contains("a mezzanotte"), "{}", april.body);
    assert!(
        april.body.contains("01/04/2026 00:30"),
        "shown in Italian time"
    );
    let march = rev.get("/audit?dal=31%2F03%2F2026&al=31%2F03%2F2026").await;
    assert!(!march.body.contains("a mezzanotte"), "{}", march.body);
}

on_both!(every_read_of_personal_data_is_logged_and_the_revisore_finds_it_by_person);

/// An operator of the comune of the istanze fixtures, logged in.
async fn bergamo(state: &AppState, login: &str, role: Role) -> Client {
    support::staff(state, "comune-bergamo", "016024", login, role).await
}

/// The first link on `page` whose address contains `part`.
fn link(page: &support::Response, part: &str) -> String {
    let sel = scraper::Selector::parse(&format!("a[href*='{part}']")).unwrap();
    page.html()
        .select(&sel)
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("no link to {part}: {}", page.body))
        .to_owned()
}

fn id_in(path: &str) -> uuid::Uuid {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap();
    uuid::Uuid::parse_str(last).unwrap()
}

async fn every_read_of_personal_data_is_logged_and_the_revisore_finds_it_by_person(
    state: AppState,
) {
    use crate::istanze_fixtures::{
        ROSSI_CF, assert_redirect, attest, file_mensa, office, org_id, register_rossi,
        upload_identity,
    };
    use domain::dates::format_date;
    use domain::localtime::today;
    use store::UserStore;
    let (_resp, mut op) = office(&state).await;
    let org = org_id(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &person).await;
    let app = file_mensa(&state, &mut op, &person, &attestation).await;
    upload_identity(&mut op, &app).await;

    // The case file, with a confidential diary entry, a document, a plan and an assessment
    // by the assigned social worker.
    let mut aw = bergamo(&state, "assistente", Role::AssistenteSociale).await;
    let me = state
        .store
        .get_user_by_login(&domain::Login::parse("assistente").unwrap())
        .await
        .unwrap();
    let now = format_date(today(state.clock.now()));
    let review = format_date(today(state.clock.now()) + time::Duration::days(90));
    let r = aw
        .post(
            &format!("{person}/cartella"),
            &[("worker", &me.id.to_string()), ("opened_on", &now)],
        )
        .await;
    assert_redirect(&r);
    let case = r.location().to_owned();
    let diary = [
        ("kind", "colloquio"),
        ("date", now.as_str()),
        ("confidentiality", "riservato"),
        ("title", "Colloquio riservato"),
        ("body", "Racconta di difficoltà in famiglia."),
    ];
    assert_redirect(&aw.post(&format!("{case}/diario"), &diary).await);
    let r = aw
        .upload(
            &format!("{case}/documenti"),
            &[("description", "Relazione"), ("confidentiality", "normale")],
            Some(("relazione.pdf", &crate::support::minimal_pdf())),
        )
        .await;
    assert_redirect(&r);
    let plan_form = [
        ("starts_on", now.as_str()),
        ("ends_on", ""),
        ("goals", "Mantenere l'autonomia a domicilio"),
        ("commitments", ""),
        ("next_review", review.as_str()),
    ];
    let r = aw.post(&format!("{case}/pai"), &plan_form).await;
    assert_redirect(&r);
    let plan = r.location().to_owned();
    let mut sina: Vec<(&str, &str)> = crate::plans::SINA.to_vec();
    sina.push(("assessed_on", &now));
    let r = aw
        .post(&format!("{case}/valutazioni/nuova?modulo=sina"), &sina)
        .await;
    assert_redirect(&r);
    let assessment = r.location().to_owned();

    // A first access at the counter.
    let r = op
        .post(
            &format!("{person}/accesso"),
            &[
                ("channel", "di_persona"),
                ("needs", "economico"),
                ("request", "Chiede informazioni sui contributi"),
                ("outcome", "informazioni"),
            ],
        )
        .await;
    assert_redirect(&r);
    let access = state
        .store
        .person_accesses(org, id_in(&person))
        .await
        .unwrap()[0]
        .id;

    // The reads: the counter operator's, then the assigned worker's own.
    assert_eq!(op.get(&person).await.status, StatusCode::OK);
    assert_eq!(
        op.get(&format!("{person}/modifica")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        op.get(&format!("/accessi/{access}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        op.get(&format!("{person}/isee")).await.status,
        StatusCode::OK
    );
    let page = op.get(&app).await;
    assert_eq!(page.status, StatusCode::OK);
    let app_doc = link(&page, &format!("{app}/documenti/"));
    assert_eq!(op.get(&app_doc).await.status, StatusCode::OK);
    let op_user = state
        .store
        .get_user_by_login(&domain::Login::parse("sportello").unwrap())
        .await
        .unwrap();
    let org_row = state.store.get_org(org).await.unwrap();
    let (token, _) = app::manage::create_token(
        &state.store,
        &app::Actor::system(org_row.clone(), state.clock.now()),
        &op_user,
        &org_row,
        "prova",
        store::TOKEN_DAYS,
    )
    .await
    .unwrap();
    let req = axum::http::Request::get(format!("/api/v1{app}"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(Client::new(&state).send(req).await.status, StatusCode::OK);
    let page = aw.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Colloquio riservato"));
    let case_doc = link(&page, &format!("{case}/documenti/"));
    assert_eq!(aw.get(&case_doc).await.status, StatusCode::OK);
    assert_eq!(aw.get(&plan).await.status, StatusCode::OK);
    assert_eq!(aw.get(&assessment).await.status, StatusCode::OK);
    state.reads.flush().await;

    let confidential = state
        .store
        .diary_entries(org, id_in(&case), Some(0), 0, 10)
        .await
        .unwrap()
        .entries[0]
        .id;
    let expected = [
        ("person.view", "sportello", id_in(&person), 2),
        ("access.view", "sportello", access, 1),
        (
            "attestation.view",
            "sportello",
            uuid::Uuid::parse_str(&attestation).unwrap(),
            1,
        ),
        ("application.view", "sportello", id_in(&app), 2),
        ("document.view", "sportello", id_in(&app_doc), 1),
        ("casefile.view", "assistente", id_in(&case), 1),
        ("confidential.view", "assistente", id_in(&case), 1),
        ("document.view", "assistente", id_in(&case_doc), 1),
        ("plan.view", "assistente", id_in(&plan), 1),
        ("assessment.view", "assistente", id_in(&assessment), 1),
    ];
    for (action, actor, record, n) in expected {
        let f = store::AuditFilter {
            org_id: Some(org),
            action_prefix: Some(action.into()),
            record_id: Some(record),
            limit: 10,
            ..Default::default()
        };
        let rows = state.store.list_audit(&f).await.unwrap();
        assert_eq!(rows.len(), n, "{action} of {record}: {rows:?}");
        assert!(rows.iter().all(|r| r.actor == actor), "{action}: {rows:?}");
        if action == "confidential.view" {
            assert!(
                rows[0].summary.contains(&confidential.to_string()),
                "{rows:?}"
            );
        }
    }

    // The revisore finds them all by the person's codice fiscale; the search is logged.
    let mut rev = bergamo(&state, "revisore", Role::Revisore).await;
    let page = rev
        .get(&format!("/audit/persona?cf={}", ROSSI_CF.to_lowercase()))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (action, ..) in expected {
        assert!(page.body.contains(action), "{action}: {}", page.body);
    }
    assert!(page.body.contains("Rossi"), "{}", page.body);
    state.reads.flush().await;
    let searched = store::AuditFilter {
        org_id: Some(org),
        action_prefix: Some("audit.person_search".into()),
        record_id: Some(id_in(&person)),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(state.store.count_audit(&searched).await.unwrap(), 1);
    let bad = rev.get("/audit/persona?cf=XYZ").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#cf-err").contains("16"), "{}", bad.body);

    // Without AuditView: 403. Another organization's person: 404.
    assert_eq!(
        op.get(&format!("/audit/persona?cf={ROSSI_CF}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut other = support::staff(
        &state,
        "comune-altro",
        "016025",
        "sportello.altro",
        Role::OperatoreSportello,
    )
    .await;
    let elsewhere = register_rossi(&mut other).await;
    assert_eq!(
        rev.get(&format!("/audit/persona?id={}", id_in(&elsewhere)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
