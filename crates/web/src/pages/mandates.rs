//! Mandates on a person's page: which citizen or CAF accounts may act for the person
//! (`domain::mandate`). Recorded and revoked by the office, each with its audit row and a
//! line in the person's history.

use super::dates::when;
use super::forms::{Form, parse_id, refuse};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::flash;
use app::person::person_edit_access;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum_extra::extract::CookieJar;
use domain::audit::unix_micros;
use domain::localtime::today;
use domain::mandate::{MandateInput, MandateKind, parse_mandate};
use domain::{Action, FieldError, Login};
use serde::Deserialize;
use store::{Mandate, MandateStore, Person, UserStore};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persone/{id}/deleghe", post(add))
        .route("/persone/{id}/deleghe/{mandate}/revoca", post(revoke))
}

/// A mandate as the person's page lists it.
pub(crate) struct MandateRow {
    pub id: Uuid,
    pub kind: &'static str,
    pub account: String,
    pub period: String,
    pub note: String,
    pub recorded: String,
    /// Revoked, or its period is over.
    pub ended: bool,
    pub revoked: String,
}

/// The person's mandates for their page; empty for users who may not see them.
pub(crate) async fn rows(
    state: &AppState,
    ctx: &Ctx,
    p: &Person,
) -> Result<Vec<MandateRow>, AppError> {
    if !ctx.can(Action::PersonView, ctx.scope_of(p.org_id)) {
        return Ok(Vec::new());
    }
    let on = today(ctx.now);
    Ok(state
        .store
        .person_mandates(ctx.org.id, p.id)
        .await?
        .into_iter()
        .map(|v| MandateRow {
            id: v.mandate.id,
            kind: v.mandate.terms.kind.label(),
            account: format!("{} ({})", v.full_name, v.login),
            period: v.mandate.terms.period(),
            note: v.mandate.terms.note.clone(),
            recorded: format!("{}, {}", when(v.mandate.created_us), v.mandate.created_by),
            ended: v.mandate.revoked_us.is_some() || !v.mandate.terms.covers(on),
            revoked: v
                .mandate
                .revoked_us
                .map(|us| format!("revocata il {}", when(us)))
                .unwrap_or_default(),
        })
        .collect())
}

fn back(p: &Person) -> String {
    format!("/persone/{}#deleghe", p.id)
}

#[derive(Deserialize, Default)]
struct MandateForm {
    #[serde(default)]
    utente: String,
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    dal: String,
    #[serde(default)]
    al: String,
    #[serde(default)]
    note: String,
}

async fn add(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MandateForm>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let back = back(&p);
    let input = MandateInput {
        kind: f.tipo,
        valid_from: f.dal,
        valid_to: f.al,
        note: f.note,
    };
    let mut errors = Vec::new();
    let terms = parse_mandate(&input, today(ctx.now)).map_err(|e| errors.extend(e));
    // The account must hold, in this organization, the role the footing asks for: a
    // citizen's account for the person or their representative, a CAF operator's for a CAF.
    let kind = MandateKind::parse(input.kind.trim());
    let account = match Login::parse(&f.utente) {
        Ok(login) => match state.store.get_user_by_login(&login).await {
            Ok(u) => {
                let roles = state.store.memberships(u.id).await?;
                let fits = roles
                    .iter()
                    .any(|m| m.org.id == ctx.org.id && kind.is_some_and(|k| k.role() == m.role));
                if fits { Some(u) } else { None }
            }
            Err(store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    if account.is_none() {
        errors.push(FieldError::new(
            "utente",
            "nessun account dell'ente con questo nome utente e il ruolo adatto (cittadino per la persona o chi la rappresenta, operatore CAF per un CAF)",
        ));
    }
    let (Ok(terms), Some(account), true) = (terms, account, errors.is_empty()) else {
        return Ok(refuse(jar, &back, &errors));
    };
    let what = format!(
        "{}: {} ({}), {}",
        terms.kind.label(),
        account.full_name,
        account.login,
        terms.period()
    );
    let m = Mandate {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: p.id,
        user_id: account.id,
        terms,
        created_by: ctx.user.login.to_string(),
        created_us: unix_micros(ctx.now),
        revoked_us: None,
    };
    let history = ctx.history(
        p.id,
        "delega",
        format!("Delega registrata: {what}"),
        Vec::new(),
    );
    let audit = ctx.audit(
        "person.mandate.add",
        "person",
        Some(p.id),
        format!("Delega per {} registrata: {what}", p.data.full_name()),
    );
    state.store.add_mandate(&m, &history, &audit).await?;
    let jar = flash(jar, "success", "Delega registrata.");
    Ok((jar, Redirect::to(&back)).into_response())
}

async fn revoke(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, mandate)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let mandate = parse_id(&mandate)?;
    let v = state
        .store
        .person_mandates(ctx.org.id, p.id)
        .await?
        .into_iter()
        .find(|v| v.mandate.id == mandate && v.mandate.revoked_us.is_none())
        .ok_or(app::Error::NotFound)?;
    let what = format!(
        "{}: {} ({})",
        v.mandate.terms.kind.label(),
        v.full_name,
        v.login
    );
    let history = ctx.history(
        p.id,
        "delega",
        format!("Delega revocata: {what}"),
        Vec::new(),
    );
    let audit = ctx.audit(
        "person.mandate.revoke",
        "person",
        Some(p.id),
        format!("Delega per {} revocata: {what}", p.data.full_name()),
    );
    state
        .store
        .revoke_mandate(ctx.org.id, mandate, unix_micros(ctx.now), &history, &audit)
        .await?;
    let jar = flash(jar, "success", "Delega revocata.");
    Ok((jar, Redirect::to(&back(&p))).into_response())
}
