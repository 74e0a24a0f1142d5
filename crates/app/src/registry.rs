//! The civil-registry import, shared by the page, the command line and the demo data: reads
//! the file, compares it with the comune's registry persons, applies the changes in batches
//! (each one transaction) and records the import with its report and one audit row.

use crate::Store;
use crate::{Actor, Error};
use domain::audit::unix_micros;
use domain::dates::format_date;
use domain::person::{ComuneRef, PersonData, RegistryEventKind};
use domain::registry::{Change, Event, PreviousPerson, RegistryRecord, Rejection};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use store::{
    CfHolder, Household, HouseholdMember, ImportStatus, NewHistory, NewRegistryEvent, OrgStore,
    Person, PersonStore, RegistryBatch, RegistryImport, RegistryLink, RegistryPerson,
    RegistryRejection, RegistryStore,
};
use territory::BelfioreCode;
use time::Date;
use uuid::Uuid;

/// Rows written per transaction: large enough that the per-transaction cost vanishes, small
/// enough that a failure loses little work and holds the write lock briefly.
const BATCH_ROWS: usize = 100_000;
/// Rows per transaction of a bulk load (the first list of a comune larger than the registry
/// so far, `start_registry_import`): each batch rewrites most pages of the randomly keyed
/// indexes, so fewer batches write less; the write lock is held for seconds at a time, while
/// searches are slowed by the load anyway.
const BULK_BATCH_ROWS: usize = 400_000;

/// One import at a time per process: two imports of the same comune must not interleave.
static IMPORT_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What an import did: the stored record (counts, status) and the rejected rows.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub import: RegistryImport,
    pub comune_name: String,
    pub rejections: Vec<RegistryRejection>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::BadRequest(msg.into())
}

/// Imports `bytes` (CSV or JSON) as the list of residents of `comune` for the organization.
/// A file that cannot be read at all, a comune the organization does not cover, or a
/// reference date older than the comune's last import is a `BadRequest` and nothing is
/// stored; otherwise the import is recorded, with its rejected rows, even when a batch fails
/// (status `fallito`, the failed batch left out entirely). `batch_rows`: rows per
/// transaction, `None` for the default of the kind of load (tests make batches of a few rows).
#[allow(clippy::too_many_arguments)]
pub async fn import_file(
    store: &Store,
    org_id: Uuid,
    comune: BelfioreCode,
    file_name: &str,
    bytes: &[u8],
    reference_date: Option<Date>,
    actor: &Actor,
    today: Date,
    batch_rows: Option<usize>,
) -> Result<ImportReport, Error> {
    let _one_at_a_time = IMPORT_LOCK.lock().await;
    let started = std::time::Instant::now();
    let belfiore = comune.as_str().to_owned();
    let covered = store.org_comuni(org_id).await?;
    let Some(oc) = covered.iter().find(|c| c.belfiore_code == belfiore) else {
        return Err(bad(format!(
            "il comune con codice {belfiore} non è tra quelli dell'ente"
        )));
    };
    let comune_ref = ComuneRef::parse("comune", &oc.istat_code).map_err(|e| bad(e.message))?;
    let comune_name = oc.name.clone();
    let sha = hex::encode(Sha256::digest(bytes));
    let owned = bytes.to_vec();
    let (cref, code) = (comune_ref.clone(), belfiore.clone());
    let parsed = tokio::task::spawn_blocking(move || {
        domain::registry::parse_file(&owned, &cref, &code, today)
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
    .map_err(|e| bad(e.to_string()))?;
    tracing::info!(
        rows = parsed.rows_read,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "registry import: file read"
    );
    let reference = reference_date.or(parsed.reference_date).unwrap_or(today);
    if reference > today {
        return Err(bad(format!(
            "la data di riferimento {} è nel futuro",
            format_date(reference)
        )));
    }
    let last = store.last_registry_import(org_id, &belfiore).await?;
    if let Some(l) = &last
        && reference < l.reference_date
    {
        return Err(bad(format!(
            "la data di riferimento {} è precedente a quella dell'ultimo import del comune ({})",
            format_date(reference),
            format_date(l.reference_date)
        )));
    }
    let previous_reference = last.map(|l| l.reference_date);
    let persons = store.registry_persons(org_id, &belfiore).await?;
    let households: HashMap<String, Uuid> = store
        .registry_households(org_id, &belfiore)
        .await?
        .into_iter()
        .collect();
    let holders: HashMap<String, CfHolder> = store
        .codice_fiscale_holders(org_id, &belfiore)
        .await?
        .into_iter()
        .map(|h| (h.codice_fiscale.clone(), h))
        .collect();

    tracing::info!(
        previous = persons.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "registry import: previous state loaded"
    );
    let (parsed, persons, diff) = tokio::task::spawn_blocking(move || {
        let mut by_id: HashMap<String, RegistryPerson> = HashMap::with_capacity(persons.len());
        let mut previous: HashMap<String, PreviousPerson> = HashMap::with_capacity(persons.len());
        for p in persons {
            let Some(link) = &p.person.registry else {
                continue;
            };
            previous.insert(
                link.id.clone(),
                PreviousPerson {
                    data: p.person.data.clone(),
                    left_on: p.person.registry_left_on,
                    household: p.household.clone(),
                },
            );
            by_id.insert(link.id.clone(), p);
        }
        let diff =
            domain::registry::diff(&previous, &parsed.records, previous_reference, reference);
        (parsed, by_id, diff)
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?;

    let mut import = RegistryImport {
        id: Uuid::now_v7(),
        org_id,
        comune: belfiore.clone(),
        file_name: file_name.chars().take(200).collect(),
        file_sha256: sha,
        reference_date: reference,
        baseline: previous_reference.is_none(),
        status: ImportStatus::Running,
        error: None,
        rows_read: parsed.rows_read as i64,
        created: 0,
        updated: 0,
        unchanged: diff.unchanged as i64,
        left: 0,
        rejected: 0,
        events: Vec::new(),
        actor: actor.label().to_owned(),
        at_us: unix_micros(actor.now),
        finished_at_us: None,
    };
    let new_persons = diff
        .changes
        .iter()
        .filter(|c| matches!(c, Change::Create { .. }))
        .count();
    let bulk = store
        .start_registry_import(&import, u64::try_from(new_persons).unwrap_or(u64::MAX))
        .await?;
    let batch_rows = batch_rows.unwrap_or(if bulk { BULK_BATCH_ROWS } else { BATCH_ROWS });
    tracing::info!(
        changes = diff.changes.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "registry import: compared"
    );

    let mut rejections: Vec<Rejection> = parsed.rejections;
    rejections.extend(diff.rejections);
    let mut records: Vec<Option<RegistryRecord>> = parsed.records.into_iter().map(Some).collect();
    let mut plan = Plan {
        org_id,
        belfiore: &belfiore,
        import_id: import.id,
        reference,
        actor,
        households,
        batch: RegistryBatch {
            org_id,
            import_id: import.id,
            ..RegistryBatch::default()
        },
        counts: Counts::default(),
        writing: None,
    };
    let mut totals = Counts::default();
    let mut failure: Option<String> = None;
    for change in diff.changes {
        let step = match change {
            Change::Create { record, events } => {
                let Some(r) = records.get_mut(record).and_then(Option::take) else {
                    continue;
                };
                match plan.create(store, r, &events, &holders).await {
                    Ok(None) => Ok(()),
                    Ok(Some(rej)) => {
                        rejections.push(rej);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Change::Update {
                record,
                data,
                events,
                changes,
                household_changed,
                rejoined,
            } => {
                let Some(r) = records.get_mut(record).and_then(Option::take) else {
                    continue;
                };
                let Some(p) = persons.get(&r.registry_id) else {
                    continue;
                };
                plan.update(
                    p,
                    &r,
                    *data,
                    &events,
                    changes,
                    household_changed || rejoined,
                );
                Ok(())
            }
            Change::Leave {
                registry_id,
                date,
                events,
            } => {
                if let Some(p) = persons.get(&registry_id) {
                    plan.leave(p, date, &events);
                }
                Ok(())
            }
        };
        if let Err(e) = step {
            failure = Some(e.to_string());
            break;
        }
        if plan.batch.weight() >= batch_rows
            && let Err(e) = plan.flush(store, &mut totals).await
        {
            failure = Some(e);
            break;
        }
    }
    if failure.is_none()
        && let Err(e) = plan.flush(store, &mut totals).await
    {
        failure = Some(e);
    }
    // The last batch handed over, or the one in flight when planning stopped.
    if let Err(e) = plan.settle(&mut totals).await {
        failure.get_or_insert(e);
    }

    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "registry import: changes stored"
    );
    rejections.sort_by_key(|r| r.line);
    let mut lines: Vec<usize> = rejections.iter().map(|r| r.line).collect();
    lines.dedup();
    import.created = totals.created;
    import.updated = totals.updated;
    import.left = totals.left;
    import.rejected = lines.len() as i64;
    import.events = RegistryEventKind::ALL
        .iter()
        .map(|k| (*k, totals.events.get(k).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    import.status = if failure.is_some() {
        ImportStatus::Failed
    } else {
        ImportStatus::Done
    };
    import.error = failure;
    import.finished_at_us = Some(unix_micros(time::OffsetDateTime::now_utc()).max(import.at_us));
    let stored: Vec<RegistryRejection> = rejections
        .into_iter()
        .map(|r| RegistryRejection {
            line: r.line as i64,
            field: r.field,
            reason: r.reason,
        })
        .collect();
    let summary = summary(&import, &comune_name);
    let audit = actor.audit_in(
        org_id,
        "anagrafe.import",
        "registry_import",
        Some(import.id),
        summary,
    );
    store
        .finish_registry_import(&import, &stored, &audit)
        .await?;
    Ok(ImportReport {
        import,
        comune_name,
        rejections: stored,
    })
}

/// The one-line account of an import, for the audit log and the command line.
pub fn summary(i: &RegistryImport, comune_name: &str) -> String {
    let mut s = format!(
        "Import anagrafe {comune_name} ({}) al {}, file «{}»: {} righe lette, {} nuove persone, {} aggiornate, {} invariate, {} cancellate, {} righe scartate, {} eventi",
        i.comune,
        format_date(i.reference_date),
        i.file_name,
        i.rows_read,
        i.created,
        i.updated,
        i.unchanged,
        i.left,
        i.rejected,
        i.event_total()
    );
    if i.baseline {
        s.push_str(" (primo import: situazione iniziale, senza eventi)");
    }
    if let Some(e) = &i.error {
        s.push_str(&format!("; NON COMPLETATO: {e}"));
    }
    s
}

#[derive(Default)]
struct Counts {
    created: i64,
    updated: i64,
    left: i64,
    events: HashMap<RegistryEventKind, i64>,
}

/// A writer task storing one batch.
type Writing = tokio::task::JoinHandle<store::Result<()>>;

/// Turns the changes into store rows, batch by batch.
struct Plan<'a> {
    org_id: Uuid,
    belfiore: &'a str,
    import_id: Uuid,
    reference: Date,
    actor: &'a Actor,
    /// Registry code → household id, including households created in pending batches.
    households: HashMap<String, Uuid>,
    batch: RegistryBatch,
    /// Counts of the pending batch, added to the totals once it is stored.
    counts: Counts,
    /// The batch being written, with its counts and the persons it creates or changes.
    writing: Option<(Counts, usize, Writing)>,
}

impl Plan<'_> {
    fn at_us(&self) -> i64 {
        unix_micros(self.actor.now)
    }

    fn history(&self, person_id: Uuid, summary: String, changes: Vec<String>) -> NewHistory {
        self.actor.history(person_id, "anagrafe", summary, changes)
    }

    /// Stores the events and one history entry per event (the field changes on the first).
    fn events(&mut self, person_id: Uuid, events: &[Event], mut changes: Vec<String>) {
        for e in events {
            self.batch.events.push(NewRegistryEvent {
                id: Uuid::now_v7(),
                person_id,
                kind: e.kind,
                event_date: e.date,
                summary: e.summary.clone(),
                at_us: self.at_us(),
            });
            let h = self.history(person_id, e.summary.clone(), std::mem::take(&mut changes));
            self.batch.history.push(h);
            *self.counts.events.entry(e.kind).or_default() += 1;
        }
        if !changes.is_empty() {
            let h = self.history(
                person_id,
                "Dati aggiornati dall'anagrafe comunale".into(),
                changes,
            );
            self.batch.history.push(h);
        }
    }

    fn household_id(&mut self, code: &str) -> Uuid {
        if let Some(id) = self.households.get(code) {
            return *id;
        }
        let h = Household {
            id: Uuid::now_v7(),
            org_id: self.org_id,
            registry_comune: Some(self.belfiore.to_owned()),
            registry_code: Some(code.to_owned()),
            created_at: self.actor.now,
        };
        self.households.insert(code.to_owned(), h.id);
        let id = h.id;
        self.batch.households.push(h);
        id
    }

    fn open_membership(&mut self, person_id: Uuid, r: &RegistryRecord, from: Date) {
        if r.data.death_date.is_some() {
            return;
        }
        if let Some((code, rel)) = &r.household {
            let household_id = self.household_id(code);
            self.batch.opened_memberships.push(HouseholdMember {
                id: Uuid::now_v7(),
                org_id: self.org_id,
                household_id,
                person_id,
                relationship: *rel,
                from_date: from,
                to_date: None,
            });
        }
    }

    fn link(&self, registry_id: &str) -> Option<RegistryLink> {
        Some(RegistryLink {
            comune: self.belfiore.to_owned(),
            id: registry_id.to_owned(),
        })
    }

    /// A newcomer: created, or linked to the organization's person with the same codice
    /// fiscale. `Ok(Some(_))` when the row must be rejected instead.
    async fn create(
        &mut self,
        store: &Store,
        r: RegistryRecord,
        events: &[Event],
        holders: &HashMap<String, CfHolder>,
    ) -> Result<Option<Rejection>, Error> {
        let from = r.residence_from.unwrap_or(self.reference);
        let holder = r
            .data
            .codice_fiscale
            .and_then(|cf| holders.get(cf.as_str()));
        let person_id = match holder {
            Some(h) if h.registry_comune.is_some() && h.registry_left_on.is_none() => {
                return Ok(Some(Rejection::new(
                    r.line,
                    "codice_fiscale",
                    format!(
                        "il codice fiscale è di una persona ancora iscritta nell'anagrafe di un altro comune dell'ente ({})",
                        h.registry_comune.as_deref().unwrap_or("")
                    ),
                )));
            }
            Some(h) => {
                let old = store.get_person(self.org_id, h.id).await?;
                let data = PersonData {
                    domicile: old.data.domicile.clone(),
                    phone: old.data.phone.clone(),
                    email: old.data.email.clone(),
                    civil_status: r.data.civil_status.or(old.data.civil_status),
                    ..r.data.clone()
                };
                let summary = format!(
                    "Collegata all'anagrafe del comune {} (id {})",
                    self.belfiore, r.registry_id
                );
                let changes = field_lines(&old.data, &data);
                let person = Person {
                    data,
                    registry: self.link(&r.registry_id),
                    registry_left_on: None,
                    version: old.version + 1,
                    updated_at: self.actor.now,
                    ..old
                };
                let id = person.id;
                self.batch.updated.push(person);
                self.batch.closed_memberships.push((id, day_before(from)));
                let h = self.history(id, summary, changes);
                self.batch.history.push(h);
                id
            }
            None => {
                let person = Person {
                    id: Uuid::now_v7(),
                    org_id: self.org_id,
                    data: r.data.clone(),
                    registry: self.link(&r.registry_id),
                    registry_left_on: None,
                    merged_into: None,
                    version: 1,
                    created_at: self.actor.now,
                    updated_at: self.actor.now,
                };
                let id = person.id;
                self.batch.created.push(person);
                id
            }
        };
        self.open_membership(person_id, &r, from);
        self.events(person_id, events, Vec::new());
        self.counts.created += 1;
        Ok(None)
    }

    fn update(
        &mut self,
        p: &RegistryPerson,
        r: &RegistryRecord,
        data: PersonData,
        events: &[Event],
        changes: Vec<String>,
        rejoin_household: bool,
    ) {
        let moved_on = r.residence_from.unwrap_or(self.reference);
        let died = p.person.data.death_date.is_none() && data.death_date.is_some();
        let person = Person {
            data,
            registry_left_on: None,
            version: p.person.version + 1,
            updated_at: self.actor.now,
            ..p.person.clone()
        };
        let id = person.id;
        if let (true, Some(d)) = (died, person.data.death_date) {
            self.batch.closed_memberships.push((id, d));
        } else if rejoin_household {
            self.batch
                .closed_memberships
                .push((id, day_before(moved_on)));
            self.open_membership(id, r, moved_on);
        }
        self.batch.updated.push(person);
        self.events(id, events, changes);
        self.counts.updated += 1;
    }

    fn leave(&mut self, p: &RegistryPerson, date: Date, events: &[Event]) {
        let person = Person {
            registry_left_on: Some(date),
            version: p.person.version + 1,
            updated_at: self.actor.now,
            ..p.person.clone()
        };
        let id = person.id;
        self.batch.updated.push(person);
        self.batch.closed_memberships.push((id, date));
        let changes = vec![format!(
            "Cancellato dall'anagrafe del comune: — → {}",
            format_date(date)
        )];
        if events.is_empty() {
            let h = self.history(
                id,
                "Non più nell'elenco dei residenti del comune".into(),
                changes,
            );
            self.batch.history.push(h);
        } else {
            self.events(id, events, changes);
        }
        self.counts.left += 1;
    }

    /// Hands the pending batch to a writer task, once the batch before it is stored: the next
    /// batch is planned while this one is written (the planning and the database each keep a
    /// core busy). On failure nothing of a batch is kept and the error says so.
    async fn flush(&mut self, store: &Store, totals: &mut Counts) -> Result<(), String> {
        self.settle(totals).await?;
        if self.batch.is_empty() {
            self.counts = Counts::default();
            return Ok(());
        }
        let batch = std::mem::replace(
            &mut self.batch,
            RegistryBatch {
                org_id: self.org_id,
                import_id: self.import_id,
                ..RegistryBatch::default()
            },
        );
        let counts = std::mem::take(&mut self.counts);
        let persons = batch.created.len() + batch.updated.len();
        let store = store.clone();
        let write = tokio::spawn(async move { store.apply_registry_batch(&batch).await });
        self.writing = Some((counts, persons, write));
        Ok(())
    }

    /// Waits for the batch being written, if any, and adds its counts to the totals.
    async fn settle(&mut self, totals: &mut Counts) -> Result<(), String> {
        let Some((counts, persons, write)) = self.writing.take() else {
            return Ok(());
        };
        let stored = write.await.map_err(|e| {
            tracing::error!(error = %e, "registry import writer stopped");
            format!("il salvataggio di un gruppo di persone si è interrotto ({e}); i gruppi precedenti sono stati salvati: ripetere l'import per completarlo")
        })?;
        match stored {
            Ok(()) => {
                totals.created += counts.created;
                totals.updated += counts.updated;
                totals.left += counts.left;
                for (k, n) in counts.events {
                    *totals.events.entry(k).or_default() += n;
                }
                Ok(())
            }
            // The import stops here: nothing planned after this batch is written.
            Err(e) => {
                tracing::error!(error = %e, "registry import batch failed");
                Err(format!(
                    "il salvataggio di un gruppo di {persons} persone non è riuscito e nessuna di esse è stata modificata ({e}); i gruppi precedenti sono stati salvati: ripetere l'import per completarlo"
                ))
            }
        }
    }
}

fn day_before(d: Date) -> Date {
    d.previous_day().unwrap_or(d)
}

/// "campo: prima → dopo" for a person linked by codice fiscale.
fn field_lines(old: &PersonData, new: &PersonData) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |label: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{label}: {a} → {b}"));
        }
    };
    push("Cognome", old.surname.clone(), new.surname.clone());
    push("Nome", old.given_names.clone(), new.given_names.clone());
    push(
        "Data di nascita",
        format_date(old.birth_date),
        format_date(new.birth_date),
    );
    let addr = |d: &PersonData| {
        d.residence.as_ref().map_or_else(
            || "—".to_owned(),
            |a| format!("{}, {}", a.street, a.comune.name),
        )
    };
    push("Residenza", addr(old), addr(new));
    out
}

/// The Belfiore code of an organization's comune given as code, ISTAT code or name.
pub fn parse_comune(raw: &str) -> Option<BelfioreCode> {
    let t = raw.trim();
    BelfioreCode::new(&t.to_ascii_uppercase())
        .filter(|c| !c.is_foreign())
        .or_else(|| territory::comune_by_istat(t).map(|c| c.belfiore))
}
