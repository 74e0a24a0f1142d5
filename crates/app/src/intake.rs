//! Segretariato sociale: the first-access record (scheda di accesso) and its follow-up
//! (seguito), for the operators' pages and the demonstration alike.

use crate::{Actor, Error, Services};
use domain::audit::unix_micros;
use domain::casework::AccessEntry;
use domain::policy::Action;
use store::{AccessRecord, CaseStore, Person};
use uuid::Uuid;

/// Records the access `entry` of `person`, typed now by the actor, with its audit row.
pub async fn record_access(
    state: &Services,
    ctx: &Actor,
    person: &Person,
    entry: AccessEntry,
) -> Result<AccessRecord, Error> {
    ctx.authorize(Action::AccessRecord, ctx.scope_of(person.org_id))?;
    let record = AccessRecord {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: person.id,
        data: entry.data,
        case_file_id: None,
        actor_id: ctx.account()?,
        actor: ctx.label().to_owned(),
        at_us: unix_micros(entry.at),
        recorded_at_us: unix_micros(ctx.now),
        follow_up_done: None,
    };
    let audit = ctx.audit(
        "access.record",
        "access_record",
        Some(record.id),
        format!(
            "Accesso di {} del {} ({}): {}",
            person.data.full_name(),
            domain::localtime::format_date_time(entry.at),
            record.data.channel.label(),
            record.data.outcome.label()
        ),
    );
    state.store.record_access(&record, &audit).await?;
    Ok(record)
}

/// Marks the follow-up of the access `id` done by the actor, whose name `done_by` the record
/// keeps; refused when there is no follow-up or it is done already.
pub async fn close_follow_up(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
    done_by: &str,
) -> Result<AccessRecord, Error> {
    let r = state.store.get_access(ctx.org.id, id).await?;
    ctx.authorize(Action::AccessRecord, ctx.scope_of(r.org_id))?;
    let Some(what) = r.data.follow_up.as_deref().filter(|_| r.follow_up_due()) else {
        return Err(Error::BadRequest(
            "il seguito di questo accesso è già stato fatto, o non c'era un seguito".into(),
        ));
    };
    let audit = ctx.audit(
        "access.follow_up.done",
        "access_record",
        Some(r.id),
        format!("Seguito fatto: {what}"),
    );
    state
        .store
        .close_follow_up(ctx.org.id, r.id, unix_micros(ctx.now), done_by, &audit)
        .await?;
    Ok(state.store.get_access(ctx.org.id, r.id).await?)
}
