//! Who may act for a person from outside the office: the person themself through a citizen's
//! account, a legal representative, or a CAF the person has given a mandate. The office
//! records it; without one, a CAF or a citizen sees nothing of the person but that the code
//! exists.

use crate::FieldError;
use crate::dates::{format_date, parse_date};
use crate::policy::Role;
use time::Date;

coded_enum! {
    /// On what footing an account acts for the person.
    pub enum MandateKind {
        Titolare = "titolare", "La persona stessa";
        Rappresentante = "rappresentante", "Rappresentante legale (tutore, amministratore di sostegno, genitore)";
        Caf = "caf", "CAF incaricato dalla persona";
    }
}

impl MandateKind {
    /// The role an account needs for this footing: citizens act for themselves or whom they
    /// represent, CAF operators under a mandate.
    pub fn role(self) -> Role {
        match self {
            MandateKind::Titolare | MandateKind::Rappresentante => Role::Cittadino,
            MandateKind::Caf => Role::OperatoreCaf,
        }
    }
}

/// A mandate as typed in the person's page.
#[derive(Debug, Clone, Default)]
pub struct MandateInput {
    pub kind: String,
    pub valid_from: String,
    pub valid_to: String,
    pub note: String,
}

/// A mandate's checked terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateTerms {
    pub kind: MandateKind,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub note: String,
}

impl MandateTerms {
    pub fn covers(&self, on: Date) -> bool {
        self.valid_from <= on && self.valid_to.is_none_or(|to| on <= to)
    }

    pub fn period(&self) -> String {
        match self.valid_to {
            Some(to) => format!(
                "dal {} al {}",
                format_date(self.valid_from),
                format_date(to)
            ),
            None => format!("dal {}", format_date(self.valid_from)),
        }
    }
}

/// Checks the form: a known kind, a start date (today when left empty), an end not before
/// it, and the document it rests on (delega, decreto di nomina) named in the note.
pub fn parse_mandate(input: &MandateInput, today: Date) -> Result<MandateTerms, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = MandateKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new(
            "tipo",
            "scegliere il tipo di delega dall'elenco",
        ));
    }
    let valid_from = if input.valid_from.trim().is_empty() {
        Some(today)
    } else {
        let d = parse_date(&input.valid_from);
        if d.is_none() {
            errors.push(FieldError::new(
                "dal",
                "la data di inizio non è valida: scriverla come gg/mm/aaaa",
            ));
        }
        d
    };
    let valid_to = if input.valid_to.trim().is_empty() {
        None
    } else {
        let d = parse_date(&input.valid_to);
        match (d, valid_from) {
            (None, _) => errors.push(FieldError::new(
                "al",
                "la data di fine non è valida: scriverla come gg/mm/aaaa",
            )),
            (Some(to), Some(from)) if to < from => errors.push(FieldError::new(
                "al",
                "la data di fine non può precedere quella di inizio",
            )),
            _ => {}
        }
        d
    };
    let note = input.note.trim().chars().take(500).collect::<String>();
    if note.is_empty() {
        errors.push(FieldError::new(
            "note",
            "indicare il documento su cui si basa la delega (delega firmata, decreto di nomina)",
        ));
    }
    match (kind, valid_from) {
        (Some(kind), Some(valid_from)) if errors.is_empty() => Ok(MandateTerms {
            kind,
            valid_from,
            valid_to,
            note,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(kind: &str, from: &str, to: &str, note: &str) -> MandateInput {
        MandateInput {
            kind: kind.into(),
            valid_from: from.into(),
            valid_to: to.into(),
            note: note.into(),
        }
    }

    #[test]
    fn a_mandate_starts_today_when_no_start_is_typed_and_covers_its_period() {
        let t = parse_mandate(
            &input("caf", "", "31/12/2026", "delega firmata"),
            date!(2026 - 03 - 01),
        )
        .unwrap();
        assert_eq!(t.valid_from, date!(2026 - 03 - 01));
        assert!(t.covers(date!(2026 - 12 - 31)));
        assert!(!t.covers(date!(2027 - 01 - 01)));
        assert!(!t.covers(date!(2026 - 02 - 28)));
        assert_eq!(t.kind.role(), Role::OperatoreCaf);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let e = parse_mandate(&input("amico", "ieri", "", " "), date!(2026 - 03 - 01)).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["tipo", "dal", "note"]);
        let e = parse_mandate(
            &input("titolare", "10/03/2026", "01/03/2026", "richiesta"),
            date!(2026 - 03 - 01),
        )
        .unwrap_err();
        assert_eq!(e[0].field, "al");
    }
}
