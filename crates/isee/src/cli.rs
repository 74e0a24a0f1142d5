//! The work behind `sportello isee calc|batch|explain`: the binary only wires these functions
//! to files, stdin/stdout and a progress bar.

use std::io::{BufRead, BufWriter, Read, Write};

use serde::Serialize;

use crate::calc::{CalcError, compute};
use crate::dsu::{Dsu, DsuError};
use crate::report::{Report, Summary, explain as explain_text};

/// Errors of the CLI functions, with Italian messages that name the quadro and the field.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("errore di lettura o scrittura: {0}")]
    Io(#[from] std::io::Error),
    #[error("DSU non valida. {0}")]
    Dsu(#[from] DsuError),
    #[error("calcolo ISEE non eseguibile: {0}")]
    Calcolo(#[from] CalcError),
    #[error("errore nella scrittura del risultato: {0}")]
    Output(#[from] serde_json::Error),
}

/// Counts of a `batch` run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// Lines read (blank lines included).
    pub lines: u64,
    /// DSUs computed.
    pub ok: u64,
    /// Lines answered with an error object.
    pub errors: u64,
}

fn parse_and_compute(bytes: &[u8]) -> Result<(Dsu, crate::calc::Attestazione), CliError> {
    let dsu = Dsu::from_json(bytes)?;
    let att = compute(&dsu)?;
    Ok((dsu, att))
}

/// Reads one DSU as JSON and writes the attestation as pretty JSON: `isr`, `isp`, `ise`,
/// `scala`, `isee` as decimal strings, the itemized lines under `detail`.
pub fn calc(input: &mut dyn Read, out: &mut dyn Write) -> Result<(), CliError> {
    let mut buf = Vec::new();
    input.read_to_end(&mut buf)?;
    let (dsu, att) = parse_and_compute(&buf)?;
    serde_json::to_writer_pretty(&mut *out, &Report::new(&dsu, &att))?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct LineError<'a> {
    line: u64,
    error: &'a str,
}

/// How often (in lines) `batch` reports progress.
pub const PROGRESS_EVERY: u64 = 4096;

/// One DSU per JSONL line in, one result per line out (`{"line": N, "error": "..."}` for a bad
/// line, then it goes on). `progress` receives the number of lines read so far, every
/// [`PROGRESS_EVERY`] lines and at the end. Blank lines are counted and skipped.
pub fn batch(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<BatchSummary, CliError> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    let mut line = Vec::with_capacity(8192);
    let mut summary = BatchSummary::default();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        summary.lines += 1;
        let n = summary.lines;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_and_compute(&line) {
            Ok((dsu, att)) => {
                serde_json::to_writer(&mut w, &Summary::new(n, &dsu, &att))?;
                summary.ok += 1;
            }
            Err(e) => {
                let msg = e.to_string();
                serde_json::to_writer(
                    &mut w,
                    &LineError {
                        line: n,
                        error: &msg,
                    },
                )?;
                summary.errors += 1;
            }
        }
        w.write_all(b"\n")?;
        if n % PROGRESS_EVERY == 0 {
            progress(n);
        }
    }
    w.flush()?;
    progress(summary.lines);
    Ok(summary)
}

/// Reads one DSU and writes the calculation as an Italian explanation a citizen can follow.
pub fn explain(input: &mut dyn Read, out: &mut dyn Write) -> Result<(), CliError> {
    let mut buf = Vec::new();
    input.read_to_end(&mut buf)?;
    let (dsu, att) = parse_and_compute(&buf)?;
    out.write_all(explain_text(&dsu, &att).as_bytes())?;
    out.flush()?;
    Ok(())
}
