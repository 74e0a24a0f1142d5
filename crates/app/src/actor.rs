//! Who acts: a user, in one organization, with one role, at one moment. Every service that
//! reads or changes data takes an [`Actor`] and calls [`Actor::authorize`] before doing so;
//! the web layer builds one from the request's session or token.

use crate::error::Error;
use crate::manage::Author;
use domain::policy::{Action, RecordScope, decide};
use domain::{OrgKind, Role};
use store::{NewAudit, NewHistory, Organization, User};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub org: Organization,
    pub role: Role,
    pub now: time::OffsetDateTime,
}

impl Actor {
    /// What the permission policy knows of this actor.
    pub fn subject(&self) -> domain::policy::Actor {
        domain::policy::Actor {
            role: self.role,
            system_org: self.org.kind == OrgKind::Sistema,
            active: self.user.active,
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
            tracing::warn!(user = %self.user.login, org = %self.org.code, ?action, ?scope, "denied");
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

    /// This user as the author of a change.
    pub fn author(&self) -> Author {
        Author {
            id: Some(self.user.id),
            label: self.user.login.to_string(),
            at: self.now,
        }
    }

    /// A person-history entry by this user, now.
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
            actor: self.user.login.to_string(),
            kind,
            summary,
            changes,
        }
    }

    /// An audit entry by this user, in the organization they act in.
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
        self.author()
            .audit(org_id, action, record_kind, record_id, summary)
    }
}
