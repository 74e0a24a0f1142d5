//! Appointments: each worker's week, booking an interview (no clashes), and its outcome,
//! which for an interview held goes straight into the case file's diary.

use super::cases::workers;
use super::dates::instant;
use super::forms::{Form, parse_id, url_encode};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::agenda::{appointment_access, record_outcome};
use app::casefile::case_access;
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
    self, AppointmentInput, AppointmentStatus, CaseState, Confidentiality, OutcomeInput,
};
use domain::dates::{DateError, OFFICE_DATES, format_date, read_date};
use domain::localtime::{Week, format_time, from_local, long_date, to_local, today};
use domain::{Action, FieldError, RecordScope};
use serde::Deserialize;
use store::{Appointment, AppointmentView, CaseFile, CaseStore, Person, PersonStore};
use time::{Duration, OffsetDateTime, Time};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agenda", get(week))
        .route("/agenda/nuovo", get(book_form).post(book_save))
        .route("/appuntamenti/{id}", get(show))
        .route("/appuntamenti/{id}/esito", post(outcome))
}

fn agenda_link(worker: Uuid, day: time::Date) -> String {
    format!(
        "/agenda?operatore={worker}&settimana={}",
        url_encode(&format_date(day))
    )
}

fn ends_at(a: &Appointment) -> OffsetDateTime {
    instant(a.starts_at_us).saturating_add(Duration::minutes(a.minutes))
}

/// One appointment as the pages show it.
struct Row {
    v: AppointmentView,
    day: String,
    from: String,
    to: String,
    status: &'static str,
}

impl Row {
    fn new(v: AppointmentView) -> Self {
        let start = instant(v.appointment.starts_at_us);
        Row {
            day: long_date(to_local(start).date()),
            from: format_time(start),
            to: format_time(ends_at(&v.appointment)),
            status: v.appointment.status.label(),
            v,
        }
    }

    fn booked(&self) -> bool {
        self.v.appointment.status == AppointmentStatus::Booked
    }
}

struct Day {
    label: String,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    #[serde(default)]
    operatore: String,
    #[serde(default)]
    settimana: String,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct WeekPage {
    l: Layout,
    workers: Vec<(Uuid, String)>,
    worker: String,
    worker_name: String,
    week: String,
    title: String,
    prev: String,
    next: String,
    this_week: String,
    days: Vec<Day>,
}

async fn week(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<WeekQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::AppointmentManage, RecordScope::SameOrg)?;
    let workers = workers(&state, &ctx).await?;
    let worker = match q.operatore.trim() {
        "" => ctx.user.id,
        raw => parse_id(raw)?,
    };
    let worker_name = match workers.iter().find(|(id, _)| *id == worker) {
        Some((_, name)) => name.clone(),
        None if worker == ctx.user.id => ctx.user.full_name.clone(),
        None => return Err(app::Error::NotFound.into()),
    };
    let now_day = today(ctx.now);
    let day = match q.settimana.trim() {
        "" => now_day,
        raw => read_date(raw, OFFICE_DATES)
            .map_err(|e| app::Error::BadRequest(format!("la settimana: {e}")))?,
    };
    let w = Week::holding(day).ok_or_else(|| {
        AppError::App(app::Error::BadRequest(format!(
            "la settimana: {}",
            DateError::OutOfSpan(OFFICE_DATES)
        )))
    })?;
    let monday = w.monday();
    let from = from_local(monday, Time::MIDNIGHT);
    let to = from_local(w.next, Time::MIDNIGHT);
    let list = state
        .store
        .worker_appointments(ctx.org.id, worker, unix_micros(from), unix_micros(to))
        .await?;
    let mut days: Vec<Day> = w
        .days
        .iter()
        .map(|d| Day {
            label: long_date(*d),
            rows: Vec::new(),
        })
        .collect();
    for v in list {
        let d = to_local(instant(v.appointment.starts_at_us)).date();
        let i = (d - monday).whole_days();
        if let Some(day) = usize::try_from(i).ok().and_then(|i| days.get_mut(i)) {
            day.rows.push(Row::new(v));
        }
    }
    let page = WeekPage {
        l: Layout::page(&ctx, &jar, "Agenda", "/agenda").crumb("/agenda", "Agenda"),
        worker: worker.to_string(),
        title: format!(
            "Settimana dal {} al {}",
            format_date(monday),
            format_date(w.sunday())
        ),
        week: format_date(monday),
        prev: agenda_link(worker, w.previous),
        next: agenda_link(worker, w.next),
        this_week: agenda_link(worker, now_day),
        workers,
        worker_name,
        days,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
struct BookQuery {
    #[serde(default)]
    persona: String,
    #[serde(default)]
    cartella: String,
}

#[derive(Deserialize, Default)]
struct BookForm {
    #[serde(default)]
    worker: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "appointment_form.html")]
struct BookPage {
    l: Layout,
    p: Person,
    case: Option<CaseFile>,
    action: String,
    workers: Vec<(Uuid, String)>,
    f: BookForm,
}

/// The person to book for and, when given, their case file (which must be theirs).
struct BookingAccess {
    person: Person,
    case: Option<CaseFile>,
}

async fn booking_access(
    state: &AppState,
    ctx: &Ctx,
    q: &BookQuery,
) -> Result<BookingAccess, AppError> {
    ctx.authorize(Action::AppointmentManage, RecordScope::SameOrg)?;
    if q.persona.trim().is_empty() {
        return Err(app::Error::BadRequest(
            "indicare la persona: prenota l'appuntamento dalla sua scheda".into(),
        )
        .into());
    }
    let p = state
        .store
        .get_person(ctx.org.id, parse_id(q.persona.trim())?)
        .await?;
    if p.merged_into.is_some() {
        return Err(app::Error::BadRequest(
            "la scheda è stata unita a un'altra: prenota su quella".into(),
        )
        .into());
    }
    refuse_if_deceased(&p, "fissarle un appuntamento")?;
    let case = match q.cartella.trim() {
        "" => None,
        raw => {
            let c = state
                .store
                .get_case_file(ctx.org.id, parse_id(raw)?)
                .await?;
            if c.person_id != p.id {
                return Err(app::Error::BadRequest(
                    "la cartella indicata non è della persona".into(),
                )
                .into());
            }
            Some(c)
        }
    };
    Ok(BookingAccess { person: p, case })
}

fn book_layout(ctx: &Ctx, jar: &CookieJar, p: &Person) -> Layout {
    Layout::page(ctx, jar, "Nuovo appuntamento", "/agenda")
        .crumb("/agenda", "Agenda")
        .crumb(&format!("/persone/{}", p.id), &p.data.full_name())
}

fn book_action(p: &Person, case: &Option<CaseFile>) -> String {
    match case {
        Some(c) => format!("/agenda/nuovo?persona={}&cartella={}", p.id, c.id),
        None => format!("/agenda/nuovo?persona={}", p.id),
    }
}

async fn book_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<BookQuery>,
) -> Result<Response, AppError> {
    let BookingAccess { person: p, case } = booking_access(&state, &ctx, &q).await?;
    let workers = workers(&state, &ctx).await?;
    let worker = if workers.iter().any(|(id, _)| *id == ctx.user.id) {
        ctx.user.id.to_string()
    } else {
        case.as_ref()
            .map(|c| c.worker_id.to_string())
            .unwrap_or_default()
    };
    let f = BookForm {
        worker,
        minutes: "45".into(),
        email: p.data.email.clone().unwrap_or_default(),
        ..BookForm::default()
    };
    let page = BookPage {
        l: book_layout(&ctx, &jar, &p),
        action: book_action(&p, &case),
        workers,
        f,
        case,
        p,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn book_save(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<BookQuery>,
    Form(f): Form<BookForm>,
) -> Result<Response, AppError> {
    let BookingAccess { person: p, case } = booking_access(&state, &ctx, &q).await?;
    let workers = workers(&state, &ctx).await?;
    let mut errors = Vec::new();
    let worker = Uuid::parse_str(f.worker.trim())
        .ok()
        .filter(|w| workers.iter().any(|(id, _)| id == w));
    if worker.is_none() {
        errors.push(FieldError::new(
            "worker",
            "scegliere l'operatore dall'elenco",
        ));
    }
    let input = AppointmentInput {
        date: f.date.clone(),
        time: f.time.clone(),
        minutes: f.minutes.clone(),
        place: f.place.clone(),
        purpose: f.purpose.clone(),
        email: f.email.clone(),
    };
    let data = match casework::parse_appointment(&input, ctx.now) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    if let (Some(w), Some(d)) = (worker, &data) {
        let (start, end) = (d.starts_at, d.ends_at);
        // No appointment lasts more than 8 hours: earlier ones cannot reach this one.
        let around = state
            .store
            .worker_appointments(
                ctx.org.id,
                w,
                unix_micros(start.saturating_sub(Duration::hours(8))),
                unix_micros(end),
            )
            .await?;
        if let Some(other) = around.iter().map(|v| &v.appointment).find(|a| {
            a.status == AppointmentStatus::Booked
                && instant(a.starts_at_us) < end
                && ends_at(a) > start
        }) {
            errors.push(FieldError::new(
                "time",
                format!(
                    "l'operatore ha già un appuntamento dalle {} alle {}",
                    format_time(instant(other.starts_at_us)),
                    format_time(ends_at(other))
                ),
            ));
        }
    }
    let (Some(worker), Some(data), true) = (worker, data, errors.is_empty()) else {
        let page = BookPage {
            l: book_layout(&ctx, &jar, &p).with_errors(FormErrors(errors)),
            action: book_action(&p, &case),
            workers,
            f,
            case,
            p,
        };
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let at_us = unix_micros(ctx.now);
    let a = Appointment {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        worker_id: worker,
        person_id: p.id,
        case_file_id: case.as_ref().map(|c| c.id),
        starts_at_us: unix_micros(data.starts_at),
        minutes: i64::from(data.minutes),
        place: data.place,
        purpose: data.purpose,
        email: data.email,
        status: AppointmentStatus::Booked,
        reminder_sent_at_us: None,
        diary_entry_id: None,
        actor: ctx.user.login.to_string(),
        at_us,
        version: 1,
    };
    let worker_name = workers
        .iter()
        .find(|(id, _)| *id == worker)
        .map(|(_, n)| n.as_str())
        .unwrap_or_default();
    let audit = ctx.audit(
        "appointment.book",
        "appointment",
        Some(a.id),
        format!(
            "Appuntamento di {} con {} il {} ({} minuti)",
            p.data.full_name(),
            worker_name,
            domain::localtime::format_date_time(data.starts_at),
            a.minutes
        ),
    );
    state.store.book_appointment(&a, &audit).await?;
    let jar = flash(jar, "success", "Appuntamento fissato.");
    let to = agenda_link(worker, to_local(data.starts_at).date());
    Ok((jar, Redirect::to(&to)).into_response())
}

#[derive(Deserialize, Default)]
struct OutcomeForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    version: i64,
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct ShowPage {
    l: Layout,
    r: Row,
    agenda: String,
    /// The outcome may carry a diary entry into this case file.
    can_write_case: bool,
    outcomes: Vec<AppointmentStatus>,
    confidentialities: &'static [Confidentiality],
    f: OutcomeForm,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    v: AppointmentView,
    f: OutcomeForm,
    errors: Vec<FieldError>,
) -> Result<ShowPage, AppError> {
    let can_write_case = match v.appointment.case_file_id {
        Some(c) => match case_access(state, ctx, c).await {
            Ok(a) => ctx.can(Action::CaseFileWrite, a.scope) && a.case.state != CaseState::Closed,
            Err(app::Error::Forbidden) => false,
            Err(e) => return Err(e.into()),
        },
        None => false,
    };
    let r = Row::new(v);
    let agenda = agenda_link(
        r.v.appointment.worker_id,
        to_local(instant(r.v.appointment.starts_at_us)).date(),
    );
    Ok(ShowPage {
        l: Layout::page(ctx, jar, "Appuntamento", "/agenda")
            .crumb(&agenda, "Agenda")
            .crumb(
                &format!("/appuntamenti/{}", r.v.appointment.id),
                "Appuntamento",
            )
            .with_errors(FormErrors(errors)),
        agenda,
        can_write_case,
        outcomes: vec![
            AppointmentStatus::Held,
            AppointmentStatus::NoShow,
            AppointmentStatus::Cancelled,
        ],
        confidentialities: Confidentiality::ALL,
        f,
        r,
    })
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = appointment_access(&state, &ctx, parse_id(&id)?).await?.view;
    let f = OutcomeForm {
        title: format!("Colloquio: {}", v.appointment.purpose),
        confidentiality: Confidentiality::Normal.as_str().into(),
        version: v.appointment.version,
        ..OutcomeForm::default()
    };
    let page = show_page(&state, &ctx, &jar, v, f, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn outcome(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let access = appointment_access(&state, &ctx, parse_id(&id)?).await?;
    let back = format!("/appuntamenti/{}", access.view.appointment.id);
    let typed = OutcomeInput {
        status: f.status.clone(),
        confidentiality: f.confidentiality.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
    };
    match record_outcome(&state, &ctx, &access, f.version, &typed).await {
        Ok(Ok(recorded)) => {
            let text = if recorded.in_diary {
                "Esito registrato; il colloquio è nel diario della cartella."
            } else {
                "Esito registrato."
            };
            let jar = flash(jar, "success", text);
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Ok(Err(errors)) => {
            let page = show_page(&state, &ctx, &jar, access.view, f, errors).await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(app::Error::Conflict) => {
            let jar = flash(
                jar,
                "danger",
                "Qualcun altro ha appena cambiato l'appuntamento: controlla e ripeti l'operazione.",
            );
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
