//! RSA keys and their public JWK form (RFC 7517), with RFC 7638 thumbprints as key ids.

use std::fmt;
use std::path::Path;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey,
    PrivateDecryptingKey, PublicKeyComponents,
};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use crate::OidcError;

/// What a key is published for (the JWK `use` member).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyUse {
    Sig,
    Enc,
}

/// A public RSA key as a JWK. Members other than these are ignored when reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<KeyUse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default)]
    pub n: String,
    #[serde(default)]
    pub e: String,
}

/// A JWK Set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Reads a JWK Set from its JSON text (as pinned in the configuration).
    ///
    /// # Errors
    /// [`OidcError::Config`] if the text is not a JWK Set.
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        serde_json::from_str(text).map_err(|e| OidcError::Config(format!("JWK Set: {e}")))
    }

    /// The JSON text of the set.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_value(self).map_or_else(|_| String::new(), |v| v.to_string())
    }

    /// The RSA keys usable for `key_use` (a key without `use` serves both).
    pub(crate) fn rsa_keys(&self, key_use: KeyUse) -> impl Iterator<Item = &Jwk> {
        self.keys.iter().filter(move |k| {
            k.kty == "RSA" && k.key_use.is_none_or(|u| u == key_use) && !k.n.is_empty()
        })
    }
}

impl Jwk {
    /// The public key components, decoded.
    pub(crate) fn components(&self) -> Result<PublicKeyComponents<Vec<u8>>, OidcError> {
        let decode = |s: &str| {
            URL_SAFE_NO_PAD
                .decode(s)
                .map_err(|e| OidcError::Federation(format!("JWK component: {e}")))
        };
        Ok(PublicKeyComponents {
            n: decode(&self.n)?,
            e: decode(&self.e)?,
        })
    }

    /// An RSA-OAEP encryption key for this JWK.
    #[cfg(any(test, feature = "test-provider"))]
    pub(crate) fn oaep_encrypting_key(
        &self,
    ) -> Result<aws_lc_rs::rsa::OaepPublicEncryptingKey, OidcError> {
        use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey};
        let public: PublicEncryptingKey = self
            .components()?
            .try_into()
            .map_err(|_| OidcError::Key("JWK is not an RSA encryption key".into()))?;
        OaepPublicEncryptingKey::new(public).map_err(|_| OidcError::Key("RSA-OAEP key".into()))
    }
}

/// RSA-OAEP variants of JWE key management (RFC 7518 §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEncryption {
    RsaOaep,
    RsaOaep256,
}

impl KeyEncryption {
    #[cfg(any(test, feature = "test-provider"))]
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RsaOaep => "RSA-OAEP",
            Self::RsaOaep256 => "RSA-OAEP-256",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        match name {
            "RSA-OAEP" => Some(Self::RsaOaep),
            "RSA-OAEP-256" => Some(Self::RsaOaep256),
            _ => None,
        }
    }

    fn algorithm(self) -> &'static aws_lc_rs::rsa::OaepAlgorithm {
        match self {
            Self::RsaOaep => &OAEP_SHA1_MGF1SHA1,
            Self::RsaOaep256 => &OAEP_SHA256_MGF1SHA256,
        }
    }

    #[cfg(any(test, feature = "test-provider"))]
    pub(crate) fn encrypt(
        self,
        key: &aws_lc_rs::rsa::OaepPublicEncryptingKey,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, OidcError> {
        into_vec(key.ciphertext_size(), |out| {
            key.encrypt(self.algorithm(), plaintext, out, None)
        })
        .ok_or_else(|| OidcError::Key("RSA-OAEP encryption failed".into()))
    }
}

/// An RSA private key of the relying party (or of the test provider), with its key id.
#[derive(Clone)]
pub struct RsaKey {
    pkcs8: Vec<u8>,
    public: Jwk,
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKey")
            .field("kid", &self.public.kid)
            .finish_non_exhaustive()
    }
}

impl RsaKey {
    /// A new random 2048-bit key, for demos and tests (production keys come from PEM files).
    ///
    /// # Errors
    /// [`OidcError::Key`] if the generator fails.
    pub fn generate() -> Result<Self, OidcError> {
        Self::from_pair(
            &KeyPair::generate(KeySize::Rsa2048)
                .map_err(|_| OidcError::Key("RSA key generation failed".into()))?,
        )
    }

    fn from_pair(pair: &KeyPair) -> Result<Self, OidcError> {
        let pkcs8 = pair
            .as_der()
            .map_err(|_| OidcError::Key("RSA key encoding failed".into()))?
            .as_ref()
            .to_vec();
        Self::from_pkcs8(pkcs8)
    }

    /// Reads a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    ///
    /// # Errors
    /// [`OidcError::Key`] if the text is not an unencrypted RSA private key of at least 2048 bits.
    pub fn from_pem(pem: &str) -> Result<Self, OidcError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8(der),
            "RSA PRIVATE KEY" => Self::from_pair(
                &KeyPair::from_der(&der)
                    .map_err(|e| OidcError::Key(format!("PKCS#1 RSA key: {e}")))?,
            ),
            other => Err(OidcError::Key(format!(
                "PEM block {other:?} is not an RSA private key"
            ))),
        }
    }

    /// Reads a PEM private key file.
    ///
    /// # Errors
    /// [`OidcError::Key`] if the file cannot be read or is not an RSA private key.
    pub fn from_pem_file(path: &Path) -> Result<Self, OidcError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| OidcError::Key(format!("{}: {e}", path.display())))?;
        Self::from_pem(&text).map_err(|e| OidcError::Key(format!("{}: {e}", path.display())))
    }

    /// The key as PKCS#8 PEM, to keep a generated demo key across restarts.
    #[must_use]
    pub fn to_pem(&self) -> String {
        let body = STANDARD.encode(&self.pkcs8);
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        pem
    }

    fn from_pkcs8(pkcs8: Vec<u8>) -> Result<Self, OidcError> {
        let pair = KeyPair::from_pkcs8(&pkcs8)
            .map_err(|e| OidcError::Key(format!("PKCS#8 RSA key: {e}")))?;
        if pair.public_modulus_len() < 256 {
            return Err(OidcError::Key(
                "RSA keys must have at least 2048 bits".into(),
            ));
        }
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        let n = URL_SAFE_NO_PAD.encode(&components.n);
        let e = URL_SAFE_NO_PAD.encode(&components.e);
        let kid = thumbprint(&n, &e);
        let public = Jwk {
            kty: "RSA".into(),
            kid: Some(kid),
            key_use: None,
            alg: None,
            n,
            e,
        };
        Ok(Self { pkcs8, public })
    }

    /// The RFC 7638 thumbprint used as `kid`.
    #[must_use]
    pub fn kid(&self) -> &str {
        self.public.kid.as_deref().unwrap_or_default()
    }

    /// The public JWK, marked for `key_use`.
    #[must_use]
    pub fn public_jwk(&self, key_use: KeyUse) -> Jwk {
        Jwk {
            key_use: Some(key_use),
            ..self.public.clone()
        }
    }

    pub(crate) fn signing_pair(&self) -> Result<KeyPair, OidcError> {
        KeyPair::from_pkcs8(&self.pkcs8).map_err(|e| OidcError::Key(format!("RSA key: {e}")))
    }

    pub(crate) fn decrypt(
        &self,
        alg: KeyEncryption,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, OidcError> {
        let private = PrivateDecryptingKey::from_pkcs8(&self.pkcs8)
            .map_err(|e| OidcError::Key(format!("RSA decryption key: {e}")))?;
        let private = OaepPrivateDecryptingKey::new(private)
            .map_err(|_| OidcError::Key("RSA-OAEP decryption key".into()))?;
        into_vec(private.min_output_size(), |out| {
            private.decrypt(alg.algorithm(), ciphertext, out, None)
        })
        .ok_or_else(|| OidcError::Decryption("the content key does not decrypt".into()))
    }
}

/// Runs an RSA operation that writes into a buffer of `size` bytes; the bytes written.
fn into_vec<E>(size: usize, op: impl FnOnce(&mut [u8]) -> Result<&mut [u8], E>) -> Option<Vec<u8>> {
    let mut out = vec![0u8; size];
    let len = op(&mut out).ok()?.len();
    out.truncate(len);
    Some(out)
}

/// RFC 7638 JWK thumbprint (SHA-256) of an RSA key.
fn thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        canonical.as_bytes(),
    ))
}

/// The label and DER bytes of the first PEM block of `pem`.
fn decode_pem(pem: &str) -> Result<(String, Vec<u8>), OidcError> {
    let mut lines = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("-----BEGIN "));
    let label = lines
        .next()
        .and_then(|l| l.strip_prefix("-----BEGIN "))
        .and_then(|l| l.strip_suffix("-----"))
        .ok_or_else(|| OidcError::Key("no PEM block".into()))?
        .to_owned();
    let end = format!("-----END {label}-----");
    let mut body = String::new();
    let mut closed = false;
    for line in lines {
        if line == end {
            closed = true;
            break;
        }
        if line.contains(':') {
            return Err(OidcError::Key(
                "encrypted PEM keys are not supported".into(),
            ));
        }
        body.push_str(line);
    }
    if !closed {
        return Err(OidcError::Key(format!("PEM block {label:?} is not closed")));
    }
    let der = STANDARD
        .decode(body)
        .map_err(|e| OidcError::Key(format!("PEM base64: {e}")))?;
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_round_trips_through_pem_with_the_same_kid() -> Result<(), OidcError> {
        let key = RsaKey::generate()?;
        let again = RsaKey::from_pem(&key.to_pem())?;
        assert_eq!(key.kid(), again.kid());
        assert_eq!(key.kid().len(), 43);
        Ok(())
    }

    #[test]
    fn a_pkcs1_pem_key_is_read_as_the_same_key() -> Result<(), OidcError> {
        let key = RsaKey::generate()?;
        // PKCS#8 of an RSA 2048 key: a 26-byte header, then the PKCS#1 RSAPrivateKey.
        assert_eq!(key.pkcs8.get(22..24), Some(&[0x04, 0x82][..]));
        let pkcs1 = key.pkcs8.get(26..).unwrap_or_default();
        let body = STANDARD.encode(pkcs1);
        let pem =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n");
        assert_eq!(RsaKey::from_pem(&pem)?.kid(), key.kid());
        Ok(())
    }

    #[test]
    fn a_pem_that_is_not_a_private_key_is_refused() {
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(RsaKey::from_pem(cert), Err(OidcError::Key(_))));
        assert!(matches!(
            RsaKey::from_pem("garbage"),
            Err(OidcError::Key(_))
        ));
    }

    #[test]
    fn the_thumbprint_follows_rfc_7638() {
        // RFC 7638 §3.1 example.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        assert_eq!(
            thumbprint(n, "AQAB"),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
