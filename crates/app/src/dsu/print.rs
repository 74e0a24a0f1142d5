//! The DSU on paper: the declaration as filled, for the declarant's signature at the counter,
//! and "Come è calcolato il tuo ISEE", the engine's explanation for the citizen. Values are
//! printed as the operator typed them: the paper is what the declarant signs.

use super::form::{Field, Kind, Quadro, Typed};
use super::{Draft, Evaluation, Fill, PRESTAZIONI, variant_code, variant_label};
use ::print::Document;
use domain::dates::format_date;
use domain::dsu::DsuState;
use domain::money::Money;
use std::collections::BTreeMap;
use store::{DsuMemberView, DsuRecord};

const OFFICE: &str = "Servizi sociali";

/// DPR 445/2000 art. 76 c. 1 and 3, as in force since 19 May 2020 (DL 34/2020 art. 264).
const ART_76: &str = "Art. 76 del DPR 445/2000 (norme penali): «Chiunque rilascia dichiarazioni mendaci, forma atti falsi o ne fa uso nei casi previsti dal presente testo unico è punito ai sensi del codice penale e delle leggi speciali in materia. La sanzione ordinariamente prevista dal codice penale è aumentata da un terzo alla metà.» (comma 1). «Le dichiarazioni sostitutive rese ai sensi degli articoli 46 e 47 […] sono considerate come fatte a pubblico ufficiale.» (comma 3). Chi dichiara il falso decade inoltre dai benefici ottenuti con la dichiarazione non veritiera (art. 75).";

/// A DSU with what the office knows of it, ready to print.
pub struct Printed<'a> {
    /// The organization that collects the DSU.
    pub org: &'a str,
    /// Its letterhead.
    pub letterhead: &'a domain::letterhead::Letterhead,
    pub rec: &'a DsuRecord,
    /// The nucleo in order, and the members of the famiglia anagrafica left out.
    pub members: &'a [DsuMemberView],
    pub ev: &'a Evaluation,
}

impl Printed<'_> {
    fn declarant(&self) -> Option<&DsuMemberView> {
        self.members
            .iter()
            .find(|m| m.member.person_id == self.rec.declarant_id)
    }

    fn declarant_name(&self) -> String {
        self.declarant()
            .map_or_else(|| "—".into(), DsuMemberView::full_name)
    }

    /// The header both documents share: who declares, when, for what, where the DSU stands.
    fn general(&self) -> Vec<(String, String)> {
        let rec = self.rec;
        let st = &rec.status;
        let mut out = vec![
            ("Dichiarante".into(), self.declarant_name()),
            (
                "Codice fiscale".into(),
                self.declarant()
                    .and_then(|m| m.codice_fiscale.clone())
                    .unwrap_or_else(|| "—".into()),
            ),
            ("Data della DSU".into(), format_date(st.dsu_date)),
            (
                "Stato".into(),
                match st.signed_on {
                    Some(d) => format!("{} (firma del {})", st.state.label(), format_date(d)),
                    None => st.state.label().to_owned(),
                },
            ),
        ];
        if let Some(p) = &st.inps_protocol {
            out.push(("Protocollo INPS".into(), p.clone()));
        }
        out.push((
            "ISEE richiesto".into(),
            variant_label(&rec.variant).to_owned(),
        ));
        out.push((
            "Prestazione richiesta".into(),
            label_of(PRESTAZIONI, &rec.prestazione),
        ));
        out
    }

    fn document(&self, title: &str) -> Document {
        let mut doc = Document::new(crate::acts::heading(
            self.org,
            self.letterhead,
            OFFICE,
            title,
        ));
        let general = self.general();
        let pairs: Vec<(&str, &str)> = general
            .iter()
            .map(|(l, v)| (l.as_str(), v.as_str()))
            .collect();
        doc.fields(&pairs);
        doc
    }
}

fn label_of(list: &[(&str, &str)], code: &str) -> String {
    list.iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, l)| (*l).to_owned())
}

/// A value as typed, for the paper; `None` when left blank.
fn shown(field: &Field, raw: &str) -> Option<String> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    Some(match field.kind {
        Kind::Flag if t == "0" => return None,
        Kind::Flag => "sì".into(),
        Kind::Choice(options) => label_of(options, t),
        _ => t.to_owned(),
    })
}

/// What one row of a quadro's list is, to number it on paper.
fn row_name(list: &str) -> &'static str {
    match list {
        "rapporti" => "Rapporto",
        "immobili" => "Immobile",
        "veicoli" => "Veicolo",
        "figli_non_nel_nucleo" => "Figlio",
        "donazioni" => "Donazione",
        "persone" => "Persona",
        _ => "Riga",
    }
}

fn pairs(fields: &[Field], typed: &BTreeMap<String, String>) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter_map(|f| {
            Some((
                f.label,
                shown(f, typed.get(f.key).map_or("", String::as_str))?,
            ))
        })
        .collect()
}

/// The quadro's single fields as labels and values, then each row as a small table of its
/// own: rows have up to eight fields, too many for the columns of one table.
fn typed_quadro(doc: &mut Document, q: &Quadro, typed: &Typed) {
    let fields = pairs(q.fields, &typed.fields);
    if !fields.is_empty() {
        let shown: Vec<(&str, &str)> = fields.iter().map(|(l, v)| (*l, v.as_str())).collect();
        doc.fields(&shown);
    }
    let Some((list, row_fields)) = q.rows else {
        return;
    };
    for (n, row) in typed.rows.iter().enumerate() {
        let cells: Vec<Vec<String>> = pairs(row_fields, row)
            .into_iter()
            .map(|(l, v)| vec![l.to_owned(), v])
            .collect();
        let head = format!("{} {}", row_name(list), n + 1);
        doc.table(&[head.as_str(), ""], &[3, 2], &cells);
    }
}

/// Quadro A: the nucleo ISEE with the FC1 codes, then who of the famiglia anagrafica is left
/// out and why.
fn quadro_a(doc: &mut Document, members: &[DsuMemberView]) {
    doc.section("MB.1 quadro A – nucleo familiare (con i codici del quadro FC1)");
    let (left_out, nucleo): (Vec<&DsuMemberView>, Vec<&DsuMemberView>) =
        members.iter().partition(|m| m.member.basis.excludes());
    let cf = |m: &DsuMemberView| m.codice_fiscale.clone().unwrap_or_else(|| "—".into());
    let rows: Vec<Vec<String>> = nucleo
        .iter()
        .map(|m| {
            let r = m.member.relation;
            let mut fc1 = format!("{} – {}", r.as_str(), r.label());
            if m.member.convivenza {
                fc1.push_str("; in convivenza anagrafica");
            }
            vec![
                m.full_name(),
                cf(m),
                format_date(m.birth_date),
                fc1,
                m.member.basis.label().to_owned(),
            ]
        })
        .collect();
    doc.table(
        &[
            "Componente",
            "Codice fiscale",
            "Nato/a il",
            "Rapporto (FC1)",
            "Perché nel nucleo",
        ],
        &[3, 4, 2, 3, 4],
        &rows,
    );
    if !left_out.is_empty() {
        doc.paragraph("Componenti della famiglia anagrafica non compresi nel nucleo ISEE:");
        let rows: Vec<Vec<String>> = left_out
            .iter()
            .map(|m| vec![m.full_name(), cf(m), m.member.basis.label().to_owned()])
            .collect();
        doc.table(&["Persona", "Codice fiscale", "Motivo"], &[3, 4, 6], &rows);
    }
}

/// "DSU – Dichiarazione Sostitutiva Unica" as filled, with the dichiarazione sostitutiva, the
/// art. 76 warning and the signature boxes. `operator` is who received it. A draft is signed
/// on paper before the office records the signature, so only a draft that is still
/// incomplete is marked as not to be signed.
pub fn declaration_pdf(p: &Printed, draft: &Draft, operator: &str) -> Vec<u8> {
    const TITLE: &str = "DSU – Dichiarazione Sostitutiva Unica";
    let bozza = p.rec.status.state == DsuState::Bozza && !p.ev.complete();
    let title = if bozza {
        format!("{TITLE} – BOZZA – non valida per la firma")
    } else {
        TITLE.to_owned()
    };
    let mut doc = p.document(&title);
    if bozza && !p.ev.blocking.is_empty() {
        doc.paragraph(&format!(
            "Da completare prima della firma: {}.",
            p.ev.blocking.join("; ")
        ));
    }
    quadro_a(&mut doc, p.members);
    for line in &p.ev.lines {
        let q = line.quadro;
        let title = match &line.member {
            Some((_, name)) => format!("{} – {} – {name}", q.title, q.what),
            None => format!("{} – {}", q.title, q.what),
        };
        doc.section(&title);
        match line.fill {
            Fill::Missing => {
                doc.paragraph("Quadro non ancora compilato.");
            }
            Fill::Blank => {
                doc.paragraph("Nulla da dichiarare.");
            }
            Fill::Done | Fill::Errors(_) => typed_quadro(&mut doc, q, &draft.typed(&line.key)),
        }
        if let Some(problems) = p.ev.problems.get(&line.key) {
            let list: Vec<&str> = problems.iter().map(|x| x.message.as_str()).collect();
            doc.paragraph(&format!("Da correggere: {}.", list.join("; ")));
        }
    }
    doc.section("Dichiarazione sostitutiva");
    doc.paragraph(&format!(
        "Il/la sottoscritto/a {}, ai sensi degli articoli 46 e 47 del DPR 445/2000, dichiara che i dati riportati in questa dichiarazione sostitutiva unica (DPCM 159/2013 art. 10), per sé e per i componenti del nucleo familiare, sono veri e completi, e si impegna a comunicare ogni variazione con una nuova dichiarazione. Sa che l'INPS, l'Agenzia delle Entrate e l'ente che eroga la prestazione controllano i dati dichiarati (DPCM 159/2013 art. 11).",
        p.declarant_name()
    ));
    doc.section("Dichiarazioni false");
    doc.paragraph(ART_76);
    doc.section("Trattamento dei dati personali");
    doc.paragraph(&format!(
        "I dati sono trattati da {} e dall'INPS per il calcolo dell'ISEE e per le prestazioni sociali agevolate richieste, come previsto dal DPCM 159/2013; l'informativa completa ai sensi dell'art. 13 del Regolamento (UE) 2016/679 (GDPR) è disponibile presso l'ufficio.",
        p.org
    ));
    let receiver = format!("L'operatore che riceve la dichiarazione ({operator})");
    doc.signatures(&["Firma del dichiarante", &receiver]);
    doc.render()
}

/// "Come è calcolato il tuo ISEE": the figures of each variant computed and the engine's
/// explanation step by step. `None` while the DSU cannot be computed.
pub fn calculation_pdf(p: &Printed) -> Option<Vec<u8>> {
    if p.ev.figures.is_empty() {
        return None;
    }
    let mut doc = p.document("Come è calcolato il tuo ISEE");
    doc.paragraph(
        "Questo foglio spiega come dai dati della tua DSU si arriva all'ISEE. Le cifre sono un calcolo provvisorio fatto dall'ufficio con le regole del DPCM 159/2013.",
    );
    doc.section("Le cifre");
    let money = |cents: i64| Money(cents).format();
    let rows: Vec<Vec<String>> =
        p.ev.figures
            .iter()
            .map(|f| {
                vec![
                    variant_label(variant_code(f.variante)).to_owned(),
                    money(f.isr),
                    money(f.isp),
                    money(f.ise),
                    f.scala.clone(),
                    money(f.isee),
                ]
            })
            .collect();
    doc.table(
        &["Indicatore", "ISR", "ISP", "ISE", "Scala", "ISEE"],
        &[3, 2, 2, 2, 1, 2],
        &rows,
    );
    doc.paragraph(
        "ISR: indicatore della situazione reddituale, i redditi del nucleo meno le spese e le franchigie ammesse.\nISP: indicatore della situazione patrimoniale, il patrimonio mobiliare e immobiliare meno le franchigie.\nISE: indicatore della situazione economica, l'ISR più il 20% dell'ISP.\nScala: la scala di equivalenza, che dipende da quante persone sono nel nucleo e dalle loro condizioni.\nISEE: l'ISE diviso per la scala di equivalenza.",
    );
    for f in &p.ev.figures {
        doc.section(&format!(
            "Passo per passo: {}",
            variant_label(variant_code(f.variante))
        ));
        doc.paragraph(f.explanation.trim_end());
    }
    doc.section("Attenzione");
    doc.paragraph(
        "L'ISEE valido è soltanto quello dell'attestazione rilasciata dall'INPS dopo la trasmissione della DSU. Questo calcolo serve a capire le cifre: l'attestazione può essere diversa, per esempio quando l'INPS e l'Agenzia delle Entrate integrano o correggono i dati dichiarati.",
    );
    Some(doc.render())
}
