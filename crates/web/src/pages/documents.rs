//! Documents of a case file: uploads checked by content and size, kept in the database, sent
//! back as attachments; confidential ones follow the diary's rule.

use super::forms::parse_id;
use super::upload::{MAX_UPLOAD_BODY, read_upload, send_file};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::flash;
use app::casefile::case_access;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::audit::unix_micros;
use domain::casework::{Confidentiality, check_document};
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
    a.write_access(&ctx)?;
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
        return Err(app::Error::NotFound.into());
    }
    if d.confidentiality == Confidentiality::Restricted && !a.sees_confidential(d.at_us) {
        return Err(app::Error::Forbidden.into());
    }
    state
        .reads
        .view(&ctx, app::read_log::Read::CaseDocument, d.id)
        .await;
    Ok(send_file(&d.file_name, d.content_type, content))
}
