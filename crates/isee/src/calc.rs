//! The calculation (DPCM 159/2013 art. 2–9, Allegati 1–2), in the order of research §10.
//! Exact decimal arithmetic; each figure the attestation prints is rounded half-up to the cent
//! and the following steps use the printed figure, so the attestation adds up.

use rust_decimal::{Decimal, RoundingStrategy};
use time::{Date, Month};

use crate::dsu::{
    Abitazione, Componente, Corrente, Dsu, DsuError, Esterno, LibrettoPostale, Periodo, Redditi,
    Relazione, Variante,
};
use crate::rules::{RuleSet, Rules, rules};
use crate::values::{CodiceFiscale, age_on, floor0, positive};

/// Why a valid DSU could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalcError {
    #[error("tabella delle regole ISEE non valida: {0}")]
    Regole(String),
    #[error(
        "campo «data_presentazione»: nessun insieme di regole ISEE per una DSU presentata il {0} (la tabella delle regole copre le DSU presentate dal {1})"
    )]
    NessunaRegola(Date, Date),
    #[error(
        "manca il tasso del reddito figurativo per le DSU dell'anno {0} (tabella rendimento_figurativo)"
    )]
    Rendimento(i32),
    #[error("{0}")]
    Dsu(DsuError),
}

/// Per-component figures (research §4–§5).
#[derive(Debug, Clone)]
pub struct FigureComponente {
    /// Index into [`Dsu::componenti`].
    pub indice: usize,
    pub redditi: Decimal,
    pub detrazioni: Decimal,
    pub reddito_netto: Decimal,
    pub patrimonio_mobiliare: Decimal,
    pub titoli_stato_esclusi: Decimal,
    pub patrimonio_immobiliare: Decimal,
}

/// One componente aggiuntiva (Allegato 2).
#[derive(Debug, Clone)]
pub struct ComponenteAggiuntiva {
    pub codice_fiscale: CodiceFiscale,
    /// ISE of the external person alone, divided by the scala of their nucleo.
    pub isee_esterno: Decimal,
    pub importo: Decimal,
    /// true for a non-cohabiting parent (Allegato 2 c. 2), false for a child (c. 1).
    pub genitore: bool,
}

/// The 2026 "ISEE per specifiche prestazioni familiari" (L. 199/2025 c. 208).
#[derive(Debug, Clone)]
pub struct IseeFamiglia {
    pub detrazione_casa: Decimal,
    pub isp: Decimal,
    pub ise: Decimal,
    pub maggiorazione_figli: Decimal,
    pub scala: Decimal,
    /// Sum of the componenti aggiuntive, divided by this indicator's scala (Allegato 2).
    pub componenti_aggiuntive: Decimal,
    /// The casa di abitazione is in a capoluogo of a città metropolitana (see `Comune::is`).
    pub capoluogo: bool,
    pub isee: Decimal,
    /// The requested prestazione is one of those the indicator is for.
    pub si_applica: bool,
}

/// University autonomy test (art. 8 c. 2).
#[derive(Debug, Clone, Copy)]
pub struct Autonomia {
    pub residenza_esterna: bool,
    pub alloggio: bool,
    pub capacita_reddito: bool,
    pub autonomo: bool,
}

/// ISEE corrente checks (art. 9).
#[derive(Debug, Clone, Copy)]
pub struct EsitoCorrente {
    pub isr_ordinario: Decimal,
    pub variazione_isr: Option<Decimal>,
    pub evento: bool,
    pub patrimonio_aggiornato: bool,
    pub variazione_patrimonio: Option<Decimal>,
}

/// Maggiorazioni of the scala (Allegato 1).
#[derive(Debug, Clone, Copy, Default)]
pub struct Maggiorazioni {
    pub convivenza: Decimal,
    pub figli: Decimal,
    pub minori: Decimal,
    pub disabilita: Decimal,
}

impl Maggiorazioni {
    pub fn totale(&self) -> Decimal {
        self.convivenza + self.figli + self.minori + self.disabilita
    }
}

/// Every line of the INPS attestation plus the per-component figures.
#[derive(Debug, Clone)]
pub struct Attestazione {
    pub rule_set: &'static RuleSet,
    pub rules: &'static Rules,
    pub variante: Variante,
    pub anno_redditi: i32,
    pub anno_patrimonio: i32,
    /// Last day the DSU (or the ISEE corrente) is valid.
    pub valida_fino_al: Date,
    /// Bit mask of the components in the nucleo used.
    pub nucleo: u64,
    pub componenti: Vec<FigureComponente>,
    pub somma_redditi: Decimal,
    pub tasso_figurativo: Decimal,
    pub base_figurativo: Decimal,
    pub reddito_figurativo: Decimal,
    pub detrazioni_componenti: Decimal,
    pub detrazione_affitto: Decimal,
    pub detrazioni: Decimal,
    pub isr: Decimal,
    pub patrimonio_mobiliare: Decimal,
    pub titoli_stato_esclusi: Decimal,
    pub franchigia_mobiliare: Decimal,
    pub patrimonio_immobiliare: Decimal,
    pub donazioni: Decimal,
    pub detrazione_casa: Decimal,
    pub isp: Decimal,
    pub ise: Decimal,
    pub numero_componenti: u32,
    pub parametro_scala: Decimal,
    pub maggiorazioni: Maggiorazioni,
    pub scala: Decimal,
    pub componenti_aggiuntive: Vec<ComponenteAggiuntiva>,
    pub isee: Decimal,
    pub famiglia: Option<IseeFamiglia>,
    pub autonomia: Option<Autonomia>,
    pub corrente: Option<EsitoCorrente>,
}

/// Rounds a printed figure half-up to the cent.
#[inline]
pub fn cents(v: Decimal) -> Decimal {
    let scale = v.scale();
    if scale <= 2 {
        return v;
    }
    // Integer rounding of the 96-bit mantissa: the same result as
    // `round_dp_with_strategy(2, MidpointAwayFromZero)`, several times faster.
    let m = v.mantissa();
    // Products of amounts and rates: a small mantissa, a 64-bit division is enough.
    if scale <= 21
        && let Ok(abs) = u64::try_from(m.unsigned_abs())
    {
        let div = 10u64.pow(scale - 2);
        let (mut q, r) = (abs / div, abs % div);
        if r >= div / 2 {
            q += 1;
        }
        let q = i128::from(q);
        return Decimal::from_i128_with_scale(if m < 0 { -q } else { q }, 2);
    }
    let Some(div) = 10i128.checked_pow(scale - 2) else {
        return v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    };
    let (mut q, r) = (m / div, m % div);
    if r.unsigned_abs() >= div.unsigned_abs().div_ceil(2) {
        q += m.signum();
    }
    match Decimal::try_from_i128_with_scale(q, 2) {
        Ok(out) => out,
        Err(_) => v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
    }
}

fn bit(i: usize) -> u64 {
    1u64.checked_shl(i as u32).unwrap_or(0)
}

fn members(dsu: &Dsu, mask: u64) -> impl Iterator<Item = (usize, &Componente)> {
    dsu.componenti()
        .iter()
        .enumerate()
        .filter(move |(i, _)| mask & bit(*i) != 0)
}

fn count_over(n: usize, excluded: u32) -> Decimal {
    Decimal::from(n.saturating_sub(excluded as usize))
}

/// Income and per-component deductions (art. 4 c. 2–3), `(redditi, detrazioni, netto)`.
fn reddito(r: &Redditi, rs: &RuleSet, auu: bool) -> (Decimal, Decimal, Decimal) {
    let mut lordo = r.lordo;
    if auu {
        lordo += r.assegno_unico;
    }
    // Most components have only some of these: skip the multiplications for zeros.
    let lav = if r.lavoro_dipendente.is_zero() {
        Decimal::ZERO
    } else {
        (r.lavoro_dipendente * rs.lavoro_aliquota.value).min(rs.lavoro_massimo.value)
    };
    // Art. 4 c. 3: the 20 % up to 1.000 € is taken on pensions and on the trattamenti
    // assistenziali, previdenziali e indennitari counted under c. 2 (the assegno unico only
    // where it counts), not on pensions alone.
    let mut base_pensione = r.pensione + r.trattamenti;
    if auu {
        base_pensione += r.assegno_unico;
    }
    let pen = if base_pensione.is_zero() {
        Decimal::ZERO
    } else {
        (base_pensione * rs.pensione_aliquota.value).min(rs.pensione_massimo.value)
    };
    let venti = if rs.lavoro_pensione_alternative.value {
        lav.max(pen)
    } else {
        lav + pen
    };
    let mut ded = venti;
    if !r.assegni_corrisposti.is_zero() {
        ded += r.assegni_corrisposti;
    }
    if !r.spese_sanitarie_disabili.is_zero() {
        ded += r
            .spese_sanitarie_disabili
            .min(rs.spese_disabili_massimo.value);
    }
    if positive(r.proventi_agrari) {
        ded += r.redditi_agrari;
    }
    let netto = floor0(lordo - ded);
    (lordo, lordo - netto, netto)
}

fn scala_step(steps: &[(u32, Decimal)], n: usize) -> Decimal {
    steps
        .iter()
        .filter(|(k, _)| (*k as usize) <= n)
        .map(|(_, v)| *v)
        .next_back()
        .unwrap_or(Decimal::ZERO)
}

fn parametro(rs: &RuleSet, n: usize) -> Decimal {
    let table = &rs.scala_parametri.value;
    match table.get(n.saturating_sub(1)) {
        Some(v) => *v,
        None => {
            let last = table.last().copied().unwrap_or(Decimal::ONE);
            last + rs.scala_oltre.value * Decimal::from(n.saturating_sub(table.len()))
        }
    }
}

/// `d` plus `months`, on the same day or the last day of a shorter month.
fn months_after(d: Date, months: u32) -> Date {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::December);
    let day = d.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(d)
}

fn years_before(d: Date, years: u32) -> Date {
    let y = d.year() - years as i32;
    Date::from_calendar_date(y, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(y, Month::February, 28))
        .unwrap_or(d)
}

fn aggiuntiva(
    e: &Esterno,
    soglia: Decimal,
    quota: Decimal,
    rs: &RuleSet,
    scala: Decimal,
) -> (Decimal, Decimal) {
    let ise = e.isr + rs.quota_isp.value * e.isp;
    let x = ise / e.scala;
    let eccedenza = x - soglia;
    if positive(eccedenza) {
        (x, cents(eccedenza * quota / scala))
    } else {
        (x, Decimal::ZERO)
    }
}

/// Computes the attestation for a validated DSU with the embedded rules.
pub fn compute(dsu: &Dsu) -> Result<Attestazione, CalcError> {
    let rules = rules().map_err(CalcError::Regole)?;
    compute_with(dsu, rules)
}

/// Computes the attestation with a given rules table.
pub fn compute_with(dsu: &Dsu, rules: &'static Rules) -> Result<Attestazione, CalcError> {
    let date = dsu.data_presentazione();
    let rs = rules.select(date).ok_or_else(|| {
        CalcError::NessunaRegola(date, rules.rule_sets.first().map_or(date, |r| r.valid_from))
    })?;
    let rendimento = rules
        .rendimento(date.year())
        .ok_or(CalcError::Rendimento(date.year()))?;
    let comps = dsu.componenti();
    let all = if comps.len() >= 64 {
        u64::MAX
    } else {
        bit(comps.len()) - 1
    };
    let (mask, autonomia) = nucleo(dsu, rs, all);
    let n = mask.count_ones() as usize;
    let conta = Conteggi::of(dsu, mask, date);

    // ISR (art. 4).
    let corrente = dsu.corrente();
    let RedditiNucleo {
        mut componenti,
        somma_redditi,
        detrazioni_componenti,
        netto_totale,
        netto_ordinario,
    } = redditi_nucleo(dsu, mask, rs);
    let esclusi = titoli_esclusi(dsu, mask, rs);
    let Mobiliari {
        mut patrimonio_mobiliare,
        titoli_stato_esclusi,
        base_figurativo,
    } = mobiliari(comps, &mut componenti, &esclusi, rs);

    let tasso_figurativo = rendimento.tasso;
    let reddito_figurativo = base_figurativo * tasso_figurativo;

    // Rent (art. 4 c. 4 lett. a).
    let detrazione_affitto = match dsu.abitazione() {
        Abitazione::Locazione {
            intestatario,
            canone,
        } if mask & bit(*intestatario) != 0 => (*canone).min(
            rs.affitto_massimo.value
                + rs.affitto_incremento.value
                    * count_over(conta.figli_conviventi, rs.affitto_figli_esclusi.value),
        ),
        _ => Decimal::ZERO,
    };

    let mut isr = cents(floor0(
        netto_totale + reddito_figurativo - detrazione_affitto,
    ));

    let (mut immobili, mut casa, donazioni) = immobiliare(dsu, mask, rs, &mut componenti);

    let mut esito_corrente = None;
    if let Some(k) = corrente {
        let isr_ordinario = cents(floor0(
            netto_ordinario + reddito_figurativo - detrazione_affitto,
        ));
        let (esito, in_vigore, patrimonio) = corrente_art9(
            k,
            rs,
            isr,
            isr_ordinario,
            (patrimonio_mobiliare, immobili, casa),
        )?;
        esito_corrente = Some(esito);
        isr = in_vigore;
        (patrimonio_mobiliare, immobili, casa) = patrimonio;
    }

    let franchigia_casa = rs.casa_franchigia.value
        + rs.casa_incremento.value
            * count_over(conta.figli_conviventi, rs.casa_figli_esclusi.value);
    let detrazione_casa = detrazione_casa(rs, casa, franchigia_casa);
    let patrimonio_immobiliare = cents(immobili + casa);

    let franchigia_max = (rs.mob_base.value
        + rs.mob_per_componente.value * Decimal::from(n.saturating_sub(1)))
    .min(rs.mob_massimo.value)
        + rs.mob_per_figlio.value * count_over(conta.figli, rs.mob_figli_esclusi.value);
    let patrimonio_mobiliare = cents(patrimonio_mobiliare);
    let franchigia_mobiliare = franchigia_max.min(patrimonio_mobiliare);
    let mobiliare_netto = patrimonio_mobiliare - franchigia_mobiliare;

    let isp = patrimonio_immobiliare - detrazione_casa + mobiliare_netto;
    let ise = cents(isr + rs.quota_isp.value * isp);

    // Scala di equivalenza (Allegato 1).
    // A member in convivenza anagrafica adds 1 instead of a step of the table; when the whole
    // nucleo lives there (two spouses in the same RSA) it is an ordinary nucleo of n members:
    // INPS applies the table without the +1 (1,57 + 0,5 + 0,5 = 2,57 for two disabled spouses).
    let regolari = n - conta.conviventi_anagrafici;
    let (parametro_scala, extra_conv) = if regolari > 0 {
        (parametro(rs, regolari), conta.conviventi_anagrafici)
    } else {
        (parametro(rs, n), 0)
    };
    let numero_figli = if mask == all {
        dsu.numero_figli().map_or(conta.figli, |q| q as usize)
    } else {
        conta.figli
    };
    let minori_ok = conta.minori > 0
        && (dsu.genitori_lavoratori() || (dsu.unico_genitore() && rs.scala_unico_genitore.value));
    let maggiorazioni = Maggiorazioni {
        convivenza: rs.scala_convivenza.value * Decimal::from(extra_conv),
        figli: scala_step(&rs.scala_figli.value, numero_figli),
        minori: if !minori_ok {
            Decimal::ZERO
        } else if conta.under3 {
            rs.scala_under3.value
        } else {
            rs.scala_minori.value
        },
        disabilita: rs.scala_disabilita.value * Decimal::from(conta.disabili),
    };
    let scala = parametro_scala + maggiorazioni.totale();

    // An autonomous student's nucleo leaves the parents out, the one living elsewhere too.
    let con_genitore = !autonomia.is_some_and(|a| a.autonomo);
    let componenti_aggiuntive = componenti_aggiuntive(dsu, rs, scala, con_genitore);
    let somma_aggiuntive: Decimal = componenti_aggiuntive.iter().map(|c| c.importo).sum();
    let isee = cents(ise / scala + somma_aggiuntive);

    let famiglia = famiglia(
        dsu,
        rs,
        &Indicatore {
            casa,
            figli_conviventi: conta.figli_conviventi,
            numero_figli,
            patrimonio_immobiliare,
            mobiliare_netto,
            isr,
            scala,
            maggiorazione_figli: maggiorazioni.figli,
            con_genitore,
        },
    );

    let valida_fino_al = if dsu.variante() == Variante::Corrente {
        months_after(date, rs.validita_corrente_mesi.value)
    } else {
        let (m, d) = rs.validita_ordinaria.value;
        Month::try_from(m)
            .ok()
            .and_then(|m| Date::from_calendar_date(date.year(), m, d).ok())
            .unwrap_or(date)
    };
    let detrazioni = detrazioni_componenti + detrazione_affitto;
    Ok(Attestazione {
        rule_set: rs,
        rules,
        variante: dsu.variante(),
        anno_redditi: date.year() - rs.anni_redditi.value as i32,
        anno_patrimonio: date.year() - rs.anni_patrimonio.value as i32,
        valida_fino_al,
        nucleo: mask,
        componenti,
        somma_redditi: cents(somma_redditi),
        tasso_figurativo,
        base_figurativo: cents(base_figurativo),
        reddito_figurativo: cents(reddito_figurativo),
        detrazioni_componenti: cents(detrazioni_componenti),
        detrazione_affitto: cents(detrazione_affitto),
        detrazioni: cents(detrazioni),
        isr,
        patrimonio_mobiliare,
        titoli_stato_esclusi: cents(titoli_stato_esclusi),
        franchigia_mobiliare,
        patrimonio_immobiliare,
        donazioni: cents(donazioni),
        detrazione_casa,
        isp,
        ise,
        numero_componenti: n as u32,
        parametro_scala,
        maggiorazioni,
        scala,
        componenti_aggiuntive,
        isee,
        famiglia,
        autonomia,
        corrente: esito_corrente,
    })
}

/// The nucleo of the variant (art. 3, 6, 7, 8) as a mask of the components (`all` of them by
/// default), and the student's autonomy for the university variant.
fn nucleo(dsu: &Dsu, rs: &RuleSet, all: u64) -> (u64, Option<Autonomia>) {
    match dsu.variante() {
        Variante::Sociosanitario | Variante::Residenze => (dsu.nucleo_ristretto(), None),
        Variante::Universita => match dsu.universita() {
            Some(u) => {
                let residenza_esterna = u.anni_residenza_esterna >= rs.universita_anni.value;
                let capacita_reddito = u.redditi_lavoro.len() == 2
                    && u.redditi_lavoro
                        .iter()
                        .all(|r| *r >= rs.universita_reddito.value);
                let autonomo = residenza_esterna && u.alloggio_non_di_familiari && capacita_reddito;
                let autonomia = Autonomia {
                    residenza_esterna,
                    alloggio: u.alloggio_non_di_familiari,
                    capacita_reddito,
                    autonomo,
                };
                let mask = if autonomo {
                    all & !u.nucleo_genitori
                } else {
                    all
                };
                (mask, Some(autonomia))
            }
            None => (all, None),
        },
        _ => (all, None),
    }
}

/// The members of the nucleo the scale and the allowances count.
struct Conteggi {
    figli: usize,
    /// Children living in the household (not FNC, not in a residential community).
    figli_conviventi: usize,
    minori: usize,
    /// Some minor is under three on the day of the DSU.
    under3: bool,
    disabili: usize,
    conviventi_anagrafici: usize,
}

impl Conteggi {
    fn of(dsu: &Dsu, mask: u64, date: Date) -> Self {
        let mut conta = Conteggi {
            figli: 0,
            figli_conviventi: 0,
            minori: 0,
            under3: false,
            disabili: 0,
            conviventi_anagrafici: 0,
        };
        for (_, c) in members(dsu, mask) {
            if c.relazione.is_child() {
                conta.figli += 1;
                if c.relazione != Relazione::FNC && !c.convivenza_anagrafica {
                    conta.figli_conviventi += 1;
                }
            }
            if matches!(c.relazione, Relazione::F | Relazione::MA) {
                conta.minori += 1;
                conta.under3 |= age_on(c.data_nascita, date) < 3;
            }
            if c.disabilita.is_some() {
                conta.disabili += 1;
            }
            if c.convivenza_anagrafica {
                conta.conviventi_anagrafici += 1;
            }
        }
        conta
    }
}

/// The incomes of the nucleo (art. 4): each member's figures and their sums, with the
/// updated incomes of an ISEE corrente where given and the ordinary net total beside them.
struct RedditiNucleo {
    componenti: Vec<FigureComponente>,
    somma_redditi: Decimal,
    detrazioni_componenti: Decimal,
    netto_totale: Decimal,
    netto_ordinario: Decimal,
}

fn redditi_nucleo(dsu: &Dsu, mask: u64, rs: &RuleSet) -> RedditiNucleo {
    let auu = !rs.auu_escluso_per.value.contains(&dsu.prestazione());
    let corrente = dsu.corrente();
    let bimestre = rs.corrente_bimestre.value;
    let mut out = RedditiNucleo {
        componenti: Vec::with_capacity(mask.count_ones() as usize),
        somma_redditi: Decimal::ZERO,
        detrazioni_componenti: Decimal::ZERO,
        netto_totale: Decimal::ZERO,
        netto_ordinario: Decimal::ZERO,
    };
    for (i, c) in members(dsu, mask) {
        let (lordo, ded, netto) = reddito(&c.redditi, rs, auu);
        out.netto_ordinario += netto;
        let (lordo, ded, netto) =
            match corrente.and_then(|k| k.componenti.iter().find(|r| r.componente == i)) {
                Some(rc) => {
                    let k = match rc.periodo {
                        Periodo::DodiciMesi => Decimal::ONE,
                        Periodo::DueMesi => bimestre,
                    };
                    let reddito_complessivo =
                        (rc.lavoro_dipendente + rc.pensione + rc.altri_redditi) * k;
                    let trattamenti = rc.trattamenti * k;
                    let r = Redditi {
                        lordo: reddito_complessivo + trattamenti + c.redditi.assegni_figli_ricevuti,
                        reddito_complessivo,
                        lavoro_dipendente: rc.lavoro_dipendente * k,
                        pensione: rc.pensione * k,
                        redditi_agrari: Decimal::ZERO,
                        proventi_agrari: Decimal::ZERO,
                        altri_redditi: Decimal::ZERO,
                        trattamenti,
                        assegno_unico: Decimal::ZERO,
                        ..c.redditi
                    };
                    reddito(&r, rs, auu)
                }
                None => (lordo, ded, netto),
            };
        out.somma_redditi += lordo;
        out.detrazioni_componenti += ded;
        out.netto_totale += netto;
        out.componenti.push(FigureComponente {
            indice: i,
            redditi: cents(lordo),
            detrazioni: cents(ded),
            reddito_netto: cents(netto),
            patrimonio_mobiliare: Decimal::ZERO,
            titoli_stato_esclusi: Decimal::ZERO,
            patrimonio_immobiliare: cents(c.immobili + c.casa),
        });
    }
    out
}

/// Titoli di Stato exclusion (L. 213/2023 c. 183; INPS msg. 1895/2025): dichiarante, then by
/// decreasing age, the non-cohabiting parent last. Per member: (titoli and buoni, libretti)
/// excluded.
fn titoli_esclusi(dsu: &Dsu, mask: u64, rs: &RuleSet) -> Vec<(usize, Decimal, Decimal)> {
    let mut residuo = rs.titoli_soglia.value;
    let mut esclusi = Vec::new();
    let mut done = 0u64;
    while positive(residuo) {
        let next = members(dsu, mask & !done)
            .filter(|(_, c)| {
                let m = &c.mobiliare;
                positive(m.titoli_stato + m.buoni_postali + m.libretti_escludibili())
            })
            .min_by_key(|(i, c)| (*i != 0, c.relazione == Relazione::GNC, c.data_nascita, *i));
        let Some((i, c)) = next else { break };
        done |= bit(i);
        let m = &c.mobiliare;
        let t = m.titoli_stato.min(residuo);
        residuo -= t;
        let b = m.buoni_postali.min(residuo);
        residuo -= b;
        let l = m.libretti_escludibili().min(residuo);
        residuo -= l;
        esclusi.push((i, t + b, l));
    }
    esclusi
}

/// The nucleo's patrimonio mobiliare (art. 5 c. 4) and the base of the reddito figurativo.
struct Mobiliari {
    patrimonio_mobiliare: Decimal,
    titoli_stato_esclusi: Decimal,
    base_figurativo: Decimal,
}

/// Sums the members' patrimonio mobiliare less the `esclusi` titoli, writing each member's
/// figures into `componenti`.
fn mobiliari(
    comps: &[Componente],
    componenti: &mut [FigureComponente],
    esclusi: &[(usize, Decimal, Decimal)],
    rs: &RuleSet,
) -> Mobiliari {
    let mut out = Mobiliari {
        patrimonio_mobiliare: Decimal::ZERO,
        titoli_stato_esclusi: Decimal::ZERO,
        base_figurativo: Decimal::ZERO,
    };
    for f in componenti.iter_mut() {
        let Some(c) = comps.get(f.indice) else {
            continue;
        };
        let (e_sez2, e_libretti) = esclusi
            .iter()
            .find(|(i, _, _)| *i == f.indice)
            .map_or((Decimal::ZERO, Decimal::ZERO), |(_, a, b)| (*a, *b));
        let m = &c.mobiliare;
        let (meno_saldi, meno_giacenze) = riduzione_libretti(&m.libretti_postali, e_libretti);
        let saldi = m.saldi - meno_saldi;
        let giacenze = m.giacenze - meno_giacenze;
        let depositi = if giacenze > saldi && m.incrementi <= giacenze - saldi {
            giacenze
        } else {
            saldi
        };
        let altri = m.altri - e_sez2;
        let mob = depositi + altri;
        out.base_figurativo += if rs.figurativo_esclude_titoli.value {
            altri
        } else {
            m.altri
        };
        out.patrimonio_mobiliare += mob;
        out.titoli_stato_esclusi += e_sez2 + e_libretti;
        f.patrimonio_mobiliare = cents(mob);
        f.titoli_stato_esclusi = cents(e_sez2 + e_libretti);
    }
    out
}

/// How much the exclusion of `escluso` euro, taken from the `libretti` in their order, lowers
/// the member's saldi and giacenze medie: each libretto's own saldo and giacenza fall by its
/// excluded part, never below zero (L. 213/2023 c. 183 excludes the libretto, not a sum off
/// the member's other accounts), as `(saldi, giacenze)`.
fn riduzione_libretti(libretti: &[LibrettoPostale], escluso: Decimal) -> (Decimal, Decimal) {
    let mut residuo = escluso;
    let (mut saldi, mut giacenze) = (Decimal::ZERO, Decimal::ZERO);
    for l in libretti {
        if !positive(residuo) {
            break;
        }
        let x = l.escludibile.min(residuo);
        residuo -= x;
        saldi += l.saldo.min(x);
        giacenze += l.giacenza.min(x);
    }
    (saldi, giacenze)
}

/// Patrimonio immobiliare (art. 5 c. 2–3) of the nucleo: the other properties, with the
/// donations counted for residential care (art. 6 c. 3, added to the beneficiary's figures in
/// `componenti`), the casa di abitazione, and those donations.
fn immobiliare(
    dsu: &Dsu,
    mask: u64,
    rs: &RuleSet,
    componenti: &mut [FigureComponente],
) -> (Decimal, Decimal, Decimal) {
    let mut immobili = Decimal::ZERO;
    let mut casa = Decimal::ZERO;
    for (_, c) in members(dsu, mask) {
        immobili += c.immobili;
        casa += c.casa;
    }
    let mut donazioni = Decimal::ZERO;
    if let Some(r) = dsu.residenze() {
        let from = years_before(dsu.data_presentazione(), rs.residenze_anni_donazioni.value);
        donazioni = r
            .donazioni
            .iter()
            .filter(|(d, _)| *d >= from)
            .map(|(_, v)| *v)
            .sum();
        immobili += donazioni;
        let b = dsu.beneficiario();
        if let Some(f) = componenti.iter_mut().find(|f| f.indice == b) {
            f.patrimonio_immobiliare = cents(f.patrimonio_immobiliare + donazioni);
        }
    }
    (immobili, casa, donazioni)
}

/// A patrimonio in its three parts: mobiliare, the other properties, the casa di abitazione.
type Patrimonio = (Decimal, Decimal, Decimal);

/// ISEE corrente (art. 9): updated incomes need an event or an ISR change over 25 %; the
/// updated patrimonio replaces the ordinary one only if it changes by over 20 %. Returns the
/// outcome, the ISR in force and the patrimonio (mobiliare, immobili, casa) in force.
fn corrente_art9(
    k: &Corrente,
    rs: &RuleSet,
    isr: Decimal,
    isr_ordinario: Decimal,
    patrimonio: Patrimonio,
) -> Result<(EsitoCorrente, Decimal, Patrimonio), CalcError> {
    let variazione = |new: Decimal, old: Decimal| {
        if old.is_zero() {
            None
        } else {
            Some(((new - old) / old).abs())
        }
    };
    let variazione_isr = variazione(isr, isr_ordinario);
    let evento = k.componenti.iter().any(|r| r.evento.is_some());
    let isr_ok = !k.componenti.is_empty()
        && (evento
            || variazione_isr.is_none_or(|v| v > rs.corrente_variazione_isr.value)
                && isr != isr_ordinario);
    let mut variazione_patrimonio = None;
    let mut patrimonio_aggiornato = false;
    let mut in_vigore = patrimonio;
    if let Some((mob, imm, casa_c)) = k.patrimonio {
        let (mobiliare, immobili, casa) = patrimonio;
        let old = mobiliare + immobili + casa;
        let new = mob + imm + casa_c;
        variazione_patrimonio = variazione(new, old);
        if variazione_patrimonio.is_none_or(|v| v > rs.corrente_variazione_patrimonio.value)
            && new != old
        {
            in_vigore = (mob, imm, casa_c);
            patrimonio_aggiornato = true;
        }
    }
    if !isr_ok && !patrimonio_aggiornato {
        return Err(CalcError::Dsu(DsuError::new(
            "Modulo sostitutivo",
            "componenti",
            "nessun requisito dell'art. 9 c. 1: né un evento lavorativo o di trattamento, né una variazione dell'ISR oltre il 25%, né del patrimonio oltre il 20%",
        )));
    }
    let esito = EsitoCorrente {
        isr_ordinario,
        variazione_isr,
        evento,
        patrimonio_aggiornato,
        variazione_patrimonio,
    };
    Ok((esito, if isr_ok { isr } else { isr_ordinario }, in_vigore))
}

/// The deduction for the casa di abitazione (art. 5 c. 2): its value up to `franchigia`, and
/// the part of what exceeds it that the rules leave out, rounded to the cent.
fn detrazione_casa(rs: &RuleSet, casa: Decimal, franchigia: Decimal) -> Decimal {
    let (num, den) = rs.casa_quota.value;
    let contata = if casa > franchigia {
        (casa - franchigia) * num / den
    } else {
        Decimal::ZERO
    };
    cents(casa - contata)
}

/// Componenti aggiuntive (Allegato 2): the non-cohabiting parent's (when `con_genitore`) and
/// the children's outside the household, for an ISEE with scale `scala`.
fn componenti_aggiuntive(
    dsu: &Dsu,
    rs: &RuleSet,
    scala: Decimal,
    con_genitore: bool,
) -> Vec<ComponenteAggiuntiva> {
    let mut componenti_aggiuntive = Vec::new();
    if let Some(e) = dsu
        .genitore_non_convivente()
        .and_then(|g| g.aggiuntiva.as_ref())
        .filter(|_| con_genitore)
    {
        let (x, importo) = aggiuntiva(
            e,
            rs.aggiuntiva_genitore_soglia.value,
            rs.aggiuntiva_genitore_quota.value,
            rs,
            scala,
        );
        componenti_aggiuntive.push(ComponenteAggiuntiva {
            codice_fiscale: e.codice_fiscale,
            isee_esterno: cents(x),
            importo,
            genitore: true,
        });
    }
    if let Some(r) = dsu.residenze() {
        for e in &r.figli {
            let (x, importo) = aggiuntiva(
                e,
                rs.aggiuntiva_soglia.value,
                rs.aggiuntiva_quota.value,
                rs,
                scala,
            );
            componenti_aggiuntive.push(ComponenteAggiuntiva {
                codice_fiscale: e.codice_fiscale,
                isee_esterno: cents(x),
                importo,
                genitore: false,
            });
        }
    }
    componenti_aggiuntive
}

/// The figures of the ordinary indicator that the second one starts from.
struct Indicatore {
    casa: Decimal,
    figli_conviventi: usize,
    numero_figli: usize,
    patrimonio_immobiliare: Decimal,
    mobiliare_netto: Decimal,
    isr: Decimal,
    scala: Decimal,
    maggiorazione_figli: Decimal,
    /// The non-cohabiting parent's componente aggiuntiva counts (see `componenti_aggiuntive`).
    con_genitore: bool,
}

/// Second indicator for the family benefits of L. 199/2025 c. 208.
fn famiglia(dsu: &Dsu, rs: &RuleSet, o: &Indicatore) -> Option<IseeFamiglia> {
    let f = rs.famiglia.as_ref()?;
    if !matches!(
        dsu.variante(),
        Variante::Ordinario | Variante::Minorenni | Variante::Corrente
    ) {
        return None;
    }
    let capoluogo = match dsu.abitazione() {
        Abitazione::Proprieta { comune } => f.capoluoghi.value.iter().any(|c| c.is(comune)),
        _ => false,
    };
    let base = if capoluogo {
        f.casa_franchigia_capoluogo.value
    } else {
        f.casa_franchigia.value
    };
    let franchigia = base
        + rs.casa_incremento.value * count_over(o.figli_conviventi, f.casa_figli_esclusi.value);
    let detrazione_casa_f = detrazione_casa(rs, o.casa, franchigia);
    let isp_f = o.patrimonio_immobiliare - detrazione_casa_f + o.mobiliare_netto;
    let ise_f = cents(o.isr + rs.quota_isp.value * isp_f);
    let magg = scala_step(&f.scala_figli.value, o.numero_figli);
    let scala_f = o.scala - o.maggiorazione_figli + magg;
    // Allegato 2 (c. 1 lett. f, and c. 2 by reference) divides the componente aggiuntiva by
    // "il parametro della scala di equivalenza del nucleo familiare del beneficiario": in this
    // indicator that parametro is its own scala (c. 208 lett. b changes the maggiorazione for
    // the figli of the beneficiary's nucleo), so the components are divided by `scala_f`, not by
    // the ordinary scala. The external person's own figures (FC9: ISE and the scala of their
    // nucleo, steps a–e) are as declared and do not change.
    let aggiuntive: Decimal = componenti_aggiuntive(dsu, rs, scala_f, o.con_genitore)
        .iter()
        .map(|c| c.importo)
        .sum();
    Some(IseeFamiglia {
        detrazione_casa: detrazione_casa_f,
        isp: isp_f,
        ise: ise_f,
        maggiorazione_figli: magg,
        scala: scala_f,
        componenti_aggiuntive: aggiuntive,
        capoluogo,
        isee: cents(ise_f / scala_f + aggiuntive),
        si_applica: f.prestazioni.value.contains(&dsu.prestazione()),
    })
}
