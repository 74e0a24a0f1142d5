//! What a death or an emigration out of the comune, recorded by the civil-registry import,
//! asks of the office. A deceased person gets nothing new (no application, appointment or
//! taking in charge: [`refuse_if_deceased`]); the person's open matters are listed with the
//! action each one needs ([`proposal`]) and applied together on one confirmation ([`apply`]),
//! each through its own service (authorization, audit row), so a second confirmation finds
//! nothing left to do.

use crate::agenda::{appointment_access, cancel_appointment, cancel_without_notice};
use crate::casefile::{case_access, change_state as change_case_state};
use crate::procedure::{application_access, change_state, rules_in_force, scope_of};
use crate::read_log::Read;
use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::application::{
    ApplicationState, DeliveryStatus, TransitionInput, month_label, transition_action,
};
use domain::benefit::{CheckStatus, evaluate};
use domain::casework::{AppointmentStatus, CaseState, CloseReason, Transition};
use domain::dates::format_date;
use domain::localtime::today;
use domain::money::Money;
use domain::policy::Action;
use store::{
    ApplicationFilter, ApplicationView, AppointmentView, AuditStore, BenefitStore, CaseFile,
    CaseStore, Delivery, Person, PersonStore, UserStore,
};
use territory::Sex;
use time::Date;
use uuid::Uuid;

/// The registry event that ends the person's matters with the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifeEvent {
    Death(Date),
    /// Struck off the comune's registry (emigration or irreperibilità).
    Emigration(Date),
}

impl LifeEvent {
    /// The person's: a death first, then a removal from the registry.
    pub fn of(p: &Person) -> Option<LifeEvent> {
        p.data
            .death_date
            .map(LifeEvent::Death)
            .or(p.registry_left_on.map(LifeEvent::Emigration))
    }

    pub fn date(self) -> Date {
        match self {
            LifeEvent::Death(d) | LifeEvent::Emigration(d) => d,
        }
    }

    /// "decesso del 03/12/2026".
    pub fn describe(self) -> String {
        match self {
            LifeEvent::Death(d) => format!("decesso del {}", format_date(d)),
            LifeEvent::Emigration(d) => {
                format!(
                    "cancellazione dall'anagrafe del comune dal {}",
                    format_date(d)
                )
            }
        }
    }
}

/// "deceduta il 03/12/2026" or "deceduto il …", when the person has died.
pub fn deceased_on(p: &Person) -> Option<String> {
    p.data.death_date.map(|d| {
        let word = if p.data.sex == Sex::F {
            "deceduta"
        } else {
            "deceduto"
        };
        format!("{word} il {}", format_date(d))
    })
}

/// Refuses something new for a deceased person, saying why; `what` says what was asked
/// ("presentare una nuova domanda").
pub fn refuse_if_deceased(p: &Person, what: &str) -> Result<(), Error> {
    match deceased_on(p) {
        Some(on) => Err(Error::BadRequest(format!(
            "{} risulta {on} all'anagrafe: non si può {what}",
            p.data.full_name()
        ))),
        None => Ok(()),
    }
}

/// One open matter of the person and the action proposed for it.
#[derive(Debug, Clone)]
pub enum Step {
    /// An application in procedure: archived.
    CloseApplication {
        view: ApplicationView,
        to: ApplicationState,
    },
    /// An application being delivered: the planned months from `from` suspended, the
    /// application concluded, and what was paid for months after the event to recover.
    StopDelivery {
        view: ApplicationView,
        from: Date,
        planned: usize,
        recover: Money,
        paid_after: Vec<Date>,
    },
    /// Left to the worker, with the reasons (an accepted application whose delivery has
    /// not started, requirements that no longer hold).
    Review {
        view: ApplicationView,
        reasons: Vec<String>,
    },
    CancelAppointment {
        view: AppointmentView,
    },
    CloseCaseFile {
        case: CaseFile,
        worker: String,
        reason: CloseReason,
        on: Date,
    },
}

impl Step {
    /// What the matter is, in words.
    pub fn matter(&self) -> String {
        match self {
            Step::CloseApplication { view, .. }
            | Step::StopDelivery { view, .. }
            | Step::Review { view, .. } => format!(
                "Domanda {} · {} ({})",
                view.app
                    .protocol
                    .as_deref()
                    .unwrap_or("bozza senza protocollo"),
                view.benefit_name,
                view.app.state.label()
            ),
            Step::CancelAppointment { view } => format!(
                "Appuntamento del {} · {}",
                domain::localtime::format_date_time(instant(view.appointment.starts_at_us)),
                view.appointment.purpose
            ),
            Step::CloseCaseFile { case, .. } => {
                format!(
                    "Cartella sociale n. {} ({})",
                    case.number,
                    case.state.label()
                )
            }
        }
    }

    /// Who follows the matter.
    pub fn worker(&self) -> String {
        match self {
            Step::CloseApplication { view, .. }
            | Step::StopDelivery { view, .. }
            | Step::Review { view, .. } => view.filed_by_name.clone(),
            Step::CancelAppointment { view } => view.worker_name.clone(),
            Step::CloseCaseFile { worker, .. } => worker.clone(),
        }
    }

    /// The proposed action, in words.
    pub fn action(&self) -> String {
        match self {
            Step::CloseApplication { .. } => "Archiviare la domanda".into(),
            Step::StopDelivery {
                from,
                planned,
                recover,
                paid_after,
                ..
            } => {
                let mut s = format!(
                    "Sospendere le mensilità previste da {} ({planned}) e concludere l'erogazione",
                    month_label(*from)
                );
                if !paid_after.is_empty() {
                    let months: Vec<String> = paid_after.iter().map(|m| month_label(*m)).collect();
                    s.push_str(&format!(
                        "; recuperare {} erogati per {}",
                        recover.format(),
                        months.join(", ")
                    ));
                }
                s
            }
            Step::Review { reasons, .. } => {
                format!("Da valutare dall'operatore: {}", reasons.join("; "))
            }
            Step::CancelAppointment { .. } => "Annullare l'appuntamento".into(),
            Step::CloseCaseFile { reason, on, .. } => format!(
                "Chiudere la cartella dal {} ({})",
                format_date(*on),
                reason.label()
            ),
        }
    }

    /// Whether the confirmation applies it (a review is left to the worker).
    pub fn automatic(&self) -> bool {
        !matches!(self, Step::Review { .. })
    }
}

fn instant(us: i64) -> time::OffsetDateTime {
    domain::audit::from_unix_micros(us).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A step and whether the actor may apply it (otherwise it waits for someone who may).
pub struct Proposed {
    pub step: Step,
    pub allowed: bool,
}

/// The person with the event and the steps it calls for.
pub struct Proposal {
    pub person: Person,
    pub event: LifeEvent,
    pub steps: Vec<Proposed>,
}

/// Whether the actor may apply the step.
async fn allowed(state: &Services, ctx: &Actor, step: &Step) -> Result<bool, Error> {
    Ok(match step {
        Step::CloseApplication { view, to } => ctx.can(
            transition_action(view.app.state, *to),
            scope_of(ctx, &view.app),
        ),
        Step::StopDelivery { view, .. } => ctx.can(
            transition_action(view.app.state, ApplicationState::Concluded),
            scope_of(ctx, &view.app),
        ),
        Step::Review { .. } => false,
        Step::CancelAppointment { view } => ctx.can(
            Action::AppointmentManage,
            ctx.scope_of(view.appointment.org_id),
        ),
        Step::CloseCaseFile { case, .. } => match case_access(state, ctx, case.id).await {
            Ok(a) => a.write_access(ctx).is_ok(),
            Err(Error::Forbidden) => false,
            Err(e) => return Err(e),
        },
    })
}

/// The first month of delivery that starts on or after `d`.
fn first_month_from(d: Date) -> Date {
    let first = d.replace_day(1).unwrap_or(d);
    if first == d {
        first
    } else {
        domain::application::add_months(first, 1)
    }
}

/// The steps the person's life event calls for (`BadRequest` when the person has none).
/// Reading the person's matters is logged as a read of personal data.
pub async fn proposal(state: &Services, ctx: &Actor, person_id: Uuid) -> Result<Proposal, Error> {
    let person = state.store.get_person(ctx.org.id, person_id).await?;
    ctx.authorize(Action::PersonView, ctx.scope_of(person.org_id))?;
    let Some(event) = LifeEvent::of(&person) else {
        return Err(Error::BadRequest(
            "la persona non ha un decesso o una cancellazione dall'anagrafe registrati".into(),
        ));
    };
    state.reads.view(ctx, Read::Person, person.id).await;
    let mut steps = Vec::new();
    if ctx.can(Action::ApplicationView, ctx.scope_of(person.org_id)) {
        application_steps(state, ctx, &person, event, &mut steps).await?;
    }
    if let LifeEvent::Death(died) = event
        && ctx.can(Action::AppointmentManage, ctx.scope_of(person.org_id))
    {
        // Booked for the day of the death or later: none of them can be held.
        for view in state
            .store
            .person_appointments(ctx.org.id, person.id)
            .await?
        {
            let a = &view.appointment;
            if a.status == AppointmentStatus::Booked
                && domain::localtime::to_local(instant(a.starts_at_us)).date() >= died
            {
                steps.push(Step::CancelAppointment { view });
            }
        }
    }
    if ctx.can(Action::CaseFileRead, ctx.scope_of(person.org_id))
        && let Some(case) = state.store.person_case_file(ctx.org.id, person.id).await?
        && case.state != CaseState::Closed
    {
        let worker = state.store.get_user(case.worker_id).await?.full_name;
        let reason = match event {
            LifeEvent::Death(_) => CloseReason::Death,
            LifeEvent::Emigration(_) => CloseReason::Transferred,
        };
        steps.push(Step::CloseCaseFile {
            on: event.date().max(case.state_since),
            case,
            worker,
            reason,
        });
    }
    let mut proposed = Vec::with_capacity(steps.len());
    for step in steps {
        proposed.push(Proposed {
            allowed: allowed(state, ctx, &step).await?,
            step,
        });
    }
    Ok(Proposal {
        person,
        event,
        steps: proposed,
    })
}

async fn application_steps(
    state: &Services,
    ctx: &Actor,
    person: &Person,
    event: LifeEvent,
    steps: &mut Vec<Step>,
) -> Result<(), Error> {
    let views = state
        .store
        .list_applications(ctx.org.id, &ApplicationFilter::of_person(person.id, 200))
        .await?;
    for view in views.into_iter().filter(|v| v.app.state.is_open()) {
        // An emigration ends only what the rules in force no longer allow.
        let failing = match event {
            LifeEvent::Death(_) => Vec::new(),
            LifeEvent::Emigration(_) => no_longer_met(state, &view, person, today(ctx.now)).await?,
        };
        if matches!(event, LifeEvent::Emigration(_)) && failing.is_empty() {
            continue;
        }
        let step = match view.app.state {
            ApplicationState::Delivering => {
                let from = first_month_from(event.date());
                let deliveries = state
                    .store
                    .application_deliveries(ctx.org.id, view.app.id)
                    .await?;
                let after = |d: &&Delivery| d.month >= from;
                let planned = deliveries
                    .iter()
                    .filter(after)
                    .filter(|d| d.status == DeliveryStatus::Planned)
                    .count();
                let paid: Vec<&Delivery> = deliveries
                    .iter()
                    .filter(after)
                    .filter(|d| d.status == DeliveryStatus::Delivered && d.amount > Money::ZERO)
                    .collect();
                Step::StopDelivery {
                    from,
                    planned,
                    recover: paid.iter().fold(Money::ZERO, |s, d| s + d.amount),
                    paid_after: paid.iter().map(|d| d.month).collect(),
                    view,
                }
            }
            ApplicationState::Accepted => Step::Review {
                reasons: failing_or(
                    failing,
                    "domanda accolta ma erogazione non avviata: valutare la revoca dell'accoglimento",
                ),
                view,
            },
            _ if matches!(event, LifeEvent::Emigration(_)) => Step::Review {
                reasons: failing,
                view,
            },
            // The applicant's term for observations runs: the rejection waits for it.
            ApplicationState::NoticeOfRejection => Step::Review {
                reasons: vec![
                    "preavviso di rigetto inviato: alla scadenza del termine per le osservazioni respingere la domanda".into(),
                ],
                view,
            },
            _ => Step::CloseApplication {
                view,
                to: ApplicationState::Archived,
            },
        };
        steps.push(step);
    }
    Ok(())
}

fn failing_or(failing: Vec<String>, otherwise: &str) -> Vec<String> {
    if failing.is_empty() {
        vec![otherwise.to_owned()]
    } else {
        failing
    }
}

/// The requirements of the rules in force on `on` that the application no longer meets
/// once the person no longer lives in the organization's comuni.
async fn no_longer_met(
    state: &Services,
    view: &ApplicationView,
    person: &Person,
    on: Date,
) -> Result<Vec<String>, Error> {
    let org = view.app.org_id;
    let benefit = state.store.get_benefit(org, view.app.benefit_id).await?;
    let attestation = match view.app.attestation_id {
        Some(id) => Some(state.store.get_attestation(org, id).await?),
        None => None,
    };
    let Some(mut rules) =
        rules_in_force(state, &view.app, &benefit, person, attestation.as_ref(), on).await?
    else {
        return Ok(Vec::new());
    };
    rules.facts.resident = false;
    rules.facts.resident_since = None;
    Ok(evaluate(&benefit.data, &rules.rule, &rules.facts)
        .checks
        .into_iter()
        .filter(|c| c.status == CheckStatus::NotMet)
        .map(|c| c.text)
        .collect())
}

/// What a confirmation did: the steps applied, and those their service refused (a
/// `BadRequest`: the matter and the reason).
pub struct Applied {
    pub done: usize,
    pub refused: Vec<String>,
}

/// Applies every automatic step of the person's proposal that the actor may apply, each
/// through its service with its audit row, then one audit row for the whole. A step its
/// service refuses is reported and the others go on. Steps already done are no longer
/// proposed, so a repeated confirmation applies nothing.
pub async fn apply(state: &Services, ctx: &Actor, person_id: Uuid) -> Result<Applied, Error> {
    let p = proposal(state, ctx, person_id).await?;
    ctx.authorize(Action::PersonEdit, ctx.scope_of(p.person.org_id))?;
    let note = format!("Per {} ({})", p.event.describe(), p.person.data.full_name());
    // A person who moved away is told of a cancelled appointment; after a death, nobody is.
    let tell_person = matches!(p.event, LifeEvent::Emigration(_));
    let (mut done, mut refused) = (Vec::new(), Vec::new());
    for Proposed { step, .. } in p.steps.iter().filter(|s| s.allowed && s.step.automatic()) {
        match apply_step(state, ctx, step, &note, tell_person).await {
            Ok(()) => done.push(format!("{}: {}", step.matter(), step.action())),
            Err(Error::BadRequest(why)) => refused.push(format!("{}: {why}", step.matter())),
            Err(e) => return Err(e),
        }
    }
    if !done.is_empty() {
        let audit = ctx.audit(
            "person.life_event",
            "person",
            Some(p.person.id),
            format!("{note}: {}", done.join(" · ")),
        );
        state.store.append_audit(&audit).await?;
    }
    Ok(Applied {
        done: done.len(),
        refused,
    })
}

/// A step its service refused: the reasons, in one message.
fn refused(errors: Vec<FieldError>) -> Error {
    Error::BadRequest(
        errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; "),
    )
}

async fn move_application(
    state: &Services,
    ctx: &Actor,
    view: &ApplicationView,
    to: ApplicationState,
    note: &str,
) -> Result<(), Error> {
    let access = application_access(state, ctx, view.app.id).await?;
    let input = TransitionInput {
        to: to.as_str().to_owned(),
        note: note.to_owned(),
        observations: String::new(),
        version: access.view.app.version.to_string(),
    };
    change_state(state, ctx, &access, &input)
        .await?
        .map(drop)
        .map_err(refused)
}

async fn apply_step(
    state: &Services,
    ctx: &Actor,
    step: &Step,
    note: &str,
    tell_person: bool,
) -> Result<(), Error> {
    match step {
        Step::CloseApplication { view, to } => move_application(state, ctx, view, *to, note).await,
        Step::StopDelivery {
            view,
            from,
            recover,
            paid_after,
            ..
        } => {
            let access = application_access(state, ctx, view.app.id).await?;
            ctx.authorize(Action::ApplicationReview, access.scope)?;
            let audit = ctx.audit(
                "application.suspend",
                "application",
                Some(view.app.id),
                format!(
                    "Sospensione dell'erogazione della domanda {} da {}: {note}",
                    view.app.protocol.as_deref().unwrap_or(""),
                    month_label(*from)
                ),
            );
            state
                .store
                .suspend_deliveries(ctx.org.id, view.app.id, *from, true, &audit)
                .await?;
            let note = if paid_after.is_empty() {
                note.to_owned()
            } else {
                format!("{note}; da recuperare {}", recover.format())
            };
            move_application(state, ctx, view, ApplicationState::Concluded, &note).await
        }
        Step::Review { .. } => Ok(()),
        Step::CancelAppointment { view } => {
            let access = appointment_access(state, ctx, view.appointment.id).await?;
            let version = view.appointment.version;
            if tell_person {
                cancel_appointment(state, ctx, &access, version, note)
                    .await?
                    .map(drop)
            } else {
                cancel_without_notice(state, ctx, &access, version, note)
                    .await?
                    .map(drop)
            }
            .map_err(refused)
        }
        Step::CloseCaseFile {
            case, reason, on, ..
        } => {
            let access = case_access(state, ctx, case.id).await?;
            access.write_access(ctx)?;
            let t = Transition {
                from: access.case.state,
                to: CaseState::Closed,
                on: *on,
                close_reason: Some(*reason),
                note: note.to_owned(),
            };
            change_case_state(state, ctx, &access, &t).await?;
            Ok(())
        }
    }
}
