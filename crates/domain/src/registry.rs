//! The civil-registry import: a comune's list of residents (CSV or JSON, format in
//! `docs/anagrafe-import.md`) read into checked records, and compared with what the anagrafe
//! sociale already holds to find who was born, died, moved in, out or within the comune, or
//! changed name, household, civil status or citizenship. Pure: no I/O.

use crate::dates::{format_date, parse_date};
use crate::person::{
    Address, ComuneRef, PersonData, PersonInput, RegistryEventKind, Relationship, parse_person,
    sex_str,
};
use std::collections::{HashMap, HashSet};
use time::Date;

/// The columns of the format, in the order the example files use. Written once, where the
/// demonstration's generator (which writes the import files) can read it too.
pub const COLUMNS: [&str; 14] = territory::demo::CSV_HEADER;

/// Columns without which no row could be valid: a file lacking one is refused as a whole.
const REQUIRED: [&str; 7] = [
    "id_anpr",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "cittadinanza",
];

const ID: usize = 0;
const CF: usize = 1;
const SURNAME: usize = 2;
const NAME: usize = 3;
const SEX: usize = 4;
const BIRTH: usize = 5;
const BIRTHPLACE: usize = 6;
const CITIZENSHIP: usize = 7;
const CIVIL: usize = 8;
const DEATH: usize = 9;
const STREET: usize = 10;
const RESIDENCE_FROM: usize = 11;
const HOUSEHOLD: usize = 12;
const RELATIONSHIP: usize = 13;

/// One resident as the registry lists them, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRecord {
    /// Line in the CSV file (the header is line 1), or position in `soggetti` (1 = first).
    pub line: usize,
    pub registry_id: String,
    /// The person; `residence` is the import's comune and the row's `indirizzo`.
    pub data: PersonData,
    /// `data_decorrenza_residenza`: resident at this address since.
    pub residence_from: Option<Date>,
    /// `id_famiglia` and `rapporto_parentela`.
    pub household: Option<(String, Relationship)>,
}

/// A row that was not applied: where, which column, why (in Italian).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub line: usize,
    pub field: String,
    pub reason: String,
}

impl Rejection {
    pub fn new(line: usize, field: &str, reason: impl Into<String>) -> Self {
        Self {
            line,
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A file read: its valid records and the rejected rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFile {
    /// Data rows read (the header excluded).
    pub rows_read: usize,
    pub records: Vec<RegistryRecord>,
    pub rejections: Vec<Rejection>,
    /// `data_riferimento` of a JSON file.
    pub reference_date: Option<Date>,
}

/// Why a file cannot be read at all (nothing of it is applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("il file è vuoto")]
    Empty,
    #[error("il file non è testo UTF-8 (riga {0})")]
    NotUtf8(usize),
    #[error("manca la colonna obbligatoria «{0}» nell'intestazione")]
    MissingColumn(String),
    #[error("la colonna «{0}» compare due volte nell'intestazione")]
    RepeatedColumn(String),
    #[error("il file CSV non è leggibile: {0}")]
    Csv(String),
    #[error("il file JSON non è valido: {0}")]
    Json(String),
    #[error("il file è del comune {found}, non di {expected}")]
    WrongComune { found: String, expected: String },
    #[error("la data di riferimento «{0}» non è una data valida (aaaa-mm-gg)")]
    BadReferenceDate(String),
}

/// Reads a CSV or JSON file (told apart by its first character) for the comune `comune`.
/// `today` bounds the dates as in [`parse_person`].
pub fn parse_file(
    bytes: &[u8],
    comune: &ComuneRef,
    belfiore: &str,
    today: Date,
) -> Result<ParsedFile, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(FileError::Empty),
        Some(b'{') => parse_json(bytes, comune, belfiore, today),
        Some(_) => parse_csv(bytes, comune, today),
    }
}

/// Reads the rows into records, one by one; `rows` yields (line, fields in [`COLUMNS`] order).
struct Reader<'a> {
    comune: &'a ComuneRef,
    today: Date,
    out: ParsedFile,
    ids: HashMap<String, usize>,
    codes: HashMap<String, usize>,
}

impl<'a> Reader<'a> {
    fn new(comune: &'a ComuneRef, today: Date) -> Self {
        Self {
            comune,
            today,
            out: ParsedFile::default(),
            ids: HashMap::new(),
            codes: HashMap::new(),
        }
    }

    fn row(&mut self, line: usize, f: [&str; 14]) {
        self.out.rows_read += 1;
        match parse_row(line, &f, self.comune, self.today) {
            Err(mut rejections) => self.out.rejections.append(&mut rejections),
            Ok(record) => {
                if let Some(first) = self.ids.get(&record.registry_id) {
                    self.out.rejections.push(Rejection::new(
                        line,
                        "id_anpr",
                        format!(
                            "l'identificativo {} compare già alla riga {first}",
                            record.registry_id
                        ),
                    ));
                    return;
                }
                if let Some(cf) = record.data.codice_fiscale {
                    if let Some(first) = self.codes.get(cf.as_str()) {
                        self.out.rejections.push(Rejection::new(
                            line,
                            "codice_fiscale",
                            format!(
                                "il codice fiscale {} compare già alla riga {first}",
                                cf.as_str()
                            ),
                        ));
                        return;
                    }
                    self.codes.insert(cf.as_str().to_owned(), line);
                }
                self.ids.insert(record.registry_id.clone(), line);
                self.out.records.push(record);
            }
        }
    }
}

fn parse_csv(bytes: &[u8], comune: &ComuneRef, today: Date) -> Result<ParsedFile, FileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = rdr
        .byte_headers()
        .map_err(|e| FileError::Csv(e.to_string()))?
        .clone();
    let mut index: [Option<usize>; 14] = [None; 14];
    for (i, raw) in header.iter().enumerate() {
        let name = std::str::from_utf8(raw).map_err(|_| FileError::NotUtf8(1))?;
        let name = name.trim().to_lowercase();
        if let Some(c) = COLUMNS.iter().position(|c| *c == name) {
            if index[c].is_some() {
                return Err(FileError::RepeatedColumn(name));
            }
            index[c] = Some(i);
        }
    }
    for r in REQUIRED {
        if COLUMNS
            .iter()
            .position(|c| *c == r)
            .and_then(|c| index[c])
            .is_none()
        {
            return Err(FileError::MissingColumn(r.to_owned()));
        }
    }
    let width = header.len();
    let mut reader = Reader::new(comune, today);
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(FileError::Csv(e.to_string())),
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.len() != width {
            reader.out.rows_read += 1;
            reader.out.rejections.push(Rejection::new(
                line,
                "riga",
                format!(
                    "la riga ha {} campi invece dei {width} dell'intestazione",
                    record.len()
                ),
            ));
            continue;
        }
        let mut fields = [""; 14];
        let mut bad = None;
        for (c, slot) in fields.iter_mut().enumerate() {
            if let Some(i) = index[c] {
                match std::str::from_utf8(record.get(i).unwrap_or_default()) {
                    Ok(s) => *slot = s,
                    Err(_) => bad = Some(COLUMNS[c]),
                }
            }
        }
        if let Some(col) = bad {
            reader.out.rows_read += 1;
            reader.out.rejections.push(Rejection::new(
                line,
                col,
                "il testo non è in UTF-8: salvare il file con codifica UTF-8",
            ));
            continue;
        }
        reader.row(line, fields);
    }
    Ok(reader.out)
}

#[derive(serde::Deserialize)]
struct JsonFile {
    comune: String,
    #[serde(default)]
    data_riferimento: Option<String>,
    soggetti: Vec<serde_json::Map<String, serde_json::Value>>,
}

fn parse_json(
    bytes: &[u8],
    comune: &ComuneRef,
    belfiore: &str,
    today: Date,
) -> Result<ParsedFile, FileError> {
    let file: JsonFile =
        serde_json::from_slice(bytes).map_err(|e| FileError::Json(e.to_string()))?;
    if !file.comune.trim().eq_ignore_ascii_case(belfiore) {
        return Err(FileError::WrongComune {
            found: file.comune.trim().to_owned(),
            expected: belfiore.to_owned(),
        });
    }
    let reference_date = match file.data_riferimento.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => {
            Some(parse_date(raw).ok_or_else(|| FileError::BadReferenceDate(raw.to_owned()))?)
        }
    };
    let mut reader = Reader::new(comune, today);
    for (i, obj) in file.soggetti.iter().enumerate() {
        let line = i + 1;
        let mut owned: [String; 14] = Default::default();
        let mut bad = None;
        for (c, slot) in owned.iter_mut().enumerate() {
            match obj.get(COLUMNS[c]) {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::String(s)) => slot.clone_from(s),
                Some(serde_json::Value::Number(n)) => *slot = n.to_string(),
                Some(_) => bad = Some(COLUMNS[c]),
            }
        }
        if let Some(col) = bad {
            reader.out.rows_read += 1;
            reader
                .out
                .rejections
                .push(Rejection::new(line, col, "il valore deve essere un testo"));
            continue;
        }
        let fields: [&str; 14] = std::array::from_fn(|c| owned[c].as_str());
        reader.row(line, fields);
    }
    let mut out = reader.out;
    out.reference_date = reference_date;
    Ok(out)
}

/// The column of the format that a field of [`PersonInput`] comes from.
fn column_of(field: &str) -> &'static str {
    match field {
        "codice_fiscale" => "codice_fiscale",
        "surname" => "cognome",
        "given_names" => "nome",
        "sex" => "sesso",
        "birth_date" => "data_nascita",
        "birthplace" => "luogo_nascita",
        "citizenship" => "cittadinanza",
        "civil_status" => "stato_civile",
        "death_date" => "data_decesso",
        "residence_street" | "residence_istat" => "indirizzo",
        _ => "riga",
    }
}

/// One row: the person through [`parse_person`] (same rules and messages as the forms), then
/// the registry's own fields.
fn parse_row(
    line: usize,
    f: &[&str; 14],
    comune: &ComuneRef,
    today: Date,
) -> Result<RegistryRecord, Vec<Rejection>> {
    let mut rejections = Vec::new();
    let registry_id = f[ID].trim();
    if registry_id.is_empty() {
        rejections.push(Rejection::new(
            line,
            "id_anpr",
            "manca l'identificativo della persona nell'anagrafe",
        ));
    } else if registry_id.chars().count() > 64 || registry_id.chars().any(char::is_control) {
        rejections.push(Rejection::new(
            line,
            "id_anpr",
            "identificativo non valido (al massimo 64 caratteri, senza caratteri di controllo)",
        ));
    }
    let input = PersonInput {
        codice_fiscale: f[CF].to_owned(),
        surname: f[SURNAME].to_owned(),
        given_names: f[NAME].to_owned(),
        sex: f[SEX].to_owned(),
        birth_date: f[BIRTH].to_owned(),
        birthplace: f[BIRTHPLACE].to_owned(),
        citizenship: f[CITIZENSHIP].to_owned(),
        civil_status: f[CIVIL].to_owned(),
        death_date: f[DEATH].to_owned(),
        residence_istat: comune.istat.clone(),
        residence_street: f[STREET].to_owned(),
        // The registry's code is the one the Agenzia delle Entrate issued: kept (and flagged)
        // even where it disagrees with the birth data.
        cf_mismatch_confirmed: "1".to_owned(),
        ..PersonInput::default()
    };
    let data = match parse_person(&input, today) {
        Ok(d) => Some(d),
        Err(errors) => {
            for e in errors {
                rejections.push(Rejection::new(line, column_of(e.field), e.message));
            }
            None
        }
    };
    let residence_from = match f[RESIDENCE_FROM].trim() {
        "" => None,
        raw => match parse_date(raw) {
            Some(d) if d <= today => Some(d),
            Some(_) => {
                rejections.push(Rejection::new(
                    line,
                    "data_decorrenza_residenza",
                    "la data di decorrenza della residenza è nel futuro",
                ));
                None
            }
            None => {
                rejections.push(Rejection::new(
                    line,
                    "data_decorrenza_residenza",
                    format!("«{raw}» non è una data valida (gg/mm/aaaa o aaaa-mm-gg)"),
                ));
                None
            }
        },
    };
    let code = f[HOUSEHOLD].trim();
    let rel = f[RELATIONSHIP].trim();
    let household = if code.is_empty() {
        None
    } else if code.chars().count() > 64 {
        rejections.push(Rejection::new(
            line,
            "id_famiglia",
            "identificativo della famiglia troppo lungo (al massimo 64 caratteri)",
        ));
        None
    } else {
        // "01" and "1" are the same code.
        let normalized = rel
            .parse::<u32>()
            .map_or_else(|_| rel.to_owned(), |n| n.to_string());
        match Relationship::parse(&normalized) {
            Some(r) => Some((code.to_owned(), r)),
            None if rel.is_empty() => {
                rejections.push(Rejection::new(
                    line,
                    "rapporto_parentela",
                    "indicare il rapporto con l'intestatario (codice ANPR, 1 = intestatario)",
                ));
                None
            }
            None => {
                rejections.push(Rejection::new(
                    line,
                    "rapporto_parentela",
                    format!(
                        "«{}» non è un codice ANPR di rapporto di parentela (da 1 a 29, 80 o 99)",
                        rel
                    ),
                ));
                None
            }
        }
    };
    match data {
        Some(data) if rejections.is_empty() => Ok(RegistryRecord {
            line,
            registry_id: registry_id.to_owned(),
            data,
            residence_from,
            household,
        }),
        _ => Err(rejections),
    }
}

/// What the anagrafe sociale holds for a person linked to this comune's registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousPerson {
    pub data: PersonData,
    pub left_on: Option<Date>,
    /// The open membership: household registry code and relationship.
    pub household: Option<(String, Relationship)>,
}

/// A dated registry event, with an Italian description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: RegistryEventKind,
    pub date: Date,
    pub summary: String,
}

/// What to do about one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A registry id not seen before: a new person (or an existing one linked by codice
    /// fiscale). `record` indexes the parsed records.
    Create { record: usize, events: Vec<Event> },
    /// A known person whose registry data changed: `data` is the stored data with the
    /// registry's fields replaced (the office's own fields kept); `changes` the lines of the
    /// person's history ("campo: prima → dopo").
    Update {
        record: usize,
        data: Box<PersonData>,
        events: Vec<Event>,
        changes: Vec<String>,
        household_changed: bool,
        /// Back in the registry after having left it.
        rejoined: bool,
    },
    /// A resident missing from the list: left the registry on `date`.
    Leave {
        registry_id: String,
        date: Date,
        events: Vec<Event>,
    },
}

/// The comparison of a new list with the previous state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    pub changes: Vec<Change>,
    pub unchanged: usize,
    /// Rows refused because of the previous state (a codice fiscale held by someone else).
    pub rejections: Vec<Rejection>,
}

/// Compares the new list `records` with the `previous` state of the persons linked to this
/// comune's registry (by registry id). `previous_reference` is the reference date of the
/// comune's previous import: `None` for the first import, the baseline, which records no
/// per-person events. `reference` is this list's date.
pub fn diff(
    previous: &HashMap<String, PreviousPerson>,
    records: &[RegistryRecord],
    previous_reference: Option<Date>,
    reference: Date,
) -> Diff {
    let baseline = previous_reference.is_none();
    let mut out = Diff::default();
    let cf_owner: HashMap<&str, &str> = previous
        .iter()
        .filter_map(|(id, p)| {
            p.data
                .codice_fiscale
                .as_ref()
                .map(|c| (c.as_str(), id.as_str()))
        })
        .collect();
    let mut seen: HashSet<&str> = HashSet::with_capacity(records.len());
    let mut held: Vec<&str> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(cf) = &r.data.codice_fiscale
            && let Some(owner) = cf_owner.get(cf.as_str())
            && *owner != r.registry_id
        {
            out.rejections.push(Rejection::new(
                r.line,
                "codice_fiscale",
                format!(
                    "il codice fiscale {} è già di un'altra persona di questa anagrafe (id_anpr {owner})",
                    cf.as_str()
                ),
            ));
            // Nor is the other person taken for an emigrant because of this row.
            held.push(*owner);
            continue;
        }
        seen.insert(&r.registry_id);
        match previous.get(&r.registry_id) {
            None => {
                let events = if baseline {
                    Vec::new()
                } else {
                    arrival_events(r, previous_reference, reference)
                };
                out.changes.push(Change::Create { record: i, events });
            }
            Some(p) => match update(p, r, baseline, reference) {
                None => out.unchanged += 1,
                Some((data, events, changes, household_changed, rejoined)) => {
                    out.changes.push(Change::Update {
                        record: i,
                        data: Box::new(data),
                        events,
                        changes,
                        household_changed,
                        rejoined,
                    })
                }
            },
        }
    }
    seen.extend(held);
    let mut missing: Vec<(&String, &PreviousPerson)> = previous
        .iter()
        .filter(|(id, p)| {
            !seen.contains(id.as_str()) && p.left_on.is_none() && p.data.death_date.is_none()
        })
        .collect();
    missing.sort_by(|a, b| a.0.cmp(b.0));
    for (id, p) in missing {
        let events = if baseline {
            Vec::new()
        } else {
            vec![Event {
                kind: RegistryEventKind::MoveOut,
                date: reference,
                summary: format!(
                    "Cancellazione dall'anagrafe del comune ({} non è più nell'elenco al {})",
                    p.data.full_name(),
                    format_date(reference)
                ),
            }]
        };
        out.changes.push(Change::Leave {
            registry_id: id.clone(),
            date: reference,
            events,
        });
    }
    out
}

fn arrival_events(
    r: &RegistryRecord,
    previous_reference: Option<Date>,
    reference: Date,
) -> Vec<Event> {
    let born_since = previous_reference.is_some_and(|p| r.data.birth_date > p);
    let mut events = vec![if born_since {
        Event {
            kind: RegistryEventKind::Birth,
            date: r.data.birth_date,
            summary: format!("Nascita il {}", format_date(r.data.birth_date)),
        }
    } else {
        let date = r.residence_from.unwrap_or(reference);
        Event {
            kind: RegistryEventKind::MoveIn,
            date,
            summary: format!(
                "Iscrizione nell'anagrafe del comune dal {}{}",
                format_date(date),
                address_suffix(&r.data.residence)
            ),
        }
    }];
    if let Some(d) = r.data.death_date {
        events.push(death_event(d));
    }
    events
}

fn death_event(d: Date) -> Event {
    Event {
        kind: RegistryEventKind::Death,
        date: d,
        summary: format!("Decesso il {}", format_date(d)),
    }
}

fn address_suffix(a: &Option<Address>) -> String {
    match a {
        Some(a) if !a.street.is_empty() => format!(", {}", a.street),
        _ => String::new(),
    }
}

fn household_label(h: &Option<(String, Relationship)>) -> String {
    h.as_ref().map_or_else(
        || "nessuna".to_owned(),
        |(code, rel)| format!("famiglia {code} ({})", rel.label()),
    )
}

type Update = (PersonData, Vec<Event>, Vec<String>, bool, bool);

/// The stored data with the registry's fields replaced, and what changed; `None` when nothing.
fn update(
    p: &PreviousPerson,
    r: &RegistryRecord,
    baseline: bool,
    reference: Date,
) -> Option<Update> {
    let old = &p.data;
    let new = &r.data;
    let merged = PersonData {
        codice_fiscale: new.codice_fiscale.or(old.codice_fiscale),
        surname: new.surname.clone(),
        given_names: new.given_names.clone(),
        sex: new.sex,
        birth_date: new.birth_date,
        birthplace: new.birthplace.clone(),
        citizenship: new.citizenship,
        civil_status: new.civil_status.or(old.civil_status),
        death_date: new.death_date,
        residence: new.residence.clone(),
        domicile: old.domicile.clone(),
        phone: old.phone.clone(),
        email: old.email.clone(),
        cf_mismatch_confirmed: if new.codice_fiscale.is_some() {
            new.cf_mismatch_confirmed
        } else {
            old.cf_mismatch_confirmed
        },
    };
    let household_changed = p.household != r.household && merged.death_date.is_none();
    let rejoined = p.left_on.is_some();
    if merged == *old && !household_changed && !rejoined {
        return None;
    }
    let changes = field_changes(old, &merged)
        .into_iter()
        .chain(household_changed.then(|| {
            format!(
                "Famiglia anagrafica: {} → {}",
                household_label(&p.household),
                household_label(&r.household)
            )
        }))
        .collect();
    let mut events = Vec::new();
    let moved_on = r.residence_from.unwrap_or(reference);
    if rejoined {
        events.push(Event {
            kind: RegistryEventKind::MoveIn,
            date: moved_on,
            summary: format!(
                "Nuova iscrizione nell'anagrafe del comune dal {}{}",
                format_date(moved_on),
                address_suffix(&merged.residence)
            ),
        });
    }
    if let (None, Some(d)) = (old.death_date, merged.death_date) {
        events.push(death_event(d));
    }
    if old.residence != merged.residence && !rejoined {
        let street = |a: &Option<Address>| {
            a.as_ref().map_or_else(
                || "—".to_owned(),
                |a| format!("{}, {}", a.street, a.comune.name),
            )
        };
        events.push(Event {
            kind: RegistryEventKind::AddressChange,
            date: moved_on,
            summary: format!(
                "Cambio di indirizzo dal {}: {} → {}",
                format_date(moved_on),
                street(&old.residence),
                street(&merged.residence)
            ),
        });
    }
    if household_changed && !rejoined {
        events.push(Event {
            kind: RegistryEventKind::HouseholdChange,
            date: moved_on,
            summary: format!(
                "Cambio di famiglia anagrafica dal {}: {} → {}",
                format_date(moved_on),
                household_label(&p.household),
                household_label(&r.household)
            ),
        });
    }
    if (&old.surname, &old.given_names) != (&merged.surname, &merged.given_names) {
        events.push(Event {
            kind: RegistryEventKind::NameChange,
            date: reference,
            summary: format!(
                "Cambio di generalità: {} → {}",
                old.full_name(),
                merged.full_name()
            ),
        });
    }
    if old.civil_status != merged.civil_status {
        let label = |c: Option<crate::person::CivilStatus>| c.map_or("—", |c| c.label());
        events.push(Event {
            kind: RegistryEventKind::CivilStatusChange,
            date: reference,
            summary: format!(
                "Cambio di stato civile: {} → {}",
                label(old.civil_status),
                label(merged.civil_status)
            ),
        });
    }
    if old.citizenship != merged.citizenship {
        events.push(Event {
            kind: RegistryEventKind::CitizenshipChange,
            date: reference,
            summary: format!(
                "Cambio di cittadinanza: {} → {}",
                old.citizenship.label(),
                merged.citizenship.label()
            ),
        });
    }
    if baseline {
        events.clear();
    }
    Some((merged, events, changes, household_changed, rejoined))
}

/// "campo: prima → dopo" for each registry field that changed, for the person's history.
fn field_changes(old: &PersonData, new: &PersonData) -> Vec<String> {
    let show = |v: Option<String>| v.unwrap_or_else(|| "—".to_owned());
    let addr = |a: &Option<Address>| {
        a.as_ref()
            .map(|a| format!("{}, {}", a.street, a.comune.name))
    };
    let fields: [(&str, String, String); 10] = [
        (
            "Codice fiscale",
            show(old.codice_fiscale.map(|c| c.as_str().to_owned())),
            show(new.codice_fiscale.map(|c| c.as_str().to_owned())),
        ),
        ("Cognome", old.surname.clone(), new.surname.clone()),
        ("Nome", old.given_names.clone(), new.given_names.clone()),
        ("Sesso", sex_str(old.sex).into(), sex_str(new.sex).into()),
        (
            "Data di nascita",
            format_date(old.birth_date),
            format_date(new.birth_date),
        ),
        (
            "Luogo di nascita",
            old.birthplace.name.clone(),
            new.birthplace.name.clone(),
        ),
        (
            "Cittadinanza",
            old.citizenship.label(),
            new.citizenship.label(),
        ),
        (
            "Stato civile",
            show(old.civil_status.map(|c| c.label().to_owned())),
            show(new.civil_status.map(|c| c.label().to_owned())),
        ),
        (
            "Data di decesso",
            show(old.death_date.map(format_date)),
            show(new.death_date.map(format_date)),
        ),
        (
            "Residenza",
            show(addr(&old.residence)),
            show(addr(&new.residence)),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, a, b)| format!("{label}: {a} → {b}"))
        .collect()
}

/// Counts by kind, in the order of [`RegistryEventKind::ALL`], as stored ("nascita=3;decesso=1").
pub fn format_event_counts(counts: &[(RegistryEventKind, i64)]) -> String {
    counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{}={n}", k.as_str()))
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads what [`format_event_counts`] wrote; unknown parts are skipped.
pub fn parse_event_counts(s: &str) -> Vec<(RegistryEventKind, i64)> {
    s.split(';')
        .filter_map(|part| {
            let (k, n) = part.split_once('=')?;
            Some((RegistryEventKind::parse(k)?, n.parse().ok()?))
        })
        .collect()
}

/// Since when the registry's events say the person lives in the comune: the last birth or
/// move in, when no move out came after it; None when the events do not tell (a person of the
/// first list of a comune has none).
pub fn resident_since(events: &[(RegistryEventKind, Date)]) -> Option<Date> {
    let last = |kinds: &[RegistryEventKind]| {
        events
            .iter()
            .filter(|(k, _)| kinds.contains(k))
            .map(|(_, d)| *d)
            .max()
    };
    let arrived = last(&[RegistryEventKind::Birth, RegistryEventKind::MoveIn])?;
    match last(&[RegistryEventKind::MoveOut]) {
        Some(left) if left >= arrived => None,
        _ => Some(arrived),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::{Citizenship, CivilStatus};
    use time::macros::date;

    #[test]
    fn residence_starts_at_the_last_arrival_not_followed_by_a_departure() {
        use RegistryEventKind::{AddressChange, Birth, MoveIn, MoveOut};
        assert_eq!(resident_since(&[]), None);
        assert_eq!(
            resident_since(&[
                (Birth, date!(2000 - 01 - 01)),
                (AddressChange, date!(2020 - 05 - 01)),
            ]),
            Some(date!(2000 - 01 - 01))
        );
        let away = [
            (MoveIn, date!(2015 - 03 - 01)),
            (MoveOut, date!(2019 - 06 - 01)),
        ];
        assert_eq!(resident_since(&away), None);
        let back = [away[0], away[1], (MoveIn, date!(2022 - 09 - 15))];
        assert_eq!(resident_since(&back), Some(date!(2022 - 09 - 15)));
    }

    const TODAY: Date = date!(2026 - 11 - 26);
    const HEADER: &str = "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela";

    fn bergamo() -> ComuneRef {
        ComuneRef::parse("c", "016024").unwrap()
    }

    fn csv(rows: &[&str]) -> Vec<u8> {
        let mut s = String::from(HEADER);
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s.into_bytes()
    }

    const MARIO: &str =
        "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;;Via Roma 1;2010-05-01;F1;1";
    const ANNA: &str = "1002;;Bianchi;Anna;F;02/03/1982;A794;IT;2;;Via Roma 1;2010-05-01;F1;2";

    fn parse(rows: &[&str]) -> ParsedFile {
        parse_file(&csv(rows), &bergamo(), "A794", TODAY).unwrap()
    }

    fn previous(p: &ParsedFile) -> HashMap<String, PreviousPerson> {
        p.records
            .iter()
            .map(|r| {
                (
                    r.registry_id.clone(),
                    PreviousPerson {
                        data: r.data.clone(),
                        left_on: None,
                        household: r.household.clone(),
                    },
                )
            })
            .collect()
    }

    const PREV: Date = date!(2026 - 10 - 01);
    const REF: Date = date!(2026 - 11 - 01);

    fn kinds(c: &Change) -> Vec<RegistryEventKind> {
        let events = match c {
            Change::Create { events, .. }
            | Change::Update { events, .. }
            | Change::Leave { events, .. } => events,
        };
        events.iter().map(|e| e.kind).collect()
    }

    #[test]
    fn a_csv_file_with_bom_and_columns_in_any_order_is_read() {
        let text = "\u{feff}nome;id_anpr;cognome;sesso;data_nascita;luogo_nascita;cittadinanza;id_famiglia;rapporto_parentela;indirizzo\nMario;7;Rossi;M;01/01/1980;A794;italiana;F9;01;Via Dante 3\n";
        let p = parse_file(text.as_bytes(), &bergamo(), "A794", TODAY).unwrap();
        assert_eq!(p.rows_read, 1);
        assert!(p.rejections.is_empty(), "{:?}", p.rejections);
        let r = &p.records[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.registry_id, "7");
        assert_eq!(r.household, Some(("F9".into(), Relationship::Head)));
        let res = r.data.residence.as_ref().unwrap();
        assert_eq!(
            (res.comune.istat.as_str(), res.street.as_str()),
            ("016024", "Via Dante 3")
        );
    }

    #[test]
    fn bad_rows_are_rejected_with_line_column_and_reason_and_the_rest_is_kept() {
        let p = parse(&[
            MARIO,
            "1003;RSSMRA80A01A794X;Rossi;Luca;M;1980-01-01;A794;IT;;;Via Roma 2;;F2;1",
            "1004;;Verdi;Lia;X;31/02/1990;A794;IT;9;;Via Roma 3;;F3;77",
            ";;Neri;Ugo;M;1950-01-01;A794;IT;;;Via Roma 4;;;",
            "1001;;Rossi;Mario;M;1980-01-01;A794;IT;;;Via Roma 1;;F1;1",
            "1005;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;;;Via Roma 1;;F1;1",
            "1006;;Gialli;Eva;F",
            ANNA,
        ]);
        assert_eq!(p.rows_read, 8);
        let ids: Vec<&str> = p.records.iter().map(|r| r.registry_id.as_str()).collect();
        assert_eq!(ids, ["1001", "1002"]);
        let got: Vec<(usize, &str)> = p
            .rejections
            .iter()
            .map(|r| (r.line, r.field.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "codice_fiscale"),
                (4, "sesso"),
                (4, "data_nascita"),
                (4, "stato_civile"),
                (4, "rapporto_parentela"),
                (5, "id_anpr"),
                (6, "id_anpr"),
                (7, "codice_fiscale"),
                (8, "riga"),
            ]
        );
        assert!(
            p.rejections[1].reason.contains("M o F"),
            "{}",
            p.rejections[1].reason
        );
        assert!(
            p.rejections[6].reason.contains("riga 2"),
            "{}",
            p.rejections[6].reason
        );
    }

    #[test]
    fn a_file_without_a_required_column_or_not_utf8_is_refused_whole() {
        let e = parse_file(b"id_anpr;cognome\n1;Rossi\n", &bergamo(), "A794", TODAY).unwrap_err();
        assert_eq!(e, FileError::MissingColumn("nome".into()));
        assert_eq!(
            parse_file(b"  \n", &bergamo(), "A794", TODAY),
            Err(FileError::Empty)
        );
        let mut bytes = csv(&[MARIO]);
        bytes.extend_from_slice(b"\n1009;;Ross\xE9;Maria;F;1980-01-01;A794;IT;;;;;;");
        let p = parse_file(&bytes, &bergamo(), "A794", TODAY).unwrap();
        assert_eq!(p.rejections[0].line, 3);
        assert!(p.rejections[0].reason.contains("UTF-8"));
    }

    #[test]
    fn a_json_file_is_read_with_its_comune_and_reference_date() {
        let json = r#"{"comune": "A794", "data_riferimento": "2026-11-01", "soggetti": [
            {"id_anpr": "1001", "codice_fiscale": "RSSMRA80A01A794J", "cognome": "Rossi",
             "nome": "Mario", "sesso": "M", "data_nascita": "1980-01-01", "luogo_nascita": "A794",
             "cittadinanza": "IT", "stato_civile": 2, "indirizzo": "Via Roma 1",
             "id_famiglia": "F1", "rapporto_parentela": "1"},
            {"id_anpr": "1002", "cognome": "Bianchi", "nome": "Anna", "sesso": "Q",
             "data_nascita": "1982-03-02", "luogo_nascita": "A794", "cittadinanza": "IT"}
        ]}"#;
        let p = parse_file(json.as_bytes(), &bergamo(), "A794", TODAY).unwrap();
        assert_eq!(p.reference_date, Some(REF));
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].data.civil_status, Some(CivilStatus::Married));
        assert_eq!(
            (p.rejections[0].line, p.rejections[0].field.as_str()),
            (2, "sesso")
        );
        let e = parse_file(json.as_bytes(), &bergamo(), "B157", TODAY).unwrap_err();
        assert!(matches!(e, FileError::WrongComune { .. }));
        assert!(matches!(
            parse_file(b"{\"comune\": 1}", &bergamo(), "A794", TODAY),
            Err(FileError::Json(_))
        ));
    }

    #[test]
    fn the_first_import_is_a_baseline_without_events() {
        let p = parse(&[MARIO, ANNA]);
        let d = diff(&HashMap::new(), &p.records, None, REF);
        assert_eq!(d.changes.len(), 2);
        assert!(
            d.changes
                .iter()
                .all(|c| matches!(c, Change::Create { events, .. } if events.is_empty()))
        );
    }

    #[test]
    fn the_same_list_again_changes_nothing() {
        let p = parse(&[MARIO, ANNA]);
        let d = diff(&previous(&p), &p.records, Some(REF), REF);
        assert_eq!(d.unchanged, 2);
        assert!(d.changes.is_empty());
    }

    #[test]
    fn newcomers_are_births_if_born_after_the_previous_list_else_immigrations() {
        let prev = previous(&parse(&[MARIO]));
        let p = parse(&[
            MARIO,
            "1010;;Rossi;Luca;M;2026-10-15;A794;IT;;;Via Roma 1;2026-10-15;F1;3",
            "1011;;Kaur;Simran;F;1995-06-01;Z222;Z222;1;;Via Tasso 8;2026-10-20;F7;1",
        ]);
        let d = diff(&prev, &p.records, Some(PREV), REF);
        assert_eq!(d.unchanged, 1);
        assert_eq!(kinds(&d.changes[0]), [RegistryEventKind::Birth]);
        assert_eq!(kinds(&d.changes[1]), [RegistryEventKind::MoveIn]);
        let Change::Create { events, .. } = &d.changes[1] else {
            panic!()
        };
        assert_eq!(events[0].date, date!(2026 - 10 - 20));
    }

    #[test]
    fn a_resident_missing_from_a_newer_list_emigrated() {
        let prev = previous(&parse(&[MARIO, ANNA]));
        let d = diff(&prev, &parse(&[MARIO]).records, Some(PREV), REF);
        assert_eq!(d.changes.len(), 1);
        let Change::Leave {
            registry_id, date, ..
        } = &d.changes[0]
        else {
            panic!()
        };
        assert_eq!((registry_id.as_str(), *date), ("1002", REF));
        assert_eq!(kinds(&d.changes[0]), [RegistryEventKind::MoveOut]);
    }

    #[test]
    fn a_death_is_dated_and_the_dead_are_not_emigrants_later() {
        let mut prev = previous(&parse(&[MARIO, ANNA]));
        let p = parse(&[
            MARIO,
            "1002;;Bianchi;Anna;F;02/03/1982;A794;IT;2;2026-10-11;Via Roma 1;2010-05-01;F1;2",
        ]);
        let d = diff(&prev, &p.records, Some(PREV), REF);
        let Change::Update { events, data, .. } = &d.changes[0] else {
            panic!()
        };
        assert_eq!(events[0].kind, RegistryEventKind::Death);
        assert_eq!(events[0].date, date!(2026 - 10 - 11));
        // Next list: the dead person is no longer there, and that is no emigration.
        prev.get_mut("1002").unwrap().data = (**data).clone();
        let d = diff(
            &prev,
            &parse(&[MARIO]).records,
            Some(REF),
            date!(2026 - 12 - 01),
        );
        assert!(d.changes.is_empty(), "{:?}", d.changes);
    }

    #[test]
    fn moves_household_name_civil_status_and_citizenship_changes_are_events() {
        let prev = previous(&parse(&[
            MARIO,
            "1011;;Kaur;Simran;F;1995-06-01;Z222;Z222;1;;Via Tasso 8;;F7;1",
        ]));
        let p = parse(&[
            "1001;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;;Via Dante 5;2026-10-05;F9;1",
            "1011;;Kaur Singh;Simran;F;1995-06-01;Z222;IT;2;;Via Tasso 8;;F7;1",
        ]);
        let d = diff(&prev, &p.records, Some(PREV), REF);
        assert_eq!(
            kinds(&d.changes[0]),
            [
                RegistryEventKind::AddressChange,
                RegistryEventKind::HouseholdChange
            ]
        );
        let Change::Update {
            events,
            changes,
            household_changed,
            ..
        } = &d.changes[0]
        else {
            panic!()
        };
        assert!(household_changed);
        assert_eq!(events[0].date, date!(2026 - 10 - 05));
        assert!(
            events[0]
                .summary
                .contains("Via Roma 1, Bergamo → Via Dante 5, Bergamo")
        );
        assert!(
            changes
                .iter()
                .any(|c| c.starts_with("Famiglia anagrafica: famiglia F1"))
        );
        assert_eq!(
            kinds(&d.changes[1]),
            [
                RegistryEventKind::NameChange,
                RegistryEventKind::CivilStatusChange,
                RegistryEventKind::CitizenshipChange
            ]
        );
        let Change::Update { events, .. } = &d.changes[1] else {
            panic!()
        };
        assert_eq!(events[0].date, REF);
    }

    #[test]
    fn office_fields_are_kept_and_someone_back_in_the_registry_rejoins() {
        let mut prev = previous(&parse(&[MARIO]));
        let p = prev.get_mut("1001").unwrap();
        p.data.phone = Some("035 123456".into());
        p.left_on = Some(PREV);
        let d = diff(&prev, &parse(&[MARIO]).records, Some(PREV), REF);
        let Change::Update { data, rejoined, .. } = &d.changes[0] else {
            panic!()
        };
        assert!(rejoined);
        assert_eq!(data.phone.as_deref(), Some("035 123456"));
        assert_eq!(kinds(&d.changes[0]), [RegistryEventKind::MoveIn]);
    }

    #[test]
    fn a_code_held_by_another_resident_is_rejected_and_neither_is_lost() {
        let prev = previous(&parse(&[MARIO]));
        let p =
            parse(&["1050;RSSMRA80A01A794J;Rossi;Mario;M;1980-01-01;A794;IT;2;;Via Roma 1;;F1;1"]);
        let d = diff(&prev, &p.records, Some(PREV), REF);
        assert_eq!(d.rejections.len(), 1);
        assert_eq!(d.rejections[0].field, "codice_fiscale");
        assert!(d.changes.is_empty(), "{:?}", d.changes);
    }

    #[test]
    fn corrections_without_an_event_still_update() {
        let prev = previous(&parse(&[ANNA]));
        let p = parse(&["1002;;Bianchi;Anna;F;03/03/1982;A794;IT;2;;Via Roma 1;2010-05-01;F1;2"]);
        let d = diff(&prev, &p.records, Some(PREV), REF);
        let Change::Update {
            events, changes, ..
        } = &d.changes[0]
        else {
            panic!()
        };
        assert!(events.is_empty());
        assert_eq!(changes, &["Data di nascita: 02/03/1982 → 03/03/1982"]);
    }

    #[test]
    fn event_counts_round_trip() {
        let c = vec![(RegistryEventKind::Birth, 3), (RegistryEventKind::Death, 1)];
        assert_eq!(format_event_counts(&c), "nascita=3;decesso=1");
        assert_eq!(parse_event_counts("nascita=3;decesso=1;x=2"), c);
        assert_eq!(Citizenship::parse("IT"), Some(Citizenship::Italian));
    }
}
