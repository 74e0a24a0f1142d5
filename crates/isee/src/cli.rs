//! The work behind `sportello isee calc|batch|explain`: the binary only wires these functions
//! to files, stdin/stdout and a progress bar.

use std::io::{BufRead, Read, Write};

use serde::Serialize;

use crate::calc::{CalcError, compute};
use crate::dsu::{Dsu, DsuError};
use crate::report::{Report, Summary, explain as explain_text};

/// Errors of the CLI functions, with Italian messages that name the quadro and the field.
/// Each message already contains its cause, so none is also given as `source()`: a caller
/// printing the chain (anyhow's `{:#}`) prints each error once.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("errore di lettura o scrittura: {0}")]
    Io(std::io::Error),
    #[error("DSU non valida. {0}")]
    Dsu(DsuError),
    #[error("calcolo ISEE non eseguibile: {0}")]
    Calcolo(CalcError),
    #[error("errore nella scrittura del risultato: {0}")]
    Output(serde_json::Error),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<DsuError> for CliError {
    fn from(e: DsuError) -> Self {
        CliError::Dsu(e)
    }
}

impl From<CalcError> for CliError {
    fn from(e: CalcError) -> Self {
        CliError::Calcolo(e)
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        CliError::Output(e)
    }
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

impl BatchSummary {
    /// Every non-blank line was computed: the command may exit with success.
    pub fn all_ok(&self) -> bool {
        self.errors == 0
    }
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

/// Most lines in one block handed to a worker thread.
const CHUNK_LINES: usize = 512;
/// A block stops growing past this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// A block of input lines and, once processed, their result lines.
#[derive(Default)]
struct Chunk {
    /// Number of lines before this block.
    first: u64,
    data: Vec<u8>,
    /// End offset of each line in `data`.
    ends: Vec<usize>,
    out: Vec<u8>,
    ok: u64,
    errors: u64,
    failure: Option<CliError>,
}

impl Chunk {
    /// Fills the block from `input`; an empty block means end of input.
    fn read(&mut self, input: &mut dyn BufRead, first: u64) -> std::io::Result<()> {
        self.first = first;
        self.data.clear();
        self.ends.clear();
        while self.ends.len() < CHUNK_LINES && self.data.len() < CHUNK_BYTES {
            if input.read_until(b'\n', &mut self.data)? == 0 {
                break;
            }
            self.ends.push(self.data.len());
        }
        Ok(())
    }

    /// Computes every line of the block into `out`.
    fn process(&mut self) {
        self.out.clear();
        self.ok = 0;
        self.errors = 0;
        self.failure = None;
        let mut start = 0;
        for (k, &end) in self.ends.iter().enumerate() {
            let line = self.data.get(start..end).unwrap_or_default();
            start = end;
            let n = self.first + k as u64 + 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Err(e) = write_result(n, line, &mut self.out, &mut self.ok, &mut self.errors) {
                self.failure = Some(e);
                return;
            }
        }
    }

    fn lines(&self) -> u64 {
        self.ends.len() as u64
    }
}

/// Writes the result line of input line `n` (its summary or its error) to `out`.
fn write_result(
    n: u64,
    line: &[u8],
    out: &mut Vec<u8>,
    ok: &mut u64,
    errors: &mut u64,
) -> Result<(), CliError> {
    match parse_and_compute(line) {
        Ok((dsu, att)) => {
            Summary::new(n, &dsu, &att).write_json(out)?;
            *ok += 1;
        }
        Err(e) => {
            let msg = e.to_string();
            serde_json::to_writer(
                &mut *out,
                &LineError {
                    line: n,
                    error: &msg,
                },
            )?;
            *errors += 1;
        }
    }
    out.push(b'\n');
    Ok(())
}

/// One DSU per JSONL line in, one result per line out (`{"line": N, "error": "..."}` for a bad
/// line, then it goes on). `progress` receives the number of lines read so far, every
/// [`PROGRESS_EVERY`] lines and at the end. Blank lines are counted and skipped.
///
/// Lines are computed in blocks on every available core; the results are written in input
/// order, the same bytes as a one-thread run ([`batch_with_threads`]).
pub fn batch(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
) -> Result<BatchSummary, CliError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    batch_with_threads(input, out, progress, threads)
}

/// [`batch`] with a given number of worker threads (1: everything on the calling thread).
pub fn batch_with_threads(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
    threads: usize,
) -> Result<BatchSummary, CliError> {
    let mut summary = BatchSummary::default();
    let mut first = Chunk::default();
    first.read(input, 0)?;
    // Small inputs (a single block) and one thread: no worker threads.
    if threads <= 1 || first.lines() < CHUNK_LINES as u64 {
        let mut chunk = first;
        while chunk.lines() > 0 {
            chunk.process();
            emit(&mut chunk, out, progress, &mut summary)?;
            let next = summary.lines;
            chunk.read(input, next)?;
        }
    } else {
        parallel(first, input, out, progress, threads, &mut summary)?;
    }
    out.flush()?;
    progress(summary.lines);
    Ok(summary)
}

/// Writes a processed block and reports progress.
fn emit(
    chunk: &mut Chunk,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
    summary: &mut BatchSummary,
) -> Result<(), CliError> {
    out.write_all(&chunk.out)?;
    if let Some(e) = chunk.failure.take() {
        return Err(e);
    }
    let before = summary.lines;
    summary.lines += chunk.lines();
    summary.ok += chunk.ok;
    summary.errors += chunk.errors;
    let mut mark = (before / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
    while mark <= summary.lines {
        progress(mark);
        mark += PROGRESS_EVERY;
    }
    Ok(())
}

/// Reads blocks on the calling thread, computes them on `threads` workers, writes them in order.
fn parallel(
    first: Chunk,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
    threads: usize,
    summary: &mut BatchSummary,
) -> Result<(), CliError> {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, mpsc};

    let (work_tx, work_rx) = mpsc::channel::<(u64, Chunk)>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Chunk)>();
    let max_in_flight = threads * 3;
    std::thread::scope(|s| {
        // Moved in: dropping it on any return ends the workers.
        let work_tx = work_tx;
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || {
                loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, mut chunk)) = next else { return };
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        chunk.process();
                    }));
                    if done.is_err() {
                        chunk.out.clear();
                        chunk.failure = Some(CliError::Io(std::io::Error::other(
                            "errore interno nel calcolo di un blocco di righe",
                        )));
                    }
                    if done_tx.send((seq, chunk)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);

        let mut pool: Vec<Chunk> = Vec::new();
        let mut pending: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut next_chunk = Some(first);
        let mut lines_read = 0u64;
        let (mut sent, mut written) = (0u64, 0u64);
        let mut eof = false;
        loop {
            while !eof && sent - written < max_in_flight as u64 {
                let chunk = match next_chunk.take() {
                    Some(c) => c,
                    None => {
                        let mut c = pool.pop().unwrap_or_default();
                        c.read(input, lines_read)?;
                        c
                    }
                };
                if chunk.lines() == 0 {
                    eof = true;
                    break;
                }
                lines_read += chunk.lines();
                if work_tx.send((sent, chunk)).is_err() {
                    return Err(worker_gone());
                }
                sent += 1;
            }
            if sent == written {
                return Ok(());
            }
            let (seq, chunk) = done_rx.recv().map_err(|_| worker_gone())?;
            pending.insert(seq, chunk);
            while let Some(mut chunk) = pending.remove(&written) {
                emit(&mut chunk, out, progress, summary)?;
                written += 1;
                pool.push(chunk);
            }
        }
    })
}

fn worker_gone() -> CliError {
    CliError::Io(std::io::Error::other(
        "i thread di calcolo si sono interrotti",
    ))
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
