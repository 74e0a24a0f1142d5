//! The PDND access token (voucher) an e-service receives, pattern AUTH_REST_01 of the
//! interoperability guidelines: a JWT signed by the PDND (RS256, `typ` `at+jwt`, RFC 9068),
//! whose `aud` is the e-service and whose `client_id` is the consumer's client.
//!
//! The e-service checks it alone, with the PDND's published keys: signature, issuer,
//! audience, times ([`verify_voucher`]). Nothing else of the token is trusted.

use crate::error::OidcError;
use crate::jose::{self, CLOCK_SKEW_SECONDS};
use crate::keys::{Jwks, RsaKey};
use serde_json::Value;
use time::OffsetDateTime;

const WHAT: &str = "voucher PDND";

/// What an e-service expects of a voucher.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    /// `iss`: the PDND's issuer (`interop.pagopa.it` in production).
    pub issuer: &'a str,
    /// `aud`: the e-service's audience as registered on the PDND.
    pub audience: &'a str,
    /// The consumers' client ids allowed; empty for any client the PDND authorized.
    pub clients: &'a [String],
}

/// A verified voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voucher {
    /// The consumer's client (`client_id`, else `sub`).
    pub client_id: String,
    /// The purpose (finalità) the consumer declared, when the token carries it.
    pub purpose_id: Option<String>,
    /// The token's id, for the log.
    pub jti: Option<String>,
    /// `exp`, in seconds since the epoch.
    pub expires: i64,
}

/// Checks a voucher: an RS256 signature by one of `keys`, the explicit type `at+jwt`, the
/// issuer, the audience, `exp`/`iat`/`nbf` against `now` (60 s of clock skew) and, when
/// `expected.clients` is not empty, the client.
pub fn verify_voucher(
    token: &str,
    keys: &Jwks,
    expected: &Expected<'_>,
    now: OffsetDateTime,
) -> Result<Voucher, OidcError> {
    let v = jose::verify(WHAT, token, keys)?;
    let typ = jose::str_claim(&v.header, "typ").unwrap_or_default();
    if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
        return Err(OidcError::Malformed {
            what: WHAT,
            detail: format!("typ «{typ}» instead of at+jwt"),
        });
    }
    jose::check_issuer(WHAT, &v.claims, expected.issuer)?;
    jose::check_audience(WHAT, &v.claims, expected.audience)?;
    jose::check_times(WHAT, &v.claims, now)?;
    let client_id = jose::str_claim(&v.claims, "client_id")
        .or_else(|| jose::str_claim(&v.claims, "sub"))
        .unwrap_or_default()
        .to_owned();
    if client_id.is_empty()
        || (!expected.clients.is_empty() && !expected.clients.contains(&client_id))
    {
        return Err(OidcError::Malformed {
            what: WHAT,
            detail: format!("client «{client_id}» not allowed"),
        });
    }
    let expires = v.claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    // A voucher living longer than a day is not one the PDND issues.
    if expires - now.unix_timestamp() > 86_400 + CLOCK_SKEW_SECONDS {
        return Err(OidcError::Malformed {
            what: WHAT,
            detail: "exp more than a day ahead".into(),
        });
    }
    Ok(Voucher {
        client_id,
        purpose_id: jose::str_claim(&v.claims, "purposeId").map(str::to_owned),
        jti: jose::str_claim(&v.claims, "jti").map(str::to_owned),
        expires,
    })
}

/// Signs a voucher as the PDND would (`typ` `at+jwt`), for tests, benchmarks and the demo,
/// which play the PDND with a key of their own.
pub fn sign_voucher(key: &RsaKey, claims: &Value) -> Result<String, OidcError> {
    jose::sign(key, "at+jwt", claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyUse;
    use serde_json::json;

    fn setup() -> (RsaKey, Jwks, OffsetDateTime) {
        let key = RsaKey::generate().expect("key");
        let jwks = Jwks {
            keys: vec![key.public_jwk(KeyUse::Sig)],
        };
        (
            key,
            jwks,
            OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("now"),
        )
    }

    fn claims(now: i64) -> Value {
        json!({ "iss": "interop.pagopa.it", "aud": "https://comune.example/waas/v1",
                "client_id": "inps-client", "purposeId": "p-1", "jti": "j-1",
                "iat": now, "nbf": now, "exp": now + 600 })
    }

    const OK: Expected<'static> = Expected {
        issuer: "interop.pagopa.it",
        audience: "https://comune.example/waas/v1",
        clients: &[],
    };

    #[test]
    fn a_voucher_of_the_pdnd_for_this_e_service_is_accepted() {
        let (key, jwks, now) = setup();
        let token = sign_voucher(&key, &claims(now.unix_timestamp())).expect("sign");
        let v = verify_voucher(&token, &jwks, &OK, now).expect("verified");
        assert_eq!(v.client_id, "inps-client");
        assert_eq!(v.purpose_id.as_deref(), Some("p-1"));
    }

    #[test]
    fn another_audience_issuer_client_an_expired_or_foreign_key_is_refused() {
        let (key, jwks, now) = setup();
        let t = now.unix_timestamp();
        let signed = |c: &Value| sign_voucher(&key, c).expect("sign");
        let mut other_aud = claims(t);
        other_aud["aud"] = json!("https://altro.example/waas/v1");
        let mut other_iss = claims(t);
        other_iss["iss"] = json!("attacker.example");
        let mut expired = claims(t);
        expired["exp"] = json!(t - 120);
        for token in [signed(&other_aud), signed(&other_iss), signed(&expired)] {
            assert!(verify_voucher(&token, &jwks, &OK, now).is_err());
        }
        let only = ["someone-else".to_owned()];
        let strict = Expected {
            clients: &only,
            ..OK
        };
        assert!(verify_voucher(&signed(&claims(t)), &jwks, &strict, now).is_err());
        let (_, foreign_jwks, _) = setup();
        assert!(matches!(
            verify_voucher(&signed(&claims(t)), &foreign_jwks, &OK, now),
            Err(OidcError::BadSignature { .. })
        ));
        let id_token = jose::sign(&key, "JWT", &claims(t)).expect("sign");
        assert!(verify_voucher(&id_token, &jwks, &OK, now).is_err());
    }
}
