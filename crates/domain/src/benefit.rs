//! Prestazioni: the catalogue of benefits and their rules as versioned data. A rule version
//! is valid from a date and cites the article of the regolamento comunale it comes from; it
//! says who is eligible (ISEE threshold, age, residence, household, disability,
//! incompatibilities) and how much is given or paid (bands, linear, percentage of the cost
//! with a cap, tariffs per hour or meal). [`evaluate`] applies one version to the facts of an
//! application and explains every step: the same function serves the simulator, the
//! applications and the decision document.

use crate::FieldError;
use crate::dates::format_date;
use crate::form::{Fields, LONG_TEXT, SHORT_TEXT, code, date, flag, text};
use crate::money::Money;
use crate::person::age_on;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

coded_enum! {
    /// Area di utenza, as in the ISTAT survey of the comuni's social services.
    pub enum Area {
        FamigliaMinori = "famiglia_minori", "Famiglia e minori";
        Disabilita = "disabilita", "Disabilità e non autosufficienza";
        Poverta = "poverta", "Povertà ed esclusione sociale";
        Anziani = "anziani", "Anziani";
        Immigrati = "immigrati", "Immigrati";
        Dipendenze = "dipendenze", "Dipendenze";
    }
}

coded_enum! {
    pub enum Periodicity {
        Periodic = "periodica", "periodica (mensile)";
        OneOff = "una_tantum", "una tantum";
    }
}

coded_enum! {
    /// The ISEE variant an attestation was computed for (DPCM 159/2013 artt. 6–8).
    pub enum IseeVariant {
        Ordinario = "ordinario", "ISEE ordinario";
        Minorenni = "minorenni", "ISEE per prestazioni rivolte a minorenni";
        Universita = "universita", "ISEE per il diritto allo studio universitario";
        Sociosanitario = "sociosanitario", "ISEE sociosanitario";
        Residenze = "residenze", "ISEE sociosanitario per prestazioni residenziali";
    }
}

impl IseeVariant {
    /// The attestations that can be used for a benefit needing `self`: where the special
    /// nucleo does not apply INPS attests the ordinario as valid for minors (art. 7) and
    /// the beneficiary of a socio-sanitary benefit may use the ordinario (art. 6 c. 1).
    pub fn accepts(self, attested: IseeVariant) -> bool {
        attested == self
            || matches!(
                (self, attested),
                (
                    IseeVariant::Minorenni | IseeVariant::Sociosanitario,
                    IseeVariant::Ordinario
                )
            )
    }
}

coded_enum! {
    /// Who pays whom: a contribution the comune gives, or the citizen's share of a service.
    pub enum AmountKind {
        Contributo = "contributo", "contributo erogato dal Comune";
        Compartecipazione = "compartecipazione", "compartecipazione a carico del cittadino";
    }
}

coded_enum! {
    /// What a tariff is charged per.
    pub enum Unit {
        Hour = "ora", "ora";
        Meal = "pasto", "pasto";
        Day = "giorno", "giorno";
        Trip = "viaggio", "viaggio";
    }
}

impl Unit {
    /// The unit as counted: "1 ora", "20 pasti".
    pub fn words(self, n: u32) -> &'static str {
        match (self, n == 1) {
            (Unit::Hour, true) => "ora",
            (Unit::Hour, false) => "ore",
            (Unit::Meal, true) => "pasto",
            (Unit::Meal, false) => "pasti",
            (Unit::Day, true) => "giorno",
            (Unit::Day, false) => "giorni",
            (Unit::Trip, true) => "viaggio",
            (Unit::Trip, false) => "viaggi",
        }
    }
}

coded_enum! {
    /// What delivering the benefit means: money, hours of service, meals, a place.
    pub enum DeliveryKind {
        Money = "denaro", "trasferimento in denaro";
        Hours = "ore", "ore di servizio";
        Meals = "pasti", "pasti";
        Trips = "viaggi", "viaggi";
        Place = "posto", "posto in struttura o servizio";
    }
}

/// The codes of the ISEE-conditioned benefits (prestazioni sociali agevolate) used by INPS
/// in the ISEE consultation (`PrestazioneDaErogare`) and in the SIUSS records.
pub const SIUSS_CODES: &[(&str, &str)] = &[
    (
        "A1.01",
        "Assegno per il nucleo familiare erogato dai Comuni",
    ),
    ("A1.02", "Assegno di maternità"),
    ("A1.03", "Carta acquisti"),
    (
        "A1.04",
        "Contributi economici per integrazione al reddito familiare",
    ),
    ("A1.05", "Contributi economici per l'alloggio"),
    ("A1.06", "Buoni spesa o buoni pasto"),
    ("A1.07", "Rette per asili nido"),
    ("A1.08", "Servizi per la prima infanzia"),
    ("A1.09", "Servizi scolastici"),
    (
        "A1.10",
        "Contributi per cure o prestazioni a rilevanza sanitaria",
    ),
    (
        "A1.11",
        "Contributi per servizi alla persona: domiciliarità e autonomia",
    ),
    ("A1.12", "Contributi per centri diurni"),
    ("A1.13", "Contributi per strutture semi-residenziali"),
    ("A1.14", "Contributi per strutture residenziali"),
    ("A1.15", "Servizi alla persona"),
    ("A1.16", "Trasporto e mobilità"),
    ("A1.17", "Prestiti d'onore"),
    ("A1.18", "Contributi per l'inserimento lavorativo"),
    ("A1.19", "Borse di studio"),
    ("A1.20", "Buono vacanze"),
    ("A2.01", "Mensa sociale"),
    (
        "A2.02",
        "Servizio socio-educativo territoriale o domiciliare",
    ),
    ("A2.03", "Prestazioni del diritto allo studio universitario"),
    ("A2.04", "Agevolazioni per tasse universitarie"),
    (
        "A2.05",
        "Agevolazioni per servizi di pubblica utilità (telefono, luce, gas)",
    ),
    ("A2.06", "Agevolazioni sui tributi comunali"),
    ("A2.07", "Assistenza domiciliare socio-assistenziale"),
    ("A2.08", "Assistenza domiciliare integrata (ADI)"),
    ("A2.09", "Servizi di inserimento lavorativo"),
    ("A2.10", "Servizi integrativi per la prima infanzia"),
    ("A2.11", "Servizio socio-educativo scolastico"),
    ("A2.12", "Mensa scolastica"),
    ("A3.01", "Strutture semiresidenziali"),
    ("A3.02", "Strutture residenziali"),
    ("A3.03", "Asilo nido"),
    ("Z9.99", "Altre prestazioni economiche assistenziali"),
];

pub fn siuss_label(code: &str) -> Option<&'static str> {
    SIUSS_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// A catalogue entry as typed by a responsabile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BenefitInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub area: String,
    pub siuss_code: String,
    pub periodicity: String,
    pub delivery: String,
    /// Empty: no ISEE needed.
    pub isee_variant: String,
    pub funding_source: String,
    pub budget: String,
    /// One required document per line.
    pub documents: String,
    pub deadline_days: String,
    /// "on" when the benefit takes new applications.
    pub active: String,
    /// Capitolo di bilancio the benefit is paid from.
    pub budget_chapter: String,
    /// Impegno di spesa that covers the year's decisions.
    pub commitment: String,
    /// "on" when citizens may apply from the portal…
    pub portal: String,
    /// …from this day…
    pub portal_from: String,
    /// …to this one, if it ends.
    pub portal_until: String,
}

/// A checked catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenefitData {
    /// Short code, unique in the organization, used in incompatibility lists: "sad", "affitto".
    pub code: String,
    pub name: String,
    pub description: String,
    pub area: Area,
    pub siuss_code: String,
    pub periodicity: Periodicity,
    pub delivery: DeliveryKind,
    pub isee_variant: Option<IseeVariant>,
    pub funding_source: String,
    /// The yearly budget; `None` when the benefit is not budgeted (a service paid by tariff).
    pub budget: Option<Money>,
    pub documents: Vec<String>,
    /// Days to conclude the procedure (L. 241/1990 art. 2: 30 unless the regulation says otherwise).
    pub deadline_days: u16,
    pub active: bool,
    /// Capitolo di bilancio ("1234/5", "12.04.1.0103"); empty when not given.
    pub budget_chapter: String,
    /// Impegno di spesa ("n. 456/2026"); empty when not given.
    pub commitment: String,
    /// When citizens may apply from the portal; `None`: only at the counter (or a CAF).
    pub portal: Option<PortalWindow>,
}

/// The days a benefit takes applications from the citizens' portal (a call's window, or from
/// a day on with no end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalWindow {
    pub from: Date,
    pub until: Option<Date>,
}

impl PortalWindow {
    pub fn open_on(&self, day: Date) -> bool {
        self.from <= day && self.until.is_none_or(|u| day <= u)
    }

    /// "dal 01/02/2027 al 28/02/2027", "dal 01/02/2027".
    pub fn words(&self) -> String {
        match self.until {
            Some(u) => format!("dal {} al {}", format_date(self.from), format_date(u)),
            None => format!("dal {}", format_date(self.from)),
        }
    }
}

impl BenefitData {
    /// Whether a citizen may apply for it from the portal on `day`: active, and in the window.
    pub fn portal_open_on(&self, day: Date) -> bool {
        self.active && self.portal.is_some_and(|w| w.open_on(day))
    }
}

fn portal_window(f: &mut Fields, i: &BenefitInput) -> Option<Option<PortalWindow>> {
    if !flag(&i.portal) {
        return Some(None);
    }
    let from = f.take(date(
        "portal_from",
        &i.portal_from,
        "il primo giorno delle domande dal portale",
    ));
    let until = if i.portal_until.trim().is_empty() {
        Some(None)
    } else {
        f.take(date(
            "portal_until",
            &i.portal_until,
            "l'ultimo giorno delle domande dal portale",
        ))
        .map(Some)
    };
    let (from, until) = (from?, until?);
    if until.is_some_and(|u| u < from) {
        f.0.push(FieldError::new(
            "portal_until",
            "l'ultimo giorno delle domande dal portale viene prima del primo",
        ));
        return None;
    }
    Some(Some(PortalWindow { from, until }))
}

/// An accounting reference (capitolo, impegno): up to 60 letters, digits, spaces and
/// `. / - ( )`; empty when not given.
fn accounting_ref(field: &'static str, raw: &str, what: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let ok = t.chars().count() <= 60
        && t.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '/' | '-' | '(' | ')' | '°'));
    if ok {
        Ok(t.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!(
                "{what} «{t}» non è valido: al massimo 60 caratteri tra lettere, cifre, spazi e . / - ( ), ad esempio 1234/5"
            ),
        ))
    }
}

/// A benefit code: lower-case letters, digits and hyphens, 2–30 characters.
pub fn parse_benefit_code(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim().to_lowercase();
    if t.is_empty() {
        return Err(FieldError::new(field, "indicare il codice breve"));
    }
    let ok = (2..=30).contains(&t.chars().count())
        && t.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !t.starts_with('-');
    if ok {
        Ok(t)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "il codice breve «{}» deve avere da 2 a 30 lettere minuscole, cifre o trattini, ad esempio «contributo-affitto»",
                raw.trim()
            ),
        ))
    }
}

pub fn parse_benefit(i: &BenefitInput) -> Result<BenefitData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let code_ = f.take(parse_benefit_code("code", &i.code));
    let name = f.take(text("name", &i.name, "il nome", SHORT_TEXT, true));
    let description = f.take(text(
        "description",
        &i.description,
        "la descrizione",
        LONG_TEXT,
        false,
    ));
    let area = f.take(code("area", &i.area, "l'area di utenza", Area::parse));
    let siuss = i.siuss_code.trim().to_uppercase();
    let siuss_code = if siuss.is_empty() {
        f.0.push(FieldError::new("siuss_code", "scegliere il codice SIUSS"));
        None
    } else if siuss_label(&siuss).is_none() {
        f.0.push(FieldError::new(
            "siuss_code",
            format!("il codice SIUSS «{siuss}» non è nella tabella INPS delle prestazioni"),
        ));
        None
    } else {
        Some(siuss)
    };
    let periodicity = f.take(code(
        "periodicity",
        &i.periodicity,
        "la periodicità",
        Periodicity::parse,
    ));
    let delivery = f.take(code(
        "delivery",
        &i.delivery,
        "che cosa si eroga",
        DeliveryKind::parse,
    ));
    let isee_variant = if i.isee_variant.trim().is_empty() {
        Some(None)
    } else {
        f.take(code(
            "isee_variant",
            &i.isee_variant,
            "la variante ISEE",
            IseeVariant::parse,
        ))
        .map(Some)
    };
    let funding_source = f.take(text(
        "funding_source",
        &i.funding_source,
        "la fonte di finanziamento",
        SHORT_TEXT,
        false,
    ));
    let budget = f.take(Money::parse_optional(
        "budget",
        &i.budget,
        "lo stanziamento annuo",
    ));
    let documents = f.take(text(
        "documents",
        &i.documents,
        "i documenti richiesti",
        LONG_TEXT,
        false,
    ));
    let documents: Vec<String> = documents
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if documents.len() > 30 || documents.iter().any(|d| d.chars().count() > SHORT_TEXT) {
        f.0.push(FieldError::new(
            "documents",
            "i documenti richiesti: al massimo 30 righe di 300 caratteri",
        ));
    }
    let deadline_days = match i.deadline_days.trim() {
        "" => Some(30),
        t => {
            match t.parse::<u16>() {
                Ok(d) if (1..=365).contains(&d) => Some(d),
                _ => {
                    f.0.push(FieldError::new(
                    "deadline_days",
                    format!("il termine del procedimento: «{t}» non è un numero di giorni da 1 a 365"),
                ));
                    None
                }
            }
        }
    };
    let budget_chapter = f.take(accounting_ref(
        "budget_chapter",
        &i.budget_chapter,
        "il capitolo di bilancio",
    ));
    let commitment = f.take(accounting_ref(
        "commitment",
        &i.commitment,
        "l'impegno di spesa",
    ));
    let portal = portal_window(&mut f, i);
    match (
        code_,
        name,
        description,
        area,
        siuss_code,
        periodicity,
        delivery,
        isee_variant,
        funding_source,
        budget,
        deadline_days,
        budget_chapter,
        commitment,
        portal,
    ) {
        (
            Some(code),
            Some(name),
            Some(description),
            Some(area),
            Some(siuss_code),
            Some(periodicity),
            Some(delivery),
            Some(isee_variant),
            Some(funding_source),
            Some(budget),
            Some(deadline_days),
            Some(budget_chapter),
            Some(commitment),
            Some(portal),
        ) if f.0.is_empty() => Ok(BenefitData {
            code,
            name,
            description,
            area,
            siuss_code,
            periodicity,
            delivery,
            isee_variant,
            funding_source,
            budget,
            documents,
            deadline_days,
            active: flag(&i.active),
            budget_chapter,
            commitment,
            portal,
        }),
        _ => Err(f.0),
    }
}

/// One ISEE band: up to and including `isee_upto` (`None`: any ISEE above the previous band).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub isee_upto: Option<Money>,
    pub amount: Money,
}

/// How the amount (or the citizen's share) is worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "tipo", rename_all = "snake_case")]
pub enum Formula {
    /// No amount: the benefit is a service given free, or only eligibility is decided.
    Nessuna,
    /// A fixed amount (per month, or once) for each ISEE band.
    Fasce { bands: Vec<Band> },
    /// `at_min` up to `isee_min`, `at_max` from `isee_max`, on a straight line in between.
    Lineare {
        isee_min: Money,
        isee_max: Money,
        at_min: Money,
        at_max: Money,
    },
    /// A percentage of the cost declared in the application, never more than `cap`.
    PercentualeCosto {
        /// Percent with up to two decimals, 0 < p ≤ 100.
        percent: Decimal,
        cap: Option<Money>,
    },
    /// A tariff per unit (hour, meal…) for each ISEE band; the month's amount is the tariff
    /// times the units of the month.
    Tariffa { unit: Unit, bands: Vec<Band> },
}

impl Formula {
    pub fn label(&self) -> &'static str {
        match self {
            Formula::Nessuna => "nessun importo",
            Formula::Fasce { .. } => "importo fisso per fasce ISEE",
            Formula::Lineare { .. } => "importo lineare tra ISEE minimo e massimo",
            Formula::PercentualeCosto { .. } => "percentuale del costo con tetto",
            Formula::Tariffa { .. } => "tariffa per unità per fasce ISEE",
        }
    }

    pub fn kind_code(&self) -> &'static str {
        match self {
            Formula::Nessuna => "nessuna",
            Formula::Fasce { .. } => "fasce",
            Formula::Lineare { .. } => "lineare",
            Formula::PercentualeCosto { .. } => "percentuale",
            Formula::Tariffa { .. } => "tariffa",
        }
    }

    fn uses_isee(&self) -> bool {
        matches!(
            self,
            Formula::Fasce { .. } | Formula::Lineare { .. } | Formula::Tariffa { .. }
        )
    }
}

/// Who may have the benefit. Every condition left `None` or `false` is not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// ISEE not above this (in the variant the benefit needs).
    pub isee_max: Option<Money>,
    /// Age in whole years on the date of the application, both bounds included.
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    /// Resident in one of the organization's comuni…
    pub residence: bool,
    /// …for at least this many years.
    pub residence_years: Option<u8>,
    /// At least this many members in the household.
    pub household_min: Option<u8>,
    /// At least this many minors in the household.
    pub minors_min: Option<u8>,
    /// A recognised disability or non-self-sufficiency (invalidità civile, L. 104/1992).
    pub disability: bool,
    /// Codes of benefits that cannot be had together with this one.
    pub incompatible: Vec<String>,
}

/// One version of a benefit's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub valid_from: Date,
    /// The regulation: "Regolamento comunale per l'accesso ai servizi sociali (D.C.C. 12/2024)".
    pub regulation: String,
    /// The article: "art. 7, c. 2".
    pub article: String,
    pub eligibility: Eligibility,
    pub amount_kind: AmountKind,
    pub formula: Formula,
}

impl Rule {
    /// "art. 7, c. 2 del Regolamento …".
    pub fn citation(&self) -> String {
        format!("{} del {}", self.article, self.regulation)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored version back, with the checks [`parse_rule`] made when it was typed.
    pub fn from_json(raw: &str) -> Result<Rule, String> {
        let r: Rule = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        check_formula(&r.formula).map_err(|e| e.message)?;
        Ok(r)
    }
}

/// A rule version as typed: every field a string. Bands come as parallel lists, one row of
/// the form each, empty rows ignored.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub valid_from: String,
    pub regulation: String,
    pub article: String,
    pub isee_max: String,
    pub age_min: String,
    pub age_max: String,
    pub residence: String,
    pub residence_years: String,
    pub household_min: String,
    pub minors_min: String,
    pub disability: String,
    /// Benefit codes separated by commas or blanks.
    pub incompatible: String,
    pub amount_kind: String,
    /// nessuna, fasce, lineare, percentuale, tariffa.
    pub formula: String,
    pub band_upto: Vec<String>,
    pub band_amount: Vec<String>,
    pub isee_min: String,
    pub isee_max_linear: String,
    pub at_min: String,
    pub at_max: String,
    pub percent: String,
    pub cap: String,
    pub unit: String,
}

fn small_number(
    field: &'static str,
    raw: &str,
    what: &str,
    max: u8,
) -> Result<Option<u8>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u8>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(FieldError::new(
            field,
            format!("{what}: «{t}» non è un numero intero da 0 a {max}"),
        )),
    }
}

/// A percentage with up to two decimals, more than 0 and at most 100: "50", "12,5".
pub fn parse_percent(field: &'static str, raw: &str) -> Result<Decimal, FieldError> {
    let t = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() {
        return Err(FieldError::new(field, "indicare la percentuale"));
    }
    let bad = || {
        FieldError::new(
            field,
            format!(
                "la percentuale «{}» deve essere un numero maggiore di 0 e non oltre 100, con al massimo due decimali",
                raw.trim()
            ),
        )
    };
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.len() > 6 {
        return Err(bad());
    }
    let d: Decimal = t.parse().map_err(|_| bad())?;
    if d <= Decimal::ZERO || d > Decimal::ONE_HUNDRED || d.scale() > 2 {
        return Err(bad());
    }
    Ok(d.normalize())
}

fn parse_bands(i: &RuleInput) -> Result<Vec<Band>, FieldError> {
    let mut bands = Vec::new();
    let rows = i.band_upto.len().max(i.band_amount.len());
    for n in 0..rows {
        let upto = i.band_upto.get(n).map_or("", String::as_str);
        let amount = i.band_amount.get(n).map_or("", String::as_str);
        if upto.trim().is_empty() && amount.trim().is_empty() {
            continue;
        }
        let isee_upto = Money::parse_optional(
            "band_upto",
            upto,
            &format!("la fascia {}: ISEE fino a", n + 1),
        )?;
        let amount = Money::parse(
            "band_amount",
            amount,
            &format!("la fascia {}: importo", n + 1),
        )?;
        bands.push(Band { isee_upto, amount });
    }
    Ok(bands)
}

/// The invariants of a formula, checked when typed and again when read back.
fn check_formula(f: &Formula) -> Result<(), FieldError> {
    match f {
        Formula::Fasce { bands } | Formula::Tariffa { bands, .. } => {
            if bands.is_empty() {
                return Err(FieldError::new(
                    "band_amount",
                    "indicare almeno una fascia ISEE con il suo importo",
                ));
            }
            for (n, w) in bands.windows(2).enumerate() {
                match (w[0].isee_upto, w[1].isee_upto) {
                    (None, _) => {
                        return Err(FieldError::new(
                            "band_upto",
                            format!("la fascia {} senza limite ISEE deve essere l'ultima", n + 1),
                        ));
                    }
                    (Some(a), Some(b)) if b <= a => {
                        return Err(FieldError::new(
                            "band_upto",
                            format!(
                                "la fascia {} deve arrivare a un ISEE più alto della fascia {} ({})",
                                n + 2,
                                n + 1,
                                a.format()
                            ),
                        ));
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        Formula::Lineare {
            isee_min, isee_max, ..
        } => {
            if isee_max <= isee_min {
                Err(FieldError::new(
                    "isee_max_linear",
                    format!(
                        "l'ISEE massimo deve essere più alto dell'ISEE minimo ({})",
                        isee_min.format()
                    ),
                ))
            } else {
                Ok(())
            }
        }
        Formula::PercentualeCosto { percent, .. } => {
            if *percent <= Decimal::ZERO || *percent > Decimal::ONE_HUNDRED {
                Err(FieldError::new("percent", "percentuale fuori da 0–100"))
            } else {
                Ok(())
            }
        }
        Formula::Nessuna => Ok(()),
    }
}

pub fn parse_rule(i: &RuleInput) -> Result<Rule, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let valid_from = f.take(date("valid_from", &i.valid_from, "la data di decorrenza"));
    if valid_from.is_some_and(|d| d.year() < 2000) {
        f.0.push(FieldError::new(
            "valid_from",
            "la data di decorrenza deve essere dal 2000 in poi",
        ));
    }
    let regulation = f.take(text(
        "regulation",
        &i.regulation,
        "il regolamento",
        SHORT_TEXT,
        true,
    ));
    let article = f.take(text("article", &i.article, "l'articolo", 100, true));
    let isee_max = f.take(Money::parse_optional(
        "isee_max",
        &i.isee_max,
        "la soglia ISEE",
    ));
    let age_min = f.take(small_number("age_min", &i.age_min, "l'età minima", 120));
    let age_max = f.take(small_number("age_max", &i.age_max, "l'età massima", 120));
    if let (Some(Some(a)), Some(Some(b))) = (age_min, age_max)
        && b < a
    {
        f.0.push(FieldError::new(
            "age_max",
            format!("l'età massima ({b}) è minore dell'età minima ({a})"),
        ));
    }
    let residence_years = f.take(small_number(
        "residence_years",
        &i.residence_years,
        "gli anni di residenza",
        50,
    ));
    let household_min = f.take(small_number(
        "household_min",
        &i.household_min,
        "i componenti minimi del nucleo",
        20,
    ));
    let minors_min = f.take(small_number(
        "minors_min",
        &i.minors_min,
        "i minori nel nucleo",
        20,
    ));
    let mut incompatible = Vec::new();
    for c in i
        .incompatible
        .split([',', ' ', ';', '\n'])
        .filter(|s| !s.trim().is_empty())
    {
        if let Some(c) = f.take(parse_benefit_code("incompatible", c))
            && !incompatible.contains(&c)
        {
            incompatible.push(c);
        }
    }
    let amount_kind = f.take(code(
        "amount_kind",
        &i.amount_kind,
        "chi paga l'importo",
        AmountKind::parse,
    ));
    let formula = match i.formula.trim() {
        "" | "nessuna" => Some(Formula::Nessuna),
        "fasce" => f.take(parse_bands(i)).map(|bands| Formula::Fasce { bands }),
        "tariffa" => {
            let unit = f.take(code("unit", &i.unit, "l'unità della tariffa", Unit::parse));
            let bands = f.take(parse_bands(i));
            match (unit, bands) {
                (Some(unit), Some(bands)) => Some(Formula::Tariffa { unit, bands }),
                _ => None,
            }
        }
        "lineare" => {
            let isee_min = f.take(Money::parse("isee_min", &i.isee_min, "l'ISEE minimo"));
            let isee_max = f.take(Money::parse(
                "isee_max_linear",
                &i.isee_max_linear,
                "l'ISEE massimo",
            ));
            let at_min = f.take(Money::parse(
                "at_min",
                &i.at_min,
                "l'importo all'ISEE minimo",
            ));
            let at_max = f.take(Money::parse(
                "at_max",
                &i.at_max,
                "l'importo all'ISEE massimo",
            ));
            match (isee_min, isee_max, at_min, at_max) {
                (Some(isee_min), Some(isee_max), Some(at_min), Some(at_max)) => {
                    Some(Formula::Lineare {
                        isee_min,
                        isee_max,
                        at_min,
                        at_max,
                    })
                }
                _ => None,
            }
        }
        "percentuale" => {
            let percent = f.take(parse_percent("percent", &i.percent));
            let cap = f.take(Money::parse_optional("cap", &i.cap, "il tetto"));
            match (percent, cap) {
                (Some(percent), Some(cap)) => Some(Formula::PercentualeCosto { percent, cap }),
                _ => None,
            }
        }
        other => {
            f.0.push(FieldError::new(
                "formula",
                format!("il calcolo dell'importo «{other}»: scegliere un valore dell'elenco"),
            ));
            None
        }
    };
    if let Some(formula) = &formula {
        f.take(check_formula(formula));
    }
    match (
        valid_from,
        regulation,
        article,
        isee_max,
        age_min,
        age_max,
        residence_years,
        household_min,
        minors_min,
        amount_kind,
        formula,
    ) {
        (
            Some(valid_from),
            Some(regulation),
            Some(article),
            Some(isee_max),
            Some(age_min),
            Some(age_max),
            Some(residence_years),
            Some(household_min),
            Some(minors_min),
            Some(amount_kind),
            Some(formula),
        ) if f.0.is_empty() => Ok(Rule {
            valid_from,
            regulation,
            article,
            eligibility: Eligibility {
                isee_max,
                age_min,
                age_max,
                residence: flag(&i.residence) || residence_years.is_some(),
                residence_years,
                household_min,
                minors_min,
                disability: flag(&i.disability),
                incompatible,
            },
            amount_kind,
            formula,
        }),
        _ => Err(f.0),
    }
}

/// The version in force on `on`: the latest whose `valid_from` is not after it.
pub fn rule_in_force(rules: &[Rule], on: Date) -> Option<&Rule> {
    rules
        .iter()
        .filter(|r| r.valid_from <= on)
        .max_by_key(|r| r.valid_from)
}

/// The ISEE on which an application relies, as the INPS attestation gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IseeFact {
    pub protocol: String,
    pub value: Money,
    pub variant: IseeVariant,
    pub corrente: bool,
    pub valid_until: Date,
    /// The attestation reports omissioni or difformità.
    pub discrepancies: bool,
}

/// What the rules are applied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The date of the application: the rule version, ages and validity are taken on it.
    pub on: Date,
    pub isee: Option<IseeFact>,
    pub birth_date: Date,
    pub resident: bool,
    pub resident_since: Option<Date>,
    pub household_size: u32,
    pub minors: u32,
    pub disability: bool,
    /// Benefits the person already has (accepted or being delivered), by code.
    pub other_benefits: Vec<String>,
    /// The cost the percentage applies to (rent, retta), when the formula needs it.
    pub cost: Option<Money>,
    /// Units a month (hours, meals…), when the formula is a tariff.
    pub units: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Met,
    NotMet,
    /// Does not decide eligibility, but the operator must look at it.
    Warning,
}

/// One requirement and how the facts meet it, in words for the operator and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub status: CheckStatus,
    pub text: String,
}

/// The amount the rules give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub kind: AmountKind,
    /// A month's amount for periodic benefits, the whole amount for one-off ones.
    pub value: Money,
    /// The tariff per unit, when the formula is a tariff.
    pub per_unit: Option<(Unit, Money)>,
    /// How it was worked out, in words.
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub eligible: bool,
    pub checks: Vec<Check>,
    pub amount: Option<Amount>,
    /// The version applied: valid from, and its citation.
    pub rule_valid_from: Date,
    pub citation: String,
}

impl Outcome {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(raw: &str) -> Result<Outcome, String> {
        serde_json::from_str(raw).map_err(|e| e.to_string())
    }
}

fn check(ok: bool, met: String, not_met: String) -> Check {
    if ok {
        Check {
            status: CheckStatus::Met,
            text: met,
        }
    } else {
        Check {
            status: CheckStatus::NotMet,
            text: not_met,
        }
    }
}

fn band_for(bands: &[Band], isee: Money) -> Option<(usize, Band)> {
    bands
        .iter()
        .copied()
        .enumerate()
        .find(|(_, b)| b.isee_upto.is_none_or(|u| isee <= u))
}

fn band_words(n: usize, b: &Band, bands: &[Band]) -> String {
    let from = if n == 0 { None } else { bands[n - 1].isee_upto };
    match (from, b.isee_upto) {
        (None, Some(u)) => format!("fascia {} (ISEE fino a {})", n + 1, u.format()),
        (Some(f), Some(u)) => format!(
            "fascia {} (ISEE oltre {} e fino a {})",
            n + 1,
            f.format(),
            u.format()
        ),
        (Some(f), None) => format!("fascia {} (ISEE oltre {})", n + 1, f.format()),
        (None, None) => format!("fascia {} (qualsiasi ISEE)", n + 1),
    }
}

/// The highest value a formula can give: what the citizen pays without an ISEE.
fn full_value(formula: &Formula) -> Option<Money> {
    match formula {
        Formula::Fasce { bands } | Formula::Tariffa { bands, .. } => {
            bands.iter().map(|b| b.amount).max()
        }
        Formula::Lineare { at_min, at_max, .. } => Some(*at_min.max(at_max)),
        _ => None,
    }
}

fn compute_amount(rule: &Rule, facts: &Facts, isee: Option<Money>) -> Option<Amount> {
    let kind = rule.amount_kind;
    let (value, per_unit, explanation) = match (&rule.formula, isee) {
        (Formula::Nessuna, _) => return None,
        (f, None) if f.uses_isee() => {
            // Regolamenti charge the full tariff when no ISEE is presented; a contribution
            // measured on the ISEE cannot be given without one.
            if kind == AmountKind::Contributo {
                return None;
            }
            let full = full_value(f)?;
            let (value, per_unit) = match f {
                Formula::Tariffa { unit, .. } => (
                    Money(full.0.saturating_mul(i64::from(facts.units.unwrap_or(0)))),
                    Some((*unit, full)),
                ),
                _ => (full, None),
            };
            (
                value,
                per_unit,
                format!(
                    "in assenza di un'attestazione ISEE valida si applica l'importo massimo ({})",
                    full.format()
                ),
            )
        }
        (Formula::Fasce { bands }, Some(isee)) => match band_for(bands, isee) {
            Some((n, b)) => (
                b.amount,
                None,
                format!(
                    "ISEE {}: {}, importo {}",
                    isee.format(),
                    band_words(n, &b, bands),
                    b.amount.format()
                ),
            ),
            None => (
                Money::ZERO,
                None,
                format!(
                    "ISEE {} oltre l'ultima fascia: nessun importo",
                    isee.format()
                ),
            ),
        },
        (Formula::Tariffa { unit, bands }, Some(isee)) => {
            let (tariff, words) = match band_for(bands, isee) {
                Some((n, b)) => (b.amount, band_words(n, &b, bands)),
                None => (Money::ZERO, "oltre l'ultima fascia".to_owned()),
            };
            let units = facts.units.unwrap_or(0);
            let value = Money(tariff.0.saturating_mul(i64::from(units)));
            (
                value,
                Some((*unit, tariff)),
                format!(
                    "ISEE {}: {}, tariffa {} per {}; {} {} al mese: {}",
                    isee.format(),
                    words,
                    tariff.format(),
                    unit.label(),
                    units,
                    unit.words(units),
                    value.format()
                ),
            )
        }
        (
            Formula::Lineare {
                isee_min,
                isee_max,
                at_min,
                at_max,
            },
            Some(isee),
        ) => {
            let value = if isee <= *isee_min {
                *at_min
            } else if isee >= *isee_max {
                *at_max
            } else {
                let share = (isee - *isee_min).to_decimal() / (*isee_max - *isee_min).to_decimal();
                let d = at_min.to_decimal() + (at_max.to_decimal() - at_min.to_decimal()) * share;
                Money::from_decimal(d).unwrap_or(*at_max)
            };
            (
                value,
                None,
                format!(
                    "ISEE {} tra {} ({}) e {} ({}), in proporzione: {}",
                    isee.format(),
                    isee_min.format(),
                    at_min.format(),
                    isee_max.format(),
                    at_max.format(),
                    value.format()
                ),
            )
        }
        (Formula::PercentualeCosto { percent, cap }, _) => {
            let cost = facts.cost.unwrap_or(Money::ZERO);
            let raw = Money::from_decimal(cost.to_decimal() * *percent / Decimal::ONE_HUNDRED)
                .unwrap_or(Money::ZERO);
            let value = cap.map_or(raw, |c| raw.min(c));
            let capped = if value < raw {
                format!(", ridotto al tetto di {}", value.format())
            } else {
                String::new()
            };
            (
                value,
                None,
                format!(
                    "{}% del costo di {}: {}{capped}",
                    percent.to_string().replace('.', ","),
                    cost.format(),
                    raw.format()
                ),
            )
        }
        (Formula::Fasce { .. } | Formula::Tariffa { .. } | Formula::Lineare { .. }, None) => {
            return None;
        }
    };
    Some(Amount {
        kind,
        value,
        per_unit,
        explanation,
    })
}

/// Applies one rule version to the facts of an application for `benefit`.
pub fn evaluate(benefit: &BenefitData, rule: &Rule, facts: &Facts) -> Outcome {
    let e = &rule.eligibility;
    let mut checks = Vec::new();
    let mut usable_isee = None;
    if let Some(variant) = benefit.isee_variant {
        match &facts.isee {
            None => checks.push(Check {
                status: CheckStatus::NotMet,
                text: format!("manca un'attestazione ISEE ({})", variant.label()),
            }),
            Some(a) if a.valid_until < facts.on => checks.push(Check {
                status: CheckStatus::NotMet,
                text: format!(
                    "l'attestazione ISEE {} è scaduta il {}",
                    a.protocol,
                    format_date(a.valid_until)
                ),
            }),
            Some(a) if !variant.accepts(a.variant) => checks.push(Check {
                status: CheckStatus::NotMet,
                text: format!(
                    "l'attestazione ISEE {} è un {}: la prestazione richiede l'{}",
                    a.protocol,
                    a.variant.label(),
                    variant.label()
                ),
            }),
            Some(a) => {
                checks.push(Check {
                    status: CheckStatus::Met,
                    text: format!(
                        "attestazione ISEE {} ({}{}) valida fino al {}: ISEE {}",
                        a.protocol,
                        a.variant.label(),
                        if a.corrente { ", corrente" } else { "" },
                        format_date(a.valid_until),
                        a.value.format()
                    ),
                });
                if a.discrepancies {
                    checks.push(Check {
                        status: CheckStatus::Warning,
                        text: "l'attestazione riporta omissioni o difformità: chiedere la rettifica o la documentazione (DPCM 159/2013 art. 11 c. 6)".into(),
                    });
                }
                usable_isee = Some(a.value);
            }
        }
    }
    if let Some(max) = e.isee_max {
        match usable_isee {
            Some(v) => checks.push(check(
                v <= max,
                format!("ISEE {} non superiore alla soglia di {}", v.format(), max.format()),
                format!("ISEE {} superiore alla soglia di {}", v.format(), max.format()),
            )),
            None if benefit.isee_variant.is_none() => checks.push(Check {
                status: CheckStatus::NotMet,
                text: format!(
                    "la soglia ISEE di {} non si può verificare: la prestazione non ha una variante ISEE",
                    max.format()
                ),
            }),
            None => {}
        }
    }
    let age = age_on(facts.birth_date, facts.on);
    if let Some(min) = e.age_min {
        checks.push(check(
            age >= i32::from(min),
            format!("età {age} anni, non inferiore a {min}"),
            format!("età {age} anni, inferiore a {min}"),
        ));
    }
    if let Some(max) = e.age_max {
        checks.push(check(
            age <= i32::from(max),
            format!("età {age} anni, non superiore a {max}"),
            format!("età {age} anni, superiore a {max}"),
        ));
    }
    if e.residence {
        checks.push(check(
            facts.resident,
            "residente nel territorio dell'ente".into(),
            "non residente nel territorio dell'ente".into(),
        ));
        if let Some(years) = e.residence_years
            && facts.resident
        {
            match facts.resident_since {
                Some(since) => {
                    let held = age_on(since, facts.on).max(0);
                    checks.push(check(
                        held >= i32::from(years),
                        format!(
                            "residente dal {}: almeno {years} anni di residenza",
                            format_date(since)
                        ),
                        format!(
                            "residente dal {}: meno di {years} anni di residenza",
                            format_date(since)
                        ),
                    ));
                }
                None => checks.push(Check {
                    status: CheckStatus::NotMet,
                    text: format!(
                        "data di inizio della residenza non indicata: servono almeno {years} anni di residenza"
                    ),
                }),
            }
        }
    }
    if let Some(min) = e.household_min {
        checks.push(check(
            facts.household_size >= u32::from(min),
            format!(
                "nucleo di {} componenti, almeno {min}",
                facts.household_size
            ),
            format!(
                "nucleo di {} componenti, meno di {min}",
                facts.household_size
            ),
        ));
    }
    if let Some(min) = e.minors_min {
        checks.push(check(
            facts.minors >= u32::from(min),
            format!("{} minori nel nucleo, almeno {min}", facts.minors),
            format!("{} minori nel nucleo, meno di {min}", facts.minors),
        ));
    }
    if e.disability {
        checks.push(check(
            facts.disability,
            "disabilità o non autosufficienza riconosciuta".into(),
            "disabilità o non autosufficienza non dichiarata".into(),
        ));
    }
    let clashes: Vec<&String> = e
        .incompatible
        .iter()
        .filter(|c| facts.other_benefits.contains(c))
        .collect();
    if !e.incompatible.is_empty() {
        checks.push(check(
            clashes.is_empty(),
            "nessuna prestazione incompatibile in corso".into(),
            format!(
                "già beneficiario di prestazioni incompatibili: {}",
                clashes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if matches!(rule.formula, Formula::PercentualeCosto { .. }) && facts.cost.is_none() {
        checks.push(Check {
            status: CheckStatus::NotMet,
            text: "il costo su cui calcolare la percentuale non è indicato".into(),
        });
    }
    if matches!(rule.formula, Formula::Tariffa { .. }) && facts.units.is_none() {
        checks.push(Check {
            status: CheckStatus::Warning,
            text: "la quantità mensile (ore, pasti…) non è indicata: la compartecipazione del mese è zero".into(),
        });
    }
    let eligible = checks.iter().all(|c| c.status != CheckStatus::NotMet);
    let amount = if eligible || rule.amount_kind == AmountKind::Compartecipazione {
        compute_amount(rule, facts, usable_isee)
    } else {
        None
    };
    Outcome {
        eligible,
        checks,
        amount: if eligible { amount } else { None },
        rule_valid_from: rule.valid_from,
        citation: rule.citation(),
    }
}

/// A catalogue entry of the base catalogue with, for some, an example rule.
pub struct SeedBenefit {
    pub data: BenefitData,
    pub rule: Option<Rule>,
}

/// The benefits of Law 328/2000 the original system handled, less the assegno per il nucleo
/// familiare dei Comuni (replaced by the assegno unico in March 2022), and the municipal
/// services most comuni run. Rules are examples for a new installation: each comune
/// replaces them with its own regulation's.
pub fn base_catalogue(valid_from: Date) -> Vec<SeedBenefit> {
    use Area::*;
    use DeliveryKind as D;
    use Periodicity::*;
    let entry = |code: &str,
                 name: &str,
                 area: Area,
                 siuss: &str,
                 periodicity: Periodicity,
                 delivery: DeliveryKind,
                 isee: Option<IseeVariant>,
                 documents: &[&str]| BenefitData {
        code: code.into(),
        name: name.into(),
        description: String::new(),
        area,
        siuss_code: siuss.into(),
        periodicity,
        delivery,
        isee_variant: isee,
        funding_source: String::new(),
        budget: None,
        documents: documents.iter().map(|d| (*d).to_owned()).collect(),
        deadline_days: 30,
        active: true,
        budget_chapter: String::new(),
        commitment: String::new(),
        portal: None,
    };
    let ord = Some(IseeVariant::Ordinario);
    let id_doc = "Documento d'identità del richiedente";
    let reg = "Regolamento comunale per l'accesso alle prestazioni sociali agevolate";
    let rule = |article: &str, eligibility: Eligibility, kind: AmountKind, formula: Formula| Rule {
        valid_from,
        regulation: reg.into(),
        article: article.into(),
        eligibility,
        amount_kind: kind,
        formula,
    };
    let band = |upto: Option<i64>, cents: i64| Band {
        isee_upto: upto.map(Money::from_euro),
        amount: Money(cents),
    };
    vec![
        SeedBenefit {
            data: entry(
                "maternita",
                "Assegno di maternità",
                FamigliaMinori,
                "A1.02",
                OneOff,
                D::Money,
                ord,
                &[id_doc, "Certificato di nascita o autocertificazione"],
            ),
            rule: None,
        },
        SeedBenefit {
            data: entry(
                "nido",
                "Asili nido e altri servizi educativi per l'infanzia",
                FamigliaMinori,
                "A3.03",
                Periodic,
                D::Place,
                Some(IseeVariant::Minorenni),
                &[id_doc],
            ),
            rule: Some(rule(
                "art. 12",
                Eligibility {
                    residence: true,
                    age_max: Some(2),
                    ..Default::default()
                },
                AmountKind::Compartecipazione,
                Formula::Lineare {
                    isee_min: Money::from_euro(5_000),
                    isee_max: Money::from_euro(30_000),
                    at_min: Money::from_euro(80),
                    at_max: Money::from_euro(480),
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "mensa",
                "Mense scolastiche",
                FamigliaMinori,
                "A2.12",
                Periodic,
                D::Meals,
                Some(IseeVariant::Minorenni),
                &[id_doc],
            ),
            rule: Some(rule(
                "art. 14",
                Eligibility {
                    residence: true,
                    ..Default::default()
                },
                AmountKind::Compartecipazione,
                Formula::Tariffa {
                    unit: Unit::Meal,
                    bands: vec![
                        band(Some(6_000), 150),
                        band(Some(15_000), 350),
                        band(None, 500),
                    ],
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "scolastiche",
                "Prestazioni scolastiche (libri, borse di studio)",
                FamigliaMinori,
                "A1.19",
                OneOff,
                D::Money,
                Some(IseeVariant::Minorenni),
                &[id_doc],
            ),
            rule: None,
        },
        SeedBenefit {
            data: entry(
                "tasse-universita",
                "Agevolazioni per tasse universitarie",
                FamigliaMinori,
                "A2.04",
                OneOff,
                D::Money,
                Some(IseeVariant::Universita),
                &[id_doc],
            ),
            rule: None,
        },
        SeedBenefit {
            data: entry(
                "dsu-universita",
                "Prestazioni del diritto allo studio universitario",
                FamigliaMinori,
                "A2.03",
                OneOff,
                D::Money,
                Some(IseeVariant::Universita),
                &[id_doc],
            ),
            rule: None,
        },
        SeedBenefit {
            data: entry(
                "sociosanitari-domiciliari",
                "Servizi sociosanitari domiciliari",
                Disabilita,
                "A2.08",
                Periodic,
                D::Hours,
                Some(IseeVariant::Sociosanitario),
                &[
                    id_doc,
                    "Verbale di invalidità civile o di accertamento L. 104/1992",
                ],
            ),
            rule: None,
        },
        SeedBenefit {
            data: BenefitData {
                description: "Un posto in una struttura residenziale (RSA, RSD, comunità) o diurna (CDI, CDD) per una persona anziana o con disabilità: l'ufficio valuta il bisogno con l'unità di valutazione e propone la struttura; la retta è in parte a carico della persona secondo l'ISEE.".into(),
                ..entry(
                    "sociosanitari-residenziali",
                    "Servizi sociosanitari diurni e residenziali",
                    Disabilita,
                    "A3.02",
                    Periodic,
                    D::Place,
                    Some(IseeVariant::Residenze),
                    &[
                        id_doc,
                        "Scheda sanitaria compilata dal medico di medicina generale",
                        "Verbale di invalidità civile o di accertamento L. 104/1992",
                        "Decreto di nomina del tutore o dell'amministratore di sostegno, se c'è",
                    ],
                )
            },
            // The person's monthly share of the fee, on a line between two ISEE values; the
            // comune pays the rest of the fee (integrazione della retta).
            rule: Some(rule(
                "art. 22",
                Eligibility {
                    residence: true,
                    ..Default::default()
                },
                AmountKind::Compartecipazione,
                Formula::Lineare {
                    isee_min: Money::from_euro(8_000),
                    isee_max: Money::from_euro(35_000),
                    at_min: Money::from_euro(400),
                    at_max: Money::from_euro(2_000),
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "utenze",
                "Agevolazioni per servizi di pubblica utilità (telefono, luce, gas)",
                Poverta,
                "A2.05",
                OneOff,
                D::Money,
                ord,
                &[id_doc, "Ultima bolletta"],
            ),
            rule: None,
        },
        SeedBenefit {
            data: entry(
                "affitto",
                "Contributo canoni alloggiativi",
                Poverta,
                "A1.05",
                OneOff,
                D::Money,
                ord,
                &[
                    id_doc,
                    "Contratto di locazione registrato",
                    "Ricevute dei canoni pagati",
                ],
            ),
            rule: Some(rule(
                "art. 9",
                Eligibility {
                    isee_max: Some(Money::from_euro(15_000)),
                    residence: true,
                    residence_years: Some(2),
                    incompatible: vec!["contributo-straordinario".into()],
                    ..Default::default()
                },
                AmountKind::Contributo,
                Formula::PercentualeCosto {
                    percent: Decimal::new(30, 0),
                    cap: Some(Money::from_euro(1_500)),
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "altre-economiche",
                "Altre prestazioni economiche assistenziali",
                Poverta,
                "Z9.99",
                OneOff,
                D::Money,
                ord,
                &[id_doc],
            ),
            rule: None,
        },
        SeedBenefit {
            data: entry(
                "sad",
                "Assistenza domiciliare",
                Anziani,
                "A2.07",
                Periodic,
                D::Hours,
                Some(IseeVariant::Sociosanitario),
                &[id_doc],
            ),
            rule: Some(rule(
                "art. 18",
                Eligibility {
                    residence: true,
                    ..Default::default()
                },
                AmountKind::Compartecipazione,
                Formula::Tariffa {
                    unit: Unit::Hour,
                    bands: vec![
                        band(Some(6_000), 0),
                        band(Some(12_000), 500),
                        band(Some(20_000), 1_000),
                        band(None, 1_800),
                    ],
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "pasti-domicilio",
                "Pasti a domicilio",
                Anziani,
                "A1.06",
                Periodic,
                D::Meals,
                Some(IseeVariant::Sociosanitario),
                &[id_doc],
            ),
            rule: Some(rule(
                "art. 19",
                Eligibility {
                    residence: true,
                    age_min: Some(65),
                    ..Default::default()
                },
                AmountKind::Compartecipazione,
                Formula::Tariffa {
                    unit: Unit::Meal,
                    bands: vec![
                        band(Some(8_000), 200),
                        band(Some(16_000), 400),
                        band(None, 650),
                    ],
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "trasporto",
                "Trasporto sociale",
                Disabilita,
                "A1.16",
                Periodic,
                D::Trips,
                ord,
                &[id_doc],
            ),
            rule: Some(rule(
                "art. 20",
                Eligibility {
                    residence: true,
                    ..Default::default()
                },
                AmountKind::Compartecipazione,
                Formula::Tariffa {
                    unit: Unit::Trip,
                    bands: vec![band(Some(10_000), 100), band(None, 300)],
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "contributo-straordinario",
                "Contributo economico straordinario",
                Poverta,
                "A1.04",
                OneOff,
                D::Money,
                ord,
                &[id_doc, "Relazione dell'assistente sociale"],
            ),
            rule: Some(rule(
                "art. 8",
                Eligibility {
                    isee_max: Some(Money::from_euro(9_360)),
                    residence: true,
                    ..Default::default()
                },
                AmountKind::Contributo,
                Formula::Fasce {
                    bands: vec![
                        band(Some(3_000), 60_000),
                        band(Some(6_000), 40_000),
                        band(Some(9_360), 25_000),
                    ],
                },
            )),
        },
        SeedBenefit {
            data: entry(
                "integrazione-rsa",
                "Integrazione retta RSA",
                Anziani,
                "A1.14",
                Periodic,
                D::Money,
                Some(IseeVariant::Residenze),
                &[
                    id_doc,
                    "Contratto di ingresso in struttura con la retta mensile",
                ],
            ),
            rule: Some(rule(
                "art. 22",
                Eligibility {
                    isee_max: Some(Money::from_euro(20_000)),
                    residence: true,
                    age_min: Some(65),
                    ..Default::default()
                },
                AmountKind::Contributo,
                Formula::PercentualeCosto {
                    percent: Decimal::new(50, 0),
                    cap: Some(Money::from_euro(1_200)),
                },
            )),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn benefit(isee: Option<IseeVariant>) -> BenefitData {
        base_catalogue(date!(2026 - 01 - 01))
            .into_iter()
            .find(|s| s.data.code == "sad")
            .unwrap()
            .data
            .clone()
            .with_isee(isee)
    }

    impl BenefitData {
        fn with_isee(mut self, v: Option<IseeVariant>) -> Self {
            self.isee_variant = v;
            self
        }
    }

    fn facts(isee: Option<i64>) -> Facts {
        Facts {
            on: date!(2026 - 06 - 15),
            isee: isee.map(|euro| IseeFact {
                protocol: "INPS-ISEE-2026-000000001-00".into(),
                value: Money(euro),
                variant: IseeVariant::Ordinario,
                corrente: false,
                valid_until: date!(2026 - 12 - 31),
                discrepancies: false,
            }),
            birth_date: date!(1940 - 06 - 16),
            resident: true,
            resident_since: Some(date!(2000 - 01 - 01)),
            household_size: 1,
            minors: 0,
            disability: false,
            other_benefits: vec![],
            cost: None,
            units: Some(20),
        }
    }

    fn rule(formula: Formula, kind: AmountKind) -> Rule {
        Rule {
            valid_from: date!(2026 - 01 - 01),
            regulation: "Regolamento".into(),
            article: "art. 1".into(),
            eligibility: Eligibility::default(),
            amount_kind: kind,
            formula,
        }
    }

    fn bands() -> Vec<Band> {
        vec![
            Band {
                isee_upto: Some(Money(600_000)),
                amount: Money(0),
            },
            Band {
                isee_upto: Some(Money(1_200_000)),
                amount: Money(500),
            },
            Band {
                isee_upto: None,
                amount: Money(1_800),
            },
        ]
    }

    #[test]
    fn tariff_bands_include_their_upper_edge_and_multiply_by_the_units() {
        let b = benefit(Some(IseeVariant::Sociosanitario));
        let r = rule(
            Formula::Tariffa {
                unit: Unit::Hour,
                bands: bands(),
            },
            AmountKind::Compartecipazione,
        );
        for (isee, per_hour) in [
            (600_000, 0),
            (600_001, 500),
            (1_200_000, 500),
            (1_200_001, 1_800),
        ] {
            let o = evaluate(&b, &r, &facts(Some(isee)));
            assert!(o.eligible, "{o:?}");
            let a = o.amount.unwrap();
            assert_eq!(
                a.per_unit,
                Some((Unit::Hour, Money(per_hour))),
                "ISEE {isee}"
            );
            assert_eq!(a.value, Money(per_hour * 20));
        }
    }

    #[test]
    fn without_an_isee_the_citizen_pays_the_full_tariff_and_no_contribution_is_given() {
        let b = benefit(None);
        let r = rule(
            Formula::Tariffa {
                unit: Unit::Hour,
                bands: bands(),
            },
            AmountKind::Compartecipazione,
        );
        let a = evaluate(&b, &r, &facts(None)).amount.unwrap();
        assert_eq!(a.value, Money(1_800 * 20));
        assert!(a.explanation.contains("importo massimo"));
        let r = rule(Formula::Fasce { bands: bands() }, AmountKind::Contributo);
        assert_eq!(evaluate(&b, &r, &facts(None)).amount, None);
    }

    #[test]
    fn linear_amounts_are_clamped_and_rounded_half_up_between_the_edges() {
        let b = benefit(Some(IseeVariant::Sociosanitario));
        let r = rule(
            Formula::Lineare {
                isee_min: Money(500_000),
                isee_max: Money(3_000_000),
                at_min: Money(8_000),
                at_max: Money(48_000),
            },
            AmountKind::Compartecipazione,
        );
        let at = |isee| evaluate(&b, &r, &facts(Some(isee))).amount.unwrap().value;
        assert_eq!(at(0), Money(8_000));
        assert_eq!(at(500_000), Money(8_000));
        assert_eq!(at(3_000_000), Money(48_000));
        assert_eq!(at(9_000_000), Money(48_000));
        // 80 + 400 × (17.500 − 5.000) / 25.000 = 280,00
        assert_eq!(at(1_750_000), Money(28_000));
        // 80 + 400 × 0,01 / 25.000 = 80,00016 → 80,00
        assert_eq!(at(500_001), Money(8_000));
        // 80 + 400 × 31,25 / 25.000 = 80,50 exactly
        assert_eq!(at(503_125), Money(8_050));
    }

    #[test]
    fn a_percentage_of_the_cost_stops_at_the_cap() {
        let b = benefit(Some(IseeVariant::Ordinario));
        let r = rule(
            Formula::PercentualeCosto {
                percent: Decimal::new(30, 0),
                cap: Some(Money(150_000)),
            },
            AmountKind::Contributo,
        );
        let mut f = facts(Some(800_000));
        f.cost = Some(Money(400_000));
        assert_eq!(evaluate(&b, &r, &f).amount.unwrap().value, Money(120_000));
        f.cost = Some(Money(600_000));
        let a = evaluate(&b, &r, &f).amount.unwrap();
        assert_eq!(a.value, Money(150_000));
        assert!(a.explanation.contains("tetto"), "{}", a.explanation);
        f.cost = None;
        assert!(!evaluate(&b, &r, &f).eligible);
    }

    #[test]
    fn every_condition_is_explained_and_the_threshold_includes_its_edge() {
        let b = benefit(Some(IseeVariant::Ordinario));
        let mut r = rule(Formula::Nessuna, AmountKind::Contributo);
        r.eligibility = Eligibility {
            isee_max: Some(Money(1_500_000)),
            age_min: Some(18),
            age_max: Some(85),
            residence: true,
            residence_years: Some(2),
            household_min: Some(1),
            minors_min: None,
            disability: false,
            incompatible: vec!["contributo-straordinario".into()],
        };
        let o = evaluate(&b, &r, &facts(Some(1_500_000)));
        assert!(o.eligible, "{:#?}", o.checks);
        assert_eq!(o.checks.len(), 8);
        let o = evaluate(&b, &r, &facts(Some(1_500_001)));
        assert!(!o.eligible);
        assert!(o.checks.iter().any(|c| c.status == CheckStatus::NotMet
            && c.text.contains("superiore alla soglia di 15.000,00")));
        let mut f = facts(Some(100));
        f.birth_date = date!(1940 - 06 - 15);
        f.other_benefits = vec!["contributo-straordinario".into()];
        f.resident_since = Some(date!(2024 - 06 - 16));
        let o = evaluate(&b, &r, &f);
        let failed: Vec<&str> = o
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::NotMet)
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(failed.len(), 3, "{failed:?}");
        assert!(failed[0].contains("età 86 anni"));
        assert!(failed[1].contains("meno di 2 anni"));
        assert!(failed[2].contains("contributo-straordinario"));
    }

    #[test]
    fn an_expired_or_wrong_variant_attestation_does_not_count() {
        let b = benefit(Some(IseeVariant::Residenze));
        let r = rule(Formula::Nessuna, AmountKind::Contributo);
        let o = evaluate(&b, &r, &facts(Some(100)));
        assert!(!o.eligible);
        assert!(
            o.checks[0]
                .text
                .contains("richiede l'ISEE sociosanitario per prestazioni residenziali")
        );
        let b = benefit(Some(IseeVariant::Minorenni));
        assert!(
            evaluate(&b, &r, &facts(Some(100))).eligible,
            "the ordinario serves for minors"
        );
        let mut f = facts(Some(100));
        f.on = date!(2027 - 01 - 01);
        let o = evaluate(&b, &r, &f);
        assert!(o.checks[0].text.contains("scaduta il 31/12/2026"));
        let mut f = facts(Some(100));
        f.isee.as_mut().unwrap().discrepancies = true;
        let o = evaluate(&b, &r, &f);
        assert!(o.eligible);
        assert_eq!(o.checks[1].status, CheckStatus::Warning);
    }

    #[test]
    fn the_version_in_force_is_the_latest_already_valid() {
        let mut a = rule(Formula::Nessuna, AmountKind::Contributo);
        a.valid_from = date!(2025 - 01 - 01);
        let mut b = a.clone();
        b.valid_from = date!(2026 - 07 - 01);
        let rules = [b.clone(), a.clone()];
        assert_eq!(rule_in_force(&rules, date!(2024 - 12 - 31)), None);
        assert_eq!(rule_in_force(&rules, date!(2026 - 06 - 30)), Some(&a));
        assert_eq!(rule_in_force(&rules, date!(2026 - 07 - 01)), Some(&b));
    }

    fn input() -> RuleInput {
        RuleInput {
            valid_from: "01/01/2026".into(),
            regulation: "Regolamento servizi sociali".into(),
            article: "art. 18".into(),
            amount_kind: "compartecipazione".into(),
            formula: "tariffa".into(),
            unit: "ora".into(),
            band_upto: vec!["6.000".into(), "12000".into(), "".into(), "".into()],
            band_amount: vec!["0".into(), "5,00".into(), "18".into(), "".into()],
            ..Default::default()
        }
    }

    #[test]
    fn a_typed_rule_round_trips_through_its_stored_form() {
        let r = parse_rule(&input()).unwrap();
        assert_eq!(
            r.formula,
            Formula::Tariffa {
                unit: Unit::Hour,
                bands: bands()
            }
        );
        assert_eq!(Rule::from_json(&r.to_json()).unwrap(), r);
        assert_eq!(r.citation(), "art. 18 del Regolamento servizi sociali");
    }

    #[test]
    fn bad_rules_name_their_fields() {
        let mut i = input();
        i.band_upto = vec!["12.000".into(), "6.000".into()];
        i.band_amount = vec!["1".into(), "2".into()];
        i.age_min = "70".into();
        i.age_max = "65".into();
        i.incompatible = "SAD, Bad Code!".into();
        i.valid_from = "31/02/2026".into();
        let e = parse_rule(&i).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["valid_from", "age_max", "incompatible", "band_upto"],
            "{e:?}"
        );
        let mut i = input();
        i.formula = "percentuale".into();
        i.percent = "120".into();
        assert_eq!(parse_rule(&i).unwrap_err()[0].field, "percent");
        i.formula = "lineare".into();
        i.isee_min = "10.000".into();
        i.isee_max_linear = "5.000".into();
        i.at_min = "0".into();
        i.at_max = "100".into();
        assert_eq!(parse_rule(&i).unwrap_err()[0].field, "isee_max_linear");
    }

    #[test]
    fn the_base_catalogue_is_valid_and_uses_known_siuss_codes() {
        let all = base_catalogue(date!(2026 - 01 - 01));
        assert_eq!(all.len(), 16);
        for s in &all {
            assert!(siuss_label(&s.data.siuss_code).is_some(), "{}", s.data.code);
            assert!(parse_benefit_code("code", &s.data.code).is_ok());
            if let Some(r) = &s.rule {
                assert_eq!(Rule::from_json(&r.to_json()).as_ref(), Ok(r));
                for c in &r.eligibility.incompatible {
                    assert!(all.iter().any(|o| &o.data.code == c), "{c}");
                }
            }
        }
    }

    #[test]
    fn a_catalogue_entry_is_checked_field_by_field() {
        let i = BenefitInput {
            code: "Contributo Affitto".into(),
            name: "".into(),
            area: "poverta".into(),
            siuss_code: "A9.99".into(),
            periodicity: "una_tantum".into(),
            delivery: "denaro".into(),
            budget: "12.000,00".into(),
            deadline_days: "0".into(),
            budget_chapter: "1234; DROP".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = parse_benefit(&i)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "code",
                "name",
                "siuss_code",
                "deadline_days",
                "budget_chapter"
            ]
        );
        let ok = BenefitInput {
            code: "contributo-affitto".into(),
            name: "Contributo affitto".into(),
            siuss_code: "a1.05".into(),
            deadline_days: "".into(),
            documents: "Contratto\n\n  Ricevute  \n".into(),
            active: "on".into(),
            budget_chapter: " 1234/5 ".into(),
            commitment: "n. 456/2026".into(),
            ..i
        };
        let b = parse_benefit(&ok).unwrap();
        assert_eq!(b.siuss_code, "A1.05");
        assert_eq!(b.budget, Some(Money(1_200_000)));
        assert_eq!(b.documents, ["Contratto", "Ricevute"]);
        assert_eq!(b.deadline_days, 30);
        assert!(b.active);
        assert_eq!(
            (b.budget_chapter.as_str(), b.commitment.as_str()),
            ("1234/5", "n. 456/2026")
        );
        assert_eq!(b.portal, None);
    }

    #[test]
    fn the_portal_window_is_a_first_day_and_an_optional_last_one() {
        let base = || BenefitInput {
            code: "affitto".into(),
            name: "Contributo affitto".into(),
            area: "poverta".into(),
            siuss_code: "A1.05".into(),
            periodicity: "una_tantum".into(),
            delivery: "denaro".into(),
            active: "on".into(),
            portal: "on".into(),
            ..Default::default()
        };
        let fields = |i: BenefitInput| -> Vec<&'static str> {
            parse_benefit(&i)
                .unwrap_err()
                .iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(base()), ["portal_from"]);
        assert_eq!(
            fields(BenefitInput {
                portal_from: "10/02/2027".into(),
                portal_until: "01/02/2027".into(),
                ..base()
            }),
            ["portal_until"]
        );
        let b = parse_benefit(&BenefitInput {
            portal_from: "01/02/2027".into(),
            portal_until: "28/02/2027".into(),
            ..base()
        })
        .unwrap();
        let w = b.portal.unwrap();
        assert_eq!(w.words(), "dal 01/02/2027 al 28/02/2027");
        assert!(!b.portal_open_on(date!(2027 - 01 - 31)));
        assert!(b.portal_open_on(date!(2027 - 02 - 01)));
        assert!(b.portal_open_on(date!(2027 - 02 - 28)));
        assert!(!b.portal_open_on(date!(2027 - 03 - 01)));
        let inactive = BenefitData {
            active: false,
            ..b.clone()
        };
        assert!(!inactive.portal_open_on(date!(2027 - 02 - 10)));
        // Off: the days typed are not kept.
        let off = parse_benefit(&BenefitInput {
            portal: String::new(),
            portal_from: "non una data".into(),
            ..base()
        })
        .unwrap();
        assert_eq!(off.portal, None);
    }
}
