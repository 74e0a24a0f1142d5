//! The audit log seen by the revisore: the CSV export, the reads of personal data that are
//! logged, and «who saw this person's data».

use crate::support::{self, Client};
use axum::http::StatusCode;
use domain::Role;
use store::{AuditStore, OrgStore};
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
    let author = web::manage::Author::system(app.clock.now());
    for summary in ["＝cmd|' /C calc'!A0", "=1+1", "＋1", "－1", "＠SUM(A1)"] {
        let e = author.audit(org, "test.note", "nota", None, summary.into());
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
