//! The exchange with INPS (WaaS API, `api-comuni.yaml`): which flow a record needs now that
//! its data may have changed ([`plan`]), the cancellation of what was sent
//! ([`with_operation`]), and INPS's outcomes ([`Outcome`]).
//!
//! A record is sent when first valid (insertion), again when its content changes (correction:
//! `TipoOperazione` `I`, which replaces what INPS holds), and cancelled (`C`) when the delivery
//! behind it is no longer made. Nothing is sent twice unchanged: a flow rejected by INPS is
//! sent again only when its data change or the responsabile asks.

use super::{Operation, RecordKind};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};
use sha2::{Digest, Sha256};

coded_enum! {
    /// `codice_esito` of an outcome (`EsitoFlusso`).
    pub enum Outcome {
        Accepted = "OK", "acquisito";
        DataNotFound = "DATI_NON_TROVATI", "dati non trovati";
        InvalidRequest = "RICHIESTA_INVALIDA", "richiesta non valida";
        GenericError = "ERRORE_GENERICO", "errore generico";
    }
}

impl Outcome {
    pub fn is_accepted(self) -> bool {
        self == Outcome::Accepted
    }
}

/// What identifies a record's content: SHA-256 of its element as inserted.
pub fn digest(element: &str) -> Vec<u8> {
    Sha256::digest(element.as_bytes()).to_vec()
}

/// A flow already made for a record, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub operation: Operation,
    pub digest: Vec<u8>,
    /// INPS answered with an outcome other than OK.
    pub rejected: bool,
}

/// The record as it is now: valid with its content's digest, invalid (to be fixed, nothing
/// sent meanwhile), or no longer made (the delivery was suspended or undone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Now<'a> {
    Valid(&'a [u8]),
    Invalid,
    Gone,
}

/// The flow the record needs, if any, given what was sent before.
pub fn plan(kind: RecordKind, history: &[Sent], now: Now<'_>) -> Option<Operation> {
    // What INPS holds: the last flow it did not reject.
    let held = history.iter().rev().find(|s| !s.rejected);
    let holds_record = held.is_some_and(|s| s.operation != Operation::Cancellation);
    match now {
        Now::Invalid => None,
        Now::Gone => {
            // SINBA.xsd has no operation type: a SINBA record cannot be withdrawn by a flow.
            (holds_record && kind != RecordKind::Sinba).then_some(Operation::Cancellation)
        }
        Now::Valid(digest) => {
            let last = history.last();
            if last.is_some_and(|s| s.operation != Operation::Cancellation && s.digest == digest) {
                return None;
            }
            match held {
                Some(h) if holds_record && h.digest == digest => None,
                Some(_) if holds_record => Some(Operation::Correction),
                _ => Some(Operation::Insert),
            }
        }
    }
}

/// The element with `TipoOperazione` set for `operation` on its `PrestazioniSociali`
/// (the only element of the schemas that carries it); a SINBA element is returned as it is.
pub fn with_operation(element: &str, operation: Operation) -> Result<String, String> {
    let mut reader = Reader::from_str(element);
    let mut writer = Writer::new(Vec::new());
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let event = match event {
            Event::Eof => break,
            Event::Start(e) if e.name().as_ref() == "PrestazioniSociali" => {
                Event::Start(retyped(&e, operation)?)
            }
            Event::Empty(e) if e.name().as_ref() == "PrestazioniSociali" => {
                Event::Empty(retyped(&e, operation)?)
            }
            other => other,
        };
        writer.write_event(event).map_err(|e| e.to_string())?;
    }
    String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())
}

fn retyped(e: &BytesStart<'_>, operation: Operation) -> Result<BytesStart<'static>, String> {
    let mut out = BytesStart::new("PrestazioniSociali");
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.as_ref() == "TipoOperazione" {
            out.push_attribute(("TipoOperazione", operation.xsd_code()));
        } else {
            out.push_attribute(a);
        }
    }
    Ok(out.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;

    fn sent(operation: Operation, digest: &[u8], rejected: bool) -> Sent {
        Sent {
            operation,
            digest: digest.to_vec(),
            rejected,
        }
    }

    #[test]
    fn a_new_valid_record_is_inserted_and_not_sent_again_unchanged() {
        assert_eq!(plan(RecordKind::Ps, &[], Now::Valid(b"a")), Some(Insert));
        let h = [sent(Insert, b"a", false)];
        assert_eq!(plan(RecordKind::Ps, &h, Now::Valid(b"a")), None);
    }

    #[test]
    fn a_changed_record_is_corrected_and_a_gone_one_cancelled_once() {
        let h = [sent(Insert, b"a", false)];
        assert_eq!(
            plan(RecordKind::Psa, &h, Now::Valid(b"b")),
            Some(Correction)
        );
        assert_eq!(plan(RecordKind::Psa, &h, Now::Gone), Some(Cancellation));
        let cancelled = [sent(Insert, b"a", false), sent(Cancellation, b"a", false)];
        assert_eq!(plan(RecordKind::Psa, &cancelled, Now::Gone), None);
        // Delivered again after the cancellation: inserted anew.
        assert_eq!(
            plan(RecordKind::Psa, &cancelled, Now::Valid(b"a")),
            Some(Insert)
        );
    }

    #[test]
    fn an_invalid_record_waits_and_a_never_sent_one_is_not_cancelled() {
        let h = [sent(Insert, b"a", false)];
        assert_eq!(plan(RecordKind::Ps, &h, Now::Invalid), None);
        assert_eq!(plan(RecordKind::Ps, &[], Now::Gone), None);
        assert_eq!(plan(RecordKind::Sinba, &h, Now::Gone), None);
    }

    #[test]
    fn a_rejected_flow_is_sent_again_only_when_its_data_change() {
        let rejected_insert = [sent(Insert, b"a", true)];
        assert_eq!(
            plan(RecordKind::Ps, &rejected_insert, Now::Valid(b"a")),
            None
        );
        assert_eq!(
            plan(RecordKind::Ps, &rejected_insert, Now::Valid(b"b")),
            Some(Insert)
        );
        // Accepted «a», then a rejected correction «b»; the data back to «a» is what INPS holds.
        let h = [sent(Insert, b"a", false), sent(Correction, b"b", true)];
        assert_eq!(plan(RecordKind::Ps, &h, Now::Valid(b"a")), None);
        assert_eq!(plan(RecordKind::Ps, &h, Now::Valid(b"c")), Some(Correction));
    }

    #[test]
    fn a_cancellation_rewrites_only_the_operation_type() {
        let element = r#"<Beneficiario CodiceFiscale="X"><PrestazioniSociali TipoOperazione="I" CodicePrestazione="A1.02"/></Beneficiario>"#;
        let c = with_operation(element, Cancellation).expect("rewritten");
        assert_eq!(
            c,
            r#"<Beneficiario CodiceFiscale="X"><PrestazioniSociali TipoOperazione="C" CodicePrestazione="A1.02"/></Beneficiario>"#
        );
        assert_eq!(with_operation(&c, Insert).expect("back"), element);
    }
}
