//! Row types of the DSU typed at the counter.

use domain::dsu::{DsuRelation, DsuState, DsuStatus, MemberBasis};
use time::Date;
use uuid::Uuid;

/// A DSU of the organization. `version` is compare-and-set: every save bumps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub declarant_id: Uuid,
    pub status: DsuStatus,
    /// The ISEE engine's variant code (`isee::Variante`) the office computes first.
    pub variant: String,
    /// The engine's `Prestazione` code the ISEE is asked for.
    pub prestazione: String,
    pub replaces_id: Option<Uuid>,
    /// For an ISEE corrente: the signed DSU whose figures the modulo sostitutivo updates.
    pub base_id: Option<Uuid>,
    /// JSON: the values typed in each quadro, as typed.
    pub quadri: String,
    pub isee_cents: Option<i64>,
    pub ise_cents: Option<i64>,
    /// The user who opened it (a CAF operator sees only the DSUs they opened).
    pub created_by: Uuid,
    pub created_us: i64,
    pub updated_by: String,
    pub updated_us: i64,
    pub version: i64,
}

/// A person in the nucleo ISEE, or a member of the famiglia anagrafica left out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuMember {
    pub id: Uuid,
    pub dsu_id: Uuid,
    pub person_id: Uuid,
    pub position: i64,
    pub relation: DsuRelation,
    pub basis: MemberBasis,
    pub convivenza: bool,
}

/// A member with what the quadro A prints of the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuMemberView {
    pub member: DsuMember,
    pub surname: String,
    pub given_names: String,
    pub codice_fiscale: Option<String>,
    pub birth_date: Date,
    pub death_date: Option<Date>,
}

impl DsuMemberView {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.surname, self.given_names)
    }
}

/// A line of a DSU list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuSummary {
    pub id: Uuid,
    pub declarant_id: Uuid,
    pub declarant_name: String,
    pub state: DsuState,
    pub dsu_date: Date,
    pub variant: String,
    pub isee_cents: Option<i64>,
    pub created_by: Uuid,
    pub updated_us: i64,
}

/// Which DSUs a list shows. `member`: those whose nucleo includes the person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsuFilter {
    pub member: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub state: Option<DsuState>,
    pub limit: i64,
}

/// A status change, compare-and-set on the version the page was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuStatusChange {
    pub id: Uuid,
    pub version: i64,
    pub status: DsuStatus,
}

/// A granted application whose planned deliveries rest on an ISEE attestation that expires
/// soon, with the worker responsible for it (the reviewer, else who filed it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringAttestation {
    pub org_id: Uuid,
    pub application_id: Uuid,
    pub protocol: Option<String>,
    pub person_id: Uuid,
    pub person_name: String,
    pub benefit_name: String,
    pub attestation_id: Uuid,
    pub attestation_protocol: String,
    pub valid_until: Date,
    pub worker_id: Uuid,
    pub worker_name: String,
    pub worker_email: Option<String>,
    /// The person has an attestation valid beyond this one, to put on the application.
    pub newer: bool,
    pub noticed_us: Option<i64>,
}
