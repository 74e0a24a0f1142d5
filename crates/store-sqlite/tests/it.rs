//! The conformance suite on SQLite, each test on its own in-memory database, plus the check
//! that both backends' migrations stay numbered alike.

store::conformance_tests!(async {
    Some(
        store_sqlite::Db::open("sqlite::memory:", store::conformance::test_key())
            .await
            .expect("open"),
    )
});

/// In memory the readers and the writer are one connection: a request holding it gives it
/// back before a transaction, which would otherwise wait for it until the acquire timeout.
#[tokio::test]
async fn a_request_in_memory_does_not_wait_for_itself() {
    let db = store_sqlite::Db::open("sqlite::memory:", store::conformance::test_key())
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

/// A new database file is made of 16 KiB pages, which a first import writes faster.
#[tokio::test]
async fn a_new_database_has_pages_of_16_kib() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    store_sqlite::Db::open(&url, store::conformance::test_key())
        .await
        .expect("open");
    let pool = sqlx::SqlitePool::connect(&url).await.expect("connect");
    let size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(&pool)
        .await
        .expect("page size");
    assert_eq!(size, 16384);
}

/// The search-only person indexes, as `sqlite_schema` holds them.
async fn search_indexes(url: &str) -> Vec<(String, String)> {
    let pool = sqlx::SqlitePool::connect(url).await.expect("connect");
    let rows = sqlx::query_as(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index'
             AND name IN ('person_birth', 'person_phonetic', 'person_name', 'person_name_rev')
         ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .expect("schema");
    pool.close().await;
    rows
}

/// A first civil-registry import larger than the table does without the indexes that only
/// serve searches and builds them again when it is recorded; a process killed in between
/// finds them at its next start. Either way they are the migrations' indexes, not look-alikes.
#[tokio::test]
async fn a_bulk_import_rebuilds_the_search_indexes_and_a_restart_restores_them() {
    use store::conformance::{audit, now, org};
    use store::{ImportStatus, OrgStore, RegistryImport, RegistryStore};
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let db = store_sqlite::Db::open(&url, store::conformance::test_key())
        .await
        .expect("open");
    let migrated = search_indexes(&url).await;
    assert_eq!(migrated.len(), 4, "{migrated:?}");

    let o = org("comune-bg", domain::OrgKind::Comune);
    db.create_org(&o, &[], &audit(o.id, "org.create", "creato"))
        .await
        .expect("org");
    let import = |at: time::OffsetDateTime| RegistryImport {
        id: uuid::Uuid::now_v7(),
        org_id: o.id,
        comune: "A794".into(),
        file_name: "anagrafe.csv".into(),
        file_sha256: "0".repeat(64),
        reference_date: at.date(),
        baseline: true,
        status: ImportStatus::Running,
        error: None,
        rows_read: 1,
        created: 0,
        updated: 0,
        unchanged: 0,
        left: 0,
        rejected: 0,
        events: Vec::new(),
        actor: "sistema".into(),
        at_us: domain::audit::unix_micros(at),
        finished_at_us: None,
    };

    assert!(
        db.start_registry_import(&import(now()), 1)
            .await
            .expect("start"),
        "a bulk load"
    );
    assert_eq!(search_indexes(&url).await, [], "dropped for the bulk load");
    drop(db);
    let db = store_sqlite::Db::open(&url, store::conformance::test_key())
        .await
        .expect("reopen");
    assert_eq!(search_indexes(&url).await, migrated, "restored at start");

    let mut i = import(now());
    db.start_registry_import(&i, 1).await.expect("start");
    assert_eq!(search_indexes(&url).await, [], "dropped again");
    i.status = ImportStatus::Done;
    i.finished_at_us = Some(i.at_us);
    db.finish_registry_import(&i, &[], &audit(o.id, "anagrafe.import", "fatto"))
        .await
        .expect("finish");
    assert_eq!(search_indexes(&url).await, migrated, "built when recorded");

    store::conformance::new_person(&db, o.id).await;
    assert!(
        !db.start_registry_import(&import(now()), 1)
            .await
            .expect("start"),
        "not a bulk load"
    );
    assert_eq!(
        search_indexes(&url).await,
        migrated,
        "an import that creates no more persons than the table holds keeps them"
    );
    db.start_registry_import(&import(now()), 2)
        .await
        .expect("start");
    assert_eq!(
        search_indexes(&url).await,
        [],
        "one more than stored drops them"
    );
}
