//! The contract between the shared queries and each backend crate that includes them.
//!
//! A backend crate (`store-sqlite`, `store-postgres`) includes `crates/queries/mod.rs` as its
//! module `queries` and, at its root, defines `pub struct Db` (the store handle the query files
//! implement the `store` traits on) with one `impl queries::Backend for Db`: the database
//! kind, the SQL that differs between the engines and the connections. That `crate::Db` is the
//! only name the query files take from the backend's root; everything else they reach through
//! [`Backend`] or the aliases below, so a backend that misses an item fails to compile with an
//! error naming it ("not all trait items implemented, missing: …"), and a query that needs
//! something new from the backends adds it here first.

use super::{Tx, reader::Conn};
use store::StoreError;

/// What a backend gives the shared queries.
pub(crate) trait Backend {
    /// The sqlx database the queries are compiled against: `sqlx::Sqlite` or `sqlx::Postgres`.
    type Kind: sqlx::Database;

    /// SQL that analyses the tables whose planner statistics fell behind (`refresh_statistics`:
    /// SQLite at start-up, PostgreSQL every 30 s).
    const STALE_STATISTICS: &'static str;

    /// SQL run in the transaction that records a civil-registry import: statistics for the
    /// tables it filled (and, on PostgreSQL, the name index's pending entries merged).
    const REFRESH_STATISTICS: &'static str;

    /// The person indexes that only serve searches, which a bulk import may drop and build
    /// again when it is recorded (`start_registry_import`); empty where dropping one locks
    /// out readers.
    const SEARCH_INDEXES: &'static [super::SearchIndex];

    /// The birth-date expression an age-band filter compares (`queries/search.rs`), written so
    /// that the engine's planner picks the right index.
    const AGE_BAND_BIRTH_DATE: &'static str;

    /// The FROM clause of a name search: the table `person p` and whatever index drives it.
    fn name_source() -> &'static str;

    /// Pushes the condition that every one of `words` (folded) starts a word of the name.
    fn name_match(qb: &mut sqlx::QueryBuilder<Self::Kind>, words: &[String]);

    /// A write transaction, after the request gave back its connection
    /// ([`super::reader::release`]).
    async fn begin(&self) -> Result<Tx, StoreError>;

    /// A connection for one read: the request's ([`super::reader::request`]).
    async fn read(&self) -> Result<Conn, StoreError>;

    /// A connection for one write outside a transaction (SQLite: the writer's pool).
    async fn write(&self) -> Result<Conn, StoreError>;
}

/// The backend's sqlx database.
pub(crate) type Kind = <crate::Db as Backend>::Kind;

/// A pool of the backend's connections.
pub(crate) type Pool = sqlx::Pool<Kind>;
