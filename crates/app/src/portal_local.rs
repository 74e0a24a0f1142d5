//! Local accounts on the portal, for demonstrations and comuni without SPID onboarding (off by
//! default, `portale.local_accounts`): a citizen signs in with codice fiscale and password.
//!
//! The trust anchor is the e-mail address the office recorded on the citizen's registry
//! record. A citizen who types their codice fiscale and that same address receives a link
//! (a random token of which only the SHA-256 is stored, valid once, for [`LINK_HOURS`]) to
//! choose the password of the account SPID would use ([`portal::citizen_account`]). Nothing
//! typed by the visitor is ever believed on its own: a codice fiscale with any other address
//! sends nothing, and the visitor is told the same either way, so that the form reveals
//! nothing about who is in the registry. The same link is the «password dimenticata».

use crate::portal::{self, PortalIdentity, citizen_login};
use crate::procedure::{Mailed, deliver};
use crate::{Actor, Error, Services};
use domain::Role;
use store::{
    AccountLink, PasswordChange, Person, PersonStore, PortalStore, StoreError, User, UserStore,
};
use territory::codice_fiscale::CodiceFiscale;

/// How long a link lasts.
pub const LINK_HOURS: i64 = 24;
/// How the audit rows name a sign-in with a local account.
pub const METHOD: &str = "account locale";

/// What a request for a link came to. The visitor is told the same whatever it is; it is for
/// the logs and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRequest {
    /// Mailed to the address on the record.
    Sent,
    /// No organization holds the codice fiscale with that address (or the person has died).
    NoMatch,
    /// The login is an operator's or a disabled account's.
    Refused,
    /// The mail server did not take it (or mail is not configured): nothing stored.
    NotSent(String),
}

/// Whether `typed` is the address the office recorded (trimmed, letters in any case).
fn same_address(recorded: Option<&str>, typed: &str) -> bool {
    recorded.is_some_and(|r| {
        let r = r.trim();
        !r.is_empty() && r.to_lowercase() == typed.trim().to_lowercase()
    })
}

/// Sends the link to choose a password to the citizen with codice fiscale `cf`, if an
/// organization holds them with the address `email` on their record. `portal_url` is the
/// portal's address as the citizen reaches it (`https://sociali.comune.example/portale`).
pub async fn request_link(
    state: &Services,
    cf: &CodiceFiscale,
    email: &str,
    portal_url: &str,
) -> Result<LinkRequest, Error> {
    let holders = portal::holders(state, cf).await?;
    let Some((org, person)) = holders
        .iter()
        .find(|(_, p)| p.data.death_date.is_none() && same_address(p.data.email.as_deref(), email))
    else {
        return Ok(LinkRequest::NoMatch);
    };
    let login = citizen_login(cf)?;
    match state.store.get_user_by_login(&login).await {
        Ok(u) => {
            if portal::admit(state, &u, false).await.is_err() {
                return Ok(LinkRequest::Refused);
            }
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let Some(to) = person.data.email.clone() else {
        return Ok(LinkRequest::NoMatch);
    };
    let (token, token_hash) = crate::credentials::new_secret("")?;
    let now = state.clock.now();
    let msg = crate::mail::PortalAccountLink {
        url: format!(
            "{}/registrati/conferma?t={token}",
            portal_url.trim_end_matches('/')
        ),
        hours: LINK_HOURS,
        signature: crate::acts::mail_signature(state, org.id, &org.name).await,
    };
    // Kept once the mail server took it, so that the audit row says what happened.
    match deliver(state, to, &msg).await {
        Mailed::Sent(_) => {}
        Mailed::Failed(e) => return Ok(LinkRequest::NotSent(e)),
        other => return Ok(LinkRequest::NotSent(format!("{other:?}"))),
    }
    let link = AccountLink {
        token_hash,
        login: login.to_string(),
        org_id: org.id,
        person_id: person.id,
        created_us: state.clock.now_us(),
        expires_us: state.clock.now_us() + LINK_HOURS * 3_600_000_000,
        used_us: None,
    };
    let audit = Actor::system(org.clone(), now).audit(
        "portal.account_link",
        "person",
        Some(person.id),
        format!(
            "Collegamento per scegliere la password del portale inviato all'indirizzo e-mail della scheda (vale {LINK_HOURS} ore)"
        ),
    );
    state.store.create_account_link(&link, &audit).await?;
    Ok(LinkRequest::Sent)
}

/// A link that may still be used, with the person it was sent for.
#[derive(Debug, Clone)]
pub struct OpenLink {
    pub link: AccountLink,
    pub codice_fiscale: CodiceFiscale,
    pub person: Person,
}

impl OpenLink {
    /// The words a password must not be built from: the codice fiscale, the names, the
    /// address.
    pub fn personal_words(&self) -> Vec<&str> {
        std::iter::once(self.link.login.as_str())
            .chain(self.person.data.given_names.split_whitespace())
            .chain(self.person.data.surname.split_whitespace())
            .chain(self.person.data.email.as_deref())
            .collect()
    }
}

/// The link whose token is `token`, if it is unused, unexpired, the latest of its login, and
/// its person is still the organization's (not merged). Showing the form asks this and
/// changes nothing, so that a mail scanner that opens the link does not spend it.
pub async fn open_link(state: &Services, token: &str) -> Result<OpenLink, Error> {
    let hash = crate::credentials::hash_token(token.trim());
    let link = match state.store.get_account_link(&hash).await {
        Ok(l) => l,
        Err(StoreError::NotFound) => return Err(Error::NotFound),
        Err(e) => return Err(e.into()),
    };
    if link.used_us.is_some() || link.expires_us <= state.clock.now_us() {
        return Err(Error::NotFound);
    }
    let codice_fiscale = CodiceFiscale::parse(&link.login.to_uppercase())
        .map_err(|_| Error::Internal("collegamento con un login non valido".into()))?;
    let person = match state.store.get_person(link.org_id, link.person_id).await {
        Ok(p)
            if p.merged_into.is_none()
                && p.data.codice_fiscale.as_ref() == Some(&codice_fiscale) =>
        {
            p
        }
        Ok(_) | Err(StoreError::NotFound) => return Err(Error::NotFound),
        Err(e) => return Err(e.into()),
    };
    Ok(OpenLink {
        link,
        codice_fiscale,
        person,
    })
}

/// Sets the password of the citizen's account (created if they never signed in) with the
/// link, which is spent; then signs them in (audit «account locale»). The password must
/// pass the office's rules (`domain::check_new_password`). Refuses an operator's or a
/// disabled account, and a link used, replaced or expired meanwhile (`Error::NotFound`).
pub async fn choose_password(state: &Services, token: &str, password: &str) -> Result<User, Error> {
    let open = open_link(state, token).await?;
    domain::check_new_password(password, &open.personal_words())
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    let id = PortalIdentity {
        codice_fiscale: open.codice_fiscale,
        given_name: open.person.data.given_names.clone(),
        family_name: open.person.data.surname.clone(),
        email: open.person.data.email.clone(),
        method: METHOD.into(),
    };
    let user = portal::citizen_account(state, &id).await?;
    let now = state.clock.now();
    let audits: Vec<_> = state
        .store
        .memberships(user.id)
        .await?
        .into_iter()
        .map(|m| {
            Actor::user(&user, m.org, Role::Cittadino, now).audit(
                "user.password_change",
                "user",
                Some(user.id),
                "Password del portale scelta con il collegamento inviato per e-mail; sessioni terminate".into(),
            )
        })
        .collect();
    let change = PasswordChange {
        hash: crate::credentials::hash_password(password.to_owned()).await?,
        one_time_until_us: None,
        revoke_tokens_at: None,
    };
    match state
        .store
        .set_password_by_link(
            &open.link.token_hash,
            state.clock.now_us(),
            user.id,
            &change,
            &audits,
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(Error::NotFound),
        Err(e) => return Err(e.into()),
    }
    portal::record_sign_in(state, &user, METHOD).await?;
    Ok(user)
}

/// Signs a citizen in with codice fiscale and password. `None` for a wrong pair (an unknown
/// codice fiscale costs the same time as a known one). An account that is an operator's or
/// disabled, or that no organization holds any more, is refused as the SPID sign-in refuses it.
pub async fn sign_in(
    state: &Services,
    cf: &CodiceFiscale,
    password: &str,
) -> Result<Option<User>, Error> {
    let login = citizen_login(cf)?;
    let user = match state.store.get_user_by_login(&login).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = crate::credentials::verify_password(
        password.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = user.filter(|_| ok) else {
        return Ok(None);
    };
    let holders = portal::holders(state, cf).await?;
    portal::admit(state, &user, holders.is_empty()).await?;
    portal::grant_roles(state, &user, &holders).await?;
    portal::record_sign_in(state, &user, METHOD).await?;
    Ok(Some(user))
}
