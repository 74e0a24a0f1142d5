//! Following an application between the office and the citizen, whichever surface acts: the
//! messages both ways, the documents attached to it (by the office at the counter, by the
//! citizen answering an integration request from the portal), the citizen's observations on
//! a notice before rejection, and the e-mail that tells the citizen there is news.
//!
//! The office and the citizen call the same services with their own [`Actor`] and
//! [`AppAccess`]: the policy decides on the application's scope (the office's organization;
//! the citizen's own applications and those of whom they represent). Every change is audited
//! in its transaction; the messages are read with the application, whose read is logged.

use crate::procedure::{AppAccess, Mailed, deliver};
use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::Role;
use domain::application::{Application, ApplicationState, parse_message};
use domain::audit::unix_micros;
use domain::casework::check_document;
use domain::localtime::today;
use domain::policy::Action;
use sha2::{Digest, Sha256};
use store::{
    ApplicationDocument, ApplicationEvent, ApplicationMessage, BenefitStore, MandateStore,
    MessageKind, Person, PersonStore, StoreError, UserStore,
};
use uuid::Uuid;

/// Whether the actor is the citizen on the portal (else someone in the office).
fn is_citizen(actor: &Actor) -> bool {
    actor.role == Role::Cittadino
}

fn protocol(app: &Application) -> &str {
    app.protocol.as_deref().unwrap_or("senza protocollo")
}

/// A file as uploaded: the required document it answers ("" for none), its name, its bytes.
pub struct NewDocument {
    pub requirement: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The document row of an upload checked by content ([`check_document`]) with what it is in
/// words ("PDF"), or why not.
async fn checked_document(
    state: &Services,
    actor: &Actor,
    a: &AppAccess,
    doc: &NewDocument,
) -> Result<Result<(ApplicationDocument, &'static str), FieldError>, Error> {
    let checked = match check_document(&doc.file_name, &doc.bytes) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let app = &a.view.app;
    let requirement = doc.requirement.trim().to_owned();
    if !requirement.is_empty() {
        let benefit = state.store.get_benefit(app.org_id, app.benefit_id).await?;
        if !benefit.data.documents.contains(&requirement) {
            return Ok(Err(FieldError::new(
                "requirement",
                "il documento richiesto scelto non è tra quelli della prestazione",
            )
            .says("field-requirement", [])));
        }
    }
    let label = checked.kind.label();
    Ok(Ok((
        ApplicationDocument {
            id: Uuid::now_v7(),
            org_id: app.org_id,
            application_id: app.id,
            requirement,
            file_name: checked.file_name,
            content_type: checked.kind.as_str().to_owned(),
            size_bytes: doc.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&doc.bytes)),
            actor: actor.label().to_owned(),
            at_us: unix_micros(actor.now),
            by_citizen: is_citizen(actor),
        },
        label,
    )))
}

/// The author's name as the thread shows it, kept with the message.
async fn author_name(state: &Services, actor: &Actor) -> Result<(Uuid, String), Error> {
    let id = actor.account()?;
    Ok((id, state.store.get_user(id).await?.full_name))
}

/// Attaches a document to an application. The office attaches to any open application; the
/// citizen sends documents only while the office waits for them (integration requested),
/// with a note if they like, which joins the messages. Refusals name the field.
pub async fn attach_document(
    state: &Services,
    actor: &Actor,
    a: &AppAccess,
    doc: NewDocument,
    note: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    actor.authorize(Action::ApplicationFile, a.scope)?;
    let app = &a.view.app;
    let citizen = is_citizen(actor);
    if citizen && app.state != ApplicationState::IntegrationRequested {
        return Ok(Err(vec![
            FieldError::new(
                "file",
                "l'ufficio non sta aspettando documenti per questa domanda: scrivi un messaggio all'ufficio",
            )
            .says("follow-error-not-waiting", []),
        ]));
    }
    if !app.state.is_open() {
        return Ok(Err(vec![
            FieldError::new(
                "file",
                "la domanda è chiusa: non si allegano altri documenti",
            )
            .says("follow-error-closed", []),
        ]));
    }
    let note = parse_message("note", note, "la nota", false);
    let row = checked_document(state, actor, a, &doc).await?;
    let ((row, kind), note) = match (row, note) {
        (Ok(row), Ok(note)) => (row, note),
        (row, note) => {
            return Ok(Err([row.err(), note.err()].into_iter().flatten().collect()));
        }
    };
    if !citizen {
        let audit = actor.audit(
            "application.document",
            "application",
            Some(app.id),
            format!(
                "Documento «{}» ({kind}) per la domanda {}",
                row.file_name,
                protocol(app)
            ),
        );
        state
            .store
            .add_application_document(&row, &doc.bytes, &audit)
            .await?;
        return Ok(Ok(()));
    }
    let (author_id, author) = author_name(state, actor).await?;
    let message = ApplicationMessage {
        id: Uuid::now_v7(),
        org_id: app.org_id,
        application_id: app.id,
        kind: MessageKind::Integration,
        from_office: false,
        author_id,
        author_name: author,
        body: note,
        document_id: Some(row.id),
        at_us: unix_micros(actor.now),
    };
    let audit = actor.audit(
        "application.integration",
        "application",
        Some(app.id),
        format!(
            "Documento «{}» ({kind}) inviato dal portale per l'integrazione della domanda {}",
            row.file_name,
            protocol(app)
        ),
    );
    state
        .store
        .add_application_message(&message, Some((&row, &doc.bytes)), &audit)
        .await?;
    Ok(Ok(()))
}

/// A message written to the other side: the office (whoever reviews applications) to the
/// citizen, who is told by e-mail that there is news; the citizen to the office. Not on a
/// draft, which the citizen does not see.
pub async fn write_message(
    state: &Services,
    actor: &Actor,
    a: &AppAccess,
    body: &str,
) -> Result<Result<Option<Mailed>, Vec<FieldError>>, Error> {
    let citizen = is_citizen(actor);
    actor.authorize(
        if citizen {
            Action::ApplicationFile
        } else {
            Action::ApplicationReview
        },
        a.scope,
    )?;
    let app = &a.view.app;
    if app.state == ApplicationState::Draft {
        return Ok(Err(vec![FieldError::new(
            "message",
            "la domanda è ancora una bozza: il richiedente non la vede",
        )]));
    }
    let body = match parse_message("message", body, "il messaggio", true) {
        Ok(b) => b,
        Err(e) => return Ok(Err(vec![e])),
    };
    let (author_id, author) = author_name(state, actor).await?;
    let message = ApplicationMessage {
        id: Uuid::now_v7(),
        org_id: app.org_id,
        application_id: app.id,
        kind: MessageKind::Message,
        from_office: !citizen,
        author_id,
        author_name: author,
        body,
        document_id: None,
        at_us: unix_micros(actor.now),
    };
    // The audit row says who wrote to whom, not what: the text is the citizen's business.
    let audit = actor.audit(
        "application.message",
        "application",
        Some(app.id),
        format!(
            "Messaggio {} sulla domanda {}",
            if citizen {
                "del cittadino all'ufficio"
            } else {
                "dell'ufficio al cittadino"
            },
            protocol(app)
        ),
    );
    state
        .store
        .add_application_message(&message, None, &audit)
        .await?;
    if citizen {
        return Ok(Ok(None));
    }
    let person = state.store.get_person(app.org_id, app.person_id).await?;
    Ok(Ok(Some(news(state, actor, app, &person).await)))
}

/// The citizen's observations on a notice before rejection (art. 10-bis L. 241/1990), with a
/// document if they like: recorded as a message of their own kind, which the office's
/// decision counts as observations received.
pub async fn send_observations(
    state: &Services,
    actor: &Actor,
    a: &AppAccess,
    body: &str,
    doc: Option<NewDocument>,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    actor.authorize(Action::ApplicationFile, a.scope)?;
    // The office records observations that came by post when it decides (the check box).
    if !is_citizen(actor) {
        return Err(Error::Forbidden);
    }
    let app = &a.view.app;
    if app.state != ApplicationState::NoticeOfRejection {
        return Ok(Err(vec![
            FieldError::new(
                "observations",
                "la domanda non ha un preavviso di rigetto in attesa di osservazioni",
            )
            .says("follow-error-no-notice", []),
        ]));
    }
    let body = parse_message("observations", body, "le osservazioni", true);
    let row = match &doc {
        Some(d) => Some(checked_document(state, actor, a, d).await?),
        None => None,
    };
    let mut errors: Vec<FieldError> = body.as_ref().err().cloned().into_iter().collect();
    if let Some(Err(e)) = &row {
        errors.push(e.clone());
    }
    let (Ok(body), true) = (body, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let row = row.and_then(Result::ok).map(|(r, _)| r);
    let (author_id, author) = author_name(state, actor).await?;
    let message = ApplicationMessage {
        id: Uuid::now_v7(),
        org_id: app.org_id,
        application_id: app.id,
        kind: MessageKind::Observations,
        from_office: false,
        author_id,
        author_name: author,
        body,
        document_id: row.as_ref().map(|r| r.id),
        at_us: unix_micros(actor.now),
    };
    let audit = actor.audit(
        "application.observations",
        "application",
        Some(app.id),
        format!(
            "Osservazioni al preavviso di rigetto della domanda {} inviate dal portale{}",
            protocol(app),
            if row.is_some() {
                ", con un documento"
            } else {
                ""
            }
        ),
    );
    let document = row
        .as_ref()
        .zip(doc.as_ref())
        .map(|(r, d)| (r, d.bytes.as_slice()));
    state
        .store
        .add_application_message(&message, document, &audit)
        .await?;
    Ok(Ok(()))
}

/// Whether the citizen sent observations from the portal since the last notice before
/// rejection of the history.
pub fn observations_arrived(events: &[ApplicationEvent], messages: &[ApplicationMessage]) -> bool {
    let Some(notice) = events
        .iter()
        .rev()
        .find(|e| e.to == ApplicationState::NoticeOfRejection)
    else {
        return false;
    };
    messages
        .iter()
        .any(|m| m.kind == MessageKind::Observations && m.at_us >= notice.at_us)
}

/// The address of the citizen's portal account in the organization, if they have one with
/// an address: their account's login is their codice fiscale in lower case, with the
/// citizen's role here.
pub(crate) async fn portal_account(
    state: &Services,
    org_id: Uuid,
    person: &Person,
) -> Result<Option<store::User>, Error> {
    let Some(cf) = &person.data.codice_fiscale else {
        return Ok(None);
    };
    let login = crate::portal::citizen_login(cf)?;
    let user = match state.store.get_user_by_login(&login).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let citizen_here = state
        .store
        .memberships(user.id)
        .await?
        .iter()
        .any(|m| m.org.id == org_id && m.role == Role::Cittadino);
    Ok(citizen_here.then_some(user))
}

/// The portal accounts that act today for the person under a mandate the office recorded (a
/// minor's parent, a guardian, an amministratore di sostegno) and are citizens of the
/// organization: they follow the person's applications on the portal. A CAF's account acting
/// under a mandate is not one of them.
async fn representatives(
    state: &Services,
    org_id: Uuid,
    person_id: Uuid,
    on: time::Date,
) -> Result<Vec<store::User>, Error> {
    let mut out: Vec<store::User> = Vec::new();
    for m in state.store.person_mandates(org_id, person_id).await? {
        let m = m.mandate;
        if m.revoked_us.is_some() || !m.terms.covers(on) || out.iter().any(|u| u.id == m.user_id) {
            continue;
        }
        let user = state.store.get_user(m.user_id).await?;
        let citizen_here = state
            .store
            .memberships(user.id)
            .await?
            .iter()
            .any(|h| h.org.id == org_id && h.role == Role::Cittadino);
        if citizen_here && user.active {
            out.push(user);
        }
    }
    Ok(out)
}

/// The addresses of the person's representatives on the portal, logged and left out when
/// they cannot be read (the change itself is stored already).
pub(crate) async fn representatives_addresses(
    state: &Services,
    actor: &Actor,
    app: &Application,
) -> Vec<String> {
    match representatives(state, app.org_id, app.person_id, today(actor.now)).await {
        Ok(users) => users.into_iter().filter_map(|u| u.email).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "representatives of the applicant not read");
            Vec::new()
        }
    }
}

/// Tells the citizen by e-mail that there is news on an application, and nothing else: to
/// their portal account's address, else the application's, else the registry's, and to the
/// representatives who follow the person on the portal. Never about a deceased person.
pub async fn news(state: &Services, actor: &Actor, app: &Application, person: &Person) -> Mailed {
    if person.data.death_date.is_some() {
        return Mailed::Deceased;
    }
    let account = match portal_account(state, app.org_id, person).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "portal account of the applicant not read");
            None
        }
    };
    news_with(state, actor, app, person, account).await
}

/// [`news`] with the person's portal account already read.
pub(crate) async fn news_with(
    state: &Services,
    actor: &Actor,
    app: &Application,
    person: &Person,
    account: Option<store::User>,
) -> Mailed {
    let own = account
        .and_then(|u| u.email)
        .or_else(|| app.email.clone())
        .or_else(|| person.data.email.clone());
    let to: Vec<String> = own
        .into_iter()
        .chain(representatives_addresses(state, actor, app).await)
        .collect();
    news_to(state, actor, &to).await
}

/// The e-mail «c'è una novità» to each of `to` once (an address written twice gets one).
pub(crate) async fn news_to(state: &Services, actor: &Actor, to: &[String]) -> Mailed {
    if to.is_empty() {
        return Mailed::NoAddress;
    }
    if !state.mailer.is_configured() {
        return Mailed::NotConfigured;
    }
    let msg = crate::mail::ApplicationNews {
        portal_url: state.mailer.portal_url().map(str::to_owned),
        signature: crate::acts::mail_signature(state, actor.org.id, &actor.org.name).await,
    };
    let mut sent: Vec<&String> = Vec::new();
    let mut mailed = Mailed::NoAddress;
    for address in to {
        if sent.iter().any(|s| s.eq_ignore_ascii_case(address)) {
            continue;
        }
        sent.push(address);
        mailed = mailed.and(deliver(state, address.clone(), &msg).await);
    }
    mailed
}
