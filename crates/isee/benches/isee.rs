//! Throughput of the ISEE engine on a realistic mix of households.
//!
//! `cargo bench --bench isee` (from crates/isee). Figures in docs/performance.md.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use isee::{Dsu, compute};

#[path = "support/mix.rs"]
mod mix;
use mix::mix;

fn bench(c: &mut Criterion) {
    let lines = mix(4096);
    let dsus: Vec<Dsu> = lines
        .iter()
        .map(|l| Dsu::from_json(l.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{l}")))
        .collect();

    let mut g = c.benchmark_group("isee");
    g.throughput(Throughput::Elements(dsus.len() as u64));
    g.bench_function("compute_ordinario_mix", |b| {
        b.iter(|| {
            for d in &dsus {
                black_box(compute(black_box(d)).ok());
            }
        })
    });
    g.bench_function("parse_and_validate", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(Dsu::from_json(black_box(l.as_bytes())).ok());
            }
        })
    });

    // Reference: serde_json only scanning the same lines, the floor of any serde_json parse.
    g.bench_function("serde_json_ignored_any", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(
                    serde_json::from_slice::<serde::de::IgnoredAny>(black_box(l.as_bytes())).ok(),
                );
            }
        })
    });
    eprintln!(
        "bytes per line: {}",
        lines.iter().map(|l| l.len()).sum::<usize>() / lines.len()
    );
    let mut jsonl = lines.join("\n");
    jsonl.push('\n');
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("cli_batch_jsonl", |b| {
        let mut out = Vec::with_capacity(jsonl.len());
        b.iter(|| {
            out.clear();
            let summary =
                isee::cli::batch_with_threads(&mut jsonl.as_bytes(), &mut out, &mut |_| {}, 1);
            black_box(summary.ok());
        })
    });
    // The same on every core (what `sportello isee batch` does): 16.384 lines, so that the
    // blocks keep the workers busy.
    let mut big = String::with_capacity(jsonl.len() * 4);
    for _ in 0..4 {
        big.push_str(&jsonl);
    }
    g.throughput(Throughput::Elements(4 * lines.len() as u64));
    g.bench_function("cli_batch_jsonl_all_cores", |b| {
        let mut out = Vec::with_capacity(big.len());
        b.iter(|| {
            out.clear();
            let summary = isee::cli::batch(&mut big.as_bytes(), &mut out, &mut |_| {});
            black_box(summary.ok());
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}

/// `ISEE_BENCH_JSONL=FILE [ISEE_BENCH_LINES=N] cargo bench --bench isee` writes N lines
/// (default 100.000) of the same mix to FILE, for timing `sportello isee batch`, and exits.
fn main() {
    if let Some(path) = std::env::var_os("ISEE_BENCH_JSONL") {
        let n = std::env::var("ISEE_BENCH_LINES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let mut text = mix(n).join("\n");
        text.push('\n');
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
