//! The attestation as JSON (every line with its article) and as a plain-Italian explanation.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::calc::Attestazione;
use crate::dsu::{Dsu, Prestazione, Relazione, Variante};
use crate::values::Data;

/// A decimal printed with a fixed number of decimals ("12345.67", scala "2.04").
#[derive(Debug, Clone, Copy)]
pub struct Fixed(pub Decimal, pub u32);

impl Fixed {
    /// The text of the figure, written into `buf`.
    fn text(self, buf: &mut [u8; 48]) -> &str {
        let mut d = self.0;
        d.rescale(self.1);
        // Written by hand from the mantissa: the fmt machinery is a large share of `batch`.
        let mut pos = buf.len();
        let mut m = d.mantissa().unsigned_abs();
        let scale = d.scale() as usize;
        let mut digits = 0;
        while (m > 0 || digits <= scale) && pos > 1 {
            if digits == scale && scale > 0 {
                pos -= 1;
                if let Some(b) = buf.get_mut(pos) {
                    *b = b'.';
                }
            }
            pos -= 1;
            if let Some(b) = buf.get_mut(pos) {
                *b = b'0' + (m % 10) as u8;
            }
            m /= 10;
            digits += 1;
        }
        if d.is_sign_negative() && !d.is_zero() {
            pos -= 1;
            if let Some(b) = buf.get_mut(pos) {
                *b = b'-';
            }
        }
        buf.get(pos..)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("0")
    }
}

impl Serialize for Fixed {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 48];
        s.serialize_str(self.text(&mut buf))
    }
}

fn money(d: Decimal) -> Fixed {
    Fixed(d, 2)
}

/// One line of the attestation.
#[derive(Debug, Clone, Serialize)]
pub struct Riga<'a> {
    pub voce: &'static str,
    pub descrizione: &'static str,
    pub importo: Fixed,
    pub fonte: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nota: Option<&'a str>,
}

/// The lines of the INPS attestation in its order, each with its legal source.
pub fn righe(a: &Attestazione) -> Vec<Riga<'static>> {
    let rs = a.rule_set;
    let r = |voce, descrizione, importo, fonte: &'static str| Riga {
        voce,
        descrizione,
        importo: money(importo),
        fonte,
        nota: None,
    };
    let mut v = vec![
        r(
            "somma_redditi",
            "Somma dei redditi dei componenti",
            a.somma_redditi,
            "DPCM 159/2013 art. 4 c. 2",
        ),
        Riga {
            nota: Some(a.rules.rendimento_note.as_str()),
            ..r(
                "reddito_figurativo",
                "Reddito figurativo del patrimonio mobiliare del nucleo",
                a.reddito_figurativo,
                a.rules.rendimento_source.as_str(),
            )
        },
        r(
            "detrazioni_componenti",
            "Detrazioni dei singoli componenti (assegni, spese, lavoro, pensioni e trattamenti)",
            a.detrazioni_componenti,
            "DPCM 159/2013 art. 4 c. 3",
        ),
        r(
            "detrazione_affitto",
            "Detrazione per il canone di locazione",
            a.detrazione_affitto,
            rs.affitto_massimo.source.as_str(),
        ),
        r(
            "detrazioni",
            "Detrazioni (spese e franchigie)",
            a.detrazioni,
            "DPCM 159/2013 art. 4 c. 3 e c. 4",
        ),
        r(
            "isr",
            "ISR — Indicatore della situazione reddituale",
            a.isr,
            "DPCM 159/2013 art. 4 c. 1",
        ),
        r(
            "patrimonio_mobiliare",
            "Patrimonio mobiliare del nucleo",
            a.patrimonio_mobiliare,
            "DPCM 159/2013 art. 5 c. 4",
        ),
        Riga {
            nota: rs.titoli_soglia.note.as_deref(),
            ..r(
                "titoli_stato_esclusi",
                "Titoli di Stato, buoni e libretti postali esclusi (già tolti dal patrimonio mobiliare)",
                a.titoli_stato_esclusi,
                rs.titoli_soglia.source.as_str(),
            )
        },
        r(
            "franchigia_mobiliare",
            "Detrazione (franchigia) patrimonio mobiliare",
            a.franchigia_mobiliare,
            rs.mob_base.source.as_str(),
        ),
        r(
            "patrimonio_immobiliare",
            "Patrimonio immobiliare (al netto dei mutui)",
            a.patrimonio_immobiliare,
            "DPCM 159/2013 art. 5 c. 2 e c. 3",
        ),
        r(
            "detrazione_casa",
            "Detrazione patrimonio immobiliare (casa di abitazione)",
            a.detrazione_casa,
            rs.casa_franchigia.source.as_str(),
        ),
        r(
            "isp",
            "ISP — Indicatore della situazione patrimoniale",
            a.isp,
            "DPCM 159/2013 art. 5 c. 1",
        ),
        r(
            "ise",
            "ISE — Indicatore della situazione economica (ISR + 20% ISP)",
            a.ise,
            rs.quota_isp.source.as_str(),
        ),
        Riga {
            importo: Fixed(a.parametro_scala, 2),
            ..r(
                "parametro_scala",
                "Parametro della scala per numero di componenti",
                Decimal::ZERO,
                rs.scala_parametri.source.as_str(),
            )
        },
        Riga {
            importo: Fixed(a.maggiorazioni.totale(), 2),
            ..r(
                "maggiorazioni",
                "Maggiorazioni della scala",
                Decimal::ZERO,
                "DPCM 159/2013 Allegato 1",
            )
        },
        Riga {
            importo: Fixed(a.scala, 2),
            ..r(
                "scala",
                "Scala di equivalenza",
                Decimal::ZERO,
                "DPCM 159/2013 art. 2 c. 3 e Allegato 1",
            )
        },
    ];
    if a.donazioni > Decimal::ZERO {
        v.insert(
            10,
            Riga {
                nota: rs.residenze_anni_donazioni.note.as_deref(),
                ..r(
                    "donazioni",
                    "Di cui immobili donati dal beneficiario",
                    a.donazioni,
                    rs.residenze_anni_donazioni.source.as_str(),
                )
            },
        );
    }
    if !a.componenti_aggiuntive.is_empty() {
        let tot = a.componenti_aggiuntive.iter().map(|c| c.importo).sum();
        v.push(r(
            "componenti_aggiuntive",
            "Componenti aggiuntive",
            tot,
            "DPCM 159/2013 Allegato 2",
        ));
    }
    v.push(r(
        "isee",
        "ISEE — Indicatore della situazione economica equivalente",
        a.isee,
        "DPCM 159/2013 art. 2 c. 3",
    ));
    v
}

#[derive(Serialize)]
struct Maggiorazione<'a> {
    voce: &'static str,
    valore: Fixed,
    fonte: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nota: Option<&'a str>,
}

#[derive(Serialize)]
struct ComponenteReport<'a> {
    codice_fiscale: &'a str,
    relazione: Relazione,
    redditi: Fixed,
    detrazioni: Fixed,
    reddito_netto: Fixed,
    patrimonio_mobiliare: Fixed,
    titoli_stato_esclusi: Fixed,
    patrimonio_immobiliare: Fixed,
}

#[derive(Serialize)]
struct AggiuntivaReport<'a> {
    codice_fiscale: &'a str,
    persona: &'static str,
    isee_persona: Fixed,
    importo: Fixed,
    fonte: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nota: Option<&'a str>,
}

#[derive(Serialize)]
struct AutonomiaReport<'a> {
    residenza_esterna: bool,
    alloggio_non_di_familiari: bool,
    capacita_reddito: bool,
    autonomo: bool,
    fonte: &'a str,
}

#[derive(Serialize)]
struct CorrenteReport<'a> {
    isr_ordinario: Fixed,
    #[serde(skip_serializing_if = "Option::is_none")]
    variazione_isr: Option<Fixed>,
    evento: bool,
    patrimonio_aggiornato: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    variazione_patrimonio: Option<Fixed>,
    fonte: &'a str,
}

#[derive(Serialize)]
struct FamigliaReport<'a> {
    isp: Fixed,
    ise: Fixed,
    scala: Fixed,
    isee: Fixed,
    detrazione_casa: Fixed,
    maggiorazione_figli: Fixed,
    si_applica_alla_prestazione: bool,
    prestazioni: &'a [Prestazione],
    fonte: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nota: Option<&'a str>,
}

#[derive(Serialize)]
struct Detail<'a> {
    anno_redditi: i32,
    anno_patrimonio: i32,
    righe: Vec<Riga<'a>>,
    tasso_reddito_figurativo: Fixed,
    base_reddito_figurativo: Fixed,
    numero_componenti: u32,
    maggiorazioni: Vec<Maggiorazione<'a>>,
    componenti: Vec<ComponenteReport<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    componenti_aggiuntive: Vec<AggiuntivaReport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    autonomia_studente: Option<AutonomiaReport<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    isee_corrente: Option<CorrenteReport<'a>>,
}

/// The full result of `calc`: top-level indicators and the itemized detail.
#[derive(Serialize)]
pub struct Report<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    protocollo: Option<&'a str>,
    data_presentazione: Data,
    variante: Variante,
    prestazione: Prestazione,
    rule_set: &'a str,
    valida_fino_al: Data,
    isr: Fixed,
    isp: Fixed,
    ise: Fixed,
    scala: Fixed,
    isee: Fixed,
    #[serde(skip_serializing_if = "Option::is_none")]
    isee_prestazioni_familiari: Option<FamigliaReport<'a>>,
    detail: Detail<'a>,
}

fn famiglia<'a>(a: &'a Attestazione) -> Option<FamigliaReport<'a>> {
    let f = a.famiglia.as_ref()?;
    let rules = a.rule_set.famiglia.as_ref()?;
    Some(FamigliaReport {
        isp: money(f.isp),
        ise: money(f.ise),
        scala: Fixed(f.scala, 2),
        isee: money(f.isee),
        detrazione_casa: money(f.detrazione_casa),
        maggiorazione_figli: Fixed(f.maggiorazione_figli, 2),
        si_applica_alla_prestazione: f.si_applica,
        prestazioni: &rules.prestazioni.value,
        fonte: &rules.prestazioni.source,
        nota: rules.casa_franchigia_capoluogo.note.as_deref(),
    })
}

impl<'a> Report<'a> {
    pub fn new(dsu: &'a Dsu, a: &'a Attestazione) -> Report<'a> {
        let rs = a.rule_set;
        let m = a.maggiorazioni;
        let maggiorazioni = [
            (
                "convivenza_anagrafica",
                m.convivenza,
                rs.scala_convivenza.source.as_str(),
                rs.scala_convivenza.note.as_deref(),
            ),
            (
                "figli",
                m.figli,
                rs.scala_figli.source.as_str(),
                rs.scala_figli.note.as_deref(),
            ),
            (
                "minori_genitori_lavoratori",
                m.minori,
                rs.scala_minori.source.as_str(),
                rs.scala_under3.note.as_deref(),
            ),
            (
                "disabilita",
                m.disabilita,
                rs.scala_disabilita.source.as_str(),
                rs.scala_disabilita.note.as_deref(),
            ),
        ]
        .into_iter()
        .filter(|(_, v, _, _)| !v.is_zero())
        .map(|(voce, v, fonte, nota)| Maggiorazione {
            voce,
            valore: Fixed(v, 2),
            fonte,
            nota,
        })
        .collect();
        let componenti = a
            .componenti
            .iter()
            .filter_map(|f| {
                let c = dsu.componenti().get(f.indice)?;
                Some(ComponenteReport {
                    codice_fiscale: &c.codice_fiscale,
                    relazione: c.relazione,
                    redditi: money(f.redditi),
                    detrazioni: money(f.detrazioni),
                    reddito_netto: money(f.reddito_netto),
                    patrimonio_mobiliare: money(f.patrimonio_mobiliare),
                    titoli_stato_esclusi: money(f.titoli_stato_esclusi),
                    patrimonio_immobiliare: money(f.patrimonio_immobiliare),
                })
            })
            .collect();
        let componenti_aggiuntive = a
            .componenti_aggiuntive
            .iter()
            .map(|c| {
                let (p, persona) = if c.genitore {
                    (&rs.aggiuntiva_genitore_soglia, "genitore non convivente")
                } else {
                    (&rs.aggiuntiva_soglia, "figlio non nel nucleo")
                };
                AggiuntivaReport {
                    codice_fiscale: &c.codice_fiscale,
                    persona,
                    isee_persona: money(c.isee_esterno),
                    importo: money(c.importo),
                    fonte: &p.source,
                    nota: p.note.as_deref(),
                }
            })
            .collect();
        Report {
            protocollo: dsu.protocollo(),
            data_presentazione: Data(dsu.data_presentazione()),
            variante: a.variante,
            prestazione: dsu.prestazione(),
            rule_set: &rs.id,
            valida_fino_al: Data(a.valida_fino_al),
            isr: money(a.isr),
            isp: money(a.isp),
            ise: money(a.ise),
            scala: Fixed(a.scala, 2),
            isee: money(a.isee),
            isee_prestazioni_familiari: famiglia(a),
            detail: Detail {
                anno_redditi: a.anno_redditi,
                anno_patrimonio: a.anno_patrimonio,
                righe: righe(a),
                tasso_reddito_figurativo: Fixed(a.tasso_figurativo, 4),
                base_reddito_figurativo: money(a.base_figurativo),
                numero_componenti: a.numero_componenti,
                maggiorazioni,
                componenti,
                componenti_aggiuntive,
                autonomia_studente: a.autonomia.map(|x| AutonomiaReport {
                    residenza_esterna: x.residenza_esterna,
                    alloggio_non_di_familiari: x.alloggio,
                    capacita_reddito: x.capacita_reddito,
                    autonomo: x.autonomo,
                    fonte: &rs.universita_reddito.source,
                }),
                isee_corrente: a.corrente.map(|x| CorrenteReport {
                    isr_ordinario: money(x.isr_ordinario),
                    variazione_isr: x.variazione_isr.map(|v| Fixed(v.round_dp(4), 4)),
                    evento: x.evento,
                    patrimonio_aggiornato: x.patrimonio_aggiornato,
                    variazione_patrimonio: x.variazione_patrimonio.map(|v| Fixed(v.round_dp(4), 4)),
                    fonte: &rs.corrente_variazione_isr.source,
                }),
            },
        }
    }
}

/// The compact result of one `batch` line.
#[derive(Serialize)]
pub struct Summary<'a> {
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocollo: Option<&'a str>,
    pub variante: Variante,
    pub rule_set: &'a str,
    pub isr: Fixed,
    pub isp: Fixed,
    pub ise: Fixed,
    pub scala: Fixed,
    pub isee: Fixed,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isee_prestazioni_familiari: Option<Fixed>,
}

impl<'a> Summary<'a> {
    pub fn new(line: u64, dsu: &'a Dsu, a: &'a Attestazione) -> Summary<'a> {
        Summary {
            line,
            protocollo: dsu.protocollo(),
            variante: a.variante,
            rule_set: &a.rule_set.id,
            isr: money(a.isr),
            isp: money(a.isp),
            ise: money(a.ise),
            scala: Fixed(a.scala, 2),
            isee: money(a.isee),
            isee_prestazioni_familiari: a.famiglia.as_ref().map(|f| money(f.isee)),
        }
    }
}

impl Summary<'_> {
    /// Appends the same bytes as `serde_json::to_writer(out, self)`, without serde's
    /// machinery (the output side of `batch`).
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"line\":");
        let mut buf = [0u8; 48];
        out.extend_from_slice(Fixed(Decimal::from(self.line), 0).text(&mut buf).as_bytes());
        if let Some(p) = self.protocollo {
            out.extend_from_slice(b",\"protocollo\":");
            json_str(out, p)?;
        }
        out.extend_from_slice(b",\"variante\":\"");
        out.extend_from_slice(match self.variante {
            Variante::Ordinario => b"ordinario".as_slice(),
            Variante::Minorenni => b"minorenni",
            Variante::Universita => b"universita",
            Variante::Sociosanitario => b"sociosanitario",
            Variante::Residenze => b"residenze",
            Variante::Corrente => b"corrente",
        });
        out.extend_from_slice(b"\",\"rule_set\":");
        json_str(out, self.rule_set)?;
        let figures = [
            (b"isr".as_slice(), Some(self.isr)),
            (b"isp", Some(self.isp)),
            (b"ise", Some(self.ise)),
            (b"scala", Some(self.scala)),
            (b"isee", Some(self.isee)),
            (
                b"isee_prestazioni_familiari",
                self.isee_prestazioni_familiari,
            ),
        ];
        for (name, figure) in figures {
            if let Some(f) = figure {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(name);
                out.extend_from_slice(b"\":\"");
                out.extend_from_slice(f.text(&mut buf).as_bytes());
                out.push(b'"');
            }
        }
        out.push(b'}');
        Ok(())
    }
}

/// A JSON string as serde_json writes it (escapes only `"`, `\\` and control characters).
fn json_str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        serde_json::to_writer(&mut *out, s)
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    }
}

/// "12.345,67 €".
pub fn euro(d: Decimal) -> String {
    let mut d = d;
    d.rescale(2);
    let s = d.abs().to_string();
    let (int, dec) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::with_capacity(s.len() + 8);
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    let len = int.len();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push('.');
        }
        out.push(ch);
    }
    let _ = write!(out, ",{dec} €");
    out
}

/// "08/04/2026".
fn data_it(d: time::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

fn comma(d: Decimal, dp: u32) -> String {
    let mut d = d;
    d.rescale(dp);
    d.to_string().replace('.', ",")
}

/// The nucleo has more than one member and all of them live in convivenza anagrafica.
fn members_all_in_convivenza(dsu: &Dsu, a: &Attestazione) -> bool {
    a.numero_componenti > 1
        && dsu
            .componenti()
            .iter()
            .enumerate()
            .filter(|(i, _)| a.nucleo & 1u64.checked_shl(*i as u32).unwrap_or(0) != 0)
            .all(|(_, c)| c.convivenza_anagrafica)
}

/// The calculation told step by step in plain Italian, each step with its figure and article.
pub fn explain(dsu: &Dsu, a: &Attestazione) -> String {
    let rs = a.rule_set;
    let mut s = String::new();
    let variante = a.variante.nome();
    let _ = writeln!(s, "Calcolo dell'ISEE {variante}");
    let _ = writeln!(
        s,
        "DSU presentata il {}; regole in vigore dal {} ({}). Redditi dell'anno {}, patrimonio al 31 dicembre {}.",
        data_it(dsu.data_presentazione()),
        data_it(rs.valid_from),
        rs.id,
        a.anno_redditi,
        a.anno_patrimonio
    );
    let nomi: Vec<String> = a
        .componenti
        .iter()
        .filter_map(|f| dsu.componenti().get(f.indice))
        .map(|c| format!("{} {}", c.nome, c.cognome))
        .collect();
    let _ = writeln!(
        s,
        "\nNucleo considerato: {} ({}).",
        if a.numero_componenti == 1 {
            "1 componente".to_owned()
        } else {
            format!("{} componenti", a.numero_componenti)
        },
        nomi.join(", ")
    );
    if let Some(x) = a.autonomia {
        let _ = writeln!(
            s,
            "Lo studente {} autonomo dalla famiglia d'origine: residenza fuori casa da almeno {} anni {}, alloggio non di familiari {}, redditi da lavoro di almeno {} in ciascuno dei due anni {} ({}).",
            if x.autonomo { "è" } else { "non è" },
            rs.universita_anni.value,
            if x.residenza_esterna { "sì" } else { "no" },
            if x.alloggio { "sì" } else { "no" },
            euro(rs.universita_reddito.value),
            if x.capacita_reddito { "sì" } else { "no" },
            rs.universita_reddito.source
        );
    }

    let _ = writeln!(s, "\n1. I redditi");
    for f in &a.componenti {
        if let Some(c) = dsu.componenti().get(f.indice) {
            let _ = writeln!(
                s,
                "   - {} {}: redditi {}, detrazioni {}, resta {}.",
                c.nome,
                c.cognome,
                euro(f.redditi),
                euro(f.detrazioni),
                euro(f.reddito_netto)
            );
        }
    }
    let _ = writeln!(
        s,
        "   Si sommano i redditi di ogni componente (DPCM 159/2013 art. 4 c. 2): {}. Da ciascuno si tolgono, fino al suo reddito, gli assegni versati, le spese per disabili fino a {}, il 20% dei redditi da lavoro dipendente fino a {} oppure il 20% delle pensioni e dei trattamenti assistenziali, previdenziali e indennitari contati nel reddito (compreso l'assegno unico, quando conta) fino a {} ({}): in totale {}.",
        euro(a.somma_redditi),
        euro(rs.spese_disabili_massimo.value),
        euro(rs.lavoro_massimo.value),
        euro(rs.pensione_massimo.value),
        rs.pensione_massimo.source,
        euro(a.detrazioni_componenti)
    );
    let _ = writeln!(
        s,
        "   Il patrimonio finanziario diverso dai conti correnti e depositi ({}) produce un reddito figurativo al tasso del {}%: {} ({}).",
        euro(a.base_figurativo),
        comma(a.tasso_figurativo * Decimal::ONE_HUNDRED, 2),
        euro(a.reddito_figurativo),
        a.rules.rendimento_source
    );
    if a.detrazione_affitto > Decimal::ZERO {
        let _ = writeln!(
            s,
            "   Il nucleo vive in affitto: si detrae il canone annuo fino a {} più {} per ogni figlio convivente dopo il secondo: {} ({}).",
            euro(rs.affitto_massimo.value),
            euro(rs.affitto_incremento.value),
            euro(a.detrazione_affitto),
            rs.affitto_massimo.source
        );
    }
    let _ = writeln!(
        s,
        "   ISR (indicatore della situazione reddituale) = redditi − detrazioni + reddito figurativo = {} (DPCM 159/2013 art. 4 c. 1).",
        euro(a.isr)
    );
    if let Some(k) = a.corrente {
        let _ = writeln!(
            s,
            "   ISEE corrente: i redditi del modulo sostitutivo sostituiscono quelli della DSU; l'ISR ordinario era {}{} ({}).",
            euro(k.isr_ordinario),
            if k.evento {
                ", ed è indicato un evento lavorativo o l'interruzione di un trattamento"
            } else {
                ""
            },
            rs.corrente_variazione_isr.source
        );
    }

    let _ = writeln!(s, "\n2. Il patrimonio");
    let _ = writeln!(
        s,
        "   Patrimonio mobiliare (conti, depositi, titoli, al valore più alto tra saldo e giacenza media per i conti): {} (DPCM 159/2013 art. 5 c. 4).",
        euro(a.patrimonio_mobiliare)
    );
    if a.titoli_stato_esclusi > Decimal::ZERO {
        let _ = writeln!(
            s,
            "   Titoli di Stato, buoni e libretti postali fino a {} per nucleo non contano: esclusi {}; un libretto escluso riduce il proprio saldo e la propria giacenza media, mai sotto zero, senza toccare gli altri conti ({}).",
            euro(rs.titoli_soglia.value),
            euro(a.titoli_stato_esclusi),
            rs.titoli_soglia.source
        );
    }
    let _ = writeln!(
        s,
        "   Franchigia sul patrimonio mobiliare: {} ({}).",
        euro(a.franchigia_mobiliare),
        rs.mob_base.source
    );
    let _ = writeln!(
        s,
        "   Patrimonio immobiliare, al valore IMU della quota posseduta meno il mutuo residuo: {} (DPCM 159/2013 art. 5 c. 2).",
        euro(a.patrimonio_immobiliare)
    );
    if a.donazioni > Decimal::ZERO {
        let _ = writeln!(
            s,
            "   Comprende gli immobili donati dal beneficiario: {} ({}).",
            euro(a.donazioni),
            rs.residenze_anni_donazioni.source
        );
    }
    if a.detrazione_casa > Decimal::ZERO {
        let _ = writeln!(
            s,
            "   Per la casa di abitazione di proprietà non si conta il valore fino a {} (più {} per ogni figlio convivente dopo il secondo) e si contano solo i 2/3 del resto: detrazione {} ({}).",
            euro(rs.casa_franchigia.value),
            euro(rs.casa_incremento.value),
            euro(a.detrazione_casa),
            rs.casa_franchigia.source
        );
    }
    let _ = writeln!(
        s,
        "   ISP (indicatore della situazione patrimoniale) = {} (DPCM 159/2013 art. 5 c. 1).",
        euro(a.isp)
    );

    let _ = writeln!(s, "\n3. L'ISE");
    let _ = writeln!(
        s,
        "   ISE = ISR + 20% dell'ISP = {} + {} = {} ({}).",
        euro(a.isr),
        euro(a.isp * rs.quota_isp.value),
        euro(a.ise),
        rs.quota_isp.source
    );

    let _ = writeln!(s, "\n4. La scala di equivalenza");
    let _ = writeln!(
        s,
        "   Parametro per il numero di componenti: {} ({}).",
        comma(a.parametro_scala, 2),
        rs.scala_parametri.source
    );
    if members_all_in_convivenza(dsu, a) {
        let _ = writeln!(
            s,
            "   Tutto il nucleo vive nella stessa convivenza anagrafica: si usa il parametro della tabella per {} componenti, senza l'incremento di un'unità per componente ({}).",
            a.numero_componenti, rs.scala_convivenza.source
        );
    }
    let m = a.maggiorazioni;
    for (v, testo, fonte) in [
        (
            m.convivenza,
            "componenti in convivenza anagrafica (+1 ciascuno)",
            &rs.scala_convivenza.source,
        ),
        (m.figli, "numero di figli", &rs.scala_figli.source),
        (
            m.minori,
            "figli minorenni con genitori lavoratori o genitore solo",
            &rs.scala_minori.source,
        ),
        (
            m.disabilita,
            "componenti con disabilità (+0,5 ciascuno)",
            &rs.scala_disabilita.source,
        ),
    ] {
        if !v.is_zero() {
            let _ = writeln!(
                s,
                "   Maggiorazione per {testo}: +{} ({fonte}).",
                comma(v, 2)
            );
        }
    }
    let _ = writeln!(s, "   Scala di equivalenza: {}.", comma(a.scala, 2));

    let _ = writeln!(s, "\n5. L'ISEE");
    let _ = writeln!(
        s,
        "   ISEE = ISE ÷ scala = {} ÷ {} = {} (DPCM 159/2013 art. 2 c. 3).",
        euro(a.ise),
        comma(a.scala, 2),
        euro(a.ise / a.scala)
    );
    for c in &a.componenti_aggiuntive {
        let (fonte, chi) = if c.genitore {
            (
                &rs.aggiuntiva_genitore_soglia.source,
                "del genitore non convivente",
            )
        } else {
            (&rs.aggiuntiva_soglia.source, "del figlio non nel nucleo")
        };
        let soglia = if c.genitore {
            rs.aggiuntiva_genitore_soglia.value
        } else {
            rs.aggiuntiva_soglia.value
        };
        if c.importo.is_zero() {
            let _ = writeln!(
                s,
                "   Componente aggiuntiva {chi} {}: la sua situazione equivalente è {}, non supera {}: nessuna aggiunta ({fonte}).",
                c.codice_fiscale,
                euro(c.isee_esterno),
                euro(soglia)
            );
        } else {
            let _ = writeln!(
                s,
                "   Componente aggiuntiva {chi} {}: la sua situazione equivalente è {}; la parte oltre {} conta per il 20%, divisa per la scala del nucleo: +{} ({fonte}).",
                c.codice_fiscale,
                euro(c.isee_esterno),
                euro(soglia),
                euro(c.importo)
            );
        }
    }
    let _ = writeln!(
        s,
        "   ISEE: {}, valido fino al {} ({}).",
        euro(a.isee),
        data_it(a.valida_fino_al),
        if a.variante == Variante::Corrente {
            &rs.validita_corrente_mesi.source
        } else {
            &rs.validita_ordinaria.source
        }
    );

    if let (Some(f), Some(fr)) = (&a.famiglia, &rs.famiglia) {
        let _ = writeln!(s, "\n6. ISEE per specifiche prestazioni familiari");
        let _ = writeln!(
            s,
            "   Per assegno di inclusione, supporto formazione e lavoro, assegno unico, bonus nido e bonus nuovi nati si usa un secondo indicatore: la casa di abitazione è esente fino a {} ({} nei capoluoghi di città metropolitana) e la maggiorazione per i figli è più alta ({}).",
            euro(fr.casa_franchigia.value),
            euro(fr.casa_franchigia_capoluogo.value),
            fr.prestazioni.source
        );
        if f.capoluogo {
            let _ = writeln!(
                s,
                "   La casa di abitazione è in un comune capoluogo di città metropolitana, riconosciuto dal codice catastale o ISTAT del comune ({}).",
                fr.capoluoghi.source
            );
        }
        if !a.componenti_aggiuntive.is_empty() {
            let _ = writeln!(
                s,
                "   Le componenti aggiuntive si dividono per la scala di questo indicatore ({}), non per quella ordinaria: +{} (DPCM 159/2013 Allegato 2 c. 1 lett. f e c. 2; L. 199/2025 art. 1 c. 208).",
                comma(f.scala, 2),
                euro(f.componenti_aggiuntive)
            );
        }
        let _ = writeln!(
            s,
            "   ISP {}, ISE {}, scala {}: ISEE {}. {}",
            euro(f.isp),
            euro(f.ise),
            comma(f.scala, 2),
            euro(f.isee),
            if f.si_applica {
                "Questo è l'indicatore che vale per la prestazione richiesta."
            } else {
                "Per la prestazione richiesta vale l'ISEE ordinario."
            }
        );
    }
    let _ = writeln!(
        s,
        "\nQuesto è un calcolo di simulazione: l'ISEE ufficiale è solo quello attestato dall'INPS."
    );
    s
}
