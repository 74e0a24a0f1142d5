//! The log of reads of personal data (the Garante's rule for social and health records: every
//! access is traceable). Handlers push an entry once the record was found and the reader
//! authorized; a background task appends the queued entries to the audit chain in batches, one
//! transaction each, so that a page view does not wait on the database's single writer.
//!
//! What a kill -9 can lose: the entries of the last batch window (at most [`WINDOW`], or
//! [`BATCH`] entries). A graceful shutdown flushes them (`web::serve`); a full queue makes the
//! handlers wait rather than drop an entry (docs/architecture.md, "Audit log").

use crate::Actor;
use crate::Store;
use std::time::Duration;
use store::{AuditStore, NewAudit};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// How long the task gathers entries before writing them. Each commit makes every reader
/// connection drop its page cache, so fewer, larger batches cost the pages less: 50 ms cost a
/// quarter of the application page's throughput at saturation, 200 ms under a tenth
/// (docs/performance.md, "Reads in the audit log").
pub const WINDOW: Duration = Duration::from_millis(200);
/// The most entries written in one transaction.
pub const BATCH: usize = 500;
/// Attempts at writing a batch before its reads are given up (pauses of 50, 200, 800 ms).
const RETRIES: u32 = 4;
/// Entries waiting to be written; a handler that finds the queue full waits.
const QUEUE: usize = 8 * BATCH;

/// What was read: the audit row's action, record kind and summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Person,
    Attestation,
    Application,
    ApplicationDocument,
    CaseFile,
    Assessment,
    Plan,
    CaseDocument,
    AccessRecord,
    Household,
    Dsu,
}

impl Read {
    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Read::Person => (
                "person.view",
                "person",
                "consultata la scheda della persona",
            ),
            Read::Attestation => (
                "attestation.view",
                "isee_attestation",
                "consultata l'attestazione ISEE",
            ),
            Read::Application => ("application.view", "application", "consultata l'istanza"),
            Read::ApplicationDocument => (
                "document.view",
                "application_document",
                "scaricato un documento dell'istanza",
            ),
            Read::CaseFile => (
                "casefile.view",
                "case_file",
                "consultata la cartella sociale (diario)",
            ),
            Read::Assessment => ("assessment.view", "assessment", "consultata la valutazione"),
            Read::Plan => ("plan.view", "care_plan", "consultato il PAI"),
            Read::CaseDocument => (
                "document.view",
                "case_document",
                "scaricato un documento della cartella",
            ),
            Read::AccessRecord => (
                "access.view",
                "access_record",
                "consultata la scheda di accesso al segretariato",
            ),
            Read::Household => (
                "household.view",
                "household",
                "consultata la famiglia anagrafica",
            ),
            Read::Dsu => ("dsu.view", "dsu", "consultata la DSU"),
        }
    }
}

enum Msg {
    Read(NewAudit),
    Flush(oneshot::Sender<()>),
}

/// The handle handlers push reads through; cheap to clone. Must be made inside a Tokio runtime.
#[derive(Clone)]
pub struct ReadLog(mpsc::Sender<Msg>);

impl std::fmt::Debug for ReadLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadLog")
    }
}

impl ReadLog {
    /// Starts the task that writes the queued reads to `store`.
    pub fn start(store: Store) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write_reads(store, rx));
        Self(tx)
    }

    /// Logs that `ctx`'s user read the record `id`: call it once the record was found and the
    /// reader authorized.
    pub async fn view(&self, ctx: &Actor, what: Read, id: Uuid) {
        let (action, kind, summary) = what.describe();
        self.log(ctx.audit(action, kind, Some(id), summary.into()))
            .await;
    }

    /// The same for each record of a page that shows several.
    pub async fn view_all(&self, ctx: &Actor, what: Read, ids: Vec<Uuid>) {
        for id in ids {
            self.view(ctx, what, id).await;
        }
    }

    /// Logs the confidential diary entries of case file `case_id` a page showed: one row for
    /// the page, naming them, so that a diary page costs two rows however many it shows.
    pub async fn confidential(&self, ctx: &Actor, case_id: Uuid, entries: &[Uuid]) {
        if entries.is_empty() {
            return;
        }
        let ids: Vec<String> = entries.iter().map(Uuid::to_string).collect();
        let summary = format!(
            "consultate {} note riservate del diario: {}",
            entries.len(),
            ids.join(", ")
        );
        self.log(ctx.audit("confidential.view", "case_file", Some(case_id), summary))
            .await;
    }

    /// Queues one entry; waits only while the queue is full.
    pub async fn log(&self, entry: NewAudit) {
        if self.0.send(Msg::Read(entry)).await.is_err() {
            tracing::error!("registro delle letture chiuso: lettura non registrata");
        }
    }

    /// Returns once every read queued before the call is in the database (graceful shutdown,
    /// tests).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.0.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}

async fn write_reads(store: Store, mut rx: mpsc::Receiver<Msg>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut flushes = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        let deadline = tokio::time::Instant::now() + WINDOW;
        while let Some(msg) = next.take() {
            match msg {
                Msg::Read(e) => batch.push(e),
                Msg::Flush(done) => flushes.push(done),
            }
            if batch.len() >= BATCH || !flushes.is_empty() {
                break;
            }
            next = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .ok()
                .flatten();
        }
        if !batch.is_empty() {
            write_batch(&store, &batch).await;
            batch.clear();
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

/// Writes one batch, trying again after a busy database or a deadlock: a lost read is a gap in
/// what the log must show.
async fn write_batch(store: &Store, batch: &[NewAudit]) {
    let mut pause = Duration::from_millis(50);
    for attempt in 1..=RETRIES {
        match store.append_audit_batch(batch).await {
            Ok(()) => return,
            Err(e) if attempt < RETRIES => {
                tracing::warn!(error = %e, attempt, "letture non ancora registrate: nuovo tentativo");
                tokio::time::sleep(pause).await;
                pause *= 4;
            }
            // Nothing to hand the error to: the pages were served. Say what was lost.
            Err(e) => tracing::error!(error = %e, entries = batch.len(), "letture non registrate"),
        }
    }
}
