//! Istanze: applications for a benefit from the counter, a CAF or the portal, their states
//! and the transitions between them (L. 241/1990: the procedure's deadline, the request for
//! documents that suspends it, the notice before rejection of art. 10-bis with ten days to
//! reply), the INPS ISEE attestations they rely on, and the months of delivery.

use crate::FieldError;
use crate::benefit::{
    self, AmountKind, BenefitData, IseeFact, IseeVariant, Outcome, Periodicity, Rule, evaluate,
};
use crate::dates::format_date;
use crate::form::{Fields, LONG_TEXT, code, date, email, flag, text};
use crate::money::Money;
use crate::policy::Action;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};
use uuid::Uuid;

coded_enum! {
    pub enum ApplicationState {
        Draft = "bozza", "bozza";
        Submitted = "presentata", "presentata";
        InReview = "in_istruttoria", "in istruttoria";
        IntegrationRequested = "integrazione_richiesta", "integrazione richiesta";
        NoticeOfRejection = "preavviso_rigetto", "preavviso di rigetto";
        Accepted = "accolta", "accolta";
        Rejected = "respinta", "respinta";
        Archived = "archiviata", "archiviata";
        Delivering = "in_erogazione", "in erogazione";
        Concluded = "conclusa", "conclusa";
    }
}

impl ApplicationState {
    /// The state reached, as a whole sentence for the operator: «La domanda è ora in attesa
    /// di integrazione.»
    pub fn reached(self) -> &'static str {
        match self {
            Self::Draft => "La domanda è tornata in bozza.",
            Self::Submitted => "La domanda è presentata.",
            Self::InReview => "La domanda è ora in istruttoria.",
            Self::IntegrationRequested => "La domanda è ora in attesa di integrazione.",
            Self::NoticeOfRejection => {
                "È stato comunicato il preavviso di rigetto: la domanda attende le osservazioni."
            }
            Self::Accepted => "La domanda è accolta.",
            Self::Rejected => "La domanda è respinta.",
            Self::Archived => "La domanda è archiviata.",
            Self::Delivering => "La prestazione è ora in erogazione.",
            Self::Concluded => "La domanda è conclusa.",
        }
    }
}

coded_enum! {
    /// Where the application was filed.
    pub enum Channel {
        Counter = "sportello", "sportello del Comune";
        Caf = "caf", "CAF convenzionato";
        Portal = "portale", "portale del cittadino";
    }
}

coded_enum! {
    /// The kinds of act numbered in the organization's register (registro degli atti), each
    /// from 1 every year.
    pub enum ActKind {
        Decision = "provvedimento", "provvedimento finale";
        Notice = "preavviso", "comunicazione dei motivi ostativi (art. 10-bis)";
        Integration = "integrazione", "richiesta di integrazione documentale";
    }
}

impl ActKind {
    /// The act issued when an application enters `state`, if any.
    pub fn issued_entering(state: ApplicationState) -> Option<ActKind> {
        use ApplicationState::*;
        match state {
            Accepted | Rejected | Archived => Some(ActKind::Decision),
            NoticeOfRejection => Some(ActKind::Notice),
            IntegrationRequested => Some(ActKind::Integration),
            Draft | Submitted | InReview | Delivering | Concluded => None,
        }
    }

    /// The name of the act as printed before its number: "Provvedimento n. 12/2026".
    pub fn title(self) -> &'static str {
        match self {
            ActKind::Decision => "Provvedimento",
            ActKind::Notice => "Comunicazione dei motivi ostativi",
            ActKind::Integration => "Richiesta di integrazione documentale",
        }
    }
}

/// "12/2026": an act's number in its year's register.
pub fn act_number(number: i64, year: i32) -> String {
    format!("{number}/{year}")
}

/// Days the applicant has to answer a notice before rejection (L. 241/1990 art. 10-bis).
pub const NOTICE_REPLY_DAYS: i64 = 10;

impl ApplicationState {
    /// States in which the procedure is still running and its deadline counts.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ApplicationState::Submitted | ApplicationState::InReview
        )
    }

    /// States in which the term is suspended, waiting for the applicant.
    pub fn is_suspended(self) -> bool {
        matches!(
            self,
            ApplicationState::IntegrationRequested | ApplicationState::NoticeOfRejection
        )
    }

    /// The application still concerns the person: registry events are listed for review
    /// and an ISEE that expires is flagged.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ApplicationState::Rejected | ApplicationState::Archived | ApplicationState::Concluded
        )
    }

    /// The applicant has, or will have, the benefit: incompatibilities count it.
    pub fn grants(self) -> bool {
        matches!(
            self,
            ApplicationState::Accepted | ApplicationState::Delivering
        )
    }

    /// States whose change is written to the applicant.
    pub fn notifies(self) -> bool {
        self != ApplicationState::Draft
    }
}

/// The states an application may move to from `from`.
pub fn next_states(from: ApplicationState) -> &'static [ApplicationState] {
    use ApplicationState::*;
    match from {
        Draft => &[Submitted, Archived],
        Submitted => &[InReview, Archived],
        InReview => &[IntegrationRequested, NoticeOfRejection, Accepted, Archived],
        IntegrationRequested => &[InReview, Archived],
        NoticeOfRejection => &[InReview, Rejected],
        Accepted => &[Delivering],
        Delivering => &[Concluded],
        Rejected | Archived | Concluded => &[],
    }
}

/// The permission a transition needs: filing (and withdrawing a draft) is the counter's,
/// the review steps the reviewer's, the decisions the responsabile's.
pub fn transition_action(from: ApplicationState, to: ApplicationState) -> Action {
    use ApplicationState::*;
    match (from, to) {
        (Draft, _) => Action::ApplicationFile,
        (_, NoticeOfRejection | Accepted | Rejected | Archived) => Action::ApplicationDecide,
        _ => Action::ApplicationReview,
    }
}

/// How the history and the buttons name a transition.
pub fn transition_label(from: ApplicationState, to: ApplicationState) -> &'static str {
    use ApplicationState::*;
    match (from, to) {
        (Draft, Submitted) => "Presenta la domanda",
        (Draft, Archived) => "Ritira la bozza",
        (IntegrationRequested, InReview) => "Integrazione ricevuta: riprendi l'istruttoria",
        (NoticeOfRejection, InReview) => "Osservazioni accolte: riprendi l'istruttoria",
        (_, InReview) => "Avvia l'istruttoria",
        (_, IntegrationRequested) => "Chiedi un'integrazione",
        (_, NoticeOfRejection) => "Invia il preavviso di rigetto (art. 10-bis)",
        (_, Accepted) => "Accogli",
        (_, Rejected) => "Respingi",
        (_, Archived) => "Archivia",
        (_, Delivering) => "Avvia l'erogazione",
        (_, Concluded) => "Concludi",
        _ => "Cambia stato",
    }
}

/// Whether the transition needs a reason written for the applicant.
pub fn needs_reason(to: ApplicationState) -> bool {
    matches!(
        to,
        ApplicationState::IntegrationRequested
            | ApplicationState::NoticeOfRejection
            | ApplicationState::Rejected
            | ApplicationState::Archived
    )
}

/// A change of state as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TransitionInput {
    pub to: String,
    pub note: String,
    /// "on": the applicant's observations on the notice were received (art. 10-bis).
    pub observations: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: ApplicationState,
    pub to: ApplicationState,
    pub note: String,
    pub observations_received: bool,
}

/// Checks a change of state of an application now in `from`. `notice_on` is the day the
/// notice before rejection was sent, when it is pending.
pub fn parse_transition(
    i: &TransitionInput,
    from: ApplicationState,
    notice_on: Option<Date>,
    today: Date,
) -> Result<Transition, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let to = f.take(code("to", &i.to, "il nuovo stato", ApplicationState::parse));
    if let Some(to) = to
        && !next_states(from).contains(&to)
    {
        f.0.push(FieldError::new(
            "to",
            format!(
                "una domanda {} non può diventare {}",
                from.label(),
                to.label()
            ),
        ));
    }
    let required = to.is_some_and(needs_reason);
    let note = f.take(text("note", &i.note, "la motivazione", LONG_TEXT, required));
    let observations_received = flag(&i.observations);
    if to == Some(ApplicationState::Rejected)
        && !observations_received
        && let Some(sent) = notice_on
    {
        let ends = sent.saturating_add(Duration::days(NOTICE_REPLY_DAYS));
        if today <= ends {
            f.0.push(FieldError::new(
                "observations",
                format!(
                    "il termine di {NOTICE_REPLY_DAYS} giorni per le osservazioni al preavviso (art. 10-bis L. 241/1990) scade il {}: si può respingere dal giorno dopo, o prima se le osservazioni sono arrivate",
                    format_date(ends)
                ),
            ));
        }
    }
    match (to, note) {
        (Some(to), Some(note)) if f.0.is_empty() => Ok(Transition {
            from,
            to,
            note,
            observations_received,
        }),
        _ => Err(f.0),
    }
}

/// The longest message between the office and the citizen (a note to documents, the
/// observations on a notice): a long letter's worth.
pub const MESSAGE_MAX_CHARS: usize = 5_000;

/// The text of a message on an application, `what` naming it in the error ("il messaggio",
/// "le osservazioni"): trimmed, at most [`MESSAGE_MAX_CHARS`], no control characters but line
/// breaks and tabs.
pub fn parse_message(
    field: &'static str,
    raw: &str,
    what: &str,
    required: bool,
) -> Result<String, FieldError> {
    text(field, raw, what, MESSAGE_MAX_CHARS, required)
}

/// The new deadline after leaving a state in which the term was suspended for `days`.
pub fn extend_deadline(due_on: Date, suspended_since: Date, today: Date) -> Date {
    let days = (today - suspended_since).whole_days().max(0);
    due_on.saturating_add(Duration::days(days))
}

/// The day the suspended term runs again on leaving `from` on `today`: at once when the
/// requested documents arrive; ten days after the observations to a notice before rejection
/// (L. 241/1990 art. 10-bis, as amended by D.L. 76/2020).
pub fn term_restarts(from: ApplicationState, today: Date) -> Date {
    if from == ApplicationState::NoticeOfRejection {
        today.saturating_add(Duration::days(NOTICE_REPLY_DAYS))
    } else {
        today
    }
}

/// A yearly protocol number: "2026/000123".
pub fn format_protocol(year: i32, n: i64) -> String {
    format!("{year}/{n:06}")
}

/// A protocol number as an operator may type it: "2026/000123", "2026/123" or "2026-123".
pub fn parse_protocol(raw: &str) -> Option<String> {
    let (year, n) = raw.trim().split_once(['/', '-'])?;
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4) || year.len() != 4 || !digits(n, 6) {
        return None;
    }
    Some(format_protocol(year.parse().ok()?, n.parse().ok()?))
}

/// What the search box of the applications list means: a protocol number, or the
/// applicant's codice fiscale and words of their name (as the person search reads them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationSearch {
    pub protocol: Option<String>,
    pub codice_fiscale: Option<String>,
    /// The folded words of the name in the order typed: a name with a word starting so,
    /// surname first or names first.
    pub name: Option<String>,
}

impl ApplicationSearch {
    pub fn parse(raw: &str) -> ApplicationSearch {
        if let Some(protocol) = parse_protocol(raw) {
            return ApplicationSearch {
                protocol: Some(protocol),
                ..ApplicationSearch::default()
            };
        }
        let q = crate::person::SearchQuery::parse(raw);
        ApplicationSearch {
            protocol: None,
            codice_fiscale: q.codice_fiscale,
            name: (!q.phrase.is_empty()).then_some(q.phrase),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.protocol.is_none() && self.codice_fiscale.is_none() && self.name.is_none()
    }
}

/// The protocol number of a DSU: `INPS-ISEE-AAAA-NNNNNNNNX-NN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DsuProtocol(String);

impl DsuProtocol {
    pub fn parse(field: &'static str, raw: &str) -> Result<DsuProtocol, FieldError> {
        let t: String = raw.trim().to_uppercase().replace(' ', "");
        if t.is_empty() {
            return Err(FieldError::new(field, "indicare il protocollo della DSU"));
        }
        let parts: Vec<&str> = t.split('-').collect();
        let ok = parts.len() == 5
            && parts[0] == "INPS"
            && parts[1] == "ISEE"
            && parts[2].len() == 4
            && parts[2]
                .parse::<u16>()
                .is_ok_and(|y| (2015..=2100).contains(&y))
            && parts[3].len() == 9
            && parts[3][..8].chars().all(|c| c.is_ascii_digit())
            && parts[3][8..].chars().all(|c| c.is_ascii_alphanumeric())
            && parts[4].len() == 2
            && parts[4].chars().all(|c| c.is_ascii_digit());
        if ok {
            Ok(DsuProtocol(t))
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "il protocollo «{}» non ha la forma INPS-ISEE-AAAA-NNNNNNNNX-NN (ad esempio INPS-ISEE-2026-00012345A-00)",
                    raw.trim()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year in the protocol, that of the DSU.
    pub fn year(&self) -> i32 {
        self.0[10..14].parse().unwrap_or(0)
    }
}

/// A member of the ISEE household as the attestation lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IseeMember {
    pub codice_fiscale: String,
    pub surname: String,
    pub given_names: String,
    /// Relation to the declarant as INPS writes it ("D" dichiarante, "C" coniuge, "F" figlio…).
    pub relation: String,
}

/// An INPS ISEE attestation as typed or imported, stored as INPS gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationData {
    pub protocol: DsuProtocol,
    /// The declarant's codice fiscale, when the attestation says it (the XML does).
    pub declarant_cf: Option<String>,
    pub submitted_on: Date,
    pub variant: IseeVariant,
    /// ISEE corrente (DPCM 159/2013 art. 9): valid six months.
    pub corrente: bool,
    pub isee: Money,
    pub ise: Money,
    pub isr: Money,
    pub isp: Money,
    /// Scala di equivalenza, up to two decimals.
    pub scala: Decimal,
    pub members: u8,
    pub member_list: Vec<IseeMember>,
    pub omissioni: bool,
    pub difformita: bool,
}

impl AttestationData {
    /// The last day the attestation can be used: 31 December of the year the DSU was
    /// submitted (D.L. 34/2019 art. 28-bis); an ISEE corrente six months from submission.
    pub fn valid_until(&self) -> Date {
        if self.corrente {
            add_months(self.submitted_on, 6).saturating_sub(Duration::days(1))
        } else {
            Date::from_calendar_date(self.submitted_on.year(), Month::December, 31)
                .unwrap_or(self.submitted_on)
        }
    }

    pub fn fact(&self) -> IseeFact {
        IseeFact {
            protocol: self.protocol.as_str().to_owned(),
            value: self.isee,
            variant: self.variant,
            corrente: self.corrente,
            valid_until: self.valid_until(),
            discrepancies: self.omissioni || self.difformita,
        }
    }

    /// Whether the figures hold together: ISE = ISR + 20 % ISP, and, for the variants whose
    /// ISEE is the ISE over the scale (no componente aggiuntiva), ISEE = ISE / scala; one
    /// euro of rounding either way.
    pub fn check_figures(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let euro = Decimal::ONE;
        let ise = self.isr.to_decimal() + self.isp.to_decimal() * Decimal::new(2, 1);
        if (ise - self.ise.to_decimal()).abs() > euro {
            errors.push(FieldError::new(
                "ise",
                format!(
                    "l'ISE {} non corrisponde a ISR + 20% dell'ISP ({}): controllare i valori dell'attestazione",
                    self.ise.format(),
                    Money::from_decimal(ise).unwrap_or_default().format()
                ),
            ));
        }
        if self.scala > Decimal::ZERO {
            let isee = self.ise.to_decimal() / self.scala;
            let has_additional = matches!(
                self.variant,
                IseeVariant::Minorenni | IseeVariant::Universita | IseeVariant::Residenze
            );
            let off = self.isee.to_decimal() - isee;
            if off < -euro || (!has_additional && off > euro) {
                errors.push(FieldError::new(
                    "isee",
                    format!(
                        "l'ISEE {} non corrisponde all'ISE diviso per la scala di equivalenza ({}): controllare i valori dell'attestazione",
                        self.isee.format(),
                        Money::from_decimal(isee).unwrap_or_default().format()
                    ),
                ));
            }
        }
        errors
    }
}

/// The same day `months` later (the month's last day when it has fewer days).
pub fn add_months(d: Date, months: u8) -> Date {
    let total = i32::from(u8::from(d.month())) - 1 + i32::from(months);
    let year = d.year() + total / 12;
    let month = Month::try_from((total % 12 + 1) as u8).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
}

/// An attestation as typed at the counter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AttestationInput {
    pub protocol: String,
    pub submitted_on: String,
    pub variant: String,
    pub corrente: String,
    pub isee: String,
    pub ise: String,
    pub isr: String,
    pub isp: String,
    pub scala: String,
    pub members: String,
    pub omissioni: String,
    pub difformita: String,
}

/// The scale of equivalence: from 1 to 20, at most two decimals ("2,04").
pub fn parse_scala(field: &'static str, raw: &str) -> Result<Decimal, FieldError> {
    let t = raw.trim().replace(',', ".");
    let bad = || {
        FieldError::new(
            field,
            format!(
                "la scala di equivalenza «{}» deve essere un numero da 1 a 20 con al massimo due decimali, ad esempio 2,04",
                raw.trim()
            ),
        )
    };
    if t.is_empty() {
        return Err(FieldError::new(field, "indicare la scala di equivalenza"));
    }
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.len() > 6 {
        return Err(bad());
    }
    let d: Decimal = t.parse().map_err(|_| bad())?;
    if d < Decimal::ONE || d > Decimal::new(20, 0) || d.scale() > 2 {
        return Err(bad());
    }
    Ok(d.normalize())
}

pub fn parse_attestation(
    i: &AttestationInput,
    today: Date,
) -> Result<AttestationData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let protocol = f.take(DsuProtocol::parse("protocol", &i.protocol));
    let submitted_on = f.take(date(
        "submitted_on",
        &i.submitted_on,
        "la data di presentazione della DSU",
    ));
    if let Some(d) = submitted_on {
        f.check(
            d <= today,
            "submitted_on",
            "la data di presentazione della DSU non può essere nel futuro",
        );
        if let Some(p) = &protocol
            && p.year() != d.year()
        {
            f.0.push(FieldError::new(
                "submitted_on",
                format!(
                    "la DSU è stata presentata nel {}, ma il protocollo è del {}",
                    d.year(),
                    p.year()
                ),
            ));
        }
    }
    let variant = f.take(code(
        "variant",
        &i.variant,
        "la variante ISEE",
        IseeVariant::parse,
    ));
    let isee = f.take(Money::parse("isee", &i.isee, "l'ISEE"));
    let ise = f.take(Money::parse("ise", &i.ise, "l'ISE"));
    let isr = f.take(Money::parse("isr", &i.isr, "l'ISR"));
    let isp = f.take(Money::parse("isp", &i.isp, "l'ISP"));
    let scala = f.take(parse_scala("scala", &i.scala));
    let members = match i.members.trim().parse::<u8>() {
        Ok(n) if (1..=30).contains(&n) => Some(n),
        _ => {
            f.0.push(FieldError::new(
                "members",
                format!(
                    "i componenti del nucleo: «{}» non è un numero da 1 a 30",
                    i.members.trim()
                ),
            ));
            None
        }
    };
    match (
        protocol,
        submitted_on,
        variant,
        isee,
        ise,
        isr,
        isp,
        scala,
        members,
    ) {
        (
            Some(protocol),
            Some(submitted_on),
            Some(variant),
            Some(isee),
            Some(ise),
            Some(isr),
            Some(isp),
            Some(scala),
            Some(members),
        ) if f.0.is_empty() => {
            let a = AttestationData {
                protocol,
                declarant_cf: None,
                submitted_on,
                variant,
                corrente: flag(&i.corrente),
                isee,
                ise,
                isr,
                isp,
                scala,
                members,
                member_list: Vec::new(),
                omissioni: flag(&i.omissioni),
                difformita: flag(&i.difformita),
            };
            let errors = a.check_figures();
            if errors.is_empty() {
                Ok(a)
            } else {
                Err(errors)
            }
        }
        _ => Err(f.0),
    }
}

/// What an application declares beyond the registry: typed at the counter, applied to the
/// rules with the person's data.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    pub benefit: String,
    pub attestation: String,
    pub channel: String,
    pub resident_since: String,
    pub disability: String,
    pub cost: String,
    pub units: String,
    pub months: String,
    pub email: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    pub resident_since: Option<Date>,
    pub disability: bool,
    pub cost: Option<Money>,
    pub units: Option<u32>,
    /// Months of delivery for a periodic benefit.
    pub months: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationData {
    pub channel: Channel,
    pub declared: Declared,
    pub email: Option<String>,
    pub notes: String,
}

/// Hours, meals or trips in a month: at most one an hour of a 31-day month (744).
fn monthly_quantity(field: &'static str, raw: &str, what: &str) -> Result<Option<u32>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        t => match t.parse::<u32>() {
            Ok(n) if n <= 744 => Ok(Some(n)),
            _ => Err(FieldError::not_a_count(
                field,
                format!("{what}: «{t}» non è un numero intero da 0 a 744"),
                t,
                0..=744,
            )),
        },
    }
}

pub fn parse_application(
    i: &ApplicationInput,
    today: Date,
) -> Result<ApplicationData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let channel = f.take(code("channel", &i.channel, "il canale", Channel::parse));
    let resident_since = if i.resident_since.trim().is_empty() {
        Some(None)
    } else {
        f.take(date(
            "resident_since",
            &i.resident_since,
            "la data di inizio della residenza",
        ))
        .map(Some)
    };
    if let Some(Some(d)) = resident_since
        && d > today
    {
        f.0.push(
            FieldError::new(
                "resident_since",
                "la data di inizio della residenza non può essere nel futuro",
            )
            .says("field-date-future", []),
        );
    }
    let cost = f.take(Money::parse_optional("cost", &i.cost, "il costo"));
    let units = f.take(monthly_quantity("units", &i.units, "la quantità mensile"));
    let months = match i.months.trim() {
        "" => Some(12),
        t => match t.parse::<u8>() {
            Ok(n) if (1..=36).contains(&n) => Some(n),
            _ => {
                f.0.push(FieldError::not_a_count(
                    "months",
                    format!("la durata: «{t}» non è un numero di mesi da 1 a 36"),
                    t,
                    1..=36,
                ));
                None
            }
        },
    };
    let mail = f.take(email("email", &i.email));
    let notes = f.take(text("notes", &i.notes, "le note", LONG_TEXT, false));
    match (channel, resident_since, cost, units, months, mail, notes) {
        (
            Some(channel),
            Some(resident_since),
            Some(cost),
            Some(units),
            Some(months),
            Some(email),
            Some(notes),
        ) if f.0.is_empty() => Ok(ApplicationData {
            channel,
            declared: Declared {
                resident_since,
                disability: flag(&i.disability),
                cost,
                units,
                months,
            },
            email,
            notes,
        }),
        _ => Err(f.0),
    }
}

coded_enum! {
    pub enum DeliveryStatus {
        Planned = "prevista", "prevista";
        Delivered = "erogata", "erogata";
        Suspended = "sospesa", "sospesa";
    }
}

/// The first day of each month of delivery, from the month of `start`.
pub fn delivery_months(start: Date, months: u8) -> Vec<Date> {
    let first = start.replace_day(1).unwrap_or(start);
    (0..months).map(|m| add_months(first, m)).collect()
}

/// "dicembre 2026".
pub fn month_label(d: Date) -> String {
    format!(
        "{} {}",
        territory::MONTH_NAMES[usize::from(u8::from(d.month())) - 1],
        d.year()
    )
}

/// What was delivered in a month, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DeliveryInput {
    pub quantity: String,
    pub amount: String,
    pub co_payment: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryData {
    pub quantity: Option<u32>,
    pub amount: Money,
    pub co_payment: Money,
    pub note: String,
}

pub fn parse_delivery(i: &DeliveryInput) -> Result<DeliveryData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let quantity = f.take(monthly_quantity(
        "quantity",
        &i.quantity,
        "la quantità erogata",
    ));
    let amount = if i.amount.trim().is_empty() {
        Some(Money::ZERO)
    } else {
        f.take(Money::parse("amount", &i.amount, "l'importo erogato"))
    };
    let co_payment = if i.co_payment.trim().is_empty() {
        Some(Money::ZERO)
    } else {
        f.take(Money::parse(
            "co_payment",
            &i.co_payment,
            "la compartecipazione dovuta",
        ))
    };
    let note = f.take(text("note", &i.note, "la nota", 2_000, false));
    match (quantity, amount, co_payment, note) {
        (Some(quantity), Some(amount), Some(co_payment), Some(note)) if f.0.is_empty() => {
            Ok(DeliveryData {
                quantity,
                amount,
                co_payment,
                note,
            })
        }
        _ => Err(f.0),
    }
}

/// An application (istanza). `protocol` is given by the store when it is submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub benefit_id: Uuid,
    pub protocol: Option<String>,
    pub state: ApplicationState,
    pub channel: Channel,
    pub filed_by: Uuid,
    /// Who reviews it (istruttore), from the start of the review.
    pub reviewer_id: Option<Uuid>,
    pub attestation_id: Option<Uuid>,
    pub declared: Declared,
    /// The rules' outcome the last time they were applied.
    pub outcome: Option<Outcome>,
    pub rule_id: Option<Uuid>,
    /// The month's amount (periodic) or the whole amount (one-off), from the outcome.
    pub amount: Option<Money>,
    /// What a granted contribution takes from the budget.
    pub committed: Money,
    pub email: Option<String>,
    pub notes: String,
    pub submitted_on: Option<Date>,
    /// The procedure's deadline, moved by the suspensions.
    pub due_on: Option<Date>,
    /// Since when the term is suspended (integration requested, notice before rejection).
    pub suspended_since: Option<Date>,
    /// When the notice before rejection was sent, while it is pending.
    pub notice_on: Option<Date>,
    pub decided_on: Option<Date>,
    /// The motivazione of the decision or of the notice.
    pub decision_note: String,
    pub version: i64,
    pub created_at_us: i64,
}

/// The rule version in force on the day the rules are applied, with the person's facts on
/// that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesInForce {
    pub rule_id: Uuid,
    pub rule: Rule,
    pub facts: benefit::Facts,
}

/// What a change of state is decided on beyond the application and its benefit, loaded
/// before the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Who makes the change: they become the reviewer when the review starts.
    pub by: Uuid,
    /// The attestation attached to the application.
    pub attestation: Option<AttestationData>,
    /// On submission: the rules in force on that day (`None` when no version is).
    pub rules: Option<RulesInForce>,
    /// On acceptance of a budgeted benefit: what its budget already commits in the year.
    pub committed_in_year: Money,
    /// On acceptance of a benefit that draws on a fund: the fund's year; it replaces the
    /// benefit's own budget.
    pub fund: Option<crate::payment::FundRoom>,
    /// On acceptance of an application to a call whose ranking is final: what the ranking
    /// gives it.
    pub call: Option<CallFunding>,
}

/// What the final ranking of a call gives one of its applications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFunding {
    /// The call's title.
    pub title: String,
    pub outcome: crate::call::RankOutcome,
    pub funded: Money,
}

/// One month of delivery as planned when delivery starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMonth {
    /// The first day of the month.
    pub month: Date,
    pub quantity: Option<i64>,
    /// Paid to the citizen.
    pub amount: Money,
    /// Owed by the citizen.
    pub co_payment: Money,
}

/// A decided change of state: the application after it, the note of its history event and
/// the months of delivery it plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub app: Application,
    pub note: String,
    pub deliveries: Vec<PlannedMonth>,
}

/// Why a change of state cannot be made, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub Vec<FieldError>);

impl Application {
    /// The day the rules are applied on: the submission, or today for a draft.
    pub fn rules_day(&self, today: Date) -> Date {
        self.submitted_on.unwrap_or(today)
    }

    /// The months a granted benefit runs for: one for a one-off benefit.
    pub fn months(&self, benefit: &BenefitData) -> i64 {
        match benefit.periodicity {
            Periodicity::Periodic => i64::from(self.declared.months),
            Periodicity::OneOff => 1,
        }
    }

    /// Stores the rules' outcome, the amount and what a contribution takes from the budget.
    /// Without a version in force the outcome is cleared.
    pub fn apply_rules(&mut self, benefit: &BenefitData, rules: Option<&RulesInForce>) {
        let Some(r) = rules else {
            self.outcome = None;
            self.rule_id = None;
            self.amount = None;
            self.committed = Money::ZERO;
            return;
        };
        let outcome = evaluate(benefit, &r.rule, &r.facts);
        self.amount = outcome.amount.as_ref().map(|a| a.value);
        self.committed = match &outcome.amount {
            Some(a) if outcome.eligible && a.kind == AmountKind::Contributo => {
                Money(a.value.cents().saturating_mul(self.months(benefit)))
            }
            _ => Money::ZERO,
        };
        self.rule_id = Some(r.rule_id);
        self.outcome = Some(outcome);
    }

    /// Decides the change `t` (parsed from this application's state) on `today`: the
    /// deadline moved by a suspension that ends, the submission with its deadline and the
    /// rules applied, the reviewer, the suspension and the notice of art. 10-bis, the
    /// decision's date and motivazione, the checks of an acceptance and the months of
    /// delivery.
    pub fn transition(
        &self,
        t: &Transition,
        benefit: &BenefitData,
        facts: &Facts,
        today: Date,
    ) -> Result<Change, Refusal> {
        use ApplicationState::*;
        let mut app = self.clone();
        app.version += 1;
        app.state = t.to;
        if t.from.is_suspended()
            && let Some(since) = app.suspended_since.take()
            && let Some(due) = app.due_on
        {
            app.due_on = Some(extend_deadline(due, since, term_restarts(t.from, today)));
        }
        if t.from == NoticeOfRejection {
            app.notice_on = None;
        }
        match t.to {
            Submitted => {
                app.submitted_on = Some(today);
                app.due_on =
                    Some(today.saturating_add(Duration::days(i64::from(benefit.deadline_days))));
                app.apply_rules(benefit, facts.rules.as_ref());
            }
            InReview if app.reviewer_id.is_none() => app.reviewer_id = Some(facts.by),
            IntegrationRequested => app.suspended_since = Some(today),
            NoticeOfRejection => {
                app.suspended_since = Some(today);
                app.notice_on = Some(today);
                app.decision_note.clone_from(&t.note);
            }
            Accepted | Rejected | Archived => {
                app.decided_on = Some(today);
                app.decision_note.clone_from(&t.note);
            }
            _ => {}
        }
        if t.to == Accepted {
            // A call's ranking funding it in part grants that part: the commitment, the
            // fund's check and the months of delivery follow it.
            if let Some(c) = &facts.call
                && c.outcome == crate::call::RankOutcome::PartlyFunded
            {
                app.committed = app.committed.min(c.funded);
            }
            let errors = app.check_decision(benefit, facts, today);
            if !errors.is_empty() {
                return Err(Refusal(errors));
            }
        }
        let deliveries = if t.to == Delivering {
            app.plan_deliveries(benefit, today)
        } else {
            Vec::new()
        };
        let note = if t.observations_received && t.note.is_empty() {
            "osservazioni del richiedente ricevute".to_owned()
        } else {
            t.note.clone()
        };
        Ok(Change {
            app,
            note,
            deliveries,
        })
    }

    /// What an acceptance must find true beyond the transition table: the rules' favourable
    /// outcome, a valid ISEE when the benefit needs one and, for a contribution, room in the
    /// year's budget.
    fn check_decision(&self, benefit: &BenefitData, facts: &Facts, today: Date) -> Vec<FieldError> {
        let mut errors = Vec::new();
        match &self.outcome {
            None => errors.push(FieldError::new(
                "to",
                "nessuna regola della prestazione è in vigore alla data della domanda: non si può accogliere",
            )),
            Some(o) if !o.eligible => errors.push(FieldError::new(
                "to",
                "le regole danno esito negativo: prima di respingere va inviato il preavviso di rigetto",
            )),
            Some(_) => {}
        }
        if benefit.isee_variant.is_some() {
            match &facts.attestation {
                None => errors.push(FieldError::new(
                    "to",
                    "manca l'attestazione ISEE: non si può accogliere",
                )),
                Some(a) if a.valid_until() < self.rules_day(today) => errors.push(FieldError::new(
                    "to",
                    "l'attestazione ISEE era scaduta alla data della domanda: non si può accogliere",
                )),
                Some(_) => {}
            }
        }
        if let Some(c) = &facts.call
            && matches!(
                c.outcome,
                crate::call::RankOutcome::NotFunded | crate::call::RankOutcome::Excluded
            )
        {
            errors.push(FieldError::new(
                "to",
                format!(
                    "la graduatoria definitiva del bando «{}» non finanzia la domanda ({}): si accoglie quando i fondi aggiunti la raggiungono",
                    c.title,
                    c.outcome.label()
                ),
            ));
        }
        let used = facts.committed_in_year;
        if let Some(fund) = &facts.fund {
            if let Err(e) = fund.check(self.committed) {
                errors.push(e);
            }
        } else if let Some(budget) = benefit.budget
            && self.committed > Money::ZERO
            && used + self.committed > budget
        {
            errors.push(FieldError::new(
                "to",
                format!(
                    "lo stanziamento {} della prestazione non basta: impegnati {}, disponibili {}, la domanda ne richiede {}",
                    today.year(),
                    used.format(),
                    (budget - used).format(),
                    self.committed.format()
                ),
            ));
        }
        errors
    }

    /// An accepted application its call's ranking now funds further (funds were added): what
    /// it commits grows with the funding, up to what the rules give. `None` when it is not
    /// accepted (in delivery, its months are already planned) or nothing grows.
    pub fn top_up(&self, benefit: &BenefitData, funded: Money) -> Option<Application> {
        let full = Money(
            self.amount
                .unwrap_or(Money::ZERO)
                .cents()
                .saturating_mul(self.months(benefit)),
        );
        let committed = funded.min(full);
        (self.state == ApplicationState::Accepted && committed > self.committed).then(|| {
            let mut app = self.clone();
            app.committed = committed;
            app.version += 1;
            app
        })
    }

    /// The months of delivery of an application that starts being delivered on `start`. A
    /// contribution granted in part (a call's ranking) is paid month by month until what it
    /// commits is reached.
    pub fn plan_deliveries(&self, benefit: &BenefitData, start: Date) -> Vec<PlannedMonth> {
        let n = u8::try_from(self.months(benefit)).unwrap_or(1);
        let value = self.amount.unwrap_or(Money::ZERO);
        let kind = self
            .outcome
            .as_ref()
            .and_then(|o| o.amount.as_ref())
            .map(|a| a.kind);
        let mut left = self.committed;
        delivery_months(start, n)
            .into_iter()
            .map(|month| {
                let (amount, co_payment) = match kind {
                    Some(AmountKind::Contributo) => {
                        let paid = value.min(left).max(Money::ZERO);
                        left = left - paid;
                        (paid, Money::ZERO)
                    }
                    Some(AmountKind::Compartecipazione) => (Money::ZERO, value),
                    None => (Money::ZERO, Money::ZERO),
                };
                PlannedMonth {
                    month,
                    quantity: self.declared.units.map(i64::from),
                    amount,
                    co_payment,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Arg;
    use time::macros::date;

    #[test]
    fn the_search_box_reads_a_protocol_a_codice_fiscale_or_a_name() {
        let protocol = |raw| ApplicationSearch::parse(raw).protocol;
        assert_eq!(protocol("2026/000123"), Some("2026/000123".into()));
        assert_eq!(protocol(" 2026/123 "), Some("2026/000123".into()));
        assert_eq!(protocol("2026-123"), Some("2026/000123".into()));
        assert_eq!(protocol("26/123"), None);
        assert_eq!(protocol("2026/1234567"), None);
        let s = ApplicationSearch::parse("rssmra80a01a794j");
        assert_eq!(s.codice_fiscale.as_deref(), Some("RSSMRA80A01A794J"));
        assert_eq!(s.name, None);
        let s = ApplicationSearch::parse("D'Angelo m");
        assert_eq!(s.name.as_deref(), Some("dangelo m"));
        assert!(ApplicationSearch::parse("  ").is_empty());
    }

    fn att() -> AttestationInput {
        AttestationInput {
            protocol: "inps-isee-2026-00012345a-00".into(),
            submitted_on: "15/01/2026".into(),
            variant: "ordinario".into(),
            isee: "8.500,00".into(),
            ise: "17.340,00".into(),
            isr: "15.000,00".into(),
            isp: "11.700,00".into(),
            scala: "2,04".into(),
            members: "3".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_attestation_is_valid_to_the_end_of_its_year_or_six_months_when_corrente() {
        let a = parse_attestation(&att(), date!(2026 - 03 - 01)).unwrap();
        assert_eq!(a.protocol.as_str(), "INPS-ISEE-2026-00012345A-00");
        assert_eq!(a.valid_until(), date!(2026 - 12 - 31));
        let mut i = att();
        i.corrente = "on".into();
        i.submitted_on = "31/08/2026".into();
        let a = parse_attestation(&i, date!(2026 - 09 - 01)).unwrap();
        assert_eq!(a.valid_until(), date!(2027 - 02 - 27));
        assert!(a.fact().corrente);
    }

    #[test]
    fn attestation_figures_must_hold_together() {
        let mut i = att();
        i.ise = "18.000,00".into();
        let e = parse_attestation(&i, date!(2026 - 03 - 01)).unwrap_err();
        assert_eq!(e[0].field, "ise");
        assert!(e[0].message.contains("17.340,00"), "{}", e[0].message);
        let mut i = att();
        i.isee = "9.500,00".into();
        let e = parse_attestation(&i, date!(2026 - 03 - 01)).unwrap_err();
        assert_eq!(e[0].field, "isee");
        // A componente aggiuntiva raises the ISEE for minors: higher is possible, lower is not.
        i.variant = "minorenni".into();
        assert!(parse_attestation(&i, date!(2026 - 03 - 01)).is_ok());
    }

    #[test]
    fn bad_attestations_name_every_field() {
        let i = AttestationInput {
            protocol: "INPS-ISEE-26-1-1".into(),
            submitted_on: "01/01/2027".into(),
            variant: "speciale".into(),
            isee: "-1".into(),
            ise: "x".into(),
            isr: "".into(),
            isp: "1,234".into(),
            scala: "0,5".into(),
            members: "0".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = parse_attestation(&i, date!(2026 - 03 - 01))
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "protocol",
                "submitted_on",
                "variant",
                "isee",
                "ise",
                "isr",
                "isp",
                "scala",
                "members"
            ]
        );
        let mut i = att();
        i.submitted_on = "15/01/2025".into();
        let e = parse_attestation(&i, date!(2026 - 03 - 01)).unwrap_err();
        assert!(e[0].message.contains("protocollo è del 2026"));
    }

    #[test]
    fn transitions_follow_the_procedure() {
        use ApplicationState::*;
        let t = |to: &str, from, note: &str| {
            parse_transition(
                &TransitionInput {
                    to: to.into(),
                    note: note.into(),
                    ..Default::default()
                },
                from,
                None,
                date!(2026 - 03 - 01),
            )
        };
        assert!(t("accolta", InReview, "").is_ok());
        let e = t("accolta", Submitted, "").unwrap_err();
        assert!(
            e[0].message
                .contains("presentata non può diventare accolta")
        );
        // Rejection only after the notice of art. 10-bis.
        assert!(t("respinta", InReview, "motivo").is_err());
        let e = t("integrazione_richiesta", InReview, " ").unwrap_err();
        assert_eq!(e[0].field, "note");
        assert!(t("in_istruttoria", IntegrationRequested, "").is_ok());
        for s in ApplicationState::ALL {
            for n in next_states(*s) {
                assert_ne!(s, n);
            }
        }
        assert_eq!(transition_action(Draft, Submitted), Action::ApplicationFile);
        assert_eq!(
            transition_action(InReview, Accepted),
            Action::ApplicationDecide
        );
        assert_eq!(
            transition_action(Submitted, InReview),
            Action::ApplicationReview
        );
    }

    #[test]
    fn a_message_is_refused_naming_its_field() {
        assert_eq!(
            parse_message("message", "  Buongiorno\r\nallego  ", "il messaggio", true),
            Ok("Buongiorno\nallego".to_owned())
        );
        let empty = parse_message("message", " ", "il messaggio", true).unwrap_err();
        assert_eq!(empty.field, "message");
        let long = "a".repeat(MESSAGE_MAX_CHARS + 1);
        let e = parse_message("observations", &long, "le osservazioni", true).unwrap_err();
        assert_eq!(e.field, "observations");
        assert!(e.message.contains("5000"), "{}", e.message);
        let bell = parse_message("note", "ciao\u{7}", "la nota", false).unwrap_err();
        assert_eq!(bell.field, "note");
        assert_eq!(
            parse_message("note", "", "la nota", false),
            Ok(String::new())
        );
    }

    #[test]
    fn rejection_waits_ten_days_after_the_notice_unless_observations_arrived() {
        let i = TransitionInput {
            to: "respinta".into(),
            note: "ISEE oltre la soglia".into(),
            ..Default::default()
        };
        let sent = date!(2026 - 03 - 01);
        let from = ApplicationState::NoticeOfRejection;
        let e = parse_transition(&i, from, Some(sent), date!(2026 - 03 - 11)).unwrap_err();
        assert!(
            e[0].message.contains("scade il 11/03/2026"),
            "{}",
            e[0].message
        );
        assert!(parse_transition(&i, from, Some(sent), date!(2026 - 03 - 12)).is_ok());
        let early = TransitionInput {
            observations: "on".into(),
            ..i
        };
        assert!(parse_transition(&early, from, Some(sent), date!(2026 - 03 - 05)).is_ok());
    }

    #[test]
    fn a_suspension_moves_the_deadline_by_its_days() {
        assert_eq!(
            extend_deadline(
                date!(2026 - 03 - 31),
                date!(2026 - 03 - 10),
                date!(2026 - 03 - 25)
            ),
            date!(2026 - 04 - 15)
        );
    }

    #[test]
    fn after_the_observations_to_a_notice_the_term_runs_again_ten_days_later() {
        let today = date!(2026 - 03 - 25);
        assert_eq!(
            term_restarts(ApplicationState::NoticeOfRejection, today),
            date!(2026 - 04 - 04)
        );
        assert_eq!(
            term_restarts(ApplicationState::IntegrationRequested, today),
            today
        );
        let restart = term_restarts(ApplicationState::NoticeOfRejection, today);
        assert_eq!(
            extend_deadline(date!(2026 - 03 - 31), date!(2026 - 03 - 10), restart),
            date!(2026 - 04 - 25)
        );
    }

    #[test]
    fn delivery_months_start_from_the_first_of_the_month() {
        assert_eq!(
            delivery_months(date!(2026 - 11 - 20), 3),
            [
                date!(2026 - 11 - 01),
                date!(2026 - 12 - 01),
                date!(2027 - 01 - 01)
            ]
        );
        assert_eq!(month_label(date!(2027 - 01 - 01)), "gennaio 2027");
    }

    #[test]
    fn application_input_is_checked_field_by_field() {
        let i = ApplicationInput {
            channel: "fax".into(),
            resident_since: "01/01/2030".into(),
            cost: "abc".into(),
            units: "-3".into(),
            months: "99".into(),
            email: "no".into(),
            ..Default::default()
        };
        let errors = parse_application(&i, date!(2026 - 03 - 01)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "channel",
                "resident_since",
                "cost",
                "units",
                "months",
                "email"
            ]
        );
        // Each says what it refuses for the portal, with what was typed and the range.
        let ids: Vec<&str> = errors
            .iter()
            .map(|e| e.says.as_ref().map_or("", |s| s.id))
            .collect();
        assert_eq!(
            ids,
            [
                "field-choose",
                "field-date-future",
                "field-amount",
                "field-whole-number",
                "field-whole-number",
                "field-email"
            ]
        );
        assert_eq!(
            errors[4].says.as_ref().map(|s| s.args.clone()),
            Some(vec![
                ("value", Arg::Text("99".into())),
                ("min", Arg::Number(1)),
                ("max", Arg::Number(36)),
            ])
        );
        assert_eq!(
            errors[4].message,
            "la durata: «99» non è un numero di mesi da 1 a 36"
        );
    }

    // --- The application's transitions ------------------------------------------------------

    use crate::benefit::{Band, Eligibility, Formula, base_catalogue};

    const BY: Uuid = Uuid::from_u128(7);

    /// A periodic contribution needing the ordinary ISEE, 30 days to decide, 20.000 € a year:
    /// the catalogue's extraordinary contribution, paid monthly.
    fn benefit() -> BenefitData {
        let mut b = base_catalogue(date!(2026 - 01 - 01))
            .into_iter()
            .find(|s| s.data.code == "contributo-straordinario")
            .unwrap()
            .data;
        b.periodicity = Periodicity::Periodic;
        b.budget = Some(Money::from_euro(20_000));
        b
    }

    /// 200 € a month up to an ISEE of 10.000 €.
    fn rules(on: Date) -> RulesInForce {
        RulesInForce {
            rule_id: Uuid::from_u128(9),
            rule: Rule {
                valid_from: date!(2026 - 01 - 01),
                regulation: "Regolamento comunale".into(),
                article: "art. 5".into(),
                eligibility: Eligibility {
                    isee_max: Some(Money::from_euro(10_000)),
                    ..Default::default()
                },
                amount_kind: AmountKind::Contributo,
                formula: Formula::Fasce {
                    bands: vec![Band {
                        isee_upto: None,
                        amount: Money::from_euro(200),
                    }],
                },
            },
            facts: benefit::Facts {
                on,
                isee: Some(attestation().fact()),
                birth_date: date!(1980 - 05 - 01),
                resident: true,
                resident_since: None,
                household_size: 3,
                minors: 1,
                disability: false,
                other_benefits: Vec::new(),
                cost: None,
                units: None,
            },
        }
    }

    fn attestation() -> AttestationData {
        parse_attestation(&att(), date!(2026 - 03 - 01)).unwrap()
    }

    fn facts() -> Facts {
        Facts {
            by: BY,
            attestation: Some(attestation()),
            rules: None,
            committed_in_year: Money::ZERO,
            call: None,
            fund: None,
        }
    }

    fn draft() -> Application {
        Application {
            id: Uuid::from_u128(1),
            org_id: Uuid::from_u128(2),
            person_id: Uuid::from_u128(3),
            benefit_id: Uuid::from_u128(4),
            protocol: None,
            state: ApplicationState::Draft,
            channel: Channel::Counter,
            filed_by: Uuid::from_u128(5),
            reviewer_id: None,
            attestation_id: Some(Uuid::from_u128(6)),
            declared: Declared {
                resident_since: None,
                disability: false,
                cost: None,
                units: Some(20),
                months: 12,
            },
            outcome: None,
            rule_id: None,
            amount: None,
            committed: Money::ZERO,
            email: None,
            notes: String::new(),
            submitted_on: None,
            due_on: None,
            suspended_since: None,
            notice_on: None,
            decided_on: None,
            decision_note: String::new(),
            version: 1,
            created_at_us: 0,
        }
    }

    /// The draft submitted on 1 March 2026 with the rules in force, due on 31 March.
    fn submitted() -> Application {
        let f = Facts {
            rules: Some(rules(date!(2026 - 03 - 01))),
            ..facts()
        };
        go(
            &draft(),
            ApplicationState::Submitted,
            "",
            &f,
            date!(2026 - 03 - 01),
        )
        .unwrap()
        .app
    }

    fn step(
        app: &Application,
        to: ApplicationState,
        note: &str,
        observations_received: bool,
        f: &Facts,
        today: Date,
    ) -> Result<Change, Refusal> {
        let t = Transition {
            from: app.state,
            to,
            note: note.into(),
            observations_received,
        };
        app.transition(&t, &benefit(), f, today)
    }

    fn go(
        app: &Application,
        to: ApplicationState,
        note: &str,
        f: &Facts,
        today: Date,
    ) -> Result<Change, Refusal> {
        step(app, to, note, false, f, today)
    }

    fn in_review() -> Application {
        go(
            &submitted(),
            ApplicationState::InReview,
            "",
            &facts(),
            date!(2026 - 03 - 02),
        )
        .unwrap()
        .app
    }

    #[test]
    fn a_submission_sets_the_deadline_and_applies_the_rules_in_force() {
        let a = submitted();
        assert_eq!(a.state, ApplicationState::Submitted);
        assert_eq!(a.version, 2);
        assert_eq!(a.submitted_on, Some(date!(2026 - 03 - 01)));
        assert_eq!(a.due_on, Some(date!(2026 - 03 - 31)));
        assert!(a.outcome.as_ref().unwrap().eligible);
        assert_eq!(a.rule_id, Some(Uuid::from_u128(9)));
        assert_eq!(a.amount, Some(Money::from_euro(200)));
        assert_eq!(a.committed, Money::from_euro(2_400));
        // No version in force: the outcome is cleared.
        let none = go(
            &draft(),
            ApplicationState::Submitted,
            "",
            &facts(),
            date!(2026 - 03 - 01),
        )
        .unwrap()
        .app;
        assert_eq!(
            (none.outcome, none.rule_id, none.amount),
            (None, None, None)
        );
        assert_eq!(none.committed, Money::ZERO);
    }

    #[test]
    fn the_review_starts_with_its_reviewer() {
        let a = in_review();
        assert_eq!(a.reviewer_id, Some(BY));
        let mut other = submitted();
        other.reviewer_id = Some(Uuid::from_u128(8));
        let a = go(
            &other,
            ApplicationState::InReview,
            "",
            &facts(),
            date!(2026 - 03 - 02),
        )
        .unwrap()
        .app;
        assert_eq!(a.reviewer_id, Some(Uuid::from_u128(8)));
    }

    #[test]
    fn a_request_for_documents_suspends_the_term_until_they_arrive() {
        use ApplicationState::*;
        let asked = go(
            &in_review(),
            IntegrationRequested,
            "manca il contratto",
            &facts(),
            date!(2026 - 03 - 10),
        )
        .unwrap();
        assert_eq!(asked.app.suspended_since, Some(date!(2026 - 03 - 10)));
        assert_eq!(asked.note, "manca il contratto");
        let back = go(&asked.app, InReview, "", &facts(), date!(2026 - 03 - 25))
            .unwrap()
            .app;
        // Fifteen days suspended: 31 March becomes 15 April.
        assert_eq!(back.due_on, Some(date!(2026 - 04 - 15)));
        assert_eq!(back.suspended_since, None);
    }

    #[test]
    fn the_notice_of_art_10_bis_suspends_the_term_until_ten_days_after_the_reply() {
        use ApplicationState::*;
        let notice = go(
            &in_review(),
            NoticeOfRejection,
            "ISEE oltre la soglia",
            &facts(),
            date!(2026 - 03 - 10),
        )
        .unwrap()
        .app;
        assert_eq!(notice.notice_on, Some(date!(2026 - 03 - 10)));
        assert_eq!(notice.suspended_since, Some(date!(2026 - 03 - 10)));
        assert_eq!(notice.decision_note, "ISEE oltre la soglia");
        let reply = step(&notice, InReview, "", true, &facts(), date!(2026 - 03 - 25)).unwrap();
        assert_eq!(reply.note, "osservazioni del richiedente ricevute");
        assert_eq!(reply.app.notice_on, None);
        assert_eq!(reply.app.suspended_since, None);
        // Suspended from 10 March to 4 April (ten days after the reply): 25 days.
        assert_eq!(reply.app.due_on, Some(date!(2026 - 04 - 25)));
        let rejected = go(
            &notice,
            Rejected,
            "nessuna osservazione",
            &facts(),
            date!(2026 - 03 - 21),
        )
        .unwrap()
        .app;
        assert_eq!(rejected.decided_on, Some(date!(2026 - 03 - 21)));
        assert_eq!(rejected.decision_note, "nessuna osservazione");
        assert_eq!(rejected.notice_on, None);
    }

    #[test]
    fn an_acceptance_is_dated_and_needs_a_favourable_outcome_a_valid_isee_and_budget_room() {
        use ApplicationState::*;
        let today = date!(2026 - 03 - 20);
        let accepted = go(&in_review(), Accepted, "", &facts(), today).unwrap().app;
        assert_eq!(accepted.decided_on, Some(today));
        let refused = |app: &Application, f: &Facts| {
            go(app, Accepted, "", f, today)
                .unwrap_err()
                .0
                .into_iter()
                .map(|e| {
                    assert_eq!(e.field, "to");
                    e.message
                })
                .collect::<Vec<_>>()
        };
        let mut no_rules = in_review();
        no_rules.outcome = None;
        assert_eq!(
            refused(&no_rules, &facts()),
            [
                "nessuna regola della prestazione è in vigore alla data della domanda: non si può accogliere"
            ]
        );
        let mut negative = in_review();
        negative.outcome.as_mut().unwrap().eligible = false;
        assert_eq!(
            refused(&negative, &facts()),
            [
                "le regole danno esito negativo: prima di respingere va inviato il preavviso di rigetto"
            ]
        );
        let without = Facts {
            attestation: None,
            ..facts()
        };
        assert_eq!(
            refused(&in_review(), &without),
            ["manca l'attestazione ISEE: non si può accogliere"]
        );
        // Valid to 31 December 2026; the rules' day is the submission.
        let mut late = in_review();
        late.submitted_on = Some(date!(2027 - 01 - 02));
        assert_eq!(
            refused(&late, &facts()),
            ["l'attestazione ISEE era scaduta alla data della domanda: non si può accogliere"]
        );
        let full = Facts {
            committed_in_year: Money::from_euro(18_000),
            ..facts()
        };
        assert_eq!(
            refused(&in_review(), &full),
            [
                "lo stanziamento 2026 della prestazione non basta: impegnati 18.000,00\u{a0}€, disponibili 2.000,00\u{a0}€, la domanda ne richiede 2.400,00\u{a0}€"
            ]
        );
        let room = Facts {
            committed_in_year: Money::from_euro(17_600),
            ..facts()
        };
        assert!(go(&in_review(), Accepted, "", &room, today).is_ok());
    }

    #[test]
    fn a_final_ranking_funding_in_part_grants_that_part_and_one_not_funding_refuses() {
        use crate::call::RankOutcome;
        use ApplicationState::*;
        let today = date!(2026 - 03 - 20);
        let ranked = |outcome, euro| Facts {
            call: Some(CallFunding {
                title: "Contributi affitto 2026".into(),
                outcome,
                funded: Money::from_euro(euro),
            }),
            ..facts()
        };
        // 200 € a month for 12 months asked; the ranking funds 500 €.
        let part = ranked(RankOutcome::PartlyFunded, 500);
        let accepted = go(&in_review(), Accepted, "", &part, today).unwrap().app;
        assert_eq!(accepted.committed, Money::from_euro(500));
        let plan = go(&accepted, Delivering, "", &facts(), today)
            .unwrap()
            .deliveries;
        let paid: Vec<i64> = plan.iter().map(|m| m.amount.cents() / 100).collect();
        assert_eq!(paid, [200, 200, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        // Funded whole: the whole commitment.
        let whole = go(
            &in_review(),
            Accepted,
            "",
            &ranked(RankOutcome::Funded, 2_400),
            today,
        );
        assert_eq!(whole.unwrap().app.committed, Money::from_euro(2_400));
        let refusal = go(
            &in_review(),
            Accepted,
            "",
            &ranked(RankOutcome::NotFunded, 0),
            today,
        )
        .unwrap_err()
        .0;
        assert_eq!(
            refusal[0].message,
            "la graduatoria definitiva del bando «Contributi affitto 2026» non finanzia la domanda (ammessa non finanziata): si accoglie quando i fondi aggiunti la raggiungono"
        );
    }

    #[test]
    fn delivery_plans_each_month_granted_from_the_current_one() {
        use ApplicationState::*;
        let mut accepted = go(&in_review(), Accepted, "", &facts(), date!(2026 - 03 - 20))
            .unwrap()
            .app;
        accepted.declared.months = 3;
        let change = go(&accepted, Delivering, "", &facts(), date!(2026 - 11 - 20)).unwrap();
        let months: Vec<Date> = change.deliveries.iter().map(|m| m.month).collect();
        assert_eq!(
            months,
            [
                date!(2026 - 11 - 01),
                date!(2026 - 12 - 01),
                date!(2027 - 01 - 01)
            ]
        );
        for m in &change.deliveries {
            assert_eq!(m.amount, Money::from_euro(200));
            assert_eq!(m.co_payment, Money::ZERO);
            assert_eq!(m.quantity, Some(20));
        }
        // A co-payment is owed by the citizen, not paid to them.
        accepted
            .outcome
            .as_mut()
            .and_then(|o| o.amount.as_mut())
            .unwrap()
            .kind = AmountKind::Compartecipazione;
        let change = go(&accepted, Delivering, "", &facts(), date!(2026 - 11 - 20)).unwrap();
        assert_eq!(change.deliveries[0].amount, Money::ZERO);
        assert_eq!(change.deliveries[0].co_payment, Money::from_euro(200));
        // No other change plans a delivery.
        assert!(
            go(&change.app, Concluded, "", &facts(), date!(2027 - 02 - 01))
                .unwrap()
                .deliveries
                .is_empty()
        );
    }

    proptest::proptest! {
        /// Any walk through the procedure keeps the suspension, the notice and the deadline
        /// consistent: a suspension is open exactly while the state is suspended, a notice
        /// exactly while it is pending, and the deadline never moves earlier.
        #[test]
        fn any_walk_keeps_the_term_consistent(
            steps in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), 0i64..40, proptest::prelude::any::<bool>()), 0..12),
        ) {
            let mut app = submitted();
            let mut today = date!(2026 - 03 - 01);
            for (pick, days, observations) in steps {
                let next = next_states(app.state);
                if next.is_empty() {
                    break;
                }
                today = today.saturating_add(Duration::days(days));
                let to = *pick.get(next);
                let before = app.clone();
                let change = step(&app, to, "motivo", observations, &facts(), today).unwrap();
                app = change.app;
                proptest::prop_assert_eq!(app.version, before.version + 1);
                proptest::prop_assert_eq!(app.suspended_since.is_some(), app.state.is_suspended());
                proptest::prop_assert_eq!(app.notice_on.is_some(), app.state == ApplicationState::NoticeOfRejection);
                proptest::prop_assert!(app.due_on >= before.due_on);
                proptest::prop_assert_eq!(change.deliveries.is_empty(), to != ApplicationState::Delivering);
            }
        }
    }
}
