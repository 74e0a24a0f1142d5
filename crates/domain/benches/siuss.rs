//! SIUSS records built and checked against INPS's XSDs: a region's year is 250,000 deliveries
//! and 50,000 assessments, the target 60 s for all of them. One iteration builds and
//! validates 1,000 PSA records and 200 SINA and SINBA records (a 250th of the year);
//! docs/performance.md multiplies.
//!
//! `cargo bench -p domain --bench siuss -- --warm-up-time 1 --measurement-time 5`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::benefit::{Area, DeliveryKind, Periodicity};
use domain::money::Money;
use domain::siuss::{
    AssessmentFacts, Beneficiary, DeliveryFacts, Dsu, Intervention, Operation, Sender,
    assessment_record, delivery_record,
};
use std::hint::black_box;
use time::macros::date;
use uuid::Uuid;

const SINA: &str = r#"{"mobility":"2","daily_living":"2","cognitive_disorders":"1",
    "behavioural_disorders":"1","income":"2","support_network":"2","assessment_source":"1",
    "assessment_instrument":"1","civil_invalidity":["2","6"],"invalidity_source":"1"}"#;
const SINBA: &str = r#"{"unaccompanied_foreign_minor":"2","orphan_status":"1",
    "living_place":"3","household_members":["1","3"],"school":"5","work_status":"1",
    "disability":"2","first_referral_date":"2026-02-03","referral_source":"13",
    "child_assessment":"4","family_assessment":"2","court_referral":"2","court_order":"2"}"#;

fn person(n: u128, born: time::Date) -> Beneficiary {
    Beneficiary {
        id: Uuid::from_u128(n),
        codice_fiscale: Some("BNCLCU70A01A794K".into()),
        surname: "Bianchi".into(),
        given_names: "Luca".into(),
        sex: "M".into(),
        birth_date: born,
        birthplace_code: "A794".into(),
        citizenship: "Z129".into(),
        residence_istat: Some("016024".into()),
    }
}

fn records(c: &mut Criterion) {
    let sender = Sender {
        ente_code: "A794".into(),
        ente_name: "Comune di Bergamo".into(),
        seat_belfiore: "A794".into(),
        operator_cf: "80034840167".into(),
        pseudonym_key: vec![7; 32],
    };
    let deliveries: Vec<DeliveryFacts> = (0..1_000u128)
        .map(|n| DeliveryFacts {
            delivery_id: Uuid::from_u128(n),
            application_id: Uuid::from_u128(n + 1),
            protocol: Some(format!("2026/{n:06}")),
            benefit_id: Uuid::from_u128(7),
            benefit_name: "Assistenza domiciliare".into(),
            siuss_code: "A2.07".into(),
            periodicity: Periodicity::Periodic,
            means_tested: true,
            area: Area::Anziani,
            delivery_kind: DeliveryKind::Hours,
            month: date!(2026 - 03 - 01),
            quantity: Some(12),
            amount: Money(0),
            co_payment: Money(3_600),
            dsu: Some(Dsu {
                protocol: "INPS-ISEE-2026-00012345A-00".into(),
                submitted_on: date!(2026 - 01 - 15),
            }),
            in_care: n % 3 == 0,
            person: person(n, date!(1940 - 05 - 02)),
        })
        .collect();
    let assessments: Vec<AssessmentFacts> = (0..200u128)
        .map(|n| {
            let sinba = n % 2 == 0;
            AssessmentFacts {
                assessment_id: Uuid::from_u128(n),
                case_file_id: Uuid::from_u128(n + 1),
                case_number: format!("2026/{n}"),
                form: if sinba { "sinba" } else { "sina" }.into(),
                form_version: if sinba { "SINBA-1.0.0" } else { "SINA-2018.12" }.into(),
                assessed_on: date!(2026 - 03 - 10),
                answers: if sinba { SINBA } else { SINA }.into(),
                interventions: vec![Intervention {
                    siuss_code: "A2.07".into(),
                    from: date!(2026 - 03 - 15),
                }],
                person: person(
                    n,
                    if sinba {
                        date!(2016 - 09 - 30)
                    } else {
                        date!(1940 - 05 - 02)
                    },
                ),
            }
        })
        .collect();
    let mut g = c.benchmark_group("siuss");
    g.throughput(Throughput::Elements(1_200));
    g.sample_size(10);
    g.bench_function("build_and_validate_1000_deliveries_200_assessments", |b| {
        b.iter(|| {
            let mut valid = 0;
            for d in &deliveries {
                valid += usize::from(delivery_record(&sender, d, Operation::Insert).is_valid());
            }
            for a in &assessments {
                valid += usize::from(assessment_record(&sender, a, Operation::Insert).is_valid());
            }
            assert_eq!(valid, 1_200);
            black_box(valid)
        })
    });
    g.finish();
}

criterion_group!(benches, records);
criterion_main!(benches);
