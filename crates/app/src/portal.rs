//! The citizens' portal: who the citizen is (the identity SPID or CIE vouched for, matched by
//! codice fiscale to the persons the organizations hold), whom they may act for (themselves
//! and the persons they represent under a mandate the office recorded), and what they see of
//! it: their applications and who in the office opened their file.
//!
//! A citizen's account is an ordinary account whose login is their codice fiscale in lower
//! case and whose only role, in every organization that holds them, is «cittadino»; it has no
//! usable password until the citizen chooses one through a link mailed to the address the
//! office recorded (local accounts, [`crate::portal_local`], off by default). The permission
//! policy gives that role the scope «own» on persons and applications, and every check below
//! computes that scope from the records, never from what the browser sends.

use crate::procedure::AppAccess;
use crate::read_log::Read;
use crate::{Actor, Error, Services};
use domain::application::ApplicationState;
use domain::localtime::today;
use domain::mandate::MandateKind;
use domain::org::OperatorNaming;
use domain::policy::{Action, RecordScope};
use domain::{Login, Role};
use store::{
    ApplicationFilter, ApplicationView, AuditStore, BenefitStore, MandateStore, Membership,
    OrgStore, Organization, Person, PersonStore, StoreError, User, UserStore,
};
use territory::codice_fiscale::CodiceFiscale;
use uuid::Uuid;

/// What the identity provider vouched for.
#[derive(Debug, Clone)]
pub struct PortalIdentity {
    pub codice_fiscale: CodiceFiscale,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    /// How the citizen signed in, for the audit row: "SPID", "CIE".
    pub method: String,
}

/// A person the citizen may act for, in the organization that holds the record.
#[derive(Debug, Clone)]
pub struct Represented {
    pub org: Organization,
    pub person: Person,
    /// `None`: the citizen themself; else the footing of the mandate.
    pub mandate: Option<MandateKind>,
}

/// A signed-in citizen and the persons they act for.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub user: User,
    pub persons: Vec<Represented>,
}

impl Citizen {
    /// The citizen acting in `org`, with the citizen's role.
    pub fn actor(&self, org: &Organization, now: time::OffsetDateTime) -> Actor {
        Actor::user(&self.user, org.clone(), Role::Cittadino, now)
    }

    /// The scope of `person_id` in `org_id` for this citizen: own when they act for the
    /// person, else another organization's or this one's, which the policy refuses to a
    /// citizen either way.
    pub fn scope(&self, org_id: Uuid, person_id: Uuid) -> RecordScope {
        if self
            .persons
            .iter()
            .any(|r| r.org.id == org_id && r.person.id == person_id)
        {
            RecordScope::Own
        } else {
            RecordScope::SameOrg
        }
    }

    /// The citizen's own record in `org`, if it holds one.
    pub fn own_in(&self, org_id: Uuid) -> Option<&Represented> {
        self.persons
            .iter()
            .find(|r| r.org.id == org_id && r.mandate.is_none())
    }
}

/// The login of a citizen's account: the codice fiscale in lower case.
pub fn citizen_login(cf: &CodiceFiscale) -> Result<Login, Error> {
    Login::parse(&cf.as_str().to_lowercase())
        .map_err(|e| Error::Internal(format!("login del cittadino: {}", e.message)))
}

/// The message for a citizen none of the organizations holds.
pub const UNKNOWN_CITIZEN: &str = "Non risulti tra le persone seguite dai servizi sociali di questo portale. Per presentare la prima domanda rivolgiti allo sportello del tuo Comune.";

/// Signs a citizen in: finds or creates their account ([`citizen_account`]) and writes the
/// audit row of the access in each organization that holds them.
pub async fn sign_in(state: &Services, id: &PortalIdentity) -> Result<User, Error> {
    let user = citizen_account(state, id).await?;
    record_sign_in(state, &user, &id.method).await?;
    Ok(user)
}

/// The organizations that hold a person with the codice fiscale `cf` (active ones, the
/// person not merged into another), with the person.
pub async fn holders(
    state: &Services,
    cf: &CodiceFiscale,
) -> Result<Vec<(Organization, Person)>, Error> {
    let mut holders = Vec::new();
    for org in state.store.list_orgs().await? {
        if !org.active {
            continue;
        }
        match state.store.find_person_by_cf(org.id, cf.as_str()).await {
            Ok(p) if p.merged_into.is_none() => holders.push((org, p)),
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(holders)
}

/// The citizen's account: found or created, with the citizen's role in every organization
/// that holds a person with their codice fiscale. Refuses an account that is an operator's
/// (a login equal to a codice fiscale must not open the office to the portal), a disabled
/// one, and a citizen no organization holds.
pub async fn citizen_account(state: &Services, id: &PortalIdentity) -> Result<User, Error> {
    let now = state.clock.now();
    let login = citizen_login(&id.codice_fiscale)?;
    let holders = holders(state, &id.codice_fiscale).await?;
    let existing = match state.store.get_user_by_login(&login).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let user = match existing {
        Some(u) => {
            admit(state, &u, holders.is_empty()).await?;
            u
        }
        None => {
            let Some((first, _)) = holders.first() else {
                return Err(Error::BadRequest(UNKNOWN_CITIZEN.into()));
            };
            create_account(state, id, login, first, now).await?
        }
    };
    grant_roles(state, &user, &holders).await?;
    Ok(user)
}

/// Whether an existing account may enter the portal: a citizen's (no other role), active,
/// held by some organization (`unheld`: none holds the codice fiscale now).
pub(crate) async fn admit(state: &Services, u: &User, unheld: bool) -> Result<(), Error> {
    let roles = state.store.memberships(u.id).await?;
    if roles.iter().any(|m| m.role != Role::Cittadino) {
        tracing::warn!(login = %u.login, "accesso al portale con un account di operatore");
        return Err(Error::Forbidden);
    }
    // A disabled account is refused like an operator's: the portal says to ask the
    // counter, without saying why.
    if !u.active {
        return Err(Error::Forbidden);
    }
    if roles.is_empty() && unheld {
        return Err(Error::BadRequest(UNKNOWN_CITIZEN.into()));
    }
    Ok(())
}

/// Gives the account the citizen's role in each of `holders` it does not belong to yet.
pub(crate) async fn grant_roles(
    state: &Services,
    user: &User,
    holders: &[(Organization, Person)],
) -> Result<(), Error> {
    let now = state.clock.now();
    let held = state.store.memberships(user.id).await?;
    for (org, _) in holders {
        if !held.iter().any(|m: &Membership| m.org.id == org.id) {
            let actor = Actor::system(org.clone(), now);
            let audit = actor.audit(
                "user.role",
                "user",
                Some(user.id),
                format!(
                    "{} riconosciuto/a dal portale come persona dell'ente: ruolo cittadino",
                    user.full_name
                ),
            );
            state
                .store
                .set_membership(user.id, org.id, Role::Cittadino, &audit)
                .await?;
        }
    }
    Ok(())
}

/// The audit row of a sign-in to the portal with `method` («SPID», «account locale»), in
/// each organization of the account.
pub(crate) async fn record_sign_in(
    state: &Services,
    user: &User,
    method: &str,
) -> Result<(), Error> {
    let now = state.clock.now();
    for m in state.store.memberships(user.id).await? {
        let actor = Actor::user(user, m.org.clone(), Role::Cittadino, now);
        let audit = actor.audit(
            "session.portal_login",
            "user",
            Some(user.id),
            format!("Accesso al portale del cittadino con {method}"),
        );
        state.store.append_audit(&audit).await?;
    }
    Ok(())
}

async fn create_account(
    state: &Services,
    id: &PortalIdentity,
    login: Login,
    org: &Organization,
    now: time::OffsetDateTime,
) -> Result<User, Error> {
    // No password until the citizen chooses one with a link mailed to the address the office
    // recorded (`portal_local`): the hash of a random secret nobody keeps fills the column.
    let (unusable, _) = crate::credentials::new_secret("")?;
    let user = User {
        id: Uuid::now_v7(),
        login,
        full_name: format!("{} {}", id.given_name.trim(), id.family_name.trim()),
        email: id.email.clone().filter(|e| !e.trim().is_empty()),
        password_hash: crate::credentials::hash_password(unusable).await?,
        must_change_password: false,
        totp_secret: None,
        active: true,
        created_at: now,
        one_time_until_us: None,
    };
    let actor = Actor::system(org.clone(), now);
    let audit = actor.audit(
        "user.create",
        "user",
        Some(user.id),
        format!(
            "Account del portale per {} ({}), primo accesso con {}",
            user.full_name, user.login, id.method
        ),
    );
    state
        .store
        .create_user(&user, org.id, Role::Cittadino, &audit)
        .await?;
    Ok(user)
}

/// The citizen behind an account with its `memberships` (as the session's query read them),
/// with the persons they act for today. `None` for an account that is not a citizen's
/// (operators do not use the portal).
pub async fn citizen(
    state: &Services,
    user: User,
    memberships: Vec<Membership>,
) -> Result<Option<Citizen>, Error> {
    if memberships.is_empty() || memberships.iter().any(|m| m.role != Role::Cittadino) {
        return Ok(None);
    }
    let on = today(state.clock.now());
    let cf = user.login.as_str().to_uppercase();
    let mut persons = Vec::new();
    for m in memberships.into_iter().filter(|m| m.org.active) {
        match state.store.find_person_by_cf(m.org.id, &cf).await {
            Ok(p) if p.merged_into.is_none() => persons.push(Represented {
                org: m.org.clone(),
                person: p,
                mandate: None,
            }),
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        for (person_id, kind) in state
            .store
            .persons_represented(m.org.id, user.id, on)
            .await?
        {
            if persons
                .iter()
                .any(|r: &Represented| r.org.id == m.org.id && r.person.id == person_id)
            {
                continue;
            }
            let person = state.store.get_person(m.org.id, person_id).await?;
            persons.push(Represented {
                org: m.org.clone(),
                person,
                mandate: Some(kind),
            });
        }
    }
    Ok(Some(Citizen { user, persons }))
}

/// One application as the citizen's list shows it.
#[derive(Debug, Clone)]
pub struct MyApplication {
    pub org: Organization,
    pub view: ApplicationView,
}

/// Every application of the persons the citizen acts for, newest first. The list itself is
/// not a read of a record; opening one is, and is logged.
pub async fn applications(state: &Services, c: &Citizen) -> Result<Vec<MyApplication>, Error> {
    let mut out = Vec::new();
    for r in &c.persons {
        let actor = c.actor(&r.org, state.clock.now());
        actor.authorize(Action::ApplicationView, RecordScope::Own)?;
        for view in state
            .store
            .list_applications(r.org.id, &ApplicationFilter::of_person(r.person.id, 200))
            .await?
        {
            // Drafts are the office's work in progress until filed.
            if view.app.state != ApplicationState::Draft {
                out.push(MyApplication {
                    org: r.org.clone(),
                    view,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (b.view.app.submitted_on, &b.view.app.protocol)
            .cmp(&(a.view.app.submitted_on, &a.view.app.protocol))
    });
    Ok(out)
}

/// One application of the citizen's, as the shared services take it: the citizen acting in
/// the application's organization, and the application with the citizen's scope on it.
pub struct CitizenApp {
    pub actor: Actor,
    pub org: Organization,
    pub access: AppAccess,
}

/// One application of the citizen's, opened: authorized as the citizen's own, logged as a
/// read like an operator's.
pub async fn application(state: &Services, c: &Citizen, id: Uuid) -> Result<CitizenApp, Error> {
    let mine = acting_on(state, c, id).await?;
    state
        .reads
        .view(&mine.actor, Read::Application, mine.access.view.app.id)
        .await;
    Ok(mine)
}

/// One application of the citizen's, for a service that acts on it (a message, a document,
/// a letter) and authorizes the action itself: found in the organizations of the persons
/// the citizen acts for, readable by the citizen, filed (drafts are the office's).
pub async fn acting_on(state: &Services, c: &Citizen, id: Uuid) -> Result<CitizenApp, Error> {
    for org in distinct_orgs(c) {
        let view = match state.store.get_application(org.id, id).await {
            Ok(v) => v,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let actor = c.actor(org, state.clock.now());
        let scope = c.scope(org.id, view.app.person_id);
        actor.authorize(Action::ApplicationView, scope)?;
        if view.app.state == ApplicationState::Draft {
            return Err(Error::NotFound);
        }
        return Ok(CitizenApp {
            actor,
            org: org.clone(),
            access: AppAccess { view, scope },
        });
    }
    Err(Error::NotFound)
}

/// A document of one of the citizen's applications, with its content: logged as a read.
pub async fn document(
    state: &Services,
    c: &Citizen,
    application_id: Uuid,
    document_id: Uuid,
) -> Result<(store::ApplicationDocument, Vec<u8>), Error> {
    let mine = acting_on(state, c, application_id).await?;
    let (d, content) = state
        .store
        .application_document_content(mine.org.id, document_id)
        .await?;
    if d.application_id != mine.access.view.app.id {
        return Err(Error::NotFound);
    }
    state
        .reads
        .view(&mine.actor, Read::ApplicationDocument, d.id)
        .await;
    Ok((d, content))
}

fn distinct_orgs(c: &Citizen) -> Vec<&Organization> {
    let mut orgs: Vec<&Organization> = Vec::new();
    for r in &c.persons {
        if !orgs.iter().any(|o| o.id == r.org.id) {
            orgs.push(&r.org);
        }
    }
    orgs
}

/// One time someone in the office opened a record of the person.
#[derive(Debug, Clone)]
pub struct AccessEntry {
    pub at: time::OffsetDateTime,
    pub org_name: String,
    pub who: Operator,
    pub what: Opened,
    /// The reason given for a break-glass access.
    pub reason: Option<String>,
}

/// The operator who opened the data, as the organization's settings name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    /// By name and surname (or the login the row was written with, for someone no longer in
    /// the organization).
    Name(String),
    /// By the role they have in the organization.
    Role(Role),
    /// Only by role, and they are no longer in the organization.
    Former,
}

/// What an operator opened, for the citizen's words in their language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    Person,
    Isee,
    Application,
    Document,
    CaseFile,
    Assessment,
    Plan,
    Access,
    Household,
    Confidential,
    Other,
}

impl Opened {
    fn of(action: &str) -> Opened {
        match action {
            "person.view" => Opened::Person,
            "attestation.view" | "dsu.view" => Opened::Isee,
            "application.view" => Opened::Application,
            "document.view" => Opened::Document,
            "casefile.view" => Opened::CaseFile,
            "assessment.view" => Opened::Assessment,
            "plan.view" => Opened::Plan,
            "access.view" => Opened::Access,
            "household.view" => Opened::Household,
            "confidential.view" => Opened::Confidential,
            _ => Opened::Other,
        }
    }

    /// The key of its words in the portal's catalogues.
    pub fn key(self) -> &'static str {
        match self {
            Opened::Person => "opened-person",
            Opened::Isee => "opened-isee",
            Opened::Application => "opened-application",
            Opened::Document => "opened-document",
            Opened::CaseFile => "opened-casefile",
            Opened::Assessment => "opened-assessment",
            Opened::Plan => "opened-plan",
            Opened::Access => "opened-access",
            Opened::Household => "opened-household",
            Opened::Confidential => "opened-confidential",
            Opened::Other => "opened-other",
        }
    }
}

/// The most entries the access log shows.
pub const ACCESS_LOG_LIMIT: i64 = 500;

/// Who in the office opened the records of a person the citizen acts for (reads only, not
/// the citizen's own), newest first, each operator named as the organization decided (name or
/// role). Reading it is itself logged as a read of the person.
pub async fn access_log(
    state: &Services,
    c: &Citizen,
    org_id: Uuid,
    person_id: Uuid,
) -> Result<Vec<AccessEntry>, Error> {
    let r = c
        .persons
        .iter()
        .find(|r| r.org.id == org_id && r.person.id == person_id)
        .ok_or(Error::NotFound)?;
    let actor = c.actor(&r.org, state.clock.now());
    actor.authorize(Action::PersonView, c.scope(org_id, person_id))?;
    let rows = state
        .store
        .person_audit(org_id, person_id, ACCESS_LOG_LIMIT, 0, Some(c.user.id))
        .await?;
    let naming = state
        .store
        .org_portal_settings(org_id)
        .await?
        .operator_naming;
    // The operators in one read.
    let members: std::collections::HashMap<Uuid, store::Member> = state
        .store
        .list_members(org_id)
        .await?
        .into_iter()
        .map(|m| (m.user.id, m))
        .collect();
    let mut out = Vec::new();
    for row in rows {
        let member = row.actor_id.and_then(|id| members.get(&id));
        let who = match (naming, member) {
            (OperatorNaming::Name, Some(m)) => Operator::Name(m.user.full_name.clone()),
            (OperatorNaming::Name, None) => Operator::Name(row.actor.clone()),
            (OperatorNaming::Role, Some(m)) => Operator::Role(m.role),
            (OperatorNaming::Role, None) => Operator::Former,
        };
        out.push(AccessEntry {
            at: row.at,
            org_name: r.org.name.clone(),
            who,
            what: Opened::of(&row.action),
            reason: row.reason.clone(),
        });
    }
    state.reads.view(&actor, Read::Person, person_id).await;
    Ok(out)
}

/// The benefits an organization shows on the portal: the active ones of its catalogue.
pub async fn public_benefits(
    state: &Services,
    org: &Organization,
) -> Result<Vec<store::Benefit>, Error> {
    Ok(state
        .store
        .list_benefits(org.id)
        .await?
        .into_iter()
        .filter(|b| b.data.active)
        .collect())
}

/// The organization's portal settings, for its page.
pub async fn settings_for_edit(
    state: &Services,
    ctx: &Actor,
) -> Result<store::OrgPortalSettings, Error> {
    ctx.authorize(Action::PortalSettingsEdit, RecordScope::SameOrg)?;
    Ok(state.store.org_portal_settings(ctx.org.id).await?)
}

/// Stores the organization's portal settings over the `version` read, with their audit row;
/// a choice not on the list is the field's error.
pub async fn save_settings(
    state: &Services,
    ctx: &Actor,
    operator_naming: &str,
    version: &str,
) -> Result<Result<(), domain::FieldError>, Error> {
    ctx.authorize(Action::PortalSettingsEdit, RecordScope::SameOrg)?;
    let naming = match OperatorNaming::parse(operator_naming) {
        Ok(n) => n,
        Err(e) => return Ok(Err(e)),
    };
    let read: i64 = crate::read_version(version, "delle impostazioni")?;
    let audit = ctx.audit(
        "org.portal_settings",
        "organization",
        Some(ctx.org.id),
        format!(
            "Portale del cittadino di {}: il registro degli accessi indica {}",
            ctx.org.name,
            match naming {
                OperatorNaming::Name => "il nome dell'operatore",
                OperatorNaming::Role => "solo il ruolo dell'operatore",
            }
        ),
    );
    state
        .store
        .save_org_portal_settings(
            &store::OrgPortalSettings {
                org_id: ctx.org.id,
                operator_naming: naming,
                version: read + 1,
                updated_at_us: domain::audit::unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}
