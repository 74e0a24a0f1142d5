//! The portal's pages: the public home and «Quanto pagherò», the sign-in with SPID and CIE,
//! the citizen's applications (each one's page is `follow`'s) and the log of who in the office
//! opened their data.

use super::i18n::{LANG_COOKIE, Lang, Problem, T};
use super::session::{CitizenCtx, PORTAL_COOKIE, Visitor, cookie};
use crate::AppState;
use crate::error::AppError;
use crate::pages::render::render_page;
use crate::pages::simulation::{SimQuery, SimResult, Simulation, simulate};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::application::ApplicationState;
use domain::localtime::today;
use serde::Deserialize;
use store::{BenefitStore, OrgStore, SessionStore, StoreError};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(super::signin::routes())
        .merge(super::follow::routes())
        .route("/portale", get(home))
        .route("/portale/lingua/{code}", get(language))
        .route("/portale/esci", post(sign_out))
        .route("/portale/domande", get(applications))
        .route("/portale/accessi", get(accesses))
        .route("/portale/enti/{org}/prestazioni/{id}", get(quanto))
}

/// A link of the portal's menu.
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// A language of the switch.
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// What every portal page carries: the translator, the title and the header's parts.
pub struct PortalLayout {
    pub t: T,
    pub title: String,
    pub asset: &'static str,
    pub lang: &'static str,
    pub dir: &'static str,
    pub citizen: Option<String>,
    pub nav: Vec<NavLink>,
    pub langs: Vec<LangLink>,
    /// This page, for the language switch to come back to.
    pub here: String,
}

impl PortalLayout {
    pub(super) fn new(
        t: T,
        title: String,
        signed_in: Option<&app::portal::Citizen>,
        here: &str,
    ) -> Self {
        let mut nav = vec![NavLink {
            href: "/portale",
            label: t.t("nav-home"),
            current: here == "/portale",
        }];
        if signed_in.is_some() {
            nav.push(NavLink {
                href: "/portale/domande",
                label: t.t("nav-applications"),
                current: here.starts_with("/portale/domande"),
            });
            nav.push(NavLink {
                href: "/portale/accessi",
                label: t.t("nav-accesses"),
                current: here.starts_with("/portale/accessi"),
            });
        }
        PortalLayout {
            title: format!("{title} – {}", t.t("portal-name")),
            asset: crate::assets::VERSION,
            lang: t.lang.code(),
            dir: t.lang.dir(),
            citizen: signed_in.map(|c| c.user.full_name.clone()),
            nav,
            langs: Lang::ALL
                .iter()
                .map(|l| LangLink {
                    code: l.code(),
                    name: l.name(),
                    current: *l == t.lang,
                })
                .collect(),
            here: crate::paths::url_encode(here),
            t,
        }
    }
}

// --- Home ------------------------------------------------------------------------------------

struct OrgBenefits {
    name: String,
    benefits: Vec<HomeBenefit>,
}

struct HomeBenefit {
    /// «Quanto pagherò».
    href: String,
    name: String,
    /// The online application, when open today.
    apply: Option<String>,
}

#[derive(Template)]
#[template(path = "portale/home.html")]
struct HomePage {
    l: PortalLayout,
    welcome: Option<String>,
    orgs: Vec<OrgBenefits>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HomeQuery {
    uscita: String,
}

async fn home(
    State(state): State<AppState>,
    jar: CookieJar,
    v: Visitor,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let mut orgs = Vec::new();
    for org in state.store.list_orgs().await? {
        if !org.active || org.kind == domain::OrgKind::Sistema {
            continue;
        }
        let on = today(state.clock.now());
        let benefits: Vec<HomeBenefit> = app::portal::public_benefits(&state, &org)
            .await?
            .into_iter()
            .map(|b| {
                let href = format!("/portale/enti/{}/prestazioni/{}", org.code, b.id);
                HomeBenefit {
                    apply: b.data.portal_open_on(on).then(|| format!("{href}/domanda")),
                    href,
                    name: b.data.name,
                }
            })
            .collect();
        if !benefits.is_empty() {
            orgs.push(OrgBenefits {
                name: org.name,
                benefits,
            });
        }
    }
    let t = v.t;
    let page = HomePage {
        welcome: v
            .citizen
            .as_ref()
            .map(|c| t.args("home-welcome", &[("name", &c.user.full_name)])),
        l: PortalLayout::new(t, t.t("home-title"), v.citizen.as_ref(), "/portale"),
        orgs,
        notice: (!q.uscita.is_empty()).then(|| t.t("signout-done")),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// Remembers the language chosen and goes back to the page it was chosen on.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LangQuery {
    torna: String,
}

async fn language(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let back = portal_path(&q.torna).unwrap_or("/portale").to_owned();
    let Some(lang) = Lang::parse(&code) else {
        return Redirect::to(&back).into_response();
    };
    let mut c = cookie(LANG_COOKIE, lang.code().to_owned(), state.config.tls);
    c.set_max_age(time::Duration::days(365));
    (jar.add(c), Redirect::to(&back)).into_response()
}

/// `p` if it is a page of the portal: the language switch and the sign-in send the browser
/// only there.
pub(super) fn portal_path(p: &str) -> Option<&str> {
    crate::paths::safe_local_path(p).filter(|p| *p == "/portale" || p.starts_with("/portale/"))
}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    v: Visitor,
) -> Result<Response, AppError> {
    if let Some(hash) = &v.session_hash {
        state.store.delete_session(hash).await?;
    }
    let gone = axum_extra::extract::cookie::Cookie::build((PORTAL_COOKIE, ""))
        .path("/")
        .build();
    Ok((jar.remove(gone), Redirect::to("/portale?uscita=1")).into_response())
}

// --- My applications -------------------------------------------------------------------------

struct AppRow {
    href: String,
    benefit: String,
    protocol: String,
    filed: String,
    state: String,
    person: String,
}

/// A draft the citizen can take up again.
struct DraftRow {
    href: String,
    benefit: String,
    person: String,
    updated: String,
}

/// A benefit open on the portal today.
struct OpenRow {
    href: String,
    benefit: String,
    office: String,
}

#[derive(Template)]
#[template(path = "portale/domande.html")]
struct ApplicationsPage {
    l: PortalLayout,
    rows: Vec<AppRow>,
    count: String,
    /// The citizen represents someone: the table says for whom.
    for_others: bool,
    drafts: Vec<DraftRow>,
    open: Vec<OpenRow>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    eliminata: String,
}

/// The person an application is for, as the citizen's page says it.
pub(super) fn whose(
    t: &T,
    c: &app::portal::Citizen,
    org: uuid::Uuid,
    person: uuid::Uuid,
) -> String {
    c.persons
        .iter()
        .find(|r| r.org.id == org && r.person.id == person)
        .map(|r| match r.mandate {
            None => t.t("for-self"),
            Some(_) => r.person.data.full_name(),
        })
        .unwrap_or_default()
}

async fn applications(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let t = ctx.t;
    let c = &ctx.citizen;
    let mine = app::portal::applications(&state, c).await?;
    let drafts = app::portal_apply::drafts(&state, c)
        .await?
        .into_iter()
        .map(|d| DraftRow {
            href: format!("/portale/bozze/{}", d.id),
            person: whose(&t, c, d.org_id, d.person_id),
            updated: t.args(
                "apply-draft-updated",
                &[(
                    "date",
                    &t.date_time(crate::pages::dates::instant(d.updated_at_us)),
                )],
            ),
            benefit: d.benefit_name,
        })
        .collect();
    let open = app::portal_apply::open_benefits(&state, c)
        .await?
        .into_iter()
        .map(|o| OpenRow {
            href: format!(
                "/portale/enti/{}/prestazioni/{}/domanda",
                o.org.code, o.benefit.id
            ),
            benefit: o.benefit.data.name,
            office: o.org.name,
        })
        .collect();
    let rows = mine
        .iter()
        .map(|m| AppRow {
            href: format!("/portale/domande/{}", m.view.app.id),
            benefit: m.view.benefit_name.clone(),
            protocol: m
                .view
                .app
                .protocol
                .clone()
                .unwrap_or_else(|| t.t("application-no-protocol")),
            filed: m
                .view
                .app
                .submitted_on
                .map(|d| t.date(d))
                .unwrap_or_default(),
            state: state_words(&t, m.view.app.state),
            person: whose(&t, c, m.org.id, m.view.app.person_id),
        })
        .collect();
    let page = ApplicationsPage {
        drafts,
        open,
        notice: (!q.eliminata.is_empty()).then(|| t.t("apply-draft-deleted")),
        count: t.count("applications-count", mine.len() as i64),
        for_others: c.persons.iter().any(|r| r.mandate.is_some()),
        l: PortalLayout::new(t, t.t("applications-title"), Some(c), "/portale/domande"),
        rows,
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

pub(super) fn state_words(t: &T, s: ApplicationState) -> String {
    t.t(&format!("state-{}", s.as_str()))
}

// --- Who viewed my data ----------------------------------------------------------------------

struct PersonChoice {
    value: String,
    label: String,
    selected: bool,
}

struct AccessRow {
    when: String,
    office: String,
    who: String,
    what: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "portale/accessi.html")]
struct AccessesPage {
    l: PortalLayout,
    choices: Vec<PersonChoice>,
    rows: Vec<AccessRow>,
    limit_note: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AccessQuery {
    persona: String,
}

async fn accesses(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: CitizenCtx,
    Query(q): Query<AccessQuery>,
) -> Result<Response, AppError> {
    let t = ctx.t;
    let c = &ctx.citizen;
    // `persona` is «org:person»; by default the citizen's own first record.
    let chosen = q
        .persona
        .split_once(':')
        .and_then(|(o, p)| Some((Uuid::parse_str(o).ok()?, Uuid::parse_str(p).ok()?)));
    let target = match chosen {
        Some(k) => Some(k),
        None => c
            .persons
            .iter()
            .find(|r| r.mandate.is_none())
            .or(c.persons.first())
            .map(|r| (r.org.id, r.person.id)),
    };
    let (rows, limited) = match target {
        Some((org, person)) => {
            let entries = app::portal::access_log(&state, c, org, person).await?;
            let limited = entries.len() as i64 >= app::portal::ACCESS_LOG_LIMIT;
            (
                entries
                    .into_iter()
                    .map(|e| AccessRow {
                        when: t.date_time(e.at),
                        office: e.org_name,
                        who: match e.who {
                            app::portal::Operator::Name(n) => n,
                            app::portal::Operator::Role(r) => t.t(&format!("role-{}", r.as_str())),
                            app::portal::Operator::Former => t.t("operator-former"),
                        },
                        what: t.t(e.what.key()),
                        reason: e.reason.unwrap_or_default(),
                    })
                    .collect(),
                limited,
            )
        }
        None => (Vec::new(), false),
    };
    let choices = c
        .persons
        .iter()
        .map(|r| PersonChoice {
            value: format!("{}:{}", r.org.id, r.person.id),
            label: format!("{} – {}", r.person.data.full_name(), r.org.name),
            selected: target == Some((r.org.id, r.person.id)),
        })
        .collect();
    let page = AccessesPage {
        l: PortalLayout::new(t, t.t("accesses-title"), Some(c), "/portale/accessi"),
        choices,
        rows,
        limit_note: limited.then(|| {
            t.args(
                "accesses-limit",
                &[("n", &app::portal::ACCESS_LOG_LIMIT.to_string())],
            )
        }),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

// --- Quanto pagherò ---------------------------------------------------------------------------

/// A field of the «Quanto pagherò» form.
struct QuantoField {
    name: &'static str,
    label: String,
    value: String,
    mode: &'static str,
    hint: String,
    error: Option<Problem>,
    described_by: String,
    check: bool,
}

/// One field of the form: its name, label, hint, input mode ("check" for a check box) and
/// where its value is in the query.
type QuantoSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    fn(&SimQuery) -> &String,
);

/// The form's fields, in order.
const QUANTO_FIELDS: [QuantoSpec; 9] = [
    ("isee", "quanto-isee", "quanto-isee-hint", "decimal", |q| {
        &q.isee
    }),
    ("household", "quanto-household", "", "numeric", |q| {
        &q.household
    }),
    ("minors", "quanto-minors", "", "numeric", |q| &q.minors),
    (
        "birth_date",
        "quanto-birth",
        "quanto-birth-hint",
        "numeric",
        |q| &q.birth_date,
    ),
    ("resident", "quanto-resident", "", "check", |q| &q.resident),
    (
        "resident_since",
        "quanto-resident-since",
        "quanto-birth-hint",
        "numeric",
        |q| &q.resident_since,
    ),
    ("disability", "quanto-disability", "", "check", |q| {
        &q.disability
    }),
    ("units", "quanto-units", "", "numeric", |q| &q.units),
    ("cost", "quanto-cost", "", "decimal", |q| &q.cost),
];

fn quanto_fields(t: &T, q: &SimQuery, problems: &[Problem]) -> Vec<QuantoField> {
    QUANTO_FIELDS
        .iter()
        .map(|(name, label, hint, mode, value)| {
            let error = Problem::of(problems, name).cloned();
            let mut described = Vec::new();
            if !hint.is_empty() {
                described.push(format!("{name}-hint"));
            }
            if error.is_some() {
                described.push(format!("{name}-error"));
            }
            QuantoField {
                name,
                label: t.t(label),
                value: value(q).clone(),
                mode,
                hint: if hint.is_empty() {
                    String::new()
                } else {
                    t.t(hint)
                },
                error,
                described_by: described.join(" "),
                check: *mode == "check",
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portale/quanto.html")]
struct QuantoPage {
    l: PortalLayout,
    heading: String,
    description: String,
    action: String,
    fields: Vec<QuantoField>,
    errors: Vec<Problem>,
    result: Option<SimResult>,
    /// The result's amount in the citizen's language.
    amount: Option<String>,
    no_rule: Option<String>,
    rules_line: String,
}

/// «Quanto pagherò»: the simulator of a benefit, public, in the citizen's language. Nothing
/// typed is stored or logged: it is the citizen's own arithmetic.
async fn quanto(
    State(state): State<AppState>,
    jar: CookieJar,
    v: Visitor,
    Path((org_code, id)): Path<(String, String)>,
    Query(mut q): Query<SimQuery>,
) -> Result<Response, AppError> {
    let t = v.t;
    let code = domain::OrgCode::parse(&org_code).map_err(|_| app::Error::NotFound)?;
    let org = match state.store.get_org_by_code(&code).await {
        Ok(o) if o.active => o,
        Ok(_) | Err(StoreError::NotFound) => return Err(app::Error::NotFound.into()),
        Err(e) => return Err(e.into()),
    };
    let id = Uuid::parse_str(id.trim()).map_err(|_| app::Error::NotFound)?;
    let b = match state.store.get_benefit(org.id, id).await {
        Ok(b) if b.data.active => b,
        Ok(_) | Err(StoreError::NotFound) => return Err(app::Error::NotFound.into()),
        Err(e) => return Err(e.into()),
    };
    let Simulation {
        errors,
        result,
        no_rule,
    } = simulate(&state, org.id, &b, &mut q, today(state.clock.now())).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let heading = t.args("quanto-title", &[("benefit", &b.data.name)]);
    let path = format!("/portale/enti/{}/prestazioni/{}", org.code, b.id);
    let rules_line = result
        .as_ref()
        .map(|r| {
            t.args(
                "quanto-rules",
                &[
                    ("date", &t.date(r.valid_from_date)),
                    ("citation", &r.citation),
                ],
            )
        })
        .unwrap_or_default();
    let errors = t.problems(&errors, |field| {
        QUANTO_FIELDS
            .iter()
            .find(|f| f.0 == field)
            .map(|f| t.t(f.1))
    });
    let page = QuantoPage {
        l: PortalLayout::new(t, heading.clone(), v.citizen.as_ref(), &path),
        heading,
        description: b.data.description.clone(),
        action: path,
        fields: quanto_fields(&t, &q, &errors),
        errors,
        amount: result
            .as_ref()
            .and_then(|r| r.amount_value)
            .map(|m| t.money(m)),
        result,
        no_rule,
        rules_line,
    };
    Ok(render_page(jar, &page, status))
}
