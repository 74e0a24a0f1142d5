//! The two letters of an application's procedure, as PDF: the decision (provvedimento) that
//! accepts, rejects or archives it, with the motivazione L. 241/1990 art. 3 requires (the
//! facts, the rules applied, every check and the figures, the reasons, the remedies), and
//! the notice before rejection (comunicazione dei motivi ostativi, art. 10-bis) that gives
//! the applicant ten days to reply.
//!
//! Pure functions: the caller reads the application, the person, the benefit and the
//! attestation from the store and passes them in a [`Letter`]. Missing pieces (no
//! protocol, no outcome, no attestation) print as "non indicato" and never fail.

use domain::application::{ActKind, ApplicationState, AttestationData, NOTICE_REPLY_DAYS};
use domain::benefit::{AmountKind, BenefitData, CheckStatus, Outcome, Periodicity, Unit};
use domain::dates::format_date;
use domain::letterhead::Letterhead;
use domain::money::Money;
use print::{Document, Heading};
use time::{Date, Duration};

/// Everything the letters print.
pub struct Letter<'a> {
    /// The organization: "Comune di Bergamo".
    pub issuer: &'a str,
    /// The organization's letterhead: office, address and contacts, who signs.
    pub letterhead: &'a Letterhead,
    pub view: &'a store::ApplicationView,
    pub person: &'a store::Person,
    pub benefit: &'a BenefitData,
    pub attestation: Option<&'a AttestationData>,
    /// Who took the step (decided, sent the notice, asked for documents): the full name,
    /// signing when the letterhead names nobody.
    pub acted_by: &'a str,
    /// The acts issued on the application, oldest first (the register's numbers).
    pub acts: &'a [store::Act],
    /// The application's history, oldest first (what was asked, whether observations came).
    pub events: &'a [store::ApplicationEvent],
    /// The date of the document when it has no act.
    pub date: Date,
}

impl Letter<'_> {
    /// The office printed under the organization's name.
    fn office(&self) -> &str {
        match self.letterhead.office.trim() {
            "" => DEFAULT_OFFICE,
            o => o,
        }
    }

    /// The latest act of `kind`.
    fn act(&self, kind: ActKind) -> Option<&store::Act> {
        self.acts.iter().rev().find(|a| a.kind == kind)
    }

    fn heading(&self, title: String) -> Heading {
        crate::acts::heading(self.issuer, self.letterhead, DEFAULT_OFFICE, &title)
    }

    /// The date of the letter: its act's, or the one given.
    fn date_of(&self, kind: ActKind) -> Date {
        self.act(kind).map_or(self.date, |a| a.issued_on)
    }
}

/// "Provvedimento n. 12/2026 del 07/12/2026", or "non ancora numerato".
fn act_words(act: Option<&store::Act>, kind: ActKind) -> String {
    match act {
        Some(a) => format!(
            "{} n. {} del {}",
            kind.title(),
            a.number_words(),
            format_date(a.issued_on)
        ),
        None => format!(
            "{}: non ancora numerato nel registro degli atti",
            kind.title()
        ),
    }
}

/// The office printed when the letterhead names none.
pub const DEFAULT_OFFICE: &str = "Servizi sociali";

/// Days the applicant has to send the documents an integration request asks for.
pub const INTEGRATION_REPLY_DAYS: i64 = 30;

/// The decision on an application accolta, respinta or archiviata; one in erogazione or
/// conclusa prints as its acceptance, one still open as a draft not yet adopted.
pub fn decision_pdf(l: &Letter) -> Vec<u8> {
    decision_document(l).render()
}

/// The notice before rejection (preavviso di rigetto, L. 241/1990 art. 10-bis).
pub fn notice_pdf(l: &Letter) -> Vec<u8> {
    notice_document(l).render()
}

/// The request to complete the documents (richiesta di integrazione documentale): what is
/// missing and by when.
pub fn integration_pdf(l: &Letter) -> Vec<u8> {
    integration_document(l).render()
}

/// "integrazione-2026-000123.pdf" (the application's id when it has no protocol).
pub fn integration_file_name(view: &store::ApplicationView) -> String {
    file_name("integrazione", view)
}

/// "provvedimento-2026-000123.pdf" (the application's id when it has no protocol).
pub fn decision_file_name(view: &store::ApplicationView) -> String {
    file_name("provvedimento", view)
}

/// "preavviso-2026-000123.pdf" (the application's id when it has no protocol).
pub fn notice_file_name(view: &store::ApplicationView) -> String {
    file_name("preavviso", view)
}

fn file_name(prefix: &str, view: &store::ApplicationView) -> String {
    let id = match protocol(view) {
        Some(p) => {
            let safe: String = p
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let parts: Vec<&str> = safe.split('-').filter(|s| !s.is_empty()).collect();
            if parts.is_empty() {
                view.app.id.to_string()
            } else {
                parts.join("-")
            }
        }
        None => view.app.id.to_string(),
    };
    format!("{prefix}-{id}.pdf")
}

const NOT_GIVEN: &str = "non indicato";
const NOT_GIVEN_F: &str = "non indicata";

/// The remedies against a final decision (L. 241/1990 art. 3 c. 4).
const REMEDIES: &str = "Avverso il presente provvedimento è ammesso ricorso al Tribunale Amministrativo Regionale (TAR) competente entro 60 giorni dalla notificazione o dalla piena conoscenza dello stesso (D.Lgs. 2 luglio 2010, n. 104), oppure, in alternativa, ricorso straordinario al Presidente della Repubblica entro 120 giorni (D.P.R. 24 novembre 1971, n. 1199).";

/// What a notice does to the term of the procedure: art. 10-bis as amended by D.L. 76/2020
/// (conv. L. 120/2020), which replaced the interruption with a suspension.
const SUSPENSION: &str = "La presente comunicazione sospende i termini di conclusione del procedimento, che ricominciano a decorrere dieci giorni dopo la presentazione delle osservazioni o, in mancanza delle stesse, dalla scadenza del termine sopra indicato (art. 10-bis della L. 241/1990, come modificato dal D.L. 16 luglio 2020, n. 76, convertito dalla L. 11 settembre 2020, n. 120).";

/// What the decision decides, from the application's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Accept,
    Reject,
    Archive,
    /// Not decided yet: printed as a draft.
    Pending,
}

fn verdict(state: ApplicationState) -> Verdict {
    use ApplicationState::*;
    match state {
        Accepted | Delivering | Concluded => Verdict::Accept,
        Rejected => Verdict::Reject,
        Archived => Verdict::Archive,
        Draft | Submitted | InReview | IntegrationRequested | NoticeOfRejection => Verdict::Pending,
    }
}

fn protocol(view: &store::ApplicationView) -> Option<&str> {
    view.app
        .protocol
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// "domanda n. 2026/000123" or "domanda (protocollo non indicato)".
fn application_words(view: &store::ApplicationView) -> String {
    match protocol(view) {
        Some(p) => format!("domanda n. {p}"),
        None => "domanda (protocollo non indicato)".to_owned(),
    }
}

fn or_missing(s: &str, missing: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        missing.to_owned()
    } else {
        t.to_owned()
    }
}

fn date_or(d: Option<Date>, missing: &str) -> String {
    d.map(format_date).unwrap_or_else(|| missing.to_owned())
}

/// "Mario Rossi": the person's names, or the application's when the person has none.
fn applicant(l: &Letter) -> String {
    let join = |given: &str, surname: &str| {
        [given.trim(), surname.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let name = join(&l.person.data.given_names, &l.person.data.surname);
    if !name.is_empty() {
        return name;
    }
    let name = join(&l.view.given_names, &l.view.surname);
    if name.is_empty() {
        "richiedente non indicato".to_owned()
    } else {
        name
    }
}

fn codice_fiscale(l: &Letter) -> String {
    l.person
        .data
        .codice_fiscale
        .as_ref()
        .map(|cf| cf.as_str().to_owned())
        .or_else(|| l.view.codice_fiscale.clone())
        .filter(|cf| !cf.trim().is_empty())
        .unwrap_or_else(|| NOT_GIVEN.to_owned())
}

/// "Via Roma 12, Bergamo (BG)".
fn residence(l: &Letter) -> String {
    match &l.person.data.residence {
        None => NOT_GIVEN_F.to_owned(),
        Some(a) => {
            let mut place = a.comune.name.trim().to_owned();
            if !a.comune.province.trim().is_empty() {
                place = format!("{place} ({})", a.comune.province.trim());
            }
            let parts: Vec<&str> = [a.street.trim(), place.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if parts.is_empty() {
                NOT_GIVEN_F.to_owned()
            } else {
                parts.join(", ")
            }
        }
    }
}

fn birth(l: &Letter) -> String {
    let d = &l.person.data;
    let place = d.birthplace.name.trim();
    if place.is_empty() {
        format_date(d.birth_date)
    } else {
        format!("{} a {place}", format_date(d.birth_date))
    }
}

fn benefit_name(l: &Letter) -> String {
    let name = or_missing(&l.benefit.name, "");
    if name.is_empty() {
        or_missing(&l.view.benefit_name, NOT_GIVEN_F)
    } else {
        name
    }
}

fn status_word(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Met => "soddisfatto",
        CheckStatus::NotMet => "non soddisfatto",
        CheckStatus::Warning => "da verificare",
    }
}

fn capitalized(s: &str) -> String {
    let t = s.trim();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn months_words(n: u8) -> String {
    if n == 1 {
        "1 mese".to_owned()
    } else {
        format!("{n} mesi")
    }
}

/// The amount the decision prints: the outcome's (with how it was worked out), or the
/// application's own when the outcome has none.
struct Figures<'a> {
    kind: Option<AmountKind>,
    value: Money,
    per_unit: Option<(Unit, Money)>,
    explanation: Option<&'a str>,
    periodic: bool,
    /// Months of delivery, for a periodic benefit that says them.
    months: Option<u8>,
    units: Option<u32>,
}

impl Figures<'_> {
    fn total(&self) -> Option<Money> {
        self.months
            .map(|m| Money(self.value.0.saturating_mul(i64::from(m))))
    }

    /// "Compartecipazione al costo a carico del richiedente".
    fn kind_label(&self) -> &'static str {
        match self.kind {
            Some(AmountKind::Contributo) => "Contributo erogato dal Comune",
            Some(AmountKind::Compartecipazione) => {
                "Compartecipazione al costo a carico del richiedente"
            }
            None => "Importo",
        }
    }

    /// "100,00 € al mese" or "900,00 € una tantum".
    fn value_words(&self) -> String {
        if self.periodic {
            format!("{} al mese", self.value.format())
        } else {
            format!("{} una tantum", self.value.format())
        }
    }

    /// For the dispositive: "una compartecipazione al costo a carico del richiedente di
    /// 100,00 € al mese per 2 mesi, per un totale di 200,00 €".
    fn phrase(&self) -> String {
        let what = match self.kind {
            Some(AmountKind::Contributo) => "un contributo erogato dal Comune",
            Some(AmountKind::Compartecipazione) => {
                "una compartecipazione al costo a carico del richiedente"
            }
            None => "un importo",
        };
        let mut s = format!("{what} di {}", self.value_words());
        if let (Some(m), Some(total)) = (self.months, self.total()) {
            s.push_str(&format!(
                " per {}, per un totale di {}",
                months_words(m),
                total.format()
            ));
        }
        s
    }

    fn fields(&self) -> Vec<(String, String)> {
        let mut rows = vec![(self.kind_label().to_owned(), self.value_words())];
        if let Some((unit, tariff)) = self.per_unit {
            rows.push((
                "Tariffa".to_owned(),
                format!("{} per {}", tariff.format(), unit.label()),
            ));
            rows.push((
                "Quantità mensile".to_owned(),
                match self.units {
                    Some(n) => format!("{n} {}", unit.words(n)),
                    None => NOT_GIVEN_F.to_owned(),
                },
            ));
        }
        if self.periodic {
            rows.push((
                "Durata".to_owned(),
                self.months
                    .map(months_words)
                    .unwrap_or_else(|| NOT_GIVEN_F.to_owned()),
            ));
            if let Some(total) = self.total() {
                rows.push(("Totale del periodo".to_owned(), total.format()));
            }
        }
        rows.push((
            "Calcolo".to_owned(),
            self.explanation
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .unwrap_or(NOT_GIVEN)
                .to_owned(),
        ));
        rows
    }
}

fn figures<'a>(l: &'a Letter) -> Option<Figures<'a>> {
    let app = &l.view.app;
    let periodic = l.benefit.periodicity == Periodicity::Periodic;
    let months = (periodic && app.declared.months > 0).then_some(app.declared.months);
    let units = app.declared.units;
    match app.outcome.as_ref().and_then(|o| o.amount.as_ref()) {
        Some(a) => Some(Figures {
            kind: Some(a.kind),
            value: a.value,
            per_unit: a.per_unit,
            explanation: Some(a.explanation.as_str()),
            periodic,
            months,
            units,
        }),
        None => app.amount.map(|value| Figures {
            kind: None,
            value,
            per_unit: None,
            explanation: None,
            periodic,
            months,
            units,
        }),
    }
}

fn fields(doc: &mut Document, rows: &[(String, String)]) {
    let refs: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    doc.fields(&refs);
}

/// "– text;" lines, the last ending with a full stop.
fn list(items: &[String]) -> String {
    let n = items.len();
    items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let t = t.trim().trim_end_matches([';', '.']);
            format!("– {t}{}", if i + 1 == n { "." } else { ";" })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The applicant's identification, at the top of both documents.
fn applicant_fields(l: &Letter, first: (&str, String)) -> Vec<(String, String)> {
    vec![
        (first.0.to_owned(), first.1),
        (
            "Domanda n.".to_owned(),
            protocol(l.view).unwrap_or(NOT_GIVEN).to_owned(),
        ),
        ("Richiedente".to_owned(), applicant(l)),
        ("Codice fiscale".to_owned(), codice_fiscale(l)),
        ("Nato/a il".to_owned(), birth(l)),
        ("Residenza".to_owned(), residence(l)),
    ]
}

fn application_fields(l: &Letter) -> Vec<(String, String)> {
    let app = &l.view.app;
    vec![
        ("Prestazione richiesta".to_owned(), benefit_name(l)),
        (
            "Tipo di prestazione".to_owned(),
            format!(
                "{}, {}",
                l.benefit.periodicity.label(),
                l.benefit.delivery.label()
            ),
        ),
        (
            "Presentata il".to_owned(),
            date_or(app.submitted_on, NOT_GIVEN_F),
        ),
        (
            "Protocollo".to_owned(),
            protocol(l.view).unwrap_or(NOT_GIVEN).to_owned(),
        ),
        ("Canale".to_owned(), capitalized(app.channel.label())),
        (
            "Termine del procedimento".to_owned(),
            date_or(app.due_on, NOT_GIVEN),
        ),
    ]
}

fn decimal_words(d: rust_decimal::Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

fn attestation_fields(a: &AttestationData) -> Vec<(String, String)> {
    let mut rows = vec![
        (
            "Attestazione ISEE".to_owned(),
            format!(
                "protocollo {}, DSU presentata il {}",
                a.protocol.as_str(),
                format_date(a.submitted_on)
            ),
        ),
        (
            "Tipo di ISEE".to_owned(),
            format!(
                "{}{}",
                a.variant.label(),
                if a.corrente { " (ISEE corrente)" } else { "" }
            ),
        ),
        ("Valore ISEE".to_owned(), a.isee.format()),
        ("ISE".to_owned(), a.ise.format()),
        ("Scala di equivalenza".to_owned(), decimal_words(a.scala)),
        ("Componenti del nucleo".to_owned(), a.members.to_string()),
        ("Valida fino al".to_owned(), format_date(a.valid_until())),
    ];
    let flagged = match (a.omissioni, a.difformita) {
        (true, true) => Some("omissioni e difformità"),
        (true, false) => Some("omissioni"),
        (false, true) => Some("difformità"),
        (false, false) => None,
    };
    rows.push((
        "Omissioni o difformità".to_owned(),
        match flagged {
            Some(what) => format!(
                "l'attestazione riporta {what} rilevate nei controlli sulla DSU (DPCM 159/2013, art. 11)"
            ),
            None => "non rilevate".to_owned(),
        },
    ));
    rows
}

fn declared_fields(l: &Letter) -> Vec<(String, String)> {
    let d = &l.view.app.declared;
    let mut rows = Vec::new();
    if let Some(since) = d.resident_since {
        rows.push(("Residente dal".to_owned(), format_date(since)));
    }
    if d.disability {
        rows.push((
            "Disabilità o non autosufficienza".to_owned(),
            "dichiarata".to_owned(),
        ));
    }
    if let Some(cost) = d.cost {
        rows.push(("Costo dichiarato".to_owned(), cost.format()));
    }
    if let Some(units) = d.units {
        let unit = l
            .view
            .app
            .outcome
            .as_ref()
            .and_then(|o| o.amount.as_ref())
            .and_then(|a| a.per_unit)
            .map(|(u, _)| u.words(units));
        rows.push((
            "Quantità mensile richiesta".to_owned(),
            match unit {
                Some(u) => format!("{units} {u}"),
                None => units.to_string(),
            },
        ));
    }
    if l.benefit.periodicity == Periodicity::Periodic {
        rows.push((
            "Durata richiesta".to_owned(),
            if d.months > 0 {
                months_words(d.months)
            } else {
                NOT_GIVEN_F.to_owned()
            },
        ));
    }
    rows
}

/// The rule applied, for the "Visti": "art. 18 del Regolamento …, nel testo in vigore dal …".
fn rule_words(outcome: Option<&Outcome>) -> String {
    match outcome {
        Some(o) if !o.citation.trim().is_empty() => format!(
            "{}, nel testo in vigore dal {}",
            o.citation.trim(),
            format_date(o.rule_valid_from)
        ),
        Some(o) => format!(
            "disposizione non indicata, nel testo in vigore dal {}",
            format_date(o.rule_valid_from)
        ),
        None => "non indicata: le regole della prestazione non sono state applicate alla domanda"
            .to_owned(),
    }
}

fn not_met(outcome: Option<&Outcome>) -> Vec<String> {
    outcome
        .map(|o| {
            o.checks
                .iter()
                .filter(|c| c.status == CheckStatus::NotMet && !c.text.trim().is_empty())
                .map(|c| c.text.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn checks_table(doc: &mut Document, outcome: &Outcome) {
    let rows: Vec<Vec<String>> = outcome
        .checks
        .iter()
        .map(|c| {
            vec![
                capitalized(&or_missing(&c.text, NOT_GIVEN)),
                status_word(c.status).to_owned(),
            ]
        })
        .collect();
    doc.table(&["Requisito o verifica", "Esito"], &[5, 2], &rows);
}

fn office_fields(l: &Letter) -> Vec<(String, String)> {
    let office = match (l.office().trim(), l.issuer.trim()) {
        (o, "") => o.to_owned(),
        (o, i) => format!("{o} – {i}"),
    };
    let mut rows = vec![("Ufficio competente".to_owned(), office)];
    let lh = l.letterhead;
    for (label, value) in [
        ("Sede", lh.address_line()),
        ("Contatti", lh.contacts_line()),
        ("Orari di apertura", lh.hours_words()),
    ] {
        if !value.is_empty() {
            rows.push((label.to_owned(), value));
        }
    }
    rows.push((
        "Responsabile".to_owned(),
        or_missing(lh.signer(l.acted_by), NOT_GIVEN),
    ));
    rows
}

fn signature(doc: &mut Document, l: &Letter) {
    doc.signatures(&[l.letterhead.signature_label(l.acted_by).as_str()]);
}

fn decision_title(view: &store::ApplicationView, verdict: Verdict) -> String {
    let what = if verdict == Verdict::Pending {
        "Schema di provvedimento"
    } else {
        "Provvedimento"
    };
    match protocol(view) {
        Some(p) => format!("{what} sulla domanda n. {p}"),
        None => format!("{what} sulla domanda (protocollo non indicato)"),
    }
}

/// The notice before rejection an application received, and what came of it.
struct NoticeReply<'a> {
    act: Option<&'a store::Act>,
    /// The day the notice was sent, from the history.
    sent_on: Option<Date>,
    /// `Some(true)`: observations arrived; `Some(false)`: none within the term; `None`:
    /// not recorded (or the notice is still pending).
    observations: Option<bool>,
    /// The day the procedure moved on from the notice.
    answered_on: Option<Date>,
}

impl NoticeReply<'_> {
    /// What the decision considers about the observations (art. 10-bis: the final act gives
    /// the reasons for not accepting them).
    fn considered(&self, verdict: Verdict) -> String {
        let on = self
            .answered_on
            .map(|d| format!(" (registrato il {})", format_date(d)))
            .unwrap_or_default();
        match (self.observations, verdict) {
            (Some(true), Verdict::Reject) => format!(
                "il richiedente ha presentato osservazioni sulla comunicazione dei motivi ostativi{on}; esaminate, esse non superano i motivi ostativi, per le ragioni esposte nella motivazione."
            ),
            (Some(true), _) => format!(
                "il richiedente ha presentato osservazioni sulla comunicazione dei motivi ostativi{on}, che sono state esaminate e hanno portato a riprendere l'istruttoria."
            ),
            (Some(false), _) => format!(
                "nel termine di {NOTICE_REPLY_DAYS} giorni dal ricevimento della comunicazione dei motivi ostativi non sono pervenute osservazioni{on}."
            ),
            (None, _) => format!(
                "sono state valutate le osservazioni eventualmente pervenute nel termine di {NOTICE_REPLY_DAYS} giorni dal ricevimento della comunicazione dei motivi ostativi."
            ),
        }
    }
}

fn event_date(at_us: i64) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_us) * 1_000)
        .ok()
        .map(domain::localtime::today)
}

/// The last notice before rejection in the application's history, if any.
fn notice_reply<'a>(l: &'a Letter) -> Option<NoticeReply<'a>> {
    let sent = l
        .events
        .iter()
        .rposition(|e| e.to == ApplicationState::NoticeOfRejection);
    let act = l.act(ActKind::Notice);
    let (sent_on, answer) = match sent {
        Some(i) => (
            event_date(l.events[i].at_us),
            l.events[i + 1..]
                .iter()
                .find(|e| e.from == Some(ApplicationState::NoticeOfRejection)),
        ),
        None if act.is_some() => (None, None),
        None => return None,
    };
    Some(NoticeReply {
        act,
        sent_on,
        observations: answer.and_then(|e| e.observations),
        answered_on: answer.and_then(|e| event_date(e.at_us)),
    })
}

/// "al capitolo 1234/5 del bilancio, impegno n. 456/2026", when the catalogue gives them.
fn accounting_words(b: &BenefitData) -> Option<String> {
    let chapter = b.budget_chapter.trim();
    let commitment = b.commitment.trim();
    let chapter = (!chapter.is_empty()).then(|| format!("al capitolo {chapter} del bilancio"));
    let commitment = (!commitment.is_empty()).then(|| format!("impegno {commitment}"));
    match (chapter, commitment) {
        (Some(c), Some(i)) => Some(format!("{c}, {i}")),
        (Some(c), None) => Some(c),
        (None, Some(i)) => Some(format!("sull'{i}")),
        (None, None) => None,
    }
}

/// The decision as a document, before typesetting.
fn decision_document(l: &Letter) -> Document {
    let app = &l.view.app;
    let outcome = app.outcome.as_ref();
    let verdict = verdict(app.state);
    let name = applicant(l);
    let benefit = benefit_name(l);
    let domanda = application_words(l.view);
    let mut doc = Document::new(l.heading(decision_title(l.view, verdict)));
    let mut top = applicant_fields(l, ("Data", format_date(l.date_of(ActKind::Decision))));
    if verdict != Verdict::Pending {
        top.insert(
            1,
            (
                "Registro degli atti".to_owned(),
                act_words(l.act(ActKind::Decision), ActKind::Decision),
            ),
        );
    }
    fields(&mut doc, &top);

    doc.section("Oggetto");
    let subject = match verdict {
        Verdict::Accept => "Accoglimento",
        Verdict::Reject => "Rigetto",
        Verdict::Archive => "Archiviazione",
        Verdict::Pending => "Decisione",
    };
    doc.paragraph(&format!(
        "{subject} della {domanda} presentata da {name} per la prestazione «{benefit}»."
    ));
    if verdict == Verdict::Pending {
        doc.paragraph(&format!(
            "Schema non adottato: la domanda è nello stato «{}» e non è ancora stata decisa.",
            app.state.label()
        ));
    }

    doc.section("Premesso che");
    doc.paragraph(&format!(
        "{name} ha presentato la {domanda} per la prestazione «{benefit}», come segue:"
    ));
    fields(&mut doc, &application_fields(l));
    match l.attestation {
        Some(a) => {
            doc.paragraph("Alla domanda è associata la seguente attestazione ISEE:");
            fields(&mut doc, &attestation_fields(a));
        }
        None => {
            doc.paragraph(&match l.benefit.isee_variant {
                Some(v) => format!(
                    "Alla domanda non è associata un'attestazione ISEE (la prestazione richiede l'{}).",
                    v.label()
                ),
                None => "Alla domanda non è associata un'attestazione ISEE.".to_owned(),
            });
        }
    }
    let declared = declared_fields(l);
    if declared.is_empty() {
        doc.paragraph("Il richiedente non ha dichiarato altri elementi.");
    } else {
        doc.paragraph("Il richiedente ha dichiarato:");
        fields(&mut doc, &declared);
    }

    doc.section("Visti");
    let mut visti = vec![
        "la Legge 8 novembre 2000, n. 328, «Legge quadro per la realizzazione del sistema integrato di interventi e servizi sociali»".to_owned(),
        "il D.P.C.M. 5 dicembre 2013, n. 159, regolamento sulla revisione delle modalità di determinazione e dei campi di applicazione dell'Indicatore della situazione economica equivalente (ISEE)".to_owned(),
        "la Legge 7 agosto 1990, n. 241, «Nuove norme in materia di procedimento amministrativo e di diritto di accesso ai documenti amministrativi», in particolare gli articoli 3 e 10-bis".to_owned(),
        "l'art. 107 del D.Lgs. 18 agosto 2000, n. 267 (Testo unico delle leggi sull'ordinamento degli enti locali)".to_owned(),
        format!("la disciplina della prestazione: {}", rule_words(outcome)),
    ];
    let reply = notice_reply(l);
    if let Some(r) = &reply {
        visti.push(format!(
            "la comunicazione dei motivi ostativi all'accoglimento{}, inviata al richiedente ai sensi dell'art. 10-bis della L. 241/1990",
            match r.act {
                Some(a) => format!(" n. {} del {}", a.number_words(), format_date(a.issued_on)),
                None => r.sent_on.map(|d| format!(" del {}", format_date(d))).unwrap_or_default(),
            }
        ));
    }
    doc.paragraph(&list(&visti));

    doc.section("Considerato che");
    match outcome {
        Some(o) => {
            doc.paragraph(&format!(
                "l'istruttoria, condotta applicando le regole della prestazione ({}), ha dato il seguente esito:",
                rule_words(Some(o))
            ));
            if o.checks.is_empty() {
                doc.paragraph("Nessun requisito da verificare.");
            } else {
                checks_table(&mut doc, o);
            }
            let missing = not_met(Some(o));
            if o.eligible {
                doc.paragraph("i requisiti previsti per la prestazione risultano soddisfatti.");
            } else if missing.is_empty() {
                doc.paragraph("i requisiti previsti per la prestazione non risultano soddisfatti.");
            } else {
                doc.paragraph(&format!(
                    "i requisiti previsti per la prestazione non risultano soddisfatti:\n{}",
                    list(&missing)
                ));
            }
        }
        None => {
            doc.paragraph(
                "alla domanda non sono state applicate le regole della prestazione: requisiti e importo non indicati.",
            );
        }
    }
    if let Some(r) = &reply {
        doc.paragraph(&r.considered(verdict));
    } else if verdict == Verdict::Reject {
        doc.paragraph(&format!(
            "sono state valutate le osservazioni eventualmente pervenute nel termine di {NOTICE_REPLY_DAYS} giorni dal ricevimento della comunicazione dei motivi ostativi."
        ));
    }

    let figures = figures(l);
    if verdict != Verdict::Archive {
        doc.section("Determinazione dell'importo");
        match &figures {
            Some(f) => fields(&mut doc, &f.fields()),
            None => {
                doc.paragraph("Non è determinato alcun importo.");
            }
        }
    }

    doc.section("Motivazione");
    let note = app.decision_note.trim();
    let motivazione = if !note.is_empty() {
        note.to_owned()
    } else {
        match verdict {
            Verdict::Accept => {
                "la domanda è in possesso dei requisiti previsti, come risulta dall'istruttoria sopra riportata.".to_owned()
            }
            Verdict::Reject => {
                let missing = not_met(outcome);
                if missing.is_empty() {
                    "come risulta dall'istruttoria sopra riportata.".to_owned()
                } else {
                    format!(
                        "la domanda non è in possesso dei requisiti previsti:\n{}",
                        list(&missing)
                    )
                }
            }
            Verdict::Archive | Verdict::Pending => NOT_GIVEN_F.to_owned(),
        }
    };
    doc.paragraph(&capitalized(&motivazione));

    match verdict {
        Verdict::Pending => {
            doc.section("Proposta");
            doc.paragraph(&match outcome {
                Some(o) if o.eligible => format!(
                    "Secondo le regole applicate la {domanda} risulta accoglibile. Il provvedimento sarà adottato al termine dell'istruttoria."
                ),
                Some(_) if app.state == ApplicationState::NoticeOfRejection => format!(
                    "Secondo le regole applicate la {domanda} non risulta accoglibile. È stato inviato il preavviso di rigetto (art. 10-bis della L. 241/1990): il provvedimento sarà adottato valutate le osservazioni o scaduto il termine di {NOTICE_REPLY_DAYS} giorni per presentarle."
                ),
                Some(_) => format!(
                    "Secondo le regole applicate la {domanda} non risulta accoglibile: prima di respingerla va inviato il preavviso di rigetto (art. 10-bis della L. 241/1990)."
                ),
                None => "Il provvedimento sarà adottato al termine dell'istruttoria.".to_owned(),
            });
        }
        _ => {
            doc.section("DISPONE");
            let mut items = Vec::new();
            match verdict {
                Verdict::Accept => {
                    items.push(format!(
                        "di accogliere la {domanda} presentata da {name} e, per l'effetto, di riconoscere la prestazione «{benefit}»"
                    ));
                    if let Some(f) = &figures {
                        items.push(format!("di determinare {}", f.phrase()));
                    }
                    if let Some(charge) = accounting_words(l.benefit) {
                        items.push(format!("di imputare la spesa {charge}"));
                    }
                }
                Verdict::Reject => items.push(format!(
                    "di respingere la {domanda} presentata da {name} per la prestazione «{benefit}», per i motivi sopra esposti"
                )),
                Verdict::Archive | Verdict::Pending => items.push(format!(
                    "di archiviare la {domanda} presentata da {name} per la prestazione «{benefit}»"
                )),
            }
            items.push("di comunicare il presente provvedimento al richiedente".to_owned());
            let n = items.len();
            let text = items
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{}. {t}{}", i + 1, if i + 1 == n { "." } else { ";" }))
                .collect::<Vec<_>>()
                .join("\n");
            doc.paragraph(&text);

            doc.section("Ricorsi");
            doc.paragraph(REMEDIES);
        }
    }

    doc.section("Ufficio e responsabile");
    fields(&mut doc, &office_fields(l));
    doc.paragraph(
        "Gli atti del procedimento possono essere consultati presso l'ufficio (artt. 22 e seguenti della L. 241/1990).",
    );
    signature(&mut doc, l);
    doc
}

/// The notice before rejection as a document, before typesetting.
fn notice_document(l: &Letter) -> Document {
    let app = &l.view.app;
    let outcome = app.outcome.as_ref();
    let name = applicant(l);
    let benefit = benefit_name(l);
    let domanda = application_words(l.view);
    let title = match protocol(l.view) {
        Some(p) => format!("Preavviso di rigetto della domanda n. {p}"),
        None => "Preavviso di rigetto della domanda (protocollo non indicato)".to_owned(),
    };
    let mut doc = Document::new(l.heading(title));
    let mut top = applicant_fields(l, ("Data", format_date(l.date_of(ActKind::Notice))));
    top.insert(
        1,
        (
            "Registro degli atti".to_owned(),
            act_words(l.act(ActKind::Notice), ActKind::Notice),
        ),
    );
    fields(&mut doc, &top);

    doc.section("Oggetto");
    doc.paragraph(&format!(
        "Comunicazione dei motivi ostativi all'accoglimento della {domanda} per la prestazione «{benefit}», ai sensi dell'art. 10-bis della Legge 7 agosto 1990, n. 241."
    ));

    doc.paragraph(&format!(
        "Con riferimento alla {domanda} presentata da {name} il {} ({}) per la prestazione «{benefit}», si comunica, ai sensi dell'art. 10-bis della L. 241/1990, che l'istruttoria ha evidenziato i motivi di seguito indicati, che ostano all'accoglimento della domanda.",
        date_or(app.submitted_on, NOT_GIVEN_F),
        app.channel.label(),
    ));

    doc.section("Norme applicate");
    doc.paragraph(&format!(
        "Legge 8 novembre 2000, n. 328; D.P.C.M. 5 dicembre 2013, n. 159; Legge 7 agosto 1990, n. 241, art. 10-bis; disciplina della prestazione: {}.",
        rule_words(outcome)
    ));

    if let Some(a) = l.attestation {
        doc.section("Attestazione ISEE considerata");
        fields(&mut doc, &attestation_fields(a));
    }

    doc.section("Motivi ostativi all'accoglimento");
    let note = app.decision_note.trim();
    if !note.is_empty() {
        doc.paragraph(&capitalized(note));
    }
    let missing = not_met(outcome);
    if !missing.is_empty() {
        doc.paragraph(&format!(
            "Requisiti non soddisfatti secondo le regole della prestazione:\n{}",
            list(&missing)
        ));
    }
    if note.is_empty() && missing.is_empty() {
        doc.paragraph("Motivi non indicati.");
    }
    if let Some(o) = outcome {
        let warnings: Vec<String> = o
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Warning && !c.text.trim().is_empty())
            .map(|c| c.text.trim().to_owned())
            .collect();
        if !warnings.is_empty() {
            doc.paragraph(&format!("Si segnala inoltre:\n{}", list(&warnings)));
        }
    }

    doc.section("Osservazioni");
    doc.paragraph(&format!(
        "Entro il termine di {NOTICE_REPLY_DAYS} giorni dal ricevimento della presente comunicazione, il richiedente ha il diritto di presentare per iscritto le proprie osservazioni, eventualmente corredate da documenti, all'ufficio sotto indicato, citando la {domanda}. Delle osservazioni si terrà conto nel provvedimento finale, che darà ragione del loro eventuale mancato accoglimento; in mancanza di osservazioni il procedimento si concluderà sulla base degli atti."
    ));

    doc.section("Termini del procedimento");
    doc.paragraph(SUSPENSION);

    doc.section("Ufficio e responsabile");
    fields(&mut doc, &office_fields(l));
    doc.paragraph(
        "Gli atti del procedimento possono essere consultati presso l'ufficio (art. 10 della L. 241/1990).",
    );
    signature(&mut doc, l);
    doc
}

/// The integration request as a document, before typesetting.
fn integration_document(l: &Letter) -> Document {
    let app = &l.view.app;
    let name = applicant(l);
    let benefit = benefit_name(l);
    let domanda = application_words(l.view);
    let act = l.act(ActKind::Integration);
    let asked = act
        .and_then(|a| l.events.iter().find(|e| e.id == a.event_id))
        .or_else(|| {
            l.events
                .iter()
                .rev()
                .find(|e| e.to == ApplicationState::IntegrationRequested)
        });
    let title = match protocol(l.view) {
        Some(p) => format!("Richiesta di integrazione documentale sulla domanda n. {p}"),
        None => "Richiesta di integrazione documentale sulla domanda (protocollo non indicato)"
            .to_owned(),
    };
    let date = l.date_of(ActKind::Integration);
    let mut doc = Document::new(l.heading(title));
    let mut top = applicant_fields(l, ("Data", format_date(date)));
    top.insert(
        1,
        (
            "Registro degli atti".to_owned(),
            act_words(act, ActKind::Integration),
        ),
    );
    fields(&mut doc, &top);

    doc.section("Oggetto");
    doc.paragraph(&format!(
        "Richiesta di integrazione documentale della {domanda} per la prestazione «{benefit}»."
    ));
    doc.paragraph(&format!(
        "Con riferimento alla {domanda} presentata da {name} il {} ({}) per la prestazione «{benefit}», nel corso dell'istruttoria è emerso che per concluderla occorrono documenti o informazioni non ancora presentati. Ai sensi degli articoli 2, comma 7, e 6 della Legge 7 agosto 1990, n. 241, si chiede pertanto di presentare quanto segue.",
        date_or(app.submitted_on, NOT_GIVEN_F),
        app.channel.label(),
    ));

    doc.section("Documenti e informazioni da presentare");
    let what = asked.map(|e| e.note.trim()).unwrap_or_default();
    doc.paragraph(&if what.is_empty() {
        "Non indicati: rivolgersi all'ufficio sotto indicato.".to_owned()
    } else {
        capitalized(what)
    });

    doc.section("Termine");
    doc.paragraph(&format!(
        "Quanto richiesto va presentato all'ufficio sotto indicato entro {INTEGRATION_REPLY_DAYS} giorni dal ricevimento della presente, e comunque entro il {}, citando la {domanda}. In mancanza, la domanda potrà essere archiviata o decisa sulla base degli atti disponibili.",
        format_date(date.saturating_add(Duration::days(INTEGRATION_REPLY_DAYS)))
    ));
    doc.paragraph(
        "Il termine di conclusione del procedimento è sospeso dalla data della presente richiesta fino alla presentazione di quanto richiesto (art. 2, comma 7, della L. 241/1990).",
    );

    doc.section("Ufficio e responsabile");
    fields(&mut doc, &office_fields(l));
    signature(&mut doc, l);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::application::{Channel, Declared, parse_attestation};
    use domain::benefit::{Facts, SeedBenefit, base_catalogue, evaluate};
    use domain::person::{PersonInput, parse_person};
    use time::OffsetDateTime;
    use time::macros::date;
    use uuid::Uuid;

    const TODAY: Date = date!(2026 - 03 - 20);
    static NO_LETTERHEAD: Letterhead = Letterhead {
        office: String::new(),
        address: String::new(),
        postcode: String::new(),
        city: String::new(),
        phone: String::new(),
        pec: String::new(),
        email: String::new(),
        website: String::new(),
        hours: String::new(),
        signer_name: String::new(),
        signer_title: String::new(),
        logo: None,
    };

    fn seed(code: &str) -> SeedBenefit {
        base_catalogue(date!(2026 - 01 - 01))
            .into_iter()
            .find(|s| s.data.code == code)
            .unwrap()
    }

    fn person() -> store::Person {
        let data = parse_person(
            &PersonInput {
                codice_fiscale: "RSSMRA80A01A794J".into(),
                surname: "Rossi".into(),
                given_names: "Mario".into(),
                sex: "M".into(),
                birth_date: "01/01/1980".into(),
                birthplace: "A794".into(),
                citizenship: "italiana".into(),
                residence_istat: "016024".into(),
                residence_street: "Via Roma 12".into(),
                ..PersonInput::default()
            },
            TODAY,
        )
        .unwrap();
        store::Person {
            id: Uuid::nil(),
            org_id: Uuid::nil(),
            data,
            registry: None,
            registry_left_on: None,
            merged_into: None,
            version: 1,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn attestation(variant: &str, isee: &str, ise: &str, isr: &str, isp: &str) -> AttestationData {
        parse_attestation(
            &domain::application::AttestationInput {
                protocol: "INPS-ISEE-2026-00012345A-00".into(),
                submitted_on: "15/01/2026".into(),
                variant: variant.into(),
                isee: isee.into(),
                ise: ise.into(),
                isr: isr.into(),
                isp: isp.into(),
                scala: "2,04".into(),
                members: "3".into(),
                ..Default::default()
            },
            TODAY,
        )
        .unwrap()
    }

    /// An ISEE of 8.500,00 €.
    fn low_isee(variant: &str) -> AttestationData {
        attestation(variant, "8.500,00", "17.340,00", "15.000,00", "11.700,00")
    }

    fn view(
        benefit: &BenefitData,
        state: ApplicationState,
        declared: Declared,
        outcome: Option<Outcome>,
        note: &str,
    ) -> store::ApplicationView {
        let amount = outcome
            .as_ref()
            .and_then(|o| o.amount.as_ref())
            .map(|a| a.value);
        store::ApplicationView {
            app: store::Application {
                id: Uuid::nil(),
                org_id: Uuid::nil(),
                person_id: Uuid::nil(),
                benefit_id: Uuid::nil(),
                protocol: Some("2026/000123".into()),
                state,
                channel: Channel::Counter,
                filed_by: Uuid::nil(),
                reviewer_id: None,
                attestation_id: None,
                declared,
                outcome,
                rule_id: None,
                amount,
                committed: Money::ZERO,
                email: None,
                notes: String::new(),
                submitted_on: Some(date!(2026 - 02 - 02)),
                due_on: Some(date!(2026 - 03 - 04)),
                suspended_since: None,
                notice_on: None,
                decided_on: Some(TODAY),
                decision_note: note.into(),
                version: 1,
                created_at_us: 1,
            },
            surname: "Rossi".into(),
            given_names: "Mario".into(),
            codice_fiscale: Some("RSSMRA80A01A794J".into()),
            benefit_code: benefit.code.clone(),
            benefit_name: benefit.name.clone(),
            needs_isee: benefit.isee_variant.is_some(),
            isee_valid_until: None,
            isee: None,
            filed_by_name: "Anna Verdi".into(),
        }
    }

    fn facts(a: Option<&AttestationData>, declared: &Declared) -> Facts {
        Facts {
            on: date!(2026 - 02 - 02),
            isee: a.map(AttestationData::fact),
            birth_date: date!(1980 - 01 - 01),
            resident: true,
            resident_since: declared.resident_since,
            household_size: 3,
            minors: 1,
            disability: declared.disability,
            other_benefits: Vec::new(),
            cost: declared.cost,
            units: declared.units,
        }
    }

    fn declared(cost: Option<Money>, units: Option<u32>, months: u8) -> Declared {
        Declared {
            resident_since: Some(date!(2015 - 06 - 01)),
            disability: false,
            cost,
            units,
            months,
        }
    }

    fn letter<'a>(
        view: &'a store::ApplicationView,
        person: &'a store::Person,
        benefit: &'a BenefitData,
        attestation: Option<&'a AttestationData>,
    ) -> Letter<'a> {
        Letter {
            issuer: "Comune di Bergamo",
            letterhead: &NO_LETTERHEAD,
            view,
            person,
            benefit,
            attestation,
            acted_by: "Giulia Bianchi",
            acts: &[],
            events: &[],
            date: TODAY,
        }
    }

    fn at(d: Date) -> i64 {
        domain::audit::unix_micros(d.with_hms(10, 0, 0).unwrap().assume_utc())
    }

    fn event(from: ApplicationState, to: ApplicationState, on: Date) -> store::ApplicationEvent {
        store::ApplicationEvent {
            id: Uuid::now_v7(),
            org_id: Uuid::nil(),
            application_id: Uuid::nil(),
            from: Some(from),
            to,
            note: String::new(),
            observations: None,
            actor: "decisore".into(),
            at_us: at(on),
        }
    }

    fn act(kind: ActKind, number: i64, on: Date, e: &store::ApplicationEvent) -> store::Act {
        store::Act {
            id: Uuid::now_v7(),
            org_id: Uuid::nil(),
            kind,
            year: on.year(),
            number,
            issued_on: on,
            application_id: Uuid::nil(),
            event_id: e.id,
            actor: e.actor.clone(),
        }
    }

    /// A notice n. 3/2026 sent on 2 March, answered (or not) on 13 March, then the
    /// decision n. 12/2026 on TODAY.
    fn noticed_then(
        to: ApplicationState,
        observations: Option<bool>,
    ) -> (Vec<store::Act>, Vec<store::ApplicationEvent>) {
        use ApplicationState::*;
        let notice = event(InReview, NoticeOfRejection, date!(2026 - 03 - 02));
        let mut answer = event(
            NoticeOfRejection,
            if to == Rejected { Rejected } else { InReview },
            date!(2026 - 03 - 13),
        );
        answer.observations = observations;
        let mut events = vec![notice.clone(), answer];
        if to != Rejected {
            events.push(event(InReview, to, TODAY));
        }
        let acts = vec![
            act(ActKind::Notice, 3, date!(2026 - 03 - 02), &notice),
            act(ActKind::Decision, 12, TODAY, events.last().unwrap()),
        ];
        (acts, events)
    }

    /// Whether the text `s` is in the document: the blocks hold the text as given, and the
    /// typesetting of blocks into the PDF is print's own tested business, so the document's
    /// debug form is searched, with `s` escaped the same way.
    fn has(doc: &Document, s: &str) -> bool {
        let all = format!("{doc:?}");
        // Amounts are written with a no-break space before the euro sign.
        let needle = format!("{:?}", s.replace(" €", "\u{a0}€"));
        all.contains(&needle[1..needle.len() - 1])
    }

    #[track_caller]
    fn assert_has(doc: &Document, s: &str) {
        assert!(has(doc, s), "«{s}» missing from {doc:#?}");
    }

    #[track_caller]
    fn assert_pdf(bytes: &[u8], title: &str) {
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"));
        // The title (with the protocol) is in the document information, uncompressed.
        let raw = String::from_utf8_lossy(bytes);
        assert!(raw.contains(&format!("({title})")), "title «{title}»");
    }

    /// Assistenza domiciliare: a periodic co-payment by tariff, 5,00 € an hour for an ISEE
    /// of 8.500,00 €, 20 hours a month for 2 months.
    fn home_care() -> (BenefitData, Declared, AttestationData, Outcome) {
        let s = seed("sad");
        let d = declared(None, Some(20), 2);
        let a = low_isee("sociosanitario");
        let o = evaluate(&s.data, s.rule.as_ref().unwrap(), &facts(Some(&a), &d));
        assert!(o.eligible, "{o:?}");
        (s.data, d, a, o)
    }

    #[test]
    fn an_accepted_co_payment_prints_facts_rules_checks_figures_and_remedies() {
        let (b, d, a, o) = home_care();
        let citation = o.citation.clone();
        let v = view(
            &b,
            ApplicationState::Accepted,
            d,
            Some(o),
            "requisiti verificati in istruttoria",
        );
        let p = person();
        let l = letter(&v, &p, &b, Some(&a));
        let doc = decision_document(&l);
        for s in [
            "Provvedimento sulla domanda n. 2026/000123",
            "Oggetto",
            "Accoglimento della domanda n. 2026/000123 presentata da Mario Rossi per la prestazione «Assistenza domiciliare».",
            "RSSMRA80A01A794J",
            "Via Roma 12, Bergamo (BG)",
            "01/01/1980 a Bergamo (BG)",
            "02/02/2026",
            "Sportello del Comune",
            // The attestation.
            "protocollo INPS-ISEE-2026-00012345A-00, DSU presentata il 15/01/2026",
            "ISEE sociosanitario",
            "8.500,00 €",
            "2,04",
            "31/12/2026",
            "non rilevate",
            // The declared facts.
            "20 ore",
            "2 mesi",
            // The laws and the rule.
            "Legge 8 novembre 2000, n. 328",
            "D.P.C.M. 5 dicembre 2013, n. 159",
            "Legge 7 agosto 1990, n. 241",
            format!("{citation}, nel testo in vigore dal 01/01/2026").as_str(),
            // Every check in words.
            "Residente nel territorio dell'ente",
            "soddisfatto",
            "i requisiti previsti per la prestazione risultano soddisfatti.",
            // The figures.
            "Compartecipazione al costo a carico del richiedente",
            "100,00 € al mese",
            "5,00 € per ora",
            "Totale del periodo",
            "200,00 €",
            "tariffa 5,00 € per ora",
            // The decision.
            "DISPONE",
            "1. di accogliere la domanda n. 2026/000123 presentata da Mario Rossi",
            "di determinare una compartecipazione al costo a carico del richiedente di 100,00 € al mese per 2 mesi, per un totale di 200,00 €",
            "Requisiti verificati in istruttoria",
            "ricorso al Tribunale Amministrativo Regionale (TAR) competente entro 60 giorni",
            "ricorso straordinario al Presidente della Repubblica entro 120 giorni",
            "Servizi sociali – Comune di Bergamo",
            "Il responsabile del servizio\nGiulia Bianchi",
            "20/03/2026",
        ] {
            assert_has(&doc, s);
        }
        assert!(!has(&doc, "respingere"));
        assert_pdf(
            &decision_pdf(&l),
            "Provvedimento sulla domanda n. 2026/000123",
        );
    }

    #[test]
    fn a_periodic_contribution_is_paid_by_the_comune_and_later_states_print_as_acceptance() {
        // Integrazione retta RSA: 50 % of the retta, at most 1.200,00 € a month.
        let s = seed("integrazione-rsa");
        let d = declared(Some(Money::from_euro(2_000)), None, 12);
        let a = low_isee("residenze");
        let mut f = facts(Some(&a), &d);
        f.birth_date = date!(1940 - 01 - 01);
        let o = evaluate(&s.data, s.rule.as_ref().unwrap(), &f);
        assert!(o.eligible, "{o:?}");
        let p = person();
        for state in [ApplicationState::Delivering, ApplicationState::Concluded] {
            let v = view(&s.data, state, d.clone(), Some(o.clone()), "");
            let doc = decision_document(&letter(&v, &p, &s.data, Some(&a)));
            for t in [
                "Contributo erogato dal Comune",
                "1.000,00 € al mese",
                "12 mesi",
                "12.000,00 €",
                "di accogliere",
                "un contributo erogato dal Comune di 1.000,00 € al mese per 12 mesi, per un totale di 12.000,00 €",
                "2.000,00 €",
                "La domanda è in possesso dei requisiti previsti",
            ] {
                assert_has(&doc, t);
            }
        }
        // A one-off contribution has no months nor total.
        let s = seed("affitto");
        let d = declared(Some(Money::from_euro(3_000)), None, 12);
        let a = low_isee("ordinario");
        let o = evaluate(&s.data, s.rule.as_ref().unwrap(), &facts(Some(&a), &d));
        assert!(o.eligible, "{o:?}");
        let v = view(&s.data, ApplicationState::Accepted, d, Some(o), "");
        let doc = decision_document(&letter(&v, &p, &s.data, Some(&a)));
        assert_has(
            &doc,
            "un contributo erogato dal Comune di 900,00 € una tantum",
        );
        assert!(!has(&doc, "Totale del periodo"));
        assert!(!has(&doc, "Durata"));
    }

    /// Contributo economico straordinario with an ISEE of 12.000,00 € over its 9.360,00 €.
    fn over_threshold() -> (BenefitData, Declared, AttestationData, Outcome) {
        let s = seed("contributo-straordinario");
        let d = declared(None, None, 12);
        let a = attestation(
            "ordinario",
            "12.000,00",
            "24.480,00",
            "20.000,00",
            "22.400,00",
        );
        let o = evaluate(&s.data, s.rule.as_ref().unwrap(), &facts(Some(&a), &d));
        assert!(!o.eligible, "{o:?}");
        (s.data, d, a, o)
    }

    #[test]
    fn a_rejection_gives_the_unmet_checks_the_notice_and_the_remedies() {
        let (b, d, a, o) = over_threshold();
        let citation = o.citation.clone();
        let mut v = view(
            &b,
            ApplicationState::Rejected,
            d,
            Some(o),
            "ISEE oltre la soglia; nessuna osservazione pervenuta",
        );
        let p = person();
        let (acts, events) = noticed_then(ApplicationState::Rejected, Some(false));
        let l = Letter {
            acts: &acts,
            events: &events,
            ..letter(&v, &p, &b, Some(&a))
        };
        let doc = decision_document(&l);
        for s in [
            "2026/000123",
            "Mario Rossi",
            "Rigetto della domanda n. 2026/000123",
            "Provvedimento n. 12/2026 del 20/03/2026",
            citation.as_str(),
            "ISEE 12.000,00 € superiore alla soglia di 9.360,00 €",
            "non soddisfatto",
            "i requisiti previsti per la prestazione non risultano soddisfatti:\n– ISEE 12.000,00 € superiore alla soglia di 9.360,00 €.",
            "la comunicazione dei motivi ostativi all'accoglimento n. 3/2026 del 02/03/2026, inviata al richiedente ai sensi dell'art. 10-bis della L. 241/1990",
            "nel termine di 10 giorni dal ricevimento della comunicazione dei motivi ostativi non sono pervenute osservazioni (registrato il 13/03/2026).",
            "Non è determinato alcun importo.",
            "ISEE oltre la soglia; nessuna osservazione pervenuta",
            "1. di respingere la domanda n. 2026/000123",
            "entro 60 giorni",
            "entro 120 giorni",
        ] {
            assert_has(&doc, s);
        }
        assert!(!has(&doc, "accogliere"));
        assert_pdf(
            &decision_pdf(&l),
            "Provvedimento sulla domanda n. 2026/000123",
        );

        // Observations that arrived are answered by the motivazione.
        let (acts, events) = noticed_then(ApplicationState::Rejected, Some(true));
        let doc = decision_document(&Letter {
            acts: &acts,
            events: &events,
            ..letter(&v, &p, &b, Some(&a))
        });
        assert_has(
            &doc,
            "il richiedente ha presentato osservazioni sulla comunicazione dei motivi ostativi (registrato il 13/03/2026); esaminate, esse non superano i motivi ostativi, per le ragioni esposte nella motivazione.",
        );
        assert!(!has(&doc, "non sono pervenute osservazioni"));

        // Without a note, the unmet checks are the motivazione.
        v.app.decision_note = String::new();
        let doc = decision_document(&letter(&v, &p, &b, Some(&a)));
        assert_has(
            &doc,
            "La domanda non è in possesso dei requisiti previsti:\n– ISEE 12.000,00 €",
        );
    }

    #[test]
    fn an_archived_application_says_so_without_figures() {
        let (b, d, a, o) = home_care();
        let v = view(
            &b,
            ApplicationState::Archived,
            d,
            Some(o),
            "domanda ritirata dal richiedente",
        );
        let p = person();
        let doc = decision_document(&letter(&v, &p, &b, Some(&a)));
        assert_has(&doc, "Archiviazione della domanda n. 2026/000123");
        assert_has(&doc, "1. di archiviare la domanda n. 2026/000123");
        assert_has(&doc, "Domanda ritirata dal richiedente");
        assert_has(&doc, "entro 60 giorni");
        assert!(!has(&doc, "Determinazione dell'importo"));
    }

    #[test]
    fn the_notice_gives_reasons_ten_days_and_the_suspension_of_the_term() {
        let (b, d, a, o) = over_threshold();
        let citation = o.citation.clone();
        let mut v = view(
            &b,
            ApplicationState::NoticeOfRejection,
            d,
            Some(o),
            "l'ISEE supera la soglia prevista dal regolamento",
        );
        v.app.decided_on = None;
        v.app.notice_on = Some(TODAY);
        let p = person();
        let l = letter(&v, &p, &b, Some(&a));
        let doc = notice_document(&l);
        for s in [
            "Preavviso di rigetto della domanda n. 2026/000123",
            "Mario Rossi",
            "RSSMRA80A01A794J",
            "Via Roma 12, Bergamo (BG)",
            "art. 10-bis della Legge 7 agosto 1990, n. 241",
            citation.as_str(),
            "protocollo INPS-ISEE-2026-00012345A-00",
            "L'ISEE supera la soglia prevista dal regolamento",
            "– ISEE 12.000,00 € superiore alla soglia di 9.360,00 €.",
            "Entro il termine di 10 giorni dal ricevimento della presente comunicazione",
            "osservazioni, eventualmente corredate da documenti",
            "sospende i termini di conclusione del procedimento",
            "Servizi sociali – Comune di Bergamo",
            "Il responsabile del servizio\nGiulia Bianchi",
        ] {
            assert_has(&doc, s);
        }
        // Not a final decision: no remedies, no dispositive.
        assert!(!has(&doc, "DISPONE"));
        assert!(!has(&doc, "120 giorni"));
        assert_pdf(
            &notice_pdf(&l),
            "Preavviso di rigetto della domanda n. 2026/000123",
        );
    }

    fn bergamo() -> Letterhead {
        Letterhead {
            office: "Settore Servizi sociali".into(),
            address: "Piazza Matteotti 27".into(),
            postcode: "24122".into(),
            city: "Bergamo (BG)".into(),
            phone: "035 399111".into(),
            pec: "protocollo@cert.comune.bergamo.it".into(),
            hours: "lun–ven 9–12".into(),
            signer_name: "dott.ssa Anna Bianchi".into(),
            signer_title: "La Responsabile del Servizio".into(),
            ..Letterhead::default()
        }
    }

    #[test]
    fn every_letter_carries_the_letterhead_and_its_signer() {
        let (b, d, a, o) = home_care();
        let v = view(&b, ApplicationState::Accepted, d, Some(o), "");
        let mut noticed = v.clone();
        noticed.app.state = ApplicationState::NoticeOfRejection;
        let p = person();
        let lh = bergamo();
        let (acts, events) = noticed_then(ApplicationState::Accepted, Some(true));
        let l = Letter {
            letterhead: &lh,
            acts: &acts,
            events: &events,
            ..letter(&v, &p, &b, Some(&a))
        };
        let decision = decision_document(&l);
        let notice = notice_document(&Letter {
            view: &noticed,
            letterhead: &lh,
            acts: &acts,
            events: &events,
            ..letter(&v, &p, &b, Some(&a))
        });
        let integration = integration_document(&Letter {
            view: &noticed,
            letterhead: &lh,
            acts: &acts,
            events: &events,
            ..letter(&v, &p, &b, Some(&a))
        });
        for doc in [&decision, &notice, &integration] {
            for s in [
                "Settore Servizi sociali",
                "Piazza Matteotti 27 – 24122 Bergamo (BG)",
                "Tel. 035 399111 · PEC protocollo@cert.comune.bergamo.it",
                "lun–ven 9–12",
                "La Responsabile del Servizio\ndott.ssa Anna Bianchi",
            ] {
                assert_has(doc, s);
            }
            assert!(!has(doc, "Giulia Bianchi"), "the letterhead's signer signs");
        }
        // An acceptance after a notice recalls it and the observations that reopened it.
        for s in [
            "Provvedimento n. 12/2026 del 20/03/2026",
            "la comunicazione dei motivi ostativi all'accoglimento n. 3/2026 del 02/03/2026",
            "hanno portato a riprendere l'istruttoria",
        ] {
            assert_has(&decision, s);
        }
        assert_has(
            &notice,
            "Comunicazione dei motivi ostativi n. 3/2026 del 02/03/2026",
        );
    }

    #[test]
    fn an_acceptance_charges_the_benefit_s_chapter_and_commitment() {
        let (mut b, d, a, o) = home_care();
        let v = view(&b, ApplicationState::Accepted, d, Some(o), "");
        let p = person();
        assert!(!has(
            &decision_document(&letter(&v, &p, &b, Some(&a))),
            "imputare"
        ));
        b.budget_chapter = "1234/5".into();
        b.commitment = "n. 456/2026".into();
        let doc = decision_document(&letter(&v, &p, &b, Some(&a)));
        assert_has(
            &doc,
            "3. di imputare la spesa al capitolo 1234/5 del bilancio, impegno n. 456/2026;",
        );
        b.budget_chapter = String::new();
        let doc = decision_document(&letter(&v, &p, &b, Some(&a)));
        assert_has(&doc, "di imputare la spesa sull'impegno n. 456/2026;");
    }

    #[test]
    fn the_integration_request_says_what_is_missing_and_by_when() {
        let (b, d, a, o) = home_care();
        let mut v = view(&b, ApplicationState::IntegrationRequested, d, Some(o), "");
        v.app.decided_on = None;
        let p = person();
        let mut asked = event(
            ApplicationState::InReview,
            ApplicationState::IntegrationRequested,
            date!(2026 - 03 - 05),
        );
        asked.note = "certificato di invalidità civile".into();
        let acts = vec![act(ActKind::Integration, 7, date!(2026 - 03 - 05), &asked)];
        let events = vec![asked];
        let l = Letter {
            acts: &acts,
            events: &events,
            ..letter(&v, &p, &b, Some(&a))
        };
        let doc = integration_document(&l);
        for s in [
            "Richiesta di integrazione documentale sulla domanda n. 2026/000123",
            "Richiesta di integrazione documentale n. 7/2026 del 05/03/2026",
            "05/03/2026",
            "Certificato di invalidità civile",
            "entro 30 giorni dal ricevimento della presente, e comunque entro il 04/04/2026",
            "art. 2, comma 7",
            "Il responsabile del servizio\nGiulia Bianchi",
        ] {
            assert_has(&doc, s);
        }
        assert_pdf(
            &integration_pdf(&l),
            "Richiesta di integrazione documentale sulla domanda n. 2026/000123",
        );
        assert_eq!(integration_file_name(&v), "integrazione-2026-000123.pdf");
        // Not yet numbered: it says so rather than inventing a number.
        let doc = integration_document(&Letter { acts: &[], ..l });
        assert_has(
            &doc,
            "Richiesta di integrazione documentale: non ancora numerato nel registro degli atti",
        );
    }

    #[test]
    fn missing_outcome_attestation_protocol_and_names_print_as_not_given() {
        let b = seed("sad").data;
        let mut v = view(
            &b,
            ApplicationState::Accepted,
            Declared {
                resident_since: None,
                disability: false,
                cost: None,
                units: None,
                months: 0,
            },
            None,
            "",
        );
        v.app.protocol = None;
        v.app.submitted_on = None;
        v.app.due_on = None;
        let mut p = person();
        p.data.codice_fiscale = None;
        p.data.residence = None;
        let l = Letter {
            issuer: "",
            acted_by: " ",
            ..letter(&v, &p, &b, None)
        };
        let doc = decision_document(&l);
        for s in [
            "Provvedimento sulla domanda (protocollo non indicato)",
            "non indicato",
            "non indicata",
            "Alla domanda non è associata un'attestazione ISEE (la prestazione richiede l'ISEE sociosanitario).",
            "le regole della prestazione non sono state applicate alla domanda",
            "Non è determinato alcun importo.",
            "di accogliere la domanda (protocollo non indicato)",
            "entro 60 giorni",
        ] {
            assert_has(&doc, s);
        }
        let pdf = decision_pdf(&l);
        assert!(pdf.starts_with(b"%PDF-"));
        let pdf = notice_pdf(&l);
        assert!(pdf.starts_with(b"%PDF-"));
        assert_has(&notice_document(&l), "Motivi non indicati.");
        assert_eq!(
            decision_file_name(&v),
            format!("provvedimento-{}.pdf", Uuid::nil())
        );

        // An amount without an outcome still prints, and an empty person falls back on
        // the application's names.
        v.app.amount = Some(Money::from_euro(50));
        p.data.surname = String::new();
        p.data.given_names = String::new();
        let doc = decision_document(&letter(&v, &p, &b, None));
        assert_has(&doc, "50,00 € al mese");
        assert_has(&doc, "Mario Rossi");
    }

    #[test]
    fn an_open_application_prints_as_a_draft_not_a_decision() {
        let (b, d, a, o) = home_care();
        let v = view(&b, ApplicationState::InReview, d, Some(o), "");
        let p = person();
        let l = letter(&v, &p, &b, Some(&a));
        let doc = decision_document(&l);
        assert_has(&doc, "Schema di provvedimento sulla domanda n. 2026/000123");
        assert_has(&doc, "«in istruttoria»");
        assert_has(&doc, "risulta accoglibile");
        assert!(!has(&doc, "DISPONE"));
        assert!(decision_pdf(&l).starts_with(b"%PDF-"));
    }

    #[test]
    fn file_names_carry_the_protocol() {
        let b = seed("sad").data;
        let mut v = view(
            &b,
            ApplicationState::Accepted,
            declared(None, None, 1),
            None,
            "",
        );
        assert_eq!(decision_file_name(&v), "provvedimento-2026-000123.pdf");
        assert_eq!(notice_file_name(&v), "preavviso-2026-000123.pdf");
        v.app.protocol = Some(" 2026 / 7 \"x\" ".into());
        assert_eq!(decision_file_name(&v), "provvedimento-2026-7-x.pdf");
        v.app.protocol = Some("//".into());
        assert_eq!(
            notice_file_name(&v),
            format!("preavviso-{}.pdf", Uuid::nil())
        );
    }

    #[test]
    fn hostile_text_never_panics() {
        let (b, d, a, mut o) = home_care();
        o.checks.push(domain::benefit::Check {
            status: CheckStatus::Warning,
            text: "  ".into(),
        });
        o.citation = String::new();
        let mut v = view(
            &b,
            ApplicationState::Rejected,
            d,
            Some(o),
            "🙂\u{0}\n\n(x) \\ ",
        );
        v.app.declared.months = 255;
        v.app.amount = Some(Money(i64::MAX));
        let mut p = person();
        p.data.given_names = "É\u{301}\u{200b}".into();
        let l = letter(&v, &p, &b, Some(&a));
        assert!(decision_pdf(&l).starts_with(b"%PDF-"));
        assert!(notice_pdf(&l).starts_with(b"%PDF-"));
    }
}
