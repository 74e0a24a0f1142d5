//! The simulator of a benefit's rules: the facts typed (by an operator in the office, by a
//! citizen on the portal's «Quanto pagherò»), parsed with a message beside each field, and the
//! outcome of the rule version in force with its explanation and the article it cites.

use super::benefits::checked;
use crate::AppState;
use crate::error::AppError;
use domain::benefit::{
    CheckStatus, Facts, IseeFact, IseeVariant, Outcome, Rule, evaluate, parse_benefit_code,
    rule_in_force,
};
use domain::dates::{LIFE_DATES, format_date, read_date};
use domain::money::Money;
use domain::{Arg, FieldError};
use serde::Deserialize;
use store::{Benefit, BenefitStore};
use time::{Date, Month};
use uuid::Uuid;

/// The simulator's GET form: every value as typed, so the page can be bookmarked.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct SimQuery {
    pub isee: String,
    pub variant: String,
    pub birth_date: String,
    pub household: String,
    pub minors: String,
    pub resident: String,
    pub resident_since: String,
    pub disability: String,
    pub others: String,
    pub cost: String,
    pub units: String,
    pub on: String,
}

impl SimQuery {
    pub fn is_blank(&self) -> bool {
        [
            &self.isee,
            &self.variant,
            &self.birth_date,
            &self.household,
            &self.minors,
            &self.resident,
            &self.resident_since,
            &self.disability,
            &self.others,
            &self.cost,
            &self.units,
            &self.on,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

fn sim_date(
    field: &'static str,
    raw: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Date> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    read_date(t, LIFE_DATES)
        .map_err(|e| errors.push(e.field_error(field, what)))
        .ok()
}

fn sim_count(
    field: &'static str,
    raw: &str,
    what: &str,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<u32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::not_a_count(
                field,
                format!(
                    "{what}: «{t}» non è un numero intero da {} a {}",
                    range.start(),
                    range.end()
                ),
                t,
                range,
            ));
            None
        }
    }
}

/// The facts typed in the simulator, with `birth_date` still optional (needed only when the
/// rule checks the age).
struct SimFacts {
    on: Date,
    isee: Option<Money>,
    variant: IseeVariant,
    birth_date: Option<Date>,
    household: u32,
    minors: u32,
    resident_since: Option<Date>,
    others: Vec<String>,
    cost: Option<Money>,
    units: Option<u32>,
}

/// The benefits already received, typed by name («Assistenza domiciliare») or by short code,
/// separated by commas or semicolons; a name must be one of the catalogue's.
fn other_benefits(raw: &str, catalogue: &[Benefit], errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut others = Vec::new();
    for typed in raw
        .split([',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let by_name = catalogue
            .iter()
            .find(|b| {
                b.data.name.eq_ignore_ascii_case(typed) || b.data.code == typed.to_lowercase()
            })
            .map(|b| b.data.code.clone());
        let code = match by_name {
            Some(c) => Some(c),
            None => match parse_benefit_code("others", typed) {
                Ok(c) => Some(c),
                Err(_) => {
                    errors.push(FieldError::new(
                        "others",
                        format!("«{typed}» non è una prestazione del catalogo: scrivine il nome o il codice breve"),
                    ));
                    None
                }
            },
        };
        if let Some(c) = code.filter(|c| !others.contains(c)) {
            others.push(c);
        }
    }
    others
}

fn parse_sim(
    q: &SimQuery,
    b: &Benefit,
    catalogue: &[Benefit],
    now: Date,
) -> Result<SimFacts, Vec<FieldError>> {
    let mut errors = Vec::new();
    let on = sim_date("on", &q.on, "la data della domanda", &mut errors);
    let isee = Money::parse_optional("isee", &q.isee, "il valore ISEE")
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let variant = if q.variant.trim().is_empty() {
        Some(b.data.isee_variant.unwrap_or(IseeVariant::Ordinario))
    } else {
        let v = IseeVariant::parse(q.variant.trim());
        if v.is_none() {
            errors.push(FieldError::new(
                "variant",
                "la variante dell'attestazione ISEE: scegli un valore dell'elenco",
            ));
        }
        v
    };
    let birth_date = sim_date(
        "birth_date",
        &q.birth_date,
        "la data di nascita",
        &mut errors,
    );
    let household = sim_count(
        "household",
        &q.household,
        "i componenti del nucleo",
        1..=50,
        &mut errors,
    );
    let minors = sim_count(
        "minors",
        &q.minors,
        "i minori nel nucleo",
        0..=50,
        &mut errors,
    );
    let resident_since = sim_date(
        "resident_since",
        &q.resident_since,
        "la data di inizio della residenza",
        &mut errors,
    );
    let others = other_benefits(&q.others, catalogue, &mut errors);
    let cost = Money::parse_optional("cost", &q.cost, "il costo del servizio")
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let units = sim_count(
        "units",
        &q.units,
        "la quantità del mese",
        0..=10_000,
        &mut errors,
    );
    let on = on.unwrap_or(now);
    if let Some(d) = birth_date
        && d > on
    {
        errors.push(
            FieldError::new(
                "birth_date",
                "la data di nascita non può essere successiva alla data della domanda",
            )
            .says("quanto-error-birth", []),
        );
    }
    let household = household.unwrap_or(1);
    let minors = minors.unwrap_or(0);
    if minors > household {
        errors.push(
            FieldError::new(
                "minors",
                format!(
                    "i minori nel nucleo ({minors}) non possono essere più dei componenti ({household})"
                ),
            )
            .says(
                "quanto-error-minors",
                [
                    ("minors", Arg::Number(minors.into())),
                    ("household", Arg::Number(household.into())),
                ],
            ),
        );
    }
    match (variant, errors.is_empty()) {
        (Some(variant), true) => Ok(SimFacts {
            on,
            isee,
            variant,
            birth_date,
            household,
            minors,
            resident_since,
            others,
            cost,
            units,
        }),
        _ => Err(errors),
    }
}

pub(crate) struct CheckView {
    pub class: &'static str,
    pub badge: &'static str,
    pub text: String,
}

pub(crate) struct SimResult {
    pub eligible: bool,
    pub on: String,
    pub checks: Vec<CheckView>,
    pub amount_kind: &'static str,
    pub amount: Option<String>,
    /// The amount and the rules' first day as values, for the portal to write in the
    /// citizen's language.
    pub amount_value: Option<Money>,
    pub per_unit: Option<String>,
    pub explanation: String,
    pub citation: String,
    pub valid_from: String,
    pub valid_from_date: Date,
}

fn sim_result(o: &Outcome, on: Date) -> SimResult {
    let checks = o
        .checks
        .iter()
        .map(|c| {
            let (class, badge) = match c.status {
                CheckStatus::Met => ("success", "soddisfatto"),
                CheckStatus::NotMet => ("danger", "non soddisfatto"),
                CheckStatus::Warning => ("warning", "da verificare"),
            };
            CheckView {
                class,
                badge,
                text: c.text.clone(),
            }
        })
        .collect();
    SimResult {
        eligible: o.eligible,
        on: format_date(on),
        checks,
        amount_kind: o.amount.as_ref().map_or("", |a| a.kind.label()),
        amount: o.amount.as_ref().map(|a| a.value.format()),
        amount_value: o.amount.as_ref().map(|a| a.value),
        per_unit: o
            .amount
            .as_ref()
            .and_then(|a| a.per_unit)
            .map(|(unit, m)| format!("{} per {}", m.format(), unit.label())),
        explanation: o
            .amount
            .as_ref()
            .map(|a| a.explanation.clone())
            .unwrap_or_default(),
        citation: o.citation.clone(),
        valid_from: format_date(o.rule_valid_from),
        valid_from_date: o.rule_valid_from,
    }
}

/// What a simulation gives: the errors of the facts typed, or the outcome, or why no rule
/// version applies.
pub(crate) struct Simulation {
    pub errors: Vec<FieldError>,
    pub result: Option<SimResult>,
    pub no_rule: Option<String>,
}

/// Runs the simulation of `q` (blank: nothing yet) with the rules of benefit `b`; fills in
/// today as the date of the application when none was typed.
pub(crate) async fn simulate(
    state: &AppState,
    org_id: Uuid,
    b: &Benefit,
    q: &mut SimQuery,
    now: Date,
) -> Result<Simulation, AppError> {
    let blank = q.is_blank();
    if q.on.trim().is_empty() {
        q.on = format_date(now);
    }
    let mut errors = Vec::new();
    let mut result = None;
    let mut no_rule = None;
    if !blank {
        let catalogue = state.store.list_benefits(org_id).await?;
        match parse_sim(q, b, &catalogue, now) {
            Err(e) => errors = e,
            Ok(sf) => {
                let rules: Vec<Rule> = state
                    .store
                    .benefit_rules(org_id, b.id)
                    .await?
                    .into_iter()
                    .map(|r| r.rule)
                    .collect();
                match rule_in_force(&rules, sf.on) {
                    None => {
                        no_rule = Some(match rules.iter().map(|r| r.valid_from).min() {
                            Some(first) => format!(
                                "Nessuna versione delle regole è in vigore il {}: la prima vale dal {}. Simula una domanda con una data da quel giorno in poi.",
                                format_date(sf.on),
                                format_date(first)
                            ),
                            None => format!(
                                "Nessuna versione delle regole è in vigore il {}: la prestazione non ha ancora regole. Il responsabile può aggiungerle dalla scheda della prestazione.",
                                format_date(sf.on)
                            ),
                        });
                    }
                    Some(rule) => {
                        let needs_age = rule.eligibility.age_min.is_some()
                            || rule.eligibility.age_max.is_some();
                        match sf.birth_date {
                            None if needs_age => errors.push(FieldError::new(
                                "birth_date",
                                "indica la data di nascita: le regole in vigore controllano l'età",
                            )),
                            birth => {
                                let facts = Facts {
                                    on: sf.on,
                                    isee: sf.isee.map(|value| IseeFact {
                                        protocol: "simulazione".into(),
                                        value,
                                        variant: sf.variant,
                                        corrente: false,
                                        valid_until: Date::from_calendar_date(
                                            sf.on.year(),
                                            Month::December,
                                            31,
                                        )
                                        .unwrap_or(sf.on),
                                        discrepancies: false,
                                    }),
                                    // Not checked by this rule: any date serves.
                                    birth_date: birth.unwrap_or(sf.on),
                                    resident: checked(&q.resident),
                                    resident_since: sf.resident_since,
                                    household_size: sf.household,
                                    minors: sf.minors,
                                    disability: checked(&q.disability),
                                    other_benefits: sf.others,
                                    cost: sf.cost,
                                    units: sf.units,
                                };
                                let o = evaluate(&b.data, rule, &facts);
                                result = Some(sim_result(&o, sf.on));
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(Simulation {
        errors,
        result,
        no_rule,
    })
}
