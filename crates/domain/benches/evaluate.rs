//! Throughput of the rules engine: 100.000 applications evaluated against the rules of the
//! base catalogue, the target being at most 5 s for all of them.
//!
//! `cargo bench -p domain --bench evaluate -- --warm-up-time 1 --measurement-time 5`.
//! One iteration evaluates all 100.000 applications; `evaluate_and_store_json` also writes
//! each outcome as the application stores it ([`Outcome::to_json`]).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::benefit::{BenefitData, Facts, IseeFact, IseeVariant, Rule, base_catalogue, evaluate};
use domain::money::Money;
use time::macros::date;
use time::{Date, Duration, Month};

const APPLICATIONS: usize = 100_000;

/// A tiny deterministic generator (Knuth's MMIX LCG): the same facts on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const VARIANTS: [IseeVariant; 5] = [
    IseeVariant::Ordinario,
    IseeVariant::Minorenni,
    IseeVariant::Universita,
    IseeVariant::Sociosanitario,
    IseeVariant::Residenze,
];

fn day_in(year: i32, r: &mut Lcg) -> Date {
    let month = Month::try_from(r.below(12) as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, r.below(28) as u8 + 1).unwrap_or(date!(2026 - 01 - 01))
}

/// Facts of one application: ages from newborns to the very old, households of one to
/// seven, ISEE from zero to 60.000 € in every variant, some expired or missing, some with
/// discrepancies, costs for the percentages and units for the tariffs, now and then an
/// incompatible benefit already held.
fn facts(i: usize, r: &mut Lcg) -> Facts {
    let on = day_in(2026, r);
    let isee = (!r.chance(12)).then(|| {
        let variant = if r.chance(70) {
            IseeVariant::Ordinario
        } else {
            VARIANTS[r.below(VARIANTS.len() as u64) as usize]
        };
        let corrente = r.chance(10);
        let valid_until = if r.chance(8) {
            on - Duration::days(1 + r.below(60) as i64)
        } else if corrente {
            on + Duration::days(r.below(180) as i64)
        } else {
            date!(2026 - 12 - 31)
        };
        IseeFact {
            protocol: format!("INPS-ISEE-2026-{:08}A-00", i),
            value: Money(r.below(6_000_000) as i64),
            variant,
            corrente,
            valid_until,
            discrepancies: r.chance(5),
        }
    });
    let age = r.below(96) as i64;
    let birth_date = on - Duration::days(age * 365 + r.below(365) as i64);
    let resident = r.chance(90);
    let resident_since =
        (resident && r.chance(85)).then(|| on - Duration::days(r.below(40 * 365) as i64));
    let household_size = 1 + r.below(7) as u32;
    let minors = (r.below(u64::from(household_size))) as u32;
    let other_benefits = if r.chance(10) {
        vec!["contributo-straordinario".to_owned()]
    } else if r.chance(5) {
        vec!["sad".to_owned(), "affitto".to_owned()]
    } else {
        Vec::new()
    };
    Facts {
        on,
        isee,
        birth_date,
        resident,
        resident_since,
        household_size,
        minors,
        disability: r.chance(15),
        other_benefits,
        cost: (!r.chance(15)).then(|| Money(10_000 + r.below(1_000_000) as i64)),
        units: (!r.chance(10)).then(|| r.below(61) as u32),
    }
}

fn bench(c: &mut Criterion) {
    let catalogue = base_catalogue(date!(2026 - 01 - 01));
    let rules: Vec<(&BenefitData, &Rule)> = catalogue
        .iter()
        .filter_map(|s| s.rule.as_ref().map(|r| (&s.data, r)))
        .collect();
    assert!(!rules.is_empty(), "the base catalogue has no rules");
    let mut r = Lcg(0x5350_4f52_5445_4c4c);
    let cases: Vec<(usize, Facts)> = (0..APPLICATIONS)
        .map(|i| (i % rules.len(), facts(i, &mut r)))
        .collect();

    // What the mix looks like, so that a change in the generator shows.
    let outcomes: Vec<_> = cases
        .iter()
        .map(|(k, f)| {
            let (b, rule) = rules[*k];
            evaluate(b, rule, f)
        })
        .collect();
    let eligible = outcomes.iter().filter(|o| o.eligible).count();
    let with_amount = outcomes.iter().filter(|o| o.amount.is_some()).count();
    let json_bytes: usize = outcomes.iter().map(|o| o.to_json().len()).sum();
    eprintln!(
        "{APPLICATIONS} applications over {} rules ({}): {eligible} eligible, {with_amount} with an amount, {} JSON bytes per outcome on average",
        rules.len(),
        rules
            .iter()
            .map(|(b, _)| b.code.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        json_bytes / APPLICATIONS
    );

    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Elements(APPLICATIONS as u64));
    g.sample_size(10);
    g.bench_function("evaluate_100k", |b| {
        b.iter(|| {
            for (k, f) in &cases {
                let (benefit, rule) = rules[*k];
                black_box(evaluate(black_box(benefit), black_box(rule), black_box(f)));
            }
        })
    });
    g.bench_function("evaluate_and_store_json_100k", |b| {
        b.iter(|| {
            for (k, f) in &cases {
                let (benefit, rule) = rules[*k];
                let o = evaluate(black_box(benefit), black_box(rule), black_box(f));
                black_box(o.to_json());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
