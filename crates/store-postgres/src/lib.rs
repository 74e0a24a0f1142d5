//! PostgreSQL backend. The queries live in `crates/queries/` and are compiled here against the
//! PostgreSQL schema (and in `store-sqlite` against SQLite's).

use domain::audit::AuditKey;
use queries::{Backend, Pool, Tx};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use store::{PoolUse, StoreError};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    _keeper: Arc<Keeper>,
    /// The audit chain's key (kept outside the database).
    audit_key: AuditKey,
}

/// The task of [`keep_statistics`], stopped when the last copy of the store goes.
#[derive(Debug)]
struct Keeper(tokio::task::AbortHandle);

impl Drop for Keeper {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How often [`keep_statistics`] looks for tables whose statistics fell behind.
const STATISTICS_EVERY: Duration = Duration::from_secs(30);

/// PostgreSQL caches one plan per statement and connection for any values (a generic plan)
/// after five runs, and keeps it until the table is analysed again. Made while a table was
/// empty and never analysed, a lookup by id walks every row of the organization through
/// another index, for as long as the connection lives (docs/performance.md, "Application
/// page"). Autovacuum analyses grown tables, unless the server runs without it; this does the
/// same from every process that writes, so an `ANALYZE` replaces such plans within
/// [`STATISTICS_EVERY`].
async fn keep_statistics(pool: Pool) {
    loop {
        if let Err(e) = queries::refresh_statistics(&pool).await {
            tracing::warn!(error = %e, "planner statistics not refreshed");
        }
        tokio::time::sleep(STATISTICS_EVERY).await;
    }
}

impl Db {
    /// Connects to `url` (`postgres://…`) and applies the migrations; `audit_key` keys the
    /// audit rows it appends.
    pub async fn open(
        url: &str,
        max_connections: u32,
        audit_key: AuditKey,
    ) -> Result<Db, StoreError> {
        let opts =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
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
        maintenance::check_known(&pool).await?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("migrazione: {e}")))?;
        let keeper = tokio::spawn(keep_statistics(pool.clone())).abort_handle();
        Ok(Db {
            pool,
            _keeper: Arc::new(Keeper(keeper)),
            audit_key,
        })
    }

    /// Analyses now every table whose statistics fell behind, as the store does every
    /// [`STATISTICS_EVERY`] while it is open.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        queries::refresh_statistics(&self.pool).await
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

    /// The pool's connections (the metrics).
    pub fn pool_use(&self) -> Vec<PoolUse> {
        vec![pool_use("main", &self.pool)]
    }
}

// ---- The contract with the shared queries (crates/queries/contract.rs) ----
impl Backend for Db {
    type Kind = sqlx::Postgres;

    /// Planner statistics for every table changed by more than a tenth since it was last
    /// analysed (autovacuum's default threshold: 50 rows and 10 %), never-analysed tables
    /// included.
    const STALE_STATISTICS: &'static str = "DO $$ DECLARE t regclass; BEGIN \
     FOR t IN SELECT s.relid::regclass FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
         WHERE s.schemaname = current_schema() \
           AND s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0) \
     LOOP EXECUTE format('ANALYZE %s', t); END LOOP; END $$";

    /// Statistics for the tables an import fills, and the name index's pending entries
    /// merged (every search reads them all). Autovacuum gets there minutes later; until then
    /// PostgreSQL plans name searches on empty-table estimates (a full sort of every name
    /// with the typed prefix).
    const REFRESH_STATISTICS: &'static str = "ANALYZE person, household, household_member; \
     SELECT gin_clean_pending_list('person_name_prefixes')";

    /// None: on PostgreSQL `DROP INDEX` takes a lock that would stop every reader of the
    /// table until the import's last transaction.
    const SEARCH_INDEXES: &'static [queries::SearchIndex] = &[];

    /// The column itself: PostgreSQL's planner weighs the range.
    const AGE_BAND_BIRTH_DATE: &'static str = "p.birth_date";

    /// Name search through the GIN index of the name words' prefixes (migration 0007).
    fn name_source() -> &'static str {
        "person p"
    }

    /// Every typed word must be a prefix of a word of the name: one exact key of the index
    /// each.
    fn name_match(qb: &mut sqlx::QueryBuilder<Self::Kind>, words: &[String]) {
        qb.push("name_prefixes(p.search_key) @> ");
        qb.push_bind(words.to_vec());
    }

    async fn begin(&self) -> Result<Tx, StoreError> {
        queries::reader::release().await;
        let tx = self.pool.begin().await.map_err(map_err)?;
        Ok(Tx::new(tx, self.audit_key.clone()))
    }

    async fn read(&self) -> Result<queries::reader::Conn, StoreError> {
        queries::reader::request(&self.pool).await
    }

    /// One pool for reads and writes.
    async fn write(&self) -> Result<queries::reader::Conn, StoreError> {
        queries::reader::request(&self.pool).await
    }
}

#[cfg(feature = "testing")]
pub mod testing;

pub mod maintenance;

#[path = "../../queries/mod.rs"]
mod queries;
use queries::map_err;

/// One pool's connections, for the metrics.
fn pool_use(name: &'static str, pool: &Pool) -> PoolUse {
    PoolUse {
        name,
        size: pool.size(),
        idle: pool.num_idle(),
        max: pool.options().get_max_connections(),
    }
}
