//! The permission policy: one pure function from (actor, action, record scope) to a decision.
//! Deny by default: every allowed combination is written out below, and every handler calls
//! [`decide`] (through the web layer's `authorize`) before it reads or changes anything.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Amministratore,
    Responsabile,
    AssistenteSociale,
    OperatoreSportello,
    OperatoreCaf,
    Ragioneria,
    Revisore,
    Cittadino,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Amministratore,
        Role::Responsabile,
        Role::AssistenteSociale,
        Role::OperatoreSportello,
        Role::OperatoreCaf,
        Role::Ragioneria,
        Role::Revisore,
        Role::Cittadino,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Amministratore => "amministratore",
            Role::Responsabile => "responsabile",
            Role::AssistenteSociale => "assistente_sociale",
            Role::OperatoreSportello => "operatore_sportello",
            Role::OperatoreCaf => "operatore_caf",
            Role::Ragioneria => "ragioneria",
            Role::Revisore => "revisore",
            Role::Cittadino => "cittadino",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Amministratore => "Amministratore",
            Role::Responsabile => "Responsabile",
            Role::AssistenteSociale => "Assistente sociale",
            Role::OperatoreSportello => "Operatore di sportello",
            Role::OperatoreCaf => "Operatore CAF",
            Role::Ragioneria => "Ragioneria",
            Role::Revisore => "Revisore",
            Role::Cittadino => "Cittadino",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A second factor (TOTP) is required for every role that can read case files or that
    /// holds the keys to others' data (user management, the audit log). Derived from the
    /// policy itself so that the two can never disagree.
    pub fn requires_second_factor(self) -> bool {
        let actor = |system| Actor {
            role: self,
            system_org: system,
            active: true,
        };
        [false, true].into_iter().any(|system| {
            [Action::CaseFileRead, Action::UserManage, Action::AuditView]
                .into_iter()
                .any(|action| {
                    RecordScope::ALL
                        .into_iter()
                        .any(|scope| decide(&actor(system), action, scope).is_allowed())
                })
        })
    }
}

/// What a handler is about to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    OrgView,
    OrgManage,
    /// Edit the organization's letterhead (carta intestata): its administrator or
    /// responsabile.
    LetterheadEdit,
    /// Set how the citizens' portal works for the organization (how the access log names
    /// the operators): its administrator or responsabile.
    PortalSettingsEdit,
    UserView,
    UserManage,
    /// End another user's sessions, list them.
    SessionManage,
    /// Create or revoke API tokens of other users (everyone manages their own).
    TokenManage,
    AuditView,
    AuditExport,
    PersonView,
    PersonEdit,
    /// Merge a duplicate person into another (keeps both histories).
    PersonMerge,
    /// Load the comune's civil-registry list of residents.
    RegistryImport,
    /// Record and read first-access records (schede di accesso) of the segretariato sociale.
    AccessRecord,
    /// Book, move and cancel interviews in the workers' calendars.
    AppointmentManage,
    CaseFileRead,
    CaseFileWrite,
    /// Read a confidential (riservato) diary entry.
    ConfidentialRead,
    /// Open a confidential record one is not assigned to, giving a reason (logged, shown).
    BreakGlass,
    ApplicationView,
    ApplicationFile,
    /// Review an application (istruttoria: start it, ask for documents, resume it) and
    /// record its delivery.
    ApplicationReview,
    /// Decide an application: notice before rejection, acceptance, rejection, archiving.
    ApplicationDecide,
    /// Read the DSUs typed at the counter and their provisional calculation.
    DsuView,
    /// Open, fill, sign, transmit and correct a DSU at the counter.
    DsuEdit,
    /// Prepare the monthly payment lists, approve them, write the SEPA file, import the
    /// bank's return, keep the beneficiaries' IBANs: the ragioneria.
    PaymentManage,
    /// Keep the funds: their yearly allocations and the benefits that draw on them (the
    /// responsabile and the ragioneria).
    FundManage,
    /// Issue the co-payment bills (rette) with their pagoPA notices, record their payments
    /// and remind the debtors (the responsabile and the ragioneria).
    BillManage,
    ReportView,
    CatalogueManage,
    /// See the organization's SIUSS records (PS, PSA, SINA, SINBA), fix its SIUSS settings
    /// and export the files for INPS.
    SiussManage,
    /// Open calls for applications (bandi), set their scoring rules and budget, compute,
    /// approve and publish their rankings and fund down them.
    CallManage,
    /// See and end one's own sessions, create and revoke one's own API tokens.
    OwnAccount,
}

impl Action {
    pub const ALL: [Action; 34] = [
        Action::OrgView,
        Action::OrgManage,
        Action::LetterheadEdit,
        Action::PortalSettingsEdit,
        Action::UserView,
        Action::UserManage,
        Action::SessionManage,
        Action::TokenManage,
        Action::AuditView,
        Action::AuditExport,
        Action::PersonView,
        Action::PersonEdit,
        Action::PersonMerge,
        Action::RegistryImport,
        Action::AccessRecord,
        Action::AppointmentManage,
        Action::CaseFileRead,
        Action::CaseFileWrite,
        Action::ConfidentialRead,
        Action::BreakGlass,
        Action::ApplicationView,
        Action::ApplicationFile,
        Action::ApplicationReview,
        Action::ApplicationDecide,
        Action::DsuView,
        Action::DsuEdit,
        Action::PaymentManage,
        Action::FundManage,
        Action::BillManage,
        Action::ReportView,
        Action::CatalogueManage,
        Action::SiussManage,
        Action::CallManage,
        Action::OwnAccount,
    ];
}

/// Where the record stands relative to the actor. The web layer computes it from the record
/// (its organization, who filed it, who is assigned) before asking the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordScope {
    /// Filed or owned by the actor (a CAF operator's own applications, a citizen's own data).
    Own,
    /// The actor is an assigned worker of the record (case files).
    Assigned,
    /// Any other record of the organization the actor is acting in.
    SameOrg,
    /// A record of another organization.
    OtherOrg,
}

impl RecordScope {
    pub const ALL: [RecordScope; 4] = [
        RecordScope::Own,
        RecordScope::Assigned,
        RecordScope::SameOrg,
        RecordScope::OtherOrg,
    ];

    /// Scopes are nested: what is allowed on any record of the organization is allowed on
    /// the actor's own and assigned records too.
    fn within(self, widest: RecordScope) -> bool {
        use RecordScope::*;
        match widest {
            OtherOrg => true,
            SameOrg => self != OtherOrg,
            Assigned => matches!(self, Own | Assigned),
            Own => self == Own,
        }
    }
}

/// The user as the policy sees them: the role held in the organization they are acting in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub role: Role,
    /// Acting inside the installation's own organization (kind `sistema`).
    pub system_org: bool,
    /// A disabled account is denied everything, whatever its role.
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// The widest scope in which `role` may perform `action`; `None` means never.
fn widest_scope(role: Role, system_org: bool, action: Action) -> Option<RecordScope> {
    use Action::*;
    use RecordScope::*;
    use Role::*;
    match (role, action) {
        // The installation's administrators manage every organization and its accounts;
        // an organization's own administrator manages only that organization.
        (
            Amministratore,
            OrgView | OrgManage | LetterheadEdit | PortalSettingsEdit | UserView | UserManage
            | SessionManage | TokenManage,
        ) => Some(if system_org { OtherOrg } else { SameOrg }),
        // The installation's auditors (DPO) read every organization's log.
        (Amministratore, RegistryImport) => Some(SameOrg),
        // The installation exports each ente's SIUSS and SEPA files from the command line
        // (acting in the ente as its administrator) and seeds the demonstration's funds; an
        // administrator's account acting in the `sistema` organization sees only that
        // organization's records, which are none.
        (Amministratore, SiussManage | PaymentManage | FundManage | BillManage) if system_org => {
            Some(SameOrg)
        }
        (Revisore, AuditView | AuditExport) => Some(if system_org { OtherOrg } else { SameOrg }),
        (Revisore, OrgView | UserView | ReportView) => Some(SameOrg),

        (
            Responsabile,
            OrgView | UserView | PersonView | PersonEdit | PersonMerge | RegistryImport
            | AccessRecord | AppointmentManage | CaseFileRead | CaseFileWrite | ApplicationView
            | ApplicationFile | ApplicationReview | ApplicationDecide | ReportView
            | CatalogueManage | SessionManage | BreakGlass | DsuView | DsuEdit | LetterheadEdit
            | PortalSettingsEdit | SiussManage | CallManage | FundManage | BillManage,
        ) => Some(SameOrg),
        // Confidential entries are for the workers assigned to the case file; anyone else,
        // the responsabile included, opens them through a logged break-glass access.
        (Responsabile | AssistenteSociale, ConfidentialRead) => Some(Assigned),

        (
            AssistenteSociale,
            OrgView | PersonView | PersonEdit | AccessRecord | AppointmentManage | CaseFileRead
            | ApplicationView | ApplicationFile | ApplicationReview | DsuView | DsuEdit,
        ) => Some(SameOrg),
        (AssistenteSociale, CaseFileWrite) => Some(Assigned),
        (AssistenteSociale, BreakGlass) => Some(SameOrg),

        (
            OperatoreSportello,
            OrgView | PersonView | PersonEdit | AccessRecord | AppointmentManage | ApplicationView
            | ApplicationFile | ApplicationReview | DsuView | DsuEdit,
        ) => Some(SameOrg),

        // A CAF operator sees only what they filed.
        (OperatoreCaf, OrgView) => Some(SameOrg),
        (OperatoreCaf, PersonView | ApplicationView | ApplicationFile) => Some(Own),

        (
            Ragioneria,
            OrgView | ApplicationView | PaymentManage | FundManage | BillManage | ReportView,
        ) => Some(SameOrg),

        (Cittadino, PersonView | ApplicationView | ApplicationFile) => Some(Own),

        // Every account manages its own sessions and tokens, and only those.
        (_, OwnAccount) => Some(Own),

        _ => None,
    }
}

/// Decides whether `actor` may perform `action` on a record in `scope`. Deny by default.
pub fn decide(actor: &Actor, action: Action, scope: RecordScope) -> Decision {
    if !actor.active {
        return Decision::Deny;
    }
    match widest_scope(actor.role, actor.system_org, action) {
        Some(widest) if scope.within(widest) => Decision::Allow,
        _ => Decision::Deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use RecordScope::*;
    use Role::*;

    /// The whole matrix, row by row: role, acting in the system organization, action, and
    /// the scopes that are allowed. Everything not listed must be denied.
    fn expected() -> Vec<(Role, bool, Action, &'static [RecordScope])> {
        const SAME: &[RecordScope] = &[Own, Assigned, SameOrg];
        const ALL: &[RecordScope] = &[Own, Assigned, SameOrg, OtherOrg];
        const ASSIGNED: &[RecordScope] = &[Own, Assigned];
        const OWN: &[RecordScope] = &[Own];
        let mut rows = Vec::new();
        for sys in [false, true] {
            for a in [
                OrgView,
                OrgManage,
                LetterheadEdit,
                PortalSettingsEdit,
                UserView,
                UserManage,
                SessionManage,
                TokenManage,
            ] {
                rows.push((Amministratore, sys, a, if sys { ALL } else { SAME }));
            }
            rows.push((Amministratore, sys, RegistryImport, SAME));
            if sys {
                rows.push((Amministratore, sys, SiussManage, SAME));
                rows.push((Amministratore, sys, PaymentManage, SAME));
                rows.push((Amministratore, sys, FundManage, SAME));
                rows.push((Amministratore, sys, BillManage, SAME));
            }
            for a in [AuditView, AuditExport] {
                rows.push((Revisore, sys, a, if sys { ALL } else { SAME }));
            }
            for a in [OrgView, UserView, ReportView] {
                rows.push((Revisore, sys, a, SAME));
            }
            for a in [
                OrgView,
                UserView,
                PersonView,
                PersonEdit,
                PersonMerge,
                RegistryImport,
                AccessRecord,
                AppointmentManage,
                CaseFileRead,
                CaseFileWrite,
                ApplicationView,
                ApplicationFile,
                ApplicationReview,
                ApplicationDecide,
                ReportView,
                CatalogueManage,
                SessionManage,
                BreakGlass,
                DsuView,
                DsuEdit,
                LetterheadEdit,
                PortalSettingsEdit,
                SiussManage,
                CallManage,
                FundManage,
                BillManage,
            ] {
                rows.push((Responsabile, sys, a, SAME));
            }
            rows.push((Responsabile, sys, ConfidentialRead, ASSIGNED));
            for a in [
                OrgView,
                PersonView,
                PersonEdit,
                AccessRecord,
                AppointmentManage,
                CaseFileRead,
                ApplicationView,
                ApplicationFile,
                ApplicationReview,
                BreakGlass,
                DsuView,
                DsuEdit,
            ] {
                rows.push((AssistenteSociale, sys, a, SAME));
            }
            for a in [CaseFileWrite, ConfidentialRead] {
                rows.push((AssistenteSociale, sys, a, ASSIGNED));
            }
            for a in [
                OrgView,
                PersonView,
                PersonEdit,
                AccessRecord,
                AppointmentManage,
                ApplicationView,
                ApplicationFile,
                ApplicationReview,
                DsuView,
                DsuEdit,
            ] {
                rows.push((OperatoreSportello, sys, a, SAME));
            }
            rows.push((OperatoreCaf, sys, OrgView, SAME));
            for a in [PersonView, ApplicationView, ApplicationFile] {
                rows.push((OperatoreCaf, sys, a, OWN));
                rows.push((Cittadino, sys, a, OWN));
            }
            for a in [
                OrgView,
                ApplicationView,
                PaymentManage,
                FundManage,
                BillManage,
                ReportView,
            ] {
                rows.push((Ragioneria, sys, a, SAME));
            }
            for role in Role::ALL {
                rows.push((role, sys, OwnAccount, OWN));
            }
        }
        rows
    }

    #[test]
    fn the_whole_matrix_matches_the_table_and_everything_else_is_denied() {
        let table = expected();
        let mut checked = 0;
        for role in Role::ALL {
            for sys in [false, true] {
                for action in Action::ALL {
                    for scope in RecordScope::ALL {
                        let want = table
                            .iter()
                            .find(|(r, s, a, _)| *r == role && *s == sys && *a == action)
                            .is_some_and(|(_, _, _, scopes)| scopes.contains(&scope));
                        let actor = Actor {
                            role,
                            system_org: sys,
                            active: true,
                        };
                        assert_eq!(
                            decide(&actor, action, scope).is_allowed(),
                            want,
                            "{role:?} (sistema: {sys}) {action:?} on {scope:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 8 * 2 * Action::ALL.len() * 4);
    }

    #[test]
    fn a_disabled_account_is_denied_everything() {
        for role in Role::ALL {
            for action in Action::ALL {
                for scope in RecordScope::ALL {
                    let actor = Actor {
                        role,
                        system_org: true,
                        active: false,
                    };
                    assert_eq!(decide(&actor, action, scope), Decision::Deny);
                }
            }
        }
    }

    #[test]
    fn second_factor_is_required_for_roles_that_read_case_files_or_hold_keys() {
        let with: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.requires_second_factor())
            .collect();
        assert_eq!(
            with,
            vec![Amministratore, Responsabile, AssistenteSociale, Revisore]
        );
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
