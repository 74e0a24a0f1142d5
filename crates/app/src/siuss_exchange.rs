//! The exchange of the SIUSS records with INPS (WaaS API, `api-comuni.yaml`): the flows a
//! month's records need now (`domain::siuss::exchange::plan`), made whenever the data behind
//! them may have changed — by the job every [`EVERY`], after a delivery is recorded,
//! corrected or annulled, and when the responsabile opens the month — and handed to INPS in
//! the order they were made; INPS's outcomes; the month's dashboard; a rejected flow sent
//! again on request.
//!
//! Making the flows is the installation's work (`Actor::system`): an operator recording a
//! delivery does not hold `SiussManage`, yet the records follow what they save.

use crate::siuss::{Period, build};
use crate::{Actor, Error, Services};
use domain::audit::unix_micros;
use domain::policy::{Action, RecordScope};
use domain::siuss::exchange::{self, Now, Sent};
use domain::siuss::{Operation, Origin, Problem, RecordKind};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use store::{
    NewSiussFlow, OrgStore, Organization, ServedFlow, SiussFlow, SiussMonth, SiussOutcome,
    SiussProblemRow, SiussStore,
};
use time::Date;
use uuid::Uuid;

/// How often [`spawn`] makes the flows of the last [`MONTHS_KEPT`] months.
pub const EVERY: Duration = Duration::from_secs(600);
/// The months the job looks at: the current one and the twelve before (a delivery is
/// recorded, corrected or annulled within the year).
pub const MONTHS_KEPT: u8 = 13;

/// What making a month's flows did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub inserted: usize,
    pub corrected: usize,
    pub cancelled: usize,
    /// Records not valid now (not sent until fixed).
    pub invalid: usize,
}

impl Refreshed {
    pub fn flows(&self) -> usize {
        self.inserted + self.corrected + self.cancelled
    }
}

fn origin_ids(origin: &Origin) -> (Option<Uuid>, Option<Uuid>, Option<Uuid>) {
    match *origin {
        Origin::Delivery {
            application_id,
            benefit_id,
            ..
        } => (Some(application_id), Some(benefit_id), None),
        Origin::Assessment { case_file_id, .. } => (None, None, Some(case_file_id)),
    }
}

/// The flows `period`'s records need, given the flows already made for its month.
fn plan_month(period: &Period, made: &[SiussFlow]) -> (Vec<NewSiussFlow>, Refreshed) {
    let mut history: HashMap<Uuid, Vec<&SiussFlow>> = HashMap::new();
    for f in made {
        history.entry(f.record_id).or_default().push(f);
    }
    let sent = |flows: &[&SiussFlow]| -> Vec<Sent> {
        flows
            .iter()
            .map(|f| Sent {
                operation: f.operation,
                digest: f.digest.clone(),
                rejected: f.outcome.is_some_and(|o| !o.is_accepted()),
            })
            .collect()
    };
    let mut out = Vec::new();
    let mut counts = Refreshed::default();
    let mut push = |operation: Operation, kind: RecordKind, base: NewSiussFlow| {
        match operation {
            Operation::Insert => counts.inserted += 1,
            Operation::Correction => counts.corrected += 1,
            Operation::Cancellation => counts.cancelled += 1,
        }
        out.push(NewSiussFlow {
            operation,
            kind,
            ..base
        });
    };
    let mut built = HashSet::new();
    for r in &period.records {
        built.insert(r.id);
        let flows = history.get(&r.id).map(Vec::as_slice).unwrap_or_default();
        let digest = exchange::digest(&r.xml);
        let state = if r.is_valid() {
            Now::Valid(&digest)
        } else {
            Now::Invalid
        };
        if let Some(op) = exchange::plan(r.kind, &sent(flows), state) {
            let (application_id, _, case_file_id) = origin_ids(&r.origin);
            push(
                op,
                r.kind,
                NewSiussFlow {
                    id: Uuid::now_v7(),
                    record_id: r.id,
                    kind: r.kind,
                    operation: op,
                    person_id: r.person_id,
                    application_id,
                    case_file_id,
                    digest,
                    element: r.xml.clone(),
                },
            );
        }
    }
    // Records sent before and no longer made: the delivery was annulled or suspended.
    let mut gone: Vec<(&Uuid, &Vec<&SiussFlow>)> = history
        .iter()
        .filter(|(id, _)| !built.contains(*id))
        .collect();
    gone.sort_by_key(|(_, flows)| flows.first().map(|f| f.ts_ms));
    for (_, flows) in gone {
        let Some(held) = flows.iter().rev().find(|f| {
            f.outcome.is_none_or(|o| o.is_accepted()) && f.operation != Operation::Cancellation
        }) else {
            continue;
        };
        if exchange::plan(held.kind, &sent(flows), Now::Gone).is_none() {
            continue;
        }
        match exchange::with_operation(&held.element, Operation::Cancellation) {
            Ok(element) => push(
                Operation::Cancellation,
                held.kind,
                NewSiussFlow {
                    id: Uuid::now_v7(),
                    record_id: held.record_id,
                    kind: held.kind,
                    operation: Operation::Cancellation,
                    person_id: held.person_id,
                    application_id: held.application_id,
                    case_file_id: held.case_file_id,
                    digest: held.digest.clone(),
                    element,
                },
            ),
            Err(e) => {
                tracing::error!(flow = %held.name, error = %e, "cancellazione SIUSS non costruita")
            }
        }
    }
    counts.invalid = period.invalid().count();
    (out, counts)
}

fn problem_rows(period: &Period) -> Result<Vec<SiussProblemRow>, Error> {
    period
        .invalid()
        .map(|r| {
            let (application_id, benefit_id, case_file_id) = origin_ids(&r.origin);
            Ok(SiussProblemRow {
                record_id: r.id,
                kind: r.kind,
                month: period.month,
                person_id: r.person_id,
                application_id,
                benefit_id,
                case_file_id,
                problems: serde_json::to_string(&r.problems)
                    .map_err(|e| Error::Internal(e.to_string()))?,
            })
        })
        .collect()
}

/// Makes the records of `month` (its first day) of `org` again and saves the flows they need
/// and the invalid ones' problems; the flows are written in the audit log. Nothing is made
/// before the ente's SIUSS settings are saved (the flows' heading needs its INPS code).
pub async fn refresh(
    state: &Services,
    org: &Organization,
    month: Date,
) -> Result<Refreshed, Error> {
    let ctx = Actor::system(org.clone(), state.clock.now());
    let period = build(state, &ctx, month).await?;
    save_flows(state, &ctx, &period).await
}

/// Saves the flows `period`'s records need (see [`refresh`]), as the installation.
async fn save_flows(state: &Services, ctx: &Actor, period: &Period) -> Result<Refreshed, Error> {
    let (org, month) = (&ctx.org, period.month);
    if period.stored.is_none() {
        return Ok(Refreshed::default());
    }
    let made = state.store.siuss_flows_of_month(org.id, month).await?;
    let (flows, counts) = plan_month(period, &made);
    let audit = (!flows.is_empty()).then(|| {
        ctx.audit(
            "siuss.flows",
            "siuss_period",
            None,
            format!(
                "Flussi SIUSS di {}/{} per l'INPS: {} inserimenti, {} rettifiche, {} cancellazioni",
                u8::from(month.month()),
                month.year(),
                counts.inserted,
                counts.corrected,
                counts.cancelled
            ),
        )
    });
    state
        .store
        .save_siuss_month(
            &SiussMonth {
                org_id: org.id,
                month,
                sender: &period.sender,
                now_us: unix_micros(ctx.now),
                flows,
                problems: Some(problem_rows(period)?),
            },
            audit.as_ref(),
        )
        .await?;
    Ok(counts)
}

/// The first day of the month `back` months before `day`'s.
pub fn months_before(day: Date, back: u8) -> Date {
    let first = day.replace_day(1).unwrap_or(day);
    let index = first.year() * 12 + i32::from(u8::from(first.month())) - 1 - i32::from(back);
    let month =
        time::Month::try_from((index.rem_euclid(12) + 1) as u8).unwrap_or(time::Month::January);
    Date::from_calendar_date(index.div_euclid(12), month, 1).unwrap_or(first)
}

/// Makes the flows of the last [`MONTHS_KEPT`] months of every ente with SIUSS settings.
pub async fn refresh_all(state: &Services) -> Result<Refreshed, Error> {
    let mut total = Refreshed::default();
    let today = state.clock.now().date();
    for org_id in state.store.siuss_senders().await? {
        let org = state.store.get_org(org_id).await?;
        for back in (0..MONTHS_KEPT).rev() {
            let r = refresh(state, &org, months_before(today, back)).await?;
            total.inserted += r.inserted;
            total.corrected += r.corrected;
            total.cancelled += r.cancelled;
            total.invalid += r.invalid;
        }
    }
    Ok(total)
}

/// Runs [`refresh_all`] every [`EVERY`], on one server at a time (`jobs`).
pub fn spawn(state: Services) {
    crate::jobs::spawn(
        state,
        crate::jobs::SIUSS_EXCHANGE,
        EVERY,
        |s| async move { refresh_all(&s).await },
        |r| {
            if r.flows() > 0 {
                tracing::info!(
                    inserted = r.inserted,
                    corrected = r.corrected,
                    cancelled = r.cancelled,
                    "flussi SIUSS preparati"
                );
            }
        },
    );
}

/// After a save of the data behind the records of `month` (a delivery recorded, corrected or
/// annulled, an assessment made): the month's flows made again, and the problems of that
/// month's records of `subject`, for the operator who saved. A failure here does not undo
/// the save: it is logged and the job makes the flows later.
pub async fn after_save(
    state: &Services,
    org: &Organization,
    month: Date,
    subject: Subject,
) -> Vec<Problem> {
    let month = month.replace_day(1).unwrap_or(month);
    if let Err(e) = refresh(state, org, month).await {
        tracing::warn!(error = %e, "flussi SIUSS non aggiornati dopo il salvataggio");
        return Vec::new();
    }
    problems_of(state, org.id, subject)
        .await
        .into_iter()
        .filter(|p| p.month == month)
        .flat_map(|p| p.problems)
        .collect()
}

/// Whose records' problems a page shows.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Person(Uuid),
    Application(Uuid),
    CaseFile(Uuid),
}

/// An invalid record as a page shows it.
#[derive(Debug, Clone)]
pub struct Invalid {
    pub kind: RecordKind,
    pub month: Date,
    pub person_id: Uuid,
    /// Where the data behind it live, for the links to the pages that fix them.
    pub origin: Origin,
    pub problems: Vec<Problem>,
}

/// The problems of the records of a person, an application or a case file, as last made. The
/// caller has authorized the page that shows them (the record's own page).
pub async fn problems_of(state: &Services, org_id: Uuid, subject: Subject) -> Vec<Invalid> {
    let (person, application, case_file) = match subject {
        Subject::Person(id) => (Some(id), None, None),
        Subject::Application(id) => (None, Some(id), None),
        Subject::CaseFile(id) => (None, None, Some(id)),
    };
    match state
        .store
        .siuss_problems_of(org_id, person, application, case_file)
        .await
    {
        Ok(rows) => rows
            .into_iter()
            .map(|r| Invalid {
                kind: r.kind,
                month: r.month,
                person_id: r.person_id,
                origin: match (r.application_id, r.case_file_id) {
                    (Some(application_id), _) => Origin::Delivery {
                        delivery_id: r.record_id,
                        application_id,
                        benefit_id: r.benefit_id.unwrap_or_default(),
                    },
                    (None, case_file_id) => Origin::Assessment {
                        assessment_id: r.record_id,
                        case_file_id: case_file_id.unwrap_or_default(),
                    },
                },
                problems: serde_json::from_str(&r.problems).unwrap_or_default(),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "problemi SIUSS non letti");
            Vec::new()
        }
    }
}

/// The month's exchange with INPS as the responsabile sees it.
#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    /// Flows made and not yet handed to INPS.
    pub waiting: usize,
    /// Handed to INPS, no outcome yet.
    pub sent: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Rejected flows that are the last of their record: what is to be fixed and sent again.
    pub to_fix: Vec<SiussFlow>,
    pub flows: Vec<SiussFlow>,
}

/// The flows of `month` and what INPS did with them, after making them again from `period`
/// (the month's records the page shows, built once), so the responsabile sees the records as
/// they are now.
pub async fn dashboard(state: &Services, ctx: &Actor, period: &Period) -> Result<Dashboard, Error> {
    ctx.authorize(Action::SiussManage, RecordScope::SameOrg)?;
    let month = period.month;
    save_flows(state, &Actor::system(ctx.org.clone(), ctx.now), period).await?;
    let flows = state.store.siuss_flows_of_month(ctx.org.id, month).await?;
    let mut d = Dashboard::default();
    let mut last_of_record: HashMap<Uuid, usize> = HashMap::new();
    for (i, f) in flows.iter().enumerate() {
        last_of_record.insert(f.record_id, i);
        match f.outcome {
            Some(o) if o.is_accepted() => d.accepted += 1,
            Some(_) => d.rejected += 1,
            None if f.served_at_us.is_some() => d.sent += 1,
            None => d.waiting += 1,
        }
    }
    let mut last: Vec<usize> = last_of_record.into_values().collect();
    last.sort_unstable();
    d.to_fix = last
        .into_iter()
        .map(|i| &flows[i])
        .filter(|f| f.outcome.is_some_and(|o| !o.is_accepted()))
        .cloned()
        .collect();
    d.flows = flows;
    Ok(d)
}

/// Sends again a flow INPS rejected, unchanged (when the reason was INPS's, or the data were
/// fixed where no record shows it): only the last flow of its record, only once rejected.
pub async fn resend(
    state: &Services,
    ctx: &Actor,
    month: Date,
    flow_id: Uuid,
) -> Result<String, Error> {
    ctx.authorize(Action::SiussManage, RecordScope::SameOrg)?;
    let flows = state.store.siuss_flows_of_month(ctx.org.id, month).await?;
    let f = flows
        .iter()
        .find(|f| f.id == flow_id)
        .ok_or(Error::NotFound)?;
    let is_last = flows
        .iter()
        .rev()
        .find(|g| g.record_id == f.record_id)
        .is_some_and(|g| g.id == f.id);
    if !is_last || f.outcome.is_none_or(|o| o.is_accepted()) {
        return Err(Error::BadRequest(format!(
            "il flusso {} non è l'ultimo respinto del suo record: non si invia di nuovo",
            f.name
        )));
    }
    let (sender, _) = crate::siuss::sender(state, ctx).await?;
    let audit = ctx.audit(
        "siuss.resend",
        "siuss_period",
        None,
        format!(
            "Flusso SIUSS {} respinto dall'INPS ({}) inviato di nuovo",
            f.name,
            f.outcome_detail.as_deref().unwrap_or("senza motivo")
        ),
    );
    let names = state
        .store
        .save_siuss_month(
            &SiussMonth {
                org_id: ctx.org.id,
                month,
                sender: &sender,
                now_us: unix_micros(ctx.now),
                flows: vec![NewSiussFlow {
                    id: Uuid::now_v7(),
                    record_id: f.record_id,
                    kind: f.kind,
                    operation: f.operation,
                    person_id: f.person_id,
                    application_id: f.application_id,
                    case_file_id: f.case_file_id,
                    digest: f.digest.clone(),
                    element: f.element.clone(),
                }],
                problems: None,
            },
            Some(&audit),
        )
        .await?;
    Ok(names.into_iter().next().unwrap_or_default())
}

/// Who called the WaaS API: INPS's client on the PDND, for the log.
#[derive(Debug, Clone)]
pub struct Caller {
    pub client_id: String,
    pub purpose_id: Option<String>,
}

/// GET /flussi: up to `limit` flows made after `since_ms`, oldest first; INPS's reading is
/// written in the read log (the flows carry personal data).
pub async fn flows_since(
    state: &Services,
    org: &Organization,
    caller: &Caller,
    since_ms: i64,
    limit: i64,
) -> Result<Vec<ServedFlow>, Error> {
    let now = state.clock.now();
    let flows = state
        .store
        .siuss_flows_since(org.id, since_ms, limit, unix_micros(now))
        .await?;
    if !flows.is_empty() {
        let ctx = Actor::system(org.clone(), now);
        state
            .reads
            .log(ctx.audit(
                "siuss.flussi",
                "siuss_period",
                None,
                format!(
                    "L'INPS (client PDND {}{}) ha letto {} flussi SIUSS, da {} a {}",
                    caller.client_id,
                    caller
                        .purpose_id
                        .as_deref()
                        .map(|p| format!(", finalità {p}"))
                        .unwrap_or_default(),
                    flows.len(),
                    flows.first().map(|f| f.name.as_str()).unwrap_or_default(),
                    flows.last().map(|f| f.name.as_str()).unwrap_or_default()
                ),
            ))
            .await;
    }
    Ok(flows)
}

/// POST /esiti: INPS's outcomes recorded with an audit row; the flows not found (named in
/// the log, not refused: INPS would send them again forever).
pub async fn record_outcomes(
    state: &Services,
    org: &Organization,
    caller: &Caller,
    outcomes: &[SiussOutcome],
) -> Result<Vec<String>, Error> {
    let ctx = Actor::system(org.clone(), state.clock.now());
    let accepted = outcomes.iter().filter(|o| o.outcome.is_accepted()).count();
    let audit = ctx.audit(
        "siuss.esiti",
        "siuss_period",
        None,
        format!(
            "Esiti SIUSS dall'INPS (client PDND {}): {} acquisiti, {} respinti",
            caller.client_id,
            accepted,
            outcomes.len() - accepted
        ),
    );
    let unknown = state
        .store
        .record_siuss_outcomes(org.id, outcomes, unix_micros(ctx.now), &audit)
        .await?;
    for name in &unknown {
        tracing::warn!(org = %org.code, flow = %name, "esito SIUSS per un flusso sconosciuto");
    }
    Ok(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_before_crosses_the_year() {
        assert_eq!(
            months_before(date!(2026 - 03 - 15), 0),
            date!(2026 - 03 - 01)
        );
        assert_eq!(
            months_before(date!(2026 - 03 - 15), 3),
            date!(2025 - 12 - 01)
        );
        assert_eq!(
            months_before(date!(2026 - 01 - 31), 12),
            date!(2025 - 01 - 01)
        );
    }
}
