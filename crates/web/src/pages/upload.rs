//! Files sent to and from the pages: which routes take large bodies, reading an upload form,
//! sending a stored file back as an attachment.

use crate::error::AppError;
use crate::paths::url_encode;
use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::FieldError;
use domain::casework::MAX_DOCUMENT_BYTES;
use domain::inps_xml::MAX_XML_BYTES;
use domain::letterhead::MAX_LOGO_BYTES;

/// The largest DSU (the engine's JSON) the calculation page takes.
pub const MAX_DSU_BYTES: usize = 1024 * 1024;

/// The civil-registry upload form's address: the one route that accepts bodies up to
/// [`MAX_REGISTRY_BYTES`].
pub const REGISTRY_UPLOAD_PATH: &str = "/anagrafe/import";
pub const MAX_REGISTRY_BYTES: usize = 64 * 1024 * 1024;

/// What a form's other fields and the multipart framing add to the file.
const FORM_OVERHEAD: usize = 64 * 1024;

/// The body of an upload: the document and the form's few fields.
pub const MAX_UPLOAD_BODY: usize = MAX_DOCUMENT_BYTES + FORM_OVERHEAD;

/// The letterhead's logo upload form's address.
pub const LOGO_UPLOAD_PATH: &str = "/admin/carta-intestata/logo";

/// The largest file the upload form posted to `path` takes: the registry's list, a document
/// (of a case file, of an application, also from the portal, or of a citizen's draft), an
/// INPS XML, a DSU or a logo; None for other addresses.
pub fn file_limit(path: &str) -> Option<usize> {
    if path == REGISTRY_UPLOAD_PATH {
        return Some(MAX_REGISTRY_BYTES);
    }
    if path == LOGO_UPLOAD_PATH {
        return Some(MAX_LOGO_BYTES);
    }
    let under = |prefix: &str, suffix: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .is_some_and(|id| !id.contains('/'))
    };
    if under("/cartelle/", "/documenti")
        || under("/istanze/", "/documenti")
        || crate::portale::is_draft_upload(path)
        || under("/portale/domande/", "/documenti")
        || under("/portale/domande/", "/osservazioni")
    {
        Some(MAX_DOCUMENT_BYTES)
    } else if under("/persone/", "/isee/xml")
        || path == super::payments::RETURN_UPLOAD_PATH
        || path == super::bills::PAYMENTS_UPLOAD_PATH
    {
        Some(MAX_XML_BYTES)
    } else if under("/isee/", "/calcolo") {
        Some(MAX_DSU_BYTES)
    } else {
        None
    }
}

/// The largest body `path` takes when it takes a file: the registry's list, the logo with
/// its form, and [`MAX_UPLOAD_BODY`] for a document, an INPS XML or a DSU.
pub fn body_limit(path: &str) -> Option<usize> {
    match path {
        REGISTRY_UPLOAD_PATH => Some(MAX_REGISTRY_BYTES),
        LOGO_UPLOAD_PATH => Some(MAX_LOGO_BYTES + FORM_OVERHEAD),
        _ => file_limit(path).map(|_| MAX_UPLOAD_BODY),
    }
}

/// "10 MiB", "512 KiB": a limit as the messages say it.
pub fn size_words(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// A multipart form as read: its file (name and bytes) and its other fields.
pub struct Upload {
    pub file: Option<(String, Vec<u8>)>,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    /// The value of a text field, or "".
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads an upload form whose file field is named `file`. A body over the limit is a field
/// error to show; a body cut short or not multipart is a bad request.
pub async fn read_upload(
    store: &app::Store,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Result<Upload, FieldError>, AppError> {
    app::idle(store).await;
    let incomplete = || {
        AppError::App(app::Error::BadRequest(
            "Il file inviato non è stato ricevuto per intero: riprova".into(),
        ))
    };
    let mut multipart = multipart.map_err(|_| {
        AppError::App(app::Error::BadRequest(
            "Il modulo deve essere inviato con il file allegato".into(),
        ))
    })?;
    let mut up = Upload {
        file: None,
        fields: Vec::new(),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(Ok(up)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Ok(Err(domain::casework::document_too_large()));
            }
            Err(_) => return Err(incomplete()),
        };
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| incomplete())?;
            up.file = Some((file_name, bytes.to_vec()));
        } else {
            let value = field.text().await.map_err(|_| incomplete())?;
            up.fields.push((name, value));
        }
    }
}

/// A file sent from a monthly page (`page?mese=AAAA-MM`, the form's `mese` field): the page
/// of that month to go back to and the file's bytes; or the refusal to send back, the field
/// named (`missing` says which file to choose when none came).
pub async fn monthly_file(
    store: &app::Store,
    jar: axum_extra::extract::CookieJar,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    page: &str,
    missing: &str,
    today: time::Date,
) -> Result<Result<(String, Vec<u8>), Response>, AppError> {
    let up = match read_upload(store, multipart).await? {
        Ok(up) => up,
        Err(e) => return Ok(Err(super::forms::refuse(jar, page, &[e]))),
    };
    let back = format!(
        "{page}?mese={}",
        super::siuss::period_code(super::siuss::month(up.field("mese"), today))
    );
    match up.file.filter(|(_, b)| !b.is_empty()) {
        Some((_, bytes)) => Ok(Ok((back, bytes))),
        None => Ok(Err(super::forms::refuse(
            jar,
            &back,
            &[FieldError::new("file", missing)],
        ))),
    }
}

/// A stored document sent back as an attachment under its (sanitized) name.
pub fn send_file(file_name: &str, content_type: String, content: Vec<u8>) -> Response {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        url_encode(file_name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response()
}
