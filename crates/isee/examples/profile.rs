//! One pass of a part of the engine over a JSONL file, for `valgrind --tool=callgrind` or
//! `perf` (instruction counts are steadier than times on a shared machine):
//!
//! ```sh
//! cargo build --release -p isee --example profile
//! valgrind --tool=callgrind target/release/examples/profile parse FILE.jsonl
//! ```
//!
//! Modes: `parse` (`Dsu::from_json`), `compute` (`isee::compute` on parsed DSUs: the parse is
//! counted too, subtract a `parse` run), `batch` (`cli::batch` on one thread).

use std::hint::black_box;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        return Err("uso: profile parse|compute|batch FILE.jsonl".into());
    };
    let text = std::fs::read(path)?;
    let lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    match mode.as_str() {
        "parse" => {
            for l in lines {
                black_box(isee::Dsu::from_json(l).ok());
            }
        }
        "compute" => {
            let dsus: Vec<isee::Dsu> = lines.filter_map(|l| isee::Dsu::from_json(l).ok()).collect();
            for d in &dsus {
                black_box(isee::compute(d).ok());
            }
        }
        "batch" => {
            let mut out = Vec::new();
            let s = isee::cli::batch_with_threads(&mut text.as_slice(), &mut out, &mut |_| {}, 1)?;
            eprintln!("{s:?}");
        }
        _ => return Err(format!("modo sconosciuto: {mode}").into()),
    }
    Ok(())
}
