//! The operators' pages and the JSON API, one module per area.

mod access;
mod account;
mod admin;
mod agenda;
mod api;
mod api_istanze;
mod applications;
mod attestations;
mod audit;
mod benefits;
mod cases;
pub(crate) mod documents;
mod home;
mod households;
mod login;
mod mandates;
mod persons;
mod plans;
mod registry;

use crate::AppState;
use crate::error::{AppError, Rendered};
use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use store::HealthStore;

/// Whether `path` takes a file (a document, an INPS XML, a DSU), which may be larger than
/// an ordinary form.
pub fn is_upload_path(path: &str) -> bool {
    documents::is_upload_path(path) || attestations::is_upload_path(path)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/ready", get(ready))
        .merge(login::routes())
        .merge(home::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(audit::routes())
        .merge(registry::routes())
        .merge(persons::routes())
        .merge(mandates::routes())
        .merge(households::routes())
        .merge(cases::routes())
        .merge(documents::routes())
        .merge(plans::routes())
        .merge(agenda::routes())
        .merge(access::routes())
        .merge(benefits::routes())
        .merge(applications::routes())
        .merge(attestations::routes())
        .nest("/api/v1", api::routes())
        .fallback(|| async { AppError::NotFound })
}

async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, AppError> {
    state
        .store
        .ping()
        .await
        .map_err(|_| AppError::Unavailable)?;
    Ok("ok")
}

/// Renders a page with `status`; marked as complete so the error layer keeps it as it is.
pub fn render<T: askama::Template>(page: &T, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            r.extensions_mut().insert(Rendered);
            r
        }
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

/// Renders an operator's page and drops the flash message it has just shown.
pub fn render_page<T: askama::Template>(
    jar: axum_extra::extract::CookieJar,
    page: &T,
    status: StatusCode,
) -> Response {
    (crate::layout::clear_flash(jar), render(page, status)).into_response()
}

/// A URL-encoded form. A body that does not decode (a forged or truncated request) is a 400
/// with an Italian page, never a panic or a bare message from the framework.
pub struct Form<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(rejection) => Err(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                StatusCode::PAYLOAD_TOO_LARGE.into_response()
            } else {
                AppError::BadRequest(
                    "I dati inviati non sono validi: ricarica la pagina e riprova".into(),
                )
                .into_response()
            }),
        }
    }
}

/// Percent-encodes a query-string value (everything but letters, digits, `-._`).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Parses a path id; a malformed one is simply a page that does not exist.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| AppError::NotFound)
}

/// A form read as its name–value pairs, for forms with repeated names (check boxes).
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for Pairs {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state).await?;
        Ok(Pairs(pairs))
    }
}

/// Answers a refused form with the page it came from and the messages in a flash: these are
/// one- or two-field forms placed on pages that hold several of them.
pub(super) fn refuse(
    jar: axum_extra::extract::CookieJar,
    back: &str,
    errors: &[domain::FieldError],
) -> Response {
    let text = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let jar = crate::layout::flash(jar, "danger", &format!("Dati non salvati: {text}."));
    (jar, axum::response::Redirect::to(back)).into_response()
}
