//! The JSON API of the prestazioni (catalogue, read only) and of the istanze: lists, the
//! application with its outcome and history, filing and changes of state. The business
//! logic is [`app::procedure`], shared with the pages; this module only reads JSON, maps
//! field errors to problem+json and writes JSON back.

use super::forms::parse_id;
use crate::AppState;
use crate::auth::{ApiCtx, Ctx};
use crate::error::{AppError, problem};
use app::catalogue::catalogue_access;
use app::procedure::{self, AppAccess, Applicant, ApplicantKey, Filing, Mailed};
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use domain::FieldError;
use domain::application::{
    ApplicationInput, ApplicationSearch, ApplicationState, Channel, TransitionInput, next_states,
    parse_application, transition_action,
};
use domain::benefit::{Outcome, Rule, rule_in_force};
use domain::localtime::today;
use domain::policy::{Action, RecordScope, Role};
use serde_json::{Map, Value, json};
use store::{
    ApplicationFilter, ApplicationView, Benefit, BenefitRule, BenefitStore, StoreError, Worklist,
};
use time::Date;
use uuid::Uuid;

/// The routes of this module, merged into the API's router (paths under `/api/v1`).
pub(super) fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/prestazioni", get(benefits)),
        ("/prestazioni/{id}", get(benefit)),
        ("/istanze", get(list).post(create)),
        ("/istanze/{id}", get(show)),
        ("/istanze/{id}/stato", post(change_state)),
    ]
}

/// The worklists, by the code of the `lista` parameter (the pages' tabs).
pub(super) const LISTS: [&str; 6] = [
    "tutte",
    "mie",
    "da-istruire",
    "scadute",
    "integrazioni",
    "isee",
];
pub(super) const DEFAULT_LIMIT: i64 = 50;
pub(super) const MAX_LIMIT: i64 = 500;
pub(super) const MAX_OFFSET: i64 = 1_000_000;

// --- Problems --------------------------------------------------------------------------------

/// The procedure names the fields as the forms do; the API as its JSON body does.
fn api_name(field: &'static str) -> &'static str {
    match field {
        "benefit" => "benefit_id",
        "attestation" => "attestation_id",
        "persona" => "person_id",
        other => other,
    }
}

/// 422 naming the body's unknown keys (`Fields::unknown`) and every field error.
fn invalid(unknown: &Unknown, errors: &[FieldError]) -> Response {
    let allowed = format!(
        "campo sconosciuto; i campi ammessi sono: {}",
        unknown.known.join(", ")
    );
    let pairs: Vec<(&str, &str)> = unknown
        .keys
        .iter()
        .map(|k| (k.as_str(), allowed.as_str()))
        .chain(
            errors
                .iter()
                .map(|e| (api_name(e.field), e.message.as_str())),
        )
        .collect();
    let list = pairs
        .iter()
        .map(|(field, message)| format!("{field}: {message}"))
        .collect::<Vec<_>>()
        .join("; ");
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!("i dati inviati non sono validi: {list}"),
        Some(&pairs),
    )
}

// --- The JSON body -----------------------------------------------------------------------------

/// A JSON object as the request body. Anything else is answered in Italian: 415 without a
/// JSON content type, 400 for a body that is not JSON, 422 for JSON that is not an object,
/// 413 beyond the body limit.
pub(super) struct JsonBody(pub Map<String, Value>);

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        if !is_json(&req) {
            return Err(problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "il corpo della richiesta deve essere un oggetto JSON, con l'intestazione Content-Type: application/json",
                None,
            ));
        }
        let bytes = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "i dati inviati superano la dimensione massima consentita",
                    None,
                ));
            }
            Err(_) => {
                return Err(problem(
                    StatusCode::BAD_REQUEST,
                    "il corpo della richiesta non si è potuto leggere",
                    None,
                ));
            }
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(problem(
                StatusCode::BAD_REQUEST,
                "il corpo della richiesta è vuoto: inviare un oggetto JSON",
                None,
            ));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(JsonBody(m)),
            Ok(_) => Err(invalid(
                &Unknown::default(),
                &[FieldError::new(
                    "body",
                    "il corpo della richiesta deve essere un oggetto JSON ({ … })",
                )],
            )),
            Err(e) => Err(problem(
                StatusCode::BAD_REQUEST,
                &format!(
                    "il corpo della richiesta non è JSON valido (riga {}, colonna {}): controllare virgolette, virgole e parentesi",
                    e.line(),
                    e.column()
                ),
                None,
            )),
        }
    }
}

/// The keys of a JSON body that are none of the request's fields, and those fields.
#[derive(Default)]
struct Unknown {
    keys: Vec<String>,
    known: &'static [&'static str],
}

impl Unknown {
    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Reads the fields of a JSON object, collecting what is wrong with each.
struct Fields<'a> {
    body: &'a Map<String, Value>,
    /// Refused: a misspelt key would otherwise be silently ignored.
    unknown: Unknown,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    fn new(body: &'a Map<String, Value>, known: &'static [&'static str]) -> Self {
        let keys = body
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        Self {
            body,
            unknown: Unknown { keys, known },
            errors: Vec::new(),
        }
    }

    fn is_valid(&self) -> bool {
        self.unknown.is_empty() && self.errors.is_empty()
    }

    /// A text as in the forms: a string, or a number written out; absent or null is "".
    fn text(&mut self, key: &'static str) -> String {
        match self.body.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                self.errors.push(FieldError::new(
                    key,
                    "deve essere un testo (tra virgolette) o un numero",
                ));
                String::new()
            }
        }
    }

    /// A yes/no as the forms' check boxes give it: true becomes "on".
    fn flag(&mut self, key: &'static str) -> String {
        match self.body.get(key) {
            None | Some(Value::Null) | Some(Value::Bool(false)) => String::new(),
            Some(Value::Bool(true)) => "on".into(),
            Some(_) => {
                self.errors
                    .push(FieldError::new(key, "deve essere true o false"));
                String::new()
            }
        }
    }

    fn required_bool(&mut self, key: &'static str, what: &str) -> bool {
        match self.body.get(key) {
            Some(Value::Bool(b)) => *b,
            None | Some(Value::Null) => {
                self.errors
                    .push(FieldError::new(key, format!("indicare {what}")));
                false
            }
            Some(_) => {
                self.errors
                    .push(FieldError::new(key, "deve essere true o false"));
                false
            }
        }
    }
}

// --- JSON of the records ----------------------------------------------------------------------

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn opt_iso(d: Option<Date>) -> Value {
    d.map_or(Value::Null, |d| Value::String(iso(d)))
}

/// A stored instant (microseconds since the epoch) in RFC 3339.
fn instant(us: i64) -> Value {
    domain::audit::from_unix_micros(us)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map_or(Value::Null, Value::String)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, AppError> {
    serde_json::to_value(v).map_err(|e| AppError::App(app::Error::Internal(e.to_string())))
}

fn benefit_json(b: &Benefit) -> Value {
    let d = &b.data;
    json!({
        "id": b.id,
        "code": d.code,
        "name": d.name,
        "description": d.description,
        "area": { "code": d.area.as_str(), "label": d.area.label() },
        "siuss_code": d.siuss_code,
        "periodicity": d.periodicity.as_str(),
        "delivery": d.delivery.as_str(),
        "isee_variant": d.isee_variant.map(|v| v.as_str()),
        "funding_source": d.funding_source,
        "budget_cents": d.budget.map(|m| m.cents()),
        "documents": d.documents,
        "deadline_days": d.deadline_days,
        "active": d.active,
        "version": b.version,
    })
}

fn rule_json(r: &BenefitRule, in_force: bool) -> Result<Value, AppError> {
    Ok(json!({
        "id": r.id,
        "valid_from": iso(r.rule.valid_from),
        "in_force": in_force,
        "regulation": r.rule.regulation,
        "article": r.rule.article,
        "citation": r.rule.citation(),
        "eligibility": to_json(&r.rule.eligibility)?,
        "amount_kind": r.rule.amount_kind.as_str(),
        "formula": to_json(&r.rule.formula)?,
        "actor": r.actor,
        "created_at": instant(r.at_us),
    }))
}

fn outcome_json(o: &Outcome) -> Result<Value, AppError> {
    let mut v = to_json(o)?;
    v["rule_valid_from"] = Value::String(iso(o.rule_valid_from));
    Ok(v)
}

/// The ISEE situation of an application, as the worklists flag it.
fn isee_flag(v: &ApplicationView, on: Date) -> Value {
    if !v.needs_isee || !v.app.state.is_open() {
        return Value::Null;
    }
    match v.isee_valid_until {
        None => json!("mancante"),
        Some(d) if d < on => json!("scaduto"),
        Some(_) => Value::Null,
    }
}

fn summary_json(v: &ApplicationView, on: Date) -> Value {
    let a = &v.app;
    json!({
        "id": a.id,
        "protocol": a.protocol,
        "state": a.state.as_str(),
        "state_label": a.state.label(),
        "channel": a.channel.as_str(),
        "person": {
            "id": a.person_id,
            "surname": v.surname,
            "given_names": v.given_names,
            "codice_fiscale": v.codice_fiscale,
        },
        "benefit": { "id": a.benefit_id, "code": v.benefit_code, "name": v.benefit_name },
        "amount_cents": a.amount.map(|m| m.cents()),
        "submitted_on": opt_iso(a.submitted_on),
        "due_on": opt_iso(a.due_on),
        "overdue": a.state.is_pending() && a.due_on.is_some_and(|d| d < on),
        "isee": isee_flag(v, on),
        "version": a.version,
    })
}

fn mail_json(m: Option<&Mailed>) -> Value {
    let Some(m) = m else {
        return Value::Null;
    };
    let status = match m {
        Mailed::Sent(_) => "sent",
        Mailed::NoAddress => "no_address",
        Mailed::NotConfigured => "not_configured",
        Mailed::Failed(_) => "failed",
        Mailed::Deceased => "deceased",
    };
    json!({ "status": status, "message": m.sentence() })
}

/// The whole application as the caller may see it: facts, outcome, the states the caller
/// may move it to, history and months of delivery.
async fn application_json(state: &AppState, ctx: &Ctx, a: &AppAccess) -> Result<Value, AppError> {
    let org = ctx.org.id;
    let v = &a.view;
    let app = &v.app;
    let on = today(ctx.now);
    let mut out = summary_json(v, on);
    let d = &app.declared;
    let events = state.store.application_events(org, app.id).await?;
    let deliveries = state.store.application_deliveries(org, app.id).await?;
    let extra = json!({
        "attestation_id": app.attestation_id,
        "declared": {
            "resident_since": opt_iso(d.resident_since),
            "disability": d.disability,
            "cost_cents": d.cost.map(|m| m.cents()),
            "units": d.units,
            "months": d.months,
        },
        "outcome": match &app.outcome {
            Some(o) => outcome_json(o)?,
            None => Value::Null,
        },
        "committed_cents": app.committed.cents(),
        "email": app.email,
        "notes": app.notes,
        "filed_by": { "id": app.filed_by, "name": v.filed_by_name },
        "reviewer_id": app.reviewer_id,
        "suspended_since": opt_iso(app.suspended_since),
        "notice_on": opt_iso(app.notice_on),
        "decided_on": opt_iso(app.decided_on),
        "decision_note": app.decision_note,
        "created_at": instant(app.created_at_us),
        "next_states": next_states(app.state)
            .iter()
            .filter(|to| a.can(ctx, transition_action(app.state, **to)))
            .map(|to| to.as_str())
            .collect::<Vec<_>>(),
        "history": events.iter().map(|e| json!({
            "from": e.from.map(ApplicationState::as_str),
            "to": e.to.as_str(),
            "note": e.note,
            "actor": e.actor,
            "at": instant(e.at_us),
        })).collect::<Vec<_>>(),
        "deliveries": deliveries.iter().map(|x| json!({
            "id": x.id,
            "month": iso(x.month),
            "status": x.status.as_str(),
            "quantity": x.quantity,
            "amount_cents": x.amount.cents(),
            "co_payment_cents": x.co_payment.cents(),
            "note": x.note,
            "actor": x.actor,
            "version": x.version,
        })).collect::<Vec<_>>(),
    });
    if let (Value::Object(o), Value::Object(e)) = (&mut out, extra) {
        o.extend(e);
    }
    Ok(out)
}

// --- Prestazioni -------------------------------------------------------------------------------

async fn benefits(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Response, AppError> {
    catalogue_access(&ctx)?;
    let list = state.store.list_benefits(ctx.org.id).await?;
    Ok(axum::Json(list.iter().map(benefit_json).collect::<Value>()).into_response())
}

async fn benefit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    catalogue_access(&ctx)?;
    let b = state.store.get_benefit(ctx.org.id, parse_id(&id)?).await?;
    let stored = state.store.benefit_rules(ctx.org.id, b.id).await?;
    let versions: Vec<Rule> = stored.iter().map(|r| r.rule.clone()).collect();
    let current = rule_in_force(&versions, today(ctx.now)).map(|r| r.valid_from);
    let mut v = benefit_json(&b);
    v["rules"] = stored
        .iter()
        .map(|r| rule_json(r, Some(r.rule.valid_from) == current))
        .collect::<Result<Value, AppError>>()?;
    Ok(axum::Json(v).into_response())
}

// --- Istanze -----------------------------------------------------------------------------------

fn worklist_of(code: &str, ctx: &Ctx, on: Date) -> Worklist {
    match code {
        "mie" => Worklist::Mine(ctx.user.id),
        "da-istruire" => Worklist::ToReview,
        "scadute" => Worklist::Overdue(on),
        "integrazioni" => Worklist::AwaitingDocuments,
        "isee" => Worklist::IseeMissing(on),
        _ => Worklist::All,
    }
}

/// A query parameter: `None` when absent; present but empty is a value like any other (and
/// refused where it means nothing).
fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
}

fn number(
    q: &[(String, String)],
    name: &str,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, AppError> {
    match param(q, name) {
        None => Ok(default),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(app::Error::BadRequest(format!(
                "parametro «{name}»: «{raw}» non è un numero intero da {min} a {max}"
            ))
            .into()),
        },
    }
}

async fn list(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let filed_by = procedure::application_list_access(&ctx)?.filed_by;
    let lista = match param(&q, "lista") {
        None => "tutte",
        Some(l) if LISTS.contains(&l) => l,
        Some(l) => {
            return Err(app::Error::BadRequest(format!(
                "parametro «lista»: «{l}» non è un elenco; valori ammessi: {}",
                LISTS.join(", ")
            ))
            .into());
        }
    };
    let stato = match param(&q, "stato") {
        None => None,
        Some(s) => Some(ApplicationState::parse(s).ok_or_else(|| {
            AppError::App(app::Error::BadRequest(format!(
                "parametro «stato»: «{s}» non è uno stato; valori ammessi: {}",
                ApplicationState::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        })?),
    };
    let benefit_id = match param(&q, "prestazione") {
        None => None,
        Some(p) => Some(Uuid::parse_str(p).map_err(|_| {
            AppError::App(app::Error::BadRequest(format!(
                "parametro «prestazione»: «{p}» non è l'identificativo di una prestazione"
            )))
        })?),
    };
    let limit = number(&q, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)?;
    let offset = number(&q, "offset", 0, 0, MAX_OFFSET)?;
    let on = today(ctx.now);
    let filter = ApplicationFilter {
        list: worklist_of(lista, &ctx, on),
        state: stato,
        benefit_id,
        filed_by,
        person_id: None,
        search: ApplicationSearch::parse(param(&q, "q").unwrap_or_default()),
        limit: limit + 1,
        offset,
    };
    let mut rows = state.store.list_applications(ctx.org.id, &filter).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(axum::Json(json!({
        "items": rows.iter().map(|v| summary_json(v, on)).collect::<Vec<_>>(),
        "limit": limit,
        "offset": offset,
        "more": more,
    }))
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    state
        .reads
        .view(&ctx, app::read_log::Read::Application, a.view.app.id)
        .await;
    Ok(axum::Json(application_json(&state, &ctx, &a).await?).into_response())
}

const FILING_FIELDS: [&str; 13] = [
    "person_id",
    "codice_fiscale",
    "benefit_id",
    "attestation_id",
    "channel",
    "resident_since",
    "disability",
    "cost",
    "units",
    "months",
    "email",
    "notes",
    "submit",
];

/// The applicant: by id, or by codice fiscale (a CAF operator types it); what the caller may
/// see of them is `procedure::find_applicant`'s to say.
async fn applicant(
    state: &AppState,
    ctx: &Ctx,
    person_id: &str,
    cf: &str,
) -> Result<Result<Applicant, FieldError>, AppError> {
    let person_id = person_id.trim();
    let cf = cf.trim().to_uppercase();
    let key = if !person_id.is_empty() {
        match Uuid::parse_str(person_id) {
            Ok(id) => ApplicantKey::Id(id),
            Err(_) => {
                return Ok(Err(FieldError::new(
                    "person_id",
                    format!("«{person_id}» non è l'identificativo di una persona"),
                )));
            }
        }
    } else if cf.is_empty() {
        return Ok(Err(FieldError::new(
            "codice_fiscale",
            "indicare il richiedente: person_id oppure codice_fiscale",
        )));
    } else {
        ApplicantKey::CodiceFiscale(&cf)
    };
    Ok(procedure::find_applicant(state, ctx, key).await?)
}

async fn chosen_benefit(
    state: &AppState,
    ctx: &Ctx,
    raw: &str,
) -> Result<Result<Benefit, FieldError>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Err(FieldError::new(
            "benefit_id",
            "indicare la prestazione richiesta",
        )));
    }
    let Ok(id) = Uuid::parse_str(raw) else {
        return Ok(Err(FieldError::new(
            "benefit_id",
            format!("«{raw}» non è l'identificativo di una prestazione"),
        )));
    };
    match state.store.get_benefit(ctx.org.id, id).await {
        Ok(b) => Ok(Ok(b)),
        Err(StoreError::NotFound) => Ok(Err(FieldError::new(
            "benefit_id",
            "nessuna prestazione con questo identificativo nel catalogo",
        ))),
        Err(e) => Err(e.into()),
    }
}

fn created(id: Uuid, body: Value) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/istanze/{id}"))],
        axum::Json(body),
    )
        .into_response()
}

async fn create(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    ctx.authorize(Action::ApplicationFile, RecordScope::Own)?;
    let mut f = Fields::new(&body, &FILING_FIELDS);
    let person_id = f.text("person_id");
    let cf = f.text("codice_fiscale");
    let benefit_raw = f.text("benefit_id");
    let attestation_raw = f.text("attestation_id");
    let caf = ctx.role == Role::OperatoreCaf;
    let mut input = ApplicationInput {
        benefit: benefit_raw.clone(),
        attestation: attestation_raw.clone(),
        channel: f.text("channel"),
        resident_since: f.text("resident_since"),
        disability: f.flag("disability"),
        cost: f.text("cost"),
        units: f.text("units"),
        months: f.text("months"),
        email: f.text("email"),
        notes: f.text("notes"),
    };
    let submit = f.required_bool(
        "submit",
        "se presentare la domanda (true) o salvarla come bozza (false)",
    );
    let unknown = f.unknown;
    let mut errors = f.errors;
    if caf || input.channel.trim().is_empty() {
        input.channel = if caf { Channel::Caf } else { Channel::Counter }
            .as_str()
            .into();
    }
    let data = match parse_application(&input, today(ctx.now)) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let person = match applicant(&state, &ctx, &person_id, &cf).await? {
        Ok(p) => Some(p),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let benefit = match chosen_benefit(&state, &ctx, &benefit_raw).await? {
        Ok(b) => Some(b),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let mut attestation = None;
    if let Some(p) = &person {
        match procedure::chosen_attestation(&state, &ctx, p, &attestation_raw).await? {
            Ok(a) => attestation = a,
            Err(e) => errors.push(e),
        }
        if let Some(b) = &benefit {
            errors.extend(procedure::check_filing(b, &p.person, attestation.as_ref()));
        }
    }
    let (Some(data), Some(Applicant { person, .. }), Some(benefit), true) = (
        data,
        person,
        benefit,
        unknown.is_empty() && errors.is_empty(),
    ) else {
        return Ok(invalid(&unknown, &errors));
    };
    let filed = procedure::file(
        &state,
        &ctx,
        Filing {
            person,
            benefit,
            attestation,
            data,
            submit,
        },
    )
    .await?;
    let a = procedure::application_access(&state, &ctx, filed.id).await?;
    let mut v = application_json(&state, &ctx, &a).await?;
    v["mail"] = mail_json(filed.mailed.as_ref());
    Ok(created(filed.id, v))
}

const TRANSITION_FIELDS: [&str; 4] = ["to", "note", "observations", "version"];

async fn change_state(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, AppError> {
    let a = procedure::application_access(&state, &ctx, parse_id(&id)?).await?;
    let mut f = Fields::new(&body, &TRANSITION_FIELDS);
    let to = f.text("to");
    let note = f.text("note");
    let observations = f.flag("observations");
    let version = match body.get("version") {
        Some(Value::Number(n)) if n.as_i64().is_some() => n.to_string(),
        Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => s.trim().to_owned(),
        None | Some(Value::Null) => {
            f.errors.push(FieldError::new(
                "version",
                "indicare la versione della domanda letta (il campo version di GET /api/v1/istanze/{id})",
            ));
            String::new()
        }
        Some(_) => {
            f.errors.push(FieldError::new(
                "version",
                "deve essere il numero intero della versione della domanda letta",
            ));
            String::new()
        }
    };
    if !f.is_valid() {
        return Ok(invalid(&f.unknown, &f.errors));
    }
    let input = TransitionInput {
        to,
        note,
        observations,
        version,
    };
    match procedure::change_state(&state, &ctx, &a, &input).await? {
        Ok(changed) => {
            let a = procedure::application_access(&state, &ctx, a.view.app.id).await?;
            let mut v = application_json(&state, &ctx, &a).await?;
            v["mail"] = mail_json(changed.mailed.as_ref());
            Ok(axum::Json(v).into_response())
        }
        Err(errors) => Ok(invalid(&Unknown::default(), &errors)),
    }
}
