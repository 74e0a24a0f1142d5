use super::person::{PersonColumns, RawPerson, insert_history, update_person_row};
use super::{Backend, Db, Kind, Tx};
use super::{affected_one, map_err, parse_col};
use domain::person::{RegistryEventKind, Relationship};
use domain::registry::{format_event_counts, parse_event_counts};
use store::{
    CfHolder, Household, HouseholdMember, ImportStatus, NewAudit, OpenMatter, Person,
    RegistryBatch, RegistryEvent, RegistryImport, RegistryPerson, RegistryRejection, RegistryStore,
    Result,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Builds a `RegistryImport` from a query record with its columns.
macro_rules! registry_import {
    ($r:expr) => {{
        let r = $r;
        RegistryImport {
            id: r.id,
            org_id: r.org_id,
            comune: r.comune,
            file_name: r.file_name,
            file_sha256: r.file_sha256,
            reference_date: r.reference_date,
            baseline: r.baseline,
            status: parse_col("status", ImportStatus::parse(&r.status).ok_or(&r.status))?,
            error: r.error,
            rows_read: r.rows_read,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            left: r.left_registry,
            rejected: r.rejected,
            events: parse_event_counts(&r.event_counts),
            actor: r.actor,
            at_us: r.at_us,
            finished_at_us: r.finished_at_us,
        }
    }};
}

/// Builds a `RegistryEvent` from a query record with its columns.
macro_rules! registry_event {
    ($r:expr) => {{
        let r = $r;
        RegistryEvent {
            id: r.id,
            person_id: r.person_id,
            import_id: r.import_id,
            kind: parse_col("kind", RegistryEventKind::parse(&r.kind).ok_or(&r.kind))?,
            event_date: r.event_date,
            summary: r.summary,
            at_us: r.at_us,
            reviewed_at_us: r.reviewed_at_us,
            reviewed_by: r.reviewed_by,
            surname: r.surname,
            given_names: r.given_names,
            codice_fiscale: r.codice_fiscale,
        }
    }};
}

// Rows per multi-row INSERT: few statements for many rows (the per-statement cost dominates
// an import), under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const PERSON_ROWS: usize = 1_000;
const ROWS: usize = 4_000;

/// SQLite: while an import writes, the writer connection keeps up to 2 GiB of pages in
/// memory (the default 2 MiB makes every batch re-read and re-write the indexes' pages) and
/// leaves the write-ahead log unchecked until the import is recorded: checkpointed after each
/// batch, every page of a randomly keyed index (codice fiscale) was copied into the database
/// once per batch instead of once (docs/performance.md, "First import of a comune").
/// The import's last transaction sets the defaults back, and its commit checkpoints the log.
/// PostgreSQL: nothing.
const BULK_WRITER: Option<&str> = if matches!(<Kind as sqlx::Database>::NAME.as_bytes(), b"SQLite")
{
    Some("PRAGMA cache_size = -2097152; PRAGMA wal_autocheckpoint = 0")
} else {
    None
};
const DEFAULT_WRITER: &str = "PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000";

/// Inserts persons, many per statement: the same columns as `person::insert_person` (a column
/// added there must be added here; the import tests fail otherwise).
async fn insert_persons(tx: &mut Tx, persons: &[Person]) -> Result<()> {
    insert_chunks(tx, persons, PERSON_ROWS, |chunk| {
        let mut qb = sqlx::QueryBuilder::<Kind>::new(
            "INSERT INTO person (id, org_id, codice_fiscale, surname, given_names, sex,
                 birth_date, birthplace_code, birthplace_name, citizenship, civil_status,
                 death_date, residence_istat, residence_street, domicile_istat, domicile_street,
                 phone, email, cf_mismatch, search_key, phonetic_key, registry_comune,
                 registry_id, registry_left_on, merged_into, version, created_at, updated_at,
                 search_key_rev) ",
        );
        qb.push_values(chunk, |mut b, p| {
            let d = &p.data;
            let c = PersonColumns::of(d);
            let (registry_comune, registry_id) = p.registry.as_ref().map_or((None, None), |r| {
                (Some(r.comune.as_str()), Some(r.id.as_str()))
            });
            b.push_bind(p.id)
                .push_bind(p.org_id)
                .push_bind(c.codice_fiscale)
                .push_bind(d.surname.as_str())
                .push_bind(d.given_names.as_str())
                .push_bind(c.sex)
                .push_bind(d.birth_date)
                .push_bind(c.birthplace_code)
                .push_bind(d.birthplace.name.as_str())
                .push_bind(c.citizenship)
                .push_bind(c.civil_status)
                .push_bind(d.death_date)
                .push_bind(c.residence_istat)
                .push_bind(c.residence_street)
                .push_bind(c.domicile_istat)
                .push_bind(c.domicile_street)
                .push_bind(d.phone.as_deref())
                .push_bind(d.email.as_deref())
                .push_bind(d.cf_mismatch_confirmed)
                .push_bind(c.search_key)
                .push_bind(c.phonetic_key)
                .push_bind(registry_comune)
                .push_bind(registry_id)
                .push_bind(p.registry_left_on)
                .push_bind(p.merged_into)
                .push_bind(p.version)
                .push_bind(p.created_at)
                .push_bind(p.updated_at)
                .push_bind(c.search_key_rev);
        });
        qb
    })
    .await
}

/// Inserts households, many per statement.
async fn insert_households(tx: &mut Tx, households: &[Household]) -> Result<()> {
    insert_chunks(tx, households, ROWS, |chunk| {
        let mut qb = sqlx::QueryBuilder::<Kind>::new(
            "INSERT INTO household (id, org_id, registry_comune, registry_code, created_at) ",
        );
        qb.push_values(chunk, |mut b, h| {
            b.push_bind(h.id)
                .push_bind(h.org_id)
                .push_bind(h.registry_comune.as_deref())
                .push_bind(h.registry_code.as_deref())
                .push_bind(h.created_at);
        });
        qb
    })
    .await
}

/// Inserts memberships, many per statement (each person has no other open one: a new person,
/// or memberships closed first in the same batch).
async fn insert_memberships(tx: &mut Tx, members: &[HouseholdMember]) -> Result<()> {
    insert_chunks(tx, members, ROWS, |chunk| {
        let mut qb = sqlx::QueryBuilder::<Kind>::new(
            "INSERT INTO household_member (id, org_id, household_id, person_id, relationship,
                 from_date, to_date) ",
        );
        qb.push_values(chunk, |mut b, m| {
            b.push_bind(m.id)
                .push_bind(m.org_id)
                .push_bind(m.household_id)
                .push_bind(m.person_id)
                .push_bind(m.relationship.as_str())
                .push_bind(m.from_date)
                .push_bind(m.to_date);
        });
        qb
    })
    .await
}

/// Runs one multi-row INSERT per chunk of `rows`, as `statement` writes it, and writes the
/// next while the database runs the current one: on SQLite the writer thread otherwise waited
/// for each statement's arguments, a seventh of a first import (docs/performance.md).
pub(crate) async fn insert_chunks<T>(
    tx: &mut Tx,
    rows: &[T],
    per_statement: usize,
    statement: impl Fn(&[T]) -> sqlx::QueryBuilder<Kind>,
) -> Result<()> {
    let mut chunks = rows.chunks(per_statement);
    let mut next = chunks.next().map(&statement);
    while let Some(mut current) = next {
        // Biased: the statement is handed to the database before the next one is written.
        let (done, following) = tokio::join!(
            biased;
            current.build().execute(&mut **tx),
            async { chunks.next().map(&statement) }
        );
        done.map_err(map_err)?;
        next = following;
    }
    Ok(())
}

impl RegistryStore for Db {
    async fn registry_persons(&self, org_id: Uuid, comune: &str) -> Result<Vec<RegistryPerson>> {
        let rows = sqlx::query!(
            r#"SELECT p.id AS "id!: Uuid", p.org_id AS "org_id!: Uuid", p.codice_fiscale,
                   p.surname, p.given_names, p.sex, p.birth_date AS "birth_date!: Date",
                   p.birthplace_code, p.birthplace_name, p.citizenship, p.civil_status,
                   p.death_date AS "death_date: Date", p.residence_istat, p.residence_street,
                   p.domicile_istat, p.domicile_street, p.phone, p.email,
                   p.cf_mismatch AS "cf_mismatch!: bool", p.registry_comune, p.registry_id,
                   p.registry_left_on AS "registry_left_on: Date",
                   p.merged_into AS "merged_into: Uuid", p.version AS "version!: i64",
                   p.created_at AS "created_at!: OffsetDateTime",
                   p.updated_at AS "updated_at!: OffsetDateTime",
                   h.registry_code AS "household_code?", m.relationship AS "relationship?"
               FROM person p
               LEFT JOIN household_member m
                   ON m.person_id = p.id AND m.org_id = p.org_id AND m.to_date IS NULL
               LEFT JOIN household h ON h.id = m.household_id
               WHERE p.org_id = $1 AND p.registry_comune = $2 AND p.registry_id IS NOT NULL
                 AND p.merged_into IS NULL"#,
            org_id,
            comune
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let mut out: Vec<RegistryPerson> = Vec::with_capacity(rows.len());
        let mut seen = std::collections::HashSet::with_capacity(rows.len());
        for r in rows {
            // A person with two open memberships (an office edit) appears twice: keep one.
            if !seen.insert(r.id) {
                continue;
            }
            let household = match (r.household_code, r.relationship) {
                (Some(code), Some(rel)) => Some((
                    code,
                    parse_col("relationship", Relationship::parse(&rel).ok_or(&rel))?,
                )),
                _ => None,
            };
            let person = RawPerson {
                id: r.id,
                org_id: r.org_id,
                codice_fiscale: r.codice_fiscale,
                surname: r.surname,
                given_names: r.given_names,
                sex: r.sex,
                birth_date: r.birth_date,
                birthplace_code: r.birthplace_code,
                birthplace_name: r.birthplace_name,
                citizenship: r.citizenship,
                civil_status: r.civil_status,
                death_date: r.death_date,
                residence_istat: r.residence_istat,
                residence_street: r.residence_street,
                domicile_istat: r.domicile_istat,
                domicile_street: r.domicile_street,
                phone: r.phone,
                email: r.email,
                cf_mismatch: r.cf_mismatch,
                registry_comune: r.registry_comune,
                registry_id: r.registry_id,
                registry_left_on: r.registry_left_on,
                merged_into: r.merged_into,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
            .parse()?;
            out.push(RegistryPerson { person, household });
        }
        Ok(out)
    }

    async fn registry_households(&self, org_id: Uuid, comune: &str) -> Result<Vec<(String, Uuid)>> {
        let rows = sqlx::query!(
            r#"SELECT registry_code AS "code!", id AS "id!: Uuid" FROM household
               WHERE org_id = $1 AND registry_comune = $2 AND registry_code IS NOT NULL"#,
            org_id,
            comune
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| (r.code, r.id)).collect())
    }

    async fn codice_fiscale_holders(&self, org_id: Uuid, comune: &str) -> Result<Vec<CfHolder>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", codice_fiscale AS "codice_fiscale!", registry_comune,
                   registry_left_on AS "registry_left_on: Date"
               FROM person
               WHERE org_id = $1 AND codice_fiscale IS NOT NULL AND merged_into IS NULL
                 AND (registry_comune IS NULL OR registry_comune <> $2)"#,
            org_id,
            comune
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| CfHolder {
                id: r.id,
                codice_fiscale: r.codice_fiscale,
                registry_comune: r.registry_comune,
                registry_left_on: r.registry_left_on,
            })
            .collect())
    }

    async fn start_registry_import(&self, i: &RegistryImport, new_persons: u64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let mut bulk = false;
        if !Db::SEARCH_INDEXES.is_empty() && new_persons > 0 {
            // Counts no further than the import's own size: a large registry is not walked
            // whole, under the write lock, to learn that it outnumbers a small comune.
            let new = i64::try_from(new_persons).unwrap_or(i64::MAX);
            let stored: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM person LIMIT $1)")
                    .bind(new)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(map_err)?;
            bulk = stored < new;
            if bulk {
                for index in Db::SEARCH_INDEXES {
                    sqlx::raw_sql(index.drop)
                        .execute(&mut *tx)
                        .await
                        .map_err(map_err)?;
                }
            }
        }
        let events = format_event_counts(&i.events);
        sqlx::query!(
            "INSERT INTO registry_import (id, org_id, comune, file_name, file_sha256,
                 reference_date, baseline, status, error, rows_read, created, updated, unchanged,
                 left_registry, rejected, event_counts, actor, at_us, finished_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)",
            i.id,
            i.org_id,
            i.comune,
            i.file_name,
            i.file_sha256,
            i.reference_date,
            i.baseline,
            i.status.as_str(),
            i.error,
            i.rows_read,
            i.created,
            i.updated,
            i.unchanged,
            i.left,
            i.rejected,
            events,
            i.actor,
            i.at_us,
            i.finished_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(bulk)
    }

    async fn apply_registry_batch(&self, b: &RegistryBatch) -> Result<()> {
        let mut tx = self.begin().await?;
        if let Some(pragma) = BULK_WRITER {
            sqlx::raw_sql(pragma)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        insert_households(&mut tx, &b.households).await?;
        insert_persons(&mut tx, &b.created).await?;
        for p in &b.updated {
            update_person_row(&mut tx, p).await?;
        }
        for (person_id, to_date) in &b.closed_memberships {
            sqlx::query!(
                "UPDATE household_member
                 SET to_date = CASE WHEN from_date > $3 THEN from_date ELSE $3 END
                 WHERE org_id = $1 AND person_id = $2 AND to_date IS NULL",
                b.org_id,
                person_id,
                to_date
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        insert_memberships(&mut tx, &b.opened_memberships).await?;
        for e in &b.events {
            sqlx::query!(
                "INSERT INTO registry_event (id, org_id, person_id, import_id, kind, event_date,
                     summary, at_us, reviewed_at_us, reviewed_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
                e.id,
                b.org_id,
                e.person_id,
                b.import_id,
                e.kind.as_str(),
                e.event_date,
                e.summary,
                e.at_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        for h in &b.history {
            insert_history(&mut tx, b.org_id, h).await?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn finish_registry_import(
        &self,
        i: &RegistryImport,
        rejections: &[RegistryRejection],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if BULK_WRITER.is_some() {
            sqlx::raw_sql(DEFAULT_WRITER)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let events = format_event_counts(&i.events);
        let done = sqlx::query!(
            "UPDATE registry_import SET status = $3, error = $4, rows_read = $5, created = $6,
                 updated = $7, unchanged = $8, left_registry = $9, rejected = $10,
                 event_counts = $11, finished_at_us = $12, baseline = $13
             WHERE org_id = $1 AND id = $2",
            i.org_id,
            i.id,
            i.status.as_str(),
            i.error,
            i.rows_read,
            i.created,
            i.updated,
            i.unchanged,
            i.left,
            i.rejected,
            events,
            i.finished_at_us,
            i.baseline
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        for r in rejections {
            sqlx::query!(
                "INSERT INTO registry_import_rejection (id, org_id, import_id, line, field, reason)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                Uuid::now_v7(),
                i.org_id,
                i.id,
                r.line,
                r.field,
                r.reason
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        for index in Db::SEARCH_INDEXES {
            sqlx::raw_sql(index.create)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        sqlx::raw_sql(Db::REFRESH_STATISTICS)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn last_registry_import(
        &self,
        org_id: Uuid,
        comune: &str,
    ) -> Result<Option<RegistryImport>> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", comune, file_name,
                   file_sha256, reference_date AS "reference_date!: Date",
                   baseline AS "baseline!: bool", status, error, rows_read, created, updated,
                   unchanged, left_registry, rejected, event_counts, actor, at_us,
                   finished_at_us
               FROM registry_import
               WHERE org_id = $1 AND comune = $2 AND status = 'completato'
               ORDER BY reference_date DESC, at_us DESC
               LIMIT 1"#,
            org_id,
            comune
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(match r {
            Some(r) => Some(registry_import!(r)),
            None => None,
        })
    }

    async fn list_registry_imports(&self, org_id: Uuid, limit: i64) -> Result<Vec<RegistryImport>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", comune, file_name,
                   file_sha256, reference_date AS "reference_date!: Date",
                   baseline AS "baseline!: bool", status, error, rows_read, created, updated,
                   unchanged, left_registry, rejected, event_counts, actor, at_us,
                   finished_at_us
               FROM registry_import WHERE org_id = $1
               ORDER BY at_us DESC LIMIT $2"#,
            org_id,
            limit
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(registry_import!(r))).collect()
    }

    async fn get_registry_import(&self, org_id: Uuid, id: Uuid) -> Result<RegistryImport> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", comune, file_name,
                   file_sha256, reference_date AS "reference_date!: Date",
                   baseline AS "baseline!: bool", status, error, rows_read, created, updated,
                   unchanged, left_registry, rejected, event_counts, actor, at_us,
                   finished_at_us
               FROM registry_import WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(registry_import!(r))
    }

    async fn registry_rejections(
        &self,
        org_id: Uuid,
        import_id: Uuid,
    ) -> Result<Vec<RegistryRejection>> {
        let rows = sqlx::query!(
            r#"SELECT line, field, reason FROM registry_import_rejection
               WHERE org_id = $1 AND import_id = $2 ORDER BY line, id"#,
            org_id,
            import_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| RegistryRejection {
                line: r.line,
                field: r.field,
                reason: r.reason,
            })
            .collect())
    }

    async fn registry_events_to_review(
        &self,
        org_id: Uuid,
        include_reviewed: bool,
        every_person: bool,
        limit: i64,
    ) -> Result<Vec<RegistryEvent>> {
        let rows = sqlx::query!(
            r#"SELECT e.id AS "id!: Uuid", e.person_id AS "person_id!: Uuid",
                   e.import_id AS "import_id!: Uuid", e.kind, e.event_date AS "event_date!: Date",
                   e.summary, e.at_us, e.reviewed_at_us, e.reviewed_by, p.surname, p.given_names,
                   p.codice_fiscale
               FROM registry_event e JOIN person p ON p.id = e.person_id
               WHERE e.org_id = $1
                 AND (e.reviewed_at_us IS NULL OR $2)
                 AND ($4 OR EXISTS (SELECT 1 FROM person_open_matter m
                             WHERE m.org_id = $1 AND m.person_id = e.person_id
                               AND m.closed_at_us IS NULL))
               ORDER BY e.event_date DESC, e.at_us DESC, e.id DESC
               LIMIT $3"#,
            org_id,
            include_reviewed,
            limit,
            every_person
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(registry_event!(r))).collect()
    }

    async fn person_registry_events(
        &self,
        org_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<RegistryEvent>> {
        let rows = sqlx::query!(
            r#"SELECT e.id AS "id!: Uuid", e.person_id AS "person_id!: Uuid",
                   e.import_id AS "import_id!: Uuid", e.kind, e.event_date AS "event_date!: Date",
                   e.summary, e.at_us, e.reviewed_at_us, e.reviewed_by, p.surname, p.given_names,
                   p.codice_fiscale
               FROM registry_event e JOIN person p ON p.id = e.person_id
               WHERE e.org_id = $1 AND e.person_id = $2
               ORDER BY e.event_date DESC, e.at_us DESC, e.id DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(registry_event!(r))).collect()
    }

    async fn review_registry_event(
        &self,
        org_id: Uuid,
        id: Uuid,
        at_us: i64,
        by: &str,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE registry_event SET reviewed_at_us = $3, reviewed_by = $4
             WHERE org_id = $1 AND id = $2 AND reviewed_at_us IS NULL",
            org_id,
            id,
            at_us,
            by
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn open_matter(&self, m: &OpenMatter, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO person_open_matter (id, org_id, person_id, kind, ref_id, opened_at_us,
                 closed_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            m.id,
            m.org_id,
            m.person_id,
            m.kind,
            m.ref_id,
            m.opened_at_us,
            m.closed_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn close_matter(
        &self,
        org_id: Uuid,
        kind: &str,
        ref_id: Uuid,
        closed_at_us: i64,
        audit: &NewAudit,
    ) -> Result<u64> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE person_open_matter SET closed_at_us = $4
             WHERE org_id = $1 AND kind = $2 AND ref_id = $3 AND closed_at_us IS NULL",
            org_id,
            kind,
            ref_id,
            closed_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let n = done.rows_affected();
        affected_one(n)?;
        super::audit::commit_with(tx, audit).await?;
        Ok(n)
    }

    async fn open_matters(&self, org_id: Uuid, person_id: Uuid) -> Result<Vec<OpenMatter>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   kind, ref_id AS "ref_id!: Uuid", opened_at_us, closed_at_us
               FROM person_open_matter
               WHERE org_id = $1 AND person_id = $2 AND closed_at_us IS NULL
               ORDER BY opened_at_us"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| OpenMatter {
                id: r.id,
                org_id: r.org_id,
                person_id: r.person_id,
                kind: r.kind,
                ref_id: r.ref_id,
                opened_at_us: r.opened_at_us,
                closed_at_us: r.closed_at_us,
            })
            .collect())
    }
}
