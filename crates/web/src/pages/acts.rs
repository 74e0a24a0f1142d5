//! The organization's letterhead (carta intestata), edited by its administrator or
//! responsabile, and the register of acts (registro degli atti) of a year.

use super::forms::Pairs;
use super::render::{render, render_page};
use super::upload::{LOGO_UPLOAD_PATH, read_upload, size_words};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::application::ActKind;
use domain::dates::format_date;
use domain::letterhead::{LetterheadInput, MAX_LOGO_BYTES};
use domain::localtime::today;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/carta-intestata",
            get(letterhead_form).post(save_letterhead),
        )
        .route(LOGO_UPLOAD_PATH, get(logo).post(upload_logo))
        .route("/admin/carta-intestata/logo/rimuovi", post(remove_logo))
        .route("/istanze/registro", get(register))
}

#[derive(Template)]
#[template(path = "letterhead.html")]
struct LetterheadPage {
    l: Layout,
    f: LetterheadInput,
    version: i64,
    org_name: String,
    /// The stored logo in words ("PNG, 240 × 240 pixel"), if there is one.
    logo: Option<String>,
    logo_limit: String,
}

fn letterhead_page(
    ctx: &Ctx,
    jar: &CookieJar,
    stored: &store::OrgLetterhead,
    f: LetterheadInput,
    errors: FormErrors,
) -> LetterheadPage {
    LetterheadPage {
        l: Layout::page(ctx, jar, "Carta intestata", "/admin")
            .crumb("/admin/enti", "Enti")
            .crumb("/admin/carta-intestata", "Carta intestata")
            .with_errors(errors),
        f,
        version: stored.version,
        org_name: ctx.org.name.clone(),
        logo: stored.data.logo.as_ref().map(|l| {
            format!(
                "{}, {} × {} pixel, {}",
                l.kind().label(),
                l.width(),
                l.height(),
                size_words(l.bytes().len().max(1024))
            )
        }),
        logo_limit: size_words(MAX_LOGO_BYTES),
    }
}

async fn letterhead_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let stored = app::acts::letterhead_for_edit(&state, &ctx).await?;
    let page = letterhead_page(
        &ctx,
        &jar,
        &stored,
        stored.data.input(),
        FormErrors::default(),
    );
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn save_letterhead(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    let input = LetterheadInput {
        office: form.get("office").to_owned(),
        address: form.get("address").to_owned(),
        postcode: form.get("postcode").to_owned(),
        city: form.get("city").to_owned(),
        phone: form.get("phone").to_owned(),
        pec: form.get("pec").to_owned(),
        email: form.get("email").to_owned(),
        website: form.get("website").to_owned(),
        hours: form.get("hours").to_owned(),
        signer_name: form.get("signer_name").to_owned(),
        signer_title: form.get("signer_title").to_owned(),
    };
    let version = form.get("version");
    match app::acts::save_letterhead(&state, &ctx, &input, version).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Carta intestata salvata: la usano le lettere e le e-mail da ora in poi.",
            );
            Ok((jar, Redirect::to("/admin/carta-intestata")).into_response())
        }
        Err(errors) => {
            let mut stored = app::acts::letterhead_for_edit(&state, &ctx).await?;
            stored.version = version.trim().parse().unwrap_or(0);
            let page = letterhead_page(&ctx, &jar, &stored, input, FormErrors(errors));
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// The logo as stored, for the letterhead page's preview.
async fn logo(State(state): State<AppState>, ctx: Ctx) -> Result<Response, AppError> {
    let logo = app::acts::logo_for_edit(&state, &ctx).await?;
    Ok((
        [(header::CONTENT_TYPE, logo.kind().as_str())],
        logo.bytes().to_vec(),
    )
        .into_response())
}

/// A new logo for the letterhead (field `logo`); a refused file leaves the stored one and
/// shows the page again with the reason beside the field.
async fn upload_logo(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let saved = match read_upload(&state.store, multipart).await? {
        Ok(up) => {
            let (_, bytes) = up.file.unwrap_or_default();
            app::acts::save_logo(&state, &ctx, bytes).await?
        }
        Err(_) => Err(FieldError::new(
            "logo",
            format!(
                "il logo supera la dimensione massima di {}",
                size_words(MAX_LOGO_BYTES)
            ),
        )),
    };
    match saved {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Logo salvato: è in cima alle lettere stampate da ora in poi.",
            );
            Ok((jar, Redirect::to("/admin/carta-intestata")).into_response())
        }
        Err(e) => {
            let stored = app::acts::letterhead_for_edit(&state, &ctx).await?;
            let page = letterhead_page(
                &ctx,
                &jar,
                &stored,
                stored.data.input(),
                FormErrors(vec![e]),
            );
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn remove_logo(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    app::acts::remove_logo(&state, &ctx).await?;
    let jar = flash(
        jar,
        "success",
        "Logo tolto: le lettere stampate da ora in poi non lo hanno.",
    );
    Ok((jar, Redirect::to("/admin/carta-intestata")).into_response())
}

#[derive(Deserialize, Default)]
struct RegisterQuery {
    #[serde(default)]
    anno: String,
    #[serde(default)]
    tipo: String,
}

struct ActRow {
    number: String,
    kind: &'static str,
    issued_on: String,
    application_id: String,
    protocol: String,
    applicant: String,
    benefit: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    l: Layout,
    year: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<ActRow>,
}

/// The register of a year (this year unless asked), of one kind or all.
async fn register(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    let this_year = today(ctx.now).year();
    let year = match q.anno.trim() {
        "" => this_year,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=this_year + 1).contains(y))
            .ok_or_else(|| {
                app::Error::BadRequest(format!(
                    "anno: «{y}» non è un anno valido (dal 2000 al {})",
                    this_year + 1
                ))
            })?,
    };
    let kind = match q.tipo.trim() {
        "" => None,
        k => Some(ActKind::parse(k).ok_or_else(|| {
            app::Error::BadRequest("tipo: scegliere un tipo di atto dell'elenco".into())
        })?),
    };
    let acts = app::acts::register(&state, &ctx, year, kind).await?;
    let rows = acts
        .into_iter()
        .map(|v| ActRow {
            number: v.act.number_words(),
            kind: v.act.kind.label(),
            issued_on: format_date(v.act.issued_on),
            application_id: v.act.application_id.to_string(),
            protocol: v.protocol.unwrap_or_else(|| "—".into()),
            applicant: format!("{} {}", v.surname, v.given_names),
            benefit: v.benefit_name,
            state: v.state.label(),
        })
        .collect();
    let page = RegisterPage {
        l: Layout::page(&ctx, &jar, "Registro degli atti", "/istanze")
            .crumb("/istanze", "Istanze")
            .crumb("/istanze/registro", "Registro degli atti"),
        year: year.to_string(),
        kind: kind.map_or("", ActKind::as_str).to_owned(),
        kinds: ActKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        rows,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}
