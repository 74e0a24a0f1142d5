//! The nucleo ISEE of a DSU: drawn from the declarant's famiglia anagrafica on the DSU date,
//! then changed by the operator by the rules of art. 3, 7 and 8 DPCM 159/2013.

use super::{Draft, DsuEditAccess, evaluate, must_be_draft, next_version};
use crate::{Actor, Error, Services};
use domain::dsu::{DsuRelation, MemberBasis, default_relation};
use domain::person::age_on;
use store::{DsuMember, DsuMemberView, DsuRecord, DsuStore, HouseholdStore, Person, PersonStore};
use time::Date;
use uuid::Uuid;

/// The declarant first, then the famiglia anagrafica on the DSU date, each with the FC1 code
/// the registry's relationships suggest.
pub(super) async fn registry_members(
    svc: &Services,
    org_id: Uuid,
    dsu_id: Uuid,
    declarant: &Person,
    on: Date,
) -> Result<Vec<DsuMember>, Error> {
    let memberships = svc.store.person_households(org_id, declarant.id).await?;
    let own = memberships
        .iter()
        .find(|m| m.from_date <= on && m.to_date.is_none_or(|t| t >= on))
        .map(|m| m.relationship);
    let mut members = vec![DsuMember {
        id: Uuid::now_v7(),
        dsu_id,
        person_id: declarant.id,
        position: 0,
        relation: DsuRelation::D,
        basis: MemberBasis::Anagrafica,
        convivenza: false,
    }];
    for c in svc.store.cohabitants(org_id, declarant.id, on).await? {
        if c.member.person_id == declarant.id
            || members.iter().any(|m| m.person_id == c.member.person_id)
        {
            continue;
        }
        let relation = match own {
            Some(r) => default_relation(r, c.member.relationship, age_on(c.birth_date, on)),
            None => DsuRelation::P,
        };
        members.push(DsuMember {
            id: Uuid::now_v7(),
            dsu_id,
            person_id: c.member.person_id,
            position: members.len() as i64,
            relation,
            basis: MemberBasis::Anagrafica,
            convivenza: false,
        });
    }
    Ok(members)
}

/// A change to the nucleo of a draft.
#[derive(Debug, Clone)]
pub enum MemberChange {
    /// Adds a person of the registry with the rule that brings them in.
    Add {
        person_id: Uuid,
        basis: MemberBasis,
        relation: DsuRelation,
    },
    /// Leaves a member of the famiglia anagrafica out, with the rule (or brings them back
    /// with `MemberBasis::Anagrafica`); removes an added person.
    Basis { person_id: Uuid, basis: MemberBasis },
    Relation {
        person_id: Uuid,
        relation: DsuRelation,
        convivenza: bool,
    },
}

pub async fn change_members(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    change: MemberChange,
    version: i64,
) -> Result<DsuRecord, Error> {
    let rec = &access.dsu;
    must_be_draft(rec)?;
    if version != rec.version {
        return Err(Error::Conflict);
    }
    if rec.base_id.is_some() {
        return Err(Error::BadRequest(super::BASE_FIXED.into()));
    }
    let views = svc.store.dsu_members(actor.org.id, rec.id).await?;
    let mut members: Vec<DsuMember> = views.iter().map(|v| v.member.clone()).collect();
    let find = |members: &[DsuMember], id: Uuid| members.iter().position(|m| m.person_id == id);
    let summary = match change {
        MemberChange::Add {
            person_id,
            basis,
            relation,
        } => {
            if !MemberBasis::ADDITIONS.contains(&basis) {
                return Err(Error::BadRequest(
                    "Motivo: scegli la regola che porta la persona nel nucleo".into(),
                ));
            }
            if find(&members, person_id).is_some() {
                return Err(Error::BadRequest(
                    "la persona è già tra i componenti della DSU".into(),
                ));
            }
            let p = crate::person::person_access(svc, actor, person_id)
                .await?
                .person;
            if p.data.death_date.is_some() {
                return Err(Error::BadRequest(format!(
                    "{} è deceduta: non entra nel nucleo",
                    p.data.full_name()
                )));
            }
            if relation == DsuRelation::D {
                return Err(Error::BadRequest(
                    "Rapporto: il dichiarante è uno solo".into(),
                ));
            }
            members.push(DsuMember {
                id: Uuid::now_v7(),
                dsu_id: rec.id,
                person_id,
                position: members.len() as i64,
                relation,
                basis,
                convivenza: basis == MemberBasis::ConvivenzaAnagrafica,
            });
            format!("aggiunto {}: {}", p.data.full_name(), basis.label())
        }
        MemberChange::Basis { person_id, basis } => {
            let i = find(&members, person_id).ok_or(Error::NotFound)?;
            let m = members.get_mut(i).ok_or(Error::NotFound)?;
            if m.relation == DsuRelation::D {
                return Err(Error::BadRequest(
                    "il dichiarante non si esclude dal nucleo".into(),
                ));
            }
            let was_registry = m.basis == MemberBasis::Anagrafica || m.basis.excludes();
            match (was_registry, basis) {
                (true, b) if b == MemberBasis::Anagrafica || b.excludes() => m.basis = b,
                (false, b) if b.excludes() => {
                    members.remove(i);
                }
                _ => {
                    return Err(Error::BadRequest(
                        "Motivo: la regola non vale per questa persona".into(),
                    ));
                }
            }
            format!("{}: {}", name_of(&views, person_id), basis.label())
        }
        MemberChange::Relation {
            person_id,
            relation,
            convivenza,
        } => {
            let i = find(&members, person_id).ok_or(Error::NotFound)?;
            let m = members.get_mut(i).ok_or(Error::NotFound)?;
            if (relation == DsuRelation::D) != (m.relation == DsuRelation::D) {
                return Err(Error::BadRequest(
                    "Rapporto: il dichiarante resta quello della DSU".into(),
                ));
            }
            m.relation = relation;
            m.convivenza = convivenza;
            format!(
                "{}: rapporto {}",
                name_of(&views, person_id),
                relation.as_str()
            )
        }
    };
    for (n, m) in members.iter_mut().enumerate() {
        m.position = n as i64;
    }
    let draft = Draft::parse(&rec.quadri)?;
    let after: Vec<DsuMemberView> = rebuild_views(svc, actor, &views, &members).await?;
    let ev = evaluate(rec, &after, &draft);
    let next = next_version(actor, rec, &draft, &ev);
    let audit = actor.audit("dsu.members", "dsu", Some(rec.id), summary);
    svc.store.set_dsu_members(&next, &members, &audit).await?;
    Ok(next)
}

/// A member's name for the audit summary.
fn name_of(views: &[DsuMemberView], person_id: Uuid) -> String {
    views
        .iter()
        .find(|v| v.member.person_id == person_id)
        .map_or_else(|| person_id.to_string(), DsuMemberView::full_name)
}

/// The views of `members`, reusing those already read.
pub(super) async fn rebuild_views(
    svc: &Services,
    actor: &Actor,
    known: &[DsuMemberView],
    members: &[DsuMember],
) -> Result<Vec<DsuMemberView>, Error> {
    let mut out = Vec::with_capacity(members.len());
    for m in members {
        let view = match known.iter().find(|v| v.member.person_id == m.person_id) {
            Some(v) => DsuMemberView {
                member: m.clone(),
                ..v.clone()
            },
            None => {
                let p = svc.store.get_person(actor.org.id, m.person_id).await?;
                DsuMemberView {
                    member: m.clone(),
                    surname: p.data.surname.clone(),
                    given_names: p.data.given_names.clone(),
                    codice_fiscale: p
                        .data
                        .codice_fiscale
                        .as_ref()
                        .map(|c| c.as_str().to_owned()),
                    birth_date: p.data.birth_date,
                    death_date: p.data.death_date,
                }
            }
        };
        out.push(view);
    }
    Ok(out)
}
