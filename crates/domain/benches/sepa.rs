//! The SEPA credit transfer file of a large ente's month: 50,000 payments in one pain.001.001.09
//! document (five lists of 10,000), written and validated against the XSD; the target is 5 s.
//!
//! `cargo bench -p domain --bench sepa -- --warm-up-time 1 --measurement-time 20`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::money::Money;
use domain::payment::{Batch, Iban, Initiation, Transfer, pain001, sepa_id, validate_pain001};
use std::hint::black_box;
use time::macros::{date, datetime};
use uuid::Uuid;

const PAYMENTS: usize = 50_000;

fn initiation() -> Initiation {
    let treasury = Iban::italian('X', "05428", "11101", "000000123456").expect("the treasury IBAN");
    let batches = (0..5u128)
        .map(|b| Batch {
            id: sepa_id(Uuid::from_u128(b)),
            debtor: "Comune di Bergamo".into(),
            debtor_iban: treasury.clone(),
            execution: date!(2026 - 12 - 10),
            transfers: (0..PAYMENTS as u128 / 5)
                .map(|n| {
                    let k = b * 100_000 + n;
                    Transfer {
                        end_to_end: sepa_id(Uuid::from_u128(1_000_000 + k)),
                        amount: Money(25_000 + (k % 997) as i64),
                        creditor: format!("Beneficiario Numero {k}"),
                        iban: Iban::italian('A', "03069", "09606", &format!("{k:012}"))
                            .expect("an IBAN"),
                        remittance: format!(
                            "Contributo economico straordinario novembre 2026 - pratica {k}"
                        ),
                    }
                })
                .collect(),
        })
        .collect();
    Initiation {
        message_id: sepa_id(Uuid::from_u128(7)),
        created: datetime!(2026-12-07 10:00 UTC),
        initiator: "Comune di Bergamo".into(),
        batches,
    }
}

fn sepa(c: &mut Criterion) {
    let i = initiation();
    // The schema is parsed once, outside the measure, as a running server has it.
    black_box(validate_pain001("<Document/>"));
    let mut g = c.benchmark_group("sepa");
    g.throughput(Throughput::Elements(PAYMENTS as u64));
    g.sample_size(10);
    g.bench_function("build_and_validate_50000_payments", |b| {
        b.iter(|| {
            let xml = pain001(&i);
            assert_eq!(validate_pain001(&xml), Vec::<String>::new());
            black_box(xml.len())
        })
    });
    g.finish();
}

criterion_group!(benches, sepa);
criterion_main!(benches);
