//! Demonstration prestazioni and istanze (`sportello demo applications`, and `serve --demo`):
//! the base catalogue of benefits, INPS ISEE attestations and applications in every state for
//! the registry persons of an organization.
//!
//! Generation is split in two. [`plan`] is pure: from the persons (sorted by their registry
//! id), the operators, the catalogue, a seed and the current instant it decides every row —
//! ids included (UUIDv7 built from the simulated instant and the seeded generator) — so the
//! same inputs give the same plan. [`write`] then stores it through the ordinary store calls,
//! as the counter would: `add_attestation`, then `create_application` and one
//! `change_application_state` per step, each in its own transaction with its audit row
//! (the store has no bulk call for these).
//!
//! The steps mirror `app::procedure`: the rules in force on the day of submission are applied
//! with `domain::benefit::evaluate` to facts built like `app::procedure::facts` (age, residence
//! in the organization's comuni, the registry household, the attestation, the benefits already
//! granted); deadlines, suspensions and the notice of art. 10-bis move as there; an
//! application is accepted (then delivered, then concluded) only with a favourable outcome and
//! a valid attestation, and receives the notice and the rejection only with an unfavourable
//! one. One shortcut: the months of delivery already past are stored as `erogata` when
//! delivery starts, instead of one `update_delivery` each.

use anyhow::{Context, Result, anyhow, bail};
use app::Actor;
use domain::application::{
    ApplicationState as St, AttestationData, Channel, Declared, DeliveryStatus, DsuProtocol,
    Facts as ChangeFacts, IseeMember, Refusal, RulesInForce, Transition, delivery_months,
    parse_scala,
};
use domain::audit::unix_micros;
use domain::benefit::{
    CheckStatus, Facts, IseeVariant, Outcome, Periodicity, PortalWindow, Rule, evaluate,
    rule_in_force,
};
use domain::localtime::{from_local, today};
use domain::money::Money;
use domain::person::{Relationship, age_on};
use domain::{OrgCode, OrgKind, Role};
use std::collections::HashMap;
use store::{
    Application, ApplicationEvent, Attestation, Benefit, BenefitRule, BenefitStore, Delivery,
    OrgStore, Organization, RegistryStore, StoreError, UserStore,
};
use time::{Date, Duration, Month, OffsetDateTime, Time};
use uuid::Uuid;

/// `sportello demo applications`.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplicationsArgs {
    /// Number of applications (istanze).
    #[arg(long, default_value_t = 200)]
    pub count: usize,
    /// Seed: the same seed on the same population gives the same applications.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The organization's code (default: the only comune or ambito).
    #[arg(long)]
    pub ente: Option<String>,
}

// --- Inputs ----------------------------------------------------------------------------------

/// A person who may apply: a registry person of the organization, alive and still resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: Uuid,
    pub codice_fiscale: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub birth_date: Date,
    /// Resident in one of the organization's comuni.
    pub resident: bool,
    /// Index into [`Population::households`].
    pub household: Option<usize>,
    pub relationship: Option<Relationship>,
}

/// The candidates, sorted by registry id, and the registry households (indices of candidates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Population {
    pub persons: Vec<Candidate>,
    pub households: Vec<Vec<usize>>,
}

/// An operator of the organization who files, reviews or decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: Uuid,
    pub login: String,
    pub role: Role,
}

/// A catalogue entry with its rule versions (latest `valid_from` first, as the store lists them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub benefit: Benefit,
    pub rules: Vec<BenefitRule>,
}

pub struct Setup<'a> {
    pub org_id: Uuid,
    pub now: OffsetDateTime,
    pub seed: u64,
    pub count: usize,
    pub population: &'a Population,
    pub staff: &'a [Operator],
    pub catalogue: &'a [Entry],
}

// --- The plan --------------------------------------------------------------------------------

/// One step of an application's history: the creation, then each change of state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub to: St,
    pub on: Date,
    pub at_us: i64,
    pub event_id: Uuid,
    /// Index into the staff.
    pub actor: usize,
    pub note: String,
}

/// An application: as created (outcome still to be applied), the facts the rules see (their
/// `on` is set to the day of the rules), and its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPlan {
    pub created: Application,
    pub entry: usize,
    pub facts: Facts,
    /// The attestation attached: an acceptance checks it.
    pub attestation: Option<AttestationData>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// By registration time.
    pub attestations: Vec<Attestation>,
    /// By creation time.
    pub applications: Vec<AppPlan>,
}

impl AppPlan {
    pub fn state(&self) -> St {
        self.steps.last().map_or(St::Draft, |s| s.to)
    }
}

/// What one call to the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub app: Application,
    pub event: ApplicationEvent,
    pub deliveries: Vec<Delivery>,
}

// --- Random numbers --------------------------------------------------------------------------

/// SplitMix64: small, fast and the same on every platform.
struct Rng(u64);

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        Rng(mix(seed ^ mix(stream.wrapping_add(0x5350_4F52_5445_4C4C))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// 0..n (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as u64) as i64
        }
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// A UUIDv7 for an instant (microseconds), its random part from the generator.
    fn uuid7(&mut self, at_us: i64) -> Uuid {
        let a = self.next().to_be_bytes();
        let b = self.next().to_be_bytes();
        let bytes = [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]];
        let millis = u64::try_from(at_us.max(0) / 1_000).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }
}

// --- What each benefit looks like ------------------------------------------------------------

/// Who applies for a benefit (ages, inclusive) and how often, out of the base catalogue's codes.
fn profile(code: &str) -> (u32, i32, i32) {
    match code {
        "sad" => (20, 65, 100),
        "pasti-domicilio" => (9, 65, 100),
        "trasporto" => (8, 18, 100),
        "mensa" => (12, 3, 13),
        "nido" => (6, 0, 2),
        "affitto" => (14, 22, 75),
        "contributo-straordinario" => (10, 18, 80),
        "integrazione-rsa" => (5, 75, 105),
        "maternita" => (1, 20, 45),
        "scolastiche" => (2, 6, 18),
        "tasse-universita" | "dsu-universita" => (1, 19, 26),
        "sociosanitari-domiciliari" => (2, 18, 100),
        "sociosanitari-residenziali" => (1, 70, 105),
        "utenze" | "altre-economiche" => (2, 18, 90),
        _ => (2, 18, 90),
    }
}

/// Final states with their weights (per thousand applications).
const STATE_WEIGHTS: [(St, u32); 10] = [
    (St::Draft, 40),
    (St::Submitted, 80),
    (St::InReview, 120),
    (St::IntegrationRequested, 60),
    (St::NoticeOfRejection, 30),
    (St::Accepted, 70),
    (St::Rejected, 60),
    (St::Archived, 40),
    (St::Delivering, 300),
    (St::Concluded, 200),
];

fn draw_state(rng: &mut Rng) -> St {
    let total: u32 = STATE_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for (s, w) in STATE_WEIGHTS {
        if r < w {
            return s;
        }
        r -= w;
    }
    St::InReview
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Any,
    /// A favourable outcome of a rule in force: acceptance, delivery, conclusion.
    Eligible,
    /// An unfavourable outcome: the notice before rejection, the rejection.
    Ineligible,
}

fn need(s: St) -> Need {
    match s {
        St::Accepted | St::Delivering | St::Concluded => Need::Eligible,
        St::NoticeOfRejection | St::Rejected => Need::Ineligible,
        _ => Need::Any,
    }
}

/// The equivalence scale of DPCM 159/2013 by the number of members (no increases).
fn scala_for(members: u32) -> String {
    let hundredths = match members {
        0 | 1 => 100,
        2 => 157,
        3 => 204,
        4 => 246,
        n => 285 + 35 * (n - 5),
    };
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// A plausible ISEE, in cents: a third below 6.000 €, most below 30.000 €.
fn draw_isee(rng: &mut Rng) -> i64 {
    let euro = match rng.below(100) {
        0..30 => rng.range(0, 6_000),
        30..60 => rng.range(6_000, 15_000),
        60..85 => rng.range(15_000, 30_000),
        _ => rng.range(30_000, 60_000),
    };
    euro * 100 + rng.range(0, 99)
}

fn first_of_year(d: Date) -> Date {
    Date::from_calendar_date(d.year(), Month::January, 1).unwrap_or(d)
}

fn last_of_month(d: Date) -> Date {
    Date::from_calendar_date(d.year(), d.month(), d.month().length(d.year())).unwrap_or(d)
}

fn instant_us(rng: &mut Rng, day: Date) -> i64 {
    let minutes = rng.range(8 * 60 + 30, 17 * 60 + 30);
    let t = Time::from_hms(
        (minutes / 60) as u8,
        (minutes % 60) as u8,
        rng.range(0, 59) as u8,
    )
    .unwrap_or(Time::MIDNIGHT);
    unix_micros(from_local(day, t)) + rng.range(0, 999_999)
}

// --- Planning --------------------------------------------------------------------------------

struct Planner<'a> {
    s: &'a Setup<'a>,
    rng: Rng,
    /// The last day anything happens on.
    today: Date,
    jan1: Date,
    now_us: i64,
    /// Candidates by birth date (indices), for picking by age.
    by_birth: Vec<usize>,
    filers: Vec<usize>,
    reviewers: Vec<usize>,
    deciders: Vec<usize>,
    /// Entries with their weights and ages.
    weighted: Vec<(usize, u32, i32, i32)>,
    total_weight: u32,
    attestations: Vec<Attestation>,
    by_person: HashMap<usize, Vec<usize>>,
    granted: HashMap<usize, Vec<String>>,
    protocol_base: u64,
}

/// An attestation a draw would add.
struct NewAttestation {
    data: AttestationData,
    at_us: i64,
}

/// One try at an application of a given final state.
struct Draw {
    person: usize,
    entry: usize,
    days: Vec<(St, Date)>,
    declared: Declared,
    attestation: Option<usize>,
    new_attestation: Option<NewAttestation>,
    /// The data of the attestation attached, existing or new.
    isee: Option<AttestationData>,
    facts: Facts,
    outcome: Option<Outcome>,
    filer: usize,
    reviewer: usize,
    decider: usize,
    created_us: i64,
}

impl<'a> Planner<'a> {
    fn new(s: &'a Setup<'a>) -> Result<Planner<'a>> {
        let today = today(s.now);
        let mut by_birth: Vec<usize> = (0..s.population.persons.len()).collect();
        by_birth.sort_by_key(|&i| (s.population.persons[i].birth_date, i));
        let with = |roles: &[Role]| -> Vec<usize> {
            (0..s.staff.len())
                .filter(|&i| roles.contains(&s.staff[i].role))
                .collect()
        };
        let filers = with(&[
            Role::OperatoreSportello,
            Role::AssistenteSociale,
            Role::Responsabile,
        ]);
        if filers.is_empty() {
            bail!(
                "l'ente non ha operatori di sportello, assistenti sociali o responsabili: creane uno con «sportello user add»"
            );
        }
        let reviewers = filers.clone();
        let mut deciders = with(&[Role::Responsabile]);
        if deciders.is_empty() {
            deciders = reviewers.clone();
        }
        let weighted: Vec<(usize, u32, i32, i32)> = s
            .catalogue
            .iter()
            .enumerate()
            .filter(|(_, e)| e.benefit.data.active)
            .map(|(i, e)| {
                let (w, lo, hi) = profile(&e.benefit.data.code);
                (i, w, lo, hi)
            })
            .collect();
        if weighted.is_empty() {
            bail!("il catalogo delle prestazioni non ha voci attive");
        }
        if s.population.persons.is_empty() {
            bail!(
                "l'ente non ha persone dell'anagrafe comunale: importare prima la lista dei residenti («sportello import anagrafe»)"
            );
        }
        let total_weight = weighted.iter().map(|w| w.1).sum();
        let jan1 = first_of_year(today);
        Ok(Planner {
            s,
            rng: Rng::new(s.seed, 1),
            // Everything happened by yesterday, so the plan depends on the date only (on
            // 1 January, today, before now).
            today: (today - Duration::days(1)).max(jan1),
            jan1,
            now_us: unix_micros(s.now),
            by_birth,
            filers,
            reviewers,
            deciders,
            weighted,
            total_weight,
            attestations: Vec::new(),
            by_person: HashMap::new(),
            granted: HashMap::new(),
            // Protocols are numbered from a base that depends on the seed: unique in a run.
            protocol_base: 10_000_000 + (s.seed % 80) * 1_000_000,
        })
    }

    fn person(&self, i: usize) -> &Candidate {
        &self.s.population.persons[i]
    }

    /// A candidate aged `lo..=hi` on `on`, or anyone when nobody is.
    fn pick_person(&mut self, lo: i32, hi: i32, on: Date) -> usize {
        let persons = &self.s.population.persons;
        // Born after `on` minus (hi + 1) years and on or before `on` minus lo years.
        let oldest = Date::from_calendar_date(on.year() - hi - 1, on.month(), 1).unwrap_or(on);
        let youngest = Date::from_calendar_date(on.year() - lo, on.month(), 1).unwrap_or(on);
        let from = self
            .by_birth
            .partition_point(|&i| persons[i].birth_date <= oldest);
        let to = self
            .by_birth
            .partition_point(|&i| persons[i].birth_date <= youngest);
        if to > from {
            self.by_birth[from + self.rng.index(to - from)]
        } else {
            self.by_birth[self.rng.index(self.by_birth.len())]
        }
    }

    fn pick_entry(&mut self) -> (usize, i32, i32) {
        let mut r = self.rng.below(u64::from(self.total_weight)) as u32;
        for &(i, w, lo, hi) in &self.weighted {
            if r < w {
                return (i, lo, hi);
            }
            r -= w;
        }
        let (i, _, lo, hi) = self.weighted[0];
        (i, lo, hi)
    }

    /// The steps to reach `target`, and the days a step takes after the previous one.
    fn path(&mut self, target: St) -> Vec<(St, i64, i64)> {
        let mut p = Vec::new();
        let review = |p: &mut Vec<(St, i64, i64)>, rng: &mut Rng| {
            p.push((St::InReview, 1, 10));
            if rng.percent(20) {
                p.push((St::IntegrationRequested, 2, 12));
                p.push((St::InReview, 5, 25));
            }
        };
        match target {
            St::Draft => p.push((St::Draft, 0, 0)),
            St::Submitted => p.push((St::Submitted, 0, 0)),
            St::InReview => {
                p.push((St::Submitted, 0, 0));
                review(&mut p, &mut self.rng);
            }
            St::IntegrationRequested => {
                p.push((St::Submitted, 0, 0));
                p.push((St::InReview, 1, 10));
                p.push((St::IntegrationRequested, 2, 12));
            }
            St::NoticeOfRejection => {
                p.push((St::Submitted, 0, 0));
                p.push((St::InReview, 1, 10));
                p.push((St::NoticeOfRejection, 3, 15));
            }
            St::Rejected => {
                p.push((St::Submitted, 0, 0));
                p.push((St::InReview, 1, 10));
                p.push((St::NoticeOfRejection, 3, 15));
                p.push((St::Rejected, 11, 25));
            }
            St::Archived => match self.rng.below(3) {
                0 => {
                    p.push((St::Draft, 0, 0));
                    p.push((St::Archived, 1, 20));
                }
                1 => {
                    p.push((St::Submitted, 0, 0));
                    p.push((St::Archived, 1, 15));
                }
                _ => {
                    p.push((St::Submitted, 0, 0));
                    p.push((St::InReview, 1, 10));
                    p.push((St::IntegrationRequested, 2, 12));
                    p.push((St::Archived, 30, 60));
                }
            },
            St::Accepted | St::Delivering | St::Concluded => {
                if self.rng.percent(10) {
                    p.push((St::Draft, 0, 0));
                    p.push((St::Submitted, 0, 5));
                } else {
                    p.push((St::Submitted, 0, 0));
                }
                review(&mut p, &mut self.rng);
                p.push((St::Accepted, 2, 20));
                if target != St::Accepted {
                    p.push((St::Delivering, 1, 15));
                }
                if target == St::Concluded {
                    p.push((St::Concluded, 0, 0));
                }
            }
        }
        p
    }

    /// How far back an application in this final state may have started.
    fn window(target: St) -> i64 {
        match target {
            St::Draft => 30,
            St::Submitted => 40,
            St::InReview => 55,
            St::IntegrationRequested => 120,
            St::NoticeOfRejection => 40,
            St::Accepted => 60,
            _ => 366,
        }
    }

    /// The day of every step, all in the current year and not after today; `months` of
    /// delivery for a concluded application (shortened to what has passed).
    fn schedule(&mut self, target: St, months: &mut u8, one_off: bool) -> Vec<(St, Date)> {
        let path = self.path(target);
        let mut gaps: Vec<i64> = path
            .iter()
            .map(|&(_, lo, hi)| self.rng.range(lo, hi))
            .collect();
        let concluded = target == St::Concluded;
        let delivery_days = if concluded {
            if one_off {
                self.rng.range(5, 40)
            } else {
                i64::from(*months) * 31 + self.rng.range(1, 10)
            }
        } else {
            0
        };
        let span: i64 = gaps.iter().sum::<i64>() + delivery_days;
        let available = (self.today - self.jan1).whole_days();
        let (start, scale) = if span > available {
            (self.jan1, true)
        } else {
            let earliest = (self.today - Duration::days(Self::window(target))).max(self.jan1);
            let latest = self.today - Duration::days(span);
            let earliest = earliest.min(latest);
            let d = self.rng.range(0, (latest - earliest).whole_days());
            (earliest + Duration::days(d), false)
        };
        if scale && span > 0 {
            for g in &mut gaps {
                *g = *g * available / span;
            }
        }
        let mut day = start;
        let mut out = Vec::with_capacity(path.len());
        for (k, (&(s, _, _), g)) in path.iter().zip(gaps).enumerate() {
            day = (day + Duration::days(g)).min(self.today);
            if s == St::Concluded && k > 0 {
                // After the last month of delivery, when it has passed.
                let started = out.last().map_or(day, |&(_, d): &(St, Date)| d);
                let mut end = day;
                if !one_off {
                    while *months > 1 && month_after(started, *months) > self.today {
                        *months -= 1;
                    }
                    end = month_after(started, *months) + Duration::days(self.rng.range(0, 10));
                } else {
                    end = end.max(started + Duration::days(self.rng.range(5, 40)));
                }
                day = end.min(self.today).max(started);
            }
            out.push((s, day));
        }
        out
    }

    /// The attestation for an application on `day`: one the person already has, a new one,
    /// an expired one, or none.
    fn attestation_for(
        &mut self,
        person: usize,
        variant: Option<IseeVariant>,
        day: Date,
        created_us: i64,
    ) -> (Option<usize>, Option<NewAttestation>) {
        let Some(wanted) = variant else {
            return (None, None);
        };
        let roll = self.rng.below(100);
        if roll < 7 {
            return (None, None);
        }
        let expired = roll < 12;
        let wrong = roll < 14
            && matches!(wanted, IseeVariant::Residenze | IseeVariant::Universita)
            && !expired;
        if !expired && !wrong {
            // The latest usable attestation the person already has.
            if let Some(list) = self.by_person.get(&person) {
                let found = list.iter().rev().copied().find(|&k| {
                    let a = &self.attestations[k];
                    wanted.accepts(a.data.variant)
                        && a.data.submitted_on <= day
                        && a.data.valid_until() >= day
                        && a.at_us < created_us
                });
                if let Some(k) = found {
                    return (Some(k), None);
                }
            }
        }
        let attested = if wrong {
            IseeVariant::Ordinario
        } else {
            match wanted {
                IseeVariant::Minorenni if self.rng.percent(40) => IseeVariant::Ordinario,
                IseeVariant::Sociosanitario if self.rng.percent(30) => IseeVariant::Ordinario,
                v => v,
            }
        };
        let submitted_on = if expired {
            let y = day.year() - 1;
            Date::from_ordinal_date(y, self.rng.range(15, 350) as u16).unwrap_or(day)
        } else {
            (day - Duration::days(self.rng.range(0, 60))).max(self.jan1)
        };
        let corrente = !expired && self.rng.percent(5);
        let data = self.attestation_data(person, submitted_on, attested, corrente);
        // Registered at the counter a little before the application.
        let at_us = created_us - self.rng.range(60, 1_800) * 1_000_000;
        (None, Some(NewAttestation { data, at_us }))
    }

    fn attestation_data(
        &mut self,
        person: usize,
        submitted_on: Date,
        variant: IseeVariant,
        corrente: bool,
    ) -> AttestationData {
        let p = self.person(person).clone();
        let household: Vec<usize> = p
            .household
            .map(|h| self.s.population.households[h].clone())
            .unwrap_or_else(|| vec![person]);
        let mut members = vec![IseeMember {
            codice_fiscale: p.codice_fiscale.clone().unwrap_or_default(),
            surname: p.surname.clone(),
            given_names: p.given_names.clone(),
            relation: "D".into(),
        }];
        for &m in household.iter().filter(|&&m| m != person).take(29) {
            let c = self.person(m);
            let relation = match (p.relationship, c.relationship) {
                (Some(Relationship::Head), Some(Relationship::Spouse)) => "C",
                (Some(Relationship::Spouse), Some(Relationship::Head)) => "C",
                (Some(Relationship::Head | Relationship::Spouse), Some(Relationship::Child)) => "F",
                _ => "A",
            };
            members.push(IseeMember {
                codice_fiscale: c.codice_fiscale.clone().unwrap_or_default(),
                surname: c.surname.clone(),
                given_names: c.given_names.clone(),
                relation: relation.into(),
            });
        }
        let n = u8::try_from(members.len()).unwrap_or(30);
        let scala = parse_scala("scala", &scala_for(u32::from(n))).unwrap_or_default();
        let target = Money(draw_isee(&mut self.rng));
        let ise = Money::from_decimal(target.to_decimal() * scala).unwrap_or(target);
        // Up to half of the ISE from the patrimony (20 % of the ISP); the ISP in steps of
        // 5 cents, so that ISE = ISR + 20 % ISP holds to the cent.
        let share = self.rng.range(0, 500);
        let isp = (ise.cents() * share / 200) / 5 * 5;
        let isr = ise.cents() - isp / 5;
        let isee = Money::from_decimal(ise.to_decimal() / scala).unwrap_or(ise);
        let number = self.protocol_base + self.attestations.len() as u64 + 1;
        let letter = char::from(b'A' + self.rng.below(26) as u8);
        let suffix = if self.rng.percent(8) { 1 } else { 0 };
        let raw = format!(
            "INPS-ISEE-{}-{number:08}{letter}-{suffix:02}",
            submitted_on.year()
        );
        let protocol =
            DsuProtocol::parse("protocol", &raw).unwrap_or_else(|_| unreachable_protocol());
        let difformita = self.rng.percent(3);
        AttestationData {
            protocol,
            declarant_cf: p.codice_fiscale.clone(),
            submitted_on,
            variant,
            corrente,
            isee,
            ise,
            isr: Money(isr),
            isp: Money(isp),
            scala,
            members: n,
            member_list: members,
            omissioni: false,
            difformita,
        }
    }

    fn declared(&mut self, code: &str, on: Date, birth: Date, months: u8) -> Declared {
        let r = &mut self.rng;
        let mut d = Declared {
            resident_since: None,
            disability: false,
            cost: None,
            units: None,
            months,
        };
        match code {
            "sad" => d.units = Some(r.range(6, 40) as u32),
            "pasti-domicilio" => d.units = Some(r.range(15, 30) as u32),
            "trasporto" => {
                d.units = Some(r.range(4, 20) as u32);
                d.disability = r.percent(60);
            }
            "mensa" => d.units = Some(r.range(12, 20) as u32),
            "affitto" => {
                d.cost = Some(Money::from_euro(r.range(30, 96) * 100));
                let years_ago = if r.percent(85) {
                    r.range(730, 40 * 365)
                } else {
                    r.range(30, 700)
                };
                d.resident_since = Some((on - Duration::days(years_ago)).max(birth));
            }
            "integrazione-rsa" => {
                d.cost = Some(Money::from_euro(r.range(1_500, 3_200)));
                d.disability = r.percent(70);
            }
            "sociosanitari-domiciliari" | "sociosanitari-residenziali" => d.disability = true,
            _ => {}
        }
        d
    }

    fn facts(
        &self,
        person: usize,
        declared: &Declared,
        attestation: Option<&AttestationData>,
        on: Date,
    ) -> Facts {
        let p = self.person(person);
        let (mut size, mut minors) = (0u32, 0u32);
        if let Some(h) = p.household {
            for &m in &self.s.population.households[h] {
                size += 1;
                if age_on(self.person(m).birth_date, on) < 18 {
                    minors += 1;
                }
            }
        }
        if size == 0 {
            size = attestation.map_or(1, |a| u32::from(a.members));
            minors = u32::from(age_on(p.birth_date, on) < 18);
        }
        Facts {
            on,
            isee: attestation.map(AttestationData::fact),
            birth_date: p.birth_date,
            resident: p.resident,
            resident_since: declared.resident_since,
            household_size: size,
            minors,
            disability: declared.disability,
            other_benefits: self.granted.get(&person).cloned().unwrap_or_default(),
            cost: declared.cost,
            units: declared.units,
        }
    }

    fn draw(&mut self, target: St) -> Draw {
        let (entry, lo, hi) = self.pick_entry();
        let benefit = &self.s.catalogue[entry].benefit.data;
        let one_off = benefit.periodicity == Periodicity::OneOff;
        let variant = benefit.isee_variant;
        let code = benefit.code.clone();
        let mut months: u8 = if one_off {
            12
        } else if target == St::Concluded {
            self.rng.range(1, 6) as u8
        } else if code == "mensa" {
            9
        } else if code == "nido" {
            10
        } else if self.rng.percent(70) {
            12
        } else {
            6
        };
        let days = self.schedule(target, &mut months, one_off);
        let created_on = days[0].1;
        let rules_on = days
            .iter()
            .find(|(s, _)| *s == St::Submitted)
            .map_or(created_on, |&(_, d)| d);
        let person = self.pick_person(lo, hi, rules_on);
        let birth = self.person(person).birth_date;
        let declared = self.declared(&code, rules_on, birth, months);
        let created_us = instant_us(&mut self.rng, created_on).min(self.now_us);
        let (attestation, new_attestation) =
            self.attestation_for(person, variant, created_on, created_us);
        let data = match (&attestation, &new_attestation) {
            (Some(k), _) => Some(self.attestations[*k].data.clone()),
            (None, Some(n)) => Some(n.data.clone()),
            (None, None) => None,
        };
        let facts = self.facts(person, &declared, data.as_ref(), rules_on);
        let outcome = in_force(&self.s.catalogue[entry], rules_on)
            .map(|r| evaluate(benefit, &r.rule, &facts));
        let filer = self.filers[self.rng.index(self.filers.len())];
        let reviewer = self.reviewers[self.rng.index(self.reviewers.len())];
        let decider = self.deciders[self.rng.index(self.deciders.len())];
        Draw {
            person,
            entry,
            days,
            declared,
            attestation,
            new_attestation,
            isee: data,
            facts,
            outcome,
            filer,
            reviewer,
            decider,
            created_us,
        }
    }

    fn fits(&self, d: &Draw, target: St) -> bool {
        let needs_isee = self.s.catalogue[d.entry]
            .benefit
            .data
            .isee_variant
            .is_some();
        let valid_isee = !needs_isee
            || d.facts
                .isee
                .as_ref()
                .is_some_and(|i| i.valid_until >= d.facts.on);
        match (need(target), &d.outcome) {
            (Need::Any, _) => true,
            (Need::Eligible, Some(o)) => o.eligible && valid_isee,
            (Need::Ineligible, Some(o)) => !o.eligible,
            (_, None) => false,
        }
    }

    fn application(&mut self, i: usize) -> AppPlan {
        let forced = i < STATE_WEIGHTS.len() && self.s.count >= STATE_WEIGHTS.len();
        let mut target = if forced {
            STATE_WEIGHTS[i].0
        } else {
            draw_state(&mut self.rng)
        };
        let mut chosen = None;
        for _ in 0..80 {
            let d = self.draw(target);
            if self.fits(&d, target) {
                chosen = Some(d);
                break;
            }
        }
        let d = match chosen {
            Some(d) => d,
            None => {
                // No suitable person for that outcome (a tiny population): still in review.
                target = St::InReview;
                self.draw(target)
            }
        };
        let attestation_id = match (d.attestation, d.new_attestation) {
            (Some(k), _) => Some(self.attestations[k].id),
            (None, Some(n)) => {
                let id = self.rng.uuid7(n.at_us);
                let k = self.attestations.len();
                let actor = self.s.staff[d.filer].login.clone();
                self.attestations.push(Attestation {
                    id,
                    org_id: self.s.org_id,
                    person_id: self.person(d.person).id,
                    data: n.data,
                    source: if self.rng.percent(70) {
                        "inps_xml".into()
                    } else {
                        "manuale".into()
                    },
                    simulation: None,
                    actor,
                    at_us: n.at_us,
                });
                self.by_person.entry(d.person).or_default().push(k);
                Some(id)
            }
            (None, None) => None,
        };
        let entry = &self.s.catalogue[d.entry];
        // As `app::procedure::facts` counts them: accepted or being delivered.
        if target.grants() {
            self.granted
                .entry(d.person)
                .or_default()
                .push(entry.benefit.data.code.clone());
        }
        let reason = d
            .outcome
            .as_ref()
            .and_then(|o| o.checks.iter().find(|c| c.status == CheckStatus::NotMet))
            .map(|c| c.text.clone())
            .unwrap_or_else(|| "requisiti non soddisfatti".into());
        let documents = entry.benefit.data.documents.clone();
        let mut steps: Vec<Step> = Vec::with_capacity(d.days.len());
        let mut prev_us = 0i64;
        let mut from = None;
        for (k, &(to, on)) in d.days.iter().enumerate() {
            let mut at_us = if k == 0 {
                d.created_us
            } else {
                instant_us(&mut self.rng, on)
            };
            at_us = at_us.min(self.now_us).max(prev_us + 1);
            prev_us = at_us;
            let (actor, note) = match (from, to) {
                (None, _) => (d.filer, String::new()),
                (Some(St::Draft), St::Archived) => (
                    d.filer,
                    "Bozza ritirata su richiesta del richiedente".into(),
                ),
                (Some(St::Draft), _) => (d.filer, String::new()),
                (_, St::IntegrationRequested) => {
                    let doc = if documents.is_empty() {
                        "documentazione del reddito".to_owned()
                    } else {
                        documents[self.rng.index(documents.len())].clone()
                    };
                    (d.reviewer, format!("Si chiede di presentare: {doc}"))
                }
                (Some(St::IntegrationRequested), St::InReview) => {
                    (d.reviewer, "Integrazione ricevuta".into())
                }
                (_, St::NoticeOfRejection) => (
                    d.decider,
                    format!("Preavviso di rigetto (art. 10-bis L. 241/1990): {reason}"),
                ),
                (Some(St::NoticeOfRejection), St::Rejected) => {
                    let sent = d.days[k - 1].1;
                    let early = on <= sent + Duration::days(domain::application::NOTICE_REPLY_DAYS);
                    let obs = if early || self.rng.percent(30) {
                        "; osservazioni del richiedente ricevute, non superano i motivi"
                    } else {
                        "; nessuna osservazione nei termini"
                    };
                    (d.decider, format!("Respinta: {reason}{obs}"))
                }
                (Some(St::IntegrationRequested), St::Archived) => (
                    d.decider,
                    "Integrazione non pervenuta nei termini: domanda archiviata".into(),
                ),
                (_, St::Archived) => (d.decider, "Rinuncia del richiedente".into()),
                (_, St::Accepted) => (
                    d.decider,
                    "Requisiti verificati: domanda accolta secondo le regole in vigore".into(),
                ),
                (_, St::Concluded) => (d.reviewer, "Erogazione conclusa".into()),
                _ => (d.reviewer, String::new()),
            };
            let event_id = self.rng.uuid7(at_us);
            steps.push(Step {
                to,
                on,
                at_us,
                event_id,
                actor,
                note,
            });
            from = Some(to);
        }
        let created_us = steps[0].at_us;
        let id = self.rng.uuid7(created_us);
        let created = Application {
            id,
            org_id: self.s.org_id,
            person_id: self.person(d.person).id,
            benefit_id: entry.benefit.id,
            protocol: None,
            state: steps[0].to,
            channel: Channel::Counter,
            filed_by: self.s.staff[d.filer].id,
            reviewer_id: None,
            attestation_id,
            declared: d.declared,
            outcome: None,
            rule_id: None,
            amount: None,
            committed: Money::ZERO,
            email: None,
            notes: String::new(),
            submitted_on: None,
            due_on: None,
            suspended_since: None,
            notice_on: None,
            decided_on: None,
            decision_note: String::new(),
            version: 1,
            created_at_us: created_us,
        };
        AppPlan {
            created,
            entry: d.entry,
            facts: d.facts,
            attestation: d.isee,
            steps,
        }
    }

    /// A few more attestations for persons who have not applied yet.
    fn spare_attestations(&mut self, n: usize) {
        for _ in 0..n {
            let person = self.by_birth[self.rng.index(self.by_birth.len())];
            if self.by_person.contains_key(&person) {
                continue;
            }
            let days = (self.today - self.jan1).whole_days();
            let on = self.jan1 + Duration::days(self.rng.range(0, days));
            let data = self.attestation_data(person, on, IseeVariant::Ordinario, false);
            let at_us = instant_us(&mut self.rng, on).min(self.now_us);
            let id = self.rng.uuid7(at_us);
            let actor = self.s.staff[self.filers[self.rng.index(self.filers.len())]]
                .login
                .clone();
            let k = self.attestations.len();
            self.attestations.push(Attestation {
                id,
                org_id: self.s.org_id,
                person_id: self.person(person).id,
                data,
                source: "inps_xml".into(),
                simulation: None,
                actor,
                at_us,
            });
            self.by_person.entry(person).or_default().push(k);
        }
    }
}

fn unreachable_protocol() -> DsuProtocol {
    // The format above always parses; a fixed valid protocol keeps the code total.
    DsuProtocol::parse("protocol", "INPS-ISEE-2026-00000000A-00").expect("valid protocol")
}

/// The first day of the month `months` after `d`'s month.
fn month_after(d: Date, months: u8) -> Date {
    delivery_months(d, months.saturating_add(1))
        .last()
        .copied()
        .unwrap_or(d)
}

/// The rule version in force on `on`, chosen as `app::procedure::apply_rules` does.
pub fn in_force(entry: &Entry, on: Date) -> Option<&BenefitRule> {
    let versions: Vec<Rule> = entry.rules.iter().map(|r| r.rule.clone()).collect();
    rule_in_force(&versions, on)
        .and_then(|r| versions.iter().position(|v| std::ptr::eq(v, r)))
        .and_then(|i| entry.rules.get(i))
}

/// Decides every attestation and application. Pure: the same setup gives the same plan.
pub fn plan(setup: &Setup<'_>) -> Result<Plan> {
    let mut p = Planner::new(setup)?;
    let mut applications: Vec<AppPlan> = (0..setup.count).map(|i| p.application(i)).collect();
    p.spare_attestations(setup.count / 5);
    applications.sort_by_key(|a| (a.created.created_at_us, a.created.id));
    let mut attestations = p.attestations;
    attestations.sort_by_key(|a| (a.at_us, a.id));
    Ok(Plan {
        attestations,
        applications,
    })
}

// --- From plan to rows -----------------------------------------------------------------------

/// The rules in force on `on` with the plan's facts on that day, as
/// `app::procedure::facts` gives them.
fn rules_in_force(entry: &Entry, facts: &Facts, on: Date) -> Option<RulesInForce> {
    in_force(entry, on).map(|rule| RulesInForce {
        rule_id: rule.id,
        rule: rule.rule.clone(),
        facts: Facts {
            on,
            ..facts.clone()
        },
    })
}

/// The application as `app::procedure::file` makes it on `on`: submitted at once (with its
/// deadline) or a draft, with the rules of its day applied.
fn filed(p: &AppPlan, entry: &Entry, on: Date) -> Application {
    let mut app = p.created.clone();
    if app.state == St::Submitted {
        app.submitted_on = Some(on);
        app.due_on = Some(on + Duration::days(i64::from(entry.benefit.data.deadline_days)));
    }
    let rules = rules_in_force(entry, &p.facts, app.rules_day(on));
    app.apply_rules(&entry.benefit.data, rules.as_ref());
    app
}

/// The rows of each store call of an application: the creation, then every change of state
/// as `domain::application::Application::transition` decides it (deadlines, suspensions,
/// decisions, the checks of an acceptance, the months of delivery), so the demonstration
/// follows the rules. A change the transition refuses is an error: the plan went wrong.
/// The year's budget is not counted across the demonstration (the base catalogue has none).
pub fn stages(
    p: &AppPlan,
    catalogue: &[Entry],
    staff: &[Operator],
    today: Date,
) -> Result<Vec<Stage>> {
    let entry = &catalogue[p.entry];
    let benefit = &entry.benefit.data;
    let concluded = p.state() == St::Concluded;
    let this_month = today.replace_day(1).unwrap_or(today);
    let mut out: Vec<Stage> = Vec::with_capacity(p.steps.len());
    let mut rng = Rng::new(p.created.id.as_u64_pair().1, 7);
    for step in &p.steps {
        let by = &staff[step.actor];
        let (app, from, note, planned) = match out.last() {
            None => (
                filed(p, entry, step.on),
                None,
                step.note.clone(),
                Vec::new(),
            ),
            Some(previous) => {
                let t = Transition {
                    from: previous.app.state,
                    to: step.to,
                    note: step.note.clone(),
                    observations_received: false,
                };
                let facts = ChangeFacts {
                    by: by.id,
                    attestation: p.attestation.clone(),
                    rules: if step.to == St::Submitted {
                        rules_in_force(entry, &p.facts, step.on)
                    } else {
                        None
                    },
                    committed_in_year: Money::ZERO,
                    fund: None,
                    call: None,
                };
                let change = previous
                    .app
                    .transition(&t, benefit, &facts, step.on)
                    .map_err(|Refusal(errors)| {
                        anyhow!(
                            "domanda dimostrativa {}: da {} a {} rifiutato dalle regole: {}",
                            p.created.id,
                            t.from.label(),
                            t.to.label(),
                            errors
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join("; ")
                        )
                    })?;
                (change.app, Some(t.from), change.note, change.deliveries)
            }
        };
        let deliveries = planned
            .into_iter()
            .map(|m| {
                let status = if concluded || m.month < this_month {
                    DeliveryStatus::Delivered
                } else {
                    DeliveryStatus::Planned
                };
                Delivery {
                    id: rng.uuid7(step.at_us),
                    status,
                    ..Delivery::planned(&app, m, &by.login, step.at_us)
                }
            })
            .collect();
        out.push(Stage {
            event: ApplicationEvent {
                id: step.event_id,
                org_id: app.org_id,
                application_id: app.id,
                observations: (from == Some(St::NoticeOfRejection))
                    .then(|| note.contains("osservazioni del richiedente ricevute")),
                from,
                to: step.to,
                note,
                actor: by.login.clone(),
                at_us: step.at_us,
            },
            app,
            deliveries,
        });
    }
    Ok(out)
}

// --- Reading the inputs, writing the plan ----------------------------------------------------

/// The registry persons of the organization's comuni who may apply, with their households.
pub async fn population(store: &app::Store, org_id: Uuid) -> Result<Population> {
    let comuni = store.org_comuni(org_id).await?;
    let istat: Vec<&str> = comuni.iter().map(|c| c.istat_code.as_str()).collect();
    let mut rows = Vec::new();
    for c in &comuni {
        rows.extend(store.registry_persons(org_id, &c.belfiore_code).await?);
    }
    let key = |r: &store::RegistryPerson| {
        r.person
            .registry
            .as_ref()
            .map(|l| (l.comune.clone(), l.id.clone()))
            .unwrap_or_default()
    };
    rows.sort_by(|a, b| key(a).cmp(&key(b)).then(a.person.id.cmp(&b.person.id)));
    let mut pop = Population::default();
    let mut households: HashMap<String, usize> = HashMap::new();
    for r in rows {
        let p = r.person;
        if p.data.death_date.is_some() || p.registry_left_on.is_some() || p.merged_into.is_some() {
            continue;
        }
        let i = pop.persons.len();
        let (household, relationship) = match r.household {
            Some((code, rel)) => {
                let comune = p.registry.as_ref().map_or("", |l| l.comune.as_str());
                let next = pop.households.len();
                let h = *households.entry(format!("{comune}/{code}")).or_insert(next);
                if h == next {
                    pop.households.push(Vec::new());
                }
                pop.households[h].push(i);
                (Some(h), Some(rel))
            }
            None => (None, None),
        };
        pop.persons.push(Candidate {
            id: p.id,
            codice_fiscale: p
                .data
                .codice_fiscale
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            resident: p
                .data
                .residence
                .as_ref()
                .is_some_and(|a| istat.contains(&a.comune.istat.as_str())),
            surname: p.data.surname,
            given_names: p.data.given_names,
            birth_date: p.data.birth_date,
            household,
            relationship,
        });
    }
    Ok(pop)
}

/// The organization's catalogue with its rules; the base catalogue, valid from the first day
/// of the current year, is loaded first into an empty one. Whether it was loaded now.
pub async fn catalogue(
    store: &app::Store,
    actor: &Actor,
    org_id: Uuid,
    today: Date,
) -> Result<(Vec<Entry>, bool)> {
    let mut seeded = false;
    if store.list_benefits(org_id).await?.is_empty() {
        let from = first_of_year(today);
        let (mut benefits, rules) =
            store::base_catalogue_rows(org_id, from, actor.label(), unix_micros(actor.now));
        // Two benefits take applications on the portal: the places in residential and day
        // facilities all year, the rent contribution as a call open this month.
        for b in &mut benefits {
            b.data.portal = match b.data.code.as_str() {
                "sociosanitari-residenziali" => Some(PortalWindow { from, until: None }),
                "affitto" => Some(PortalWindow {
                    from: today.replace_day(1).unwrap_or(today),
                    until: Some(last_of_month(today)),
                }),
                _ => None,
            };
        }
        let audit = actor.audit_in(
            org_id,
            "benefit.seed",
            "benefit",
            None,
            format!(
                "Dati dimostrativi: caricato il catalogo di base, {} prestazioni e {} versioni delle regole valide dal {}",
                benefits.len(),
                rules.len(),
                domain::dates::format_date(from)
            ),
        );
        store.seed_benefits(&benefits, &rules, &audit).await?;
        seeded = true;
    }
    let mut rules: HashMap<Uuid, Vec<BenefitRule>> = HashMap::new();
    for r in store.all_rules(org_id).await? {
        rules.entry(r.benefit_id).or_default().push(r);
    }
    let mut entries: Vec<Entry> = store
        .list_benefits(org_id)
        .await?
        .into_iter()
        .map(|b| Entry {
            rules: rules.remove(&b.id).unwrap_or_default(),
            benefit: b,
        })
        .collect();
    entries.sort_by(|a, b| a.benefit.data.code.cmp(&b.benefit.data.code));
    Ok((entries, seeded))
}

/// The operators of the organization, by login.
pub async fn staff(store: &app::Store, org_id: Uuid) -> Result<Vec<Operator>> {
    let mut out: Vec<Operator> = store
        .list_members(org_id)
        .await?
        .into_iter()
        .filter(|m| m.user.active)
        .map(|m| Operator {
            id: m.user.id,
            login: m.user.login.to_string(),
            role: m.role,
        })
        .collect();
    out.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(out)
}

/// What was written, and how fast.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub catalogue_seeded: bool,
    pub benefits: usize,
    pub attestations: usize,
    pub applications: usize,
    pub by_state: Vec<(St, usize)>,
    pub transactions: usize,
    pub deliveries: usize,
    pub plan_seconds: f64,
    pub write_seconds: f64,
}

impl Written {
    pub fn report(&self) -> String {
        let states: Vec<String> = self
            .by_state
            .iter()
            .map(|(s, n)| format!("{} {n}", s.label()))
            .collect();
        let rate = if self.write_seconds > 0.0 {
            self.transactions as f64 / self.write_seconds
        } else {
            0.0
        };
        format!(
            "{}{} attestazioni ISEE, {} domande ({}), {} mesi di erogazione; {} transazioni in {:.1} s ({:.0}/s), piano in {:.1} s.",
            if self.catalogue_seeded {
                format!(
                    "Catalogo di base caricato ({} prestazioni); ",
                    self.benefits
                )
            } else {
                format!("Catalogo esistente ({} prestazioni); ", self.benefits)
            },
            self.attestations,
            self.applications,
            states.join(", "),
            self.deliveries,
            self.transactions,
            self.write_seconds,
            rate,
            self.plan_seconds,
        )
    }
}

/// Plans and stores `count` applications for the organization: the whole demonstration.
pub async fn generate(
    store: &app::Store,
    org: &Organization,
    count: usize,
    seed: u64,
    now: OffsetDateTime,
    progress: bool,
) -> Result<Written> {
    let org_id = org.id;
    let actor = Actor::system(org.clone(), now);
    let started = std::time::Instant::now();
    let (entries, seeded) = catalogue(store, &actor, org_id, today(now)).await?;
    let staff = staff(store, org_id).await?;
    let population = population(store, org_id).await?;
    let setup = Setup {
        org_id,
        now,
        seed,
        count,
        population: &population,
        staff: &staff,
        catalogue: &entries,
    };
    let plan = plan(&setup)?;
    drop(population);
    let plan_seconds = started.elapsed().as_secs_f64();
    let mut w = write(store, &actor, &plan, &entries, &staff, today(now), progress).await?;
    w.catalogue_seeded = seeded;
    w.benefits = entries.len();
    w.plan_seconds = plan_seconds;
    Ok(w)
}

/// Stores the plan, one store call per attestation and per step.
pub async fn write(
    store: &app::Store,
    actor: &Actor,
    plan: &Plan,
    catalogue: &[Entry],
    staff: &[Operator],
    today: Date,
    progress: bool,
) -> Result<Written> {
    let started = std::time::Instant::now();
    let total = (plan.attestations.len() + plan.applications.len()) as u64;
    let bar = if progress {
        indicatif::ProgressBar::new(total)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut w = Written::default();
    for (k, a) in plan.attestations.iter().enumerate() {
        let audit = actor.audit_in(
            a.org_id,
            "isee.add",
            "isee_attestation",
            Some(a.id),
            format!(
                "Dati dimostrativi: attestazione ISEE {} ({})",
                a.data.protocol.as_str(),
                a.data.variant.label()
            ),
        );
        match store.add_attestation(a, &audit).await {
            Ok(()) => {}
            Err(StoreError::Duplicate(_)) => bail!(
                "l'attestazione ISEE {} è già presente: i dati dimostrativi con questo seme sono già stati generati, usare un altro --seed",
                a.data.protocol.as_str()
            ),
            Err(e) => return Err(e.into()),
        }
        w.transactions += 1;
        if k % 1_000 == 0 {
            bar.set_position(k as u64);
        }
    }
    w.attestations = plan.attestations.len();
    let mut counts: HashMap<St, usize> = HashMap::new();
    for (k, p) in plan.applications.iter().enumerate() {
        let benefit = &catalogue[p.entry].benefit.data.name;
        let mut protocol: Option<String> = None;
        for (n, stage) in stages(p, catalogue, staff, today)?.into_iter().enumerate() {
            let mut app = stage.app;
            app.protocol.clone_from(&protocol);
            let audit = actor.audit_in(
                app.org_id,
                if n == 0 {
                    "application.create"
                } else {
                    "application.state"
                },
                "application",
                Some(app.id),
                format!(
                    "Dati dimostrativi: domanda {} per {benefit} ({})",
                    protocol.as_deref().unwrap_or("senza protocollo"),
                    app.state.label()
                ),
            );
            let given = if n == 0 {
                store.create_application(&app, &stage.event, &audit).await
            } else {
                store
                    .change_application_state(&app, &stage.event, &stage.deliveries, &audit)
                    .await
            }
            .with_context(|| format!("domanda {}", app.id))?;
            if given.is_some() {
                protocol = given;
            }
            w.deliveries += stage.deliveries.len();
            w.transactions += 1;
        }
        *counts.entry(p.state()).or_default() += 1;
        if k % 1_000 == 0 {
            bar.set_position((plan.attestations.len() + k) as u64);
        }
    }
    bar.finish_and_clear();
    w.applications = plan.applications.len();
    w.by_state = St::ALL
        .iter()
        .map(|s| (*s, counts.get(s).copied().unwrap_or(0)))
        .collect();
    w.write_seconds = started.elapsed().as_secs_f64();
    Ok(w)
}

/// `sportello demo applications`.
pub async fn run(store: &app::Store, args: &ApplicationsArgs) -> Result<()> {
    let org = match &args.ente {
        Some(code) => store
            .get_org_by_code(&OrgCode::parse(code)?)
            .await
            .with_context(|| format!("ente «{code}» non trovato"))?,
        None => {
            let mut found: Vec<_> = store
                .list_orgs()
                .await?
                .into_iter()
                .filter(|o| {
                    o.active && matches!(o.kind, OrgKind::Comune | OrgKind::AmbitoTerritoriale)
                })
                .collect();
            match found.len() {
                1 => found.remove(0),
                0 => bail!("nessun comune o ambito nel database: crearlo con «sportello org add»"),
                _ => bail!(
                    "più enti possibili ({}): scegliere con --ente",
                    found
                        .iter()
                        .map(|o| o.code.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let now = app::Clock::default().now();
    let w = generate(
        store,
        &org,
        args.count,
        args.seed,
        now,
        args.count >= 10_000,
    )
    .await?;
    println!("{}: {}", org.code, w.report());
    Ok(())
}

#[cfg(test)]
mod tests;
