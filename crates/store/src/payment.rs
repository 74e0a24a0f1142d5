//! Rows of funds and payments (domain::payment).

use domain::money::Money;
use domain::payment::{FundKind, ListState, PaymentState};
use time::Date;
use uuid::Uuid;

/// A fund of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fund {
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub kind: FundKind,
    /// The treasury account it is paid from (an IBAN, checked when typed).
    pub debtor_iban: String,
    pub actor: String,
    pub at_us: i64,
}

/// A fund with its figures for a year: allocated, committed by accepted applications of its
/// benefits, paid (payments the bank confirmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundYear {
    pub fund: Fund,
    pub allocated: Money,
    pub committed: Money,
    pub paid: Money,
}

/// One yearly allocation of a fund (`comune` empty: for the whole organization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub fund_id: Uuid,
    pub org_id: Uuid,
    pub year: i64,
    pub comune: String,
    pub amount: Money,
    pub actor: String,
    pub at_us: i64,
}

/// Where a person's money goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeAccount {
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub iban: String,
    pub holder: String,
    /// Compare-and-set: 1 for the first save, then the version read plus one.
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
}

/// A delivery made that a fund pays and no live payment covers yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payable {
    pub delivery_id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub benefit_id: Uuid,
    pub benefit_name: String,
    /// The delivery's month (first day).
    pub period: Date,
    pub amount: Money,
    /// The person's account, when one is recorded: (IBAN, holder).
    pub account: Option<(String, String)>,
}

/// A month's payment list of a fund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentList {
    pub id: Uuid,
    pub org_id: Uuid,
    pub fund_id: Uuid,
    pub fund_name: String,
    pub debtor_iban: String,
    /// The first day of the month it pays.
    pub month: Date,
    pub state: ListState,
    pub approved_by: Option<String>,
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
    /// How many payments and their total.
    pub count: i64,
    pub total: Money,
}

/// One payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: Uuid,
    pub org_id: Uuid,
    pub list_id: Uuid,
    pub delivery_id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub benefit_id: Uuid,
    pub benefit_name: String,
    pub period: Date,
    pub amount: Money,
    pub iban: String,
    pub holder: String,
    pub end_to_end: String,
    pub state: PaymentState,
    pub reason: String,
    pub at_us: i64,
}
