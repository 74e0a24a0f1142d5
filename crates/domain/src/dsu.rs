//! The DSU (Dichiarazione Sostitutiva Unica, DPCM 159/2013 art. 10) as a record of the office:
//! its life from the draft typed at the counter to INPS's attestation, and the nucleo ISEE
//! built from the famiglia anagrafica by the rules of art. 3, 7 and 8. The content of the
//! quadri is the ISEE engine's (`isee::DsuInput`); this module holds what the office decides.

use time::Date;
use uuid::Uuid;

coded_enum! {
    /// Where a DSU stands. A DSU is changed only as a draft: after the declarant signs, a
    /// correction is a new DSU that replaces it (art. 10 c. 1: a new DSU may always be filed).
    pub enum DsuState {
        Bozza = "bozza", "bozza";
        Firmata = "firmata", "firmata dal dichiarante";
        Trasmessa = "trasmessa", "trasmessa all'INPS";
        Attestata = "attestata", "attestata dall'INPS";
        Sostituita = "sostituita", "sostituita da una DSU successiva";
    }
}

coded_enum! {
    /// Why a person is in the nucleo ISEE, or why a member of the famiglia anagrafica is not.
    pub enum MemberBasis {
        Anagrafica = "anagrafica", "famiglia anagrafica alla data della DSU (art. 3 c. 1)";
        ConiugeResidenzaDiversa = "coniuge_residenza_diversa",
            "coniuge con residenza diversa (art. 3 c. 2)";
        FiglioACarico = "figlio_a_carico",
            "figlio maggiorenne con meno di 26 anni, non convivente, a carico IRPEF (art. 3 c. 5)";
        ConvivenzaAnagrafica = "convivenza_anagrafica",
            "persona in convivenza anagrafica attratta nel nucleo del coniuge o dei genitori (art. 3 c. 6)";
        GenitoreNonConvivente = "genitore_non_convivente",
            "genitore non convivente per le prestazioni ai minorenni o universitarie (art. 7 e 8)";
        EsclusoConiugeSeparato = "escluso_coniuge_separato",
            "escluso: coniuge separato o divorziato, o con provvedimento del giudice (art. 3 c. 3)";
        EsclusoAltroNucleo = "escluso_altro_nucleo",
            "escluso: appartiene a un altro nucleo ISEE (art. 3 c. 4 e 6)";
    }
}

impl MemberBasis {
    /// A member of the famiglia anagrafica left out of the nucleo, with the rule that says so.
    pub fn excludes(self) -> bool {
        matches!(
            self,
            MemberBasis::EsclusoConiugeSeparato | MemberBasis::EsclusoAltroNucleo
        )
    }

    /// Reasons for adding a person from outside the famiglia anagrafica.
    pub const ADDITIONS: &'static [MemberBasis] = &[
        MemberBasis::ConiugeResidenzaDiversa,
        MemberBasis::FiglioACarico,
        MemberBasis::ConvivenzaAnagrafica,
        MemberBasis::GenitoreNonConvivente,
    ];

    /// Reasons for leaving out a member of the famiglia anagrafica.
    pub const EXCLUSIONS: &'static [MemberBasis] = &[
        MemberBasis::EsclusoConiugeSeparato,
        MemberBasis::EsclusoAltroNucleo,
    ];
}

coded_enum! {
    /// The member's relation to the declarant, with the codes of quadro FC1 of the model.
    pub enum DsuRelation {
        D = "D", "dichiarante";
        C = "C", "coniuge";
        F = "F", "figlio minorenne";
        MA = "MA", "minore in affidamento o preadottivo";
        FC = "FC", "figlio maggiorenne convivente";
        FNC = "FNC", "figlio maggiorenne con meno di 26 anni, non convivente, a carico IRPEF";
        P = "P", "altra persona nel nucleo";
        GNC = "GNC", "genitore non convivente (ISEE minorenni)";
    }
}

/// What the office knows of a DSU's life; the quadri are kept beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuStatus {
    pub state: DsuState,
    /// The date on the model (data di presentazione): it picks the rules and income years.
    pub dsu_date: Date,
    /// The declarant's signature on the printed model.
    pub signed_on: Option<Date>,
    /// INPS's DSU protocol (INPS-ISEE-AAAA-…), once transmitted and known.
    pub inps_protocol: Option<String>,
    /// The attestation that certified it.
    pub attestation_id: Option<Uuid>,
}

/// A step in a DSU's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsuStep {
    /// The declarant signed the printed model on that day. Only a complete draft is signed.
    Sign { on: Date, complete: bool },
    /// Sent to INPS (through the CAF's or the office's channel), with its protocol if known.
    Transmit { protocol: Option<String> },
    /// INPS's attestation for this DSU arrived and was recorded; it carries the DSU's
    /// protocol, which the DSU takes if it did not know it yet.
    Attest {
        attestation_id: Uuid,
        protocol: String,
    },
    /// A newer DSU of the same declarant was signed.
    Supersede,
}

/// Why a step is refused, in words for the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DsuRefusal(pub String);

fn refuse(msg: impl Into<String>) -> Result<DsuStatus, DsuRefusal> {
    Err(DsuRefusal(msg.into()))
}

impl DsuStatus {
    pub fn draft(dsu_date: Date) -> Self {
        DsuStatus {
            state: DsuState::Bozza,
            dsu_date,
            signed_on: None,
            inps_protocol: None,
            attestation_id: None,
        }
    }

    /// Whether the quadri and the nucleo may still be changed.
    pub fn editable(&self) -> bool {
        self.state == DsuState::Bozza
    }

    /// The status after `step` on `today`, or why it cannot be taken.
    pub fn step(&self, step: DsuStep, today: Date) -> Result<DsuStatus, DsuRefusal> {
        let mut next = self.clone();
        match (self.state, step) {
            (
                DsuState::Bozza,
                DsuStep::Sign {
                    complete: false, ..
                },
            ) => refuse(
                "la DSU non è completa: compila i quadri indicati come mancanti prima della firma",
            ),
            (DsuState::Bozza, DsuStep::Sign { on, .. }) if on < self.dsu_date => refuse(format!(
                "la data della firma non può precedere la data della DSU ({})",
                crate::dates::format_date(self.dsu_date)
            )),
            (DsuState::Bozza, DsuStep::Sign { on, .. }) if on > today => {
                refuse("la data della firma non può essere futura")
            }
            (DsuState::Bozza, DsuStep::Sign { on, .. }) => {
                next.state = DsuState::Firmata;
                next.signed_on = Some(on);
                Ok(next)
            }
            (DsuState::Firmata | DsuState::Trasmessa, DsuStep::Transmit { protocol }) => {
                next.state = DsuState::Trasmessa;
                next.inps_protocol = protocol.or(next.inps_protocol);
                Ok(next)
            }
            (
                DsuState::Firmata | DsuState::Trasmessa,
                DsuStep::Attest {
                    attestation_id,
                    protocol,
                },
            ) => match &self.inps_protocol {
                Some(known) if *known != protocol => refuse(format!(
                    "l'attestazione è della DSU {protocol}, non di questa ({known})"
                )),
                _ => {
                    next.state = DsuState::Attestata;
                    next.attestation_id = Some(attestation_id);
                    next.inps_protocol = Some(protocol);
                    Ok(next)
                }
            },
            (DsuState::Firmata | DsuState::Trasmessa | DsuState::Attestata, DsuStep::Supersede) => {
                next.state = DsuState::Sostituita;
                Ok(next)
            }
            (DsuState::Bozza, _) => refuse("la DSU è ancora una bozza: va prima firmata"),
            (state, _) => refuse(format!(
                "la DSU è {}: l'operazione non è possibile",
                state.label()
            )),
        }
    }
}

/// The relation code a member of the declarant's famiglia anagrafica gets by default, from
/// both persons' relationships to the head of the registry household and the member's age on
/// the DSU date. The operator confirms or changes it.
pub fn default_relation(
    declarant: crate::person::Relationship,
    member: crate::person::Relationship,
    age: i32,
) -> DsuRelation {
    use crate::person::Relationship as R;
    let partner = |r| matches!(r, R::Spouse | R::CivilPartner);
    let child = |r| matches!(r, R::Child | R::Adopted | R::Stepchild);
    let declarant_couple = declarant == R::Head || partner(declarant);
    match member {
        m if declarant == R::Head && partner(m) => DsuRelation::C,
        R::Head if partner(declarant) => DsuRelation::C,
        m if declarant_couple && child(m) && age < 18 => DsuRelation::F,
        m if declarant_couple && child(m) => DsuRelation::FC,
        _ => DsuRelation::P,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn signed() -> DsuStatus {
        DsuStatus::draft(date!(2026 - 03 - 02))
            .step(
                DsuStep::Sign {
                    on: date!(2026 - 03 - 02),
                    complete: true,
                },
                date!(2026 - 03 - 05),
            )
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn only_a_complete_draft_is_signed_on_a_day_between_the_dsu_date_and_today() {
        let d = DsuStatus::draft(date!(2026 - 03 - 02));
        let today = date!(2026 - 03 - 05);
        let sign = |on, complete| d.step(DsuStep::Sign { on, complete }, today);
        assert!(sign(date!(2026 - 03 - 03), false).is_err());
        assert!(sign(date!(2026 - 03 - 01), true).is_err());
        assert!(sign(date!(2026 - 03 - 06), true).is_err());
        let s = signed();
        assert_eq!(s.state, DsuState::Firmata);
        assert_eq!(s.signed_on, Some(date!(2026 - 03 - 02)));
        assert!(!s.editable());
        assert!(d.editable());
    }

    #[test]
    fn a_signed_dsu_is_transmitted_attested_and_superseded_never_signed_again() {
        let today = date!(2026 - 03 - 05);
        let t = signed()
            .step(
                DsuStep::Transmit {
                    protocol: Some("INPS-ISEE-2026-00000001A-00".into()),
                },
                today,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.state, DsuState::Trasmessa);
        // Sent again without a protocol: the known one stays.
        let again = t
            .step(DsuStep::Transmit { protocol: None }, today)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            again.inps_protocol.as_deref(),
            Some("INPS-ISEE-2026-00000001A-00")
        );
        let id = Uuid::nil();
        let attest = |protocol: &str| DsuStep::Attest {
            attestation_id: id,
            protocol: protocol.into(),
        };
        // The attestation of another DSU is refused.
        assert!(
            again
                .step(attest("INPS-ISEE-2026-00000002B-00"), today)
                .is_err()
        );
        let a = again
            .step(attest("INPS-ISEE-2026-00000001A-00"), today)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((a.state, a.attestation_id), (DsuState::Attestata, Some(id)));
        // A DSU signed without a known protocol takes the attestation's.
        let b = signed()
            .step(attest("INPS-ISEE-2026-00000003C-00"), today)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            b.inps_protocol.as_deref(),
            Some("INPS-ISEE-2026-00000003C-00")
        );
        let s = a
            .step(DsuStep::Supersede, today)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.state, DsuState::Sostituita);
        let sign_again = DsuStep::Sign {
            on: today,
            complete: true,
        };
        assert!(s.step(sign_again.clone(), today).is_err());
        assert!(a.step(sign_again, today).is_err());
        let draft = DsuStatus::draft(today);
        assert!(
            draft
                .step(DsuStep::Transmit { protocol: None }, today)
                .is_err()
        );
        assert!(draft.step(DsuStep::Supersede, today).is_err());
    }

    #[test]
    fn the_couple_s_spouse_and_children_get_their_fc1_codes_by_age() {
        use crate::person::Relationship as R;
        assert_eq!(default_relation(R::Head, R::Spouse, 40), DsuRelation::C);
        assert_eq!(default_relation(R::Spouse, R::Head, 40), DsuRelation::C);
        assert_eq!(default_relation(R::Head, R::Child, 17), DsuRelation::F);
        assert_eq!(default_relation(R::Spouse, R::Child, 18), DsuRelation::FC);
        assert_eq!(default_relation(R::Child, R::Child, 10), DsuRelation::P);
        assert_eq!(default_relation(R::Head, R::Parent, 70), DsuRelation::P);
    }
}
