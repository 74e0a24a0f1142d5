//! Shared query source. This directory is not a crate: each backend crate includes it with
//! `#[path]`, so every `sqlx::query!` here is checked against both schemas. A query that
//! cannot be written portably belongs in the backend crates, behind the same trait. What the
//! queries need from a backend is [`contract::Backend`]; `crate::Db` is the one name they take
//! from the backend's root.

/// Builds an `Organization` from a query record with its columns.
macro_rules! organization {
    ($r:expr) => {
        store::Organization {
            id: $r.id,
            code: super::parse_col("code", domain::OrgCode::parse(&$r.code))?,
            name: $r.name,
            kind: super::parse_col("kind", domain::OrgKind::parse(&$r.kind))?,
            active: $r.active,
            created_at: $r.created_at,
        }
    };
}

/// Builds a `User` from a query record with its columns.
macro_rules! user {
    ($r:expr) => {
        store::User {
            id: $r.id,
            login: super::parse_col("login", domain::Login::parse(&$r.login))?,
            full_name: $r.full_name,
            email: $r.email,
            password_hash: $r.password_hash,
            must_change_password: $r.must_change_password,
            totp_secret: $r.totp_secret,
            active: $r.active,
            created_at: $r.created_at,
            one_time_until_us: $r.one_time_until_us,
        }
    };
}

mod audit;
mod benefit;
mod bill;
mod call;
mod dsu;
mod household;
mod mandate;
mod org;
mod payment;
mod person;
mod portal;
#[macro_use]
mod registry;
mod casework;
mod contract;
pub(crate) mod reader;
pub(crate) mod schema;
pub(crate) mod search;
mod servers;
mod session;
mod siuss;
mod stats;
mod token;
mod user;

use crate::Db;
pub(crate) use contract::{Backend, Kind, Pool};
use domain::audit::AuditKey;
use store::StoreError;

/// A write transaction, carrying the audit key that [`audit::append`] hashes its row with, so
/// that every audited change keys its row without handing the key around.
pub(crate) struct Tx {
    inner: sqlx::Transaction<'static, Kind>,
    key: AuditKey,
}

impl Tx {
    pub(crate) fn new(inner: sqlx::Transaction<'static, Kind>, key: AuditKey) -> Self {
        Self { inner, key }
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = <Kind as sqlx::Database>::Connection;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// An index that only serves searches (it enforces nothing): the statements that drop it and
/// build it again as the migrations create it. A bulk load may do without it meanwhile.
pub(crate) struct SearchIndex {
    pub drop: &'static str,
    pub create: &'static str,
}

/// Planner statistics for the tables that changed a lot since their last analysis
/// (`Backend::STALE_STATISTICS`): SQLite at start-up, PostgreSQL also every few seconds.
pub(crate) async fn refresh_statistics(pool: &Pool) -> store::Result<()> {
    sqlx::raw_sql(Db::STALE_STATISTICS)
        .execute(pool)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(
            db.constraint()
                .map_or_else(|| db.message().to_owned(), str::to_owned),
        ),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Other(other.to_string()),
    }
}

/// Every row of `query` on the request's reader connection, each made into a value by `each`.
pub(crate) async fn all_rows<'q, R, T, F, A>(
    db: &Db,
    query: sqlx::query::Map<'q, Kind, F, A>,
    each: impl FnMut(R) -> store::Result<T>,
) -> store::Result<Vec<T>>
where
    F: FnMut(<Kind as sqlx::Database>::Row) -> std::result::Result<R, sqlx::Error> + Send,
    R: Send + Unpin,
    A: 'q + Send + sqlx::IntoArguments<Kind>,
{
    query
        .fetch_all(&mut *db.read().await?)
        .await
        .map_err(map_err)?
        .into_iter()
        .map(each)
        .collect()
}

/// An update or delete that must touch a row, or the record does not exist.
pub(crate) fn affected_one(done: u64) -> store::Result<()> {
    if done == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// A compare-and-set update that must touch its row: none touched, the record changed since
/// it was read (or is not in the state the update expects).
pub(crate) fn compared(done: u64) -> store::Result<()> {
    if done == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

/// Parses a text column into its domain type, reporting the column if the database holds
/// something the domain would never have written.
fn parse_col<T, E: std::fmt::Display>(
    column: &'static str,
    r: Result<T, E>,
) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Corrupt {
        column,
        message: e.to_string(),
    })
}

/// A coded column (an enum stored by its code) read back into its type.
fn coded<T>(
    column: &'static str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse_col(column, parse(raw).ok_or(raw))
}

fn role_col(s: &str) -> Result<domain::Role, StoreError> {
    parse_col("role", domain::Role::parse(s).ok_or(s))
}
