//! The organization's letterhead (carta intestata) and its register of acts (registro degli
//! atti): who may edit the one and read the other, and the signature of e-mails to citizens.

use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::application::ActKind;
use domain::audit::unix_micros;
use domain::letterhead::{Letterhead, LetterheadInput, Logo};
use domain::policy::{Action, RecordScope};
use store::{ActView, BenefitStore, OrgLetterhead, OrgStore};
use uuid::Uuid;

/// The letterhead of the actor's organization with its logo, for its administrator or
/// responsabile.
pub async fn letterhead_for_edit(state: &Services, ctx: &Actor) -> Result<OrgLetterhead, Error> {
    ctx.authorize(Action::LetterheadEdit, RecordScope::SameOrg)?;
    let mut stored = state.store.org_letterhead(ctx.org.id).await?;
    stored.data.logo = state.store.org_logo(ctx.org.id).await?;
    Ok(stored)
}

/// The letterhead printed on the organization's letters, with its logo (anyone who prints
/// one reads it).
pub async fn letterhead(state: &Services, org_id: Uuid) -> Result<Letterhead, Error> {
    let mut data = state.store.org_letterhead(org_id).await?.data;
    data.logo = state.store.org_logo(org_id).await?;
    Ok(data)
}

/// The logo of the actor's organization, shown on the letterhead page.
pub async fn logo_for_edit(state: &Services, ctx: &Actor) -> Result<Logo, Error> {
    ctx.authorize(Action::LetterheadEdit, RecordScope::SameOrg)?;
    state
        .store
        .org_logo(ctx.org.id)
        .await?
        .ok_or(Error::NotFound)
}

/// Stores an uploaded logo in place of the one before, if it is a PNG or JPEG the letters
/// can print within the limits; otherwise the field's error and nothing saved.
pub async fn save_logo(
    state: &Services,
    ctx: &Actor,
    bytes: Vec<u8>,
) -> Result<Result<(), FieldError>, Error> {
    ctx.authorize(Action::LetterheadEdit, RecordScope::SameOrg)?;
    let measured = Logo::parse(bytes, |b| {
        print::Image::read(b)
            .map(|i| (i.width(), i.height()))
            .map_err(|e| e.to_string())
    });
    let logo = match measured {
        Ok(l) => l,
        Err(e) => return Ok(Err(e)),
    };
    let audit = ctx.audit(
        "org.logo",
        "organization",
        Some(ctx.org.id),
        format!(
            "Logo di {} sulla carta intestata: {}, {} × {} pixel, {} KiB",
            ctx.org.name,
            logo.kind().label(),
            logo.width(),
            logo.height(),
            logo.bytes().len().div_ceil(1024)
        ),
    );
    state
        .store
        .save_org_logo(ctx.org.id, &logo, unix_micros(ctx.now), &audit)
        .await?;
    Ok(Ok(()))
}

/// Removes the organization's logo from its letterhead.
pub async fn remove_logo(state: &Services, ctx: &Actor) -> Result<(), Error> {
    ctx.authorize(Action::LetterheadEdit, RecordScope::SameOrg)?;
    let audit = ctx.audit(
        "org.logo_remove",
        "organization",
        Some(ctx.org.id),
        format!("Logo di {} tolto dalla carta intestata", ctx.org.name),
    );
    Ok(state.store.remove_org_logo(ctx.org.id, &audit).await?)
}

/// Stores the letterhead typed in the form, if it is still at `version` (as the form was
/// opened); bad fields are named and nothing is saved.
pub async fn save_letterhead(
    state: &Services,
    ctx: &Actor,
    input: &LetterheadInput,
    version: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::LetterheadEdit, RecordScope::SameOrg)?;
    let data = match Letterhead::parse(input) {
        Ok(d) => d,
        Err(errors) => return Ok(Err(errors)),
    };
    let read: i64 = crate::read_version(version, "della carta intestata")?;
    let audit = ctx.audit(
        "org.letterhead",
        "organization",
        Some(ctx.org.id),
        format!(
            "Carta intestata di {}: {}",
            ctx.org.name,
            [
                data.office.as_str(),
                &data.address_line(),
                &data.signer_name
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
        ),
    );
    state
        .store
        .save_letterhead(
            &OrgLetterhead {
                org_id: ctx.org.id,
                data,
                version: read + 1,
                updated_at_us: unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}

/// The lines under an e-mail to a citizen: the organization, its office, address, contacts
/// and opening hours. A letterhead that cannot be read leaves the organization's name.
pub async fn mail_signature(state: &Services, org_id: Uuid, org_name: &str) -> Vec<String> {
    match state.store.org_letterhead(org_id).await {
        Ok(l) => l.data.mail_signature(org_name),
        Err(e) => {
            tracing::warn!(error = %e, "carta intestata non letta: firma con il solo nome dell'ente");
            vec![org_name.to_owned()]
        }
    }
}

/// The register of a year (one kind or all), for who sees every application of the
/// organization; the reading is logged, as the register names the applicants.
pub async fn register(
    state: &Services,
    ctx: &Actor,
    year: i32,
    kind: Option<ActKind>,
) -> Result<Vec<ActView>, Error> {
    ctx.authorize(Action::ApplicationView, RecordScope::SameOrg)?;
    let acts = state.store.list_acts(ctx.org.id, year, kind).await?;
    state
        .reads
        .log(ctx.audit(
            "application.register",
            "act",
            None,
            format!(
                "Registro degli atti {year}{}: {} atti",
                kind.map(|k| format!(", {}", k.label())).unwrap_or_default(),
                acts.len()
            ),
        ))
        .await;
    Ok(acts)
}

/// The heading of a printed document on the organization's letterhead: its logo, its name,
/// the office (`default_office` when the letterhead names none), the address and contacts.
/// A stored logo that no longer reads (it was checked when uploaded) is left out.
pub fn heading(
    org_name: &str,
    lh: &Letterhead,
    default_office: &str,
    title: &str,
) -> print::Heading {
    let office = match lh.office.trim() {
        "" => default_office,
        o => o,
    };
    let logo = lh
        .logo
        .as_ref()
        .and_then(|l| match print::Image::read(l.bytes()) {
            Ok(image) => Some(image),
            Err(e) => {
                tracing::warn!(error = %e, "logo dell'ente non letto: lettera senza logo");
                None
            }
        });
    print::Heading::new(org_name, office, title)
        .with_lines(lh.heading_lines())
        .with_logo(logo)
}
