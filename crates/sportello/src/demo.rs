//! `sportello demo`: demonstration data (see `territory::demo`).

use anyhow::{Context, Result};
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;
use time::{Date, Month};

/// Bergamo, the comune of the demonstration.
pub const DEFAULT_COMUNE: &str = "016024";

#[derive(Subcommand)]
pub enum DemoCmd {
    /// Write a synthetic population in the format of the civil-registry import (CSV, `;`):
    /// the same file for the same options.
    Generate {
        /// Number of persons (rows).
        #[arg(long, default_value_t = 2_000)]
        persons: usize,
        /// Seed: another seed gives other persons.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// ISTAT code of a comune of residence; repeatable (households are spread among them).
        #[arg(long = "comune", default_value = DEFAULT_COMUNE)]
        comuni: Vec<String>,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Reference date of the population, YYYY-MM-DD (default: one month ago, so that the
        /// file of the following month is today's).
        #[arg(long)]
        data: Option<String>,
        /// The same population one month after --data: a few births, deaths, moves out and
        /// in, address changes and marriages (for the incremental import).
        #[arg(long)]
        mese_successivo: bool,
    },
}

/// One month before `d` (the last day of that month when it is shorter).
pub fn month_before(d: Date) -> Date {
    let (year, month) = match d.month() {
        Month::January => (d.year() - 1, Month::December),
        m => (d.year(), m.previous()),
    };
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

pub fn run(cmd: &DemoCmd) -> Result<()> {
    match cmd {
        DemoCmd::Generate {
            persons,
            seed,
            comuni,
            out,
            data,
            mese_successivo,
        } => {
            let today = time::OffsetDateTime::now_utc().date();
            let reference = match data {
                Some(raw) => Date::parse(
                    raw,
                    &time::macros::format_description!("[year]-[month]-[day]"),
                )
                .with_context(|| {
                    format!("data di riferimento «{raw}»: scrivila come AAAA-MM-GG")
                })?,
                None => month_before(today),
            };
            let comuni: Vec<&str> = comuni.iter().map(String::as_str).collect();
            let writer: Box<dyn Write> = match out {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("impossibile creare {}", path.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let writer = std::io::BufWriter::with_capacity(1 << 16, writer);
            let bar = if *persons >= 100_000 {
                indicatif::ProgressBar::new(*persons as u64)
            } else {
                indicatif::ProgressBar::hidden()
            };
            let started = std::time::Instant::now();
            let progress = |n| bar.set_position(n);
            let (rows, date, summary) = if *mese_successivo {
                let mut next =
                    territory::demo::generate_next_month(*persons, *seed, &comuni, reference)?;
                let rows = territory::demo::write_csv(writer, next.by_ref(), progress)?;
                (rows, next.reference(), Some(next.summary()))
            } else {
                let population = territory::demo::generate(*persons, *seed, &comuni, reference)?;
                let rows = territory::demo::write_csv(writer, population, progress)?;
                (rows, reference, None)
            };
            bar.finish_and_clear();
            let mut err = std::io::stderr().lock();
            let target = out
                .as_ref()
                .map_or("standard output".to_owned(), |p| p.display().to_string());
            writeln!(
                err,
                "{rows} persone al {date} scritte su {target} in {:.1} s.",
                started.elapsed().as_secs_f64()
            )?;
            if let Some(s) = summary {
                writeln!(
                    err,
                    "Rispetto al {reference}: {} nascite, {} decessi, {} emigrati, {} immigrati, \
                     {} cambi di indirizzo, {} matrimoni.",
                    s.births, s.deaths, s.moved_out, s.moved_in, s.address_changes, s.marriages
                )?;
            }
        }
    }
    Ok(())
}
