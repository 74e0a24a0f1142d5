//! The schema's version and contents, for upgrades and backups: the migrations a database has
//! applied against those this binary knows (`crate::MIGRATOR`), its tables, their rows and
//! the audit chains' heads. Plain runtime SQL (no `query!`): it reads catalogues and tables by
//! name, and must work on a database of any version, even one newer than the binary.

use super::{Kind, map_err};
use store::StoreError;
use store::schema::{AuditHead, Contents, Migration, SchemaState};

/// A connection of the backend.
pub(crate) type Conn = <Kind as sqlx::Database>::Connection;

/// The migrations this binary knows, in order.
pub fn known() -> Vec<Migration> {
    crate::MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| Migration {
            version: m.version,
            description: m.description.to_string(),
        })
        .collect()
}

/// Nothing applied: everything the binary knows is pending.
pub fn blank() -> SchemaState {
    let known = known();
    SchemaState {
        newest_known: known.last().cloned(),
        pending: known,
        ..SchemaState::default()
    }
}

/// The user tables, by name (`tables_sql` is the backend's catalogue query).
pub(crate) async fn tables(
    conn: &mut Conn,
    tables_sql: &'static str,
) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar::<_, String>(tables_sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)
}

/// The database's migrations against the binary's; a database without the migrations' table
/// has applied none.
pub(crate) async fn state(
    conn: &mut Conn,
    tables_sql: &'static str,
) -> Result<SchemaState, StoreError> {
    if !tables(conn, tables_sql)
        .await?
        .iter()
        .any(|t| t == "_sqlx_migrations")
    {
        return Ok(blank());
    }
    let applied: Vec<Migration> = sqlx::query_as::<_, (i64, String)>(
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|(version, description)| Migration {
        version,
        description,
    })
    .collect();
    let known = known();
    let unknown = applied
        .iter()
        .filter(|m| !known.iter().any(|k| k.version == m.version))
        .cloned()
        .collect();
    let pending = known
        .iter()
        .filter(|k| !applied.iter().any(|m| m.version == k.version))
        .cloned()
        .collect();
    Ok(SchemaState {
        applied,
        pending,
        unknown,
        newest_known: known.last().cloned(),
    })
}

/// Every audit chain's head, by organization.
async fn audit_heads(conn: &mut Conn) -> Result<Vec<AuditHead>, StoreError> {
    Ok(sqlx::query_as::<_, (uuid::Uuid, i64, String)>(
        "SELECT org_id, seq, hash FROM audit_head ORDER BY org_id",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?
    .into_iter()
    .map(|(org_id, seq, hash)| AuditHead { org_id, seq, hash })
    .collect())
}

/// [`Contents`] of the database `conn` reads (in one transaction for a consistent picture):
/// the schema's version, the rows of every table, the audit chains' heads.
pub(crate) async fn contents(
    conn: &mut Conn,
    tables_sql: &'static str,
) -> Result<Contents, StoreError> {
    let schema = state(conn, tables_sql).await?.version().cloned();
    let names = tables(conn, tables_sql).await?;
    let mut counts = std::collections::BTreeMap::new();
    for t in &names {
        let sql = format!("SELECT count(*) FROM \"{}\"", t.replace('"', "\"\""));
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        counts.insert(t.clone(), n);
    }
    let audit_heads = if counts.contains_key("audit_head") {
        audit_heads(conn).await?
    } else {
        Vec::new()
    };
    Ok(Contents {
        schema,
        tables: counts,
        audit_heads,
    })
}
