//! A call's ranking of 100,000 applications (the figure; target ≤ 1 s persisted and
//! published): each scored on its facts, ranked by score, ISEE and protocol, funded down the
//! list, and turned into the published lines. The storing is measured apart (docs/
//! performance.md, «Graduatorie»).
//!
//! `cargo bench -p domain --bench ranking -- --warm-up-time 1 --measurement-time 5`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::call::{
    Candidate, Criterion as Rule, IseeBand, Measure, RentBand, ScoringFacts, ScoringRules,
    publication, rank, score,
};
use domain::money::Money;
use std::hint::black_box;
use uuid::Uuid;

const APPLICATIONS: u32 = 100_000;

fn rules() -> ScoringRules {
    let band = |up_to, points| IseeBand {
        up_to: Money::from_euro(up_to),
        points,
    };
    ScoringRules {
        criteria: vec![
            Rule {
                measure: Measure::Isee {
                    bands: vec![band(3_000, 30), band(6_000, 20), band(9_360, 10)],
                },
                article: "art. 5, c. 1".into(),
            },
            Rule {
                measure: Measure::Minors { each: 5, max: 15 },
                article: "art. 5, c. 2".into(),
            },
            Rule {
                measure: Measure::Disability { points: 10 },
                article: "art. 5, c. 3".into(),
            },
            Rule {
                measure: Measure::Rent {
                    bands: vec![
                        RentBand {
                            from_percent: 30,
                            points: 10,
                        },
                        RentBand {
                            from_percent: 60,
                            points: 20,
                        },
                    ],
                },
                article: "art. 5, c. 4".into(),
            },
            Rule {
                measure: Measure::Waiting { each: 1, max: 24 },
                article: "art. 5, c. 5".into(),
            },
        ],
    }
}

/// Applicant `n`'s facts, spread so that many scores tie.
fn facts(n: u32) -> ScoringFacts {
    ScoringFacts {
        isee: Some(Money(i64::from(n % 12_000) * 100)),
        household_size: 1 + n % 5,
        minors: n % 4,
        disability: n.is_multiple_of(11),
        rent: Some(Money(i64::from(n % 7_000) * 100)),
        waiting_months: Some(n % 30),
    }
}

fn ranking(c: &mut Criterion) {
    let rules = rules();
    let facts: Vec<ScoringFacts> = (0..APPLICATIONS).map(facts).collect();
    let mut group = c.benchmark_group("ranking");
    group.throughput(Throughput::Elements(u64::from(APPLICATIONS)));
    group.sample_size(10);
    group.bench_function("score_rank_fund_publish_100000", |b| {
        b.iter(|| {
            let candidates: Vec<Candidate> = facts
                .iter()
                .zip(0u32..)
                .map(|(f, n)| Candidate {
                    application_id: Uuid::from_u128(u128::from(n)),
                    protocol: format!("2026/{:06}", n + 1),
                    excluded: None,
                    isee: f.isee,
                    breakdown: score(&rules, f),
                    requested: Money::from_euro(600),
                })
                .collect();
            let rows = rank(candidates, Money::from_euro(12_000_000), true);
            black_box(publication(&rows))
        });
    });
    group.finish();
}

criterion_group!(benches, ranking);
criterion_main!(benches);
