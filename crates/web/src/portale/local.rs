//! Local accounts on the portal (`WebConfig::portal_local_accounts`, off by default: every
//! page here answers 404): asking for the link to choose a password (registration and
//! «password dimenticata» alike), the page the link opens, and the sign-in with codice fiscale
//! and password. What the citizen types is checked by `app::portal_local`; here are the
//! pages, the throttles (the office's own, `auth::Throttle`) and the session.

use super::i18n::T;
use super::pages::{PortalLayout, portal_path};
use super::session::{Visitor, client, start};
use super::signin::{SignInPage, SignInQuery};
use crate::AppState;
use crate::error::AppError;
use crate::layout::FormErrors;
use crate::pages::render::{render, render_page};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::user::PasswordError;
use serde::Deserialize;
use territory::codice_fiscale::CodiceFiscale;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portale/registrati", get(register_form).post(register))
        .route(
            "/portale/registrati/conferma",
            get(confirm_form).post(confirm),
        )
}

/// Local accounts are off: the pages do not exist.
fn enabled(state: &AppState) -> Result<(), AppError> {
    if state.config.portal_local_accounts {
        Ok(())
    } else {
        Err(app::Error::NotFound.into())
    }
}

/// «Troppi tentativi…: riprova tra 4 minuti», in the citizen's language.
fn wait_message(t: T, wait: std::time::Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    t.count("local-wait", i64::try_from(minutes).unwrap_or(i64::MAX))
}

// --- Asking for the link ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "portale/registrati.html")]
struct RegisterPage {
    l: PortalLayout,
    heading: String,
    /// The request was taken: the same answer whatever it found.
    sent: bool,
    /// Too many requests: how long to wait.
    wait: Option<String>,
    errors: FormErrors,
    cf: String,
    email: String,
}

impl RegisterPage {
    fn new(t: T, forgotten: bool) -> RegisterPage {
        let heading = t.t(if forgotten {
            "register-forgotten-title"
        } else {
            "register-title"
        });
        RegisterPage {
            l: PortalLayout::new(t, heading.clone(), None, "/portale/registrati"),
            heading,
            sent: false,
            wait: None,
            errors: FormErrors::default(),
            cf: String::new(),
            email: String::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterQuery {
    /// Set by the «password dimenticata» link: the same form under that title.
    dimenticata: String,
}

async fn register_form(
    State(state): State<AppState>,
    jar: CookieJar,
    v: Visitor,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, AppError> {
    enabled(&state)?;
    let page = RegisterPage::new(v.t, !q.dimenticata.is_empty());
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    codice_fiscale: String,
    email: String,
}

/// Takes the request and answers the same whatever the registry holds; the link is looked
/// for and mailed after the answer (`app::portal_local::request_link`), so that not even the
/// time taken tells whether the codice fiscale and the address matched.
async fn register(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    v: Visitor,
    Form(f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    enabled(&state)?;
    let t = v.t;
    let mut page = RegisterPage::new(t, false);
    page.cf = f.codice_fiscale.clone();
    page.email = f.email.clone();
    let cf = CodiceFiscale::parse(&f.codice_fiscale);
    if cf.is_err() {
        page.errors.push(FieldError::new(
            "codice_fiscale",
            t.t("register-cf-invalid"),
        ));
    }
    let email = domain::user::parse_email(&f.email).ok().flatten();
    if email.is_none() {
        page.errors
            .push(FieldError::new("email", t.t("register-email-invalid")));
    }
    let (Ok(cf), Some(email)) = (cf, email) else {
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let (ip, _) = client(&state, &parts);
    let login = cf.as_str().to_lowercase();
    let now = state.clock.now_us();
    if let Some(wait) = state.throttle.link_wait(&login, &ip, now).await? {
        page.wait = Some(wait_message(t, wait));
        return Ok(render_page(jar, &page, StatusCode::TOO_MANY_REQUESTS));
    }
    state.throttle.link_requested(&login, &ip, now).await?;
    let portal_url = portal_url(&state, &parts);
    let services = state.services.clone();
    tokio::spawn(async move {
        match app::portal_local::request_link(&services, &cf, &email, &portal_url).await {
            Ok(outcome) => tracing::info!(?outcome, "richiesta di collegamento del portale"),
            Err(e) => {
                tracing::warn!(error = %e, "richiesta di collegamento del portale non riuscita")
            }
        }
    });
    page.sent = true;
    page.cf.clear();
    page.email.clear();
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The portal's address for the link: the configured one (`MailConfig::portal_url`), else
/// the one this request came to (its `Host` is one of the allowed names, `security`).
fn portal_url(state: &AppState, parts: &Parts) -> String {
    if let Some(url) = state.mailer.portal_url() {
        return url.to_owned();
    }
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.tls { "https" } else { "http" };
    format!("{scheme}://{host}/portale")
}

// --- The link: choosing the password -----------------------------------------------------------

#[derive(Template)]
#[template(path = "portale/conferma.html")]
struct ConfirmPage {
    l: PortalLayout,
    /// The link may be used: the form, else the page that says it may not.
    valid: bool,
    token: String,
    errors: FormErrors,
}

impl ConfirmPage {
    fn new(t: T, valid: bool, token: String) -> ConfirmPage {
        ConfirmPage {
            l: PortalLayout::new(
                t,
                t.t("confirm-title"),
                None,
                "/portale/registrati/conferma",
            ),
            valid,
            token,
            errors: FormErrors::default(),
        }
    }

    /// The page for a link that is unknown, used, replaced or expired: gone, with the way to
    /// ask for a new one.
    fn gone(t: T) -> Response {
        render(&ConfirmPage::new(t, false, String::new()), StatusCode::GONE)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmQuery {
    t: String,
}

/// The page the e-mailed link opens: it only looks at the link, so that a mail scanner that
/// follows it spends nothing.
async fn confirm_form(
    State(state): State<AppState>,
    jar: CookieJar,
    v: Visitor,
    Query(q): Query<ConfirmQuery>,
) -> Result<Response, AppError> {
    enabled(&state)?;
    match app::portal_local::open_link(&state, &q.t).await {
        Ok(_) => Ok(render_page(
            jar,
            &ConfirmPage::new(v.t, true, q.t),
            StatusCode::OK,
        )),
        Err(app::Error::NotFound) => Ok(ConfirmPage::gone(v.t)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmForm {
    t: String,
    password: String,
    conferma: String,
}

/// The password rules' refusals, in the citizen's language.
fn password_message(t: T, e: &PasswordError) -> String {
    t.t(match e {
        PasswordError::TooShort => "password-too-short",
        PasswordError::TooLong => "password-too-long",
        PasswordError::TooGuessable => "password-guessable",
    })
}

async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    v: Visitor,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    enabled(&state)?;
    let t = v.t;
    let open = match app::portal_local::open_link(&state, &f.t).await {
        Ok(open) => open,
        Err(app::Error::NotFound) => return Ok(ConfirmPage::gone(t)),
        Err(e) => return Err(e.into()),
    };
    let mut page = ConfirmPage::new(t, true, f.t.clone());
    if let Err(e) = domain::check_new_password(&f.password, &open.personal_words()) {
        page.errors
            .push(FieldError::new("password", password_message(t, &e)));
    }
    if f.conferma != f.password {
        page.errors
            .push(FieldError::new("conferma", t.t("confirm-mismatch")));
    }
    if !page.errors.is_empty() {
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let user = match app::portal_local::choose_password(&state, &f.t, &f.password).await {
        Ok(user) => user,
        Err(app::Error::NotFound) => return Ok(ConfirmPage::gone(t)),
        Err(app::Error::Forbidden) => {
            return Ok(Redirect::to("/portale/accedi?errore=rifiutato").into_response());
        }
        Err(app::Error::BadRequest(_)) => {
            return Ok(Redirect::to("/portale/accedi?errore=sconosciuto").into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let (ip, agent) = client(&state, &parts);
    let jar = start(&state, jar, &user, ip, agent).await?;
    Ok((jar, Redirect::to("/portale/domande")).into_response())
}

// --- Signing in with codice fiscale and password ---------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SignInForm {
    codice_fiscale: String,
    password: String,
}

/// The sign-in with codice fiscale and password, throttled as the office's login is (the same
/// counters, by login and address); one message for any wrong pair.
pub(super) async fn sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    v: Visitor,
    Query(q): Query<SignInQuery>,
    Form(f): Form<SignInForm>,
) -> Result<Response, AppError> {
    enabled(&state)?;
    let t = v.t;
    let again = |error: String, status| {
        render(
            &SignInPage::new(
                &state,
                t,
                None,
                &q.dopo,
                f.codice_fiscale.clone(),
                Some(error),
            ),
            status,
        )
    };
    let cf = CodiceFiscale::parse(&f.codice_fiscale);
    let login = match &cf {
        Ok(cf) => cf.as_str().to_lowercase(),
        Err(_) => f.codice_fiscale.trim().to_lowercase(),
    };
    let (ip, agent) = client(&state, &parts);
    let now = state.clock.now_us();
    if let Some(wait) = state.throttle.password_wait(&login, &ip, now).await? {
        return Ok(again(wait_message(t, wait), StatusCode::TOO_MANY_REQUESTS));
    }
    let user = match &cf {
        Ok(cf) => match app::portal_local::sign_in(&state, cf, &f.password).await {
            Ok(user) => user,
            Err(app::Error::Forbidden) => {
                return Ok(Redirect::to("/portale/accedi?errore=rifiutato").into_response());
            }
            Err(app::Error::BadRequest(_)) => {
                return Ok(Redirect::to("/portale/accedi?errore=sconosciuto").into_response());
            }
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let Some(user) = user else {
        state.throttle.password_failed(&login, &ip, now).await?;
        // Not 401: the portal's answer to a form it shows again with what to correct.
        return Ok(again(
            t.t("local-signin-wrong"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    state.throttle.password_succeeded(&login, &ip).await?;
    let jar = start(&state, jar, &user, ip, agent).await?;
    let after = portal_path(&q.dopo)
        .unwrap_or("/portale/domande")
        .to_owned();
    Ok((jar, Redirect::to(&after)).into_response())
}
