//! Helpers shared by the tests.

use std::path::PathBuf;

use isee::{Attestazione, Dsu, compute};
use serde_json::Value;

pub fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/isee")
}

pub fn example(name: &str) -> Value {
    let path = docs_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn run(v: &Value) -> Attestazione {
    let dsu = dsu(v);
    compute(&dsu).unwrap_or_else(|e| panic!("{e}"))
}

pub fn dsu(v: &Value) -> Dsu {
    Dsu::from_json(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

pub fn err(v: &Value) -> String {
    match Dsu::from_json(v.to_string().as_bytes()) {
        Ok(d) => match compute(&d) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    }
}

pub fn d(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap()
}
