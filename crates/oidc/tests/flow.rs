//! The whole SPID/CIE sign-in against the in-process test provider, and every refusal.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidc::testing::{Behaviour, HeadlessError, TestIdentity, TestProvider};
use oidc::{Acr, Identity, OidcError, PendingLogin, RelyingParty, RpConfig, RpKeys};
use serde_json::Value;
use time::OffsetDateTime;

type TestResult = Result<(), Box<dyn std::error::Error>>;
/// Whether an error is the one a misbehaviour must cause.
type IsExpected = fn(&OidcError) -> bool;

const CLIENT_ID: &str = "http://127.0.0.1:9/portale";

fn identities() -> Vec<TestIdentity> {
    vec![
        TestIdentity::mario_rossi(),
        TestIdentity::new("VRDGPP75C41F205X", "Giuseppina", "Verdi", None),
    ]
}

fn rp_config(
    client_id: &str,
    provider: &TestProvider,
    via_anchor: bool,
) -> Result<RpConfig, OidcError> {
    let mut config = RpConfig::new(
        client_id,
        &format!("{client_id}/accesso/ritorno"),
        RpKeys::generate()?,
        "Comune di Prova",
    );
    config.allow_insecure_localhost = true;
    config.contacts = vec!["protocollo@pec.comune.example".into()];
    config.authority_hints = vec![provider.anchor_id().to_owned()];
    config.providers.push(if via_anchor {
        provider.provider_config_via_anchor("SPID – Provider di prova")
    } else {
        provider.provider_config("SPID – Provider di prova")
    });
    Ok(config)
}

/// Whether the token endpoint refused the code with `invalid_grant`.
fn is_invalid_grant(result: &Result<Identity, OidcError>) -> bool {
    matches!(result, Err(OidcError::TokenRejected { error, .. }) if error == "invalid_grant")
}

/// A provider and a relying party registered with it.
async fn setup(behaviour: Behaviour) -> Result<(TestProvider, RelyingParty), OidcError> {
    let provider = TestProvider::start(identities(), behaviour).await?;
    let rp = RelyingParty::new(rp_config(CLIENT_ID, &provider, false)?)?;
    provider.register_rp(&rp.entity_configuration(OffsetDateTime::now_utc())?)?;
    Ok((provider, rp))
}

/// The callback's code and state, from the URL the provider redirects to.
fn callback(redirect: &str) -> Result<(String, String), Box<dyn std::error::Error>> {
    let url = url::Url::parse(redirect)?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    Ok((
        param("code").ok_or("no code")?,
        param("state").ok_or("no state")?,
    ))
}

/// begin → provider page → callback; the pending login, the code and the state.
async fn authorize(
    provider: &TestProvider,
    rp: &RelyingParty,
    identity: usize,
) -> Result<(PendingLogin, String, String), Box<dyn std::error::Error>> {
    let (url, pending) = rp
        .begin(provider.issuer(), OffsetDateTime::now_utc())
        .await?;
    let redirect = provider.authorize_headless(&url, identity).await?;
    assert!(
        redirect.starts_with(&rp.config().redirect_uri),
        "{redirect}"
    );
    let (code, state) = callback(&redirect)?;
    Ok((pending, code, state))
}

async fn login(
    provider: &TestProvider,
    rp: &RelyingParty,
    identity: usize,
) -> Result<Result<Identity, OidcError>, Box<dyn std::error::Error>> {
    let (pending, code, state) = authorize(provider, rp, identity).await?;
    Ok(rp
        .finish(&pending, &code, &state, OffsetDateTime::now_utc())
        .await)
}

#[tokio::test]
async fn a_citizen_signs_in_and_the_rp_gets_the_fiscal_number_names_and_email() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let identity = login(&provider, &rp, 0).await??;
    assert_eq!(identity.fiscal_number, "RSSMRA80A01H501U");
    assert_eq!(identity.given_name, "Mario");
    assert_eq!(identity.family_name, "Rossi");
    assert_eq!(identity.email.as_deref(), Some("mario.rossi@example.org"));
    assert_eq!(identity.provider, provider.issuer());
    assert_eq!(identity.acr, Acr::SpidL2);
    assert!(!identity.sub.is_empty());

    let other = login(&provider, &rp, 1).await??;
    assert_eq!(other.fiscal_number, "VRDGPP75C41F205X");
    assert_eq!(other.email, None);
    assert_ne!(other.sub, identity.sub);
    Ok(())
}

#[tokio::test]
async fn the_provider_is_trusted_through_the_trust_anchor_subordinate_statement() -> TestResult {
    let provider = TestProvider::start(identities(), Behaviour::Honest).await?;
    let rp = RelyingParty::new(rp_config(CLIENT_ID, &provider, true)?)?;
    provider.register_rp(&rp.entity_configuration(OffsetDateTime::now_utc())?)?;
    let identity = login(&provider, &rp, 0).await??;
    assert_eq!(identity.fiscal_number, "RSSMRA80A01H501U");
    Ok(())
}

#[tokio::test]
async fn a_provider_pinned_with_other_keys_is_not_trusted() -> TestResult {
    let provider = TestProvider::start(identities(), Behaviour::Honest).await?;
    let impostor = TestProvider::start(identities(), Behaviour::Honest).await?;
    let mut config = rp_config(CLIENT_ID, &provider, false)?;
    config.providers[0] = oidc::ProviderConfig {
        trust: impostor.provider_config("x").trust,
        ..config.providers[0].clone()
    };
    let rp = RelyingParty::new(config)?;
    let refused = rp.begin(provider.issuer(), OffsetDateTime::now_utc()).await;
    assert!(
        matches!(refused, Err(OidcError::BadSignature { .. })),
        "{refused:?}"
    );

    let mut config = rp_config(CLIENT_ID, &provider, true)?;
    config.providers[0] = impostor.provider_config_via_anchor("x");
    config.providers[0].id = provider.issuer().to_owned();
    let rp = RelyingParty::new(config)?;
    let refused = rp.begin(provider.issuer(), OffsetDateTime::now_utc()).await;
    assert!(refused.is_err(), "{refused:?}");
    Ok(())
}

#[tokio::test]
async fn the_provider_fetches_the_rp_entity_configuration_over_http() -> TestResult {
    let provider = TestProvider::start(identities(), Behaviour::Honest).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let client_id = format!("http://{}/portale", listener.local_addr()?);
    let rp = Arc::new(RelyingParty::new(rp_config(&client_id, &provider, false)?)?);
    let served = rp.clone();
    let app = axum::Router::new().route(
        &format!("/portale{}", oidc::federation::WELL_KNOWN_PATH),
        axum::routing::get(move || {
            let rp = served.clone();
            async move {
                let jwt = rp
                    .entity_configuration(OffsetDateTime::now_utc())
                    .unwrap_or_default();
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        oidc::federation::ENTITY_STATEMENT_CONTENT_TYPE,
                    )],
                    jwt,
                )
            }
        }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let identity = login(&provider, &rp, 0).await??;
    assert_eq!(identity.fiscal_number, "RSSMRA80A01H501U");
    server.abort();
    Ok(())
}

#[tokio::test]
async fn every_misbehaving_provider_is_refused_with_the_right_error() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let cases: [(Behaviour, IsExpected); 8] = [
        (Behaviour::WrongIssuer, |e| {
            matches!(
                e,
                OidcError::IssuerMismatch {
                    what: "ID token",
                    ..
                }
            )
        }),
        (Behaviour::WrongAudience, |e| {
            matches!(
                e,
                OidcError::AudienceMismatch {
                    what: "ID token",
                    ..
                }
            )
        }),
        (Behaviour::WrongNonce, |e| {
            matches!(e, OidcError::NonceMismatch)
        }),
        (Behaviour::ExpiredIdToken, |e| {
            matches!(e, OidcError::Expired { what: "ID token" })
        }),
        (Behaviour::IdTokenSignedByOtherKey, |e| {
            matches!(e, OidcError::BadSignature { what: "ID token" })
        }),
        (Behaviour::AlgNone, |e| {
            matches!(
                e,
                OidcError::AlgorithmNotAllowed {
                    what: "ID token",
                    ..
                }
            )
        }),
        (Behaviour::UserinfoSubMismatch, |e| {
            matches!(e, OidcError::SubjectMismatch { .. })
        }),
        (Behaviour::LowerAcr, |e| {
            matches!(e, OidcError::AcrTooLow { .. })
        }),
    ];
    for (behaviour, expected) in cases {
        provider.set_behaviour(behaviour);
        match login(&provider, &rp, 0).await? {
            Ok(identity) => panic!("{behaviour:?} accepted: {identity:?}"),
            Err(e) => {
                assert!(
                    expected(&e),
                    "{behaviour:?} refused with the wrong error: {e:?}"
                );
                assert!(!e.user_message().is_empty());
            }
        }
    }
    provider.set_behaviour(Behaviour::Honest);
    assert!(login(&provider, &rp, 0).await?.is_ok());
    Ok(())
}

#[tokio::test]
async fn a_replayed_code_is_refused_by_the_provider() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let (pending, code, state) = authorize(&provider, &rp, 0).await?;
    rp.finish(&pending, &code, &state, OffsetDateTime::now_utc())
        .await?;
    let replay = rp
        .finish(&pending, &code, &state, OffsetDateTime::now_utc())
        .await;
    assert!(is_invalid_grant(&replay), "{replay:?}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_by_the_provider() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let (pending, code, state) = authorize(&provider, &rp, 0).await?;
    let tampered = PendingLogin {
        code_verifier: format!("{}x", pending.code_verifier),
        ..pending
    };
    let refused = rp
        .finish(&tampered, &code, &state, OffsetDateTime::now_utc())
        .await;
    assert!(is_invalid_grant(&refused), "{refused:?}");
    Ok(())
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused_before_the_code_is_redeemed() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let (pending, code, _) = authorize(&provider, &rp, 0).await?;
    let (other, _, _) = authorize(&provider, &rp, 0).await?;
    let refused = rp
        .finish(&pending, &code, &other.state, OffsetDateTime::now_utc())
        .await;
    assert!(
        matches!(refused, Err(OidcError::StateMismatch)),
        "{refused:?}"
    );
    // The code was not spent: the right state still completes.
    rp.finish(&pending, &code, &pending.state, OffsetDateTime::now_utc())
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_pending_login_older_than_ten_minutes_is_refused() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let (pending, code, state) = authorize(&provider, &rp, 0).await?;
    let later = OffsetDateTime::now_utc() + time::Duration::minutes(11);
    let refused = rp.finish(&pending, &code, &state, later).await;
    assert!(
        matches!(refused, Err(OidcError::LoginExpired)),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_request_object_signed_with_another_key_is_refused_by_the_provider() -> TestResult {
    let (provider, _rp) = setup(Behaviour::Honest).await?;
    // Same client id, keys the provider never saw.
    let impostor = RelyingParty::new(rp_config(CLIENT_ID, &provider, false)?)?;
    let (url, _) = impostor
        .begin(provider.issuer(), OffsetDateTime::now_utc())
        .await?;
    let refused = provider.authorize_headless(&url, 0).await;
    assert!(
        matches!(&refused, Err(HeadlessError::Refused { status: 400, .. })),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_citizen_who_cancels_at_the_provider_is_told_the_access_was_cancelled() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let (url, pending) = rp
        .begin(provider.issuer(), OffsetDateTime::now_utc())
        .await?;
    let redirect = url::Url::parse(&provider.cancel_headless(&url).await?)?;
    let param = |name: &str| {
        redirect
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    assert_eq!(param("code"), "");
    let denied = pending.denied(
        &param("state"),
        &param("error"),
        Some(&param("error_description")),
    );
    assert!(
        matches!(&denied, OidcError::Denied { error, .. } if error == "access_denied"),
        "{denied:?}"
    );
    assert!(denied.user_message().contains("annullato"));
    assert!(matches!(
        pending.denied("another state", "access_denied", None),
        OidcError::StateMismatch
    ));
    Ok(())
}

#[tokio::test]
async fn a_provider_that_redirects_its_entity_configuration_is_not_followed() -> TestResult {
    let provider = TestProvider::start(identities(), Behaviour::Honest).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let redirecting = format!("http://{}", listener.local_addr()?);
    let target = format!("{}{}", provider.issuer(), oidc::federation::WELL_KNOWN_PATH);
    let app = axum::Router::new().route(
        oidc::federation::WELL_KNOWN_PATH,
        axum::routing::get(move || async move { axum::response::Redirect::temporary(&target) }),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = rp_config(CLIENT_ID, &provider, false)?;
    config.providers[0].id = redirecting.clone();
    let rp = RelyingParty::new(config)?;
    let refused = rp.begin(&redirecting, OffsetDateTime::now_utc()).await;
    assert!(
        matches!(&refused, Err(OidcError::Http { detail, .. }) if detail.contains("redirect")),
        "{refused:?}"
    );
    server.abort();
    Ok(())
}

/// Axum handlers need `Send` futures: holding the relying party's across an await must compile.
fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn the_relying_party_futures_are_send_for_axum_handlers() -> TestResult {
    let (provider, rp) = setup(Behaviour::Honest).await?;
    let now = OffsetDateTime::now_utc();
    let begin = rp.begin(provider.issuer(), now);
    assert_send(&begin);
    let (_, pending) = begin.await?;
    assert_send(&rp.finish(&pending, "code", &pending.state, now));
    Ok(())
}

#[tokio::test]
async fn an_unknown_provider_is_refused() -> TestResult {
    let (_provider, rp) = setup(Behaviour::Honest).await?;
    let refused = rp
        .begin("https://sconosciuto.example", OffsetDateTime::now_utc())
        .await;
    assert!(
        matches!(refused, Err(OidcError::UnknownProvider(_))),
        "{refused:?}"
    );
    Ok(())
}

fn segment(jwt: &str, index: usize) -> Result<Value, Box<dyn std::error::Error>> {
    let part = jwt.split('.').nth(index).ok_or("missing segment")?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part)?)?)
}

#[tokio::test]
async fn the_entity_configuration_is_self_signed_and_carries_the_rp_metadata() -> TestResult {
    let provider = TestProvider::start(identities(), Behaviour::Honest).await?;
    let mut config = rp_config(CLIENT_ID, &provider, false)?;
    config.trust_marks = vec![oidc::TrustMark {
        id: "https://registry.example/openid_relying_party/public/".into(),
        trust_mark: "eyJ.trust.mark".into(),
    }];
    let rp = RelyingParty::new(config)?;
    let jwt = rp.entity_configuration(OffsetDateTime::now_utc())?;
    let header = segment(&jwt, 0)?;
    assert_eq!(header["typ"], "entity-statement+jwt");
    assert_eq!(header["alg"], "RS256");
    let claims = segment(&jwt, 1)?;
    assert_eq!(claims["iss"], CLIENT_ID);
    assert_eq!(claims["sub"], CLIENT_ID);
    assert_eq!(header["kid"], claims["jwks"]["keys"][0]["kid"]);
    assert_eq!(claims["authority_hints"][0], provider.anchor_id());
    assert_eq!(
        claims["trust_marks"][0]["id"],
        "https://registry.example/openid_relying_party/public/"
    );
    assert_eq!(claims["trust_marks"][0]["trust_mark"], "eyJ.trust.mark");
    let rp_meta = &claims["metadata"]["openid_relying_party"];
    assert_eq!(rp_meta["client_id"], CLIENT_ID);
    assert_eq!(
        rp_meta["redirect_uris"][0],
        format!("{CLIENT_ID}/accesso/ritorno")
    );
    assert_eq!(rp_meta["response_types"], serde_json::json!(["code"]));
    assert_eq!(
        rp_meta["client_registration_types"],
        serde_json::json!(["automatic"])
    );
    assert_eq!(rp_meta["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(rp_meta["userinfo_encrypted_response_alg"], "RSA-OAEP-256");
    assert_eq!(rp_meta["userinfo_encrypted_response_enc"], "A128CBC-HS256");
    assert_eq!(rp_meta["userinfo_signed_response_alg"], "RS256");
    let uses: Vec<&str> = rp_meta["jwks"]["keys"]
        .as_array()
        .ok_or("no jwks")?
        .iter()
        .filter_map(|k| k["use"].as_str())
        .collect();
    assert_eq!(uses, ["sig", "enc"]);
    assert_ne!(
        rp_meta["jwks"]["keys"][0]["kid"], claims["jwks"]["keys"][0]["kid"],
        "federation and core keys differ"
    );
    let entity = &claims["metadata"]["federation_entity"];
    assert_eq!(entity["organization_name"], "Comune di Prova");
    assert_eq!(entity["contacts"][0], "protocollo@pec.comune.example");

    // The provider accepts it; a tampered copy fails the self-signature.
    provider.register_rp(&jwt)?;
    let mut parts: Vec<&str> = jwt.split('.').collect();
    let forged = URL_SAFE_NO_PAD.encode(
        claims
            .to_string()
            .replace("Comune di Prova", "Comune Falso"),
    );
    parts[1] = &forged;
    assert!(matches!(
        provider.register_rp(&parts.join(".")),
        Err(OidcError::BadSignature { .. })
    ));
    Ok(())
}
