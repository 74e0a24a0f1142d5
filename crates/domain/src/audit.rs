//! The audit log's hash chain. Each organization's rows form one chain: a row's hash covers
//! its own fields and the previous row's hash, so altering, removing or reordering a row breaks
//! the chain at that point. The hash is an HMAC with a key kept outside the database, so whoever
//! can write the database cannot re-hash a rewritten chain. The store writes the rows; this
//! module says what the hash is, what a broken chain looks like and what an anchor (a signed
//! statement of every chain's head, kept elsewhere) proves.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
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
    /// Hashed with the key (HMAC-SHA-256); rows written before the key existed are plain
    /// SHA-256 and may only open a chain.
    pub keyed: bool,
}

/// The last sequence number handed out for one organization's chain, and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub org_id: Uuid,
    pub seq: i64,
    pub hash: String,
}

/// The secret the chain is keyed with: 32 random bytes, written as 64 hex digits in a file
/// outside the database. Its `Debug` never shows it.
///
/// The file also says whether the log held rows from before any key when the key was made
/// (an upgrade: a second line [`LEGACY_LINE`]). Only then may a chain start with unkeyed rows;
/// a log keyed from its first row that shows one was rewritten by someone without the key,
/// and the line cannot be added by someone who cannot write the key file.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    bytes: [u8; 32],
    legacy: bool,
}

/// The key file's second line when the key was made for a log that already held rows.
pub const LEGACY_LINE: &str = "righe-precedenti-ammesse";

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey([nascosta])")
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            legacy: false,
        }
    }

    /// The same key, for a log that held unkeyed rows when it was made.
    pub fn admitting_legacy(self) -> Self {
        Self {
            legacy: true,
            ..self
        }
    }

    pub fn admits_legacy(&self) -> bool {
        self.legacy
    }

    /// Reads the key file's text: 64 hex digits, surrounding blanks ignored, and possibly
    /// [`LEGACY_LINE`].
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let hex_line = lines.next().unwrap_or("");
        let legacy = match lines.next() {
            None => false,
            Some(LEGACY_LINE) => true,
            Some(other) => return Err(format!("riga sconosciuta nella chiave: «{other}»")),
        };
        let bytes = hex::decode(hex_line)
            .map_err(|_| "la chiave deve essere di 64 cifre esadecimali".to_owned())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!(
                "la chiave deve essere di 32 byte (64 cifre esadecimali), non {}",
                b.len()
            )
        })?;
        Ok(Self { bytes, legacy })
    }

    /// The key's hex digits (the key file's first line).
    pub fn to_hex(&self) -> String {
        hex::encode(self.bytes)
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC pads a key shorter than the hash's block to the block with zeros; padding here
        // lets the key be a fixed-size array, so making the MAC cannot fail.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.bytes);
        Hmac::<Sha256>::new(&block.into())
    }

    /// HMAC-SHA-256 of `message`, in hex.
    pub fn sign(&self, message: &[u8]) -> String {
        let mut m = self.mac();
        m.update(message);
        hex::encode(m.finalize().into_bytes())
    }

    /// Whether `signature` (hex) is this key's HMAC of `message`, compared in constant time.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Ok(tag) = hex::decode(signature) else {
            return false;
        };
        let mut m = self.mac();
        m.update(message);
        m.verify_slice(&tag).is_ok()
    }
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

/// The instant of stored Unix microseconds: the inverse of [`unix_micros`].
pub fn from_unix_micros(us: i64) -> Result<OffsetDateTime, time::error::ComponentRange> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000)
}

/// Appends one length-prefixed field, so that no two different rows serialize alike.
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn uuid_field(out: &mut Vec<u8>, id: Option<Uuid>) {
    field(
        out,
        id.map(|u| *u.as_bytes()).unwrap_or_default().as_slice(),
    );
}

/// The bytes a row's hash covers: the previous hash and every field of the row.
fn row_message(row: &AuditRow) -> Vec<u8> {
    let mut m = Vec::with_capacity(256 + row.summary.len());
    field(&mut m, row.prev_hash.as_bytes());
    field(&mut m, &row.seq.to_be_bytes());
    field(&mut m, row.id.as_bytes());
    field(&mut m, row.org_id.as_bytes());
    field(&mut m, &unix_micros(row.at).to_be_bytes());
    uuid_field(&mut m, row.actor_id);
    field(&mut m, row.actor.as_bytes());
    field(&mut m, row.action.as_bytes());
    field(&mut m, row.record_kind.as_bytes());
    uuid_field(&mut m, row.record_id);
    field(&mut m, row.summary.as_bytes());
    field(&mut m, row.reason.as_deref().unwrap_or("").as_bytes());
    m
}

/// The hash of a row given the previous hash: HMAC-SHA-256 with `key` for a keyed row, plain
/// SHA-256 for a row written before the chain had a key.
pub fn row_hash(row: &AuditRow, key: &AuditKey) -> String {
    let message = row_message(row);
    if row.keyed {
        key.sign(&message)
    } else {
        hex::encode(Sha256::digest(&message))
    }
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
    /// The organization has no rows at all, though creating it writes one.
    MissingChain,
    /// The organization's rows have no head: it was deleted.
    MissingHead,
    /// The head names another last row than the chain's.
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// A row hashed without the key after a keyed one: only rows from before the key existed
    /// may be unkeyed, and they come first.
    UnkeyedAfterKeyed { seq: i64, id: Uuid },
    /// A row without a key in a log keyed from its first row: rewritten by someone without it.
    Unkeyed { seq: i64, id: Uuid },
    /// A row signed in the anchor is gone or has another hash now.
    NotAsAnchored { seq: i64 },
    /// The chain has another number of unkeyed rows than when the anchor was made.
    UnkeyedChanged { anchored: i64, now: i64 },
    /// An organization in the anchor no longer exists.
    OrganizationGone,
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
            ChainProblem::MissingChain => {
                f.write_str("l'ente non ha righe nel registro: la sua catena è stata cancellata")
            }
            ChainProblem::MissingHead => {
                f.write_str("manca la testa della catena (audit_head): è stata cancellata")
            }
            ChainProblem::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "la testa della catena indica la riga {head_seq} ma l'ultima riga è la {last_seq} \
                 (o ha un'altra impronta)"
            ),
            ChainProblem::Unkeyed { seq, id } => write!(
                f,
                "riga {seq} ({id}): senza chiave, in un registro che ha una chiave dalla prima riga (righe riscritte)"
            ),
            ChainProblem::UnkeyedAfterKeyed { seq, id } => write!(
                f,
                "riga {seq} ({id}): senza chiave dopo righe con chiave (riscritta)"
            ),
            ChainProblem::NotAsAnchored { seq } => write!(
                f,
                "riga {seq}: firmata nell'ancoraggio, ora manca o ha un'altra impronta"
            ),
            ChainProblem::UnkeyedChanged { anchored, now } => write!(
                f,
                "righe senza chiave: {anchored} nell'ancoraggio, {now} ora (catena riscritta)"
            ),
            ChainProblem::OrganizationGone => f.write_str("l'ente dell'ancoraggio non esiste più"),
        }
    }
}

/// What verifying one chain found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    pub problems: Vec<ChainProblem>,
    /// Rows written before the chain had a key (hashed with plain SHA-256); an anchor made
    /// after the upgrade is what vouches for them.
    pub unkeyed: i64,
}

/// Walks one organization's rows in the order the store returns them (by `seq`) and reports
/// every place where the chain is broken, and whether `head` (what the store handed out last)
/// is its last row, so rows cut from the end and a deleted head are found too.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = &'a AuditRow>,
    head: Option<&ChainHead>,
    key: &AuditKey,
) -> ChainReport {
    let mut report = ChainReport::default();
    let problems = &mut report.problems;
    let mut prev_hash = GENESIS;
    let mut prev_seq = 0;
    let mut seen_keyed = false;
    for row in rows {
        if row.seq > prev_seq + 1 {
            problems.push(ChainProblem::Missing {
                from_seq: prev_seq + 1,
                to_seq: row.seq - 1,
            });
        }
        if !row.keyed {
            report.unkeyed += 1;
            if seen_keyed {
                problems.push(ChainProblem::UnkeyedAfterKeyed {
                    seq: row.seq,
                    id: row.id,
                });
            } else if !key.admits_legacy() && report.unkeyed == 1 {
                // Said once: every row after it is unkeyed too, or reported as such.
                problems.push(ChainProblem::Unkeyed {
                    seq: row.seq,
                    id: row.id,
                });
            }
        }
        seen_keyed |= row.keyed;
        if row_hash(row, key) != row.hash {
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
        prev_hash = &row.hash;
        prev_seq = row.seq;
    }
    match head {
        _ if prev_seq == 0 => problems.push(ChainProblem::MissingChain),
        None => problems.push(ChainProblem::MissingHead),
        Some(h) if h.seq > prev_seq => problems.push(ChainProblem::Truncated {
            last_seq: prev_seq,
            head_seq: h.seq,
        }),
        Some(h) if h.seq < prev_seq || h.hash != prev_hash => {
            problems.push(ChainProblem::HeadMismatch {
                head_seq: h.seq,
                last_seq: prev_seq,
            })
        }
        Some(_) => {}
    }
    report
}

/// One chain's head as signed in an anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchoredHead {
    pub org_code: String,
    pub org_id: Uuid,
    pub seq: i64,
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Rows of the chain written before the key existed.
    pub unkeyed: i64,
}

/// A signed statement of every chain's head, kept outside the server: whatever happens to the
/// database and the key later, the rows up to these heads can be checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    #[serde(with = "time::serde::rfc3339")]
    pub made_at: OffsetDateTime,
    pub heads: Vec<AnchoredHead>,
    /// HMAC-SHA-256, in hex, of [`Anchor::message`] with the audit key.
    pub signature: String,
}

impl Anchor {
    /// Signs the heads with `key`.
    pub fn sign(made_at: OffsetDateTime, heads: Vec<AnchoredHead>, key: &AuditKey) -> Self {
        let mut anchor = Anchor {
            made_at: truncate_to_micros(made_at),
            heads,
            signature: String::new(),
        };
        anchor.signature = key.sign(&anchor.message());
        anchor
    }

    /// Whether the signature is `key`'s over the anchor's content.
    pub fn is_signed_by(&self, key: &AuditKey) -> bool {
        key.verifies(&self.message(), &self.signature)
    }

    /// The canonical bytes the signature covers: length-prefixed fields, as for a row, so
    /// that JSON formatting does not matter.
    fn message(&self) -> Vec<u8> {
        let mut m = Vec::new();
        field(&mut m, b"sportello-anchor-1");
        field(&mut m, &unix_micros(self.made_at).to_be_bytes());
        field(&mut m, &(self.heads.len() as u64).to_be_bytes());
        for h in &self.heads {
            field(&mut m, h.org_code.as_bytes());
            field(&mut m, h.org_id.as_bytes());
            field(&mut m, &h.seq.to_be_bytes());
            field(&mut m, h.hash.as_bytes());
            field(&mut m, &unix_micros(h.at).to_be_bytes());
            field(&mut m, &h.unkeyed.to_be_bytes());
        }
        m
    }

    /// Checks one organization's chain, as the store holds it now, against its anchored head:
    /// the anchored row must still be there with the same hash, and the unkeyed rows as many.
    /// With the chain itself verified, nothing up to the anchored row was changed since.
    pub fn check(
        head: &AnchoredHead,
        rows: &[AuditRow],
        report: &ChainReport,
    ) -> Vec<ChainProblem> {
        let mut problems = Vec::new();
        if !rows
            .iter()
            .any(|r| r.seq == head.seq && r.hash == head.hash)
        {
            problems.push(ChainProblem::NotAsAnchored { seq: head.seq });
        }
        if report.unkeyed != head.unkeyed {
            problems.push(ChainProblem::UnkeyedChanged {
                anchored: head.unkeyed,
                now: report.unkeyed,
            });
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey::from_bytes([7; 32])
    }

    /// A chain of `n` rows whose first `unkeyed` rows were written before the key existed.
    fn chain_with(n: i64, unkeyed: i64) -> Vec<AuditRow> {
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
                    keyed: seq > unkeyed,
                };
                row.hash = row_hash(&row, &key());
                prev = row.hash.clone();
                row
            })
            .collect()
    }

    fn chain(n: i64) -> Vec<AuditRow> {
        chain_with(n, 0)
    }

    fn head_of(rows: &[AuditRow]) -> ChainHead {
        let last = rows.last().unwrap();
        ChainHead {
            org_id: last.org_id,
            seq: last.seq,
            hash: last.hash.clone(),
        }
    }

    fn verify(rows: &[AuditRow], head_seq: i64) -> Vec<ChainProblem> {
        let mut head = head_of(rows);
        head.seq = head_seq;
        // An upgraded log's key: unkeyed rows at a chain's start are allowed, so the problems
        // found are the ones each test is about.
        verify_chain(rows, Some(&head), &key().admitting_legacy()).problems
    }

    /// Asserts that verifying `rows` finds row `i` altered.
    fn assert_altered(rows: &[AuditRow], i: usize) {
        let p = verify(rows, rows.last().unwrap().seq);
        let altered = ChainProblem::Altered {
            seq: rows[i].seq,
            id: rows[i].id,
        };
        assert!(p.contains(&altered), "{p:?}");
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert!(verify(&chain(5), 5).is_empty());
    }

    #[test]
    fn an_edited_row_is_found_by_its_sequence_number() {
        let mut rows = chain(5);
        rows[2].summary = "riga cambiata".into();
        assert_eq!(
            verify(&rows, 5),
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
        let p = verify(&rows, 5);
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
        let head = head_of(&rows);
        assert_eq!(
            verify_chain(&rows[..3], Some(&head), &key()).problems,
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
        assert_altered(&rows, 1);
    }

    #[test]
    fn a_missing_head_or_chain_is_a_problem() {
        let rows = chain(3);
        assert_eq!(
            verify_chain(&rows, None, &key()).problems,
            vec![ChainProblem::MissingHead]
        );
        assert_eq!(
            verify_chain(&[], None, &key()).problems,
            vec![ChainProblem::MissingChain]
        );
        assert_eq!(
            verify_chain(&[], Some(&head_of(&rows)), &key()).problems,
            vec![ChainProblem::MissingChain]
        );
    }

    #[test]
    fn a_head_that_is_not_the_last_row_is_a_problem() {
        let rows = chain(5);
        let mut head = head_of(&rows[..4]);
        assert_eq!(
            verify_chain(&rows, Some(&head), &key()).problems,
            vec![ChainProblem::HeadMismatch {
                head_seq: 4,
                last_seq: 5
            }]
        );
        head = head_of(&rows);
        head.hash = rows[3].hash.clone();
        assert_eq!(
            verify_chain(&rows, Some(&head), &key()).problems,
            vec![ChainProblem::HeadMismatch {
                head_seq: 5,
                last_seq: 5
            }]
        );
    }

    #[test]
    fn a_chain_rehashed_without_the_key_is_found() {
        let mut rows = chain(4);
        rows[1].summary = "riscritta".into();
        // Whoever rewrites the row re-hashes it and every row after it, but with another key.
        let other = AuditKey::from_bytes([8; 32]);
        for i in 1..rows.len() {
            rows[i].prev_hash = rows[i - 1].hash.clone();
            rows[i].hash = row_hash(&rows[i], &other);
        }
        assert_altered(&rows, 1);
    }

    #[test]
    fn unkeyed_rows_may_only_open_a_chain_of_a_log_that_had_them() {
        // A key made for a log that already held rows admits them as the chain's start.
        let rows = chain_with(5, 2);
        let upgraded = key().admitting_legacy();
        let report = verify_chain(&rows, Some(&head_of(&rows)), &upgraded);
        assert!(report.problems.is_empty(), "{report:?}");
        assert_eq!(report.unkeyed, 2);
        // A log keyed from its first row does not: the chain was rewritten (once said).
        let report = verify_chain(&rows, Some(&head_of(&rows)), &key());
        assert_eq!(
            report.problems,
            vec![ChainProblem::Unkeyed {
                seq: 1,
                id: rows[0].id
            }]
        );
        let every_row = chain_with(5, 5);
        let report = verify_chain(&every_row, Some(&head_of(&every_row)), &key());
        assert_eq!(report.problems.len(), 1, "{report:?}");

        // Re-hashing a keyed row without the key, as SHA-256, is not accepted.
        let mut rows = chain_with(5, 2);
        rows[3].keyed = false;
        rows[3].hash = row_hash(&rows[3], &key());
        rows[4].prev_hash = rows[3].hash.clone();
        rows[4].keyed = false;
        rows[4].hash = row_hash(&rows[4], &key());
        let p = verify(&rows, 5);
        assert_eq!(
            p,
            vec![
                ChainProblem::UnkeyedAfterKeyed {
                    seq: 4,
                    id: rows[3].id
                },
                ChainProblem::UnkeyedAfterKeyed {
                    seq: 5,
                    id: rows[4].id
                }
            ]
        );
    }

    #[test]
    fn the_keyed_hash_depends_on_the_key_and_the_plain_one_does_not() {
        let mut row = chain(1).remove(0);
        let other = AuditKey::from_bytes([8; 32]);
        assert_ne!(row_hash(&row, &key()), row_hash(&row, &other));
        row.keyed = false;
        assert_eq!(row_hash(&row, &key()), row_hash(&row, &other));
    }

    #[test]
    fn keys_are_read_from_hex_and_never_shown() {
        let k = key();
        let text = format!("{}\n{LEGACY_LINE}\n", k.to_hex());
        let upgraded = AuditKey::parse(&text).unwrap();
        assert!(upgraded.admits_legacy() && !AuditKey::parse(&k.to_hex()).unwrap().admits_legacy());
        assert!(AuditKey::parse(&format!("{}\naltro", k.to_hex())).is_err());
        assert_eq!(AuditKey::parse(&format!(" {}\n", k.to_hex())).unwrap(), k);
        assert!(AuditKey::parse("abcd").unwrap_err().contains("32 byte"));
        assert!(AuditKey::parse("zz").unwrap_err().contains("esadecimali"));
        assert_eq!(format!("{k:?}"), "AuditKey([nascosta])");
    }

    fn anchored(rows: &[AuditRow], unkeyed: i64) -> AnchoredHead {
        let last = rows.last().unwrap();
        AnchoredHead {
            org_code: "comune-bg".into(),
            org_id: last.org_id,
            seq: last.seq,
            hash: last.hash.clone(),
            at: last.at,
            unkeyed,
        }
    }

    #[test]
    fn an_anchor_is_signed_and_holds_its_rows() {
        let rows = chain(5);
        let anchor = Anchor::sign(rows[4].at, vec![anchored(&rows[..3], 0)], &key());
        assert!(anchor.is_signed_by(&key()));
        assert!(!anchor.is_signed_by(&AuditKey::from_bytes([8; 32])));
        let mut forged = anchor.clone();
        forged.heads[0].seq = 2;
        assert!(!forged.is_signed_by(&key()));

        let head = &anchor.heads[0];
        let report = verify_chain(&rows, Some(&head_of(&rows)), &key());
        assert!(Anchor::check(head, &rows, &report).is_empty());
        // The chain cut before the anchored row, or rewritten through it by the key's holder.
        assert_eq!(
            Anchor::check(head, &rows[..2], &report),
            vec![ChainProblem::NotAsAnchored { seq: 3 }]
        );
        let rewritten = chain_with(5, 5);
        let report = verify_chain(&rewritten, Some(&head_of(&rewritten)), &key());
        assert_eq!(
            Anchor::check(head, &rewritten, &report),
            vec![
                ChainProblem::NotAsAnchored { seq: 3 },
                ChainProblem::UnkeyedChanged {
                    anchored: 0,
                    now: 5
                }
            ]
        );
    }

    #[test]
    fn an_anchor_survives_its_json() {
        let rows = chain(2);
        let anchor = Anchor::sign(rows[1].at, vec![anchored(&rows, 0)], &key());
        let text = serde_json::to_string_pretty(&anchor).unwrap();
        let back: Anchor = serde_json::from_str(&text).unwrap();
        assert!(back.is_signed_by(&key()));
    }

    #[test]
    fn timestamps_are_truncated_to_microseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(truncate_to_micros(t).nanosecond(), 123_456_000);
    }
}
