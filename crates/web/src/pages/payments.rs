//! Funds (`/fondi`: allocation, committed, paid, remaining per year; new funds, allocations,
//! the benefits each pays) and payments (`/pagamenti`: a month's deliveries to pay per fund,
//! the lists prepared and approved, the SEPA file, the accounting CSV, the bank's return, the
//! beneficiaries' IBANs).

use super::forms::{Pairs, parse_id, refuse};
use super::render::{attachment, render, render_page};
use super::siuss::{month, period_code};
use super::upload::monthly_file;
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{FormErrors, Layout, flash};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::FieldError;
use domain::application::month_label;
use domain::localtime::today;
use domain::money::Money;
use domain::payment::{AccountInput, AllocationInput, FundInput, FundKind, Iban, ListState};
use domain::policy::{Action, RecordScope};
use export::{Cell, Table};
use serde::Deserialize;
use store::{BenefitStore, OrgStore, PaymentStore};
use time::Date;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fondi", get(funds).post(create_fund))
        .route("/fondi/stanziamenti", post(save_allocation))
        .route("/fondi/prestazioni", post(link_benefit))
        .route("/pagamenti", get(payments))
        .route("/pagamenti/distinte", post(prepare))
        .route("/pagamenti/distinte/{id}", get(list))
        .route("/pagamenti/distinte/{id}/approva", post(approve))
        .route("/pagamenti/distinte/{id}/csv", get(list_csv))
        .route("/pagamenti/sepa", get(sepa))
        .route("/pagamenti/esiti", post(import_return))
        .route("/pagamenti/iban/{person}", get(account).post(save_account))
}

/// The address of the bank's return upload (its body limit is the XML's).
pub const RETURN_UPLOAD_PATH: &str = "/pagamenti/esiti";

#[derive(Deserialize, Default)]
struct YearQuery {
    #[serde(default)]
    anno: String,
}

struct Choice {
    value: String,
    label: String,
}

struct FundRow {
    name: String,
    kind: &'static str,
    iban: String,
    allocated: String,
    committed: String,
    paid: String,
    remaining: String,
    over: bool,
    benefits: String,
}

/// A quota of a fund split by comune.
struct QuotaRow {
    fund: String,
    share: String,
    allocated: String,
    committed: String,
    remaining: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "fondi.html")]
struct FundsPage {
    l: Layout,
    year: i32,
    rows: Vec<FundRow>,
    quotas: Vec<QuotaRow>,
    funds: Vec<Choice>,
    kinds: Vec<Choice>,
    comuni: Vec<Choice>,
    benefits: Vec<Choice>,
    f: FundInput,
}

async fn funds_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    year: i32,
    form: Option<(FundInput, FormErrors)>,
) -> Result<FundsPage, AppError> {
    let years = app::payment::funds(state, ctx, year).await?;
    let quotas = app::payment::fund_quotas(state, ctx, year, &years)
        .await?
        .into_iter()
        .map(|q| QuotaRow {
            fund: q.name.clone(),
            share: q.share.clone().unwrap_or_default(),
            allocated: q.allocated.format(),
            committed: q.committed.format(),
            remaining: q.remaining().format(),
            over: q.remaining() < Money::ZERO,
        })
        .collect();
    let benefits = state.store.list_benefits(ctx.org.id).await?;
    let links = state.store.benefit_funds(ctx.org.id).await?;
    let comuni = state.store.org_comuni(ctx.org.id).await?;
    let (f, errors) = form.unwrap_or_default();
    let rows = years
        .iter()
        .map(|y| {
            let remaining = y.allocated - y.committed;
            FundRow {
                name: y.fund.name.clone(),
                kind: y.fund.kind.label(),
                iban: Iban::parse("iban", &y.fund.debtor_iban)
                    .map_or_else(|_| y.fund.debtor_iban.clone(), |i| i.grouped()),
                allocated: y.allocated.format(),
                committed: y.committed.format(),
                paid: y.paid.format(),
                remaining: remaining.format(),
                over: remaining < Money::ZERO,
                benefits: benefits
                    .iter()
                    .filter(|b| links.contains(&(b.id, y.fund.id)))
                    .map(|b| b.data.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    Ok(FundsPage {
        l: Layout::page(ctx, jar, "Fondi", "/fondi").with_errors(errors),
        year,
        rows,
        quotas,
        funds: years
            .iter()
            .map(|y| Choice {
                value: y.fund.id.to_string(),
                label: y.fund.name.clone(),
            })
            .collect(),
        kinds: FundKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: k.label().into(),
            })
            .collect(),
        comuni: comuni
            .into_iter()
            .map(|c| Choice {
                value: c.istat_code,
                label: c.name,
            })
            .collect(),
        benefits: benefits
            .into_iter()
            .filter(|b| b.data.active)
            .map(|b| Choice {
                value: b.id.to_string(),
                label: b.data.name,
            })
            .collect(),
        f,
    })
}

fn year_of(raw: &str, ctx: &Ctx) -> i32 {
    raw.trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2099).contains(y))
        .unwrap_or_else(|| today(ctx.now).year())
}

async fn funds(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let page = funds_page(&state, &ctx, &jar, year_of(&q.anno, &ctx), None).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn create_fund(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    let input = FundInput {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        debtor_iban: form.get("debtor_iban").to_owned(),
    };
    match app::payment::create_fund(&state, &ctx, &input).await? {
        Ok(_) => {
            let jar = flash(
                jar,
                "success",
                &format!(
                    "Fondo «{}» creato: indicarne lo stanziamento.",
                    input.name.trim()
                ),
            );
            Ok((jar, Redirect::to("/fondi")).into_response())
        }
        Err(errors) => {
            let year = today(ctx.now).year();
            let page =
                funds_page(&state, &ctx, &jar, year, Some((input, FormErrors(errors)))).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// A fund chosen in a form, or the field error naming it.
fn chosen_fund(raw: &str) -> Result<uuid::Uuid, FieldError> {
    uuid::Uuid::parse_str(raw.trim()).map_err(|_| FieldError::new("fund", "scegliere il fondo"))
}

async fn save_allocation(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let fund = match chosen_fund(form.get("fund")) {
        Ok(id) => id,
        Err(e) => return Ok(refuse(jar, "/fondi", &[e])),
    };
    let input = AllocationInput {
        year: form.get("year").to_owned(),
        comune: form.get("comune").to_owned(),
        amount: form.get("amount").to_owned(),
    };
    let back = format!("/fondi?anno={}", input.year.trim());
    match app::payment::save_allocation(&state, &ctx, fund, &input).await? {
        Ok(()) => {
            let jar = flash(jar, "success", "Stanziamento salvato.");
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(errors) => Ok(refuse(jar, "/fondi", &errors)),
    }
}

async fn link_benefit(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    ctx.authorize(Action::FundManage, RecordScope::SameOrg)?;
    let Ok(benefit) = uuid::Uuid::parse_str(form.get("benefit").trim()) else {
        return Ok(refuse(
            jar,
            "/fondi",
            &[FieldError::new("benefit", "scegliere la prestazione")],
        ));
    };
    let fund = if form.get("fund").trim().is_empty() {
        None
    } else {
        match chosen_fund(form.get("fund")) {
            Ok(id) => Some(id),
            Err(e) => return Ok(refuse(jar, "/fondi", &[e])),
        }
    };
    app::payment::link_benefit(&state, &ctx, benefit, fund).await?;
    let jar = flash(
        jar,
        "success",
        if fund.is_some() {
            "La prestazione attinge ora al fondo: le accoglienze ne controllano la disponibilità."
        } else {
            "La prestazione non è più legata a un fondo: vale il suo stanziamento."
        },
    );
    Ok((jar, Redirect::to("/fondi")).into_response())
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    #[serde(default)]
    mese: String,
}

struct ListRow {
    href: String,
    fund: String,
    month: String,
    state: &'static str,
    approved: bool,
    count: i64,
    total: String,
}

struct PayableRow {
    fund: String,
    person: String,
    benefit: String,
    amount: String,
    iban_href: String,
    has_iban: bool,
}

#[derive(Template)]
#[template(path = "pagamenti.html")]
struct PaymentsPage {
    l: Layout,
    mese: String,
    month_words: String,
    lists: Vec<ListRow>,
    payable: Vec<PayableRow>,
    funds: Vec<Choice>,
    approved_any: bool,
}

fn list_row(l: &store::PaymentList) -> ListRow {
    ListRow {
        href: format!("/pagamenti/distinte/{}", l.id),
        fund: l.fund_name.clone(),
        month: month_label(l.month),
        state: l.state.label(),
        approved: l.state == ListState::Approved,
        count: l.count,
        total: l.total.format(),
    }
}

async fn payments(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let m = month(&q.mese, today(ctx.now));
    let lists = app::payment::lists(&state, &ctx, m).await?;
    let (from, to) = app::procedure::year_bounds(m.year())?;
    let funds = state
        .store
        .fund_years(ctx.org.id, i64::from(m.year()), from, to)
        .await?;
    let mut payable = Vec::new();
    for f in &funds {
        for p in state.store.payable(ctx.org.id, f.fund.id, m).await? {
            payable.push(PayableRow {
                fund: f.fund.name.clone(),
                person: p.person_name,
                benefit: p.benefit_name,
                amount: p.amount.format(),
                iban_href: format!("/pagamenti/iban/{}", p.person_id),
                has_iban: p.account.is_some(),
            });
        }
    }
    if !payable.is_empty() {
        state
            .reads
            .log(ctx.audit(
                "payment.view",
                "payment_month",
                None,
                format!(
                    "Consultate le erogazioni da pagare di {}: {}",
                    month_label(m),
                    payable.len()
                ),
            ))
            .await;
    }
    let page = PaymentsPage {
        l: Layout::page(&ctx, &jar, "Pagamenti", "/pagamenti"),
        mese: period_code(m),
        month_words: month_label(m),
        approved_any: lists.iter().any(|l| l.state == ListState::Approved),
        lists: lists.iter().map(list_row).collect(),
        payable,
        funds: funds
            .iter()
            .map(|f| Choice {
                value: f.fund.id.to_string(),
                label: f.fund.name.clone(),
            })
            .collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn prepare(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let m = month(form.get("mese"), today(ctx.now));
    let back = format!("/pagamenti?mese={}", period_code(m));
    let fund = match chosen_fund(form.get("fund")) {
        Ok(id) => id,
        Err(e) => return Ok(refuse(jar, &back, &[e])),
    };
    let done = app::payment::prepare_list(&state, &ctx, fund, m).await?;
    let missing = if done.without_iban.is_empty() {
        String::new()
    } else {
        format!(
            " Senza IBAN, quindi esclusi: {}.",
            done.without_iban
                .iter()
                .map(|p| p.person_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let (jar, to) = match done.list {
        Some(id) => (
            flash(
                jar,
                "success",
                &format!(
                    "Distinta preparata con {} pagamenti: va approvata dalla ragioneria.{missing}",
                    done.payments
                ),
            ),
            format!("/pagamenti/distinte/{id}"),
        ),
        None => (
            flash(
                jar,
                "warning",
                &format!("Nessun pagamento da mettere in distinta per il mese.{missing}"),
            ),
            back,
        ),
    };
    Ok((jar, Redirect::to(&to)).into_response())
}

struct PaymentRow {
    person: String,
    benefit: String,
    period: String,
    amount: String,
    iban: String,
    holder: String,
    end_to_end: String,
    state: &'static str,
    reason: String,
    iban_href: String,
}

#[derive(Template)]
#[template(path = "distinta.html")]
struct ListPage {
    l: Layout,
    list: ListRow,
    id: String,
    mese: String,
    version: i64,
    approved_by: String,
    rows: Vec<PaymentRow>,
}

async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (list, payments) = app::payment::list(&state, &ctx, parse_id(&id)?).await?;
    let page = ListPage {
        l: Layout::page(
            &ctx,
            &jar,
            &format!("Distinta {} – {}", list.fund_name, month_label(list.month)),
            "/pagamenti",
        )
        .crumb(
            &format!("/pagamenti?mese={}", period_code(list.month)),
            "Pagamenti",
        ),
        id: list.id.to_string(),
        mese: period_code(list.month),
        version: list.version,
        approved_by: list.approved_by.clone().unwrap_or_default(),
        list: list_row(&list),
        rows: payments
            .into_iter()
            .map(|p| PaymentRow {
                iban: Iban::parse("iban", &p.iban).map_or_else(|_| p.iban.clone(), |i| i.grouped()),
                iban_href: format!("/pagamenti/iban/{}", p.person_id),
                person: p.person_name,
                benefit: p.benefit_name,
                period: month_label(p.period),
                amount: p.amount.format(),
                holder: p.holder,
                end_to_end: p.end_to_end,
                state: p.state.label(),
                reason: p.reason,
            })
            .collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn approve(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    form: Pairs,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    app::payment::approve(&state, &ctx, id, form.get("version")).await?;
    let jar = flash(
        jar,
        "success",
        "Distinta approvata: i suoi pagamenti entrano nel file SEPA del mese.",
    );
    Ok((jar, Redirect::to(&format!("/pagamenti/distinte/{id}"))).into_response())
}

/// The list for the comune's accounting, formula-safe (the `export` crate).
async fn list_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (list, payments) = app::payment::list(&state, &ctx, parse_id(&id)?).await?;
    let table = Table {
        sheet: "Distinta".into(),
        headers: [
            "Fondo",
            "Mese",
            "Beneficiario",
            "Prestazione",
            "Importo",
            "IBAN",
            "Intestatario",
            "Identificativo (EndToEndId)",
            "Stato",
            "Motivo",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: payments
            .into_iter()
            .map(|p| {
                vec![
                    Cell::from(list.fund_name.as_str()),
                    Cell::Date(p.period),
                    Cell::from(p.person_name),
                    Cell::from(p.benefit_name),
                    Cell::Money(p.amount.cents()),
                    Cell::from(p.iban),
                    Cell::from(p.holder),
                    Cell::from(p.end_to_end),
                    Cell::from(p.state.label()),
                    Cell::from(p.reason),
                ]
            })
            .collect(),
    };
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!(
            "distinta-{}-{}.csv",
            period_code(list.month),
            list.id.simple()
        ),
        export::to_csv(&table),
    ))
}

async fn sepa(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let m: Date = month(&q.mese, today(ctx.now));
    match app::payment::sepa(&state, &ctx, m).await? {
        Some(f) => Ok(attachment(
            "application/xml; charset=utf-8",
            &f.name,
            f.xml.into_bytes(),
        )),
        None => {
            let jar = flash(
                jar,
                "warning",
                "Nessun pagamento approvato e ancora da disporre per il mese: nessun file SEPA.",
            );
            Ok((
                jar,
                Redirect::to(&format!("/pagamenti?mese={}", period_code(m))),
            )
                .into_response())
        }
    }
}

async fn import_return(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.authorize(Action::PaymentManage, RecordScope::SameOrg)?;
    let (back, bytes) = match monthly_file(
        &state.store,
        jar.clone(),
        multipart,
        "/pagamenti",
        "scegliere il file dell'esito (camt.054 o CSV del tesoriere)",
        today(ctx.now),
    )
    .await?
    {
        Ok(file) => file,
        Err(refused) => return Ok(refused),
    };
    match app::payment::import_return(&state, &ctx, &bytes).await? {
        Ok(s) => {
            let jar = flash(
                jar,
                "success",
                &format!(
                    "Esito importato: {} pagati, {} respinti{}.",
                    s.paid,
                    s.rejected,
                    if s.ignored > 0 {
                        format!(
                            "; {} righe senza un pagamento disposto corrispondente",
                            s.ignored
                        )
                    } else {
                        String::new()
                    }
                ),
            );
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(message) => Ok(refuse(jar, &back, &[FieldError::new("file", message)])),
    }
}

#[derive(Template)]
#[template(path = "iban.html")]
struct AccountPage {
    l: Layout,
    person: String,
    person_href: String,
    action: String,
    version: i64,
    f: AccountInput,
}

async fn account_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    person: uuid::Uuid,
    form: Option<(AccountInput, FormErrors)>,
) -> Result<AccountPage, AppError> {
    let (p, stored) = app::payment::account(state, ctx, person).await?;
    let name = p.data.full_name();
    let (f, errors) = form.unwrap_or_else(|| {
        (
            AccountInput {
                iban: stored
                    .as_ref()
                    .and_then(|a| Iban::parse("iban", &a.iban).ok())
                    .map(|i| i.grouped())
                    .unwrap_or_default(),
                holder: stored
                    .as_ref()
                    .map_or_else(|| name.clone(), |a| a.holder.clone()),
            },
            FormErrors::default(),
        )
    });
    Ok(AccountPage {
        l: Layout::page(ctx, jar, &format!("IBAN di {name}"), "/pagamenti")
            .crumb("/pagamenti", "Pagamenti")
            .with_errors(errors),
        person: name,
        person_href: format!("/persone/{person}"),
        action: format!("/pagamenti/iban/{person}"),
        version: stored.map_or(0, |a| a.version),
        f,
    })
}

async fn account(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(person): Path<String>,
) -> Result<Response, AppError> {
    let page = account_page(&state, &ctx, &jar, parse_id(&person)?, None).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn save_account(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(person): Path<String>,
    form: Pairs,
) -> Result<Response, AppError> {
    let person = parse_id(&person)?;
    let input = AccountInput {
        iban: form.get("iban").to_owned(),
        holder: form.get("holder").to_owned(),
    };
    match app::payment::save_account(&state, &ctx, person, &input, form.get("version")).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "IBAN salvato: i prossimi pagamenti, e quelli respinti rimessi in distinta, vanno su questo conto.",
            );
            Ok((jar, Redirect::to("/pagamenti")).into_response())
        }
        Err(errors) => {
            let page = account_page(
                &state,
                &ctx,
                &jar,
                person,
                Some((input, FormErrors(errors))),
            )
            .await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}
