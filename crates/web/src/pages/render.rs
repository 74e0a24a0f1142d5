//! Pages rendered whole: marked so that the error layer keeps them as they are.

use crate::error::{AppError, Rendered};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Renders a page with `status`; marked as complete so the error layer keeps it as it is.
pub fn render<T: askama::Template>(page: &T, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            r.extensions_mut().insert(Rendered);
            r
        }
        Err(e) => AppError::App(app::Error::Internal(format!("template: {e}"))).into_response(),
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

/// A file to download: its content type, the name the browser saves it under, its bytes.
pub fn attachment(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A PDF the browser shows (and saves under `name`).
pub fn pdf(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
