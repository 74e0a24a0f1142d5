//! The citizens' portal under `/portale`: its own router, layout and templates, in the
//! citizen's language (`i18n`), for a phone as much as a desktop. The same security layers as
//! the office (host check, cross-site refusal, body limit, headers) wrap it; its session is a
//! citizen's, kept in its own cookie, and every page that shows a record asks `app::portal`,
//! which computes the citizen's scope from the records and logs the read.

pub mod i18n;
mod pages;
mod session;
mod signin;

use crate::AppState;
use axum::Router;

pub use session::{PORTAL_COOKIE, PORTAL_TOKEN_PREFIX};

pub fn routes() -> Router<AppState> {
    pages::routes()
}
