//! INPS's attestation beside the counter's calculation of the same DSU, component by
//! component, each difference with where to look. The attestation is what counts: this only
//! explains why the two differ.

use super::Evaluation;
use domain::application::AttestationData;
use domain::money::Money;

/// One component of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: &'static str,
    pub ours: String,
    pub inps: String,
    pub differs: bool,
    /// Where a difference comes from, in words for the operator; empty when equal.
    pub note: String,
}

/// What the comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub lines: Vec<Line>,
    /// INPS found the declared data different from the tax agency's or its own archives.
    pub flagged: Option<&'static str>,
    /// The variant compared (the attestation's, when the counter computed it).
    pub variant: String,
}

impl Comparison {
    pub fn differences(&self) -> usize {
        self.lines.iter().filter(|l| l.differs).count()
    }
}

fn money_line(label: &'static str, ours: i64, inps: Money, note: &str) -> Line {
    let differs = ours != inps.cents();
    Line {
        label,
        ours: Money(ours).format(),
        inps: inps.format(),
        differs,
        note: if differs {
            format!(
                "differenza di {}: {note}",
                Money((ours - inps.cents()).abs()).format()
            )
        } else {
            String::new()
        },
    }
}

/// Compares the attestation with the counter's figures of its variant; `None` when the
/// counter has no figures for it (the DSU is incomplete, or the variant was not computed).
pub fn compare(ev: &Evaluation, att: &AttestationData, members: usize) -> Option<Comparison> {
    let ours = ev
        .figures
        .iter()
        .find(|f| super::variant_code(f.variante) == att.variant.as_str())?;
    let scala_inps = att.scala.round_dp(2).to_string().replace('.', ",");
    let scala_differs = scala_inps != ours.scala;
    let members_differ = members != usize::from(att.members);
    let mut lines = vec![
        money_line(
            "ISR (redditi)",
            ours.isr,
            att.isr,
            "l'INPS usa i redditi dell'Agenzia delle Entrate e i trattamenti che eroga: controlla i quadri FC4 e FC8 di ogni componente",
        ),
        money_line(
            "ISP (patrimoni)",
            ours.isp,
            att.isp,
            "controlla saldi, giacenze medie e titoli di Stato (quadro FC2), valori IMU e mutui (quadro FC3)",
        ),
        money_line(
            "ISE",
            ours.ise,
            att.ise,
            "segue dalle differenze di ISR e ISP (ISE = ISR + 20% ISP)",
        ),
    ];
    lines.push(Line {
        label: "Scala di equivalenza",
        ours: ours.scala.clone(),
        inps: scala_inps,
        differs: scala_differs,
        note: if scala_differs {
            "controlla il nucleo (componenti, convivenza anagrafica) e le maggiorazioni del quadro B (genitori lavoratori, figli, disabilità nel quadro FC7)".into()
        } else {
            String::new()
        },
    });
    lines.push(Line {
        label: "Componenti del nucleo",
        ours: members.to_string(),
        inps: att.members.to_string(),
        differs: members_differ,
        note: if members_differ {
            "il nucleo della DSU non è quello attestato: controlla chi è incluso o escluso e perché"
                .into()
        } else {
            String::new()
        },
    });
    lines.push(money_line(
        "ISEE",
        ours.isee,
        att.isee,
        "segue dalle differenze sopra (ISEE = ISE / scala, più le componenti aggiuntive)",
    ));
    let flagged = (att.omissioni || att.difformita).then_some(
        "L'attestazione riporta omissioni o difformità: l'INPS ha trovato dati diversi da quelli dichiarati (Agenzia delle Entrate, archivi INPS). Il cittadino può presentare una nuova DSU che le corregga o documentare la completezza dei dati dichiarati.",
    );
    Some(Comparison {
        lines,
        flagged,
        variant: att.variant.as_str().to_owned(),
    })
}
