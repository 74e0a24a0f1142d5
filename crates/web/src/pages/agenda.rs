//! Appointments: each worker's week as a grid of half hours with the free ones and the
//! public holidays, booking an interview (no clashes), moving and cancelling it (the person
//! is told by e-mail), and its outcome, which for an interview held goes straight into the
//! person's case-file diary, and its corrections.

use super::cases::workers;
use super::dates::instant;
use super::forms::{Form, parse_id};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use crate::paths::url_encode;
use app::agenda::{
    AppointmentAccess, appointment_access, cancel_appointment, clash, clash_error, ends_at,
    move_appointment, notice, record_outcome,
};
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
use domain::holidays::holiday;
use domain::localtime::{
    Week, format_date_time, format_time, from_local, is_weekend, long_date, to_local, today,
};
use domain::{Action, FieldError, RecordScope};
use serde::Deserialize;
use store::{
    Appointment, AppointmentChange, AppointmentView, CaseFile, CaseStore, Person, PersonStore,
};
use time::{Duration, OffsetDateTime, Time};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agenda", get(week))
        .route("/agenda/nuovo", get(book_form).post(book_save))
        .route("/appuntamenti/{id}", get(show))
        .route("/appuntamenti/{id}/esito", post(outcome))
        .route("/appuntamenti/{id}/sposta", post(move_to))
        .route("/appuntamenti/{id}/annulla", post(cancel))
}

fn agenda_link(worker: Uuid, day: time::Date) -> String {
    format!(
        "/agenda?operatore={worker}&settimana={}",
        url_encode(&format_date(day))
    )
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

/// A day of the week grid: its heading and, on a public holiday, the holiday's name.
struct Day {
    label: String,
    holiday: Option<&'static str>,
}

/// One day's half hour in the week grid.
struct Cell {
    /// The appointments that start in it.
    rows: Vec<Row>,
    /// Bookable: a working day that is no holiday, not past, and nobody booked over it.
    free: bool,
}

/// A half hour of the week grid: the table's row, one cell a day.
struct Slot {
    label: String,
    cells: Vec<Cell>,
}

/// The grid's half hours: the office's day, 8:00 to 18:00, stretched to hold every
/// appointment of the week.
const SLOT_MINUTES: i64 = 30;
const OFFICE_OPENS: i64 = 8 * 60;
const OFFICE_CLOSES: i64 = 18 * 60;

fn minute_of_day(at: OffsetDateTime) -> i64 {
    let t = to_local(at).time();
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

fn week_grid(days: &[time::Date; 7], list: Vec<AppointmentView>, now: OffsetDateTime) -> Vec<Slot> {
    let floor = |m: i64| m - m % SLOT_MINUTES;
    let starts = list
        .iter()
        .map(|v| floor(minute_of_day(v.appointment.starts_at())));
    let first = starts.clone().fold(OFFICE_OPENS, i64::min);
    let last = starts
        .map(|m| m + SLOT_MINUTES)
        .fold(OFFICE_CLOSES, i64::max);
    let booked: Vec<&Appointment> = list
        .iter()
        .map(|v| &v.appointment)
        .filter(|a| a.status == AppointmentStatus::Booked)
        .collect();
    let free = |d: time::Date, m: i64| {
        let Ok(t) = Time::from_hms((m / 60) as u8, (m % 60) as u8, 0) else {
            return false;
        };
        let start = from_local(d, t);
        let end = start.saturating_add(Duration::minutes(SLOT_MINUTES));
        !is_weekend(d)
            && holiday(d).is_none()
            && start >= now
            && !booked
                .iter()
                .any(|a| a.starts_at() < end && ends_at(a) > start)
    };
    let mut slots: Vec<Slot> = (first..last)
        .step_by(SLOT_MINUTES as usize)
        .map(|m| Slot {
            label: format!("{:02}:{:02}", m / 60, m % 60),
            cells: days
                .iter()
                .map(|d| Cell {
                    rows: Vec::new(),
                    free: free(*d, m),
                })
                .collect(),
        })
        .collect();
    for v in list {
        let start = v.appointment.starts_at();
        let day = days.iter().position(|d| *d == to_local(start).date());
        let slot = usize::try_from((floor(minute_of_day(start)) - first) / SLOT_MINUTES).ok();
        if let Some(cell) = day
            .zip(slot)
            .and_then(|(d, s)| slots.get_mut(s).and_then(|s| s.cells.get_mut(d)))
        {
            cell.rows.push(Row::new(v));
        }
    }
    slots
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
    slots: Vec<Slot>,
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
    let days = w
        .days
        .iter()
        .map(|d| Day {
            label: long_date(*d),
            holiday: holiday(*d),
        })
        .collect();
    let slots = week_grid(&w.days, list, ctx.now);
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
        slots,
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
    if let (Some(w), Some(d)) = (worker, &data)
        && let Some(other) = clash(&state, &ctx, w, (d.starts_at, d.ends_at), None).await?
    {
        errors.push(clash_error(&other));
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
    let worker_name = workers
        .iter()
        .find(|(id, _)| *id == worker)
        .map(|(_, n)| n.as_str())
        .unwrap_or_default();
    let starts_at = data.starts_at;
    app::agenda::book_appointment(
        &state.services,
        &ctx,
        &p,
        (worker, worker_name),
        case.as_ref().map(|c| c.id),
        data,
    )
    .await?;
    let jar = flash(jar, "success", "Appuntamento fissato.");
    let to = agenda_link(worker, to_local(starts_at).date());
    Ok((jar, Redirect::to(&to)).into_response())
}

#[derive(Deserialize, Default)]
struct OutcomeForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    version: i64,
}

#[derive(Deserialize, Default)]
struct MoveForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    version: i64,
}

#[derive(Deserialize, Default)]
struct CancelForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: i64,
}

/// The forms of the appointment page, as typed (or as first shown).
#[derive(Default)]
struct Forms {
    outcome: OutcomeForm,
    moved: MoveForm,
    cancel: CancelForm,
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct ShowPage {
    l: Layout,
    /// Who changed the appointment, by name.
    names: super::names::Names,
    r: Row,
    agenda: String,
    /// The person's case file: the one it was booked on, or else theirs.
    case_file: Option<Uuid>,
    /// An interview held goes into that case file's diary, written by this user.
    can_write_case: bool,
    /// It has begun: it takes an outcome.
    started: bool,
    outcomes: [AppointmentStatus; 2],
    confidentialities: &'static [Confidentiality],
    f: Forms,
    /// The history: when, and what.
    changes: Vec<(String, AppointmentChange)>,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    v: AppointmentView,
    f: Forms,
    errors: Vec<FieldError>,
) -> Result<ShowPage, AppError> {
    let a = &v.appointment;
    let case_file = match a.case_file_id {
        Some(c) => Some(c),
        None => state
            .store
            .person_case_file(ctx.org.id, a.person_id)
            .await?
            .map(|c| c.id),
    };
    let can_write_case = match case_file {
        Some(c) if a.diary_entry_id.is_none() => match case_access(state, ctx, c).await {
            Ok(a) => ctx.can(Action::CaseFileWrite, a.scope) && a.case.state != CaseState::Closed,
            Err(app::Error::Forbidden) => false,
            Err(e) => return Err(e.into()),
        },
        _ => false,
    };
    let changes = state
        .store
        .appointment_changes(ctx.org.id, a.id)
        .await?
        .into_iter()
        .map(|c| (format_date_time(instant(c.at_us)), c))
        .collect();
    let started = a.started(ctx.now);
    let r = Row::new(v);
    let agenda = agenda_link(
        r.v.appointment.worker_id,
        to_local(r.v.appointment.starts_at()).date(),
    );
    let names = super::names::Names::of_org(state, ctx.org.id).await?;
    Ok(ShowPage {
        names,
        l: Layout::page(ctx, jar, "Appuntamento", "/agenda")
            .crumb(&agenda, "Agenda")
            .crumb(
                &format!("/appuntamenti/{}", r.v.appointment.id),
                "Appuntamento",
            )
            .with_errors(FormErrors(errors)),
        agenda,
        case_file,
        can_write_case,
        started,
        outcomes: [AppointmentStatus::Held, AppointmentStatus::NoShow],
        confidentialities: Confidentiality::ALL,
        f,
        changes,
        r,
    })
}

/// The forms as first shown for `a`.
fn fresh_forms(a: &Appointment) -> Forms {
    let start = to_local(a.starts_at());
    Forms {
        outcome: OutcomeForm {
            title: format!("Colloquio: {}", a.purpose),
            confidentiality: Confidentiality::Normal.as_str().into(),
            version: a.version,
            ..OutcomeForm::default()
        },
        moved: MoveForm {
            date: format_date(start.date()),
            time: format_time(a.starts_at()),
            minutes: a.minutes.to_string(),
            place: a.place.clone(),
            version: a.version,
        },
        cancel: CancelForm {
            reason: String::new(),
            version: a.version,
        },
    }
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let v = appointment_access(&state, &ctx, parse_id(&id)?).await?.view;
    let f = fresh_forms(&v.appointment);
    let page = show_page(&state, &ctx, &jar, v, f, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The answer to a change of the appointment: back to its page with `done` said, the page
/// again with the form's errors (the other forms as first shown), or the news that someone
/// changed it meanwhile.
async fn answer<T>(
    state: &AppState,
    ctx: &Ctx,
    jar: CookieJar,
    access: AppointmentAccess,
    result: Result<Result<T, Vec<FieldError>>, app::Error>,
    typed: impl FnOnce(&mut Forms),
    done: impl FnOnce(T) -> String,
) -> Result<Response, AppError> {
    let back = format!("/appuntamenti/{}", access.view.appointment.id);
    match result {
        Ok(Ok(t)) => {
            let jar = flash(jar, "success", &done(t));
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Ok(Err(errors)) => {
            let mut f = fresh_forms(&access.view.appointment);
            typed(&mut f);
            let page = show_page(state, ctx, &jar, access.view, f, errors).await?;
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

async fn outcome(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let access = appointment_access(&state, &ctx, parse_id(&id)?).await?;
    let typed = OutcomeInput {
        status: f.status.clone(),
        reason: f.reason.clone(),
        confidentiality: f.confidentiality.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
    };
    let result = record_outcome(&state, &ctx, &access, f.version, &typed).await;
    answer(
        &state,
        &ctx,
        jar,
        access,
        result,
        |forms| forms.outcome = f,
        |recorded| {
            if recorded.in_diary {
                "Esito registrato; il colloquio è nel diario della cartella.".into()
            } else {
                "Esito registrato.".into()
            }
        },
    )
    .await
}

async fn move_to(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Result<Response, AppError> {
    let access = appointment_access(&state, &ctx, parse_id(&id)?).await?;
    let typed = AppointmentInput {
        date: f.date.clone(),
        time: f.time.clone(),
        minutes: f.minutes.clone(),
        place: f.place.clone(),
        ..AppointmentInput::default()
    };
    let result = move_appointment(&state, &ctx, &access, f.version, &typed).await;
    answer(
        &state,
        &ctx,
        jar,
        access,
        result,
        |forms| forms.moved = f,
        |mailed| format!("Appuntamento spostato. {}", notice(&mailed)),
    )
    .await
}

async fn cancel(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<CancelForm>,
) -> Result<Response, AppError> {
    let access = appointment_access(&state, &ctx, parse_id(&id)?).await?;
    let result = cancel_appointment(&state, &ctx, &access, f.version, &f.reason).await;
    answer(
        &state,
        &ctx,
        jar,
        access,
        result,
        |forms| forms.cancel = f,
        |mailed| format!("Appuntamento annullato. {}", notice(&mailed)),
    )
    .await
}
