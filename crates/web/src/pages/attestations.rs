//! ISEE attestations of a person: typed from the INPS attestation or imported from the XML
//! of INPS's consultation service, with Sportello's own calculation from the DSU shown
//! beside INPS's figures, never over them.

use super::forms::{Form, parse_id};
use super::render::render_page;
use super::upload::{MAX_DSU_BYTES, read_upload};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::procedure::{self, AppAccess};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::application::{ApplicationData, AttestationData, AttestationInput, parse_attestation};
use domain::audit::unix_micros;
use domain::benefit::IseeVariant;
use domain::dates::format_date;
use domain::inps_xml::{MAX_XML_BYTES, parse_attestation_xml};
use domain::localtime::today;
use domain::money::Money;
use domain::policy::Action;
use serde::Deserialize;
use store::{Attestation, BenefitStore, Person, PersonStore, Simulation, StoreError};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persone/{id}/isee", get(list).post(create))
        .route(
            "/persone/{id}/isee/xml",
            post(import_xml).layer(DefaultBodyLimit::max(MAX_XML_BYTES + 64 * 1024)),
        )
        .route(
            "/isee/{id}/calcolo",
            post(simulate).layer(DefaultBodyLimit::max(MAX_DSU_BYTES + 64 * 1024)),
        )
}

/// A DSU as JSON is a few kilobytes; a megabyte is already absurd.

#[derive(Deserialize, Default)]
struct For {
    /// The application the attestation is recorded for (a CAF operator's way in).
    #[serde(default)]
    istanza: String,
}

/// Who may record attestations of the person: the counter for anyone of the organization,
/// whoever may change an application for that application's applicant.
struct AttestAccess {
    person: Person,
    app: Option<AppAccess>,
}

impl AttestAccess {
    fn back(&self) -> String {
        match &self.app {
            Some(a) => format!("/istanze/{}", a.view.app.id),
            None => format!("/persone/{}/isee", self.person.id),
        }
    }

    fn query(&self) -> String {
        self.app
            .as_ref()
            .map(|a| format!("?istanza={}", a.view.app.id))
            .unwrap_or_default()
    }
}

async fn attest_access(
    state: &AppState,
    ctx: &Ctx,
    person_id: Uuid,
    istanza: &str,
) -> Result<AttestAccess, AppError> {
    let person = state.store.get_person(ctx.org.id, person_id).await?;
    if istanza.trim().is_empty() {
        ctx.authorize(Action::ApplicationFile, ctx.scope_of(person.org_id))?;
        return Ok(AttestAccess { person, app: None });
    }
    let a = procedure::application_access(state, ctx, parse_id(istanza.trim())?).await?;
    if a.view.app.person_id != person.id {
        return Err(app::Error::NotFound.into());
    }
    ctx.authorize(procedure::edit_action(a.view.app.state), a.scope)?;
    Ok(AttestAccess {
        person,
        app: Some(a),
    })
}

struct Row {
    a: Attestation,
    submitted: String,
    valid_until: String,
    expired: bool,
    /// Our calculation: ISEE, and its difference from INPS's.
    ours: String,
    differs: bool,
    /// The scala di equivalenza with its decimal comma.
    scala: String,
}

#[derive(Template)]
#[template(path = "attestations.html")]
struct AttestationsPage {
    l: Layout,
    p: Person,
    rows: Vec<Row>,
    variants: &'static [IseeVariant],
    form: AttestationInput,
    query: String,
    back: String,
    for_application: bool,
}

fn row(a: Attestation, on: time::Date) -> Row {
    let until = a.data.valid_until();
    let (ours, differs) = match &a.simulation {
        Some(s) if s.isee == a.data.isee => (format!("{} (coincide)", s.isee.format()), false),
        Some(s) => (
            format!(
                "{} (differenza {})",
                s.isee.format(),
                Money(s.isee.cents() - a.data.isee.cents()).format()
            ),
            true,
        ),
        None => (String::new(), false),
    };
    Row {
        scala: domain::money::decimal_it(a.data.scala),
        submitted: format_date(a.data.submitted_on),
        valid_until: format_date(until),
        expired: until < on,
        ours,
        differs,
        a,
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    acc: &AttestAccess,
    form: AttestationInput,
    errors: Vec<FieldError>,
) -> Result<AttestationsPage, AppError> {
    let on = today(ctx.now);
    let found = state
        .store
        .person_attestations(ctx.org.id, acc.person.id)
        .await?;
    state
        .reads
        .view_all(
            ctx,
            app::read_log::Read::Attestation,
            found.iter().map(|a| a.id).collect(),
        )
        .await;
    let rows = found.into_iter().map(|a| row(a, on)).collect();
    let name = acc.person.data.full_name();
    let mut l = Layout::page(ctx, jar, &format!("ISEE di {name}"), "/istanze");
    l = match &acc.app {
        Some(a) => l.crumb("/istanze", "Istanze").crumb(
            &acc.back(),
            &format!(
                "Domanda {}",
                a.view.app.protocol.as_deref().unwrap_or("in bozza")
            ),
        ),
        None => l
            .crumb("/persone", "Anagrafe sociale")
            .crumb(&format!("/persone/{}", acc.person.id), &name),
    };
    Ok(AttestationsPage {
        l: l.crumb(
            &format!("/persone/{}/isee{}", acc.person.id, acc.query()),
            "Attestazioni ISEE",
        )
        .with_errors(FormErrors(errors)),
        p: acc.person.clone(),
        rows,
        variants: IseeVariant::ALL,
        form,
        query: acc.query(),
        back: acc.back(),
        for_application: acc.app.is_some(),
    })
}

async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<For>,
) -> Result<Response, AppError> {
    let acc = attest_access(&state, &ctx, parse_id(&id)?, &q.istanza).await?;
    let form = AttestationInput {
        variant: IseeVariant::Ordinario.as_str().into(),
        ..AttestationInput::default()
    };
    let page = page(&state, &ctx, &jar, &acc, form, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The attestation must concern the applicant: when INPS lists the members, the person's
/// codice fiscale must be among them.
fn check_member(data: &AttestationData, person: &Person) -> Result<(), FieldError> {
    let Some(cf) = &person.data.codice_fiscale else {
        return Ok(());
    };
    if data.member_list.is_empty()
        || data
            .member_list
            .iter()
            .any(|m| m.codice_fiscale == cf.as_str())
    {
        Ok(())
    } else {
        Err(FieldError::new(
            "xml",
            format!(
                "{} (codice fiscale {}) non è tra i componenti del nucleo dell'attestazione",
                person.data.full_name(),
                cf.as_str()
            ),
        ))
    }
}

/// Stores the attestation and, when it was recorded for an application still open to
/// changes, attaches it and applies the rules again.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    acc: &AttestAccess,
    data: AttestationData,
    source: &str,
) -> Result<Result<(), FieldError>, AppError> {
    let a = Attestation {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: acc.person.id,
        source: source.into(),
        simulation: None,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
        data,
    };
    let audit = ctx.audit(
        "isee.attestation",
        "person",
        Some(acc.person.id),
        format!(
            "Attestazione ISEE {} di {} ({}, {})",
            a.data.protocol.as_str(),
            acc.person.data.full_name(),
            a.data.variant.label(),
            a.data.isee.format()
        ),
    );
    match state.store.add_attestation(&a, &audit).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            return Ok(Err(FieldError::new(
                "protocol",
                format!(
                    "l'attestazione {} è già registrata",
                    a.data.protocol.as_str()
                ),
            )));
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(app) = &acc.app
        && procedure::editable(app.view.app.state)
    {
        let current = &app.view.app;
        let data = ApplicationData {
            channel: current.channel,
            declared: current.declared.clone(),
            email: current.email.clone(),
            notes: current.notes.clone(),
        };
        let version = current.version.to_string();
        procedure::update_facts(state, ctx, app, Some(a), data, &version).await?;
    }
    Ok(Ok(()))
}

fn saved(jar: CookieJar, acc: &AttestAccess) -> Response {
    let text = if acc.app.is_some() {
        "Attestazione ISEE registrata e collegata alla domanda; regole applicate di nuovo."
    } else {
        "Attestazione ISEE registrata."
    };
    let jar = flash(jar, "success", text);
    (jar, Redirect::to(&acc.back())).into_response()
}

async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<For>,
    Form(f): Form<AttestationInput>,
) -> Result<Response, AppError> {
    let acc = attest_access(&state, &ctx, parse_id(&id)?, &q.istanza).await?;
    let result = match parse_attestation(&f, today(ctx.now)) {
        Ok(data) => save(&state, &ctx, &acc, data, "manuale")
            .await?
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(saved(jar, &acc)),
        Err(errors) => {
            let page = page(&state, &ctx, &jar, &acc, f, errors).await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn import_xml(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<For>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let acc = attest_access(&state, &ctx, parse_id(&id)?, &q.istanza).await?;
    let back = format!("/persone/{}/isee{}", acc.person.id, acc.query());
    let up = match read_upload(&state.store, multipart).await? {
        Ok(up) => up,
        Err(e) => return Ok(super::forms::refuse(jar, &back, &[e])),
    };
    let (_, bytes) = up.file.unwrap_or_default();
    let Ok(xml) = std::str::from_utf8(&bytes) else {
        return Ok(super::forms::refuse(
            jar,
            &back,
            &[FieldError::new(
                "xml",
                "il file non è un XML in UTF-8: scaricare di nuovo l'attestazione dal servizio INPS",
            )],
        ));
    };
    let data = match parse_attestation_xml(xml, today(ctx.now)) {
        Ok(d) => d,
        Err(errors) => return Ok(super::forms::refuse(jar, &back, &errors)),
    };
    if let Err(e) = check_member(&data, &acc.person) {
        return Ok(super::forms::refuse(jar, &back, &[e]));
    }
    match save(&state, &ctx, &acc, data, "inps_xml").await? {
        Ok(()) => Ok(saved(jar, &acc)),
        Err(e) => Ok(super::forms::refuse(jar, &back, &[e])),
    }
}

/// Our own calculation from the DSU (the JSON of `sportello isee calc`), kept beside the
/// attestation.
async fn simulate(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<For>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let attestation = state
        .store
        .get_attestation(ctx.org.id, parse_id(&id)?)
        .await?;
    let acc = attest_access(&state, &ctx, attestation.person_id, &q.istanza).await?;
    let back = format!("/persone/{}/isee{}", acc.person.id, acc.query());
    let up = match read_upload(&state.store, multipart).await? {
        Ok(up) => up,
        Err(e) => return Ok(super::forms::refuse(jar, &back, &[e])),
    };
    let (_, bytes) = up.file.unwrap_or_default();
    let computed = isee::dsu::Dsu::from_json(&bytes)
        .map_err(|e| format!("DSU non valida. {e}"))
        .and_then(|dsu| {
            isee::calc::compute(&dsu)
                .map(|att| (dsu, att))
                .map_err(|e| format!("calcolo ISEE non eseguibile: {e}"))
        });
    let (dsu, att) = match computed {
        Ok(x) => x,
        Err(message) => {
            return Ok(super::forms::refuse(
                jar,
                &back,
                &[FieldError::new("dsu", message)],
            ));
        }
    };
    let money = |d: rust_decimal::Decimal| Money::from_decimal(d).unwrap_or(Money::ZERO);
    let simulation = Simulation {
        isee: money(att.isee),
        ise: money(att.ise),
        report: isee::report::explain(&dsu, &att),
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "isee.simulation",
        "person",
        Some(acc.person.id),
        format!(
            "Calcolo Sportello della DSU dell'attestazione {}: ISEE {} (INPS {})",
            attestation.data.protocol.as_str(),
            simulation.isee.format(),
            attestation.data.isee.format()
        ),
    );
    state
        .store
        .set_attestation_simulation(ctx.org.id, attestation.id, &simulation, &audit)
        .await?;
    let text = if simulation.isee == attestation.data.isee {
        format!(
            "Calcolo Sportello: ISEE {}, coincide con l'attestazione INPS.",
            simulation.isee.format()
        )
    } else {
        format!(
            "Calcolo Sportello: ISEE {}, l'attestazione INPS dice {}. Vale l'attestazione INPS: verificare i dati della DSU.",
            simulation.isee.format(),
            attestation.data.isee.format()
        )
    };
    let kind = if simulation.isee == attestation.data.isee {
        "success"
    } else {
        "warning"
    };
    let jar = flash(jar, kind, &text);
    Ok((jar, Redirect::to(&back)).into_response())
}
