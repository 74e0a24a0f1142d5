//! Who acts: an operator's account or the installation itself, in one organization, with
//! one role, at one moment. Every service that reads or changes data takes an [`Actor`]: the
//! web layer builds one from the request's session or token, the command line and the first
//! start one for the installation ([`Actor::system`]). Services that check a permission call
//! [`Actor::authorize`] before reading or changing anything.

use crate::error::Error;
use domain::policy::{Action, RecordScope, decide};
use domain::{Login, OrgKind, Role};
use store::{NewAudit, NewHistory, Organization, User};
use uuid::Uuid;

/// The label of the installation in audit rows and person histories.
pub const SYSTEM_LABEL: &str = "sistema";

/// The identity behind an [`Actor`].
#[derive(Debug, Clone)]
pub enum Who {
    /// An operator's account.
    User {
        id: Uuid,
        login: Login,
        active: bool,
    },
    /// The installation (command line, first start): no account, written as «sistema».
    System,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub who: Who,
    pub org: Organization,
    pub role: Role,
    pub now: time::OffsetDateTime,
}

impl Actor {
    /// `user` acting in `org` with `role`.
    pub fn user(user: &User, org: Organization, role: Role, now: time::OffsetDateTime) -> Self {
        Actor {
            who: Who::User {
                id: user.id,
                login: user.login.clone(),
                active: user.active,
            },
            org,
            role,
            now,
        }
    }

    /// The installation acting in `org`: the organization the command concerns (its audit
    /// chain is the one that records the change). It stands for the installation's
    /// administrator in the policy.
    pub fn system(org: Organization, now: time::OffsetDateTime) -> Self {
        Actor {
            who: Who::System,
            org,
            role: Role::Amministratore,
            now,
        }
    }

    /// The account acting, `None` for the installation.
    pub fn user_id(&self) -> Option<Uuid> {
        match &self.who {
            Who::User { id, .. } => Some(*id),
            Who::System => None,
        }
    }

    /// The account acting, for the services only an operator uses (filing, case work).
    pub fn account(&self) -> Result<Uuid, Error> {
        self.user_id().ok_or(Error::Forbidden)
    }

    /// The author's name in audit rows and histories: the login, or «sistema».
    pub fn label(&self) -> &str {
        match &self.who {
            Who::User { login, .. } => login.as_str(),
            Who::System => SYSTEM_LABEL,
        }
    }

    /// What the permission policy knows of this actor.
    pub fn subject(&self) -> domain::policy::Actor {
        let (system_org, active) = match &self.who {
            Who::User { active, .. } => (self.org.kind == OrgKind::Sistema, *active),
            Who::System => (true, true),
        };
        domain::policy::Actor {
            role: self.role,
            system_org,
            active,
        }
    }

    pub fn can(&self, action: Action, scope: RecordScope) -> bool {
        decide(&self.subject(), action, scope).is_allowed()
    }

    /// The explicit permission check. Denials are logged with who tried what.
    pub fn authorize(&self, action: Action, scope: RecordScope) -> Result<(), Error> {
        if self.can(action, scope) {
            Ok(())
        } else {
            tracing::warn!(user = %self.label(), org = %self.org.code, ?action, ?scope, "denied");
            Err(Error::Forbidden)
        }
    }

    /// The scope of a record that belongs to `org_id`.
    pub fn scope_of(&self, org_id: Uuid) -> RecordScope {
        if org_id == self.org.id {
            RecordScope::SameOrg
        } else {
            RecordScope::OtherOrg
        }
    }

    /// A person-history entry by this actor, now.
    pub fn history(
        &self,
        person_id: Uuid,
        kind: &'static str,
        summary: String,
        changes: Vec<String>,
    ) -> NewHistory {
        NewHistory {
            person_id,
            at_us: domain::audit::unix_micros(self.now),
            actor: self.label().to_owned(),
            kind,
            summary,
            changes,
        }
    }

    /// An audit entry by this actor, in the organization they act in.
    pub fn audit(
        &self,
        action: &str,
        record_kind: &str,
        record_id: Option<Uuid>,
        summary: String,
    ) -> NewAudit {
        self.audit_in(self.org.id, action, record_kind, record_id, summary)
    }

    /// An audit entry written in another organization's chain (the change concerns it).
    pub fn audit_in(
        &self,
        org_id: Uuid,
        action: &str,
        record_kind: &str,
        record_id: Option<Uuid>,
        summary: String,
    ) -> NewAudit {
        NewAudit {
            org_id,
            at: self.now,
            actor_id: self.user_id(),
            actor: self.label().to_owned(),
            action: action.into(),
            record_kind: record_kind.into(),
            record_id,
            summary,
            reason: None,
        }
    }
}
