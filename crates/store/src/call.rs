//! Rows of the calls for applications (bandi) and their rankings (domain::call).

use domain::application::ApplicationState;
use domain::call::{Answers, CallData, RankRow, RankingStage, ScoringFacts, ScoringRules};
use domain::money::Money;
use time::Date;
use uuid::Uuid;

/// A call. `version` is compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub id: Uuid,
    pub org_id: Uuid,
    pub data: CallData,
    pub version: i64,
    pub actor: String,
    pub created_at_us: i64,
}

/// A call as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSummary {
    pub call: Call,
    pub benefit_name: String,
    pub applications: i64,
    pub stage: Option<RankingStage>,
}

/// One version of a call's scoring rules, numbered from 1; never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRules {
    pub id: Uuid,
    pub org_id: Uuid,
    pub call_id: Uuid,
    pub number: i64,
    pub rules: ScoringRules,
    pub actor: String,
    pub at_us: i64,
}

/// An application filed to a call: its answers and the facts of the filing day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallApplication {
    pub application_id: Uuid,
    pub org_id: Uuid,
    pub call_id: Uuid,
    pub person_id: Uuid,
    /// The registry household on the filing day.
    pub household_id: Option<Uuid>,
    pub answers: Answers,
    pub facts: ScoringFacts,
}

/// An application of a call with what the ranking and the list need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEntry {
    pub entry: CallApplication,
    pub protocol: Option<String>,
    pub state: ApplicationState,
    /// Whether the benefit's rules found it eligible (none: no rule applied).
    pub eligible: Option<bool>,
    /// What a granted contribution takes from the budget.
    pub committed: Money,
    pub surname: String,
    pub given_names: String,
}

/// An application of a call as the ranking takes it: no name, no answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidacy {
    pub application_id: Uuid,
    pub protocol: Option<String>,
    pub state: ApplicationState,
    /// Whether the benefit's rules found it eligible (none: no rule applied).
    pub eligible: Option<bool>,
    /// What a granted contribution takes from the budget.
    pub committed: Money,
    /// The facts of the filing day.
    pub facts: ScoringFacts,
}

/// The ranking of a call (one per call, computed again while provisional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    pub call_id: Uuid,
    pub org_id: Uuid,
    /// The version of the scoring rules it was computed with.
    pub rules_id: Uuid,
    pub stage: RankingStage,
    pub appeals_until: Date,
    /// The budget it was funded from.
    pub budget: Money,
    /// Compare-and-set: 1 for the first, then the version read plus one.
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
}

/// A ranking's row with the state its application is in now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingEntry {
    pub row: RankRow,
    pub state: ApplicationState,
    /// The applicant, surname first: for the office's page, never published.
    pub name: String,
    /// The facts scored, as on the day of filing: the breakdown's words
    /// (`domain::call::explain`).
    pub facts: ScoringFacts,
}
