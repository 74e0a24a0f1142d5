//! Appointments: who may manage one, and its outcome, which for an interview held on a case
//! file writes the diary entry in the same transaction.

use crate::casefile::case_access;
use crate::{Actor, Error, Services};
use domain::audit::unix_micros;
use domain::casework::{OutcomeInput, OutcomeRefusal, interview_entry};
use domain::localtime::today;
use domain::{Action, FieldError};
use store::{AppointmentView, CaseStore, DiaryEntry};
use uuid::Uuid;

/// Proof that the actor may manage this appointment.
pub struct AppointmentAccess {
    pub view: AppointmentView,
}

pub async fn appointment_access(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
) -> Result<AppointmentAccess, Error> {
    let view = state.store.get_appointment(ctx.org.id, id).await?;
    ctx.authorize(
        Action::AppointmentManage,
        ctx.scope_of(view.appointment.org_id),
    )?;
    Ok(AppointmentAccess { view })
}

/// A stored outcome.
pub struct Recorded {
    /// The interview went into the case file's diary.
    pub in_diary: bool,
}

/// Records the outcome `i` of the appointment as read at `version`: authorize → decide in
/// `domain` → for an interview held on a case file, the right to write in it and its diary
/// entry → store with the audit row. The form's errors come back as `Ok(Err(_))`; an outcome
/// already written is `BadRequest`, a change made meanwhile `Conflict`.
pub async fn record_outcome(
    state: &Services,
    ctx: &Actor,
    access: &AppointmentAccess,
    version: i64,
    i: &OutcomeInput,
) -> Result<Result<Recorded, Vec<FieldError>>, Error> {
    let v = &access.view;
    let a = &v.appointment;
    let outcome = match a.outcome(i, today(ctx.now)) {
        Ok(o) => o,
        Err(r @ OutcomeRefusal::Recorded(_)) => return Err(Error::BadRequest(r.to_string())),
        Err(OutcomeRefusal::Invalid(errors)) => return Ok(Err(errors)),
    };
    let mut interview = None;
    if let (Some(on), Some(case_id)) = (outcome.interview_on, a.case_file_id) {
        let case = case_access(state, ctx, case_id).await?;
        case.write_access(ctx)?;
        let data = match interview_entry(on, i, case.case.opened_on, today(ctx.now)) {
            Ok(data) => data,
            Err(errors) => return Ok(Err(errors)),
        };
        let entry = DiaryEntry {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            case_file_id: case_id,
            data,
            actor_id: ctx.account()?,
            actor: ctx.label().to_owned(),
            at_us: unix_micros(ctx.now),
        };
        interview = Some((entry, case.case.number));
    }
    let summary = format!(
        "Esito dell'appuntamento di {} {}: {}",
        v.given_names,
        v.surname,
        outcome.status.label()
    );
    let summary = match &interview {
        Some((_, n)) => format!("{summary}; colloquio annotato nella cartella n. {n}"),
        None => summary,
    };
    let audit = ctx.audit("appointment.outcome", "appointment", Some(a.id), summary);
    let entry = interview.as_ref().map(|(e, _)| e);
    state
        .store
        .set_appointment_status(ctx.org.id, a.id, version, outcome.status, entry, &audit)
        .await?;
    Ok(Ok(Recorded {
        in_diary: entry.is_some(),
    }))
}
