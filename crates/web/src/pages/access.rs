//! Segretariato sociale: the first-access record (scheda di accesso) of whoever comes to the
//! office, phones or is referred, and the day's list.

use super::dates::instant;
use super::forms::{Pairs, parse_id};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::audit::unix_micros;
use domain::casework::{self, AccessChannel, AccessInput, AccessOutcome, Need, NeedArea};
use domain::localtime::{format_date_time, from_local, today};
use domain::{Action, RecordScope};
use store::{AccessRecord, AccessView, CaseStore, Person, PersonStore};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/segretariato", get(desk))
        .route("/persone/{id}/accesso", get(form).post(save))
        .route("/accessi/{id}", get(show))
}

struct DayRow {
    v: AccessView,
    at: String,
    needs: String,
}

#[derive(Template)]
#[template(path = "access_desk.html")]
struct DeskPage {
    l: Layout,
    rows: Vec<DayRow>,
}

fn needs_text(needs: &[Need]) -> String {
    needs
        .iter()
        .map(|n| n.label())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn desk(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    ctx.authorize(Action::AccessRecord, RecordScope::SameOrg)?;
    let since = unix_micros(from_local(today(ctx.now), time::Time::MIDNIGHT));
    let rows = state
        .store
        .recent_accesses(ctx.org.id, since, 200)
        .await?
        .into_iter()
        .map(|v| DayRow {
            at: format_date_time(instant(v.record.at_us)),
            needs: needs_text(&v.record.data.needs),
            v,
        })
        .collect();
    let page = DeskPage {
        l: Layout::page(&ctx, &jar, "Segretariato sociale", "/segretariato")
            .crumb("/segretariato", "Segretariato sociale"),
        rows,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "access_form.html")]
struct FormPage {
    l: Layout,
    p: Person,
    channels: &'static [AccessChannel],
    areas: Vec<(NeedArea, Vec<Need>)>,
    outcomes: &'static [AccessOutcome],
    i: AccessInput,
}

impl FormPage {
    fn checked(&self, n: &Need) -> bool {
        self.i.needs.iter().any(|x| x == n.as_str())
    }
}

fn areas() -> Vec<(NeedArea, Vec<Need>)> {
    NeedArea::ALL
        .iter()
        .map(|a| {
            (
                *a,
                Need::ALL
                    .iter()
                    .copied()
                    .filter(|n| n.area() == *a)
                    .collect(),
            )
        })
        .collect()
}

/// A person the user may record a first access (scheda di accesso) for.
struct IntakeAccess {
    person: Person,
}

/// `AccessRecord` on the person; a merged record sends to the one it was merged into.
async fn intake_access(state: &AppState, ctx: &Ctx, id: &str) -> Result<IntakeAccess, AppError> {
    let person = state.store.get_person(ctx.org.id, parse_id(id)?).await?;
    ctx.authorize(Action::AccessRecord, ctx.scope_of(person.org_id))?;
    if let Some(to) = person.merged_into {
        return Err(AppError::Redirect(format!("/persone/{to}/accesso")));
    }
    Ok(IntakeAccess { person })
}

fn form_layout(ctx: &Ctx, jar: &CookieJar, p: &Person) -> Layout {
    Layout::page(ctx, jar, "Nuovo accesso", "/segretariato")
        .crumb("/segretariato", "Segretariato sociale")
        .crumb(&format!("/persone/{}", p.id), &p.data.full_name())
        .crumb(&format!("/persone/{}/accesso", p.id), "Nuovo accesso")
}

async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let p = intake_access(&state, &ctx, &id).await?.person;
    let page = FormPage {
        l: form_layout(&ctx, &jar, &p),
        p,
        channels: AccessChannel::ALL,
        areas: areas(),
        outcomes: AccessOutcome::ALL,
        i: AccessInput {
            channel: AccessChannel::InPerson.as_str().into(),
            ..AccessInput::default()
        },
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn save(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, AppError> {
    let p = intake_access(&state, &ctx, &id).await?.person;
    let i = AccessInput {
        on_behalf_of: f.get("on_behalf_of").to_owned(),
        channel: f.get("channel").to_owned(),
        referral: f.get("referral").to_owned(),
        needs: f.all("needs"),
        request: f.get("request").to_owned(),
        information: f.get("information").to_owned(),
        outcome: f.get("outcome").to_owned(),
        follow_up: f.get("follow_up").to_owned(),
        follow_up_date: f.get("follow_up_date").to_owned(),
    };
    let data = match casework::parse_access(&i, today(ctx.now)) {
        Ok(d) => d,
        Err(errors) => {
            let page = FormPage {
                l: form_layout(&ctx, &jar, &p).with_errors(FormErrors(errors)),
                p,
                channels: AccessChannel::ALL,
                areas: areas(),
                outcomes: AccessOutcome::ALL,
                i,
            };
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let record = AccessRecord {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: p.id,
        data,
        case_file_id: None,
        actor_id: ctx.user.id,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "access.record",
        "access_record",
        Some(record.id),
        format!(
            "Accesso di {} ({}): {}",
            p.data.full_name(),
            record.data.channel.label(),
            record.data.outcome.label()
        ),
    );
    state.store.record_access(&record, &audit).await?;
    let can_take = ctx.can(Action::CaseFileWrite, RecordScope::Assigned);
    let (text, to) = match record.data.outcome {
        AccessOutcome::TakenInCharge if can_take => (
            "Accesso registrato: completa la presa in carico.",
            format!("/persone/{}/cartella?accesso={}", p.id, record.id),
        ),
        AccessOutcome::Appointment if ctx.can(Action::AppointmentManage, RecordScope::SameOrg) => (
            "Accesso registrato: fissa il colloquio.",
            format!("/agenda/nuovo?persona={}", p.id),
        ),
        _ => ("Accesso registrato.", "/segretariato".to_owned()),
    };
    let jar = flash(jar, "success", text);
    Ok((jar, Redirect::to(&to)).into_response())
}

#[derive(Template)]
#[template(path = "access.html")]
struct ShowPage {
    l: Layout,
    p: Person,
    r: AccessRecord,
    at: String,
    needs: String,
    follow_up_date: String,
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = state.store.get_access(ctx.org.id, parse_id(&id)?).await?;
    ctx.authorize(Action::AccessRecord, ctx.scope_of(r.org_id))?;
    let p = state.store.get_person(ctx.org.id, r.person_id).await?;
    state
        .reads
        .view(&ctx, app::read_log::Read::AccessRecord, r.id)
        .await;
    let at = format_date_time(instant(r.at_us));
    let page = ShowPage {
        l: Layout::page(&ctx, &jar, "Scheda di accesso", "/segretariato")
            .crumb("/segretariato", "Segretariato sociale")
            .crumb(&format!("/accessi/{}", r.id), &format!("Accesso del {at}")),
        needs: needs_text(&r.data.needs),
        follow_up_date: r
            .data
            .follow_up_date
            .map(domain::dates::format_date)
            .unwrap_or_default(),
        at,
        p,
        r,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}
