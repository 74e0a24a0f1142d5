//! The citizens' portal under `/portale`: its own router, layout and templates, in the
//! citizen's language (`i18n`), for a phone as much as a desktop. The same security layers as
//! the office (host check, cross-site refusal, body limit, headers) wrap it; its session is a
//! citizen's, kept in its own cookie, and every page that shows a record asks `app::portal`,
//! which computes the citizen's scope from the records and logs the read.

mod apply;
pub mod errors;
mod follow;
pub mod i18n;
mod local;
mod pages;
mod session;
mod signin;

use crate::AppState;
use axum::Router;

pub use apply::is_draft_upload;
pub use session::{PORTAL_COOKIE, PORTAL_TOKEN_PREFIX, lang_of};
pub use signin::PendingLogins;

pub fn routes() -> Router<AppState> {
    pages::routes()
        .merge(apply::routes())
        .merge(local::routes())
}

/// The query parameter a portal page's address gets back when the file its form sent was over
/// the limit and refused before it was read (`security::limit_body`): the page shows the
/// refusal in the citizen's language, as it shows one found while reading.
pub const FILE_TOO_LARGE: (&str, &str) = ("file", "troppo-grande");

/// The refusal a page shows for its `file` query parameter.
fn upload_refusals(file: &str) -> Vec<domain::FieldError> {
    if file == FILE_TOO_LARGE.1 {
        vec![domain::casework::document_too_large()]
    } else {
        Vec::new()
    }
}

/// Whether `path` is the portal's (`/portale` and below, not `/portalex`).
pub fn is_portal(path: &str) -> bool {
    path == "/portale" || path.starts_with("/portale/")
}

/// The relying party of a portal reached at `base` (`http://127.0.0.1:8328`) on loopback,
/// trusting `provider`, with keys made now: for `serve --demo` and the tests, which sign in
/// through the local provider of `oidc::testing`. Never for a real deployment: plain HTTP is
/// accepted on loopback only.
pub fn local_relying_party(
    base: &str,
    org_name: &str,
    provider: oidc::ProviderConfig,
) -> Result<oidc::RelyingParty, oidc::OidcError> {
    let client_id = format!("{}/portale", base.trim_end_matches('/'));
    let mut config = oidc::RpConfig::new(
        &client_id,
        &format!("{client_id}/accesso"),
        oidc::RpKeys::generate()?,
        org_name,
    );
    config.allow_insecure_localhost = true;
    config.providers.push(provider);
    oidc::RelyingParty::new(config)
}
