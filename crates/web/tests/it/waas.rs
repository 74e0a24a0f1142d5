//! The WaaS API for INPS (`/waas/{ente}/v1`), on SQLite and PostgreSQL:
//! - a month delivered goes to INPS as an insertion, a correction after the amount changes,
//!   again when INPS rejected it and the responsabile asks, and a cancellation when the
//!   delivery is annulled; nothing twice unchanged; outcomes shown per month; every reading
//!   and outcome logged;
//! - the contract: every answer of the three operations checked against the schemas of INPS's
//!   `api-comuni.yaml` (copied in `waas/`), with a valid voucher and refused (401
//!   problem+json) with a forged, expired or foreign one, bad parameters named (400), the
//!   quota counted in the headers and enforced (429).

use crate::istanze_fixtures::assert_redirect;
use crate::siuss::{Delivered, a_month_delivered, periodo, save_settings};
use crate::support::{Client, Response};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine as _;
use domain::siuss::{Flow, validate_document};
use oidc::{Jwks, KeyUse, RsaKey};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use store::{AuditFilter, AuditStore};
use web::AppState;
use web::waas::{WaasConfig, WaasEnte};

on_both!(
    a_correction_and_a_cancellation_round_trip_through_flussi_and_esiti,
    the_api_keeps_to_api_comuni_yaml_and_opens_only_to_a_pdnd_voucher,
);

const ISSUER: &str = "interop.pagopa.it";
const AUDIENCE: &str = "https://sportello.comune.bergamo.it/waas/comune-bergamo/v1";
const BASE: &str = "/waas/comune-bergamo/v1";

/// One PDND key for the whole test binary (generating RSA keys is slow).
static PDND: LazyLock<RsaKey> = LazyLock::new(|| RsaKey::generate().expect("key"));

/// The application with the WaaS API of `comune-bergamo` open to the PDND's vouchers.
fn with_waas(state: &AppState, per_minute: u32) -> AppState {
    let waas = WaasConfig {
        issuer: ISSUER.into(),
        keys: Jwks {
            keys: vec![PDND.public_jwk(KeyUse::Sig)],
        },
        per_minute,
        enti: HashMap::from([(
            "comune-bergamo".to_owned(),
            WaasEnte {
                audience: AUDIENCE.into(),
                clients: vec![],
            },
        )]),
    };
    AppState {
        config: Arc::new(web::WebConfig {
            waas: Some(waas),
            ..(*state.config).clone()
        }),
        ..state.clone()
    }
}

fn voucher_with(key: &RsaKey, state: &AppState, changes: Value) -> String {
    let now = state.clock.now().unix_timestamp();
    let mut claims = json!({ "iss": ISSUER, "aud": AUDIENCE, "client_id": "inps-siuss",
                             "purposeId": "siuss", "jti": "j", "iat": now, "nbf": now,
                             "exp": now + 600 });
    for (k, v) in changes.as_object().into_iter().flatten() {
        claims[k] = v.clone();
    }
    oidc::pdnd::sign_voucher(key, &claims).expect("voucher")
}

fn voucher(state: &AppState) -> String {
    voucher_with(&PDND, state, json!({}))
}

async fn call(
    inps: &mut Client,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::ACCEPT, "application/json");
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    inps.send(req.body(body).expect("request")).await
}

/// GET /flussi after `since`: the entries.
async fn flussi(inps: &mut Client, token: &str, since: i64) -> Vec<Value> {
    let r = call(
        inps,
        "GET",
        &format!("{BASE}/flussi?since={since}&limit=100"),
        token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).expect("json");
    v["elenco_flussi"]
        .as_array()
        .cloned()
        .expect("elenco_flussi")
}

/// The XML of an entry, checked against INPS's schema.
fn xml_of(entry: &Value) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(entry["flusso"].as_str().expect("flusso"))
        .expect("base64");
    let xml = String::from_utf8(bytes).expect("utf-8");
    assert_eq!(
        validate_document(Flow::PsPsaSina, &xml),
        Vec::<String>::new(),
        "{xml}"
    );
    xml
}

/// `ts_flusso` in milliseconds, as INPS passes it back in `since`.
fn ts_of(entry: &Value) -> i64 {
    let t = time::OffsetDateTime::parse(
        entry["ts_flusso"].as_str().expect("ts_flusso"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("rfc 3339");
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

async fn esito(inps: &mut Client, token: &str, entry: &Value, code: &str, detail: Option<&str>) {
    let mut e = json!({ "id_flusso": entry["id_flusso"], "tipo": entry["tipo"],
                        "ts_flusso": entry["ts_flusso"], "ts_acquisizione": "2026-12-01T10:00:00.000Z",
                        "codice_esito": code });
    if code == "OK" {
        e["id_acquisizione_siuss"] = json!("22738");
    }
    if let Some(d) = detail {
        e["descrizione_esito"] = json!(d);
    }
    let r = call(
        inps,
        "POST",
        &format!("{BASE}/esiti"),
        token,
        Some(json!({ "elenco_esiti": [e] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
}

async fn dashboard(resp: &mut Client, periodo: &str) -> Response {
    let r = resp.get(&format!("/siuss?periodo={periodo}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

async fn a_correction_and_a_cancellation_round_trip_through_flussi_and_esiti(state: AppState) {
    let Delivered {
        mut resp,
        mut op,
        app,
        org,
        months,
    } = a_month_delivered(&state).await;
    let month = &months[0];
    let periodo = periodo(month.month);
    let state = with_waas(&state, 1000);
    let mut inps = Client::new(&state);
    let token = voucher(&state);

    // Before the ente's settings nothing is made: the record could not name the ente.
    assert!(flussi(&mut inps, &token, 0).await.is_empty());
    assert_redirect(&save_settings(&mut resp, &periodo).await);
    // The responsabile opens the month: the record is made and waits for INPS.
    let page = dashboard(&mut resp, &periodo).await;
    assert_eq!(page.text("#invio-pronti"), "1");

    let first = flussi(&mut inps, &token, 0).await;
    assert_eq!(first.len(), 1, "{first:?}");
    let insert = &first[0];
    assert_eq!(insert["tipo"], "PS_PSA_SINA");
    assert_eq!(insert["codice_ente"], "A794");
    assert!(
        insert["id_flusso"]
            .as_str()
            .unwrap()
            .starts_with("A794.PSA.")
    );
    let xml = xml_of(insert);
    assert!(
        xml.contains("TipoOperazione=\"I\"") && xml.contains("ImportoQuotaUtente=\"63.00\""),
        "{xml}"
    );
    // Read once, it is not handed again after INPS's `since`.
    let since = ts_of(insert);
    assert!(flussi(&mut inps, &token, since).await.is_empty());
    assert_eq!(
        dashboard(&mut resp, &periodo).await.text("#invio-letti"),
        "1"
    );
    esito(&mut inps, &token, insert, "OK", None).await;
    let page = dashboard(&mut resp, &periodo).await;
    assert_eq!(page.text("#invio-acquisiti"), "1");
    assert_eq!(page.text("#invio-pronti"), "0");

    // The co-payment corrected: a correction, sent at once after the save.
    let r = op
        .post(
            &format!("{app}/erogazioni/{}", month.id),
            &[
                ("quantity", "18"),
                ("amount", "0"),
                ("co_payment", "70,00"),
                ("version", "2"),
            ],
        )
        .await;
    assert_redirect(&r);
    let second = flussi(&mut inps, &token, since).await;
    assert_eq!(second.len(), 1, "{second:?}");
    let correction = &second[0];
    assert_ne!(correction["id_flusso"], insert["id_flusso"]);
    let xml = xml_of(correction);
    assert!(
        xml.contains("TipoOperazione=\"I\"") && xml.contains("ImportoQuotaUtente=\"70.00\""),
        "{xml}"
    );
    let since = ts_of(correction);
    assert!(since > ts_of(insert));

    // INPS rejects it; the responsabile sees why and sends it again as it is.
    esito(
        &mut inps,
        &token,
        correction,
        "DATI_NON_TROVATI",
        Some("Prestazione non presente in banca dati"),
    )
    .await;
    let page = dashboard(&mut resp, &periodo).await;
    assert_eq!(page.text("#invio-respinti"), "1");
    let rejected = page.text("#respinti-siuss");
    assert!(
        rejected.contains("Prestazione non presente in banca dati")
            && rejected.contains("Rossi Mario"),
        "{rejected}"
    );
    let action = page.attr("#respinti-siuss form", "action");
    assert!(action.ends_with("/reinvia"), "{action}");
    // Nothing is sent again by itself while the data stay the same.
    assert!(flussi(&mut inps, &token, since).await.is_empty());
    let r = resp.post(&action, &[("periodo", &periodo)]).await;
    assert_redirect(&r);
    let third = flussi(&mut inps, &token, since).await;
    assert_eq!(third.len(), 1);
    assert!(xml_of(&third[0]).contains("ImportoQuotaUtente=\"70.00\""));
    let since = ts_of(&third[0]);
    esito(&mut inps, &token, &third[0], "OK", None).await;
    // Asked again, the same flow is not the last rejected any more: refused.
    assert_eq!(
        resp.post(&action, &[("periodo", &periodo)]).await.status,
        StatusCode::BAD_REQUEST
    );

    // The delivery annulled: the record INPS holds is cancelled, once.
    let r = op
        .post(
            &format!("{app}/erogazioni/{}/annulla", month.id),
            &[("version", "3")],
        )
        .await;
    assert_redirect(&r);
    let fourth = flussi(&mut inps, &token, since).await;
    assert_eq!(fourth.len(), 1);
    let xml = xml_of(&fourth[0]);
    assert!(
        xml.contains("TipoOperazione=\"C\"") && xml.contains("ImportoQuotaUtente=\"70.00\""),
        "{xml}"
    );
    let since = ts_of(&fourth[0]);
    dashboard(&mut resp, &periodo).await;
    assert!(
        flussi(&mut inps, &token, since).await.is_empty(),
        "nothing twice"
    );

    // Logged: the flows made, the outcomes, INPS's readings (in the read log).
    state.reads.flush().await;
    let count = |action: &'static str| {
        let store = state.store.clone();
        async move {
            store
                .list_audit(&AuditFilter {
                    org_id: Some(org),
                    action: Some(action.into()),
                    limit: 50,
                    ..AuditFilter::default()
                })
                .await
                .unwrap()
        }
    };
    let made = count("siuss.flows").await;
    assert_eq!(made.len(), 3, "insertion, correction, cancellation");
    assert!(made.iter().any(|a| a.summary.contains("1 rettifiche")));
    assert_eq!(count("siuss.resend").await.len(), 1);
    assert_eq!(count("siuss.esiti").await.len(), 3);
    let reads = count("siuss.flussi").await;
    assert_eq!(reads.len(), 4, "each reading with flows");
    assert!(
        reads[0].summary.contains("inps-siuss"),
        "{}",
        reads[0].summary
    );
}

/// INPS's description, as JSON.
static OPENAPI: LazyLock<Value> = LazyLock::new(|| {
    serde_saphyr::from_str(include_str!("waas/api-comuni.yaml")).expect("api-comuni.yaml")
});

/// Checks `body` against the schema at `pointer` of the description (`#/components/…`),
/// with the description's own draft (OpenAPI 3.0: JSON Schema draft 4 semantics).
fn conforms(body: &str, pointer: &str) {
    let instance: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let mut schema = json!({ "components": OPENAPI["components"].clone() });
    schema["$ref"] = json!(pointer);
    let validator = jsonschema::draft4::new(&schema).expect("schema");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{pointer}: {errors:?} in {body}");
}

/// The schema of an operation's answer, from the description: its content type and pointer.
fn declared(path: &str, method: &str, status: StatusCode) -> (String, String) {
    let responses = &OPENAPI["paths"][path][method]["responses"];
    let mut r = responses
        .get(status.as_str())
        .or_else(|| responses.get("default"))
        .unwrap_or_else(|| panic!("{method} {path}: {status} not declared"))
        .clone();
    if let Some(reference) = r.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/responses/");
        r = OPENAPI["components"]["responses"][name].clone();
    }
    let content = r["content"].as_object().expect("content");
    let (kind, media) = content.iter().next().expect("media type");
    (
        kind.clone(),
        media["schema"]["$ref"]
            .as_str()
            .expect("schema ref")
            .to_owned(),
    )
}

fn keeps_to(r: &Response, path: &str, method: &str) {
    let (kind, pointer) = declared(path, method, r.status);
    let got = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        got.starts_with(&kind),
        "{method} {path} {}: {got} instead of {kind}",
        r.status
    );
    conforms(&r.body, &pointer);
}

fn problem(r: &Response, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json"),
        "{:?}",
        r.headers
    );
    conforms(&r.body, "#/components/schemas/Problem");
}

async fn the_api_keeps_to_api_comuni_yaml_and_opens_only_to_a_pdnd_voucher(state: AppState) {
    let d = a_month_delivered(&state).await;
    let p = periodo(d.months[0].month);
    let mut resp = d.resp;
    assert_redirect(&save_settings(&mut resp, &p).await);
    dashboard(&mut resp, &p).await;
    let state = with_waas(&state, 4);
    let mut inps = Client::new(&state);
    let token = voucher(&state);

    let r = call(&mut inps, "GET", &format!("{BASE}/status"), &token, None).await;
    assert_eq!(r.status, StatusCode::OK);
    keeps_to(&r, "/status", "get");

    let r = call(
        &mut inps,
        "GET",
        &format!("{BASE}/flussi?since=0"),
        &token,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    keeps_to(&r, "/flussi", "get");
    assert_eq!(r.headers["x-ratelimit-limit"], "4");
    assert_eq!(r.headers["x-ratelimit-remaining"], "3");
    let entries: Value = serde_json::from_str(&r.body).unwrap();
    let entry = entries["elenco_flussi"][0].clone();
    assert!(entry.is_object(), "{}", r.body);
    // The declared example of an empty answer.
    let r = call(
        &mut inps,
        "GET",
        &format!("{BASE}/flussi?since={}", ts_of(&entry)),
        &token,
        None,
    )
    .await;
    assert_eq!(r.body, r#"{"elenco_flussi":[]}"#);
    keeps_to(&r, "/flussi", "get");

    // Bad parameters: 400, named.
    let r = call(
        &mut inps,
        "GET",
        &format!("{BASE}/flussi?since=0&limit=101"),
        &token,
        None,
    )
    .await;
    problem(&r, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Limit «101»"), "{}", r.body);
    keeps_to(&r, "/flussi", "get");

    // The outcomes: 204; a malformed one is refused with its field named.
    let ok = json!({ "elenco_esiti": [{ "id_flusso": entry["id_flusso"], "tipo": "PS_PSA_SINA",
        "ts_flusso": entry["ts_flusso"], "ts_acquisizione": entry["ts_flusso"], "codice_esito": "OK",
        "id_acquisizione_siuss": "1" }] });
    let r = call(
        &mut inps,
        "POST",
        &format!("{BASE}/esiti"),
        &token,
        Some(ok.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mut bad = ok.clone();
    bad["elenco_esiti"][0]["codice_esito"] = json!("FORSE");
    let esiti = format!("{BASE}/esiti");
    // The quota of 4 a minute is spent: 429 with Retry-After.
    let r = call(&mut inps, "POST", &esiti, &token, Some(bad.clone())).await;
    problem(&r, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(r.headers["x-ratelimit-remaining"], "0");

    // A fresh quota for the refusals below (another client id counts apart).
    let state = with_waas(&state, 100);
    let mut inps = Client::new(&state);
    let token = voucher(&state);
    let r = call(&mut inps, "POST", &esiti, &token, Some(bad)).await;
    problem(&r, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("codice_esito"), "{}", r.body);
    let r = call(
        &mut inps,
        "POST",
        &format!("{BASE}/esiti"),
        &token,
        Some(json!("non un elenco")),
    )
    .await;
    problem(&r, StatusCode::BAD_REQUEST);

    // Without a valid voucher: 401 problem+json, nothing read, for every operation.
    let foreign = RsaKey::generate().expect("key");
    let now = state.clock.now().unix_timestamp();
    let refused = [
        "".to_owned(),
        "non-un-jwt".to_owned(),
        voucher_with(&foreign, &state, json!({})),
        voucher_with(
            &PDND,
            &state,
            json!({ "aud": "https://altro.example/waas/v1" }),
        ),
        voucher_with(
            &PDND,
            &state,
            json!({ "iss": "https://attaccante.example" }),
        ),
        voucher_with(
            &PDND,
            &state,
            json!({ "exp": now - 3600, "iat": now - 7200, "nbf": now - 7200 }),
        ),
    ];
    for bad in &refused {
        for (method, path) in [("GET", "/flussi?since=0"), ("POST", "/esiti")] {
            let body = (method == "POST").then(|| ok.clone());
            let r = call(&mut inps, method, &format!("{BASE}{path}"), bad, body).await;
            problem(&r, StatusCode::UNAUTHORIZED);
            assert!(r.headers.contains_key(header::WWW_AUTHENTICATE));
            assert!(!r.body.contains("elenco_flussi"));
        }
    }
    // Another ente's path, or one without WaaS settings: 404, as if absent.
    for path in ["/waas/comune-altro/v1/flussi?since=0", "/waas/Z!/v1/status"] {
        problem(
            &call(&mut inps, "GET", path, &token, None).await,
            StatusCode::NOT_FOUND,
        );
    }
    // Without `[waas]` at all the API is not there.
    let mut plain = Client::new(&state_without_waas(&state));
    problem(
        &call(
            &mut plain,
            "GET",
            &format!("{BASE}/flussi?since=0"),
            &token,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    );
    // The office's session does not open it either.
    resp.state = state.clone();
    problem(
        &resp.get(&format!("{BASE}/flussi?since=0")).await,
        StatusCode::UNAUTHORIZED,
    );
}

fn state_without_waas(state: &AppState) -> AppState {
    AppState {
        config: Arc::new(web::WebConfig {
            waas: None,
            ..(*state.config).clone()
        }),
        ..state.clone()
    }
}
