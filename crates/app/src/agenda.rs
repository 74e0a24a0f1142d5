//! Appointments: who may manage one; its outcome, which for an interview held by a person
//! with a case file writes the diary entry in the same transaction, and its corrections;
//! moving and cancelling, with an e-mail to the person. Every change after booking leaves a
//! row in the appointment's history.

use crate::casefile::case_access;
use crate::mail::AppointmentChanged;
use crate::procedure::{Mailed, deliver};
use crate::{Actor, Error, Services};
use domain::audit::unix_micros;
use domain::casework::{
    AppointmentData, AppointmentInput, AppointmentRefusal, AppointmentStatus, OutcomeInput,
    interview_entry,
};
use domain::localtime::{format_date_time, to_local, today};
use domain::{Action, FieldError};
use store::{Appointment, AppointmentChange, AppointmentView, CaseStore, DiaryEntry, Person};
use time::{Duration, OffsetDateTime, PrimitiveDateTime};
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

/// The form's errors come back as `Ok(Err(_))`, a refusal as `BadRequest`.
type Checked<T> = Result<Result<T, Vec<FieldError>>, Error>;

fn refused<T>(r: AppointmentRefusal) -> Checked<T> {
    match r {
        AppointmentRefusal::Invalid(errors) => Ok(Err(errors)),
        closed @ AppointmentRefusal::Closed(_) => Err(Error::BadRequest(closed.to_string())),
    }
}

/// Books an interview of `person` with `worker` (named `worker_name` in the audit row), on
/// the case file `case_file_id` if any.
pub async fn book_appointment(
    state: &Services,
    ctx: &Actor,
    person: &Person,
    worker: (Uuid, &str),
    case_file_id: Option<Uuid>,
    data: AppointmentData,
) -> Result<Appointment, Error> {
    ctx.authorize(Action::AppointmentManage, ctx.scope_of(person.org_id))?;
    let a = Appointment {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        worker_id: worker.0,
        person_id: person.id,
        case_file_id,
        starts_at_us: unix_micros(data.starts_at),
        minutes: i64::from(data.minutes),
        place: data.place,
        purpose: data.purpose,
        email: data.email,
        status: AppointmentStatus::Booked,
        reminder_sent_at_us: None,
        diary_entry_id: None,
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
        version: 1,
    };
    let audit = ctx.audit(
        "appointment.book",
        "appointment",
        Some(a.id),
        format!(
            "Appuntamento di {} con {} il {} ({} minuti)",
            person.data.full_name(),
            worker.1,
            format_date_time(data.starts_at),
            a.minutes
        ),
    );
    state.store.book_appointment(&a, &audit).await?;
    Ok(a)
}

/// The end of an appointment.
pub fn ends_at(a: &Appointment) -> OffsetDateTime {
    a.starts_at().saturating_add(Duration::minutes(a.minutes))
}

/// The worker's booked appointment that overlaps `[start, end)`, other than `except`.
pub async fn clash(
    state: &Services,
    ctx: &Actor,
    worker: Uuid,
    (start, end): (OffsetDateTime, OffsetDateTime),
    except: Option<Uuid>,
) -> Result<Option<Appointment>, Error> {
    // No appointment lasts more than 8 hours: earlier ones cannot reach this one.
    let around = state
        .store
        .worker_appointments(
            ctx.org.id,
            worker,
            unix_micros(start.saturating_sub(Duration::hours(8))),
            unix_micros(end),
        )
        .await?;
    Ok(around.into_iter().map(|v| v.appointment).find(|a| {
        a.status == AppointmentStatus::Booked
            && Some(a.id) != except
            && a.starts_at() < end
            && ends_at(a) > start
    }))
}

/// The field error of a clash with `other`.
pub fn clash_error(other: &Appointment) -> FieldError {
    FieldError::new(
        "time",
        format!(
            "l'operatore ha già un appuntamento dalle {} alle {}",
            domain::localtime::format_time(other.starts_at()),
            domain::localtime::format_time(ends_at(other))
        ),
    )
}

fn change(ctx: &Actor, a: &Appointment, what: String, reason: Option<String>) -> AppointmentChange {
    AppointmentChange {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        appointment_id: a.id,
        what,
        reason,
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    }
}

/// A stored outcome.
pub struct Recorded {
    /// The interview went into the case file's diary.
    pub in_diary: bool,
}

/// Records the outcome `i` of the appointment as read at `version`: authorize → decide in
/// `domain` → for an interview held by a person with a case file (the one it was booked on,
/// where the user must be able to write, or else the person's, if the user may write in it)
/// its diary entry → store with the history and audit rows. A change made meanwhile is
/// `Conflict`.
pub async fn record_outcome(
    state: &Services,
    ctx: &Actor,
    access: &AppointmentAccess,
    version: i64,
    i: &OutcomeInput,
) -> Checked<Recorded> {
    let v = &access.view;
    let a = &v.appointment;
    let outcome = match a.outcome(i, ctx.now) {
        Ok(o) => o,
        Err(r) => return refused(r),
    };
    let mut interview = None;
    if let Some(on) = outcome.interview_on {
        let case_id = match a.case_file_id {
            Some(id) => Some(id),
            None => state
                .store
                .person_case_file(ctx.org.id, a.person_id)
                .await?
                .map(|c| c.id),
        };
        let case = match case_id {
            Some(id) => match case_access(state, ctx, id).await {
                Ok(case) => Some(case),
                // The person's own file, which this user may not open: no diary entry.
                Err(Error::Forbidden) if a.case_file_id.is_none() => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        // Booked on a file, the entry must go there; the person's file only if writable.
        let case = match case {
            Some(case) if a.case_file_id.is_some() => {
                case.write_access(ctx)?;
                Some(case)
            }
            Some(case) => case.write_access(ctx).is_ok().then_some(case),
            None => None,
        };
        if let Some(case) = case {
            let case_id = case.case.id;
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
    }
    let (what, reason) = match outcome.corrects {
        Some((from, reason)) => (
            format!(
                "esito corretto da «{}» a «{}»",
                from.label(),
                outcome.status.label()
            ),
            Some(reason),
        ),
        None => (format!("esito: {}", outcome.status.label()), None),
    };
    let summary = format!("Appuntamento di {} {}: {what}", v.given_names, v.surname);
    let summary = match &interview {
        Some((_, n)) => format!("{summary}; colloquio annotato nella cartella n. {n}"),
        None => summary,
    };
    let history = change(ctx, a, what, reason);
    let audit = ctx.audit("appointment.outcome", "appointment", Some(a.id), summary);
    let entry = interview.as_ref().map(|(e, _)| e);
    state
        .store
        .set_appointment_status(version, outcome.status, entry, &history, &audit)
        .await?;
    Ok(Ok(Recorded {
        in_diary: entry.is_some(),
    }))
}

fn local(at: OffsetDateTime) -> PrimitiveDateTime {
    let l = to_local(at);
    PrimitiveDateTime::new(l.date(), l.time())
}

/// Writes to the person, at the appointment's address, that it was moved to `moved_to` (or
/// cancelled). Called after the change is stored: a failure is told to the operator.
async fn notify(
    state: &Services,
    v: &AppointmentView,
    moved_to: Option<&AppointmentData>,
    reason: Option<String>,
) -> Mailed {
    let Some(to) = v.appointment.email.clone() else {
        return Mailed::NoAddress;
    };
    if !state.mailer.is_configured() {
        return Mailed::NotConfigured;
    }
    let msg = AppointmentChanged {
        person_name: format!("{} {}", v.given_names, v.surname),
        worker_name: v.worker_name.clone(),
        office: v.org_name.clone(),
        was: local(v.appointment.starts_at()),
        moved_to: moved_to.map(|d| local(d.starts_at)),
        place: moved_to.map_or_else(|| v.appointment.place.clone(), |d| d.place.clone()),
        purpose: v.appointment.purpose.clone(),
        reason,
        signature: crate::acts::mail_signature(state, v.appointment.org_id, &v.org_name).await,
    };
    deliver(state, to, &msg).await
}

/// What the operator is told of the e-mail to the person.
pub fn notice(m: &Mailed) -> String {
    match m {
        Mailed::Sent(to) => format!("Avviso inviato per e-mail a {to}."),
        Mailed::NoAddress => {
            "La persona non ha lasciato un indirizzo e-mail: avvisarla per telefono.".into()
        }
        Mailed::NotConfigured => {
            "L'invio delle e-mail non è configurato: avvisare la persona per telefono.".into()
        }
        Mailed::Failed(e) => {
            format!("L'e-mail alla persona non è partita ({e}): avvisarla per telefono.")
        }
        Mailed::Deceased => "La persona risulta deceduta: nessun avviso inviato.".into(),
    }
}

/// Moves the booked appointment, as read at `version`, to the time and place typed (no clash
/// with the worker's other appointments), then writes to the person.
pub async fn move_appointment(
    state: &Services,
    ctx: &Actor,
    access: &AppointmentAccess,
    version: i64,
    i: &AppointmentInput,
) -> Checked<Mailed> {
    let v = &access.view;
    let a = &v.appointment;
    let data = match a.moved(i, ctx.now) {
        Ok(d) => d,
        Err(r) => return refused(r),
    };
    if let Some(other) = clash(
        state,
        ctx,
        a.worker_id,
        (data.starts_at, data.ends_at),
        Some(a.id),
    )
    .await?
    {
        return Ok(Err(vec![clash_error(&other)]));
    }
    let what = format!(
        "spostato dal {} al {} ({} minuti, {})",
        format_date_time(a.starts_at()),
        format_date_time(data.starts_at),
        data.minutes,
        data.place
    );
    let summary = format!("Appuntamento di {} {} {what}", v.given_names, v.surname);
    let history = change(ctx, a, what, None);
    let audit = ctx.audit("appointment.move", "appointment", Some(a.id), summary);
    state
        .store
        .move_appointment(
            version,
            unix_micros(data.starts_at),
            i64::from(data.minutes),
            &data.place,
            &history,
            &audit,
        )
        .await?;
    Ok(Ok(notify(state, v, Some(&data), None).await))
}

/// Cancels a booked appointment and tells the person by e-mail.
pub async fn cancel_appointment(
    state: &Services,
    ctx: &Actor,
    access: &AppointmentAccess,
    version: i64,
    reason: &str,
) -> Checked<Mailed> {
    Ok(
        match cancel_without_notice(state, ctx, access, version, reason).await? {
            Ok(reason) => Ok(notify(state, &access.view, None, reason).await),
            Err(errors) => Err(errors),
        },
    )
}

/// Cancels a booked appointment without writing to the person (after a death nobody is there
/// to read it); the reason as recorded.
pub async fn cancel_without_notice(
    state: &Services,
    ctx: &Actor,
    access: &AppointmentAccess,
    version: i64,
    reason: &str,
) -> Checked<Option<String>> {
    let v = &access.view;
    let a = &v.appointment;
    let reason = match a.cancel(reason) {
        Ok(r) => r,
        Err(r) => return refused(r),
    };
    let summary = format!(
        "Appuntamento di {} {} del {} annullato",
        v.given_names,
        v.surname,
        format_date_time(a.starts_at())
    );
    let history = change(ctx, a, "annullato".into(), reason.clone());
    let audit = ctx.audit("appointment.cancel", "appointment", Some(a.id), summary);
    state
        .store
        .set_appointment_status(
            version,
            AppointmentStatus::Cancelled,
            None,
            &history,
            &audit,
        )
        .await?;
    Ok(Ok(reason))
}
