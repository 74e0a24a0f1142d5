//! Statistics for decision makers (the seed's «monitoraggio di indicatori di servizio … a
//! vantaggio del sistema decisionale», the Piano Sociale di Zona of L. 328/2000 art. 19, ISTAT's
//! survey «Interventi e servizi sociali dei comuni singoli e associati»).
//!
//! The store reads the facts of an organization ([`Facts`]); [`figures`] turns them into
//! pre-aggregated counts ([`Figure`]: a measure of a year, or of a month, by comune, area,
//! benefit and one dimension), which the store keeps and the dashboard only reads and adds up.
//! Counts of distinct persons cannot be added across months or areas, so they are made per
//! year, and once for "all areas" beside each area. Medians and percentiles of processing
//! times are read from a histogram of days ([`percentile`]), which adds up. No I/O.

use crate::application::ApplicationState;
use crate::benefit::Area;
use crate::casework::CaseState;
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, Month};
use uuid::Uuid;

coded_enum! {
    /// What a figure counts.
    pub enum Measure {
        Users = "utenti", "persone seguite";
        UsersBySex = "utenti_sesso", "persone seguite per sesso";
        UsersByAge = "utenti_eta", "persone seguite per età";
        UsersByOrigin = "utenti_cittadinanza", "persone seguite per cittadinanza";
        FirstAccesses = "accessi", "primi accessi";
        TakenInCharge = "prese_in_carico", "prese in carico";
        CasesOpened = "cartelle_aperte", "cartelle aperte";
        CasesClosed = "cartelle_chiuse", "cartelle chiuse";
        Filed = "domande", "domande presentate";
        ByState = "domande_stato", "domande per stato";
        DecidedDays = "decise_giorni", "domande decise per giorni di istruttoria";
        DecidedLate = "decise_oltre_termine", "domande decise oltre il termine";
        Spend = "spesa", "spesa erogata";
        Committed = "impegni", "impegni delle domande accolte";
        Waiting = "in_attesa", "domande accolte in attesa di erogazione";
        Caseload = "carico", "cartelle aperte per assistente sociale";
        SurveyUsers = "istat_utenti", "utenti per area e intervento";
        SurveySpend = "istat_spesa", "spesa per area e intervento";
        SurveyCoPayment = "istat_compartecipazione", "compartecipazione per area e intervento";
        Residents = "residenti", "residenti dell'anagrafe per comune";
        SocialWorkers = "assistenti_sociali", "assistenti sociali attivi";
    }
}

impl Measure {
    /// Whether the figure counts persons: such cells under [`SMALL_CELL`] are suppressed in
    /// what is published.
    pub fn counts_persons(self) -> bool {
        matches!(
            self,
            Measure::Users
                | Measure::UsersBySex
                | Measure::UsersByAge
                | Measure::UsersByOrigin
                | Measure::SurveyUsers
        )
    }
}

coded_enum! {
    /// Age bands at the end of the year (minors, young adults, adults, the two elderly bands
    /// of the non-self-sufficiency plans).
    pub enum AgeBand {
        Minor = "0-17", "0–17 anni";
        Young = "18-34", "18–34 anni";
        Adult = "35-64", "35–64 anni";
        Elderly = "65-74", "65–74 anni";
        Old = "75+", "75 anni e oltre";
    }
}

impl AgeBand {
    pub fn of(birth: Date, on: Date) -> AgeBand {
        let mut age = on.year() - birth.year();
        if (on.month(), on.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        match age {
            ..18 => AgeBand::Minor,
            18..35 => AgeBand::Young,
            35..65 => AgeBand::Adult,
            65..75 => AgeBand::Elderly,
            _ => AgeBand::Old,
        }
    }
}

coded_enum! {
    /// Citizenship as the survey groups it.
    pub enum Origin {
        Italian = "italiana", "italiana";
        Eu = "ue", "di un altro paese UE";
        NonEu = "extra_ue", "di un paese extra UE o apolide";
    }
}

/// Belfiore codes of the other 26 member states of the European Union.
const EU_STATES: [&str; 26] = [
    "Z102", "Z103", "Z104", "Z211", "Z149", "Z107", "Z144", "Z109", "Z110", "Z112", "Z115", "Z116",
    "Z145", "Z146", "Z120", "Z121", "Z126", "Z127", "Z128", "Z156", "Z129", "Z155", "Z150", "Z131",
    "Z132", "Z134",
];

impl Origin {
    /// From the stored citizenship (`IT`, `APOLIDE` or a state's Belfiore code).
    pub fn of(citizenship: &str) -> Origin {
        if citizenship == "IT" {
            Origin::Italian
        } else if EU_STATES.contains(&citizenship) {
            Origin::Eu
        } else {
            Origin::NonEu
        }
    }
}

/// Cells counting fewer persons than this are suppressed in published figures (ISTAT's and
/// the Garante's usual threshold for statistical tables on small populations).
pub const SMALL_CELL: i64 = 5;

/// A published person count: the number, or `None` when it is small enough to single out
/// someone (1 to 4; zero says nothing about anyone and stays).
pub fn published(count: i64) -> Option<i64> {
    (count == 0 || count >= SMALL_CELL).then_some(count)
}

/// Who a fact is about, as far as statistics need: no name, no codice fiscale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub id: Uuid,
    pub sex: String,
    pub birth_date: Date,
    pub citizenship: String,
    /// ISTAT code of the comune of residence (else domicile), if known.
    pub comune: Option<String>,
}

/// A benefit as figures name it: by code (the same code in two comuni of an Ambito adds up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitFacts {
    pub code: String,
    pub name: String,
    pub area: Area,
    pub siuss_code: String,
    pub funding_source: String,
}

/// A month delivered (`erogata`).
#[derive(Debug, Clone)]
pub struct DeliveryFact {
    pub subject: Subject,
    pub benefit: BenefitFacts,
    pub month: Date,
    pub amount_cents: i64,
    pub co_payment_cents: i64,
}

/// A case file, with its responsible worker.
#[derive(Debug, Clone)]
pub struct CaseFact {
    pub subject: Subject,
    pub worker_id: Uuid,
    pub worker_name: String,
    pub state: CaseState,
    pub opened_on: Date,
    /// When it reached its state (the closing day of a closed one).
    pub state_since: Date,
}

/// A change of state of a case file: an opening (or reopening) or a closing.
#[derive(Debug, Clone)]
pub struct CaseChangeFact {
    pub comune: Option<String>,
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub on: Date,
}

/// A first access at the segretariato.
#[derive(Debug, Clone)]
pub struct AccessFact {
    pub comune: Option<String>,
    pub on: Date,
    pub taken_in_charge: bool,
}

/// An application filed (not a draft).
#[derive(Debug, Clone)]
pub struct ApplicationFact {
    pub comune: Option<String>,
    pub benefit: BenefitFacts,
    pub state: ApplicationState,
    pub submitted_on: Option<Date>,
    pub decided_on: Option<Date>,
    pub due_on: Option<Date>,
    pub committed_cents: i64,
}

/// What the store reads of one organization for its figures.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub deliveries: Vec<DeliveryFact>,
    pub cases: Vec<CaseFact>,
    pub case_changes: Vec<CaseChangeFact>,
    pub accesses: Vec<AccessFact>,
    pub applications: Vec<ApplicationFact>,
    /// Residents of the imported civil registry (alive, not emigrated, not merged) by ISTAT
    /// code of the comune of residence, as of today.
    pub residents: Vec<(String, i64)>,
    /// Active users with the social worker's role, as of today.
    pub social_workers: i64,
}

/// One pre-aggregated count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Figure {
    pub year: i32,
    /// 1–12, or 0 for a figure of the whole year.
    pub month: u8,
    pub measure: Measure,
    /// ISTAT code of the comune; empty for persons outside the organization's comuni.
    pub comune: String,
    /// Empty: all areas (a person count), or a figure with no area.
    pub area: String,
    /// The benefit's code; empty when the figure is not by benefit.
    pub benefit: String,
    /// The value of the measure's own dimension (sex, age band, state, days, fund, worker).
    pub dim: String,
    /// Words for `dim` or `benefit` (a benefit's or a worker's name, an intervention).
    pub label: String,
    pub value: i64,
}

impl PartialOrd for Measure {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Measure {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// The key of a figure under construction: everything but the value.
type Key = (i32, u8, Measure, String, String, String, String, String);

#[derive(Default)]
struct Sums(BTreeMap<Key, i64>);

impl Sums {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        year: i32,
        month: u8,
        measure: Measure,
        comune: &str,
        area: &str,
        benefit: &str,
        dim: &str,
        label: &str,
        value: i64,
    ) {
        *self
            .0
            .entry((
                year,
                month,
                measure,
                comune.to_owned(),
                area.to_owned(),
                benefit.to_owned(),
                dim.to_owned(),
                label.to_owned(),
            ))
            .or_default() += value;
    }
}

/// Where a person is counted: their comune when it is one of the organization's, the
/// comune itself for a Comune's own organization, else nowhere in particular (empty).
pub fn comune_key(residence: Option<&str>, comuni: &[String]) -> String {
    match (residence, comuni) {
        (Some(r), _) if comuni.iter().any(|c| c == r) => r.to_owned(),
        (_, [only]) => only.clone(),
        _ => String::new(),
    }
}

fn last_day(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX)
}

fn first_day(year: i32) -> Date {
    Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN)
}

/// The figures of `years` from an organization's facts; `comuni` are its ISTAT codes and
/// `today` dates the snapshots (waiting list, caseload), which belong to today's year; the
/// registry's residents and the social workers, the LEPS's terms, are kept in every year.
pub fn figures(facts: &Facts, comuni: &[String], years: &[i32], today: Date) -> Vec<Figure> {
    let mut s = Sums::default();
    let key = |c: &Option<String>| comune_key(c.as_deref(), comuni);
    for &year in years {
        users(&mut s, facts, comuni, year);
    }
    let counted = |d: Date| years.contains(&d.year());
    for a in facts.accesses.iter().filter(|a| counted(a.on)) {
        let (y, m, c) = (a.on.year(), u8::from(a.on.month()), key(&a.comune));
        s.add(y, m, Measure::FirstAccesses, &c, "", "", "", "", 1);
        if a.taken_in_charge {
            s.add(y, m, Measure::TakenInCharge, &c, "", "", "", "", 1);
        }
    }
    for ch in facts.case_changes.iter().filter(|ch| counted(ch.on)) {
        let measure = match (ch.from, ch.to) {
            (None | Some(CaseState::Closed), CaseState::Open) => Measure::CasesOpened,
            (_, CaseState::Closed) => Measure::CasesClosed,
            _ => continue,
        };
        let (y, m) = (ch.on.year(), u8::from(ch.on.month()));
        s.add(y, m, measure, &key(&ch.comune), "", "", "", "", 1);
    }
    for a in &facts.applications {
        applications(&mut s, a, &key(&a.comune), &counted, today);
    }
    for d in facts.deliveries.iter().filter(|d| counted(d.month)) {
        let b = &d.benefit;
        let (y, m, c) = (
            d.month.year(),
            u8::from(d.month.month()),
            key(&d.subject.comune),
        );
        let area = b.area.as_str();
        s.add(
            y,
            m,
            Measure::Spend,
            &c,
            area,
            &b.code,
            &b.funding_source,
            &b.name,
            d.amount_cents,
        );
        let label = crate::benefit::siuss_label(&b.siuss_code).unwrap_or_default();
        s.add(
            y,
            0,
            Measure::SurveySpend,
            &c,
            area,
            "",
            &b.siuss_code,
            label,
            d.amount_cents,
        );
        s.add(
            y,
            0,
            Measure::SurveyCoPayment,
            &c,
            area,
            "",
            &b.siuss_code,
            label,
            d.co_payment_cents,
        );
    }
    let survey_users: BTreeSet<(i32, String, &str, &str, Uuid)> = facts
        .deliveries
        .iter()
        .filter(|d| counted(d.month))
        .map(|d| {
            (
                d.month.year(),
                key(&d.subject.comune),
                d.benefit.area.as_str(),
                d.benefit.siuss_code.as_str(),
                d.subject.id,
            )
        })
        .collect();
    for (y, c, area, code, _) in survey_users {
        let label = crate::benefit::siuss_label(code).unwrap_or_default();
        s.add(y, 0, Measure::SurveyUsers, &c, area, "", code, label, 1);
    }
    for c in facts.cases.iter().filter(|c| c.state != CaseState::Closed) {
        s.add(
            today.year(),
            0,
            Measure::Caseload,
            &key(&c.subject.comune),
            "",
            "",
            &c.worker_id.to_string(),
            &c.worker_name,
            1,
        );
    }
    // Snapshots of today kept in every year, so that the LEPS of any year shown reads them
    // from the figures instead of counting the registry at each view.
    for &year in years {
        for (comune, n) in &facts.residents {
            s.add(year, 0, Measure::Residents, comune, "", "", "", "", *n);
        }
        s.add(
            year,
            0,
            Measure::SocialWorkers,
            "",
            "",
            "",
            "",
            "",
            facts.social_workers,
        );
    }
    s.0.into_iter()
        .map(
            |((year, month, measure, comune, area, benefit, dim, label), value)| Figure {
                year,
                month,
                measure,
                comune,
                area,
                benefit,
                dim,
                label,
                value,
            },
        )
        .collect()
}

fn applications(
    s: &mut Sums,
    a: &ApplicationFact,
    c: &str,
    counted: &dyn Fn(Date) -> bool,
    today: Date,
) {
    let b = &a.benefit;
    let area = b.area.as_str();
    if let Some(on) = a.submitted_on.filter(|d| counted(*d)) {
        let (y, m) = (on.year(), u8::from(on.month()));
        s.add(y, m, Measure::Filed, c, area, &b.code, "", &b.name, 1);
        s.add(
            y,
            0,
            Measure::ByState,
            c,
            area,
            &b.code,
            a.state.as_str(),
            &b.name,
            1,
        );
    }
    if let Some(decided) = a.decided_on.filter(|d| counted(*d)) {
        let (y, m) = (decided.year(), u8::from(decided.month()));
        if let Some(submitted) = a.submitted_on {
            let days = (decided - submitted).whole_days().max(0);
            s.add(
                y,
                m,
                Measure::DecidedDays,
                c,
                area,
                &b.code,
                &days.to_string(),
                &b.name,
                1,
            );
        }
        if a.due_on.is_some_and(|due| decided > due) {
            s.add(y, m, Measure::DecidedLate, c, area, &b.code, "", &b.name, 1);
        }
        if matches!(
            a.state,
            ApplicationState::Accepted | ApplicationState::Delivering | ApplicationState::Concluded
        ) {
            s.add(
                y,
                m,
                Measure::Committed,
                c,
                area,
                &b.code,
                &b.funding_source,
                &b.name,
                a.committed_cents,
            );
        }
    }
    if a.state == ApplicationState::Accepted {
        s.add(
            today.year(),
            0,
            Measure::Waiting,
            c,
            area,
            &b.code,
            "",
            &b.name,
            1,
        );
    }
}

/// The persons followed in `year`: a month delivered that year, or a case file open at some
/// time of it. Each counted once per comune for all areas, and once in each area of the
/// benefits delivered to them.
fn users(s: &mut Sums, facts: &Facts, comuni: &[String], year: i32) {
    let (first, last) = (first_day(year), last_day(year));
    let mut persons: BTreeMap<Uuid, (&Subject, BTreeSet<&'static str>)> = BTreeMap::new();
    for d in facts.deliveries.iter().filter(|d| d.month.year() == year) {
        persons
            .entry(d.subject.id)
            .or_insert_with(|| (&d.subject, BTreeSet::new()))
            .1
            .insert(d.benefit.area.as_str());
    }
    for c in &facts.cases {
        let closed_before = c.state == CaseState::Closed && c.state_since < first;
        if c.opened_on <= last && !closed_before {
            persons
                .entry(c.subject.id)
                .or_insert_with(|| (&c.subject, BTreeSet::new()));
        }
    }
    for (subject, areas) in persons.values() {
        let c = comune_key(subject.comune.as_deref(), comuni);
        let band = AgeBand::of(subject.birth_date, last).as_str();
        let origin = Origin::of(&subject.citizenship).as_str();
        for area in std::iter::once("").chain(areas.iter().copied()) {
            s.add(year, 0, Measure::Users, &c, area, "", "", "", 1);
            s.add(
                year,
                0,
                Measure::UsersBySex,
                &c,
                area,
                "",
                &subject.sex,
                "",
                1,
            );
            s.add(year, 0, Measure::UsersByAge, &c, area, "", band, "", 1);
            s.add(year, 0, Measure::UsersByOrigin, &c, area, "", origin, "", 1);
        }
    }
}

/// The smallest value `v` of a histogram (value, count) with at least `share` (in per
/// cent) of the counts at or below it: the median at 50, the 90th percentile at 90
/// (nearest-rank method). `None` for an empty histogram.
pub fn percentile(histogram: &BTreeMap<i64, i64>, share: i64) -> Option<i64> {
    let total: i64 = histogram.values().sum();
    if total == 0 {
        return None;
    }
    // Nearest rank: ceil(share/100 × total), at least 1.
    let rank = ((share * total + 99) / 100).max(1);
    let mut seen = 0;
    histogram.iter().find_map(|(v, n)| {
        seen += n;
        (seen >= rank).then_some(*v)
    })
}

/// Social workers per 5,000 inhabitants (the LEPS of L. 178/2020 art. 1 c. 797: one per
/// 5,000), in hundredths, rounded down; `None` without a population.
pub fn per_5000_hundredths(workers: i64, population: i64) -> Option<i64> {
    (population > 0).then(|| workers * 5_000 * 100 / population)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn subject(n: u128, sex: &str, birth: Date, citizenship: &str, comune: &str) -> Subject {
        Subject {
            id: Uuid::from_u128(n),
            sex: sex.into(),
            birth_date: birth,
            citizenship: citizenship.into(),
            comune: Some(comune.into()),
        }
    }

    fn benefit(code: &str, area: Area) -> BenefitFacts {
        BenefitFacts {
            code: code.into(),
            name: code.to_uppercase(),
            area,
            siuss_code: "A1.02.01".into(),
            funding_source: "FNPS".into(),
        }
    }

    fn value(figures: &[Figure], measure: Measure, area: &str, dim: &str) -> i64 {
        figures
            .iter()
            .filter(|f| f.measure == measure && f.area == area && f.dim == dim)
            .map(|f| f.value)
            .sum()
    }

    #[test]
    fn a_person_counts_once_for_all_areas_and_once_in_each_area() {
        let anna = subject(1, "F", date!(1950 - 03 - 01), "IT", "016024");
        let omar = subject(2, "M", date!(2010 - 06 - 01), "Z330", "016024");
        let d = |s: &Subject, b: BenefitFacts, m: Date| DeliveryFact {
            subject: s.clone(),
            benefit: b,
            month: m,
            amount_cents: 10_000,
            co_payment_cents: 500,
        };
        let facts = Facts {
            deliveries: vec![
                d(&anna, benefit("sad", Area::Anziani), date!(2026 - 01 - 01)),
                d(&anna, benefit("sad", Area::Anziani), date!(2026 - 02 - 01)),
                d(
                    &anna,
                    benefit("pasti", Area::Poverta),
                    date!(2026 - 02 - 01),
                ),
                d(
                    &omar,
                    benefit("mensa", Area::FamigliaMinori),
                    date!(2026 - 03 - 01),
                ),
            ],
            ..Facts::default()
        };
        let f = figures(&facts, &["016024".into()], &[2026], date!(2026 - 12 - 07));
        // Two persons in all; Anna in two areas, once in each.
        assert_eq!(value(&f, Measure::Users, "", ""), 2);
        assert_eq!(value(&f, Measure::Users, "anziani", ""), 1);
        assert_eq!(value(&f, Measure::Users, "poverta", ""), 1);
        assert_eq!(value(&f, Measure::UsersBySex, "", "F"), 1);
        assert_eq!(value(&f, Measure::UsersByAge, "", "75+"), 1);
        assert_eq!(value(&f, Measure::UsersByAge, "", "0-17"), 1);
        assert_eq!(value(&f, Measure::UsersByOrigin, "", "extra_ue"), 1);
        // Four months of 100 € each; the survey counts Anna once per intervention and area.
        assert_eq!(value(&f, Measure::Spend, "anziani", "FNPS"), 20_000);
        assert_eq!(value(&f, Measure::SurveyUsers, "anziani", "A1.02.01"), 1);
        assert_eq!(
            value(&f, Measure::SurveyCoPayment, "anziani", "A1.02.01"),
            1_000
        );
    }

    #[test]
    fn residents_and_social_workers_are_kept_in_every_year() {
        let facts = Facts {
            residents: vec![("016024".into(), 12_000), ("016011".into(), 3_000)],
            social_workers: 3,
            ..Facts::default()
        };
        let f = figures(
            &facts,
            &["016024".into(), "016011".into()],
            &[2025, 2026],
            date!(2026 - 12 - 07),
        );
        for year in [2025, 2026] {
            let of = |m: Measure, comune: &str| {
                f.iter()
                    .filter(|x| x.measure == m && x.year == year && x.comune == comune)
                    .map(|x| x.value)
                    .sum::<i64>()
            };
            assert_eq!(of(Measure::Residents, "016024"), 12_000);
            assert_eq!(of(Measure::Residents, "016011"), 3_000);
            assert_eq!(of(Measure::SocialWorkers, ""), 3);
        }
    }

    #[test]
    fn median_and_90th_percentile_by_nearest_rank() {
        // Days 10, 20, 20, 30, 100: median 20, 90th percentile 100.
        let h: BTreeMap<i64, i64> = [(10, 1), (20, 2), (30, 1), (100, 1)].into();
        assert_eq!(percentile(&h, 50), Some(20));
        assert_eq!(percentile(&h, 90), Some(100));
        assert_eq!(percentile(&BTreeMap::new(), 50), None);
    }

    #[test]
    fn small_cells_are_suppressed_zero_is_not() {
        assert_eq!(published(0), Some(0));
        assert_eq!(published(1), None);
        assert_eq!(published(4), None);
        assert_eq!(published(5), Some(5));
    }

    #[test]
    fn age_is_taken_at_the_end_of_the_year() {
        assert_eq!(
            AgeBand::of(date!(2008 - 12 - 31), date!(2026 - 12 - 31)),
            AgeBand::Young
        );
        assert_eq!(
            AgeBand::of(date!(2009 - 01 - 01), date!(2026 - 12 - 31)),
            AgeBand::Minor
        );
        assert_eq!(per_5000_hundredths(3, 12_000), Some(125));
        assert_eq!(per_5000_hundredths(3, 0), None);
    }
}
