//! Rows of co-payment bills (domain::bill).

use domain::bill::BillState;
use domain::money::Money;
use time::Date;
use uuid::Uuid;

/// The ente's pagoPA settings as stored. `version` is compare-and-set: 1 for the first save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagopaSettings {
    pub org_id: Uuid,
    pub fiscal_code: String,
    pub segregation_code: i64,
    pub iban: String,
    pub category: String,
    pub due_days: i64,
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
}

/// A delivery made whose co-payment no live bill covers yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billable {
    pub delivery_id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    pub benefit_name: String,
    pub quantity: Option<i64>,
    pub co_payment: Money,
}

/// A bill: what a person owes for a month, with its pagoPA notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    /// The person's codice fiscale, when the registry has it.
    pub fiscal_code: Option<String>,
    /// The first day of the month billed.
    pub month: Date,
    pub description: String,
    pub amount: Money,
    pub paid: Money,
    /// Given by the store when the bill is issued.
    pub iuv: String,
    pub nav: String,
    pub issued_on: Date,
    pub due_on: Date,
    pub state: BillState,
    pub reminders: i64,
    pub last_reminder_on: Option<Date>,
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
}

impl Bill {
    /// Still to pay: issued, less than the amount paid.
    pub fn outstanding(&self) -> Money {
        if self.state == BillState::Issued {
            Money((self.amount.cents() - self.paid.cents()).max(0))
        } else {
            Money::ZERO
        }
    }
}

/// One delivery billed, with what the delivery says now (it may have been corrected since).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillLine {
    pub bill_id: Uuid,
    pub delivery_id: Uuid,
    pub application_id: Uuid,
    pub benefit_name: String,
    pub quantity: Option<i64>,
    pub amount: Money,
    /// The delivery's co-payment now, and whether it is still made (`erogata`).
    pub now_co_payment: Money,
    pub now_delivered: bool,
}

/// A payment of a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillPayment {
    pub id: Uuid,
    pub amount: Money,
    pub paid_on: Date,
    pub reference: String,
    pub actor: String,
    pub at_us: i64,
}

/// Which bills a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillFilter {
    /// One bill only.
    pub id: Option<Uuid>,
    pub month: Option<Date>,
    pub state: Option<BillState>,
    /// Issued, not fully paid and past their due date on that day (arrears).
    pub overdue_on: Option<Date>,
    pub person_id: Option<Uuid>,
}

/// What became of one payment read from pagoPA's or the treasurer's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentMatch {
    /// Recorded on the bill (now paid in full or not).
    Recorded { bill_id: Uuid, settled: bool },
    /// The same receipt was recorded before.
    Duplicate,
    /// The bill was cancelled: the money is to be refunded.
    Cancelled { bill_id: Uuid },
    /// No bill of the organization has that IUV.
    Unknown,
}
