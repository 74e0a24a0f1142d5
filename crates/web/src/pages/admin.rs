//! Administration: organizations with their comuni, operators with their roles, sessions and
//! tokens. The installation's administrators see every organization; an organization's own
//! administrator sees only that one (the policy decides, from the record's organization).

use super::forms::{Form, parse_id};
use super::render::{render, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::manage;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::policy::{Action, RecordScope};
use domain::{FieldError, Login, OrgKind, Role};
use serde::Deserialize;
use store::{
    AuditStore, Member, Membership, OrgComune, OrgStore, Organization, Session, SessionStore,
    TokenStore, User, UserStore,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::to("/admin/enti") }))
        .route("/admin/enti", get(list_orgs))
        .route("/admin/enti/nuovo", get(new_org_form).post(create_org))
        .route("/admin/enti/{id}", get(show_org).post(update_org))
        .route("/admin/utenti", get(list_users))
        .route("/admin/utenti/nuovo", get(new_user_form).post(create_user))
        .route("/admin/utenti/{id}", get(show_user))
        .route("/admin/utenti/{id}/stato", post(set_active))
        .route("/admin/utenti/{id}/password", post(reset_password))
        .route("/admin/utenti/{id}/sessioni", post(end_sessions))
        .route("/admin/utenti/{id}/sblocca", post(unlock))
        .route("/admin/utenti/{id}/ruolo", post(set_role))
        .route("/admin/utenti/{id}/ruolo/rimuovi", post(remove_role))
        .route(
            "/admin/utenti/{id}/token/{token}/revoca",
            post(revoke_token),
        )
}

/// The organizations the actor may see: all of them from the installation's organization.
async fn visible_orgs(state: &AppState, ctx: &Ctx) -> Result<Vec<Organization>, AppError> {
    if ctx.can(Action::OrgView, RecordScope::OtherOrg) {
        Ok(state.store.list_orgs().await?)
    } else {
        Ok(vec![ctx.org.clone()])
    }
}

#[derive(Template)]
#[template(path = "admin_orgs.html")]
struct OrgsPage {
    l: Layout,
    orgs: Vec<Organization>,
    can_create: bool,
    can_letterhead: bool,
    can_portal: bool,
}

async fn list_orgs(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)?;
    ctx.authorize(Action::UserView, RecordScope::SameOrg)?;
    let orgs = visible_orgs(&state, &ctx).await?;
    let l = Layout::page(&ctx, &jar, "Enti", "/admin")
        .crumb("/admin", "Amministrazione")
        .crumb("/admin/enti", "Enti");
    Ok(render_page(
        jar,
        &OrgsPage {
            l,
            orgs,
            can_create: ctx.can(Action::OrgManage, RecordScope::OtherOrg),
            can_letterhead: ctx.can(Action::LetterheadEdit, RecordScope::SameOrg),
            can_portal: ctx.can(Action::PortalSettingsEdit, RecordScope::SameOrg),
        },
        StatusCode::OK,
    ))
}

#[derive(Default, Deserialize)]
struct OrgForm {
    #[serde(default)]
    codice: String,
    #[serde(default)]
    nome: String,
    #[serde(default)]
    tipo: String,
    #[serde(default)]
    comuni: String,
    #[serde(default)]
    attivo: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_org_form.html")]
struct OrgFormPage {
    l: Layout,
    f: OrgForm,
    kinds: Vec<(&'static str, &'static str)>,
    /// `None` when creating.
    org: Option<Organization>,
    members: Vec<Member>,
    can_edit: bool,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .into_iter()
        .filter(|k| *k != OrgKind::Sistema)
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

async fn new_org_form(jar: CookieJar, ctx: Ctx) -> Result<Response, AppError> {
    ctx.authorize(Action::OrgManage, RecordScope::OtherOrg)?;
    let l = Layout::page(&ctx, &jar, "Nuovo ente", "/admin")
        .crumb("/admin/enti", "Enti")
        .crumb("/admin/enti/nuovo", "Nuovo ente");
    let f = OrgForm {
        tipo: "comune".into(),
        ..OrgForm::default()
    };
    Ok(render_page(
        jar,
        &OrgFormPage {
            l,
            f,
            kinds: kinds(),
            org: None,
            members: Vec::new(),
            can_edit: true,
        },
        StatusCode::OK,
    ))
}

async fn create_org(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::OrgManage, RecordScope::OtherOrg)?;
    let fail = |errors: Vec<FieldError>, f: OrgForm| {
        let l = Layout::page(&ctx, &jar, "Nuovo ente", "/admin")
            .crumb("/admin/enti", "Enti")
            .crumb("/admin/enti/nuovo", "Nuovo ente")
            .with_errors(FormErrors(errors));
        render(
            &OrgFormPage {
                l,
                f,
                kinds: kinds(),
                org: None,
                members: Vec::new(),
                can_edit: true,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (code, name, kind, comuni) = match manage::parse_org(&f.codice, &f.nome, &f.tipo, &f.comuni)
    {
        Ok(v) => v,
        Err(errors) => return Ok(fail(errors, f)),
    };
    match manage::create_org(
        &state.store,
        &ctx,
        manage::new_org(code, name, kind, ctx.now),
        comuni,
    )
    .await
    {
        Ok(org) => {
            let jar = flash(jar, "success", &format!("Ente «{}» creato.", org.name));
            Ok((jar, Redirect::to(&format!("/admin/enti/{}", org.id))).into_response())
        }
        Err(app::Error::BadRequest(m)) => Ok(fail(vec![FieldError::new("codice", m)], f)),
        Err(e) => Err(e.into()),
    }
}

async fn org_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    org: Organization,
    f: Option<OrgForm>,
    errors: FormErrors,
) -> Result<OrgFormPage, AppError> {
    let comuni: Vec<OrgComune> = state.store.org_comuni(org.id).await?;
    let members = if ctx.can(Action::UserView, ctx.scope_of(org.id)) {
        state.store.list_members(org.id).await?
    } else {
        Vec::new()
    };
    let f = f.unwrap_or_else(|| OrgForm {
        codice: org.code.to_string(),
        nome: org.name.clone(),
        tipo: org.kind.as_str().into(),
        comuni: comuni
            .iter()
            .map(|c| c.istat_code.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        attivo: org.active.then(|| "1".into()),
    });
    let l = Layout::page(ctx, jar, &org.name, "/admin")
        .crumb("/admin/enti", "Enti")
        .crumb(&format!("/admin/enti/{}", org.id), &org.name)
        .with_errors(errors);
    Ok(OrgFormPage {
        l,
        f,
        kinds: kinds(),
        can_edit: ctx.can(Action::OrgManage, ctx.scope_of(org.id)) && org.kind != OrgKind::Sistema,
        org: Some(org),
        members,
    })
}

async fn show_org(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    ctx.authorize(Action::OrgView, ctx.scope_of(id))?;
    let org = state.store.get_org(id).await?;
    let page = org_page(&state, &ctx, &jar, org, None, FormErrors::default()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn update_org(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OrgForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    ctx.authorize(Action::OrgManage, ctx.scope_of(id))?;
    let mut org = state.store.get_org(id).await?;
    if org.kind == OrgKind::Sistema {
        return Err(app::Error::Forbidden.into());
    }
    match manage::parse_org(org.code.as_str(), &f.nome, org.kind.as_str(), &f.comuni) {
        Err(errors) => {
            let page = org_page(&state, &ctx, &jar, org, Some(f), FormErrors(errors)).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Ok((_, name, _, comuni)) => {
            let active = f.attivo.is_some();
            let summary = format!(
                "ente {}: nome «{}» → «{}», attivo {} → {}, comuni: {}",
                org.code,
                org.name,
                name,
                org.active,
                active,
                comuni
                    .iter()
                    .map(|c| c.istat_code.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            org.name = name;
            org.active = active;
            state
                .store
                .update_org(
                    &org,
                    &comuni,
                    &ctx.audit_in(org.id, "org.update", "organization", Some(org.id), summary),
                )
                .await?;
            let jar = flash(jar, "success", "Modifiche salvate.");
            Ok((jar, Redirect::to(&format!("/admin/enti/{}", org.id))).into_response())
        }
    }
}

struct UserRow {
    user: User,
    /// "Ente: ruolo" for each of the user's roles (the role alone in one organization's list).
    roles: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    l: Layout,
    users: Vec<UserRow>,
    all_orgs: bool,
}

async fn list_users(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.authorize(Action::UserView, RecordScope::SameOrg)?;
    let all_orgs = ctx.can(Action::UserView, RecordScope::OtherOrg);
    let users = if all_orgs {
        let roles = state.store.list_user_roles().await?;
        state
            .store
            .list_users()
            .await?
            .into_iter()
            .map(|user| UserRow {
                roles: roles
                    .iter()
                    .filter(|(id, _, _)| *id == user.id)
                    .map(|(_, org, role)| format!("{org}: {}", role.label()))
                    .collect(),
                user,
            })
            .collect()
    } else {
        state
            .store
            .list_members(ctx.org.id)
            .await?
            .into_iter()
            .map(|m| UserRow {
                user: m.user,
                roles: vec![m.role.label().to_owned()],
            })
            .collect()
    };
    let l = Layout::page(&ctx, &jar, "Utenti", "/admin")
        .crumb("/admin", "Amministrazione")
        .crumb("/admin/utenti", "Utenti");
    Ok(render_page(
        jar,
        &UsersPage { l, users, all_orgs },
        StatusCode::OK,
    ))
}

#[derive(Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    nome: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    ente: String,
    #[serde(default)]
    ruolo: String,
}

#[derive(Template)]
#[template(path = "admin_user_form.html")]
struct UserFormPage {
    l: Layout,
    f: UserForm,
    orgs: Vec<Organization>,
    roles: Vec<(&'static str, &'static str)>,
}

/// The roles of the office: a citizen's account is the portal's, never given here.
fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Cittadino)
        .map(|r| (r.as_str(), r.label()))
        .collect()
}

/// A role chosen from [`roles`].
fn office_role(raw: &str) -> Option<Role> {
    Role::parse(raw).filter(|r| *r != Role::Cittadino)
}

/// Organizations in which the actor may create accounts.
async fn manageable_orgs(state: &AppState, ctx: &Ctx) -> Result<Vec<Organization>, AppError> {
    Ok(visible_orgs(state, ctx)
        .await?
        .into_iter()
        .filter(|o| o.active && ctx.can(Action::UserManage, ctx.scope_of(o.id)))
        .collect())
}

#[derive(Deserialize)]
struct NewUserQuery {
    /// The organization to preselect (the link of an organization's page).
    #[serde(default)]
    ente: String,
}

async fn new_user_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<NewUserQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::UserManage, RecordScope::SameOrg)?;
    let orgs = manageable_orgs(&state, &ctx).await?;
    let l = Layout::page(&ctx, &jar, "Nuovo utente", "/admin")
        .crumb("/admin/utenti", "Utenti")
        .crumb("/admin/utenti/nuovo", "Nuovo utente");
    let ente = orgs
        .iter()
        .find(|o| o.id.to_string() == q.ente.trim())
        .map_or(ctx.org.id, |o| o.id);
    let f = UserForm {
        ente: ente.to_string(),
        ruolo: Role::OperatoreSportello.as_str().into(),
        ..UserForm::default()
    };
    Ok(render_page(
        jar,
        &UserFormPage {
            l,
            f,
            orgs,
            roles: roles(),
        },
        StatusCode::OK,
    ))
}

#[derive(Template)]
#[template(path = "admin_user_created.html")]
struct UserCreatedPage {
    l: Layout,
    user: User,
    org: String,
    password: String,
}

async fn create_user(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Form(f): Form<UserForm>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::UserManage, RecordScope::SameOrg)?;
    let orgs = manageable_orgs(&state, &ctx).await?;
    let mut errors = FormErrors::default();
    let login = Login::parse(&f.login).map_err(|e| errors.push(e)).ok();
    let name = domain::user::parse_full_name(&f.nome)
        .map_err(|e| errors.push(e))
        .ok();
    let email = domain::user::parse_email(&f.email)
        .map_err(|e| errors.push(e))
        .ok();
    let org = orgs.iter().find(|o| o.id.to_string() == f.ente).cloned();
    if org.is_none() {
        errors.push(FieldError::new("ente", "scegli l'ente dall'elenco"));
    }
    let role = office_role(&f.ruolo);
    if role.is_none() {
        errors.push(FieldError::new("ruolo", "scegli il ruolo dall'elenco"));
    }
    let fail = |errors: FormErrors, f: UserForm, orgs: Vec<Organization>| {
        let l = Layout::page(&ctx, &jar, "Nuovo utente", "/admin")
            .crumb("/admin/utenti", "Utenti")
            .crumb("/admin/utenti/nuovo", "Nuovo utente")
            .with_errors(errors);
        render(
            &UserFormPage {
                l,
                f,
                orgs,
                roles: roles(),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (Some(login), Some(name), Some(email), Some(org), Some(role)) =
        (login, name, email, org, role)
    else {
        return Ok(fail(errors, f, orgs));
    };
    ctx.authorize(Action::UserManage, ctx.scope_of(org.id))?;
    let password = app::credentials::one_time_password()?;
    match manage::create_user(
        &state.store,
        &ctx,
        &org,
        login,
        name,
        email,
        role,
        password.clone(),
    )
    .await
    {
        Ok(user) => {
            let l = Layout::page(&ctx, &jar, "Utente creato", "/admin")
                .crumb("/admin/utenti", "Utenti")
                .crumb("/admin/utenti/nuovo", "Utente creato");
            Ok(render_page(
                jar,
                &UserCreatedPage {
                    l,
                    user,
                    org: org.name,
                    password,
                },
                StatusCode::CREATED,
            ))
        }
        Err(app::Error::BadRequest(m)) => {
            Ok(fail(FormErrors(vec![FieldError::new("login", m)]), f, orgs))
        }
        Err(e) => Err(e.into()),
    }
}

/// A user as the actor may see them.
struct LoadedUser {
    user: User,
    /// The memberships the actor may see: all of them from the installation's organization,
    /// otherwise only the one in the organization the actor acts in.
    memberships: Vec<Membership>,
    /// For the user's roles: same organization when they hold one in the actor's.
    roles: RecordScope,
    /// For the account itself (password, state, sessions, tokens): same organization only
    /// when every role of the user is in the actor's organization. An account shared with
    /// another organization is the installation's administrators' to manage, so that no
    /// organization's administrator can take over another's user.
    account: RecordScope,
    /// The user has roles the actor may not see.
    shared: bool,
}

async fn load_user(state: &AppState, ctx: &Ctx, raw_id: &str) -> Result<LoadedUser, AppError> {
    let id = parse_id(raw_id)?;
    let user = state.store.get_user(id).await?;
    let all = state.store.memberships(id).await?;
    let ours = |m: &Membership| m.org.id == ctx.org.id;
    let roles = if all.iter().any(ours) {
        RecordScope::SameOrg
    } else {
        RecordScope::OtherOrg
    };
    let account = if !all.is_empty() && all.iter().all(ours) {
        RecordScope::SameOrg
    } else {
        RecordScope::OtherOrg
    };
    let memberships: Vec<Membership> = if ctx.can(Action::UserView, RecordScope::OtherOrg) {
        all.clone()
    } else {
        all.iter().filter(|m| ours(m)).cloned().collect()
    };
    Ok(LoadedUser {
        shared: memberships.len() < all.len(),
        user,
        memberships,
        roles,
        account,
    })
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    l: Layout,
    user: User,
    memberships: Vec<Membership>,
    sessions: Vec<Session>,
    tokens: Vec<super::account::TokenRow>,
    orgs: Vec<Organization>,
    roles: Vec<(&'static str, &'static str)>,
    password: Option<String>,
    /// Password, state, sessions and tokens.
    can_manage: bool,
    can_manage_roles: bool,
    shared: bool,
    /// Failed-login counters of this login (`auth::Throttle`), for those who manage it.
    locks: Vec<crate::auth::ThrottleEntry>,
}

async fn user_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    raw_id: &str,
    password: Option<String>,
) -> Result<UserPage, AppError> {
    let LoadedUser {
        user,
        memberships,
        roles: role_scope,
        account,
        shared,
    } = load_user(state, ctx, raw_id).await?;
    ctx.authorize(Action::UserView, role_scope)?;
    let sessions = if ctx.can(Action::SessionManage, account) {
        state.store.list_user_sessions(user.id).await?
    } else {
        Vec::new()
    };
    let tokens = if ctx.can(Action::TokenManage, account) {
        super::account::token_rows(state.store.list_tokens(user.id).await?, ctx.now)
    } else {
        Vec::new()
    };
    let locks = if ctx.can(Action::UserManage, account) {
        state
            .throttle
            .entries(user.login.as_str(), state.clock.now_us())
            .await?
    } else {
        Vec::new()
    };
    let l = Layout::page(ctx, jar, &user.full_name, "/admin")
        .crumb("/admin/utenti", "Utenti")
        .crumb(&format!("/admin/utenti/{}", user.id), &user.full_name);
    Ok(UserPage {
        l,
        can_manage: ctx.can(Action::UserManage, account) && user.id != ctx.user.id,
        can_manage_roles: ctx.can(Action::UserManage, role_scope) && user.id != ctx.user.id,
        shared,
        orgs: manageable_orgs(state, ctx).await?,
        roles: roles(),
        user,
        memberships,
        sessions,
        tokens,
        password,
        locks,
    })
}

async fn show_user(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let page = user_page(&state, &ctx, &jar, &id, None).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// A user account the actor may change, and its memberships the actor may see.
struct UserAccess {
    user: User,
    memberships: Vec<Membership>,
}

/// Checks that the actor may do `action` on the account `raw_id` (see [`LoadedUser`]), and
/// that it is not themselves (nobody disables or demotes their own account by mistake).
async fn user_access(
    state: &AppState,
    ctx: &Ctx,
    raw_id: &str,
    action: Action,
) -> Result<UserAccess, AppError> {
    let loaded = load_user(state, ctx, raw_id).await?;
    let scope = loaded.account;
    scoped_user_access(ctx, scope, loaded, action)
}

/// The same for the user's roles in organizations the actor manages.
async fn user_roles_access(
    state: &AppState,
    ctx: &Ctx,
    raw_id: &str,
) -> Result<UserAccess, AppError> {
    let loaded = load_user(state, ctx, raw_id).await?;
    let scope = loaded.roles;
    scoped_user_access(ctx, scope, loaded, Action::UserManage)
}

fn scoped_user_access(
    ctx: &Ctx,
    scope: RecordScope,
    loaded: LoadedUser,
    action: Action,
) -> Result<UserAccess, AppError> {
    ctx.authorize(action, scope)?;
    if loaded.user.id == ctx.user.id && action == Action::UserManage {
        return Err(app::Error::BadRequest(
            "non puoi modificare il tuo stesso account da qui: usa «Il mio profilo»".into(),
        )
        .into());
    }
    Ok(UserAccess {
        user: loaded.user,
        memberships: loaded.memberships,
    })
}

fn back_to(user: &User, jar: CookieJar, kind: &str, text: &str) -> Response {
    (
        flash(jar, kind, text),
        Redirect::to(&format!("/admin/utenti/{}", user.id)),
    )
        .into_response()
}

#[derive(Deserialize)]
struct ActiveForm {
    #[serde(default)]
    attivo: String,
}

async fn set_active(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ActiveForm>,
) -> Result<Response, AppError> {
    let user = user_access(&state, &ctx, &id, Action::UserManage)
        .await?
        .user;
    let active = f.attivo == "1";
    manage::set_active(&state.store, &ctx, &user, ctx.org.id, active).await?;
    Ok(back_to(
        &user,
        jar,
        "success",
        if active {
            "Account riattivato."
        } else {
            "Account disattivato: tutte le sue sessioni sono state chiuse."
        },
    ))
}

async fn reset_password(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    // Managing the account means seeing every role of the user: each organization is told.
    let UserAccess { user, memberships } =
        user_access(&state, &ctx, &id, Action::UserManage).await?;
    let orgs: Vec<_> = memberships.iter().map(|m| m.org.id).collect();
    let password = manage::reset_password(&state.store, &ctx, &user, &orgs).await?;
    let page = user_page(&state, &ctx, &jar, &id, Some(password)).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn end_sessions(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = user_access(&state, &ctx, &id, Action::SessionManage)
        .await?
        .user;
    let n = state
        .store
        .delete_user_sessions(
            user.id,
            &ctx.audit(
                "session.end_all",
                "user",
                Some(user.id),
                format!("terminate le sessioni di {}", user.login),
            ),
        )
        .await?;
    Ok(back_to(
        &user,
        jar,
        "success",
        &format!("Sessioni terminate: {n}."),
    ))
}

/// Lifts the login waits of an account (`auth::Throttle::lift`): the owner, after a phone
/// call, need not wait out someone else's guesses.
async fn unlock(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = user_access(&state, &ctx, &id, Action::UserManage)
        .await?
        .user;
    let login = user.login.as_str();
    let counted = state
        .throttle
        .entries(login, state.clock.now_us())
        .await?
        .len();
    state
        .store
        .append_audit(&ctx.audit(
            "user.unlock",
            "user",
            Some(user.id),
            format!("tolti i blocchi di accesso di {login} ({counted} contatori)"),
        ))
        .await?;
    state.throttle.lift(login).await?;
    Ok(back_to(
        &user,
        jar,
        "success",
        "Blocchi di accesso tolti: l'utente può riprovare subito.",
    ))
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    ente: String,
    #[serde(default)]
    ruolo: String,
}

async fn set_role(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    let user = user_roles_access(&state, &ctx, &id).await?.user;
    let org = manageable_orgs(&state, &ctx)
        .await?
        .into_iter()
        .find(|o| o.id.to_string() == f.ente);
    let (Some(org), Some(role)) = (org, office_role(&f.ruolo)) else {
        return Ok(back_to(
            &user,
            jar,
            "danger",
            "Scegli un ente e un ruolo dagli elenchi.",
        ));
    };
    ctx.authorize(Action::UserManage, ctx.scope_of(org.id))?;
    let summary = format!("ruolo di {} in {}: {}", user.login, org.code, role.label());
    state
        .store
        .set_membership(
            user.id,
            org.id,
            role,
            &ctx.audit_in(org.id, "membership.set", "user", Some(user.id), summary),
        )
        .await?;
    Ok(back_to(&user, jar, "success", "Ruolo assegnato."))
}

async fn remove_role(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    let UserAccess { user, memberships } = user_roles_access(&state, &ctx, &id).await?;
    let Some(m) = memberships.iter().find(|m| m.org.id.to_string() == f.ente) else {
        return Err(app::Error::NotFound.into());
    };
    ctx.authorize(Action::UserManage, ctx.scope_of(m.org.id))?;
    let summary = format!(
        "tolto il ruolo {} di {} in {}",
        m.role.label(),
        user.login,
        m.org.code
    );
    state
        .store
        .remove_membership(
            user.id,
            m.org.id,
            &ctx.audit_in(
                m.org.id,
                "membership.remove",
                "user",
                Some(user.id),
                summary,
            ),
        )
        .await?;
    Ok(back_to(&user, jar, "success", "Ruolo tolto."))
}

async fn revoke_token(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let user = user_access(&state, &ctx, &id, Action::TokenManage)
        .await?
        .user;
    let token_id = parse_id(&token)?;
    let t = state
        .store
        .list_tokens(user.id)
        .await?
        .into_iter()
        .find(|t| t.id == token_id)
        .ok_or(app::Error::NotFound)?;
    let summary = format!("revocato il token «{}» di {}", t.name, user.login);
    state
        .store
        .revoke_token(
            t.id,
            ctx.now,
            &ctx.audit("token.revoke", "api_token", Some(t.id), summary),
        )
        .await?;
    Ok(back_to(&user, jar, "success", "Token revocato."))
}
