//! A synthetic, deterministic resident population for demonstrations and
//! benchmarks of the Anagrafe sociale, in the format of the civil-registry
//! import file.
//!
//! - [`generate`]: the residents of one or more comuni on a reference date,
//!   household by household, as an iterator (a million rows never sit in
//!   memory together).
//! - [`generate_next_month`]: the same population one month later, with a
//!   few births, deaths, moves out and in, address changes and marriages,
//!   for the incremental import.
//! - [`write_csv`]: the import file (`;`-separated, header [`CSV_HEADER`]).
//!
//! The same arguments always give the same rows: the generator uses its own
//! seeded SplitMix64, and each household draws from a stream derived from
//! the seed and its position, so no library upgrade can change a file.
//!
//! Shape (ISTAT orders of magnitude): households of one person 36%, two
//! 27%, three 18%, four 14%, five or more 5%; about 9% foreign citizens,
//! mostly born abroad (their children born here keep the parents'
//! citizenship); Italians born in the comune, in its province or elsewhere
//! in Italy on a comune that existed on their birth date; a few Italians
//! born abroad; about 0.3% omocodie, and a code that would repeat another
//! person's takes its first free omocodia variant, so that no two rows share
//! a code. Everyone is alive on the reference date.
//!
//! ```
//! use territory::demo;
//! use time::macros::date;
//!
//! let people: Vec<_> = demo::generate(10, 1, &["016024"], date!(2026 - 11 - 26))?.collect();
//! assert_eq!(people.len(), 10);
//! let mut file = Vec::new();
//! demo::write_csv(&mut file, people.into_iter(), |_| {})?;
//! assert!(file.starts_with(b"id_anpr;codice_fiscale;cognome;nome;"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod names;

use std::collections::{HashSet, VecDeque};
use std::io::Write;

use thiserror::Error;
use time::{Date, Duration, Month};

use crate::{
    BelfioreCode, CodiceFiscale, Comune, Sex, comune_by_belfiore, comune_by_istat, comuni,
    foreign_state_by_code,
};
use names::Nationality;

/// The header row of the import file, in this order: the format's one column list
/// (`domain::registry::COLUMNS` reads it).
pub const CSV_HEADER: [&str; 14] = [
    "id_anpr",
    "codice_fiscale",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "cittadinanza",
    "stato_civile",
    "data_decesso",
    "indirizzo",
    "data_decorrenza_residenza",
    "id_famiglia",
    "rapporto_parentela",
];

/// ANPR codes of the civil status used here.
pub mod civil_status {
    pub const SINGLE: u8 = 1;
    pub const MARRIED: u8 = 2;
    pub const WIDOWED: u8 = 3;
    pub const DIVORCED: u8 = 4;
    pub const CIVIL_UNION: u8 = 6;
    pub const FREE_AFTER_PARTNER_DEATH: u8 = 7;
}

/// ANPR codes of the relationship to the head of the household used here.
pub mod relationship {
    pub const HEAD: u8 = 1;
    pub const SPOUSE: u8 = 2;
    pub const CHILD: u8 = 3;
    pub const GRANDCHILD: u8 = 4;
    pub const PARENT: u8 = 6;
    pub const SIBLING: u8 = 9;
    pub const OTHER_RELATIVE: u8 = 13;
    pub const SON_OR_DAUGHTER_IN_LAW: u8 = 16;
    pub const PARENT_IN_LAW: u8 = 17;
    pub const CIVIL_PARTNER: u8 = 28;
    pub const DE_FACTO_PARTNER: u8 = 29;
}

use civil_status as cs;
use relationship as rel;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DemoError {
    #[error("codice ISTAT sconosciuto: «{0}»")]
    UnknownComune(String),
    #[error("indicare almeno un comune")]
    NoComune,
}

/// Citizenship as written in the import file: `IT`, `APOLIDE` or a `Z` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Citizenship {
    Italian,
    Stateless,
    Foreign(BelfioreCode),
}

impl Citizenship {
    pub fn code(&self) -> &str {
        match self {
            Self::Italian => "IT",
            Self::Stateless => "APOLIDE",
            Self::Foreign(code) => code.as_str(),
        }
    }
}

/// One row of the import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    /// The registry's id of the person: 9 digits, unique in a population.
    pub id_anpr: u32,
    pub codice_fiscale: CodiceFiscale,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub birth_date: Date,
    /// Belfiore code of the comune or `Z` code of the state of birth.
    pub birthplace: BelfioreCode,
    pub citizenship: Citizenship,
    /// ANPR code, see [`civil_status`].
    pub civil_status: u8,
    pub death_date: Option<Date>,
    /// ISTAT code of the comune of residence (not a column of the file,
    /// which holds one comune).
    pub comune_istat: &'static str,
    /// Street and number, e.g. "Via Roma 12".
    pub address: String,
    pub residence_since: Date,
    /// Registry household id: 9 digits, shared by the household.
    pub household_id: u32,
    /// ANPR code, see [`relationship`].
    pub relationship: u8,
}

impl Resident {
    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i32 {
        years_between(self.birth_date, on)
    }
}

/// What [`generate_next_month`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeSummary {
    pub births: usize,
    pub deaths: usize,
    /// Persons whose rows were dropped (whole households or a grown-up child).
    pub moved_out: usize,
    /// Persons of the households that arrived.
    pub moved_in: usize,
    /// Households that changed address within the comune.
    pub address_changes: usize,
    /// De-facto couples that married.
    pub marriages: usize,
}

/// The residents of `comuni_istat` (ISTAT codes; households spread evenly
/// among them) on `reference`: exactly `persons` rows, household by
/// household, the same for the same arguments.
pub fn generate(
    persons: usize,
    seed: u64,
    comuni_istat: &[&str],
    reference: Date,
) -> Result<Population, DemoError> {
    Ok(Population {
        ctx: Context::new(seed, comuni_istat, reference)?,
        persons,
        emitted: 0,
        households: 0,
        buffer: VecDeque::new(),
        issued: HashSet::new(),
    })
}

/// The population of [`generate`] with the same arguments, one month later
/// (on [`next_month`]`(reference)`): the same households in the same order,
/// with births (new rows), deaths (`data_decesso` set, the surviving spouse
/// widowed), moves out (rows dropped), address changes, marriages of
/// de-facto couples, and the households that moved in at the end. Every
/// event falls after `reference` and not after the new date.
pub fn generate_next_month(
    persons: usize,
    seed: u64,
    comuni_istat: &[&str],
    reference: Date,
) -> Result<NextMonth, DemoError> {
    let base = generate(persons, seed, comuni_istat, reference)?;
    let start = reference.next_day().unwrap_or(reference);
    let end = next_month(reference);
    let mut rng = Rng::derive(seed, STREAM_CHANGES, 0);
    // Monthly rates a little above the national ones (births ~6‰ a year,
    // deaths ~11‰, moves ~3%), so that a demo of 2,000 persons shows some.
    let per = |rate: f64| ((persons as f64 * rate).ceil() as usize).max(1);
    let counts = [
        per(0.0009), // deaths
        per(0.0007), // births
        per(0.0004), // marriages
        per(0.0012), // moves out
        per(0.0020), // address changes
    ];
    // Fewer households than there will be (average size ~2.3), so that
    // every target is reached.
    let est_households = (persons * 10 / 25).max(1);
    let targets = counts.map(|n| {
        let mut t: Vec<usize> = (0..n).map(|_| rng.below(est_households)).collect();
        t.sort_unstable_by(|a, b| b.cmp(a));
        t
    });
    Ok(NextMonth {
        base,
        start,
        end,
        rng,
        targets,
        pending: [0; EVENT_KINDS],
        moved_in_households: per(0.0012),
        next_person: persons as u64,
        household_index: 0,
        buffer: VecDeque::new(),
        summary: ChangeSummary::default(),
        done: false,
    })
}

/// The same day one month later (the last day of the month when it has
/// fewer days).
pub fn next_month(d: Date) -> Date {
    let (year, month) = match d.month() {
        Month::December => (d.year() + 1, Month::January),
        m => (d.year(), m.next()),
    };
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

/// Writes the import file: header, then one row per resident. `progress`
/// is called every 10,000 rows and at the end with the number written.
pub fn write_csv<W: Write>(
    out: W,
    residents: impl Iterator<Item = Resident>,
    mut progress: impl FnMut(u64),
) -> Result<u64, csv::Error> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record(CSV_HEADER)?;
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    for r in residents {
        fill_record(&mut record, &r);
        w.write_byte_record(&record)?;
        n += 1;
        if n.is_multiple_of(10_000) {
            progress(n);
        }
    }
    w.flush()?;
    progress(n);
    Ok(n)
}

fn fill_record(record: &mut csv::ByteRecord, r: &Resident) {
    record.clear();
    record.push_field(&digits9(r.id_anpr));
    record.push_field(r.codice_fiscale.as_str().as_bytes());
    record.push_field(r.surname.as_bytes());
    record.push_field(r.given_names.as_bytes());
    record.push_field(match r.sex {
        Sex::M => b"M",
        Sex::F => b"F",
    });
    record.push_field(&iso_date(r.birth_date));
    record.push_field(r.birthplace.as_str().as_bytes());
    record.push_field(r.citizenship.code().as_bytes());
    record.push_field(&small_number(r.civil_status));
    match r.death_date {
        Some(d) => record.push_field(&iso_date(d)),
        None => record.push_field(b""),
    }
    record.push_field(r.address.as_bytes());
    record.push_field(&iso_date(r.residence_since));
    record.push_field(&digits9(r.household_id));
    record.push_field(&small_number(r.relationship));
}

fn iso_date(d: Date) -> [u8; 10] {
    let y = d.year().clamp(0, 9999) as u32;
    let (m, day) = (u8::from(d.month()), d.day());
    let digit = |v: u32| b'0' + (v % 10) as u8;
    [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(u32::from(m) / 10),
        digit(u32::from(m)),
        b'-',
        digit(u32::from(day) / 10),
        digit(u32::from(day)),
    ]
}

fn digits9(mut v: u32) -> [u8; 9] {
    let mut out = [b'0'; 9];
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out
}

fn small_number(v: u8) -> Vec<u8> {
    v.to_string().into_bytes()
}

fn years_between(from: Date, to: Date) -> i32 {
    let mut years = to.year() - from.year();
    if (u8::from(to.month()), to.day()) < (u8::from(from.month()), from.day()) {
        years -= 1;
    }
    years
}

// ---------------------------------------------------------------------------
// Random numbers

/// SplitMix64: small, fast, and fixed here forever.
#[derive(Debug, Clone)]
struct Rng(u64);

const STREAM_HOUSEHOLD: u64 = 1;
const STREAM_CHANGES: u64 = 2;
const STREAM_MOVE_IN: u64 = 3;
const STREAM_IDS: u64 = 4;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// An independent stream for (seed, purpose, index).
    fn derive(seed: u64, stream: u64, index: u64) -> Self {
        Rng(mix(
            mix(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)) ^ index
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as usize) as i64
        }
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Earlier items more often (density falling linearly to 0): for lists
    /// ordered by frequency.
    fn skewed<T: Copy>(&mut self, items: &[T]) -> T {
        let (a, b) = (self.below(items.len()), self.below(items.len()));
        items[a.min(b)]
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    fn sex(&mut self, p_female: f64) -> Sex {
        if self.chance(p_female) {
            Sex::F
        } else {
            Sex::M
        }
    }

    fn date_in(&mut self, from: Date, to: Date) -> Date {
        let days = (to - from).whole_days();
        from.checked_add(Duration::days(self.between(0, days)))
            .unwrap_or(from)
    }
}

// ---------------------------------------------------------------------------
// Generation context

/// A comune of residence and what is drawn for it.
struct Residence {
    istat: &'static str,
    belfiore: BelfioreCode,
    /// Comuni (every period) of the same province, for births nearby.
    province: Vec<Comune>,
}

struct Context {
    seed: u64,
    reference: Date,
    residences: Vec<Residence>,
    nationalities: Vec<(BelfioreCode, &'static Nationality)>,
    nationality_weights: Vec<u32>,
    italians_abroad: Vec<BelfioreCode>,
    big_cities: Vec<BelfioreCode>,
    id_offset: u64,
    household_offset: u64,
}

/// Household sizes 1..=7 per thousand households (ISTAT: 36%, 27%, 18%,
/// 14%, 5% five or more).
const SIZE_WEIGHTS: [u32; 7] = [360, 270, 180, 140, 35, 11, 4];
/// Share of households of foreign citizens.
const FOREIGN_HOUSEHOLDS: f64 = 0.085;
/// Share of persons with an omocodia code.
const OMOCODIA: f64 = 0.003;
const ID_SPACE: u64 = 900_000_000;
/// Multipliers prime to `ID_SPACE` (2⁸·3²·5⁸): index → id is a bijection.
const PERSON_MULT: u64 = 556_231_679;
const HOUSEHOLD_MULT: u64 = 347_743_349;

/// A member before names, places and codes are drawn.
struct Member {
    rel: u8,
    sex: Sex,
    age: i64,
    civil: u8,
    surname: String,
    /// The member's own nationality when it differs from the household's
    /// (a foreign spouse in an Italian household).
    foreign_spouse: Option<(BelfioreCode, &'static Nationality, bool)>,
}

/// Names of one household: its nationality (none for Italians).
#[derive(Clone, Copy)]
struct Origin(Option<(BelfioreCode, &'static Nationality)>);

impl Origin {
    fn surname(&self, rng: &mut Rng) -> String {
        match self.0 {
            Some((_, n)) => rng.pick(n.surnames).to_owned(),
            None => italian_surname(rng),
        }
    }
}

fn italian_surname(rng: &mut Rng) -> String {
    let first = rng.skewed(names::ITALIAN_SURNAMES);
    if rng.chance(0.015) {
        let second = rng.skewed(names::ITALIAN_SURNAMES);
        if second != first {
            return format!("{first} {second}");
        }
    }
    first.to_owned()
}

fn italian_given_name(rng: &mut Rng, sex: Sex, birth_year: i32) -> &'static str {
    let old = match birth_year {
        ..1962 => true,
        1979.. => false,
        _ => rng.chance(0.5),
    };
    let list = match (sex, old) {
        (Sex::M, true) => names::MALE_OLD,
        (Sex::M, false) => names::MALE_NEW,
        (Sex::F, true) => names::FEMALE_OLD,
        (Sex::F, false) => names::FEMALE_NEW,
    };
    rng.skewed(list)
}

impl Context {
    fn new(seed: u64, comuni_istat: &[&str], reference: Date) -> Result<Self, DemoError> {
        if comuni_istat.is_empty() {
            return Err(DemoError::NoComune);
        }
        let mut residences = Vec::new();
        for istat in comuni_istat {
            let c = comune_by_istat(istat)
                .ok_or_else(|| DemoError::UnknownComune((*istat).to_owned()))?;
            let istat = c.istat.unwrap_or("");
            let province = match c.province {
                Some(p) => comuni()
                    .iter()
                    .filter(|o| o.province == Some(p) && o.belfiore != c.belfiore)
                    .copied()
                    .collect(),
                None => Vec::new(),
            };
            residences.push(Residence {
                istat,
                belfiore: c.belfiore,
                province,
            });
        }
        let nationalities: Vec<(BelfioreCode, &'static Nationality)> = names::NATIONALITIES
            .iter()
            .filter_map(|n| Some((BelfioreCode::new(n.code)?, n)))
            .collect();
        let nationality_weights = nationalities.iter().map(|(_, n)| n.weight).collect();
        let codes = |list: &[&str]| -> Vec<BelfioreCode> {
            list.iter().filter_map(|c| BelfioreCode::new(c)).collect()
        };
        let mut ids = Rng::derive(seed, STREAM_IDS, 0);
        Ok(Self {
            seed,
            reference,
            residences,
            nationalities,
            nationality_weights,
            italians_abroad: codes(names::ITALIANS_ABROAD),
            big_cities: codes(names::BIG_CITIES),
            id_offset: ids.next_u64() % ID_SPACE,
            household_offset: ids.next_u64() % ID_SPACE,
        })
    }

    fn person_id(&self, index: u64) -> u32 {
        let v = ((index % ID_SPACE) * PERSON_MULT + self.id_offset) % ID_SPACE;
        (100_000_000 + v) as u32
    }

    fn household_id(&self, index: u64) -> u32 {
        let v = ((index % ID_SPACE) * HOUSEHOLD_MULT + self.household_offset) % ID_SPACE;
        (100_000_000 + v) as u32
    }

    fn residence_of(&self, istat: &str) -> Option<&Residence> {
        self.residences.iter().find(|r| r.istat == istat)
    }

    fn birth_for_age(&self, rng: &mut Rng, age: i64) -> Date {
        let days = age * 365 + age / 4 + rng.between(0, 364);
        self.reference
            .checked_sub(Duration::days(days))
            .unwrap_or(self.reference)
    }

    fn nationality(&self, rng: &mut Rng) -> Option<(BelfioreCode, &'static Nationality)> {
        if self.nationalities.is_empty() {
            return None;
        }
        self.nationalities
            .get(rng.weighted(&self.nationality_weights))
            .copied()
    }

    fn address(rng: &mut Rng) -> String {
        let street = rng.skewed(names::STREETS);
        let number = 1 + rng.below(150).min(rng.below(150));
        match rng.below(100) {
            0..=2 => format!("{street} {number}/A"),
            3 => format!("{street} {number}/B"),
            _ => format!("{street} {number}"),
        }
    }

    /// One household: composition, then names, places and codes.
    /// `arrival`: a window for the date of residence (households moving in).
    fn household(
        &self,
        rng: &mut Rng,
        household_index: u64,
        first_person: u64,
        arrival: Option<(Date, Date)>,
    ) -> Vec<Resident> {
        let residence = &self.residences[rng.below(self.residences.len())];
        let foreign = rng.chance(FOREIGN_HOUSEHOLDS);
        let origin = Origin(if foreign { self.nationality(rng) } else { None });
        let stateless = origin.0.is_some() && rng.chance(0.01);
        let size = 1 + rng.weighted(&SIZE_WEIGHTS);
        let mut members = self.compose(rng, size, origin);
        // A foreign spouse in some Italian couples.
        if origin.0.is_none()
            && let Some(m) = members
                .iter_mut()
                .find(|m| m.rel == rel::SPOUSE && m.sex == Sex::F)
            && m.age < 70
            && rng.chance(0.05)
            && let Some((code, nat)) = self.nationality(rng)
        {
            m.surname = rng.pick(nat.surnames).to_owned();
            m.foreign_spouse = Some((code, nat, rng.chance(0.5)));
        }
        let births: Vec<Date> = members
            .iter()
            .map(|m| self.birth_for_age(rng, m.age))
            .collect();
        let oldest = births.iter().min().copied().unwrap_or(self.reference);
        let since = match arrival {
            Some((from, to)) => rng.date_in(from, to),
            None => {
                // Moved in at 18 or later, within the last 45 years (22 for
                // foreigners), at least a month ago.
                let adult_since = oldest
                    .checked_add(Duration::days(18 * 365 + 5))
                    .unwrap_or(oldest);
                let years = if foreign { 22 } else { 45 };
                let earliest = self
                    .reference
                    .checked_sub(Duration::days(years * 365))
                    .unwrap_or(self.reference)
                    .max(adult_since);
                let latest = self
                    .reference
                    .checked_sub(Duration::days(30))
                    .unwrap_or(self.reference);
                rng.date_in(earliest.min(latest), latest)
            }
        };
        let address = Self::address(rng);
        let household_id = self.household_id(household_index);
        let mut out = Vec::with_capacity(members.len());
        for (m, birth) in members.into_iter().zip(births) {
            let born_here_after_arrival = birth >= since;
            let (birthplace, citizenship, nat) = match (origin.0, m.foreign_spouse) {
                (_, Some((code, nat, naturalized))) => (
                    self.foreign_birthplace(rng, code, residence, birth),
                    if naturalized {
                        Citizenship::Italian
                    } else {
                        Citizenship::Foreign(code)
                    },
                    Some(nat),
                ),
                (Some((code, nat)), None) => (
                    if born_here_after_arrival {
                        self.local_birthplace(rng, residence, birth)
                    } else {
                        self.foreign_birthplace(rng, code, residence, birth)
                    },
                    if stateless {
                        Citizenship::Stateless
                    } else {
                        Citizenship::Foreign(code)
                    },
                    Some(nat),
                ),
                (None, None) => (
                    self.italian_birthplace(rng, residence, birth, m.age),
                    Citizenship::Italian,
                    None,
                ),
            };
            let given_names = match nat {
                // Some children born here get an Italian name.
                Some(_) if born_here_after_arrival && rng.chance(0.3) => {
                    italian_given_name(rng, m.sex, birth.year())
                }
                Some(n) => rng.pick(if m.sex == Sex::F { n.female } else { n.male }),
                None => italian_given_name(rng, m.sex, birth.year()),
            };
            let Ok(base) = CodiceFiscale::encode(&m.surname, given_names, m.sex, birth, birthplace)
            else {
                continue;
            };
            let codice_fiscale = if rng.chance(OMOCODIA) {
                base.omocodes().get(rng.below(7)).copied().unwrap_or(base)
            } else {
                base
            };
            out.push(Resident {
                id_anpr: self.person_id(first_person + out.len() as u64),
                codice_fiscale,
                surname: m.surname,
                given_names: given_names.to_owned(),
                sex: m.sex,
                birth_date: birth,
                birthplace,
                citizenship,
                civil_status: m.civil,
                death_date: None,
                comune_istat: residence.istat,
                address: address.clone(),
                residence_since: since.max(birth),
                household_id,
                relationship: m.rel,
            });
        }
        out
    }

    /// The comune of residence if its code existed on `birth`, else a
    /// comune of its province.
    fn local_birthplace(&self, rng: &mut Rng, r: &Residence, birth: Date) -> BelfioreCode {
        if comune_by_belfiore(r.belfiore, birth).is_some() {
            r.belfiore
        } else {
            self.province_birthplace(rng, r, birth)
        }
    }

    fn province_birthplace(&self, rng: &mut Rng, r: &Residence, birth: Date) -> BelfioreCode {
        for _ in 0..30 {
            let Some(c) = r.province.get(rng.below(r.province.len())) else {
                break;
            };
            if valid_on(c, birth) {
                return c.belfiore;
            }
        }
        self.italy_birthplace(rng, birth)
    }

    /// Anywhere in Italy: a large city or any comune existing on `birth`.
    fn italy_birthplace(&self, rng: &mut Rng, birth: Date) -> BelfioreCode {
        if rng.chance(0.45) {
            let city = rng.pick(&self.big_cities);
            if comune_by_belfiore(city, birth).is_some() {
                return city;
            }
        }
        let all = comuni();
        for _ in 0..60 {
            if let Some(c) = all.get(rng.below(all.len()))
                && valid_on(c, birth)
            {
                return c.belfiore;
            }
        }
        // Rome has had H501 throughout.
        BelfioreCode::new("H501").unwrap_or(self.residences[0].belfiore)
    }

    fn italian_birthplace(
        &self,
        rng: &mut Rng,
        r: &Residence,
        birth: Date,
        age: i64,
    ) -> BelfioreCode {
        let x = rng.unit();
        if age < 18 {
            return if x < 0.85 {
                self.local_birthplace(rng, r, birth)
            } else {
                self.province_birthplace(rng, r, birth)
            };
        }
        if x < 0.45 {
            self.local_birthplace(rng, r, birth)
        } else if x < 0.70 {
            self.province_birthplace(rng, r, birth)
        } else if x < 0.73 && birth.year() < 1985 {
            let state = rng.pick(&self.italians_abroad);
            self.foreign_birthplace(rng, state, r, birth)
        } else {
            self.italy_birthplace(rng, birth)
        }
    }

    /// The state's code if it existed on `birth`, else (never with the
    /// current tables) the comune of residence.
    fn foreign_birthplace(
        &self,
        rng: &mut Rng,
        state: BelfioreCode,
        r: &Residence,
        birth: Date,
    ) -> BelfioreCode {
        if foreign_state_by_code(state, birth).is_some() {
            state
        } else {
            self.local_birthplace(rng, r, birth)
        }
    }

    // -- composition --------------------------------------------------------

    fn compose(&self, rng: &mut Rng, size: usize, origin: Origin) -> Vec<Member> {
        let foreign = origin.0.is_some();
        let x = rng.unit();
        match size {
            1 => vec![self.alone(rng, origin)],
            2 if x < 0.55 => {
                // A couple without children at home: many are elderly.
                let woman = if foreign {
                    rng.between(21, 55)
                } else {
                    24 + rng.between(0, 64).max(rng.between(0, 64))
                };
                Vec::from(self.couple(rng, origin, woman))
            }
            2 if x < 0.82 => self.single_parent(rng, origin, 1),
            2 if x < 0.92 => {
                let age = rng.between(35, 65);
                let head = self.adult(rng, origin, age, false);
                let parent = self.parent_of(rng, origin, &head, None);
                vec![head, parent]
            }
            2 => self.relatives(rng, origin),
            3 if x < 0.78 => self.family(rng, origin, 1, false),
            3 if x < 0.88 => self.single_parent(rng, origin, 2),
            3 => {
                let woman_age = rng.between(45, 65);
                let [head, partner] = self.couple(rng, origin, woman_age);
                let parent = self.parent_of(rng, origin, &head, Some(&partner));
                vec![head, partner, parent]
            }
            4 if x < 0.86 => self.family(rng, origin, 2, false),
            4 if x < 0.92 => self.single_parent(rng, origin, 3),
            4 => self.family(rng, origin, 1, true),
            n if x < 0.72 => self.family(rng, origin, n - 2, false),
            n if x < 0.90 => self.family(rng, origin, n - 3, true),
            n => self.three_generations(rng, origin, n),
        }
    }

    fn member(rel: u8, sex: Sex, age: i64, civil: u8, surname: String) -> Member {
        Member {
            rel,
            sex,
            age: age.clamp(0, 99),
            civil,
            surname,
            foreign_spouse: None,
        }
    }

    /// One person living alone.
    fn alone(&self, rng: &mut Rng, origin: Origin) -> Member {
        let x = rng.unit();
        let age = if origin.0.is_some() {
            rng.between(19, 62)
        } else if x < 0.32 {
            75 + rng.between(0, 24).min(rng.between(0, 24))
        } else if x < 0.57 {
            rng.between(60, 74)
        } else {
            rng.between(20, 59)
        };
        self.adult(rng, origin, age, true)
    }

    /// A head of household without a partner; elderly ones are mostly
    /// widowed women.
    fn adult(&self, rng: &mut Rng, origin: Origin, age: i64, alone: bool) -> Member {
        let sex = rng.sex(if alone && age >= 65 { 0.7 } else { 0.5 });
        let x = rng.unit();
        let civil = if age >= 65 {
            let widowed = if sex == Sex::F { 0.6 } else { 0.35 };
            if x < widowed {
                cs::WIDOWED
            } else if x < widowed + 0.1 {
                cs::DIVORCED
            } else if x < widowed + 0.15 {
                cs::MARRIED
            } else {
                cs::SINGLE
            }
        } else if age < 35 {
            if x < 0.93 {
                cs::SINGLE
            } else if x < 0.96 {
                cs::DIVORCED
            } else {
                cs::MARRIED
            }
        } else if x < 0.6 {
            cs::SINGLE
        } else if x < 0.88 {
            cs::DIVORCED
        } else if x < 0.95 {
            cs::MARRIED
        } else {
            cs::WIDOWED
        };
        Self::member(rel::HEAD, sex, age, civil, origin.surname(rng))
    }

    /// Head and partner; `woman_age` is the age of the woman (or of one of
    /// the partners of a same-sex union).
    fn couple(&self, rng: &mut Rng, origin: Origin, woman_age: i64) -> [Member; 2] {
        let x = rng.unit();
        if x < 0.015 {
            let sex = rng.sex(0.5);
            let other = (woman_age + rng.between(-8, 8)).max(20);
            return [
                Self::member(
                    rel::HEAD,
                    sex,
                    woman_age,
                    cs::CIVIL_UNION,
                    origin.surname(rng),
                ),
                Self::member(
                    rel::CIVIL_PARTNER,
                    sex,
                    other,
                    cs::CIVIL_UNION,
                    origin.surname(rng),
                ),
            ];
        }
        let man_age = (woman_age + rng.between(-3, 7)).clamp(18, 99);
        let de_facto = rng.chance(if woman_age < 40 { 0.3 } else { 0.08 });
        let (rel_partner, civil) = if de_facto {
            (rel::DE_FACTO_PARTNER, None)
        } else {
            (rel::SPOUSE, Some(cs::MARRIED))
        };
        let unmarried = |rng: &mut Rng, age: i64| {
            civil.unwrap_or(if age > 35 && rng.chance(0.2) {
                cs::DIVORCED
            } else {
                cs::SINGLE
            })
        };
        let man_civil = unmarried(rng, man_age);
        let woman_civil = unmarried(rng, woman_age);
        let man = Self::member(rel::HEAD, Sex::M, man_age, man_civil, origin.surname(rng));
        let woman = Self::member(
            rel::HEAD,
            Sex::F,
            woman_age,
            woman_civil,
            origin.surname(rng),
        );
        let (mut head, mut partner) = if rng.chance(if de_facto { 0.7 } else { 0.85 }) {
            (man, woman)
        } else {
            (woman, man)
        };
        head.rel = rel::HEAD;
        partner.rel = rel_partner;
        [head, partner]
    }

    /// Children living with parents whose ages are given: each child
    /// 18-45 years younger than both, and not over 34.
    fn children(
        rng: &mut Rng,
        n: usize,
        parent_ages: &[i64],
        surname: &str,
        rel_code: u8,
    ) -> Vec<Member> {
        let oldest = parent_ages.iter().copied().max().unwrap_or(40);
        let youngest = parent_ages.iter().copied().min().unwrap_or(40);
        let lo = (oldest - 45).max(0);
        let hi = (youngest - 18).min(34).max(lo);
        let mut ages: Vec<i64> = (0..n).map(|_| rng.between(lo, hi)).collect();
        ages.sort_unstable_by(|a, b| b.cmp(a));
        ages.into_iter()
            .map(|age| {
                let civil = if age >= 25 && rng.chance(0.04) {
                    cs::DIVORCED
                } else {
                    cs::SINGLE
                };
                Self::member(rel_code, rng.sex(0.49), age, civil, surname.to_owned())
            })
            .collect()
    }

    /// The mother's age for a couple with children at home: 23-63,
    /// most around 43.
    fn mother_age(rng: &mut Rng) -> i64 {
        23 + rng.between(0, 20) + rng.between(0, 20)
    }

    /// A couple with `n` children, and optionally a parent of one of them.
    fn family(&self, rng: &mut Rng, origin: Origin, n: usize, with_parent: bool) -> Vec<Member> {
        let woman_age = Self::mother_age(rng);
        let mut couple = self.couple(rng, origin, woman_age);
        if couple[0].sex == couple[1].sex {
            // Same-sex unions here come without children: make it a
            // married couple instead.
            couple = loop {
                let c = self.couple(rng, origin, woman_age);
                if c[0].sex != c[1].sex {
                    break c;
                }
            };
        }
        let [head, partner] = couple;
        let father = if head.sex == Sex::M { &head } else { &partner };
        let surname = father.surname.clone();
        let kids = Self::children(rng, n, &[head.age, partner.age], &surname, rel::CHILD);
        let parent = with_parent.then(|| self.parent_of(rng, origin, &head, Some(&partner)));
        let mut out = vec![head, partner];
        out.extend(kids);
        out.extend(parent);
        out
    }

    fn single_parent(&self, rng: &mut Rng, origin: Origin, n: usize) -> Vec<Member> {
        let sex = rng.sex(0.82);
        let age = rng.between(25, 62);
        let x = rng.unit();
        let civil = if x < 0.45 {
            cs::DIVORCED
        } else if x < 0.70 {
            cs::SINGLE
        } else if x < 0.85 {
            cs::WIDOWED
        } else {
            cs::MARRIED
        };
        let head = Self::member(rel::HEAD, sex, age, civil, origin.surname(rng));
        // Children bear the father's surname: the head's, or that of a
        // father who lives elsewhere.
        let surname = if sex == Sex::M || rng.chance(0.3) {
            head.surname.clone()
        } else {
            origin.surname(rng)
        };
        let mut out = vec![head];
        let ages = [out[0].age];
        out.extend(Self::children(rng, n, &ages, &surname, rel::CHILD));
        out
    }

    /// An elderly parent of the head (or of the head's partner).
    fn parent_of(
        &self,
        rng: &mut Rng,
        origin: Origin,
        head: &Member,
        partner: Option<&Member>,
    ) -> Member {
        let (of, rel_code) = match partner {
            Some(p) if rng.chance(0.35) => (p, rel::PARENT_IN_LAW),
            _ => (head, rel::PARENT),
        };
        let age = (of.age + rng.between(20, 35)).min(rng.between(86, 99));
        let sex = rng.sex(0.75);
        let civil = if rng.chance(0.85) {
            cs::WIDOWED
        } else if rng.chance(0.5) {
            cs::MARRIED
        } else {
            cs::SINGLE
        };
        let surname = if sex == Sex::M {
            of.surname.clone()
        } else {
            origin.surname(rng)
        };
        Self::member(rel_code, sex, age, civil, surname)
    }

    /// Two siblings, or a head and another relative.
    fn relatives(&self, rng: &mut Rng, origin: Origin) -> Vec<Member> {
        let age = rng.between(30, 90);
        let civil = |rng: &mut Rng| {
            let x = rng.unit();
            if x < 0.6 || age < 40 {
                cs::SINGLE
            } else if x < 0.85 {
                cs::WIDOWED
            } else {
                cs::DIVORCED
            }
        };
        let head_civil = civil(rng);
        let head = Self::member(
            rel::HEAD,
            rng.sex(0.55),
            age,
            head_civil,
            origin.surname(rng),
        );
        let other_age = (age + rng.between(-10, 10)).max(19);
        let other_civil = civil(rng);
        let other = if rng.chance(0.7) {
            Self::member(
                rel::SIBLING,
                rng.sex(0.55),
                other_age,
                other_civil,
                head.surname.clone(),
            )
        } else {
            Self::member(
                rel::OTHER_RELATIVE,
                rng.sex(0.55),
                other_age,
                other_civil,
                origin.surname(rng),
            )
        };
        vec![head, other]
    }

    /// Grandparents, a married child with spouse, and grandchildren.
    fn three_generations(&self, rng: &mut Rng, origin: Origin, size: usize) -> Vec<Member> {
        let grandmother = rng.between(50, 68);
        let [mut head, mut partner] = self.couple(rng, origin, grandmother);
        for m in [&mut head, &mut partner] {
            m.civil = cs::MARRIED;
        }
        if head.sex == partner.sex {
            partner.sex = if head.sex == Sex::M { Sex::F } else { Sex::M };
        }
        partner.rel = rel::SPOUSE;
        let family_surname = if head.sex == Sex::M {
            head.surname.clone()
        } else {
            partner.surname.clone()
        };
        let mut child = Self::children(
            rng,
            1,
            &[head.age, partner.age],
            &family_surname,
            rel::CHILD,
        )
        .pop()
        .unwrap_or_else(|| Self::member(rel::CHILD, Sex::M, 25, cs::SINGLE, String::new()));
        child.age = child.age.max(22);
        child.civil = cs::MARRIED;
        let in_law_sex = if child.sex == Sex::M { Sex::F } else { Sex::M };
        let in_law = Self::member(
            rel::SON_OR_DAUGHTER_IN_LAW,
            in_law_sex,
            (child.age + rng.between(-4, 4)).max(20),
            cs::MARRIED,
            origin.surname(rng),
        );
        let grandchildren_surname = if child.sex == Sex::M {
            child.surname.clone()
        } else {
            in_law.surname.clone()
        };
        let kids = Self::children(
            rng,
            size.saturating_sub(4),
            &[child.age, in_law.age],
            &grandchildren_surname,
            rel::GRANDCHILD,
        );
        let mut out = vec![head, partner, child, in_law];
        out.extend(kids);
        out
    }
}

fn valid_on(c: &Comune, d: Date) -> bool {
    c.valid_from <= d && c.valid_to.is_none_or(|t| d <= t)
}

// ---------------------------------------------------------------------------
// The iterators

/// The residents of [`generate`], household after household.
pub struct Population {
    ctx: Context,
    persons: usize,
    emitted: usize,
    households: u64,
    buffer: VecDeque<Resident>,
    /// Codes handed out so far: a repeated one becomes an omocode.
    issued: HashSet<CodiceFiscale>,
}

impl Population {
    /// The next household (cut short to end at exactly `persons`).
    fn next_household(&mut self) -> Option<Vec<Resident>> {
        if self.emitted >= self.persons {
            return None;
        }
        let h = self.households;
        let mut rng = Rng::derive(self.ctx.seed, STREAM_HOUSEHOLD, h);
        let mut members = self.ctx.household(&mut rng, h, self.emitted as u64, None);
        members.truncate(self.persons - self.emitted);
        for m in &mut members {
            self.make_unique(m);
        }
        self.emitted += members.len();
        self.households += 1;
        Some(members)
    }

    /// Gives a code already held by someone else its first free omocodia
    /// variant, as the Agenzia delle Entrate does.
    fn make_unique(&mut self, r: &mut Resident) {
        if self.issued.insert(r.codice_fiscale) {
            return;
        }
        if let Some(v) = r
            .codice_fiscale
            .base()
            .omocodes()
            .into_iter()
            .find(|v| !self.issued.contains(v))
        {
            r.codice_fiscale = v;
            self.issued.insert(v);
        }
    }

    /// The reference date of the rows.
    pub fn reference(&self) -> Date {
        self.ctx.reference
    }
}

impl Iterator for Population {
    type Item = Resident;

    fn next(&mut self) -> Option<Resident> {
        loop {
            if let Some(r) = self.buffer.pop_front() {
                return Some(r);
            }
            let h = self.next_household()?;
            self.buffer.extend(h);
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.persons - self.emitted + self.buffer.len();
        (n, Some(n))
    }
}

const EVENT_KINDS: usize = 5;
const DEATH: usize = 0;
const BIRTH: usize = 1;
const MARRIAGE: usize = 2;
const MOVE_OUT: usize = 3;
const ADDRESS: usize = 4;

/// The residents of [`generate_next_month`].
pub struct NextMonth {
    base: Population,
    start: Date,
    end: Date,
    rng: Rng,
    /// Household positions at which each kind of event becomes due, last
    /// first; an event waits for the next household it fits.
    targets: [Vec<usize>; EVENT_KINDS],
    pending: [usize; EVENT_KINDS],
    moved_in_households: usize,
    next_person: u64,
    household_index: usize,
    buffer: VecDeque<Resident>,
    summary: ChangeSummary,
    done: bool,
}

impl NextMonth {
    /// The date of the rows: one month after the base reference.
    pub fn reference(&self) -> Date {
        self.end
    }

    /// What changed so far (all of it once the iterator is exhausted).
    pub fn summary(&self) -> ChangeSummary {
        self.summary
    }

    fn refill(&mut self) -> bool {
        if let Some(mut members) = self.base.next_household() {
            let h = self.household_index;
            self.household_index += 1;
            for (kind, targets) in self.targets.iter_mut().enumerate() {
                while targets.last().is_some_and(|&t| t <= h) {
                    targets.pop();
                    self.pending[kind] += 1;
                }
            }
            for kind in 0..EVENT_KINDS {
                if self.pending[kind] > 0 && self.apply(kind, &mut members) {
                    self.pending[kind] -= 1;
                    break;
                }
            }
            self.buffer.extend(members);
            return true;
        }
        if self.moved_in_households > 0 {
            self.moved_in_households -= 1;
            let k = self.moved_in_households as u64;
            let mut rng = Rng::derive(self.base.ctx.seed, STREAM_MOVE_IN, k);
            let index = self.base.households;
            self.base.households += 1;
            let mut members = self.base.ctx.household(
                &mut rng,
                index,
                self.next_person,
                Some((self.start, self.end)),
            );
            for m in &mut members {
                self.base.make_unique(m);
            }
            self.next_person += members.len() as u64;
            self.summary.moved_in += members.len();
            self.buffer.extend(members);
            return true;
        }
        false
    }

    fn apply(&mut self, kind: usize, members: &mut Vec<Resident>) -> bool {
        let end = self.end;
        let alive = |m: &&mut Resident| m.death_date.is_none();
        match kind {
            DEATH => {
                let Some(i) = members
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.death_date.is_none() && m.age_on(end) >= 70)
                    .min_by_key(|(_, m)| m.birth_date)
                    .map(|(i, _)| i)
                else {
                    return false;
                };
                let when = self.rng.date_in(self.start, self.end);
                let dead_rel = members[i].relationship;
                members[i].death_date = Some(when);
                let partner_rels: &[u8] = match dead_rel {
                    rel::HEAD => &[rel::SPOUSE, rel::CIVIL_PARTNER],
                    rel::SPOUSE | rel::CIVIL_PARTNER => &[rel::HEAD],
                    _ => &[],
                };
                if let Some(p) = members
                    .iter_mut()
                    .filter(alive)
                    .find(|m| partner_rels.contains(&m.relationship))
                {
                    p.civil_status = match p.civil_status {
                        cs::MARRIED => cs::WIDOWED,
                        cs::CIVIL_UNION => cs::FREE_AFTER_PARTNER_DEATH,
                        other => other,
                    };
                }
                self.summary.deaths += 1;
                true
            }
            BIRTH => self.birth(members),
            MARRIAGE => {
                let Some(head_sex) = members
                    .iter()
                    .find(|m| m.relationship == rel::HEAD && m.death_date.is_none())
                    .map(|m| m.sex)
                else {
                    return false;
                };
                let Some(p) = members
                    .iter_mut()
                    .filter(alive)
                    .find(|m| m.relationship == rel::DE_FACTO_PARTNER && m.sex != head_sex)
                else {
                    return false;
                };
                p.relationship = rel::SPOUSE;
                p.civil_status = cs::MARRIED;
                for m in members.iter_mut() {
                    if m.relationship == rel::HEAD {
                        m.civil_status = cs::MARRIED;
                    }
                }
                self.summary.marriages += 1;
                true
            }
            MOVE_OUT => {
                if members.is_empty() {
                    return false;
                }
                let grown_up = members.iter().position(|m| {
                    m.relationship == rel::CHILD && m.age_on(end) >= 22 && m.death_date.is_none()
                });
                match grown_up {
                    Some(i) if self.rng.chance(0.5) => {
                        members.remove(i);
                        self.summary.moved_out += 1;
                    }
                    _ => {
                        self.summary.moved_out += members.len();
                        members.clear();
                    }
                }
                true
            }
            ADDRESS => {
                let Some(current) = members.first().map(|m| m.address.clone()) else {
                    return false;
                };
                let mut address = Context::address(&mut self.rng);
                while address == current {
                    address = Context::address(&mut self.rng);
                }
                let when = self.rng.date_in(self.start, self.end);
                for m in members.iter_mut() {
                    m.address = address.clone();
                    m.residence_since = when;
                }
                self.summary.address_changes += 1;
                true
            }
            _ => false,
        }
    }

    /// A child born to a woman of 20-44 who heads the household or is the
    /// head's partner.
    fn birth(&mut self, members: &mut Vec<Resident>) -> bool {
        let end = self.end;
        let Some(mother) = members
            .iter()
            .find(|m| {
                m.sex == Sex::F
                    && m.death_date.is_none()
                    && matches!(
                        m.relationship,
                        rel::HEAD | rel::SPOUSE | rel::DE_FACTO_PARTNER
                    )
                    && (20..=44).contains(&m.age_on(end))
            })
            .cloned()
        else {
            return false;
        };
        let father = members
            .iter()
            .find(|m| {
                m.sex == Sex::M
                    && m.death_date.is_none()
                    && if mother.relationship == rel::HEAD {
                        matches!(m.relationship, rel::SPOUSE | rel::DE_FACTO_PARTNER)
                    } else {
                        m.relationship == rel::HEAD
                    }
            })
            .cloned();
        let ctx = &self.base.ctx;
        let Some(residence) = ctx.residence_of(mother.comune_istat) else {
            return false;
        };
        let birth = self.rng.date_in(self.start, self.end);
        let sex = self.rng.sex(0.49);
        let surname = father.as_ref().unwrap_or(&mother).surname.clone();
        let parents_citizenship =
            [Some(&mother), father.as_ref()].map(|p| p.map(|p| p.citizenship));
        let citizenship = if parents_citizenship.contains(&Some(Citizenship::Italian)) {
            Citizenship::Italian
        } else {
            mother.citizenship
        };
        let nat = match citizenship {
            Citizenship::Foreign(code) => ctx
                .nationalities
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, n)| *n),
            _ => None,
        };
        let given = match nat {
            Some(n) if !self.rng.chance(0.3) => {
                self.rng.pick(if sex == Sex::F { n.female } else { n.male })
            }
            _ => italian_given_name(&mut self.rng, sex, birth.year()),
        };
        let birthplace = ctx.local_birthplace(&mut self.rng, residence, birth);
        let Ok(codice_fiscale) = CodiceFiscale::encode(&surname, given, sex, birth, birthplace)
        else {
            return false;
        };
        let id_anpr = ctx.person_id(self.next_person);
        self.next_person += 1;
        let mut child = Resident {
            id_anpr,
            codice_fiscale,
            surname,
            given_names: given.to_owned(),
            sex,
            birth_date: birth,
            birthplace,
            citizenship,
            civil_status: cs::SINGLE,
            death_date: None,
            comune_istat: mother.comune_istat,
            address: mother.address.clone(),
            residence_since: birth,
            household_id: mother.household_id,
            relationship: rel::CHILD,
        };
        self.base.make_unique(&mut child);
        members.push(child);
        self.summary.births += 1;
        true
    }
}

impl Iterator for NextMonth {
    type Item = Resident;

    fn next(&mut self) -> Option<Resident> {
        loop {
            if let Some(r) = self.buffer.pop_front() {
                return Some(r);
            }
            if self.done || !self.refill() {
                self.done = true;
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests;
