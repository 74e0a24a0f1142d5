//! Test support: a fresh, migrated database per test on the server named by
//! `SPORTELLO_TEST_POSTGRES_URL`. Without it the caller skips, loudly, and
//! `SPORTELLO_REQUIRE_ALL=1` turns the skip into a failure.

use crate::Db;
use sqlx::Connection;

/// Opens a new database `sportello_t_<uuid>` created for this test, or `None` (skip).
pub async fn fresh_db() -> Option<Db> {
    let url = fresh_url().await?;
    Some(
        Db::open(&url, 4, store::conformance::test_key())
            .await
            .expect("open the test database"),
    )
}

/// Creates the database and returns its URL, or `None` when no server is configured.
pub async fn fresh_url() -> Option<String> {
    let Ok(admin) = std::env::var("SPORTELLO_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("SPORTELLO_REQUIRE_ALL").as_deref() != Ok("1"),
            "SPORTELLO_REQUIRE_ALL=1 but SPORTELLO_TEST_POSTGRES_URL is not set"
        );
        eprintln!("skipped: SPORTELLO_TEST_POSTGRES_URL is not set, PostgreSQL test not run");
        return None;
    };
    let name = format!("sportello_t_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to SPORTELLO_TEST_POSTGRES_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create the test database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}
