//! Row types of the prestazioni and the istanze.

use domain::application::{
    ActKind, ApplicationSearch, ApplicationState, AttestationData, DeliveryStatus, PlannedMonth,
};
use domain::benefit::{BenefitData, Rule, base_catalogue};
use domain::money::Money;
use time::Date;
use uuid::Uuid;

/// A catalogue entry. `version` is compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Benefit {
    pub id: Uuid,
    pub org_id: Uuid,
    pub data: BenefitData,
    pub version: i64,
    pub created_at_us: i64,
}

/// One version of a benefit's rules; versions are never changed, a new one supersedes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitRule {
    pub id: Uuid,
    pub org_id: Uuid,
    pub benefit_id: Uuid,
    pub rule: Rule,
    pub actor: String,
    pub at_us: i64,
}

/// What a benefit's budget carries in a year: committed by decisions, spent by deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub benefit_id: Uuid,
    pub committed: Money,
    pub spent: Money,
}

/// Our own calculation of an attestation's DSU, kept beside INPS's figures, never over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    pub isee: Money,
    pub ise: Money,
    /// The itemized report as JSON (`isee::report::Report`).
    pub report: String,
    pub actor: String,
    pub at_us: i64,
}

/// An INPS ISEE attestation as received, for the person who declared it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub data: AttestationData,
    /// `manuale` (typed at the counter) or `inps_xml` (the consultation service's file).
    pub source: String,
    pub simulation: Option<Simulation>,
    pub actor: String,
    pub at_us: i64,
}

pub use domain::application::Application;

/// An application with what lists and pages show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationView {
    pub app: Application,
    pub surname: String,
    pub given_names: String,
    pub codice_fiscale: Option<String>,
    pub benefit_code: String,
    pub benefit_name: String,
    /// The benefit needs an ISEE.
    pub needs_isee: bool,
    /// The last day of the attached attestation.
    pub isee_valid_until: Option<Date>,
    /// The ISEE of the attached attestation.
    pub isee: Option<Money>,
    pub filed_by_name: String,
}

/// One change of state in an application's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationEvent {
    pub id: Uuid,
    pub org_id: Uuid,
    pub application_id: Uuid,
    /// None for the creation.
    pub from: Option<ApplicationState>,
    pub to: ApplicationState,
    pub note: String,
    /// On leaving a notice before rejection: whether the applicant's observations arrived.
    pub observations: Option<bool>,
    pub actor: String,
    pub at_us: i64,
}

/// An act in the organization's register (registro degli atti), numbered from 1 in its
/// year and kind when the application's change of state that issues it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Act {
    pub id: Uuid,
    pub org_id: Uuid,
    pub kind: ActKind,
    pub year: i32,
    pub number: i64,
    pub issued_on: Date,
    pub application_id: Uuid,
    /// The change of state that issued it.
    pub event_id: Uuid,
    pub actor: String,
}

impl Act {
    /// "12/2026".
    pub fn number_words(&self) -> String {
        domain::application::act_number(self.number, self.year)
    }
}

/// An act with what the register lists about its application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActView {
    pub act: Act,
    pub protocol: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub benefit_name: String,
    /// The state the application entered with it.
    pub state: ApplicationState,
}

/// A document of an application, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDocument {
    pub id: Uuid,
    pub org_id: Uuid,
    pub application_id: Uuid,
    /// The required document it answers (a line of the benefit's list), or "" for others.
    pub requirement: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub actor: String,
    pub at_us: i64,
    /// Sent by the citizen from the portal (else attached by the office).
    pub by_citizen: bool,
}

/// What a message on an application is: a plain message, the answer to an integration
/// request, or the observations on a notice before rejection (art. 10-bis L. 241/1990).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Message,
    Integration,
    Observations,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Message => "messaggio",
            MessageKind::Integration => "integrazione",
            MessageKind::Observations => "osservazioni",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Message, Self::Integration, Self::Observations]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A message between the office and the citizen on an application, never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationMessage {
    pub id: Uuid,
    pub org_id: Uuid,
    pub application_id: Uuid,
    pub kind: MessageKind,
    /// Written by the office (else by the citizen on the portal).
    pub from_office: bool,
    pub author_id: Uuid,
    /// The author's name when they wrote.
    pub author_name: String,
    pub body: String,
    /// The document sent with it.
    pub document_id: Option<Uuid>,
    pub at_us: i64,
}

/// One month of delivery (erogazione) of a granted application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: Uuid,
    pub org_id: Uuid,
    pub application_id: Uuid,
    /// The first day of the month.
    pub month: Date,
    pub status: DeliveryStatus,
    /// Hours, meals, trips delivered.
    pub quantity: Option<i64>,
    /// Paid to the citizen.
    pub amount: Money,
    /// Owed by the citizen.
    pub co_payment: Money,
    pub note: String,
    pub actor: String,
    pub at_us: i64,
    pub version: i64,
}

impl Delivery {
    /// The row of a month planned by `domain` when the delivery of `app` starts.
    pub fn planned(app: &Application, m: PlannedMonth, actor: &str, at_us: i64) -> Delivery {
        Delivery {
            id: Uuid::now_v7(),
            org_id: app.org_id,
            application_id: app.id,
            month: m.month,
            status: DeliveryStatus::Planned,
            quantity: m.quantity,
            amount: m.amount,
            co_payment: m.co_payment,
            note: String::new(),
            actor: actor.to_owned(),
            at_us,
            version: 1,
        }
    }
}

/// Which applications a worklist shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worklist {
    All,
    /// Filed by, or reviewed by, this user.
    Mine(Uuid),
    /// Submitted or in review.
    ToReview,
    /// Submitted or in review, past their deadline on the given day.
    Overdue(Date),
    /// Waiting for the applicant's documents.
    AwaitingDocuments,
    /// Open, needing an ISEE, with the attestation missing or expired on the given day.
    IseeMissing(Date),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationFilter {
    pub list: Worklist,
    pub state: Option<ApplicationState>,
    pub benefit_id: Option<Uuid>,
    /// Only those filed by this user (a CAF operator sees only theirs).
    pub filed_by: Option<Uuid>,
    /// Only this person's.
    pub person_id: Option<Uuid>,
    /// Only those matching what was typed in the search box.
    pub search: ApplicationSearch,
    pub limit: i64,
    pub offset: i64,
}

impl ApplicationFilter {
    /// The first `limit` applications of the organization, in any state.
    pub fn every(limit: i64) -> ApplicationFilter {
        ApplicationFilter {
            list: Worklist::All,
            state: None,
            benefit_id: None,
            filed_by: None,
            person_id: None,
            search: Default::default(),
            limit,
            offset: 0,
        }
    }

    /// The first `limit` applications of a person, in any state.
    pub fn of_person(person_id: Uuid, limit: i64) -> ApplicationFilter {
        ApplicationFilter {
            person_id: Some(person_id),
            ..ApplicationFilter::every(limit)
        }
    }
}

/// How many applications each worklist holds, for the tabs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorklistCounts {
    pub all: i64,
    pub mine: i64,
    pub to_review: i64,
    pub overdue: i64,
    pub awaiting_documents: i64,
    pub isee_missing: i64,
}

/// The rows of the base catalogue for an organization, its rules valid from `valid_from`,
/// ready for [`crate::BenefitStore::seed_benefits`].
pub fn base_catalogue_rows(
    org_id: Uuid,
    valid_from: Date,
    actor: &str,
    at_us: i64,
) -> (Vec<Benefit>, Vec<BenefitRule>) {
    let mut benefits = Vec::new();
    let mut rules = Vec::new();
    for s in base_catalogue(valid_from) {
        let id = Uuid::now_v7();
        if let Some(rule) = s.rule {
            rules.push(BenefitRule {
                id: Uuid::now_v7(),
                org_id,
                benefit_id: id,
                rule,
                actor: actor.to_owned(),
                at_us,
            });
        }
        benefits.push(Benefit {
            id,
            org_id,
            data: s.data,
            version: 1,
            created_at_us: at_us,
        });
    }
    (benefits, rules)
}
