//! OpenID Federation: the relying party's Entity Configuration, and the resolution of a
//! provider's metadata from its Entity Configuration, trusted either through a pinned JWK Set or
//! through a trust anchor's subordinate statement (one level: provider → anchor).

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::OidcError;
use crate::http::HttpClient;
use crate::jose::{self, Claims};
use crate::keys::{Jwks, KeyUse, RsaKey};

/// The media type of entity statements.
pub const ENTITY_STATEMENT_CONTENT_TYPE: &str = "application/entity-statement+jwt";
/// The `typ` of entity statements.
pub(crate) const ENTITY_STATEMENT_TYP: &str = "entity-statement+jwt";
/// The path of an entity's configuration below its entity id.
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-federation";
/// How long an Entity Configuration we sign is valid.
pub(crate) const ENTITY_CONFIGURATION_SECONDS: i64 = 24 * 3600;
/// How long resolved provider metadata is reused at most.
const METADATA_CACHE_SECONDS: i64 = 3600;

/// The URL of the Entity Configuration of `entity_id`.
#[must_use]
pub fn well_known_url(entity_id: &str) -> String {
    format!("{}{WELL_KNOWN_PATH}", entity_id.trim_end_matches('/'))
}

/// How the relying party trusts a provider's federation keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderTrust {
    /// The provider's federation JWK Set, pinned in the configuration: it must sign the
    /// provider's Entity Configuration.
    Pinned { jwks: Jwks },
    /// A trust anchor, by entity id and JWK Set: the anchor's subordinate statement about the
    /// provider (from the anchor's fetch endpoint) gives the keys that must sign the provider's
    /// Entity Configuration.
    TrustAnchor {
        anchor_id: String,
        anchor_jwks: Jwks,
    },
}

/// What the relying party needs of a provider, from its verified Entity Configuration.
#[derive(Clone, Debug)]
pub(crate) struct ProviderMetadata {
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: String,
    pub(crate) userinfo_endpoint: String,
    /// The OIDC Core keys (ID token and userinfo signatures).
    pub(crate) jwks: Jwks,
    /// Unix time after which the metadata must be resolved again.
    pub(crate) valid_until: i64,
}

fn federation(detail: impl Into<String>) -> OidcError {
    OidcError::Federation(detail.into())
}

/// Verifies a self-issued statement's `iss`, `sub` and times.
fn check_self_issued(
    what: &'static str,
    claims: &Claims,
    entity_id: &str,
    now: OffsetDateTime,
) -> Result<(), OidcError> {
    jose::check_issuer(what, claims, entity_id)?;
    if jose::str_claim(claims, "sub") != Some(entity_id) {
        return Err(federation(format!("{what}: sub is not {entity_id}")));
    }
    jose::check_times(what, claims, now)
}

fn jwks_claim(what: &str, claims: &Claims) -> Result<Jwks, OidcError> {
    claims
        .get("jwks")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| federation(format!("{what}: no jwks")))
}

fn exp(claims: &Claims) -> i64 {
    claims
        .get("exp")
        .and_then(Value::as_i64)
        .unwrap_or_default()
}

/// Fetches and verifies the Entity Configuration of `provider_id`, then reads its
/// `openid_provider` metadata.
pub(crate) async fn resolve_provider(
    http: &HttpClient,
    provider_id: &str,
    trust: &ProviderTrust,
    now: OffsetDateTime,
) -> Result<ProviderMetadata, OidcError> {
    const WHAT: &str = "provider entity configuration";
    let statement = http.get(&well_known_url(provider_id), None).await?;
    let (federation_keys, mut valid_until) = match trust {
        ProviderTrust::Pinned { jwks } => (jwks.clone(), i64::MAX),
        ProviderTrust::TrustAnchor {
            anchor_id,
            anchor_jwks,
        } => {
            let hints = jose::peek(WHAT, &statement)?;
            let hinted = hints
                .get("authority_hints")
                .and_then(Value::as_array)
                .is_some_and(|h| h.iter().any(|a| a.as_str() == Some(anchor_id)));
            if !hinted {
                return Err(federation(format!(
                    "{provider_id} does not name {anchor_id} among its authority_hints"
                )));
            }
            let subordinate =
                fetch_subordinate_statement(http, anchor_id, anchor_jwks, provider_id, now).await?;
            (
                jwks_claim("subordinate statement", &subordinate)?,
                exp(&subordinate),
            )
        }
    };
    let claims = jose::verify(WHAT, &statement, &federation_keys)?.claims;
    check_self_issued(WHAT, &claims, provider_id, now)?;
    valid_until = valid_until
        .min(exp(&claims))
        .min(now.unix_timestamp() + METADATA_CACHE_SECONDS);
    let op = claims
        .get("metadata")
        .and_then(|m| m.get("openid_provider"))
        .and_then(Value::as_object)
        .ok_or_else(|| federation(format!("{provider_id}: no openid_provider metadata")))?;
    if let Some(issuer) = jose::str_claim(op, "issuer")
        && issuer != provider_id
    {
        return Err(federation(format!(
            "{provider_id}: metadata issuer is {issuer}"
        )));
    }
    let endpoint = |name: &'static str| -> Result<String, OidcError> {
        let url = jose::str_claim(op, name)
            .ok_or_else(|| federation(format!("{provider_id}: no {name}")))?;
        http.policy.check(url)?;
        Ok(url.to_owned())
    };
    Ok(ProviderMetadata {
        authorization_endpoint: endpoint("authorization_endpoint")?,
        token_endpoint: endpoint("token_endpoint")?,
        userinfo_endpoint: endpoint("userinfo_endpoint")?,
        jwks: jwks_claim("openid_provider metadata", op)?,
        valid_until,
    })
}

/// The trust anchor's statement about `subject`, verified with the anchor's configured keys.
async fn fetch_subordinate_statement(
    http: &HttpClient,
    anchor_id: &str,
    anchor_jwks: &Jwks,
    subject: &str,
    now: OffsetDateTime,
) -> Result<Claims, OidcError> {
    const ANCHOR: &str = "trust anchor entity configuration";
    const SUBORDINATE: &str = "subordinate statement";
    let anchor = http.get(&well_known_url(anchor_id), None).await?;
    let anchor = jose::verify(ANCHOR, &anchor, anchor_jwks)?.claims;
    check_self_issued(ANCHOR, &anchor, anchor_id, now)?;
    let fetch_endpoint = anchor
        .get("metadata")
        .and_then(|m| m.get("federation_entity"))
        .and_then(|f| f.get("federation_fetch_endpoint"))
        .and_then(Value::as_str)
        .ok_or_else(|| federation(format!("{anchor_id}: no federation_fetch_endpoint")))?;
    let mut url = http.policy.check(fetch_endpoint)?;
    url.query_pairs_mut().append_pair("sub", subject);
    let statement = http.get(url.as_str(), None).await?;
    let claims = jose::verify(SUBORDINATE, &statement, anchor_jwks)?.claims;
    jose::check_issuer(SUBORDINATE, &claims, anchor_id)?;
    if jose::str_claim(&claims, "sub") != Some(subject) {
        return Err(federation(format!("{SUBORDINATE}: sub is not {subject}")));
    }
    jose::check_times(SUBORDINATE, &claims, now)?;
    Ok(claims)
}

/// Signs an entity statement by `signer` about `sub`, whose federation key is `subject_key`,
/// issued at `now`, with the members of `extra` (metadata, authority hints, ...).
pub(crate) fn sign_statement(
    signer: &RsaKey,
    iss: &str,
    sub: &str,
    subject_key: &RsaKey,
    now: OffsetDateTime,
    extra: Value,
) -> Result<String, OidcError> {
    let iat = now.unix_timestamp();
    let mut claims = json!({
        "iss": iss,
        "sub": sub,
        "iat": iat,
        "exp": iat + ENTITY_CONFIGURATION_SECONDS,
        "jwks": { "keys": [subject_key.public_jwk(KeyUse::Sig)] },
    });
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        map.extend(extra);
    }
    jose::sign(signer, ENTITY_STATEMENT_TYP, &claims)
}
