//! The audit log for the revisore: browse with filters, export as CSV.

use super::dates::{day_bound_us, parse_date};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::audit::AuditRow;
use domain::audit_actions::{ActionFilter, GROUPS, action_label};
use domain::policy::{Action, RecordScope};
use serde::Deserialize;
use store::{AuditFilter, AuditStore, OrgStore, Organization, Person, PersonStore, StoreError};
use time::OffsetDateTime;
use time::macros::format_description;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(browse))
        .route("/audit/export.csv", get(export))
        .route("/audit/persona", get(person_search))
}

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    ente: String,
    #[serde(default)]
    utente: String,
    #[serde(default)]
    azione: String,
    #[serde(default)]
    dal: String,
    #[serde(default)]
    al: String,
    #[serde(default)]
    pagina: Option<i64>,
}

/// Builds the store filter from the query, checking the actor may see the organization asked.
async fn filter(
    state: &AppState,
    ctx: &Ctx,
    q: &AuditQuery,
    action: Action,
) -> Result<(AuditFilter, FormErrors, Vec<Organization>), AppError> {
    ctx.authorize(action, RecordScope::SameOrg)?;
    let all = ctx.can(action, RecordScope::OtherOrg);
    let orgs = if all {
        state.store.list_orgs().await?
    } else {
        vec![ctx.org.clone()]
    };
    let org_id = if q.ente.is_empty() {
        (!all).then_some(ctx.org.id)
    } else {
        let o = orgs
            .iter()
            .find(|o| o.code.as_str() == q.ente)
            .ok_or(app::Error::Forbidden)?;
        ctx.authorize(action, ctx.scope_of(o.id))?;
        Some(o.id)
    };
    let mut errors = FormErrors::default();
    let from = parse_date("dal", &q.dal)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let to = parse_date("al", &q.al)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push(FieldError::new(
            "al",
            "la data finale viene prima di quella iniziale",
        ));
    }
    let page = q.pagina.unwrap_or(1).clamp(1, 1_000_000);
    let action = ActionFilter::parse(&q.azione);
    let f = AuditFilter {
        org_id,
        actor: Some(q.utente.trim().to_lowercase()).filter(|s| !s.is_empty()),
        action_prefix: match &action {
            Some(ActionFilter::Prefix(p)) => Some(p.clone()),
            _ => None,
        },
        action: match action {
            Some(ActionFilter::Exact(a)) => Some(a),
            _ => None,
        },
        record_id: None,
        from_us: from.map(|d| day_bound_us(d, false)),
        to_us: to.map(|d| day_bound_us(d, true)),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    Ok((f, errors, orgs))
}

struct Row {
    when: String,
    org: String,
    /// The action in words.
    what: String,
    r: AuditRow,
}

fn when(at: OffsetDateTime) -> String {
    let fmt = format_description!("[day]/[month]/[year] [hour]:[minute]:[second]");
    domain::localtime::to_local(at)
        .format(&fmt)
        .unwrap_or_default()
}

fn rows(rows: Vec<AuditRow>, orgs: &[Organization]) -> Vec<Row> {
    rows.into_iter()
        .map(|r| Row {
            when: when(r.at),
            org: orgs
                .iter()
                .find(|o| o.id == r.org_id)
                .map_or_else(String::new, |o| o.code.to_string()),
            what: action_label(&r.action).to_owned(),
            r,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    q: AuditQuery,
    groups: &'static [domain::audit_actions::ActionGroup],
    rows: Vec<Row>,
    orgs: Vec<Organization>,
    total: i64,
    page: i64,
    pages: i64,
    query_string: String,
}

fn query_string(q: &AuditQuery) -> String {
    let enc = crate::paths::url_encode;
    format!(
        "ente={}&utente={}&azione={}&dal={}&al={}",
        enc(&q.ente),
        enc(&q.utente),
        enc(&q.azione),
        enc(&q.dal),
        enc(&q.al)
    )
}

async fn browse(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let (f, errors, orgs) = filter(&state, &ctx, &q, Action::AuditView).await?;
    let (found, total) = if errors.is_empty() {
        (
            state.store.list_audit(&f).await?,
            state.store.count_audit(&f).await?,
        )
    } else {
        (Vec::new(), 0)
    };
    let page = f.offset / PAGE_SIZE + 1;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::page(&ctx, &jar, "Registro attività", "/audit")
        .crumb("/audit", "Registro attività")
        .with_errors(errors);
    let page = AuditPage {
        l,
        rows: rows(found, &orgs),
        orgs,
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        query_string: query_string(&q),
        q,
        groups: GROUPS,
    };
    Ok(render_page(jar, &page, status))
}

#[derive(Debug, Default, Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    cf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    pagina: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit_person.html")]
struct PersonAuditPage {
    l: Layout,
    q: PersonQuery,
    person: Option<Person>,
    rows: Vec<Row>,
    page: i64,
    first: i64,
    last: i64,
    more: bool,
}

/// The person asked for, in the revisore's organization: by id (the page's own links) or by
/// codice fiscale (the form). Another organization's person is not found.
async fn find_person(
    state: &AppState,
    ctx: &Ctx,
    q: &PersonQuery,
) -> Result<Result<Option<Person>, FieldError>, AppError> {
    let id = q.id.trim();
    if !id.is_empty() {
        return Ok(Ok(Some(
            state
                .store
                .get_person(ctx.org.id, super::forms::parse_id(id)?)
                .await?,
        )));
    }
    let cf = territory::codice_fiscale::normalize(&q.cf);
    if cf.is_empty() {
        return Ok(Ok(None));
    }
    if cf.len() != 16 || !cf.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(Err(FieldError::new(
            "cf",
            "il codice fiscale è di 16 lettere e cifre",
        )));
    }
    match state.store.find_person_by_cf(ctx.org.id, &cf).await {
        Ok(p) => Ok(Ok(Some(p))),
        Err(StoreError::NotFound) => Ok(Err(FieldError::new(
            "cf",
            format!("nessuna persona con codice fiscale {cf} in questo ente"),
        ))),
        Err(e) => Err(e.into()),
    }
}

/// «Chi ha visto i dati di questa persona»: every audit row about the person or one of their
/// records, newest first. The search itself is logged.
async fn person_search(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<PersonQuery>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::AuditView, RecordScope::SameOrg)?;
    let page = q.pagina.unwrap_or(1).clamp(1, 1_000_000);
    let offset = (page - 1) * PAGE_SIZE;
    let (person, errors) = match find_person(&state, &ctx, &q).await? {
        Ok(p) => (p, Vec::new()),
        Err(e) => (None, vec![e]),
    };
    let (mut found, mut more) = (Vec::new(), false);
    if let Some(p) = &person {
        found = state
            .store
            .person_audit(ctx.org.id, p.id, PAGE_SIZE + 1, offset, None)
            .await?;
        more = found.len() as i64 > PAGE_SIZE;
        found.truncate(PAGE_SIZE as usize);
        // The search shows who read the person's data: a read like the others.
        state
            .reads
            .log(ctx.audit(
                "audit.person_search",
                "person",
                Some(p.id),
                format!("ricerca nel registro: chi ha visto i dati (pagina {page})"),
            ))
            .await;
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let l = Layout::page(&ctx, &jar, "Chi ha visto i dati di una persona", "/audit")
        .crumb("/audit", "Registro attività")
        .crumb("/audit/persona", "Persona")
        .with_errors(FormErrors(errors));
    let found_len = found.len() as i64;
    let page = PersonAuditPage {
        l,
        rows: rows(found, std::slice::from_ref(&ctx.org)),
        person,
        q,
        page,
        first: offset + 1,
        last: offset + found_len,
        more,
    };
    Ok(render_page(jar, &page, status))
}

async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let (mut f, errors, orgs) = filter(&state, &ctx, &q, Action::AuditExport).await?;
    if let Some(e) = errors.0.first() {
        return Err(app::Error::BadRequest(e.to_string()).into());
    }
    f.limit = 1_000_000;
    f.offset = 0;
    let found = state.store.list_audit(&f).await?;
    // Exporting the log is itself logged.
    state
        .store
        .append_audit(&ctx.audit(
            "audit.export",
            "audit_log",
            None,
            format!(
                "esportate {} righe del registro ({})",
                found.len(),
                query_string(&q)
            ),
        ))
        .await?;
    // The export crate neutralizes every text cell a spreadsheet could run as a formula,
    // fullwidth and small look-alikes of `= + - @` included.
    let table = export::Table {
        sheet: "Registro attività".into(),
        headers: [
            "data e ora (ora italiana)",
            "ente",
            "sequenza",
            "utente",
            "azione",
            "azione in chiaro",
            "tipo record",
            "id record",
            "descrizione",
            "motivo",
            "hash",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows(found, &orgs)
            .into_iter()
            .map(|r| {
                vec![
                    r.when.into(),
                    r.org.into(),
                    export::Cell::Int(r.r.seq),
                    r.r.actor.into(),
                    r.r.action.into(),
                    r.what.into(),
                    r.r.record_kind.into(),
                    r.r.record_id.map(|u| u.to_string()).into(),
                    r.r.summary.into(),
                    r.r.reason.into(),
                    r.r.hash.into(),
                ]
            })
            .collect(),
    };
    let body = export::to_csv(&table);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"registro-attivita.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
