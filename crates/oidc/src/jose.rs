//! Compact JWS (RFC 7515) and JWE (RFC 7516) with only the algorithms the SPID/CIE profile allows
//! (`cryptographic_algos.rst`): RS256/RS512/PS256/PS512 signatures, RSA-OAEP/RSA-OAEP-256 key
//! encryption, A128CBC-HS256/A256CBC-HS512 content encryption. `none`, HS* and RSA1_5 are refused.

use aws_lc_rs::cipher::{
    AES_128, AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::{digest, hmac, rand, signature};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::OidcError;
use crate::keys::{Jwks, KeyEncryption, KeyUse, RsaKey};

/// Clock skew tolerated on `exp`, `iat` and `nbf`.
pub(crate) const CLOCK_SKEW_SECONDS: i64 = 60;

pub(crate) type Claims = Map<String, Value>;

/// The signature algorithms accepted (and, for RS256, used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SigAlg {
    Rs256,
    Rs512,
    Ps256,
    Ps512,
}

impl SigAlg {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "RS512" => Some(Self::Rs512),
            "PS256" => Some(Self::Ps256),
            "PS512" => Some(Self::Ps512),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs512 => "RS512",
            Self::Ps256 => "PS256",
            Self::Ps512 => "PS512",
        }
    }

    fn verification(self) -> &'static signature::RsaParameters {
        match self {
            Self::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Self::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Self::Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
            Self::Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
        }
    }

    /// The hash of the algorithm, for `at_hash` (OpenID Connect Core §3.1.3.6).
    pub(crate) fn digest(self) -> &'static digest::Algorithm {
        match self {
            Self::Rs256 | Self::Ps256 => &digest::SHA256,
            Self::Rs512 | Self::Ps512 => &digest::SHA512,
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(what: &'static str, text: &str) -> Result<Vec<u8>, OidcError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| OidcError::Malformed {
            what,
            detail: format!("base64url: {e}"),
        })
}

fn json_object(what: &'static str, bytes: &[u8]) -> Result<Claims, OidcError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(OidcError::Malformed {
            what,
            detail: "not a JSON object".into(),
        }),
        Err(e) => Err(OidcError::Malformed {
            what,
            detail: e.to_string(),
        }),
    }
}

/// Signs `claims` with RS256 as a compact JWS, with `kid` and the given `typ` in the header.
pub(crate) fn sign(key: &RsaKey, typ: &str, claims: &Value) -> Result<String, OidcError> {
    sign_with_header(
        key,
        json!({ "alg": "RS256", "kid": key.kid(), "typ": typ }),
        claims,
    )
}

/// Signs `claims` with RS256 under an explicit header (which must say `RS256`).
pub(crate) fn sign_with_header(
    key: &RsaKey,
    header: Value,
    claims: &Value,
) -> Result<String, OidcError> {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let pair = key.signing_pair()?;
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &signature::RSA_PKCS1_SHA256,
        &rand::SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| OidcError::Key("RSA signature failed".into()))?;
    Ok(format!("{input}.{}", b64(&sig)))
}

/// A JWS whose signature has been verified.
#[derive(Debug)]
pub(crate) struct Verified {
    pub(crate) alg: SigAlg,
    pub(crate) header: Claims,
    pub(crate) claims: Claims,
}

/// Splits a compact JWS and reads its header and payload without checking anything.
fn parts(what: &'static str, token: &str) -> Result<(Claims, Claims, String, Vec<u8>), OidcError> {
    let mut split = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (split.next(), split.next(), split.next(), split.next())
    else {
        return Err(OidcError::Malformed {
            what,
            detail: "not a compact JWS".into(),
        });
    };
    let header = json_object(what, &unb64(what, h)?)?;
    let claims = json_object(what, &unb64(what, p)?)?;
    Ok((header, claims, format!("{h}.{p}"), unb64(what, s)?))
}

/// The payload of a JWS, unverified: only to find which keys must then verify it.
pub(crate) fn peek(what: &'static str, token: &str) -> Result<Claims, OidcError> {
    parts(what, token).map(|(_, claims, _, _)| claims)
}

/// Verifies a compact JWS against the signing keys of `jwks`.
pub(crate) fn verify(what: &'static str, token: &str, jwks: &Jwks) -> Result<Verified, OidcError> {
    let (header, claims, input, sig) = parts(what, token)?;
    let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("none");
    let alg = SigAlg::from_name(alg_name).ok_or_else(|| OidcError::AlgorithmNotAllowed {
        what,
        alg: alg_name.to_owned(),
    })?;
    if header.contains_key("crit") {
        return Err(OidcError::Malformed {
            what,
            detail: "unsupported crit header".into(),
        });
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let verified = jwks
        .rsa_keys(KeyUse::Sig)
        .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
        .filter_map(|k| k.components().ok())
        .any(|c| c.verify(alg.verification(), input.as_bytes(), &sig).is_ok());
    if !verified {
        return Err(OidcError::BadSignature { what });
    }
    Ok(Verified {
        alg,
        header,
        claims,
    })
}

/// A string claim.
pub(crate) fn str_claim<'a>(claims: &'a Claims, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// Checks `iss`.
pub(crate) fn check_issuer(
    what: &'static str,
    claims: &Claims,
    expected: &str,
) -> Result<(), OidcError> {
    let found = str_claim(claims, "iss").unwrap_or_default();
    if found == expected {
        Ok(())
    } else {
        Err(OidcError::IssuerMismatch {
            what,
            expected: expected.to_owned(),
            found: found.to_owned(),
        })
    }
}

/// Checks that `aud` (a string or an array) contains `expected`.
pub(crate) fn check_audience(
    what: &'static str,
    claims: &Claims,
    expected: &str,
) -> Result<(), OidcError> {
    let ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == expected,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(expected)),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(OidcError::AudienceMismatch {
            what,
            expected: expected.to_owned(),
        })
    }
}

/// Checks `exp` (required), `iat` (required) and `nbf` (if present) against `now`.
pub(crate) fn check_times(
    what: &'static str,
    claims: &Claims,
    now: OffsetDateTime,
) -> Result<(), OidcError> {
    let now = now.unix_timestamp();
    let number = |name: &str| claims.get(name).and_then(Value::as_i64);
    let exp = number("exp").ok_or(OidcError::Malformed {
        what,
        detail: "no exp".into(),
    })?;
    let iat = number("iat").ok_or(OidcError::Malformed {
        what,
        detail: "no iat".into(),
    })?;
    if exp + CLOCK_SKEW_SECONDS <= now {
        return Err(OidcError::Expired { what });
    }
    if iat - CLOCK_SKEW_SECONDS > now
        || number("nbf").is_some_and(|nbf| nbf - CLOCK_SKEW_SECONDS > now)
    {
        return Err(OidcError::NotYetValid { what });
    }
    Ok(())
}

/// The content encryption algorithms (RFC 7518 §5.2): AES-CBC with HMAC-SHA2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContentEncryption {
    A128CbcHs256,
    A256CbcHs512,
}

impl ContentEncryption {
    #[cfg(any(test, feature = "test-provider"))]
    fn name(self) -> &'static str {
        match self {
            Self::A128CbcHs256 => "A128CBC-HS256",
            Self::A256CbcHs512 => "A256CBC-HS512",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "A128CBC-HS256" => Some(Self::A128CbcHs256),
            "A256CBC-HS512" => Some(Self::A256CbcHs512),
            _ => None,
        }
    }

    /// Length of each of the MAC and encryption halves of the content key.
    fn half(self) -> usize {
        match self {
            Self::A128CbcHs256 => 16,
            Self::A256CbcHs512 => 32,
        }
    }

    fn tag(self, mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Vec<u8> {
        let alg = match self {
            Self::A128CbcHs256 => hmac::HMAC_SHA256,
            Self::A256CbcHs512 => hmac::HMAC_SHA512,
        };
        let aad_bits = u64::try_from(aad.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(8);
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(alg, mac_key));
        ctx.update(aad);
        ctx.update(iv);
        ctx.update(ciphertext);
        ctx.update(&aad_bits.to_be_bytes());
        ctx.sign().as_ref()[..self.half()].to_vec()
    }

    fn cipher(self, enc_key: &[u8]) -> Result<UnboundCipherKey, OidcError> {
        let alg = match self {
            Self::A128CbcHs256 => &AES_128,
            Self::A256CbcHs512 => &AES_256,
        };
        UnboundCipherKey::new(alg, enc_key).map_err(|_| OidcError::Decryption("AES key".into()))
    }
}

/// Encrypts `plaintext` as a compact JWE to `recipient` (used by the test provider).
#[cfg(any(test, feature = "test-provider"))]
pub(crate) fn encrypt(
    plaintext: &[u8],
    recipient: &crate::keys::Jwk,
    alg: KeyEncryption,
    enc: ContentEncryption,
) -> Result<String, OidcError> {
    use aws_lc_rs::cipher::{EncryptionContext, PaddedBlockEncryptingKey};
    let mut header = json!({ "alg": alg.name(), "enc": enc.name(), "cty": "JWT" });
    if let (Some(kid), Some(map)) = (&recipient.kid, header.as_object_mut()) {
        map.insert("kid".into(), Value::String(kid.clone()));
    }
    let protected = b64(header.to_string().as_bytes());
    let mut cek = vec![0u8; enc.half() * 2];
    let mut iv = [0u8; 16];
    rand::fill(&mut cek)
        .and_then(|()| rand::fill(&mut iv))
        .map_err(|_| OidcError::Key("random".into()))?;
    let encrypted_key = alg.encrypt(&recipient.oaep_encrypting_key()?, &cek)?;
    let (mac_key, enc_key) = cek.split_at(enc.half());
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(enc.cipher(enc_key)?)
        .map_err(|_| OidcError::Key("AES-CBC key".into()))?;
    let mut ciphertext = plaintext.to_vec();
    key.less_safe_encrypt(
        &mut ciphertext,
        EncryptionContext::Iv128(FixedLength::from(iv)),
    )
    .map_err(|_| OidcError::Key("AES-CBC encryption failed".into()))?;
    let tag = enc.tag(mac_key, protected.as_bytes(), &iv, &ciphertext);
    Ok(format!(
        "{protected}.{}.{}.{}.{}",
        b64(&encrypted_key),
        b64(&iv),
        b64(&ciphertext),
        b64(&tag)
    ))
}

/// Decrypts a compact JWE addressed to `key`.
pub(crate) fn decrypt(token: &str, key: &RsaKey) -> Result<Vec<u8>, OidcError> {
    const WHAT: &str = "userinfo JWE";
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [protected, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(OidcError::Malformed {
            what: WHAT,
            detail: "not a compact JWE".into(),
        });
    };
    let header = json_object(WHAT, &unb64(WHAT, protected)?)?;
    let alg_name = str_claim(&header, "alg").unwrap_or("none");
    let alg = KeyEncryption::from_name(alg_name).ok_or_else(|| OidcError::AlgorithmNotAllowed {
        what: WHAT,
        alg: alg_name.to_owned(),
    })?;
    let enc_name = str_claim(&header, "enc").unwrap_or("none");
    let enc =
        ContentEncryption::from_name(enc_name).ok_or_else(|| OidcError::AlgorithmNotAllowed {
            what: WHAT,
            alg: enc_name.to_owned(),
        })?;
    if header.contains_key("zip") || header.contains_key("crit") {
        return Err(OidcError::Malformed {
            what: WHAT,
            detail: "unsupported zip or crit header".into(),
        });
    }
    let cek = key.decrypt(alg, &unb64(WHAT, encrypted_key)?)?;
    if cek.len() != enc.half() * 2 {
        return Err(OidcError::Decryption(
            "content key of the wrong length".into(),
        ));
    }
    let iv: [u8; 16] = unb64(WHAT, iv)?
        .try_into()
        .map_err(|_| OidcError::Decryption("IV of the wrong length".into()))?;
    let mut ciphertext = unb64(WHAT, ciphertext)?;
    let (mac_key, enc_key) = cek.split_at(enc.half());
    let expected = enc.tag(mac_key, protected.as_bytes(), &iv, &ciphertext);
    if !bool::from(expected.ct_eq(&unb64(WHAT, tag)?)) {
        return Err(OidcError::Decryption("authentication tag mismatch".into()));
    }
    let key = PaddedBlockDecryptingKey::cbc_pkcs7(enc.cipher(enc_key)?)
        .map_err(|_| OidcError::Decryption("AES-CBC key".into()))?;
    let plain = key
        .decrypt(
            &mut ciphertext,
            DecryptionContext::Iv128(FixedLength::from(iv)),
        )
        .map_err(|_| OidcError::Decryption("bad padding".into()))?;
    Ok(plain.to_vec())
}

/// A random string of `len` ASCII letters and digits (state, nonce, PKCE verifier, codes).
pub(crate) fn random_alphanumeric(len: usize) -> Result<String, OidcError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rand::fill(&mut buf).map_err(|_| OidcError::Key("random generator failed".into()))?;
        // 248 = 4 * 62: rejecting the bytes above keeps every character equally likely.
        for b in buf.iter().filter(|&&b| b < 248) {
            if out.len() < len {
                out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// A random UUID version 4, as the spec asks for `jti`.
pub(crate) fn uuid4() -> Result<String, OidcError> {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes).map_err(|_| OidcError::Key("random generator failed".into()))?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string())
}

/// The PKCE S256 challenge of a verifier (RFC 7636 §4.2).
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    b64(digest::digest(&digest::SHA256, verifier.as_bytes()).as_ref())
}

/// The `at_hash` of an access token for the ID token's algorithm.
pub(crate) fn at_hash(alg: SigAlg, access_token: &str) -> String {
    let hash = digest::digest(alg.digest(), access_token.as_bytes());
    let bytes = hash.as_ref();
    b64(&bytes[..bytes.len() / 2])
}

/// The RS256 name, for metadata.
pub(crate) const SIGNING_ALG: &str = "RS256";

/// The `at_hash` of an access token for an RS256 ID token.
#[cfg(feature = "test-provider")]
pub(crate) fn at_hash_rs256(access_token: &str) -> String {
    at_hash(SigAlg::Rs256, access_token)
}

/// An unsigned (`alg: none`) token, for the test provider to prove it is refused.
#[cfg(feature = "test-provider")]
pub(crate) fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none"}"#),
        b64(claims.to_string().as_bytes())
    )
}

impl std::fmt::Display for SigAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwks_of(key: &RsaKey) -> Jwks {
        Jwks {
            keys: vec![key.public_jwk(KeyUse::Sig)],
        }
    }

    #[test]
    fn a_signed_token_verifies_with_its_key_only() -> Result<(), OidcError> {
        let key = RsaKey::generate()?;
        let other = RsaKey::generate()?;
        let token = sign(&key, "JWT", &json!({ "iss": "a" }))?;
        let verified = verify("test", &token, &jwks_of(&key))?;
        assert_eq!(str_claim(&verified.claims, "iss"), Some("a"));
        assert!(matches!(
            verify("test", &token, &jwks_of(&other)),
            Err(OidcError::BadSignature { .. })
        ));
        Ok(())
    }

    #[test]
    fn alg_none_and_hmac_tokens_are_refused() -> Result<(), OidcError> {
        let key = RsaKey::generate()?;
        let payload = b64(br#"{"iss":"a"}"#);
        for alg in ["none", "HS256"] {
            let header = b64(format!(r#"{{"alg":"{alg}","kid":"{}"}}"#, key.kid()).as_bytes());
            let token = format!("{header}.{payload}.");
            assert!(matches!(
                verify("test", &token, &jwks_of(&key)),
                Err(OidcError::AlgorithmNotAllowed { .. })
            ));
        }
        Ok(())
    }

    #[test]
    fn a_jwe_decrypts_with_both_content_algorithms_and_refuses_tampering() -> Result<(), OidcError>
    {
        let key = RsaKey::generate()?;
        let jwk = key.public_jwk(KeyUse::Enc);
        for (alg, enc) in [
            (KeyEncryption::RsaOaep256, ContentEncryption::A128CbcHs256),
            (KeyEncryption::RsaOaep, ContentEncryption::A256CbcHs512),
        ] {
            let token = encrypt(b"inner.jws.here", &jwk, alg, enc)?;
            assert_eq!(decrypt(&token, &key)?, b"inner.jws.here");
            let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
            parts[3] = b64(b"0123456789abcdef");
            assert!(matches!(
                decrypt(&parts.join("."), &key),
                Err(OidcError::Decryption(_))
            ));
        }
        Ok(())
    }

    #[test]
    fn the_pkce_challenge_follows_rfc_7636() {
        // RFC 7636 Appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn times_are_checked_with_the_clock_skew() {
        let now =
            OffsetDateTime::from_unix_timestamp(1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let claims = |iat: i64, exp: i64| {
            json!({ "iat": iat, "exp": exp })
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        assert!(check_times("t", &claims(999_990, 1_000_100), now).is_ok());
        assert!(matches!(
            check_times("t", &claims(999_000, 999_900), now),
            Err(OidcError::Expired { .. })
        ));
        assert!(matches!(
            check_times("t", &claims(1_000_500, 1_000_900), now),
            Err(OidcError::NotYetValid { .. })
        ));
    }

    #[test]
    fn random_strings_are_alphanumeric_and_differ() -> Result<(), OidcError> {
        let a = random_alphanumeric(43)?;
        assert_eq!(a.len(), 43);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, random_alphanumeric(43)?);
        Ok(())
    }
}
