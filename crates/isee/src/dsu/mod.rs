//! The validated DSU: built only from a [`DsuInput`] that passes every check, so the
//! calculation never meets missing or contradictory data.

mod fast;
pub mod input;

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use time::Date;

pub use input::*;

use crate::values::{CodiceFiscale, age_on};

/// Bad DSU data: which quadro, which field, what is wrong (in Italian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsuError {
    /// Quadro or module, as printed on the form ("A", "FC2", "MB.1 ridotto"…).
    pub quadro: String,
    /// Codice fiscale of the component the quadro belongs to, for per-component quadri.
    pub componente: Option<String>,
    /// Field path inside the quadro.
    pub campo: String,
    pub messaggio: String,
}

impl DsuError {
    pub(crate) fn new(
        quadro: &str,
        campo: impl Into<String>,
        messaggio: impl Into<String>,
    ) -> Self {
        DsuError {
            quadro: quadro.to_owned(),
            componente: None,
            campo: campo.into(),
            messaggio: messaggio.into(),
        }
    }

    pub(crate) fn of(mut self, cf: &str) -> Self {
        self.componente = Some(cf.to_owned());
        self
    }
}

impl fmt::Display for DsuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quadro.starts_with("MB")
            || self.quadro.starts_with("Modulo")
            || self.quadro == "DSU"
        {
            write!(f, "{}", self.quadro)?;
        } else {
            write!(f, "Quadro {}", self.quadro)?;
        }
        if let Some(cf) = &self.componente {
            write!(f, " (componente {cf})")?;
        }
        write!(f, ", campo «{}»: {}", self.campo, self.messaggio)
    }
}

impl std::error::Error for DsuError {}

/// A component with the figures the calculation needs, already multiplied by the shares.
#[derive(Debug, Clone)]
pub struct Componente {
    pub codice_fiscale: CodiceFiscale,
    pub cognome: String,
    pub nome: String,
    pub data_nascita: Date,
    pub relazione: Relazione,
    pub convivenza_anagrafica: bool,
    pub disabilita: Option<Condizione>,
    pub redditi: Redditi,
    pub mobiliare: Mobiliare,
    /// Σ max(0, valore − mutuo) of the properties other than the casa di abitazione (art. 5 c. 2).
    pub immobili: Decimal,
    /// The same for this component's share of the casa di abitazione.
    pub casa: Decimal,
}

/// Incomes and per-component deductions of the reference year (quadri FC4, FC5, FC8).
#[derive(Debug, Clone, Copy, Default)]
pub struct Redditi {
    /// Sum of the incomes of art. 4 c. 2 except the assegno unico (which depends on the benefit).
    pub lordo: Decimal,
    pub reddito_complessivo: Decimal,
    pub lavoro_dipendente: Decimal,
    pub pensione: Decimal,
    pub redditi_agrari: Decimal,
    pub proventi_agrari: Decimal,
    /// Imposta sostitutiva, esenti, esteri, fondiari esenti (art. 4 c. 2).
    pub altri_redditi: Decimal,
    /// Trattamenti not in the IRPEF income, disability ones excluded.
    pub trattamenti: Decimal,
    pub assegno_unico: Decimal,
    pub assegni_figli_ricevuti: Decimal,
    /// Recorded only: excluded from income by L. 89/2016 art. 2-sexies.
    pub trattamenti_disabilita: Decimal,
    pub spese_sanitarie_disabili: Decimal,
    pub assegni_corrisposti: Decimal,
}

/// A libretto postale (rapporto 03 at Poste) eligible for the titoli di Stato exclusion: its
/// saldo and giacenza media (the component's share) and the part declared excludable.
#[derive(Debug, Clone, Copy, Default)]
pub struct LibrettoPostale {
    pub saldo: Decimal,
    pub giacenza: Decimal,
    pub escludibile: Decimal,
}

/// Patrimonio mobiliare of a component (quadro FC2), by the groups the rules treat differently.
#[derive(Debug, Clone, Default)]
pub struct Mobiliare {
    /// Depositi e conti correnti (tipi 01, 03): Σ saldi and Σ giacenze medie.
    pub saldi: Decimal,
    pub giacenze: Decimal,
    pub incrementi: Decimal,
    /// Other rapporti, total value.
    pub altri: Decimal,
    /// Parts eligible for the titoli di Stato exclusion, in INPS order.
    pub titoli_stato: Decimal,
    pub buoni_postali: Decimal,
    /// The libretti postali with an excludable part, in the order of quadro FC2: the exclusion
    /// lowers their own saldo and giacenza media (both also counted in `saldi`, `giacenze`).
    pub libretti_postali: Vec<LibrettoPostale>,
}

impl Mobiliare {
    /// The part of the libretti postali eligible for the exclusion.
    pub fn libretti_escludibili(&self) -> Decimal {
        self.libretti_postali.iter().map(|l| l.escludibile).sum()
    }
}

/// Casa di abitazione (quadro B).
#[derive(Debug, Clone)]
pub enum Abitazione {
    Proprieta {
        comune: String,
    },
    Locazione {
        intestatario: usize,
        canone: Decimal,
    },
    Altro,
}

/// Quadro C outcome.
#[derive(Debug, Clone)]
pub struct Universita {
    pub studente: usize,
    pub anni_residenza_esterna: u32,
    pub alloggio_non_di_familiari: bool,
    pub redditi_lavoro: Vec<Decimal>,
    /// Components of the parents' nucleo (bit mask over `componenti`).
    pub nucleo_genitori: u64,
}

/// Data of a person outside the nucleo for a componente aggiuntiva (quadro FC9).
#[derive(Debug, Clone)]
pub struct Esterno {
    pub codice_fiscale: CodiceFiscale,
    pub isr: Decimal,
    pub isp: Decimal,
    pub scala: Decimal,
}

/// Quadro D.
#[derive(Debug, Clone)]
pub struct GenitoreNonConvivente {
    pub codice_fiscale: CodiceFiscale,
    pub caso: CasoArt7,
    /// FC9 data, present in cases a) and b).
    pub aggiuntiva: Option<Esterno>,
}

/// Modulo MB.3.
#[derive(Debug, Clone)]
pub struct Residenze {
    /// Children outside the nucleo without esonero, with their FC9 data.
    pub figli: Vec<Esterno>,
    /// Children outside the nucleo with an esonero (no componente aggiuntiva).
    pub figli_esonerati: Vec<(CodiceFiscale, Esonero)>,
    pub donazioni: Vec<(Date, Decimal)>,
}

/// Modulo sostitutivo, resolved.
#[derive(Debug, Clone)]
pub struct Corrente {
    pub componenti: Vec<RedditoCorrente>,
    pub patrimonio: Option<(Decimal, Decimal, Decimal)>,
}

/// Current incomes of one component, already annualised.
#[derive(Debug, Clone, Copy)]
pub struct RedditoCorrente {
    pub componente: usize,
    pub evento: Option<Evento>,
    pub periodo: Periodo,
    pub lavoro_dipendente: Decimal,
    pub pensione: Decimal,
    pub altri_redditi: Decimal,
    pub trattamenti: Decimal,
}

/// A validated DSU. Only [`Dsu::try_from`] (or deserialization) builds one. The modules of
/// the rarer variants are boxed: a small `Dsu` keeps the calculation's reads in cache.
#[derive(Debug, Clone)]
pub struct Dsu {
    protocollo: Option<String>,
    data_presentazione: Date,
    variante: Variante,
    prestazione: Prestazione,
    componenti: Vec<Componente>,
    abitazione: Abitazione,
    genitori_lavoratori: bool,
    unico_genitore: bool,
    numero_figli: Option<u32>,
    beneficiario: usize,
    nucleo_ristretto: u64,
    universita: Option<Box<Universita>>,
    genitore_non_convivente: Option<Box<GenitoreNonConvivente>>,
    residenze: Option<Box<Residenze>>,
    corrente: Option<Box<Corrente>>,
}

/// The first day a DSU of DPCM 159/2013 could be presented: its ISEE applies from 1 January
/// 2015, with the DSU model of DM 7 novembre 2014.
const PRIMA_DSU: Date = match Date::from_calendar_date(2015, time::Month::January, 1) {
    Ok(d) => d,
    Err(_) => Date::MIN,
};

/// Most components a DSU may list (the nucleo is kept as a bit mask).
pub const MAX_COMPONENTI: usize = 64;

impl Dsu {
    pub fn protocollo(&self) -> Option<&str> {
        self.protocollo.as_deref()
    }
    pub fn data_presentazione(&self) -> Date {
        self.data_presentazione
    }
    pub fn variante(&self) -> Variante {
        self.variante
    }
    pub fn prestazione(&self) -> Prestazione {
        self.prestazione
    }
    pub fn componenti(&self) -> &[Componente] {
        &self.componenti
    }
    pub fn abitazione(&self) -> &Abitazione {
        &self.abitazione
    }
    pub fn genitori_lavoratori(&self) -> bool {
        self.genitori_lavoratori
    }
    pub fn unico_genitore(&self) -> bool {
        self.unico_genitore
    }
    pub fn numero_figli(&self) -> Option<u32> {
        self.numero_figli
    }
    /// Index of the beneficiary (dichiarante unless MB.1 ridotto says otherwise).
    pub fn beneficiario(&self) -> usize {
        self.beneficiario
    }
    /// Bit mask of the nucleo ristretto (MB.1 ridotto), 0 when absent.
    pub fn nucleo_ristretto(&self) -> u64 {
        self.nucleo_ristretto
    }
    pub fn universita(&self) -> Option<&Universita> {
        self.universita.as_deref()
    }
    pub fn genitore_non_convivente(&self) -> Option<&GenitoreNonConvivente> {
        self.genitore_non_convivente.as_deref()
    }
    pub fn residenze(&self) -> Option<&Residenze> {
        self.residenze.as_deref()
    }
    pub fn corrente(&self) -> Option<&Corrente> {
        self.corrente.as_deref()
    }

    /// Parses and validates a DSU from JSON bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Dsu, DsuError> {
        // The direct reader handles the plain form; serde anything else (and the errors).
        // One UTF-8 check for the whole text instead of one per JSON string.
        let parsed = std::str::from_utf8(bytes).ok().and_then(|text| {
            fast::parse(text).or_else(|| serde_json::from_str::<DsuInput>(text).ok())
        });
        match parsed {
            Some(input) => Dsu::try_from(input),
            None => Err(json_error(bytes)),
        }
    }
}

/// The direct reader behind [`Dsu::from_json`] alone: `None` where it leaves the text to
/// serde. For the tests that check it builds what serde builds.
#[doc(hidden)]
pub fn fast_input(text: &str) -> Option<DsuInput> {
    fast::parse(text)
}

/// Re-reads bad JSON tracking the path, to name the quadro and the field of the error.
pub(crate) fn json_error(bytes: &[u8]) -> DsuError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, DsuInput>(&mut de) {
        Ok(_) => DsuError::new("DSU", "", "JSON non valido"),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            path_error(&path, &inner)
        }
    }
}

fn path_error(path: &str, err: &serde_json::Error) -> DsuError {
    let raw = err.to_string();
    // serde_json appends " at line L column C"; keep the position in Italian.
    let (msg, pos) = match raw.rfind(" at line ") {
        Some(i) => (raw.get(..i).unwrap_or(&raw), raw.get(i + 9..).unwrap_or("")),
        None => (raw.as_str(), ""),
    };
    let mut path = if path == "." {
        String::new()
    } else {
        path.to_owned()
    };
    let messaggio = if let Some(field) = msg
        .strip_prefix("missing field `")
        .and_then(|s| s.strip_suffix('`'))
    {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(field);
        "campo obbligatorio mancante".to_owned()
    } else if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(field);
        "campo non previsto dal modello DSU".to_owned()
    } else if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or(rest);
        let expected = rest.split("expected ").nth(1).unwrap_or("");
        format!("valore «{value}» non ammesso (ammessi: {expected})")
    } else if msg.starts_with("invalid type") {
        format!("tipo di valore errato ({msg})")
    } else if err.is_syntax() || err.is_eof() {
        format!("JSON non valido: {msg}")
    } else {
        msg.to_owned()
    };
    // The advice for a negative balance fits the balances only, not an income or a value.
    let messaggio = if messaggio.starts_with(crate::values::IMPORTO_NEGATIVO)
        && (path.ends_with(".saldo") || path.ends_with(".giacenza_media"))
    {
        format!("{messaggio}; un saldo o una giacenza negativi si indicano come 0")
    } else {
        messaggio
    };
    let messaggio = if pos.is_empty() {
        messaggio
    } else {
        format!(
            "{messaggio} (riga {})",
            pos.replace(" column ", ", colonna ")
        )
    };
    let (quadro, campo) = split_path(&path);
    DsuError {
        quadro,
        componente: None,
        campo,
        messaggio,
    }
}

/// Maps a JSON path such as `fc1[0].quadro_fc2.rapporti[1].saldo` to ("FC2", "rapporti[1].saldo").
fn split_path(path: &str) -> (String, String) {
    let segments: Vec<&str> = path.split('.').collect();
    if let Some(i) = segments.iter().rposition(|s| s.starts_with("quadro_")) {
        let name = segments
            .get(i)
            .and_then(|s| s.strip_prefix("quadro_"))
            .unwrap_or("")
            .to_uppercase();
        let campo = segments
            .get(i + 1..)
            .map(|s| s.join("."))
            .unwrap_or_default();
        return (name, campo);
    }
    let first = segments.first().copied().unwrap_or("");
    let head = first.split('[').next().unwrap_or(first);
    let quadro = match head {
        "mb1_ridotto" => "MB.1 ridotto",
        "mb3" => "MB.3",
        "modulo_sostitutivo" => "Modulo sostitutivo",
        "fc1" => "Modulo FC.1",
        "fc2" => "Modulo FC.2",
        "fc3" => "Modulo FC.3",
        "fc4" => "Modulo FC.4",
        _ => "DSU",
    };
    let campo = if quadro == "DSU" {
        path.to_owned()
    } else {
        segments.get(1..).map(|s| s.join(".")).unwrap_or_default()
    };
    (quadro.to_owned(), campo)
}

impl<'de> Deserialize<'de> for Dsu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let input = DsuInput::deserialize(d)?;
        Dsu::try_from(input).map_err(serde::de::Error::custom)
    }
}

fn find(componenti: &[ComponenteA], cf: &CodiceFiscale) -> Option<usize> {
    componenti.iter().position(|c| c.codice_fiscale == *cf)
}

fn esterno(
    fc4: &[ModuloFc4],
    cf: &CodiceFiscale,
    quadro: &str,
    campo: impl FnOnce() -> String,
) -> Result<Esterno, DsuError> {
    let m = fc4.iter().find(|m| m.codice_fiscale == *cf).ok_or_else(|| {
        DsuError::new(
            quadro,
            campo(),
            format!(
                "manca il modulo FC.4 (quadro FC9) per {cf}, necessario alla componente aggiuntiva"
            ),
        )
    })?;
    Ok(Esterno {
        codice_fiscale: *cf,
        isr: m.quadro_fc9.isr.value(),
        isp: m.quadro_fc9.isp.value(),
        scala: m.quadro_fc9.scala_nucleo.value(),
    })
}

fn mobiliare(q: &QuadroFc2, cf: &CodiceFiscale) -> Result<Mobiliare, DsuError> {
    let mut m = Mobiliare {
        incrementi: q.incrementi_patrimonio.value(),
        ..Mobiliare::default()
    };
    for (i, r) in q.rapporti.iter().enumerate() {
        let field = |f: &str| format!("rapporti[{i}].{f}");
        let err = |f: &str, msg: String| DsuError::new("FC2", field(f), msg).of(cf);
        let tipo = r.tipo.code();
        let titoli = r.titoli_di_stato.map(|t| t.value());
        if r.tipo.is_deposit() {
            if r.valore.is_some() {
                return Err(err(
                    "valore",
                    format!("per il tipo {tipo} si indicano saldo e giacenza media, non il valore"),
                ));
            }
            let saldo = r
                .saldo
                .ok_or_else(|| err("saldo", format!("obbligatorio per il tipo {tipo}")))?;
            let giacenza = r
                .giacenza_media
                .ok_or_else(|| err("giacenza_media", format!("obbligatoria per il tipo {tipo}")))?;
            m.saldi += r.quota.of(saldo.value());
            m.giacenze += r.quota.of(giacenza.value());
            if let Some(t) = titoli {
                if !(r.tipo == TipoRapporto::DepositoRisparmio && r.postale) {
                    return Err(err(
                        "titoli_di_stato",
                        "tra i depositi è escluso solo il libretto postale (tipo 03, postale)"
                            .into(),
                    ));
                }
                if t > saldo.value().max(giacenza.value()) {
                    return Err(err(
                        "titoli_di_stato",
                        "supera sia il saldo sia la giacenza media del libretto".into(),
                    ));
                }
                m.libretti_postali.push(LibrettoPostale {
                    saldo: r.quota.of(saldo.value()),
                    giacenza: r.quota.of(giacenza.value()),
                    escludibile: r.quota.of(t),
                });
            }
        } else {
            if r.saldo.is_some() || r.giacenza_media.is_some() {
                return Err(err(
                    "saldo",
                    format!(
                        "saldo e giacenza media valgono solo per i tipi 01 e 03, non per {tipo}"
                    ),
                ));
            }
            let valore = r
                .valore
                .ok_or_else(|| err("valore", format!("obbligatorio per il tipo {tipo}")))?;
            m.altri += r.quota.of(valore.value());
            if let Some(t) = titoli {
                if t > valore.value() {
                    return Err(err(
                        "titoli_di_stato",
                        "supera il valore del rapporto".into(),
                    ));
                }
                match r.tipo {
                    TipoRapporto::DepositoTitoli | TipoRapporto::GestionePatrimoniale => {
                        m.titoli_stato += r.quota.of(t);
                    }
                    TipoRapporto::CertificatiBuoni if r.postale => {
                        m.buoni_postali += r.quota.of(t);
                    }
                    _ => {
                        return Err(err(
                            "titoli_di_stato",
                            format!(
                                "l'esclusione vale per i tipi 02 e 06, per i buoni postali (07) e per i libretti postali (03), non per il tipo {tipo}"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(m)
}

impl TryFrom<DsuInput> for Dsu {
    type Error = DsuError;

    fn try_from(mut input: DsuInput) -> Result<Dsu, DsuError> {
        let date = input.data_presentazione.0;
        // Names are only carried over: move them out instead of copying.
        let names: Vec<(String, String)> = input
            .mb1
            .quadro_a
            .componenti
            .iter_mut()
            .map(|c| (std::mem::take(&mut c.cognome), std::mem::take(&mut c.nome)))
            .collect();
        let quadro_a = &input.mb1.quadro_a.componenti;
        let quadro_b = &input.mb1.quadro_b;
        check_quadro_a(quadro_a, date)?;
        check_modules(&input)?;

        let mut componenti = Vec::with_capacity(quadro_a.len());
        let mut casa = CasaDichiarata::default();
        for ((i, a), name) in quadro_a.iter().enumerate().zip(names) {
            componenti.push(componente(&input, i, a, name, &mut casa)?);
        }
        let abitazione = abitazione(quadro_b, quadro_a, casa.comune)?;
        let minori = check_quadro_b(quadro_b, &componenti)?;
        let (beneficiario, nucleo_ristretto) = nucleo_ristretto(&input, &componenti)?;
        let universita = universita(&input)?;
        let genitore_non_convivente = genitore_non_convivente(&input, minori)?;
        let residenze = residenze(&input, nucleo_ristretto)?;
        let corrente = corrente(&input)?;
        check_fc4(&input, genitore_non_convivente.as_ref(), residenze.as_ref())?;

        Ok(Dsu {
            protocollo: input.protocollo,
            data_presentazione: date,
            variante: input.variante,
            prestazione: input.prestazione,
            componenti,
            abitazione,
            genitori_lavoratori: quadro_b.genitori_lavoratori,
            unico_genitore: quadro_b.unico_genitore,
            numero_figli: quadro_b.numero_figli,
            beneficiario,
            nucleo_ristretto,
            universita: universita.map(Box::new),
            genitore_non_convivente: genitore_non_convivente.map(Box::new),
            residenze: residenze.map(Box::new),
            corrente: corrente.map(Box::new),
        })
    }
}

/// Quadro A: one to [`MAX_COMPONENTI`] components, each once, none born after the DSU.
fn check_quadro_a(quadro_a: &[ComponenteA], date: Date) -> Result<(), DsuError> {
    if date < PRIMA_DSU {
        return Err(DsuError::new(
            "DSU",
            "data_presentazione",
            format!(
                "data di presentazione della DSU {date}: l'ISEE del DPCM 159/2013 si calcola per le DSU presentate dal 1° gennaio 2015 (modello DSU del DM 7 novembre 2014)"
            ),
        ));
    }
    if quadro_a.is_empty() {
        return Err(DsuError::new(
            "A",
            "componenti",
            "il nucleo deve avere almeno un componente",
        ));
    }
    if quadro_a.len() > MAX_COMPONENTI {
        return Err(DsuError::new(
            "A",
            "componenti",
            format!("al più {MAX_COMPONENTI} componenti"),
        ));
    }
    for (i, c) in quadro_a.iter().enumerate() {
        if find(quadro_a, &c.codice_fiscale) != Some(i) {
            return Err(DsuError::new(
                "A",
                format!("componenti[{i}].codice_fiscale"),
                format!("{} compare due volte", c.codice_fiscale),
            ));
        }
        if c.data_nascita.0 > date {
            return Err(DsuError::new(
                "A",
                format!("componenti[{i}].data_nascita"),
                "data di nascita successiva alla presentazione della DSU",
            ));
        }
    }
    Ok(())
}

/// The FC.1, FC.2 and FC.3 modules belong to components of quadro A, one module of each kind
/// per component at most (FC.1's presence is checked with the component).
fn check_modules(input: &DsuInput) -> Result<(), DsuError> {
    let quadro_a = &input.mb1.quadro_a.componenti;
    for (i, m) in input.fc1.iter().enumerate() {
        if find(quadro_a, &m.codice_fiscale).is_none() {
            return Err(DsuError::new(
                "Modulo FC.1",
                format!("fc1[{i}].codice_fiscale"),
                format!("{} non è un componente del quadro A", m.codice_fiscale),
            ));
        }
        if input
            .fc1
            .iter()
            .position(|o| o.codice_fiscale == m.codice_fiscale)
            != Some(i)
        {
            return Err(DsuError::new(
                "Modulo FC.1",
                format!("fc1[{i}].codice_fiscale"),
                format!("due moduli FC.1 per {}", m.codice_fiscale),
            ));
        }
    }
    let modules = input
        .fc2
        .iter()
        .map(|m| ("Modulo FC.2", &m.codice_fiscale))
        .enumerate()
        .chain(
            input
                .fc3
                .iter()
                .map(|m| ("Modulo FC.3", &m.codice_fiscale))
                .enumerate(),
        );
    for (i, (name, cf)) in modules {
        if find(quadro_a, cf).is_none() {
            return Err(DsuError::new(
                name,
                format!("[{i}].codice_fiscale"),
                format!("{cf} non è un componente del quadro A"),
            ));
        }
        let dup = if name == "Modulo FC.2" {
            input.fc2.iter().take(i).any(|m| &m.codice_fiscale == cf)
        } else {
            input.fc3.iter().take(i).any(|m| &m.codice_fiscale == cf)
        };
        if dup {
            return Err(DsuError::new(
                name,
                format!("[{i}].codice_fiscale"),
                format!("due moduli per {cf}"),
            ));
        }
    }
    Ok(())
}

/// The casa di abitazione as the components' FC3 quadri declared it so far: one building, in
/// one comune, its shares adding up to 100 % at most.
#[derive(Default)]
struct CasaDichiarata {
    comune: Option<String>,
    quota: Decimal,
}

/// Component `i` of quadro A (`a`, named `cognome`, `nome`) with the figures of their modules.
fn componente(
    input: &DsuInput,
    i: usize,
    a: &ComponenteA,
    (cognome, nome): (String, String),
    casa: &mut CasaDichiarata,
) -> Result<Componente, DsuError> {
    let cf = &a.codice_fiscale;
    let m = input
        .fc1
        .iter()
        .find(|m| m.codice_fiscale == *cf)
        .ok_or_else(|| {
            DsuError::new(
                "Modulo FC.1",
                "codice_fiscale",
                format!(
                    "manca il modulo FC.1 del componente {cf} (quadro A, riga {})",
                    i + 1
                ),
            )
        })?;
    let rel = m.quadro_fc1.relazione;
    check_relazione(input, i, a, rel)?;
    let redditi = redditi(input, m, cf)?;
    let (immobili, casa_netto) = immobili(&m.quadro_fc3, &input.mb1.quadro_b, cf, casa)?;
    let disabilita = input
        .fc2
        .iter()
        .find(|x| x.codice_fiscale == *cf)
        .map(|x| x.quadro_fc7.condizione);
    Ok(Componente {
        codice_fiscale: a.codice_fiscale,
        cognome,
        nome,
        data_nascita: a.data_nascita.0,
        relazione: rel,
        convivenza_anagrafica: m.quadro_fc1.convivenza_anagrafica,
        disabilita,
        redditi,
        mobiliare: mobiliare(&m.quadro_fc2, cf)?,
        immobili,
        casa: casa_netto,
    })
}

/// The relation `rel` of component `i` fits their place in quadro A, their age and the variant.
fn check_relazione(
    input: &DsuInput,
    i: usize,
    a: &ComponenteA,
    rel: Relazione,
) -> Result<(), DsuError> {
    let cf = &a.codice_fiscale;
    let quadro_a = &input.mb1.quadro_a.componenti;
    if (i == 0) != (rel == Relazione::D) {
        return Err(DsuError::new(
            "FC1",
            "relazione",
            "il dichiarante (D) è il primo componente del quadro A, e solo lui",
        )
        .of(cf));
    }
    let age = age_on(a.data_nascita.0, input.data_presentazione.0);
    match rel {
        Relazione::F | Relazione::MA if age >= 18 => {
            return Err(DsuError::new(
                "FC1",
                "relazione",
                format!("codice {rel:?} per un minorenne, ma il componente ha {age} anni"),
            )
            .of(cf));
        }
        Relazione::FC | Relazione::FNC if age < 18 => {
            return Err(DsuError::new(
                "FC1",
                "relazione",
                format!("codice {rel:?} per un figlio maggiorenne, ma il componente ha {age} anni"),
            )
            .of(cf));
        }
        Relazione::FNC if age >= 26 => {
            return Err(DsuError::new(
                "FC1",
                "relazione",
                format!("codice FNC solo sotto i 26 anni, il componente ne ha {age}"),
            )
            .of(cf));
        }
        Relazione::GNC => {
            let quadro_d = input.mb2.as_ref().and_then(|m| m.quadro_d.as_ref());
            let ok = matches!(input.variante, Variante::Minorenni | Variante::Universita)
                && quadro_d.is_some_and(|d| d.genitore == *cf && d.caso == CasoArt7::Nessuno);
            if !ok {
                return Err(DsuError::new(
                    "FC1",
                    "relazione",
                    "il codice GNC vale solo per l'ISEE minorenni o università, con il genitore indicato nel quadro D senza casi dell'art. 7",
                )
                .of(cf));
            }
        }
        _ => {}
    }
    if rel == Relazione::C
        && input
            .fc1
            .iter()
            .filter(|o| o.quadro_fc1.relazione == Relazione::C)
            .count()
            > 1
    {
        return Err(DsuError::new("FC1", "relazione", "più di un coniuge (C) nel nucleo").of(cf));
    }
    if let Some(d) = quadro_a.first()
        && rel.is_child()
        && a.data_nascita.0 <= d.data_nascita.0
    {
        return Err(DsuError::new(
            "A",
            format!("componenti[{i}].data_nascita"),
            format!(
                "il figlio {cf} risulta nato non dopo il dichiarante {}",
                d.codice_fiscale
            ),
        ));
    }
    Ok(())
}

/// The incomes of component `cf` from their FC.3 module (quadro FC8, none if missing) and the
/// FC4 and FC5 quadri of their FC.1 module `m`.
fn redditi(input: &DsuInput, m: &ModuloFc1, cf: &CodiceFiscale) -> Result<Redditi, DsuError> {
    let fc8 = input
        .fc3
        .iter()
        .find(|x| x.codice_fiscale == *cf)
        .map(|x| &x.quadro_fc8)
        .cloned()
        .unwrap_or_default();
    let parts = fc8.di_cui_lavoro_dipendente.value()
        + fc8.di_cui_pensione.value()
        + fc8.di_cui_redditi_agrari.value();
    if parts > fc8.reddito_complessivo.value() {
        return Err(DsuError::new(
            "FC8",
            "di_cui_lavoro_dipendente",
            "la somma dei redditi «di cui» supera il reddito complessivo",
        )
        .of(cf));
    }
    let fc4 = &m.quadro_fc4;
    let fc5 = &m.quadro_fc5;
    let mut redditi = Redditi {
        lordo: Decimal::ZERO,
        reddito_complessivo: fc8.reddito_complessivo.value(),
        lavoro_dipendente: fc8.di_cui_lavoro_dipendente.value(),
        pensione: fc8.di_cui_pensione.value(),
        redditi_agrari: fc8.di_cui_redditi_agrari.value(),
        proventi_agrari: fc8.proventi_agrari.value(),
        altri_redditi: fc4.redditi_imposta_sostitutiva.value()
            + fc4.redditi_esenti.value()
            + fc4.redditi_esteri.value()
            + fc4.redditi_fondiari_esenti.value(),
        trattamenti: fc8.trattamenti_inps.value() + fc4.trattamenti_non_inps.value(),
        assegno_unico: fc8.assegno_unico.value(),
        assegni_figli_ricevuti: fc5.assegni_figli_ricevuti.value(),
        trattamenti_disabilita: fc8.trattamenti_disabilita.value(),
        spese_sanitarie_disabili: fc8.spese_sanitarie_disabili.value(),
        assegni_corrisposti: fc5.assegni_coniuge_corrisposti.value()
            + fc5.assegni_figli_corrisposti.value(),
    };
    redditi.lordo = redditi.reddito_complessivo
        + redditi.altri_redditi
        + redditi.proventi_agrari
        + redditi.trattamenti
        + redditi.assegni_figli_ricevuti;
    Ok(redditi)
}

/// The net values (share of value less share of mortgage, not below zero) of component `cf`'s
/// properties: the others and the casa di abitazione, whose shares `casa` adds up.
fn immobili(
    q: &QuadroFc3,
    quadro_b: &QuadroB,
    cf: &CodiceFiscale,
    casa: &mut CasaDichiarata,
) -> Result<(Decimal, Decimal), DsuError> {
    let mut immobili = Decimal::ZERO;
    let mut casa_netto = Decimal::ZERO;
    let mut case_proprie = 0;
    for (k, imm) in q.immobili.iter().enumerate() {
        let netto = (imm.quota.of(imm.valore.value()) - imm.quota.of(imm.mutuo_residuo.value()))
            .max(Decimal::ZERO);
        if !imm.casa_abitazione {
            immobili += netto;
            continue;
        }
        let field = || format!("immobili[{k}].casa_abitazione");
        if quadro_b.casa_abitazione != TitoloCasa::Proprieta {
            return Err(DsuError::new(
                "FC3",
                field(),
                "il quadro B non indica una casa di abitazione in proprietà",
            )
            .of(cf));
        }
        if imm.tipo != TipoImmobile::F || imm.estero {
            return Err(DsuError::new(
                "FC3",
                field(),
                "la casa di abitazione è un fabbricato (tipo F) in Italia",
            )
            .of(cf));
        }
        case_proprie += 1;
        let same = casa
            .comune
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case(imm.comune_o_stato.trim()));
        casa.quota += imm.quota.percent();
        if case_proprie > 1 || !same || casa.quota > Decimal::ONE_HUNDRED {
            return Err(DsuError::new(
                "FC3",
                field(),
                "più di un immobile indicato come casa di abitazione",
            )
            .of(cf));
        }
        casa.comune = Some(imm.comune_o_stato.trim().to_owned());
        casa_netto += netto;
    }
    Ok((immobili, casa_netto))
}

/// The home from quadro B, with the comune of the casa di abitazione the FC3 quadri declared.
fn abitazione(
    quadro_b: &QuadroB,
    quadro_a: &[ComponenteA],
    casa_comune: Option<String>,
) -> Result<Abitazione, DsuError> {
    Ok(match (quadro_b.casa_abitazione, &quadro_b.locazione) {
        (TitoloCasa::Locazione, Some(l)) => {
            let intestatario = find(quadro_a, &l.intestatario).ok_or_else(|| {
                DsuError::new(
                    "B",
                    "locazione.intestatario",
                    format!("{} non è un componente del quadro A", l.intestatario),
                )
            })?;
            Abitazione::Locazione {
                intestatario,
                canone: l.canone_annuo.value(),
            }
        }
        (TitoloCasa::Locazione, None) => {
            return Err(DsuError::new(
                "B",
                "locazione",
                "casa in locazione: indicare il contratto registrato e il canone annuo",
            ));
        }
        (_, Some(_)) => {
            return Err(DsuError::new(
                "B",
                "locazione",
                "contratto di locazione indicato, ma la casa non è in locazione",
            ));
        }
        (TitoloCasa::Proprieta, None) => Abitazione::Proprieta {
            comune: casa_comune.ok_or_else(|| {
                DsuError::new(
                    "B",
                    "casa_abitazione",
                    "casa in proprietà, ma nessun immobile del quadro FC3 è indicato come casa di abitazione",
                )
            })?,
        },
        (TitoloCasa::Altro, None) => Abitazione::Altro,
    })
}

/// Quadro B's flags about parents and children agree with the household; the number of minors.
fn check_quadro_b(quadro_b: &QuadroB, componenti: &[Componente]) -> Result<usize, DsuError> {
    let minori = componenti
        .iter()
        .filter(|c| matches!(c.relazione, Relazione::F | Relazione::MA))
        .count();
    let figli = componenti.iter().filter(|c| c.relazione.is_child()).count();
    if quadro_b.genitori_lavoratori && quadro_b.unico_genitore {
        return Err(DsuError::new(
            "B",
            "unico_genitore",
            "contraddice «genitori_lavoratori»: il genitore solo è non lavoratore",
        ));
    }
    if (quadro_b.genitori_lavoratori || quadro_b.unico_genitore) && minori == 0 {
        let campo = if quadro_b.unico_genitore {
            "unico_genitore"
        } else {
            "genitori_lavoratori"
        };
        return Err(DsuError::new(
            "B",
            campo,
            "nel nucleo non ci sono figli minorenni (F o MA)",
        ));
    }
    if quadro_b.unico_genitore && componenti.len() != minori + 1 {
        return Err(DsuError::new(
            "B",
            "unico_genitore",
            "il nucleo deve essere composto solo dal genitore e dai figli minorenni",
        ));
    }
    if let Some(n) = quadro_b.numero_figli
        && (n as usize) < figli
    {
        return Err(DsuError::new(
            "B",
            "numero_figli",
            format!("{n} figli dichiarati, ma il nucleo ne comprende {figli}"),
        ));
    }
    Ok(minori)
}

/// The components `cfs` (field `campo` of `quadro`) as a bit mask of their places in quadro A.
fn mask_of(
    quadro_a: &[ComponenteA],
    cfs: &[CodiceFiscale],
    quadro: &str,
    campo: &str,
) -> Result<u64, DsuError> {
    let mut mask = 0u64;
    for (k, cf) in cfs.iter().enumerate() {
        let i = find(quadro_a, cf).ok_or_else(|| {
            DsuError::new(
                quadro,
                format!("{campo}[{k}]"),
                format!("{cf} non è un componente del quadro A"),
            )
        })?;
        mask |= 1u64 << i;
    }
    Ok(mask)
}

/// The beneficiary and the nucleo ristretto (module MB.1 ridotto) of the sociosanitario and
/// residenze variants; (0, 0) for the others.
fn nucleo_ristretto(input: &DsuInput, componenti: &[Componente]) -> Result<(usize, u64), DsuError> {
    if !matches!(
        input.variante,
        Variante::Sociosanitario | Variante::Residenze
    ) {
        return Ok((0, 0));
    }
    let quadro_a = &input.mb1.quadro_a.componenti;
    let r = input.mb1_ridotto.as_ref().ok_or_else(|| {
        DsuError::new(
            "MB.1 ridotto",
            "beneficiario",
            "l'ISEE sociosanitario richiede il modulo MB.1 ridotto (nucleo ristretto)",
        )
    })?;
    let beneficiario = find(quadro_a, &r.beneficiario).ok_or_else(|| {
        DsuError::new(
            "MB.1 ridotto",
            "beneficiario",
            format!("{} non è un componente del quadro A", r.beneficiario),
        )
    })?;
    let nucleo_ristretto =
        mask_of(quadro_a, &r.componenti, "MB.1 ridotto", "componenti")? | (1u64 << beneficiario);
    if beneficiario == 0 {
        for (k, cf) in r.componenti.iter().enumerate() {
            let ok = componenti
                .iter()
                .find(|c| &c.codice_fiscale == cf)
                .is_some_and(|c| c.relazione == Relazione::C || c.relazione.is_child());
            if !ok {
                return Err(DsuError::new(
                    "MB.1 ridotto",
                    format!("componenti[{k}]"),
                    "nel nucleo ristretto entrano solo il coniuge e i figli del beneficiario",
                ));
            }
        }
    }
    Ok((beneficiario, nucleo_ristretto))
}

/// The student's data (quadro C) of the university variant.
fn universita(input: &DsuInput) -> Result<Option<Universita>, DsuError> {
    if input.variante != Variante::Universita {
        return Ok(None);
    }
    let quadro_a = &input.mb1.quadro_a.componenti;
    let c = input
        .mb2
        .as_ref()
        .and_then(|m| m.quadro_c.as_ref())
        .ok_or_else(|| {
            DsuError::new(
                "C",
                "studente",
                "l'ISEE università richiede il quadro C del modulo MB.2",
            )
        })?;
    let studente = find(quadro_a, &c.studente).ok_or_else(|| {
        DsuError::new(
            "C",
            "studente",
            format!("{} non è un componente del quadro A", c.studente),
        )
    })?;
    if c.redditi_lavoro.len() > 2 {
        return Err(DsuError::new(
            "C",
            "redditi_lavoro",
            "al più due anni di redditi",
        ));
    }
    let nucleo_genitori = mask_of(quadro_a, &c.nucleo_genitori, "C", "nucleo_genitori")?;
    if nucleo_genitori & (1u64 << studente) != 0 {
        return Err(DsuError::new(
            "C",
            "nucleo_genitori",
            "lo studente non può essere nel nucleo dei genitori",
        ));
    }
    Ok(Some(Universita {
        studente,
        anni_residenza_esterna: c.anni_residenza_esterna,
        alloggio_non_di_familiari: c.alloggio_non_di_familiari,
        redditi_lavoro: c.redditi_lavoro.iter().map(|r| r.value()).collect(),
        nucleo_genitori,
    }))
}

/// The parent living elsewhere (quadro D): required by the minors' variant, for a household
/// with `minori` minors (art. 7), and optional in the university variant, where the parents
/// not living together are one nucleo but for the cases of art. 7 c. 1 (art. 8 c. 3).
fn genitore_non_convivente(
    input: &DsuInput,
    minori: usize,
) -> Result<Option<GenitoreNonConvivente>, DsuError> {
    let quadro_d = input.mb2.as_ref().and_then(|m| m.quadro_d.as_ref());
    let d = match (input.variante, quadro_d) {
        (Variante::Minorenni, Some(d)) => {
            if minori == 0 {
                return Err(DsuError::new(
                    "D",
                    "genitore",
                    "ISEE minorenni senza figli minorenni (F o MA) nel nucleo",
                ));
            }
            d
        }
        (Variante::Minorenni, None) => {
            return Err(DsuError::new(
                "D",
                "genitore",
                "l'ISEE minorenni richiede il quadro D del modulo MB.2",
            ));
        }
        (Variante::Universita, Some(d)) => d,
        _ => return Ok(None),
    };
    let in_a = find(&input.mb1.quadro_a.componenti, &d.genitore).is_some();
    if (d.caso == CasoArt7::Nessuno) != in_a {
        let msg = if in_a {
            "nei casi a)–e) dell'art. 7 il genitore non entra nel quadro A"
        } else {
            "senza casi dell'art. 7 il genitore entra nel nucleo: va nel quadro A con codice GNC"
        };
        return Err(DsuError::new("D", "caso", msg));
    }
    let aggiuntiva = match d.caso {
        CasoArt7::A | CasoArt7::B => Some(esterno(&input.fc4, &d.genitore, "D", || {
            "genitore".to_owned()
        })?),
        _ => None,
    };
    Ok(Some(GenitoreNonConvivente {
        codice_fiscale: d.genitore,
        caso: d.caso,
        aggiuntiva,
    }))
}

/// The children outside the household and the gifts (module MB.3) of the residential-care
/// variant; none of the children may be in the `nucleo_ristretto` mask.
fn residenze(input: &DsuInput, nucleo_ristretto: u64) -> Result<Option<Residenze>, DsuError> {
    if input.variante != Variante::Residenze {
        return Ok(None);
    }
    let mb3 = input.mb3.as_ref().ok_or_else(|| {
        DsuError::new(
            "MB.3",
            "figli_non_nel_nucleo",
            "l'ISEE per prestazioni residenziali richiede il modulo MB.3",
        )
    })?;
    let mut figli = Vec::new();
    let mut figli_esonerati = Vec::new();
    for (k, f) in mb3.figli_non_nel_nucleo.iter().enumerate() {
        let campo = || format!("figli_non_nel_nucleo[{k}].codice_fiscale");
        if find(&input.mb1.quadro_a.componenti, &f.codice_fiscale)
            .is_some_and(|i| nucleo_ristretto & (1u64 << i) != 0)
        {
            return Err(DsuError::new(
                "MB.3",
                campo(),
                "il figlio è già nel nucleo ristretto",
            ));
        }
        match f.esonero {
            Some(e) => figli_esonerati.push((f.codice_fiscale, e)),
            None => figli.push(esterno(&input.fc4, &f.codice_fiscale, "MB.3", campo)?),
        }
    }
    Ok(Some(Residenze {
        figli,
        figli_esonerati,
        donazioni: mb3
            .donazioni
            .iter()
            .map(|d| (d.data.0, d.valore.value()))
            .collect(),
    }))
}

/// The updated incomes and assets (modulo sostitutivo) of the current-ISEE variant.
fn corrente(input: &DsuInput) -> Result<Option<Corrente>, DsuError> {
    if input.variante != Variante::Corrente {
        return Ok(None);
    }
    let ms = input.modulo_sostitutivo.as_ref().ok_or_else(|| {
        DsuError::new(
            "Modulo sostitutivo",
            "componenti",
            "l'ISEE corrente richiede il modulo sostitutivo",
        )
    })?;
    if ms.componenti.is_empty() && ms.patrimonio.is_none() {
        return Err(DsuError::new(
            "Modulo sostitutivo",
            "componenti",
            "indicare i redditi aggiornati di almeno un componente o il patrimonio aggiornato",
        ));
    }
    let mut list = Vec::with_capacity(ms.componenti.len());
    for (k, c) in ms.componenti.iter().enumerate() {
        let campo = format!("componenti[{k}].codice_fiscale");
        let componente =
            find(&input.mb1.quadro_a.componenti, &c.codice_fiscale).ok_or_else(|| {
                DsuError::new(
                    "Modulo sostitutivo",
                    campo.clone(),
                    format!("{} non è un componente del quadro A", c.codice_fiscale),
                )
            })?;
        if list
            .iter()
            .any(|r: &RedditoCorrente| r.componente == componente)
        {
            return Err(DsuError::new(
                "Modulo sostitutivo",
                campo,
                format!("{} compare due volte", c.codice_fiscale),
            ));
        }
        list.push(RedditoCorrente {
            componente,
            evento: c.evento,
            periodo: c.periodo,
            lavoro_dipendente: c.redditi_lavoro_dipendente.value(),
            pensione: c.redditi_pensione.value(),
            altri_redditi: c.altri_redditi.value(),
            trattamenti: c.trattamenti.value(),
        });
    }
    Ok(Some(Corrente {
        componenti: list,
        patrimonio: ms.patrimonio.as_ref().map(|p| {
            (
                p.mobiliare.value(),
                p.immobiliare.value(),
                p.casa_abitazione.value(),
            )
        }),
    }))
}

/// Every FC.4 module is used: it is the parent's of quadro D in cases a) and b) of art. 7 c. 1
/// or a child's of module MB.3 that adds a component. Any other is refused with the reason,
/// never left out of the calculation unsaid.
fn check_fc4(
    input: &DsuInput,
    genitore: Option<&GenitoreNonConvivente>,
    residenze: Option<&Residenze>,
) -> Result<(), DsuError> {
    for (i, m) in input.fc4.iter().enumerate() {
        let cf = &m.codice_fiscale;
        let del_genitore = genitore.filter(|g| g.codice_fiscale == *cf);
        let used = del_genitore.is_some_and(|g| g.aggiuntiva.is_some())
            || residenze.is_some_and(|r| r.figli.iter().any(|f| f.codice_fiscale == *cf));
        if used {
            continue;
        }
        let motivo = match (input.variante, del_genitore) {
            (Variante::Minorenni | Variante::Universita, Some(g)) => format!(
                "nel caso {} dell'art. 7 c. 1 il genitore non convivente {cf} non dà componente aggiuntiva: si calcola solo nei casi a) e b) (DPCM 159/2013 art. 7 c. 2, art. 8 c. 3, Allegato 2 c. 2)",
                g.caso.lettera()
            ),
            (Variante::Minorenni, None) => format!(
                "{cf} non è il genitore non convivente del quadro D: la componente aggiuntiva dell'ISEE minorenni è solo la sua (art. 7 c. 2)"
            ),
            (Variante::Universita, None) => format!(
                "{cf} non è il genitore non convivente del quadro D: nell'ISEE università la componente aggiuntiva è solo quella del genitore non convivente nei casi a) e b) dell'art. 7 c. 1, da indicare nel quadro D (DPCM 159/2013 art. 8 c. 3)"
            ),
            (Variante::Residenze, _) => format!(
                "{cf} non è un figlio del modulo MB.3 soggetto a componente aggiuntiva (art. 6 c. 3)"
            ),
            (Variante::Ordinario | Variante::Sociosanitario | Variante::Corrente, _) => format!(
                "la componente aggiuntiva di {cf} non entra nell'ISEE {}: vale solo per minorenni (art. 7), università (art. 8 c. 3) e prestazioni residenziali (art. 6 c. 3)",
                input.variante.nome()
            ),
        };
        return Err(DsuError::new(
            "Modulo FC.4",
            format!("[{i}].codice_fiscale"),
            motivo,
        ));
    }
    Ok(())
}
