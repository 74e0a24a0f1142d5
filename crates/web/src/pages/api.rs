//! The JSON API under `/api/v1`, authenticated by bearer tokens (`sportello token create`).
//! Every answer is scoped to the token's organization; errors are problem+json. The routes
//! are one table, and [`openapi`] documents every one of them: a debug build refuses to
//! start with a route the document does not describe.

use super::api_dsu;
use super::api_istanze;
use super::forms::parse_id;
use crate::AppState;
use crate::auth::ApiCtx;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use domain::policy::{Action, RecordScope};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;
use store::{AuditFilter, AuditStore, OrgStore, Organization, User, UserStore};

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

fn table() -> Vec<(&'static str, MethodRouter<AppState>)> {
    let mut t: Vec<(&'static str, MethodRouter<AppState>)> = vec![
        ("/me", get(me)),
        ("/organizations", get(organizations)),
        ("/organizations/{id}", get(organization)),
        ("/users", get(users)),
        ("/users/{id}", get(user)),
        ("/audit", get(audit)),
        ("/codice-fiscale/{cf}", get(codice_fiscale)),
        ("/openapi.json", get(openapi)),
    ];
    t.extend(api_istanze::routes());
    t.extend(api_dsu::routes());
    t
}

pub fn routes() -> Router<AppState> {
    let t = table();
    debug_assert!(
        undocumented(t.iter().map(|(p, _)| *p)).is_empty(),
        "API routes and /api/v1/openapi.json disagree: {:?}",
        undocumented(t.iter().map(|(p, _)| *p))
    );
    t.into_iter()
        .fold(Router::new(), |r, (path, m)| r.route(path, m))
}

/// The paths served but not documented, and documented but not served.
fn undocumented<'a>(served: impl Iterator<Item = &'a str>) -> Vec<String> {
    let served: Vec<String> = served.map(|p| format!("{PREFIX}{p}")).collect();
    let documented: Vec<String> = DOC["paths"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    served
        .iter()
        .filter(|p| !documented.contains(p))
        .map(|p| format!("non documentato: {p}"))
        .chain(
            documented
                .iter()
                .filter(|p| !served.contains(p))
                .map(|p| format!("documentato ma non servito: {p}")),
        )
        .collect()
}

fn org_json(o: &Organization) -> Value {
    json!({ "id": o.id, "code": o.code, "name": o.name, "kind": o.kind, "active": o.active })
}

fn user_json(u: &User) -> Value {
    json!({ "id": u.id, "login": u.login, "full_name": u.full_name, "email": u.email, "active": u.active,
            "second_factor": u.totp_secret.is_some() })
}

async fn me(ApiCtx(ctx): ApiCtx) -> Result<Json<Value>, AppError> {
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)
        .or_else(|_| ctx.authorize(Action::AuditView, RecordScope::SameOrg))?;
    Ok(Json(
        json!({ "user": user_json(&ctx.user), "organization": org_json(&ctx.org), "role": ctx.role }),
    ))
}

async fn organizations(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Value>, AppError> {
    ctx.authorize(Action::OrgView, RecordScope::SameOrg)?;
    let orgs = if ctx.can(Action::OrgView, RecordScope::OtherOrg) {
        state.store.list_orgs().await?
    } else {
        vec![ctx.org.clone()]
    };
    Ok(Json(Value::Array(orgs.iter().map(org_json).collect())))
}

async fn organization(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    ctx.authorize(Action::OrgView, ctx.scope_of(id))?;
    let org = state.store.get_org(id).await?;
    let comuni: Vec<Value> = state.store.org_comuni(id).await?.iter()
        .map(|c| json!({ "istat": c.istat_code, "belfiore": c.belfiore_code, "name": c.name, "province": c.province }))
        .collect();
    let mut v = org_json(&org);
    v["comuni"] = Value::Array(comuni);
    Ok(Json(v))
}

async fn users(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
) -> Result<Json<Value>, AppError> {
    ctx.authorize(Action::UserView, RecordScope::SameOrg)?;
    let members = state.store.list_members(ctx.org.id).await?;
    Ok(Json(Value::Array(
        members
            .iter()
            .map(|m| {
                let mut v = user_json(&m.user);
                v["role"] = json!(m.role);
                v
            })
            .collect(),
    )))
}

async fn user(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let memberships = state.store.memberships(id).await?;
    let scope = if memberships.iter().any(|m| m.org.id == ctx.org.id) {
        RecordScope::SameOrg
    } else {
        RecordScope::OtherOrg
    };
    ctx.authorize(Action::UserView, scope)?;
    let u = state.store.get_user(id).await?;
    let mut v = user_json(&u);
    v["roles"] = Value::Array(
        memberships
            .iter()
            .map(|m| json!({ "organization": m.org.code, "role": m.role }))
            .collect(),
    );
    Ok(Json(v))
}

#[derive(Deserialize)]
struct AuditParams {
    action: Option<String>,
    actor: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize)]
struct AuditPage {
    total: i64,
    rows: Vec<domain::audit::AuditRow>,
}

async fn audit(
    State(state): State<AppState>,
    ApiCtx(ctx): ApiCtx,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditPage>, AppError> {
    ctx.authorize(Action::AuditView, RecordScope::SameOrg)?;
    let f = AuditFilter {
        org_id: Some(ctx.org.id),
        actor: p.actor,
        action_prefix: p.action,
        limit: p.limit.unwrap_or(100).clamp(1, 1000),
        offset: p.offset.unwrap_or(0).max(0),
        ..AuditFilter::default()
    };
    Ok(Json(AuditPage {
        total: state.store.count_audit(&f).await?,
        rows: state.store.list_audit(&f).await?,
    }))
}

/// Checks and decodes a codice fiscale, with the same JSON as `sportello cf decode`. An
/// invalid code is an answer (`valid: false` and the Italian reason), not an error.
async fn codice_fiscale(
    ApiCtx(ctx): ApiCtx,
    Path(cf): Path<String>,
) -> Result<axum::response::Response, AppError> {
    ctx.authorize(Action::PersonView, RecordScope::Own)?;
    // Serialized straight from the struct, so the keys keep the command line's order.
    let body = serde_json::to_string(&territory::cli::decode_json(
        &cf,
        domain::localtime::today(ctx.now),
    ))
    .map_err(|e| app::Error::Internal(e.to_string()))?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )))
}

// --- The OpenAPI document ----------------------------------------------------------------------

/// The OpenAPI 3.1 document of every route above, built once from the same domain types
/// (the codes of states, channels, areas come from their enums).
static DOC: LazyLock<Value> = LazyLock::new(document);
static DOC_TEXT: LazyLock<String> = LazyLock::new(|| DOC.to_string());

/// `GET /api/v1/openapi.json`: public, like any API description.
async fn openapi() -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOC_TEXT.as_str(),
    ))
}

fn sref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn or_null(schema: Value) -> Value {
    json!({ "anyOf": [schema, { "type": "null" }] })
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn integer() -> Value {
    json!({ "type": "integer", "format": "int64" })
}

fn boolean() -> Value {
    json!({ "type": "boolean" })
}

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn datetime() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn cents(description: &str) -> Value {
    json!({ "type": "integer", "format": "int64", "description": description })
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn codes<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> Value {
    json!({
        "type": "string",
        "enum": values.into_iter().collect::<Vec<_>>(),
        "description": description,
    })
}

/// The codes a serde enum writes.
fn serde_codes<T: Serialize>(values: &[T], description: &str) -> Value {
    let list: Vec<Value> = values
        .iter()
        .filter_map(|v| serde_json::to_value(v).ok())
        .collect();
    json!({ "type": "string", "enum": list, "description": description })
}

/// An object whose every property is always present (null when there is no value).
fn object(props: &[(&str, Value)]) -> Value {
    let mut p = Map::new();
    for (k, v) in props {
        p.insert((*k).to_owned(), v.clone());
    }
    json!({
        "type": "object",
        "required": props.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        "properties": p,
    })
}

/// `base` with more always-present properties.
fn extend(base: &str, props: &[(&str, Value)]) -> Value {
    json!({ "allOf": [sref(base), object(props)] })
}

fn param(place: &str, name: &str, schema: Value, description: &str) -> Value {
    json!({
        "name": name,
        "in": place,
        "required": place == "path",
        "schema": schema,
        "description": description,
    })
}

fn id_param(what: &str) -> Value {
    param("path", "id", uuid(), &format!("Identificativo {what}."))
}

fn ok(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// One operation: its answers are `success` plus the shared problem answers `errors`.
fn op(
    tag: &str,
    summary: &str,
    description: &str,
    params: Vec<Value>,
    body: Option<Value>,
    success: (&str, Value),
    errors: &[u16],
) -> Value {
    let mut responses = Map::new();
    responses.insert(success.0.to_owned(), success.1);
    for code in errors {
        responses.insert(
            code.to_string(),
            json!({ "$ref": format!("#/components/responses/E{code}") }),
        );
    }
    let mut o = json!({
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": params,
        "responses": responses,
    });
    if let Some(b) = body {
        o["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": b } },
        });
    }
    o
}

/// The shared error answers: problem+json (RFC 9457).
fn error_responses() -> Value {
    let problem = |description: &str, schema: &str| {
        json!({
            "description": description,
            "content": { "application/problem+json": { "schema": sref(schema) } },
        })
    };
    json!({
        "E400": problem("Richiesta non valida: corpo non JSON, parametro fuori dominio.", "Problem"),
        "E401": problem("Token mancante, sconosciuto o revocato.", "Problem"),
        "E403": problem("Il ruolo del token non consente l'operazione su questo record.", "Problem"),
        "E404": problem("Record inesistente nell'ente del token.", "Problem"),
        "E409": problem("La domanda è stata modificata nel frattempo: rileggerla e ripetere con la versione nuova.", "Problem"),
        "E413": problem("Corpo della richiesta troppo grande.", "Problem"),
        "E415": problem("Il corpo deve essere JSON (Content-Type: application/json).", "Problem"),
        "E422": problem("Dati non validi: `errors` elenca ogni campo con il motivo, in italiano.", "ValidationProblem"),
        "E500": problem("Errore interno (il dettaglio è nel log, con l'id della richiesta).", "Problem"),
        "E503": problem("Database non raggiungibile.", "Problem"),
    })
}

fn schemas() -> Value {
    use domain::application::{ApplicationState, Channel, DeliveryStatus};
    use domain::benefit::{AmountKind, Area, DeliveryKind, IseeVariant, Periodicity, Unit};
    let states = || ApplicationState::ALL.iter().map(|s| s.as_str());
    let problem = [
        ("type", string()),
        ("title", string()),
        ("status", integer()),
        (
            "detail",
            json!({ "type": "string", "description": "Il motivo, in italiano." }),
        ),
    ];
    let mut validation = problem.to_vec();
    validation.push(("errors", array(sref("FieldError"))));
    let user = [
        ("id", uuid()),
        ("login", string()),
        ("full_name", string()),
        ("email", or_null(string())),
        ("active", boolean()),
        ("second_factor", boolean()),
    ];
    let band = object(&[
        (
            "isee_upto",
            or_null(cents(
                "ISEE massimo della fascia, in centesimi; null: oltre la fascia precedente.",
            )),
        ),
        ("amount", cents("Importo della fascia, in centesimi.")),
    ]);
    merge(vec![
        json!({
            "Problem": object(&problem),
            "FieldError": object(&[
                ("field", json!({ "type": "string", "description": "Il campo del corpo JSON (o `body`)." })),
                ("message", json!({ "type": "string", "description": "Il motivo, in italiano." })),
            ]),
            "ValidationProblem": object(&validation),
            "Role": serde_codes(&domain::Role::ALL, "Ruolo nell'ente."),
            "OrgKind": serde_codes(&domain::OrgKind::ALL, "Tipo di ente."),
            "Organization": object(&[
                ("id", uuid()),
                ("code", string()),
                ("name", string()),
                ("kind", sref("OrgKind")),
                ("active", boolean()),
            ]),
            "OrganizationDetail": extend("Organization", &[(
                "comuni",
                array(object(&[
                    ("istat", string()),
                    ("belfiore", string()),
                    ("name", string()),
                    ("province", string()),
                ])),
            )]),
            "User": object(&user),
            "Member": extend("User", &[("role", sref("Role"))]),
            "UserDetail": extend("User", &[(
                "roles",
                array(object(&[("organization", string()), ("role", sref("Role"))])),
            )]),
            "Me": object(&[
                ("user", sref("User")),
                ("organization", sref("Organization")),
                ("role", sref("Role")),
            ]),
            "AuditRow": object(&[
                ("id", uuid()),
                ("org_id", uuid()),
                ("seq", integer()),
                ("at", datetime()),
                ("actor_id", or_null(uuid())),
                ("actor", string()),
                ("action", string()),
                ("record_kind", string()),
                ("record_id", or_null(uuid())),
                ("summary", string()),
                ("reason", or_null(string())),
                ("prev_hash", string()),
                ("hash", string()),
            ]),
            "AuditPage": object(&[("total", integer()), ("rows", array(sref("AuditRow")))]),
            "CodiceFiscale": {
                "type": "object",
                "description": "Come `sportello cf decode`: un codice non valido è una risposta (`valid: false` e `error`), non un errore.",
                "required": ["input", "valid"],
                "properties": {
                    "input": string(),
                    "valid": boolean(),
                    "error": string(),
                    "normalized": string(),
                    "kind": codes(["ordinario", "provvisorio", "stp", "eni"], "Tipo di codice."),
                    "sex": or_null(codes(["M", "F"], "Sesso.")),
                    "birth_date": or_null(date()),
                    "birthplace_code": or_null(string()),
                    "birthplace_name": or_null(string()),
                    "province": or_null(string()),
                    "omocodia": boolean(),
                },
            },
        }),
        json!({
            "ApplicationState": codes(states(), "Stato della domanda."),
            "Channel": codes(Channel::ALL.iter().map(|c| c.as_str()), "Canale di presentazione."),
            "DeliveryStatus": codes(DeliveryStatus::ALL.iter().map(|c| c.as_str()), "Stato del mese di erogazione."),
            "Periodicity": codes(Periodicity::ALL.iter().map(|c| c.as_str()), "Periodicità."),
            "DeliveryKind": codes(DeliveryKind::ALL.iter().map(|c| c.as_str()), "Che cosa si eroga."),
            "IseeVariant": codes(IseeVariant::ALL.iter().map(|c| c.as_str()), "Variante ISEE."),
            "AmountKind": codes(AmountKind::ALL.iter().map(|c| c.as_str()), "Contributo del Comune o compartecipazione del cittadino."),
            "Unit": codes(Unit::ALL.iter().map(|c| c.as_str()), "Unità della tariffa."),
        }),
        json!({
            "Benefit": object(&[
                ("id", uuid()),
                ("code", string()),
                ("name", string()),
                ("description", string()),
                ("area", object(&[
                    ("code", codes(Area::ALL.iter().map(|c| c.as_str()), "Area di utenza.")),
                    ("label", string()),
                ])),
                ("siuss_code", string()),
                ("periodicity", sref("Periodicity")),
                ("delivery", sref("DeliveryKind")),
                ("isee_variant", or_null(sref("IseeVariant"))),
                ("funding_source", string()),
                ("budget_cents", or_null(cents("Stanziamento annuo, in centesimi."))),
                ("documents", array(string())),
                ("deadline_days", integer()),
                ("active", boolean()),
                ("version", integer()),
            ]),
            "BenefitDetail": extend("Benefit", &[("rules", array(sref("BenefitRule")))]),
            "Eligibility": object(&[
                ("isee_max", or_null(cents("ISEE massimo, in centesimi."))),
                ("age_min", or_null(integer())),
                ("age_max", or_null(integer())),
                ("residence", boolean()),
                ("residence_years", or_null(integer())),
                ("household_min", or_null(integer())),
                ("minors_min", or_null(integer())),
                ("disability", boolean()),
                ("incompatible", array(string())),
            ]),
            "Band": band,
            "Formula": {
                "type": "object",
                "description": "La formula dell'importo, distinta da `tipo`; importi in centesimi, `percent` come testo decimale.",
                "required": ["tipo"],
                "properties": {
                    "tipo": codes(["nessuna", "fasce", "lineare", "percentuale_costo", "tariffa"], "Tipo di formula."),
                    "bands": array(sref("Band")),
                    "isee_min": integer(),
                    "isee_max": integer(),
                    "at_min": integer(),
                    "at_max": integer(),
                    "percent": string(),
                    "cap": or_null(integer()),
                    "unit": sref("Unit"),
                },
            },
        }),
        json!({
            "BenefitRule": object(&[
                ("id", uuid()),
                ("valid_from", date()),
                ("in_force", json!({ "type": "boolean", "description": "È la versione in vigore oggi." })),
                ("regulation", string()),
                ("article", string()),
                ("citation", string()),
                ("eligibility", sref("Eligibility")),
                ("amount_kind", sref("AmountKind")),
                ("formula", sref("Formula")),
                ("actor", string()),
                ("created_at", or_null(datetime())),
            ]),
            "Check": object(&[
                ("status", codes(["met", "not_met", "warning"], "Esito del requisito.")),
                ("text", string()),
            ]),
            "Amount": object(&[
                ("kind", sref("AmountKind")),
                ("value", cents("Importo mensile (periodica) o totale (una tantum), in centesimi.")),
                ("per_unit", or_null(json!({
                    "type": "array",
                    "description": "Tariffa per unità: [unità, centesimi].",
                    "items": { "type": ["string", "integer"] },
                    "minItems": 2,
                    "maxItems": 2,
                }))),
                ("explanation", string()),
            ]),
            "Outcome": object(&[
                ("eligible", boolean()),
                ("checks", array(sref("Check"))),
                ("amount", or_null(sref("Amount"))),
                ("rule_valid_from", date()),
                ("citation", string()),
            ]),
        }),
        json!({
            "PersonRef": object(&[
                ("id", uuid()),
                ("surname", string()),
                ("given_names", string()),
                ("codice_fiscale", or_null(string())),
            ]),
            "BenefitRef": object(&[("id", uuid()), ("code", string()), ("name", string())]),
            "ApplicationSummary": object(&[
                ("id", uuid()),
                ("protocol", or_null(json!({ "type": "string", "description": "Protocollo «aaaa/nnnnnn»; null per una bozza." }))),
                ("state", sref("ApplicationState")),
                ("state_label", string()),
                ("channel", sref("Channel")),
                ("person", sref("PersonRef")),
                ("benefit", sref("BenefitRef")),
                ("amount_cents", or_null(cents("Importo dato dalle regole, in centesimi."))),
                ("submitted_on", or_null(date())),
                ("due_on", or_null(date())),
                ("overdue", boolean()),
                ("isee", or_null(codes(["mancante", "scaduto"], "ISEE richiesto ma mancante o scaduto."))),
                ("version", integer()),
            ]),
            "ApplicationList": object(&[
                ("items", array(sref("ApplicationSummary"))),
                ("limit", integer()),
                ("offset", integer()),
                ("more", json!({ "type": "boolean", "description": "Ci sono altre domande dopo questa pagina." })),
            ]),
        }),
        json!({
            "Event": object(&[
                ("from", or_null(sref("ApplicationState"))),
                ("to", sref("ApplicationState")),
                ("note", string()),
                ("actor", string()),
                ("at", or_null(datetime())),
            ]),
            "Delivery": object(&[
                ("id", uuid()),
                ("month", date()),
                ("status", sref("DeliveryStatus")),
                ("quantity", or_null(integer())),
                ("amount_cents", cents("Erogato al cittadino, in centesimi.")),
                ("co_payment_cents", cents("Dovuto dal cittadino, in centesimi.")),
                ("note", string()),
                ("actor", string()),
                ("version", integer()),
            ]),
        }),
        json!({
            "Application": extend("ApplicationSummary", &[
                ("attestation_id", or_null(uuid())),
                ("declared", object(&[
                    ("resident_since", or_null(date())),
                    ("disability", boolean()),
                    ("cost_cents", or_null(integer())),
                    ("units", or_null(integer())),
                    ("months", integer()),
                ])),
                ("outcome", or_null(sref("Outcome"))),
                ("committed_cents", cents("Quanto impegna sullo stanziamento, in centesimi.")),
                ("email", or_null(string())),
                ("notes", string()),
                ("filed_by", object(&[("id", uuid()), ("name", string())])),
                ("reviewer_id", or_null(uuid())),
                ("suspended_since", or_null(date())),
                ("notice_on", or_null(date())),
                ("decided_on", or_null(date())),
                ("decision_note", string()),
                ("created_at", or_null(datetime())),
                ("next_states", json!({
                    "type": "array",
                    "description": "Gli stati in cui il chiamante può portare la domanda.",
                    "items": sref("ApplicationState"),
                })),
                ("history", array(sref("Event"))),
                ("deliveries", array(sref("Delivery"))),
            ]),
            "Mail": object(&[
                ("status", codes(["sent", "no_address", "not_configured", "failed", "deceased"], "Esito dell'avviso al richiedente.")),
                ("message", string()),
            ]),
            "ApplicationChanged": extend("Application", &[("mail", or_null(sref("Mail")))]),
        }),
        json!({
            "ApplicationCreate": {
                "type": "object",
                "description": "Una domanda, con i campi come nei moduli (testi); il richiedente per `person_id` o per `codice_fiscale`.",
                "additionalProperties": false,
                "required": ["benefit_id", "submit"],
                "properties": {
                    "person_id": { "type": "string", "format": "uuid" },
                    "codice_fiscale": string(),
                    "benefit_id": { "type": "string", "format": "uuid" },
                    "attestation_id": { "type": ["string", "null"], "description": "Un'attestazione ISEE del richiedente: il suo identificativo, oppure, per un CAF senza delega registrata, il protocollo INPS (INPS-ISEE-…)." },
                    "channel": or_null(sref("Channel")),
                    "resident_since": { "type": ["string", "null"], "description": "Data di inizio della residenza (gg/mm/aaaa o aaaa-mm-gg)." },
                    "disability": { "type": ["boolean", "null"] },
                    "cost": { "type": ["string", "null"], "description": "Costo, come «1.234,56»." },
                    "units": { "type": ["string", "integer", "null"], "description": "Unità al mese (ore, pasti), 0–744." },
                    "months": { "type": ["string", "integer", "null"], "description": "Mesi di erogazione, 1–36 (12 se manca)." },
                    "email": { "type": ["string", "null"] },
                    "notes": { "type": ["string", "null"] },
                    "submit": { "type": "boolean", "description": "true: presentata (protocollo); false: bozza." },
                },
            },
            "Transition": {
                "type": "object",
                "additionalProperties": false,
                "required": ["to", "version"],
                "properties": {
                    "to": sref("ApplicationState"),
                    "note": { "type": ["string", "null"], "description": "Motivazione: obbligatoria per integrazione, preavviso, rigetto, archiviazione." },
                    "observations": { "type": ["boolean", "null"], "description": "Osservazioni al preavviso di rigetto ricevute (art. 10-bis L. 241/1990)." },
                    "version": { "type": "integer", "format": "int64", "description": "La `version` della domanda letta." },
                },
            },
        }),
        dsu_schemas(),
    ])
}

/// The DSU record, and the engine's DSU format with its definitions under `isee.*` (the
/// same JSON Schema as `docs/isee/dsu.schema.json`).
fn dsu_schemas() -> Value {
    use domain::dsu::DsuState;
    let engine = isee::dsu_schema()
        .to_string()
        .replace("#/$defs/", "#/components/schemas/isee.");
    let mut engine: Value = serde_json::from_str(&engine).unwrap_or(Value::Null);
    let mut out = Map::new();
    if let Some(Value::Object(defs)) = engine.as_object_mut().and_then(|o| o.remove("$defs")) {
        for (k, v) in defs {
            out.insert(format!("isee.{k}"), v);
        }
    }
    if let Some(o) = engine.as_object_mut() {
        o.remove("$schema");
    }
    out.insert("isee.DsuInput".into(), engine);
    out.insert(
        "Dsu".into(),
        object(&[
            ("id", uuid()),
            ("state", codes(DsuState::ALL.iter().map(|s| s.as_str()), "Stato della DSU.")),
            ("declarant_id", uuid()),
            ("dsu_date", date()),
            ("variant", string()),
            ("prestazione", string()),
            ("signed_on", or_null(date())),
            ("inps_protocol", or_null(string())),
            ("attestation_id", or_null(uuid())),
            ("replaces_id", or_null(uuid())),
            ("version", integer()),
            ("isee_cents", or_null(cents("ISEE provvisorio della variante della DSU, in centesimi."))),
            ("complete", boolean()),
            ("missing", array(json!({ "type": "string", "description": "Quadro da completare o problema da risolvere, in italiano." }))),
            ("dsu", or_null(sref("isee.DsuInput"))),
        ]),
    );
    Value::Object(out)
}

/// One object with the keys of all `parts` (a single `json!` would be too deep).
fn merge(parts: Vec<Value>) -> Value {
    let mut all = Map::new();
    for part in parts {
        if let Value::Object(m) = part {
            all.extend(m);
        }
    }
    Value::Object(all)
}

fn paths() -> Value {
    use domain::application::ApplicationState;
    const READ: &[u16] = &[401, 403, 500, 503];
    const READ_ONE: &[u16] = &[400, 401, 403, 404, 500, 503];
    let states: Vec<&str> = ApplicationState::ALL.iter().map(|s| s.as_str()).collect();
    let mut p = Map::new();
    let mut add = |id: &str, path: &str, method: &str, mut operation: Value| {
        operation["operationId"] = json!(id);
        let entry = p
            .entry(format!("{PREFIX}{path}"))
            .or_insert_with(|| json!({}));
        entry[method] = operation;
    };
    add(
        "getMe",
        "/me",
        "get",
        op(
            "account",
            "Chi sono",
            "L'utente del token, l'ente in cui agisce e il ruolo.",
            vec![],
            None,
            ("200", ok("Utente, ente e ruolo.", sref("Me"))),
            READ,
        ),
    );
    add(
        "listOrganizations",
        "/organizations",
        "get",
        op(
            "enti",
            "Elenco degli enti",
            "L'ente del token; tutti per un amministratore dell'installazione.",
            vec![],
            None,
            ("200", ok("Gli enti.", array(sref("Organization")))),
            READ,
        ),
    );
    add(
        "getOrganization",
        "/organizations/{id}",
        "get",
        op(
            "enti",
            "Un ente",
            "L'ente con i suoi comuni.",
            vec![id_param("dell'ente")],
            None,
            ("200", ok("L'ente.", sref("OrganizationDetail"))),
            READ_ONE,
        ),
    );
    add(
        "listUsers",
        "/users",
        "get",
        op(
            "utenti",
            "Elenco degli utenti",
            "Gli utenti dell'ente con il loro ruolo.",
            vec![],
            None,
            ("200", ok("Gli utenti.", array(sref("Member")))),
            READ,
        ),
    );
    add(
        "getUser",
        "/users/{id}",
        "get",
        op(
            "utenti",
            "Un utente",
            "L'utente con i ruoli in ogni ente.",
            vec![id_param("dell'utente")],
            None,
            ("200", ok("L'utente.", sref("UserDetail"))),
            READ_ONE,
        ),
    );
    add(
        "listAudit",
        "/audit",
        "get",
        op(
            "audit",
            "Registro delle operazioni",
            "Le righe del registro dell'ente, dalla più recente.",
            vec![
                param(
                    "query",
                    "action",
                    string(),
                    "Prefisso dell'azione (`application.`, `user.create`).",
                ),
                param("query", "actor", string(), "Login di chi ha agito."),
                param(
                    "query",
                    "limit",
                    integer(),
                    "Righe per pagina: 1–1000 (100 se manca; fuori intervallo si riconduce).",
                ),
                param(
                    "query",
                    "offset",
                    integer(),
                    "Righe da saltare (negativo: 0).",
                ),
            ],
            None,
            ("200", ok("Una pagina del registro.", sref("AuditPage"))),
            &[400, 401, 403, 500, 503],
        ),
    );
    add(
        "checkCodiceFiscale",
        "/codice-fiscale/{cf}",
        "get",
        op(
            "anagrafe",
            "Verifica di un codice fiscale",
            "Controlla e decodifica un codice fiscale, come `sportello cf decode`.",
            vec![param("path", "cf", string(), "Il codice fiscale.")],
            None,
            ("200", ok("Il codice, valido o no.", sref("CodiceFiscale"))),
            &[400, 401, 403, 500, 503],
        ),
    );
    add(
        "listBenefits",
        "/prestazioni",
        "get",
        op(
            "prestazioni",
            "Catalogo delle prestazioni",
            "Le prestazioni dell'ente, attive e non.",
            vec![],
            None,
            ("200", ok("Il catalogo.", array(sref("Benefit")))),
            READ,
        ),
    );
    add(
        "getBenefit",
        "/prestazioni/{id}",
        "get",
        op(
            "prestazioni",
            "Una prestazione",
            "La prestazione con ogni versione delle regole (requisiti e formula, con l'articolo del regolamento).",
            vec![id_param("della prestazione")],
            None,
            ("200", ok("La prestazione.", sref("BenefitDetail"))),
            READ_ONE,
        ),
    );
    add(
        "listApplications",
        "/istanze",
        "get",
        op(
            "istanze",
            "Elenco delle domande",
            "Le domande dell'ente (per un operatore CAF, solo quelle che ha presentato), dalla più recente.",
            vec![
                param(
                    "query",
                    "q",
                    json!({ "type": "string" }),
                    "Ricerca: numero di protocollo (2026/000123), codice fiscale o parole del nome del richiedente.",
                ),
                param(
                    "query",
                    "lista",
                    json!({ "type": "string", "enum": api_istanze::LISTS, "default": "tutte" }),
                    "Elenco di lavoro, come le schede della pagina Istanze.",
                ),
                param(
                    "query",
                    "stato",
                    json!({ "type": "string", "enum": states }),
                    "Solo le domande in questo stato.",
                ),
                param(
                    "query",
                    "prestazione",
                    uuid(),
                    "Solo le domande di questa prestazione.",
                ),
                param(
                    "query",
                    "limit",
                    json!({ "type": "integer", "minimum": 1, "maximum": api_istanze::MAX_LIMIT, "default": api_istanze::DEFAULT_LIMIT }),
                    "Domande per pagina.",
                ),
                param(
                    "query",
                    "offset",
                    json!({ "type": "integer", "minimum": 0, "maximum": api_istanze::MAX_OFFSET, "default": 0 }),
                    "Domande da saltare.",
                ),
            ],
            None,
            ("200", ok("Una pagina di domande.", sref("ApplicationList"))),
            &[400, 401, 403, 500, 503],
        ),
    );
    add(
        "fileApplication",
        "/istanze",
        "post",
        op(
            "istanze",
            "Presenta una domanda",
            "Presenta la domanda (`submit: true`, con protocollo) o la salva come bozza; applica le regole in vigore e ne dà l'esito.",
            vec![],
            Some(sref("ApplicationCreate")),
            (
                "201",
                json!({
                    "description": "La domanda creata.",
                    "headers": { "Location": { "description": "L'indirizzo della domanda.", "schema": string() } },
                    "content": { "application/json": { "schema": sref("ApplicationChanged") } },
                    "links": {
                        "GetApplication": {
                            "operationId": "getApplication",
                            "parameters": { "id": "$response.body#/id" },
                        },
                        "ChangeApplicationState": {
                            "operationId": "changeApplicationState",
                            "parameters": { "id": "$response.body#/id" },
                        },
                    },
                }),
            ),
            &[400, 401, 403, 413, 415, 422, 500, 503],
        ),
    );
    add(
        "getApplication",
        "/istanze/{id}",
        "get",
        op(
            "istanze",
            "Una domanda",
            "La domanda con l'esito delle regole, gli stati possibili per il chiamante, la storia e le erogazioni.",
            vec![id_param("della domanda")],
            None,
            ("200", ok("La domanda.", sref("Application"))),
            READ_ONE,
        ),
    );
    add(
        "changeApplicationState",
        "/istanze/{id}/stato",
        "post",
        op(
            "istanze",
            "Cambia lo stato di una domanda",
            "Porta la domanda nello stato `to`: 422 se il passaggio non è possibile (con il motivo), 409 se `version` non è più quella attuale, 403 se il ruolo non lo consente.",
            vec![id_param("della domanda")],
            Some(sref("Transition")),
            (
                "200",
                ok("La domanda nel nuovo stato.", sref("ApplicationChanged")),
            ),
            &[400, 401, 403, 404, 409, 413, 415, 422, 500, 503],
        ),
    );
    add(
        "createDsu",
        "/dsu",
        "post",
        op(
            "dsu",
            "Registra una DSU",
            "Una DSU nel formato del motore ISEE (`sportello isee calc`): i componenti del quadro A sono cercati nell'anagrafe sociale per codice fiscale; chi vive con il dichiarante e non è dichiarato resta fuori dal nucleo (escluso). Risponde 201 con la DSU in bozza e il suo calcolo provvisorio; 422 nomina il percorso JSON di ogni problema.",
            vec![],
            Some(sref("isee.DsuInput")),
            ("201", ok("La DSU registrata (bozza).", sref("Dsu"))),
            &[400, 401, 403, 413, 415, 422, 500, 503],
        ),
    );
    add(
        "getDsu",
        "/dsu/{id}",
        "get",
        op(
            "dsu",
            "Una DSU",
            "La DSU con il suo stato e, se completa, nel formato del motore ISEE; altrimenti `missing` dice cosa manca. La lettura è registrata.",
            vec![id_param("della DSU")],
            None,
            ("200", ok("La DSU.", sref("Dsu"))),
            READ_ONE,
        ),
    );
    add(
        "replaceDsu",
        "/dsu/{id}",
        "put",
        op(
            "dsu",
            "Sostituisce il contenuto di una DSU in bozza",
            "Nucleo e quadri sono sostituiti da quelli inviati (formato del motore ISEE); il dichiarante non cambia. Una DSU firmata non si modifica (400): se ne apre una nuova.",
            vec![id_param("della DSU")],
            Some(sref("isee.DsuInput")),
            ("200", ok("La DSU aggiornata.", sref("Dsu"))),
            &[400, 401, 403, 404, 409, 413, 415, 422, 500, 503],
        ),
    );
    add(
        "getDsuCalculation",
        "/dsu/{id}/calcolo",
        "get",
        op(
            "dsu",
            "Calcolo provvisorio di una DSU",
            "Gli stessi indicatori e dettagli di `sportello isee calc` per la DSU; 409 se la DSU non è completa.",
            vec![id_param("della DSU")],
            None,
            (
                "200",
                ok("L'attestazione calcolata.", json!({ "type": "object" })),
            ),
            &[400, 401, 403, 404, 409, 500, 503],
        ),
    );
    add(
        "getOpenApi",
        "/openapi.json",
        "get",
        json!({
            "tags": ["api"],
            "summary": "Descrizione OpenAPI",
            "description": "Il documento OpenAPI 3.1 di questa API; non richiede il token.",
            "security": [],
            "responses": { "200": ok("Questo documento.", json!({ "type": "object" })) },
        }),
    );
    Value::Object(p)
}

fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Sportello API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "L'API JSON di Sportello. Ogni risposta riguarda l'ente del token (`sportello token create`); gli errori sono application/problem+json (RFC 9457) con il motivo in italiano in `detail`.",
            "license": { "name": "EUPL-1.2", "identifier": "EUPL-1.2" },
        },
        "security": [{ "bearerAuth": [] }],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Token personale `spt_…`, creato dalla pagina Account o con `sportello token create`.",
                },
            },
            "schemas": schemas(),
            "responses": error_responses(),
        },
    })
}
