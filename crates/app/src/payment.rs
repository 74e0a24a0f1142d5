//! Funds and payments for the responsabile and the ragioneria, and for the command line:
//! funds with their yearly allocations and benefits, the beneficiaries' IBANs, the monthly
//! payment lists of a fund (prepared from the deliveries made, approved), the SEPA file of a
//! month's approved lists and the bank's return. Every change is audited in its transaction;
//! every read of names and IBANs is logged.

use crate::procedure::year_bounds;
use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::application::month_label;
use domain::audit::unix_micros;
use domain::money::Money;
use domain::payment::{
    self, AccountInput, AllocationInput, Batch, FundInput, FundRoom, FundYearFigures, Iban,
    Initiation, ListState, PaymentState, Transfer, sepa_id,
};
use domain::policy::{Action, RecordScope};
use store::{
    Allocation, AuditStore, BenefitStore, Fund, FundYear, OrgStore, Payable, PayeeAccount, Payment,
    PaymentList, PaymentStore, PersonStore, StoreError,
};
use time::{Date, Duration};
use uuid::Uuid;

/// The fund a benefit draws on, with its figures for `year` as they apply to an applicant
/// resident in `comune` (none when unknown): the comune's quota when the year is split by
/// comune (`FundYearFigures::room_for`); `None` when the benefit has no fund (its own budget
/// then applies).
pub async fn fund_room(
    state: &Services,
    org_id: Uuid,
    benefit_id: Uuid,
    year: i32,
    comune: Option<&domain::person::ComuneRef>,
) -> Result<Option<FundRoom>, Error> {
    let Some((_, fund_id)) = state
        .store
        .benefit_funds(org_id)
        .await?
        .into_iter()
        .find(|(b, _)| *b == benefit_id)
    else {
        return Ok(None);
    };
    let fund = state.store.get_fund(org_id, fund_id).await?;
    let figures = year_figures(state, org_id, fund_id, fund.name, year).await?;
    Ok(Some(match comune {
        Some(c) => figures.room_for(&c.istat, &c.name),
        None => figures.room_for("", ""),
    }))
}

/// A fund's allocations and commitments of `year`, per comune.
async fn year_figures(
    state: &Services,
    org_id: Uuid,
    fund_id: Uuid,
    name: String,
    year: i32,
) -> Result<FundYearFigures, Error> {
    let (from, to) = year_bounds(year)?;
    Ok(FundYearFigures {
        name,
        year,
        allocated: state
            .store
            .fund_allocations(org_id, fund_id)
            .await?
            .into_iter()
            .filter(|a| a.year == i64::from(year))
            .map(|a| (a.comune, a.amount))
            .collect(),
        committed: state
            .store
            .fund_committed_by_comune(org_id, fund_id, from, to)
            .await?,
    })
}

/// The quotas per comune of the `funds` split by comune in `year`, each with what remains;
/// after a fund's quotas, the part of the whole ente for the comuni without one.
pub async fn fund_quotas(
    state: &Services,
    ctx: &Actor,
    year: i32,
    funds: &[FundYear],
) -> Result<Vec<FundRoom>, Error> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let mut quotas = Vec::new();
    for f in funds {
        let figures = year_figures(state, ctx.org.id, f.fund.id, f.fund.name.clone(), year).await?;
        let split: Vec<_> = comuni
            .iter()
            .filter(|c| figures.allocated.iter().any(|(q, _)| *q == c.istat_code))
            .collect();
        if split.is_empty() {
            continue;
        }
        quotas.extend(
            split
                .iter()
                .map(|c| figures.room_for(&c.istat_code, &c.name)),
        );
        let rest = figures.room_for("", "");
        if rest.allocated != Money::ZERO || rest.committed != Money::ZERO {
            quotas.push(rest);
        }
    }
    Ok(quotas)
}

/// The organization's funds with their figures for `year`.
pub async fn funds(state: &Services, ctx: &Actor, year: i32) -> Result<Vec<FundYear>, Error> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let (from, to) = year_bounds(year)?;
    Ok(state
        .store
        .fund_years(ctx.org.id, i64::from(year), from, to)
        .await?)
}

/// A fund and its allocations.
pub async fn fund(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
) -> Result<(Fund, Vec<Allocation>), Error> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let fund = state.store.get_fund(ctx.org.id, id).await?;
    let allocations = state.store.fund_allocations(ctx.org.id, id).await?;
    Ok((fund, allocations))
}

/// A new fund from its form; a name already used is named.
pub async fn create_fund(
    state: &Services,
    ctx: &Actor,
    input: &FundInput,
) -> Result<Result<Uuid, Vec<FieldError>>, Error> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let data = match payment::parse_fund(input) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let fund = Fund {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        name: data.name,
        kind: data.kind,
        debtor_iban: data.debtor_iban.as_str().to_owned(),
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "fund.create",
        "fund",
        Some(fund.id),
        format!(
            "Nuovo fondo «{}» ({}), pagato dal conto {}",
            fund.name,
            fund.kind.label(),
            data.debtor_iban.grouped()
        ),
    );
    match state.store.create_fund(&fund, &audit).await {
        Ok(()) => Ok(Ok(fund.id)),
        Err(StoreError::Duplicate(_)) => Ok(Err(vec![FieldError::new(
            "name",
            format!("esiste già un fondo «{}»", fund.name),
        )])),
        Err(e) => Err(e.into()),
    }
}

/// Sets a fund's allocation for a year (and a comune of the organization, or the whole).
pub async fn save_allocation(
    state: &Services,
    ctx: &Actor,
    fund_id: Uuid,
    input: &AllocationInput,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let fund = state.store.get_fund(ctx.org.id, fund_id).await?;
    let comuni: Vec<String> = state
        .store
        .org_comuni(ctx.org.id)
        .await?
        .into_iter()
        .map(|c| c.istat_code)
        .collect();
    let data = match payment::parse_allocation(input, &comuni) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let audit = ctx.audit(
        "fund.allocation",
        "fund",
        Some(fund.id),
        format!(
            "Stanziamento {} del fondo «{}»{}: {}",
            data.year,
            fund.name,
            if data.comune.is_empty() {
                String::new()
            } else {
                format!(" per il comune {}", data.comune)
            },
            data.amount.format()
        ),
    );
    state
        .store
        .save_allocation(
            &Allocation {
                fund_id,
                org_id: ctx.org.id,
                year: i64::from(data.year),
                comune: data.comune,
                amount: data.amount,
                actor: ctx.label().to_owned(),
                at_us: unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}

/// The benefit draws on the fund (or on none: its own budget applies again).
pub async fn link_benefit(
    state: &Services,
    ctx: &Actor,
    benefit_id: Uuid,
    fund_id: Option<Uuid>,
) -> Result<(), Error> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let benefit = state.store.get_benefit(ctx.org.id, benefit_id).await?;
    let fund = match fund_id {
        Some(id) => Some(state.store.get_fund(ctx.org.id, id).await?),
        None => None,
    };
    let audit = ctx.audit(
        "fund.benefit",
        "benefit",
        Some(benefit_id),
        match &fund {
            Some(f) => format!("«{}» finanziata dal fondo «{}»", benefit.data.name, f.name),
            None => format!("«{}» non più legata a un fondo", benefit.data.name),
        },
    );
    state
        .store
        .link_benefit(ctx.org.id, benefit_id, fund_id, &audit)
        .await?;
    Ok(())
}

/// The person's account for payments, logged as a read.
pub async fn account(
    state: &Services,
    ctx: &Actor,
    person_id: Uuid,
) -> Result<(store::Person, Option<PayeeAccount>), Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let person = state.store.get_person(ctx.org.id, person_id).await?;
    let account = state.store.payee_account(ctx.org.id, person_id).await?;
    state
        .reads
        .log(ctx.audit(
            "payee.view",
            "person",
            Some(person_id),
            format!("Consultato l'IBAN di {}", person.data.full_name()),
        ))
        .await;
    Ok((person, account))
}

/// Stores the person's IBAN and holder, if still at `version` (0 before the first save).
pub async fn save_account(
    state: &Services,
    ctx: &Actor,
    person_id: Uuid,
    input: &AccountInput,
    version: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let person = state.store.get_person(ctx.org.id, person_id).await?;
    let data = match payment::parse_account(input) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let read: i64 = crate::read_version(version, "del conto")?;
    let audit = ctx.audit(
        "payee.save",
        "person",
        Some(person_id),
        format!(
            "IBAN di {} per i pagamenti: {} intestato a {}",
            person.data.full_name(),
            data.iban.grouped(),
            data.holder
        ),
    );
    state
        .store
        .save_payee_account(
            &PayeeAccount {
                org_id: ctx.org.id,
                person_id,
                iban: data.iban.as_str().to_owned(),
                holder: data.holder,
                version: read + 1,
                actor: ctx.label().to_owned(),
                at_us: unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}

/// What preparing a month's list of a fund did.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The new list, `None` when nothing was payable.
    pub list: Option<Uuid>,
    pub payments: usize,
    /// Deliveries left out because the person has no IBAN yet.
    pub without_iban: Vec<Payable>,
}

/// Prepares the list of `month` (its first day) of a fund: every delivery made that month of
/// its money benefits not paid yet, or whose payment the bank rejected (paid again to the
/// IBAN recorded now).
pub async fn prepare_list(
    state: &Services,
    ctx: &Actor,
    fund_id: Uuid,
    month: Date,
) -> Result<Prepared, Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let fund = state.store.get_fund(ctx.org.id, fund_id).await?;
    let payable = state.store.payable(ctx.org.id, fund_id, month).await?;
    let (ready, without_iban): (Vec<Payable>, Vec<Payable>) =
        payable.into_iter().partition(|p| p.account.is_some());
    if ready.is_empty() {
        return Ok(Prepared {
            list: None,
            payments: 0,
            without_iban,
        });
    }
    let at_us = unix_micros(ctx.now);
    let list = PaymentList {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        fund_id,
        fund_name: fund.name.clone(),
        debtor_iban: fund.debtor_iban.clone(),
        month,
        state: ListState::Prepared,
        approved_by: None,
        version: 1,
        actor: ctx.label().to_owned(),
        at_us,
        count: 0,
        total: Money::ZERO,
    };
    let payments: Vec<Payment> = ready
        .into_iter()
        .map(|p| {
            let (iban, holder) = p.account.unwrap_or_default();
            let id = Uuid::now_v7();
            Payment {
                id,
                org_id: ctx.org.id,
                list_id: list.id,
                delivery_id: p.delivery_id,
                person_id: p.person_id,
                person_name: p.person_name,
                benefit_id: p.benefit_id,
                benefit_name: p.benefit_name,
                period: p.period,
                amount: p.amount,
                iban,
                holder,
                end_to_end: sepa_id(id),
                state: PaymentState::Ordered,
                reason: String::new(),
                at_us,
            }
        })
        .collect();
    let total = payments.iter().fold(Money::ZERO, |s, p| s + p.amount);
    let audit = ctx.audit(
        "payment.list",
        "payment_list",
        Some(list.id),
        format!(
            "Distinta di {} del fondo «{}»: {} pagamenti per {}",
            month_label(month),
            fund.name,
            payments.len(),
            total.format()
        ),
    );
    state
        .store
        .create_payment_list(&list, &payments, &audit)
        .await?;
    Ok(Prepared {
        list: Some(list.id),
        payments: payments.len(),
        without_iban,
    })
}

/// The lists of the month (its first day).
pub async fn lists(state: &Services, ctx: &Actor, month: Date) -> Result<Vec<PaymentList>, Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    Ok(state.store.payment_lists(ctx.org.id, month, month).await?)
}

/// A list with its payments (names and IBANs: logged as a read).
pub async fn list(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
) -> Result<(PaymentList, Vec<Payment>), Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let list = state.store.get_payment_list(ctx.org.id, id).await?;
    let payments = state.store.list_payments(ctx.org.id, id).await?;
    state
        .reads
        .log(ctx.audit(
            "payment.view",
            "payment_list",
            Some(id),
            format!(
                "Consultata la distinta di {} del fondo «{}» ({} pagamenti)",
                month_label(list.month),
                list.fund_name,
                payments.len()
            ),
        ))
        .await;
    Ok((list, payments))
}

/// The ragioneria approves a list at the version it read.
pub async fn approve(state: &Services, ctx: &Actor, id: Uuid, version: &str) -> Result<(), Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let list = state.store.get_payment_list(ctx.org.id, id).await?;
    let read: i64 = crate::read_version(version, "della distinta")?;
    let audit = ctx.audit(
        "payment.approve",
        "payment_list",
        Some(id),
        format!(
            "Approvata la distinta di {} del fondo «{}»: {} pagamenti per {}",
            month_label(list.month),
            list.fund_name,
            list.count,
            list.total.format()
        ),
    );
    state
        .store
        .approve_payment_list(ctx.org.id, id, read, ctx.label(), &audit)
        .await?;
    Ok(())
}

/// The SEPA file of a month.
#[derive(Debug, Clone)]
pub struct SepaFile {
    pub name: String,
    pub xml: String,
    pub payments: usize,
    pub total: Money,
}

/// The SEPA credit transfer file (pain.001.001.09) of the month's approved lists: their
/// payments still ordered, one batch per list, checked against the XSD; `None` when there is
/// nothing to pay. Audited.
pub async fn sepa(state: &Services, ctx: &Actor, month: Date) -> Result<Option<SepaFile>, Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let lists = state.store.payment_lists(ctx.org.id, month, month).await?;
    let execution = ctx.now.date().saturating_add(Duration::days(1));
    let mut batches = Vec::new();
    for l in lists.iter().filter(|l| l.state == ListState::Approved) {
        let debtor_iban = Iban::parse("debtor_iban", &l.debtor_iban)
            .map_err(|e| Error::Internal(format!("fondo «{}»: {}", l.fund_name, e.message)))?;
        let transfers: Vec<Transfer> = state
            .store
            .list_payments(ctx.org.id, l.id)
            .await?
            .into_iter()
            .filter(|p| p.state == PaymentState::Ordered)
            .map(|p| {
                let iban = Iban::parse("iban", &p.iban).map_err(|e| {
                    Error::Internal(format!("pagamento {}: {}", p.end_to_end, e.message))
                })?;
                Ok(Transfer {
                    remittance: format!(
                        "{} {} - {} - {}",
                        p.benefit_name,
                        month_label(p.period),
                        p.person_name,
                        ctx.org.name
                    ),
                    end_to_end: p.end_to_end,
                    amount: p.amount,
                    creditor: p.holder,
                    iban,
                })
            })
            .collect::<Result<_, Error>>()?;
        if !transfers.is_empty() {
            batches.push(Batch {
                id: sepa_id(l.id),
                debtor: ctx.org.name.clone(),
                debtor_iban,
                execution,
                transfers,
            });
        }
    }
    if batches.is_empty() {
        return Ok(None);
    }
    let initiation = Initiation {
        message_id: sepa_id(Uuid::now_v7()),
        created: ctx.now,
        initiator: ctx.org.name.clone(),
        batches,
    };
    let xml = payment::pain001(&initiation);
    let violations = payment::validate_pain001(&xml);
    if !violations.is_empty() {
        return Err(Error::Internal(format!(
            "file SEPA non valido: {}",
            violations.join("; ")
        )));
    }
    let transfers = initiation.batches.iter().flat_map(|b| &b.transfers);
    let payments = transfers.clone().count();
    let total = transfers.fold(Money::ZERO, |s, t| s + t.amount);
    let name = format!(
        "SEPA-{}-{:04}-{:02}.xml",
        ctx.org.code,
        month.year(),
        u8::from(month.month())
    );
    let audit = ctx.audit(
        "payment.sepa",
        "payment_month",
        None,
        format!(
            "File SEPA {name} di {}: {payments} bonifici per {} (messaggio {})",
            month_label(month),
            total.format(),
            initiation.message_id
        ),
    );
    state.store.append_audit(&audit).await?;
    Ok(Some(SepaFile {
        name,
        xml,
        payments,
        total,
    }))
}

/// What the bank's return changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settled {
    pub paid: usize,
    pub rejected: usize,
    /// Outcomes for no ordered payment of an approved list (unknown or already settled).
    pub ignored: usize,
}

/// Reads the bank's return (camt.054 or the treasurer's CSV) and records each outcome: an
/// ordered payment becomes paid or rejected with its reason. A file that cannot be read is
/// refused whole.
pub async fn import_return(
    state: &Services,
    ctx: &Actor,
    bytes: &[u8],
) -> Result<Result<Settled, String>, Error> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let outcomes = match payment::read_bank_return(bytes) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let paid = outcomes
        .iter()
        .filter(|o| o.state == PaymentState::Paid)
        .count();
    let rejected = outcomes.len() - paid;
    let audit = ctx.audit(
        "payment.return",
        "payment_month",
        None,
        format!("Esito della banca: {paid} pagati, {rejected} respinti"),
    );
    let rows: Vec<(String, PaymentState, String)> = outcomes
        .into_iter()
        .map(|o| (o.end_to_end, o.state, o.reason))
        .collect();
    let changed = state
        .store
        .settle_payments(ctx.org.id, &rows, &audit)
        .await?;
    let changed = usize::try_from(changed).unwrap_or(usize::MAX);
    Ok(Ok(Settled {
        paid,
        rejected,
        ignored: rows.len().saturating_sub(changed),
    }))
}
