//! The cartella sociale: taking in charge, states, team, diary with confidential entries and
//! break-glass access, the person's household and network on one page, caseloads.

use super::dates::instant;
use super::forms::{Form, Pairs, parse_id, refuse};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::casefile::{CaseAccess, case_access, visible_documents};
use app::life_events::refuse_if_deceased;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::audit::unix_micros;
use domain::casework::{
    self, BREAK_GLASS_MINUTES, CaseState, CloseReason, Confidentiality, DiaryInput, DiaryKind,
    TransitionInput,
};
use domain::dates::format_date;
use domain::localtime::{format_date_time, today};
use domain::{Action, FieldError, RecordScope, Role};
use serde::Deserialize;
use store::{
    AccessRecord, BreakGlass, CaseFile, CaseFileView, CaseFilter, CaseStore, CaseloadRow,
    DiaryEntry, HouseholdStore, Person, PersonStore, StateChange, StoreError, TeamMember,
    UserStore,
};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persone/{id}/cartella", get(open_form).post(open_save))
        .route("/cartelle", get(list))
        .route("/cartelle/carico", get(caseload).post(reassign))
        .route("/cartelle/{id}", get(show))
        .route("/cartelle/{id}/stato", post(change_state))
        .route("/cartelle/{id}/diario", post(add_diary))
        .route("/cartelle/{id}/accesso-straordinario", post(break_glass))
        .route("/cartelle/{id}/equipe", post(add_member))
        .route("/cartelle/{id}/equipe/{user}/rimuovi", post(remove_member))
}

/// The social-services box of a person's page: what exists and what the user may start.
pub(super) struct PersonSocial {
    pub case_file: Option<CaseFile>,
    pub can_record_access: bool,
    pub can_take_in_charge: bool,
    pub can_book: bool,
    pub accesses: Vec<(Uuid, String, &'static str)>,
}

pub(super) async fn person_social(
    state: &AppState,
    ctx: &Ctx,
    p: &Person,
) -> Result<PersonSocial, AppError> {
    let active = p.merged_into.is_none();
    // A deceased person is neither taken in charge nor given appointments.
    let alive = active && p.data.death_date.is_none();
    let case_file = if ctx.can(Action::CaseFileRead, RecordScope::SameOrg) {
        state.store.person_case_file(ctx.org.id, p.id).await?
    } else {
        None
    };
    let can_record_access = active && ctx.can(Action::AccessRecord, RecordScope::SameOrg);
    let accesses = if can_record_access {
        state
            .store
            .person_accesses(ctx.org.id, p.id)
            .await?
            .into_iter()
            .take(5)
            .map(|r| {
                (
                    r.id,
                    format_date_time(instant(r.at_us)),
                    r.data.outcome.label(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PersonSocial {
        can_take_in_charge: alive
            && case_file.is_none()
            && ctx.can(Action::CaseFileWrite, RecordScope::Assigned),
        can_book: alive && ctx.can(Action::AppointmentManage, RecordScope::SameOrg),
        case_file,
        can_record_access,
        accesses,
    })
}

/// Workers who can be responsible for a case file: the organization's social workers and
/// responsabili, by name.
pub(super) async fn workers(state: &AppState, ctx: &Ctx) -> Result<Vec<(Uuid, String)>, AppError> {
    let mut out: Vec<(Uuid, String)> = state
        .store
        .list_members(ctx.org.id)
        .await?
        .into_iter()
        .filter(|m| m.user.active && matches!(m.role, Role::AssistenteSociale | Role::Responsabile))
        .map(|m| (m.user.id, m.user.full_name))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

fn conflict_or(e: StoreError, jar: CookieJar, back: &str) -> Result<Response, AppError> {
    match e {
        StoreError::Conflict => {
            let jar = flash(
                jar,
                "danger",
                "Qualcun altro ha appena cambiato la cartella: controlla e ripeti l'operazione.",
            );
            Ok((jar, Redirect::to(back)).into_response())
        }
        e => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct OpenQuery {
    #[serde(default)]
    accesso: String,
}

#[derive(Template)]
#[template(path = "case_open.html")]
struct OpenPage {
    l: Layout,
    p: Person,
    access: Option<AccessRecord>,
    workers: Vec<(Uuid, String)>,
    worker: String,
    opened_on: String,
    note: String,
    can_choose: bool,
}

/// A person the user may take in charge (open a case file for, assigned to themselves).
struct TakeInChargeAccess {
    person: Person,
}

async fn take_in_charge_access(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<TakeInChargeAccess, AppError> {
    let person = state.store.get_person(ctx.org.id, parse_id(id)?).await?;
    ctx.authorize(Action::CaseFileWrite, RecordScope::Assigned)?;
    if person.merged_into.is_some() {
        return Err(app::Error::BadRequest(
            "la scheda è stata unita a un'altra: apri la cartella su quella".into(),
        )
        .into());
    }
    refuse_if_deceased(&person, "prenderla in carico")?;
    Ok(TakeInChargeAccess { person })
}

async fn open_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OpenQuery>,
) -> Result<Response, AppError> {
    let p = take_in_charge_access(&state, &ctx, &id).await?.person;
    if let Some(c) = state.store.person_case_file(ctx.org.id, p.id).await? {
        return Ok(Redirect::to(&format!("/cartelle/{}", c.id)).into_response());
    }
    let access = match Uuid::parse_str(&q.accesso) {
        Ok(a) => Some(state.store.get_access(ctx.org.id, a).await?),
        Err(_) => None,
    };
    let page = OpenPage {
        l: open_layout(&ctx, &jar, &p),
        access,
        workers: workers(&state, &ctx).await?,
        worker: ctx.user.id.to_string(),
        opened_on: format_date(today(ctx.now)),
        note: String::new(),
        can_choose: ctx.can(Action::CaseFileWrite, RecordScope::SameOrg),
        p,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

fn open_layout(ctx: &Ctx, jar: &CookieJar, p: &Person) -> Layout {
    Layout::page(ctx, jar, "Presa in carico", "/cartelle")
        .crumb("/persone", "Anagrafe sociale")
        .crumb(&format!("/persone/{}", p.id), &p.data.full_name())
        .crumb(&format!("/persone/{}/cartella", p.id), "Presa in carico")
}

#[derive(Deserialize, Default)]
struct OpenForm {
    #[serde(default)]
    worker: String,
    #[serde(default)]
    opened_on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    access: String,
}

async fn open_save(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OpenForm>,
) -> Result<Response, AppError> {
    let p = take_in_charge_access(&state, &ctx, &id).await?.person;
    if let Some(c) = state.store.person_case_file(ctx.org.id, p.id).await? {
        let jar = flash(
            jar,
            "info",
            "La persona ha già una cartella sociale: eccola.",
        );
        return Ok((jar, Redirect::to(&format!("/cartelle/{}", c.id))).into_response());
    }
    let mut errors = Vec::new();
    let workers = workers(&state, &ctx).await?;
    let worker = Uuid::parse_str(f.worker.trim())
        .ok()
        .filter(|w| workers.iter().any(|(id, _)| id == w));
    match worker {
        None => errors.push(FieldError::new(
            "worker",
            "scegliere l'assistente sociale responsabile dall'elenco",
        )),
        Some(w) if w != ctx.user.id => {
            ctx.authorize(Action::CaseFileWrite, RecordScope::SameOrg)?;
        }
        Some(_) => {}
    }
    let today = today(ctx.now);
    let opened_on = match domain::dates::read_date(&f.opened_on, domain::dates::OFFICE_DATES) {
        Err(e) if !f.opened_on.trim().is_empty() => {
            errors.push(FieldError::new("opened_on", e.to_string()));
            None
        }
        Ok(d) if d > today => {
            errors.push(FieldError::new(
                "opened_on",
                "la data di presa in carico non può essere nel futuro",
            ));
            None
        }
        Ok(d) if d < p.data.birth_date => {
            errors.push(FieldError::new(
                "opened_on",
                "la data di presa in carico precede la nascita",
            ));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                "opened_on",
                "indicare la data di presa in carico (gg/mm/aaaa)",
            ));
            None
        }
    };
    let note = f.note.trim().to_owned();
    if note.chars().count() > 20_000 {
        errors.push(FieldError::new(
            "note",
            "la nota: al massimo 20000 caratteri",
        ));
    }
    let access = Uuid::parse_str(f.access.trim()).ok();
    let (Some(worker), Some(opened_on), true) = (worker, opened_on, errors.is_empty()) else {
        let access = match access {
            Some(a) => Some(state.store.get_access(ctx.org.id, a).await?),
            None => None,
        };
        let page = OpenPage {
            l: open_layout(&ctx, &jar, &p).with_errors(FormErrors(errors)),
            access,
            workers,
            worker: f.worker,
            opened_on: f.opened_on,
            note: f.note,
            can_choose: ctx.can(Action::CaseFileWrite, RecordScope::SameOrg),
            p,
        };
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let (case_id, number) =
        app::casefile::open_case_file(&state.services, &ctx, &p, worker, opened_on, note, access)
            .await?;
    let jar = flash(
        jar,
        "success",
        &format!("Cartella sociale n. {number} aperta."),
    );
    Ok((jar, Redirect::to(&format!("/cartelle/{case_id}"))).into_response())
}

struct DiaryView {
    e: DiaryEntry,
    on: String,
    written: String,
    /// The author's full name (the login of someone no longer in the organization).
    author: String,
}

struct ChangeView {
    c: StateChange,
    label: &'static str,
    on: String,
    at: String,
    /// Who made the change, by name.
    author: String,
}

struct GlassView {
    b: BreakGlass,
    at: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    l: Layout,
    /// The invalid SIUSS records of its assessments.
    siuss_notes: Vec<super::siuss_notes::SiussNote>,
    c: CaseFile,
    p: Person,
    worker_name: String,
    team: Vec<TeamMember>,
    history: Vec<ChangeView>,
    diary: Vec<DiaryView>,
    diary_page: DiaryPaging,
    hidden: i64,
    glass: Vec<GlassView>,
    show_glass: bool,
    via_break_glass: bool,
    can_write: bool,
    can_write_state: bool,
    can_close: bool,
    can_break_glass: bool,
    can_manage_team: bool,
    next: Vec<CaseState>,
    close_reasons: &'static [CloseReason],
    diary_kinds: &'static [DiaryKind],
    confidentialities: &'static [Confidentiality],
    candidates: Vec<(Uuid, String)>,
    household: Vec<(Uuid, String, &'static str)>,
    network: Vec<(String, &'static str)>,
    accesses: Vec<(Uuid, String, String)>,
    documents: Vec<(store::CaseDocument, String, String)>,
    apps: super::applications::PersonApplications,
    opened_on: String,
    state_since: String,
    today: String,
    diary_form: DiaryForm,
}

#[derive(Deserialize, Default, Clone)]
struct DiaryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// Diary entries per page: a long-followed file has hundreds, and the latest are the ones read.
const DIARY_PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default)]
struct CaseQuery {
    /// The diary page, from 1 (the latest entries).
    #[serde(default)]
    diario: Option<i64>,
}

/// Where the shown diary page sits: "Annotazioni 51–100 di 200" and the links around it.
struct DiaryPaging {
    page: i64,
    first: i64,
    last: i64,
    total: i64,
    has_next: bool,
}

impl DiaryPaging {
    fn new(page: i64, shown: usize, total: i64) -> DiaryPaging {
        let first = (page - 1) * DIARY_PAGE_SIZE + 1;
        let last = first - 1 + i64::try_from(shown).unwrap_or(0);
        DiaryPaging {
            page,
            first,
            last,
            total,
            has_next: last < total,
        }
    }
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    state
        .reads
        .view(&ctx, app::read_log::Read::CaseFile, a.case.id)
        .await;
    let form = DiaryForm {
        date: format_date(today(ctx.now)),
        ..DiaryForm::default()
    };
    let diary_page = q.diario.unwrap_or(1).clamp(1, 10_000);
    let page = case_page(&state, &ctx, &jar, a, diary_page, form, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The page of the diary the reader may see (newest first), its paging, and how many
/// confidential entries are hidden from them. The confidential entries shown are logged.
async fn diary_section(
    state: &AppState,
    ctx: &Ctx,
    a: &CaseAccess,
    page: i64,
) -> Result<(Vec<DiaryView>, DiaryPaging, i64), AppError> {
    let (org, id) = (ctx.org.id, a.case.id);
    let found = state
        .store
        .diary_entries(
            org,
            id,
            a.confidential_window(),
            (page - 1) * DIARY_PAGE_SIZE,
            DIARY_PAGE_SIZE,
        )
        .await?;
    let restricted: Vec<Uuid> = found
        .entries
        .iter()
        .filter(|e| e.data.confidentiality == domain::casework::Confidentiality::Restricted)
        .map(|e| e.id)
        .collect();
    state.reads.confidential(ctx, id, &restricted).await;
    let paging = DiaryPaging::new(page, found.entries.len(), found.total);
    // Authors by their name, not their login.
    let names: std::collections::HashMap<Uuid, String> = state
        .store
        .list_members(org)
        .await?
        .into_iter()
        .map(|m| (m.user.id, m.user.full_name))
        .collect();
    let diary = found
        .entries
        .into_iter()
        .map(|e| DiaryView {
            on: format_date(e.data.occurred_on),
            written: format_date_time(instant(e.at_us)),
            author: names
                .get(&e.actor_id)
                .cloned()
                .unwrap_or_else(|| e.actor.clone()),
            e,
        })
        .collect();
    let hidden = if a.confidential_window() == Some(0) {
        0
    } else {
        state
            .store
            .count_hidden_entries(org, id, a.confidential_window())
            .await?
    };
    Ok((diary, paging, hidden))
}

/// The person's surroundings the case file shows: who they live with, their support
/// network today and their first-access records.
struct Surroundings {
    household: Vec<(Uuid, String, &'static str)>,
    network: Vec<(String, &'static str)>,
    accesses: Vec<(Uuid, String, String)>,
}

async fn surroundings(
    state: &AppState,
    org: Uuid,
    person_id: Uuid,
    today: time::Date,
) -> Result<Surroundings, AppError> {
    let household = state
        .store
        .cohabitants(org, person_id, today)
        .await?
        .into_iter()
        .map(|v| {
            (
                v.member.person_id,
                format!("{} {}", v.surname, v.given_names),
                v.member.relationship.label(),
            )
        })
        .collect();
    let network = state
        .store
        .person_support(org, person_id)
        .await?
        .into_iter()
        .filter(|l| l.person_id == person_id && l.to_date.is_none_or(|t| t >= today))
        .map(|l| (l.related_name.clone(), l.kind.label()))
        .collect();
    let accesses = state
        .store
        .person_accesses(org, person_id)
        .await?
        .into_iter()
        .map(|r| {
            let needs = r
                .data
                .needs
                .iter()
                .map(|n| n.label())
                .collect::<Vec<_>>()
                .join(", ");
            (r.id, format_date_time(instant(r.at_us)), needs)
        })
        .collect();
    Ok(Surroundings {
        household,
        network,
        accesses,
    })
}

async fn case_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    a: CaseAccess,
    diary_page: i64,
    diary_form: DiaryForm,
    errors: Vec<FieldError>,
) -> Result<CasePage, AppError> {
    let org = ctx.org.id;
    let c = a.case.clone();
    let p = state.store.get_person(org, c.person_id).await?;
    let worker_name = if c.worker_id == ctx.user.id {
        ctx.user.full_name.clone()
    } else {
        state.store.get_user(c.worker_id).await?.full_name
    };
    let team = state.store.case_team(org, c.id).await?;
    let names = super::names::Names::of_org(state, org).await?;
    let history = state
        .store
        .case_state_history(org, c.id)
        .await?
        .into_iter()
        .map(|ch| ChangeView {
            label: ch
                .from
                .map_or("apertura", |f| casework::transition_label(f, ch.to)),
            on: format_date(ch.on),
            at: format_date_time(instant(ch.at_us)),
            author: names.of(&ch.actor),
            c: ch,
        })
        .collect();
    let (diary, paging, hidden) = diary_section(state, ctx, &a, diary_page).await?;
    let show_glass = a.assigned || ctx.role == Role::Responsabile;
    let glass = if show_glass {
        state
            .store
            .case_break_glass(org, c.id)
            .await?
            .into_iter()
            .map(|b| GlassView {
                at: format_date_time(instant(b.at_us)),
                b,
            })
            .collect()
    } else {
        Vec::new()
    };
    let can_manage_team =
        c.worker_id == ctx.user.id || ctx.can(Action::CaseFileWrite, RecordScope::SameOrg);
    let candidates = if can_manage_team {
        workers(state, ctx)
            .await?
            .into_iter()
            .filter(|(id, _)| *id != c.worker_id && !team.iter().any(|t| t.user_id == *id))
            .collect()
    } else {
        Vec::new()
    };
    let now = today(ctx.now);
    let around = surroundings(state, org, p.id, now).await?;
    let documents = visible_documents(state, ctx, &a)
        .await?
        .into_iter()
        .map(|d| {
            let at = format_date_time(instant(d.at_us));
            let size = format!("{} kB", (d.size_bytes + 1023) / 1024);
            (d, at, size)
        })
        .collect();
    let l = Layout::page(ctx, jar, &format!("Cartella n. {}", c.number), "/cartelle")
        .crumb("/cartelle", "Cartelle sociali")
        .crumb(
            &format!("/cartelle/{}", c.id),
            &format!("Cartella n. {}", c.number),
        )
        .with_errors(FormErrors(errors));
    let apps = super::applications::person_applications(state, ctx, &p).await?;
    let siuss_notes = super::siuss_notes::notes(
        state,
        c.org_id,
        app::siuss_exchange::Subject::CaseFile(c.id),
    )
    .await;
    Ok(CasePage {
        l,
        siuss_notes,
        apps,
        worker_name,
        team,
        history,
        diary,
        diary_page: paging,
        hidden,
        glass,
        show_glass,
        via_break_glass: a.via_break_glass,
        can_write: ctx.can(Action::CaseFileWrite, a.scope) && c.state != CaseState::Closed,
        can_break_glass: hidden > 0 && ctx.can(Action::BreakGlass, a.scope),
        can_manage_team: can_manage_team && c.state != CaseState::Closed,
        next: casework::next_states(c.state).to_vec(),
        can_close: casework::next_states(c.state).contains(&CaseState::Closed),
        close_reasons: CloseReason::ALL,
        diary_kinds: DiaryKind::ALL,
        confidentialities: Confidentiality::ALL,
        candidates,
        household: around.household,
        network: around.network,
        accesses: around.accesses,
        documents,
        opened_on: format_date(c.opened_on),
        state_since: format_date(c.state_since),
        today: format_date(now),
        diary_form,
        can_write_state: ctx.can(Action::CaseFileWrite, a.scope),
        c,
        p,
    })
}

async fn add_diary(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<DiaryForm>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    a.write_access(&ctx)?;
    let input = DiaryInput {
        kind: f.kind.clone(),
        date: f.date.clone(),
        confidentiality: f.confidentiality.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
    };
    let data = match casework::parse_diary(&input, a.case.opened_on, today(ctx.now)) {
        Ok(d) => d,
        Err(errors) => {
            let page = case_page(&state, &ctx, &jar, a, 1, f, errors).await?;
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    app::casefile::add_diary_entry(&state.services, &ctx, &a, data).await?;
    let jar = flash(jar, "success", "Annotazione registrata.");
    Ok((
        jar,
        Redirect::to(&format!("/cartelle/{}#diario", a.case.id)),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct StateForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    close_reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: i64,
}

async fn change_state(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    ctx.authorize(Action::CaseFileWrite, a.scope)?;
    let back = format!("/cartelle/{}", a.case.id);
    if f.version != a.case.version {
        return conflict_or(StoreError::Conflict, jar, &back);
    }
    let input = TransitionInput {
        to: f.to,
        date: f.date,
        close_reason: f.close_reason,
        note: f.note,
    };
    let t = match a.case.parse_transition(&input, today(ctx.now)) {
        Ok(t) => t,
        Err(errors) => return Ok(refuse(jar, &back, &errors)),
    };
    match app::casefile::change_state(&state, &ctx, &a, &t).await {
        Ok(case) => {
            let jar = flash(jar, "success", &format!("Cartella {}.", case.state.label()));
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(app::Error::Conflict) => conflict_or(StoreError::Conflict, jar, &back),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct GlassForm {
    #[serde(default)]
    reason: String,
}

async fn break_glass(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<GlassForm>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    ctx.authorize(Action::BreakGlass, a.scope)?;
    let back = format!("/cartelle/{}", a.case.id);
    if a.confidential_window() == Some(0) {
        return Ok((jar, Redirect::to(&back)).into_response());
    }
    let reason = match casework::parse_break_glass_reason(&f.reason) {
        Ok(r) => r,
        Err(e) => return Ok(refuse(jar, &back, &[e])),
    };
    let at_us = unix_micros(ctx.now);
    let b = BreakGlass {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: a.case.id,
        user_id: ctx.user.id,
        actor: ctx.user.login.to_string(),
        reason: reason.clone(),
        at_us,
        expires_at_us: at_us + BREAK_GLASS_MINUTES * 60 * 1_000_000,
    };
    let mut audit = ctx.audit(
        "casefile.breakglass",
        "case_file",
        Some(a.case.id),
        format!(
            "Accesso straordinario alle annotazioni riservate della cartella n. {}",
            a.case.number
        ),
    );
    audit.reason = Some(reason);
    state.store.record_break_glass(&b, &audit).await?;
    let jar = flash(
        jar,
        "warning",
        &format!(
            "Accesso straordinario registrato per {BREAK_GLASS_MINUTES} minuti: il motivo è visibile agli assistenti sociali della cartella."
        ),
    );
    Ok((jar, Redirect::to(&format!("{back}#diario"))).into_response())
}

#[derive(Deserialize, Default)]
struct MemberForm {
    #[serde(default)]
    user: String,
    /// Required when the user adds themself: an access to the file, logged with its reason.
    #[serde(default)]
    reason: String,
}

/// A worker who gives themself a case file (team or responsibility) gains its content:
/// that is an access, and its reason is logged like a break-glass one. `None` when the
/// assignee is someone else.
fn self_assignment_reason(
    ctx: &Ctx,
    assignee: Uuid,
    raw_reason: &str,
) -> Result<Option<String>, FieldError> {
    if assignee != ctx.user.id {
        return Ok(None);
    }
    casework::parse_break_glass_reason(raw_reason).map(Some)
}

async fn team_access(state: &AppState, ctx: &Ctx, id: &str) -> Result<CaseAccess, AppError> {
    let a = case_access(state, ctx, parse_id(id)?).await?;
    a.write_access(ctx)?;
    if a.case.worker_id != ctx.user.id {
        ctx.authorize(Action::CaseFileWrite, RecordScope::SameOrg)?;
    }
    Ok(a)
}

async fn add_member(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Result<Response, AppError> {
    let a = team_access(&state, &ctx, &id).await?;
    let back = format!("/cartelle/{}", a.case.id);
    let workers = workers(&state, &ctx).await?;
    let Some((user, name)) = Uuid::parse_str(f.user.trim())
        .ok()
        .and_then(|u| workers.into_iter().find(|(id, _)| *id == u))
    else {
        return Ok(refuse(
            jar,
            &back,
            &[FieldError::new(
                "user",
                "scegliere un operatore dall'elenco",
            )],
        ));
    };
    if user == a.case.worker_id {
        return Ok((jar, Redirect::to(&back)).into_response());
    }
    let reason = match self_assignment_reason(&ctx, user, &f.reason) {
        Ok(r) => r,
        Err(e) => return Ok(refuse(jar, &back, &[e])),
    };
    let mut audit = ctx.audit(
        if reason.is_some() {
            "casefile.team.add_self"
        } else {
            "casefile.team.add"
        },
        "case_file",
        Some(a.case.id),
        format!("{name} nell'équipe della cartella n. {}", a.case.number),
    );
    audit.reason = reason;
    match state
        .store
        .add_team_member(ctx.org.id, a.case.id, user, unix_micros(ctx.now), &audit)
        .await
    {
        Ok(()) | Err(StoreError::Duplicate(_)) => {
            let jar = flash(jar, "success", &format!("{name} aggiunto all'équipe."));
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_member(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, user)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let a = team_access(&state, &ctx, &id).await?;
    let user = parse_id(&user)?;
    let name = state.store.get_user(user).await?.full_name;
    let audit = ctx.audit(
        "casefile.team.remove",
        "case_file",
        Some(a.case.id),
        format!(
            "{name} tolto dall'équipe della cartella n. {}",
            a.case.number
        ),
    );
    state
        .store
        .remove_team_member(ctx.org.id, a.case.id, user, &audit)
        .await?;
    let jar = flash(jar, "success", &format!("{name} tolto dall'équipe."));
    Ok((jar, Redirect::to(&format!("/cartelle/{}", a.case.id))).into_response())
}

const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    stato: String,
    #[serde(default)]
    tutte: String,
    #[serde(default)]
    pagina: Option<i64>,
}

struct ListRow {
    v: CaseFileView,
    since: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ListRow>,
    states: &'static [CaseState],
    stato: String,
    all: bool,
    page: i64,
    more: bool,
    can_caseload: bool,
}

async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::CaseFileRead, RecordScope::SameOrg)?;
    let all = !q.tutte.is_empty();
    let page = q.pagina.unwrap_or(1).clamp(1, 1000);
    let st = CaseState::parse(&q.stato);
    let mut rows = state
        .store
        .list_case_files(
            ctx.org.id,
            &CaseFilter {
                worker_id: (!all).then_some(ctx.user.id),
                state: st,
                limit: PAGE + 1,
                offset: (page - 1) * PAGE,
            },
        )
        .await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let page_view = ListPage {
        l: Layout::page(&ctx, &jar, "Cartelle sociali", "/cartelle")
            .crumb("/cartelle", "Cartelle sociali"),
        rows: rows
            .into_iter()
            .map(|v| ListRow {
                since: format_date(v.case.state_since),
                v,
            })
            .collect(),
        states: CaseState::ALL,
        stato: st.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        all,
        page,
        more,
        can_caseload: ctx.can(Action::CaseFileWrite, RecordScope::SameOrg),
    };
    Ok(render_page(jar, &page_view, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "caseload.html")]
struct CaseloadPage {
    l: Layout,
    rows: Vec<CaseloadRow>,
    from: Option<(Uuid, String)>,
    cases: Vec<CaseFileView>,
    workers: Vec<(Uuid, String)>,
}

#[derive(Deserialize, Default)]
struct CaseloadQuery {
    #[serde(default)]
    operatore: String,
}

async fn caseload(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<CaseloadQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::CaseFileWrite, RecordScope::SameOrg)?;
    let rows = state.store.caseload(ctx.org.id, today(ctx.now)).await?;
    let from = Uuid::parse_str(&q.operatore)
        .ok()
        .and_then(|id| rows.iter().find(|r| r.worker_id == id))
        .map(|r| (r.worker_id, r.full_name.clone()));
    let cases = match &from {
        Some((id, _)) => state
            .store
            .list_case_files(
                ctx.org.id,
                &CaseFilter {
                    worker_id: Some(*id),
                    state: None,
                    limit: 10_000,
                    offset: 0,
                },
            )
            .await?
            .into_iter()
            .filter(|v| v.case.worker_id == *id && v.case.state != CaseState::Closed)
            .collect(),
        None => Vec::new(),
    };
    let page = CaseloadPage {
        l: Layout::page(&ctx, &jar, "Carichi di lavoro", "/cartelle")
            .crumb("/cartelle", "Cartelle sociali")
            .crumb("/cartelle/carico", "Carichi di lavoro"),
        rows,
        from,
        cases,
        workers: workers(&state, &ctx).await?,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn reassign(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    f: Pairs,
) -> Result<Response, AppError> {
    ctx.authorize(Action::CaseFileWrite, RecordScope::SameOrg)?;
    // Only an id goes back into the address.
    let back = match Uuid::parse_str(f.get("from").trim()) {
        Ok(from) => format!("/cartelle/carico?operatore={from}"),
        Err(_) => "/cartelle/carico".to_owned(),
    };
    let workers = workers(&state, &ctx).await?;
    let Some((to, name)) = Uuid::parse_str(f.get("to").trim())
        .ok()
        .and_then(|u| workers.into_iter().find(|(id, _)| *id == u))
    else {
        return Ok(refuse(
            jar,
            &back,
            &[FieldError::new(
                "to",
                "scegliere l'assistente sociale a cui assegnare le cartelle",
            )],
        ));
    };
    let mut ids = Vec::new();
    let mut numbers = Vec::new();
    for raw in f.all("case") {
        let id = parse_id(&raw)?;
        let c = state.store.get_case_file(ctx.org.id, id).await?;
        numbers.push(c.number);
        ids.push(id);
    }
    if ids.is_empty() {
        return Ok(refuse(
            jar,
            &back,
            &[FieldError::new("case", "scegliere almeno una cartella")],
        ));
    }
    let reason = match self_assignment_reason(&ctx, to, f.get("reason")) {
        Ok(r) => r,
        Err(e) => return Ok(refuse(jar, &back, &[e])),
    };
    let mut audit = ctx.audit(
        if reason.is_some() {
            "casefile.reassign_self"
        } else {
            "casefile.reassign"
        },
        "case_file",
        None,
        format!("Cartelle assegnate a {name}: n. {}", numbers.join(", ")),
    );
    audit.reason = reason;
    let n = state
        .store
        .reassign_case_files(ctx.org.id, &ids, to, unix_micros(ctx.now), &audit)
        .await?;
    let jar = flash(jar, "success", &format!("{n} cartelle assegnate a {name}."));
    Ok((jar, Redirect::to(&back)).into_response())
}
