//! The individual plan (PAI) of a case file with its interventions, reviews and the PDF for
//! the citizen's signature; the multidimensional assessments (SINA, SINBA) of a case file.

use super::dates::instant;
use super::forms::{Form, Pairs, parse_id};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::casefile::{CaseAccess, case_access};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::assessment::{self, Answers, FieldKind, FormCode, FormDef};
use domain::audit::unix_micros;
use domain::casework::{self, InterventionInput, PlanInput, ReviewInput};
use domain::dates::{OFFICE_DATES, format_date, read_date};
use domain::localtime::{format_date_time, today};
use domain::person::age_on;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::{
    Assessment, AuditStore, CarePlan, CaseFile, CaseStore, Intervention, Person, PersonStore,
    PlanReview, UserStore,
};
use time::Date;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cartelle/{id}/pai", get(plans).post(create_plan))
        .route("/pai/{id}", get(show_plan))
        .route("/pai/{id}/interventi", post(add_intervention))
        .route("/pai/{id}/verifiche", post(add_review))
        .route("/pai/{id}/pdf", get(pdf))
        .route("/cartelle/{id}/valutazioni", get(assessments))
        .route(
            "/cartelle/{id}/valutazioni/nuova",
            get(assessment_form).post(assessment_save),
        )
        .route("/valutazioni/{id}", get(show_assessment))
}

fn case_layout(ctx: &Ctx, jar: &CookieJar, c: &CaseFile, title: &str) -> Layout {
    Layout::page(ctx, jar, title, "/cartelle")
        .crumb("/cartelle", "Cartelle sociali")
        .crumb(
            &format!("/cartelle/{}", c.id),
            &format!("Cartella n. {}", c.number),
        )
}

fn opt_date(d: Option<Date>) -> String {
    d.map(format_date).unwrap_or_default()
}

// --- PAI: the case file's plans ------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct PlanForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    goals: String,
    #[serde(default)]
    commitments: String,
    #[serde(default)]
    next_review: String,
}

struct PlanRow {
    plan: CarePlan,
    period: String,
    next_review: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    l: Layout,
    /// Who recorded each plan, by name.
    names: super::names::Names,
    c: CaseFile,
    p: Person,
    plans: Vec<PlanRow>,
    can_write: bool,
    form: PlanForm,
}

fn overdue(plan: &CarePlan, today: Date) -> bool {
    plan.active && plan.next_review.is_some_and(|n| n < today)
}

async fn plans_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    a: &CaseAccess,
    form: PlanForm,
    errors: Vec<FieldError>,
) -> Result<PlansPage, AppError> {
    let c = a.case.clone();
    let p = state.store.get_person(ctx.org.id, c.person_id).await?;
    let now = today(ctx.now);
    let mut list = state.store.case_plans(ctx.org.id, c.id).await?;
    // Newest first from the store; the active plan before the others.
    list.sort_by_key(|pl| !pl.active);
    let plans = list
        .into_iter()
        .map(|plan| PlanRow {
            period: app::casefile::plan_period(plan.starts_on, plan.ends_on),
            next_review: opt_date(plan.next_review),
            overdue: overdue(&plan, now),
            plan,
        })
        .collect();
    let l = case_layout(ctx, jar, &c, "Progetto individualizzato (PAI)")
        .crumb(&format!("/cartelle/{}/pai", c.id), "PAI")
        .with_errors(FormErrors(errors));
    Ok(PlansPage {
        names: super::names::Names::of_org(state, ctx.org.id).await?,
        l,
        can_write: a.write_access(ctx).is_ok(),
        c,
        p,
        plans,
        form,
    })
}

async fn plans(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    let form = PlanForm {
        starts_on: format_date(today(ctx.now)),
        ..PlanForm::default()
    };
    let page = plans_page(&state, &ctx, &jar, &a, form, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn create_plan(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<PlanForm>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    a.write_access(&ctx)?;
    let input = PlanInput {
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        goals: f.goals.clone(),
        commitments: f.commitments.clone(),
        next_review: f.next_review.clone(),
    };
    let data = match casework::parse_plan(&input, a.case.opened_on) {
        Ok(d) => d,
        Err(errors) => {
            let page = plans_page(&state, &ctx, &jar, &a, f, errors).await?;
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let plan = app::casefile::create_plan(&state.services, &ctx, &a, data).await?;
    let jar = flash(jar, "success", "Progetto individualizzato registrato.");
    Ok((jar, Redirect::to(&format!("/pai/{}", plan.id))).into_response())
}

// --- PAI: one plan --------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
struct InterventionForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    benefit: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Deserialize, Default, Clone)]
struct ReviewForm {
    #[serde(default)]
    done_on: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    next_review: String,
}

struct InterventionRow {
    i: Intervention,
    from: String,
    to: String,
}

struct ReviewRow {
    r: PlanReview,
    done_on: String,
    next_review: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    l: Layout,
    /// Who recorded the plan and its reviews, by name.
    names: super::names::Names,
    c: CaseFile,
    p: Person,
    plan: CarePlan,
    period: String,
    next_review: String,
    overdue: bool,
    interventions: Vec<InterventionRow>,
    reviews: Vec<ReviewRow>,
    can_write: bool,
    iform: InterventionForm,
    rform: ReviewForm,
    /// Which form the errors are about ("interventi", "verifiche"), to open it.
    open: &'static str,
}

struct PlanAccess {
    a: CaseAccess,
    plan: CarePlan,
}

async fn plan_access(state: &AppState, ctx: &Ctx, id: &str) -> Result<PlanAccess, AppError> {
    let plan = state.store.get_plan(ctx.org.id, parse_id(id)?).await?;
    let a = case_access(state, ctx, plan.case_file_id).await?;
    Ok(PlanAccess { a, plan })
}

fn intervention_rows(list: Vec<Intervention>) -> Vec<InterventionRow> {
    list.into_iter()
        .map(|i| InterventionRow {
            from: format_date(i.data.from),
            to: opt_date(i.data.to),
            i,
        })
        .collect()
}

fn review_rows(list: Vec<PlanReview>) -> Vec<ReviewRow> {
    list.into_iter()
        .map(|r| ReviewRow {
            done_on: format_date(r.done_on),
            next_review: opt_date(r.next_review),
            r,
        })
        .collect()
}

async fn plan_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    pa: PlanAccess,
    forms: (InterventionForm, ReviewForm, &'static str),
    errors: Vec<FieldError>,
) -> Result<PlanPage, AppError> {
    let PlanAccess { a, plan } = pa;
    let org = ctx.org.id;
    let c = a.case.clone();
    let p = state.store.get_person(org, c.person_id).await?;
    let interventions = intervention_rows(state.store.plan_interventions(org, plan.id).await?);
    let reviews = review_rows(state.store.plan_reviews(org, plan.id).await?);
    let l = case_layout(ctx, jar, &c, "Progetto individualizzato (PAI)")
        .crumb(&format!("/cartelle/{}/pai", c.id), "PAI")
        .crumb(
            &format!("/pai/{}", plan.id),
            &format!("PAI dal {}", format_date(plan.starts_on)),
        )
        .with_errors(FormErrors(errors));
    Ok(PlanPage {
        names: super::names::Names::of_org(state, org).await?,
        l,
        period: app::casefile::plan_period(plan.starts_on, plan.ends_on),
        next_review: opt_date(plan.next_review),
        overdue: overdue(&plan, today(ctx.now)),
        interventions,
        reviews,
        can_write: plan.active && a.write_access(ctx).is_ok(),
        iform: forms.0,
        rform: forms.1,
        open: forms.2,
        c,
        p,
        plan,
    })
}

fn default_forms(ctx: &Ctx, plan: &CarePlan) -> (InterventionForm, ReviewForm) {
    let now = today(ctx.now);
    (
        InterventionForm {
            from: format_date(plan.starts_on.max(now)),
            ..InterventionForm::default()
        },
        ReviewForm {
            done_on: format_date(now),
            ..ReviewForm::default()
        },
    )
}

async fn show_plan(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let pa = plan_access(&state, &ctx, &id).await?;
    state
        .reads
        .view(&ctx, app::read_log::Read::Plan, pa.plan.id)
        .await;
    let (i, r) = default_forms(&ctx, &pa.plan);
    let page = plan_page(&state, &ctx, &jar, pa, (i, r, ""), Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

fn authorize_plan_write(pa: &PlanAccess, ctx: &Ctx) -> Result<(), AppError> {
    pa.a.write_access(ctx)?;
    if !pa.plan.active {
        return Err(app::Error::BadRequest(
            "il progetto non è più in vigore: aggiorna quello attivo".into(),
        )
        .into());
    }
    Ok(())
}

async fn add_intervention(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<InterventionForm>,
) -> Result<Response, AppError> {
    let pa = plan_access(&state, &ctx, &id).await?;
    authorize_plan_write(&pa, &ctx)?;
    let input = InterventionInput {
        description: f.description.clone(),
        benefit: f.benefit.clone(),
        responsible: f.responsible.clone(),
        frequency: f.frequency.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
    };
    let data = match casework::parse_intervention(&input, pa.plan.starts_on, pa.plan.ends_on) {
        Ok(d) => d,
        Err(errors) => {
            let (_, r) = default_forms(&ctx, &pa.plan);
            let page = plan_page(&state, &ctx, &jar, pa, (f, r, "interventi"), errors).await?;
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let iv = Intervention {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        plan_id: pa.plan.id,
        data,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "plan.intervention",
        "care_plan",
        Some(pa.plan.id),
        format!(
            "Intervento «{}» nel PAI della cartella n. {}",
            iv.data.description, pa.a.case.number
        ),
    );
    state.store.add_intervention(&iv, &audit).await?;
    let jar = flash(jar, "success", "Intervento aggiunto al progetto.");
    Ok((
        jar,
        Redirect::to(&format!("/pai/{}#interventi", pa.plan.id)),
    )
        .into_response())
}

async fn add_review(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let pa = plan_access(&state, &ctx, &id).await?;
    authorize_plan_write(&pa, &ctx)?;
    let input = ReviewInput {
        done_on: f.done_on.clone(),
        outcome: f.outcome.clone(),
        next_review: f.next_review.clone(),
    };
    let data = match casework::parse_review(&input, pa.plan.starts_on, today(ctx.now)) {
        Ok(d) => d,
        Err(errors) => {
            let (i, _) = default_forms(&ctx, &pa.plan);
            let page = plan_page(&state, &ctx, &jar, pa, (i, f, "verifiche"), errors).await?;
            return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let review = PlanReview {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        plan_id: pa.plan.id,
        done_on: data.done_on,
        outcome: data.outcome,
        next_review: data.next_review,
        actor: ctx.user.login.to_string(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "plan.review",
        "care_plan",
        Some(pa.plan.id),
        format!(
            "Verifica del {} del PAI della cartella n. {}{}",
            format_date(review.done_on),
            pa.a.case.number,
            review
                .next_review
                .map(|n| format!("; prossima verifica il {}", format_date(n)))
                .unwrap_or_default()
        ),
    );
    state.store.add_plan_review(&review, &audit).await?;
    let jar = flash(jar, "success", "Verifica registrata.");
    Ok((jar, Redirect::to(&format!("/pai/{}#verifiche", pa.plan.id))).into_response())
}

async fn pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let PlanAccess { a, plan } = plan_access(&state, &ctx, &id).await?;
    let org = ctx.org.id;
    let c = &a.case;
    let p = state.store.get_person(org, c.person_id).await?;
    let worker = state.store.get_user(c.worker_id).await?.full_name;
    let interventions = state.store.plan_interventions(org, plan.id).await?;
    let reviews = state.store.plan_reviews(org, plan.id).await?;

    let letterhead = app::acts::letterhead(&state, org).await?;
    let mut doc = print::Document::new(app::acts::heading(
        ctx.org.name.as_str(),
        &letterhead,
        app::decision::DEFAULT_OFFICE,
        "Progetto individualizzato (PAI)",
    ));
    let name = p.data.full_name();
    let cf = p
        .data
        .codice_fiscale
        .as_ref()
        .map(|cf| cf.as_str().to_owned())
        .unwrap_or_else(|| "—".to_owned());
    let span = app::casefile::plan_period(plan.starts_on, plan.ends_on);
    let next = plan
        .next_review
        .map(format_date)
        .unwrap_or_else(|| "—".to_owned());
    doc.fields(&[
        ("Persona", name.as_str()),
        ("Codice fiscale", cf.as_str()),
        ("Cartella n.", c.number.as_str()),
        ("Responsabile", worker.as_str()),
        ("Periodo", span.as_str()),
        ("Prossima verifica", next.as_str()),
    ]);
    doc.section("Obiettivi");
    doc.paragraph(&plan.goals);
    doc.section("Impegni");
    doc.paragraph(if plan.commitments.is_empty() {
        "Nessun impegno indicato."
    } else {
        &plan.commitments
    });
    doc.section("Interventi");
    if interventions.is_empty() {
        doc.paragraph("Nessun intervento registrato.");
    } else {
        let rows: Vec<Vec<String>> = interventions
            .iter()
            .map(|i| {
                vec![
                    i.data.description.clone(),
                    i.data.benefit.clone().unwrap_or_default(),
                    i.data.responsible.clone(),
                    i.data.frequency.clone().unwrap_or_default(),
                    app::casefile::plan_period(i.data.from, i.data.to),
                ]
            })
            .collect();
        doc.table(
            &["Intervento", "Prestazione", "Chi", "Frequenza", "Periodo"],
            &[4, 2, 2, 2, 3],
            &rows,
        );
    }
    doc.section("Verifiche");
    if reviews.is_empty() {
        doc.paragraph("Nessuna verifica registrata.");
    } else {
        let rows: Vec<Vec<String>> = reviews
            .iter()
            .map(|r| {
                vec![
                    format_date(r.done_on),
                    r.outcome.clone(),
                    opt_date(r.next_review),
                ]
            })
            .collect();
        doc.table(&["Data", "Esito", "Prossima verifica"], &[2, 6, 2], &rows);
    }
    doc.signatures(&["La persona o chi la rappresenta", "L'assistente sociale"]);
    let bytes = doc.render();

    state
        .store
        .append_audit(&ctx.audit(
            "plan.print",
            "care_plan",
            Some(plan.id),
            format!("Stampa del PAI della cartella n. {} di {}", c.number, name),
        ))
        .await?;
    let filename = format!("pai-{}.pdf", c.number.replace('/', "-"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

// --- Assessments -------------------------------------------------------------------------------

struct AssessmentRow {
    a: Assessment,
    on: String,
    title: &'static str,
}

#[derive(Template)]
#[template(path = "assessments.html")]
struct AssessmentsPage {
    l: Layout,
    /// Who recorded each assessment, by name.
    names: super::names::Names,
    c: CaseFile,
    p: Person,
    rows: Vec<AssessmentRow>,
    can_write: bool,
    /// The form offered for a new assessment: SINBA for a minor, SINA otherwise.
    offer: &'static FormDef,
}

fn is_minor(p: &Person, on: Date) -> bool {
    age_on(p.data.birth_date, on) < 18
}

async fn assessments(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let a = case_access(&state, &ctx, parse_id(&id)?).await?;
    let c = a.case.clone();
    let p = state.store.get_person(ctx.org.id, c.person_id).await?;
    let rows = state
        .store
        .case_assessments(ctx.org.id, c.id)
        .await?
        .into_iter()
        .map(|a| AssessmentRow {
            on: format_date(a.assessed_on),
            title: assessment::form(&a.form, &a.form_version)
                .map_or("modulo sconosciuto", |f| f.title),
            a,
        })
        .collect();
    let offer = assessment::current(if is_minor(&p, today(ctx.now)) {
        FormCode::Sinba
    } else {
        FormCode::Sina
    });
    let names = super::names::Names::of_org(&state, ctx.org.id).await?;
    let page = AssessmentsPage {
        names,
        l: case_layout(&ctx, &jar, &c, "Valutazioni multidimensionali")
            .crumb(&format!("/cartelle/{}/valutazioni", c.id), "Valutazioni"),
        can_write: a.write_access(&ctx).is_ok(),
        c,
        p,
        rows,
        offer,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(default)]
    modulo: String,
}

struct OptionView {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

struct FieldView {
    key: &'static str,
    label: &'static str,
    help: &'static str,
    required: bool,
    /// "select", "checks", "yesno", "date", "integer", "text", "textarea".
    widget: &'static str,
    options: Vec<OptionView>,
    value: String,
}

struct SectionView {
    title: &'static str,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "assessment_form.html")]
struct AssessmentFormPage {
    l: Layout,
    c: CaseFile,
    p: Person,
    def: &'static FormDef,
    sections: Vec<SectionView>,
    assessed_on: String,
}

fn form_def(q: &FormQuery) -> Result<&'static FormDef, AppError> {
    FormCode::parse(q.modulo.trim())
        .map(assessment::current)
        .ok_or(AppError::App(app::Error::NotFound))
}

fn sections(def: &FormDef, values: &BTreeMap<String, Vec<String>>) -> Vec<SectionView> {
    def.sections
        .iter()
        .map(|s| SectionView {
            title: s.title,
            fields: s
                .fields
                .iter()
                .map(|f| {
                    let given = values.get(f.key).map_or(&[][..], Vec::as_slice);
                    let widget = match f.kind {
                        FieldKind::Choice(_) => "select",
                        FieldKind::MultiChoice(_) => "checks",
                        FieldKind::YesNo => "yesno",
                        FieldKind::Date => "date",
                        FieldKind::Integer { .. } => "integer",
                        FieldKind::Text { max_len } if max_len > 300 => "textarea",
                        FieldKind::Text { .. } => "text",
                    };
                    let options: &[(&'static str, &'static str)] = match f.kind {
                        FieldKind::YesNo => &[("si", "sì"), ("no", "no")],
                        _ => f.kind.options(),
                    };
                    FieldView {
                        key: f.key,
                        label: f.label,
                        help: f.help,
                        required: f.required,
                        widget,
                        options: options
                            .iter()
                            .map(|(code, label)| OptionView {
                                code,
                                label,
                                checked: given.iter().any(|g| g == code),
                            })
                            .collect(),
                        value: given.first().cloned().unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect()
}

async fn writable_case(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(CaseAccess, Person), AppError> {
    let a = case_access(state, ctx, parse_id(id)?).await?;
    a.write_access(ctx)?;
    let p = state.store.get_person(ctx.org.id, a.case.person_id).await?;
    Ok((a, p))
}

fn form_layout(ctx: &Ctx, jar: &CookieJar, c: &CaseFile, def: &FormDef) -> Layout {
    case_layout(ctx, jar, c, def.title)
        .crumb(&format!("/cartelle/{}/valutazioni", c.id), "Valutazioni")
        .crumb(
            &format!("/cartelle/{}/valutazioni/nuova?modulo={}", c.id, def.code),
            "Nuova valutazione",
        )
}

async fn assessment_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<Response, AppError> {
    let (a, p) = writable_case(&state, &ctx, &id).await?;
    let def = form_def(&q)?;
    let page = AssessmentFormPage {
        l: form_layout(&ctx, &jar, &a.case, def),
        c: a.case,
        p,
        def,
        sections: sections(def, &BTreeMap::new()),
        assessed_on: format_date(today(ctx.now)),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn assessment_save(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<FormQuery>,
    f: Pairs,
) -> Result<Response, AppError> {
    let (a, p) = writable_case(&state, &ctx, &id).await?;
    let def = form_def(&q)?;
    let mut input: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in f.0 {
        input.entry(k).or_default().push(v);
    }
    let assessed_raw = input
        .remove("assessed_on")
        .and_then(|v| v.into_iter().next())
        .unwrap_or_default();
    let now = today(ctx.now);
    let mut errors = Vec::new();
    let assessed_on = match read_date(&assessed_raw, OFFICE_DATES) {
        Ok(d) if d > now => {
            errors.push(FieldError::new(
                "assessed_on",
                "la data della valutazione non può essere nel futuro",
            ));
            None
        }
        Ok(d) if d < a.case.opened_on => {
            errors.push(FieldError::new(
                "assessed_on",
                format!(
                    "la data della valutazione non può precedere l'apertura della cartella ({})",
                    format_date(a.case.opened_on)
                ),
            ));
            None
        }
        Ok(d) => Some(d),
        Err(_) if assessed_raw.trim().is_empty() => {
            errors.push(FieldError::new(
                "assessed_on",
                "indicare la data della valutazione",
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new(
                "assessed_on",
                format!("la data della valutazione: {e}"),
            ));
            None
        }
    };
    let answers = match assessment::parse_answers(def, &input) {
        Ok(ans) => Some(ans),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let (Some(assessed_on), Some(answers), true) = (assessed_on, answers, errors.is_empty()) else {
        let page = AssessmentFormPage {
            l: form_layout(&ctx, &jar, &a.case, def).with_errors(FormErrors(errors)),
            c: a.case,
            p,
            def,
            sections: sections(def, &input),
            assessed_on: assessed_raw,
        };
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let row = app::casefile::add_assessment(&state.services, &ctx, &a, def, assessed_on, &answers)
        .await?;
    let subject = app::siuss_exchange::Subject::CaseFile(a.case.id);
    let jar = super::siuss_notes::flash_after_save(
        &state,
        &ctx.org,
        jar,
        "Valutazione registrata.",
        assessed_on,
        subject,
    )
    .await;
    Ok((jar, Redirect::to(&format!("/valutazioni/{}", row.id))).into_response())
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    l: Layout,
    c: CaseFile,
    p: Person,
    a: Assessment,
    title: String,
    on: String,
    at: String,
    sections: Vec<(&'static str, Vec<(&'static str, String)>)>,
    problems: Vec<FieldError>,
}

async fn show_assessment(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let row = state
        .store
        .get_assessment(ctx.org.id, parse_id(&id)?)
        .await?;
    let a = case_access(&state, &ctx, row.case_file_id).await?;
    state
        .reads
        .view(&ctx, app::read_log::Read::Assessment, row.id)
        .await;
    let c = a.case;
    let p = state.store.get_person(ctx.org.id, c.person_id).await?;
    let (title, sections, problems) = match assessment::form(&row.form, &row.form_version) {
        Some(def) => match Answers::from_json(def, &row.answers) {
            Ok(ans) => (def.title.to_owned(), ans.display(def), Vec::new()),
            Err(e) => (def.title.to_owned(), Vec::new(), e),
        },
        None => (
            format!("Modulo {} {}", row.form, row.form_version),
            Vec::new(),
            vec![FieldError::new(
                assessment::FORM_FIELD,
                "modulo della valutazione sconosciuto: le risposte non si possono mostrare",
            )],
        ),
    };
    let page = AssessmentPage {
        l: case_layout(&ctx, &jar, &c, &title)
            .crumb(&format!("/cartelle/{}/valutazioni", c.id), "Valutazioni")
            .crumb(&format!("/valutazioni/{}", row.id), "Valutazione"),
        on: format_date(row.assessed_on),
        at: format_date_time(instant(row.at_us)),
        title,
        sections,
        problems,
        c,
        p,
        a: row,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}
