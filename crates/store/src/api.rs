//! The storage traits. Each is declared once in [`store_traits!`], which also writes the
//! delegating implementation for [`Backend`], so a new method is one line here.

use crate::benefit::*;
use crate::bill::*;
use crate::call::*;
use crate::casework::*;
use crate::dsu::*;
use crate::payment::*;
use crate::person::*;
use crate::portal::*;
use crate::registry::*;
use crate::servers::*;
use crate::siuss::*;
use crate::types::*;
use crate::{Backend, StoreError};
use domain::audit::AuditRow;
use domain::casework::Need;
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
        /// The letterhead; an empty one at version 0 if never saved.
        fn org_letterhead(&self, org_id: Uuid) -> OrgLetterhead;
        /// Stores the letterhead if it is still at `letterhead.version - 1` (compare and set).
        fn save_letterhead(&self, letterhead: &OrgLetterhead, audit: &NewAudit) -> ();
        /// The logo printed on the organization's letters, if one was uploaded.
        fn org_logo(&self, org_id: Uuid) -> Option<domain::letterhead::Logo>;
        /// Stores the logo, replacing the one before.
        fn save_org_logo(&self, org_id: Uuid, logo: &domain::letterhead::Logo, updated_at_us: i64, audit: &NewAudit) -> ();
        /// Removes the logo; `StoreError::NotFound` if there is none.
        fn remove_org_logo(&self, org_id: Uuid, audit: &NewAudit) -> ();
        /// The portal's settings; the defaults at version 0 if never saved.
        fn org_portal_settings(&self, org_id: Uuid) -> OrgPortalSettings;
        /// Stores them if still at `settings.version - 1` (compare and set).
        fn save_org_portal_settings(&self, settings: &OrgPortalSettings, audit: &NewAudit) -> ();
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
        /// Every membership as (user, organization's name, role), by organization's name.
        fn list_user_roles(&self) -> Vec<(Uuid, String, Role)>;
        fn memberships(&self, user_id: Uuid) -> Vec<Membership>;
        /// Adds or changes the user's role in an organization.
        fn set_membership(&self, user_id: Uuid, org_id: Uuid, role: Role, audit: &NewAudit) -> ();
        fn remove_membership(&self, user_id: Uuid, org_id: Uuid, audit: &NewAudit) -> ();
        /// Stores a new password hash and ends every session of the user.
        /// Stores the new password and ends every session of the user; `audits` go to every
        /// organization that must know (a reset is logged wherever the user has a role).
        fn set_password(&self, user_id: Uuid, change: &PasswordChange, audits: &[NewAudit]) -> ();
        /// Accepts a second-factor code of TOTP time step `step`, once: `StoreError::Conflict`
        /// when the user already used that step or a later one (a code seen once is spent). In
        /// the same transaction the session `old_token_hash` is replaced by `session` (a new id
        /// once the second factor is done) and, with `enrol`, the secret is stored with its
        /// audit entry.
        fn accept_totp(&self, user_id: Uuid, step: i64, enrol: Option<(&str, &NewAudit)>, old_token_hash: &str, session: &Session) -> ();
        /// Enables or disables the account; disabling ends every session of the user.
        fn set_active(&self, user_id: Uuid, active: bool, audit: &NewAudit) -> ();
        fn update_profile(&self, user_id: Uuid, full_name: &str, email: Option<&str>, audit: &NewAudit) -> ();
    }

    /// Browser sessions, kept server-side.
    pub trait SessionStore {
        fn create_session(&self, session: &Session) -> ();
        /// The session, its user and the user's memberships (by organization name) in one
        /// query: what every authenticated page starts with.
        fn get_session_with_user(&self, token_hash: &str) -> (Session, User, Vec<Membership>);
        fn touch_session(&self, token_hash: &str, last_seen_us: i64) -> ();
        fn set_session_stage(&self, token_hash: &str, stage: SessionStage, pending_totp: Option<&str>) -> ();
        fn set_session_org(&self, token_hash: &str, org_id: Uuid) -> ();
        fn delete_session(&self, token_hash: &str) -> ();
        /// Ends every session of a user (an administrator's "termina sessioni").
        fn delete_user_sessions(&self, user_id: Uuid, audit: &NewAudit) -> u64;
        fn list_user_sessions(&self, user_id: Uuid) -> Vec<Session>;
        /// Removes sessions idle since before `idle_before_us` or created before
        /// `created_before_us`, and the kept forms expired by `now_us`.
        fn purge_sessions(&self, idle_before_us: i64, created_before_us: i64, now_us: i64) -> u64;
        fn keep_form(&self, form: &KeptForm) -> ();
        /// Removes and returns the kept form of this secret if it belongs to `user_id` and has
        /// not expired at `now_us`; a form of another account stays where it is.
        fn take_kept_form(&self, secret_hash: &str, user_id: Uuid, now_us: i64) -> Option<KeptForm>;
    }

    /// Bearer tokens for the JSON API.
    pub trait TokenStore {
        fn create_token(&self, token: &ApiToken, audit: &NewAudit) -> ();
        fn get_token_by_hash(&self, token_hash: &str) -> ApiToken;
        fn list_tokens(&self, user_id: Uuid) -> Vec<ApiToken>;
        fn revoke_token(&self, id: Uuid, at: time::OffsetDateTime, audit: &NewAudit) -> ();
        fn touch_token(&self, id: Uuid, at: time::OffsetDateTime) -> ();
    }

    /// Persons of the anagrafe sociale. Every read and write is scoped by organization.
    pub trait PersonStore {
        fn create_person(&self, person: &Person, history: &NewHistory, audit: &NewAudit) -> ();
        /// Stores new data if the person is still at `person.version - 1` (compare and set);
        /// `StoreError::Conflict` when someone else changed it first.
        fn update_person(&self, person: &Person, history: &NewHistory, audit: &NewAudit) -> ();
        fn get_person(&self, org_id: Uuid, id: Uuid) -> Person;
        fn find_person_by_cf(&self, org_id: Uuid, codice_fiscale: &str) -> Person;
        /// Persons matching every criterion, merged duplicates left out, by name.
        fn search_persons(&self, org_id: Uuid, search: &PersonSearch) -> Vec<Person>;
        /// Persons that may be the same as a new one: same code, same birth date, or same
        /// phonetic key (the caller scores them).
        fn duplicate_candidates(&self, org_id: Uuid, codice_fiscale: Option<&str>, birth_date: time::Date, phonetic_key: &str) -> Vec<Person>;
        /// Merges `duplicate` into `survivor`: the duplicate is kept, marked merged, and its
        /// households, network, documents and history are shown with the survivor's.
        fn merge_persons(&self, org_id: Uuid, survivor: Uuid, duplicate: Uuid, history: &[NewHistory], audit: &NewAudit) -> ();
        /// The person's history and that of every duplicate merged into it, newest first.
        fn person_history(&self, org_id: Uuid, id: Uuid) -> Vec<HistoryEntry>;
        fn add_document(&self, doc: &IdentityDocument, history: &NewHistory, audit: &NewAudit) -> ();
        fn remove_document(&self, org_id: Uuid, id: Uuid, history: &NewHistory, audit: &NewAudit) -> ();
        fn person_documents(&self, org_id: Uuid, person_id: Uuid) -> Vec<IdentityDocument>;
    }

    /// Who may act for a person from outside the office (domain::mandate).
    pub trait MandateStore {
        fn add_mandate(&self, mandate: &Mandate, history: &NewHistory, audit: &NewAudit) -> ();
        fn revoke_mandate(&self, org_id: Uuid, id: Uuid, at_us: i64, history: &NewHistory, audit: &NewAudit) -> ();
        /// The person's mandates, revoked ones included, newest first.
        fn person_mandates(&self, org_id: Uuid, person_id: Uuid) -> Vec<MandateView>;
        /// The kinds of the user's unrevoked mandates for the person that cover `on`.
        fn mandates_held(&self, org_id: Uuid, user_id: Uuid, person_id: Uuid, on: time::Date) -> Vec<domain::mandate::MandateKind>;
        /// The persons the user acts for under unrevoked mandates covering `on`, with the kind.
        fn persons_represented(&self, org_id: Uuid, user_id: Uuid, on: time::Date) -> Vec<(Uuid, domain::mandate::MandateKind)>;
    }

    /// DSUs typed at the counter and their nucleo ISEE (domain::dsu).
    pub trait DsuStore {
        /// Creates the DSU with its members, in one transaction.
        fn create_dsu(&self, dsu: &DsuRecord, members: &[DsuMember], audit: &NewAudit) -> ();
        fn get_dsu(&self, org_id: Uuid, id: Uuid) -> DsuRecord;
        /// The nucleo ISEE (members with their basis) and those left out, in order.
        fn dsu_members(&self, org_id: Uuid, dsu_id: Uuid) -> Vec<DsuMemberView>;
        /// Saves the typed quadri of a draft with the provisional result; refused with
        /// `Conflict` if the DSU changed since `version` or is no longer a draft.
        fn save_dsu_quadri(&self, dsu: &DsuRecord, audit: &NewAudit) -> ();
        /// Replaces the members of a draft (compare-and-set on the DSU's version, bumped).
        fn set_dsu_members(&self, dsu: &DsuRecord, members: &[DsuMember], audit: &NewAudit) -> ();
        /// Changes the status of one or more DSUs together (a signature that supersedes an
        /// earlier DSU), each compare-and-set on its version.
        fn change_dsu_status(&self, org_id: Uuid, changes: &[DsuStatusChange], updated_by: &str, at_us: i64, audit: &NewAudit) -> ();
        /// Newest first.
        fn list_dsu(&self, org_id: Uuid, filter: &DsuFilter) -> Vec<DsuSummary>;
        /// Granted applications with planned deliveries whose ISEE attestation expires on or
        /// before `until`, soonest first: of one organization, or of all with `org_id` None;
        /// with `unnoticed`, only those whose worker has not been told yet.
        fn expiring_attestations(&self, org_id: Option<Uuid>, until: time::Date, unnoticed: bool, limit: i64) -> Vec<ExpiringAttestation>;
        /// Records the notice as sent at `at_us` unless it was (before sending): false when
        /// a server recorded it already.
        fn claim_expiry_notice(&self, org_id: Uuid, application_id: Uuid, attestation_id: Uuid, at_us: i64) -> bool;
        /// Takes back the claim made at `at_us` (the mail server refused the notice).
        fn release_expiry_notice(&self, application_id: Uuid, attestation_id: Uuid, at_us: i64) -> ();
    }

    /// Registry households over time, and the support network outside them.
    pub trait HouseholdStore {
        /// Creates a household with its first member (the head), in one transaction.
        fn create_household(&self, household: &Household, head: &HouseholdMember, history: &NewHistory, audit: &NewAudit) -> ();
        fn get_household(&self, org_id: Uuid, id: Uuid) -> Household;
        /// Adds a period of membership; a person is in at most one household at a time, so
        /// an open membership elsewhere is closed the day before `from_date`.
        fn add_household_member(&self, member: &HouseholdMember, history: &NewHistory, audit: &NewAudit) -> ();
        /// Closes an open membership on `to_date`.
        fn end_household_member(&self, org_id: Uuid, member_id: Uuid, to_date: time::Date, history: &NewHistory, audit: &NewAudit) -> ();
        /// Every membership of the household, current first.
        fn household_members(&self, org_id: Uuid, household_id: Uuid) -> Vec<MemberView>;
        /// Who lives with the person on `on`: the other current members of the households the
        /// person belongs to on that date, by household and age.
        fn cohabitants(&self, org_id: Uuid, person_id: Uuid, on: time::Date) -> Vec<MemberView>;
        /// Every membership of the person, newest first.
        fn person_households(&self, org_id: Uuid, person_id: Uuid) -> Vec<HouseholdMember>;
        fn add_support_link(&self, link: &SupportLink, history: &NewHistory, audit: &NewAudit) -> ();
        fn end_support_link(&self, org_id: Uuid, id: Uuid, to_date: time::Date, history: &NewHistory, audit: &NewAudit) -> ();
        /// The person's network, and the links in which the person is the other party.
        fn person_support(&self, org_id: Uuid, person_id: Uuid) -> Vec<SupportLink>;
    }

    /// The append-only, hash-chained audit log.
    pub trait AuditStore {
        /// Appends one entry on its own (reads of sensitive records, logins); changes append
        /// theirs inside the same transaction through the method that makes the change.
        fn append_audit(&self, entry: &NewAudit) -> AuditRow;
        /// Appends entries queued by the read log, in order, in one transaction.
        fn append_audit_batch(&self, entries: &[NewAudit]) -> ();
        fn list_audit(&self, filter: &AuditFilter) -> Vec<AuditRow>;
        fn count_audit(&self, filter: &AuditFilter) -> i64;
        /// One organization's whole chain in sequence order, for verification.
        fn audit_chain(&self, org_id: Uuid) -> Vec<AuditRow>;
        fn chain_heads(&self) -> Vec<ChainHead>;
        /// «Who saw this person's data»: the organization's rows about the person (and the
        /// persons merged into them) or any of their records (applications and their
        /// documents, ISEE attestations, case file, diary, assessments, plans, documents),
        /// newest first. With `reads_except`, only the reads (`*.view`) by anyone but that
        /// account: the citizen's access log, which their own reads would otherwise crowd out.
        fn person_audit(&self, org_id: Uuid, person_id: Uuid, limit: i64, offset: i64, reads_except: Option<Uuid>) -> Vec<AuditRow>;
    }

    /// The civil-registry import: the previous state of a comune's registry persons, batches
    /// of changes, the import's record and report, events to review, and open matters.
    pub trait RegistryStore {
        /// Every person linked to the comune's registry (Belfiore code), merged ones left out,
        /// with the open household membership.
        fn registry_persons(&self, org_id: Uuid, comune: &str) -> Vec<RegistryPerson>;
        /// The comune's registry households: (registry code, id).
        fn registry_households(&self, org_id: Uuid, comune: &str) -> Vec<(String, Uuid)>;
        /// Persons with a codice fiscale not linked to this comune's registry.
        fn codice_fiscale_holders(&self, org_id: Uuid, comune: &str) -> Vec<CfHolder>;
        /// Records an import as started (status `in_corso`), before its batches.
        /// `new_persons`, the persons its batches will create, lets the backend prepare a bulk
        /// load (SQLite: when they outnumber the persons stored, the indexes that serve only
        /// searches are dropped and `finish_registry_import` builds them again, sorted once).
        /// True when it did: searches are slower until the import ends anyway, so the caller
        /// may write larger batches.
        fn start_registry_import(&self, import: &RegistryImport, new_persons: u64) -> bool;
        /// Applies one batch in one transaction: all of it or nothing.
        fn apply_registry_batch(&self, batch: &RegistryBatch) -> ();
        /// Stores the import's counts, status and rejected rows with its one audit row.
        fn finish_registry_import(&self, import: &RegistryImport, rejections: &[RegistryRejection], audit: &NewAudit) -> ();
        /// The comune's last completed import.
        fn last_registry_import(&self, org_id: Uuid, comune: &str) -> Option<RegistryImport>;
        /// The organization's imports, newest first.
        fn list_registry_imports(&self, org_id: Uuid, limit: i64) -> Vec<RegistryImport>;
        fn get_registry_import(&self, org_id: Uuid, id: Uuid) -> RegistryImport;
        fn registry_rejections(&self, org_id: Uuid, import_id: Uuid) -> Vec<RegistryRejection>;
        /// Events of persons with an open matter (of every person if asked), newest first;
        /// reviewed ones only if asked.
        fn registry_events_to_review(&self, org_id: Uuid, include_reviewed: bool, every_person: bool, limit: i64) -> Vec<RegistryEvent>;
        /// Every registry event of a person, newest first.
        fn person_registry_events(&self, org_id: Uuid, person_id: Uuid) -> Vec<RegistryEvent>;
        /// Marks an event as reviewed ("verificato") by `by` at `at_us`; `NotFound` if it
        /// does not exist or was already reviewed.
        fn review_registry_event(&self, org_id: Uuid, id: Uuid, at_us: i64, by: &str, audit: &NewAudit) -> ();
        /// Opens a matter on a person (later modules: case files, applications).
        fn open_matter(&self, matter: &OpenMatter, audit: &NewAudit) -> ();
        /// Closes the open matter `kind`/`ref_id` (every person it concerns); the count closed.
        fn close_matter(&self, org_id: Uuid, kind: &str, ref_id: Uuid, closed_at_us: i64, audit: &NewAudit) -> u64;
        /// The person's matters still open.
        fn open_matters(&self, org_id: Uuid, person_id: Uuid) -> Vec<OpenMatter>;
    }
    /// Segretariato sociale and cartella sociale. Every read and write is scoped by
    /// organization; confidential diary entries are read only when asked for.
    pub trait CaseStore {
        fn record_access(&self, record: &AccessRecord, audit: &NewAudit) -> ();
        fn get_access(&self, org_id: Uuid, id: Uuid) -> AccessRecord;
        /// The person's first-access records, newest first.
        fn person_accesses(&self, org_id: Uuid, person_id: Uuid) -> Vec<AccessRecord>;
        /// First-access records of the filter's period (and operator), newest first.
        fn accesses(&self, org_id: Uuid, filter: &AccessFilter) -> Vec<AccessView>;
        /// How many accesses of the filter's period (and operator) expressed each need, in the
        /// order of `Need::ALL`, every access counted (the filter's limit does not apply).
        fn access_need_counts(&self, org_id: Uuid, filter: &AccessFilter) -> Vec<(Need, i64)>;
        /// Accesses whose follow-up is not done yet (of one operator if given), the earliest
        /// due first and those without a date last.
        fn follow_ups_due(&self, org_id: Uuid, actor_id: Option<Uuid>, limit: i64) -> Vec<AccessView>;
        /// Marks the follow-up of an access done; `StoreError::NotFound` when the access has no
        /// follow-up or it is done already.
        fn close_follow_up(&self, org_id: Uuid, id: Uuid, done_at_us: i64, done_by: &str, audit: &NewAudit) -> ();
        /// Opens a case file: numbers it (yearly per organization, returned), records the
        /// opening, links the first-access record that led to it and opens the person's
        /// matter (registry events of the person are then listed for review).
        fn open_case_file(&self, case: &CaseFile, opening: &StateChange, access_id: Option<Uuid>, audit: &NewAudit) -> String;
        fn get_case_file(&self, org_id: Uuid, id: Uuid) -> CaseFile;
        fn person_case_file(&self, org_id: Uuid, person_id: Uuid) -> Option<CaseFile>;
        /// Stores the new state if the file is still at `case.version - 1` (compare and
        /// set), with its history row; closing closes the person's matter, reopening opens it.
        fn change_case_state(&self, case: &CaseFile, change: &StateChange, audit: &NewAudit) -> ();
        fn case_state_history(&self, org_id: Uuid, case_file_id: Uuid) -> Vec<StateChange>;
        fn case_team(&self, org_id: Uuid, case_file_id: Uuid) -> Vec<TeamMember>;
        fn add_team_member(&self, org_id: Uuid, case_file_id: Uuid, user_id: Uuid, at_us: i64, audit: &NewAudit) -> ();
        fn remove_team_member(&self, org_id: Uuid, case_file_id: Uuid, user_id: Uuid, audit: &NewAudit) -> ();
        /// Whether the user is the responsible worker or in the team.
        fn assigned_since(&self, org_id: Uuid, case_file_id: Uuid, user_id: Uuid) -> Option<i64>;
        /// Gives the case files to another responsible worker, all or none; the count.
        fn reassign_case_files(&self, org_id: Uuid, ids: &[Uuid], worker_id: Uuid, at_us: i64, audit: &NewAudit) -> u64;
        fn list_case_files(&self, org_id: Uuid, filter: &CaseFilter) -> Vec<CaseFileView>;
        /// Open and suspended files and overdue reviews per responsible worker.
        fn caseload(&self, org_id: Uuid, today: time::Date) -> Vec<CaseloadRow>;
        fn add_diary_entry(&self, entry: &DiaryEntry, audit: &NewAudit) -> ();
        /// `limit` entries of the diary from `offset`, newest first; confidential entries only
        /// those written from `restricted_from_us` on (`None`: none of them).
        fn diary_entries(&self, org_id: Uuid, case_file_id: Uuid, restricted_from_us: Option<i64>, offset: i64, limit: i64) -> DiaryPage;
        /// How many confidential entries the reader does not see (see `diary_entries`).
        fn count_hidden_entries(&self, org_id: Uuid, case_file_id: Uuid, restricted_from_us: Option<i64>) -> i64;
        fn record_break_glass(&self, access: &BreakGlass, audit: &NewAudit) -> ();
        /// Whether the user holds an unexpired break-glass access to the file.
        fn has_break_glass(&self, org_id: Uuid, case_file_id: Uuid, user_id: Uuid, now_us: i64) -> bool;
        fn case_break_glass(&self, org_id: Uuid, case_file_id: Uuid) -> Vec<BreakGlass>;
        /// Break-glass accesses since `since_us` to files where the user is assigned.
        fn break_glass_on_my_cases(&self, org_id: Uuid, user_id: Uuid, since_us: i64) -> Vec<BreakGlassView>;
        fn book_appointment(&self, appointment: &Appointment, audit: &NewAudit) -> ();
        fn get_appointment(&self, org_id: Uuid, id: Uuid) -> AppointmentView;
        /// Compare-and-set on `version` of the appointment of the history row `change`: the
        /// new status, the diary entry of its outcome (a correction without one keeps the entry
        /// written before) and the history row.
        fn set_appointment_status(&self, version: i64, status: domain::casework::AppointmentStatus, outcome: Option<&DiaryEntry>, change: &AppointmentChange, audit: &NewAudit) -> ();
        /// Compare-and-set on `version` of the booked appointment of the history row
        /// `change`: the new start, length and place, with the history row; the reminder is
        /// sent again for the new time.
        fn move_appointment(&self, version: i64, starts_at_us: i64, minutes: i64, place: &str, change: &AppointmentChange, audit: &NewAudit) -> ();
        /// The appointment's history, oldest first.
        fn appointment_changes(&self, org_id: Uuid, appointment_id: Uuid) -> Vec<AppointmentChange>;
        /// A worker's appointments starting in `[from_us, to_us)`, by time.
        fn worker_appointments(&self, org_id: Uuid, worker_id: Uuid, from_us: i64, to_us: i64) -> Vec<AppointmentView>;
        fn person_appointments(&self, org_id: Uuid, person_id: Uuid) -> Vec<AppointmentView>;
        /// Booked appointments of every organization starting in `[from_us, to_us)` with
        /// an address and no reminder sent yet.
        fn reminders_due(&self, from_us: i64, to_us: i64) -> Vec<AppointmentView>;
        /// Marks the reminder as sent at `at_us` if no server marked it yet (compare and
        /// set, before sending): false when one did.
        fn claim_reminder(&self, id: Uuid, at_us: i64) -> bool;
        /// Takes back the claim made at `at_us` (the mail server refused the reminder).
        fn release_reminder(&self, id: Uuid, at_us: i64) -> ();
        fn add_assessment(&self, assessment: &Assessment, audit: &NewAudit) -> ();
        fn case_assessments(&self, org_id: Uuid, case_file_id: Uuid) -> Vec<Assessment>;
        fn get_assessment(&self, org_id: Uuid, id: Uuid) -> Assessment;
        /// Stores a new plan; the case file's previous active plan stops being active.
        fn create_plan(&self, plan: &CarePlan, audit: &NewAudit) -> ();
        fn get_plan(&self, org_id: Uuid, id: Uuid) -> CarePlan;
        /// The case file's plans, newest first.
        fn case_plans(&self, org_id: Uuid, case_file_id: Uuid) -> Vec<CarePlan>;
        fn add_intervention(&self, intervention: &Intervention, audit: &NewAudit) -> ();
        fn plan_interventions(&self, org_id: Uuid, plan_id: Uuid) -> Vec<Intervention>;
        /// Records a review and moves the plan's next review date.
        fn add_plan_review(&self, review: &PlanReview, audit: &NewAudit) -> ();
        fn plan_reviews(&self, org_id: Uuid, plan_id: Uuid) -> Vec<PlanReview>;
        /// Reviews of active plans due on or before `until`, of open files; one worker's
        /// (responsible or team) or everyone's.
        fn reviews_due(&self, org_id: Uuid, worker_id: Option<Uuid>, until: time::Date) -> Vec<ReviewDue>;
        fn add_case_document(&self, document: &CaseDocument, content: &[u8], audit: &NewAudit) -> ();
        fn case_documents(&self, org_id: Uuid, case_file_id: Uuid) -> Vec<CaseDocument>;
        fn case_document_content(&self, org_id: Uuid, id: Uuid) -> (CaseDocument, Vec<u8>);
        /// Unreviewed civil-registry events of persons whose open case file the user is
        /// assigned to, newest first.
        fn registry_events_on_my_cases(&self, org_id: Uuid, user_id: Uuid, limit: i64) -> Vec<RegistryEvent>;
    }
    /// Prestazioni and istanze: the catalogue with its rule versions, ISEE attestations,
    /// applications with their history, documents and months of delivery. Every read and
    /// write is scoped by organization.
    pub trait BenefitStore {
        fn create_benefit(&self, benefit: &Benefit, audit: &NewAudit) -> ();
        /// Stores new data if the entry is still at `benefit.version - 1` (compare and set).
        fn update_benefit(&self, benefit: &Benefit, audit: &NewAudit) -> ();
        fn get_benefit(&self, org_id: Uuid, id: Uuid) -> Benefit;
        /// The catalogue, by name.
        fn list_benefits(&self, org_id: Uuid) -> Vec<Benefit>;
        /// Entries and rules of the base catalogue, all in one transaction with one audit row.
        fn seed_benefits(&self, benefits: &[Benefit], rules: &[BenefitRule], audit: &NewAudit) -> ();
        /// Committed and spent per benefit for decisions and months in `[from, to]`.
        fn benefit_budgets(&self, org_id: Uuid, from: time::Date, to: time::Date) -> Vec<BudgetRow>;
        fn add_rule(&self, rule: &BenefitRule, audit: &NewAudit) -> ();
        /// Every version of a benefit's rules, the latest `valid_from` first.
        fn benefit_rules(&self, org_id: Uuid, benefit_id: Uuid) -> Vec<BenefitRule>;
        /// Every rule version of the organization, for evaluating many applications at once.
        fn all_rules(&self, org_id: Uuid) -> Vec<BenefitRule>;
        fn add_attestation(&self, attestation: &Attestation, audit: &NewAudit) -> ();
        fn get_attestation(&self, org_id: Uuid, id: Uuid) -> Attestation;
        /// The person's attestations, latest submitted first.
        fn person_attestations(&self, org_id: Uuid, person_id: Uuid) -> Vec<Attestation>;
        fn set_attestation_simulation(&self, org_id: Uuid, id: Uuid, simulation: &Simulation, audit: &NewAudit) -> ();
        /// Stores a new application with its first history row; numbered (and the person's
        /// matter opened) if it is created already submitted. The protocol, if given.
        fn create_application(&self, app: &Application, event: &ApplicationEvent, audit: &NewAudit) -> Option<String>;
        /// Stores the application's new state and fields if it is still at `app.version - 1`
        /// (compare and set), with its history row and, when delivery starts, its months.
        /// Submission numbers it and opens the person's matter; the end of the procedure
        /// closes it. Entering a state that issues an act (`ActKind::issued_entering`)
        /// numbers the act in the register in the same transaction. The protocol, if it was
        /// given now.
        fn change_application_state(&self, app: &Application, event: &ApplicationEvent, deliveries: &[Delivery], audit: &NewAudit) -> Option<String>;
        /// The acts issued on an application, oldest first.
        fn application_acts(&self, org_id: Uuid, application_id: Uuid) -> Vec<Act>;
        /// The register of a year, by kind and number; one kind or all.
        fn list_acts(&self, org_id: Uuid, year: i32, kind: Option<domain::application::ActKind>) -> Vec<ActView>;
        /// Stores attestation, declared facts and outcome (compare and set).
        fn update_application(&self, app: &Application, audit: &NewAudit) -> ();
        fn get_application(&self, org_id: Uuid, id: Uuid) -> ApplicationView;
        fn list_applications(&self, org_id: Uuid, filter: &ApplicationFilter) -> Vec<ApplicationView>;
        /// The worklists' sizes on `today` for `user`; only `filed_by`'s if given.
        fn worklist_counts(&self, org_id: Uuid, user_id: Uuid, filed_by: Option<Uuid>, today: time::Date) -> WorklistCounts;
        /// The application's history, oldest first.
        fn application_events(&self, org_id: Uuid, application_id: Uuid) -> Vec<ApplicationEvent>;
        fn add_application_document(&self, document: &ApplicationDocument, content: &[u8], audit: &NewAudit) -> ();
        fn application_documents(&self, org_id: Uuid, application_id: Uuid) -> Vec<ApplicationDocument>;
        fn application_document_content(&self, org_id: Uuid, id: Uuid) -> (ApplicationDocument, Vec<u8>);
        /// Stores a message on an application with the document sent with it, if any, and
        /// their audit row, in one transaction.
        fn add_application_message(&self, message: &ApplicationMessage, document: Option<(&ApplicationDocument, &[u8])>, audit: &NewAudit) -> ();
        /// The messages of an application, oldest first.
        fn application_messages(&self, org_id: Uuid, application_id: Uuid) -> Vec<ApplicationMessage>;
        /// The months of delivery, in order.
        fn application_deliveries(&self, org_id: Uuid, application_id: Uuid) -> Vec<Delivery>;
        /// Stores a month's status and figures if it is still at `delivery.version - 1`.
        fn update_delivery(&self, delivery: &Delivery, audit: &NewAudit) -> ();
        /// Suspends the planned months from `from_month` on (or, with `suspend` false, plans
        /// the suspended ones again); the count changed.
        fn suspend_deliveries(&self, org_id: Uuid, application_id: Uuid, from_month: time::Date, suspend: bool, audit: &NewAudit) -> u64;
    }

    /// The citizens' drafts on the portal.
    pub trait PortalStore {
        fn create_portal_draft(&self, draft: &PortalDraft, audit: &NewAudit) -> ();
        /// Stores the answers if the draft is still at `draft.version - 1`.
        fn save_portal_draft(&self, draft: &PortalDraft, audit: &NewAudit) -> ();
        fn get_portal_draft(&self, org_id: Uuid, id: Uuid) -> PortalDraft;
        /// An account's drafts in every organization, the last changed first.
        fn portal_drafts(&self, account_id: Uuid) -> Vec<DraftSummary>;
        fn add_draft_document(&self, document: &DraftDocument, content: &[u8], audit: &NewAudit) -> ();
        fn remove_draft_document(&self, org_id: Uuid, draft_id: Uuid, id: Uuid, audit: &NewAudit) -> ();
        fn draft_documents(&self, org_id: Uuid, draft_id: Uuid) -> Vec<DraftDocument>;
        /// All or nothing: the draft (still at its version) becomes the application, filed
        /// as `create_application` files one, its documents become the application's
        /// (written by `actor`), and the draft is gone. The protocol given.
        fn submit_portal_draft(&self, draft: &PortalDraft, app: &Application, event: &ApplicationEvent, actor: &str, audit: &NewAudit) -> Option<String>;
        /// Throws a draft and its documents away.
        fn delete_portal_draft(&self, org_id: Uuid, id: Uuid, audit: &NewAudit) -> ();
        /// Keeps a link to choose the password of a portal account, with its audit row; the
        /// login's earlier links stop working.
        fn create_account_link(&self, link: &AccountLink, audit: &NewAudit) -> ();
        fn get_account_link(&self, token_hash: &str) -> AccountLink;
        /// All or nothing: the link is used (`StoreError::Conflict` when it was used, has
        /// expired at `now_us` or was replaced), the password of `user_id` set as
        /// `set_password` sets it (its sessions end), the audit rows appended.
        fn set_password_by_link(&self, token_hash: &str, now_us: i64, user_id: Uuid, change: &PasswordChange, audits: &[NewAudit]) -> ();
    }

    /// The SIUSS records (domain::siuss): the ente's settings, and the facts of a period's
    /// records read from the deliveries and the assessments.
    pub trait SiussStore {
        fn siuss_sender(&self, org_id: Uuid) -> Option<SiussSender>;
        /// Inserts (version 1) or updates the version read (compare-and-set), with its audit row.
        fn save_siuss_sender(&self, sender: &SiussSender, audit: &NewAudit) -> ();
        /// The deliveries made (`erogata`) in the months from `first` to `last` (first days).
        fn siuss_deliveries(&self, org_id: Uuid, first: time::Date, last: time::Date) -> Vec<domain::siuss::DeliveryFacts>;
        /// The assessments made from `first` to `last`, with their case file's plan codes.
        fn siuss_assessments(&self, org_id: Uuid, first: time::Date, last: time::Date) -> Vec<domain::siuss::AssessmentFacts>;
        /// The flows made for the records of `month`, oldest first.
        fn siuss_flows_of_month(&self, org_id: Uuid, month: time::Date) -> Vec<SiussFlow>;
        /// Saves the flows (named and dated after the ente's last, in one transaction with
        /// the audit row) and replaces the month's invalid records; the flows' names.
        fn save_siuss_month(&self, change: &SiussMonth<'_>, audit: Option<&NewAudit>) -> Vec<String>;
        /// Up to `limit` flows after `since_ms`, oldest first; marks those up to `since_ms`
        /// acquired and the ones returned served, at `now_us`.
        fn siuss_flows_since(&self, org_id: Uuid, since_ms: i64, limit: i64, now_us: i64) -> Vec<ServedFlow>;
        /// Records INPS's outcomes with the audit row; the names of the flows not found.
        fn record_siuss_outcomes(&self, org_id: Uuid, outcomes: &[SiussOutcome], now_us: i64, audit: &NewAudit) -> Vec<String>;
        /// The invalid records of a person, an application or a case file.
        fn siuss_problems_of(&self, org_id: Uuid, person_id: Option<Uuid>, application_id: Option<Uuid>, case_file_id: Option<Uuid>) -> Vec<SiussProblemRow>;
        /// The organizations with SIUSS settings (those whose records are made by the job).
        fn siuss_senders(&self) -> Vec<Uuid>;
    }

    /// Calls for applications and their rankings (domain::call).
    pub trait CallStore {
        /// Stores a new call with its first rules.
        fn create_call(&self, call: &Call, rules: &CallRules, audit: &NewAudit) -> ();
        /// Stores the call's new data if it is still at `call.version - 1` (compare and set).
        fn update_call(&self, call: &Call, audit: &NewAudit) -> ();
        fn get_call(&self, org_id: Uuid, id: Uuid) -> Call;
        /// The organization's calls, the latest opened first.
        fn list_calls(&self, org_id: Uuid) -> Vec<CallSummary>;
        fn add_call_rules(&self, rules: &CallRules, audit: &NewAudit) -> ();
        /// The versions of a call's rules, the first first.
        fn call_rules(&self, org_id: Uuid, call_id: Uuid) -> Vec<CallRules>;
        /// Files the application (as `create_application`) and its entry in the call, in one
        /// transaction; `StoreError::Duplicate` when the person already applied. The protocol.
        fn file_call_application(&self, app: &Application, event: &ApplicationEvent, entry: &CallApplication, audit: &NewAudit) -> Option<String>;
        /// The protocol of an application the person, or (when given) anyone of the
        /// household, already filed to the call.
        fn call_filed(&self, org_id: Uuid, call_id: Uuid, person_id: Uuid, household_id: Option<Uuid>) -> Option<String>;
        /// The call's applications, by protocol.
        fn call_entries(&self, org_id: Uuid, call_id: Uuid) -> Vec<CallEntry>;
        /// The call's applications as the ranking takes them, in no particular order.
        fn call_candidacies(&self, org_id: Uuid, call_id: Uuid) -> Vec<Candidacy>;
        /// Replaces the call's ranking and its rows if it is still at `ranking.version - 1`
        /// (0: none yet), with its audit row.
        fn save_ranking(&self, ranking: &Ranking, rows: &[domain::call::RankRow], audit: &NewAudit) -> ();
        fn ranking(&self, org_id: Uuid, call_id: Uuid) -> Option<Ranking>;
        /// The ranking's rows in order, each with its application's state now.
        fn ranking_rows(&self, org_id: Uuid, call_id: Uuid) -> Vec<RankingEntry>;
        /// The ranking's rows in order, as far as the publication reads them.
        fn ranking_lines(&self, org_id: Uuid, call_id: Uuid) -> Vec<domain::call::RankLine>;
        /// What the final ranking of its call gives the application, if it was filed to a
        /// call whose ranking is final.
        fn call_funding(&self, org_id: Uuid, application_id: Uuid) -> Option<domain::application::CallFunding>;
    }

    /// Funds and payments (domain::payment).
    pub trait PaymentStore {
        fn create_fund(&self, fund: &Fund, audit: &NewAudit) -> ();
        fn get_fund(&self, org_id: Uuid, id: Uuid) -> Fund;
        /// The organization's funds with their figures for the year `from`–`to`.
        fn fund_years(&self, org_id: Uuid, year: i64, from: time::Date, to: time::Date) -> Vec<FundYear>;
        /// Sets a fund's allocation for a year and comune (replacing the one there was).
        fn save_allocation(&self, a: &Allocation, audit: &NewAudit) -> ();
        fn fund_allocations(&self, org_id: Uuid, fund_id: Uuid) -> Vec<Allocation>;
        /// What accepted applications drawing on the fund commit between `from` and `to`
        /// (decision dates), per comune of residence of the applicant ("" when none is known).
        fn fund_committed_by_comune(&self, org_id: Uuid, fund_id: Uuid, from: time::Date, to: time::Date) -> Vec<(String, domain::money::Money)>;
        /// The benefit draws on the fund from now on (on no fund when `fund_id` is `None`).
        fn link_benefit(&self, org_id: Uuid, benefit_id: Uuid, fund_id: Option<Uuid>, audit: &NewAudit) -> ();
        /// The fund each benefit of the organization draws on: (benefit, fund).
        fn benefit_funds(&self, org_id: Uuid) -> Vec<(Uuid, Uuid)>;
        fn payee_account(&self, org_id: Uuid, person_id: Uuid) -> Option<PayeeAccount>;
        /// Inserts (version 1) or updates the version read (compare-and-set), with its audit row.
        fn save_payee_account(&self, a: &PayeeAccount, audit: &NewAudit) -> ();
        /// The deliveries made in `month` of the benefits the fund pays, in money, that no
        /// payment covers unless rejected.
        fn payable(&self, org_id: Uuid, fund_id: Uuid, month: time::Date) -> Vec<Payable>;
        /// A new list with its payments, all or nothing (`Duplicate` when a payment would pay
        /// a person twice for a benefit and period).
        fn create_payment_list(&self, list: &PaymentList, payments: &[Payment], audit: &NewAudit) -> ();
        /// The lists of the months from `first` to `last` (first days), the newest first.
        fn payment_lists(&self, org_id: Uuid, first: time::Date, last: time::Date) -> Vec<PaymentList>;
        fn get_payment_list(&self, org_id: Uuid, id: Uuid) -> PaymentList;
        fn list_payments(&self, org_id: Uuid, list_id: Uuid) -> Vec<Payment>;
        /// Approves the list at the version read (compare-and-set).
        fn approve_payment_list(&self, org_id: Uuid, id: Uuid, version: i64, by: &str, audit: &NewAudit) -> ();
        /// Records the bank's outcome of the ordered payments of approved lists named by their
        /// end-to-end ids: (end_to_end, state, reason). How many changed.
        fn settle_payments(&self, org_id: Uuid, outcomes: &[(String, domain::payment::PaymentState, String)], audit: &NewAudit) -> u64;
    }

    /// Co-payment bills (domain::bill): the ente's pagoPA settings, the bills with their
    /// notices, their payments and reminders.
    pub trait BillStore {
        fn pagopa_settings(&self, org_id: Uuid) -> Option<PagopaSettings>;
        /// Inserts (version 1) or updates the version read (compare-and-set); the IUV counter
        /// is kept.
        fn save_pagopa_settings(&self, s: &PagopaSettings, audit: &NewAudit) -> ();
        /// The deliveries made in `month` with a co-payment that no live bill covers.
        fn billable(&self, org_id: Uuid, month: time::Date) -> Vec<Billable>;
        /// Issues the bills with their lines, all or nothing: each gets the next IUV base of
        /// the ente's counter and its notice (`Duplicate` when a person has a live bill for
        /// the month already, `NotFound` without pagoPA settings).
        fn issue_bills(&self, org_id: Uuid, bills: &[(Bill, Vec<BillLine>)], audit: &NewAudit) -> ();
        /// The bills the filter picks, by person's name.
        fn bills(&self, org_id: Uuid, filter: &BillFilter) -> Vec<Bill>;
        fn get_bill(&self, org_id: Uuid, id: Uuid) -> Bill;
        fn bill_lines(&self, org_id: Uuid, bill_id: Uuid) -> Vec<BillLine>;
        fn bill_payments(&self, org_id: Uuid, bill_id: Uuid) -> Vec<BillPayment>;
        /// Records the payments read from a file, each once (by bill and reference), settling
        /// the bills paid in full; with the audit row when anything was recorded.
        fn record_bill_payments(&self, org_id: Uuid, paid: &[domain::bill::PaidNotice], actor: &str, at_us: i64, audit: &NewAudit) -> Vec<PaymentMatch>;
        /// Cancels an issued bill nothing was paid on, at the version read.
        fn cancel_bill(&self, org_id: Uuid, id: Uuid, version: i64, audit: &NewAudit) -> ();
        /// Counts a reminder sent on `on`, at the version read.
        fn record_reminder(&self, org_id: Uuid, id: Uuid, version: i64, on: time::Date, audit: &NewAudit) -> ();
    }

    /// Statistics (domain::stats): the facts the figures are made from, and the figures kept.
    pub trait StatsStore {
        /// The organization's facts from `first` on (`first_us`: the same day in Unix µs):
        /// deliveries made, case files not closed before it, their changes of state, first
        /// accesses, applications filed, decided or granted and waiting.
        fn stat_facts(&self, org_id: Uuid, first: time::Date, first_us: i64) -> domain::stats::Facts;
        /// Residents of the civil registry (alive, not moved out) by ISTAT code of the comune.
        fn stat_population(&self, org_id: Uuid) -> Vec<(String, i64)>;
        /// Active members of the organization with the role «assistente sociale».
        fn stat_social_workers(&self, org_id: Uuid) -> i64;
        /// Replaces every figure of the organization, dated `at_us`, in one transaction.
        fn replace_stat_figures(&self, org_id: Uuid, figures: &[domain::stats::Figure], at_us: i64) -> ();
        /// The figures of the years from `first_year` to `last_year`.
        fn stat_figures(&self, org_id: Uuid, first_year: i32, last_year: i32) -> Vec<domain::stats::Figure>;
        /// When the organization's figures were made, if ever.
        fn stat_refreshed(&self, org_id: Uuid) -> Option<i64>;
    }

    /// What several servers on one database share, so that any of them may answer any
    /// request (docs/installazione.md).
    pub trait ServerStore {
        /// Counts one more failure of `kind` for `login` from `address` at `now_us`; a counter
        /// last counted at or before `window_start_us` starts again from one.
        fn add_login_failure(&self, kind: &str, login: &str, address: &str, now_us: i64, window_start_us: i64) -> ();
        /// The counters that bear on `login` from `address` (that login's, that address's, the
        /// pair's), counted after `window_start_us`.
        fn login_failures_for(&self, login: &str, address: &str, window_start_us: i64) -> Vec<LoginFailure>;
        /// Every counter of `login` counted after `window_start_us`.
        fn login_failures_of(&self, login: &str, window_start_us: i64) -> Vec<LoginFailure>;
        fn delete_login_failure(&self, kind: &str, login: &str, address: &str) -> ();
        /// Forgets every counter of `login`; how many there were.
        fn delete_login_failures_of(&self, login: &str) -> u64;
        /// Removes the counters, messages and sign-ins older than `before_us` (past any window).
        fn purge_server_state(&self, before_us: i64) -> u64;
        /// Claims the run of `job` for `period` (INSERT … ON CONFLICT DO NOTHING): false when
        /// a server has claimed it already.
        fn claim_job_run(&self, job: &str, period: &str, server: &str, started_us: i64) -> bool;
        /// Records how the claimed run ended.
        fn finish_job_run(&self, job: &str, period: &str, finished_us: i64, ok: bool, detail: Option<&str>) -> ();
        /// Each job's runs, failures and last success.
        fn job_summaries(&self) -> Vec<JobSummary>;
        /// Removes the runs started before `before_us`.
        fn purge_job_runs(&self, before_us: i64) -> u64;
        fn put_flash(&self, id_hash: &str, kind: &str, text: &str, created_us: i64) -> ();
        /// The message, if it was put after `since_us`.
        fn get_flash(&self, id_hash: &str, since_us: i64) -> Option<(String, String)>;
        fn delete_flash(&self, id_hash: &str) -> ();
        fn put_pending_sign_in(&self, state_hash: &str, sign_in: &PendingSignIn) -> ();
        /// Removes and returns the sign-in (once: the server that deletes the row has it).
        fn take_pending_sign_in(&self, state_hash: &str) -> Option<PendingSignIn>;
    }
}

/// Everything the application needs from a store.
pub trait Stores:
    HealthStore
    + OrgStore
    + UserStore
    + SessionStore
    + TokenStore
    + PersonStore
    + MandateStore
    + DsuStore
    + HouseholdStore
    + AuditStore
    + RegistryStore
    + CaseStore
    + BenefitStore
    + PortalStore
    + SiussStore
    + CallStore
    + PaymentStore
    + BillStore
    + StatsStore
    + ServerStore
    + Clone
    + 'static
{
}

impl<T> Stores for T where
    T: HealthStore
        + OrgStore
        + UserStore
        + SessionStore
        + TokenStore
        + PersonStore
        + MandateStore
        + DsuStore
        + HouseholdStore
        + AuditStore
        + RegistryStore
        + CaseStore
        + BenefitStore
        + PortalStore
        + SiussStore
        + CallStore
        + PaymentStore
        + BillStore
        + StatsStore
        + ServerStore
        + Clone
        + 'static
{
}
