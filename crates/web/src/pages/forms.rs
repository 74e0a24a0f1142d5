//! Reading what the pages are sent: forms (whole or as name–value pairs), path ids, query
//! values, and the answer to a refused small form.

use crate::error::AppError;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
                AppError::App(app::Error::BadRequest(
                    "I dati inviati non sono validi: ricarica la pagina e riprova".into(),
                ))
                .into_response()
            }),
        }
    }
}

/// Parses a path id; a malformed one is simply a page that does not exist.
pub fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(raw).map_err(|_| AppError::App(app::Error::NotFound))
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
pub fn refuse(
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
