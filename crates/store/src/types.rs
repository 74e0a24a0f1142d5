//! Row types passed to and from the stores. Fields use domain types, so a row that comes out
//! of a store is valid by construction.

use domain::{Login, OrgCode, OrgKind, Role};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: Uuid,
    pub code: OrgCode,
    pub name: String,
    pub kind: OrgKind,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

/// An organization's letterhead as stored. `version` is compare-and-set; 0 for one never
/// saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgLetterhead {
    pub org_id: Uuid,
    pub data: domain::letterhead::Letterhead,
    pub version: i64,
    pub updated_at_us: i64,
}

/// An organization's settings of the citizens' portal. `version` is compare-and-set; 0 for
/// settings never saved (the defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgPortalSettings {
    pub org_id: Uuid,
    pub operator_naming: domain::org::OperatorNaming,
    pub version: i64,
    pub updated_at_us: i64,
}

/// A comune covered by an organization (an Ambito's comuni; a Comune itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgComune {
    pub istat_code: String,
    pub belfiore_code: String,
    pub name: String,
    pub province: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub login: Login,
    pub full_name: String,
    pub email: Option<String>,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub must_change_password: bool,
    /// Base32 TOTP secret once enrolled.
    pub totp_secret: Option<String>,
    pub active: bool,
    pub created_at: OffsetDateTime,
    /// While the password is a one-time one (new account, reset): until when it is good,
    /// Unix µs.
    pub one_time_until_us: Option<i64>,
}

impl User {
    /// Whether the password is a one-time password whose 72 hours are over (one set before
    /// they had a limit counts as expired too).
    pub fn one_time_password_expired(&self, now_us: i64) -> bool {
        self.must_change_password && self.one_time_until_us.is_none_or(|until| now_us > until)
    }
}

/// A new password: a one-time one (with its end) or the user's own; a reset may revoke the
/// user's API tokens in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordChange {
    pub hash: String,
    pub one_time_until_us: Option<i64>,
    /// Revoke every API token of the user, at this time.
    pub revoke_tokens_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub org: Organization,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user: User,
    pub role: Role,
}

/// How far a browser session has come through the login steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted; the user must still set a new one (first login or reset).
    ChangePassword,
    /// Password accepted; the role needs a second factor that is not enrolled yet.
    EnrolTotp,
    /// Password accepted; the TOTP code is still to be entered.
    Totp,
    /// Fully authenticated.
    Active,
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::ChangePassword => "change_password",
            SessionStage::EnrolTotp => "enrol_totp",
            SessionStage::Totp => "totp",
            SessionStage::Active => "active",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            SessionStage::ChangePassword,
            SessionStage::EnrolTotp,
            SessionStage::Totp,
            SessionStage::Active,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A form posted after its session had expired, kept for the same account to send once it
/// has logged in again. Its browser's cookie carries a random secret; the store keeps only
/// its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptForm {
    pub secret_hash: String,
    pub user_id: Uuid,
    /// The local path the form was posted to.
    pub path: String,
    /// The fields, in order, as JSON pairs.
    pub fields: String,
    pub created_us: i64,
    pub expires_us: i64,
}

/// A browser session. The cookie carries a random token; the store keeps only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Uuid,
    /// The organization the user acts in; `None` until one is chosen.
    pub org_id: Option<Uuid>,
    pub stage: SessionStage,
    /// A TOTP secret proposed during enrolment, kept until the first code confirms it.
    pub pending_totp: Option<String>,
    /// Unix time in microseconds.
    pub created_us: i64,
    pub last_seen_us: i64,
    pub ip: String,
    pub user_agent: String,
}

/// A bearer token for the JSON API, scoped to one user and one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub token_hash: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    /// `None` for tokens made before tokens had an end: they end [`TOKEN_DAYS`] after
    /// their creation.
    pub expires_at: Option<OffsetDateTime>,
}

/// How long an API token lasts unless chosen otherwise.
pub const TOKEN_DAYS: i64 = 90;

impl ApiToken {
    pub fn expires(&self) -> OffsetDateTime {
        self.expires_at
            .unwrap_or(self.created_at + time::Duration::days(TOKEN_DAYS))
    }

    /// Neither revoked nor past its end.
    pub fn usable(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires()
    }
}

/// An audit entry to append; the store gives it its sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAudit {
    pub org_id: Uuid,
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<Uuid>,
    pub summary: String,
    pub reason: Option<String>,
}

/// Filters for browsing the audit log. Times are Unix microseconds, bounds inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub org_id: Option<Uuid>,
    pub actor: Option<String>,
    /// Prefix of the action, e.g. `user.` for every change to users.
    pub action_prefix: Option<String>,
    /// The action, exactly (`casefile.team.add`, not `casefile.team.add_self`).
    pub action: Option<String>,
    pub record_id: Option<Uuid>,
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// The last sequence number handed out for one organization's chain.
pub use domain::audit::ChainHead;
