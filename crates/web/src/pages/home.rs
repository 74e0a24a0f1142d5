//! The operator's desk: where they are, what they may open.

use super::dates::instant;
use super::kept;
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::dates::format_date;
use domain::localtime::{format_date_time, format_time, from_local, today};
use domain::policy::{Action, RecordScope};
use store::{BenefitStore, CaseFilter, CaseStore, OrgComune, OrgStore, WorklistCounts};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    kind: &'static str,
    comuni: Vec<OrgComune>,
    links: Vec<(&'static str, &'static str, &'static str)>,
    work: Option<Work>,
    /// The worklists' sizes, for whoever handles applications.
    applications: Option<WorklistCounts>,
}

/// A social worker's day: their case files, plan reviews due, today's interviews, registry
/// events on their files, and break-glass accesses to them.
struct Work {
    cases: Vec<(uuid::Uuid, String, String, &'static str)>,
    reviews: Vec<(uuid::Uuid, String, String, String, bool)>,
    appointments: Vec<(uuid::Uuid, String, String, String, &'static str)>,
    events: Vec<(uuid::Uuid, String, String, String)>,
    glass: Vec<(uuid::Uuid, String, String, String, String)>,
}

async fn work(state: &AppState, ctx: &Ctx) -> Result<Work, AppError> {
    let org = ctx.org.id;
    let me = ctx.user.id;
    let day = today(ctx.now);
    let cases = state
        .store
        .list_case_files(
            org,
            &CaseFilter {
                worker_id: Some(me),
                state: None,
                limit: 200,
                offset: 0,
            },
        )
        .await?
        .into_iter()
        .filter(|v| v.case.state != domain::casework::CaseState::Closed)
        .map(|v| {
            (
                v.case.id,
                v.case.number,
                format!("{} {}", v.surname, v.given_names),
                v.case.state.label(),
            )
        })
        .collect();
    let horizon = day + time::Duration::days(14);
    let reviews = state
        .store
        .reviews_due(org, Some(me), horizon)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.plan_id,
                r.case_number,
                format!("{} {}", r.surname, r.given_names),
                format_date(r.next_review),
                r.next_review < day,
            )
        })
        .collect();
    let from = domain::audit::unix_micros(from_local(day, time::Time::MIDNIGHT));
    let to = domain::audit::unix_micros(from_local(
        day.next_day().unwrap_or(day),
        time::Time::MIDNIGHT,
    ));
    let appointments = state
        .store
        .worker_appointments(org, me, from, to)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.appointment.id,
                format_time(instant(a.appointment.starts_at_us)),
                format!("{} {}", a.surname, a.given_names),
                a.appointment.purpose,
                a.appointment.status.label(),
            )
        })
        .collect();
    let events = state
        .store
        .registry_events_on_my_cases(org, me, 50)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.person_id,
                format_date(e.event_date),
                format!("{} {}", e.surname, e.given_names),
                e.summary,
            )
        })
        .collect();
    let since = domain::audit::unix_micros(ctx.now - time::Duration::days(30));
    let glass = state
        .store
        .break_glass_on_my_cases(org, me, since)
        .await?
        .into_iter()
        .map(|g| {
            (
                g.access.case_file_id,
                g.case_number,
                format_date_time(instant(g.access.at_us)),
                g.access.actor,
                g.access.reason,
            )
        })
        .collect();
    Ok(Work {
        cases,
        reviews,
        appointments,
        events,
        glass,
    })
}

async fn home(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    // Every login ends here: on to a kept form or to the page asked for.
    let jar = match kept::after_login(jar) {
        Ok(onward) => return Ok(onward),
        Err(jar) => jar,
    };
    // A CAF operator sees nothing of the organization but the applications they filed.
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)
        .or_else(|_| ctx.authorize(Action::AuditView, RecordScope::SameOrg))
        .or_else(|_| ctx.authorize(Action::ApplicationView, RecordScope::Own))?;
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let mut links = Vec::new();
    if ctx.can(Action::OrgManage, RecordScope::SameOrg) {
        links.push((
            "/admin/enti",
            "Enti",
            "Ambiti, Comuni, CAF ed enti erogatori, con i loro comuni.",
        ));
    }
    if ctx.can(Action::UserManage, RecordScope::SameOrg) {
        links.push((
            "/admin/utenti",
            "Utenti",
            "Account degli operatori, ruoli, sessioni e token.",
        ));
    }
    if ctx.can(Action::AuditView, RecordScope::SameOrg) {
        links.push((
            "/audit",
            "Registro attività",
            "Chi ha fatto cosa e quando, con esportazione CSV.",
        ));
    }
    links.push((
        "/account",
        "Il mio profilo",
        "Password, sessioni aperte e token per le API.",
    ));
    let work = if ctx.can(Action::CaseFileWrite, RecordScope::Assigned) {
        Some(work(&state, &ctx).await?)
    } else {
        None
    };
    if ctx.can(Action::AccessRecord, RecordScope::SameOrg) {
        links.insert(
            0,
            (
                "/segretariato",
                "Segretariato sociale",
                "Accessi allo sportello, telefonate e segnalazioni.",
            ),
        );
    }
    if ctx.can(Action::CaseFileWrite, RecordScope::SameOrg) {
        links.insert(
            0,
            (
                "/cartelle/carico",
                "Carichi di lavoro",
                "Cartelle per assistente sociale e riassegnazione.",
            ),
        );
    }
    let applications = if ctx.can(Action::ApplicationView, RecordScope::Own) {
        let filed_by = app::procedure::application_list_access(&ctx)?.filed_by;
        Some(
            state
                .store
                .worklist_counts(ctx.org.id, ctx.user.id, filed_by, today(ctx.now))
                .await?,
        )
    } else {
        None
    };
    let page = HomePage {
        work,
        applications,
        l: Layout::page(&ctx, &jar, "Scrivania", "/"),
        kind: ctx.org.kind.label(),
        comuni,
        links,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}
