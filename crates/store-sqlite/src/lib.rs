//! SQLite backend. The queries live in `crates/queries/` and are compiled here against the
//! SQLite schema (and in `store-postgres` against PostgreSQL's). WAL mode, one writer
//! connection (SQLite admits one writer at a time; a pool of writers only queues on the lock),
//! a pool of readers.

use domain::audit::AuditKey;
use queries::{Backend, Pool, Tx};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;
use store::{PoolUse, StoreError};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Debug, Clone)]
pub struct Db {
    write: Pool,
    read: Pool,
    /// In memory the readers and the writer are one connection.
    memory: bool,
    /// The audit chain's key (kept outside the database).
    audit_key: AuditKey,
}

/// SQLite's default upper bound for a memory map (SQLITE_MAX_MMAP_SIZE), just under 2 GiB;
/// a larger file is read past it the usual way.
const MMAP_SIZE: i64 = 0x7fff_0000;

impl Db {
    /// Opens (creating if missing) the database at `url` (`sqlite://path` or `sqlite::memory:`)
    /// and applies the migrations; `audit_key` keys the audit rows it appends.
    pub async fn open(url: &str, audit_key: AuditKey) -> Result<Db, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .create_if_missing(true)
            // A new database gets 16 KiB pages: a first import of 1,000,000 residents wrote
            // a fifth faster than with 4 KiB (fewer pages to split, log and checkpoint), and
            // searches are as fast (docs/performance.md). An existing file keeps its size.
            .page_size(16384)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Pages read through a memory map, shared by every connection: without it each
            // connection copies pages into its own 2 MB cache, too small for a large comune.
            .pragma("mmap_size", MMAP_SIZE.to_string())
            // The log of a first import grows beyond the database itself (checkpointed once,
            // when the import is recorded); once the log starts over, the file shrinks back.
            .pragma("journal_size_limit", (64 << 20).to_string());
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        // No ping when a connection leaves the pool: a local file does not go away, and the
        // ping is a trip to the connection's thread (docs/performance.md).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            // An in-memory database lives as long as its one connection.
            .min_connections(u32::from(memory))
            .idle_timeout(if memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(opts.clone())
            .await
            .map_err(map_err)?;
        maintenance::check_known(&write).await?;
        MIGRATOR
            .run(&write)
            .await
            .map_err(|e| StoreError::Other(format!("migrazione: {e}")))?;
        restore_search_indexes(&write).await?;
        queries::refresh_statistics(&write).await?;
        let read = if memory {
            write.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(opts.read_only(true))
                .await
                .map_err(map_err)?
        };
        Ok(Db {
            write,
            read,
            memory,
            audit_key,
        })
    }

    /// Runs `fut`, one web request, with one reader connection for all its queries.
    pub async fn scope<F: std::future::Future>(&self, fut: F) -> F::Output {
        queries::reader::scope(fut).await
    }

    /// Gives the request's connection back while the request waits on something slow.
    pub async fn release(&self) {
        queries::reader::release().await;
    }

    /// Each pool's connections (the metrics).
    pub fn pool_use(&self) -> Vec<PoolUse> {
        let mut pools = vec![pool_use("write", &self.write)];
        if !self.memory {
            pools.push(pool_use("read", &self.read));
        }
        pools
    }
}

async fn restore_search_indexes(pool: &Pool) -> Result<(), StoreError> {
    for index in Db::SEARCH_INDEXES {
        sqlx::raw_sql(index.create)
            .execute(pool)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

// ---- The contract with the shared queries (crates/queries/contract.rs) ----
impl Backend for Db {
    type Kind = sqlx::Sqlite;

    /// At start-up, the same as [`Self::REFRESH_STATISTICS`]: `PRAGMA optimize` analyses only
    /// the tables whose size changed a lot.
    const STALE_STATISTICS: &'static str = Self::REFRESH_STATISTICS;

    /// Gives the query planner statistics for every table whose size changed a lot, sampled
    /// so that it takes milliseconds on a large database: without them SQLite may walk the
    /// name index in order to find the few persons born on one date. Run at start-up and when
    /// a civil-registry import is recorded (in its transaction).
    const REFRESH_STATISTICS: &'static str =
        "PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002";

    /// The person indexes that only serve searches, as migrations 0002 and 0006 leave them. A
    /// civil-registry import that brings more persons than the table holds drops them and
    /// builds them again when it is recorded: one sort per index instead of a random insert
    /// per person and index (docs/performance.md, "Import dall'anagrafe comunale").
    /// `Db::open` builds any that a killed import left missing.
    const SEARCH_INDEXES: &'static [queries::SearchIndex] = &[
        queries::SearchIndex {
            drop: "DROP INDEX IF EXISTS person_birth",
            create: "CREATE INDEX IF NOT EXISTS person_birth ON person (org_id, birth_date)",
        },
        queries::SearchIndex {
            drop: "DROP INDEX IF EXISTS person_phonetic",
            create: "CREATE INDEX IF NOT EXISTS person_phonetic ON person (org_id, phonetic_key)",
        },
        queries::SearchIndex {
            drop: "DROP INDEX IF EXISTS person_name",
            create: "CREATE INDEX IF NOT EXISTS person_name ON person (org_id, search_key, birth_date, id)",
        },
        queries::SearchIndex {
            drop: "DROP INDEX IF EXISTS person_name_rev",
            create: "CREATE INDEX IF NOT EXISTS person_name_rev ON person (org_id, search_key_rev, birth_date, id)",
        },
    ];

    /// Unary `+` stops SQLite from choosing the birth-date index for a range that holds a
    /// fifth of the population and then sorting it all, when the name index yields the first
    /// page in order after a few rows.
    const AGE_BAND_BIRTH_DATE: &'static str = "+p.birth_date";

    /// Name search through the FTS5 index: the index drives the join, so a rare name reads
    /// only its matches.
    fn name_source() -> &'static str {
        "person_fts f CROSS JOIN person p ON p.rowid = f.rowid"
    }

    /// Words hold only folded letters and digits, and each is quoted so that none is read as
    /// an FTS5 operator.
    fn name_match(qb: &mut sqlx::QueryBuilder<Self::Kind>, words: &[String]) {
        let query: Vec<String> = words.iter().map(|w| format!("\"{w}\"*")).collect();
        qb.push("person_fts MATCH ");
        qb.push_bind(query.join(" "));
    }

    async fn begin(&self) -> Result<Tx, StoreError> {
        queries::reader::release().await;
        let tx = self.write.begin().await.map_err(map_err)?;
        Ok(Tx::new(tx, self.audit_key.clone()))
    }

    async fn read(&self) -> Result<queries::reader::Conn, StoreError> {
        queries::reader::request(&self.read).await
    }

    /// The writer, except in memory, where the readers and the writer are one connection.
    async fn write(&self) -> Result<queries::reader::Conn, StoreError> {
        if self.memory {
            queries::reader::request(&self.write).await
        } else {
            queries::reader::pooled(&self.write).await
        }
    }
}
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
