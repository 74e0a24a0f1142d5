//! The guards of a person's record (the anagrafe sociale).

use crate::{Actor, Error, Services};
use domain::person::PersonData;
use domain::policy::Action;
use store::{Person, PersonStore};
use uuid::Uuid;

/// A person the user may see.
pub struct PersonAccess {
    pub person: Person,
}

/// A person the user may change: `PersonEdit` allowed (which the policy gives only with
/// `PersonView`), not merged into another.
pub struct PersonEditAccess {
    pub person: Person,
}

pub async fn person_access(state: &Services, ctx: &Actor, id: Uuid) -> Result<PersonAccess, Error> {
    let person = state.store.get_person(ctx.org.id, id).await?;
    ctx.authorize(Action::PersonView, ctx.scope_of(person.org_id))?;
    Ok(PersonAccess { person })
}

pub async fn person_edit_access(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
) -> Result<PersonEditAccess, Error> {
    let person = state.store.get_person(ctx.org.id, id).await?;
    ctx.authorize(Action::PersonEdit, ctx.scope_of(person.org_id))?;
    if person.merged_into.is_some() {
        return Err(Error::BadRequest(
            "la scheda è stata unita a un'altra: modifica quella".into(),
        ));
    }
    Ok(PersonEditAccess { person })
}

/// Registers a new person in the anagrafe sociale with the history and audit rows (the store's
/// `Duplicate` when the codice fiscale is taken).
pub async fn create_person(
    state: &Services,
    ctx: &Actor,
    data: PersonData,
) -> Result<Person, store::StoreError> {
    let id = Uuid::now_v7();
    let name = data.full_name();
    let p = Person {
        id,
        org_id: ctx.org.id,
        data,
        registry: None,
        registry_left_on: None,
        merged_into: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let mut note = vec![];
    if p.data.cf_mismatch_confirmed {
        note.push("Codice fiscale confermato nonostante la discordanza con i dati".to_owned());
    }
    let history = ctx.history(id, "creazione", "Scheda creata".into(), note);
    let audit = ctx.audit(
        "person.create",
        "person",
        Some(id),
        format!("Creata la scheda di {name}"),
    );
    state.store.create_person(&p, &history, &audit).await?;
    Ok(p)
}
