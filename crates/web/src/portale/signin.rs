//! Signing in to the portal with SPID and CIE: the buttons of the providers the relying party
//! trusts, the signed authorization request, and the return from the provider, where the code
//! is exchanged, the identity checked (`oidc`) and matched to the registry by codice fiscale
//! (`app::portal::sign_in`) before the portal session opens. The sign-ins under way (state,
//! nonce, PKCE verifier) stay on the server, in memory, for a few minutes.

use super::i18n::T;
use super::pages::{PortalLayout, portal_path};
use super::session::{Visitor, client, cookie, start};
use crate::AppState;
use crate::error::AppError;
use crate::pages::render::render_page;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/portale/accedi",
            get(sign_in_page).post(super::local::sign_in),
        )
        .route("/portale/accedi/{provider}", get(sign_in_start))
        .route("/portale/accesso", get(sign_in_return))
        .route(
            "/portale/.well-known/openid-federation",
            get(entity_configuration),
        )
}

struct ProviderButton {
    index: usize,
    label: String,
}

#[derive(Template)]
#[template(path = "portale/accedi.html")]
pub(super) struct SignInPage {
    l: PortalLayout,
    providers: Vec<ProviderButton>,
    message: Option<String>,
    after: String,
    /// The form for codice fiscale and password (local accounts), when enabled.
    local: bool,
    /// The codice fiscale typed in it.
    cf: String,
    /// Why that sign-in did not succeed.
    local_error: Option<String>,
}

impl SignInPage {
    /// The sign-in page: the identity providers' buttons and, with local accounts, the form
    /// for codice fiscale and password (`cf` as typed, `local_error` why it failed).
    pub(super) fn new(
        state: &AppState,
        t: T,
        message: Option<String>,
        dopo: &str,
        cf: String,
        local_error: Option<String>,
    ) -> SignInPage {
        let providers = state
            .oidc
            .as_ref()
            .map(|rp| {
                rp.providers()
                    .iter()
                    .enumerate()
                    .map(|(index, p)| ProviderButton {
                        index,
                        label: t.args("signin-with", &[("provider", &p.name)]),
                    })
                    .collect()
            })
            .unwrap_or_default();
        SignInPage {
            l: PortalLayout::new(t, t.t("signin-title"), None, "/portale/accedi"),
            providers,
            message,
            after: portal_path(dopo)
                .map(|p| format!("?dopo={}", crate::paths::url_encode(p)))
                .unwrap_or_default(),
            local: state.config.portal_local_accounts,
            cf,
            local_error,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SignInQuery {
    pub(super) dopo: String,
    errore: String,
}

async fn sign_in_page(
    State(state): State<AppState>,
    jar: CookieJar,
    v: Visitor,
    Query(q): Query<SignInQuery>,
) -> Result<Response, AppError> {
    let t = v.t;
    if v.citizen.is_some() && q.errore.is_empty() {
        return Ok(
            Redirect::to(portal_path(&q.dopo).unwrap_or("/portale/domande")).into_response(),
        );
    }
    let message = match q.errore.as_str() {
        "" => None,
        "sconosciuto" => Some(t.t("signin-unknown")),
        "rifiutato" => Some(t.t("signin-refused")),
        _ => Some(t.t("signin-failed")),
    };
    let page = SignInPage::new(&state, t, message, &q.dopo, String::new(), None);
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    dopo: String,
}

/// Sends the browser to the identity provider with a signed authorization request.
/// The cookie that binds a sign-in to the browser that started it: the return from the
/// provider is accepted only with it, so that a return made for someone else (a link with a
/// code and a state) signs nobody in.
const SIGN_IN_COOKIE: &str = "sportello_accesso";

/// Sends the browser to the identity provider with a signed authorization request. A link
/// (GET), like the SPID button: a form's redirect to another site would break the pages'
/// `form-action 'self'`.
async fn sign_in_start(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(provider): Path<usize>,
    Query(f): Query<StartForm>,
) -> Result<Response, AppError> {
    let rp = state.oidc.as_ref().ok_or(app::Error::NotFound)?;
    let id = rp
        .providers()
        .get(provider)
        .map(|p| p.id.clone())
        .ok_or(app::Error::NotFound)?;
    let (url, pending) = rp.begin(&id, state.clock.now()).await.map_err(|e| {
        tracing::warn!(error = %e, "richiesta di autenticazione non costruita");
        app::Error::Unavailable
    })?;
    let after = portal_path(&f.dopo)
        .unwrap_or("/portale/domande")
        .to_owned();
    let binding = cookie(SIGN_IN_COOKIE, pending.state.clone(), state.config.tls);
    state
        .pending
        .put(state.clock.now_us(), &pending, after)
        .await?;
    Ok((jar.add(binding), Redirect::to(&url)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReturnQuery {
    code: String,
    state: String,
    error: String,
}

/// Where the identity provider sends the browser back: the code is exchanged, the identity
/// checked and matched to the registry, and the portal session opened.
async fn sign_in_return(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    Query(q): Query<ReturnQuery>,
) -> Result<Response, AppError> {
    let rp = state.oidc.as_ref().ok_or(app::Error::NotFound)?;
    let started_here = jar
        .get(SIGN_IN_COOKIE)
        .is_some_and(|c| !q.state.is_empty() && c.value() == q.state);
    let jar = jar.remove(Cookie::build((SIGN_IN_COOKIE, "")).path("/").build());
    let failed = |why: &str| {
        (
            jar.clone(),
            Redirect::to(&format!("/portale/accedi?errore={why}")),
        )
            .into_response()
    };
    if !started_here {
        return Ok(failed("scaduto"));
    }
    let Some((pending, after)) = state.pending.take(state.clock.now_us(), &q.state).await? else {
        return Ok(failed("scaduto"));
    };
    if !q.error.is_empty() || q.code.is_empty() {
        return Ok(failed("annullato"));
    }
    let identity = match rp
        .finish(&pending, &q.code, &q.state, state.clock.now())
        .await
    {
        Ok(id) => id,
        Err(e) => {
            tracing::warn!(error = %e, "accesso al portale non riuscito");
            return Ok(failed("errore"));
        }
    };
    let Ok(cf) = territory::codice_fiscale::CodiceFiscale::parse(&identity.fiscal_number) else {
        tracing::warn!("codice fiscale dell'identità non valido");
        return Ok(failed("errore"));
    };
    let id = app::portal::PortalIdentity {
        codice_fiscale: cf,
        given_name: identity.given_name,
        family_name: identity.family_name,
        email: identity.email,
        method: rp
            .providers()
            .iter()
            .find(|p| p.id == identity.provider)
            .map_or(identity.provider.clone(), |p| p.name.clone()),
    };
    let user = match app::portal::sign_in(&state, &id).await {
        Ok(u) => u,
        Err(app::Error::BadRequest(_)) => return Ok(failed("sconosciuto")),
        Err(app::Error::Forbidden) => return Ok(failed("rifiutato")),
        Err(e) => return Err(e.into()),
    };
    let (ip, agent) = client(&state, &parts);
    let jar = start(&state, jar, &user, ip, agent).await?;
    Ok((jar, Redirect::to(&after)).into_response())
}

/// The relying party's Entity Configuration, for the SPID/CIE federation.
async fn entity_configuration(State(state): State<AppState>) -> Result<Response, AppError> {
    let rp = state.oidc.as_ref().ok_or(app::Error::NotFound)?;
    let jwt = rp.entity_configuration(state.clock.now()).map_err(|e| {
        tracing::error!(error = %e, "entity configuration non firmata");
        app::Error::Unavailable
    })?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            oidc::federation::ENTITY_STATEMENT_CONTENT_TYPE,
        )],
        jwt,
    )
        .into_response())
}

/// How long a sign-in may take at the identity provider.
const PENDING_MINUTES: i64 = 10;

/// Sign-ins under way, by the hash of their `state`: what the callback needs to finish them.
/// They are kept in the database (`portal_pending_login`), because the identity provider may
/// send the citizen back to another server; the purge removes the abandoned ones.
#[derive(Clone)]
pub struct PendingLogins {
    store: app::Store,
}

impl PendingLogins {
    pub fn new(store: app::Store) -> Self {
        Self { store }
    }

    /// Keeps a sign-in started at `now_us`, with the page to go to afterwards.
    pub async fn put(
        &self,
        now_us: i64,
        pending: &oidc::PendingLogin,
        after: String,
    ) -> Result<(), AppError> {
        use store::ServerStore;
        let json = serde_json::to_string(pending)
            .map_err(|e| app::Error::Internal(format!("accesso in corso: {e}")))?;
        let sign_in = store::PendingSignIn {
            created_us: now_us,
            pending: json,
            after_path: after,
        };
        self.store
            .put_pending_sign_in(&app::credentials::hash_token(&pending.state), &sign_in)
            .await?;
        Ok(())
    }

    /// Takes the sign-in with this `state` (once: a replayed callback finds nothing).
    pub async fn take(
        &self,
        now_us: i64,
        state: &str,
    ) -> Result<Option<(oidc::PendingLogin, String)>, AppError> {
        use store::ServerStore;
        let Some(found) = self
            .store
            .take_pending_sign_in(&app::credentials::hash_token(state))
            .await?
        else {
            return Ok(None);
        };
        if now_us - found.created_us > PENDING_MINUTES * 60_000_000 {
            return Ok(None);
        }
        let pending: oidc::PendingLogin = serde_json::from_str(&found.pending)
            .map_err(|e| app::Error::Internal(format!("accesso in corso: {e}")))?;
        Ok(Some((pending, found.after_path)))
    }
}
