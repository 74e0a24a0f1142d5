//! Registry households over time (who lived with whom, from when to when) and the support
//! network outside them.

use super::forms::{Form, parse_id, refuse};
use super::render::render_page;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use app::person::person_edit_access;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::dates::format_date;
use domain::person::{Relationship, SupportKind, age_on};
use domain::{Action, FieldError};
use serde::Deserialize;
use store::{
    Household, HouseholdMember, HouseholdStore, MemberView, PersonStore, StoreError, SupportLink,
};
use time::Date;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/persone/{id}/famiglia", post(create_household))
        .route("/persone/{id}/rete", post(add_link))
        .route("/persone/{id}/rete/{link}/termina", post(end_link))
        .route("/famiglie/{id}", get(show))
        .route("/famiglie/{id}/componenti", post(add_member))
        .route(
            "/famiglie/{id}/componenti/{member}/termina",
            post(end_member),
        )
}

/// A date typed in a form; empty (or unreadable, with the error recorded) means `default`.
fn date_or(field: &'static str, raw: &str, default: Date, errors: &mut Vec<FieldError>) -> Date {
    super::dates::optional_date(field, raw, errors).unwrap_or(default)
}

#[derive(Deserialize, Default)]
struct NewHouseholdForm {
    #[serde(default)]
    from_date: String,
}

async fn create_household(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<NewHouseholdForm>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let mut errors = Vec::new();
    let from = date_or(
        "from_date",
        &f.from_date,
        domain::localtime::today(ctx.now),
        &mut errors,
    );
    if from < p.data.birth_date {
        errors.push(FieldError::new(
            "from_date",
            "la data è precedente alla nascita",
        ));
    }
    let back = format!("/persone/{}", p.id);
    if !errors.is_empty() {
        return Ok(refuse(jar, &back, &errors));
    }
    let h = Household {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        registry_comune: None,
        registry_code: None,
        created_at: ctx.now,
    };
    let name = p.data.full_name();
    let head = HouseholdMember {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        household_id: h.id,
        person_id: p.id,
        relationship: Relationship::Head,
        from_date: from,
        to_date: None,
    };
    let history = ctx.history(
        p.id,
        "famiglia",
        format!(
            "{} di una nuova famiglia dal {}",
            capitalized(domain::person::head_word(p.data.sex)),
            format_date(from)
        ),
        Vec::new(),
    );
    let audit = ctx.audit(
        "household.create",
        "household",
        Some(h.id),
        format!(
            "Nuova famiglia con {} {name} dal {}",
            domain::person::head_word(p.data.sex),
            format_date(from)
        ),
    );
    state
        .store
        .create_household(&h, &head, &history, &audit)
        .await?;
    let jar = flash(jar, "success", "Famiglia creata.");
    Ok((jar, Redirect::to(&format!("/famiglie/{}", h.id))).into_response())
}

struct MemberRow {
    v: MemberView,
    name: String,
    age: i32,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    l: Layout,
    h: Household,
    current: Vec<MemberRow>,
    past: Vec<MemberRow>,
    relationships: &'static [Relationship],
    can_edit: bool,
    today: String,
    /// The form to add a member, as typed.
    form: MemberForm,
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let h = state
        .store
        .get_household(ctx.org.id, parse_id(&id)?)
        .await?;
    ctx.authorize(Action::PersonView, ctx.scope_of(h.org_id))?;
    let form = MemberForm {
        from_date: format_date(domain::localtime::today(ctx.now)),
        ..MemberForm::default()
    };
    let page = household_page(&state, &ctx, &jar, h, form, Vec::new()).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The household's page, its form to add a member holding `form` and `errors`.
async fn household_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    h: Household,
    form: MemberForm,
    errors: Vec<FieldError>,
) -> Result<HouseholdPage, AppError> {
    let today = domain::localtime::today(ctx.now);
    let members = state.store.household_members(ctx.org.id, h.id).await?;
    state
        .reads
        .view(ctx, app::read_log::Read::Household, h.id)
        .await;
    let (current, past): (Vec<MemberRow>, Vec<MemberRow>) = members
        .into_iter()
        .map(|v| MemberRow {
            name: format!("{} {}", v.surname, v.given_names),
            age: age_on(v.birth_date, v.death_date.unwrap_or(today)),
            from: format_date(v.member.from_date),
            to: v.member.to_date.map(format_date).unwrap_or_default(),
            v,
        })
        .partition(|r| r.v.member.to_date.is_none());
    let mut current = current;
    current.sort_by_key(|r| r.v.member.relationship != Relationship::Head);
    let head = current
        .iter()
        .find(|r| r.v.member.relationship == Relationship::Head)
        .map_or_else(
            || "Famiglia".to_owned(),
            |r| format!("Famiglia di {}", r.name),
        );
    let l = Layout::page(ctx, jar, &head, "/persone")
        .crumb("/persone", "Anagrafe sociale")
        .crumb(&format!("/famiglie/{}", h.id), &head)
        .with_errors(FormErrors(errors));
    Ok(HouseholdPage {
        l,
        can_edit: ctx.can(Action::PersonEdit, ctx.scope_of(h.org_id)),
        h,
        current,
        past,
        relationships: Relationship::ALL,
        today: format_date(today),
        form,
    })
}

#[derive(Deserialize, Default)]
struct MemberForm {
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    relationship: String,
    #[serde(default)]
    from_date: String,
}

async fn add_member(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Result<Response, AppError> {
    let h = state
        .store
        .get_household(ctx.org.id, parse_id(&id)?)
        .await?;
    ctx.authorize(Action::PersonEdit, ctx.scope_of(h.org_id))?;
    let back = format!("/famiglie/{}", h.id);
    let mut errors = Vec::new();
    let cf = territory::codice_fiscale::normalize(&f.codice_fiscale);
    let person = if cf.is_empty() {
        errors.push(FieldError::new(
            "codice_fiscale",
            "indicare il codice fiscale della persona da aggiungere",
        ));
        None
    } else {
        match state.store.find_person_by_cf(ctx.org.id, &cf).await {
            Ok(p) => Some(p),
            Err(StoreError::NotFound) => {
                errors.push(FieldError::new(
                    "codice_fiscale",
                    format!("nessuna persona registrata con codice fiscale {cf}: registrala prima nell'anagrafe sociale"),
                ));
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let relationship = Relationship::parse(f.relationship.trim());
    if relationship.is_none() {
        errors.push(FieldError::new(
            "relationship",
            "scegliere il rapporto con l'intestatario",
        ));
    }
    let from = date_or(
        "from_date",
        &f.from_date,
        domain::localtime::today(ctx.now),
        &mut errors,
    );
    if let (Some(p), Some(_)) = (&person, relationship) {
        let members = state.store.household_members(ctx.org.id, h.id).await?;
        if members
            .iter()
            .any(|m| m.member.person_id == p.id && m.member.to_date.is_none())
        {
            errors.push(FieldError::new(
                "codice_fiscale",
                format!("{} fa già parte della famiglia", p.data.full_name()),
            ));
        }
        if from < p.data.birth_date {
            errors.push(FieldError::new(
                "from_date",
                "la data di ingresso è precedente alla nascita",
            ));
        }
    }
    let (Some(p), Some(relationship), true) = (person, relationship, errors.is_empty()) else {
        let page = household_page(&state, &ctx, &jar, h, f, errors).await?;
        return Ok(render_page(jar, &page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let m = HouseholdMember {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        household_id: h.id,
        person_id: p.id,
        relationship,
        from_date: from,
        to_date: None,
    };
    let name = p.data.full_name();
    let what = format!(
        "Entra nella famiglia come {} dal {}",
        relationship.label(),
        format_date(from)
    );
    let history = ctx.history(p.id, "famiglia", what.clone(), Vec::new());
    let audit = ctx.audit(
        "household.member.add",
        "household",
        Some(h.id),
        format!("{name}: {what}"),
    );
    state
        .store
        .add_household_member(&m, &history, &audit)
        .await?;
    let jar = flash(jar, "success", &format!("{name} aggiunto/a alla famiglia."));
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Deserialize, Default)]
struct EndForm {
    #[serde(default)]
    to_date: String,
}

async fn end_member(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
    Form(f): Form<EndForm>,
) -> Result<Response, AppError> {
    let h = state
        .store
        .get_household(ctx.org.id, parse_id(&id)?)
        .await?;
    ctx.authorize(Action::PersonEdit, ctx.scope_of(h.org_id))?;
    let member_id = parse_id(&member)?;
    let back = format!("/famiglie/{}", h.id);
    let members = state.store.household_members(ctx.org.id, h.id).await?;
    let m = members
        .iter()
        .find(|m| m.member.id == member_id && m.member.to_date.is_none())
        .ok_or(app::Error::NotFound)?;
    let mut errors = Vec::new();
    let to = date_or(
        "to_date",
        &f.to_date,
        domain::localtime::today(ctx.now),
        &mut errors,
    );
    if to < m.member.from_date {
        errors.push(FieldError::new(
            "to_date",
            format!(
                "la data di uscita è precedente all'ingresso ({})",
                format_date(m.member.from_date)
            ),
        ));
    }
    if !errors.is_empty() {
        return Ok(refuse(jar, &back, &errors));
    }
    let name = format!("{} {}", m.surname, m.given_names);
    let what = format!("Esce dalla famiglia il {}", format_date(to));
    let history = ctx.history(m.member.person_id, "famiglia", what.clone(), Vec::new());
    let audit = ctx.audit(
        "household.member.end",
        "household",
        Some(h.id),
        format!("{name}: {what}"),
    );
    state
        .store
        .end_household_member(ctx.org.id, member_id, to, &history, &audit)
        .await?;
    let jar = flash(jar, "success", &format!("Uscita di {name} registrata."));
    Ok((jar, Redirect::to(&back)).into_response())
}

#[derive(Deserialize, Default)]
struct LinkForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    codice_fiscale: String,
    #[serde(default)]
    related_name: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    from_date: String,
}

async fn add_link(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(f): Form<LinkForm>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let back = format!("/persone/{}#rete", p.id);
    let mut errors = Vec::new();
    let kind = SupportKind::parse(f.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", "scegliere il tipo di legame"));
    }
    let cf = territory::codice_fiscale::normalize(&f.codice_fiscale);
    let related = if cf.is_empty() {
        None
    } else {
        match state.store.find_person_by_cf(ctx.org.id, &cf).await {
            Ok(r) if r.id == p.id => {
                errors.push(FieldError::new(
                    "codice_fiscale",
                    "una persona non può far parte della propria rete",
                ));
                None
            }
            Ok(r) => Some(r),
            Err(StoreError::NotFound) => {
                errors.push(FieldError::new(
                    "codice_fiscale",
                    format!("nessuna persona registrata con codice fiscale {cf}: lascia vuoto e scrivi solo il nome"),
                ));
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let name = related.as_ref().map_or_else(
        || {
            f.related_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        },
        |r| r.data.full_name(),
    );
    if name.is_empty() {
        errors.push(FieldError::new(
            "related_name",
            "indicare il nome o il codice fiscale della persona",
        ));
    } else if name.chars().count() > 120 {
        errors.push(FieldError::new("related_name", "al massimo 120 caratteri"));
    }
    let detail = f.detail.split_whitespace().collect::<Vec<_>>().join(" ");
    if detail.chars().count() > 300 {
        errors.push(FieldError::new("detail", "al massimo 300 caratteri"));
    }
    let phone = f.phone.trim().to_owned();
    if phone.chars().count() > 30 {
        errors.push(FieldError::new("phone", "al massimo 30 caratteri"));
    }
    let from = if f.from_date.trim().is_empty() {
        None
    } else {
        Some(date_or(
            "from_date",
            &f.from_date,
            domain::localtime::today(ctx.now),
            &mut errors,
        ))
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Ok(refuse(jar, &back, &errors));
    };
    let link = SupportLink {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: p.id,
        related_person_id: related.map(|r| r.id),
        related_name: name.clone(),
        kind,
        detail,
        phone: (!phone.is_empty()).then_some(phone),
        from_date: from,
        to_date: None,
        created_at: ctx.now,
    };
    let what = format!("{}: {name}", kind.label());
    let history = ctx.history(
        p.id,
        "rete",
        format!("Aggiunto alla rete di sostegno: {what}"),
        Vec::new(),
    );
    let audit = ctx.audit(
        "person.support.add",
        "person",
        Some(p.id),
        format!(
            "Rete di sostegno di {}: aggiunto {what}",
            p.data.full_name()
        ),
    );
    state
        .store
        .add_support_link(&link, &history, &audit)
        .await?;
    let jar = flash(jar, "success", "Rete di sostegno aggiornata.");
    Ok((jar, Redirect::to(&back)).into_response())
}

async fn end_link(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path((id, link)): Path<(String, String)>,
    Form(f): Form<EndForm>,
) -> Result<Response, AppError> {
    let p = person_edit_access(&state, &ctx, parse_id(&id)?)
        .await?
        .person;
    let link_id = parse_id(&link)?;
    let back = format!("/persone/{}#rete", p.id);
    let links = state.store.person_support(ctx.org.id, p.id).await?;
    let l = links
        .iter()
        .find(|l| l.id == link_id && l.to_date.is_none())
        .ok_or(app::Error::NotFound)?;
    let mut errors = Vec::new();
    let to = date_or(
        "to_date",
        &f.to_date,
        domain::localtime::today(ctx.now),
        &mut errors,
    );
    if l.from_date.is_some_and(|from| to < from) {
        errors.push(FieldError::new(
            "to_date",
            "la data di fine è precedente all'inizio",
        ));
    }
    if !errors.is_empty() {
        return Ok(refuse(jar, &back, &errors));
    }
    let what = format!(
        "{}: {}, fino al {}",
        l.kind.label(),
        l.related_name,
        format_date(to)
    );
    let history = ctx.history(
        l.person_id,
        "rete",
        format!("Legame concluso: {what}"),
        Vec::new(),
    );
    let audit = ctx.audit(
        "person.support.end",
        "person",
        Some(l.person_id),
        format!("Rete di sostegno: concluso {what}"),
    );
    state
        .store
        .end_support_link(ctx.org.id, link_id, to, &history, &audit)
        .await?;
    let jar = flash(jar, "success", "Legame concluso.");
    Ok((jar, Redirect::to(&back)).into_response())
}

/// The word with its first letter in capital.
fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
