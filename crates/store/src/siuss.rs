//! Rows of the SIUSS records (domain::siuss): the ente's sending settings. The records'
//! facts are read straight into `domain::siuss` types.

use uuid::Uuid;

/// The ente as SIUSS knows it (`siuss_sender`), one row per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiussSender {
    pub org_id: Uuid,
    pub ente_code: String,
    pub seat_belfiore: String,
    pub operator_cf: String,
    /// The secret behind the SINBA pseudonyms, made once with the row.
    pub pseudonym_key: Vec<u8>,
    /// Compare-and-set: 1 for the first save, then the version read plus one.
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
}

/// A flow made for a record (`siuss_flow`), with what INPS did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiussFlow {
    pub id: Uuid,
    pub record_id: Uuid,
    pub kind: domain::siuss::RecordKind,
    pub operation: domain::siuss::Operation,
    pub month: time::Date,
    pub person_id: Uuid,
    pub application_id: Option<Uuid>,
    pub case_file_id: Option<Uuid>,
    /// `id_flusso`.
    pub name: String,
    /// `ts_flusso`, milliseconds since the epoch.
    pub ts_ms: i64,
    pub digest: Vec<u8>,
    /// The record's element as sent.
    pub element: String,
    pub created_at_us: i64,
    pub served_at_us: Option<i64>,
    pub acquired_at_us: Option<i64>,
    pub outcome: Option<domain::siuss::exchange::Outcome>,
    pub outcome_detail: Option<String>,
    pub siuss_id: Option<String>,
}

/// A flow to make: the store names it and dates it when it saves it, so that INPS reads the
/// flows in the order they were committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSiussFlow {
    pub id: Uuid,
    pub record_id: Uuid,
    pub kind: domain::siuss::RecordKind,
    pub operation: domain::siuss::Operation,
    pub person_id: Uuid,
    pub application_id: Option<Uuid>,
    pub case_file_id: Option<Uuid>,
    pub digest: Vec<u8>,
    pub element: String,
}

/// A record that is not valid now (`siuss_problem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiussProblemRow {
    pub record_id: Uuid,
    pub kind: domain::siuss::RecordKind,
    pub month: time::Date,
    pub person_id: Uuid,
    pub application_id: Option<Uuid>,
    pub benefit_id: Option<Uuid>,
    pub case_file_id: Option<Uuid>,
    /// `[{"field", "target", "message"}]`.
    pub problems: String,
}

/// What making a month's records again changes, saved at once.
#[derive(Debug, Clone)]
pub struct SiussMonth<'a> {
    pub org_id: Uuid,
    pub month: time::Date,
    /// The heading of the flows' documents.
    pub sender: &'a domain::siuss::Sender,
    pub now_us: i64,
    pub flows: Vec<NewSiussFlow>,
    /// The month's invalid records, replacing those stored; `None` leaves them.
    pub problems: Option<Vec<SiussProblemRow>>,
}

/// A flow handed to INPS by GET /flussi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedFlow {
    pub name: String,
    pub kind: domain::siuss::RecordKind,
    pub ts_ms: i64,
    pub document: String,
}

/// An outcome INPS notified (POST /esiti).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiussOutcome {
    pub name: String,
    pub outcome: domain::siuss::exchange::Outcome,
    pub detail: Option<String>,
    pub siuss_id: Option<String>,
}
