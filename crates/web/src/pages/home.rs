//! The operator's desk: where they are, what they may open.

use super::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::policy::{Action, RecordScope};
use store::{OrgComune, OrgStore};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    kind: &'static str,
    comuni: Vec<OrgComune>,
    links: Vec<(&'static str, &'static str, &'static str)>,
}

async fn home(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)
        .or_else(|_| ctx.authorize(Action::AuditView, RecordScope::SameOrg))?;
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let mut links = Vec::new();
    if ctx.can(Action::OrgManage, RecordScope::SameOrg) {
        links.push((
            "/admin/enti",
            "Enti",
            "Ambiti, Comuni, CAF ed enti erogatori, con i loro comuni.",
        ));
    }
    if ctx.can(Action::UserManage, RecordScope::SameOrg) {
        links.push((
            "/admin/utenti",
            "Utenti",
            "Account degli operatori, ruoli, sessioni e token.",
        ));
    }
    if ctx.can(Action::AuditView, RecordScope::SameOrg) {
        links.push((
            "/audit",
            "Registro attività",
            "Chi ha fatto cosa e quando, con esportazione CSV.",
        ));
    }
    links.push((
        "/account",
        "Il mio profilo",
        "Password, sessioni aperte e token per le API.",
    ));
    let page = HomePage {
        l: Layout::page(&ctx, &jar, "Scrivania", "/"),
        kind: ctx.org.kind.label(),
        comuni,
        links,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}
