//! The comune's WaaS API for INPS (`api-comuni.yaml`, «API WAAS-SIUSS-Alimentazione» 2.0.1),
//! served under `/waas/{ente}/v1` for every ente configured in `[waas]`:
//!
//! - `GET /flussi?since&limit`: the SIUSS flows made after `since` (ms), oldest first, each
//!   with its XML in base64; an empty list when nothing changed.
//! - `POST /esiti`: INPS's outcomes of the flows it read.
//! - `GET /status`: problem+json, 200 when the service and its database answer.
//!
//! Only a PDND voucher opens it (pattern AUTH_REST_01): an RS256 token of the PDND's keys
//! whose audience is this ente's e-service (`oidc::pdnd`). Calls are counted per client in
//! windows of a minute and every answer says how many are left (`X-RateLimit-*`); every
//! refusal is problem+json. An ente without WaaS settings answers 404, as if absent.

use crate::AppState;
use crate::error::problem;
use app::siuss_exchange::{self, Caller};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use domain::org::OrgCode;
use domain::siuss::exchange::Outcome;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use store::{HealthStore, OrgStore, Organization, SiussOutcome, SiussStore};

/// Where the API is mounted, before the ente's code.
pub const PREFIX: &str = "/waas";
/// `limit` when INPS gives none, and the most it may ask (`api-comuni.yaml`).
const DEFAULT_LIMIT: i64 = 10;
const MAX_LIMIT: i64 = 100;

/// The API's settings: the PDND's issuer and keys, and the e-service of each ente.
#[derive(Debug, Clone)]
pub struct WaasConfig {
    pub issuer: String,
    pub keys: oidc::Jwks,
    /// Calls a client may make in a minute.
    pub per_minute: u32,
    /// By ente code (the organization's code, lowercase).
    pub enti: HashMap<String, WaasEnte>,
}

/// One ente's e-service on the PDND.
#[derive(Debug, Clone)]
pub struct WaasEnte {
    /// The e-service's audience (`aud` of the vouchers).
    pub audience: String,
    /// INPS's client ids; empty for any client the PDND authorized.
    pub clients: Vec<String>,
}

/// Calls per client in its current minute. Kept in the process: with two servers INPS may
/// make up to twice the limit, which the limit (a courtesy to the database) tolerates.
#[derive(Debug, Default)]
pub struct RateLimiter(Mutex<HashMap<String, (i64, u32)>>);

/// Where a client stands in its window.
#[derive(Debug, Clone, Copy)]
struct Quota {
    limit: u32,
    remaining: u32,
    reset_s: i64,
    allowed: bool,
}

impl RateLimiter {
    /// Counts a call of `client` at `now_s`: a client's minute starts at its first call.
    fn take(&self, client: &str, limit: u32, now_s: i64) -> Quota {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Ended minutes go, so the map holds one entry per client active in the last minute.
        map.retain(|_, (start, _)| now_s - *start < 60);
        let (start, used) = map.entry(client.to_owned()).or_insert((now_s, 0));
        let allowed = *used < limit;
        if allowed {
            *used += 1;
        }
        Quota {
            limit,
            remaining: limit.saturating_sub(*used),
            reset_s: *start + 60 - now_s,
            allowed,
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/waas/{ente}/v1/status", get(status))
        .route("/waas/{ente}/v1/flussi", get(flussi))
        .route("/waas/{ente}/v1/esiti", post(esiti))
}

/// A refusal, as problem+json.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut r = problem(self.0, &self.1, None);
        if self.0 == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        r
    }
}

impl From<app::Error> for Refusal {
    fn from(e: app::Error) -> Self {
        let status = match &e {
            app::Error::NotFound => StatusCode::NOT_FOUND,
            app::Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            app::Error::Unavailable | app::Error::Busy => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let detail = if status.is_server_error() {
            tracing::error!(error = %e, "WaaS SIUSS");
            "errore interno: riprovare più tardi".to_owned()
        } else {
            e.to_string()
        };
        Refusal(status, detail)
    }
}

impl From<store::StoreError> for Refusal {
    fn from(e: store::StoreError) -> Self {
        app::Error::from(e).into()
    }
}

fn not_found() -> Refusal {
    Refusal(
        StatusCode::NOT_FOUND,
        "nessun servizio WaaS per questo ente".into(),
    )
}

/// The ente of the path, if it has WaaS settings and exists.
async fn ente(state: &AppState, code: &str) -> Result<(Organization, WaasEnte), Refusal> {
    let config = state.config.waas.as_ref().ok_or_else(not_found)?;
    let code = OrgCode::parse(code).map_err(|_| not_found())?;
    let settings = config.enti.get(code.as_str()).ok_or_else(not_found)?;
    let org = match state.store.get_org_by_code(&code).await {
        Ok(o) if o.active => o,
        Ok(_) | Err(store::StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    Ok((org, settings.clone()))
}

/// The PDND voucher of the request, checked for the ente's e-service, and the client's quota
/// taken: the caller, or the refusal (401, 429).
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    settings: &WaasEnte,
) -> Result<(Caller, Quota), Box<Response>> {
    let Some(config) = state.config.waas.as_ref() else {
        return Err(Box::new(not_found().into_response()));
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            Refusal(
                StatusCode::UNAUTHORIZED,
                "manca il voucher PDND (Authorization: Bearer)".into(),
            )
            .into_response()
        })
        .map_err(Box::new)?;
    let expected = oidc::pdnd::Expected {
        issuer: &config.issuer,
        audience: &settings.audience,
        clients: &settings.clients,
    };
    let voucher = oidc::pdnd::verify_voucher(token, &config.keys, &expected, state.clock.now())
        .map_err(|e| {
            tracing::warn!(error = %e, "voucher PDND rifiutato");
            Refusal(
                StatusCode::UNAUTHORIZED,
                "voucher PDND non valido per questo e-service".into(),
            )
            .into_response()
        })
        .map_err(Box::new)?;
    let quota = state.waas_limiter.take(
        &format!("{}|{}", settings.audience, voucher.client_id),
        config.per_minute,
        state.clock.now().unix_timestamp(),
    );
    if !quota.allowed {
        let mut r = Refusal(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "troppe richieste: al più {} al minuto, riprovare tra {} secondi",
                quota.limit, quota.reset_s
            ),
        )
        .into_response();
        with_quota(&mut r, quota);
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(quota.reset_s));
        return Err(Box::new(r));
    }
    Ok((
        Caller {
            client_id: voucher.client_id,
            purpose_id: voucher.purpose_id,
        },
        quota,
    ))
}

fn with_quota(r: &mut Response, q: Quota) {
    let h = r.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(q.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(q.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(q.reset_s));
}

/// GET /status: problem+json, 200 when the database answers, 503 when it does not.
async fn status(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    if let Err(r) = ente(&state, &code).await {
        return r.into_response();
    }
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/problem+json")],
            json!({ "type": "about:blank", "title": "OK", "status": 200,
                    "detail": "Il servizio funziona correttamente" })
            .to_string(),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "WaaS status: database non raggiungibile");
            Refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "il servizio non è al momento disponibile".into(),
            )
            .into_response()
        }
    }
}

/// `since` and `limit` of GET /flussi, checked: `since` required, an integer ≥ 0 (ms);
/// `limit` 0 to 100, 10 when absent.
fn flussi_query(raw: Option<&str>) -> Result<(i64, i64), Refusal> {
    let bad = |m: String| Refusal(StatusCode::BAD_REQUEST, m);
    let mut since = None;
    let mut limit = None;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "since" => since = Some(v.into_owned()),
            "limit" => limit = Some(v.into_owned()),
            _ => {}
        }
    }
    let since = since.ok_or_else(|| bad("manca il parametro since (millisecondi)".into()))?;
    let since: i64 = since
        .trim()
        .parse()
        .ok()
        .filter(|s| *s >= 0)
        .ok_or_else(|| {
            bad(format!(
                "since «{since}» non è un numero di millisecondi ≥ 0"
            ))
        })?;
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .trim()
            .parse()
            .ok()
            .filter(|n| (0..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                bad(format!(
                    "limit «{l}» deve essere un intero da 0 a {MAX_LIMIT}"
                ))
            })?,
    };
    Ok((since, limit))
}

/// `ts_flusso`: RFC 3339 in UTC with milliseconds, as the specification's examples.
fn ts_flusso(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

async fn flussi(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (org, settings) = match ente(&state, &code).await {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let (caller, quota) = match authenticate(&state, &headers, &settings) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let mut r = match flussi_body(&state, &org, &caller, query.as_deref()).await {
        Ok(body) => Json(body).into_response(),
        Err(refusal) => refusal.into_response(),
    };
    with_quota(&mut r, quota);
    r
}

async fn flussi_body(
    state: &AppState,
    org: &Organization,
    caller: &Caller,
    query: Option<&str>,
) -> Result<Value, Refusal> {
    let (since, limit) = flussi_query(query)?;
    let flows = siuss_exchange::flows_since(state, org, caller, since, limit).await?;
    let sender = state.store.siuss_sender(org.id).await?;
    let codice = sender.map(|s| s.ente_code).unwrap_or_default();
    let entries: Vec<Value> = flows
        .iter()
        .map(|f| {
            json!({
                "codice_ente": codice,
                "denominazione_ente": org.name.chars().take(256).collect::<String>(),
                "id_flusso": f.name,
                "ts_flusso": ts_flusso(f.ts_ms),
                "tipo": f.kind.flow().as_str(),
                "flusso": base64::engine::general_purpose::STANDARD.encode(f.document.as_bytes()),
            })
        })
        .collect();
    Ok(json!({ "elenco_flussi": entries }))
}

/// One `EsitoFlusso` as INPS sends it.
#[derive(Debug, Deserialize)]
struct Esito {
    id_flusso: String,
    tipo: String,
    ts_flusso: String,
    ts_acquisizione: String,
    codice_esito: String,
    #[serde(default)]
    descrizione_esito: Option<String>,
    #[serde(default)]
    id_acquisizione_siuss: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ElencoEsiti {
    #[serde(default)]
    elenco_esiti: Vec<Esito>,
}

/// The outcomes of the body, each checked: the refusal names the first bad one.
fn outcomes(body: &[u8]) -> Result<Vec<SiussOutcome>, Refusal> {
    let bad = |m: String| Refusal(StatusCode::BAD_REQUEST, m);
    let list: ElencoEsiti = serde_json::from_slice(body)
        .map_err(|e| bad(format!("il corpo non è un ElencoEsiti: {e}")))?;
    if list.elenco_esiti.len() > 100 {
        return Err(bad("al più 100 esiti per richiesta".into()));
    }
    list.elenco_esiti
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let n = i + 1;
            let outcome = Outcome::parse(&e.codice_esito).ok_or_else(|| {
                bad(format!(
                    "esito {n}: codice_esito «{}» non è OK, DATI_NON_TROVATI, RICHIESTA_INVALIDA o ERRORE_GENERICO",
                    e.codice_esito
                ))
            })?;
            if e.tipo != "PS_PSA_SINA" && e.tipo != "SINBA" {
                return Err(bad(format!("esito {n}: tipo «{}» non è PS_PSA_SINA o SINBA", e.tipo)));
            }
            for (name, ts) in [("ts_flusso", &e.ts_flusso), ("ts_acquisizione", &e.ts_acquisizione)] {
                if time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
                    .is_err()
                {
                    return Err(bad(format!("esito {n}: {name} «{ts}» non è una data e ora RFC 3339")));
                }
            }
            if e.id_flusso.trim().is_empty() || e.id_flusso.len() > 64 {
                return Err(bad(format!("esito {n}: id_flusso mancante o più lungo di 64 caratteri")));
            }
            let cut = |s: Option<String>| s.map(|s| s.chars().take(4096).collect::<String>());
            Ok(SiussOutcome {
                name: e.id_flusso,
                outcome,
                detail: cut(e.descrizione_esito),
                siuss_id: cut(e.id_acquisizione_siuss),
            })
        })
        .collect()
}

async fn esiti(State(state): State<AppState>, Path(code): Path<String>, req: Request) -> Response {
    let (org, settings) = match ente(&state, &code).await {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let (caller, quota) = match authenticate(&state, req.headers(), &settings) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let limit = state.config.max_body_bytes;
    let mut r = match axum::body::to_bytes(req.into_body(), limit).await {
        Err(_) => {
            Refusal(StatusCode::PAYLOAD_TOO_LARGE, "corpo troppo grande".into()).into_response()
        }
        Ok(body) => match outcomes(&body) {
            Err(refusal) => refusal.into_response(),
            Ok(list) => match siuss_exchange::record_outcomes(&state, &org, &caller, &list).await {
                Ok(_) => StatusCode::NO_CONTENT.into_response(),
                Err(e) => Refusal::from(e).into_response(),
            },
        },
    };
    with_quota(&mut r, quota);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_checked_as_the_specification_says() {
        assert_eq!(flussi_query(Some("since=0")).ok(), Some((0, 10)));
        assert_eq!(
            flussi_query(Some("since=1490000000000&limit=100")).ok(),
            Some((1_490_000_000_000, 100))
        );
        for bad in [
            "",
            "limit=5",
            "since=-1",
            "since=abc",
            "since=0&limit=101",
            "since=0&limit=-1",
        ] {
            assert!(flussi_query(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn ts_flusso_is_utc_with_milliseconds() {
        assert_eq!(ts_flusso(1_701_083_096_852), "2023-11-27T11:04:56.852Z");
    }

    #[test]
    fn a_client_gets_its_quota_per_minute_and_then_429() {
        let l = RateLimiter::default();
        let a = l.take("inps", 2, 100);
        assert!(a.allowed && a.remaining == 1 && a.reset_s == 60);
        assert!(l.take("inps", 2, 130).allowed);
        let refused = l.take("inps", 2, 150);
        assert!(!refused.allowed && refused.remaining == 0 && refused.reset_s == 10);
        assert!(l.take("altro", 2, 150).allowed);
        assert!(l.take("inps", 2, 160).allowed, "a new minute, a new quota");
    }
}
