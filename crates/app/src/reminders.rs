//! E-mail reminders: of booked appointments, sent the day before (every appointment starting
//! within the next 24 hours that has an address and no reminder yet), and to the responsible
//! worker of an ISEE attestation that planned deliveries rest on, 30 days before it expires.
//! A reminder is marked as sent before it is sent (compare and set, so that of several servers
//! one sends it), and unmarked if the mail server refuses it: a failure is retried on the next
//! run. A server that dies between the two leaves it marked: at most once, never twice.

use crate::Error;
use crate::Services;
use crate::mail::{AppointmentReminder, AttestationExpiring, Compose, Mail, MailError};
use std::time::Duration;
use store::{CaseStore, DsuStore, OrgStore};
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
            signature: crate::acts::mail_signature(state, a.org_id, &v.org_name).await,
        };
        // Marked before it is sent: a server that finds it marked leaves it.
        let claimed_at = state.clock.now_us();
        if !state.store.claim_reminder(a.id, claimed_at).await? {
            continue;
        }
        match deliver(state, reminder.mail(to)).await {
            Ok(()) => sent += 1,
            Err(e) => {
                if let Err(err) = state.store.release_reminder(a.id, claimed_at).await {
                    tracing::warn!(appointment = %a.id, error = %err, "promemoria non inviato e rimasto segnato");
                }
                if matches!(e, MailError::NotConfigured) {
                    return Ok(sent);
                }
                tracing::warn!(appointment = %a.id, error = %e, "promemoria non inviato: si riprova al prossimo giro");
            }
        }
    }
    Ok(sent)
}

/// How many days before an attestation expires its worker is told.
pub const EXPIRY_NOTICE_DAYS: i64 = 30;

/// Tells each responsible worker of the attestations that expire within
/// [`EXPIRY_NOTICE_DAYS`] under planned deliveries, once per application and attestation;
/// the number sent. A worker without an address is skipped: the list in the DSU pages shows
/// them all.
pub async fn send_expiry_notices(state: &Services) -> Result<usize, Error> {
    if !state.mailer.is_configured() {
        return Ok(0);
    }
    let today = domain::localtime::today(state.clock.now());
    let until = today + time::Duration::days(EXPIRY_NOTICE_DAYS);
    let due = state
        .store
        .expiring_attestations(None, until, true, 1000)
        .await?;
    let mut sent = 0;
    for e in due {
        let Some(to) = e.worker_email.as_deref() else {
            continue;
        };
        let office = state.store.get_org(e.org_id).await?.name;
        let notice = AttestationExpiring {
            worker_name: e.worker_name.clone(),
            office,
            protocol: e
                .protocol
                .clone()
                .unwrap_or_else(|| "senza protocollo".into()),
            benefit: e.benefit_name.clone(),
            until: e.valid_until,
            newer: e.newer,
        };
        // Recorded before it is sent: a server that finds it recorded leaves it.
        let at = state.clock.now_us();
        if !state
            .store
            .claim_expiry_notice(e.org_id, e.application_id, e.attestation_id, at)
            .await?
        {
            continue;
        }
        match deliver(state, notice.mail(to)).await {
            Ok(()) => sent += 1,
            Err(err) => {
                if let Err(undo) = state
                    .store
                    .release_expiry_notice(e.application_id, e.attestation_id, at)
                    .await
                {
                    tracing::warn!(application = %e.application_id, error = %undo, "avviso di scadenza ISEE non inviato e rimasto segnato");
                }
                if matches!(err, MailError::NotConfigured) {
                    return Ok(sent);
                }
                tracing::warn!(application = %e.application_id, error = %err, "avviso di scadenza ISEE non inviato: si riprova al prossimo giro");
            }
        }
    }
    Ok(sent)
}

async fn deliver(state: &Services, mail: Result<Mail, MailError>) -> Result<(), MailError> {
    state.mailer.send(&mail?).await
}

/// Both kinds of reminder; what each sent.
pub async fn send_all(state: &Services) -> Result<(usize, usize), Error> {
    let due = send_due(state).await;
    let notices = send_expiry_notices(state).await;
    Ok((due?, notices?))
}

/// Runs [`send_all`] now and then every five minutes, for as long as the process lives, on
/// one server at a time (`jobs`); each reminder is claimed before it is sent besides, so that
/// no run, on any server, sends it twice.
pub fn spawn(state: Services) {
    crate::jobs::spawn(
        state,
        crate::jobs::REMINDERS,
        EVERY,
        |s| async move { send_all(&s).await },
        |(due, notices)| {
            if due > 0 {
                tracing::info!(sent = due, "promemoria degli appuntamenti inviati");
            }
            if notices > 0 {
                tracing::info!(sent = notices, "avvisi di scadenza ISEE inviati");
            }
        },
    );
}
