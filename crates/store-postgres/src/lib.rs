//! PostgreSQL backend. The queries live in `crates/queries/` and are compiled here against the
//! PostgreSQL schema (and in `store-sqlite` against SQLite's).

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;
use store::StoreError;

pub type Pool = sqlx::PgPool;
type Kind = sqlx::Postgres;
type Tx = sqlx::Transaction<'static, sqlx::Postgres>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
}

impl Db {
    /// Connects to `url` (`postgres://…`) and applies the migrations.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        // Every statement is planned with its parameters: a cached generic plan, chosen on
        // tables without statistics, walked all of a comune's applications to update one
        // (docs/performance.md, "Application page").
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .options([("plan_cache_mode", "force_custom_plan")]);
        // A connection is pinged only after a minute idle, not every time it leaves the pool:
        // the ping is a round trip, as dear as the query (docs/performance.md).
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(60) {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(opts)
            .await
            .map_err(map_err)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("migrazione: {e}")))?;
        Ok(Db { pool })
    }

    /// Runs `fut`, one web request, with one connection for all its queries outside
    /// transactions.
    pub async fn scope<F: std::future::Future>(&self, fut: F) -> F::Output {
        queries::reader::scope(fut).await
    }

    /// Gives the request's connection back while the request waits on something slow.
    pub async fn release(&self) {
        queries::reader::release().await;
    }

    async fn begin(&self) -> Result<Tx, StoreError> {
        queries::reader::release().await;
        self.pool.begin().await.map_err(map_err)
    }

    async fn read(&self) -> Result<queries::reader::Conn, StoreError> {
        queries::reader::request(&self.pool).await
    }

    async fn write(&self) -> Result<queries::reader::Conn, StoreError> {
        queries::reader::request(&self.pool).await
    }
}

#[cfg(feature = "testing")]
pub mod testing;

/// The birth date as an age-band filter (PostgreSQL's planner weighs the range itself).
const AGE_BAND_BIRTH_DATE: &str = "p.birth_date";

/// None: on PostgreSQL `DROP INDEX` takes a lock that would stop every reader of the table
/// until the import's last transaction.
const SEARCH_INDEXES: &[queries::SearchIndex] = &[];

/// Run when a civil-registry import is recorded, in its transaction: planner statistics for
/// the tables it fills, and the name index's pending entries merged (every search reads them
/// all). Autovacuum gets there minutes later; until then PostgreSQL plans name searches on
/// empty-table estimates (a full sort of every name with the typed prefix).
const REFRESH_STATISTICS: &str = "ANALYZE person, household, household_member; \
     SELECT gin_clean_pending_list('person_name_prefixes')";

/// Name search through the GIN index of the name words' prefixes (migration 0007).
fn name_source() -> &'static str {
    "person p"
}

/// Every typed word must be a prefix of a word of the name: one exact key of the index each.
fn name_match(qb: &mut sqlx::QueryBuilder<Kind>, words: &[String]) {
    qb.push("name_prefixes(p.search_key) @> ");
    qb.push_bind(words.to_vec());
}

#[path = "../../queries/mod.rs"]
mod queries;
use queries::map_err;
