//! A local OpenID provider (and trust anchor) that tests and the demo start in-process.
//!
//! It speaks the same protocol as a SPID/CIE provider, over plain http on 127.0.0.1: federation
//! Entity Configuration, authorization endpoint with a signed request object and PKCE, a page
//! listing test identities, token endpoint with `private_key_jwt`, userinfo as JWE(JWS). A
//! [`Behaviour`] makes it misbehave so that tests prove the relying party refuses.
//!
//! ```no_run
//! # async fn demo() -> Result<(), oidc::OidcError> {
//! use oidc::testing::{Behaviour, TestIdentity, TestProvider};
//! use oidc::{RelyingParty, RpConfig, RpKeys};
//! let provider = TestProvider::start(vec![TestIdentity::mario_rossi()], Behaviour::Honest).await?;
//! let mut config = RpConfig::new("http://127.0.0.1:8080/portale", "http://127.0.0.1:8080/portale/accesso/ritorno", RpKeys::generate()?, "Comune di Prova");
//! config.allow_insecure_localhost = true;
//! config.providers.push(provider.provider_config("SPID – Provider di prova"));
//! let rp = RelyingParty::new(config)?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::OidcError;
use crate::federation::{self, ENTITY_STATEMENT_CONTENT_TYPE, ProviderTrust, well_known_url};
use crate::http::{HttpClient, UrlPolicy};
use crate::jose::{self, ContentEncryption};
use crate::keys::{Jwk, Jwks, KeyEncryption, KeyUse, RsaKey};
use crate::rp::{Acr, FISCAL_NUMBER_CLAIM, ProviderConfig};

/// A person the test provider can sign in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestIdentity {
    /// The codice fiscale, without prefix (the provider sends it as `TINIT-<codice fiscale>`).
    pub fiscal_number: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
}

impl TestIdentity {
    #[must_use]
    pub fn new(
        fiscal_number: &str,
        given_name: &str,
        family_name: &str,
        email: Option<&str>,
    ) -> Self {
        Self {
            fiscal_number: fiscal_number.to_owned(),
            given_name: given_name.to_owned(),
            family_name: family_name.to_owned(),
            email: email.map(str::to_owned),
        }
    }

    /// Mario Rossi, RSSMRA80A01H501U, mario.rossi@example.org.
    #[must_use]
    pub fn mario_rossi() -> Self {
        Self::new(
            "RSSMRA80A01H501U",
            "Mario",
            "Rossi",
            Some("mario.rossi@example.org"),
        )
    }
}

/// How the provider behaves when it issues tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behaviour {
    /// As the spec says.
    #[default]
    Honest,
    /// The ID token's `iss` is another provider's.
    WrongIssuer,
    /// The ID token's `aud` is another relying party.
    WrongAudience,
    /// The ID token's `nonce` is not the request's.
    WrongNonce,
    /// The ID token expired ten minutes ago.
    ExpiredIdToken,
    /// The ID token is signed by a key the provider does not publish (with the published `kid`).
    IdTokenSignedByOtherKey,
    /// The ID token is unsigned (`alg: none`).
    AlgNone,
    /// The userinfo's `sub` is not the ID token's.
    UserinfoSubMismatch,
    /// The ID token's `acr` is SpidL1 whatever was asked.
    LowerAcr,
}

/// Why a headless authorization did not produce a redirect.
#[derive(Debug, thiserror::Error)]
pub enum HeadlessError {
    /// The provider refused the request (the status and the page's text).
    #[error("provider refused with {status}: {body}")]
    Refused { status: u16, body: String },
    /// The exchange itself failed.
    #[error("headless authorization: {0}")]
    Http(String),
}

/// What the relying party registered with the provider (from its Entity Configuration).
#[derive(Clone, Debug)]
struct Client {
    jwks: Jwks,
    redirect_uris: Vec<String>,
}

/// A validated authorization request waiting for the citizen's choice, or a code waiting for
/// redemption.
#[derive(Clone, Debug)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    state: String,
    nonce: String,
    code_challenge: String,
    acr: Acr,
    identity: usize,
}

struct Inner {
    issuer: String,
    anchor_id: String,
    federation_key: RsaKey,
    signing_key: RsaKey,
    other_key: RsaKey,
    anchor_key: RsaKey,
    identities: Vec<TestIdentity>,
    behaviour: Mutex<Behaviour>,
    clients: Mutex<HashMap<String, Client>>,
    requests: Mutex<HashMap<String, Grant>>,
    codes: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, Grant>>,
    http: HttpClient,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running provider; it stops when dropped.
pub struct TestProvider {
    inner: Arc<Inner>,
    server: JoinHandle<()>,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl std::fmt::Debug for TestProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestProvider")
            .field("issuer", &self.inner.issuer)
            .finish_non_exhaustive()
    }
}

impl TestProvider {
    /// Starts the provider on 127.0.0.1 on a free port, with new keys.
    ///
    /// # Errors
    /// [`OidcError::Key`] or [`OidcError::Config`] if keys or the listener cannot be made.
    pub async fn start(
        identities: Vec<TestIdentity>,
        behaviour: Behaviour,
    ) -> Result<Self, OidcError> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| OidcError::Config(format!("test provider listener: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| OidcError::Config(format!("test provider address: {e}")))?;
        let issuer = format!("http://{addr}");
        let inner = Arc::new(Inner {
            anchor_id: format!("{issuer}/ta"),
            issuer,
            federation_key: RsaKey::generate()?,
            signing_key: RsaKey::generate()?,
            other_key: RsaKey::generate()?,
            anchor_key: RsaKey::generate()?,
            identities,
            behaviour: Mutex::new(behaviour),
            clients: Mutex::new(HashMap::new()),
            requests: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            http: HttpClient::new(UrlPolicy {
                allow_insecure_localhost: true,
            })?,
        });
        let app = Router::new()
            .route(federation::WELL_KNOWN_PATH, get(entity_configuration))
            .route("/authorize", get(authorize).post(choose_identity))
            .route("/token", axum::routing::post(token))
            .route("/userinfo", get(userinfo))
            .route(
                &format!("/ta{}", federation::WELL_KNOWN_PATH),
                get(anchor_configuration),
            )
            .route("/ta/fetch", get(anchor_fetch))
            .with_state(inner.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "test provider stopped");
            }
        });
        Ok(Self { inner, server })
    }

    /// The provider's entity id and issuer, `http://127.0.0.1:<port>`.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The provider's federation JWK Set, to pin in the relying party's configuration.
    #[must_use]
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: vec![self.inner.federation_key.public_jwk(KeyUse::Sig)],
        }
    }

    /// The entity id of the trust anchor this provider also plays (`<issuer>/ta`).
    #[must_use]
    pub fn anchor_id(&self) -> &str {
        &self.inner.anchor_id
    }

    /// The trust anchor's JWK Set.
    #[must_use]
    pub fn anchor_jwks(&self) -> Jwks {
        Jwks {
            keys: vec![self.inner.anchor_key.public_jwk(KeyUse::Sig)],
        }
    }

    /// A provider entry trusting this provider by its pinned JWK Set.
    #[must_use]
    pub fn provider_config(&self, name: &str) -> ProviderConfig {
        ProviderConfig {
            id: self.inner.issuer.clone(),
            name: name.to_owned(),
            trust: ProviderTrust::Pinned { jwks: self.jwks() },
        }
    }

    /// A provider entry trusting this provider through its trust anchor.
    #[must_use]
    pub fn provider_config_via_anchor(&self, name: &str) -> ProviderConfig {
        ProviderConfig {
            id: self.inner.issuer.clone(),
            name: name.to_owned(),
            trust: ProviderTrust::TrustAnchor {
                anchor_id: self.inner.anchor_id.clone(),
                anchor_jwks: self.anchor_jwks(),
            },
        }
    }

    /// Changes how the provider issues tokens from now on.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *lock(&self.inner.behaviour) = behaviour;
    }

    /// Registers a relying party from its Entity Configuration, for tests where the relying
    /// party serves none over HTTP (otherwise the provider fetches it from
    /// `<client_id>/.well-known/openid-federation` on the first request).
    ///
    /// # Errors
    /// [`OidcError`] if the statement is not a valid self-signed relying party configuration.
    pub fn register_rp(&self, entity_configuration: &str) -> Result<(), OidcError> {
        let claims = jose::peek("relying party entity configuration", entity_configuration)?;
        let client_id = jose::str_claim(&claims, "sub")
            .unwrap_or_default()
            .to_owned();
        let client =
            client_from_statement(&client_id, entity_configuration, OffsetDateTime::now_utc())?;
        lock(&self.inner.clients).insert(client_id, client);
        Ok(())
    }

    /// Plays the citizen without a browser: opens `auth_url`, picks identity `identity_index`,
    /// and returns the URL the provider redirects to (the relying party's callback with `code`
    /// and `state`).
    ///
    /// # Errors
    /// [`HeadlessError::Refused`] when the provider refuses the request.
    pub async fn authorize_headless(
        &self,
        auth_url: &str,
        identity_index: usize,
    ) -> Result<String, HeadlessError> {
        self.answer_headless(auth_url, ("identity", identity_index.to_string()))
            .await
    }

    /// Plays the citizen who presses "Annulla": returns the callback URL with
    /// `error=access_denied` and the `state`.
    ///
    /// # Errors
    /// [`HeadlessError::Refused`] when the provider refuses the request.
    pub async fn cancel_headless(&self, auth_url: &str) -> Result<String, HeadlessError> {
        self.answer_headless(auth_url, ("cancel", "1".to_owned()))
            .await
    }

    /// Opens the page, submits its form with `choice`, returns where the provider redirects.
    async fn answer_headless(
        &self,
        auth_url: &str,
        choice: (&str, String),
    ) -> Result<String, HeadlessError> {
        let http = |e: reqwest::Error| HeadlessError::Http(e.to_string());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(http)?;
        let page = client.get(auth_url).send().await.map_err(http)?;
        let status = page.status().as_u16();
        let body = page.text().await.map_err(http)?;
        if status != 200 {
            return Err(HeadlessError::Refused { status, body });
        }
        let request_id = body
            .split("name=\"request_id\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| HeadlessError::Http("no request_id on the page".into()))?;
        let form = [("request_id", request_id.to_owned()), (choice.0, choice.1)];
        let answer = client
            .post(format!("{}/authorize", self.inner.issuer))
            .form(&form)
            .send()
            .await
            .map_err(http)?;
        let status = answer.status().as_u16();
        match answer
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
        {
            Some(location) if answer.status().is_redirection() => Ok(location.to_owned()),
            _ => Err(HeadlessError::Refused {
                status,
                body: answer.text().await.map_err(http)?,
            }),
        }
    }
}

/// Reads a relying party's self-signed Entity Configuration.
fn client_from_statement(
    client_id: &str,
    statement: &str,
    now: OffsetDateTime,
) -> Result<Client, OidcError> {
    const WHAT: &str = "relying party entity configuration";
    let claims = jose::peek(WHAT, statement)?;
    let own: Jwks = claims
        .get("jwks")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| OidcError::Federation("no jwks".into()))?;
    let claims = jose::verify(WHAT, statement, &own)?.claims;
    jose::check_issuer(WHAT, &claims, client_id)?;
    jose::check_times(WHAT, &claims, now)?;
    let rp = claims
        .get("metadata")
        .and_then(|m| m.get("openid_relying_party"))
        .ok_or_else(|| OidcError::Federation("no openid_relying_party metadata".into()))?;
    let jwks = rp
        .get("jwks")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| OidcError::Federation("no relying party jwks".into()))?;
    let redirect_uris = rp
        .get("redirect_uris")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Client {
        jwks,
        redirect_uris,
    })
}

impl Inner {
    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    async fn client(&self, client_id: &str) -> Result<Client, String> {
        if let Some(c) = lock(&self.clients).get(client_id) {
            return Ok(c.clone());
        }
        let statement = self
            .http
            .get(&well_known_url(client_id), None)
            .await
            .map_err(|e| format!("relying party configuration: {e}"))?;
        let client = client_from_statement(client_id, &statement, OffsetDateTime::now_utc())
            .map_err(|e| e.to_string())?;
        lock(&self.clients).insert(client_id.to_owned(), client.clone());
        Ok(client)
    }

    fn sub_for(&self, grant: &Grant) -> String {
        let fiscal = self
            .identities
            .get(grant.identity)
            .map(|i| i.fiscal_number.as_str())
            .unwrap_or_default();
        // Pairwise: a different subject for each relying party.
        jose::pkce_challenge(&format!("{}|{fiscal}", grant.client_id))
    }
}

type Shared = State<Arc<Inner>>;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"it\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – Provider di prova</title></head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    );
    (status, Html(html)).into_response()
}

fn refuse(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Richiesta non valida",
        &format!(
            "<h1>Richiesta non valida</h1>\n<p>Il provider di prova rifiuta la richiesta di accesso: {}</p>",
            escape(reason)
        ),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn statement_response(jwt: Result<String, OidcError>) -> Response {
    match jwt {
        Ok(jwt) => ([(header::CONTENT_TYPE, ENTITY_STATEMENT_CONTENT_TYPE)], jwt).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn entity_configuration(State(p): Shared) -> Response {
    let extra = json!({
        "authority_hints": [p.anchor_id],
        "metadata": {
            "openid_provider": {
                "issuer": p.issuer,
                "authorization_endpoint": p.endpoint("/authorize"),
                "token_endpoint": p.endpoint("/token"),
                "userinfo_endpoint": p.endpoint("/userinfo"),
                "jwks": { "keys": [p.signing_key.public_jwk(KeyUse::Sig)] },
                "client_registration_types_supported": ["automatic"],
                "code_challenge_methods_supported": ["S256"],
                "request_parameter_supported": true,
                "claims_parameter_supported": true,
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "scopes_supported": ["openid", "profile", "email"],
                "acr_values_supported": [Acr::SpidL1.uri(), Acr::SpidL2.uri(), Acr::SpidL3.uri()],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "userinfo_encryption_alg_values_supported": ["RSA-OAEP", "RSA-OAEP-256"],
                "userinfo_encryption_enc_values_supported": ["A128CBC-HS256", "A256CBC-HS512"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                "claims_supported": [FISCAL_NUMBER_CLAIM, "given_name", "family_name", "email"],
            },
            "federation_entity": { "organization_name": "Provider di prova" },
        },
    });
    let key = &p.federation_key;
    statement_response(federation::sign_statement(
        key,
        &p.issuer,
        &p.issuer,
        key,
        OffsetDateTime::now_utc(),
        extra,
    ))
}

async fn anchor_configuration(State(p): Shared) -> Response {
    let extra = json!({
        "constraints": { "max_path_length": 0 },
        "metadata": { "federation_entity": {
            "organization_name": "Trust anchor di prova",
            "federation_fetch_endpoint": format!("{}/fetch", p.anchor_id),
        } },
    });
    let key = &p.anchor_key;
    statement_response(federation::sign_statement(
        key,
        &p.anchor_id,
        &p.anchor_id,
        key,
        OffsetDateTime::now_utc(),
        extra,
    ))
}

async fn anchor_fetch(State(p): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
    if q.get("sub") != Some(&p.issuer) {
        let error = json!({ "error": "not_found", "error_description": "unknown subject" });
        return (StatusCode::NOT_FOUND, Json(error)).into_response();
    }
    statement_response(federation::sign_statement(
        &p.anchor_key,
        &p.anchor_id,
        &p.issuer,
        &p.federation_key,
        OffsetDateTime::now_utc(),
        json!({}),
    ))
}

/// Validates the authorization request; the grant to keep, or why it is refused.
async fn validate_request(p: &Inner, q: &HashMap<String, String>) -> Result<Grant, String> {
    const WHAT: &str = "request object";
    let param = |name: &str| q.get(name).map(String::as_str).unwrap_or_default();
    let client_id = param("client_id");
    let client = p.client(client_id).await?;
    let request = q.get("request").ok_or("manca il parametro request")?;
    let claims = jose::verify(WHAT, request, &client.jwks)
        .map_err(|e| e.to_string())?
        .claims;
    let now = OffsetDateTime::now_utc();
    jose::check_issuer(WHAT, &claims, client_id).map_err(|e| e.to_string())?;
    jose::check_audience(WHAT, &claims, &p.issuer).map_err(|e| e.to_string())?;
    jose::check_times(WHAT, &claims, now).map_err(|e| e.to_string())?;
    let claim = |name: &str| {
        jose::str_claim(&claims, name)
            .unwrap_or_default()
            .to_owned()
    };
    if claim("client_id") != client_id
        || claim("response_type") != "code"
        || param("response_type") != "code"
    {
        return Err("client_id o response_type non corrispondono".into());
    }
    if claim("scope") != param("scope") || !claim("scope").split(' ').any(|s| s == "openid") {
        return Err("scope non valido".into());
    }
    let redirect_uri = claim("redirect_uri");
    if !client.redirect_uris.contains(&redirect_uri) {
        return Err("redirect_uri non registrato".into());
    }
    let challenge = claim("code_challenge");
    if challenge.is_empty()
        || claim("code_challenge_method") != "S256"
        || param("code_challenge") != challenge
    {
        return Err("PKCE mancante o non corrispondente".into());
    }
    let (state, nonce) = (claim("state"), claim("nonce"));
    if state.len() < 32 || nonce.len() < 32 {
        return Err("state o nonce troppo corti".into());
    }
    let acr = claim("acr_values")
        .split(' ')
        .find_map(Acr::from_uri)
        .unwrap_or(Acr::SpidL2);
    Ok(Grant {
        client_id: client_id.to_owned(),
        redirect_uri,
        state,
        nonce,
        code_challenge: challenge,
        acr,
        identity: 0,
    })
}

async fn authorize(State(p): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
    let grant = match validate_request(&p, &q).await {
        Ok(grant) => grant,
        Err(reason) => return refuse(&reason),
    };
    let Ok(request_id) = jose::random_alphanumeric(32) else {
        return refuse("errore interno");
    };
    let mut buttons = String::new();
    for (i, identity) in p.identities.iter().enumerate() {
        let _ = writeln!(
            buttons,
            "<li><button type=\"submit\" name=\"identity\" value=\"{i}\">Accedi come {} {}</button></li>",
            escape(&identity.given_name),
            escape(&identity.family_name)
        );
    }
    let body = format!(
        "<h1>Provider di prova</h1>\n<p>Il servizio {} chiede di accedere con la tua identità digitale. \
         Scegli l'identità di prova.</p>\n<form method=\"post\" action=\"/authorize\">\n\
         <input type=\"hidden\" name=\"request_id\" value=\"{request_id}\">\n<ul>\n{buttons}</ul>\n\
         <p><button type=\"submit\" name=\"cancel\" value=\"1\">Annulla</button></p>\n</form>",
        escape(&grant.client_id)
    );
    lock(&p.requests).insert(request_id, grant);
    page(StatusCode::OK, "Accesso", &body)
}

async fn choose_identity(State(p): Shared, Form(f): Form<HashMap<String, String>>) -> Response {
    let Some(grant) = f
        .get("request_id")
        .and_then(|id| lock(&p.requests).remove(id))
    else {
        return refuse("richiesta scaduta o sconosciuta");
    };
    let Ok(mut target) = url::Url::parse(&grant.redirect_uri) else {
        return refuse("redirect_uri non valido");
    };
    if f.contains_key("cancel") {
        target
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "L'utente ha annullato l'accesso")
            .append_pair("state", &grant.state);
        return Redirect::to(target.as_str()).into_response();
    }
    let Some(identity) = f
        .get("identity")
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|i| *i < p.identities.len())
    else {
        return refuse("identità sconosciuta");
    };
    let Ok(code) = jose::random_alphanumeric(43) else {
        return refuse("errore interno");
    };
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &grant.state)
        .append_pair("iss", &p.issuer);
    lock(&p.codes).insert(code, Grant { identity, ..grant });
    Redirect::to(target.as_str()).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// Checks the `private_key_jwt` client assertion.
fn check_assertion(
    p: &Inner,
    client: &Client,
    client_id: &str,
    assertion: &str,
) -> Result<(), String> {
    const WHAT: &str = "client assertion";
    let claims = jose::verify(WHAT, assertion, &client.jwks)
        .map_err(|e| e.to_string())?
        .claims;
    jose::check_issuer(WHAT, &claims, client_id).map_err(|e| e.to_string())?;
    if jose::str_claim(&claims, "sub") != Some(client_id) {
        return Err("sub is not the client_id".into());
    }
    jose::check_audience(WHAT, &claims, &p.endpoint("/token")).map_err(|e| e.to_string())?;
    jose::check_times(WHAT, &claims, OffsetDateTime::now_utc()).map_err(|e| e.to_string())
}

async fn token(State(p): Shared, Form(f): Form<HashMap<String, String>>) -> Response {
    let param = |name: &str| f.get(name).map(String::as_str).unwrap_or_default();
    if param("grant_type") != "authorization_code" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only authorization_code",
        );
    }
    let client_id = param("client_id");
    let client = lock(&p.clients).get(client_id).cloned();
    let Some(client) = client else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    };
    if param("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_assertion_type",
        );
    }
    if let Err(reason) = check_assertion(&p, &client, client_id, param("client_assertion")) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &reason);
    }
    // Removed at first use: a replayed code finds nothing.
    let Some(grant) = lock(&p.codes).remove(param("code")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown or used code",
        );
    };
    if grant.client_id != client_id || grant.redirect_uri != param("redirect_uri") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "client or redirect_uri mismatch",
        );
    }
    if jose::pkce_challenge(param("code_verifier")) != grant.code_challenge {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE verification failed",
        );
    }
    match issue_tokens(&p, &grant) {
        Ok((access_token, id_token)) => {
            lock(&p.tokens).insert(access_token.clone(), grant);
            Json(json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": 1800, "id_token": id_token }))
                .into_response()
        }
        Err(e) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &e.to_string(),
        ),
    }
}

/// The access token and the ID token, as the current behaviour has them.
fn issue_tokens(p: &Inner, grant: &Grant) -> Result<(String, String), OidcError> {
    let behaviour = *lock(&p.behaviour);
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let sub = p.sub_for(grant);
    let access_token = jose::sign(
        &p.signing_key,
        "at+jwt",
        &json!({
            "iss": p.issuer, "sub": sub, "aud": [p.endpoint("/userinfo")], "client_id": grant.client_id,
            "scope": "openid profile email", "jti": jose::uuid4()?, "iat": now, "exp": now + 1800,
        }),
    )?;
    let (iat, exp) = if behaviour == Behaviour::ExpiredIdToken {
        (now - 900, now - 600)
    } else {
        (now, now + 180)
    };
    let claims = json!({
        "iss": if behaviour == Behaviour::WrongIssuer { "https://altro-provider.example" } else { p.issuer.as_str() },
        "sub": sub,
        "aud": if behaviour == Behaviour::WrongAudience { "https://altro-servizio.example" } else { grant.client_id.as_str() },
        "acr": if behaviour == Behaviour::LowerAcr { Acr::SpidL1.uri() } else { grant.acr.uri() },
        "at_hash": jose::at_hash_rs256(&access_token),
        "iat": iat, "nbf": iat, "exp": exp,
        "jti": jose::uuid4()?,
        "nonce": if behaviour == Behaviour::WrongNonce { jose::random_alphanumeric(43)? } else { grant.nonce.clone() },
    });
    let id_token = match behaviour {
        Behaviour::IdTokenSignedByOtherKey => jose::sign_with_header(
            &p.other_key,
            json!({ "alg": "RS256", "kid": p.signing_key.kid() }),
            &claims,
        )?,
        Behaviour::AlgNone => jose::unsigned(&claims),
        _ => jose::sign(&p.signing_key, "JWT", &claims)?,
    };
    Ok((access_token, id_token))
}

async fn userinfo(State(p): Shared, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    let grant = token.and_then(|t| lock(&p.tokens).get(t).cloned());
    let Some(grant) = grant else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "unknown access token",
        );
    };
    match userinfo_jwe(&p, &grant) {
        Ok(jwe) => ([(header::CONTENT_TYPE, "application/jose")], jwe).into_response(),
        Err(e) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            &e.to_string(),
        ),
    }
}

fn userinfo_jwe(p: &Inner, grant: &Grant) -> Result<String, OidcError> {
    let identity = p
        .identities
        .get(grant.identity)
        .ok_or(OidcError::MissingClaim("identity"))?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let sub = if *lock(&p.behaviour) == Behaviour::UserinfoSubMismatch {
        "un-altro-soggetto".to_owned()
    } else {
        p.sub_for(grant)
    };
    let mut claims = json!({
        "iss": p.issuer, "aud": grant.client_id, "sub": sub, "iat": now, "exp": now + 180,
        "given_name": identity.given_name, "family_name": identity.family_name,
        FISCAL_NUMBER_CLAIM: format!("TINIT-{}", identity.fiscal_number),
    });
    if let (Some(email), Some(map)) = (&identity.email, claims.as_object_mut()) {
        map.insert("email".into(), Value::String(email.clone()));
    }
    let jws = jose::sign(&p.signing_key, "JWT", &claims)?;
    let client = lock(&p.clients)
        .get(&grant.client_id)
        .cloned()
        .ok_or(OidcError::MissingClaim("client"))?;
    let recipient: &Jwk = client
        .jwks
        .rsa_keys(KeyUse::Enc)
        .find(|k| k.key_use == Some(KeyUse::Enc))
        .ok_or_else(|| OidcError::Key("the relying party publishes no encryption key".into()))?;
    jose::encrypt(
        jws.as_bytes(),
        recipient,
        KeyEncryption::RsaOaep256,
        ContentEncryption::A128CbcHs256,
    )
}
