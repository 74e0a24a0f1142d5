//! The conformance suite on SQLite, each test on its own in-memory database, plus the check
//! that both backends' migrations stay numbered alike.

store::conformance_tests!(async {
    Some(
        store_sqlite::Db::open("sqlite::memory:")
            .await
            .expect("open"),
    )
});

/// In memory the readers and the writer are one connection: a request holding it gives it
/// back before a transaction, which would otherwise wait for it until the acquire timeout.
#[tokio::test]
async fn a_request_in_memory_does_not_wait_for_itself() {
    let db = store_sqlite::Db::open("sqlite::memory:")
        .await
        .expect("open");
    let run = db.scope(store::conformance::one_request_reads_and_writes_on_one_connection(&db));
    tokio::time::timeout(std::time::Duration::from_secs(20), run)
        .await
        .expect("the request finished without waiting for its own connection");
}

#[test]
fn both_backends_have_the_same_migration_files() {
    let names = |dir: &str| {
        std::fs::read_dir(dir)
            .expect("migrations directory")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let sqlite = names(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"));
    let pg = names(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../store-postgres/migrations"
    ));
    assert_eq!(sqlite, pg);
    assert_eq!(store_sqlite::MIGRATOR.iter().count(), sqlite.len());
}
