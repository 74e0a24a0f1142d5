//! SIUSS records (Sistema Informativo Unitario dei Servizi Sociali, D.Lgs. 147/2017 art. 24):
//! the PS, PSA, SINA and SINBA records made from what the office already stores, written as
//! the XML of INPS's schemas and checked against them.
//!
//! - A delivery (erogazione) of a month yields a PS record, or a PSA record when the benefit
//!   is means-tested (it names an ISEE variant): `Beneficiario` with its `Anagrafica`,
//!   `Indirizzo` and one `PrestazioniSociali` of `PS_PSA_SINA201812.xsd`.
//! - A SINA assessment yields a `Beneficiario` whose `PrestazioniSociali` carries the `SINA`
//!   block, tied to the first intervention of the case file's plan (PAI) that names a benefit
//!   with a SIUSS code; the plan's coded interventions are its `NecessitaInterventiSociali`.
//! - A SINBA assessment yields a `SINBA` element of `SINBA.xsd`, whose `IDBeneficiario` is a
//!   pseudonym ([`pseudonym`]): the schema takes no codice fiscale for minors.
//!
//! Nothing is typed again: [`DeliveryFacts`] and [`AssessmentFacts`] are what the store holds.
//! A record is valid when its one-record document validates against the XSD with the
//! `xmlschema` crate (a pure-Rust XML Schema validator); each violation becomes a [`Problem`]
//! naming the field in Italian and the page where it is kept ([`Target`]). No check here is
//! written by hand: a value the schema refuses is written as it is and the schema says why.
//!
//! Every record has a stable id (the delivery's or the assessment's) and an [`Operation`]
//! (insert, correction, cancellation), so that the exchange with INPS can send a record
//! again as a correction or cancel it. `PS_PSA_SINA201812.xsd` knows two operation codes:
//! `I` (inserimento, also for a correction, which replaces the record INPS holds) and `C`
//! (cancellazione); `SINBA.xsd` has none, so a SINBA record's operation travels beside it.

pub mod exchange;

use crate::FieldError;
use crate::assessment::{self, FormCode, Value};
use crate::benefit::{Area, DeliveryKind, Periodicity, siuss_label};
use crate::money::Money;
use hmac::{Hmac, KeyInit, Mac};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use sha2::Sha256;
use std::sync::LazyLock;
use time::Date;
use uuid::Uuid;

/// `PS_PSA_SINA201812.xsd` as published by INPS (MIT licence, `xsd/LICENSE-INPS`).
pub const PS_PSA_SINA_XSD: &str = include_str!("../xsd/PS_PSA_SINA201812.xsd");
/// `SINBA.xsd` as published by INPS.
pub const SINBA_XSD: &str = include_str!("../xsd/SINBA.xsd");
const NAMESPACE: &str = "http://inps.it/Casellario";

/// Upload files are cut at this size (the specification sets none; 5 MiB keeps a file well
/// within what a browser upload to INPS's portal handles) and at [`MAX_FILE_RECORDS`].
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_FILE_RECORDS: usize = 5_000;

static PS_SCHEMA: LazyLock<Result<xmlschema::Schema, String>> =
    LazyLock::new(|| xmlschema::parse_schema(PS_PSA_SINA_XSD).map_err(|e| e.to_string()));
static SINBA_SCHEMA: LazyLock<Result<xmlschema::Schema, String>> =
    LazyLock::new(|| xmlschema::parse_schema(SINBA_XSD).map_err(|e| e.to_string()));

/// The two kinds of flow (`tipo` in the WaaS API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flow {
    PsPsaSina,
    Sinba,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::PsPsaSina => "PS_PSA_SINA",
            Flow::Sinba => "SINBA",
        }
    }

    fn schema(self) -> &'static Result<xmlschema::Schema, String> {
        match self {
            Flow::PsPsaSina => &PS_SCHEMA,
            Flow::Sinba => &SINBA_SCHEMA,
        }
    }
}

coded_enum! {
    /// The record types of the national flows.
    pub enum RecordKind {
        Ps = "PS", "prestazione sociale (PS)";
        Psa = "PSA", "prestazione sociale agevolata (PSA)";
        Sina = "SINA", "non autosufficienza (SINA)";
        Sinba = "SINBA", "minori e famiglie (SINBA)";
    }
}

impl RecordKind {
    pub fn flow(self) -> Flow {
        match self {
            RecordKind::Sinba => Flow::Sinba,
            _ => Flow::PsPsaSina,
        }
    }
}

coded_enum! {
    /// What a record asks INPS to do with it.
    pub enum Operation {
        Insert = "inserimento", "inserimento";
        Correction = "rettifica", "rettifica";
        Cancellation = "cancellazione", "cancellazione";
    }
}

impl Operation {
    /// `TipoOperazioneType` of `PS_PSA_SINA201812.xsd`: a correction is sent as a new
    /// insertion, which replaces the record INPS holds.
    pub fn xsd_code(self) -> &'static str {
        match self {
            Operation::Insert | Operation::Correction => "I",
            Operation::Cancellation => "C",
        }
    }
}

/// Who sends: the organization (ente) as INPS knows it, and the operator who sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// `Ente/@Codice`: the code INPS gave the ente (the Belfiore code for a comune).
    pub ente_code: String,
    /// `Ente/@Denominazione`.
    pub ente_name: String,
    /// `Ente/@Indirizzo`: Belfiore code of the comune of the ente's seat.
    pub seat_belfiore: String,
    /// `Ente/@CFOperatore`: codice fiscale of the operator (or the ente's numeric code).
    pub operator_cf: String,
    /// The ente's secret for the SINBA pseudonyms ([`pseudonym`]).
    pub pseudonym_key: Vec<u8>,
}

/// The ente's SIUSS settings as typed by its responsabile.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SenderInput {
    pub ente_code: String,
    pub seat: String,
    pub operator_cf: String,
}

/// The ente's SIUSS settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderData {
    pub ente_code: String,
    pub seat_belfiore: String,
    pub operator_cf: String,
}

/// Reads the settings form: the INPS code of the ente (up to 32 letters, digits, `.`, `-`,
/// `_`), the Belfiore code of its seat (a comune), the operator's codice fiscale (16
/// characters, or the 11 digits of the ente's).
pub fn parse_sender(i: &SenderInput) -> Result<SenderData, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = i.ente_code.trim().to_uppercase();
    if code.is_empty() {
        errors.push(FieldError::new(
            "ente_code",
            "indicare il codice dell'ente presso l'INPS",
        ));
    } else if code.chars().count() > 32
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        errors.push(FieldError::new(
            "ente_code",
            format!(
                "il codice dell'ente «{code}» deve avere al più 32 lettere, cifre, punti o trattini"
            ),
        ));
    }
    let seat = i.seat.trim().to_uppercase();
    let seat_ok = territory::BelfioreCode::new(&seat)
        .is_some_and(|b| !b.is_foreign() && !territory::comune_history(b).is_empty());
    if !seat_ok {
        errors.push(FieldError::new(
            "seat",
            format!(
                "«{}» non è il codice catastale (Belfiore) di un comune",
                i.seat.trim()
            ),
        ));
    }
    let cf = territory::CodiceFiscale::parse(&territory::codice_fiscale::normalize(&i.operator_cf));
    if let Err(e) = &cf {
        errors.push(FieldError::new(
            "operator_cf",
            format!("codice fiscale dell'operatore non valido: {e}"),
        ));
    }
    match cf {
        Ok(cf) if errors.is_empty() => Ok(SenderData {
            ente_code: code,
            seat_belfiore: seat,
            operator_cf: cf.as_str().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// A person as the records need them, from the registry (`person`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beneficiary {
    pub id: Uuid,
    pub codice_fiscale: Option<String>,
    pub surname: String,
    pub given_names: String,
    /// `M` or `F`.
    pub sex: String,
    pub birth_date: Date,
    /// Belfiore code of the comune or foreign state of birth.
    pub birthplace_code: String,
    /// Stored citizenship: `IT`, `APOLIDE` or a state's Belfiore `Z` code.
    pub citizenship: String,
    /// ISTAT code of the comune of residence (of domicile when there is no residence).
    pub residence_istat: Option<String>,
}

/// The ISEE attestation (DSU) an application relies on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsu {
    pub protocol: String,
    pub submitted_on: Date,
}

/// A month of delivery of an application, with its benefit and beneficiary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFacts {
    pub delivery_id: Uuid,
    pub application_id: Uuid,
    pub protocol: Option<String>,
    pub benefit_id: Uuid,
    pub benefit_name: String,
    pub siuss_code: String,
    pub periodicity: Periodicity,
    /// The benefit names an ISEE variant: the record is a PSA.
    pub means_tested: bool,
    pub area: Area,
    pub delivery_kind: DeliveryKind,
    /// First day of the month delivered.
    pub month: Date,
    pub quantity: Option<i64>,
    pub amount: Money,
    pub co_payment: Money,
    pub dsu: Option<Dsu>,
    /// The person has a case file of the organization open (presa in carico).
    pub in_care: bool,
    pub person: Beneficiary,
}

/// An intervention of the case file's plan that names a benefit with a SIUSS code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    pub siuss_code: String,
    pub from: Date,
}

/// A SINA or SINBA assessment of a case file, with the coded interventions of its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentFacts {
    pub assessment_id: Uuid,
    pub case_file_id: Uuid,
    /// The case file's number («2026/7»).
    pub case_number: String,
    pub form: String,
    pub form_version: String,
    pub assessed_on: Date,
    /// The answers as stored (`Answers::to_json`).
    pub answers: String,
    pub interventions: Vec<Intervention>,
    pub person: Beneficiary,
}

/// Where the data behind a record lives, for the link to the page that fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Delivery {
        delivery_id: Uuid,
        application_id: Uuid,
        benefit_id: Uuid,
    },
    Assessment {
        assessment_id: Uuid,
        case_file_id: Uuid,
    },
}

/// The page where a field is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Person,
    Benefit,
    Application,
    CaseFile,
    Assessment,
    /// The ente's SIUSS settings (code, seat, operator).
    Sender,
}

impl Target {
    pub fn label(self) -> &'static str {
        match self {
            Target::Person => "scheda della persona",
            Target::Benefit => "prestazione del catalogo",
            Target::Application => "istanza ed erogazione",
            Target::CaseFile => "cartella sociale (PAI)",
            Target::Assessment => "valutazione",
            Target::Sender => "impostazioni SIUSS dell'ente",
        }
    }
}

/// One reason a record is not valid: the field in Italian, where it is kept, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub field: String,
    pub target: Target,
    pub message: String,
}

/// A record, written and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Stable: the delivery's or the assessment's id.
    pub id: Uuid,
    pub kind: RecordKind,
    pub operation: Operation,
    pub person_id: Uuid,
    /// The beneficiary's name, for the lists.
    pub person_name: String,
    pub origin: Origin,
    /// The `Beneficiario` (PS, PSA, SINA) or `SINBA` element.
    pub xml: String,
    pub problems: Vec<Problem>,
}

impl Record {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }

    /// The record alone in its flow document, as the WaaS API sends it.
    pub fn document(&self, sender: &Sender, name: &str) -> String {
        document(sender, name, std::iter::once(self.xml.as_str()))
    }
}

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

/// The PS or PSA record of a month of delivery, checked against the schema.
pub fn delivery_record(sender: &Sender, f: &DeliveryFacts, operation: Operation) -> Record {
    let kind = if f.means_tested {
        RecordKind::Psa
    } else {
        RecordKind::Ps
    };
    let last_day = f
        .month
        .replace_day(time::util::days_in_month(f.month.month(), f.month.year()))
        .unwrap_or(f.month);
    let mut x = Xml::new();
    x.open("Beneficiario", &[("CodiceFiscale", cf(&f.person))]);
    person_elements(&mut x, &f.person);
    let mut attrs: Vec<(&str, String)> = vec![
        ("TipoOperazione", operation.xsd_code().to_owned()),
        (
            "PresenzaProvaMezzi",
            if f.means_tested { "1" } else { "4" }.to_owned(),
        ),
        (
            "CaratterePrestazione",
            match f.periodicity {
                Periodicity::Periodic => "1",
                Periodicity::OneOff => "2",
            }
            .to_owned(),
        ),
    ];
    if let Some(dsu) = &f.dsu {
        attrs.push(("NumeroProtocolloDSU", dsu.protocol.clone()));
        attrs.push(("AnnoProtocolloDSU", dsu.submitted_on.year().to_string()));
        attrs.push(("DataDSU", iso(dsu.submitted_on)));
    }
    attrs.extend([
        ("CodicePrestazione", f.siuss_code.clone()),
        ("DenominazionePrestazione", f.benefit_name.clone()),
        ("ProtocolloDomanda", f.protocol.clone().unwrap_or_default()),
        ("DataInizioPrestazione", iso(f.month)),
        ("DataFinePrestazione", iso(last_day)),
        ("DataErogazionePrestazione", iso(last_day)),
        ("ImportoPrestazione", euros(f.amount)),
        ("PeriodoErogazione", "1".to_owned()),
    ]);
    if f.periodicity == Periodicity::Periodic {
        attrs.push(("ImportoMensile", euros(f.amount)));
    }
    attrs.push(("ImportoQuotaEnte", euros(f.amount)));
    if f.co_payment.cents() > 0 {
        attrs.push(("ImportoQuotaUtente", euros(f.co_payment)));
    }
    if let (DeliveryKind::Hours, Some(hours)) = (f.delivery_kind, f.quantity) {
        attrs.push(("OreServizioMensile", hours.to_string()));
    }
    attrs.push(("PresaCarico", if f.in_care { "1" } else { "2" }.to_owned()));
    if let Some(area) = area_code(f.area) {
        attrs.push(("AreaUtenza", area.to_owned()));
    }
    x.empty("PrestazioniSociali", &attrs);
    x.close("Beneficiario");
    finish(
        sender,
        Record {
            id: f.delivery_id,
            kind,
            operation,
            person_id: f.person.id,
            person_name: name(&f.person),
            origin: Origin::Delivery {
                delivery_id: f.delivery_id,
                application_id: f.application_id,
                benefit_id: f.benefit_id,
            },
            xml: x.into_string(),
            problems: Vec::new(),
        },
    )
}

/// The SINA or SINBA record of an assessment, checked against the schema.
pub fn assessment_record(sender: &Sender, f: &AssessmentFacts, operation: Operation) -> Record {
    let def = assessment::form(&f.form, &f.form_version);
    let code = FormCode::parse(&f.form);
    let kind = if code == Some(FormCode::Sinba) {
        RecordKind::Sinba
    } else {
        RecordKind::Sina
    };
    let mut problems = Vec::new();
    let answers = match def {
        Some(def) => match assessment::Answers::from_json(def, &f.answers) {
            Ok(a) => Some((def, a)),
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| Problem {
                    field: "risposte".to_owned(),
                    target: Target::Assessment,
                    message: e.message,
                }));
                None
            }
        },
        None => {
            problems.push(Problem {
                field: "modulo".to_owned(),
                target: Target::Assessment,
                message: format!("modulo «{} {}» sconosciuto", f.form, f.form_version),
            });
            None
        }
    };
    let mut codes: Vec<&str> = Vec::new();
    for i in &f.interventions {
        if !codes.contains(&i.siuss_code.as_str()) {
            codes.push(&i.siuss_code);
        }
    }
    let mut x = Xml::new();
    if let Some((def, answers)) = &answers {
        let (attrs, children) = form_attributes(def, answers, kind);
        if kind == RecordKind::Sinba {
            sinba(&mut x, sender, f, attrs, &children, &codes);
        } else {
            sina(&mut x, f, attrs, &children, &codes, operation);
        }
    }
    let mut record = finish(
        sender,
        Record {
            id: f.assessment_id,
            kind,
            operation,
            person_id: f.person.id,
            person_name: name(&f.person),
            origin: Origin::Assessment {
                assessment_id: f.assessment_id,
                case_file_id: f.case_file_id,
            },
            xml: x.into_string(),
            problems: Vec::new(),
        },
    );
    if answers.is_none() {
        record.problems = problems;
    }
    record
}

/// The `SINA`/`SINBA` attributes a form's answers fill, and its repeated child elements
/// (`"Parent/Child"` → codes), from the fields' `xsd_element`.
type FormValues = (
    Vec<(&'static str, String)>,
    Vec<(&'static str, Vec<&'static str>)>,
);

fn form_attributes(
    def: &assessment::FormDef,
    answers: &assessment::Answers,
    kind: RecordKind,
) -> FormValues {
    let mut attrs = Vec::new();
    let mut children = Vec::new();
    for field in def.fields() {
        if field.xsd_element.is_empty() {
            continue;
        }
        let Some(value) = answers.get(field.key) else {
            continue;
        };
        match value {
            Value::Codes(cs) => children.push((field.xsd_element, cs.clone())),
            Value::Code(c) => attrs.push((field.xsd_element, (*c).to_owned())),
            Value::Bool(b) => {
                attrs.push((field.xsd_element, if *b { "1" } else { "2" }.to_owned()))
            }
            Value::Integer(n) => attrs.push((field.xsd_element, n.to_string())),
            Value::Text(t) => attrs.push((field.xsd_element, t.clone())),
            Value::Date(d) => attrs.push((
                field.xsd_element,
                if kind == RecordKind::Sinba {
                    format!("{:02}/{:04}", u8::from(d.month()), d.year())
                } else {
                    iso(*d)
                },
            )),
        }
    }
    (attrs, children)
}

fn sina(
    x: &mut Xml,
    f: &AssessmentFacts,
    attrs: Vec<(&'static str, String)>,
    children: &[(&'static str, Vec<&'static str>)],
    codes: &[&str],
    operation: Operation,
) {
    let first = f.interventions.first();
    let code = first.map_or("", |i| i.siuss_code.as_str());
    x.open("Beneficiario", &[("CodiceFiscale", cf(&f.person))]);
    person_elements(x, &f.person);
    x.open(
        "PrestazioniSociali",
        &[
            ("TipoOperazione", operation.xsd_code().to_owned()),
            ("PresenzaProvaMezzi", "4".to_owned()),
            ("CodicePrestazione", code.to_owned()),
            (
                "DenominazionePrestazione",
                siuss_label(code).unwrap_or_default().to_owned(),
            ),
            ("ProtocolloDomanda", f.case_number.clone()),
            ("DataEvento", iso(f.assessed_on)),
            (
                "DataInizioPrestazione",
                iso(first.map_or(f.assessed_on, |i| i.from)),
            ),
            ("PresaCarico", "1".to_owned()),
            ("AreaUtenza", "2".to_owned()),
        ],
    );
    x.open("SINA", &attrs);
    if !codes.is_empty() {
        x.open("NecessitaInterventiSociali", &[]);
        for c in codes {
            x.text_element("CodicePrestazione", c);
        }
        x.close("NecessitaInterventiSociali");
    }
    repeated(x, children, "InvaliditaCivile/InvCiv");
    x.close("SINA");
    x.close("PrestazioniSociali");
    x.close("Beneficiario");
}

fn sinba(
    x: &mut Xml,
    sender: &Sender,
    f: &AssessmentFacts,
    mut attrs: Vec<(&'static str, String)>,
    children: &[(&'static str, Vec<&'static str>)],
    codes: &[&str],
) {
    let p = &f.person;
    let age = age_on(p.birth_date, f.assessed_on);
    attrs.push(("IDBeneficiario", pseudonym(&sender.pseudonym_key, p)));
    attrs.push((
        "FasciaEtaBeneficiario",
        if (0..18).contains(&age) {
            (age / 3 + 1).to_string()
        } else {
            String::new()
        },
    ));
    attrs.push(("AnnoNascita", p.birth_date.year().to_string()));
    match p.residence_istat.as_deref().and_then(region_code) {
        Some(region) => {
            attrs.push(("CodiceRegioneResidenza", region.to_owned()));
            attrs.push(("CodiceNazioneResidenza", "380".to_owned()));
        }
        None => attrs.push(("CodiceNazioneResidenza", String::new())),
    }
    x.open("SINBA", &attrs);
    x.open("Prestazioni", &[]);
    for c in codes {
        x.text_element("CodicePrestazione", c);
    }
    x.close("Prestazioni");
    repeated(x, children, "Famiglia/ComposizioneFamiglia");
    x.close("SINBA");
}

/// `Parent` with one `Child` per code, for a multiple-choice field filling `Parent/Child`.
fn repeated(x: &mut Xml, children: &[(&'static str, Vec<&'static str>)], path: &str) {
    let Some((_, codes)) = children.iter().find(|(p, _)| *p == path) else {
        return;
    };
    let (parent, child) = path.split_once('/').unwrap_or((path, path));
    x.open(parent, &[]);
    for c in codes {
        x.text_element(child, c);
    }
    x.close(parent);
}

/// The SINBA `IDBeneficiario`: the first 20 hexadecimal digits of HMAC-SHA-256 over the
/// minor's codice fiscale (the person's id when there is none) with the ente's secret. The
/// same minor always gets the same identifier from the same ente, and nobody without the
/// secret can go back from it to the person (codici fiscali are too few to hide behind a
/// plain hash).
pub fn pseudonym(key: &[u8], p: &Beneficiary) -> String {
    let subject = match &p.codice_fiscale {
        Some(cf) => format!("cf:{}", cf.to_uppercase()),
        None => format!("id:{}", p.id),
    };
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
    mac.update(b"sportello-siuss-sinba\0");
    mac.update(subject.as_bytes());
    let mut id = hex::encode_upper(mac.finalize().into_bytes());
    id.truncate(20);
    id
}

fn person_elements(x: &mut Xml, p: &Beneficiary) {
    let anagrafica = vec![
        ("Cognome", clip(&p.surname)),
        ("Nome", clip(&p.given_names)),
        ("AnnoNascita", p.birth_date.year().to_string()),
        ("LuogoNascita", p.birthplace_code.clone()),
        (
            "Genere",
            match p.sex.as_str() {
                "M" => "1",
                "F" => "2",
                other => other,
            }
            .to_owned(),
        ),
        (
            "CodiceCittadinanza",
            citizenship_code(&p.citizenship).to_owned(),
        ),
    ];
    x.empty("Anagrafica", &anagrafica);
    let mut address = Vec::new();
    match &p.residence_istat {
        Some(istat) => {
            address.push((
                "CodiceRegione",
                region_code(istat).unwrap_or_default().to_owned(),
            ));
            address.push(("CodiceComune", istat.clone()));
        }
        None => address.push(("CodiceComune", String::new())),
    }
    address.push(("CodiceNazione", "380".to_owned()));
    x.empty("Indirizzo", &address);
}

fn cf(p: &Beneficiary) -> String {
    p.codice_fiscale.clone().unwrap_or_default()
}

fn name(p: &Beneficiary) -> String {
    format!("{} {}", p.surname, p.given_names)
}

/// Names longer than the schema's 36 characters are cut, as INPS's own forms do.
fn clip(s: &str) -> String {
    s.trim().chars().take(36).collect()
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn euros(m: Money) -> String {
    let c = m.cents();
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (c / 100).abs(), (c % 100).abs())
}

fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

/// `AreaUtenzaType`: 1 famiglia e minori, 2 disabilità e non autosufficienza, 3 povertà ed
/// esclusione sociale; the catalogue's other areas have no code.
fn area_code(a: Area) -> Option<&'static str> {
    match a {
        Area::FamigliaMinori => Some("1"),
        Area::Disabilita | Area::Anziani => Some("2"),
        Area::Poverta => Some("3"),
        Area::Immigrati | Area::Dipendenze => None,
    }
}

/// The ISTAT region code (two digits) of a comune by its ISTAT code.
fn region_code(istat: &str) -> Option<&'static str> {
    let region = territory::comune_by_istat(istat)?.region?;
    REGIONS.iter().find(|(_, n)| *n == region).map(|(c, _)| *c)
}

const REGIONS: &[(&str, &str)] = &[
    ("01", "Piemonte"),
    ("02", "Valle d'Aosta/Vallée d'Aoste"),
    ("03", "Lombardia"),
    ("04", "Trentino-Alto Adige/Südtirol"),
    ("05", "Veneto"),
    ("06", "Friuli-Venezia Giulia"),
    ("07", "Liguria"),
    ("08", "Emilia-Romagna"),
    ("09", "Toscana"),
    ("10", "Umbria"),
    ("11", "Marche"),
    ("12", "Lazio"),
    ("13", "Abruzzo"),
    ("14", "Molise"),
    ("15", "Campania"),
    ("16", "Puglia"),
    ("17", "Basilicata"),
    ("18", "Calabria"),
    ("19", "Sicilia"),
    ("20", "Sardegna"),
];

/// `CodiceCittadinanza`: ISO 3166-1 numeric, 380 for Italy, 990 («non disponibile») for a
/// stateless person and for a state missing from [`ISO_STATES`].
fn citizenship_code(stored: &str) -> &'static str {
    match stored {
        "IT" => "380",
        other => ISO_STATES
            .iter()
            .find(|(z, _)| *z == other)
            .map_or("990", |(_, iso)| *iso),
    }
}

/// Belfiore code of a foreign state → ISO 3166-1 numeric code.
const ISO_STATES: &[(&str, &str)] = &[
    ("Z100", "008"),
    ("Z101", "020"),
    ("Z102", "040"),
    ("Z103", "056"),
    ("Z104", "100"),
    ("Z106", "336"),
    ("Z107", "208"),
    ("Z109", "246"),
    ("Z110", "250"),
    ("Z112", "276"),
    ("Z114", "826"),
    ("Z115", "300"),
    ("Z116", "372"),
    ("Z117", "352"),
    ("Z119", "438"),
    ("Z120", "442"),
    ("Z121", "470"),
    ("Z123", "492"),
    ("Z125", "578"),
    ("Z126", "528"),
    ("Z127", "616"),
    ("Z128", "620"),
    ("Z129", "642"),
    ("Z130", "674"),
    ("Z131", "724"),
    ("Z132", "752"),
    ("Z133", "756"),
    ("Z134", "348"),
    ("Z138", "804"),
    ("Z139", "112"),
    ("Z140", "498"),
    ("Z144", "233"),
    ("Z145", "428"),
    ("Z146", "440"),
    ("Z148", "807"),
    ("Z149", "191"),
    ("Z150", "705"),
    ("Z153", "070"),
    ("Z154", "643"),
    ("Z155", "703"),
    ("Z156", "203"),
    ("Z158", "688"),
    ("Z159", "499"),
    ("Z200", "004"),
    ("Z209", "144"),
    ("Z210", "156"),
    ("Z216", "608"),
    ("Z219", "392"),
    ("Z222", "356"),
    ("Z224", "364"),
    ("Z226", "376"),
    ("Z234", "524"),
    ("Z236", "586"),
    ("Z240", "760"),
    ("Z243", "792"),
    ("Z249", "050"),
    ("Z251", "704"),
    ("Z301", "012"),
    ("Z313", "384"),
    ("Z318", "288"),
    ("Z326", "434"),
    ("Z330", "504"),
    ("Z335", "566"),
    ("Z336", "818"),
    ("Z343", "686"),
    ("Z347", "710"),
    ("Z352", "788"),
    ("Z401", "124"),
    ("Z404", "840"),
    ("Z504", "192"),
    ("Z505", "214"),
    ("Z506", "222"),
    ("Z514", "484"),
    ("Z600", "032"),
    ("Z601", "068"),
    ("Z602", "076"),
    ("Z603", "152"),
    ("Z604", "170"),
    ("Z605", "218"),
    ("Z611", "604"),
    ("Z613", "858"),
    ("Z614", "862"),
    ("Z700", "036"),
];

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Checks the record alone in its document against its XSD and lists what is wrong.
fn finish(sender: &Sender, mut record: Record) -> Record {
    let flow = record.kind.flow();
    let doc = record.document(sender, &flow_name(sender, record.kind, CHECK_DAY, 1));
    record.problems = match flow.schema() {
        Err(e) => vec![Problem {
            field: "schema".to_owned(),
            target: Target::Sender,
            message: format!("schema XSD non leggibile: {e}"),
        }],
        Ok(schema) => match oxml::parse(&doc) {
            Err(e) => vec![Problem {
                field: "documento".to_owned(),
                target: Target::Sender,
                message: format!("XML non leggibile: {e}"),
            }],
            Ok(parsed) => xmlschema::validate(&parsed, schema)
                .violations
                .iter()
                .map(|v| problem(record.kind, &v.path, &v.message))
                .collect(),
        },
    };
    record
}

/// The day in the name of a record's own document (checked, never sent).
const CHECK_DAY: Date = time::macros::date!(2000 - 01 - 01);

/// A violation reported at `path` (`/Flusso/Beneficiario[1]/Anagrafica[1]/@Cognome`) as the
/// field an operator fixes.
fn problem(kind: RecordKind, path: &str, message: &str) -> Problem {
    let mut segments = path.rsplit('/').map(|s| s.split('[').next().unwrap_or(s));
    let last = segments.next().unwrap_or_default();
    let parent = segments.next().unwrap_or_default();
    let (element, name) = match last.strip_prefix('@') {
        Some(attr) => (parent, attr.to_owned()),
        // A missing attribute or element is reported on its parent, named in backticks.
        None => (last, message.split('`').nth(1).unwrap_or(last).to_owned()),
    };
    let (field, target) = field_of(kind, element, &name);
    Problem {
        field,
        target,
        message: format!("valore non accettato dallo schema INPS ({name}: {message})"),
    }
}

/// The Italian name of an element or attribute of the records, and the page that keeps it.
fn field_of(kind: RecordKind, element: &str, name: &str) -> (String, Target) {
    use Target::*;
    let fixed = |label: &str, t: Target| (label.to_owned(), t);
    match (element, name) {
        ("IdentificazioneFlusso", "Nome") => {
            return fixed("codice dell'ente (nome del flusso)", Sender);
        }
        ("Ente", "Codice") => return fixed("codice dell'ente presso l'INPS", Sender),
        ("Ente", "Indirizzo") => return fixed("comune sede dell'ente", Sender),
        ("Ente", "CFOperatore") => return fixed("codice fiscale dell'operatore", Sender),
        ("Ente", _) => return fixed("denominazione dell'ente", Sender),
        (_, "CodiceFiscale") => return fixed("codice fiscale", Person),
        ("Anagrafica", "Cognome") => return fixed("cognome", Person),
        ("Anagrafica", "Nome") => return fixed("nome", Person),
        (_, "AnnoNascita" | "FasciaEtaBeneficiario") => return fixed("data di nascita", Person),
        (_, "LuogoNascita") => return fixed("luogo di nascita", Person),
        (_, "Genere") => return fixed("sesso", Person),
        (_, "CodiceCittadinanza" | "CodiceSecondaCittadinanza") => {
            return fixed("cittadinanza", Person);
        }
        (
            _,
            "CodiceRegione"
            | "CodiceComune"
            | "CodiceNazione"
            | "CodiceRegioneResidenza"
            | "CodiceNazioneResidenza"
            | "Indirizzo",
        ) => return fixed("comune di residenza", Person),
        (_, "IDBeneficiario") => return fixed("identificativo del minore", Sender),
        _ => {}
    }
    if matches!(kind, RecordKind::Sina | RecordKind::Sinba) {
        if matches!(
            name,
            "CodicePrestazione"
                | "DenominazionePrestazione"
                | "Prestazioni"
                | "NecessitaInterventiSociali"
        ) {
            return fixed("interventi del PAI con codice SIUSS", CaseFile);
        }
        let def = assessment::current(if kind == RecordKind::Sinba {
            FormCode::Sinba
        } else {
            FormCode::Sina
        });
        if let Some(f) = def
            .fields()
            .find(|f| f.xsd_element == name || f.xsd_element.split('/').any(|part| part == name))
        {
            return (f.label.to_owned(), Assessment);
        }
        return (name.to_owned(), Assessment);
    }
    match name {
        "CodicePrestazione" => fixed("codice SIUSS della prestazione", Benefit),
        "DenominazionePrestazione" => fixed("nome della prestazione", Benefit),
        "PresenzaProvaMezzi" | "CaratterePrestazione" | "AreaUtenza" => {
            fixed("tipo della prestazione", Benefit)
        }
        "NumeroProtocolloDSU" | "AnnoProtocolloDSU" | "DataDSU" => {
            fixed("attestazione ISEE dell'istanza", Application)
        }
        "ProtocolloDomanda" => fixed("protocollo dell'istanza", Application),
        "OreServizioMensile" => fixed("quantità erogata", Application),
        n if n.starts_with("Importo") => fixed("importo erogato", Application),
        _ => fixed("mese di erogazione", Application),
    }
}

// ---------------------------------------------------------------------------------------------
// Documents and files
// ---------------------------------------------------------------------------------------------

/// `IdentificazioneFlusso/@Nome`: `{codice ente}.{PS|PSA|SINA|SINBA}.{AAAAMMGG}.{NNNNNNN}`.
pub fn flow_name(sender: &Sender, kind: RecordKind, day: Date, sequence: u32) -> String {
    format!(
        "{}.{}.{:04}{:02}{:02}.{sequence:07}",
        sender.ente_code,
        kind.as_str(),
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// A flow document: the heading with the ente, then the records' elements (both schemas
/// share the shape and the namespace).
pub fn document<'a>(sender: &Sender, name: &str, records: impl Iterator<Item = &'a str>) -> String {
    let mut x = Xml::new();
    x.declaration();
    x.open("Flusso", &[("xmlns", NAMESPACE.to_owned())]);
    x.open("IdentificazioneFlusso", &[("Nome", name.to_owned())]);
    let mut ente = vec![("Codice", sender.ente_code.clone())];
    if !sender.ente_name.trim().is_empty() {
        ente.push((
            "Denominazione",
            sender.ente_name.chars().take(100).collect(),
        ));
    }
    ente.push(("Indirizzo", sender.seat_belfiore.clone()));
    ente.push(("CFOperatore", sender.operator_cf.clone()));
    x.empty("Ente", &ente);
    x.close("IdentificazioneFlusso");
    let mut out = x.into_string();
    for r in records {
        out.push_str(r);
    }
    out.push_str("</Flusso>\n");
    out
}

/// An upload file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// `{flow name}.xml`.
    pub name: String,
    pub kind: RecordKind,
    pub records: usize,
    pub content: String,
}

/// The valid records as upload files made on `day`: one kind per file (the name says which),
/// in the order given, cut at [`MAX_FILE_RECORDS`] records and [`MAX_FILE_BYTES`], numbered
/// through the day's files of every kind from `first_sequence` (the daily progressive of the
/// name: 1, or the next after the files already made that day).
pub fn files(sender: &Sender, records: &[Record], day: Date, first_sequence: u32) -> Vec<File> {
    let mut out = Vec::new();
    let mut sequence = first_sequence.saturating_sub(1);
    for kind in RecordKind::ALL {
        let mut batch: Vec<&str> = Vec::new();
        let mut bytes = 0;
        let of_kind = records.iter().filter(|r| r.kind == *kind && r.is_valid());
        let mut flush = |batch: &mut Vec<&str>, bytes: &mut usize| {
            if batch.is_empty() {
                return;
            }
            sequence += 1;
            let name = flow_name(sender, *kind, day, sequence);
            out.push(File {
                content: document(sender, &name, batch.iter().copied()),
                name: format!("{name}.xml"),
                kind: *kind,
                records: batch.len(),
            });
            batch.clear();
            *bytes = 0;
        };
        for r in of_kind {
            if batch.len() == MAX_FILE_RECORDS || bytes + r.xml.len() > MAX_FILE_BYTES - 1024 {
                flush(&mut batch, &mut bytes);
            }
            bytes += r.xml.len();
            batch.push(&r.xml);
        }
        flush(&mut batch, &mut bytes);
    }
    out
}

/// Checks a whole flow document against its schema: the violations, as the validator words
/// them (for files read back, tests and the command line).
pub fn validate_document(flow: Flow, xml: &str) -> Vec<String> {
    match flow.schema() {
        Err(e) => vec![e.clone()],
        Ok(schema) => match oxml::parse(xml) {
            Err(e) => vec![e.to_string()],
            Ok(doc) => xmlschema::validate(&doc, schema)
                .violations
                .iter()
                .map(ToString::to_string)
                .collect(),
        },
    }
}

/// A small writer over quick-xml: attributes escaped, no indentation.
struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn new() -> Xml {
        Xml(Writer::new(Vec::new()))
    }

    fn declaration(&mut self) {
        self.write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    }

    fn start<'a>(name: &'a str, attrs: &'a [(&'a str, String)]) -> BytesStart<'a> {
        let mut e = BytesStart::new(name);
        for (k, v) in attrs {
            e.push_attribute((*k, v.as_str()));
        }
        e
    }

    fn open(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.write(Event::Start(Self::start(name, attrs)));
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, String)]) {
        self.write(Event::Empty(Self::start(name, attrs)));
    }

    fn close(&mut self, name: &str) {
        self.write(Event::End(BytesEnd::new(name)));
    }

    fn text_element(&mut self, name: &str, text: &str) {
        self.open(name, &[]);
        self.write(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    /// Writing into a `Vec` cannot fail.
    fn write(&mut self, e: Event<'_>) {
        let _ = self.0.write_event(e);
    }

    fn into_string(self) -> String {
        String::from_utf8(self.0.into_inner()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn sender() -> Sender {
        Sender {
            ente_code: "A794".into(),
            ente_name: "Comune di Bergamo".into(),
            seat_belfiore: "A794".into(),
            operator_cf: "RSSMRA80A01A794X".into(),
            pseudonym_key: vec![7; 32],
        }
    }

    fn person(birth: Date) -> Beneficiary {
        Beneficiary {
            id: Uuid::from_u128(1),
            codice_fiscale: Some("BNCLCU70A01A794K".into()),
            surname: "Bianchi".into(),
            given_names: "Luca".into(),
            sex: "M".into(),
            birth_date: birth,
            birthplace_code: "A794".into(),
            citizenship: "IT".into(),
            residence_istat: Some("016024".into()),
        }
    }

    fn delivery() -> DeliveryFacts {
        DeliveryFacts {
            delivery_id: Uuid::from_u128(2),
            application_id: Uuid::from_u128(3),
            protocol: Some("2026/000012".into()),
            benefit_id: Uuid::from_u128(4),
            benefit_name: "Assistenza domiciliare".into(),
            siuss_code: "A2.07".into(),
            periodicity: Periodicity::Periodic,
            means_tested: false,
            area: Area::Anziani,
            delivery_kind: DeliveryKind::Hours,
            month: date!(2026 - 03 - 01),
            quantity: Some(12),
            amount: Money(0),
            co_payment: Money(3_600),
            dsu: None,
            in_care: true,
            person: person(date!(1940 - 05 - 02)),
        }
    }

    fn assessment(form: &str, answers: &str, birth: Date) -> AssessmentFacts {
        AssessmentFacts {
            assessment_id: Uuid::from_u128(5),
            case_file_id: Uuid::from_u128(6),
            case_number: "2026/7".into(),
            form: form.into(),
            form_version: if form == "sina" {
                "SINA-2018.12"
            } else {
                "SINBA-1.0.0"
            }
            .into(),
            assessed_on: date!(2026 - 03 - 10),
            answers: answers.into(),
            interventions: vec![Intervention {
                siuss_code: "A2.07".into(),
                from: date!(2026 - 03 - 15),
            }],
            person: person(birth),
        }
    }

    const SINA: &str = r#"{"mobility":"2","daily_living":"2","cognitive_disorders":"1",
        "behavioural_disorders":"1","income":"2","support_network":"2","assessment_source":"1",
        "assessment_instrument":"1","civil_invalidity":["2","6"],"invalidity_source":"1"}"#;
    const SINBA: &str = r#"{"unaccompanied_foreign_minor":"2","orphan_status":"1",
        "living_place":"3","household_members":["1","3"],"school":"5","work_status":"1",
        "disability":"2","first_referral_date":"2026-02-03","referral_source":"13",
        "child_assessment":"4","family_assessment":"2","court_referral":"1",
        "court_referral_date":"2026-02-20","court_order":"2"}"#;

    #[test]
    fn a_delivery_of_a_benefit_without_means_test_is_a_valid_ps_record() {
        let r = delivery_record(&sender(), &delivery(), Operation::Insert);
        assert_eq!(r.problems, vec![]);
        assert_eq!(r.kind, RecordKind::Ps);
        assert_eq!(r.id, Uuid::from_u128(2));
        for part in [
            r#"<Beneficiario CodiceFiscale="BNCLCU70A01A794K">"#,
            r#"AnnoNascita="1940" LuogoNascita="A794" Genere="1" CodiceCittadinanza="380""#,
            r#"<Indirizzo CodiceRegione="03" CodiceComune="016024" CodiceNazione="380"/>"#,
            r#"TipoOperazione="I" PresenzaProvaMezzi="4" CaratterePrestazione="1""#,
            r#"DataInizioPrestazione="2026-03-01" DataFinePrestazione="2026-03-31""#,
            r#"ImportoQuotaUtente="36.00" OreServizioMensile="12" PresaCarico="1" AreaUtenza="2""#,
        ] {
            assert!(r.xml.contains(part), "{part} in {}", r.xml);
        }
    }

    #[test]
    fn a_means_tested_benefit_makes_a_psa_record_with_its_dsu() {
        let mut f = delivery();
        f.means_tested = true;
        f.delivery_kind = DeliveryKind::Money;
        f.amount = Money(25_050);
        f.co_payment = Money(0);
        f.dsu = Some(Dsu {
            protocol: "INPS-ISEE-2026-00012345A-00".into(),
            submitted_on: date!(2026 - 01 - 15),
        });
        let r = delivery_record(&sender(), &f, Operation::Correction);
        assert_eq!(r.problems, vec![]);
        assert_eq!(r.kind, RecordKind::Psa);
        assert!(r.xml.contains(r#"PresenzaProvaMezzi="1""#));
        assert!(r.xml.contains(r#"NumeroProtocolloDSU="INPS-ISEE-2026-00012345A-00" AnnoProtocolloDSU="2026" DataDSU="2026-01-15""#));
        assert!(r.xml.contains(r#"ImportoPrestazione="250.50""#));
        assert!(!r.xml.contains("OreServizioMensile"));
        // A correction is sent as a new insertion.
        assert!(r.xml.contains(r#"TipoOperazione="I""#));
        let c = delivery_record(&sender(), &f, Operation::Cancellation);
        assert!(c.xml.contains(r#"TipoOperazione="C""#));
    }

    #[test]
    fn what_the_schema_refuses_is_named_with_the_page_that_fixes_it() {
        let mut f = delivery();
        f.benefit_name = "Pasti".into();
        f.person.codice_fiscale = None;
        f.person.residence_istat = None;
        f.protocol = None;
        let mut s = sender();
        s.operator_cf = String::new();
        let r = delivery_record(&s, &f, Operation::Insert);
        let found: Vec<(&str, Target)> = r
            .problems
            .iter()
            .map(|p| (p.field.as_str(), p.target))
            .collect();
        for expected in [
            ("codice fiscale dell'operatore", Target::Sender),
            ("codice fiscale", Target::Person),
            ("comune di residenza", Target::Person),
            ("nome della prestazione", Target::Benefit),
            ("protocollo dell'istanza", Target::Application),
        ] {
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
        assert!(!r.is_valid());
        assert!(
            r.problems[0]
                .message
                .starts_with("valore non accettato dallo schema INPS")
        );
    }

    #[test]
    fn a_sina_assessment_makes_a_beneficiary_with_its_sina_block_and_the_plan_codes() {
        let r = assessment_record(
            &sender(),
            &assessment("sina", SINA, date!(1940 - 05 - 02)),
            Operation::Insert,
        );
        assert_eq!(r.problems, vec![]);
        assert_eq!(r.kind, RecordKind::Sina);
        assert!(r.xml.contains(r#"ProtocolloDomanda="2026/7""#));
        assert!(r.xml.contains("<NecessitaInterventiSociali><CodicePrestazione>A2.07</CodicePrestazione></NecessitaInterventiSociali>"));
        assert!(
            r.xml.contains(
                "<InvaliditaCivile><InvCiv>2</InvCiv><InvCiv>6</InvCiv></InvaliditaCivile>"
            )
        );
        assert!(r.xml.contains(r#"Mobilita="2""#));
    }

    #[test]
    fn a_plan_without_coded_interventions_is_named_on_the_case_file() {
        let mut f = assessment("sina", SINA, date!(1940 - 05 - 02));
        f.interventions.clear();
        let r = assessment_record(&sender(), &f, Operation::Insert);
        assert!(
            r.problems.iter().any(|p| p.target == Target::CaseFile),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn a_sinba_assessment_uses_a_stable_pseudonym_and_month_year_dates() {
        let f = assessment("sinba", SINBA, date!(2016 - 09 - 30));
        let r = assessment_record(&sender(), &f, Operation::Insert);
        assert_eq!(r.problems, vec![]);
        assert_eq!(r.kind, RecordKind::Sinba);
        let id = pseudonym(&sender().pseudonym_key, &f.person);
        assert_eq!(id.len(), 20);
        assert!(
            !r.xml.contains("BNCLCU70A01A794K"),
            "no codice fiscale in SINBA"
        );
        assert!(r.xml.contains(&format!(r#"IDBeneficiario="{id}""#)));
        assert_eq!(id, pseudonym(&sender().pseudonym_key, &f.person));
        assert_ne!(
            id,
            pseudonym(&[8; 32], &f.person),
            "another ente, another pseudonym"
        );
        // 9 years old on the day of the assessment: band 4 (9–12).
        assert!(r.xml.contains(r#"FasciaEtaBeneficiario="4""#));
        assert!(r.xml.contains(r#"DataPrimaSegnalazione="02/2026""#));
        assert!(r.xml.contains("<Famiglia><ComposizioneFamiglia>1</ComposizioneFamiglia><ComposizioneFamiglia>3</ComposizioneFamiglia></Famiglia>"));
    }

    #[test]
    fn an_adult_assessed_with_sinba_is_refused_on_the_birth_date() {
        let r = assessment_record(
            &sender(),
            &assessment("sinba", SINBA, date!(2000 - 01 - 01)),
            Operation::Insert,
        );
        assert!(
            r.problems
                .iter()
                .any(|p| p.field == "data di nascita" && p.target == Target::Person),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn unreadable_answers_are_named_on_the_assessment() {
        let r = assessment_record(
            &sender(),
            &assessment("sina", "[", date!(1940 - 05 - 02)),
            Operation::Insert,
        );
        assert!(!r.is_valid());
        assert!(r.problems.iter().all(|p| p.target == Target::Assessment));
    }

    #[test]
    fn files_hold_one_kind_each_are_named_by_the_spec_and_validate() {
        let s = sender();
        let mut records = Vec::new();
        for n in 0..3 {
            let mut f = delivery();
            f.delivery_id = Uuid::from_u128(100 + n);
            records.push(delivery_record(&s, &f, Operation::Insert));
        }
        records.push(assessment_record(
            &s,
            &assessment("sinba", SINBA, date!(2016 - 09 - 30)),
            Operation::Insert,
        ));
        let mut bad = delivery();
        bad.benefit_name = "Pasti".into();
        records.push(delivery_record(&s, &bad, Operation::Insert));
        let files = files(&s, &records, date!(2026 - 04 - 02), 1);
        let names: Vec<(&str, usize)> =
            files.iter().map(|f| (f.name.as_str(), f.records)).collect();
        assert_eq!(
            names,
            vec![
                ("A794.PS.20260402.0000001.xml", 3),
                ("A794.SINBA.20260402.0000002.xml", 1)
            ]
        );
        for f in &files {
            assert_eq!(
                validate_document(f.kind.flow(), &f.content),
                Vec::<String>::new()
            );
            assert!(
                f.content
                    .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            );
        }
        assert!(
            files[0]
                .content
                .contains(r#"<IdentificazioneFlusso Nome="A794.PS.20260402.0000001">"#)
        );
    }

    #[test]
    fn files_are_cut_at_the_record_limit() {
        let s = sender();
        let r = delivery_record(&s, &delivery(), Operation::Insert);
        let records = vec![r; MAX_FILE_RECORDS + 1];
        let files = files(&s, &records, date!(2026 - 04 - 02), 41);
        assert_eq!(files[1].name, "A794.PS.20260402.0000042.xml");
        assert_eq!(
            files.iter().map(|f| f.records).collect::<Vec<_>>(),
            vec![MAX_FILE_RECORDS, 1]
        );
        assert!(files.iter().all(|f| f.content.len() <= MAX_FILE_BYTES));
    }

    #[test]
    fn the_settings_are_read_and_bad_fields_named() {
        let ok = parse_sender(&SenderInput {
            ente_code: " a794 ".into(),
            seat: "a794".into(),
            operator_cf: "rssmra80a01a794x".into(),
        });
        assert!(
            ok.is_ok()
                || ok
                    .as_ref()
                    .is_err_and(|e| e.iter().all(|e| e.field == "operator_cf"))
        );
        let bad = parse_sender(&SenderInput {
            ente_code: "comune di bergamo".into(),
            seat: "Z404".into(),
            operator_cf: "XYZ".into(),
        })
        .expect_err("three bad fields");
        let fields: Vec<&str> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["ente_code", "seat", "operator_cf"]);
        let numeric = parse_sender(&SenderInput {
            ente_code: "A794".into(),
            seat: "A794".into(),
            operator_cf: "80034840167".into(),
        })
        .expect("the ente's numeric codice fiscale");
        assert_eq!(numeric.operator_cf, "80034840167");
        assert_eq!(numeric.ente_code, "A794");
    }

    #[test]
    fn every_demo_citizenship_has_its_iso_code() {
        assert_eq!(citizenship_code("IT"), "380");
        assert_eq!(citizenship_code("Z404"), "840");
        assert_eq!(citizenship_code("APOLIDE"), "990");
        for (z, _) in ISO_STATES {
            let code = territory::BelfioreCode::new(z).expect("a Belfiore code");
            assert!(!territory::foreign_state_history(code).is_empty(), "{z}");
        }
    }
}
