//! Applying online: the start page of a benefit open on the portal, the draft's steps (data,
//! ISEE, documents, summary), its files, the submission and the receipt. The rules and the
//! checks are `app::portal_apply`'s; this module reads forms and renders pages.

use super::i18n::{Problem, T};
use super::pages::PortalLayout;
use super::session::CitizenCtx;
use crate::AppState;
use crate::error::AppError;
use crate::pages::render::render_page;
use crate::pages::upload::{read_upload, send_file};
use app::portal_apply::{self as apply, DraftView, Step, StepInput};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::localtime::today;
use serde::Deserialize;
use store::{BenefitStore, OrgStore, StoreError};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/portale/enti/{org}/prestazioni/{id}/domanda",
            get(start_page).post(start),
        )
        .route("/portale/bozze/{id}", get(resume))
        .route(
            "/portale/bozze/{id}/passi/{step}",
            get(step_page).post(save),
        )
        .route("/portale/bozze/{id}/allegati", post(attach))
        .route("/portale/bozze/{id}/allegati/{doc}/elimina", post(detach))
        .route(
            "/portale/bozze/{id}/elimina",
            get(discard_page).post(discard),
        )
        .route("/portale/bozze/{id}/invia", post(submit))
        .route("/portale/domande/{id}/ricevuta.pdf", get(receipt))
}

/// The address of a draft's files: the one portal route that takes a document.
pub fn is_draft_upload(path: &str) -> bool {
    path.strip_prefix("/portale/bozze/")
        .and_then(|rest| rest.strip_suffix("/allegati"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

fn parse_id(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw.trim()).map_err(|_| app::Error::NotFound.into())
}

fn step_href(d: &DraftView, step: Step) -> String {
    format!("/portale/bozze/{}/passi/{}", d.draft.id, step.code())
}

// --- Start -----------------------------------------------------------------------------------

/// A person the citizen may apply for.
struct ForChoice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "portale/presenta.html")]
struct StartPage {
    l: PortalLayout,
    heading: String,
    description: String,
    window: String,
    documents: Vec<String>,
    term: String,
    action: String,
    choices: Vec<ForChoice>,
    needs_isee: bool,
}

/// The benefit of `org_code` open on the portal today, or not found.
async fn open_benefit(
    state: &AppState,
    org_code: &str,
    id: &str,
) -> Result<(store::Organization, store::Benefit), AppError> {
    let code = domain::OrgCode::parse(org_code).map_err(|_| app::Error::NotFound)?;
    let org = match state.store.get_org_by_code(&code).await {
        Ok(o) if o.active => o,
        Ok(_) | Err(StoreError::NotFound) => return Err(app::Error::NotFound.into()),
        Err(e) => return Err(e.into()),
    };
    let b = match state.store.get_benefit(org.id, parse_id(id)?).await {
        Ok(b) if b.data.portal_open_on(today(state.clock.now())) => b,
        Ok(_) | Err(StoreError::NotFound) => return Err(app::Error::NotFound.into()),
        Err(e) => return Err(e.into()),
    };
    Ok((org, b))
}

async fn start_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path((org_code, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let t = ctx.t;
    let c = &ctx.citizen;
    let (org, b) = open_benefit(&state, &org_code, &id).await?;
    let choices: Vec<ForChoice> = c
        .persons
        .iter()
        .filter(|r| r.org.id == org.id && r.person.data.death_date.is_none())
        .map(|r| ForChoice {
            value: r.person.id.to_string(),
            label: match r.mandate {
                None => t.args("apply-for-self", &[("name", &r.person.data.full_name())]),
                Some(_) => r.person.data.full_name(),
            },
        })
        .collect();
    if choices.is_empty() {
        return Err(app::Error::BadRequest(t.t("apply-not-held")).into());
    }
    let heading = t.args("apply-title", &[("benefit", &b.data.name)]);
    let action = format!("/portale/enti/{}/prestazioni/{}/domanda", org.code, b.id);
    let page = StartPage {
        description: b.data.description.clone(),
        window: b
            .data
            .portal
            .and_then(|w| w.until)
            .map(|u| t.args("apply-window-until", &[("date", &t.date(u))]))
            .unwrap_or_default(),
        documents: b.data.documents.clone(),
        term: t.args("apply-term", &[("days", &b.data.deadline_days.to_string())]),
        needs_isee: b.data.isee_variant.is_some(),
        choices,
        l: PortalLayout::new(t, heading.clone(), Some(c), &action),
        heading,
        action,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    persona: String,
}

async fn start(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path((org_code, id)): Path<(String, String)>,
    Form(f): Form<StartForm>,
) -> Result<Response, AppError> {
    let (org, b) = open_benefit(&state, &org_code, &id).await?;
    let person = parse_id(&f.persona)?;
    let draft = apply::start(&state, &ctx.citizen, org.id, b.id, person).await?;
    Ok(Redirect::to(&format!("/portale/bozze/{draft}")).into_response())
}

async fn resume(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    Ok(Redirect::to(&step_href(&d, d.next_step())).into_response())
}

// --- The steps ------------------------------------------------------------------------------

/// A step in the form's progress list.
struct StepLink {
    href: String,
    label: String,
    current: bool,
    done: bool,
}

/// A field of the data step.
struct DataField {
    name: &'static str,
    label: String,
    hint: String,
    value: String,
    mode: &'static str,
    error: Option<Problem>,
    required: bool,
}

/// An attestation to choose.
struct IseeChoice {
    value: String,
    label: String,
    selected: bool,
}

/// A line of the checklist with its files.
struct Requirement {
    name: String,
    files: Vec<FileRow>,
}

struct FileRow {
    name: String,
    remove: String,
}

#[derive(Template)]
#[template(path = "portale/bozza.html")]
struct DraftPage {
    l: PortalLayout,
    heading: String,
    person: String,
    steps: Vec<StepLink>,
    step: &'static str,
    step_title: String,
    action: String,
    version: i64,
    errors: Vec<Problem>,
    fields: Vec<DataField>,
    disability: Option<bool>,
    notes: String,
    notes_error: Option<Problem>,
    isee: Vec<IseeChoice>,
    none_chosen: bool,
    requirements: Vec<Requirement>,
    others: Vec<FileRow>,
    upload: String,
    missing: Vec<String>,
    outcome: Option<Outcome>,
    summary: Vec<(String, String)>,
    incomplete: Vec<StepLink>,
    submit: String,
    discard: String,
}

/// The rules' outcome as the summary shows it.
struct Outcome {
    sentence: String,
    checks: Vec<CheckRow>,
    explanation: String,
    citation: String,
}

/// One requirement and its badge's class.
struct CheckRow {
    class: &'static str,
    text: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepQuery {
    /// Why the file sent from the page was refused before it was read.
    file: String,
}

async fn step_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path((id, step)): Path<(String, String)>,
    Query(q): Query<StepQuery>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    let step = Step::parse(&step)
        .filter(|s| d.steps().contains(s))
        .ok_or(app::Error::NotFound)?;
    let answers = d.answers.clone();
    let errors = super::upload_refusals(&q.file);
    let page = draft_page(&state, &ctx, &d, step, &answers, errors).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn draft_page(
    state: &AppState,
    ctx: &CitizenCtx,
    d: &DraftView,
    step: Step,
    a: &apply::Answers,
    errors: Vec<FieldError>,
) -> Result<DraftPage, AppError> {
    let t = ctx.t;
    let c = &ctx.citizen;
    let label = |s: Step| t.t(&format!("apply-step-{}", s.code()));
    let steps: Vec<StepLink> = d
        .steps()
        .into_iter()
        .map(|s| StepLink {
            href: step_href(d, s),
            label: label(s),
            current: s == step,
            done: d.answers.is_done(s),
        })
        .collect();
    let f = d.fields();
    let mut fields = Vec::new();
    if f.resident_since {
        fields.push(data_field(
            &t,
            "resident_since",
            "apply-resident-since",
            "apply-date-hint",
            &a.resident_since,
            "numeric",
            true,
        ));
    }
    if f.cost {
        fields.push(data_field(
            &t,
            "cost",
            "apply-cost",
            "apply-cost-hint",
            &a.cost,
            "decimal",
            true,
        ));
    }
    if let Some(unit) = f.unit {
        let mut field = data_field(&t, "units", "apply-units", "", &a.units, "numeric", true);
        field.label = t.args("apply-units", &[("unit", unit.words(2))]);
        fields.push(field);
    }
    if f.months {
        fields.push(data_field(
            &t,
            "months",
            "apply-months",
            "apply-months-hint",
            &a.months,
            "numeric",
            false,
        ));
    }
    fields.push(data_field(
        &t,
        "email",
        "apply-email",
        "apply-email-hint",
        &a.email,
        "email",
        false,
    ));
    let problems = t.problems(&errors, |field| {
        let key = match field {
            "notes" => "apply-notes",
            "attestation" => "apply-isee-which",
            "requirement" => "apply-upload-for",
            "file" => "apply-upload-file",
            _ => {
                return fields
                    .iter()
                    .find(|f| f.name == field)
                    .map(|f| f.label.clone());
            }
        };
        Some(t.t(key))
    });
    for f in &mut fields {
        f.error = Problem::of(&problems, f.name).cloned();
    }
    let isee = if step == Step::Isee {
        apply::attestations(state, d)
            .await?
            .into_iter()
            .map(|at| IseeChoice {
                selected: a.attestation == at.id.to_string(),
                label: t.args(
                    "apply-isee-choice",
                    &[
                        ("value", &t.money(at.data.isee)),
                        ("protocol", at.data.protocol.as_str()),
                        ("until", &t.date(at.data.valid_until())),
                    ],
                ),
                value: at.id.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let file_row = |f: &store::DraftDocument| FileRow {
        name: f.file_name.clone(),
        remove: format!("/portale/bozze/{}/allegati/{}/elimina", d.draft.id, f.id),
    };
    let requirements = d
        .benefit
        .data
        .documents
        .iter()
        .map(|r| Requirement {
            name: r.clone(),
            files: d
                .documents
                .iter()
                .filter(|f| &f.requirement == r)
                .map(file_row)
                .collect(),
        })
        .collect();
    let others = d
        .documents
        .iter()
        .filter(|f| f.requirement.is_empty())
        .map(file_row)
        .collect();
    let (outcome, summary, incomplete) = if step == Step::Summary {
        let outcome = apply::preview(state, c, d).await?.map(|o| Outcome {
            sentence: t.t(if !o.eligible {
                "apply-outcome-not-eligible"
            } else if o.amount.is_some() {
                "apply-outcome-amount"
            } else {
                "apply-outcome-eligible"
            }),
            checks: o
                .checks
                .iter()
                .map(|ch| CheckRow {
                    class: match ch.status {
                        domain::benefit::CheckStatus::Met => "success",
                        domain::benefit::CheckStatus::NotMet => "danger",
                        domain::benefit::CheckStatus::Warning => "warning",
                    },
                    text: ch.text.clone(),
                })
                .collect(),
            explanation: o
                .amount
                .as_ref()
                .map(|m| format!("{}: {}", t.money(m.value), m.explanation))
                .unwrap_or_default(),
            citation: t.args("apply-outcome-rules", &[("citation", &o.citation)]),
        });
        let incomplete = steps
            .iter()
            .zip(d.steps())
            .filter(|(_, s)| matches!(s, Step::Data | Step::Isee) && !d.answers.is_done(*s))
            .map(|(l, _)| StepLink {
                href: l.href.clone(),
                label: l.label.clone(),
                current: false,
                done: false,
            })
            .collect();
        (outcome, summary_rows(&t, d), incomplete)
    } else {
        (None, Vec::new(), Vec::new())
    };
    let heading = t.args("apply-title", &[("benefit", &d.benefit.data.name)]);
    Ok(DraftPage {
        person: match c
            .persons
            .iter()
            .find(|r| r.org.id == d.org.id && r.person.id == d.person.id)
            .and_then(|r| r.mandate)
        {
            None => t.args("apply-for-self", &[("name", &d.person.data.full_name())]),
            Some(_) => t.args("apply-for-other", &[("name", &d.person.data.full_name())]),
        },
        step: step.code(),
        step_title: label(step),
        action: step_href(d, step),
        version: d.draft.version,
        disability: f.disability.then(|| a.disability == "on"),
        notes: a.notes.clone(),
        notes_error: Problem::of(&problems, "notes").cloned(),
        none_chosen: a.attestation.is_empty(),
        isee,
        requirements,
        others,
        upload: format!("/portale/bozze/{}/allegati", d.draft.id),
        missing: d
            .missing_documents()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        outcome,
        summary,
        incomplete,
        submit: format!("/portale/bozze/{}/invia", d.draft.id),
        discard: format!("/portale/bozze/{}/elimina", d.draft.id),
        fields,
        errors: problems,
        steps,
        l: PortalLayout::new(t, heading.clone(), Some(c), "/portale/domande"),
        heading,
    })
}

fn data_field(
    t: &T,
    name: &'static str,
    label: &str,
    hint: &str,
    value: &str,
    mode: &'static str,
    required: bool,
) -> DataField {
    DataField {
        name,
        label: t.t(label),
        hint: if hint.is_empty() {
            String::new()
        } else {
            t.t(hint)
        },
        value: value.to_owned(),
        mode,
        error: None,
        required,
    }
}

/// What the summary repeats of the answers.
fn summary_rows(t: &T, d: &DraftView) -> Vec<(String, String)> {
    let a = &d.answers;
    let f = d.fields();
    let mut rows = Vec::new();
    let mut row = |on: bool, key: &str, value: &str| {
        if on && !value.trim().is_empty() {
            rows.push((t.t(key), value.trim().to_owned()));
        }
    };
    row(f.resident_since, "apply-resident-since", &a.resident_since);
    row(f.cost, "apply-cost", &a.cost);
    row(f.unit.is_some(), "apply-units-short", &a.units);
    row(f.months, "apply-months", &a.months);
    row(true, "apply-email", &a.email);
    row(true, "apply-notes", &a.notes);
    if f.disability {
        rows.push((
            t.t("apply-disability"),
            t.t(if a.disability == "on" { "yes" } else { "no" }),
        ));
    }
    rows
}

async fn save(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path((id, step)): Path<(String, String)>,
    Form(input): Form<StepInput>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    let step = Step::parse(&step)
        .filter(|s| d.steps().contains(s) && *s != Step::Summary)
        .ok_or(app::Error::NotFound)?;
    match apply::save(&state, &ctx.citizen, &d, step, &input).await? {
        Ok(()) => {
            let d = apply::draft(&state, &ctx.citizen, d.draft.id).await?;
            let steps = d.steps();
            let next = steps
                .iter()
                .skip_while(|s| **s != step)
                .nth(1)
                .copied()
                .unwrap_or(Step::Summary);
            Ok(Redirect::to(&step_href(&d, next)).into_response())
        }
        Err((answers, errors)) => {
            let page = draft_page(&state, &ctx, &d, step, &answers, errors).await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn attach(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    let refused = |e: FieldError| async {
        let answers = d.answers.clone();
        let page = draft_page(&state, &ctx, &d, Step::Documents, &answers, vec![e]).await?;
        Ok::<_, AppError>(render_page(
            jar.clone(),
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    };
    let up = match read_upload(&state.store, multipart).await? {
        Ok(up) => up,
        Err(e) => return refused(e).await,
    };
    let (name, bytes) = up.file.clone().unwrap_or_default();
    match apply::attach(
        &state,
        &ctx.citizen,
        &d,
        up.field("requirement"),
        &name,
        &bytes,
    )
    .await?
    {
        Ok(()) => Ok(Redirect::to(&step_href(&d, Step::Documents)).into_response()),
        Err(e) => refused(e).await,
    }
}

async fn detach(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    apply::detach(&state, &ctx.citizen, &d, parse_id(&doc)?).await?;
    Ok(Redirect::to(&step_href(&d, Step::Documents)).into_response())
}

#[derive(Template)]
#[template(path = "portale/elimina.html")]
struct DiscardPage {
    l: PortalLayout,
    lead: String,
    files: String,
    back: String,
    discard: String,
}

/// The confirmation before a draft is thrown away: its data and files cannot be had back.
async fn discard_page(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let t = ctx.t;
    let c = &ctx.citizen;
    let d = apply::draft(&state, c, parse_id(&id)?).await?;
    let page = DiscardPage {
        lead: t.args("apply-discard-lead", &[("benefit", &d.benefit.data.name)]),
        files: t.count("apply-discard-files", d.documents.len() as i64),
        back: format!("/portale/bozze/{}", d.draft.id),
        discard: format!("/portale/bozze/{}/elimina", d.draft.id),
        l: PortalLayout::new(t, t.t("apply-discard-title"), Some(c), "/portale/domande"),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn discard(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    apply::discard(&state, &ctx.citizen, &d).await?;
    Ok(Redirect::to("/portale/domande?eliminata=1").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SubmitForm {
    version: String,
    declarations: String,
}

async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Path(id): Path<String>,
    Form(f): Form<SubmitForm>,
) -> Result<Response, AppError> {
    let d = apply::draft(&state, &ctx.citizen, parse_id(&id)?).await?;
    match apply::submit(&state, &ctx.citizen, &d, &f.version, f.declarations == "on").await? {
        Ok(s) => {
            Ok(Redirect::to(&format!("/portale/domande/{}?inviato=domanda", s.id)).into_response())
        }
        Err(errors) => {
            let answers = d.answers.clone();
            let page = draft_page(&state, &ctx, &d, Step::Summary, &answers, errors).await?;
            Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn receipt(
    State(state): State<AppState>,
    ctx: CitizenCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let r = apply::receipt_pdf(&state, &ctx.citizen, parse_id(&id)?).await?;
    Ok(send_file(&r.file_name, "application/pdf".into(), r.pdf))
}
