//! Where a database's schema stands and what it holds, for upgrades and backups (the backends'
//! `maintenance` modules fill these in).

use crate::StoreError;
use serde::{Deserialize, Serialize};

/// One migration: its number and its name (the file's, underscores as spaces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Migration {
    pub version: i64,
    pub description: String,
}

impl std::fmt::Display for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04} «{}»", self.version, self.description)
    }
}

/// Where a database stands against the binary's migrations.
#[derive(Debug, Clone, Default)]
pub struct SchemaState {
    /// Applied, in order.
    pub applied: Vec<Migration>,
    /// Known to the binary and not applied yet: what `migrate` would apply, in order.
    pub pending: Vec<Migration>,
    /// Applied but unknown to the binary: a newer version of Sportello migrated this database.
    pub unknown: Vec<Migration>,
    /// The newest migration the binary knows.
    pub newest_known: Option<Migration>,
}

impl SchemaState {
    /// The last migration applied (the schema's version), none on an empty database.
    pub fn version(&self) -> Option<&Migration> {
        self.applied.last()
    }

    /// Refuses a database that a newer Sportello migrated: its code would misread a schema it
    /// does not know, and `migrate` cannot take it back.
    pub fn check_known(&self) -> Result<(), StoreError> {
        match self.unknown.last() {
            None => Ok(()),
            Some(newest) => Err(StoreError::Other(newer_schema(
                newest,
                self.newest_known.as_ref(),
            ))),
        }
    }
}

/// The refusal of a schema (of a database or a backup) at `found`, newer than this binary.
pub fn newer_schema(found: &Migration, newest_known: Option<&Migration>) -> String {
    format!(
        "lo schema è più recente di questa versione di Sportello ({}): contiene la migrazione \
         {found}, l'ultima che questo programma conosce è {}. Installare la versione di \
         Sportello che lo ha prodotto (o una successiva); nulla è stato modificato.",
        env!("CARGO_PKG_VERSION"),
        newest_known.map_or_else(|| "nessuna".to_owned(), ToString::to_string),
    )
}

/// The head of one organization's audit chain: its last sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub org_id: uuid::Uuid,
    pub seq: i64,
    pub hash: String,
}

/// What a backup records of a database and a restore compares, read in one snapshot: the
/// schema's version, the rows of every table, the audit chains' heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    pub schema: Option<Migration>,
    pub tables: std::collections::BTreeMap<String, i64>,
    pub audit_heads: Vec<AuditHead>,
}

/// The refusal of a restore into a database that already holds tables.
pub fn not_empty() -> StoreError {
    StoreError::Other(
        "il database di destinazione non è vuoto: il ripristino si fa solo in un database \
         nuovo, senza tabelle (non sovrascrive mai dati esistenti)"
            .into(),
    )
}
