//! The one error enum of the crate: variants for the log, [`OidcError::user_message`] for the citizen.

/// Why a sign-in (or the relying party's own setup) failed.
///
/// `Display` is for the log (English, with the technical detail); show the citizen
/// [`OidcError::user_message`] instead.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The configuration is unusable (an entity id that is not a URL, a duplicate provider, ...).
    #[error("configuration: {0}")]
    Config(String),
    /// A key could not be read, parsed or generated, or a cryptographic operation failed.
    #[error("key: {0}")]
    Key(String),
    /// The login names a provider that the configuration does not trust.
    #[error("unknown provider {0}")]
    UnknownProvider(String),
    /// A URL is neither https nor (when explicitly allowed) http on the loopback interface.
    #[error("refused insecure URL {0}")]
    InsecureUrl(String),
    /// The provider could not be reached, timed out, or answered with a redirect or an unreadable body.
    #[error("HTTP {url}: {detail}")]
    Http { url: String, detail: String },
    /// The provider answered with an unexpected HTTP status.
    #[error("HTTP {url}: status {status}: {body}")]
    HttpStatus {
        url: String,
        status: u16,
        body: String,
    },
    /// The token endpoint refused the code (an OAuth error such as `invalid_grant`).
    #[error("token endpoint refused: {error} ({description})")]
    TokenRejected { error: String, description: String },
    /// The provider sent the citizen back with an error (`access_denied`, `login_required`, ...).
    #[error("authorization refused by the provider: {error} ({description})")]
    Denied { error: String, description: String },
    /// The federation metadata of a provider could not be trusted (signature, issuer, trust anchor).
    #[error("federation: {0}")]
    Federation(String),
    /// The `state` of the callback is not the one of the pending login.
    #[error("state mismatch")]
    StateMismatch,
    /// The pending login is older than the allowed time.
    #[error("pending login expired")]
    LoginExpired,
    /// A JWT or JWE is not well formed.
    #[error("malformed {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
    /// A token uses an algorithm that the SPID/CIE profile forbids or that is not supported (`none`, `HS256`, ...).
    #[error("{what}: algorithm {alg} not allowed")]
    AlgorithmNotAllowed { what: &'static str, alg: String },
    /// No trusted key verifies the signature of a token.
    #[error("{what}: signature not valid for any trusted key")]
    BadSignature { what: &'static str },
    /// A token's `iss` is not the expected issuer.
    #[error("{what}: issuer {found:?}, expected {expected:?}")]
    IssuerMismatch {
        what: &'static str,
        expected: String,
        found: String,
    },
    /// A token's `aud` does not contain the expected audience.
    #[error("{what}: audience does not contain {expected:?}")]
    AudienceMismatch {
        what: &'static str,
        expected: String,
    },
    /// The ID token's nonce is not the one of the pending login.
    #[error("ID token nonce mismatch")]
    NonceMismatch,
    /// A token has expired.
    #[error("{what} expired")]
    Expired { what: &'static str },
    /// A token was issued in the future (beyond the allowed clock skew).
    #[error("{what} not yet valid")]
    NotYetValid { what: &'static str },
    /// The ID token's `at_hash` does not match the access token.
    #[error("ID token at_hash does not match the access token")]
    AtHashMismatch,
    /// The authentication level is lower than requested.
    #[error("authentication level {found:?} lower than the requested {requested}")]
    AcrTooLow {
        requested: &'static str,
        found: String,
    },
    /// The userinfo `sub` is not the ID token's.
    #[error("userinfo sub {userinfo:?} differs from the ID token's {id_token:?}")]
    SubjectMismatch { id_token: String, userinfo: String },
    /// A claim the sign-in needs is missing.
    #[error("missing claim {0}")]
    MissingClaim(&'static str),
    /// The fiscal number released by the provider is not a codice fiscale.
    #[error("fiscal number {0:?} is not a codice fiscale")]
    InvalidFiscalNumber(String),
    /// A JWE could not be decrypted (wrong key, tampered, unsupported algorithm).
    #[error("userinfo decryption: {0}")]
    Decryption(String),
}

impl OidcError {
    /// A short Italian message for the citizen; the detail goes to the log only.
    #[must_use]
    pub fn user_message(&self) -> &'static str {
        match self {
            Self::Denied { error, .. } if error == "access_denied" => {
                "L'accesso è stato annullato o negato dal gestore dell'identità: riprova."
            }
            Self::StateMismatch => {
                "La richiesta di accesso non è valida o è già stata usata: riprova dall'inizio."
            }
            Self::LoginExpired => "La richiesta di accesso è scaduta: riprova dall'inizio.",
            Self::UnknownProvider(_) => {
                "Il gestore dell'identità scelto non è disponibile: scegline un altro."
            }
            Self::Http { .. } | Self::HttpStatus { .. } => {
                "Il gestore dell'identità non risponde: riprova tra qualche minuto."
            }
            Self::AcrTooLow { .. } => {
                "Il livello di sicurezza dell'accesso non è sufficiente: accedi con SPID di livello 2 o con CIE."
            }
            Self::MissingClaim(_) | Self::InvalidFiscalNumber(_) => {
                "Il gestore dell'identità non ha fornito il codice fiscale: rivolgiti allo sportello."
            }
            _ => "L'accesso non è riuscito: riprova o rivolgiti allo sportello.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_citizen_reads_italian_without_technical_detail() {
        let denied = OidcError::Denied {
            error: "access_denied".into(),
            description: "x".into(),
        };
        assert!(denied.user_message().contains("annullato"));
        let forged = OidcError::BadSignature { what: "ID token" };
        assert_eq!(
            forged.user_message(),
            "L'accesso non è riuscito: riprova o rivolgiti allo sportello."
        );
        assert!(
            forged.to_string().contains("ID token"),
            "the log keeps the detail"
        );
        assert!(OidcError::LoginExpired.user_message().contains("scaduta"));
    }
}
