//! Response headers every page carries, the refusal of cross-site state changes and of
//! unknown host names.

use crate::error::AppError;
use crate::pages::upload;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(tls: bool, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
        secure_cookies(h);
    }
    // Pages carry personal data: no copy in any cache. Static files are versioned instead.
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// Over HTTPS every cookie is Secure, whoever set it (session, flash id), so that none is
/// ever sent over plain HTTP.
fn secure_cookies(h: &mut axum::http::HeaderMap) {
    let cookies: Vec<HeaderValue> = h
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| match v.to_str() {
            Ok(text) if !text.to_ascii_lowercase().contains("; secure") => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| v.clone())
            }
            _ => v.clone(),
        })
        .collect();
    h.remove(header::SET_COOKIE);
    for c in cookies {
        h.append(header::SET_COOKIE, c);
    }
}

/// Refuses a state-changing request that a browser says comes from another site: the
/// `Sec-Fetch-Site` header when present, else `Origin` against `Host`. Requests with neither
/// (command-line clients, API callers with a bearer token) carry no ambient cookie authority
/// from a browser and pass; cookies are SameSite=Lax as a second line.
pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    let site = h.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let allowed = match site {
        Some(s) => s == "same-origin" || s == "none",
        None => match h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(origin) => {
                let host = h
                    .get(header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                origin
                    .split_once("://")
                    .is_some_and(|(_, rest)| !host.is_empty() && rest == host)
            }
        },
    };
    if allowed {
        next.run(req).await
    } else {
        AppError::CrossSite.into_response()
    }
}

/// The host of a `Host` value (`Sportello.example:8328`, `[::1]:80`) as the allowlist holds
/// it: lowercase, without port, brackets or a final dot. `None` when it is not a host.
pub fn host_name(value: &str) -> Option<String> {
    let value = value.trim();
    // A bare IPv6 address (as configured) is no authority: `::1` would read as a port.
    let authority = match value.parse::<IpAddr>() {
        Ok(_) => value.to_owned(),
        Err(_) => value
            .parse::<axum::http::uri::Authority>()
            .ok()?
            .host()
            .to_owned(),
    };
    let host = authority
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(ip.to_canonical().to_string());
    }
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Refuses a request whose `Host` is not one of Sportello's names: a site whose name an
/// attacker makes resolve to this server (DNS rebinding) would otherwise read its pages as
/// same-origin. A request with no host at all comes from no browser and passes; `/health` and
/// `/ready` answer any host, for probes that reach the server by address.
pub async fn check_host(allowed: Arc<[String]>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/health" || path == "/ready" {
        return next.run(req).await;
    }
    let host = match req.headers().get(header::HOST) {
        Some(v) => v.to_str().ok().and_then(host_name),
        None => match req.uri().authority() {
            Some(a) => host_name(a.as_str()),
            None => return next.run(req).await,
        },
    };
    if host.is_some_and(|h| allowed.contains(&h)) {
        next.run(req).await
    } else {
        AppError::UnknownHost.into_response()
    }
}

/// A body declared over the limit. A file sent from a page's upload form goes back to the
/// page it came from (its `Referer`, as a path of this site) with the limit in a message;
/// anything else is refused with 413.
fn too_large(req: &Request) -> Response {
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<axum::http::Uri>().ok())
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_owned()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"));
    match (upload::file_limit(req.uri().path()), back) {
        // The portal words the refusal itself, in the citizen's language.
        (Some(_), Some(back)) if crate::portale::is_portal(&back) => {
            let (name, value) = crate::portale::FILE_TOO_LARGE;
            let marker = format!("{name}={value}");
            let to = if back.contains(&marker) {
                back
            } else {
                let sep = if back.contains('?') { '&' } else { '?' };
                format!("{back}{sep}{marker}")
            };
            axum::response::Redirect::to(&to).into_response()
        }
        (Some(limit), Some(back)) => {
            let jar = crate::layout::flash(
                axum_extra::extract::CookieJar::from_headers(req.headers()),
                "danger",
                &format!(
                    "Il file non è stato caricato: supera la dimensione massima di {}.",
                    upload::size_words(limit)
                ),
            );
            (jar, axum::response::Redirect::to(&back)).into_response()
        }
        _ => axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    }
}

/// The request body limit: `limit` everywhere, or more where a file is uploaded
/// ([`upload::body_limit`]: the registry's list, a document, an INPS XML, a DSU, a logo).
/// A declared length over the limit is refused at once; a longer body stops being read at it.
pub(crate) async fn limit_body(
    limit: usize,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let max = upload::body_limit(req.uri().path()).map_or(limit, |m| m.max(limit));
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large(&req);
    }
    let req = req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, max)));
    next.run(req).await
}
