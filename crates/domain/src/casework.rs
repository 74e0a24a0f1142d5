//! Segretariato sociale and cartella sociale: first-access records, appointments, case files
//! with their states and diary, the individual plan (PAI). Raw form input is parsed here into
//! values that cannot be invalid, with Italian messages that name the field; dates that must
//! follow one another (a review after the plan starts, a closure after the opening) are
//! checked here too.

use crate::audit::unix_micros;
use crate::dates::format_date;
use crate::form::{Fields, LONG_TEXT, SHORT_TEXT, code, date, email, optional_date, text};
use crate::{Arg, FieldError};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

coded_enum! {
    /// How the person reached the office (canale di accesso).
    pub enum AccessChannel {
        InPerson = "di_persona", "di persona allo sportello";
        Phone = "telefono", "telefono";
        Email = "email", "e-mail o PEC";
        School = "scuola", "segnalazione della scuola";
        Health = "sanita", "segnalazione dell'ospedale o del medico";
        Police = "forze_ordine", "segnalazione delle forze dell'ordine";
        Court = "autorita_giudiziaria", "segnalazione dell'autorità giudiziaria";
        OtherService = "altri_servizi", "invio da altri servizi";
        Other = "altro", "altro";
    }
}

impl AccessChannel {
    /// A referral by an institution: who referred must be written down.
    pub fn is_referral(self) -> bool {
        matches!(
            self,
            Self::School | Self::Health | Self::Police | Self::Court | Self::OtherService
        )
    }
}

coded_enum! {
    /// Areas of need, as the national social-services records group them.
    pub enum NeedArea {
        FamilyMinors = "famiglia_minori", "Famiglia e minori";
        Disability = "disabilita", "Disabilità e non autosufficienza";
        Poverty = "poverta", "Povertà ed esclusione sociale";
        Elderly = "anziani", "Anziani";
        Migrants = "immigrati", "Immigrati";
        Addiction = "dipendenze", "Dipendenze";
        General = "generale", "Informazione e orientamento";
    }
}

coded_enum! {
    /// A need expressed at the first access (bisogno espresso), each in one area.
    pub enum Need {
        Income = "economico", "difficoltà economiche";
        Housing = "abitativo", "casa: sfratto, morosità, ricerca di alloggio";
        Work = "lavoro", "lavoro e inserimento lavorativo";
        Isolation = "isolamento", "isolamento ed esclusione sociale";
        Parenting = "cura_figli", "cura ed educazione dei figli";
        ChildProtection = "tutela_minori", "tutela di minori";
        FamilyConflict = "conflitto_familiare", "conflitti familiari, separazione";
        Violence = "violenza", "violenza domestica o di genere";
        DisabilitySupport = "disabilita", "sostegno a persona con disabilità";
        DependentCare = "non_autosufficienza", "cura di persona non autosufficiente";
        HomeCare = "assistenza_domiciliare", "assistenza domiciliare per anziani";
        Residential = "residenzialita", "inserimento in struttura residenziale";
        Papers = "documenti", "documenti e permesso di soggiorno";
        Integration = "integrazione", "lingua, scuola e integrazione";
        Addiction = "dipendenze", "dipendenze (alcol, sostanze, gioco)";
        Information = "orientamento", "informazioni su servizi e prestazioni";
    }
}

impl Need {
    pub fn area(self) -> NeedArea {
        use Need::*;
        match self {
            Income | Housing | Work | Isolation => NeedArea::Poverty,
            Parenting | ChildProtection | FamilyConflict | Violence => NeedArea::FamilyMinors,
            DisabilitySupport | DependentCare => NeedArea::Disability,
            HomeCare | Residential => NeedArea::Elderly,
            Papers | Integration => NeedArea::Migrants,
            Addiction => NeedArea::Addiction,
            Information => NeedArea::General,
        }
    }
}

/// How many accesses expressed each need, in the order of [`Need::ALL`]; needs that no access
/// expressed are left out.
pub fn count_needs<'a>(accesses: impl IntoIterator<Item = &'a [Need]>) -> Vec<(Need, i64)> {
    let mut counts = [0_i64; Need::ALL.len()];
    for needs in accesses {
        for n in needs {
            if let Some(k) = Need::ALL.iter().position(|x| x == n) {
                counts[k] += 1;
            }
        }
    }
    Need::ALL
        .iter()
        .zip(counts)
        .filter(|(_, c)| *c > 0)
        .map(|(n, c)| (*n, c))
        .collect()
}

coded_enum! {
    /// What the first access led to.
    pub enum AccessOutcome {
        Information = "informazioni", "solo informazioni";
        Referral = "invio", "invio ad altro servizio";
        Appointment = "appuntamento", "appuntamento con l'assistente sociale";
        TakenInCharge = "presa_in_carico", "presa in carico";
    }
}

coded_enum! {
    /// State of a case file (cartella sociale).
    pub enum CaseState {
        Open = "aperta", "aperta";
        Suspended = "sospesa", "sospesa";
        Closed = "chiusa", "chiusa";
    }
}

coded_enum! {
    /// Why a case file was closed.
    pub enum CloseReason {
        GoalsMet = "obiettivi_raggiunti", "obiettivi raggiunti";
        Transferred = "trasferimento", "trasferimento ad altro servizio o comune";
        Death = "decesso", "decesso";
        Refused = "rinuncia", "rinuncia della persona";
        Unreachable = "irreperibile", "persona irreperibile";
        Other = "altro", "altro motivo";
    }
}

coded_enum! {
    /// Kind of diary entry.
    pub enum DiaryKind {
        Interview = "colloquio", "colloquio";
        HomeVisit = "visita_domiciliare", "visita domiciliare";
        Call = "telefonata", "telefonata";
        Meeting = "riunione", "riunione d'équipe o di rete";
        Note = "nota", "nota";
    }
}

coded_enum! {
    /// Who may read a diary entry: everyone who may read the case file, or (riservato)
    /// only its assigned workers and the responsabile.
    pub enum Confidentiality {
        Normal = "normale", "normale";
        Restricted = "riservato", "riservato";
    }
}

coded_enum! {
    /// State of a booked interview.
    pub enum AppointmentStatus {
        Booked = "prenotato", "prenotato";
        Held = "svolto", "svolto";
        Cancelled = "annullato", "annullato";
        NoShow = "assente", "la persona non si è presentata";
    }
}

/// How long a break-glass access lets its holder read a case file's confidential entries.
pub const BREAK_GLASS_MINUTES: i64 = 60;

/// A first-access record as typed.
#[derive(Debug, Clone, Default)]
pub struct AccessInput {
    /// When the access happened, for one recorded later: both empty means now.
    pub date: String,
    pub time: String,
    pub on_behalf_of: String,
    pub channel: String,
    pub referral: String,
    pub needs: Vec<String>,
    pub request: String,
    pub information: String,
    pub outcome: String,
    pub follow_up: String,
    pub follow_up_date: String,
}

/// A first-access record (scheda di accesso) that can be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessData {
    /// Who came on the person's behalf, if not the person ("la figlia Anna").
    pub on_behalf_of: Option<String>,
    pub channel: AccessChannel,
    /// Who referred, for referrals (which school, ward, station, court, service).
    pub referral: Option<String>,
    pub needs: Vec<Need>,
    pub request: String,
    pub information: String,
    pub outcome: AccessOutcome,
    pub follow_up: Option<String>,
    pub follow_up_date: Option<Date>,
}

/// A first-access record with the moment of the access, which may be earlier than its typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub at: OffsetDateTime,
    pub data: AccessData,
}

/// Parses a first-access record typed at `now` for a person born on `born`: the access
/// happened now, or at the day and hour typed, never in the future nor before the birth.
pub fn parse_access(
    i: &AccessInput,
    now: OffsetDateTime,
    born: Date,
) -> Result<AccessEntry, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let today = crate::localtime::today(now);
    let at = if i.date.trim().is_empty() && i.time.trim().is_empty() {
        Some(now)
    } else {
        day_and_time(&mut f, &i.date, &i.time, "il giorno dell'accesso")
    };
    if let Some(at) = at {
        f.check(
            at <= now,
            "date",
            "il giorno e l'ora dell'accesso non possono essere nel futuro",
        );
        f.check(
            crate::localtime::to_local(at).date() >= born,
            "date",
            &format!(
                "l'accesso non può essere prima della nascita della persona ({})",
                format_date(born)
            ),
        );
    }
    let on_behalf_of = f.take(text(
        "on_behalf_of",
        &i.on_behalf_of,
        "chi è venuto per la persona",
        SHORT_TEXT,
        false,
    ));
    let channel = f.take(code(
        "channel",
        &i.channel,
        "il canale di accesso",
        AccessChannel::parse,
    ));
    let referral = f.take(text(
        "referral",
        &i.referral,
        "chi ha segnalato",
        SHORT_TEXT,
        channel.is_some_and(AccessChannel::is_referral),
    ));
    let mut needs = Vec::new();
    for raw in i.needs.iter().filter(|n| !n.trim().is_empty()) {
        match Need::parse(raw.trim()) {
            Some(n) if !needs.contains(&n) => needs.push(n),
            Some(_) => {}
            None => f.0.push(FieldError::new(
                "needs",
                "bisogni espressi: scegliere valori dell'elenco",
            )),
        }
    }
    f.check(
        !needs.is_empty() || i.needs.iter().any(|n| !n.trim().is_empty()),
        "needs",
        "scegliere almeno un bisogno espresso",
    );
    let request = f.take(text(
        "request",
        &i.request,
        "la richiesta della persona",
        LONG_TEXT,
        true,
    ));
    let information = f.take(text(
        "information",
        &i.information,
        "le informazioni date",
        LONG_TEXT,
        false,
    ));
    let outcome = f.take(code(
        "outcome",
        &i.outcome,
        "l'esito dell'accesso",
        AccessOutcome::parse,
    ));
    let follow_up = f.take(text(
        "follow_up",
        &i.follow_up,
        "il seguito",
        LONG_TEXT,
        false,
    ));
    let follow_up_date = f.take(optional_date(
        "follow_up_date",
        &i.follow_up_date,
        "la data del seguito",
    ));
    if let Some(Some(d)) = follow_up_date {
        f.check(
            d >= today,
            "follow_up_date",
            "la data del seguito non può essere nel passato",
        );
    }
    match (
        at,
        on_behalf_of,
        channel,
        referral,
        request,
        information,
        outcome,
        follow_up,
        follow_up_date,
    ) {
        (
            Some(at),
            Some(on_behalf_of),
            Some(channel),
            Some(referral),
            Some(request),
            Some(information),
            Some(outcome),
            Some(follow_up),
            Some(follow_up_date),
        ) if f.0.is_empty() => Ok(AccessEntry {
            at,
            data: AccessData {
                on_behalf_of: Some(on_behalf_of).filter(|s| !s.is_empty()),
                channel,
                referral: Some(referral).filter(|s| !s.is_empty()),
                needs,
                request,
                information,
                outcome,
                follow_up: Some(follow_up).filter(|s| !s.is_empty()),
                follow_up_date,
            },
        }),
        _ => Err(f.0),
    }
}

/// A day (field `date`) and an hour (field `time`) as typed, in Italian civil time.
fn day_and_time(f: &mut Fields, day: &str, at: &str, what: &str) -> Option<OffsetDateTime> {
    let day = f.take(date("date", day, what));
    let at = if at.trim().is_empty() {
        f.0.push(FieldError::new("time", "indicare l'ora"));
        None
    } else {
        let t = crate::localtime::parse_time(at);
        if t.is_none() {
            f.0.push(FieldError::new(
                "time",
                format!("«{}» non è un'ora valida (hh:mm)", at.trim()),
            ));
        }
        t
    };
    match (day, at) {
        (Some(d), Some(t)) => Some(crate::localtime::from_local(d, t)),
        _ => None,
    }
}

/// A change of a case file's state as typed.
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub to: String,
    pub date: String,
    pub close_reason: String,
    pub note: String,
}

/// A checked change of state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: CaseState,
    pub to: CaseState,
    pub on: Date,
    pub close_reason: Option<CloseReason>,
    pub note: String,
}

impl Transition {
    /// How the history names it: sospensione, chiusura, ripresa, riapertura.
    pub fn label(&self) -> &'static str {
        transition_label(self.from, self.to)
    }
}

pub fn transition_label(from: CaseState, to: CaseState) -> &'static str {
    match (from, to) {
        (_, CaseState::Suspended) => "sospensione",
        (_, CaseState::Closed) => "chiusura",
        (CaseState::Suspended, CaseState::Open) => "ripresa",
        (CaseState::Closed, CaseState::Open) => "riapertura",
        (CaseState::Open, CaseState::Open) => "apertura",
    }
}

/// A case file (cartella sociale). `number` is given by the store when the file is opened
/// ("2026/00017", yearly per organization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub id: Uuid,
    pub org_id: Uuid,
    pub person_id: Uuid,
    pub number: String,
    pub state: CaseState,
    /// The responsible social worker.
    pub worker_id: Uuid,
    pub opened_on: Date,
    /// Date of the last change of state (or of the opening).
    pub state_since: Date,
    pub close_reason: Option<CloseReason>,
    pub version: i64,
    pub created_at_us: i64,
    /// Since when `worker_id` holds the file (Unix µs): the confidential entries written
    /// before are theirs only through break-glass.
    pub worker_since_us: i64,
}

impl CaseFile {
    /// Parses a change of state of this file, typed on `today`.
    pub fn parse_transition(
        &self,
        i: &TransitionInput,
        today: Date,
    ) -> Result<Transition, Vec<FieldError>> {
        parse_transition(i, self.state, self.state_since, today)
    }

    /// The file after the change `t` (parsed from this file's state): its state from the
    /// day given, the reason of a closure (none otherwise), the next version.
    pub fn transition(&self, t: &Transition) -> CaseFile {
        CaseFile {
            state: t.to,
            state_since: t.on,
            close_reason: t.close_reason,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

/// The states a case file may move to from `from`.
pub fn next_states(from: CaseState) -> &'static [CaseState] {
    match from {
        CaseState::Open => &[CaseState::Suspended, CaseState::Closed],
        CaseState::Suspended => &[CaseState::Open, CaseState::Closed],
        CaseState::Closed => &[CaseState::Open],
    }
}

/// Parses a change of state of a case file now in `from` whose last change (or opening) was
/// on `last_change`.
pub fn parse_transition(
    i: &TransitionInput,
    from: CaseState,
    last_change: Date,
    today: Date,
) -> Result<Transition, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let to = f.take(code("to", &i.to, "il nuovo stato", CaseState::parse));
    if let Some(to) = to
        && !next_states(from).contains(&to)
    {
        f.0.push(FieldError::new(
            "to",
            format!(
                "una cartella {} non può diventare {}",
                from.label(),
                to.label()
            ),
        ));
    }
    let on = f.take(date("date", &i.date, "la data"));
    if let Some(on) = on {
        f.check(on <= today, "date", "la data non può essere nel futuro");
        if on < last_change {
            f.0.push(FieldError::new(
                "date",
                format!(
                    "la data non può precedere l'ultimo cambio di stato o l'apertura ({})",
                    format_date(last_change)
                ),
            ));
        }
    }
    let close_reason = if to == Some(CaseState::Closed) {
        f.take(code(
            "close_reason",
            &i.close_reason,
            "il motivo della chiusura",
            CloseReason::parse,
        ))
    } else {
        None
    };
    let note_required = matches!(to, Some(CaseState::Suspended | CaseState::Open))
        || close_reason == Some(CloseReason::Other);
    let note = f.take(text("note", &i.note, "il motivo", LONG_TEXT, note_required));
    match (to, on, note) {
        (Some(to), Some(on), Some(note)) if f.0.is_empty() => Ok(Transition {
            from,
            to,
            on,
            close_reason,
            note,
        }),
        _ => Err(f.0),
    }
}

/// A diary entry as typed.
#[derive(Debug, Clone, Default)]
pub struct DiaryInput {
    pub kind: String,
    pub date: String,
    pub confidentiality: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiaryData {
    pub kind: DiaryKind,
    pub occurred_on: Date,
    pub confidentiality: Confidentiality,
    pub title: String,
    pub body: String,
}

/// Parses a diary entry of a case file opened on `opened_on`.
pub fn parse_diary(
    i: &DiaryInput,
    opened_on: Date,
    today: Date,
) -> Result<DiaryData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let kind = f.take(code(
        "kind",
        &i.kind,
        "il tipo di annotazione",
        DiaryKind::parse,
    ));
    let occurred_on = f.take(date("date", &i.date, "la data"));
    if let Some(d) = occurred_on {
        f.check(d <= today, "date", "la data non può essere nel futuro");
        if d < opened_on {
            f.0.push(FieldError::new(
                "date",
                format!(
                    "la data non può precedere l'apertura della cartella ({})",
                    format_date(opened_on)
                ),
            ));
        }
    }
    let confidentiality = f.take(code(
        "confidentiality",
        &i.confidentiality,
        "la riservatezza",
        Confidentiality::parse,
    ));
    let title = f.take(text("title", &i.title, "il titolo", SHORT_TEXT, true));
    let body = f.take(text("body", &i.body, "il testo", LONG_TEXT, true));
    match (kind, occurred_on, confidentiality, title, body) {
        (Some(kind), Some(occurred_on), Some(confidentiality), Some(title), Some(body))
            if f.0.is_empty() =>
        {
            Ok(DiaryData {
                kind,
                occurred_on,
                confidentiality,
                title,
                body,
            })
        }
        _ => Err(f.0),
    }
}

/// An appointment as typed.
#[derive(Debug, Clone, Default)]
pub struct AppointmentInput {
    pub date: String,
    pub time: String,
    pub minutes: String,
    pub place: String,
    pub purpose: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentData {
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub minutes: i32,
    pub place: String,
    pub purpose: String,
    /// Where the reminder goes; none, no reminder.
    pub email: Option<String>,
}

/// Parses an interview to book; it must start after `now`.
pub fn parse_appointment(
    i: &AppointmentInput,
    now: OffsetDateTime,
) -> Result<AppointmentData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let starts_at = day_and_time(&mut f, &i.date, &i.time, "il giorno");
    if let Some(s) = starts_at {
        f.check(
            s > now,
            "date",
            "non si può fissare un appuntamento nel passato",
        );
    }
    let minutes = match i.minutes.trim() {
        "" => Some(45),
        m => match m.parse::<i32>() {
            Ok(n) if (5..=480).contains(&n) => Some(n),
            _ => {
                f.0.push(FieldError::new(
                    "minutes",
                    "la durata va indicata in minuti, da 5 a 480",
                ));
                None
            }
        },
    };
    let place = f.take(text("place", &i.place, "il luogo", SHORT_TEXT, true));
    let purpose = f.take(text(
        "purpose",
        &i.purpose,
        "il motivo dell'incontro",
        SHORT_TEXT,
        true,
    ));
    let email = f.take(email("email", &i.email));
    // The day is bounded, so the end always exists; checked all the same, as a refusal.
    let ends_at = match (starts_at, minutes) {
        (Some(s), Some(m)) => {
            let end = s.checked_add(time::Duration::minutes(i64::from(m)));
            if end.is_none() {
                f.0.push(FieldError::new(
                    "minutes",
                    "l'appuntamento finirebbe oltre l'ultimo giorno del calendario",
                ));
            }
            end
        }
        _ => None,
    };
    match (starts_at, ends_at, minutes, place, purpose, email) {
        (
            Some(starts_at),
            Some(ends_at),
            Some(minutes),
            Some(place),
            Some(purpose),
            Some(email),
        ) if f.0.is_empty() => Ok(AppointmentData {
            starts_at,
            ends_at,
            minutes,
            place,
            purpose,
            email,
        }),
        _ => Err(f.0),
    }
}

/// A booked interview. It can be moved or cancelled while booked; from its start it takes an
/// outcome (held or no-show), which can then be corrected ([`Appointment::outcome`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: Uuid,
    pub org_id: Uuid,
    pub worker_id: Uuid,
    pub person_id: Uuid,
    pub case_file_id: Option<Uuid>,
    pub starts_at_us: i64,
    pub minutes: i64,
    pub place: String,
    pub purpose: String,
    pub email: Option<String>,
    pub status: AppointmentStatus,
    pub reminder_sent_at_us: Option<i64>,
    /// The diary entry that records how the interview went.
    pub diary_entry_id: Option<Uuid>,
    pub actor: String,
    pub at_us: i64,
    pub version: i64,
}

/// An appointment's outcome as typed: the status, why an outcome already written is
/// corrected, and, for an interview held by a person with a case file, what its diary entry
/// says.
#[derive(Debug, Clone, Default)]
pub struct OutcomeInput {
    pub status: String,
    pub reason: String,
    pub confidentiality: String,
    pub title: String,
    pub body: String,
}

/// What an outcome changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: AppointmentStatus,
    /// For an interview held that has no diary entry yet: the day the entry is dated, in
    /// the person's case file if they have one.
    pub interview_on: Option<Date>,
    /// For a correction: the outcome it replaces and why.
    pub corrects: Option<(AppointmentStatus, String)>,
}

/// Why a change to an appointment is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppointmentRefusal {
    /// The appointment is no longer booked (`status`): it cannot be moved or cancelled, and a
    /// cancelled one takes no outcome.
    Closed(AppointmentStatus),
    /// The form's errors, by field.
    Invalid(Vec<FieldError>),
}

impl std::fmt::Display for AppointmentRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppointmentRefusal::Closed(AppointmentStatus::Cancelled) => {
                f.write_str("l'appuntamento è annullato: non si può più cambiare")
            }
            AppointmentRefusal::Closed(status) => write!(
                f,
                "l'appuntamento ha già un esito ({}): non si può spostare né annullare, \
                 se ne può correggere l'esito",
                status.label()
            ),
            AppointmentRefusal::Invalid(errors) => {
                let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&messages.join("; "))
            }
        }
    }
}

impl Appointment {
    pub fn starts_at(&self) -> OffsetDateTime {
        crate::audit::from_unix_micros(self.starts_at_us).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Whether the appointment has begun at `now`: from then on it takes an outcome.
    pub fn started(&self, now: OffsetDateTime) -> bool {
        self.starts_at() <= now
    }

    fn booked(&self) -> Result<(), AppointmentRefusal> {
        match self.status {
            AppointmentStatus::Booked => Ok(()),
            s => Err(AppointmentRefusal::Closed(s)),
        }
    }

    /// The outcome typed for this appointment at `now`: held or no-show, once it has begun.
    /// An outcome already written can be corrected to the other one, with a reason. An
    /// interview held is noted in a diary on its Italian day, once.
    pub fn outcome(
        &self,
        i: &OutcomeInput,
        now: OffsetDateTime,
    ) -> Result<Outcome, AppointmentRefusal> {
        if self.status == AppointmentStatus::Cancelled {
            return Err(AppointmentRefusal::Closed(self.status));
        }
        let invalid = |field, message: &str| {
            AppointmentRefusal::Invalid(vec![FieldError::new(field, message)])
        };
        let status = AppointmentStatus::parse(i.status.trim())
            .filter(|s| matches!(s, AppointmentStatus::Held | AppointmentStatus::NoShow))
            .ok_or_else(|| {
                invalid(
                    "status",
                    "scegliere l'esito: svolto o la persona non si è presentata",
                )
            })?;
        if !self.started(now) {
            return Err(invalid(
                "status",
                "l'appuntamento non è ancora cominciato: l'esito si registra dall'ora fissata; \
                 per non tenerlo, spostarlo o annullarlo",
            ));
        }
        let corrects = match self.status {
            AppointmentStatus::Booked => None,
            s if s == status => {
                return Err(invalid(
                    "status",
                    &format!("l'esito registrato è già «{}»", s.label()),
                ));
            }
            s => Some((
                s,
                text(
                    "reason",
                    &i.reason,
                    "il motivo della correzione",
                    SHORT_TEXT,
                    true,
                )
                .map_err(|e| AppointmentRefusal::Invalid(vec![e]))?,
            )),
        };
        let interview_on = (status == AppointmentStatus::Held && self.diary_entry_id.is_none())
            .then(|| crate::localtime::to_local(self.starts_at()).date());
        Ok(Outcome {
            status,
            interview_on,
            corrects,
        })
    }

    /// The new time, length and place typed for this booked appointment at `now`; the
    /// purpose and the address stay.
    pub fn moved(
        &self,
        i: &AppointmentInput,
        now: OffsetDateTime,
    ) -> Result<AppointmentData, AppointmentRefusal> {
        self.booked()?;
        let input = AppointmentInput {
            purpose: self.purpose.clone(),
            email: self.email.clone().unwrap_or_default(),
            ..i.clone()
        };
        let data = parse_appointment(&input, now).map_err(AppointmentRefusal::Invalid)?;
        if unix_micros(data.starts_at) == self.starts_at_us
            && i64::from(data.minutes) == self.minutes
            && data.place == self.place
        {
            return Err(AppointmentRefusal::Invalid(vec![FieldError::new(
                "date",
                "l'appuntamento è già fissato così: cambiare il giorno, l'ora, la durata o il luogo",
            )]));
        }
        Ok(data)
    }

    /// The reason typed to cancel this booked appointment (it may be empty).
    pub fn cancel(&self, reason: &str) -> Result<Option<String>, AppointmentRefusal> {
        self.booked()?;
        let reason = text("reason", reason, "il motivo", SHORT_TEXT, false)
            .map_err(|e| AppointmentRefusal::Invalid(vec![e]))?;
        Ok((!reason.is_empty()).then_some(reason))
    }
}

/// The diary entry of an interview held on `on` (from [`Appointment::outcome`]) in a case
/// file opened on `opened_on`, with what the worker typed.
pub fn interview_entry(
    on: Date,
    i: &OutcomeInput,
    opened_on: Date,
    today: Date,
) -> Result<DiaryData, Vec<FieldError>> {
    let input = DiaryInput {
        kind: DiaryKind::Interview.as_str().into(),
        date: format_date(on),
        confidentiality: i.confidentiality.clone(),
        title: i.title.clone(),
        body: i.body.clone(),
    };
    parse_diary(&input, opened_on, today)
}

/// An individual plan (PAI) as typed.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub starts_on: String,
    pub ends_on: String,
    pub goals: String,
    pub commitments: String,
    pub next_review: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanData {
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub goals: String,
    /// What the person and the family commit to.
    pub commitments: String,
    pub next_review: Date,
}

/// Parses a plan of a case file opened on `opened_on`.
pub fn parse_plan(i: &PlanInput, opened_on: Date) -> Result<PlanData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let starts_on = f.take(date("starts_on", &i.starts_on, "l'inizio del progetto"));
    let ends_on = f.take(optional_date("ends_on", &i.ends_on, "la fine del progetto"));
    let next_review = f.take(date(
        "next_review",
        &i.next_review,
        "la data della prima verifica",
    ));
    if let Some(s) = starts_on {
        if s < opened_on {
            f.0.push(FieldError::new(
                "starts_on",
                format!(
                    "il progetto non può iniziare prima dell'apertura della cartella ({})",
                    format_date(opened_on)
                ),
            ));
        }
        if let Some(Some(e)) = ends_on {
            f.check(
                e >= s,
                "ends_on",
                "la fine del progetto non può precedere l'inizio",
            );
        }
        if let Some(r) = next_review {
            f.check(
                r >= s,
                "next_review",
                "la verifica non può precedere l'inizio del progetto",
            );
            if let Some(Some(e)) = ends_on {
                f.check(
                    r <= e,
                    "next_review",
                    "la verifica non può seguire la fine del progetto",
                );
            }
        }
    }
    let goals = f.take(text("goals", &i.goals, "gli obiettivi", LONG_TEXT, true));
    let commitments = f.take(text(
        "commitments",
        &i.commitments,
        "gli impegni",
        LONG_TEXT,
        false,
    ));
    match (starts_on, ends_on, goals, commitments, next_review) {
        (Some(starts_on), Some(ends_on), Some(goals), Some(commitments), Some(next_review))
            if f.0.is_empty() =>
        {
            Ok(PlanData {
                starts_on,
                ends_on,
                goals,
                commitments,
                next_review,
            })
        }
        _ => Err(f.0),
    }
}

/// An intervention of the plan as typed.
#[derive(Debug, Clone, Default)]
pub struct InterventionInput {
    pub description: String,
    pub benefit: String,
    pub responsible: String,
    pub frequency: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionData {
    pub description: String,
    /// The benefit or service it uses (assistenza domiciliare, contributo economico, …).
    pub benefit: Option<String>,
    /// Who does it: a service, the family, the person.
    pub responsible: String,
    pub frequency: Option<String>,
    pub from: Date,
    pub to: Option<Date>,
}

/// Parses an intervention of a plan running from `starts_on` to `ends_on`.
pub fn parse_intervention(
    i: &InterventionInput,
    starts_on: Date,
    ends_on: Option<Date>,
) -> Result<InterventionData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let description = f.take(text(
        "description",
        &i.description,
        "l'intervento",
        SHORT_TEXT * 3,
        true,
    ));
    let benefit = f.take(text(
        "benefit",
        &i.benefit,
        "la prestazione",
        SHORT_TEXT,
        false,
    ));
    let responsible = f.take(text(
        "responsible",
        &i.responsible,
        "chi se ne occupa",
        SHORT_TEXT,
        true,
    ));
    let frequency = f.take(text(
        "frequency",
        &i.frequency,
        "la frequenza",
        SHORT_TEXT,
        false,
    ));
    let from = f.take(date("from", &i.from, "l'inizio dell'intervento"));
    let to = f.take(optional_date("to", &i.to, "la fine dell'intervento"));
    if let Some(from) = from {
        f.check(
            from >= starts_on,
            "from",
            "l'intervento non può iniziare prima del progetto",
        );
        if let Some(Some(to)) = to {
            f.check(
                to >= from,
                "to",
                "la fine dell'intervento non può precedere l'inizio",
            );
        }
    }
    if let (Some(Some(to)), Some(end)) = (to, ends_on) {
        f.check(
            to <= end,
            "to",
            "l'intervento non può finire dopo il progetto",
        );
    }
    match (description, benefit, responsible, frequency, from, to) {
        (
            Some(description),
            Some(benefit),
            Some(responsible),
            Some(frequency),
            Some(from),
            Some(to),
        ) if f.0.is_empty() => Ok(InterventionData {
            description,
            benefit: Some(benefit).filter(|s| !s.is_empty()),
            responsible,
            frequency: Some(frequency).filter(|s| !s.is_empty()),
            from,
            to,
        }),
        _ => Err(f.0),
    }
}

/// A plan review as typed.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub done_on: String,
    pub outcome: String,
    pub next_review: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewData {
    pub done_on: Date,
    pub outcome: String,
    /// None: the plan needs no further review (it is ending).
    pub next_review: Option<Date>,
}

/// Parses a review of a plan that started on `starts_on`.
pub fn parse_review(
    i: &ReviewInput,
    starts_on: Date,
    today: Date,
) -> Result<ReviewData, Vec<FieldError>> {
    let mut f = Fields(Vec::new());
    let done_on = f.take(date("done_on", &i.done_on, "la data della verifica"));
    if let Some(d) = done_on {
        f.check(
            d >= starts_on,
            "done_on",
            "la verifica non può precedere l'inizio del progetto",
        );
        f.check(
            d <= today,
            "done_on",
            "la verifica non può essere nel futuro",
        );
    }
    let outcome = f.take(text(
        "outcome",
        &i.outcome,
        "l'esito della verifica",
        LONG_TEXT,
        true,
    ));
    let next_review = f.take(optional_date(
        "next_review",
        &i.next_review,
        "la prossima verifica",
    ));
    if let (Some(d), Some(Some(n))) = (done_on, next_review) {
        f.check(
            n > d,
            "next_review",
            "la prossima verifica deve seguire quella registrata",
        );
    }
    match (done_on, outcome, next_review) {
        (Some(done_on), Some(outcome), Some(next_review)) if f.0.is_empty() => Ok(ReviewData {
            done_on,
            outcome,
            next_review,
        }),
        _ => Err(f.0),
    }
}

/// The reason given for a break-glass access: specific enough to be read later.
pub fn parse_break_glass_reason(raw: &str) -> Result<String, FieldError> {
    let r = text(
        "reason",
        raw,
        "il motivo dell'accesso",
        SHORT_TEXT * 3,
        true,
    )?;
    if r.chars().filter(|c| c.is_alphanumeric()).count() < 10 {
        return Err(FieldError::new(
            "reason",
            "il motivo dell'accesso va spiegato (almeno 10 lettere o cifre)",
        ));
    }
    Ok(r)
}

/// The largest document a case file takes.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

coded_enum! {
    /// The kinds of document a case file takes, recognised by their content.
    pub enum DocumentType {
        Pdf = "application/pdf", "PDF";
        Jpeg = "image/jpeg", "immagine JPEG";
        Png = "image/png", "immagine PNG";
        P7m = "application/pkcs7-mime", "documento firmato digitalmente (P7M)";
    }
}

fn tail(bytes: &[u8], n: usize) -> &[u8] {
    &bytes[bytes.len().saturating_sub(n)..]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// How far into a file browsers look when they guess its type (the MIME Sniffing Standard
/// reads 1445 bytes; old browsers scanned the first 256 or 512 for tags).
const SNIFFED_BYTES: usize = 1445;

/// Tags that make a browser take bytes for a web page.
const HTML_TAGS: [&[u8]; 8] = [
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<object",
];

/// A PDF, and nothing else to a browser: the header at the very first byte (a reader finds it
/// further on, after an HTML page, say), no HTML tag where browsers sniff, the end marker in
/// the last 2 KiB (a truncated upload is refused), and a document that parses, with a catalog
/// that names its page tree. A damaged cross-reference table is repaired as viewers do.
fn is_pdf(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"%PDF-") || !contains(tail(bytes, 2048), b"%%EOF") {
        return false;
    }
    let head = bytes[..bytes.len().min(SNIFFED_BYTES)].to_ascii_lowercase();
    if HTML_TAGS.iter().any(|tag| contains(&head, tag)) {
        return false;
    }
    let Ok(doc) = lopdf::Document::load_mem(bytes) else {
        return false;
    };
    // The catalog's page tree is looked at, not walked: a looping tree would take forever.
    doc.catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(lopdf::Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .is_ok()
}

/// The content type of CMS signed data, 1.2.840.113549.1.7.2 (RFC 5652 section 5.1).
const SIGNED_DATA: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

/// A P7M: CMS signed data in DER, as a whole (nothing after it), enveloping the signed
/// document and carrying at least one signature. A certificate bundle has no signer.
fn is_p7m(bytes: &[u8]) -> bool {
    use der::Decode;
    let Ok(info) = cms::content_info::ContentInfo::from_der(bytes) else {
        return false;
    };
    info.content_type == SIGNED_DATA
        && info
            .content
            .decode_as::<cms::signed_data::SignedData>()
            .is_ok_and(|sd| {
                sd.encap_content_info.econtent.is_some() && !sd.signer_infos.0.is_empty()
            })
}

/// What the bytes really are, whatever the name says: PDF and P7M are parsed; for images the
/// whole structure's start and end are checked, so that a renamed file or a truncated upload
/// is refused.
pub(crate) fn sniff(bytes: &[u8]) -> Option<DocumentType> {
    if is_pdf(bytes) {
        Some(DocumentType::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && contains(tail(bytes, 64), &[0xFF, 0xD9]) {
        Some(DocumentType::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A])
        && contains(tail(bytes, 64), b"IEND")
    {
        Some(DocumentType::Png)
    } else if is_p7m(bytes) {
        Some(DocumentType::P7m)
    } else {
        None
    }
}

/// A checked upload: its type from the content, and a file name safe to show and to send
/// back in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDocument {
    pub kind: DocumentType,
    pub file_name: String,
}

/// «il file supera la dimensione massima di 10 MiB», whether the file or the whole upload is
/// too large.
pub fn document_too_large() -> FieldError {
    FieldError::new(
        "file",
        format!(
            "il file supera la dimensione massima di {} MiB",
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        ),
    )
    .says(
        "field-file-too-large",
        [(
            "mib",
            Arg::Number((MAX_DOCUMENT_BYTES / (1024 * 1024)) as i64),
        )],
    )
}

/// Checks an uploaded file: not empty, not over [`MAX_DOCUMENT_BYTES`], a PDF, JPEG, PNG or
/// P7M by content, and named with the extension of what it is.
pub fn check_document(file_name: &str, bytes: &[u8]) -> Result<CheckedDocument, FieldError> {
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(200)
        .collect::<String>();
    let base = base.trim().to_owned();
    if bytes.is_empty() {
        return Err(FieldError::new("file", "scegliere il file da allegare").says("field-file", []));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(document_too_large());
    }
    let Some(kind) = sniff(bytes) else {
        return Err(if bytes.starts_with(b"%PDF-") {
            FieldError::new(
                "file",
                "il PDF non si legge: è incompleto, danneggiato o contiene anche una pagina web",
            )
            .says("field-file-unreadable", [])
        } else {
            FieldError::new(
                "file",
                "il file non è un PDF, un'immagine JPEG o PNG né un documento firmato P7M",
            )
            .says("field-file-type", [])
        });
    };
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (ext_ok, short) = match kind {
        DocumentType::Pdf => (ext == "pdf", "PDF"),
        DocumentType::Jpeg => (ext == "jpg" || ext == "jpeg", "JPEG"),
        DocumentType::Png => (ext == "png", "PNG"),
        DocumentType::P7m => (ext == "p7m", "P7M"),
    };
    if !ext_ok {
        return Err(FieldError::new(
            "file",
            format!(
                "il nome «{base}» non corrisponde al contenuto, che è un {}",
                kind.label()
            ),
        )
        .says(
            "field-file-name",
            [
                ("name", Arg::Text(base)),
                ("kind", Arg::Text(short.to_owned())),
            ],
        ));
    }
    Ok(CheckedDocument {
        kind,
        file_name: base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn fields(e: &[FieldError]) -> Vec<&'static str> {
        e.iter().map(|e| e.field).collect()
    }

    /// A booked interview at 23:30 UTC on 10 November 2026: 00:30 on the 11th in Italy.
    fn booked(case_file: bool) -> Appointment {
        Appointment {
            id: Uuid::nil(),
            org_id: Uuid::nil(),
            worker_id: Uuid::nil(),
            person_id: Uuid::nil(),
            case_file_id: case_file.then(Uuid::nil),
            starts_at_us: crate::audit::unix_micros(datetime!(2026-11-10 23:30 UTC)),
            minutes: 45,
            place: "Ufficio".into(),
            purpose: "Colloquio".into(),
            email: None,
            status: AppointmentStatus::Booked,
            reminder_sent_at_us: None,
            diary_entry_id: None,
            actor: "anna".into(),
            at_us: 0,
            version: 1,
        }
    }

    fn typed(status: &str) -> OutcomeInput {
        OutcomeInput {
            status: status.into(),
            reason: String::new(),
            confidentiality: "normale".into(),
            title: "Colloquio".into(),
            body: "Parlato dell'affitto".into(),
        }
    }

    const AFTER: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

    #[test]
    fn an_interview_held_is_dated_its_italian_day_and_noted_once() {
        let a = booked(true);
        assert_eq!(
            a.outcome(&typed(" svolto "), AFTER),
            Ok(Outcome {
                status: AppointmentStatus::Held,
                interview_on: Some(date!(2026 - 11 - 11)),
                corrects: None,
            })
        );
        let noted = Appointment {
            status: AppointmentStatus::NoShow,
            diary_entry_id: Some(Uuid::nil()),
            ..booked(true)
        };
        let again = OutcomeInput {
            reason: "era venuta la figlia".into(),
            ..typed("svolto")
        };
        assert_eq!(noted.outcome(&again, AFTER).unwrap().interview_on, None);
        assert_eq!(
            booked(false)
                .outcome(&typed("assente"), AFTER)
                .unwrap()
                .interview_on,
            None
        );
    }

    #[test]
    fn an_appointment_cannot_be_marked_held_before_it_begins() {
        let a = booked(true);
        for status in ["svolto", "assente"] {
            let Err(AppointmentRefusal::Invalid(errors)) =
                a.outcome(&typed(status), datetime!(2026-11-10 23:29 UTC))
            else {
                panic!("{status} accepted before the start");
            };
            assert_eq!(fields(&errors), ["status"]);
            assert!(errors[0].message.contains("non è ancora cominciato"));
        }
        assert!(
            a.outcome(&typed("svolto"), datetime!(2026-11-10 23:30 UTC))
                .is_ok()
        );
    }

    #[test]
    fn an_outcome_is_held_or_no_show_and_a_cancelled_appointment_has_none() {
        for bad in ["", "prenotato", "annullato", "rinviato"] {
            let Err(AppointmentRefusal::Invalid(errors)) = booked(true).outcome(&typed(bad), AFTER)
            else {
                panic!("{bad:?} accepted");
            };
            assert_eq!(fields(&errors), ["status"], "{bad:?}");
        }
        let cancelled = Appointment {
            status: AppointmentStatus::Cancelled,
            ..booked(true)
        };
        let refusal = cancelled.outcome(&typed("svolto"), AFTER).unwrap_err();
        assert_eq!(
            refusal,
            AppointmentRefusal::Closed(AppointmentStatus::Cancelled)
        );
        assert_eq!(
            refusal.to_string(),
            "l'appuntamento è annullato: non si può più cambiare"
        );
    }

    #[test]
    fn an_outcome_is_corrected_to_the_other_one_with_a_reason() {
        let held = Appointment {
            status: AppointmentStatus::Held,
            ..booked(false)
        };
        let Err(AppointmentRefusal::Invalid(errors)) = held.outcome(&typed("assente"), AFTER)
        else {
            panic!("a correction without a reason accepted");
        };
        assert_eq!(fields(&errors), ["reason"]);
        let Err(AppointmentRefusal::Invalid(errors)) = held.outcome(&typed("svolto"), AFTER) else {
            panic!("the same outcome accepted again");
        };
        assert_eq!(fields(&errors), ["status"]);
        let fix = OutcomeInput {
            reason: " segnato per errore ".into(),
            ..typed("assente")
        };
        assert_eq!(
            held.outcome(&fix, AFTER),
            Ok(Outcome {
                status: AppointmentStatus::NoShow,
                interview_on: None,
                corrects: Some((AppointmentStatus::Held, "segnato per errore".into())),
            })
        );
    }

    fn typed_time(date: &str, time: &str, place: &str) -> AppointmentInput {
        AppointmentInput {
            date: date.into(),
            time: time.into(),
            minutes: "45".into(),
            place: place.into(),
            ..AppointmentInput::default()
        }
    }

    #[test]
    fn a_booked_appointment_moves_to_a_future_time_keeping_its_purpose_and_address() {
        let a = Appointment {
            email: Some("anna@example.org".into()),
            ..booked(true)
        };
        let now = datetime!(2026-11-05 09:00 UTC);
        let moved = a
            .moved(&typed_time("12/11/2026", "9:30", "Ufficio"), now)
            .unwrap();
        assert_eq!(moved.starts_at, datetime!(2026-11-12 08:30 UTC));
        assert_eq!(
            (moved.purpose.as_str(), moved.email.as_deref()),
            ("Colloquio", Some("anna@example.org"))
        );
        let Err(AppointmentRefusal::Invalid(errors)) =
            a.moved(&typed_time("01/11/2026", "9:30", "Ufficio"), now)
        else {
            panic!("moved into the past");
        };
        assert_eq!(fields(&errors), ["date"]);
        let Err(AppointmentRefusal::Invalid(errors)) =
            a.moved(&typed_time("11/11/2026", "0:30", "Ufficio"), now)
        else {
            panic!("moved to the same time");
        };
        assert_eq!(fields(&errors), ["date"]);
        let held = Appointment {
            status: AppointmentStatus::Held,
            ..a
        };
        assert_eq!(
            held.moved(&typed_time("12/11/2026", "9:30", "Ufficio"), now),
            Err(AppointmentRefusal::Closed(AppointmentStatus::Held))
        );
    }

    #[test]
    fn only_a_booked_appointment_is_cancelled_and_the_reason_may_be_empty() {
        assert_eq!(booked(true).cancel("  "), Ok(None));
        assert_eq!(
            booked(true).cancel(" la persona è ricoverata "),
            Ok(Some("la persona è ricoverata".into()))
        );
        let cancelled = Appointment {
            status: AppointmentStatus::Cancelled,
            ..booked(true)
        };
        assert_eq!(
            cancelled.cancel(""),
            Err(AppointmentRefusal::Closed(AppointmentStatus::Cancelled))
        );
    }

    #[test]
    fn an_interview_entry_is_an_interview_on_its_day_within_the_case_file() {
        let day = date!(2026 - 11 - 11);
        let entry = interview_entry(day, &typed("svolto"), date!(2026 - 01 - 05), day).unwrap();
        assert_eq!(
            (entry.kind, entry.occurred_on, entry.title.as_str()),
            (DiaryKind::Interview, day, "Colloquio")
        );
        let late_file = interview_entry(day, &typed("svolto"), date!(2026 - 11 - 12), day);
        assert_eq!(fields(&late_file.unwrap_err()), ["date"]);
        let untitled = OutcomeInput {
            title: String::new(),
            ..typed("svolto")
        };
        assert_eq!(
            fields(&interview_entry(day, &untitled, day, day).unwrap_err()),
            ["title"]
        );
    }

    fn walk_in() -> AccessInput {
        AccessInput {
            channel: "di_persona".into(),
            needs: vec!["economico".into(), "abitativo".into()],
            request: "Chiede aiuto per l'affitto arretrato".into(),
            outcome: "appuntamento".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_walk_in_needs_only_channel_need_request_and_outcome() {
        let now = datetime!(2026-11-26 10:15 UTC);
        let e = parse_access(&walk_in(), now, date!(1960 - 01 - 01)).expect("valid");
        assert_eq!(e.at, now);
        let a = e.data;
        assert_eq!(a.channel, AccessChannel::InPerson);
        assert_eq!(a.needs, vec![Need::Income, Need::Housing]);
        assert_eq!(a.on_behalf_of, None);
        assert_eq!(a.needs[1].area(), NeedArea::Poverty);
    }

    #[test]
    fn a_referral_must_say_who_referred_and_bad_codes_name_their_field() {
        let mut i = walk_in();
        i.channel = "scuola".into();
        let (now, born) = (datetime!(2026-11-26 10:15 UTC), date!(1960 - 01 - 01));
        let e = parse_access(&i, now, born).expect_err("no referral");
        assert_eq!(fields(&e), vec!["referral"]);
        i.channel = "piccione".into();
        i.needs = vec!["fame".into()];
        i.outcome = String::new();
        i.request = "  ".into();
        i.follow_up_date = "01/01/2020".into();
        let e = parse_access(&i, now, born).expect_err("bad");
        assert_eq!(
            fields(&e),
            vec!["channel", "needs", "request", "outcome", "follow_up_date"]
        );
        assert!(e[0].message.contains("canale"), "{}", e[0].message);
    }

    #[test]
    fn needs_are_counted_per_access_in_the_list_order() {
        let a = [Need::Housing, Need::Income];
        let b = [Need::Income];
        assert_eq!(
            count_needs([&a[..], &b[..]]),
            vec![(Need::Income, 2), (Need::Housing, 1)]
        );
    }

    #[test]
    fn an_access_recorded_later_keeps_its_day_and_hour_but_not_future_nor_before_birth() {
        // 26/11/2026 10:15 UTC is 11:15 in Rome (CET, UTC+1).
        let (now, born) = (datetime!(2026-11-26 10:15 UTC), date!(1990 - 05 - 04));
        let mut i = walk_in();
        i.date = "24/11/2026".into();
        i.time = "9:30".into();
        let e = parse_access(&i, now, born).expect("back-dated");
        assert_eq!(e.at, datetime!(2026-11-24 08:30 UTC));
        i.time = "11:16".into();
        i.date = "26/11/2026".into();
        let e = parse_access(&i, now, born).expect_err("a minute in the future");
        assert_eq!(fields(&e), vec!["date"]);
        assert!(e[0].message.contains("futuro"), "{}", e[0].message);
        i.date = "03/05/1990".into();
        let e = parse_access(&i, now, born).expect_err("before birth");
        assert_eq!(fields(&e), vec!["date"]);
        assert!(e[0].message.contains("04/05/1990"), "{}", e[0].message);
        i.time = String::new();
        i.date = "24/11/2026".into();
        let e = parse_access(&i, now, born).expect_err("a day without its hour");
        assert_eq!(fields(&e), vec!["time"]);
    }

    #[test]
    fn a_closure_before_the_opening_or_in_the_future_is_refused() {
        let i = TransitionInput {
            to: "chiusa".into(),
            date: "01/01/2026".into(),
            close_reason: "obiettivi_raggiunti".into(),
            note: String::new(),
        };
        let e = parse_transition(
            &i,
            CaseState::Open,
            date!(2026 - 03 - 01),
            date!(2026 - 11 - 26),
        )
        .expect_err("before opening");
        assert_eq!(fields(&e), vec!["date"]);
        assert!(e[0].message.contains("01/03/2026"), "{}", e[0].message);
        let mut i = i;
        i.date = "27/11/2026".into();
        let e = parse_transition(
            &i,
            CaseState::Open,
            date!(2026 - 03 - 01),
            date!(2026 - 11 - 26),
        )
        .expect_err("future");
        assert_eq!(fields(&e), vec!["date"]);
        i.date = "20/11/2026".into();
        let t = parse_transition(
            &i,
            CaseState::Open,
            date!(2026 - 03 - 01),
            date!(2026 - 11 - 26),
        )
        .expect("valid");
        assert_eq!(t.label(), "chiusura");
        assert_eq!(t.close_reason, Some(CloseReason::GoalsMet));
    }

    #[test]
    fn only_the_allowed_state_changes_pass_and_reopening_needs_a_reason() {
        let i = TransitionInput {
            to: "sospesa".into(),
            date: "20/11/2026".into(),
            ..Default::default()
        };
        let e = parse_transition(
            &i,
            CaseState::Closed,
            date!(2026 - 03 - 01),
            date!(2026 - 11 - 26),
        )
        .expect_err("closed cannot be suspended");
        assert_eq!(fields(&e), vec!["to", "note"]);
        let i = TransitionInput {
            to: "aperta".into(),
            date: "20/11/2026".into(),
            note: "Nuova segnalazione della scuola".into(),
            ..Default::default()
        };
        let t = parse_transition(
            &i,
            CaseState::Closed,
            date!(2026 - 03 - 01),
            date!(2026 - 11 - 26),
        )
        .expect("reopen");
        assert_eq!(t.label(), "riapertura");
        let mut i = i;
        i.to = "chiusa".into();
        i.note = String::new();
        let e = parse_transition(
            &i,
            CaseState::Open,
            date!(2026 - 03 - 01),
            date!(2026 - 11 - 26),
        )
        .expect_err("no reason");
        assert_eq!(fields(&e), vec!["close_reason"]);
    }

    #[test]
    fn a_case_file_moves_to_the_state_and_day_of_its_change() {
        let open = CaseFile {
            id: uuid::Uuid::from_u128(1),
            org_id: uuid::Uuid::from_u128(2),
            person_id: uuid::Uuid::from_u128(3),
            number: "2026/00017".into(),
            state: CaseState::Open,
            worker_id: uuid::Uuid::from_u128(4),
            opened_on: date!(2026 - 03 - 01),
            state_since: date!(2026 - 03 - 01),
            close_reason: None,
            version: 3,
            created_at_us: 0,
            worker_since_us: 0,
        };
        let close = TransitionInput {
            to: "chiusa".into(),
            date: "20/11/2026".into(),
            close_reason: "obiettivi_raggiunti".into(),
            note: String::new(),
        };
        let early = TransitionInput {
            date: "28/02/2026".into(),
            ..close.clone()
        };
        let e = open
            .parse_transition(&early, date!(2026 - 11 - 26))
            .expect_err("before the opening");
        assert_eq!(fields(&e), vec!["date"]);
        let t = open
            .parse_transition(&close, date!(2026 - 11 - 26))
            .expect("valid");
        let closed = open.transition(&t);
        assert_eq!(closed.state, CaseState::Closed);
        assert_eq!(closed.state_since, date!(2026 - 11 - 20));
        assert_eq!(closed.close_reason, Some(CloseReason::GoalsMet));
        assert_eq!(closed.version, 4);
        let reopen = TransitionInput {
            to: "aperta".into(),
            date: "25/11/2026".into(),
            close_reason: String::new(),
            note: "Nuova segnalazione".into(),
        };
        let t = closed
            .parse_transition(&reopen, date!(2026 - 11 - 26))
            .expect("reopen");
        let reopened = closed.transition(&t);
        assert_eq!(reopened.close_reason, None);
        assert_eq!(
            (reopened.number, reopened.opened_on, reopened.version),
            (open.number, open.opened_on, 5)
        );
    }

    #[test]
    fn a_diary_entry_cannot_predate_the_case_file_nor_lack_text() {
        let i = DiaryInput {
            kind: "colloquio".into(),
            date: "01/02/2026".into(),
            confidentiality: "riservato".into(),
            title: "Primo colloquio".into(),
            body: String::new(),
        };
        let e = parse_diary(&i, date!(2026 - 03 - 01), date!(2026 - 11 - 26)).expect_err("bad");
        assert_eq!(fields(&e), vec!["date", "body"]);
        let mut i = i;
        i.date = "02/03/2026".into();
        i.body = "Racconta della perdita del lavoro.\r\nDue figli.".into();
        let d = parse_diary(&i, date!(2026 - 03 - 01), date!(2026 - 11 - 26)).expect("valid");
        assert_eq!(d.confidentiality, Confidentiality::Restricted);
        assert_eq!(d.body, "Racconta della perdita del lavoro.\nDue figli.");
    }

    #[test]
    fn an_appointment_is_booked_in_italian_time_and_never_in_the_past() {
        let now = datetime!(2026-11-26 15:00 UTC);
        let i = AppointmentInput {
            date: "03/12/2026".into(),
            time: "10:30".into(),
            minutes: String::new(),
            place: "Sede di via Roma 1, stanza 4".into(),
            purpose: "Colloquio".into(),
            email: "anna.rossi@example.it".into(),
        };
        let a = parse_appointment(&i, now).expect("valid");
        assert_eq!(a.starts_at, datetime!(2026-12-03 09:30 UTC));
        assert_eq!(a.minutes, 45);
        let mut i = i;
        i.date = "26/11/2026".into();
        i.time = "15:30".into();
        i.minutes = "1000".into();
        i.email = "anna@@example".into();
        let e = parse_appointment(&i, now).expect_err("bad");
        assert_eq!(fields(&e), vec!["date", "minutes", "email"]);
    }

    #[test]
    fn a_review_before_the_plan_starts_is_refused() {
        let i = PlanInput {
            starts_on: "01/04/2026".into(),
            ends_on: "31/03/2026".into(),
            goals: "Rientro al lavoro".into(),
            commitments: String::new(),
            next_review: "01/03/2026".into(),
        };
        let e = parse_plan(&i, date!(2026 - 03 - 01)).expect_err("bad");
        assert_eq!(fields(&e), vec!["ends_on", "next_review"]);
        let mut i = i;
        i.ends_on = "31/12/2026".into();
        i.next_review = "01/07/2026".into();
        assert!(parse_plan(&i, date!(2026 - 03 - 01)).is_ok());
        let r = ReviewInput {
            done_on: "01/03/2026".into(),
            outcome: "In corso".into(),
            next_review: "01/02/2026".into(),
        };
        let e = parse_review(&r, date!(2026 - 04 - 01), date!(2026 - 11 - 26)).expect_err("bad");
        assert_eq!(fields(&e), vec!["done_on", "next_review"]);
        let iv = InterventionInput {
            description: "Assistenza domiciliare".into(),
            responsible: "Cooperativa".into(),
            from: "01/03/2026".into(),
            ..Default::default()
        };
        let e = parse_intervention(&iv, date!(2026 - 04 - 01), None).expect_err("bad");
        assert_eq!(fields(&e), vec!["from"]);
    }

    /// A one-page PDF, written by the parser's own writer.
    fn pdf() -> Vec<u8> {
        use lopdf::{Document, Object, dictionary};
        let mut doc = Document::with_version("1.7");
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page.into()],
                "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).expect("save");
        bytes
    }

    /// A text signed with `openssl cms -sign -binary -nodetach -outform DER` by a
    /// self-signed P-256 certificate.
    const P7M: &[u8] = include_bytes!("../tests/fixtures/signed.p7m");

    #[test]
    fn a_pdf_must_parse_and_be_nothing_else() {
        let pdf = pdf();
        assert_eq!(
            check_document("a.pdf", &pdf).expect("pdf").kind,
            DocumentType::Pdf
        );
        // The header and the end marker alone are not a document.
        let e = check_document("a.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
            .expect_err("garbage");
        assert_eq!(e.field, "file");
        assert!(e.message.contains("il PDF non si legge"), "{}", e.message);
        let cut = [&pdf[..pdf.len() / 2], b"\n%%EOF\n"].concat();
        assert!(check_document("a.pdf", &cut).is_err(), "truncated");
        assert!(
            check_document("a.pdf", &pdf[..pdf.len() - 8]).is_err(),
            "no end"
        );
        // A web page that a PDF reader would also open.
        let page = [&b"<html><script>alert(1)</script>"[..], &pdf].concat();
        assert!(check_document("a.pdf", &page).is_err(), "header not first");
        let mut polyglot = pdf.clone();
        polyglot.splice(9..9, b"%<HTML><body onload=alert(1)>\n".iter().copied());
        assert!(
            lopdf::Document::load_mem(&polyglot).is_ok(),
            "a reader takes it"
        );
        let e = check_document("a.pdf", &polyglot).expect_err("polyglot");
        assert!(e.message.contains("pagina web"), "{}", e.message);
    }

    #[test]
    fn a_p7m_must_be_cms_signed_data_with_a_signature() {
        assert_eq!(
            check_document("firmato.pdf.p7m", P7M).expect("p7m").kind,
            DocumentType::P7m
        );
        // The old sniff's bait: a SEQUENCE and the signedData identifier, then nothing valid.
        let header = [
            &[
                0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
            ][..],
            b"garbage after the header",
        ]
        .concat();
        let e = check_document("finto.p7m", &header).expect_err("header only");
        assert_eq!(e.field, "file");
        assert!(check_document("troncato.p7m", &P7M[..P7M.len() - 1]).is_err());
        assert!(check_document("coda.p7m", &[P7M, b"<html>"].concat()).is_err());
    }

    proptest::proptest! {
        /// Damaged PDFs and P7Ms: a few bytes changed, or cut short.
        #[test]
        fn any_upload_is_taken_or_refused_without_a_panic(
            p7m: bool,
            changes in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 0..8),
            cut in proptest::option::of(proptest::prelude::any::<proptest::sample::Index>()),
        ) {
            let mut bytes = if p7m { P7M.to_vec() } else { pdf() };
            for (at, b) in changes {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if let Some(keep) = cut {
                bytes.truncate(keep.index(bytes.len()));
            }
            let _ = check_document("a.pdf", &bytes);
        }
    }

    #[test]
    fn an_upload_is_recognised_by_its_content_not_its_name() {
        let pdf = pdf();
        let d = check_document("C:\\Documenti\\isee 2026.pdf", &pdf).expect("pdf");
        assert_eq!(
            (d.kind, d.file_name.as_str()),
            (DocumentType::Pdf, "isee 2026.pdf")
        );
        let png = [
            &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
            b"....IEND\xAEB`\x82",
        ]
        .concat();
        assert_eq!(
            check_document("foto.PNG", &png).expect("png").kind,
            DocumentType::Png
        );
        let e = check_document("foto.pdf", &png).expect_err("renamed");
        assert!(e.message.contains("non corrisponde"), "{}", e.message);
        let e = check_document("virus.pdf", b"MZ\x90\x00 this is a program").expect_err("exe");
        assert_eq!(e.field, "file");
        assert!(check_document("troncato.pdf", b"%PDF-1.7 ...").is_err());
        assert!(check_document("vuoto.pdf", b"").is_err());
        let big = vec![0u8; MAX_DOCUMENT_BYTES + 1];
        assert!(check_document("grande.pdf", &big).is_err());
    }

    #[test]
    fn a_break_glass_reason_must_say_something() {
        assert!(parse_break_glass_reason("urgente").is_err());
        assert!(parse_break_glass_reason("Segnalazione urgente del pronto soccorso").is_ok());
    }
}
