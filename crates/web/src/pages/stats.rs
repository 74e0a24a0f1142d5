//! The statistics for decision makers (`/statistiche`, `Action::ReportView`): the dashboard's
//! tables (app::stats) each with a server-drawn SVG chart beside its data table, filters by
//! year, comune, area and benefit, every figure linked to the list behind it, the figures'
//! date and a button to make them again, and each table as CSV or XLSX with the person
//! counts under 5 suppressed.

use super::dates::when;
use super::render::{attachment, render_page};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::layout::{Layout, flash};
use app::stats::{Behind, Board, Chart, Filter, Table, Value};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use domain::benefit::Area;
use domain::localtime::today;
use domain::money::Money;
use domain::stats::published;
use export::Cell;
use serde::Deserialize;
use std::collections::BTreeMap;
use store::{AuditStore, BenefitStore};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/statistiche", get(show))
        .route("/statistiche/aggiorna", post(refresh))
        .route("/statistiche/export", get(export_table))
}

#[derive(Deserialize, Default)]
struct BoardQuery {
    #[serde(default)]
    anno: String,
    #[serde(default)]
    comune: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    prestazione: String,
    #[serde(default)]
    tabella: String,
    #[serde(default)]
    formato: String,
}

impl BoardQuery {
    /// The filter asked for: a year among those kept (else this year), the rest if given.
    fn filter(&self, this_year: i32) -> Filter {
        let year = self
            .anno
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (this_year - app::stats::YEARS + 1..=this_year).contains(y))
            .unwrap_or(this_year);
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Filter {
            year,
            comune: given(&self.comune),
            area: Area::parse(self.area.trim()),
            benefit: given(&self.prestazione),
        }
    }
}

/// The filter as a query string, for the export links.
fn query_of(f: &Filter) -> String {
    let mut q = format!("anno={}", f.year);
    for (k, v) in [
        ("comune", f.comune.as_deref()),
        ("area", f.area.map(Area::as_str)),
        ("prestazione", f.benefit.as_deref()),
    ] {
        if let Some(v) = v {
            q.push_str(&format!("&{k}={}", crate::paths::url_encode(v)));
        }
    }
    q
}

/// A whole number with the Italian thousands' dot.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Hundredths as «1,25».
fn hundredths(n: i64) -> String {
    format!("{},{:02}", grouped(n / 100), (n % 100).abs())
}

fn text(v: &Value) -> String {
    match v {
        Value::Count(n) => grouped(*n),
        Value::Money(c) => Money(*c).format(),
        Value::Days(d) => d.map_or_else(|| "—".to_owned(), grouped),
        Value::Share { whole: 0, .. } => "—".to_owned(),
        Value::Share { part, whole } => format!("{}%", hundredths(part * 10_000 / whole)),
        Value::Hundredths(h) => h.map_or_else(|| "—".to_owned(), hundredths),
    }
}

struct CellView {
    text: String,
    href: Option<String>,
}

struct RowView {
    label: String,
    cells: Vec<CellView>,
}

struct Bar {
    label: String,
    value: String,
    y: i64,
    text_y: i64,
    width: i64,
    value_x: i64,
}

struct Point {
    x: i64,
    y: i64,
    label: String,
    value: String,
}

struct ChartView {
    title: String,
    desc: String,
    height: i64,
    bars: Vec<Bar>,
    points: Vec<Point>,
    /// The line through the points, as SVG's `points`.
    line: String,
    axis_y: i64,
}

struct TableView {
    id: &'static str,
    title: String,
    note: String,
    columns: Vec<String>,
    rows: Vec<RowView>,
    chart: Option<ChartView>,
}

const BAR_AREA: i64 = 360;
const LABEL_WIDTH: i64 = 230;
const LINE_WIDTH: i64 = 600;
const LINE_HEIGHT: i64 = 160;

/// The chart of a table's first column: bars for categories (the total row left out), a line
/// for the months.
fn chart(t: &Table) -> Option<ChartView> {
    let rows: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r.label != "Totale")
        .filter_map(|r| r.values.first().map(|v| (r.label.clone(), v)))
        .collect();
    if rows.is_empty() || t.chart == Chart::None {
        return None;
    }
    let max = rows
        .iter()
        .map(|(_, v)| v.magnitude())
        .max()
        .unwrap_or(0)
        .max(1);
    let column = t.columns.first().map_or("", |c| c.title.as_str());
    let desc = format!(
        "{}: {}. I dati sono nella tabella accanto.",
        column,
        rows.iter()
            .map(|(l, v)| format!("{l} {}", text(v)))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut view = ChartView {
        title: format!("{} — {}", t.title, column),
        desc,
        height: 0,
        bars: Vec::new(),
        points: Vec::new(),
        line: String::new(),
        axis_y: LINE_HEIGHT + 10,
    };
    match t.chart {
        Chart::Bars => {
            for (i, (label, v)) in rows.iter().enumerate() {
                let y = 8 + 26 * i64::try_from(i).unwrap_or(0);
                let width = v.magnitude().max(0) * BAR_AREA / max;
                view.bars.push(Bar {
                    label: label.chars().take(34).collect(),
                    value: text(v),
                    y,
                    text_y: y + 14,
                    width,
                    value_x: LABEL_WIDTH + width + 6,
                });
            }
            view.height = 16 + 26 * i64::try_from(rows.len()).unwrap_or(0);
        }
        Chart::Line => {
            let n = i64::try_from(rows.len()).unwrap_or(1).max(2);
            for (i, (label, v)) in rows.iter().enumerate() {
                let i = i64::try_from(i).unwrap_or(0);
                view.points.push(Point {
                    x: 40 + i * (LINE_WIDTH - 60) / (n - 1),
                    y: 10 + LINE_HEIGHT - v.magnitude().max(0) * LINE_HEIGHT / max,
                    label: label.chars().take(3).collect(),
                    value: text(v),
                });
            }
            view.line = view
                .points
                .iter()
                .map(|p| format!("{},{}", p.x, p.y))
                .collect::<Vec<_>>()
                .join(" ");
            view.height = LINE_HEIGHT + 40;
        }
        Chart::None => {}
    }
    Some(view)
}

/// Where a figure's list is: the lists check their own permissions; a benefit another
/// organization of the Ambito has but this one has not gets no link.
fn href(b: &Behind, ids: &BTreeMap<String, uuid::Uuid>) -> Option<String> {
    match b {
        Behind::Applications { state, benefit } => {
            let mut q = Vec::new();
            if let Some(s) = state {
                q.push(format!("stato={}", s.as_str()));
            }
            if let Some(code) = benefit {
                q.push(format!("prestazione={}", ids.get(code)?));
            }
            Some(if q.is_empty() {
                "/istanze".to_owned()
            } else {
                format!("/istanze?{}", q.join("&"))
            })
        }
        Behind::CaseFiles => Some("/cartelle?tutte=1".into()),
        Behind::Caseload => Some("/cartelle/carico".into()),
        Behind::Accesses => Some("/segretariato".into()),
    }
}

fn view(t: &Table, ids: &BTreeMap<String, uuid::Uuid>) -> TableView {
    TableView {
        id: t.id,
        title: t.title.clone(),
        note: t.note.clone(),
        columns: t.columns.iter().map(|c| c.title.clone()).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| RowView {
                label: r.label.clone(),
                cells: r
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| CellView {
                        text: text(v),
                        href: r
                            .behind
                            .get(i)
                            .and_then(Option::as_ref)
                            .filter(|_| v.magnitude() != 0)
                            .and_then(|b| href(b, ids)),
                    })
                    .collect(),
            })
            .collect(),
        chart: chart(t),
    }
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    l: Layout,
    as_of: Option<String>,
    sources: Vec<String>,
    years: Vec<i32>,
    year: i32,
    comune: String,
    area: String,
    benefit: String,
    comuni: Vec<(String, String)>,
    areas: &'static [Area],
    benefits: Vec<(String, String)>,
    query: String,
    tables: Vec<TableView>,
}

async fn board(state: &AppState, ctx: &Ctx, q: &BoardQuery) -> Result<Board, AppError> {
    let filter = q.filter(today(ctx.now).year());
    Ok(app::stats::board(state, ctx, filter).await?)
}

async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let board = board(&state, &ctx, &q).await?;
    let ids: BTreeMap<String, uuid::Uuid> = state
        .store
        .list_benefits(ctx.org.id)
        .await?
        .into_iter()
        .map(|b| (b.data.code, b.id))
        .collect();
    let this_year = today(ctx.now).year();
    let page = StatsPage {
        l: Layout::page(&ctx, &jar, "Statistiche", "/statistiche"),
        as_of: board.as_of.map(when),
        sources: board.sources.clone(),
        years: (this_year - app::stats::YEARS + 1..=this_year)
            .rev()
            .collect(),
        year: board.filter.year,
        comune: board.filter.comune.clone().unwrap_or_default(),
        area: board
            .filter
            .area
            .map(Area::as_str)
            .unwrap_or_default()
            .to_owned(),
        benefit: board.filter.benefit.clone().unwrap_or_default(),
        comuni: board.comuni.clone(),
        areas: Area::ALL,
        benefits: board.benefits.clone(),
        query: query_of(&board.filter),
        tables: board.tables.iter().map(|t| view(t, &ids)).collect(),
    };
    Ok(render_page(jar, &page, StatusCode::OK))
}

async fn refresh(
    State(state): State<AppState>,
    jar: CookieJar,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let n = app::stats::refresh(&state, &ctx).await?;
    let jar = flash(
        jar,
        "success",
        &format!("Statistiche ricalcolate ora ({n} valori)."),
    );
    Ok((jar, Redirect::to("/statistiche")).into_response())
}

/// A table as published: person counts from 1 to 4 written «<5».
fn published_table(t: &Table) -> export::Table {
    export::Table {
        sheet: t.id.to_owned(),
        headers: std::iter::once("Voce".to_owned())
            .chain(t.columns.iter().map(|c| c.title.clone()))
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                std::iter::once(Cell::from(r.label.as_str()))
                    .chain(r.values.iter().zip(&t.columns).map(|(v, c)| match v {
                        Value::Count(n) if c.persons => {
                            published(*n).map_or_else(|| Cell::from("<5"), Cell::Int)
                        }
                        Value::Count(n) => Cell::Int(*n),
                        Value::Money(m) => Cell::Money(*m),
                        Value::Days(d) => d.map_or(Cell::Empty, Cell::Int),
                        other => Cell::Text(text(other)),
                    }))
                    .collect()
            })
            .collect(),
    }
}

async fn export_table(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let board = board(&state, &ctx, &q).await?;
    let Some(t) = board.table(q.tabella.trim()) else {
        return Err(AppError::App(app::Error::NotFound));
    };
    let table = published_table(t);
    state
        .store
        .append_audit(&ctx.audit(
            "stats.export",
            "organization",
            Some(ctx.org.id),
            format!(
                "Esportata la tabella statistica «{}» ({})",
                t.title,
                query_of(&board.filter)
            ),
        ))
        .await?;
    let name = format!("statistiche-{}-{}", t.id, board.filter.year);
    if q.formato == "xlsx" {
        let bytes = export::to_xlsx(&table).map_err(|e| app::Error::Internal(e.to_string()))?;
        Ok(attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
            bytes,
        ))
    } else {
        Ok(attachment(
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
            export::to_csv(&table),
        ))
    }
}
