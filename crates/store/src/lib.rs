//! Storage traits, their row types and [`StoreError`]. Both backends (`store-sqlite`,
//! `store-postgres`) implement every trait by compiling the same query files
//! (`crates/queries/`); [`Backend`] holds either and implements the traits by delegation, so
//! the rest of the application is compiled once.

mod api;
mod benefit;
mod bill;
mod call;
mod casework;
#[cfg(feature = "testing")]
pub mod conformance;
mod dsu;
mod payment;
mod person;
mod portal;
mod registry;
pub mod schema;
mod servers;
mod siuss;
mod types;

pub use api::*;
pub use benefit::*;
pub use bill::*;
pub use call::*;
pub use casework::*;
pub use dsu::*;
pub use payment::*;
pub use person::*;
pub use portal::*;
pub use registry::*;
pub use servers::*;
pub use siuss::*;
pub use types::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("record not found")]
    NotFound,
    /// A unique constraint refused the row; carries the constraint or column name.
    #[error("duplicate value for {0}")]
    Duplicate(String),
    /// A value read back from the database does not parse into its domain type.
    #[error("corrupt value in column {column}: {message}")]
    Corrupt {
        column: &'static str,
        message: String,
    },
    /// A compare-and-set update found the record changed by someone else.
    #[error("record changed by someone else")]
    Conflict,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

/// Either backend. The application holds one `Backend<store_sqlite::Db, store_postgres::Db>`.
#[derive(Debug, Clone)]
pub enum Backend<S, P> {
    Sqlite(S),
    Postgres(P),
}
