//! ISEE engine of Sportello: the INPS DSU as Rust types, the ISEE rules as dated data with
//! their legal source (`rules/isee-rules.json`), and the calculation of every variant
//! (DPCM 159/2013 and later amendments) with an itemized, cited result.
//!
//! The official ISEE is only the one INPS attests: this engine simulates and checks it.

pub mod calc;
pub mod cli;
pub mod dsu;
pub mod report;
pub mod rules;
pub mod values;

pub use calc::{Attestazione, CalcError, compute};
pub use dsu::{Dsu, DsuError, DsuInput};

/// The JSON Schema of the DSU input format (committed as `docs/isee/dsu.schema.json`).
pub fn dsu_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(DsuInput)).unwrap_or(serde_json::Value::Null)
}
