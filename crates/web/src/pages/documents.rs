//! Documents of a case file: uploads checked by content and size, kept in the database, sent
//! back as attachments; confidential ones follow the diary's rule.

use super::cases::{CaseAccess, case_access};
use super::parse_id;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::flash;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::audit::unix_micros;
use domain::casework::{Confidentiality, MAX_DOCUMENT_BYTES, check_document};
use sha2::{Digest, Sha256};
use store::{CaseDocument, CaseStore};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/cartelle/{id}/documenti",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BODY)),
        )
        .route("/cartelle/{id}/documenti/{doc}", get(download))
}

/// The body of an upload: the document and the form's few fields.
pub const MAX_UPLOAD_BODY: usize = MAX_DOCUMENT_BYTES + 64 * 1024;

/// Whether `path` is a document upload (of a case file or of an application), which may carry [`MAX_UPLOAD_BODY`] bytes.
pub fn is_upload_path(path: &str) -> bool {
    ["/cartelle/", "/istanze/"].iter().any(|prefix| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix("/documenti"))
            .is_some_and(|id| !id.contains('/'))
    })
}

/// The documents of a case file the user may see.
pub(super) async fn visible(
    state: &AppState,
    ctx: &Ctx,
    a: &CaseAccess,
) -> Result<Vec<CaseDocument>, AppError> {
    Ok(state
        .store
        .case_documents(ctx.org.id, a.case.id)
        .await?
        .into_iter()
        .filter(|d| d.confidentiality == Confidentiality::Normal || a.sees_confidential(d.at_us))
        .collect())
}

fn refuse(jar: CookieJar, back: &str, e: &FieldError) -> Response {
    let jar = flash(
        jar,
        "danger",
        &format!("Documento non salvato: {}.", e.message),
    );
    (jar, Redirect::to(back)).into_response()
}

async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    a.authorize_write(&ctx)?;
    let back = format!("/cartelle/{}#documenti", a.case.id);
    let up = match read_upload(&state.store, multipart).await? {
        Ok(up) => up,
        Err(e) => return Ok(refuse(jar, &back, &e)),
    };
    let description = up.field("description").to_owned();
    let confidentiality = up.field("confidentiality").to_owned();
    let (name, bytes) = up.file.unwrap_or_default();
    let checked = match check_document(&name, &bytes) {
        Ok(c) => c,
        Err(e) => return Ok(refuse(jar, &back, &e)),
    };
    let description = description.trim().to_owned();
    if description.is_empty() || description.chars().count() > 300 {
        return Ok(refuse(
            jar,
            &back,
            &FieldError::new(
                "description",
                "descrivere il documento (al massimo 300 caratteri)",
            ),
        ));
    }
    let Some(confidentiality) = Confidentiality::parse(confidentiality.trim()) else {
        return Ok(refuse(
            jar,
            &back,
            &FieldError::new("confidentiality", "scegliere la riservatezza"),
        ));
    };
    let doc = CaseDocument {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: a.case.id,
        file_name: checked.file_name,
        content_type: checked.kind.as_str().to_owned(),
        size_bytes: bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        description,
        confidentiality,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "casefile.document",
        "case_file",
        Some(a.case.id),
        format!(
            "Documento «{}» ({}, {}) nella cartella n. {}",
            doc.file_name,
            checked.kind.label(),
            confidentiality.label(),
            a.case.number
        ),
    );
    state.store.add_case_document(&doc, &bytes, &audit).await?;
    let jar = flash(jar, "success", "Documento allegato.");
    Ok((jar, Redirect::to(&back)).into_response())
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    let (d, content) = state
        .store
        .case_document_content(ctx.org.id, parse_id(&doc)?)
        .await?;
    if d.case_file_id != a.case.id {
        return Err(AppError::NotFound);
    }
    if d.confidentiality == Confidentiality::Restricted && !a.sees_confidential(d.at_us) {
        return Err(AppError::Forbidden);
    }
    state
        .reads
        .view(&ctx, crate::read_log::Read::CaseDocument, d.id)
        .await;
    Ok(send_file(&d.file_name, d.content_type, content))
}

/// A multipart form as read: its file (name and bytes) and its other fields.
pub(super) struct Upload {
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
pub(super) async fn read_upload(
    store: &crate::Store,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Result<Upload, FieldError>, AppError> {
    crate::idle(store).await;
    let incomplete =
        || AppError::BadRequest("Il file inviato non è stato ricevuto per intero: riprova".into());
    let mut multipart = multipart.map_err(|_| {
        AppError::BadRequest("Il modulo deve essere inviato con il file allegato".into())
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
                return Ok(Err(FieldError::new(
                    "file",
                    format!(
                        "il file supera la dimensione massima di {} MiB",
                        MAX_DOCUMENT_BYTES / (1024 * 1024)
                    ),
                )));
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

/// A stored document sent back as an attachment under its (sanitized) name.
pub(super) fn send_file(file_name: &str, content_type: String, content: Vec<u8>) -> Response {
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
        super::url_encode(file_name)
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
