//! The JSON API of prestazioni and istanze, on SQLite and PostgreSQL, with bearer tokens:
//! the catalogue, an application filed, read and moved into review by JSON, refusals (wrong
//! state, stale version, bad JSON, field errors, roles), a CAF operator's own applications,
//! and the OpenAPI document, which must describe every route and the answers given here.

use crate::istanze_fixtures::{self as fixtures, ROSSI_CF, attest, benefit_id, org_id};
use crate::support::{Client, api_token, staff};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use domain::Role;
use domain::localtime::today;
use serde_json::{Value, json};
use uuid::Uuid;
use web::AppState;

on_both!(
    the_catalogue_is_listed_and_read_with_its_rules,
    an_application_is_filed_read_and_moved_into_review_by_json,
    wrong_transitions_stale_versions_and_bad_bodies_are_refused_in_italian,
    a_caf_operators_token_sees_only_their_own_applications,
    the_openapi_document_describes_every_route_the_router_serves,
);

/// Every operation under /api/v1. A route added to the router without documenting it makes
/// the router refuse to start (debug builds); a documented one missing here fails below.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/api/v1/me"),
    ("get", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{id}"),
    ("get", "/api/v1/users"),
    ("get", "/api/v1/users/{id}"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/codice-fiscale/{cf}"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/prestazioni"),
    ("get", "/api/v1/prestazioni/{id}"),
    ("get", "/api/v1/istanze"),
    ("post", "/api/v1/istanze"),
    ("get", "/api/v1/istanze/{id}"),
    ("post", "/api/v1/istanze/{id}/stato"),
    ("post", "/api/v1/dsu"),
    ("get", "/api/v1/dsu/{id}"),
    ("put", "/api/v1/dsu/{id}"),
    ("get", "/api/v1/dsu/{id}/calcolo"),
];

// --- Helpers -------------------------------------------------------------------------------------

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) location: String,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// The field names of a 422's `errors`.
    pub(crate) fn fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors: {}", self.body))
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect()
    }
}

pub(crate) async fn call(
    state: &AppState,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<(&str, &str)>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some((ct, b)) => req
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(b.to_owned())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let r = Client::new(state).send(req).await;
    let h = |name: header::HeaderName| {
        r.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    Answer {
        status: r.status,
        content_type: h(header::CONTENT_TYPE),
        location: h(header::LOCATION),
        body: r.body.clone(),
    }
}

pub(crate) async fn get(state: &AppState, token: &str, path: &str) -> Answer {
    call(state, Method::GET, path, Some(token), None).await
}

pub(crate) async fn post(state: &AppState, token: &str, path: &str, body: &Value) -> Answer {
    call(
        state,
        Method::POST,
        path,
        Some(token),
        Some(("application/json", &body.to_string())),
    )
    .await
}

/// A responsabile who loaded the base catalogue and an operator of the counter, with tokens.
async fn office(state: &AppState) -> (String, Client, String) {
    let (mut resp, mut op) = fixtures::office(state).await;
    let resp_token = api_token(&mut resp).await;
    let op_token = api_token(&mut op).await;
    (resp_token, op, op_token)
}

/// Registers Mario Rossi through the pages; his id.
async fn register_rossi(op: &mut Client) -> String {
    fixtures::register_rossi(op)
        .await
        .trim_start_matches("/persone/")
        .to_owned()
}

async fn openapi(state: &AppState) -> Value {
    let r = call(state, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

// --- A small JSON Schema check, enough for the document's own schemas ---------------------------

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let mut at = doc;
            for part in r.trim_start_matches("#/").split('/') {
                at = &at[part];
            }
            assert!(!at.is_null(), "unresolved $ref {r}");
            resolve(doc, at)
        }
        None => schema,
    }
}

fn conforms(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            conforms(doc, s, v, at)?;
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(|s| conforms(doc, s, v, at).is_ok())
    {
        return Err(format!("{at}: {v} matches no alternative"));
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            return Err(format!("{at}: {v} is not {t}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} not in {e:?}"));
    }
    if let (Some(f), Some(s)) = (schema.get("format").and_then(Value::as_str), v.as_str()) {
        let ok = match f {
            "uuid" => Uuid::parse_str(s).is_ok(),
            "date" => s.len() == 10 && domain::dates::parse_date(s).is_some(),
            "date-time" => {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .is_ok()
            }
            _ => true,
        };
        if !ok {
            return Err(format!("{at}: «{s}» is not a {f}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for k in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let k = k.as_str().unwrap();
            if !obj.contains_key(k) {
                return Err(format!("{at}: missing «{k}»"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in props {
                if let Some(x) = obj.get(k) {
                    conforms(doc, s, x, &format!("{at}.{k}"))?;
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            conforms(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// The answer is one the document lists for the operation, with its media type and schema.
fn documented(doc: &Value, method: &str, path: &str, r: &Answer) {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} not documented");
    let answer = resolve(doc, &op["responses"][r.status.as_str()]);
    assert!(
        answer.is_object(),
        "{method} {path}: status {} not documented ({})",
        r.status,
        r.body
    );
    let content = answer["content"].as_object().unwrap();
    let (media, spec) = content.iter().next().unwrap();
    assert_eq!(
        r.content_type.split(';').next().unwrap(),
        media,
        "{method} {path} {}",
        r.status
    );
    if let Err(e) = conforms(doc, &spec["schema"], &r.json(), "$") {
        panic!("{method} {path} {}: {e}\n{}", r.status, r.body);
    }
}

// --- Scenarios -----------------------------------------------------------------------------------

async fn the_catalogue_is_listed_and_read_with_its_rules(state: AppState) {
    let doc = openapi(&state).await;
    let (resp, _op, op_token) = office(&state).await;

    let r = get(&state, &op_token, "/api/v1/prestazioni").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/prestazioni", &r);
    let list = r.json();
    let list = list.as_array().unwrap();
    assert!(list.len() >= 10, "{list:?}");
    let mensa = list.iter().find(|b| b["code"] == "mensa").unwrap();
    assert_eq!(mensa["name"], "Mense scolastiche");
    assert_eq!(mensa["isee_variant"], "minorenni");
    assert_eq!(mensa["active"], true);
    assert!(mensa["area"]["label"].as_str().unwrap().len() > 3);
    assert_eq!(mensa["deadline_days"], 30);

    let id = mensa["id"].as_str().unwrap();
    let r = get(&state, &resp, &format!("/api/v1/prestazioni/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/prestazioni/{id}", &r);
    let b = r.json();
    assert_eq!(b["code"], "mensa");
    let rules = b["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["in_force"], true);
    assert!(
        rules[0]["citation"].as_str().unwrap().contains("art. 14"),
        "{}",
        rules[0]
    );
    assert_eq!(rules[0]["formula"]["tipo"], "tariffa");
    assert!(rules[0]["eligibility"].is_object());

    // Another organization's id, a malformed one and no token.
    let r = get(
        &state,
        &op_token,
        &format!("/api/v1/prestazioni/{}", Uuid::now_v7()),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    documented(&doc, "get", "/api/v1/prestazioni/{id}", &r);
    let r = get(&state, &op_token, "/api/v1/prestazioni/non-un-id").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&state, Method::GET, "/api/v1/prestazioni", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    documented(&doc, "get", "/api/v1/prestazioni", &r);
    assert_eq!(r.json()["detail"], "Accesso richiesto");
}

async fn an_application_is_filed_read_and_moved_into_review_by_json(state: AppState) {
    let doc = openapi(&state).await;
    let (resp, mut op, op_token) = office(&state).await;
    let person = register_rossi(&mut op).await;
    let attestation = attest(&state, &mut op, &format!("/persone/{person}")).await;
    let mensa = benefit_id(&state, "mensa").await;

    let r = post(
        &state,
        &op_token,
        "/api/v1/istanze",
        &json!({
            "person_id": person,
            "benefit_id": mensa,
            "attestation_id": attestation,
            "units": 20,
            "months": "9",
            "email": "mario.rossi@example.org",
            "submit": true,
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze", &r);
    let created = r.json();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(r.location, format!("/api/v1/istanze/{id}"));
    let protocol = format!("{}/000001", today(state.clock.now()).year());
    assert_eq!(created["protocol"], protocol.as_str());
    assert_eq!(created["state"], "presentata");
    assert_eq!(created["channel"], "sportello");
    assert_eq!(created["mail"]["status"], "not_configured");

    // Read back with the rules' outcome: the second band, 3,50 € a meal, 20 meals a month.
    let r = get(&state, &op_token, &r.location).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/istanze/{id}", &r);
    let a = r.json();
    assert_eq!(a["person"]["codice_fiscale"], ROSSI_CF);
    assert_eq!(a["person"]["surname"], "Rossi");
    assert_eq!(a["benefit"]["code"], "mensa");
    assert_eq!(a["attestation_id"], attestation.as_str());
    assert_eq!(a["declared"]["units"], 20);
    assert_eq!(a["declared"]["months"], 9);
    assert_eq!(a["outcome"]["eligible"], true, "{}", a["outcome"]);
    assert_eq!(a["outcome"]["amount"]["kind"], "compartecipazione");
    assert_eq!(a["outcome"]["amount"]["value"], 7000);
    assert_eq!(a["amount_cents"], 7000);
    assert!(
        a["outcome"]["citation"]
            .as_str()
            .unwrap()
            .contains("art. 14")
    );
    assert_eq!(a["submitted_on"], today(state.clock.now()).to_string());
    // The counter may start the review, not archive (a decision).
    assert_eq!(a["next_states"], json!(["in_istruttoria"]));
    let r = get(&state, &resp, &format!("/api/v1/istanze/{id}")).await;
    assert_eq!(
        r.json()["next_states"],
        json!(["in_istruttoria", "archiviata"])
    );
    assert_eq!(a["history"].as_array().unwrap().len(), 1);
    assert_eq!(a["history"][0]["to"], "presentata");
    assert_eq!(a["history"][0]["from"], Value::Null);

    let r = post(
        &state,
        &op_token,
        &format!("/api/v1/istanze/{id}/stato"),
        &json!({ "to": "in_istruttoria", "note": "", "version": a["version"] }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze/{id}/stato", &r);
    let moved = r.json();
    assert_eq!(moved["state"], "in_istruttoria");
    assert_eq!(
        moved["version"].as_i64().unwrap(),
        a["version"].as_i64().unwrap() + 1
    );
    assert_eq!(moved["history"].as_array().unwrap().len(), 2);
    assert_eq!(moved["history"][1]["from"], "presentata");
    assert_eq!(moved["history"][1]["actor"], "sportello");

    // The list, filtered.
    let r = get(&state, &op_token, "/api/v1/istanze?lista=da-istruire").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/istanze", &r);
    let l = r.json();
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    assert_eq!(l["items"][0]["id"], id.as_str());
    assert_eq!(
        (l["limit"].as_i64(), l["more"].as_bool()),
        (Some(50), Some(false))
    );
    let r = get(
        &state,
        &op_token,
        &format!("/api/v1/istanze?stato=presentata&prestazione={mensa}"),
    )
    .await;
    assert_eq!(r.json()["items"], json!([]));
    let r = get(
        &state,
        &op_token,
        "/api/v1/istanze?stato=in_istruttoria&limit=1",
    )
    .await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    // The search box's words: a protocol, a codice fiscale, a name.
    for (q, found) in [
        (protocol.as_str(), 1),
        (ROSSI_CF, 1),
        ("mario%20rossi", 1),
        ("bianchi", 0),
    ] {
        let r = get(&state, &op_token, &format!("/api/v1/istanze?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        assert_eq!(r.json()["items"].as_array().unwrap().len(), found, "{q}");
    }
    for bad in [
        "lista=tutto",
        "stato=boh",
        "limit=501",
        "limit=0",
        "offset=-1",
        "prestazione=x",
        "prestazione=",
        "limit=",
    ] {
        let r = get(&state, &op_token, &format!("/api/v1/istanze?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        documented(&doc, "get", "/api/v1/istanze", &r);
        assert!(
            r.json()["detail"]
                .as_str()
                .unwrap()
                .starts_with("Parametro «"),
            "{}",
            r.body
        );
    }
}

async fn wrong_transitions_stale_versions_and_bad_bodies_are_refused_in_italian(state: AppState) {
    let doc = openapi(&state).await;
    let (resp, mut op, op_token) = office(&state).await;
    register_rossi(&mut op).await;
    let sad = benefit_id(&state, "sad").await;

    // A draft, filed by codice fiscale (lower case is fine).
    let r = post(
        &state,
        &op_token,
        "/api/v1/istanze",
        &json!({ "codice_fiscale": ROSSI_CF.to_lowercase(), "benefit_id": sad, "units": "10", "submit": false }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let draft = r.json();
    assert_eq!(
        (draft["state"].as_str(), draft["protocol"].as_null()),
        (Some("bozza"), Some(()))
    );
    let path = format!("/api/v1/istanze/{}/stato", draft["id"].as_str().unwrap());

    // Wrong state: 422 with the reason, on the field "to".
    let r = post(
        &state,
        &op_token,
        &path,
        &json!({ "to": "accolta", "version": 1 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze/{id}/stato", &r);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(r.fields(), ["to"]);
    assert_eq!(
        r.json()["errors"][0]["message"],
        "una domanda bozza non può diventare accolta"
    );
    // Stale version: 409.
    let r = post(
        &state,
        &op_token,
        &path,
        &json!({ "to": "presentata", "version": 7 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze/{id}/stato", &r);
    assert!(
        r.json()["detail"].as_str().unwrap().contains("modificata"),
        "{}",
        r.body
    );
    // Missing version and unknown fields: 422 naming them.
    let r = post(
        &state,
        &op_token,
        &path,
        &json!({ "to": "presentata", "colore": "blu" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(fields, ["colore", "version"]);
    // Submitted now; archiving is a decision the counter may not take: 403.
    let r = post(
        &state,
        &op_token,
        &path,
        &json!({ "to": "presentata", "version": "1" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json()["version"].clone();
    let r = post(
        &state,
        &op_token,
        &path,
        &json!({ "to": "archiviata", "note": "rinuncia", "version": v }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze/{id}/stato", &r);
    // The responsabile may, but a reason is required.
    let r = post(
        &state,
        &resp,
        &path,
        &json!({ "to": "archiviata", "version": v }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.fields(), ["note"]);
    let r = post(
        &state,
        &op_token,
        &format!("/api/v1/istanze/{}/stato", Uuid::now_v7()),
        &json!({ "to": "presentata", "version": 1 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    documented(&doc, "post", "/api/v1/istanze/{id}/stato", &r);

    // Bodies that are not JSON, or not an object, or not declared as JSON.
    for (body, status) in [
        ("{\"benefit_id\": ", StatusCode::BAD_REQUEST),
        ("non è json", StatusCode::BAD_REQUEST),
        ("", StatusCode::BAD_REQUEST),
        ("[1, 2]", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = call(
            &state,
            Method::POST,
            "/api/v1/istanze",
            Some(&op_token),
            Some(("application/json", body)),
        )
        .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        documented(&doc, "post", "/api/v1/istanze", &r);
        let detail = r.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("JSON"), "{detail}");
        assert!(!detail.contains("expected"), "no serde message: {detail}");
    }
    let r = call(
        &state,
        Method::POST,
        "/api/v1/istanze",
        Some(&op_token),
        Some(("text/plain", "{}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze", &r);

    // Field errors: each named as in the JSON body, in Italian.
    let r = post(
        &state,
        &op_token,
        "/api/v1/istanze",
        &json!({ "benefit_id": "x", "units": "tanti", "months": 99, "submit": "sì", "email": "no", "colore": 1 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    documented(&doc, "post", "/api/v1/istanze", &r);
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "benefit_id",
            "codice_fiscale",
            "colore",
            "email",
            "months",
            "submit",
            "units"
        ]
    );
    let body = r.json();
    let message = |f: &str| {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == f)
            .unwrap()["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        message("units").contains("non è un numero intero"),
        "{body}"
    );
    assert!(message("months").contains("da 1 a 36"), "{body}");
    assert!(
        message("codice_fiscale").contains("indicare il richiedente"),
        "{body}"
    );
    assert!(message("submit").contains("true o false"), "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .starts_with("I dati inviati non sono validi")
    );
    // An unknown person and benefit; an attestation that is not the applicant's.
    let r = post(
        &state,
        &op_token,
        "/api/v1/istanze",
        &json!({ "person_id": Uuid::now_v7().to_string(), "benefit_id": Uuid::now_v7().to_string(), "submit": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(fields, ["benefit_id", "person_id"]);
    let r = post(
        &state,
        &op_token,
        "/api/v1/istanze",
        &json!({ "codice_fiscale": ROSSI_CF, "benefit_id": sad, "attestation_id": Uuid::now_v7().to_string(), "submit": true }),
    )
    .await;
    assert_eq!(r.fields(), ["attestation_id"], "{}", r.body);
}

async fn a_caf_operators_token_sees_only_their_own_applications(state: AppState) {
    let doc = openapi(&state).await;
    let (_resp, mut op, op_token) = office(&state).await;
    register_rossi(&mut op).await;
    let mut caf = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf.uno",
        Role::OperatoreCaf,
    )
    .await;
    let caf_token = api_token(&mut caf).await;
    let mut other = staff(
        &state,
        "comune-bergamo",
        "016024",
        "caf.due",
        Role::OperatoreCaf,
    )
    .await;
    let other_token = api_token(&mut other).await;
    let sad = benefit_id(&state, "sad").await;

    // The CAF files by codice fiscale; the channel is the CAF's whatever is sent.
    let r = post(
        &state,
        &caf_token,
        "/api/v1/istanze",
        &json!({ "codice_fiscale": ROSSI_CF, "benefit_id": sad, "units": 10, "channel": "sportello", "submit": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mine = r.json();
    assert_eq!(mine["channel"], "caf");
    let mine_id = mine["id"].as_str().unwrap().to_owned();
    // The counter files another one.
    let r = post(
        &state,
        &op_token,
        "/api/v1/istanze",
        &json!({ "codice_fiscale": ROSSI_CF, "benefit_id": sad, "units": 5, "submit": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let counter_id = r.json()["id"].as_str().unwrap().to_owned();

    let ids = |a: &Answer| -> Vec<String> {
        a.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = get(&state, &caf_token, "/api/v1/istanze").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/istanze", &r);
    assert_eq!(ids(&r), std::slice::from_ref(&mine_id));
    let r = get(&state, &other_token, "/api/v1/istanze").await;
    assert_eq!(ids(&r), Vec::<String>::new());
    let r = get(&state, &op_token, "/api/v1/istanze").await;
    assert_eq!(ids(&r).len(), 2);

    assert_eq!(
        get(&state, &caf_token, &format!("/api/v1/istanze/{mine_id}"))
            .await
            .status,
        StatusCode::OK
    );
    let r = get(&state, &caf_token, &format!("/api/v1/istanze/{counter_id}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    documented(&doc, "get", "/api/v1/istanze/{id}", &r);
    let r = get(&state, &other_token, &format!("/api/v1/istanze/{mine_id}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The catalogue is readable by the CAF too; a review step is not theirs.
    assert_eq!(
        get(&state, &caf_token, "/api/v1/prestazioni").await.status,
        StatusCode::OK
    );
    let version = mine["version"].clone();
    let r = post(
        &state,
        &caf_token,
        &format!("/api/v1/istanze/{mine_id}/stato"),
        &json!({ "to": "in_istruttoria", "version": version }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

async fn the_openapi_document_describes_every_route_the_router_serves(state: AppState) {
    let doc = openapi(&state).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );

    // The document's operations are exactly the list, both ways.
    let mut listed: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            listed.push((method.clone(), path.clone()));
        }
    }
    listed.sort();
    let mut expected: Vec<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(listed, expected, "document and list of operations differ");

    // The router serves each documented method and no other: 405 is the router's answer to
    // a path it knows with a method it does not, 404 to a path it does not know.
    let sample = Uuid::now_v7().to_string();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{id}", &sample).replace("{cf}", ROSSI_CF);
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let r = call(&state, method.clone(), &concrete, None, None).await;
            let name = method.as_str().to_lowercase();
            if item.get(&name).is_some() {
                assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                assert_ne!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
                documented(&doc, &name, path, &r);
            } else {
                assert_eq!(
                    r.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path}: {}",
                    r.body
                );
            }
        }
    }
    let r = call(&state, Method::GET, "/api/v1/non-esiste", None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Every operation: a unique id, the problem answers, and a 401 unless public.
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), OPERATIONS.len());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let public = op.get("security") == Some(&json!([]));
            for code in ["401", "403", "500", "503"] {
                assert_eq!(
                    responses.contains_key(code),
                    !public,
                    "{method} {path} {code}"
                );
            }
            if path.contains("{id}") {
                assert!(responses.contains_key("404"), "{method} {path}");
                for p in op["parameters"].as_array().unwrap() {
                    assert!(
                        path.contains(&format!("{{{}}}", p["name"].as_str().unwrap()))
                            || p["in"] == "query"
                    );
                }
            }
            if method == "post" {
                for code in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(code), "{method} {path} {code}");
                }
            }
            for (_, r) in responses {
                resolve(&doc, r);
            }
        }
    }
    // Every reference resolves.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50);
    for r in all {
        resolve(&doc, &json!({ "$ref": r }));
    }

    // With a token, the existing routes answer as documented too.
    let (_resp, _op, op_token) = office(&state).await;
    for path in [
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/codice-fiscale/{cf}",
    ] {
        let r = get(&state, &op_token, &path.replace("{cf}", "RSSMRA85T10A475X")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        documented(&doc, "get", path, &r);
    }
    let r = get(&state, &op_token, "/api/v1/audit").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    documented(&doc, "get", "/api/v1/audit", &r);
    let org = org_id(&state).await;
    let r = get(&state, &op_token, &format!("/api/v1/organizations/{org}")).await;
    documented(&doc, "get", "/api/v1/organizations/{id}", &r);
    let mut adm = Client::new(&state);
    adm.login_fully("admin", crate::support::ADMIN_PASSWORD)
        .await;
    let adm_token = api_token(&mut adm).await;
    for path in ["/api/v1/users", "/api/v1/organizations"] {
        let r = get(&state, &adm_token, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        documented(&doc, "get", path, &r);
    }
    let users = get(&state, &adm_token, "/api/v1/users").await.json();
    let uid = users[0]["id"].as_str().unwrap();
    let r = get(&state, &adm_token, &format!("/api/v1/users/{uid}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/users/{id}", &r);
    let mut rev = staff(
        &state,
        "comune-bergamo",
        "016024",
        "revisore",
        Role::Revisore,
    )
    .await;
    let rev_token = api_token(&mut rev).await;
    let r = get(&state, &rev_token, "/api/v1/audit?limit=5").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    documented(&doc, "get", "/api/v1/audit", &r);
    let r = get(&state, &rev_token, "/api/v1/audit?limit=tanti").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    documented(&doc, "get", "/api/v1/audit", &r);
}
