//! Row types of the anagrafe sociale: persons, their documents and history, households and
//! support network.

use domain::mandate::MandateTerms;
use domain::person::{DocumentKind, PersonData, Relationship, SupportKind};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A person as stored: the checked data plus bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub org_id: Uuid,
    pub data: PersonData,
    /// The civil registry that feeds this person: Belfiore code of the comune and the
    /// person's id there.
    pub registry: Option<RegistryLink>,
    /// When the person left that registry (moved out, struck off).
    pub registry_left_on: Option<Date>,
    /// Set on a duplicate merged into another person.
    pub merged_into: Option<Uuid>,
    /// Bumped by every change; updates compare and set it.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryLink {
    pub comune: String,
    pub id: String,
}

/// One dated entry of a person's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: Uuid,
    pub person_id: Uuid,
    pub at_us: i64,
    pub actor: String,
    /// `creazione`, `modifica`, `fusione`, `famiglia`, `rete`, `documento`, `anagrafe`.
    pub kind: String,
    pub summary: String,
    /// "campo: prima → dopo", one per change.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityDocument {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub kind: DocumentKind,
    pub number: String,
    pub issued_by: String,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub created_at: OffsetDateTime,
}

/// What the search box asked, already parsed, with the filters and the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonSearch {
    pub codice_fiscale: Option<String>,
    pub birth_date: Option<Date>,
    /// Folded name words (two letters or more); each must be the start of a word of the name.
    pub words: Vec<String>,
    /// Every folded word in the order typed: names starting with it (surname first, then
    /// names first) are listed before the other matches of `words`.
    pub phrase: String,
    /// Residence comune (ISTAT code).
    pub residence_istat: Option<String>,
    /// Born on or after / on or before (age band, turned into dates by the caller).
    pub born_from: Option<Date>,
    pub born_to: Option<Date>,
    pub offset: i64,
    pub limit: i64,
}

/// The registry household (famiglia anagrafica).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: Uuid,
    pub org_id: Uuid,
    pub registry_comune: Option<String>,
    pub registry_code: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A period of a person's membership of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdMember {
    pub id: Uuid,
    pub org_id: Uuid,
    pub household_id: Uuid,
    pub person_id: Uuid,
    pub relationship: Relationship,
    pub from_date: Date,
    pub to_date: Option<Date>,
}

/// A membership with the member's name and dates, for household pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub member: HouseholdMember,
    pub surname: String,
    pub given_names: String,
    pub birth_date: Date,
    pub codice_fiscale: Option<String>,
    pub death_date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportLink {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    /// The other party when registered; `related_name` always holds a readable name.
    pub related_person_id: Option<Uuid>,
    pub related_name: String,
    pub kind: SupportKind,
    /// Relationship or appointment ("figlia", "decreto Tribunale di Bergamo n. 123/2024").
    pub detail: String,
    pub phone: Option<String>,
    pub from_date: Option<Date>,
    pub to_date: Option<Date>,
    pub created_at: OffsetDateTime,
}

/// A history entry to write with a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHistory {
    pub person_id: Uuid,
    pub at_us: i64,
    pub actor: String,
    pub kind: &'static str,
    pub summary: String,
    pub changes: Vec<String>,
}

/// A recorded mandate: `user_id` may act for `person_id` on the footing of `terms.kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mandate {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub user_id: Uuid,
    pub terms: MandateTerms,
    /// Login of the operator who recorded it.
    pub created_by: String,
    pub created_us: i64,
    pub revoked_us: Option<i64>,
}

/// A mandate with the account it names, for the person's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateView {
    pub mandate: Mandate,
    pub login: String,
    pub full_name: String,
}
