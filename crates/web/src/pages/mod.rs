//! The operators' pages and the JSON API, one module per area.

mod access;
mod account;
mod acts;
mod admin;
mod agenda;
mod api;
mod api_dsu;
mod api_istanze;
mod applications;
mod attestations;
mod audit;
mod benefits;
mod bills;
mod calls;
mod cases;
pub(crate) mod dates;
mod documents;
mod dsu;
mod dsu_print;
pub(crate) mod forms;
mod health;
mod home;
mod households;
mod kept;
mod login;
mod mandates;
mod names;
mod payments;
mod persons;
mod plans;
mod portal_settings;
mod registry;
pub(crate) mod render;
pub(crate) mod simulation;
mod siuss;
mod siuss_notes;
mod stats;
pub(crate) mod upload;

use crate::AppState;
use crate::error::AppError;
use axum::Router;

pub use kept::keep_expired_post;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(login::routes())
        .merge(home::routes())
        .merge(kept::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(acts::routes())
        .merge(portal_settings::routes())
        .merge(audit::routes())
        .merge(registry::routes())
        .merge(persons::routes())
        .merge(mandates::routes())
        .merge(households::routes())
        .merge(cases::routes())
        .merge(documents::routes())
        .merge(plans::routes())
        .merge(agenda::routes())
        .merge(access::routes())
        .merge(benefits::routes())
        .merge(applications::routes())
        .merge(attestations::routes())
        .merge(dsu::routes())
        .merge(dsu_print::routes())
        .merge(siuss::routes())
        .merge(calls::routes())
        .merge(payments::routes())
        .merge(bills::routes())
        .merge(stats::routes())
        .nest("/api/v1", api::routes())
        .fallback(|| async { AppError::App(app::Error::NotFound) })
}
