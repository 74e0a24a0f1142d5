//! Segretariato sociale: the first-access record (scheda di accesso) of whoever comes to the
//! office, phones or is referred, and the day's list.

use super::dates::{day_bound_us, instant, parse_date};
use super::forms::{Pairs, parse_id};
use super::render::{attachment, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::casework::{self, AccessChannel, AccessInput, AccessOutcome, Need, NeedArea};
use domain::dates::format_date;
use domain::localtime::{format_date_time, format_time, today};
use domain::{Action, RecordScope};
use serde::Deserialize;
use store::{
    AccessFilter, AccessRecord, AccessView, CaseStore, Member, Person, PersonStore, UserStore,
};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/segretariato", get(desk))
        .route("/segretariato/bisogni.csv", get(needs_csv))
        .route("/persone/{id}/accesso", get(form).post(save))
        .route("/accessi/{id}", get(show))
        .route("/accessi/{id}/seguito-fatto", post(follow_up_done))
}

/// The longest list of accesses a page shows; the counts by need take every access.
const LIST_LIMIT: i64 = 500;
/// The most follow-ups due a page shows.
const DUE_LIMIT: i64 = 200;

/// The list's filters as the query string carries them, so that a list can be bookmarked:
/// `dal` and `al` (gg/mm/aaaa, both today when empty), `operatore` (a login).
#[derive(Debug, Default, Deserialize)]
pub struct DeskQuery {
    #[serde(default)]
    dal: String,
    #[serde(default)]
    al: String,
    #[serde(default)]
    operatore: String,
}

/// The filters read: the period and the operator, or the errors naming the fields.
struct DeskFilter {
    from: Date,
    to: Date,
    operator: Option<Member>,
    members: Vec<Member>,
    errors: Vec<FieldError>,
}

impl DeskFilter {
    fn store(&self, limit: i64) -> AccessFilter {
        AccessFilter {
            from_us: day_bound_us(self.from, false),
            to_us: day_bound_us(self.to, true),
            actor_id: self.operator.as_ref().map(|m| m.user.id),
            limit,
        }
    }

    fn query_string(&self) -> String {
        let enc = crate::paths::url_encode;
        format!(
            "dal={}&al={}&operatore={}",
            enc(&format_date(self.from)),
            enc(&format_date(self.to)),
            enc(self.operator.as_ref().map_or("", |m| m.user.login.as_str()))
        )
    }
}

async fn desk_filter(state: &AppState, ctx: &Ctx, q: &DeskQuery) -> Result<DeskFilter, AppError> {
    ctx.authorize(Action::AccessRecord, RecordScope::SameOrg)?;
    let members = state.store.list_members(ctx.org.id).await?;
    let mut errors = Vec::new();
    let today = today(ctx.now);
    let from = parse_date("dal", &q.dal)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let to = parse_date("al", &q.al)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let (from, to) = match (from, to) {
        (None, None) => (today, today),
        (Some(f), None) => (f, today.max(f)),
        (None, Some(t)) => (t, t),
        (Some(f), Some(t)) => (f, t),
    };
    if to < from {
        errors.push(FieldError::new(
            "al",
            "la data finale viene prima di quella iniziale",
        ));
    }
    let login = q.operatore.trim();
    let operator = members
        .iter()
        .find(|m| m.user.login.as_str() == login)
        .cloned();
    if !login.is_empty() && operator.is_none() {
        errors.push(FieldError::new(
            "operatore",
            format!("«{login}» non è un operatore di questo ente"),
        ));
    }
    Ok(DeskFilter {
        from,
        to,
        operator,
        members,
        errors,
    })
}

struct AccessRow {
    v: AccessView,
    at: String,
    needs: String,
    follow_up_date: String,
    overdue: bool,
}

fn access_rows(views: Vec<AccessView>, today: Date) -> Vec<AccessRow> {
    views
        .into_iter()
        .map(|v| AccessRow {
            at: format_date_time(instant(v.record.at_us)),
            needs: needs_text(&v.record.data.needs),
            follow_up_date: v
                .record
                .data
                .follow_up_date
                .map(format_date)
                .unwrap_or_default(),
            overdue: v.record.follow_up_due()
                && v.record.data.follow_up_date.is_some_and(|d| d < today),
            v,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "access_desk.html")]
struct DeskPage {
    l: Layout,
    q: DeskQuery,
    members: Vec<Member>,
    /// «di oggi», «del 03/12/2026», «dal 01/12/2026 al 07/12/2026».
    period: String,
    /// «oggi», «il 03/12/2026», «dal 01/12/2026 al 07/12/2026».
    when: String,
    rows: Vec<AccessRow>,
    /// Whether the list stopped at [`LIST_LIMIT`].
    cut: bool,
    counts: Vec<(Need, i64)>,
    due: Vec<AccessRow>,
    query_string: String,
}

fn needs_text(needs: &[Need]) -> String {
    needs
        .iter()
        .map(|n| n.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The period in words, after a noun («Accessi di oggi») and after a verb («registrato oggi»).
fn period_text(from: Date, to: Date, today: Date) -> (String, String) {
    if from == to && from == today {
        ("di oggi".into(), "oggi".into())
    } else if from == to {
        (
            format!("del {}", format_date(from)),
            format!("il {}", format_date(from)),
        )
    } else {
        let both = format!("dal {} al {}", format_date(from), format_date(to));
        (both.clone(), both)
    }
}

async fn desk(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    let f = desk_filter(&state, &ctx, &q).await?;
    let today = today(ctx.now);
    let ok = f.errors.is_empty();
    let (rows, counts) = if ok {
        let filter = f.store(LIST_LIMIT + 1);
        (
            state.store.accesses(ctx.org.id, &filter).await?,
            state.store.access_need_counts(ctx.org.id, &filter).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let due = state
        .store
        .follow_ups_due(
            ctx.org.id,
            f.operator.as_ref().map(|m| m.user.id),
            DUE_LIMIT,
        )
        .await?;
    let cut = rows.len() > LIST_LIMIT as usize;
    let rows = rows.into_iter().take(LIST_LIMIT as usize).collect();
    let (period, when) = period_text(f.from, f.to, today);
    let page = DeskPage {
        l: Layout::page(&ctx, &jar, "Segretariato sociale", "/segretariato")
            .crumb("/segretariato", "Segretariato sociale")
            .with_errors(FormErrors(f.errors.clone())),
        period,
        when,
        rows: access_rows(rows, today),
        cut,
        counts,
        due: access_rows(due, today),
        query_string: f.query_string(),
        members: f.members,
        q,
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render_page(jar, &page, status))
}

/// The counts by need of the period, as CSV (bisogno, area, accessi).
async fn needs_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DeskQuery>,
) -> Result<Response, AppError> {
    let f = desk_filter(&state, &ctx, &q).await?;
    if let Some(e) = f.errors.first() {
        return Err(app::Error::BadRequest(e.to_string()).into());
    }
    let counts = state
        .store
        .access_need_counts(ctx.org.id, &f.store(LIST_LIMIT))
        .await?;
    let table = export::Table {
        sheet: "Bisogni espressi".into(),
        headers: ["bisogno", "area", "accessi"].map(String::from).to_vec(),
        rows: counts
            .into_iter()
            .map(|(n, c)| {
                vec![
                    n.label().into(),
                    n.area().label().into(),
                    export::Cell::Int(c),
                ]
            })
            .collect(),
    };
    let name = format!(
        "bisogni-{}-{}.csv",
        f.from.format(DAY_IN_NAME).unwrap_or_default(),
        f.to.format(DAY_IN_NAME).unwrap_or_default()
    );
    Ok(attachment(
        "text/csv; charset=utf-8",
        &name,
        export::to_csv(&table),
    ))
}

const DAY_IN_NAME: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

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
            date: format_date(today(ctx.now)),
            time: format_time(ctx.now),
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
        date: f.get("date").to_owned(),
        time: f.get("time").to_owned(),
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
    let entry = match casework::parse_access(&i, ctx.now, p.data.birth_date) {
        Ok(e) => e,
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
    let record = app::intake::record_access(&state.services, &ctx, &p, entry).await?;
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
    /// When the record was typed, if on another day or hour than the access.
    recorded: Option<String>,
    needs: String,
    follow_up_date: String,
    follow_up_done: Option<String>,
    author: String,
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
    let author = state.store.get_user(r.actor_id).await?.full_name;
    let at = format_date_time(instant(r.at_us));
    let recorded = Some(format_date_time(instant(r.recorded_at_us))).filter(|t| *t != at);
    let page = ShowPage {
        l: Layout::page(&ctx, &jar, "Scheda di accesso", "/segretariato")
            .crumb("/segretariato", "Segretariato sociale")
            .crumb(&format!("/accessi/{}", r.id), &format!("Accesso del {at}")),
        needs: needs_text(&r.data.needs),
        follow_up_date: r.data.follow_up_date.map(format_date).unwrap_or_default(),
        follow_up_done: r
            .follow_up_done
            .as_ref()
            .map(|(at_us, by)| format!("fatto il {} da {by}", format_date_time(instant(*at_us)))),
        author,
        recorded,
        at,
        p,
        r,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// Marks an access's follow-up done, back to where the button was (the desk's list or the
/// access's page).
async fn follow_up_done(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    f: Pairs,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let r = app::intake::close_follow_up(&state.services, &ctx, id, &ctx.user.full_name).await?;
    let p = state.store.get_person(ctx.org.id, r.person_id).await?;
    let back = crate::paths::safe_local_path(f.get("back"))
        .filter(|b| b.starts_with("/segretariato") || b.starts_with("/accessi/"))
        .map_or_else(|| format!("/accessi/{}", r.id), str::to_owned);
    let jar = flash(
        jar,
        "success",
        &format!(
            "Il seguito dell'accesso di {} è segnato come fatto.",
            p.data.full_name()
        ),
    );
    Ok((jar, Redirect::to(&back)).into_response())
}
