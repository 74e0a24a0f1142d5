//! The conformance suite on SQLite, each test on its own in-memory database, plus the check
//! that both backends' migrations stay numbered alike.

store::conformance_tests!(async {
    Some(
        store_sqlite::Db::open("sqlite::memory:")
            .await
            .expect("open"),
    )
});

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
