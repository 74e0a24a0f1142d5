//! The handle the services share: the store (SQLite or PostgreSQL), the clock, the mailer and
//! the read log.

use crate::mail::{MailConfig, Mailer};
use crate::read_log::ReadLog;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use store::{User, UserStore};
use uuid::Uuid;

/// The one store the application holds: SQLite or PostgreSQL, chosen by the URL at start-up.
pub type Store = store::Backend<store_sqlite::Db, store_postgres::Db>;

/// Opens the database named by `url` (`sqlite://…` or `postgres://…`) and applies migrations.
/// `audit_key`, kept outside the database, keys every audit row the store appends.
pub async fn open_store(
    url: &str,
    audit_key: domain::audit::AuditKey,
) -> Result<Store, store::StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(store::Backend::Postgres(
            store_postgres::Db::open(url, 16, audit_key).await?,
        ))
    } else if url.starts_with("sqlite:") {
        if let Some(dir) = sqlite_parent_dir(url) {
            std::fs::create_dir_all(dir).map_err(|e| {
                store::StoreError::Unavailable(format!("cartella del database {dir}: {e}"))
            })?;
        }
        Ok(store::Backend::Sqlite(
            store_sqlite::Db::open(url, audit_key).await?,
        ))
    } else {
        Err(store::StoreError::Unavailable(
            "l'indirizzo del database deve iniziare con sqlite:// o postgres://".into(),
        ))
    }
}

/// The folder of a file database, so that the first start can create `./data` and the audit
/// key can default to a file beside the database.
pub fn sqlite_parent_dir(url: &str) -> Option<&str> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    let dir = std::path::Path::new(path).parent()?.to_str()?;
    (!dir.is_empty()).then_some(dir)
}

/// The time, with an offset that tests can move forward (idle and absolute session limits).
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now(&self) -> time::OffsetDateTime {
        let t = time::OffsetDateTime::now_utc()
            + time::Duration::seconds(self.0.load(Ordering::Relaxed));
        domain::audit::truncate_to_micros(t)
    }

    pub fn now_us(&self) -> i64 {
        domain::audit::unix_micros(self.now())
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_secs() as i64, Ordering::Relaxed);
    }
}

/// What every service works with. Cloning is cheap (handles).
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub clock: Clock,
    pub mailer: Mailer,
    /// Reads of personal data, appended to the audit log in batches.
    pub reads: ReadLog,
}

impl Services {
    /// Must be called inside a Tokio runtime (it starts the read log's task).
    pub fn new(store: Store, mail: &MailConfig) -> Self {
        Self {
            reads: ReadLog::start(store.clone()),
            store,
            mailer: Mailer::from_config(mail),
            clock: Clock::default(),
        }
    }
}

/// The organization whose audit chain records a user's own events (login, password, TOTP):
/// the first one they belong to.
pub async fn home_org(store: &Store, user: &User) -> Result<Option<Uuid>, crate::Error> {
    Ok(store.memberships(user.id).await?.first().map(|m| m.org.id))
}

/// Gives the request's connection back while it waits on something slow (a client sending a
/// file, an SMTP server), so that other requests may use it.
pub async fn idle(store: &Store) {
    match store {
        store::Backend::Sqlite(db) => db.release().await,
        store::Backend::Postgres(db) => db.release().await,
    }
}
