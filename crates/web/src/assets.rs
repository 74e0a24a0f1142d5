//! Static files (CSS, JS, fonts, icon), embedded in the binary and served under a versioned
//! path so that browsers may cache them for a year.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Part of every static URL; changes with each release, so cached files never go stale.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

struct Asset {
    path: &'static str,
    bytes: &'static [u8],
    mime: &'static str,
}

macro_rules! assets {
    ($($path:literal => $mime:literal),* $(,)?) => {
        &[$(Asset { path: $path, bytes: include_bytes!(concat!("../static/", $path)), mime: $mime }),*]
    };
}

static ASSETS: &[Asset] = assets! {
    "css/app.css" => "text/css; charset=utf-8",
    "js/app.js" => "text/javascript; charset=utf-8",
    "favicon.svg" => "image/svg+xml",
    "fonts/OFL.txt" => "text/plain; charset=utf-8",
    "fonts/titillium-web-latin-400-normal.woff2" => "font/woff2",
    "fonts/titillium-web-latin-400-italic.woff2" => "font/woff2",
    "fonts/titillium-web-latin-600-normal.woff2" => "font/woff2",
    "fonts/titillium-web-latin-700-normal.woff2" => "font/woff2",
    "fonts/titillium-web-latin-ext-400-normal.woff2" => "font/woff2",
    "fonts/titillium-web-latin-ext-400-italic.woff2" => "font/woff2",
    "fonts/titillium-web-latin-ext-600-normal.woff2" => "font/woff2",
    "fonts/titillium-web-latin-ext-700-normal.woff2" => "font/woff2",
};

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/static/{version}/{*path}", get(asset))
}

async fn asset(Path((_version, path)): Path<(String, String)>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, a.mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            a.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
