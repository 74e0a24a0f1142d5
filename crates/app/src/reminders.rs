//! E-mail reminders of booked appointments, sent the day before: every appointment starting
//! within the next 24 hours that has an address and no reminder yet. A reminder is marked as
//! sent only once the mail server has taken it; a failure is retried on the next run.

use crate::Error;
use crate::Services;
use crate::mail::{AppointmentReminder, Compose, MailError};
use std::time::Duration;
use store::CaseStore;
use time::PrimitiveDateTime;

/// How often [`spawn`] looks for reminders to send.
pub const EVERY: Duration = Duration::from_secs(300);

const DAY_US: i64 = 24 * 3600 * 1_000_000;

/// Sends the reminders due now; the number sent. Without a configured mail server nothing
/// is sent and nothing is marked.
pub async fn send_due(state: &Services) -> Result<usize, Error> {
    if !state.mailer.is_configured() {
        return Ok(0);
    }
    let now = state.clock.now_us();
    let due = state.store.reminders_due(now, now + DAY_US).await?;
    let mut sent = 0;
    for v in due {
        let a = &v.appointment;
        let Some(to) = a.email.as_deref() else {
            continue;
        };
        let local = domain::localtime::to_local(
            domain::audit::from_unix_micros(a.starts_at_us)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        );
        let reminder = AppointmentReminder {
            person_name: format!("{} {}", v.given_names, v.surname),
            worker_name: v.worker_name.clone(),
            office: v.org_name.clone(),
            when: PrimitiveDateTime::new(local.date(), local.time()),
            place: a.place.clone(),
            purpose: a.purpose.clone(),
        };
        let result = match reminder.mail(to) {
            Ok(mail) => state.mailer.send(&mail).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                if let Err(e) = state
                    .store
                    .mark_reminder_sent(a.id, state.clock.now_us())
                    .await
                {
                    tracing::warn!(appointment = %a.id, error = %e, "promemoria inviato ma non segnato");
                }
                sent += 1;
            }
            Err(MailError::NotConfigured) => return Ok(sent),
            Err(e) => {
                tracing::warn!(appointment = %a.id, error = %e, "promemoria non inviato: si riprova al prossimo giro");
            }
        }
    }
    Ok(sent)
}

/// Runs [`send_due`] now and then every five minutes, for as long as the process lives.
pub fn spawn(state: Services) {
    tokio::spawn(async move {
        loop {
            match send_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sent = n, "promemoria degli appuntamenti inviati"),
                Err(e) => tracing::warn!(error = %e, "promemoria degli appuntamenti non inviati"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
