//! Signing in to the portal with SPID and CIE (waits for the relying party crate).

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
