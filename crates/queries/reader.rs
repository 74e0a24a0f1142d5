//! One database connection per web request.
//!
//! sqlx pings a pooled connection when it goes back to the pool, so a query run on the pool
//! costs two extra trips to the connection's thread (SQLite) or server (PostgreSQL) besides its
//! own; a page of ten queries made thirty. Inside [`scope`] the first query of a request takes
//! a connection and keeps it for the request's other queries: ten queries, eleven trips
//! (docs/performance.md, "One connection per request").
//!
//! No deadlock on a pool that runs dry: a request gives its connection back before it waits
//! for the writer or a transaction ([`release`]), so no request waits for a connection while it
//! holds one that the holder of the writer could need. Outside a scope (command line, jobs)
//! every query takes a pooled connection as before.

use sqlx::pool::PoolConnection;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};

type Slot = Arc<Mutex<Option<PoolConnection<super::Kind>>>>;
type Connection = <super::Kind as sqlx::Database>::Connection;

tokio::task_local! {
    static REQUEST: Slot;
}

/// Runs `fut` (one request) with its own connection slot; the connection goes back to the
/// pool when `fut` ends.
pub async fn scope<F: std::future::Future>(fut: F) -> F::Output {
    REQUEST.scope(Arc::new(Mutex::new(None)), fut).await
}

/// A connection for one statement: the request's, or one from the pool outside a request.
/// Each use must end with its statement (the request's connection is locked meanwhile).
pub(crate) enum Conn {
    Request(OwnedMappedMutexGuard<Option<PoolConnection<super::Kind>>, Connection>),
    Pooled(PoolConnection<super::Kind>),
}

impl Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            Conn::Request(c) => c,
            Conn::Pooled(c) => c,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Connection {
        match self {
            Conn::Request(c) => c,
            Conn::Pooled(c) => c,
        }
    }
}

/// The request's connection, taken from `pool` on first use.
pub(crate) async fn request(pool: &super::Pool) -> Result<Conn, store::StoreError> {
    let Ok(slot) = REQUEST.try_with(Arc::clone) else {
        return pooled(pool).await;
    };
    let mut held = slot.lock_owned().await;
    let conn = match held.take() {
        Some(c) => c,
        None => pool.acquire().await.map_err(super::map_err)?,
    };
    Ok(Conn::Request(OwnedMutexGuard::map(held, move |s| {
        &mut **s.insert(conn)
    })))
}

/// A connection of its own from `pool`, after the request has given its own back.
pub(crate) async fn pooled(pool: &super::Pool) -> Result<Conn, store::StoreError> {
    release().await;
    pool.acquire()
        .await
        .map(Conn::Pooled)
        .map_err(super::map_err)
}

/// Gives the request's connection back to its pool (before waiting for another).
pub(crate) async fn release() {
    if let Ok(slot) = REQUEST.try_with(Arc::clone) {
        slot.lock().await.take();
    }
}
