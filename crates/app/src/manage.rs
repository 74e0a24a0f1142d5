//! Operations shared by the administration pages and the command line: first start,
//! organizations, accounts, tokens, audit verification. Each validates its input into domain
//! types and writes through the store with its audit row.

use crate::Store;
use crate::{Actor, Error};
use domain::audit::{Anchor, AnchoredHead, AuditKey, ChainProblem, verify_chain};
use domain::{FieldError, Login, OrgCode, OrgKind, Role};
use store::{
    ApiToken, AuditStore, NewAudit, OrgComune, OrgStore, Organization, StoreError, TokenStore,
    User, UserStore,
};
use time::OffsetDateTime;
use uuid::Uuid;

pub const SYSTEM_ORG_CODE: &str = "sistema";
pub const ADMIN_LOGIN: &str = "admin";

/// What the first start did, to be printed once.
pub struct Bootstrap {
    pub login: String,
    /// The generated one-time password, or `None` when it came from the environment.
    pub generated_password: Option<String>,
}

/// On an empty database: creates the installation's organization and its administrator, who
/// must change the password at the first login. Does nothing on a database already in use.
pub async fn bootstrap(
    store: &Store,
    at: OffsetDateTime,
    password: Option<String>,
) -> Result<Option<Bootstrap>, Error> {
    if store.count_orgs().await? > 0 {
        return Ok(None);
    }
    let org = new_org(
        OrgCode::parse(SYSTEM_ORG_CODE).map_err(|e| Error::Internal(e.to_string()))?,
        "Amministrazione di sistema".into(),
        OrgKind::Sistema,
        at,
    );
    let actor = Actor::system(org.clone(), at);
    store
        .create_org(
            &org,
            &[],
            &actor.audit(
                "org.create",
                "organization",
                Some(org.id),
                "primo avvio: creato l'ente di sistema".into(),
            ),
        )
        .await?;
    let generated = password.is_none();
    let password = match password {
        Some(p) => p,
        None => crate::credentials::one_time_password()?,
    };
    let login = Login::parse(ADMIN_LOGIN).map_err(|e| Error::Internal(e.to_string()))?;
    create_user(
        store,
        &actor,
        &org,
        login,
        "Amministratore di sistema".into(),
        None,
        Role::Amministratore,
        password.clone(),
    )
    .await?;
    Ok(Some(Bootstrap {
        login: ADMIN_LOGIN.into(),
        generated_password: generated.then_some(password),
    }))
}

/// Reads a list of ISTAT codes (separated by commas, spaces or new lines) into the comuni an
/// organization covers.
pub fn parse_comuni(text: &str) -> Result<Vec<OrgComune>, FieldError> {
    let mut out: Vec<OrgComune> = Vec::new();
    for code in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let valid = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
        if !valid {
            return Err(FieldError::new(
                "comuni",
                format!(
                    "«{code}» non è un codice ISTAT: servono 6 cifre, ad esempio 016024 per Bergamo"
                ),
            ));
        }
        let Some(c) = territory::comune_by_istat(code) else {
            return Err(FieldError::new(
                "comuni",
                format!("il codice ISTAT {code} non corrisponde a nessun comune in vigore"),
            ));
        };
        if out.iter().all(|o| o.istat_code != code) {
            out.push(OrgComune {
                istat_code: code.to_owned(),
                belfiore_code: c.belfiore.as_str().to_owned(),
                name: c.name.to_owned(),
                province: c.province.unwrap_or("").to_owned(),
            });
        }
    }
    Ok(out)
}

/// Checks an organization's fields together; returns every problem at once.
pub fn parse_org(
    code: &str,
    name: &str,
    kind: &str,
    comuni: &str,
) -> Result<(OrgCode, String, OrgKind, Vec<OrgComune>), Vec<FieldError>> {
    let code = OrgCode::parse(code);
    let name = domain::org::parse_org_name(name);
    let kind = OrgKind::parse(kind).and_then(|k| {
        if k == OrgKind::Sistema {
            Err(FieldError::new(
                "tipo",
                "l'ente di sistema esiste già: scegli un altro tipo",
            ))
        } else {
            Ok(k)
        }
    });
    let comuni = parse_comuni(comuni).and_then(|c| match &kind {
        Ok(OrgKind::Comune) if c.len() != 1 => Err(FieldError::new(
            "comuni",
            "per un Comune indica il suo codice ISTAT, uno solo",
        )),
        Ok(OrgKind::AmbitoTerritoriale) if c.is_empty() => Err(FieldError::new(
            "comuni",
            "indica i codici ISTAT dei comuni dell'Ambito",
        )),
        Ok(k) if !k.has_comuni() && !c.is_empty() => Err(FieldError::new(
            "comuni",
            "questo tipo di ente non ha comuni: lascia il campo vuoto",
        )),
        _ => Ok(c),
    });
    match (code, name, kind, comuni) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => Ok((a, b, c, d)),
        (a, b, c, d) => Err([a.err(), b.err(), c.err(), d.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// A new, active organization, not stored yet.
pub fn new_org(code: OrgCode, name: String, kind: OrgKind, at: OffsetDateTime) -> Organization {
    Organization {
        id: Uuid::now_v7(),
        code,
        name,
        kind,
        active: true,
        created_at: at,
    }
}

/// Stores `org` (made by [`new_org`]) with the comuni it covers; the audit row opens its chain.
pub async fn create_org(
    store: &Store,
    actor: &Actor,
    org: Organization,
    comuni: Vec<OrgComune>,
) -> Result<Organization, Error> {
    let summary = format!(
        "creato ente {} «{}» ({}){}",
        org.code,
        org.name,
        org.kind.label(),
        if comuni.is_empty() {
            String::new()
        } else {
            format!(
                ", comuni: {}",
                comuni
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    match store
        .create_org(
            &org,
            &comuni,
            &actor.audit_in(org.id, "org.create", "organization", Some(org.id), summary),
        )
        .await
    {
        Err(StoreError::Duplicate(_)) => Err(Error::BadRequest(format!(
            "esiste già un ente con codice {}",
            org.code
        ))),
        other => other.map_err(Error::from).map(|()| org),
    }
}

/// Creates an account with a first password that must be changed at the first login.
#[allow(clippy::too_many_arguments)]
pub async fn create_user(
    store: &Store,
    actor: &Actor,
    org: &Organization,
    login: Login,
    full_name: String,
    email: Option<String>,
    role: Role,
    password: String,
) -> Result<User, Error> {
    let user = User {
        id: Uuid::now_v7(),
        login,
        full_name,
        email,
        password_hash: crate::credentials::hash_password(password).await?,
        must_change_password: true,
        totp_secret: None,
        active: true,
        created_at: actor.now,
        one_time_until_us: Some(one_time_until(actor.now)),
    };
    let summary = format!(
        "creato utente {} ({}) con ruolo {} in {}",
        user.login,
        user.full_name,
        role.label(),
        org.code
    );
    match store
        .create_user(
            &user,
            org.id,
            role,
            &actor.audit_in(org.id, "user.create", "user", Some(user.id), summary),
        )
        .await
    {
        // The same words whoever holds the login, here or in another organization.
        Err(StoreError::Duplicate(_)) => Err(Error::BadRequest(
            "nome utente non disponibile: scegline un altro (ad esempio con l'iniziale del secondo nome o il codice dell'ente)".into(),
        )),
        other => other.map_err(Error::from).map(|()| user),
    }
}

/// How long a one-time password (new account, reset) is good for.
pub const ONE_TIME_PASSWORD_HOURS: i64 = 72;

fn one_time_until(at: OffsetDateTime) -> i64 {
    domain::audit::unix_micros(at + time::Duration::hours(ONE_TIME_PASSWORD_HOURS))
}

/// A reset no organization's log would show is refused: give the user a role first.
pub fn no_role_to_reset(user: &User) -> Error {
    Error::BadRequest(format!(
        "{} non ha ruoli in nessun ente: assegnagli un ruolo prima di reimpostare la password",
        user.login
    ))
}

/// Sets a new one-time password that the user must change within 72 hours at the next
/// login; ends their sessions and revokes their API tokens. Logged in every organization in
/// `org_ids` (each one the user belongs to must learn of it).
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    user: &User,
    org_ids: &[Uuid],
) -> Result<String, Error> {
    if org_ids.is_empty() {
        return Err(no_role_to_reset(user));
    }
    let password = crate::credentials::one_time_password()?;
    let change = store::PasswordChange {
        hash: crate::credentials::hash_password(password.clone()).await?,
        one_time_until_us: Some(one_time_until(actor.now)),
        revoke_tokens_at: Some(actor.now),
    };
    let audits: Vec<NewAudit> = org_ids
        .iter()
        .map(|org_id| {
            actor.audit_in(
                *org_id,
                "user.password_reset",
                "user",
                Some(user.id),
                format!(
                    "nuova password provvisoria per {} (valida {ONE_TIME_PASSWORD_HOURS} ore); sessioni chiuse e token API revocati",
                    user.login
                ),
            )
        })
        .collect();
    store.set_password(user.id, &change, &audits).await?;
    Ok(password)
}

/// Enables or disables an account (disabling ends its sessions), audited in `org_id`'s chain.
pub async fn set_active(
    store: &Store,
    actor: &Actor,
    user: &User,
    org_id: Uuid,
    active: bool,
) -> Result<(), Error> {
    let (action, what) = if active {
        ("user.enable", "riattivato")
    } else {
        ("user.disable", "disattivato; sessioni terminate")
    };
    let audit = actor.audit_in(
        org_id,
        action,
        "user",
        Some(user.id),
        format!("utente {} {what}", user.login),
    );
    Ok(store.set_active(user.id, active, &audit).await?)
}

/// The longest life of an API token: a year, renewed by making a new one.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// Creates an API token for `user` in `org` that ends after `days`; returns the token, shown
/// once, and its record.
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    user: &User,
    org: &Organization,
    name: &str,
    days: i64,
) -> Result<(String, ApiToken), Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::BadRequest(
            "Nome del token: da 1 a 100 caratteri, ad esempio il programma che lo userà".into(),
        ));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(Error::BadRequest(format!(
            "Durata del token: da 1 a {MAX_TOKEN_DAYS} giorni"
        )));
    }
    let (secret, hash) = crate::credentials::new_secret("spt_")?;
    let token = ApiToken {
        id: Uuid::now_v7(),
        user_id: user.id,
        org_id: org.id,
        name: name.to_owned(),
        token_hash: hash,
        created_at: actor.now,
        last_used_at: None,
        revoked_at: None,
        expires_at: Some(actor.now + time::Duration::days(days)),
    };
    let summary = format!(
        "creato token API «{}» per {} in {}, valido {days} giorni",
        token.name, user.login, org.code
    );
    store
        .create_token(
            &token,
            &actor.audit_in(org.id, "token.create", "api_token", Some(token.id), summary),
        )
        .await?;
    Ok((secret, token))
}

/// What `audit verify` found: the rows checked, the problems by organization code, and the
/// rows each organization's chain holds from before the key existed.
#[derive(Debug, Default)]
pub struct AuditCheck {
    pub rows: usize,
    pub problems: Vec<(String, ChainProblem)>,
    pub unkeyed: Vec<(String, i64)>,
}

/// Verifies every organization's chain, starting from the organizations (so that a deleted
/// head or chain is found too), and, given an anchor, checks each anchored head against the
/// rows as they are now. The anchor's signature is the caller's to check first.
pub async fn verify_audit(
    store: &Store,
    key: &AuditKey,
    anchor: Option<&Anchor>,
) -> Result<AuditCheck, Error> {
    Ok(walk_chains(store, key, anchor).await?.0)
}

/// A signed statement of every chain's head as it is now, refused when a chain does not
/// verify (an anchor must not vouch for an altered log).
pub async fn anchor_audit(
    store: &Store,
    key: &AuditKey,
    at: OffsetDateTime,
) -> Result<Anchor, Error> {
    let (check, heads) = walk_chains(store, key, None).await?;
    if let Some((org, p)) = check.problems.first() {
        return Err(Error::BadRequest(format!(
            "il registro non è integro (ente {org}: {p}): nessun ancoraggio"
        )));
    }
    Ok(Anchor::sign(at, heads, key))
}

async fn walk_chains(
    store: &Store,
    key: &AuditKey,
    anchor: Option<&Anchor>,
) -> Result<(AuditCheck, Vec<AnchoredHead>), Error> {
    let heads = store.chain_heads().await?;
    let orgs = store.list_orgs().await?;
    let mut check = AuditCheck::default();
    let mut last_rows = Vec::new();
    for org in &orgs {
        let code = org.code.to_string();
        let chain = store.audit_chain(org.id).await?;
        let report = verify_chain(&chain, heads.iter().find(|h| h.org_id == org.id), key);
        let mut problems = report.problems.clone();
        if let Some(h) = anchor.and_then(|a| a.heads.iter().find(|h| h.org_id == org.id)) {
            problems.extend(Anchor::check(h, &chain, &report));
        }
        check.rows += chain.len();
        check
            .problems
            .extend(problems.into_iter().map(|p| (code.clone(), p)));
        if report.unkeyed > 0 {
            check.unkeyed.push((code.clone(), report.unkeyed));
        }
        if let Some(last) = chain.last() {
            last_rows.push(AnchoredHead {
                org_code: code,
                org_id: org.id,
                seq: last.seq,
                hash: last.hash.clone(),
                at: last.at,
                unkeyed: report.unkeyed,
            });
        }
    }
    for gone in anchor
        .iter()
        .flat_map(|a| &a.heads)
        .filter(|h| !orgs.iter().any(|o| o.id == h.org_id))
    {
        check
            .problems
            .push((gone.org_code.clone(), ChainProblem::OrganizationGone));
    }
    Ok((check, last_rows))
}
