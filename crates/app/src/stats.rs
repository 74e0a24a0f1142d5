//! Statistics for decision makers (domain::stats): the figures of each organization made by a
//! job every [`EVERY`] and on demand, and the dashboard's tables read from them only, for the
//! responsabile of a Comune or of an Ambito (who sees the Comuni of the Ambito added up and
//! side by side), with the ISTAT survey and the Piano di Zona's figures.

use crate::{Actor, Error, Services};
use domain::OrgKind;
use domain::application::ApplicationState;
use domain::audit::unix_micros;
use domain::benefit::Area;
use domain::policy::{Action, RecordScope};
use domain::stats::{self, Figure, Measure, per_5000_hundredths, percentile};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use store::{AuditStore, BenefitStore, OrgComune, OrgStore, Organization, StatsStore};
use time::{Date, Month, Time};

/// How often the job makes every organization's figures again.
pub const EVERY: Duration = Duration::from_secs(600);

/// Years kept: the current one and the two before (the Piano di Zona compares years).
pub const YEARS: i32 = 3;

/// Makes the figures of `org` again from its records; how many figures.
pub async fn refresh_org(state: &Services, org: &Organization) -> Result<usize, Error> {
    let now = state.clock.now();
    let today = domain::localtime::today(now);
    let comuni: Vec<String> = state
        .store
        .org_comuni(org.id)
        .await?
        .into_iter()
        .map(|c| c.istat_code)
        .collect();
    let years: Vec<i32> = (today.year() - YEARS + 1..=today.year()).collect();
    let first = Date::from_calendar_date(years[0], Month::January, 1)
        .map_err(|e| Error::Internal(e.to_string()))?;
    // A day early in UTC, so that accesses of the first local day are read; figures() keeps
    // only the years asked for.
    let first_us = unix_micros(first.with_time(Time::MIDNIGHT).assume_utc()) - 86_400_000_000;
    let facts = state.store.stat_facts(org.id, first, first_us).await?;
    let figures = stats::figures(&facts, &comuni, &years, today);
    state
        .store
        .replace_stat_figures(org.id, &figures, unix_micros(now))
        .await?;
    Ok(figures.len())
}

/// Makes the figures of every active Comune and Ambito again.
pub async fn refresh_all(state: &Services) -> Result<usize, Error> {
    let mut done = 0;
    for org in state.store.list_orgs().await? {
        if org.active && org.kind.has_comuni() {
            refresh_org(state, &org).await?;
            done += 1;
        }
    }
    Ok(done)
}

/// Runs [`refresh_all`] now and then every [`EVERY`], for as long as the process lives, on
/// one server at a time (`jobs`).
pub fn spawn(state: Services) {
    crate::jobs::spawn(
        state,
        crate::jobs::STATS,
        EVERY,
        |s| async move { refresh_all(&s).await },
        |n| tracing::debug!(organizations = n, "statistiche aggiornate"),
    );
}

/// The organizations whose figures the actor's dashboard adds up: its own and, for an
/// Ambito, the active Comuni whose comune is one of the Ambito's.
async fn sources(
    state: &Services,
    ctx: &Actor,
) -> Result<Vec<(Organization, Vec<OrgComune>)>, Error> {
    let own = state.store.org_comuni(ctx.org.id).await?;
    let mut out = Vec::new();
    if ctx.org.kind == OrgKind::AmbitoTerritoriale {
        let codes: BTreeSet<&str> = own.iter().map(|c| c.istat_code.as_str()).collect();
        for org in state.store.list_orgs().await? {
            if org.kind != OrgKind::Comune || !org.active || org.id == ctx.org.id {
                continue;
            }
            let comuni = state.store.org_comuni(org.id).await?;
            if comuni.iter().any(|c| codes.contains(c.istat_code.as_str())) {
                out.push((org, comuni));
            }
        }
    }
    out.insert(0, (ctx.org.clone(), own));
    Ok(out)
}

/// Makes the figures of the actor's dashboard again now (its organization and, for an
/// Ambito, its Comuni), and writes it in the audit log.
pub async fn refresh(state: &Services, ctx: &Actor) -> Result<usize, Error> {
    ctx.authorize(Action::ReportView, RecordScope::SameOrg)?;
    let mut figures = 0;
    for (org, _) in sources(state, ctx).await? {
        figures += refresh_org(state, &org).await?;
    }
    state
        .store
        .append_audit(&ctx.audit(
            "stats.refresh",
            "organization",
            Some(ctx.org.id),
            format!("Statistiche ricalcolate: {figures} valori"),
        ))
        .await?;
    Ok(figures)
}

/// What the dashboard shows: a year, and optionally one comune, one area, one benefit (by
/// code). The area and the benefit narrow the figures that have them; counts of first
/// accesses, case files and caseload have neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub year: i32,
    pub comune: Option<String>,
    pub area: Option<Area>,
    pub benefit: Option<String>,
}

/// A value of a table's cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Count(i64),
    /// Euro cents.
    Money(i64),
    /// Days; `None` when nothing was decided.
    Days(Option<i64>),
    /// A share, `part` of `whole`.
    Share {
        part: i64,
        whole: i64,
    },
    /// A rate in hundredths (1,25 is 125); `None` when it cannot be computed.
    Hundredths(Option<i64>),
}

impl Value {
    /// The value as a chart draws it.
    pub fn magnitude(&self) -> i64 {
        match self {
            Value::Count(n) | Value::Money(n) => *n,
            Value::Days(d) | Value::Hundredths(d) => d.unwrap_or(0),
            Value::Share { part, whole } => {
                if *whole == 0 {
                    0
                } else {
                    part * 1000 / whole
                }
            }
        }
    }
}

/// The list behind a figure: the web layer links it, and the list checks its own permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behind {
    Applications {
        state: Option<ApplicationState>,
        benefit: Option<String>,
    },
    CaseFiles,
    Caseload,
    Accesses,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub title: String,
    /// The column counts persons: small cells are suppressed when published.
    pub persons: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub values: Vec<Value>,
    /// Per cell, the list behind it.
    pub behind: Vec<Option<Behind>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    None,
    /// Horizontal bars of the first column.
    Bars,
    /// A line of the first column over the rows (months).
    Line,
}

/// One table of the dashboard, also exported as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Stable name, used in the page's anchors and the export's file name.
    pub id: &'static str,
    pub title: String,
    /// What the table shows and how it is counted, for the chart's description too.
    pub note: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub chart: Chart,
}

/// The dashboard of the actor's organization.
#[derive(Debug, Clone)]
pub struct Board {
    pub filter: Filter,
    /// When the oldest of the added-up figures were made (Unix µs); `None` if some never were.
    pub as_of: Option<i64>,
    /// The organizations added up (own first).
    pub sources: Vec<String>,
    /// Comuni that can be chosen: (ISTAT code, name).
    pub comuni: Vec<(String, String)>,
    /// Benefits that can be chosen: (code, name).
    pub benefits: Vec<(String, String)>,
    pub tables: Vec<Table>,
}

impl Board {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// A benefit of the catalogues added up, by code.
#[derive(Default)]
struct Budget {
    name: String,
    fund: String,
    area: Option<Area>,
    budget_cents: i64,
    deadline_days: Option<i64>,
}

/// The dashboard for `filter`, read from the stored figures only.
pub async fn board(state: &Services, ctx: &Actor, filter: Filter) -> Result<Board, Error> {
    ctx.authorize(Action::ReportView, RecordScope::SameOrg)?;
    let sources = sources(state, ctx).await?;
    let mut figures = Vec::new();
    let mut as_of = Some(i64::MAX);
    let mut population: BTreeMap<String, i64> = BTreeMap::new();
    let mut per_org = Vec::new();
    let mut budgets: BTreeMap<String, Budget> = BTreeMap::new();
    let mut comuni: BTreeMap<String, String> = BTreeMap::new();
    for (org, org_comuni) in &sources {
        let org_figures = state
            .store
            .stat_figures(org.id, filter.year - 1, filter.year)
            .await?;
        as_of = match (as_of, state.store.stat_refreshed(org.id).await?) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
        // The LEPS's terms are figures too (made by the job): no count of the registry here.
        let snapshot = |measure: Measure| {
            org_figures
                .iter()
                .filter(move |f| f.measure == measure && f.year == filter.year)
        };
        let codes: BTreeSet<&str> = org_comuni.iter().map(|c| c.istat_code.as_str()).collect();
        let mut org_population = 0;
        for f in snapshot(Measure::Residents) {
            if codes.contains(f.comune.as_str()) {
                org_population += f.value;
                let e = population.entry(f.comune.clone()).or_default();
                *e = (*e).max(f.value);
            }
        }
        let workers: i64 = snapshot(Measure::SocialWorkers).map(|f| f.value).sum();
        per_org.push((org.name.clone(), org_population, workers));
        figures.extend(org_figures);
        for c in org_comuni {
            comuni.insert(c.istat_code.clone(), c.name.clone());
        }
        for b in state.store.list_benefits(org.id).await? {
            let e = budgets.entry(b.data.code.clone()).or_default();
            e.name.clone_from(&b.data.name);
            e.fund.clone_from(&b.data.funding_source);
            e.area = Some(b.data.area);
            e.budget_cents += b.data.budget.map_or(0, |m| m.cents());
            e.deadline_days = Some(i64::from(b.data.deadline_days));
        }
    }
    let benefits = budgets
        .iter()
        .map(|(code, b)| (code.clone(), b.name.clone()))
        .collect();
    let kept: Vec<Figure> = figures.into_iter().filter(|f| keeps(&filter, f)).collect();
    let budgets: BTreeMap<String, Budget> = budgets
        .into_iter()
        .filter(|(code, b)| {
            filter.benefit.as_ref().is_none_or(|c| c == code)
                && filter.area.is_none_or(|a| b.area == Some(a))
        })
        .collect();
    let ctx_tables = Tables {
        f: &filter,
        figures: &kept,
        comuni: &comuni,
        budgets: &budgets,
    };
    let mut tables = ctx_tables.people();
    tables.extend(ctx_tables.activity());
    tables.extend(ctx_tables.applications());
    tables.extend(ctx_tables.money());
    tables.push(ctx_tables.caseload());
    tables.push(leps(&per_org, &population));
    tables.extend(ctx_tables.survey());
    Ok(Board {
        as_of: as_of.filter(|a| *a != i64::MAX),
        sources: sources.iter().map(|(o, _)| o.name.clone()).collect(),
        comuni: comuni.into_iter().collect(),
        benefits,
        filter,
        tables,
    })
}

/// Whether a figure is within the filter. Accesses, case files and caseload have no area
/// and no benefit; person counts and the survey's figures have no benefit: a filter on what a
/// figure does not have leaves it in.
fn keeps(filter: &Filter, f: &Figure) -> bool {
    let has_area = !matches!(
        f.measure,
        Measure::FirstAccesses
            | Measure::TakenInCharge
            | Measure::CasesOpened
            | Measure::CasesClosed
            | Measure::Caseload
            | Measure::Residents
            | Measure::SocialWorkers
    );
    let has_benefit = matches!(
        f.measure,
        Measure::Filed
            | Measure::ByState
            | Measure::DecidedDays
            | Measure::DecidedLate
            | Measure::Spend
            | Measure::Committed
            | Measure::Waiting
    );
    filter.comune.as_ref().is_none_or(|c| &f.comune == c)
        && filter
            .area
            .is_none_or(|a| !has_area || f.area == a.as_str())
        && filter
            .benefit
            .as_ref()
            .is_none_or(|b| !has_benefit || &f.benefit == b)
}

struct Tables<'a> {
    f: &'a Filter,
    figures: &'a [Figure],
    comuni: &'a BTreeMap<String, String>,
    budgets: &'a BTreeMap<String, Budget>,
}

fn count(n: i64) -> Value {
    Value::Count(n)
}

fn col(title: impl Into<String>, persons: bool) -> Column {
    Column {
        title: title.into(),
        persons,
    }
}

fn row(label: impl Into<String>, values: Vec<Value>, behind: Vec<Option<Behind>>) -> Row {
    Row {
        label: label.into(),
        values,
        behind,
    }
}

const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

impl Tables<'_> {
    fn of(&self, measure: Measure, year: i32) -> impl Iterator<Item = &Figure> {
        self.figures
            .iter()
            .filter(move |f| f.measure == measure && f.year == year)
    }

    fn sum(&self, measure: Measure, year: i32, pick: impl Fn(&Figure) -> bool) -> i64 {
        self.of(measure, year)
            .filter(|f| pick(f))
            .map(|f| f.value)
            .sum()
    }

    /// Whether a person count is the one of everyone the filter covers: persons are counted
    /// once for all areas (area empty) and once in each area.
    fn everyone(&self, f: &Figure) -> bool {
        f.area == self.f.area.map_or("", Area::as_str)
    }

    fn comune_name(&self, code: &str) -> String {
        if code.is_empty() {
            "Fuori dai comuni dell'ente o non indicato".into()
        } else {
            self.comuni
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.to_owned())
        }
    }

    fn people(&self) -> Vec<Table> {
        let y = self.f.year;
        let areas = || {
            Area::ALL.iter().map(|a| {
                row(
                    a.label(),
                    vec![
                        count(self.sum(Measure::Users, y - 1, |f| f.area == a.as_str())),
                        count(self.sum(Measure::Users, y, |f| f.area == a.as_str())),
                    ],
                    vec![None, None],
                )
            })
        };
        let mut by_area: Vec<Row> = areas().collect();
        by_area.push(row(
            "Totale persone seguite (ciascuna una volta)",
            vec![
                count(self.sum(Measure::Users, y - 1, |f| self.everyone(f))),
                count(self.sum(Measure::Users, y, |f| self.everyone(f))),
            ],
            vec![Some(Behind::CaseFiles), Some(Behind::CaseFiles)],
        ));
        let dims = |measure: Measure, id: &'static str, title: &str, dims: Vec<(&str, &str)>| {
            Table {
                id,
                title: title.into(),
                note: format!(
                    "Persone seguite nel {y} (con una prestazione erogata o una cartella aperta nell'anno), ciascuna una volta."
                ),
                columns: vec![col(format!("Persone {y}"), true)],
                rows: dims
                    .into_iter()
                    .map(|(code, label)| {
                        row(
                            label,
                            vec![count(
                                self.sum(measure, y, |f| f.dim == code && self.everyone(f)),
                            )],
                            vec![None],
                        )
                    })
                    .collect(),
                chart: Chart::Bars,
            }
        };
        vec![
            Table {
                id: "persone-area",
                title: "Persone seguite per area di utenza".into(),
                note: "Persone con almeno una prestazione erogata nell'anno, per area ISTAT della prestazione (una persona può essere in più aree); il totale conta anche chi ha solo la cartella aperta, una volta sola.".into(),
                columns: vec![col(format!("{}", y - 1), true), col(format!("{y}"), true)],
                rows: by_area,
                chart: Chart::Bars,
            },
            dims(
                Measure::UsersByAge,
                "persone-eta",
                "Persone seguite per fascia d'età (al 31 dicembre)",
                stats::AgeBand::ALL.iter().map(|b| (b.as_str(), b.label())).collect(),
            ),
            dims(
                Measure::UsersBySex,
                "persone-sesso",
                "Persone seguite per sesso",
                vec![("F", "Femmine"), ("M", "Maschi")],
            ),
            dims(
                Measure::UsersByOrigin,
                "persone-cittadinanza",
                "Persone seguite per cittadinanza",
                stats::Origin::ALL.iter().map(|o| (o.as_str(), o.label())).collect(),
            ),
            self.by_comune(),
        ]
    }

    /// The comuni side by side (the Ambito's, or the Comune's one) and their sum.
    fn by_comune(&self) -> Table {
        let y = self.f.year;
        let mut codes: BTreeSet<String> = self.comuni.keys().cloned().collect();
        codes.extend(self.figures.iter().map(|f| f.comune.clone()));
        if let Some(c) = &self.f.comune {
            codes.retain(|k| k == c);
        }
        let line = |pick: &dyn Fn(&Figure) -> bool| {
            vec![
                count(self.sum(Measure::Users, y - 1, |f| pick(f) && self.everyone(f))),
                count(self.sum(Measure::Users, y, |f| pick(f) && self.everyone(f))),
                count(self.sum(Measure::FirstAccesses, y, pick)),
                count(self.sum(Measure::TakenInCharge, y, pick)),
                count(self.sum(Measure::Filed, y, pick)),
                Value::Money(self.sum(Measure::Spend, y, pick)),
            ]
        };
        let behind = || {
            vec![
                None,
                Some(Behind::CaseFiles),
                Some(Behind::Accesses),
                Some(Behind::Accesses),
                Some(Behind::Applications {
                    state: None,
                    benefit: None,
                }),
                None,
            ]
        };
        let mut rows: Vec<Row> = codes
            .iter()
            .filter(|c| !c.is_empty() || self.figures.iter().any(|f| f.comune.is_empty()))
            .map(|c| row(self.comune_name(c), line(&|f| &f.comune == c), behind()))
            .collect();
        rows.push(row("Totale", line(&|_| true), behind()));
        Table {
            id: "comuni",
            title: "Per comune, affiancati e sommati (Piano di Zona)".into(),
            note: format!(
                "Il comune di residenza della persona; per un Comune, tutto il suo. Anno {y} e, per le persone seguite, anche il {}.",
                y - 1
            ),
            columns: vec![
                col(format!("Persone seguite {}", y - 1), true),
                col(format!("Persone seguite {y}"), true),
                col("Primi accessi", false),
                col("Prese in carico", false),
                col("Domande presentate", false),
                col("Spesa erogata", false),
            ],
            rows,
            chart: Chart::Bars,
        }
    }

    fn activity(&self) -> Vec<Table> {
        let y = self.f.year;
        let month = |m: u8| {
            let s = |measure| count(self.sum(measure, y, |f| f.month == m));
            row(
                MONTHS[usize::from(m) - 1],
                vec![
                    s(Measure::FirstAccesses),
                    s(Measure::TakenInCharge),
                    s(Measure::CasesOpened),
                    s(Measure::CasesClosed),
                    s(Measure::Filed),
                ],
                vec![
                    Some(Behind::Accesses),
                    Some(Behind::Accesses),
                    Some(Behind::CaseFiles),
                    Some(Behind::CaseFiles),
                    Some(Behind::Applications {
                        state: None,
                        benefit: self.f.benefit.clone(),
                    }),
                ],
            )
        };
        let mut rows: Vec<Row> = (1..=12).map(month).collect();
        let total = |measure| count(self.sum(measure, y, |_| true));
        let behind = rows[0].behind.clone();
        rows.push(row(
            "Totale",
            vec![
                total(Measure::FirstAccesses),
                total(Measure::TakenInCharge),
                total(Measure::CasesOpened),
                total(Measure::CasesClosed),
                total(Measure::Filed),
            ],
            behind,
        ));
        vec![Table {
            id: "mesi",
            title: format!("Accessi, cartelle e domande per mese, {y}"),
            note: "Primi accessi al segretariato e quelli conclusi con la presa in carico; cartelle aperte (anche riaperte) e chiuse; domande presentate (per data di presentazione).".into(),
            columns: vec![
                col("Primi accessi", false),
                col("Prese in carico", false),
                col("Cartelle aperte", false),
                col("Cartelle chiuse", false),
                col("Domande presentate", false),
            ],
            rows,
            chart: Chart::Line,
        }]
    }

    fn benefit_codes(&self, measures: &[Measure]) -> Vec<(String, String)> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for f in self.figures.iter().filter(|f| {
            measures.contains(&f.measure) && f.year == self.f.year && !f.benefit.is_empty()
        }) {
            seen.entry(f.benefit.clone())
                .or_insert_with(|| f.label.clone());
        }
        for (code, b) in self.budgets {
            seen.entry(code.clone()).or_insert_with(|| b.name.clone());
        }
        seen.into_iter().collect()
    }

    fn applications(&self) -> Vec<Table> {
        let y = self.f.year;
        let states: Vec<ApplicationState> = ApplicationState::ALL
            .iter()
            .copied()
            .filter(|s| *s != ApplicationState::Draft)
            .collect();
        let codes = self.benefit_codes(&[Measure::ByState, Measure::DecidedDays]);
        let by_state = |pick: &dyn Fn(&Figure) -> bool, benefit: Option<String>| {
            let mut values: Vec<Value> = states
                .iter()
                .map(|s| count(self.sum(Measure::ByState, y, |f| pick(f) && f.dim == s.as_str())))
                .collect();
            values.push(count(self.sum(Measure::ByState, y, pick)));
            let mut behind: Vec<Option<Behind>> = states
                .iter()
                .map(|s| {
                    Some(Behind::Applications {
                        state: Some(*s),
                        benefit: benefit.clone(),
                    })
                })
                .collect();
            behind.push(Some(Behind::Applications {
                state: None,
                benefit,
            }));
            (values, behind)
        };
        let mut state_rows: Vec<Row> = codes
            .iter()
            .map(|(code, name)| {
                let (v, b) = by_state(&|f| &f.benefit == code, Some(code.clone()));
                row(name.clone(), v, b)
            })
            .collect();
        let (v, b) = by_state(&|_| true, self.f.benefit.clone());
        state_rows.push(row("Totale", v, b));
        let mut state_columns: Vec<Column> = states.iter().map(|s| col(s.label(), false)).collect();
        state_columns.push(col("Totale", false));

        let times = |pick: &dyn Fn(&Figure) -> bool, term: Option<i64>| {
            let mut histogram: BTreeMap<i64, i64> = BTreeMap::new();
            for f in self.of(Measure::DecidedDays, y).filter(|f| pick(f)) {
                if let Ok(days) = f.dim.parse::<i64>() {
                    *histogram.entry(days).or_default() += f.value;
                }
            }
            let decided: i64 = histogram.values().sum();
            let late = self.sum(Measure::DecidedLate, y, pick);
            vec![
                count(decided),
                Value::Days(percentile(&histogram, 50)),
                Value::Days(percentile(&histogram, 90)),
                Value::Days(term),
                count(late),
                Value::Share {
                    part: late,
                    whole: decided,
                },
            ]
        };
        let mut time_rows: Vec<Row> = codes
            .iter()
            .map(|(code, name)| {
                let term = self.budgets.get(code).and_then(|b| b.deadline_days);
                row(
                    name.clone(),
                    times(&|f| &f.benefit == code, term),
                    vec![None; 6],
                )
            })
            .collect();
        time_rows.push(row("Totale", times(&|_| true, None), vec![None; 6]));
        let waiting_codes = self.benefit_codes(&[Measure::Waiting]);
        let mut waiting: Vec<Row> = waiting_codes
            .iter()
            .map(|(code, name)| {
                row(
                    name.clone(),
                    vec![count(self.sum(Measure::Waiting, y, |f| &f.benefit == code))],
                    vec![Some(Behind::Applications {
                        state: Some(ApplicationState::Accepted),
                        benefit: Some(code.clone()),
                    })],
                )
            })
            .collect();
        waiting.push(row(
            "Totale",
            vec![count(self.sum(Measure::Waiting, y, |_| true))],
            vec![Some(Behind::Applications {
                state: Some(ApplicationState::Accepted),
                benefit: self.f.benefit.clone(),
            })],
        ));
        vec![
            Table {
                id: "domande-stato",
                title: format!("Domande presentate nel {y} per prestazione e stato di oggi"),
                note: "Ogni domanda presentata nell'anno, nello stato in cui è oggi.".into(),
                columns: state_columns,
                rows: state_rows,
                chart: Chart::None,
            },
            Table {
                id: "tempi",
                title: format!("Tempi di istruttoria delle domande decise nel {y}"),
                note: "Giorni dalla presentazione alla decisione: mediana e 90° percentile (metodo del rango più vicino), contro il termine del procedimento della prestazione (L. 241/1990 art. 2); oltre il termine: decise dopo la scadenza, sospensioni comprese.".into(),
                columns: vec![
                    col("Decise", false),
                    col("Mediana (giorni)", false),
                    col("90° percentile (giorni)", false),
                    col("Termine (giorni)", false),
                    col("Decise oltre il termine", false),
                    col("Quota oltre il termine", false),
                ],
                rows: time_rows,
                chart: Chart::None,
            },
            Table {
                id: "attesa",
                title: "Lista d'attesa: domande accolte non ancora in erogazione".into(),
                note: "Le domande accolte che oggi aspettano la prima erogazione.".into(),
                columns: vec![col("Domande in attesa", false)],
                rows: waiting,
                chart: Chart::Bars,
            },
        ]
    }

    fn money(&self) -> Vec<Table> {
        let y = self.f.year;
        let line = |budget: i64, pick: &dyn Fn(&Figure) -> bool| {
            let spent = self.sum(Measure::Spend, y, pick);
            vec![
                Value::Money(spent),
                Value::Money(self.sum(Measure::Committed, y, pick)),
                Value::Money(budget),
                Value::Share {
                    part: spent,
                    whole: budget,
                },
            ]
        };
        let columns = || {
            vec![
                col("Erogato", false),
                col("Impegnato (domande accolte)", false),
                col("Budget", false),
                col("Erogato sul budget", false),
            ]
        };
        let mut funds: BTreeMap<String, i64> = BTreeMap::new();
        for b in self.budgets.values() {
            *funds.entry(b.fund.clone()).or_default() += b.budget_cents;
        }
        for f in self
            .figures
            .iter()
            .filter(|f| matches!(f.measure, Measure::Spend | Measure::Committed) && f.year == y)
        {
            funds.entry(f.dim.clone()).or_default();
        }
        let mut by_fund: Vec<Row> = funds
            .iter()
            .map(|(fund, budget)| {
                let label = if fund.is_empty() {
                    "Fondo non indicato"
                } else {
                    fund.as_str()
                };
                row(label, line(*budget, &|f| &f.dim == fund), vec![None; 4])
            })
            .collect();
        let total_budget: i64 = funds.values().sum();
        by_fund.push(row("Totale", line(total_budget, &|_| true), vec![None; 4]));
        let codes = self.benefit_codes(&[Measure::Spend, Measure::Committed]);
        let by_benefit: Vec<Row> = codes
            .iter()
            .map(|(code, name)| {
                let budget = self.budgets.get(code).map_or(0, |b| b.budget_cents);
                let behind = Some(Behind::Applications {
                    state: Some(ApplicationState::Delivering),
                    benefit: Some(code.clone()),
                });
                row(
                    name.clone(),
                    line(budget, &|f| &f.benefit == code),
                    vec![behind, None, None, None],
                )
            })
            .collect();
        vec![
            Table {
                id: "spesa-fondo",
                title: format!("Spesa e impegni per fondo, {y}"),
                note: "Erogato: le mensilità erogate nell'anno; impegnato: gli importi delle domande accolte decise nell'anno; budget: quello annuale delle prestazioni del fondo.".into(),
                columns: columns(),
                rows: by_fund,
                chart: Chart::Bars,
            },
            Table {
                id: "spesa-prestazione",
                title: format!("Spesa e impegni per prestazione, {y}"),
                note: "Come sopra, prestazione per prestazione.".into(),
                columns: columns(),
                rows: by_benefit,
                chart: Chart::Bars,
            },
        ]
    }

    fn caseload(&self) -> Table {
        let mut workers: BTreeMap<(String, String), i64> = BTreeMap::new();
        for f in self
            .figures
            .iter()
            .filter(|f| f.measure == Measure::Caseload)
        {
            *workers.entry((f.label.clone(), f.dim.clone())).or_default() += f.value;
        }
        let mut rows: Vec<Row> = workers
            .iter()
            .map(|((name, _), n)| row(name.clone(), vec![count(*n)], vec![Some(Behind::Caseload)]))
            .collect();
        rows.push(row(
            "Totale",
            vec![count(workers.values().sum())],
            vec![Some(Behind::Caseload)],
        ));
        Table {
            id: "carico",
            title: "Carico di lavoro: cartelle aperte o sospese per assistente sociale".into(),
            note: "Oggi, per assistente sociale responsabile della cartella.".into(),
            columns: vec![col("Cartelle", false)],
            rows,
            chart: Chart::Bars,
        }
    }

    /// ISTAT's yearly survey and the Piano di Zona's figures per area, year on year.
    fn survey(&self) -> Vec<Table> {
        let y = self.f.year;
        let mut interventions: BTreeMap<(String, String), String> = BTreeMap::new();
        for f in self.figures.iter().filter(|f| {
            f.year == y
                && matches!(
                    f.measure,
                    Measure::SurveyUsers | Measure::SurveySpend | Measure::SurveyCoPayment
                )
        }) {
            interventions
                .entry((f.area.clone(), f.dim.clone()))
                .or_insert_with(|| f.label.clone());
        }
        let survey_rows = interventions
            .iter()
            .map(|((area, code), label)| {
                let pick = |f: &Figure| &f.area == area && &f.dim == code;
                let area_label =
                    Area::parse(area).map_or_else(|| area.clone(), |a| a.label().to_owned());
                row(
                    format!("{area_label} — {code} {label}"),
                    vec![
                        count(self.sum(Measure::SurveyUsers, y, pick)),
                        Value::Money(self.sum(Measure::SurveySpend, y, pick)),
                        Value::Money(self.sum(Measure::SurveyCoPayment, y, pick)),
                    ],
                    vec![None; 3],
                )
            })
            .collect();
        let zone_rows = Area::ALL
            .iter()
            .map(|a| {
                let pick = |f: &Figure| f.area == a.as_str();
                row(
                    a.label(),
                    vec![
                        count(self.sum(Measure::Users, y - 1, pick)),
                        count(self.sum(Measure::Users, y, pick)),
                        Value::Money(self.sum(Measure::SurveySpend, y - 1, pick)),
                        Value::Money(self.sum(Measure::SurveySpend, y, pick)),
                    ],
                    vec![None; 4],
                )
            })
            .collect();
        vec![
            Table {
                id: "istat",
                title: format!("Indagine ISTAT sugli interventi e servizi sociali dei comuni, {y}"),
                note: "Utenti e spesa per area di utenza e intervento (codice del Nomenclatore degli interventi usato dal SIUSS), dalle erogazioni dell'anno: utenti distinti per intervento, spesa erogata e compartecipazione degli utenti.".into(),
                columns: vec![
                    col("Utenti", true),
                    col("Spesa (euro)", false),
                    col("Compartecipazione degli utenti (euro)", false),
                ],
                rows: survey_rows,
                chart: Chart::None,
            },
            Table {
                id: "piano-zona",
                title: format!("Piano di Zona: utenti e spesa per area, {} e {y}", y - 1),
                note: "Persone distinte con una prestazione dell'area erogata nell'anno e spesa erogata, anno su anno.".into(),
                columns: vec![
                    col(format!("Utenti {}", y - 1), true),
                    col(format!("Utenti {y}"), true),
                    col(format!("Spesa {}", y - 1), false),
                    col(format!("Spesa {y}"), false),
                ],
                rows: zone_rows,
                chart: Chart::Bars,
            },
        ]
    }
}

/// The LEPS of social workers (one per 5,000 inhabitants): per organization added up, and in
/// all; inhabitants from the civil registry's residents each organization holds.
fn leps(per_org: &[(String, i64, i64)], population: &BTreeMap<String, i64>) -> Table {
    let mut rows: Vec<Row> = per_org
        .iter()
        .map(|(name, people, workers)| {
            row(
                name.clone(),
                vec![
                    count(*people),
                    count(*workers),
                    Value::Hundredths(per_5000_hundredths(*workers, *people)),
                ],
                vec![None; 3],
            )
        })
        .collect();
    if per_org.len() > 1 {
        let people: i64 = population.values().sum();
        let workers: i64 = per_org.iter().map(|(_, _, w)| w).sum();
        rows.push(row(
            "Totale",
            vec![
                count(people),
                count(workers),
                Value::Hundredths(per_5000_hundredths(workers, people)),
            ],
            vec![None; 3],
        ));
    }
    Table {
        id: "leps",
        title: "LEPS: assistenti sociali ogni 5.000 abitanti".into(),
        note: "Abitanti: i residenti dell'anagrafe importata (vivi, non emigrati); assistenti sociali: gli utenti attivi con quel ruolo. L'obiettivo di servizio è 1 ogni 5.000 (L. 178/2020, art. 1 c. 797).".into(),
        columns: vec![
            col("Abitanti", false),
            col("Assistenti sociali", false),
            col("Ogni 5.000 abitanti", false),
        ],
        rows,
        chart: Chart::None,
    }
}
