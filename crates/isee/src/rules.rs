//! ISEE parameters as dated data with their legal source, read from `rules/isee-rules.json`
//! (embedded at compile time, so a correction needs no code change).

use std::sync::LazyLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::Date;

use crate::dsu::Prestazione;
use crate::values::parse_date;

/// The embedded rules table.
pub const RULES_JSON: &str = include_str!("../rules/isee-rules.json");

/// A parameter value with the article it comes from and, for uncertain points, the reading chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Param<T> {
    pub value: T,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A comune by its codes: ISTAT code (6 digits), codice catastale (Belfiore) and ISTAT name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comune {
    pub istat: String,
    pub belfiore: String,
    pub nome: String,
}

impl Comune {
    /// `comune` (as the DSU gives it: codice catastale, ISTAT code, or the ISTAT name) is this
    /// comune. Codes are matched exactly; a name only in its ISTAT form, as names vary
    /// ("Reggio Calabria" is ISTAT's "Reggio di Calabria").
    pub fn is(&self, comune: &str) -> bool {
        let c = comune.trim();
        c.eq_ignore_ascii_case(&self.belfiore)
            || c == self.istat
            || c.split_whitespace()
                .map(str::to_lowercase)
                .eq(self.nome.split_whitespace().map(str::to_lowercase))
    }
}

/// Parameters of the 2026 "ISEE per specifiche prestazioni familiari" (L. 199/2025 c. 208).
#[derive(Debug, Clone, Serialize)]
pub struct FamilyRules {
    pub prestazioni: Param<Vec<Prestazione>>,
    pub casa_franchigia: Param<Decimal>,
    pub casa_franchigia_capoluogo: Param<Decimal>,
    pub capoluoghi: Param<Vec<Comune>>,
    pub casa_figli_esclusi: Param<u32>,
    pub scala_figli: Param<Vec<(u32, Decimal)>>,
}

/// All parameters in force from `valid_from` (until the next rule set).
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    pub id: String,
    #[serde(serialize_with = "ser_date")]
    pub valid_from: Date,
    pub quota_isp: Param<Decimal>,
    /// Last day of validity of an ordinary DSU, as (month, day) of the presentation year.
    pub validita_ordinaria: Param<(u8, u8)>,
    pub validita_corrente_mesi: Param<u32>,
    pub anni_redditi: Param<u32>,
    pub anni_patrimonio: Param<u32>,
    pub lavoro_aliquota: Param<Decimal>,
    pub lavoro_massimo: Param<Decimal>,
    pub pensione_aliquota: Param<Decimal>,
    pub pensione_massimo: Param<Decimal>,
    pub lavoro_pensione_alternative: Param<bool>,
    pub spese_disabili_massimo: Param<Decimal>,
    pub affitto_massimo: Param<Decimal>,
    pub affitto_incremento: Param<Decimal>,
    pub affitto_figli_esclusi: Param<u32>,
    pub auu_escluso_per: Param<Vec<Prestazione>>,
    pub figurativo_esclude_titoli: Param<bool>,
    pub casa_franchigia: Param<Decimal>,
    pub casa_incremento: Param<Decimal>,
    pub casa_figli_esclusi: Param<u32>,
    /// Share of the excess counted, as (numerator, denominator).
    pub casa_quota: Param<(Decimal, Decimal)>,
    pub mob_base: Param<Decimal>,
    pub mob_per_componente: Param<Decimal>,
    pub mob_massimo: Param<Decimal>,
    pub mob_per_figlio: Param<Decimal>,
    pub mob_figli_esclusi: Param<u32>,
    pub titoli_soglia: Param<Decimal>,
    pub scala_parametri: Param<Vec<Decimal>>,
    pub scala_oltre: Param<Decimal>,
    pub scala_convivenza: Param<Decimal>,
    pub scala_figli: Param<Vec<(u32, Decimal)>>,
    pub scala_minori: Param<Decimal>,
    pub scala_under3: Param<Decimal>,
    pub scala_unico_genitore: Param<bool>,
    pub scala_disabilita: Param<Decimal>,
    pub aggiuntiva_soglia: Param<Decimal>,
    pub aggiuntiva_quota: Param<Decimal>,
    pub aggiuntiva_genitore_soglia: Param<Decimal>,
    pub aggiuntiva_genitore_quota: Param<Decimal>,
    pub universita_reddito: Param<Decimal>,
    pub universita_anni: Param<u32>,
    pub residenze_anni_donazioni: Param<u32>,
    pub corrente_variazione_isr: Param<Decimal>,
    pub corrente_variazione_patrimonio: Param<Decimal>,
    pub corrente_bimestre: Param<Decimal>,
    pub famiglia: Option<FamilyRules>,
}

fn ser_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!(
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    ))
}

/// The figurative-income rate of one DSU year.
#[derive(Debug, Clone, Serialize)]
pub struct Rendimento {
    pub anno_dsu: i32,
    /// Average yield of 10-year government bonds, percent.
    pub rendimento_decennali: Decimal,
    /// Legal interest rate at 1 January, percent.
    pub tasso_legale: Decimal,
    /// min(yield, legal rate + 1 point), as a fraction: the rate applied.
    pub tasso: Decimal,
    pub source: String,
}

/// The whole table: rule sets ordered by date and the yearly rates.
#[derive(Debug, Clone, Serialize)]
pub struct Rules {
    pub rule_sets: Vec<RuleSet>,
    pub rendimenti: Vec<Rendimento>,
    pub rendimento_source: String,
    pub rendimento_note: String,
}

impl Rules {
    /// The rule set in force on `date`, if any.
    pub fn select(&self, date: Date) -> Option<&RuleSet> {
        self.rule_sets.iter().rev().find(|r| r.valid_from <= date)
    }

    /// The figurative-income rate for a DSU presented in `year`.
    pub fn rendimento(&self, year: i32) -> Option<&Rendimento> {
        self.rendimenti.iter().find(|r| r.anno_dsu == year)
    }
}

#[derive(Deserialize)]
struct RawFile {
    parameters: Vec<RawParam>,
    rendimento_figurativo: RawRendimenti,
}

#[derive(Deserialize)]
struct RawParam {
    name: String,
    from: String,
    value: Value,
    source: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct RawRendimenti {
    source: String,
    note: String,
    anni: Vec<RawRendimento>,
}

#[derive(Deserialize)]
struct RawRendimento {
    anno_dsu: i32,
    rendimento_decennali: String,
    tasso_legale: String,
    source: String,
}

struct Table {
    rows: Vec<(Date, RawParam)>,
}

impl Table {
    fn row(&self, name: &str, on: Date) -> Result<&RawParam, String> {
        self.rows
            .iter()
            .filter(|(from, p)| p.name == name && *from <= on)
            .max_by_key(|(from, _)| *from)
            .map(|(_, p)| p)
            .ok_or_else(|| format!("parametro {name} assente al {on}"))
    }

    fn get<T>(
        &self,
        name: &str,
        on: Date,
        conv: impl Fn(&Value) -> Option<T>,
    ) -> Result<Param<T>, String> {
        let p = self.row(name, on)?;
        let value = conv(&p.value).ok_or_else(|| format!("parametro {name}: valore non valido"))?;
        Ok(Param {
            value,
            source: p.source.clone(),
            note: p.note.clone(),
        })
    }

    fn dec(&self, name: &str, on: Date) -> Result<Param<Decimal>, String> {
        self.get(name, on, dec)
    }

    fn int(&self, name: &str, on: Date) -> Result<Param<u32>, String> {
        self.get(name, on, |v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
    }

    fn flag(&self, name: &str, on: Date) -> Result<Param<bool>, String> {
        self.get(name, on, Value::as_bool)
    }

    fn decs(&self, name: &str, on: Date) -> Result<Param<Vec<Decimal>>, String> {
        self.get(name, on, |v| v.as_array()?.iter().map(dec).collect())
    }

    fn steps(&self, name: &str, on: Date) -> Result<Param<Vec<(u32, Decimal)>>, String> {
        self.get(name, on, |v| {
            v.as_array()?
                .iter()
                .map(|pair| {
                    let n = u32::try_from(pair.get(0)?.as_u64()?).ok()?;
                    Some((n, dec(pair.get(1)?)?))
                })
                .collect()
        })
    }

    /// A value read as JSON into `T` (lists of prestazioni, of comuni).
    fn json<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        on: Date,
    ) -> Result<Param<T>, String> {
        self.get(name, on, |v| serde_json::from_value(v.clone()).ok())
    }
}

fn dec(v: &Value) -> Option<Decimal> {
    let mut d = Decimal::from_str_exact(v.as_str()?).ok()?;
    // Cents scale like the DSU amounts, so arithmetic stays on the same-scale path.
    if d.scale() < 2 {
        d.rescale(2);
    }
    Some(d)
}

fn fraction(v: &Value) -> Option<(Decimal, Decimal)> {
    let (n, d) = v.as_str()?.split_once('/')?;
    let d = Decimal::from_str_exact(d).ok()?;
    (!d.is_zero()).then_some(())?;
    Some((Decimal::from_str_exact(n).ok()?, d))
}

fn rule_set(t: &Table, on: Date) -> Result<RuleSet, String> {
    let famiglia = if t.flag("famiglia.attiva", on)?.value {
        Some(FamilyRules {
            prestazioni: t.json("famiglia.prestazioni", on)?,
            casa_franchigia: t.dec("famiglia.casa.franchigia", on)?,
            casa_franchigia_capoluogo: t.dec("famiglia.casa.franchigia_capoluogo", on)?,
            capoluoghi: t.json("famiglia.casa.capoluoghi", on)?,
            casa_figli_esclusi: t.int("famiglia.casa.figli_esclusi", on)?,
            scala_figli: t.steps("famiglia.scala.figli", on)?,
        })
    } else {
        None
    };
    Ok(RuleSet {
        id: format!(
            "ISEE-{:04}-{:02}-{:02}",
            on.year(),
            u8::from(on.month()),
            on.day()
        ),
        valid_from: on,
        quota_isp: t.dec("formula.quota_isp", on)?,
        validita_ordinaria: t.get("validita.ordinaria", on, |v| {
            let (m, d) = v.as_str()?.split_once('-')?;
            Some((m.parse().ok()?, d.parse().ok()?))
        })?,
        validita_corrente_mesi: t.int("validita.corrente_mesi", on)?,
        anni_redditi: t.int("anni.redditi", on)?,
        anni_patrimonio: t.int("anni.patrimonio", on)?,
        lavoro_aliquota: t.dec("detrazione.lavoro.aliquota", on)?,
        lavoro_massimo: t.dec("detrazione.lavoro.massimo", on)?,
        pensione_aliquota: t.dec("detrazione.pensione.aliquota", on)?,
        pensione_massimo: t.dec("detrazione.pensione.massimo", on)?,
        lavoro_pensione_alternative: t.flag("detrazione.lavoro_pensione.alternative", on)?,
        spese_disabili_massimo: t.dec("detrazione.spese_disabili.massimo", on)?,
        affitto_massimo: t.dec("detrazione.affitto.massimo", on)?,
        affitto_incremento: t.dec("detrazione.affitto.incremento_per_figlio", on)?,
        affitto_figli_esclusi: t.int("detrazione.affitto.figli_esclusi", on)?,
        auu_escluso_per: t.json("reddito.auu_escluso_per", on)?,
        figurativo_esclude_titoli: t.flag("figurativo.esclude_titoli_stato", on)?,
        casa_franchigia: t.dec("immobiliare.casa.franchigia", on)?,
        casa_incremento: t.dec("immobiliare.casa.incremento_per_figlio", on)?,
        casa_figli_esclusi: t.int("immobiliare.casa.figli_esclusi", on)?,
        casa_quota: t.get("immobiliare.casa.quota_eccedenza", on, fraction)?,
        mob_base: t.dec("mobiliare.franchigia.base", on)?,
        mob_per_componente: t.dec("mobiliare.franchigia.per_componente", on)?,
        mob_massimo: t.dec("mobiliare.franchigia.massimo", on)?,
        mob_per_figlio: t.dec("mobiliare.franchigia.per_figlio", on)?,
        mob_figli_esclusi: t.int("mobiliare.franchigia.figli_esclusi", on)?,
        titoli_soglia: t.dec("mobiliare.titoli_stato.soglia", on)?,
        scala_parametri: t.decs("scala.parametri", on)?,
        scala_oltre: t.dec("scala.oltre", on)?,
        scala_convivenza: t.dec("scala.convivenza_anagrafica", on)?,
        scala_figli: t.steps("scala.figli", on)?,
        scala_minori: t.dec("scala.minori_genitori_lavoratori", on)?,
        scala_under3: t.dec("scala.minori_under3", on)?,
        scala_unico_genitore: t.flag("scala.unico_genitore", on)?,
        scala_disabilita: t.dec("scala.disabilita", on)?,
        aggiuntiva_soglia: t.dec("aggiuntiva.soglia", on)?,
        aggiuntiva_quota: t.dec("aggiuntiva.quota", on)?,
        aggiuntiva_genitore_soglia: t.dec("aggiuntiva.genitore.soglia", on)?,
        aggiuntiva_genitore_quota: t.dec("aggiuntiva.genitore.quota", on)?,
        universita_reddito: t.dec("universita.capacita_reddito", on)?,
        universita_anni: t.int("universita.anni_fuori_casa", on)?,
        residenze_anni_donazioni: t.int("residenze.anni_donazioni", on)?,
        corrente_variazione_isr: t.dec("corrente.variazione_isr", on)?,
        corrente_variazione_patrimonio: t.dec("corrente.variazione_patrimonio", on)?,
        corrente_bimestre: t.dec("corrente.moltiplicatore_bimestre", on)?,
        famiglia,
    })
}

/// Parses a rules table (the embedded one, or a corrected copy in tests).
pub fn parse_rules(json: &str) -> Result<Rules, String> {
    let raw: RawFile =
        serde_json::from_str(json).map_err(|e| format!("tabella delle regole: {e}"))?;
    let mut rows = Vec::with_capacity(raw.parameters.len());
    for p in raw.parameters {
        let from = parse_date(&p.from)
            .ok_or_else(|| format!("parametro {}: data {} non valida", p.name, p.from))?;
        if p.source.trim().is_empty() {
            return Err(format!("parametro {}: manca la fonte", p.name));
        }
        rows.push((from, p));
    }
    let mut dates: Vec<Date> = rows.iter().map(|(d, _)| *d).collect();
    dates.sort();
    dates.dedup();
    let table = Table { rows };
    let rule_sets = dates
        .into_iter()
        .map(|d| rule_set(&table, d))
        .collect::<Result<Vec<_>, _>>()?;
    let rendimenti = raw
        .rendimento_figurativo
        .anni
        .into_iter()
        .map(|r| {
            let rendimento_decennali = Decimal::from_str_exact(&r.rendimento_decennali)
                .map_err(|e| format!("rendimento {}: {e}", r.anno_dsu))?;
            let tasso_legale = Decimal::from_str_exact(&r.tasso_legale)
                .map_err(|e| format!("tasso legale {}: {e}", r.anno_dsu))?;
            Ok(Rendimento {
                anno_dsu: r.anno_dsu,
                rendimento_decennali,
                tasso_legale,
                tasso: rendimento_decennali.min(tasso_legale + Decimal::ONE) / Decimal::ONE_HUNDRED,
                source: r.source,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Rules {
        rule_sets,
        rendimenti,
        rendimento_source: raw.rendimento_figurativo.source,
        rendimento_note: raw.rendimento_figurativo.note,
    })
}

static RULES: LazyLock<Result<Rules, String>> = LazyLock::new(|| parse_rules(RULES_JSON));

/// The embedded rules, parsed once.
pub fn rules() -> Result<&'static Rules, String> {
    RULES.as_ref().map_err(Clone::clone)
}
