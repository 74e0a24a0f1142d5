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
    let db = store_postgres::Db::open(&url, 1, store::conformance::test_key())
        .await
        .expect("open");
    let run = db.scope(store::conformance::one_request_reads_and_writes_on_one_connection(&db));
    tokio::time::timeout(std::time::Duration::from_secs(30), run)
        .await
        .expect("the request finished without waiting for its own connection");
}

/// The plan PostgreSQL caches for any values of a lookup by id, made while `person` was empty
/// and never analysed, walks an index by organization: every person of the comune read to find
/// one. Refreshing the statistics once the table has grown makes every connection plan it
/// again, by primary key.
#[tokio::test]
async fn refreshed_statistics_replace_a_lookup_plan_cached_on_an_empty_table() {
    use sqlx::Connection;
    let Some(url) = store_postgres::testing::fresh_url().await else {
        return;
    };
    let db = store_postgres::Db::open(&url, 1, store::conformance::test_key())
        .await
        .expect("open");
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
    sqlx::raw_sql(
        "PREPARE lookup(uuid, uuid) AS SELECT version FROM person WHERE org_id = $1 AND id = $2; \
         SET plan_cache_mode = force_generic_plan",
    )
    .execute(&mut conn)
    .await
    .expect("prepare");
    let empty = plan(&mut conn).await;
    assert!(!empty.contains("person_pkey"), "{empty}");
    sqlx::raw_sql(
        "INSERT INTO organization (id, code, name, kind, active, created_at) VALUES \
           ('00000000-0000-0000-0000-000000000001', 'c', 'Comune', 'comune', true, now()); \
         INSERT INTO person (id, org_id, surname, given_names, sex, birth_date, birthplace_code, \
           birthplace_name, citizenship, cf_mismatch, search_key, search_key_rev, phonetic_key, \
           version, created_at, updated_at) \
         SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 'S' || i, 'N' || i, \
           'M', date '1950-01-01' + i, 'A794', 'Bergamo', '100', false, 's' || i || ' n' || i, \
           'n' || i || ' s' || i, 'S', 1, now(), now() FROM generate_series(1, 2000) i; \
         SELECT pg_stat_force_next_flush()",
    )
    .execute(&mut conn)
    .await
    .expect("insert");
    db.refresh_statistics().await.expect("refresh");
    let analysed = plan(&mut conn).await;
    assert!(analysed.contains("person_pkey"), "{analysed}");
}

/// The plan of the statement `lookup` prepared on `conn`.
async fn plan(conn: &mut sqlx::PgConnection) -> String {
    use sqlx::Row;
    sqlx::raw_sql(
        "EXPLAIN EXECUTE lookup('00000000-0000-0000-0000-000000000001', \
         '00000000-0000-0000-0000-000000000002')",
    )
    .fetch_all(conn)
    .await
    .expect("explain")
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect::<Vec<_>>()
    .join("\n")
}
