use super::map_err;
use super::{Backend, Db, Kind, Tx};
use domain::audit::{AuditRow, ChainHead, GENESIS, row_hash, truncate_to_micros, unix_micros};
use store::{AuditFilter, AuditStore, NewAudit, Result};
use uuid::Uuid;

/// Rows of one multi-row INSERT into `audit_log`: 14 arguments each, far below either
/// database's limit on a statement's arguments.
const AUDIT_ROWS: usize = 100;

/// Appends `e` to its organization's chain inside `tx`, hashed with the transaction's audit key.
pub(crate) async fn append(tx: &mut Tx, e: &NewAudit) -> Result<AuditRow> {
    let mut rows = append_to_chain(tx, e.org_id, &[e]).await?;
    rows.pop().ok_or(store::StoreError::NotFound)
}

/// Appends `entries`, all of organization `org_id`, in order. Bumping the head row first (by
/// their number) takes its row lock (PostgreSQL) or the database write lock (SQLite), so
/// concurrent appends to one chain are serialized and sequence numbers never repeat; the head
/// is read and written once however many rows follow.
async fn append_to_chain(
    tx: &mut Tx,
    org_id: Uuid,
    entries: &[&NewAudit],
) -> Result<Vec<AuditRow>> {
    sqlx::query!(
        "INSERT INTO audit_head (org_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (org_id) DO NOTHING",
        org_id,
        GENESIS
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    let count = entries.len() as i64;
    let head = sqlx::query!(
        r#"UPDATE audit_head SET seq = seq + $2 WHERE org_id = $1 RETURNING seq AS "seq!", hash AS "hash!""#,
        org_id,
        count
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    let mut prev_hash = head.hash;
    let mut rows = Vec::with_capacity(entries.len());
    for (seq, e) in (head.seq - count + 1..).zip(entries) {
        let mut row = AuditRow {
            id: Uuid::now_v7(),
            org_id,
            seq,
            at: truncate_to_micros(e.at),
            actor_id: e.actor_id,
            actor: e.actor.clone(),
            action: e.action.clone(),
            record_kind: e.record_kind.clone(),
            record_id: e.record_id,
            summary: e.summary.clone(),
            reason: e.reason.clone(),
            prev_hash,
            hash: String::new(),
            keyed: true,
        };
        row.hash = row_hash(&row, &tx.key);
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    // A batch of reads is a few multi-row statements rather than one statement per row.
    super::registry::insert_chunks(tx, &rows, AUDIT_ROWS, |chunk| {
        let mut qb = sqlx::QueryBuilder::<Kind>::new(
            "INSERT INTO audit_log (id, org_id, seq, at_us, actor_id, actor, action, record_kind,
                 record_id, summary, reason, prev_hash, hash, keyed) ",
        );
        qb.push_values(chunk, |mut b, r| {
            b.push_bind(r.id)
                .push_bind(r.org_id)
                .push_bind(r.seq)
                .push_bind(unix_micros(r.at))
                .push_bind(r.actor_id)
                .push_bind(r.actor.as_str())
                .push_bind(r.action.as_str())
                .push_bind(r.record_kind.as_str())
                .push_bind(r.record_id)
                .push_bind(r.summary.as_str())
                .push_bind(r.reason.as_deref())
                .push_bind(r.prev_hash.as_str())
                .push_bind(r.hash.as_str())
                .push_bind(r.keyed);
        });
        qb
    })
    .await?;
    sqlx::query!(
        "UPDATE audit_head SET hash = $2 WHERE org_id = $1",
        org_id,
        prev_hash
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(rows)
}

/// Appends the change's audit entry and commits: the last step of every audited change.
pub(crate) async fn commit_with(mut tx: Tx, e: &NewAudit) -> Result<()> {
    append(&mut tx, e).await?;
    tx.commit().await.map_err(map_err)
}

fn from_micros(us: i64) -> Result<time::OffsetDateTime> {
    domain::audit::from_unix_micros(us).map_err(|e| store::StoreError::Corrupt {
        column: "at_us",
        message: e.to_string(),
    })
}

macro_rules! audit_row {
    ($r:expr) => {
        AuditRow {
            id: $r.id,
            org_id: $r.org_id,
            seq: $r.seq,
            at: from_micros($r.at_us)?,
            actor_id: $r.actor_id,
            actor: $r.actor,
            action: $r.action,
            record_kind: $r.record_kind,
            record_id: $r.record_id,
            summary: $r.summary,
            reason: $r.reason,
            prev_hash: $r.prev_hash,
            hash: $r.hash,
            keyed: $r.keyed,
        }
    };
}

/// Escapes LIKE wildcards so that user input matches literally (with `ESCAPE '\'`).
fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl AuditStore for Db {
    async fn append_audit(&self, entry: &NewAudit) -> Result<AuditRow> {
        let mut tx = self.begin().await?;
        let row = append(&mut tx, entry).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(row)
    }

    async fn append_audit_batch(&self, entries: &[NewAudit]) -> Result<()> {
        // One pass per chain, in a fixed order of organizations, so that two batches never
        // wait for each other's head rows crosswise.
        let mut orgs: Vec<Uuid> = entries.iter().map(|e| e.org_id).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let mut tx = self.begin().await?;
        for org_id in orgs {
            let chain: Vec<&NewAudit> = entries.iter().filter(|e| e.org_id == org_id).collect();
            append_to_chain(&mut tx, org_id, &chain).await?;
        }
        tx.commit().await.map_err(map_err)
    }

    async fn list_audit(&self, f: &AuditFilter) -> Result<Vec<AuditRow>> {
        let action = f.action_prefix.as_deref().map(like_prefix);
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", seq, at_us,
                      actor_id AS "actor_id?: Uuid", actor, action, record_kind,
                      record_id AS "record_id?: Uuid", summary, reason, prev_hash, hash,
                      keyed AS "keyed!: bool"
               FROM audit_log
               WHERE (org_id = $1 OR $1 IS NULL)
                 AND (actor = $2 OR $2 IS NULL)
                 AND (action LIKE $3 ESCAPE '\' OR $3 IS NULL)
                 AND (record_id = $4 OR $4 IS NULL)
                 AND (at_us >= $5 OR $5 IS NULL)
                 AND (at_us <= $6 OR $6 IS NULL)
                 AND (action = $9 OR $9 IS NULL)
               ORDER BY at_us DESC, seq DESC
               LIMIT $7 OFFSET $8"#,
            f.org_id,
            f.actor,
            action,
            f.record_id,
            f.from_us,
            f.to_us,
            f.limit,
            f.offset,
            f.action
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(audit_row!(r))).collect()
    }

    async fn count_audit(&self, f: &AuditFilter) -> Result<i64> {
        let action = f.action_prefix.as_deref().map(like_prefix);
        sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!" FROM audit_log
               WHERE (org_id = $1 OR $1 IS NULL)
                 AND (actor = $2 OR $2 IS NULL)
                 AND (action LIKE $3 ESCAPE '\' OR $3 IS NULL)
                 AND (record_id = $4 OR $4 IS NULL)
                 AND (at_us >= $5 OR $5 IS NULL)
                 AND (at_us <= $6 OR $6 IS NULL)
                 AND (action = $7 OR $7 IS NULL)"#,
            f.org_id,
            f.actor,
            action,
            f.record_id,
            f.from_us,
            f.to_us,
            f.action
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)
    }

    async fn audit_chain(&self, org_id: Uuid) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", seq, at_us,
                      actor_id AS "actor_id?: Uuid", actor, action, record_kind,
                      record_id AS "record_id?: Uuid", summary, reason, prev_hash, hash,
                      keyed AS "keyed!: bool"
               FROM audit_log WHERE org_id = $1 ORDER BY seq"#,
            org_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(audit_row!(r))).collect()
    }

    async fn chain_heads(&self) -> Result<Vec<ChainHead>> {
        let rows = sqlx::query!(
            r#"SELECT org_id AS "org_id!: Uuid", seq, hash FROM audit_head ORDER BY org_id"#
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| ChainHead {
                org_id: r.org_id,
                seq: r.seq,
                hash: r.hash,
            })
            .collect())
    }

    async fn person_audit(
        &self,
        org_id: Uuid,
        person_id: Uuid,
        limit: i64,
        offset: i64,
        reads_except: Option<Uuid>,
    ) -> Result<Vec<AuditRow>> {
        // The person's records, each through its own person or case-file index. audit_log is
        // then read through its record index for changes and through its (day, record) index
        // for reads (migration 0011): one seek per record and day from the first read logged
        // to the last. Record ids are UUIDs, unique across organizations, so an (org_id, …)
        // index would select nothing more.
        let rows = sqlx::query!(
            r#"WITH RECURSIVE ids (id) AS (
                   SELECT p.id FROM person p WHERE p.org_id = $1 AND p.id = $2
                   UNION ALL SELECT p.id FROM person p
                    WHERE p.org_id = $1 AND p.merged_into = $2
                   UNION ALL SELECT d.id FROM person_document d
                    JOIN person p ON p.id = d.person_id
                    WHERE p.org_id = $1 AND d.person_id = $2
                   UNION ALL SELECT a.id FROM application a
                    WHERE a.org_id = $1 AND a.person_id = $2
                   UNION ALL SELECT d.id FROM application_document d
                    JOIN application a ON a.id = d.application_id
                    WHERE a.org_id = $1 AND a.person_id = $2
                   UNION ALL SELECT i.id FROM isee_attestation i
                    WHERE i.org_id = $1 AND i.person_id = $2
                   UNION ALL SELECT c.id FROM case_file c
                    WHERE c.org_id = $1 AND c.person_id = $2
                   UNION ALL SELECT e.id FROM diary_entry e
                    JOIN case_file c ON c.id = e.case_file_id
                    WHERE c.org_id = $1 AND c.person_id = $2
                   UNION ALL SELECT x.id FROM assessment x
                    JOIN case_file c ON c.id = x.case_file_id
                    WHERE c.org_id = $1 AND c.person_id = $2
                   UNION ALL SELECT x.id FROM care_plan x
                    JOIN case_file c ON c.id = x.case_file_id
                    WHERE c.org_id = $1 AND c.person_id = $2
                   UNION ALL SELECT x.id FROM case_document x
                    JOIN case_file c ON c.id = x.case_file_id
                    WHERE c.org_id = $1 AND c.person_id = $2
                   UNION ALL SELECT x.id FROM access_record x
                    WHERE x.org_id = $1 AND x.person_id = $2
                   UNION ALL SELECT m.household_id FROM household_member m
                    WHERE m.org_id = $1 AND m.person_id = $2
                   UNION ALL SELECT m.dsu_id FROM dsu_member m
                    WHERE m.org_id = $1 AND m.person_id = $2),
               days (day) AS (
                   SELECT MIN(read_day) FROM audit_log WHERE read_day IS NOT NULL
                   UNION ALL SELECT day + 1 FROM days WHERE day < (
                       SELECT MAX(read_day) FROM audit_log WHERE read_day IS NOT NULL))
               SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", seq, at_us,
                      actor_id AS "actor_id?: Uuid", actor, action, record_kind,
                      record_id AS "record_id?: Uuid", summary, reason, prev_hash, hash,
                      keyed AS "keyed!: bool"
               FROM audit_log
               WHERE org_id = $1 AND id IN (
                   SELECT c.id FROM audit_log c
                    WHERE c.read_day IS NULL AND c.record_id IN (SELECT id FROM ids)
                   UNION ALL
                   SELECT r.id FROM days CROSS JOIN ids CROSS JOIN audit_log r
                    WHERE r.read_day = days.day AND r.record_id = ids.id)
                 AND ((action LIKE '%.view' AND (actor_id IS NULL OR actor_id <> $5))
                      OR $5 IS NULL)
               ORDER BY at_us DESC, seq DESC
               LIMIT $3 OFFSET $4"#,
            org_id,
            person_id,
            limit,
            offset,
            reads_except
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(audit_row!(r))).collect()
    }
}
