//! Co-payment bills (`/rette`): the month's bills issued from the deliveries made, each with
//! its pagoPA notice as PDF with the QR code; the debt positions for pagoPA (GPD JSON) and a
//! CSV for the accounting; the payments imported from pagoPA or the treasurer; the arrears
//! with their reminders; the ente's pagoPA settings.

use super::forms::{Pairs, parse_id, refuse};
use super::render::{attachment, pdf, render, render_page};
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
use domain::bill::{BillState, Notice, PagopaInput, reminder_allowed};
use domain::dates::format_date;
use domain::localtime::today;
use domain::money::Money;
use domain::payment::Iban;
use export::{Cell, Table};
use serde::Deserialize;
use store::{Bill, BillFilter};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rette", get(bills))
        .route("/rette/emetti", post(issue))
        .route("/rette/impostazioni", get(settings).post(save_settings))
        .route("/rette/morosita", get(arrears))
        .route(PAYMENTS_UPLOAD_PATH, post(import_payments))
        .route("/rette/gpd", get(gpd))
        .route("/rette/csv", get(csv))
        .route("/rette/{id}", get(bill))
        .route("/rette/{id}/avviso.pdf", get(notice_pdf))
        .route("/rette/{id}/sollecito.pdf", get(reminder_pdf))
        .route("/rette/{id}/annulla", post(cancel))
        .route("/rette/{id}/sollecito", post(remind))
}

/// The address of the payments' upload (its body limit is the bank return's).
pub const PAYMENTS_UPLOAD_PATH: &str = "/rette/pagamenti";

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    mese: String,
    #[serde(default)]
    stato: String,
}

struct BillRow {
    href: String,
    person: String,
    month: String,
    amount: String,
    paid: String,
    nav: String,
    due: String,
    state: &'static str,
    reminders: i64,
}

fn bill_row(b: &Bill) -> BillRow {
    BillRow {
        href: format!("/rette/{}", b.id),
        person: b.person_name.clone(),
        month: month_label(b.month),
        amount: b.amount.format(),
        paid: b.paid.format(),
        nav: Notice {
            iuv: b.iuv.clone(),
            nav: b.nav.clone(),
        }
        .nav_grouped(),
        due: format_date(b.due_on),
        state: b.state.label(),
        reminders: b.reminders,
    }
}

struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "rette.html")]
struct BillsPage {
    l: Layout,
    mese: String,
    month_words: String,
    configured: bool,
    states: Vec<Choice>,
    rows: Vec<BillRow>,
    total: String,
    outstanding: String,
}

async fn bills(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let m = month(&q.mese, today(ctx.now));
    let picked = BillState::parse(q.stato.trim());
    let configured = app::bill::settings(&state, &ctx).await?.is_some();
    let list = app::bill::list(
        &state,
        &ctx,
        &BillFilter {
            month: Some(m),
            state: picked,
            ..BillFilter::default()
        },
    )
    .await?;
    let total = list.iter().fold(Money::ZERO, |s, b| {
        if b.state == BillState::Cancelled {
            s
        } else {
            s + b.amount
        }
    });
    let outstanding = list.iter().fold(Money::ZERO, |s, b| s + b.outstanding());
    let page = BillsPage {
        l: Layout::page(&ctx, &jar, "Rette", "/rette"),
        mese: period_code(m),
        month_words: month_label(m),
        configured,
        states: BillState::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: s.label(),
                selected: picked == Some(*s),
            })
            .collect(),
        rows: list.iter().map(bill_row).collect(),
        total: total.format(),
        outstanding: outstanding.format(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// An error the operator can act on goes back to the page as a message; others are errors.
fn told(jar: CookieJar, back: &str, e: app::Error) -> Result<Response, AppError> {
    match e {
        app::Error::BadRequest(m) => {
            let jar = flash(jar, "danger", &format!("{}.", capitalized(&m)));
            Ok((jar, Redirect::to(back)).into_response())
        }
        other => Err(other.into()),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

async fn issue(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    let m = month(form.get("mese"), today(ctx.now));
    let back = format!("/rette?mese={}", period_code(m));
    match app::bill::issue(&state, &ctx, m).await {
        Ok(done) if done.bills == 0 => {
            let jar = flash(
                jar,
                "warning",
                &format!(
                    "Nessuna retta da emettere per {}: nessuna mensilità erogata con compartecipazione ancora da fatturare.",
                    month_label(m)
                ),
            );
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Ok(done) => {
            let jar = flash(
                jar,
                "success",
                &format!(
                    "Emesse {} rette di {} per {}: scaricare le posizioni per pagoPA e stampare gli avvisi.",
                    done.bills,
                    month_label(m),
                    done.total.format()
                ),
            );
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(e) => told(jar, &back, e),
    }
}

#[derive(Template)]
#[template(path = "rette_impostazioni.html")]
struct SettingsPage {
    l: Layout,
    version: i64,
    f: PagopaInput,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    jar: &CookieJar,
    form: Option<(PagopaInput, FormErrors)>,
) -> Result<SettingsPage, AppError> {
    let stored = app::bill::settings(state, ctx).await?;
    let version = stored.as_ref().map_or(0, |s| s.version);
    let (f, errors) = form.unwrap_or_else(|| {
        (
            stored.map_or_else(
                || PagopaInput {
                    due_days: "30".into(),
                    ..PagopaInput::default()
                },
                |s| PagopaInput {
                    fiscal_code: s.fiscal_code,
                    segregation_code: format!("{:02}", s.segregation_code),
                    iban: Iban::parse("iban", &s.iban).map_or(s.iban, |i| i.grouped()),
                    category: s.category,
                    due_days: s.due_days.to_string(),
                },
            ),
            FormErrors::default(),
        )
    });
    Ok(SettingsPage {
        l: Layout::page(ctx, jar, "Impostazioni pagoPA", "/rette")
            .crumb("/rette", "Rette")
            .with_errors(errors),
        version,
        f,
    })
}

async fn settings(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let page = settings_page(&state, &ctx, &jar, None).await?;
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn save_settings(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    form: Pairs,
) -> Result<Response, AppError> {
    let input = PagopaInput {
        fiscal_code: form.get("fiscal_code").to_owned(),
        segregation_code: form.get("segregation_code").to_owned(),
        iban: form.get("iban").to_owned(),
        category: form.get("category").to_owned(),
        due_days: form.get("due_days").to_owned(),
    };
    match app::bill::save_settings(&state, &ctx, &input, form.get("version")).await? {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Impostazioni pagoPA salvate: valgono per le rette emesse da ora.",
            );
            Ok((jar, Redirect::to("/rette")).into_response())
        }
        Err(errors) => {
            let page = settings_page(&state, &ctx, &jar, Some((input, FormErrors(errors)))).await?;
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

struct LineRow {
    benefit: String,
    quantity: String,
    amount: String,
    href: String,
    changed: Option<String>,
}

struct PaidRow {
    on: String,
    amount: String,
    reference: String,
}

#[derive(Template)]
#[template(path = "retta.html")]
struct BillPage {
    l: Layout,
    id: String,
    b: BillRow,
    person_href: String,
    description: String,
    iuv: String,
    outstanding: String,
    issued: String,
    version: i64,
    last_reminder: String,
    can_cancel: bool,
    can_remind: bool,
    remind_why: String,
    lines: Vec<LineRow>,
    payments: Vec<PaidRow>,
}

async fn bill(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (b, lines, payments) = app::bill::bill(&state, &ctx, parse_id(&id)?).await?;
    let issued = b.state == BillState::Issued;
    let remind = reminder_allowed(b.due_on, b.last_reminder_on, today(ctx.now));
    let page = BillPage {
        l: Layout::page(
            &ctx,
            &jar,
            &format!("Retta di {} – {}", b.person_name, month_label(b.month)),
            "/rette",
        )
        .crumb(&format!("/rette?mese={}", period_code(b.month)), "Rette"),
        id: b.id.to_string(),
        b: bill_row(&b),
        person_href: format!("/persone/{}", b.person_id),
        description: b.description.clone(),
        iuv: b.iuv.clone(),
        outstanding: b.outstanding().format(),
        issued: format_date(b.issued_on),
        version: b.version,
        last_reminder: b.last_reminder_on.map(format_date).unwrap_or_default(),
        can_cancel: issued && b.paid == Money::ZERO,
        can_remind: issued && remind.is_ok(),
        remind_why: if issued {
            remind.err().unwrap_or_default()
        } else {
            String::new()
        },
        lines: lines
            .into_iter()
            .map(|l| LineRow {
                benefit: l.benefit_name,
                quantity: l.quantity.map(|q| q.to_string()).unwrap_or_default(),
                amount: l.amount.format(),
                href: format!("/istanze/{}", l.application_id),
                changed: if !l.now_delivered {
                    Some("la mensilità non risulta più erogata: annullare l'avviso e riemetterlo".into())
                } else if l.now_co_payment != l.amount {
                    Some(format!(
                        "la compartecipazione è stata rettificata in {}: annullare l'avviso e riemetterlo",
                        l.now_co_payment.format()
                    ))
                } else {
                    None
                },
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|p| PaidRow {
                on: format_date(p.paid_on),
                amount: p.amount.format(),
                reference: p.reference,
            })
            .collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

/// The notice, or the reminder letter, of a bill as a PDF.
async fn printed(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    reminder: bool,
) -> Result<Response, AppError> {
    let id = parse_id(id)?;
    let bytes = app::bill::notice_pdf(state, ctx, id, reminder).await?;
    let name = if reminder {
        "sollecito"
    } else {
        "avviso-pagopa"
    };
    Ok(pdf(&format!("{name}-{}.pdf", id.simple()), bytes))
}

async fn notice_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    printed(&state, &ctx, &id, false).await
}

async fn reminder_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    printed(&state, &ctx, &id, true).await
}

async fn cancel(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    form: Pairs,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let back = format!("/rette/{id}");
    match app::bill::cancel(&state, &ctx, id, form.get("version")).await {
        Ok(()) => {
            let jar = flash(
                jar,
                "success",
                "Avviso annullato: invalidare la posizione anche su pagoPA; le mensilità si possono fatturare di nuovo.",
            );
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(e) => told(jar, &back, e),
    }
}

async fn remind(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Path(id): Path<String>,
    form: Pairs,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let back = format!("/rette/{id}");
    let to = if form.get("da") == "morosita" {
        "/rette/morosita".to_owned()
    } else {
        back.clone()
    };
    match app::bill::remind(&state, &ctx, id, form.get("version")).await {
        Ok(mailed) => {
            let jar = flash(
                jar,
                "success",
                &format!(
                    "Sollecito registrato: stampare la lettera di sollecito dalla pagina dell'avviso e spedirla. {}",
                    mailed.sentence()
                ),
            );
            Ok((jar, Redirect::to(&to)).into_response())
        }
        Err(e) => told(jar, &to, e),
    }
}

#[derive(Template)]
#[template(path = "rette_morosita.html")]
struct ArrearsPage {
    l: Layout,
    today: String,
    rows: Vec<ArrearRow>,
    total: String,
}

struct ArrearRow {
    b: BillRow,
    id: String,
    version: i64,
    outstanding: String,
    days: i64,
    last_reminder: String,
    can_remind: bool,
}

async fn arrears(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let on = today(ctx.now);
    let list = app::bill::list(
        &state,
        &ctx,
        &BillFilter {
            overdue_on: Some(on),
            ..BillFilter::default()
        },
    )
    .await?;
    let total = list.iter().fold(Money::ZERO, |s, b| s + b.outstanding());
    let page = ArrearsPage {
        l: Layout::page(&ctx, &jar, "Rette scadute e solleciti", "/rette").crumb("/rette", "Rette"),
        today: format_date(on),
        total: total.format(),
        rows: list
            .iter()
            .map(|b| ArrearRow {
                b: bill_row(b),
                id: b.id.to_string(),
                version: b.version,
                outstanding: b.outstanding().format(),
                days: (on - b.due_on).whole_days(),
                last_reminder: b.last_reminder_on.map(format_date).unwrap_or_default(),
                can_remind: reminder_allowed(b.due_on, b.last_reminder_on, on).is_ok(),
            })
            .collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn import_payments(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    ctx.authorize(
        domain::policy::Action::BillManage,
        domain::policy::RecordScope::SameOrg,
    )?;
    let (back, bytes) = match monthly_file(
        &state.store,
        jar.clone(),
        multipart,
        "/rette",
        "scegliere il file dei pagamenti (JSON di pagoPA o CSV del tesoriere)",
        today(ctx.now),
    )
    .await?
    {
        Ok(file) => file,
        Err(refused) => return Ok(refused),
    };
    match app::bill::import_payments(&state, &ctx, &bytes).await? {
        Ok(s) => {
            let mut text = format!(
                "Pagamenti importati: {} registrati, {} avvisi saldati",
                s.recorded, s.settled
            );
            if s.duplicates > 0 {
                text.push_str(&format!("; {} già registrati prima", s.duplicates));
            }
            if !s.unknown.is_empty() {
                text.push_str(&format!(
                    "; IUV non di questo ente: {}",
                    s.unknown.join(", ")
                ));
            }
            if !s.to_refund.is_empty() {
                text.push_str(&format!(
                    "; pagati avvisi annullati, da rimborsare: {}",
                    s.to_refund.join(", ")
                ));
            }
            let level = if s.unknown.is_empty() && s.to_refund.is_empty() {
                "success"
            } else {
                "warning"
            };
            let jar = flash(jar, level, &format!("{text}."));
            Ok((jar, Redirect::to(&back)).into_response())
        }
        Err(message) => Ok(refuse(jar, &back, &[FieldError::new("file", message)])),
    }
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    #[serde(default)]
    mese: String,
}

async fn gpd(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let m = month(&q.mese, today(ctx.now));
    match app::bill::gpd_export(&state, &ctx, m).await {
        Ok(body) => Ok(attachment(
            "application/json",
            &format!("posizioni-pagopa-{}.json", period_code(m)),
            body,
        )),
        Err(e) => told(jar, &format!("/rette?mese={}", period_code(m)), e),
    }
}

/// The month's bills for the accounting, formula-safe (the `export` crate).
async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let m = month(&q.mese, today(ctx.now));
    let list = app::bill::list(
        &state,
        &ctx,
        &BillFilter {
            month: Some(m),
            ..BillFilter::default()
        },
    )
    .await?;
    let table = Table {
        sheet: "Rette".into(),
        headers: [
            "Mese",
            "Debitore",
            "Codice fiscale",
            "Oggetto",
            "Importo",
            "Pagato",
            "Codice avviso",
            "IUV",
            "Emesso il",
            "Scadenza",
            "Stato",
            "Solleciti",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect(),
        rows: list
            .into_iter()
            .map(|b| {
                vec![
                    Cell::Date(b.month),
                    Cell::from(b.person_name),
                    Cell::from(b.fiscal_code.unwrap_or_default()),
                    Cell::from(b.description),
                    Cell::Money(b.amount.cents()),
                    Cell::Money(b.paid.cents()),
                    Cell::from(b.nav),
                    Cell::from(b.iuv),
                    Cell::Date(b.issued_on),
                    Cell::Date(b.due_on),
                    Cell::from(b.state.label()),
                    Cell::from(b.reminders.to_string()),
                ]
            })
            .collect(),
    };
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("rette-{}.csv", period_code(m)),
        export::to_csv(&table),
    ))
}
