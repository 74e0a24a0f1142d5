//! Calls for applications (bandi) and their rankings (graduatorie). A call opens one benefit
//! of the catalogue for a window, with its own budget and its scoring rules: versioned data,
//! each criterion citing the call's article. An application to a call is an ordinary
//! application of that benefit filed inside the window, with the call's answers; its score is
//! computed from the facts of the filing day. The ranking is pure and deterministic (score
//! descending, then ISEE ascending, then protocol ascending), funded down the list until the
//! budget is used, and published with the protocol number only.

use crate::FieldError;
use crate::dates::format_date;
use crate::form::{Fields, LONG_TEXT, SHORT_TEXT, date, flag, text};
use crate::money::Money;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

/// The smallest group of applications the publication shows one by one: a smaller group could
/// be recognized by whoever knows a few of the applicants.
pub const MIN_PUBLISHED_GROUP: usize = 5;

/// The most extra questions a call asks beside the scoring's own.
pub const MAX_QUESTIONS: usize = 10;

/// A call as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallData {
    pub title: String,
    pub benefit_id: Uuid,
    /// The first and last day applications are taken (both included).
    pub opens_on: Date,
    pub closes_on: Date,
    pub budget: Money,
    /// The last application the budget reaches is funded in part (else it is «ammessa non
    /// finanziata» and the rest of the budget stays).
    pub partial_last: bool,
    /// One application per household, not only per person.
    pub one_per_household: bool,
    /// The text published with the call and its ranking.
    pub publication_text: String,
    /// Extra questions asked to every applicant (free answers, kept with the application).
    pub questions: Vec<String>,
}

impl CallData {
    /// Whether an application filed on `day` is inside the window.
    pub fn open_on(&self, day: Date) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }

    /// Why an application filed on `day` is refused for its date, naming the call.
    pub fn window_refusal(&self, day: Date) -> Option<FieldError> {
        if day < self.opens_on {
            Some(FieldError::new(
                "call",
                format!(
                    "il bando «{}» riceve domande dal {}: la domanda non può essere presentata prima",
                    self.title,
                    format_date(self.opens_on)
                ),
            ))
        } else if day > self.closes_on {
            Some(FieldError::new(
                "call",
                format!(
                    "domanda fuori termine: il bando «{}» riceveva domande fino al {}",
                    self.title,
                    format_date(self.closes_on)
                ),
            ))
        } else {
            None
        }
    }
}

/// A call as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CallInput {
    pub title: String,
    pub benefit: String,
    pub opens_on: String,
    pub closes_on: String,
    pub budget: String,
    pub partial_last: String,
    pub one_per_household: String,
    pub publication_text: String,
    /// One question a line.
    pub questions: String,
}

/// Checks a call as typed; `benefit_id` is the benefit chosen, found by the caller.
pub fn parse_call(i: &CallInput, benefit_id: Uuid) -> Result<CallData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let title = f.take(text(
        "title",
        &i.title,
        "il titolo del bando",
        SHORT_TEXT,
        true,
    ));
    let opens_on = f.take(date("opens_on", &i.opens_on, "il primo giorno utile"));
    let closes_on = f.take(date("closes_on", &i.closes_on, "l'ultimo giorno utile"));
    if let (Some(o), Some(c)) = (opens_on, closes_on) {
        f.check(
            o <= c,
            "closes_on",
            "l'ultimo giorno utile non può precedere il primo",
        );
    }
    let budget = f.take(Money::parse(
        "budget",
        &i.budget,
        "lo stanziamento del bando",
    ));
    let publication_text = f.take(text(
        "publication_text",
        &i.publication_text,
        "il testo da pubblicare",
        LONG_TEXT,
        true,
    ));
    let mut questions = Vec::new();
    for line in i.questions.lines() {
        if let Some(q) = f.take(text(
            "questions",
            line,
            "una domanda aggiuntiva",
            SHORT_TEXT,
            false,
        )) && !q.is_empty()
        {
            questions.push(q);
        }
    }
    f.check(
        questions.len() <= MAX_QUESTIONS,
        "questions",
        "al massimo 10 domande aggiuntive",
    );
    match (title, opens_on, closes_on, budget, publication_text) {
        (Some(title), Some(opens_on), Some(closes_on), Some(budget), Some(publication_text))
            if f.0.is_empty() =>
        {
            Ok(CallData {
                title,
                benefit_id,
                opens_on,
                closes_on,
                budget,
                partial_last: flag(&i.partial_last),
                one_per_household: flag(&i.one_per_household),
                publication_text,
                questions,
            })
        }
        _ => Err(f.0),
    }
}

/// Points of an ISEE up to `up_to` (included): the first band that holds it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IseeBand {
    pub up_to: Money,
    pub points: u32,
}

/// Points of a rent that takes at least `from_percent` of the ISEE: the highest band reached
/// counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RentBand {
    pub from_percent: u32,
    pub points: u32,
}

/// What a criterion gives points for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    /// By ISEE band, the lowest band first.
    Isee { bands: Vec<IseeBand> },
    /// For each member of the household, up to `max` points.
    Household { each: u32, max: u32 },
    /// For each minor in the household, up to `max` points.
    Minors { each: u32, max: u32 },
    /// When the applicant declares a disability (certified, L. 104/1992).
    Disability { points: u32 },
    /// By the yearly rent declared against the ISEE (incidenza del canone).
    Rent { bands: Vec<RentBand> },
    /// For each month on the waiting list declared, up to `max` points.
    Waiting { each: u32, max: u32 },
}

impl Measure {
    pub fn label(&self) -> &'static str {
        match self {
            Measure::Isee { .. } => "Fascia ISEE",
            Measure::Household { .. } => "Componenti del nucleo",
            Measure::Minors { .. } => "Figli minori nel nucleo",
            Measure::Disability { .. } => "Disabilità",
            Measure::Rent { .. } => "Incidenza del canone sull'ISEE",
            Measure::Waiting { .. } => "Mesi in lista d'attesa",
        }
    }

    /// The rule in words, for the call's page and the breakdown.
    pub fn words(&self) -> String {
        let bands = |b: &[String]| b.join("; ");
        match self {
            Measure::Isee { bands: b } => bands(
                &b.iter()
                    .map(|b| format!("fino a {}: {} punti", b.up_to.format(), b.points))
                    .collect::<Vec<_>>(),
            ),
            Measure::Household { each, max } | Measure::Minors { each, max } => {
                format!("{each} punti ciascuno, al massimo {max}")
            }
            Measure::Disability { points } => format!("{points} punti"),
            Measure::Rent { bands: b } => bands(
                &b.iter()
                    .map(|b| format!("dal {}%: {} punti", b.from_percent, b.points))
                    .collect::<Vec<_>>(),
            ),
            Measure::Waiting { each, max } => format!("{each} punti al mese, al massimo {max}"),
        }
    }
}

/// One criterion of a call's scoring, with the article of the call that sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub measure: Measure,
    /// "art. 5, c. 1 del bando".
    pub article: String,
}

/// A version of a call's scoring rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringRules {
    pub criteria: Vec<Criterion>,
}

impl ScoringRules {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(raw: &str) -> Result<ScoringRules, String> {
        serde_json::from_str(raw).map_err(|e| e.to_string())
    }

    /// The applicant is asked the yearly rent.
    pub fn asks_rent(&self) -> bool {
        self.criteria
            .iter()
            .any(|c| matches!(c.measure, Measure::Rent { .. }))
    }

    /// The applicant is asked the months on the waiting list.
    pub fn asks_waiting(&self) -> bool {
        self.criteria
            .iter()
            .any(|c| matches!(c.measure, Measure::Waiting { .. }))
    }
}

/// The scoring rules as typed: each criterion counts when it gives points, and then needs its
/// article.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RulesInput {
    pub isee_up_to: Vec<String>,
    pub isee_points: Vec<String>,
    pub isee_article: String,
    pub household_each: String,
    pub household_max: String,
    pub household_article: String,
    pub minors_each: String,
    pub minors_max: String,
    pub minors_article: String,
    pub disability_points: String,
    pub disability_article: String,
    pub rent_from: Vec<String>,
    pub rent_points: Vec<String>,
    pub rent_article: String,
    pub waiting_each: String,
    pub waiting_max: String,
    pub waiting_article: String,
}

/// Points as typed: empty is none, else a whole number up to 1,000.
fn points(field: &'static str, raw: &str, what: &str) -> Result<u32, FieldError> {
    match raw.trim() {
        "" => Ok(0),
        t => match t.parse::<u32>() {
            Ok(n) if n <= 1_000 => Ok(n),
            _ => Err(FieldError::not_a_count(
                field,
                format!("{what}: «{t}» non è un numero intero da 0 a 1000"),
                t,
                0..=1_000,
            )),
        },
    }
}

/// The article of a criterion that gives points.
fn article(f: &mut Fields, field: &'static str, raw: &str, label: &str) -> String {
    f.take(text(
        field,
        raw,
        &format!("l'articolo del bando per «{label}»"),
        SHORT_TEXT,
        true,
    ))
    .unwrap_or_default()
}

/// Checks the scoring rules as typed. At least one criterion gives points; the bands are in
/// increasing order.
pub fn parse_rules(i: &RulesInput) -> Result<ScoringRules, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let mut criteria = Vec::new();
    let mut isee = Vec::new();
    for (up_to, pts) in i.isee_up_to.iter().zip(&i.isee_points) {
        if up_to.trim().is_empty() && pts.trim().is_empty() {
            continue;
        }
        let up_to = f.take(Money::parse(
            "isee_up_to",
            up_to,
            "il limite della fascia ISEE",
        ));
        let pts = f.take(points("isee_points", pts, "i punti della fascia ISEE"));
        if let (Some(up_to), Some(points)) = (up_to, pts) {
            if isee.last().is_some_and(|b: &IseeBand| b.up_to >= up_to) {
                f.0.push(FieldError::new(
                    "isee_up_to",
                    "le fasce ISEE vanno scritte dalla più bassa alla più alta",
                ));
            }
            isee.push(IseeBand { up_to, points });
        }
    }
    if !isee.is_empty() {
        let measure = Measure::Isee { bands: isee };
        let article = article(&mut f, "isee_article", &i.isee_article, measure.label());
        criteria.push(Criterion { measure, article });
    }
    let per_each = |f: &mut Fields, each: &str, max: &str, field: (&'static str, &'static str)| {
        let each = f.take(points(field.0, each, "i punti per ciascuno"));
        let max = f.take(points(field.1, max, "il massimo dei punti"));
        match (each, max) {
            (Some(e), Some(m)) if e > 0 => Some((e, if m == 0 { e * 20 } else { m })),
            _ => None,
        }
    };
    if let Some((each, max)) = per_each(
        &mut f,
        &i.household_each,
        &i.household_max,
        ("household_each", "household_max"),
    ) {
        let measure = Measure::Household { each, max };
        let article = article(
            &mut f,
            "household_article",
            &i.household_article,
            measure.label(),
        );
        criteria.push(Criterion { measure, article });
    }
    if let Some((each, max)) = per_each(
        &mut f,
        &i.minors_each,
        &i.minors_max,
        ("minors_each", "minors_max"),
    ) {
        let measure = Measure::Minors { each, max };
        let article = article(&mut f, "minors_article", &i.minors_article, measure.label());
        criteria.push(Criterion { measure, article });
    }
    if let Some(p) = f.take(points(
        "disability_points",
        &i.disability_points,
        "i punti per la disabilità",
    )) && p > 0
    {
        let measure = Measure::Disability { points: p };
        let article = article(
            &mut f,
            "disability_article",
            &i.disability_article,
            measure.label(),
        );
        criteria.push(Criterion { measure, article });
    }
    let mut rent = Vec::new();
    for (from, pts) in i.rent_from.iter().zip(&i.rent_points) {
        if from.trim().is_empty() && pts.trim().is_empty() {
            continue;
        }
        let from = f.take(points(
            "rent_from",
            from,
            "la percentuale della fascia del canone",
        ));
        let pts = f.take(points(
            "rent_points",
            pts,
            "i punti della fascia del canone",
        ));
        if let (Some(from_percent), Some(points)) = (from, pts) {
            if rent
                .last()
                .is_some_and(|b: &RentBand| b.from_percent >= from_percent)
            {
                f.0.push(FieldError::new(
                    "rent_from",
                    "le fasce del canone vanno scritte dalla più bassa alla più alta",
                ));
            }
            rent.push(RentBand {
                from_percent,
                points,
            });
        }
    }
    if !rent.is_empty() {
        let measure = Measure::Rent { bands: rent };
        let article = article(&mut f, "rent_article", &i.rent_article, measure.label());
        criteria.push(Criterion { measure, article });
    }
    if let Some((each, max)) = per_each(
        &mut f,
        &i.waiting_each,
        &i.waiting_max,
        ("waiting_each", "waiting_max"),
    ) {
        let measure = Measure::Waiting { each, max };
        let article = article(
            &mut f,
            "waiting_article",
            &i.waiting_article,
            measure.label(),
        );
        criteria.push(Criterion { measure, article });
    }
    if criteria.is_empty() && f.0.is_empty() {
        f.0.push(FieldError::new(
            "isee_up_to",
            "il bando deve dare punti per almeno un criterio",
        ));
    }
    if f.0.is_empty() {
        Ok(ScoringRules { criteria })
    } else {
        Err(f.0)
    }
}

/// What the applicant answers to the call: the figures its scoring asks and its questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// The applicant declares a disability (certified, L. 104/1992).
    pub disability: bool,
    /// The yearly rent, when the scoring counts it.
    pub rent: Option<Money>,
    /// The months on the waiting list, when the scoring counts them.
    pub waiting_months: Option<u32>,
    /// The answers to the call's questions, in their order.
    pub questions: Vec<String>,
}

/// The answers as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AnswersInput {
    pub disability: String,
    pub rent: String,
    pub waiting_months: String,
    pub answers: Vec<String>,
}

/// Checks the answers against what the call asks.
pub fn parse_answers(
    call: &CallData,
    rules: &ScoringRules,
    i: &AnswersInput,
) -> Result<Answers, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let rent = if rules.asks_rent() {
        f.take(Money::parse(
            "rent",
            &i.rent,
            "il canone annuo di locazione",
        ))
    } else {
        None
    };
    let waiting_months = if rules.asks_waiting() {
        match i.waiting_months.trim() {
            "" => {
                f.0.push(FieldError::required(
                    "waiting_months",
                    "i mesi in lista d'attesa (0 se nessuno)",
                ));
                None
            }
            t => match t.parse::<u32>() {
                Ok(n) if n <= 600 => Some(n),
                _ => {
                    f.0.push(FieldError::not_a_count(
                        "waiting_months",
                        format!("i mesi in lista d'attesa: «{t}» non è un numero da 0 a 600"),
                        t,
                        0..=600,
                    ));
                    None
                }
            },
        }
    } else {
        None
    };
    let mut questions = Vec::new();
    for (n, q) in call.questions.iter().enumerate() {
        let raw = i.answers.get(n).map_or("", String::as_str);
        if let Some(a) = f.take(text(
            "answers",
            raw,
            &format!("la risposta a «{q}»"),
            LONG_TEXT,
            true,
        )) {
            questions.push(a);
        }
    }
    if f.0.is_empty() {
        Ok(Answers {
            disability: flag(&i.disability),
            rent,
            waiting_months,
            questions,
        })
    } else {
        Err(f.0)
    }
}

/// The facts a score is computed from, as they were on the day of filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringFacts {
    /// The ISEE of the application's attestation.
    pub isee: Option<Money>,
    /// The members of the household (registry, else the attestation's nucleo).
    pub household_size: u32,
    pub minors: u32,
    pub disability: bool,
    pub rent: Option<Money>,
    pub waiting_months: Option<u32>,
}

/// One line of a score in words, for the page: the criterion, its article, what it was
/// applied to, the points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreLine {
    pub label: &'static str,
    pub article: String,
    pub applied_to: String,
    pub points: u32,
}

/// A score: the points of each criterion, in the order of the rules, and their sum. Stored
/// with each row of a ranking; [`explain`] words it from the rules and the facts, which are
/// both kept unchanged (a rules version is never edited, the facts are those of the filing
/// day), so a ranking of 100,000 applications stores and sorts numbers, not sentences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredBreakdown")]
pub struct Breakdown {
    pub points: Vec<u32>,
    pub total: u32,
}

/// A stored breakdown: points only, or the worded lines rankings stored before 08-12-2026.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredBreakdown {
    Points { points: Vec<u32>, total: u32 },
    Lines { lines: Vec<StoredLine>, total: u32 },
}

#[derive(Deserialize)]
struct StoredLine {
    points: u32,
}

impl From<StoredBreakdown> for Breakdown {
    fn from(b: StoredBreakdown) -> Self {
        match b {
            StoredBreakdown::Points { points, total } => Breakdown { points, total },
            StoredBreakdown::Lines { lines, total } => Breakdown {
                points: lines.into_iter().map(|l| l.points).collect(),
                total,
            },
        }
    }
}

/// The rent against the ISEE, in whole percent (rounded down); a nil ISEE counts as the
/// highest burden.
fn rent_percent(rent: Money, isee: Option<Money>) -> Option<u32> {
    match isee {
        Some(i) if i.cents() > 0 => {
            u32::try_from(i128::from(rent.cents()) * 100 / i128::from(i.cents())).ok()
        }
        _ if rent.cents() > 0 => Some(u32::MAX),
        _ => None,
    }
}

/// What a criterion was applied to, worded only when shown.
enum Applied {
    Isee(Option<Money>),
    Household(u32),
    Minors(u32),
    Disability(bool),
    /// The rent and its share of the ISEE (`u32::MAX`: a nil ISEE).
    Rent(Option<(Money, u32)>),
    Waiting(u32),
}

impl Applied {
    fn words(&self) -> String {
        match self {
            Applied::Isee(Some(i)) => format!("ISEE {}", i.format()),
            Applied::Isee(None) => "nessuna attestazione ISEE".to_owned(),
            Applied::Household(n) => format!("{n} componenti"),
            Applied::Minors(n) => format!("{n} minori"),
            Applied::Disability(true) => "disabilità dichiarata".to_owned(),
            Applied::Disability(false) => "nessuna disabilità dichiarata".to_owned(),
            Applied::Rent(Some((r, u32::MAX))) => format!("canone {} con ISEE nullo", r.format()),
            Applied::Rent(Some((r, p))) => format!("canone {} pari al {p}% dell'ISEE", r.format()),
            Applied::Rent(None) => "nessun canone dichiarato".to_owned(),
            Applied::Waiting(months) => format!("{months} mesi"),
        }
    }
}

/// One criterion applied to the facts: what it took and the points.
fn apply(measure: &Measure, facts: &ScoringFacts) -> (Applied, u32) {
    match measure {
        Measure::Isee { bands } => (
            Applied::Isee(facts.isee),
            facts.isee.map_or(0, |i| {
                bands.iter().find(|b| i <= b.up_to).map_or(0, |b| b.points)
            }),
        ),
        Measure::Household { each, max } => (
            Applied::Household(facts.household_size),
            each.saturating_mul(facts.household_size).min(*max),
        ),
        Measure::Minors { each, max } => (
            Applied::Minors(facts.minors),
            each.saturating_mul(facts.minors).min(*max),
        ),
        Measure::Disability { points } => (
            Applied::Disability(facts.disability),
            if facts.disability { *points } else { 0 },
        ),
        Measure::Rent { bands } => {
            let burden = facts
                .rent
                .and_then(|r| rent_percent(r, facts.isee).map(|p| (r, p)));
            let points = burden.map_or(0, |(_, p)| {
                bands
                    .iter()
                    .rev()
                    .find(|b| p >= b.from_percent)
                    .map_or(0, |b| b.points)
            });
            (Applied::Rent(burden), points)
        }
        Measure::Waiting { each, max } => {
            let months = facts.waiting_months.unwrap_or(0);
            (
                Applied::Waiting(months),
                each.saturating_mul(months).min(*max),
            )
        }
    }
}

/// Scores one applicant, criterion by criterion.
pub fn score(rules: &ScoringRules, facts: &ScoringFacts) -> Breakdown {
    let points: Vec<u32> = rules
        .criteria
        .iter()
        .map(|c| apply(&c.measure, facts).1)
        .collect();
    let total = points.iter().fold(0u32, |t, p| t.saturating_add(*p));
    Breakdown { points, total }
}

/// A score in words, criterion by criterion: the rules and facts it was computed from, with
/// the points the ranking stored.
pub fn explain(
    rules: &ScoringRules,
    facts: &ScoringFacts,
    breakdown: &Breakdown,
) -> Vec<ScoreLine> {
    rules
        .criteria
        .iter()
        .zip(&breakdown.points)
        .map(|(c, points)| ScoreLine {
            label: c.measure.label(),
            article: c.article.clone(),
            applied_to: apply(&c.measure, facts).0.words(),
            points: *points,
        })
        .collect()
}

coded_enum! {
    /// Where a ranking stands: provisional while appeals may be lodged, final after.
    pub enum RankingStage {
        Provisional = "provvisoria", "provvisoria";
        Final = "definitiva", "definitiva";
    }
}

coded_enum! {
    /// What the ranking gives an application.
    pub enum RankOutcome {
        Funded = "finanziata", "ammessa e finanziata";
        PartlyFunded = "finanziata_in_parte", "ammessa e finanziata in parte";
        NotFunded = "non_finanziata", "ammessa non finanziata";
        Excluded = "non_ammessa", "non ammessa";
    }
}

/// An application to be ranked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub application_id: Uuid,
    pub protocol: String,
    /// Why it is not ranked (requirements of the benefit not met, withdrawn…), if so.
    pub excluded: Option<String>,
    pub isee: Option<Money>,
    pub breakdown: Breakdown,
    /// What the benefit gives it: what funding it takes from the call's budget.
    pub requested: Money,
}

/// A row of a ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankRow {
    /// From 1 for the ranked applications; none for those not admitted.
    pub position: Option<u32>,
    pub application_id: Uuid,
    pub protocol: String,
    pub score: u32,
    pub isee: Option<Money>,
    pub requested: Money,
    pub funded: Money,
    pub outcome: RankOutcome,
    /// The reason of a «non ammessa».
    pub reason: String,
    pub breakdown: Breakdown,
}

/// The order of the ranking: score descending, then ISEE ascending (none last), then protocol
/// ascending, then the application's id (never reached: protocols are unique).
fn ranking_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.breakdown
        .total
        .cmp(&a.breakdown.total)
        .then_with(|| match (a.isee, b.isee) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
        .then_with(|| a.protocol.cmp(&b.protocol))
        .then_with(|| a.application_id.cmp(&b.application_id))
}

/// Ranks the candidates and funds them down the list from `budget` (see [`fund`]). The
/// applications not admitted follow, by protocol. The same candidates give the same rows,
/// whatever their order.
pub fn rank(mut candidates: Vec<Candidate>, budget: Money, partial_last: bool) -> Vec<RankRow> {
    candidates.sort_by(|a, b| match (&a.excluded, &b.excluded) {
        (None, None) => ranking_order(a, b),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(_), Some(_)) => a
            .protocol
            .cmp(&b.protocol)
            .then_with(|| a.application_id.cmp(&b.application_id)),
    });
    let mut position = 0u32;
    let mut rows: Vec<RankRow> = candidates
        .into_iter()
        .map(|c| {
            let admitted = c.excluded.is_none();
            if admitted {
                position += 1;
            }
            RankRow {
                position: admitted.then_some(position),
                application_id: c.application_id,
                protocol: c.protocol,
                score: c.breakdown.total,
                isee: c.isee,
                requested: c.requested,
                funded: Money::ZERO,
                outcome: if admitted {
                    RankOutcome::NotFunded
                } else {
                    RankOutcome::Excluded
                },
                reason: c.excluded.unwrap_or_default(),
                breakdown: c.breakdown,
            }
        })
        .collect();
    fund(&mut rows, budget, partial_last);
    rows
}

/// Funds the ranked rows in order from `budget`, keeping what each already has (a budget that
/// grows scrolls down the list: «scorrimento»): each row gets what it requests while the
/// budget holds it; the first that it does not hold gets the rest when the call funds the last
/// one in part, and the funding stops there. Never takes funding away.
pub fn fund(rows: &mut [RankRow], budget: Money, partial_last: bool) {
    let used: i64 = rows.iter().map(|r| r.funded.cents()).sum();
    let mut left = budget.cents().saturating_sub(used).max(0);
    for r in rows.iter_mut().filter(|r| r.position.is_some()) {
        let need = r.requested.cents().saturating_sub(r.funded.cents());
        if need <= left {
            left -= need;
            r.funded = r.requested;
        } else {
            if partial_last && left > 0 {
                r.funded = Money(r.funded.cents() + left);
            }
            r.outcome = outcome_of(r);
            break;
        }
        r.outcome = outcome_of(r);
    }
}

fn outcome_of(r: &RankRow) -> RankOutcome {
    if r.funded.cents() >= r.requested.cents() {
        RankOutcome::Funded
    } else if r.funded.cents() > 0 {
        RankOutcome::PartlyFunded
    } else {
        RankOutcome::NotFunded
    }
}

/// The last day appeals against a provisional ranking may be lodged must come after the day
/// it is computed.
pub fn parse_appeals_until(raw: &str, today: Date) -> Result<Date, FieldError> {
    let d = date("appeals_until", raw, "l'ultimo giorno per i ricorsi")?;
    if d <= today {
        return Err(FieldError::new(
            "appeals_until",
            "l'ultimo giorno per i ricorsi deve venire dopo oggi",
        ));
    }
    Ok(d)
}

/// Why a provisional ranking cannot become final on `today`.
pub fn finalize_refusal(
    stage: RankingStage,
    appeals_until: Date,
    today: Date,
) -> Option<FieldError> {
    match stage {
        RankingStage::Final => Some(FieldError::new("stage", "la graduatoria è già definitiva")),
        RankingStage::Provisional if today <= appeals_until => Some(FieldError::new(
            "stage",
            format!(
                "i ricorsi contro la graduatoria provvisoria si possono presentare fino al {}: la graduatoria diventa definitiva dal giorno dopo",
                format_date(appeals_until)
            ),
        )),
        RankingStage::Provisional => None,
    }
}

/// A line of the published ranking: a row by its protocol, or a group too small to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishedLine {
    Row {
        position: Option<u32>,
        protocol: String,
        score: u32,
        outcome: RankOutcome,
    },
    /// `count` applications of this outcome, fewer than [`MIN_PUBLISHED_GROUP`], told
    /// individually instead.
    Withheld { outcome: RankOutcome, count: usize },
}

/// What the publication reads of a ranking's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankLine {
    pub position: Option<u32>,
    pub protocol: String,
    pub score: u32,
    pub outcome: RankOutcome,
}

impl From<&RankRow> for RankLine {
    fn from(r: &RankRow) -> Self {
        RankLine {
            position: r.position,
            protocol: r.protocol.clone(),
            score: r.score,
            outcome: r.outcome,
        }
    }
}

/// The ranking as published: see [`publish`].
pub fn publication(rows: &[RankRow]) -> Vec<PublishedLine> {
    publish(rows.iter().map(RankLine::from).collect())
}

/// The ranking as published: position, protocol, score and outcome, never a name, a codice
/// fiscale or an ISEE. A group of fewer than [`MIN_PUBLISHED_GROUP`] applications — the
/// ranked ones together, or those not admitted — is not listed one by one but counted, as
/// the applicants in it are told individually; so is a ranked list that short.
pub fn publish(rows: Vec<RankLine>) -> Vec<PublishedLine> {
    let (ranked, excluded): (Vec<RankLine>, Vec<RankLine>) =
        rows.into_iter().partition(|r| r.position.is_some());
    let mut lines = Vec::with_capacity(ranked.len() + excluded.len());
    let listed = |r: RankLine| PublishedLine::Row {
        position: r.position,
        protocol: r.protocol,
        score: r.score,
        outcome: r.outcome,
    };
    if ranked.len() >= MIN_PUBLISHED_GROUP {
        lines.extend(ranked.into_iter().map(listed));
    } else {
        for o in [
            RankOutcome::Funded,
            RankOutcome::PartlyFunded,
            RankOutcome::NotFunded,
        ] {
            let count = ranked.iter().filter(|r| r.outcome == o).count();
            if count > 0 {
                lines.push(PublishedLine::Withheld { outcome: o, count });
            }
        }
    }
    if excluded.len() >= MIN_PUBLISHED_GROUP {
        lines.extend(excluded.into_iter().map(|r| {
            listed(RankLine {
                position: None,
                ..r
            })
        }));
    } else if !excluded.is_empty() {
        lines.push(PublishedLine::Withheld {
            outcome: RankOutcome::Excluded,
            count: excluded.len(),
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ScoringRules {
        ScoringRules {
            criteria: vec![
                Criterion {
                    measure: Measure::Isee {
                        bands: vec![
                            IseeBand {
                                up_to: Money::from_euro(6_000),
                                points: 30,
                            },
                            IseeBand {
                                up_to: Money::from_euro(12_000),
                                points: 15,
                            },
                        ],
                    },
                    article: "art. 5, c. 1".into(),
                },
                Criterion {
                    measure: Measure::Minors { each: 5, max: 15 },
                    article: "art. 5, c. 2".into(),
                },
                Criterion {
                    measure: Measure::Rent {
                        bands: vec![
                            RentBand {
                                from_percent: 30,
                                points: 10,
                            },
                            RentBand {
                                from_percent: 50,
                                points: 20,
                            },
                        ],
                    },
                    article: "art. 5, c. 3".into(),
                },
            ],
        }
    }

    fn facts(isee: i64, minors: u32, rent: i64) -> ScoringFacts {
        ScoringFacts {
            isee: Some(Money::from_euro(isee)),
            household_size: minors + 1,
            minors,
            disability: false,
            rent: Some(Money::from_euro(rent)),
            waiting_months: None,
        }
    }

    fn candidate(n: u32, total: u32, isee: i64, requested: i64) -> Candidate {
        Candidate {
            application_id: Uuid::from_u128(u128::from(n)),
            protocol: format!("2026/{n:06}"),
            excluded: None,
            isee: Some(Money::from_euro(isee)),
            breakdown: Breakdown {
                points: Vec::new(),
                total,
            },
            requested: Money::from_euro(requested),
        }
    }

    #[test]
    fn the_score_cites_each_criterion_and_adds_its_points() {
        // ISEE 5.000 € is in the first band (30); 4 minors at 5 points are capped at 15;
        // rent 3.000 € is 60% of the ISEE: the 50% band (20). Total 65.
        let f = facts(5_000, 4, 3_000);
        let b = score(&rules(), &f);
        assert_eq!(b.points, [30, 15, 20]);
        assert_eq!(b.total, 65);
        let lines = explain(&rules(), &f, &b);
        assert_eq!(lines[2].label, "Incidenza del canone sull'ISEE");
        assert_eq!(lines[2].article, "art. 5, c. 3");
        assert_eq!(
            lines[2].applied_to,
            "canone 3.000,00\u{a0}€ pari al 60% dell'ISEE"
        );
        assert_eq!(lines[2].points, 20);
        // Over every band: no points for the ISEE.
        assert_eq!(score(&rules(), &facts(20_000, 0, 0)).total, 0);
    }

    #[test]
    fn a_breakdown_stored_in_words_by_an_earlier_version_reads_as_its_points() {
        let old = r#"{"lines":[{"label":"Fascia ISEE","article":"art. 5, c. 1",
            "applied_to":"ISEE 2.500,00 €","points":30},{"label":"Disabilità",
            "article":"art. 5, c. 2","applied_to":"disabilità dichiarata","points":10}],
            "total":40}"#;
        let b: Breakdown = serde_json::from_str(old).expect("the old form");
        let points = Breakdown {
            points: vec![30, 10],
            total: 40,
        };
        assert_eq!(b, points);
        let stored = serde_json::to_string(&b).expect("stored");
        assert_eq!(stored, r#"{"points":[30,10],"total":40}"#);
        assert_eq!(
            serde_json::from_str::<Breakdown>(&stored).expect("read"),
            points
        );
    }

    #[test]
    fn ties_are_broken_by_isee_then_protocol_whatever_the_input_order() {
        let cands = vec![
            candidate(4, 50, 9_000, 1),
            candidate(2, 50, 8_000, 1),
            candidate(3, 50, 8_000, 1),
            candidate(1, 40, 1_000, 1),
            candidate(5, 60, 20_000, 1),
        ];
        let order = |c: Vec<Candidate>| {
            rank(c, Money::from_euro(100), false)
                .into_iter()
                .map(|r| r.protocol)
                .collect::<Vec<_>>()
        };
        let expected = [
            "2026/000005",
            "2026/000002",
            "2026/000003",
            "2026/000004",
            "2026/000001",
        ];
        assert_eq!(order(cands.clone()), expected);
        let mut reversed = cands;
        reversed.reverse();
        assert_eq!(order(reversed), expected);
    }

    #[test]
    fn funding_stops_at_the_first_row_the_budget_does_not_hold() {
        let cands = vec![
            candidate(1, 30, 1_000, 400),
            candidate(2, 20, 1_000, 400),
            candidate(3, 10, 1_000, 100),
        ];
        let rows = rank(cands.clone(), Money::from_euro(1_000), true);
        assert_eq!(
            rows.iter()
                .map(|r| (r.outcome, r.funded))
                .collect::<Vec<_>>(),
            [
                (RankOutcome::Funded, Money::from_euro(400)),
                (RankOutcome::Funded, Money::from_euro(400)),
                (RankOutcome::Funded, Money::from_euro(100)),
            ]
        );
        // 700 €: the second gets the 300 € left in part; the third, though it would fit
        // 100 €, waits its turn.
        let rows = rank(cands.clone(), Money::from_euro(700), true);
        assert_eq!(
            rows.iter()
                .map(|r| (r.outcome, r.funded))
                .collect::<Vec<_>>(),
            [
                (RankOutcome::Funded, Money::from_euro(400)),
                (RankOutcome::PartlyFunded, Money::from_euro(300)),
                (RankOutcome::NotFunded, Money::ZERO),
            ]
        );
        // Without partial funding the second is «ammessa non finanziata».
        let mut rows = rank(cands, Money::from_euro(700), false);
        assert_eq!(rows[1].outcome, RankOutcome::NotFunded);
        assert_eq!(rows[1].funded, Money::ZERO);
        // Scrolling: 500 € more fund the second and the third, the first keeps its funding.
        fund(&mut rows, Money::from_euro(1_200), false);
        assert_eq!(
            rows.iter().map(|r| r.outcome).collect::<Vec<_>>(),
            [RankOutcome::Funded; 3]
        );
    }

    #[test]
    fn a_partly_funded_row_is_topped_up_when_the_budget_grows() {
        let mut rows = rank(
            vec![candidate(1, 30, 1_000, 400), candidate(2, 20, 1_000, 400)],
            Money::from_euro(500),
            true,
        );
        assert_eq!(rows[1].funded, Money::from_euro(100));
        fund(&mut rows, Money::from_euro(650), true);
        assert_eq!(rows[1].funded, Money::from_euro(250));
        assert_eq!(rows[1].outcome, RankOutcome::PartlyFunded);
        fund(&mut rows, Money::from_euro(800), true);
        assert_eq!(rows[1].outcome, RankOutcome::Funded);
    }

    #[test]
    fn excluded_applications_follow_by_protocol_without_position() {
        let mut out = candidate(1, 90, 1_000, 100);
        out.excluded = Some("requisiti non posseduti".into());
        let rows = rank(
            vec![out, candidate(2, 10, 1_000, 100)],
            Money::from_euro(1_000),
            false,
        );
        assert_eq!(rows[0].position, Some(1));
        assert_eq!(rows[1].position, None);
        assert_eq!(rows[1].outcome, RankOutcome::Excluded);
        assert_eq!(rows[1].funded, Money::ZERO);
    }

    #[test]
    fn groups_smaller_than_five_are_counted_not_listed() {
        let mut cands: Vec<Candidate> = (1..=6).map(|n| candidate(n, n, 1_000, 100)).collect();
        for c in cands.iter_mut().take(2) {
            c.excluded = Some("requisiti non posseduti".into());
        }
        let rows = rank(cands, Money::from_euro(200), false);
        let lines = publication(&rows);
        // Four ranked: too few to list; two excluded: too few too.
        assert_eq!(
            lines,
            [
                PublishedLine::Withheld {
                    outcome: RankOutcome::Funded,
                    count: 2
                },
                PublishedLine::Withheld {
                    outcome: RankOutcome::NotFunded,
                    count: 2
                },
                PublishedLine::Withheld {
                    outcome: RankOutcome::Excluded,
                    count: 2
                },
            ]
        );
        let rows = rank(
            (1..=5).map(|n| candidate(n, n, 1_000, 100)).collect(),
            Money::from_euro(200),
            false,
        );
        assert!(
            publication(&rows)
                .iter()
                .all(|l| matches!(l, PublishedLine::Row { .. }))
        );
    }

    #[test]
    fn the_window_refuses_late_applications_naming_the_call() {
        let call = CallData {
            title: "Contributo affitto 2026".into(),
            benefit_id: Uuid::nil(),
            opens_on: time::macros::date!(2026 - 11 - 01),
            closes_on: time::macros::date!(2026 - 11 - 30),
            budget: Money::from_euro(1_000),
            partial_last: true,
            one_per_household: false,
            publication_text: "Testo".into(),
            questions: Vec::new(),
        };
        assert!(
            call.window_refusal(time::macros::date!(2026 - 11 - 30))
                .is_none()
        );
        let late = call
            .window_refusal(time::macros::date!(2026 - 12 - 01))
            .unwrap();
        assert_eq!(
            late.message,
            "domanda fuori termine: il bando «Contributo affitto 2026» riceveva domande fino al 30/11/2026"
        );
    }

    #[test]
    fn a_final_ranking_waits_for_the_end_of_the_appeals() {
        let until = time::macros::date!(2026 - 12 - 10);
        assert!(finalize_refusal(RankingStage::Provisional, until, until).is_some());
        assert!(
            finalize_refusal(
                RankingStage::Provisional,
                until,
                time::macros::date!(2026 - 12 - 11)
            )
            .is_none()
        );
    }
}
