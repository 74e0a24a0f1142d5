//! The relying party: configuration, Entity Configuration, authorization request, callback.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::OidcError;
use crate::federation::{self, ProviderMetadata, ProviderTrust};
use crate::http::{HttpClient, UrlPolicy};
use crate::jose::{self, Claims};
use crate::keys::{Jwks, KeyUse, RsaKey};

/// The claim of the codice fiscale (`attributi_utente.rst`), as `TINIT-<codice fiscale>`.
pub const FISCAL_NUMBER_CLAIM: &str = "https://attributes.eid.gov.it/fiscal_number";
/// The older SPID namespace of the same claim, still seen in the spec's examples.
const LEGACY_FISCAL_NUMBER_CLAIM: &str = "https://attributes.spid.gov.it/fiscal_number";
/// How long a citizen has between `begin` and `finish`.
pub const LOGIN_TIMEOUT: Duration = Duration::minutes(10);
/// Lifetime of the request object and of the client assertion.
const REQUEST_SECONDS: i64 = 120;
/// What the relying party asks for the userinfo response (`metadata_oidc_rp.rst`).
const USERINFO_ENCRYPTED_ALG: &str = "RSA-OAEP-256";
const USERINFO_ENCRYPTED_ENC: &str = "A128CBC-HS256";

/// The authentication level (`acr`), ordered from the weakest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Acr {
    SpidL1,
    SpidL2,
    SpidL3,
}

impl Acr {
    /// The URI used in `acr_values` and in the ID token's `acr` (the same for SPID and CIE id).
    #[must_use]
    pub fn uri(self) -> &'static str {
        match self {
            Self::SpidL1 => "https://www.spid.gov.it/SpidL1",
            Self::SpidL2 => "https://www.spid.gov.it/SpidL2",
            Self::SpidL3 => "https://www.spid.gov.it/SpidL3",
        }
    }

    /// The level of an `acr` URI.
    #[must_use]
    pub fn from_uri(uri: &str) -> Option<Self> {
        [Self::SpidL1, Self::SpidL2, Self::SpidL3]
            .into_iter()
            .find(|a| a.uri() == uri)
    }
}

/// The relying party's keys. The federation key signs the Entity Configuration, the signing key
/// the request objects and client assertions, the encryption key receives the userinfo (the
/// spec wants federation keys distinct from the OIDC Core ones).
#[derive(Clone, Debug)]
pub struct RpKeys {
    pub federation: RsaKey,
    pub signing: RsaKey,
    pub encryption: RsaKey,
}

impl RpKeys {
    /// Three new random keys, for demos and tests.
    ///
    /// # Errors
    /// [`OidcError::Key`] if the generator fails.
    pub fn generate() -> Result<Self, OidcError> {
        Ok(Self {
            federation: RsaKey::generate()?,
            signing: RsaKey::generate()?,
            encryption: RsaKey::generate()?,
        })
    }

    /// The keys from three PEM files.
    ///
    /// # Errors
    /// [`OidcError::Key`] naming the file that cannot be read.
    pub fn from_pem_files(
        federation: &Path,
        signing: &Path,
        encryption: &Path,
    ) -> Result<Self, OidcError> {
        Ok(Self {
            federation: RsaKey::from_pem_file(federation)?,
            signing: RsaKey::from_pem_file(signing)?,
            encryption: RsaKey::from_pem_file(encryption)?,
        })
    }
}

/// A provider the relying party trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderConfig {
    /// The provider's entity id, which is also its `issuer`.
    pub id: String,
    /// The name on the sign-in button, e.g. "SPID – Provider X" or "CIE id".
    pub name: String,
    pub trust: ProviderTrust,
}

/// A trust mark issued to the relying party (`trust_marks.rst`): its identifier and the signed
/// JWT, as received from the federation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustMark {
    pub id: String,
    pub trust_mark: String,
}

/// Everything the relying party needs; build it with [`RpConfig::new`] and adjust the fields.
#[derive(Clone, Debug)]
pub struct RpConfig {
    /// The RP's entity id, e.g. `https://comune.example/portale`.
    pub client_id: String,
    /// The callback URL, e.g. `https://comune.example/portale/accesso/ritorno`.
    pub redirect_uri: String,
    pub keys: RpKeys,
    pub organization_name: String,
    /// Institutional addresses (PEC) for the federation metadata.
    pub contacts: Vec<String>,
    pub homepage_uri: Option<String>,
    pub policy_uri: Option<String>,
    /// An SVG logo, as the spec asks.
    pub logo_uri: Option<String>,
    /// The trust anchors or intermediates that may issue a statement about this RP.
    pub authority_hints: Vec<String>,
    /// The trust marks the federation issued to this RP at onboarding, shown as they are.
    pub trust_marks: Vec<TrustMark>,
    pub providers: Vec<ProviderConfig>,
    /// `openid profile email` by default.
    pub scope: String,
    /// The minimum level asked for, `SpidL2` by default.
    pub acr: Acr,
    /// Accept plain `http://` URLs on the loopback interface (tests and the demo only).
    pub allow_insecure_localhost: bool,
}

impl RpConfig {
    /// A configuration with the defaults: no providers, scope `openid profile email`, SpidL2,
    /// https only.
    #[must_use]
    pub fn new(client_id: &str, redirect_uri: &str, keys: RpKeys, organization_name: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            keys,
            organization_name: organization_name.to_owned(),
            contacts: Vec::new(),
            homepage_uri: None,
            policy_uri: None,
            logo_uri: None,
            authority_hints: Vec::new(),
            trust_marks: Vec::new(),
            providers: Vec::new(),
            scope: "openid profile email".to_owned(),
            acr: Acr::SpidL2,
            allow_insecure_localhost: false,
        }
    }
}

/// What the relying party keeps between `begin` and `finish` (server-side, or in a signed and
/// encrypted cookie: it holds the PKCE verifier).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLogin {
    pub provider_id: String,
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
    pub acr: Acr,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl PendingLogin {
    /// The error for a callback that carries `error` (and maybe `error_description`) instead of
    /// a code: [`OidcError::Denied`], or [`OidcError::StateMismatch`] if the `state` is not
    /// this login's.
    #[must_use]
    pub fn denied(&self, state: &str, error: &str, description: Option<&str>) -> OidcError {
        if bool::from(self.state.as_bytes().ct_eq(state.as_bytes())) {
            OidcError::Denied {
                error: error.to_owned(),
                description: description.unwrap_or_default().to_owned(),
            }
        } else {
            OidcError::StateMismatch
        }
    }
}

/// The citizen, as the provider identified them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The codice fiscale, without the `TINIT-` prefix, in capitals.
    pub fiscal_number: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    /// The provider's entity id.
    pub provider: String,
    /// The level the provider actually used.
    pub acr: Acr,
    /// The provider's (pairwise) subject identifier.
    pub sub: String,
}

/// The relying party. Cheap to share behind an `Arc`; it caches the providers' metadata.
#[derive(Debug)]
pub struct RelyingParty {
    config: RpConfig,
    http: HttpClient,
    metadata: Mutex<HashMap<String, ProviderMetadata>>,
}

impl RelyingParty {
    /// Checks the configuration and builds the HTTP client.
    ///
    /// # Errors
    /// [`OidcError::Config`] or [`OidcError::InsecureUrl`] for an unusable configuration.
    pub fn new(config: RpConfig) -> Result<Self, OidcError> {
        let policy = UrlPolicy {
            allow_insecure_localhost: config.allow_insecure_localhost,
        };
        policy.check(&config.client_id)?;
        policy.check(&config.redirect_uri)?;
        for (i, p) in config.providers.iter().enumerate() {
            policy.check(&p.id)?;
            if config.providers[..i].iter().any(|q| q.id == p.id) {
                return Err(OidcError::Config(format!("provider {} listed twice", p.id)));
            }
            if let ProviderTrust::TrustAnchor { anchor_id, .. } = &p.trust {
                policy.check(anchor_id)?;
            }
        }
        if config.organization_name.trim().is_empty() {
            return Err(OidcError::Config("organization_name is empty".into()));
        }
        if !config.scope.split(' ').any(|s| s == "openid") {
            return Err(OidcError::Config("scope must contain openid".into()));
        }
        Ok(Self {
            http: HttpClient::new(policy)?,
            config,
            metadata: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &RpConfig {
        &self.config
    }

    /// The trusted providers, in configuration order, for the sign-in page.
    #[must_use]
    pub fn providers(&self) -> &[ProviderConfig] {
        &self.config.providers
    }

    /// The RP's signed Entity Configuration, to serve at
    /// [`federation::WELL_KNOWN_PATH`] below the client id with content type
    /// [`federation::ENTITY_STATEMENT_CONTENT_TYPE`].
    ///
    /// # Errors
    /// [`OidcError::Key`] if signing fails.
    pub fn entity_configuration(&self, now: OffsetDateTime) -> Result<String, OidcError> {
        let c = &self.config;
        let core_jwks = Jwks {
            keys: vec![
                c.keys.signing.public_jwk(KeyUse::Sig),
                c.keys.encryption.public_jwk(KeyUse::Enc),
            ],
        };
        let mut entity = json!({
            "organization_name": c.organization_name,
            "contacts": c.contacts,
        });
        for (name, value) in [
            ("homepage_uri", &c.homepage_uri),
            ("policy_uri", &c.policy_uri),
            ("logo_uri", &c.logo_uri),
        ] {
            if let (Some(v), Some(map)) = (value, entity.as_object_mut()) {
                map.insert(name.into(), Value::String(v.clone()));
            }
        }
        let mut extra = json!({
            "authority_hints": c.authority_hints,
            "metadata": {
                "openid_relying_party": {
                    "application_type": "web",
                    "client_id": c.client_id,
                    "client_name": c.organization_name,
                    "client_registration_types": ["automatic"],
                    "contacts": c.contacts,
                    // Trust anchors' policies require both values; refresh tokens are not used.
                    "grant_types": ["authorization_code", "refresh_token"],
                    "redirect_uris": [c.redirect_uri],
                    "response_types": ["code"],
                    "subject_type": "pairwise",
                    "jwks": core_jwks,
                    "token_endpoint_auth_method": "private_key_jwt",
                    "id_token_signed_response_alg": jose::SIGNING_ALG,
                    "userinfo_signed_response_alg": jose::SIGNING_ALG,
                    "userinfo_encrypted_response_alg": USERINFO_ENCRYPTED_ALG,
                    "userinfo_encrypted_response_enc": USERINFO_ENCRYPTED_ENC,
                },
                "federation_entity": entity,
            },
        });
        if let (false, Some(map)) = (c.trust_marks.is_empty(), extra.as_object_mut()) {
            map.insert("trust_marks".into(), json!(c.trust_marks));
        }
        let key = &c.keys.federation;
        federation::sign_statement(key, &c.client_id, &c.client_id, key, now, extra)
    }

    fn provider(&self, provider_id: &str) -> Result<&ProviderConfig, OidcError> {
        self.config
            .providers
            .iter()
            .find(|p| p.id == provider_id)
            .ok_or_else(|| OidcError::UnknownProvider(provider_id.to_owned()))
    }

    /// The provider's metadata, from the cache or resolved anew.
    async fn metadata(
        &self,
        provider: &ProviderConfig,
        now: OffsetDateTime,
    ) -> Result<ProviderMetadata, OidcError> {
        let cached = self
            .metadata
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&provider.id)
            .filter(|m| m.valid_until > now.unix_timestamp())
            .cloned();
        if let Some(m) = cached {
            return Ok(m);
        }
        let resolved =
            federation::resolve_provider(&self.http, &provider.id, &provider.trust, now).await?;
        self.metadata
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(provider.id.clone(), resolved.clone());
        Ok(resolved)
    }

    /// Starts a sign-in with `provider_id`: returns the URL to redirect the citizen to, and what
    /// to keep until the callback.
    ///
    /// # Errors
    /// [`OidcError::UnknownProvider`], or the provider's metadata cannot be resolved and trusted.
    pub async fn begin(
        &self,
        provider_id: &str,
        now: OffsetDateTime,
    ) -> Result<(String, PendingLogin), OidcError> {
        let provider = self.provider(provider_id)?;
        let metadata = self.metadata(provider, now).await?;
        let c = &self.config;
        let pending = PendingLogin {
            provider_id: provider.id.clone(),
            state: jose::random_alphanumeric(43)?,
            nonce: jose::random_alphanumeric(43)?,
            code_verifier: jose::random_alphanumeric(64)?,
            acr: c.acr,
            created_at: now,
        };
        let challenge = jose::pkce_challenge(&pending.code_verifier);
        let iat = now.unix_timestamp();
        let userinfo_claims = json!({
            FISCAL_NUMBER_CLAIM: { "essential": true },
            "given_name": { "essential": true },
            "family_name": { "essential": true },
            "email": null,
        });
        let request = jose::sign(
            &c.keys.signing,
            "JWT",
            &json!({
                "iss": c.client_id,
                "aud": [provider.id],
                "iat": iat,
                "exp": iat + REQUEST_SECONDS,
                "jti": jose::uuid4()?,
                "client_id": c.client_id,
                "response_type": "code",
                "scope": c.scope,
                "redirect_uri": c.redirect_uri,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "prompt": "consent login",
                "acr_values": c.acr.uri(),
                "ui_locales": "it",
                "claims": { "userinfo": userinfo_claims, "id_token": {} },
            }),
        )?;
        let mut url = self.http.policy.check(&metadata.authorization_endpoint)?;
        url.query_pairs_mut()
            .append_pair("client_id", &c.client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", &c.scope)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("request", &request);
        Ok((url.into(), pending))
    }

    /// Completes a sign-in from the callback's `code` and `state`: redeems the code, validates
    /// the ID token, reads and validates the encrypted userinfo.
    ///
    /// When the callback carries `error` instead of `code`, use [`PendingLogin::denied`] instead.
    ///
    /// # Errors
    /// Any [`OidcError`]: show [`OidcError::user_message`], log the error.
    pub async fn finish(
        &self,
        pending: &PendingLogin,
        code: &str,
        state: &str,
        now: OffsetDateTime,
    ) -> Result<Identity, OidcError> {
        if !bool::from(pending.state.as_bytes().ct_eq(state.as_bytes())) {
            return Err(OidcError::StateMismatch);
        }
        if now - pending.created_at > LOGIN_TIMEOUT {
            return Err(OidcError::LoginExpired);
        }
        let provider = self.provider(&pending.provider_id)?;
        let metadata = self.metadata(provider, now).await?;
        let (access_token, id_token) = self.redeem(&metadata, pending, code, now).await?;
        let id_claims =
            self.validate_id_token(provider, &metadata, pending, &id_token, &access_token, now)?;
        let sub = jose::str_claim(&id_claims, "sub")
            .ok_or(OidcError::MissingClaim("sub"))?
            .to_owned();
        let acr_uri = jose::str_claim(&id_claims, "acr").unwrap_or_default();
        let acr = Acr::from_uri(acr_uri)
            .filter(|a| *a >= pending.acr)
            .ok_or_else(|| OidcError::AcrTooLow {
                requested: pending.acr.uri(),
                found: acr_uri.to_owned(),
            })?;
        let userinfo = self
            .userinfo(provider, &metadata, &access_token, &sub, now)
            .await?;
        let text = |name: &'static str| {
            jose::str_claim(&userinfo, name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or(OidcError::MissingClaim(name))
        };
        let fiscal_number = jose::str_claim(&userinfo, FISCAL_NUMBER_CLAIM)
            .or_else(|| jose::str_claim(&userinfo, LEGACY_FISCAL_NUMBER_CLAIM))
            .ok_or(OidcError::MissingClaim("fiscal_number"))?;
        Ok(Identity {
            fiscal_number: normalize_fiscal_number(fiscal_number)?,
            given_name: text("given_name")?,
            family_name: text("family_name")?,
            email: text("email").ok(),
            provider: provider.id.clone(),
            acr,
            sub,
        })
    }

    /// The token request with `private_key_jwt`; returns the access token and the ID token.
    async fn redeem(
        &self,
        metadata: &ProviderMetadata,
        pending: &PendingLogin,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<(String, String), OidcError> {
        let c = &self.config;
        let iat = now.unix_timestamp();
        let assertion = jose::sign(
            &c.keys.signing,
            "JWT",
            &json!({
                "iss": c.client_id,
                "sub": c.client_id,
                "aud": metadata.token_endpoint,
                "iat": iat,
                "exp": iat + REQUEST_SECONDS,
                "jti": jose::uuid4()?,
            }),
        )?;
        let response = self
            .http
            .post_form(
                &metadata.token_endpoint,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("code_verifier", &pending.code_verifier),
                    ("redirect_uri", &c.redirect_uri),
                    ("client_id", &c.client_id),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &assertion),
                ],
            )
            .await?;
        let body: Claims = match serde_json::from_str(&response.body) {
            Ok(body) => body,
            Err(_) if response.status != 200 => {
                return Err(response.into_error(&metadata.token_endpoint));
            }
            Err(e) => {
                return Err(OidcError::Malformed {
                    what: "token response",
                    detail: e.to_string(),
                });
            }
        };
        if response.status != 200 {
            return Err(OidcError::TokenRejected {
                error: jose::str_claim(&body, "error")
                    .unwrap_or("unknown")
                    .to_owned(),
                description: jose::str_claim(&body, "error_description")
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        if !jose::str_claim(&body, "token_type").is_some_and(|t| t.eq_ignore_ascii_case("bearer")) {
            return Err(OidcError::Malformed {
                what: "token response",
                detail: "token_type is not Bearer".into(),
            });
        }
        let access = jose::str_claim(&body, "access_token")
            .ok_or(OidcError::MissingClaim("access_token"))?;
        let id = jose::str_claim(&body, "id_token").ok_or(OidcError::MissingClaim("id_token"))?;
        Ok((access.to_owned(), id.to_owned()))
    }

    fn validate_id_token(
        &self,
        provider: &ProviderConfig,
        metadata: &ProviderMetadata,
        pending: &PendingLogin,
        id_token: &str,
        access_token: &str,
        now: OffsetDateTime,
    ) -> Result<Claims, OidcError> {
        const WHAT: &str = "ID token";
        let verified = jose::verify(WHAT, id_token, &metadata.jwks)?;
        let claims = verified.claims;
        jose::check_issuer(WHAT, &claims, &provider.id)?;
        jose::check_audience(WHAT, &claims, &self.config.client_id)?;
        jose::check_times(WHAT, &claims, now)?;
        let nonce = jose::str_claim(&claims, "nonce").unwrap_or_default();
        if !bool::from(nonce.as_bytes().ct_eq(pending.nonce.as_bytes())) {
            return Err(OidcError::NonceMismatch);
        }
        let at_hash =
            jose::str_claim(&claims, "at_hash").ok_or(OidcError::MissingClaim("at_hash"))?;
        if at_hash != jose::at_hash(verified.alg, access_token) {
            return Err(OidcError::AtHashMismatch);
        }
        Ok(claims)
    }

    /// The userinfo: a JWE to our encryption key, wrapping a JWS of the provider.
    async fn userinfo(
        &self,
        provider: &ProviderConfig,
        metadata: &ProviderMetadata,
        access_token: &str,
        sub: &str,
        now: OffsetDateTime,
    ) -> Result<Claims, OidcError> {
        const WHAT: &str = "userinfo";
        let body = self
            .http
            .get(&metadata.userinfo_endpoint, Some(access_token))
            .await?;
        let inner = jose::decrypt(&body, &self.config.keys.encryption)?;
        let inner = String::from_utf8(inner).map_err(|_| OidcError::Malformed {
            what: WHAT,
            detail: "not UTF-8".into(),
        })?;
        let claims = jose::verify(WHAT, &inner, &metadata.jwks)?.claims;
        jose::check_issuer(WHAT, &claims, &provider.id)?;
        jose::check_audience(WHAT, &claims, &self.config.client_id)?;
        jose::check_times(WHAT, &claims, now)?;
        let found = jose::str_claim(&claims, "sub").unwrap_or_default();
        if found != sub {
            return Err(OidcError::SubjectMismatch {
                id_token: sub.to_owned(),
                userinfo: found.to_owned(),
            });
        }
        Ok(claims)
    }
}

/// `TINIT-rssmra80a01h501u` → `RSSMRA80A01H501U`; a codice fiscale is 16 letters and digits (or
/// 11 digits for a provisional one).
fn normalize_fiscal_number(raw: &str) -> Result<String, OidcError> {
    let trimmed = raw.trim();
    let bare = match (trimmed.get(..6), trimmed.get(6..)) {
        (Some(prefix), Some(rest)) if prefix.eq_ignore_ascii_case("TINIT-") => rest,
        _ => trimmed,
    };
    let upper = bare.to_ascii_uppercase();
    let ok = (upper.len() == 16 && upper.chars().all(|c| c.is_ascii_alphanumeric()))
        || (upper.len() == 11 && upper.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(upper)
    } else {
        Err(OidcError::InvalidFiscalNumber(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fiscal_number_loses_its_tinit_prefix_and_is_uppercased() -> Result<(), OidcError> {
        assert_eq!(
            normalize_fiscal_number("TINIT-rssmra80a01h501u")?,
            "RSSMRA80A01H501U"
        );
        assert_eq!(
            normalize_fiscal_number("tinit-RSSMRA80A01H501U")?,
            "RSSMRA80A01H501U"
        );
        assert_eq!(
            normalize_fiscal_number("RSSMRA80A01H501U")?,
            "RSSMRA80A01H501U"
        );
        assert_eq!(normalize_fiscal_number("TINIT-12345678901")?, "12345678901");
        for bad in [
            "",
            "TINIT-",
            "TINIT-RSSMRA80A01H501",
            "VATIT-12345678901x",
            "RSSMRA80A01H501U!",
        ] {
            assert!(
                matches!(
                    normalize_fiscal_number(bad),
                    Err(OidcError::InvalidFiscalNumber(_))
                ),
                "{bad}"
            );
        }
        Ok(())
    }

    #[test]
    fn acr_levels_are_ordered_and_read_from_their_uri() {
        assert!(Acr::SpidL3 > Acr::SpidL2 && Acr::SpidL2 > Acr::SpidL1);
        assert_eq!(
            Acr::from_uri("https://www.spid.gov.it/SpidL2"),
            Some(Acr::SpidL2)
        );
        assert_eq!(Acr::from_uri("https://www.spid.gov.it/SpidL9"), None);
    }

    #[test]
    fn a_configuration_with_plain_http_needs_the_loopback_permission() -> Result<(), OidcError> {
        let keys = RpKeys::generate()?;
        let config = RpConfig::new(
            "http://127.0.0.1:9/rp",
            "http://127.0.0.1:9/rp/cb",
            keys,
            "Comune",
        );
        assert!(matches!(
            RelyingParty::new(config.clone()),
            Err(OidcError::InsecureUrl(_))
        ));
        let config = RpConfig {
            allow_insecure_localhost: true,
            ..config
        };
        assert!(RelyingParty::new(config).is_ok());
        Ok(())
    }
}
