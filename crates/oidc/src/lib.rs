//! Sign-in with SPID and CIE id: an OpenID Connect relying party following the Italian profile
//! of OpenID Connect and OpenID Federation ("SPID/CIE OIDC – Regole Tecniche"), and, behind the
//! `test-provider` feature, a local OpenID provider for tests and the demo.
//!
//! The web layer calls, in order:
//! 1. [`RelyingParty::new`] once, from an [`RpConfig`];
//! 2. [`RelyingParty::entity_configuration`] to serve `/.well-known/openid-federation`;
//! 3. [`RelyingParty::begin`] when the citizen picks a provider: redirect to the URL, keep the
//!    [`PendingLogin`];
//! 4. [`RelyingParty::finish`] on the callback with `code` and `state`: an [`Identity`] or an
//!    [`OidcError`] whose [`OidcError::user_message`] is shown.
//!
//! See the crate's README for what of the spec is implemented and what is not.

mod error;
pub mod federation;
mod http;
mod jose;
mod keys;
pub mod pdnd;
mod rp;
#[cfg(feature = "test-provider")]
pub mod testing;

pub use error::OidcError;
pub use federation::ProviderTrust;
pub use keys::{Jwk, Jwks, KeyUse, RsaKey};
pub use rp::{
    Acr, FISCAL_NUMBER_CLAIM, Identity, LOGIN_TIMEOUT, PendingLogin, ProviderConfig, RelyingParty,
    RpConfig, RpKeys, TrustMark,
};
