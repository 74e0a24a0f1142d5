//! Row types of the civil-registry import: imports with their counts and rejected rows,
//! registry events, and the open matters (case files, applications) that make an event worth
//! an operator's review.

use crate::{Household, HouseholdMember, NewHistory, Person};
use domain::person::{RegistryEventKind, Relationship};
use time::Date;
use uuid::Uuid;

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Running,
    Done,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Running => "in_corso",
            ImportStatus::Done => "completato",
            ImportStatus::Failed => "fallito",
        }
    }

    pub fn parse(s: &str) -> Option<ImportStatus> {
        [
            ImportStatus::Running,
            ImportStatus::Done,
            ImportStatus::Failed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ImportStatus::Running => "in corso",
            ImportStatus::Done => "completato",
            ImportStatus::Failed => "non riuscito",
        }
    }
}

/// One import of a comune's list of residents and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryImport {
    pub id: Uuid,
    pub org_id: Uuid,
    /// Belfiore code of the comune.
    pub comune: String,
    pub file_name: String,
    pub file_sha256: String,
    pub reference_date: Date,
    /// The comune's first import: persons created without per-person events.
    pub baseline: bool,
    pub status: ImportStatus,
    /// Why a failed import stopped.
    pub error: Option<String>,
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub left: i64,
    pub rejected: i64,
    /// Events by kind, kinds without events left out.
    pub events: Vec<(RegistryEventKind, i64)>,
    pub actor: String,
    pub at_us: i64,
    pub finished_at_us: Option<i64>,
}

impl RegistryImport {
    pub fn event_total(&self) -> i64 {
        self.events.iter().map(|(_, n)| n).sum()
    }
}

/// A row of the file that was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRejection {
    pub line: i64,
    /// The column of the format (`cognome`, `data_nascita`, ...) or `riga`.
    pub field: String,
    pub reason: String,
}

/// A person linked to a comune's registry, with the open household membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPerson {
    pub person: Person,
    /// The registry household's code and the relationship in it, while a member.
    pub household: Option<(String, Relationship)>,
}

/// A person of the organization not linked to this comune's registry, with a codice fiscale:
/// whom a newcomer with that code is linked to instead of being duplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfHolder {
    pub id: Uuid,
    pub codice_fiscale: String,
    /// Another comune's registry, when linked to one.
    pub registry_comune: Option<String>,
    pub registry_left_on: Option<Date>,
}

/// A registry event to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistryEvent {
    pub id: Uuid,
    pub person_id: Uuid,
    pub kind: RegistryEventKind,
    pub event_date: Date,
    pub summary: String,
    pub at_us: i64,
}

/// Changes applied together in one transaction: all of them or none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryBatch {
    pub org_id: Uuid,
    pub import_id: Uuid,
    pub households: Vec<Household>,
    pub created: Vec<Person>,
    /// Persons with new data, each at `version` one above the stored one (compare and set).
    pub updated: Vec<Person>,
    /// Persons whose open memberships end on the date (moved, left, died).
    pub closed_memberships: Vec<(Uuid, Date)>,
    pub opened_memberships: Vec<HouseholdMember>,
    pub events: Vec<NewRegistryEvent>,
    pub history: Vec<NewHistory>,
}

impl RegistryBatch {
    pub fn is_empty(&self) -> bool {
        self.households.is_empty()
            && self.created.is_empty()
            && self.updated.is_empty()
            && self.closed_memberships.is_empty()
            && self.opened_memberships.is_empty()
            && self.events.is_empty()
            && self.history.is_empty()
    }

    /// Rows to write, to size batches.
    pub fn weight(&self) -> usize {
        self.households.len()
            + self.created.len()
            + self.updated.len()
            + self.closed_memberships.len()
            + self.opened_memberships.len()
            + self.events.len()
            + self.history.len()
    }
}

/// A stored registry event with the person's name and whether it was reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryEvent {
    pub id: Uuid,
    pub person_id: Uuid,
    pub import_id: Uuid,
    pub kind: RegistryEventKind,
    pub event_date: Date,
    pub summary: String,
    pub at_us: i64,
    pub reviewed_at_us: Option<i64>,
    pub reviewed_by: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub codice_fiscale: Option<String>,
}

/// A case file, application or other matter open on a person (`kind` names the module:
/// `cartella`, `domanda`, ...; `ref_id` its record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMatter {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub kind: String,
    pub ref_id: Uuid,
    pub opened_at_us: i64,
    pub closed_at_us: Option<i64>,
}
