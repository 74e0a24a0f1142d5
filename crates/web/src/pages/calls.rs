//! Calls for applications and their rankings (`/bandi`): the list, a new call with its scoring
//! rules, the call's page (window, budget, rules with their articles, publication text, the
//! counter's application form, funds and a new version of the rules), its applications, the
//! ranking with each applicant's breakdown, and the publication as PDF and CSV.

use super::forms::{Form, Pairs, parse_id, refuse};
use super::render::{render, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::calls::{ApplyInput, CallPage};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::call::{
    AnswersInput, CallInput, Measure, RankingStage, RulesInput, ScoringRules, explain,
};
use domain::dates::format_date;
use domain::localtime::today;
use domain::policy::{Action, RecordScope};
use store::BenefitStore;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bandi", get(list).post(create))
        .route("/bandi/nuovo", get(new_form))
        .route("/bandi/{id}", get(show))
        .route("/bandi/{id}/domande", get(applications).post(apply))
        .route("/bandi/{id}/regole", post(add_rules))
        .route("/bandi/{id}/fondi", post(add_funds))
        .route("/bandi/{id}/graduatoria", get(ranking).post(rank))
        .route("/bandi/{id}/definitiva", post(finalize))
        .route("/bandi/{id}/finanzia", post(fund))
        .route("/bandi/{id}/graduatoria.pdf", get(pdf))
        .route("/bandi/{id}/graduatoria.csv", get(csv))
}

/// The ISEE and rent bands the rules' form offers.
const ISEE_BANDS: usize = 4;
const RENT_BANDS: usize = 3;

struct CallRow {
    id: String,
    title: String,
    benefit: String,
    window: String,
    budget: String,
    applications: i64,
    stage: String,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct ListPage {
    l: Layout,
    calls: Vec<CallRow>,
    can_manage: bool,
}

fn window(opens: time::Date, closes: time::Date) -> String {
    format!("dal {} al {}", format_date(opens), format_date(closes))
}

async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let calls = app::calls::list(&state, &ctx).await?;
    let page = ListPage {
        l: Layout::page(&ctx, &jar, "Bandi e graduatorie", "/bandi"),
        can_manage: ctx.can(Action::CallManage, RecordScope::SameOrg),
        calls: calls
            .into_iter()
            .map(|s| CallRow {
                id: s.call.id.to_string(),
                window: window(s.call.data.opens_on, s.call.data.closes_on),
                budget: s.call.data.budget.format(),
                title: s.call.data.title,
                benefit: s.benefit_name,
                applications: s.applications,
                stage: s.stage.map_or("da calcolare".to_owned(), |st| {
                    format!("graduatoria {}", st.label())
                }),
            })
            .collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The rules' fields as typed (or as stored, for a new version).
struct RulesForm {
    f: RulesInput,
    isee: Vec<(usize, String, String)>,
    rent: Vec<(usize, String, String)>,
}

impl RulesForm {
    fn of(f: RulesInput) -> Self {
        let rows = |a: &[String], b: &[String], n: usize| {
            (0..n)
                .map(|k| {
                    (
                        k + 1,
                        a.get(k).cloned().unwrap_or_default(),
                        b.get(k).cloned().unwrap_or_default(),
                    )
                })
                .collect()
        };
        RulesForm {
            isee: rows(&f.isee_up_to, &f.isee_points, ISEE_BANDS),
            rent: rows(&f.rent_from, &f.rent_points, RENT_BANDS),
            f,
        }
    }

    /// The form filled with stored rules.
    fn from_rules(r: &ScoringRules) -> Self {
        let mut f = RulesInput::default();
        for c in &r.criteria {
            let a = c.article.clone();
            match &c.measure {
                Measure::Isee { bands } => {
                    f.isee_up_to = bands.iter().map(|b| b.up_to.format_plain()).collect();
                    f.isee_points = bands.iter().map(|b| b.points.to_string()).collect();
                    f.isee_article = a;
                }
                Measure::Household { each, max } => {
                    (f.household_each, f.household_max, f.household_article) =
                        (each.to_string(), max.to_string(), a);
                }
                Measure::Minors { each, max } => {
                    (f.minors_each, f.minors_max, f.minors_article) =
                        (each.to_string(), max.to_string(), a);
                }
                Measure::Disability { points } => {
                    (f.disability_points, f.disability_article) = (points.to_string(), a);
                }
                Measure::Rent { bands } => {
                    f.rent_from = bands.iter().map(|b| b.from_percent.to_string()).collect();
                    f.rent_points = bands.iter().map(|b| b.points.to_string()).collect();
                    f.rent_article = a;
                }
                Measure::Waiting { each, max } => {
                    (f.waiting_each, f.waiting_max, f.waiting_article) =
                        (each.to_string(), max.to_string(), a);
                }
            }
        }
        Self::of(f)
    }
}

fn rules_input(p: &Pairs) -> RulesInput {
    RulesInput {
        isee_up_to: p.all("isee_up_to"),
        isee_points: p.all("isee_points"),
        isee_article: p.get("isee_article").to_owned(),
        household_each: p.get("household_each").to_owned(),
        household_max: p.get("household_max").to_owned(),
        household_article: p.get("household_article").to_owned(),
        minors_each: p.get("minors_each").to_owned(),
        minors_max: p.get("minors_max").to_owned(),
        minors_article: p.get("minors_article").to_owned(),
        disability_points: p.get("disability_points").to_owned(),
        disability_article: p.get("disability_article").to_owned(),
        rent_from: p.all("rent_from"),
        rent_points: p.all("rent_points"),
        rent_article: p.get("rent_article").to_owned(),
        waiting_each: p.get("waiting_each").to_owned(),
        waiting_max: p.get("waiting_max").to_owned(),
        waiting_article: p.get("waiting_article").to_owned(),
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "call_form.html")]
struct NewPage {
    l: Layout,
    f: CallInput,
    benefits: Vec<Choice>,
    r: RulesForm,
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    f: CallInput,
    r: RulesForm,
    errors: Vec<domain::FieldError>,
) -> Result<NewPage, AppError> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let benefits = state
        .store
        .list_benefits(ctx.org.id)
        .await?
        .into_iter()
        .filter(|b| b.data.active)
        .map(|b| Choice {
            selected: b.id.to_string() == f.benefit,
            value: b.id.to_string(),
            label: b.data.name,
        })
        .collect();
    Ok(NewPage {
        l: Layout::page(ctx, jar, "Nuovo bando", "/bandi").with_errors(FormErrors(errors)),
        f,
        benefits,
        r,
    })
}

async fn new_form(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let f = CallInput {
        partial_last: "on".into(),
        ..Default::default()
    };
    let page = new_page(
        &state,
        &ctx,
        &jar,
        f,
        RulesForm::of(RulesInput::default()),
        Vec::new(),
    )
    .await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    p: Pairs,
) -> Result<Response, AppError> {
    let f = CallInput {
        title: p.get("title").to_owned(),
        benefit: p.get("benefit").to_owned(),
        opens_on: p.get("opens_on").to_owned(),
        closes_on: p.get("closes_on").to_owned(),
        budget: p.get("budget").to_owned(),
        partial_last: p.get("partial_last").to_owned(),
        one_per_household: p.get("one_per_household").to_owned(),
        publication_text: p.get("publication_text").to_owned(),
        questions: p.get("questions").to_owned(),
    };
    let rules = rules_input(&p);
    match app::calls::create(&state, &ctx, &f, &rules).await? {
        Ok(id) => {
            let jar = flash(jar, "success", "Bando aperto.");
            Ok((jar, Redirect::to(&format!("/bandi/{id}"))).into_response())
        }
        Err(errors) => {
            let page = new_page(&state, &ctx, &jar, f, RulesForm::of(rules), errors).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

struct CriterionRow {
    label: &'static str,
    words: String,
    article: String,
}

#[derive(Template)]
#[template(path = "call.html")]
struct ShowPage {
    l: Layout,
    id: String,
    title: String,
    benefit_id: String,
    benefit: String,
    window: String,
    open: bool,
    budget: String,
    partial_last: bool,
    one_per_household: bool,
    publication_text: String,
    rules_number: i64,
    criteria: Vec<CriterionRow>,
    questions: Vec<QuestionRow>,
    asks_rent: bool,
    asks_waiting: bool,
    stage: String,
    version: i64,
    can_file: bool,
    can_manage: bool,
    can_change_rules: bool,
    a: ApplyForm,
    r: RulesForm,
}

/// A question of the call with its field's id and the answer typed.
struct QuestionRow {
    id: String,
    label: String,
    value: String,
}

/// The counter's application form as typed.
#[derive(Default)]
struct ApplyForm {
    codice_fiscale: String,
    email: String,
    disability: bool,
    rent: String,
    waiting_months: String,
    answers: Vec<String>,
}

fn apply_input(p: &Pairs) -> ApplyInput {
    ApplyInput {
        codice_fiscale: p.get("codice_fiscale").to_owned(),
        email: p.get("email").to_owned(),
        answers: AnswersInput {
            disability: p.get("disability").to_owned(),
            rent: p.get("rent").to_owned(),
            waiting_months: p.get("waiting_months").to_owned(),
            answers: p.all("answers"),
        },
    }
}

async fn show_page(
    ctx: &Ctx,
    jar: &CookieJar,
    c: &CallPage,
    a: ApplyForm,
    r: Option<RulesForm>,
    errors: Vec<domain::FieldError>,
) -> Result<ShowPage, AppError> {
    let rules = c.current_rules()?;
    let d = &c.call.data;
    let can_manage = ctx.can(Action::CallManage, RecordScope::SameOrg);
    Ok(ShowPage {
        l: Layout::page(ctx, jar, &d.title, "/bandi").with_errors(FormErrors(errors)),
        id: c.call.id.to_string(),
        title: d.title.clone(),
        benefit_id: c.benefit.id.to_string(),
        benefit: c.benefit.data.name.clone(),
        window: window(d.opens_on, d.closes_on),
        open: d.open_on(today(ctx.now)),
        budget: d.budget.format(),
        partial_last: d.partial_last,
        one_per_household: d.one_per_household,
        publication_text: d.publication_text.clone(),
        rules_number: rules.number,
        criteria: rules
            .rules
            .criteria
            .iter()
            .map(|k| CriterionRow {
                label: k.measure.label(),
                words: k.measure.words(),
                article: k.article.clone(),
            })
            .collect(),
        questions: d
            .questions
            .iter()
            .enumerate()
            .map(|(n, q)| QuestionRow {
                // The first answer takes the field's name: the error summary links to it.
                id: if n == 0 {
                    "answers".to_owned()
                } else {
                    format!("answers_{n}")
                },
                label: q.clone(),
                value: a.answers.get(n).cloned().unwrap_or_default(),
            })
            .collect(),
        asks_rent: rules.rules.asks_rent(),
        asks_waiting: rules.rules.asks_waiting(),
        stage: c.ranking.as_ref().map_or(String::new(), |k| {
            if k.stage == RankingStage::Provisional {
                format!(
                    "provvisoria, ricorsi fino al {}",
                    format_date(k.appeals_until)
                )
            } else {
                k.stage.label().to_owned()
            }
        }),
        version: c.call.version,
        can_file: ctx.can(Action::ApplicationFile, RecordScope::SameOrg),
        can_change_rules: can_manage
            && c.ranking
                .as_ref()
                .is_none_or(|k| k.stage == RankingStage::Provisional),
        can_manage,
        a,
        r: r.unwrap_or_else(|| RulesForm::from_rules(&rules.rules)),
    })
}

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<CallPage, AppError> {
    Ok(app::calls::call(state, ctx, parse_id(id)?).await?)
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let page = show_page(&ctx, &jar, &c, ApplyForm::default(), None, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn apply(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    p: Pairs,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let input = apply_input(&p);
    match app::calls::apply(&state, &ctx, &c, &input).await? {
        Ok(filed) => {
            let mut text = format!(
                "Domanda presentata al bando con protocollo {}.",
                filed.protocol.as_deref().unwrap_or("—")
            );
            if let Some(m) = filed.mailed {
                text.push(' ');
                text.push_str(&m.sentence());
            }
            let jar = flash(jar, "success", &text);
            Ok((jar, Redirect::to(&format!("/bandi/{}", c.call.id))).into_response())
        }
        Err(errors) => {
            let a = ApplyForm {
                codice_fiscale: input.codice_fiscale,
                email: input.email,
                disability: input.answers.disability == "on",
                rent: input.answers.rent,
                waiting_months: input.answers.waiting_months,
                answers: input.answers.answers,
            };
            let page = show_page(&ctx, &jar, &c, a, None, errors).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn add_rules(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    p: Pairs,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let input = rules_input(&p);
    match app::calls::add_rules(&state, &ctx, &c, &input).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Nuova versione delle regole salvata: la graduatoria la userà al prossimo calcolo.",
            );
            Ok((jar, Redirect::to(&format!("/bandi/{}", c.call.id))).into_response())
        }
        Err(errors) => {
            let page = show_page(
                &ctx,
                &jar,
                &c,
                ApplyForm::default(),
                Some(RulesForm::of(input)),
                errors,
            )
            .await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

#[derive(serde::Deserialize)]
struct FundsForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    version: String,
}

async fn add_funds(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<FundsForm>,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let back = format!("/bandi/{}", c.call.id);
    match app::calls::add_funds(&state, &ctx, &c, &f.amount, &f.version).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Fondi aggiunti: con la graduatoria definitiva, «Finanzia» scorre la graduatoria.",
            );
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(errors) => Ok(refuse(jar, &back, &errors)),
    }
}

struct RankingRowView {
    position: String,
    protocol: String,
    application_id: String,
    name: String,
    score: u32,
    isee: String,
    requested: String,
    funded: String,
    outcome: &'static str,
    reason: String,
    state: &'static str,
    lines: Vec<domain::call::ScoreLine>,
}

#[derive(Template)]
#[template(path = "call_ranking.html")]
struct RankingPage {
    l: Layout,
    id: String,
    title: String,
    stage: Option<String>,
    provisional: bool,
    final_stage: bool,
    appeals_until: String,
    budget: String,
    funded: String,
    rows: Vec<RankingRowView>,
    /// The page of rows shown, from 1, of `pages` ([`RANKING_PAGE`] rows each).
    page: usize,
    pages: usize,
    total: usize,
}

/// Rows of a ranking a page shows: a call of 100,000 applications is read 500 at a time.
const RANKING_PAGE: usize = 500;

async fn ranking_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    c: &CallPage,
    errors: Vec<domain::FieldError>,
    page: usize,
) -> Result<RankingPage, AppError> {
    let ranked = app::calls::ranking(state, ctx, c).await?;
    let (stage, appeals_until, rows) = match &ranked {
        Some((k, rows)) => (Some(k.stage), format_date(k.appeals_until), rows.as_slice()),
        None => (None, String::new(), &[][..]),
    };
    let rules = match &ranked {
        Some((k, _)) => Some(&c.rules_of(k)?.rules),
        None => None,
    };
    let pages = rows.len().div_ceil(RANKING_PAGE).max(1);
    let page = page.clamp(1, pages);
    Ok(RankingPage {
        l: Layout::page(
            ctx,
            jar,
            &format!("Graduatoria: {}", c.call.data.title),
            "/bandi",
        )
        .with_errors(FormErrors(errors)),
        id: c.call.id.to_string(),
        title: c.call.data.title.clone(),
        stage: stage.map(|s| s.label().to_owned()),
        provisional: stage != Some(RankingStage::Final),
        final_stage: stage == Some(RankingStage::Final),
        appeals_until,
        budget: c.call.data.budget.format(),
        funded: domain::money::Money(rows.iter().map(|r| r.row.funded.cents()).sum()).format(),
        page,
        pages,
        total: rows.len(),
        rows: rows
            .iter()
            .skip((page - 1) * RANKING_PAGE)
            .take(RANKING_PAGE)
            .map(|e| {
                let r = &e.row;
                RankingRowView {
                    position: r.position.map(|p| p.to_string()).unwrap_or_default(),
                    protocol: r.protocol.clone(),
                    application_id: r.application_id.to_string(),
                    name: e.name.clone(),
                    score: r.score,
                    isee: r.isee.map(|i| i.format()).unwrap_or_default(),
                    requested: r.requested.format(),
                    funded: r.funded.format(),
                    outcome: r.outcome.label(),
                    reason: r.reason.clone(),
                    state: e.state.label(),
                    lines: rules
                        .map(|k| explain(k, &e.facts, &r.breakdown))
                        .unwrap_or_default(),
                }
            })
            .collect(),
    })
}

#[derive(serde::Deserialize)]
struct RankingQuery {
    #[serde(default)]
    pagina: String,
}

async fn ranking(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<RankingQuery>,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let n = q.pagina.trim().parse().unwrap_or(1);
    let page = ranking_page(&state, &ctx, &jar, &c, Vec::new(), n).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

#[derive(serde::Deserialize)]
struct RankForm {
    #[serde(default)]
    appeals_until: String,
}

/// A step of the ranking, as the responsabile asks for it.
enum Step {
    /// The provisional ranking, with the last day for appeals as typed.
    Provisional(String),
    Final,
    Fund,
}

/// Runs a ranking step on the call `id` and answers it: back to the ranking with a message,
/// or the page with the refusal.
async fn step(
    state: &AppState,
    ctx: &Ctx,
    jar: CookieJar,
    id: &str,
    step: Step,
) -> Result<Response, AppError> {
    let c = load(state, ctx, id).await?;
    let done = match step {
        Step::Provisional(until) => app::calls::rank_provisional(state, ctx, &c, &until)
            .await?
            .map(|()| "Graduatoria provvisoria calcolata.".to_owned()),
        Step::Final => app::calls::finalize(state, ctx, &c)
            .await?
            .map(|()| "Graduatoria definitiva approvata.".to_owned()),
        Step::Fund => app::calls::fund_ranking(state, ctx, &c).await?.map(|f| {
            let mut text = format!(
                "Graduatoria finanziata: {} domande accolte ora.",
                f.accepted.len()
            );
            if !f.topped_up.is_empty() {
                text.push_str(&format!(
                    " Finanziate per un importo maggiore: {}.",
                    f.topped_up.join(", ")
                ));
            }
            for (protocol, why) in &f.refused {
                text.push_str(&format!(" Domanda {protocol}: {why}."));
            }
            text
        }),
    };
    match done {
        Ok(text) => {
            let jar = flash(jar, "success", &text);
            Ok((
                jar,
                Redirect::to(&format!("/bandi/{}/graduatoria", c.call.id)),
            )
                .into_response())
        }
        Err(errors) => {
            let page = ranking_page(state, ctx, &jar, &c, errors, 1).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

async fn rank(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<RankForm>,
) -> Result<Response, AppError> {
    step(&state, &ctx, jar, &id, Step::Provisional(f.appeals_until)).await
}

async fn finalize(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    step(&state, &ctx, jar, &id, Step::Final).await
}

async fn fund(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    step(&state, &ctx, jar, &id, Step::Fund).await
}

/// The file name of a publication: «graduatoria-<stage>.<ext>».
fn attachment(stage: RankingStage, ext: &str, content_type: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"graduatoria-{}.{ext}\"",
                    stage.as_str()
                ),
            ),
        ],
        body,
    )
        .into_response()
}

async fn pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let stage = c.ranking.as_ref().map(|k| k.stage);
    let (Some(stage), Some(bytes)) = (stage, app::calls::publication_pdf(&state, &ctx, &c).await?)
    else {
        return Err(AppError::App(app::Error::NotFound));
    };
    Ok(attachment(stage, "pdf", "application/pdf", bytes))
}

async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let Some((k, lines)) = app::calls::published(&state, &ctx, &c, "CSV").await? else {
        return Err(AppError::App(app::Error::NotFound));
    };
    let table = export::Table {
        sheet: "Graduatoria".into(),
        headers: ["Posizione", "Protocollo", "Punteggio", "Esito"]
            .map(str::to_owned)
            .to_vec(),
        rows: lines
            .iter()
            .map(|l| match l {
                domain::call::PublishedLine::Row {
                    position,
                    protocol,
                    score,
                    outcome,
                } => vec![
                    position.map_or(export::Cell::Empty, |p| export::Cell::Int(i64::from(p))),
                    export::Cell::Text(protocol.clone()),
                    export::Cell::Int(i64::from(*score)),
                    export::Cell::Text(outcome.label().to_owned()),
                ],
                withheld => vec![
                    export::Cell::Empty,
                    export::Cell::Empty,
                    export::Cell::Empty,
                    export::Cell::Text(app::calls::line_cells(withheld).concat()),
                ],
            })
            .collect(),
    };
    Ok(attachment(
        k.stage,
        "csv",
        "text/csv; charset=utf-8",
        export::to_csv(&table),
    ))
}

/// The call's applications with the applicants, for the office.
struct EntryRow {
    protocol: String,
    application_id: String,
    name: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "call_applications.html")]
struct ApplicationsPage {
    l: Layout,
    id: String,
    title: String,
    rows: Vec<EntryRow>,
}

async fn applications(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let c = load(&state, &ctx, &id).await?;
    let entries = app::calls::entries(&state, &ctx, &c).await?;
    let page = ApplicationsPage {
        l: Layout::page(
            &ctx,
            &jar,
            &format!("Domande: {}", c.call.data.title),
            "/bandi",
        ),
        id: c.call.id.to_string(),
        title: c.call.data.title.clone(),
        rows: entries
            .into_iter()
            .map(|e| EntryRow {
                protocol: e.protocol.unwrap_or_default(),
                application_id: e.entry.application_id.to_string(),
                name: format!("{} {}", e.surname, e.given_names),
                state: e.state.label(),
            })
            .collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}
