//! docs/isee/dsu.schema.json is the schema of the current types.
//! Regenerate with `ISEE_UPDATE_SCHEMA=1 cargo test schema`.

use super::common::docs_dir;

#[test]
fn committed_schema_is_current() {
    let path = docs_dir().join("dsu.schema.json");
    let current = serde_json::to_string_pretty(&isee::dsu_schema()).unwrap() + "\n";
    if std::env::var_os("ISEE_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/isee/dsu.schema.json non è aggiornato: ISEE_UPDATE_SCHEMA=1 cargo test schema"
    );
}
