//! Upgrades and backups on PostgreSQL, without opening the store (which migrates): where the
//! schema stands, a consistent export of a live database and its restore into an empty one.
//!
//! The export is ours rather than `pg_dump`'s: one `REPEATABLE READ, READ ONLY` transaction
//! reads the schema's version, the row counts, the audit chains' heads and then every table
//! through `COPY … TO STDOUT` (PostgreSQL's own text format, exact for every type), all from
//! one snapshot while the office keeps writing; no client binary of the server's version is
//! needed, and the manifest describes exactly the rows exported. The schema is not exported:
//! the restore builds it with this binary's migrations up to the backup's version.
//!
//! The stream: per table `T` + name, then its data as `D` chunks, and `E` at the end; every
//! name or chunk preceded by its length (4 bytes, big-endian).

pub use crate::queries::schema::known;
use crate::queries::{map_err, schema};
use futures_util::StreamExt;
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};
use std::io::{Read, Write};
use store::StoreError;
pub use store::schema::{AuditHead, Contents, Migration, SchemaState, not_empty};

/// The tables of the current schema.
const TABLES: &str =
    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename";

/// Migrations' bookkeeping: rebuilt by the restore's migrations, never copied.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

async fn connect(url: &str) -> Result<PgConnection, StoreError> {
    PgConnection::connect(url).await.map_err(map_err)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Where the database at `url` stands against this binary's migrations.
pub async fn schema_state(url: &str) -> Result<SchemaState, StoreError> {
    schema::state(&mut connect(url).await?, TABLES).await
}

/// Refuses a schema newer than the binary's, before the migrator runs.
pub(crate) async fn check_known(pool: &crate::queries::Pool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await.map_err(map_err)?;
    schema::state(&mut conn, TABLES).await?.check_known()
}

/// Whether the database at `url` holds no table.
pub async fn is_empty(url: &str) -> Result<bool, StoreError> {
    Ok(schema::tables(&mut connect(url).await?, TABLES)
        .await?
        .is_empty())
}

/// The contents of the database at `url`, read in one snapshot.
pub async fn contents(url: &str) -> Result<Contents, StoreError> {
    let mut conn = connect(url).await?;
    let mut tx = conn.begin().await.map_err(map_err)?;
    tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
        .map_err(map_err)?;
    let c = schema::contents(&mut tx, TABLES).await?;
    tx.rollback().await.map_err(map_err)?;
    Ok(c)
}

fn write_frame(out: &mut dyn Write, kind: u8, bytes: &[u8]) -> Result<(), StoreError> {
    let len = u32::try_from(bytes.len())
        .map_err(|_| StoreError::Other("blocco di esportazione troppo grande".into()))?;
    let io = |e: std::io::Error| StoreError::Other(format!("scrittura della copia: {e}"));
    out.write_all(&[kind]).map_err(io)?;
    out.write_all(&len.to_be_bytes()).map_err(io)?;
    out.write_all(bytes).map_err(io)
}

enum Frame {
    Table(String),
    Data(Vec<u8>),
    End,
}

fn read_frame(input: &mut dyn Read) -> Result<Frame, StoreError> {
    let io = |e: std::io::Error| StoreError::Other(format!("lettura della copia: {e}"));
    let mut kind = [0u8; 1];
    input.read_exact(&mut kind).map_err(io)?;
    if kind[0] == b'E' {
        return Ok(Frame::End);
    }
    let mut len = [0u8; 4];
    input.read_exact(&mut len).map_err(io)?;
    let mut bytes = vec![0u8; u32::from_be_bytes(len) as usize];
    input.read_exact(&mut bytes).map_err(io)?;
    match kind[0] {
        b'T' => String::from_utf8(bytes)
            .map(Frame::Table)
            .map_err(|_| StoreError::Other("copia non valida: nome di tabella".into())),
        b'D' => Ok(Frame::Data(bytes)),
        _ => Err(StoreError::Other(
            "copia non valida: blocco sconosciuto".into(),
        )),
    }
}

/// The rows of every table of an export made by [`dump`] (`COPY`'s text format writes one
/// line per row, newlines inside values escaped).
pub fn count_rows(
    input: &mut dyn Read,
) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
    let mut counts = std::collections::BTreeMap::new();
    let mut table: Option<String> = None;
    loop {
        match read_frame(input)? {
            Frame::End => return Ok(counts),
            Frame::Table(t) => {
                counts.insert(t.clone(), 0);
                table = Some(t);
            }
            Frame::Data(d) => {
                let t = table.as_ref().ok_or_else(|| {
                    StoreError::Other("copia non valida: dati fuori da una tabella".into())
                })?;
                let lines = d.iter().filter(|b| **b == b'\n').count() as i64;
                *counts.entry(t.clone()).or_insert(0) += lines;
            }
        }
    }
}

/// Exports the live database at `url` to `out` from one snapshot, and returns what the
/// export holds. A schema newer than the binary's is refused.
pub async fn dump(url: &str, out: &mut dyn Write) -> Result<Contents, StoreError> {
    let mut conn = connect(url).await?;
    let mut tx = conn.begin().await.map_err(map_err)?;
    tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
        .map_err(map_err)?;
    schema::state(&mut tx, TABLES).await?.check_known()?;
    let contents = schema::contents(&mut tx, TABLES).await?;
    for table in contents.tables.keys() {
        if table == MIGRATIONS_TABLE {
            continue;
        }
        write_frame(out, b'T', table.as_bytes())?;
        let mut rows = tx
            .copy_out_raw(&format!("COPY {} TO STDOUT", quoted(table)))
            .await
            .map_err(map_err)?;
        while let Some(chunk) = rows.next().await {
            write_frame(out, b'D', &chunk.map_err(map_err)?)?;
        }
    }
    out.write_all(b"E")
        .map_err(|e| StoreError::Other(format!("scrittura della copia: {e}")))?;
    tx.rollback().await.map_err(map_err)?;
    Ok(contents)
}

/// Restores an export made by [`dump`] into the database at `url`, which must hold no table:
/// the schema is built by this binary's migrations up to `version` (the backup's), then every
/// table is loaded in one transaction, with the foreign keys put back (and so checked) once
/// all rows are in. Returns the restored database's contents.
pub async fn restore(
    input: &mut dyn Read,
    url: &str,
    version: Option<i64>,
) -> Result<Contents, StoreError> {
    let mut conn = connect(url).await?;
    if !schema::tables(&mut conn, TABLES).await?.is_empty() {
        return Err(not_empty());
    }
    if let Some(v) = version {
        crate::MIGRATOR
            .run_to(v, &mut conn)
            .await
            .map_err(|e| StoreError::Other(format!("migrazione: {e}")))?;
    }
    let mut tx = conn.begin().await.map_err(map_err)?;
    let foreign_keys: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid) \
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(map_err)?;
    for (table, name, _) in &foreign_keys {
        let sql = format!("ALTER TABLE {table} DROP CONSTRAINT {}", quoted(name));
        tx.execute(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(map_err)?;
    }
    // Rows the migrations themselves wrote give way to the backup's.
    let tables: Vec<String> = schema::tables(&mut tx, TABLES)
        .await?
        .into_iter()
        .filter(|t| t != MIGRATIONS_TABLE)
        .map(|t| quoted(&t))
        .collect();
    if !tables.is_empty() {
        let sql = format!("TRUNCATE {}", tables.join(", "));
        tx.execute(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(map_err)?;
    }
    let mut next = read_frame(input)?;
    loop {
        let table = match next {
            Frame::End => break,
            Frame::Table(t) => t,
            Frame::Data(_) => {
                return Err(StoreError::Other(
                    "copia non valida: dati fuori da una tabella".into(),
                ));
            }
        };
        let mut copy = tx
            .copy_in_raw(&format!("COPY {} FROM STDIN", quoted(&table)))
            .await
            .map_err(map_err)?;
        next = loop {
            match read_frame(input)? {
                Frame::Data(d) => {
                    copy.send(d).await.map_err(map_err)?;
                }
                other => break other,
            }
        };
        copy.finish().await.map_err(map_err)?;
    }
    for (table, name, def) in &foreign_keys {
        let sql = format!("ALTER TABLE {table} ADD CONSTRAINT {} {def}", quoted(name));
        tx.execute(sqlx::AssertSqlSafe(sql))
            .await
            .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)?;
    conn.execute("ANALYZE").await.map_err(map_err)?;
    contents(url).await
}
