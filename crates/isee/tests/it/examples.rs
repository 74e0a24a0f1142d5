//! Every example file in docs/isee runs.

use super::common::*;

#[test]
fn every_example_computes() {
    let mut n = 0;
    for entry in std::fs::read_dir(docs_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.ends_with(".schema.json") {
            continue;
        }
        let mut out = Vec::new();
        isee::cli::calc(&mut std::fs::File::open(&path).unwrap(), &mut out)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        eprintln!("{name}: isr {} isp {} ise {} scala {} isee {} fam {:?}", v["isr"], v["isp"], v["ise"], v["scala"], v["isee"], v.get("isee_prestazioni_familiari").map(|f| f["isee"].clone()));
        n += 1;
    }
    assert!(n >= 9, "only {n} examples");
}
