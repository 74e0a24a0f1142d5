//! Upgrades and backups on SQLite, without opening the store (which migrates): where the
//! schema stands, a consistent copy of a live database (`VACUUM INTO`, one read transaction
//! while the writer goes on), and a restore into an empty place.

pub use crate::queries::schema::known;
use crate::queries::{map_err, schema};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use store::StoreError;
pub use store::schema::{AuditHead, Contents, Migration, SchemaState, not_empty};

/// The user tables (FTS5's own included: a copy holds them too).
const TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

fn options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    Ok(SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30)))
}

/// The database file of `url`.
pub fn file_of(url: &str) -> Result<PathBuf, StoreError> {
    Ok(options(url)?.get_filename().to_path_buf())
}

/// A connection to an existing database, `None` when the file does not exist (or is empty).
async fn connect(url: &str) -> Result<Option<SqliteConnection>, StoreError> {
    let opts = options(url)?;
    match std::fs::metadata(opts.get_filename()) {
        Ok(m) if m.len() > 0 => {}
        _ => return Ok(None),
    }
    Ok(Some(
        SqliteConnection::connect_with(&opts.read_only(true))
            .await
            .map_err(map_err)?,
    ))
}

/// Where the database at `url` stands against this binary's migrations; a missing file has
/// applied none (and is not created).
pub async fn schema_state(url: &str) -> Result<SchemaState, StoreError> {
    match connect(url).await? {
        Some(mut conn) => schema::state(&mut conn, TABLES).await,
        None => Ok(schema::blank()),
    }
}

/// Refuses a schema newer than the binary's, before the migrator runs.
pub(crate) async fn check_known(pool: &crate::queries::Pool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await.map_err(map_err)?;
    schema::state(&mut conn, TABLES).await?.check_known()
}

/// Whether the database at `url` holds no table (a missing file holds none).
pub async fn is_empty(url: &str) -> Result<bool, StoreError> {
    Ok(match connect(url).await? {
        Some(mut conn) => schema::tables(&mut conn, TABLES).await?.is_empty(),
        None => true,
    })
}

/// The contents of the database at `url` read in one transaction: schema version, rows per
/// table, audit chains' heads.
pub async fn contents(url: &str) -> Result<Contents, StoreError> {
    let Some(mut conn) = connect(url).await? else {
        return Err(StoreError::Unavailable(format!(
            "il database {} non esiste",
            file_of(url)?.display()
        )));
    };
    let mut tx = conn.begin().await.map_err(map_err)?;
    let c = schema::contents(&mut tx, TABLES).await?;
    tx.rollback().await.map_err(map_err)?;
    Ok(c)
}

/// Copies the live database at `url` into the new file `dest`, consistent at one instant
/// (`VACUUM INTO` reads in one transaction; writers go on meanwhile, the WAL keeps their
/// changes apart), and returns what the copy holds. A schema newer than the binary's is
/// refused.
pub async fn snapshot(url: &str, dest: &Path) -> Result<Contents, StoreError> {
    let Some(mut conn) = connect(url).await? else {
        return Err(StoreError::Unavailable(format!(
            "il database {} non esiste",
            file_of(url)?.display()
        )));
    };
    schema::state(&mut conn, TABLES).await?.check_known()?;
    let target = dest
        .to_str()
        .ok_or_else(|| StoreError::Other(format!("percorso non valido: {}", dest.display())))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(map_err)?;
    conn.close().await.map_err(map_err)?;
    contents(&format!("sqlite://{target}")).await
}

/// Puts the database file `from` (a copy made by [`snapshot`]) at the place of `url`, which
/// must hold no table; a file there with no table (and its journal) is replaced. Returns the
/// restored database's contents.
pub async fn restore(from: &Path, url: &str) -> Result<Contents, StoreError> {
    if !is_empty(url).await? {
        return Err(not_empty());
    }
    let dest = file_of(url)?;
    let io = |e: std::io::Error| StoreError::Other(format!("{}: {e}", dest.display()));
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    for suffix in ["-wal", "-shm"] {
        let mut p = dest.clone().into_os_string();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    std::fs::copy(from, &dest).map_err(io)?;
    contents(url).await
}
