//! The audit log's hash chain. Each organization's rows form one chain: a row's hash covers
//! its own fields and the previous row's hash, so altering, removing or reordering a row breaks
//! the chain at that point. The store writes the rows; this module says what the hash is and
//! what a broken chain looks like.

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// The hash before the first row of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<Uuid>,
    /// The actor's login at the time (or `sistema` for the command line and start-up).
    pub actor: String,
    /// What happened, as `area.verb` (`user.create`, `session.login`, `casefile.read`).
    pub action: String,
    pub record_kind: String,
    pub record_id: Option<Uuid>,
    /// What changed, in a line an auditor can read; never a secret.
    pub summary: String,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Truncates to whole microseconds: PostgreSQL keeps no more, and the hash must survive the
/// round trip through either database.
pub fn truncate_to_micros(t: OffsetDateTime) -> OffsetDateTime {
    let nanos = t.nanosecond();
    t.replace_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

/// Unix microseconds: how times that are compared (sessions, audit, history) are stored.
pub fn unix_micros(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000) as i64
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The hash of a row given the previous hash. Every field is length-prefixed so that no two
/// different rows can serialize to the same bytes.
pub fn row_hash(row: &AuditRow) -> String {
    let mut h = Sha256::new();
    field(&mut h, row.prev_hash.as_bytes());
    field(&mut h, &row.seq.to_be_bytes());
    field(&mut h, row.id.as_bytes());
    field(&mut h, row.org_id.as_bytes());
    let micros = (row.at.unix_timestamp_nanos() / 1_000) as i64;
    field(&mut h, &micros.to_be_bytes());
    field(
        &mut h,
        row.actor_id
            .map(|u| *u.as_bytes())
            .unwrap_or_default()
            .as_slice(),
    );
    field(&mut h, row.actor.as_bytes());
    field(&mut h, row.action.as_bytes());
    field(&mut h, row.record_kind.as_bytes());
    field(
        &mut h,
        row.record_id
            .map(|u| *u.as_bytes())
            .unwrap_or_default()
            .as_slice(),
    );
    field(&mut h, row.summary.as_bytes());
    field(&mut h, row.reason.as_deref().unwrap_or("").as_bytes());
    hex::encode(h.finalize())
}

/// What `audit verify` found wrong in a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// The row's content no longer matches its hash: it was edited.
    Altered { seq: i64, id: Uuid },
    /// The row does not follow the one before it: rows were removed or reordered before it.
    BrokenLink { seq: i64, id: Uuid },
    /// Sequence numbers jump: rows between them were removed.
    Missing { from_seq: i64, to_seq: i64 },
    /// The chain ends before the last row the organization recorded.
    Truncated { last_seq: i64, head_seq: i64 },
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainProblem::Altered { seq, id } => {
                write!(f, "riga {seq} ({id}): il contenuto è stato modificato")
            }
            ChainProblem::BrokenLink { seq, id } => write!(
                f,
                "riga {seq} ({id}): non segue la riga precedente (righe rimosse o riordinate)"
            ),
            ChainProblem::Missing { from_seq, to_seq } => {
                write!(f, "righe da {from_seq} a {to_seq}: mancanti")
            }
            ChainProblem::Truncated { last_seq, head_seq } => write!(
                f,
                "la catena finisce alla riga {last_seq} ma ne erano state registrate {head_seq}"
            ),
        }
    }
}

/// Walks one organization's rows in the order the store returns them (by `seq`) and reports
/// every place where the chain is broken. `head_seq` is the last sequence number the store
/// handed out for the chain, so rows cut from the end are found too.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = &'a AuditRow>,
    head_seq: i64,
) -> Vec<ChainProblem> {
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_owned();
    let mut prev_seq = 0;
    for row in rows {
        if row.seq > prev_seq + 1 {
            problems.push(ChainProblem::Missing {
                from_seq: prev_seq + 1,
                to_seq: row.seq - 1,
            });
        }
        if row_hash(row) != row.hash {
            problems.push(ChainProblem::Altered {
                seq: row.seq,
                id: row.id,
            });
        } else if row.prev_hash != prev_hash {
            problems.push(ChainProblem::BrokenLink {
                seq: row.seq,
                id: row.id,
            });
        }
        prev_hash = row.hash.clone();
        prev_seq = row.seq;
    }
    if head_seq > prev_seq {
        problems.push(ChainProblem::Truncated {
            last_seq: prev_seq,
            head_seq,
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRow> {
        let org = Uuid::from_u128(1);
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut row = AuditRow {
                    id: Uuid::from_u128(seq as u128 + 100),
                    org_id: org,
                    seq,
                    at: OffsetDateTime::from_unix_timestamp(1_700_000_000 + seq).unwrap(),
                    actor_id: None,
                    actor: "sistema".into(),
                    action: "user.create".into(),
                    record_kind: "user".into(),
                    record_id: Some(Uuid::from_u128(7)),
                    summary: format!("riga {seq}"),
                    reason: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                row.hash = row_hash(&row);
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify_chain(&chain(5), 5).is_empty());
        assert!(verify_chain(&[], 0).is_empty());
    }

    #[test]
    fn an_edited_row_is_found_by_its_sequence_number() {
        let mut rows = chain(5);
        rows[2].summary = "riga cambiata".into();
        assert_eq!(
            verify_chain(&rows, 5),
            vec![ChainProblem::Altered {
                seq: 3,
                id: rows[2].id
            }]
        );
    }

    #[test]
    fn a_removed_row_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        let p = verify_chain(&rows, 5);
        assert_eq!(
            p[0],
            ChainProblem::Missing {
                from_seq: 2,
                to_seq: 2
            }
        );
        assert_eq!(
            p[1],
            ChainProblem::BrokenLink {
                seq: 3,
                id: rows[1].id
            }
        );
    }

    #[test]
    fn rows_cut_from_the_end_are_found() {
        let rows = chain(5);
        assert_eq!(
            verify_chain(&rows[..3], 5),
            vec![ChainProblem::Truncated {
                last_seq: 3,
                head_seq: 5
            }]
        );
    }

    #[test]
    fn swapped_rows_are_found() {
        let mut rows = chain(4);
        // Swap the content of rows 2 and 3 but keep the sequence numbers in order.
        let (a, b) = (rows[1].clone(), rows[2].clone());
        rows[1] = AuditRow { seq: 2, ..b };
        rows[2] = AuditRow { seq: 3, ..a };
        let p = verify_chain(&rows, 4);
        assert!(
            p.contains(&ChainProblem::Altered {
                seq: 2,
                id: rows[1].id
            }),
            "{p:?}"
        );
    }

    #[test]
    fn timestamps_are_truncated_to_microseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(truncate_to_micros(t).nanosecond(), 123_456_000);
    }
}
