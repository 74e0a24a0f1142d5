//! The letters of an application's procedure as PDF files, for whoever may read the
//! application: the office prints them from the application's page, the citizen downloads
//! them from the portal. Each is built from the stored application, person, benefit,
//! attestation, acts and history (`decision` holds the pure content) and every print is
//! audited with who asked for it.

use crate::procedure::AppAccess;
use crate::{Actor, Error, Services};
use domain::application::ApplicationState;
use domain::localtime::today;
use domain::policy::Action;
use store::{
    ApplicationEvent, ApplicationView, AuditStore, BenefitStore, PersonStore, StoreError, UserStore,
};

/// The letters of an application's procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterKind {
    Decision,
    Notice,
    Integration,
}

impl LetterKind {
    pub const ALL: [LetterKind; 3] = [
        LetterKind::Decision,
        LetterKind::Notice,
        LetterKind::Integration,
    ];

    /// The state whose entering issues the letter.
    fn issued_by(self, s: ApplicationState) -> bool {
        match self {
            LetterKind::Decision => matches!(
                s,
                ApplicationState::Accepted
                    | ApplicationState::Rejected
                    | ApplicationState::Archived
            ),
            LetterKind::Notice => s == ApplicationState::NoticeOfRejection,
            LetterKind::Integration => s == ApplicationState::IntegrationRequested,
        }
    }

    /// The letter in words, for the audit row: "provvedimento".
    pub fn words(self) -> &'static str {
        match self {
            LetterKind::Decision => "provvedimento",
            LetterKind::Notice => "preavviso di rigetto",
            LetterKind::Integration => "richiesta di integrazione documentale",
        }
    }

    /// The last part of the letter's address: `/…/provvedimento.pdf`.
    pub fn file(self) -> &'static str {
        match self {
            LetterKind::Decision => "provvedimento.pdf",
            LetterKind::Notice => "preavviso.pdf",
            LetterKind::Integration => "integrazione.pdf",
        }
    }

    /// Whether the application has the letter: a decision once decided, a notice or a
    /// request once sent (answered since or not: the history still holds it).
    pub fn ready(self, view: &ApplicationView, events: &[ApplicationEvent]) -> bool {
        match self {
            LetterKind::Decision => view.app.decided_on.is_some(),
            LetterKind::Notice | LetterKind::Integration => {
                events.iter().any(|e| self.issued_by(e.to))
            }
        }
    }
}

/// The letters an application has, in the order the procedure issues them.
pub fn available(view: &ApplicationView, events: &[ApplicationEvent]) -> Vec<LetterKind> {
    [
        LetterKind::Integration,
        LetterKind::Notice,
        LetterKind::Decision,
    ]
    .into_iter()
    .filter(|k| k.ready(view, events))
    .collect()
}

/// A letter as a file.
pub struct LetterFile {
    pub pdf: Vec<u8>,
    pub file_name: String,
}

/// The letter `kind` of the application `a` as the actor may read it: authorized as a read of
/// the application, not found before it is issued, audited as a print.
pub async fn letter(
    state: &Services,
    actor: &Actor,
    a: &AppAccess,
    kind: LetterKind,
) -> Result<LetterFile, Error> {
    actor.authorize(Action::ApplicationView, a.scope)?;
    let v = &a.view;
    let org = v.app.org_id;
    let events = state.store.application_events(org, v.app.id).await?;
    if !kind.ready(v, &events) {
        return Err(Error::NotFound);
    }
    let person = state.store.get_person(org, v.app.person_id).await?;
    let benefit = state.store.get_benefit(org, v.app.benefit_id).await?;
    let attestation = match v.app.attestation_id {
        Some(id) => Some(state.store.get_attestation(org, id).await?),
        None => None,
    };
    let acts = state.store.application_acts(org, v.app.id).await?;
    let letterhead = crate::acts::letterhead(state, org).await?;
    let acted_by = signer(state, actor, &events, kind).await?;
    let letter = crate::decision::Letter {
        issuer: &actor.org.name,
        letterhead: &letterhead,
        view: v,
        person: &person,
        benefit: &benefit.data,
        attestation: attestation.as_ref().map(|x| &x.data),
        acted_by: &acted_by,
        acts: &acts,
        events: &events,
        // Used only without a numbered act (letters from before the register).
        date: match kind {
            LetterKind::Decision => v.app.decided_on,
            LetterKind::Notice => v.app.notice_on,
            LetterKind::Integration => v.app.suspended_since,
        }
        .unwrap_or(today(actor.now)),
    };
    let (pdf, file_name) = match kind {
        LetterKind::Decision => (
            crate::decision::decision_pdf(&letter),
            crate::decision::decision_file_name(v),
        ),
        LetterKind::Notice => (
            crate::decision::notice_pdf(&letter),
            crate::decision::notice_file_name(v),
        ),
        LetterKind::Integration => (
            crate::decision::integration_pdf(&letter),
            crate::decision::integration_file_name(v),
        ),
    };
    let portal = if actor.role == domain::Role::Cittadino {
        " (scaricato dal portale)"
    } else {
        ""
    };
    state
        .store
        .append_audit(&actor.audit(
            "application.letter",
            "application",
            Some(v.app.id),
            format!(
                "Stampa del {} della domanda {}{portal}",
                kind.words(),
                v.app.protocol.as_deref().unwrap_or("senza protocollo"),
            ),
        ))
        .await?;
    Ok(LetterFile { pdf, file_name })
}

/// Who took the step the letter tells of (decided, sent the notice, asked for documents), by
/// the history: signs when the letterhead names nobody. Without that step in the history, the
/// operator printing it, or the office when the citizen downloads it.
async fn signer(
    state: &Services,
    actor: &Actor,
    events: &[ApplicationEvent],
    kind: LetterKind,
) -> Result<String, Error> {
    let login = events
        .iter()
        .rev()
        .find(|e| kind.issued_by(e.to))
        .map(|e| e.actor.clone());
    let Some(login) = login else {
        return match actor.user_id() {
            Some(id) if actor.role != domain::Role::Cittadino => {
                Ok(state.store.get_user(id).await?.full_name)
            }
            _ => Ok(actor.org.name.clone()),
        };
    };
    match domain::Login::parse(&login) {
        Ok(l) => match state.store.get_user_by_login(&l).await {
            Ok(u) => Ok(u.full_name),
            Err(StoreError::NotFound) => Ok(login),
            Err(e) => Err(e.into()),
        },
        Err(_) => Ok(login),
    }
}
