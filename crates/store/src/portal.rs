//! The citizens' drafts of applications made on the portal, with their documents, until they
//! are submitted (and become an application) or thrown away.

use uuid::Uuid;

/// A draft application a citizen is writing on the portal; only its account sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalDraft {
    pub id: Uuid,
    pub org_id: Uuid,
    /// Whom the application is for: the citizen or a person they represent.
    pub person_id: Uuid,
    pub benefit_id: Uuid,
    pub account_id: Uuid,
    /// The answers as typed, in JSON (the app layer's `Answers`).
    pub answers: String,
    pub version: i64,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

/// A draft as the citizen's list shows it, without its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftSummary {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub benefit_id: Uuid,
    pub benefit_name: String,
    pub updated_at_us: i64,
}

/// A file attached to a draft, for a line of the benefit's documents (or "" for another).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftDocument {
    pub id: Uuid,
    pub org_id: Uuid,
    pub draft_id: Uuid,
    pub requirement: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub at_us: i64,
}

/// A single-use link that lets a citizen choose the password of their portal account
/// (local accounts), mailed to the address the office recorded for `person_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    /// The SHA-256 of the token the e-mail carries; the token itself is never stored.
    pub token_hash: String,
    /// The account's login: the codice fiscale in lower case.
    pub login: String,
    /// The organization and person whose recorded e-mail address received the link.
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub created_us: i64,
    pub expires_us: i64,
    /// When it was used; a link is used once.
    pub used_us: Option<i64>,
}
