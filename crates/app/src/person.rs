//! The guards of a person's record (the anagrafe sociale).

use crate::{Actor, Error, Services};
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
