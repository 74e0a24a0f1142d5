//! The portal's error pages: a refusal or a failure under `/portale` shows in the portal's
//! layout and in the citizen's language, not as the office's Italian page. The error layer
//! (`crate::error::render_errors`) calls [`page`] for every path of the portal; it reads no
//! session, so that a failing store cannot fail the error page too.

use super::i18n::{Lang, T};
use super::pages::PortalLayout;
use crate::pages::render::render;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "portale/errore.html")]
struct ErrorPage {
    l: PortalLayout,
    heading: String,
    message: String,
    code: String,
}

/// The catalogue's title and explanation for `status`.
fn messages(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => ("error-not-found-title", "error-not-found"),
        StatusCode::FORBIDDEN => ("error-forbidden-title", "error-forbidden"),
        StatusCode::BAD_REQUEST
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::PAYLOAD_TOO_LARGE
        | StatusCode::METHOD_NOT_ALLOWED => ("error-bad-request-title", "error-bad-request"),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            ("error-later-title", "error-later")
        }
        s if s.is_server_error() => ("error-internal-title", "error-internal"),
        _ => ("error-title", "error-text"),
    }
}

/// The page for an error `status` of the portal, in `lang`.
pub fn page(lang: Lang, status: StatusCode, path: &str) -> Response {
    let t = T::new(lang);
    let (title, message) = messages(status);
    let heading = t.t(title);
    let page = ErrorPage {
        l: PortalLayout::new(t, heading.clone(), None, path),
        heading,
        message: t.t(message),
        code: t.args("error-code", &[("code", &status.as_u16().to_string())]),
    };
    render(&page, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_its_page_in_the_language() {
        for (status, title) in [
            (StatusCode::NOT_FOUND, "Page not found"),
            (StatusCode::FORBIDDEN, "Access denied"),
            (StatusCode::PAYLOAD_TOO_LARGE, "Request not valid"),
            (StatusCode::TOO_MANY_REQUESTS, "Try again later"),
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error"),
            (StatusCode::CONFLICT, "Something is wrong"),
        ] {
            let (key, _) = messages(status);
            assert_eq!(T::new(Lang::En).t(key), title, "{status}");
            let r = page(Lang::En, status, "/portale/x");
            assert_eq!(r.status(), status);
        }
        let (key, text) = messages(StatusCode::BAD_GATEWAY);
        assert_eq!(T::new(Lang::Uk).t(key), "Внутрішня помилка");
        assert!(T::new(Lang::Zh).t(text).contains("服务窗口"));
    }
}
