//! Speed of the demo population generator (`sportello demo generate`).
//! Run: `cd crates/territory && cargo bench --bench demo`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use territory::demo;
use time::{Date, macros::date};

const REFERENCE: Date = date!(2026 - 11 - 26);
const PERSONS: usize = 10_000;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo_generate");
    group.throughput(Throughput::Elements(PERSONS as u64));
    group.sample_size(20);
    group.bench_function("residents", |b| {
        b.iter(|| {
            let rows = demo::generate(black_box(PERSONS), 1, &["016024"], REFERENCE)
                .expect("known comune");
            black_box(rows.count());
        })
    });
    let mut buf = Vec::with_capacity(2 << 20);
    group.bench_function("residents_csv", |b| {
        b.iter(|| {
            buf.clear();
            let rows = demo::generate(black_box(PERSONS), 1, &["016024"], REFERENCE)
                .expect("known comune");
            demo::write_csv(&mut buf, rows, |_| {}).expect("in-memory write");
            black_box(buf.len());
        })
    });
    group.bench_function("next_month_csv", |b| {
        b.iter(|| {
            buf.clear();
            let rows = demo::generate_next_month(black_box(PERSONS), 1, &["016024"], REFERENCE)
                .expect("known comune");
            demo::write_csv(&mut buf, rows, |_| {}).expect("in-memory write");
            black_box(buf.len());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
