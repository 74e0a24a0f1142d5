//! The conformance suite on PostgreSQL, each test on its own fresh database. Runs when
//! SPORTELLO_TEST_POSTGRES_URL is set; says it skipped otherwise (a failure under
//! SPORTELLO_REQUIRE_ALL=1).

store::conformance_tests!(store_postgres::testing::fresh_db());

/// A request holding its connection gives it back before a transaction: on a pool of one
/// connection the transaction would otherwise wait for the request's own connection until the
/// acquire timeout.
#[tokio::test]
async fn a_request_on_a_pool_of_one_connection_does_not_wait_for_itself() {
    let Some(url) = store_postgres::testing::fresh_url().await else {
        return;
    };
    let db = store_postgres::Db::open(&url, 1).await.expect("open");
    let run = db.scope(store::conformance::one_request_reads_and_writes_on_one_connection(&db));
    tokio::time::timeout(std::time::Duration::from_secs(30), run)
        .await
        .expect("the request finished without waiting for its own connection");
}
