//! The storage traits. Each is declared once in [`store_traits!`], which also writes the
//! delegating implementation for [`Backend`], so a new method is one line here.

use crate::types::*;
use crate::{Backend, StoreError};
use domain::audit::AuditRow;
use domain::{Login, OrgCode, Role};
use uuid::Uuid;

pub type Result<T> = std::result::Result<T, StoreError>;

macro_rules! store_traits {
    ($(
        $(#[$tmeta:meta])*
        pub trait $trait:ident {
            $(
                $(#[$mmeta:meta])*
                fn $method:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty;
            )*
        }
    )*) => {
        $(
            $(#[$tmeta])*
            pub trait $trait: Send + Sync {
                $(
                    $(#[$mmeta])*
                    fn $method(&self $(, $arg: $ty)*)
                        -> impl std::future::Future<Output = Result<$ret>> + Send;
                )*
            }

            impl<S: $trait, P: $trait> $trait for Backend<S, P> {
                $(
                    async fn $method(&self $(, $arg: $ty)*) -> Result<$ret> {
                        match self {
                            Backend::Sqlite(s) => s.$method($($arg),*).await,
                            Backend::Postgres(p) => p.$method($($arg),*).await,
                        }
                    }
                )*
            }
        )*
    };
}

store_traits! {
    /// Liveness of the database itself.
    pub trait HealthStore {
        fn ping(&self) -> ();
    }

    /// Organizations and the comuni they cover.
    pub trait OrgStore {
        fn create_org(&self, org: &Organization, comuni: &[OrgComune], audit: &NewAudit) -> ();
        /// Changes name, active flag and comuni; the code and kind never change.
        fn update_org(&self, org: &Organization, comuni: &[OrgComune], audit: &NewAudit) -> ();
        fn get_org(&self, id: Uuid) -> Organization;
        fn get_org_by_code(&self, code: &OrgCode) -> Organization;
        fn list_orgs(&self) -> Vec<Organization>;
        fn org_comuni(&self, org_id: Uuid) -> Vec<OrgComune>;
        /// Whether any organization exists yet (first start).
        fn count_orgs(&self) -> i64;
    }

    /// Operators and their memberships.
    pub trait UserStore {
        fn create_user(&self, user: &User, org_id: Uuid, role: Role, audit: &NewAudit) -> ();
        fn get_user(&self, id: Uuid) -> User;
        fn get_user_by_login(&self, login: &Login) -> User;
        /// Every user with a membership in `org_id`, by login.
        fn list_members(&self, org_id: Uuid) -> Vec<Member>;
        /// Every user, for the installation's administrators.
        fn list_users(&self) -> Vec<User>;
        fn memberships(&self, user_id: Uuid) -> Vec<Membership>;
        /// Adds or changes the user's role in an organization.
        fn set_membership(&self, user_id: Uuid, org_id: Uuid, role: Role, audit: &NewAudit) -> ();
        fn remove_membership(&self, user_id: Uuid, org_id: Uuid, audit: &NewAudit) -> ();
        /// Stores a new password hash and ends every session of the user.
        fn set_password(&self, user_id: Uuid, hash: &str, must_change: bool, audit: &NewAudit) -> ();
        fn set_totp(&self, user_id: Uuid, secret: Option<&str>, audit: &NewAudit) -> ();
        /// Enables or disables the account; disabling ends every session of the user.
        fn set_active(&self, user_id: Uuid, active: bool, audit: &NewAudit) -> ();
        fn update_profile(&self, user_id: Uuid, full_name: &str, email: Option<&str>, audit: &NewAudit) -> ();
    }

    /// Browser sessions, kept server-side.
    pub trait SessionStore {
        fn create_session(&self, session: &Session) -> ();
        /// The session and its user in one query: what every authenticated page starts with.
        fn get_session_with_user(&self, token_hash: &str) -> (Session, User);
        fn touch_session(&self, token_hash: &str, last_seen_us: i64) -> ();
        fn set_session_stage(&self, token_hash: &str, stage: SessionStage, pending_totp: Option<&str>) -> ();
        fn set_session_org(&self, token_hash: &str, org_id: Uuid) -> ();
        fn delete_session(&self, token_hash: &str) -> ();
        /// Ends every session of a user (an administrator's "termina sessioni").
        fn delete_user_sessions(&self, user_id: Uuid, audit: &NewAudit) -> u64;
        fn list_user_sessions(&self, user_id: Uuid) -> Vec<Session>;
        /// Removes sessions idle since before `idle_before_us` or created before `created_before_us`.
        fn purge_sessions(&self, idle_before_us: i64, created_before_us: i64) -> u64;
    }

    /// Bearer tokens for the JSON API.
    pub trait TokenStore {
        fn create_token(&self, token: &ApiToken, audit: &NewAudit) -> ();
        fn get_token_by_hash(&self, token_hash: &str) -> ApiToken;
        fn list_tokens(&self, user_id: Uuid) -> Vec<ApiToken>;
        fn revoke_token(&self, id: Uuid, at: time::OffsetDateTime, audit: &NewAudit) -> ();
        fn touch_token(&self, id: Uuid, at: time::OffsetDateTime) -> ();
    }

    /// The append-only, hash-chained audit log.
    pub trait AuditStore {
        /// Appends one entry on its own (reads of sensitive records, logins); changes append
        /// theirs inside the same transaction through the method that makes the change.
        fn append_audit(&self, entry: &NewAudit) -> AuditRow;
        fn list_audit(&self, filter: &AuditFilter) -> Vec<AuditRow>;
        fn count_audit(&self, filter: &AuditFilter) -> i64;
        /// One organization's whole chain in sequence order, for verification.
        fn audit_chain(&self, org_id: Uuid) -> Vec<AuditRow>;
        fn chain_heads(&self) -> Vec<ChainHead>;
    }
}

/// Everything the application needs from a store.
pub trait Stores:
    HealthStore + OrgStore + UserStore + SessionStore + TokenStore + AuditStore + Clone + 'static
{
}

impl<T> Stores for T where
    T: HealthStore
        + OrgStore
        + UserStore
        + SessionStore
        + TokenStore
        + AuditStore
        + Clone
        + 'static
{
}
