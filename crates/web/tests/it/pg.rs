//! The web journeys on PostgreSQL (run when SPORTELLO_TEST_POSTGRES_URL is set).

use crate::support::{self, ADMIN_PASSWORD, Client, Response};
use axum::http::StatusCode;

/// The administrator, signed in on `app`, creates the «Comune di Bergamo» and its operator
/// `op.uno`: the administrator's client and the answer to the operator's creation (its
/// one-time password).
pub(crate) async fn org_and_operator(app: &web::AppState) -> (Client, Response) {
    let mut admin = Client::new(app);
    admin.login_fully("admin", ADMIN_PASSWORD).await;
    let r = admin
        .post(
            "/admin/enti/nuovo",
            &[
                ("codice", "comune-a"),
                ("nome", "Comune di Bergamo"),
                ("tipo", "comune"),
                ("comuni", "016024"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let org = r.location().trim_start_matches("/admin/enti/").to_owned();
    let r = admin
        .post(
            "/admin/utenti/nuovo",
            &[
                ("login", "op.uno"),
                ("nome", "Op Uno"),
                ("ente", &org),
                ("ruolo", "operatore_sportello"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    (admin, r)
}

#[tokio::test]
async fn login_administration_and_audit_work_on_postgresql() {
    let Some(app) = support::app_pg().await else {
        return;
    };
    let (_, r) = org_and_operator(&app).await;
    let pw = r.text("#password-provvisoria");
    let mut op = Client::new(&app);
    op.login_fully("op.uno", &pw).await;
    assert_eq!(
        op.get("/").await.text(".sp-slim__ente").trim(),
        "Comune di Bergamo"
    );
    assert_eq!(op.get("/admin/enti").await.status, StatusCode::FORBIDDEN);
    let check = app::manage::verify_audit(&app.store, &store::conformance::test_key(), None)
        .await
        .unwrap();
    assert!(check.rows >= 6 && check.problems.is_empty(), "{check:?}");
}
