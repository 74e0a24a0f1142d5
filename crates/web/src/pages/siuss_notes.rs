//! What a page says of the SIUSS records its data feed: the invalid ones, with the field to
//! fix and the page that keeps it, on the page of the person, the application or the case
//! file (`_siuss_notes.html`), and where each problem is fixed ([`fix_link`]).

use crate::AppState;
use crate::layout::flash;
use app::siuss_exchange::{Subject, after_save, problems_of};
use axum_extra::extract::CookieJar;
use domain::siuss::{Origin, Target};
use store::Organization;
use uuid::Uuid;

/// Where a problem of a record is fixed.
pub fn fix_link(origin: Origin, person_id: Uuid, target: Target) -> String {
    match (target, origin) {
        (Target::Person, _) => format!("/persone/{person_id}"),
        (Target::Benefit, Origin::Delivery { benefit_id, .. }) => {
            format!("/prestazioni/{benefit_id}")
        }
        (Target::Application, Origin::Delivery { application_id, .. }) => {
            format!("/istanze/{application_id}")
        }
        (Target::Assessment, Origin::Assessment { assessment_id, .. }) => {
            format!("/valutazioni/{assessment_id}")
        }
        (_, Origin::Assessment { case_file_id, .. }) if target != Target::Sender => {
            format!("/cartelle/{case_file_id}")
        }
        _ => "/siuss#impostazioni".to_owned(),
    }
}

/// One problem of a record, as a page lists it.
pub struct SiussNote {
    /// «PSA di marzo 2026».
    pub record: String,
    pub field: String,
    pub message: String,
    pub place: &'static str,
    pub href: String,
}

/// The problems of the records of `subject` (the page has authorized its own reading).
pub async fn notes(state: &AppState, org_id: Uuid, subject: Subject) -> Vec<SiussNote> {
    problems_of(state, org_id, subject)
        .await
        .into_iter()
        .flat_map(|r| {
            let record = format!(
                "{} di {}",
                r.kind.as_str(),
                domain::application::month_label(r.month)
            );
            r.problems.into_iter().map(move |p| SiussNote {
                record: record.clone(),
                href: fix_link(r.origin, r.person_id, p.target),
                place: p.target.label(),
                field: p.field,
                message: p.message,
            })
        })
        .collect()
}

/// The message after a save of data behind the SIUSS records of `month`: `done`, or `done`
/// with the fields to fix when the record of `subject` is not valid now.
pub async fn flash_after_save(
    state: &AppState,
    org: &Organization,
    jar: CookieJar,
    done: &str,
    month: time::Date,
    subject: Subject,
) -> CookieJar {
    let problems = after_save(state, org, month, subject).await;
    if problems.is_empty() {
        return flash(jar, "success", done);
    }
    let fields: Vec<String> = problems
        .iter()
        .map(|p| format!("{} ({})", p.field, p.message))
        .collect();
    flash(
        jar,
        "warning",
        &format!(
            "{done} Il record SIUSS del mese non è valido e non sarà inviato all'INPS finché non si corregge: {}.",
            fields.join("; ")
        ),
    )
}
