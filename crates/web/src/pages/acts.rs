//! The organization's letterhead (carta intestata), edited by its administrator or
//! responsabile, and the register of acts (registro degli atti) of a year.

use super::forms::Pairs;
use super::render::{render, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::application::ActKind;
use domain::dates::format_date;
use domain::letterhead::LetterheadInput;
use domain::localtime::today;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/carta-intestata",
            get(letterhead_form).post(save_letterhead),
        )
        .route("/istanze/registro", get(register))
}

#[derive(Template)]
#[template(path = "letterhead.html")]
struct LetterheadPage {
    l: Layout,
    f: LetterheadInput,
    version: i64,
    org_name: String,
}

fn letterhead_page(
    ctx: &Ctx,
    jar: &CookieJar,
    f: LetterheadInput,
    version: i64,
    errors: FormErrors,
) -> LetterheadPage {
    LetterheadPage {
        l: Layout::page(ctx, jar, "Carta intestata", "/admin")
            .crumb("/admin/enti", "Enti")
            .crumb("/admin/carta-intestata", "Carta intestata")
            .with_errors(errors),
        f,
        version,
        org_name: ctx.org.name.clone(),
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
        stored.data.input(),
        stored.version,
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
            let page = letterhead_page(
                &ctx,
                &jar,
                input,
                version.trim().parse().unwrap_or(0),
                FormErrors(errors),
            );
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
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
