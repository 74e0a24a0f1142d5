//! The web layer's one error type, mapped to HTTP once: the services' `app::Error` wrapped
//! (its messages are written there only) and the web's own refusals (login, host,
//! cross-site). Handlers return `AppError`; the
//! [`render_errors`] middleware turns any error status into an Italian page (under `/portale`
//! the portal's page in the citizen's language), or into `application/problem+json` under
//! `/api/`, so that rejections from axum itself (unknown
//! route, malformed form, oversized body) look the same as ours.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A refusal or failure of the services, with their message.
    #[error(transparent)]
    App(#[from] app::Error),
    /// Not logged in (pages redirect to the login form; the API answers 401).
    #[error("accesso richiesto")]
    LoginRequired,
    /// Logged in, but the session still has a login step to complete.
    #[error("completa l'accesso")]
    Redirect(String),
    #[error("richiesta rifiutata: proviene da un altro sito")]
    CrossSite,
    /// The `Host` is none of the configured names (`WebConfig::allowed_hosts`).
    #[error(
        "questo indirizzo non è tra quelli di Sportello: apri Sportello dall'indirizzo indicato dal tuo ente"
    )]
    UnknownHost,
}

/// Marks a response whose body is already a complete page (a form shown again with its
/// errors): the error middleware leaves it alone.
#[derive(Clone, Copy)]
pub struct Rendered;

/// Carries the message of an error to the middleware that renders it.
#[derive(Clone)]
struct ErrorMessage(String);

/// A store error means what it means to the services.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::App(e.into())
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::App(e) => match e {
                app::Error::NotFound => StatusCode::NOT_FOUND,
                app::Error::Forbidden => StatusCode::FORBIDDEN,
                app::Error::BadRequest(_) => StatusCode::BAD_REQUEST,
                app::Error::Conflict => StatusCode::CONFLICT,
                app::Error::Unavailable | app::Error::Busy => StatusCode::SERVICE_UNAVAILABLE,
                app::Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AppError::LoginRequired => StatusCode::UNAUTHORIZED,
            AppError::Redirect(_) => StatusCode::SEE_OTHER,
            AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::UnknownHost => StatusCode::MISDIRECTED_REQUEST,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Redirect(to) => Redirect::to(&to).into_response(),
            AppError::App(app::Error::Internal(detail)) => {
                // The detail goes to the log with the request id, never to the client.
                tracing::error!(error = %detail, "internal error");
                let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                r.extensions_mut().insert(ErrorMessage(
                    "Si è verificato un errore interno. Riprova; se si ripete, segnala l'orario all'assistenza.".into(),
                ));
                r
            }
            other => {
                let mut r = other.status().into_response();
                if matches!(other, AppError::App(app::Error::Busy)) {
                    // A hash takes a fraction of a second: the queue is short-lived.
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
                }
                r.extensions_mut()
                    .insert(ErrorMessage(capitalize(&other.to_string())));
                r
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "La pagina che cerchi non esiste o è stata spostata.",
        StatusCode::METHOD_NOT_ALLOWED => "Operazione non consentita su questo indirizzo.",
        StatusCode::PAYLOAD_TOO_LARGE => {
            "I dati inviati superano la dimensione massima consentita."
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::BAD_REQUEST => {
            "I dati inviati non sono validi: controlla il modulo e riprova."
        }
        StatusCode::UNAUTHORIZED => "Accesso richiesto.",
        StatusCode::FORBIDDEN => "Non hai i permessi per questa operazione.",
        _ => "Si è verificato un errore. Riprova.",
    }
}

fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Pagina non trovata",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Formato non supportato",
        StatusCode::UNAUTHORIZED => "Accesso richiesto",
        StatusCode::FORBIDDEN => "Accesso negato",
        StatusCode::TOO_MANY_REQUESTS => "Troppi tentativi",
        StatusCode::PAYLOAD_TOO_LARGE => "Dati troppo grandi",
        StatusCode::SERVICE_UNAVAILABLE => "Servizio non disponibile",
        StatusCode::MISDIRECTED_REQUEST => "Indirizzo sconosciuto",
        s if s.is_server_error() => "Errore interno",
        _ => "Richiesta non valida",
    }
}

/// An `application/problem+json` answer (RFC 9457): the Italian detail and, for a refused
/// body, `errors` naming each field (`(field, message)`). Marked complete, so the error
/// layer keeps it as it is.
pub fn problem(status: StatusCode, detail: &str, errors: Option<&[(&str, &str)]>) -> Response {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": title(status),
        "status": status.as_u16(),
        "detail": capitalize(detail),
    });
    if let Some(errors) = errors {
        body["errors"] = errors
            .iter()
            .map(|(field, message)| serde_json::json!({ "field": field, "message": message }))
            .collect();
    }
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response();
    r.extensions_mut().insert(Rendered);
    r
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    status: u16,
    login_link: bool,
    asset: &'static str,
}

/// Renders every error status that is not already a full page.
pub async fn render_errors(req: Request, next: Next) -> Response {
    // Machine clients (the APIs, Prometheus on /metrics) get problem+json, never the login.
    let api = req.uri().path().starts_with("/api/")
        || req.uri().path().starts_with("/waas/")
        || req.uri().path() == "/metrics";
    let path = req.uri().path().to_owned();
    // The portal's pages are the citizen's, in the citizen's language.
    let portal = crate::portale::is_portal(&path).then(|| crate::portale::lang_of(req.headers()));
    // A page asked for without a session is where the login then leads.
    let asked = (req.method() == axum::http::Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_owned()))
        .flatten()
        .filter(|p| p != "/" && crate::paths::safe_local_path(p).is_some());
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Rendered>().is_some()
    {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let message = response
        .extensions()
        .get::<ErrorMessage>()
        .map_or_else(|| default_message(status).to_owned(), |m| m.0.clone());
    let mut r = if api {
        problem(status, &message, None)
    } else if status == StatusCode::UNAUTHORIZED {
        // The portal's pages lead to the portal's sign-in, the office's to the login.
        let login = if portal.is_some() {
            "/portale/accedi"
        } else {
            "/login"
        };
        let to = match asked {
            Some(p) => format!("{login}?dopo={}", crate::paths::url_encode(&p)),
            None => login.to_owned(),
        };
        return Redirect::to(&to).into_response();
    } else if let Some(lang) = portal {
        crate::portale::errors::page(lang, status, &path)
    } else {
        let page = ErrorPage {
            title: title(status),
            message: &message,
            status: status.as_u16(),
            login_link: status == StatusCode::FORBIDDEN,
            asset: crate::assets::VERSION,
        };
        match askama::Template::render(&page) {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    };
    // A refusal that says when to come back keeps saying it.
    if let Some(v) = retry_after {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}
