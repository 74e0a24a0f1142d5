//! The organization's settings of the citizens' portal (`/admin/portale`), set by its
//! administrator or responsabile: how the citizen's access log names the operators.

use super::forms::Pairs;
use super::render::{render, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::org::OperatorNaming;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/portale", get(settings_form).post(save_settings))
}

#[derive(Template)]
#[template(path = "portal_settings.html")]
struct SettingsPage {
    l: Layout,
    org_name: String,
    version: i64,
    /// The choice shown as made: the stored one, or the one sent back with an error.
    chosen: String,
    namings: [OperatorNaming; 2],
}

fn settings_page(
    ctx: &Ctx,
    jar: &CookieJar,
    version: i64,
    chosen: String,
    errors: FormErrors,
) -> SettingsPage {
    SettingsPage {
        l: Layout::page(ctx, jar, "Portale del cittadino", "/admin")
            .crumb("/admin/enti", "Enti")
            .crumb("/admin/portale", "Portale del cittadino")
            .with_errors(errors),
        org_name: ctx.org.name.clone(),
        version,
        chosen,
        namings: OperatorNaming::ALL,
    }
}

async fn settings_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let stored = app::portal::settings_for_edit(&state, &ctx).await?;
    let page = settings_page(
        &ctx,
        &jar,
        stored.version,
        stored.operator_naming.as_str().to_owned(),
        FormErrors::default(),
    );
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn save_settings(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    let naming = form.get("operator_naming");
    let version = form.get("version");
    match app::portal::save_settings(&state, &ctx, naming, version).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Impostazioni del portale salvate: il registro degli accessi dei cittadini le segue da ora.",
            );
            Ok((jar, Redirect::to("/admin/portale")).into_response())
        }
        Err(error) => {
            let page = settings_page(
                &ctx,
                &jar,
                version.trim().parse().unwrap_or(0),
                naming.to_owned(),
                FormErrors(vec![error]),
            );
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}
