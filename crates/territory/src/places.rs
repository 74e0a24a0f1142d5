//! Comuni (current and historical) and foreign states, embedded from the
//! generated tables in `data/` (see `data/README.md`).

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Serialize, Serializer};
use time::{Date, Month};

use crate::text::search_key;

const COMUNI_TSV: &str = include_str!("../data/comuni.tsv");
const STATES_TSV: &str = include_str!("../data/stati-esteri.tsv");
/// Number of possible Belfiore codes, `A000` to `Z999`.
const CODE_SLOTS: usize = 26 * 1000;

/// A Belfiore (codice catastale) code: one letter and three digits, e.g.
/// `A475` (Assisi) or `Z404` (Stati Uniti). Foreign states use `Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BelfioreCode([u8; 4]);

impl BelfioreCode {
    /// Accepts exactly one ASCII letter followed by three digits, after
    /// trimming and uppercasing.
    pub fn new(code: &str) -> Option<Self> {
        let b = code.trim().as_bytes();
        match b {
            [l, d1, d2, d3]
                if l.is_ascii_alphabetic()
                    && d1.is_ascii_digit()
                    && d2.is_ascii_digit()
                    && d3.is_ascii_digit() =>
            {
                Some(Self([l.to_ascii_uppercase(), *d1, *d2, *d3]))
            }
            _ => None,
        }
    }

    /// Builds a code from bytes already known to be `[A-Z][0-9]{3}`.
    pub(crate) fn from_bytes(bytes: [u8; 4]) -> Option<Self> {
        let [l, d1, d2, d3] = bytes;
        (l.is_ascii_uppercase()
            && d1.is_ascii_digit()
            && d2.is_ascii_digit()
            && d3.is_ascii_digit())
        .then_some(Self(bytes))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    pub fn as_bytes(&self) -> [u8; 4] {
        self.0
    }

    /// Index in 0..CODE_SLOTS: letter × 1000 + number.
    fn slot(self) -> usize {
        let [l, a, b, c] = self.0.map(usize::from);
        let digit = |d: usize| d - usize::from(b'0');
        (l - usize::from(b'A')) * 1000 + digit(a) * 100 + digit(b) * 10 + digit(c)
    }

    /// Foreign states have codes starting with `Z`.
    pub fn is_foreign(&self) -> bool {
        self.0[0] == b'Z'
    }
}

impl fmt::Display for BelfioreCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BelfioreCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A comune over one period of validity of its Belfiore code. Several rows
/// may share a code (renamed comuni, province changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Comune {
    /// ISTAT code, only for the latest row of a comune present in the ISTAT
    /// list (absent for suppressed comuni and for those created after it).
    pub istat: Option<&'static str>,
    pub belfiore: BelfioreCode,
    pub name: &'static str,
    /// Province sigla as it was in that period (e.g. `PS` before `PU`).
    pub province: Option<&'static str>,
    /// Region name, known only when `istat` is.
    pub region: Option<&'static str>,
    pub valid_from: Date,
    /// Last day of validity (inclusive); `None` while still in force.
    pub valid_to: Option<Date>,
}

/// A foreign state and its Belfiore `Z` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ForeignState {
    pub code: BelfioreCode,
    pub name: &'static str,
    pub valid_from: Date,
    /// Last day of validity (inclusive); `None` while still in force.
    pub valid_to: Option<Date>,
}

/// A place of birth as written in a codice fiscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Birthplace {
    Comune(Comune),
    ForeignState(ForeignState),
}

impl Birthplace {
    pub fn code(&self) -> BelfioreCode {
        match self {
            Self::Comune(c) => c.belfiore,
            Self::ForeignState(s) => s.code,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Comune(c) => c.name,
            Self::ForeignState(s) => s.name,
        }
    }

    /// Province sigla; `None` abroad.
    pub fn province(&self) -> Option<&'static str> {
        match self {
            Self::Comune(c) => c.province,
            Self::ForeignState(_) => None,
        }
    }

    pub fn valid_from(&self) -> Date {
        match self {
            Self::Comune(c) => c.valid_from,
            Self::ForeignState(s) => s.valid_from,
        }
    }

    pub fn valid_to(&self) -> Option<Date> {
        match self {
            Self::Comune(c) => c.valid_to,
            Self::ForeignState(s) => s.valid_to,
        }
    }

    pub fn is_valid_on(&self, date: Date) -> bool {
        valid_on(self.valid_from(), self.valid_to(), date)
    }

    /// "Assisi (PG)", "Francia (stato estero)", for messages.
    pub fn label(&self) -> String {
        match self {
            Self::Comune(c) => format!("{} ({})", c.name, c.province.unwrap_or("-")),
            Self::ForeignState(s) => format!("{} (stato estero)", s.name),
        }
    }
}

/// A birthplace found by code for a date. When no period of the code covers
/// the date, the period closest to it is returned with
/// `valid_on_date == false` (codes are often assigned or kept across
/// boundary dates that the source data does not record exactly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthplaceMatch {
    pub place: Birthplace,
    pub valid_on_date: bool,
}

fn valid_on(from: Date, to: Option<Date>, date: Date) -> bool {
    from <= date && to.is_none_or(|t| date <= t)
}

/// Days between `date` and the period `[from, to]`; 0 inside it.
fn distance(from: Date, to: Option<Date>, date: Date) -> i64 {
    if date < from {
        (from - date).whole_days()
    } else {
        to.map_or(0, |t| (date - t).whole_days().max(0))
    }
}

fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = Month::try_from(it.next()?.parse::<u8>().ok()?).ok()?;
    let d = it.next()?.parse().ok()?;
    Date::from_calendar_date(y, m, d).ok()
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// Data lines of a generated table (comment lines start with `#`).
fn data_lines(tsv: &'static str) -> impl Iterator<Item = &'static str> {
    tsv.lines().filter(|l| !l.is_empty() && !l.starts_with('#'))
}

struct Table<T> {
    rows: Vec<T>,
    /// `starts[slot(code)]..starts[slot(code) + 1]` are the rows of a code:
    /// a direct index over all 26,000 possible codes, one lookup per decode.
    starts: Vec<u32>,
    /// Search aliases of each row (`|`-separated), for the name index.
    aliases: Vec<&'static str>,
}

/// `search_key` of names and aliases → row indexes. Built apart from the
/// table so that decoding never pays for it.
fn index_names<T>(table: &Table<T>, name: fn(&T) -> &'static str) -> NameIndex {
    let mut map = NameIndex::new();
    let names = table
        .rows
        .iter()
        .zip(&table.aliases)
        .enumerate()
        .flat_map(|(i, (row, aliases))| names_of(name(row), aliases).map(move |n| (i, n)));
    for (i, name) in names {
        let key = search_key(name);
        if key.is_empty() {
            continue;
        }
        let rows = map.entry(key).or_default();
        if rows.last() != Some(&i) {
            rows.push(i);
        }
    }
    map
}

fn names_of(name: &'static str, aliases: &'static str) -> impl Iterator<Item = &'static str> {
    std::iter::once(name).chain(aliases.split('|').filter(|a| !a.is_empty()))
}

// Columns: belfiore, valid_from, valid_to, province, istat, region, name, aliases.
fn parse_comune(line: &'static str) -> Option<(Comune, &'static str)> {
    let mut f = line.split('\t');
    let belfiore = BelfioreCode::new(f.next()?)?;
    let valid_from = parse_date(f.next()?)?;
    let valid_to = match f.next()? {
        "" => None,
        s => Some(parse_date(s)?),
    };
    let province = opt(f.next()?);
    let istat = opt(f.next()?);
    let region = opt(f.next()?);
    let name = f.next()?;
    let aliases = f.next()?;
    let comune = Comune {
        istat,
        belfiore,
        name,
        province,
        region,
        valid_from,
        valid_to,
    };
    Some((comune, aliases))
}

// Columns: code, valid_from, valid_to, name, aliases.
fn parse_state(line: &'static str) -> Option<(ForeignState, &'static str)> {
    let mut f = line.split('\t');
    let code = BelfioreCode::new(f.next()?)?;
    let valid_from = parse_date(f.next()?)?;
    let valid_to = match f.next()? {
        "" => None,
        s => Some(parse_date(s)?),
    };
    let name = f.next()?;
    let aliases = f.next()?;
    Some((
        ForeignState {
            code,
            name,
            valid_from,
            valid_to,
        },
        aliases,
    ))
}

fn build<T>(
    tsv: &'static str,
    parse: fn(&'static str) -> Option<(T, &'static str)>,
    code: fn(&T) -> BelfioreCode,
) -> Table<T> {
    // The generator writes rows sorted by code then start date; lookups rely on it.
    let (rows, aliases): (Vec<T>, Vec<&'static str>) = data_lines(tsv).filter_map(parse).unzip();
    let mut starts = vec![0u32; CODE_SLOTS + 1];
    for r in &rows {
        if let Some(n) = starts.get_mut(code(r).slot() + 1) {
            *n += 1;
        }
    }
    // Counts to prefix sums.
    let mut total = 0;
    for n in &mut starts {
        total += *n;
        *n = total;
    }
    Table {
        rows,
        starts,
        aliases,
    }
}

type NameIndex = HashMap<String, Vec<usize>>;

static COMUNI: LazyLock<Table<Comune>> =
    LazyLock::new(|| build(COMUNI_TSV, parse_comune, |c| c.belfiore));
static STATES: LazyLock<Table<ForeignState>> =
    LazyLock::new(|| build(STATES_TSV, parse_state, |s| s.code));
static COMUNI_BY_NAME: LazyLock<NameIndex> = LazyLock::new(|| index_names(&COMUNI, |c| c.name));
static STATES_BY_NAME: LazyLock<NameIndex> = LazyLock::new(|| index_names(&STATES, |s| s.name));
static BY_ISTAT: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    let rows = &COMUNI.rows;
    rows.iter()
        .enumerate()
        .filter_map(|(i, c)| Some((c.istat?, i)))
        .collect()
});

/// All comuni rows (every period of every Belfiore code), sorted by code and
/// start date.
pub fn comuni() -> &'static [Comune] {
    &COMUNI.rows
}

/// All foreign states, sorted by code and start date.
pub fn foreign_states() -> &'static [ForeignState] {
    &STATES.rows
}

/// The comune with this ISTAT code (6 digits, e.g. `"054001"`).
pub fn comune_by_istat(istat: &str) -> Option<Comune> {
    let i = *BY_ISTAT.get(istat.trim())?;
    COMUNI.rows.get(i).copied()
}

/// Every period recorded for a Belfiore code, oldest first.
pub fn comune_history(code: BelfioreCode) -> &'static [Comune] {
    slice_for(&COMUNI, code)
}

/// Every period recorded for a foreign state's `Z` code, oldest first.
pub fn foreign_state_history(code: BelfioreCode) -> &'static [ForeignState] {
    slice_for(&STATES, code)
}

fn slice_for<T>(table: &Table<T>, code: BelfioreCode) -> &[T] {
    let slot = code.slot();
    match (table.starts.get(slot), table.starts.get(slot + 1)) {
        (Some(&a), Some(&b)) => table.rows.get(a as usize..b as usize).unwrap_or(&[]),
        _ => &[],
    }
}

/// The comune that had this Belfiore code on `date`, historical codes
/// included.
pub fn comune_by_belfiore(code: BelfioreCode, date: Date) -> Option<Comune> {
    comune_history(code)
        .iter()
        .find(|c| valid_on(c.valid_from, c.valid_to, date))
        .copied()
}

/// The foreign state with this `Z` code on `date`.
pub fn foreign_state_by_code(code: BelfioreCode, date: Date) -> Option<ForeignState> {
    slice_for(&STATES, code)
        .iter()
        .find(|s| valid_on(s.valid_from, s.valid_to, date))
        .copied()
}

/// Resolves a Belfiore code as a birthplace: the comune or state valid on
/// `date`, else the closest period of the same code (flagged), else `None`.
pub fn birthplace_by_code(code: BelfioreCode, date: Date) -> Option<BirthplaceMatch> {
    fn pick<T: Copy>(
        rows: &[T],
        period: fn(&T) -> (Date, Option<Date>),
        date: Date,
    ) -> Option<(T, bool)> {
        if let Some(r) = rows.iter().find(|r| {
            let (from, to) = period(r);
            valid_on(from, to, date)
        }) {
            return Some((*r, true));
        }
        rows.iter()
            .min_by_key(|r| {
                let (from, to) = period(r);
                distance(from, to, date)
            })
            .map(|r| (*r, false))
    }
    let (place, valid_on_date) = if code.is_foreign() {
        let rows = slice_for(&STATES, code);
        let (s, ok) = pick(rows, |s| (s.valid_from, s.valid_to), date)?;
        (Birthplace::ForeignState(s), ok)
    } else {
        let (c, ok) = pick(comune_history(code), |c| (c.valid_from, c.valid_to), date)?;
        (Birthplace::Comune(c), ok)
    };
    Some(BirthplaceMatch {
        place,
        valid_on_date,
    })
}

fn rows_by_name<T: Copy>(table: &Table<T>, index: &NameIndex, name: &str) -> Vec<T> {
    index
        .get(&search_key(name))
        .into_iter()
        .flatten()
        .filter_map(|&i| table.rows.get(i).copied())
        .collect()
}

/// Comuni whose name (or alternative-language name) matches, accent-,
/// case- and punctuation-insensitively; every period, oldest code first.
pub fn comuni_by_name(name: &str) -> Vec<Comune> {
    rows_by_name(&COMUNI, &COMUNI_BY_NAME, name)
}

/// The comuni in force (with an ISTAT code and no end), by their name's search key, in
/// order: the suggestions as a name is typed.
static IN_FORCE_BY_KEY: LazyLock<Vec<(String, usize)>> = LazyLock::new(|| {
    let mut keys: Vec<(String, usize)> = COMUNI
        .rows
        .iter()
        .enumerate()
        .filter(|(_, c)| c.istat.is_some() && c.valid_to.is_none())
        .map(|(i, c)| (search_key(c.name), i))
        .collect();
    keys.sort();
    keys
});

/// Up to `limit` comuni in force whose name begins with `prefix` (accent-, case- and
/// punctuation-insensitively), in alphabetical order; none for a prefix without letters.
pub fn comuni_in_force_starting(prefix: &str, limit: usize) -> Vec<Comune> {
    let key = search_key(prefix);
    if key.is_empty() {
        return Vec::new();
    }
    let keys = &*IN_FORCE_BY_KEY;
    let start = keys.partition_point(|(k, _)| k.as_str() < key.as_str());
    keys.iter()
        .skip(start)
        .take_while(|(k, _)| k.starts_with(&key))
        .take(limit)
        .filter_map(|&(_, i)| COMUNI.rows.get(i).copied())
        .collect()
}

/// Foreign states whose Italian or English name matches.
pub fn foreign_states_by_name(name: &str) -> Vec<ForeignState> {
    rows_by_name(&STATES, &STATES_BY_NAME, name)
}

/// Comuni and foreign states with this name, every period.
pub fn birthplaces_by_name(name: &str) -> Vec<Birthplace> {
    let comuni = comuni_by_name(name).into_iter().map(Birthplace::Comune);
    let states = foreign_states_by_name(name)
        .into_iter()
        .map(Birthplace::ForeignState);
    comuni.chain(states).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn code(s: &str) -> BelfioreCode {
        BelfioreCode::new(s).expect("valid code")
    }

    #[test]
    fn comuni_in_force_are_suggested_by_the_start_of_their_name() {
        let names: Vec<&str> = comuni_in_force_starting("BERGA", 10)
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["Bergamasco", "Bergamo", "Bergantino"]);
        // The whole name first: nothing else sorts before it.
        assert_eq!(comuni_in_force_starting("bergamo", 10)[0].name, "Bergamo");
        assert!(names.is_sorted_by_key(|n| search_key(n)));
        assert!(
            comuni_in_force_starting("forli", 5)
                .iter()
                .any(|c| c.name == "Forlì")
        );
        assert_eq!(comuni_in_force_starting("a", 3).len(), 3);
        assert!(comuni_in_force_starting("' -", 10).is_empty());
        assert!(comuni_in_force_starting("zzzz", 10).is_empty());
        assert!(
            comuni_in_force_starting("", 10).is_empty(),
            "nothing typed, nothing suggested"
        );
    }

    #[test]
    fn every_generated_line_parses() {
        assert_eq!(comuni().len(), data_lines(COMUNI_TSV).count());
        assert_eq!(foreign_states().len(), data_lines(STATES_TSV).count());
        assert!(comuni().len() > 19_000);
        assert!(foreign_states().len() > 200);
        assert!(comuni().is_sorted_by_key(|c| (c.belfiore, c.valid_from)));
        assert!(foreign_states().is_sorted_by_key(|s| (s.code, s.valid_from)));
    }

    #[test]
    fn belfiore_code_format() {
        assert_eq!(code(" a562 ").as_str(), "A562");
        assert!(BelfioreCode::new("A56").is_none());
        assert!(BelfioreCode::new("AA62").is_none());
        assert!(BelfioreCode::new("À562").is_none());
        assert!(code("Z404").is_foreign());
    }

    #[test]
    fn istat_lookup() {
        let assisi = comune_by_istat("054001").expect("Assisi");
        assert_eq!(assisi.name, "Assisi");
        assert_eq!(assisi.belfiore, code("A475"));
        assert_eq!(assisi.province, Some("PG"));
        assert_eq!(assisi.region, Some("Umbria"));
        assert_eq!(assisi.valid_to, None);
        assert!(comune_by_istat("999999").is_none());
    }

    #[test]
    fn belfiore_lookup_follows_history() {
        // A001 was "Abano" until 1924-11-13, "Abano Terme" from the next day.
        let before = comune_by_belfiore(code("A001"), date!(1924 - 11 - 13)).expect("Abano");
        assert_eq!(before.name, "Abano");
        assert_eq!(before.istat, None);
        let after = comune_by_belfiore(code("A001"), date!(1924 - 11 - 14)).expect("Abano Terme");
        assert_eq!(after.name, "Abano Terme");
        assert_eq!(after.istat, Some("028001"));
        // Monteciccardo (F474) was in province PS, then PU, and merged into
        // Pesaro on 2020-07-01: after that no row is valid.
        let m = code("F474");
        assert_eq!(
            comune_by_belfiore(m, date!(1990 - 01 - 01)).and_then(|c| c.province),
            Some("PS")
        );
        assert_eq!(
            comune_by_belfiore(m, date!(2010 - 01 - 01)).and_then(|c| c.province),
            Some("PU")
        );
        assert!(comune_by_belfiore(m, date!(2021 - 01 - 01)).is_none());
        let closest = birthplace_by_code(m, date!(2021 - 01 - 01)).expect("closest");
        assert!(!closest.valid_on_date);
        assert_eq!(closest.place.province(), Some("PU"));
    }

    #[test]
    fn foreign_states_by_code_and_date() {
        let usa = foreign_state_by_code(code("Z404"), date!(1980 - 01 - 01)).expect("USA");
        assert_eq!(usa.name, "Stati Uniti D'America");
        // Tanganica existed 1916-01-01..=1964-04-25.
        let t = code("Z350");
        assert!(foreign_state_by_code(t, date!(1950 - 06 - 01)).is_some());
        assert!(foreign_state_by_code(t, date!(1970 - 06 - 01)).is_none());
        assert!(foreign_state_by_code(code("Z999"), date!(1970 - 06 - 01)).is_none());
    }

    #[test]
    fn birthplaces_serialize_with_iso_dates() {
        let assisi = Birthplace::Comune(comune_by_istat("054001").expect("Assisi"));
        assert_eq!(
            serde_json::to_string(&assisi).expect("serializes"),
            r#"{"type":"comune","istat":"054001","belfiore":"A475","name":"Assisi","province":"PG","region":"Umbria","valid_from":"1929-02-21","valid_to":null}"#
        );
        let t = foreign_state_by_code(code("Z350"), date!(1950 - 01 - 01)).expect("Tanganica");
        assert_eq!(
            serde_json::to_string(&Birthplace::ForeignState(t)).expect("serializes"),
            r#"{"type":"foreign_state","code":"Z350","name":"Tanganica","valid_from":"1916-01-01","valid_to":"1964-04-25"}"#
        );
    }

    #[test]
    fn name_search_is_accent_and_case_insensitive() {
        let forli: Vec<_> = comuni_by_name("FORLI'")
            .iter()
            .map(|c| c.belfiore)
            .collect();
        assert!(forli.contains(&code("D704")));
        // German alternative names are indexed too.
        assert!(
            comuni_by_name("bozen")
                .iter()
                .any(|c| c.belfiore == code("A952"))
        );
        assert!(
            foreign_states_by_name("germany")
                .iter()
                .any(|s| s.code == code("Z112"))
        );
        assert!(
            foreign_states_by_name("Germania")
                .iter()
                .any(|s| s.code == code("Z112"))
        );
        assert!(comuni_by_name("Nowhere-on-Sea").is_empty());
    }
}
