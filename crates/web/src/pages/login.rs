//! Logging in: password, first-login password change, TOTP enrolment and check, choice of the
//! organization to act in, logout.

use super::forms::Form;
use super::kept::{AfterLogin, before_login, waiting};
use super::render::render;
use crate::AppState;
use crate::auth::{self, LoginSession, audit_for, stage_path};
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::home_org;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::{FieldError, Login};
use serde::Deserialize;
use store::{AuditStore, Session, SessionStage, SessionStore, User, UserStore};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/password", get(password_form).post(change_password))
        .route("/totp/attiva", get(enrol_form).post(enrol))
        .route("/totp", get(totp_form).post(totp_check))
        .route("/ente", get(choose_org_form).post(choose_org))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    login: String,
    error: Option<String>,
    /// A form posted after the session expired waits for this login.
    kept: bool,
}

async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    session: Option<LoginSession>,
    Query(q): Query<AfterLogin>,
) -> Response {
    let jar = before_login(jar, &q, state.config.tls);
    let kept = waiting(&jar);
    if let Some(s) = session {
        return (jar, Redirect::to(stage_path(s.session.stage))).into_response();
    }
    let page = render(
        &LoginPage {
            l: Layout::bare("Accedi"),
            login: String::new(),
            error: None,
            kept,
        },
        StatusCode::OK,
    );
    (jar, page).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// The stage a session starts in once the password is accepted.
async fn first_stage(state: &AppState, user: &User) -> Result<SessionStage, AppError> {
    if user.must_change_password {
        return Ok(SessionStage::ChangePassword);
    }
    after_password(state, user).await
}

async fn after_password(state: &AppState, user: &User) -> Result<SessionStage, AppError> {
    if user.totp_secret.is_some() {
        return Ok(SessionStage::Totp);
    }
    let needs = state
        .store
        .memberships(user.id)
        .await?
        .iter()
        .any(|m| m.role.requires_second_factor());
    Ok(if needs {
        SessionStage::EnrolTotp
    } else {
        SessionStage::Active
    })
}

/// Starts a new session (a new id at every login and after every password change, so a
/// session id seen before authentication is worth nothing after it).
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    parts_ip: String,
    user_agent: String,
    user: &User,
    stage: SessionStage,
) -> Result<(CookieJar, String), AppError> {
    let (token, hash) = app::credentials::new_secret("")?;
    let memberships = state.store.memberships(user.id).await?;
    let now = state.clock.now_us();
    let org_id = match memberships.as_slice() {
        [only] => Some(only.org.id),
        _ => None,
    };
    state
        .store
        .create_session(&Session {
            token_hash: hash,
            user_id: user.id,
            org_id,
            stage,
            // The secret to enrol is chosen with the session, so that showing the enrolment
            // page (a GET) changes nothing.
            pending_totp: if stage == SessionStage::EnrolTotp {
                Some(app::credentials::new_totp_secret()?)
            } else {
                None
            },
            created_us: now,
            last_seen_us: now,
            ip: parts_ip,
            user_agent: user_agent.chars().take(200).collect(),
        })
        .await?;
    Ok((
        jar.add(auth::session_cookie(token, state.config.tls)),
        stage_path(stage).to_owned(),
    ))
}

fn user_agent(parts: &Parts) -> String {
    parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let ip = auth::client_ip(&parts, &state.config.trusted_proxies);
    let typed = f.login.trim().to_lowercase();
    let kept = waiting(&jar);
    let again = |error: &str, status| {
        render(
            &LoginPage {
                l: Layout::bare("Errore: Accedi"),
                login: f.login.clone(),
                error: Some(error.to_owned()),
                kept,
            },
            status,
        )
    };
    let now = state.clock.now_us();
    if let Some(wait) = state.throttle.password_wait(&typed, &ip, now).await? {
        return Ok(again(
            &format!(
                "Troppi tentativi di accesso non riusciti da questo indirizzo. Per sicurezza riprova tra {}.",
                auth::wait_text(wait)
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let user = match Login::parse(&f.login) {
        Ok(l) => match state.store.get_user_by_login(&l).await {
            Ok(u) => Some(u),
            Err(store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let ok = app::credentials::verify_password(
        f.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = user.filter(|u| ok && u.active) else {
        state.throttle.password_failed(&typed, &ip, now).await?;
        return Ok(again(
            "Nome utente o password non corretti.",
            StatusCode::UNAUTHORIZED,
        ));
    };
    let memberships = state.store.memberships(user.id).await?;
    if memberships.is_empty() {
        return Ok(again(
            "Il tuo account non è associato a nessun ente: rivolgiti all'amministratore.",
            StatusCode::FORBIDDEN,
        ));
    }
    if user.one_time_password_expired(state.clock.now_us()) {
        return Ok(again(
            "La password provvisoria è scaduta: vale 72 ore. Chiedi all'amministratore una nuova password.",
            StatusCode::UNAUTHORIZED,
        ));
    }
    state.throttle.password_succeeded(&typed, &ip).await?;
    // A session the browser had before is ended, not reused.
    if let Some(old) = jar.get(auth::SESSION_COOKIE) {
        state
            .store
            .delete_session(&app::credentials::hash_token(old.value()))
            .await?;
    }
    let stage = first_stage(&state, &user).await?;
    let (jar, next) =
        start_session(&state, jar, ip.clone(), user_agent(&parts), &user, stage).await?;
    // A user of one organization acts in it from now on; one of several is logged in the
    // organization they choose (`choose_org`), so each organization's log shows who entered it.
    if let [only] = memberships.as_slice() {
        state
            .store
            .append_audit(&audit_for(
                &user,
                only.org.id,
                state.clock.now(),
                "session.login",
                format!("accesso da {ip}"),
            ))
            .await?;
    }
    Ok((jar, Redirect::to(&next)).into_response())
}

async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(c) = jar.get(auth::SESSION_COOKIE) {
        state
            .store
            .delete_session(&app::credentials::hash_token(c.value()))
            .await?;
    }
    let jar = flash(
        jar.remove(auth::removal_cookie()),
        "success",
        "Sei uscito da Sportello.",
    );
    Ok((jar, Redirect::to("/login")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    l: Layout,
    first: bool,
}

fn password_page(first: bool, errors: FormErrors) -> Layout {
    Layout::bare(if first {
        "Scegli la tua password"
    } else {
        "Cambia la password"
    })
    .with_errors(errors)
}

async fn password_form(s: LoginSession) -> Response {
    let first = s.session.stage == SessionStage::ChangePassword;
    if !first && s.session.stage != SessionStage::Active {
        return Redirect::to(stage_path(s.session.stage)).into_response();
    }
    render(
        &PasswordPage {
            l: password_page(first, FormErrors::default()),
            first,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    attuale: String,
    #[serde(default)]
    nuova: String,
    #[serde(default)]
    conferma: String,
    /// Revoke every API token too.
    #[serde(default)]
    revoca_token: Option<String>,
}

async fn change_password(
    State(state): State<AppState>,
    jar: CookieJar,
    parts: Parts,
    s: LoginSession,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let first = s.session.stage == SessionStage::ChangePassword;
    if !first && s.session.stage != SessionStage::Active {
        return Ok(Redirect::to(stage_path(s.session.stage)).into_response());
    }
    let user = s.user;
    let mut errors = FormErrors::default();
    // The current password typed here counts like one typed at the login: whoever holds a
    // session cookie may not guess it faster.
    let ip = auth::client_ip(&parts, &state.config.trusted_proxies);
    let login = user.login.as_str();
    let now = state.clock.now_us();
    if let Some(wait) = state.throttle.password_wait(login, &ip, now).await? {
        errors.push(FieldError::new(
            "attuale",
            format!(
                "troppi tentativi non riusciti: riprova tra {}",
                auth::wait_text(wait)
            ),
        ));
    } else if !app::credentials::verify_password(
        f.attuale.clone(),
        Some(user.password_hash.clone()),
    )
    .await?
    {
        state.throttle.password_failed(login, &ip, now).await?;
        errors.push(FieldError::new(
            "attuale",
            "la password attuale non è corretta",
        ));
    }
    let personal: Vec<&str> = std::iter::once(user.login.as_str())
        .chain(user.full_name.split_whitespace())
        .chain(user.email.as_deref())
        .collect();
    if let Err(e) = domain::check_new_password(&f.nuova, &personal) {
        errors.push(FieldError::new("nuova", e.to_string()));
    } else if f.nuova == f.attuale {
        errors.push(FieldError::new(
            "nuova",
            "la nuova password deve essere diversa da quella attuale",
        ));
    }
    if f.conferma != f.nuova {
        errors.push(FieldError::new(
            "conferma",
            "le due password non coincidono: riscrivila uguale",
        ));
    }
    if !errors.is_empty() {
        return Ok(render(
            &PasswordPage {
                l: password_page(first, errors),
                first,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let now = state.clock.now();
    let revoke = f.revoca_token.is_some();
    let summary = if revoke {
        "password cambiata dall'utente; sessioni terminate e token API revocati"
    } else {
        "password cambiata dall'utente; sessioni terminate"
    };
    // A change no organization's log would show is refused (an account left without roles).
    if s.memberships.is_empty() {
        return Err(app::Error::Forbidden.into());
    }
    let audits: Vec<_> = s
        .memberships
        .iter()
        .map(|m| audit_for(&user, m.org.id, now, "user.password_change", summary.into()))
        .collect();
    let change = store::PasswordChange {
        hash: app::credentials::hash_password(f.nuova).await?,
        one_time_until_us: None,
        revoke_tokens_at: revoke.then_some(now),
    };
    // Every session of the user ends here, this one included; a new one continues the login.
    state.store.set_password(user.id, &change, &audits).await?;
    let stage = if first {
        after_password(&state, &user).await?
    } else {
        SessionStage::Active
    };
    let (jar, next) = start_session(&state, jar, ip, user_agent(&parts), &user, stage).await?;
    let jar = flash(
        jar,
        "success",
        "Password cambiata. Le altre sessioni aperte con il tuo account sono state chiuse.",
    );
    Ok((jar, Redirect::to(&next)).into_response())
}

#[derive(Template)]
#[template(path = "totp_enrol.html")]
struct EnrolPage {
    l: Layout,
    qr_svg: String,
    secret: String,
}

fn enrol_page(s: &LoginSession, errors: FormErrors) -> Result<EnrolPage, AppError> {
    let secret = s
        .session
        .pending_totp
        .clone()
        .ok_or_else(|| app::Error::Internal("enrolment session without a secret".into()))?;
    let url = app::credentials::totp(&secret, s.user.login.as_str())?
        .to_url()
        .map_err(|e| app::Error::Internal(format!("totp url: {e}")))?;
    Ok(EnrolPage {
        l: Layout::bare("Attiva la verifica in due passaggi").with_errors(errors),
        qr_svg: auth::qr_svg(&url)?,
        secret,
    })
}

async fn enrol_form(s: LoginSession) -> Result<Response, AppError> {
    if s.session.stage != SessionStage::EnrolTotp {
        return Ok(Redirect::to(stage_path(s.session.stage)).into_response());
    }
    Ok(render(
        &enrol_page(&s, FormErrors::default())?,
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    codice: String,
}

async fn enrol(
    State(state): State<AppState>,
    jar: CookieJar,
    s: LoginSession,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    if s.session.stage != SessionStage::EnrolTotp {
        return Ok(Redirect::to(stage_path(s.session.stage)).into_response());
    }
    let Some(secret) = s.session.pending_totp.clone() else {
        return Err(app::Error::Internal("enrolment session without a secret".into()).into());
    };
    let unix = state.clock.now().unix_timestamp().max(0) as u64;
    let jar = match app::credentials::totp_step(&secret, s.user.login.as_str(), &f.codice, unix) {
        Some(step) => {
            let org_id = home_org(&state.store, &s.user)
                .await?
                .ok_or(app::Error::Forbidden)?;
            let audit = audit_for(
                &s.user,
                org_id,
                state.clock.now(),
                "user.totp_enrol",
                "verifica in due passaggi attivata".into(),
            );
            accept_code(&state, jar, &s, step, Some((&secret, &audit))).await?
        }
        None => None,
    };
    let Some(jar) = jar else {
        let mut errors = FormErrors::default();
        errors.push(wrong_code());
        return Ok(render(
            &enrol_page(&s, errors)?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let jar = flash(
        jar,
        "success",
        "Verifica in due passaggi attivata. Da ora all'accesso ti chiederemo il codice dell'app.",
    );
    Ok((jar, Redirect::to("/")).into_response())
}

fn wrong_code() -> FieldError {
    FieldError::new(
        "codice",
        "il codice non è corretto o è scaduto: inserisci le 6 cifre che l'app mostra ora",
    )
}

/// Accepts a right code of TOTP time step `step` once: the session continues under a new id
/// (the one a browser carried before the second factor is worth nothing after it), written
/// with the step and, when enrolling, the secret. `None` when the step was already used.
async fn accept_code(
    state: &AppState,
    jar: CookieJar,
    s: &LoginSession,
    step: i64,
    enrol: Option<(&str, &store::NewAudit)>,
) -> Result<Option<CookieJar>, AppError> {
    let (token, hash) = app::credentials::new_secret("")?;
    let next = Session {
        token_hash: hash,
        stage: SessionStage::Active,
        pending_totp: None,
        last_seen_us: state.clock.now_us(),
        ..s.session.clone()
    };
    match state
        .store
        .accept_totp(s.user.id, step, enrol, &s.session.token_hash, &next)
        .await
    {
        Ok(()) => Ok(Some(jar.add(auth::session_cookie(token, state.config.tls)))),
        Err(store::StoreError::Conflict) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    l: Layout,
}

async fn totp_form(s: LoginSession) -> Response {
    if s.session.stage != SessionStage::Totp {
        return Redirect::to(stage_path(s.session.stage)).into_response();
    }
    render(
        &TotpPage {
            l: Layout::bare("Codice di verifica"),
        },
        StatusCode::OK,
    )
}

async fn totp_check(
    State(state): State<AppState>,
    jar: CookieJar,
    s: LoginSession,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    if s.session.stage != SessionStage::Totp {
        return Ok(Redirect::to(stage_path(s.session.stage)).into_response());
    }
    let login = s.user.login.to_string();
    let again = |error: FieldError, status| {
        let mut errors = FormErrors::default();
        errors.push(error);
        render(
            &TotpPage {
                l: Layout::bare("Codice di verifica").with_errors(errors),
            },
            status,
        )
    };
    let now = state.clock.now_us();
    if let Some(wait) = state.throttle.second_factor_wait(&login, now).await? {
        return Ok(again(
            FieldError::new(
                "codice",
                format!(
                    "troppi codici errati: per sicurezza la verifica è sospesa, riprova tra {}",
                    auth::wait_text(wait)
                ),
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let unix = state.clock.now().unix_timestamp().max(0) as u64;
    let step = s
        .user
        .totp_secret
        .as_deref()
        .and_then(|secret| app::credentials::totp_step(secret, &login, &f.codice, unix));
    let jar = match step {
        Some(step) => accept_code(&state, jar, &s, step, None).await?,
        None => None,
    };
    let Some(jar) = jar else {
        state.throttle.second_factor_failed(&login, now).await?;
        return Ok(again(wrong_code(), StatusCode::UNPROCESSABLE_ENTITY));
    };
    state.throttle.second_factor_succeeded(&login).await?;
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "choose_org.html")]
struct ChooseOrgPage {
    l: Layout,
    orgs: Vec<(String, String, &'static str)>,
}

async fn choose_org_form(s: LoginSession) -> Result<Response, AppError> {
    if s.session.stage != SessionStage::Active {
        return Ok(Redirect::to(stage_path(s.session.stage)).into_response());
    }
    let orgs = s
        .memberships
        .into_iter()
        .filter(|m| m.org.active)
        .map(|m| (m.org.id.to_string(), m.org.name, m.role.label()))
        .collect();
    Ok(render(
        &ChooseOrgPage {
            l: Layout::bare("Scegli l'ente"),
            orgs,
        },
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
struct OrgForm {
    #[serde(default)]
    ente: String,
}

async fn choose_org(
    State(state): State<AppState>,
    parts: Parts,
    s: LoginSession,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    if s.session.stage != SessionStage::Active {
        return Ok(Redirect::to(stage_path(s.session.stage)).into_response());
    }
    let chosen = s
        .memberships
        .iter()
        .find(|m| m.org.active && m.org.id.to_string() == f.ente)
        .ok_or(app::Error::Forbidden)?;
    state
        .store
        .set_session_org(&s.session.token_hash, chosen.org.id)
        .await?;
    state
        .store
        .append_audit(&audit_for(
            &s.user,
            chosen.org.id,
            state.clock.now(),
            "session.login",
            format!(
                "accesso all'ente da {}",
                auth::client_ip(&parts, &state.config.trusted_proxies)
            ),
        ))
        .await?;
    Ok(Redirect::to("/").into_response())
}
