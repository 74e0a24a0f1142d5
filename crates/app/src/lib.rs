//! Sportello's services, shared by the surfaces (the operators' pages, the JSON API, the
//! command line): who acts ([`Actor`]), the procedures, administration, the civil-registry
//! import, mail and background jobs, the content of decision letters, the secrets of the
//! accounts, and the store handle. No HTTP here: `web` maps [`Error`] to responses.

pub mod actor;
pub mod acts;
pub mod agenda;
pub mod bill;
pub mod calls;
pub mod casefile;
pub mod catalogue;
pub mod credentials;
pub mod decision;
pub mod dsu;
pub mod error;
pub mod follow;
pub mod intake;
pub mod jobs;
pub mod letters;
pub mod life_events;
pub mod mail;
pub mod manage;
pub mod payment;
pub mod person;
pub mod portal;
pub mod portal_apply;
pub mod portal_local;
pub mod procedure;
pub mod read_log;
pub mod registry;
pub mod reminders;
mod services;
pub mod siuss;
pub mod siuss_exchange;
pub mod stats;

pub use actor::Actor;
pub use error::Error;
pub use services::{Clock, Services, Store, home_org, idle, open_store, sqlite_parent_dir};

/// The version of a record as its form sent it back, for a compare-and-set: `what` names the
/// record in the refusal («versione dell'avviso non valida»).
pub(crate) fn read_version(raw: &str, what: &str) -> Result<i64, Error> {
    raw.trim()
        .parse()
        .map_err(|_| Error::BadRequest(format!("versione {what} non valida")))
}
