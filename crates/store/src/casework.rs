//! Row types of the segretariato sociale and the cartella sociale.

use domain::casework::{
    AccessData, CaseState, CloseReason, Confidentiality, DiaryData, InterventionData,
};
use time::Date;
use uuid::Uuid;

pub use domain::casework::{Appointment, CaseFile};

/// A case file with its person and responsible worker, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFileView {
    pub case: CaseFile,
    pub surname: String,
    pub given_names: String,
    pub codice_fiscale: Option<String>,
    pub birth_date: Date,
    pub worker_name: String,
}

/// One change of state in a case file's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    pub id: Uuid,
    pub org_id: Uuid,
    pub case_file_id: Uuid,
    /// None for the opening.
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub on: Date,
    pub close_reason: Option<CloseReason>,
    pub note: String,
    pub actor: String,
    pub at_us: i64,
}

/// A worker of a case file's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub user_id: Uuid,
    pub login: String,
    pub full_name: String,
    pub added_at_us: i64,
}

/// Filter for lists of case files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Files where this user is the responsible worker or in the team.
    pub worker_id: Option<Uuid>,
    pub state: Option<CaseState>,
    pub limit: i64,
    pub offset: i64,
}

/// One worker's caseload, for the responsabile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadRow {
    pub worker_id: Uuid,
    pub login: String,
    pub full_name: String,
    pub open: i64,
    pub suspended: i64,
    pub reviews_overdue: i64,
}

/// A first-access record (scheda di accesso).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub data: AccessData,
    pub case_file_id: Option<Uuid>,
    pub actor_id: Uuid,
    pub actor: String,
    /// When the access happened.
    pub at_us: i64,
    /// When the record was typed: later than `at_us` for an access recorded afterwards.
    pub recorded_at_us: i64,
    /// The follow-up marked done: when, and the name of who marked it.
    pub follow_up_done: Option<(i64, String)>,
}

impl AccessRecord {
    /// A follow-up still to do.
    pub fn follow_up_due(&self) -> bool {
        self.data.follow_up.is_some() && self.follow_up_done.is_none()
    }
}

/// A first-access record with the person's name and the operator's, for lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessView {
    pub record: AccessRecord,
    pub surname: String,
    pub given_names: String,
    /// The full name of the operator who recorded the access.
    pub actor_name: String,
}

/// Which first-access records a list shows: those that happened in `[from_us, to_us]`, by one
/// operator if given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFilter {
    pub from_us: i64,
    pub to_us: i64,
    pub actor_id: Option<Uuid>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiaryEntry {
    pub id: Uuid,
    pub org_id: Uuid,
    pub case_file_id: Uuid,
    pub data: DiaryData,
    pub actor_id: Uuid,
    pub actor: String,
    pub at_us: i64,
}

/// A page of a case file's diary, and how many entries the reader may see in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiaryPage {
    pub entries: Vec<DiaryEntry>,
    /// Zero when the page is past the last entry.
    pub total: i64,
}

/// An access to a case file's confidential entries by someone not assigned to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlass {
    pub id: Uuid,
    pub org_id: Uuid,
    pub case_file_id: Uuid,
    pub user_id: Uuid,
    pub actor: String,
    pub reason: String,
    pub at_us: i64,
    pub expires_at_us: i64,
}

/// A break-glass access with the case file it opened, for the assigned worker's desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassView {
    pub access: BreakGlass,
    pub case_number: String,
    pub surname: String,
    pub given_names: String,
}

/// An appointment with the person's and the worker's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentView {
    pub appointment: Appointment,
    pub surname: String,
    pub given_names: String,
    pub worker_name: String,
    pub org_name: String,
}

/// One change to an appointment after booking, in words: "esito: svolto", "spostato dal
/// 03/12/2026 10:30 al 04/12/2026 9:00".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentChange {
    pub id: Uuid,
    pub org_id: Uuid,
    pub appointment_id: Uuid,
    pub what: String,
    pub reason: Option<String>,
    pub actor: String,
    pub at_us: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: Uuid,
    pub org_id: Uuid,
    pub case_file_id: Uuid,
    pub form: String,
    pub form_version: String,
    pub assessed_on: Date,
    /// The answers as JSON, written by `domain::assessment`.
    pub answers: String,
    pub summary: String,
    pub actor: String,
    pub at_us: i64,
}

/// An individual plan (PAI). Only the newest plan of a case file is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlan {
    pub id: Uuid,
    pub org_id: Uuid,
    pub case_file_id: Uuid,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub goals: String,
    pub commitments: String,
    pub next_review: Option<Date>,
    pub active: bool,
    pub actor: String,
    pub at_us: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub id: Uuid,
    pub org_id: Uuid,
    pub plan_id: Uuid,
    pub data: InterventionData,
    pub actor: String,
    pub at_us: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanReview {
    pub id: Uuid,
    pub org_id: Uuid,
    pub plan_id: Uuid,
    pub done_on: Date,
    pub outcome: String,
    pub next_review: Option<Date>,
    pub actor: String,
    pub at_us: i64,
}

/// A plan review that is due, for the worker's desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDue {
    pub plan_id: Uuid,
    pub case_file_id: Uuid,
    pub case_number: String,
    pub surname: String,
    pub given_names: String,
    pub next_review: Date,
    pub worker_id: Uuid,
}

/// A document of a case file, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDocument {
    pub id: Uuid,
    pub org_id: Uuid,
    pub case_file_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub description: String,
    pub confidentiality: Confidentiality,
    pub actor: String,
    pub at_us: i64,
}
