//! The DSU printed: the declaration as filled, for the declarant's signature, and the
//! calculation explained to the citizen. Guarded and logged like the DSU's page.

use super::forms::parse_id;
use super::render::pdf;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use app::dsu::print::{Printed, calculation_pdf, declaration_pdf};
use app::dsu::{self, Draft, dsu_access};
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use store::{DsuStore, UserStore};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dsu/{id}/stampa", get(declaration))
        .route("/dsu/{id}/calcolo.pdf", get(calculation))
}

/// What both documents print, read once the actor may see the DSU.
struct Loaded {
    access: dsu::DsuAccess,
    members: Vec<store::DsuMemberView>,
    draft: Draft,
    ev: dsu::Evaluation,
    letterhead: domain::letterhead::Letterhead,
}

impl Loaded {
    fn printed<'a>(&'a self, ctx: &'a Ctx) -> Printed<'a> {
        Printed {
            org: ctx.org.name.as_str(),
            letterhead: &self.letterhead,
            rec: &self.access.dsu,
            members: &self.members,
            ev: &self.ev,
        }
    }
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<Loaded, AppError> {
    let access = dsu_access(state, ctx, parse_id(id)?).await?;
    let members = state.store.dsu_members(ctx.org.id, access.dsu.id).await?;
    let draft = Draft::parse(&access.dsu.quadri)?;
    let ev = dsu::evaluate(&access.dsu, &members, &draft);
    let letterhead = app::acts::letterhead(state, ctx.org.id).await?;
    Ok(Loaded {
        access,
        members,
        draft,
        ev,
        letterhead,
    })
}

async fn declaration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = load(&state, &ctx, &id).await?;
    let rec = &l.access.dsu;
    let operator = state.store.get_user(rec.created_by).await?.full_name;
    let bytes = declaration_pdf(&l.printed(&ctx), &l.draft, &operator);
    dsu::log_read(&state, &ctx, rec).await;
    Ok(pdf(&format!("dsu-{}.pdf", rec.id), bytes))
}

async fn calculation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = load(&state, &ctx, &id).await?;
    let rec = &l.access.dsu;
    let bytes = calculation_pdf(&l.printed(&ctx)).ok_or_else(|| {
        AppError::from(app::Error::BadRequest(
            "La DSU non è ancora completa: il calcolo si stampa quando tutti i quadri sono compilati senza errori.".into(),
        ))
    })?;
    dsu::log_read(&state, &ctx, rec).await;
    Ok(pdf(&format!("calcolo-isee-{}.pdf", rec.id), bytes))
}
