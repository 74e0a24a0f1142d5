//! Rows of the SIUSS records (domain::siuss): the ente's sending settings. The records'
//! facts are read straight into `domain::siuss` types.

use uuid::Uuid;

/// The ente as SIUSS knows it (`siuss_sender`), one row per organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiussSender {
    pub org_id: Uuid,
    pub ente_code: String,
    pub seat_belfiore: String,
    pub operator_cf: String,
    /// The secret behind the SINBA pseudonyms, made once with the row.
    pub pseudonym_key: Vec<u8>,
    /// Compare-and-set: 1 for the first save, then the version read plus one.
    pub version: i64,
    pub actor: String,
    pub at_us: i64,
}
