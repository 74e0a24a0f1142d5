//! The anagrafe sociale: persons, their households and support network, as the office records
//! them. Everything here parses raw input (forms, import rows) into values that cannot be
//! invalid, and reports what is wrong field by field, in Italian.

use crate::FieldError;
use crate::changes::{Field, changed};
use crate::dates::{LIFE_DATES, format_date, parse_date};
use crate::form::date_in;
use territory::{BelfioreCode, Birthplace, CodiceFiscale, CodiceFiscaleKind, Sex};
use time::Date;

coded_enum! {
    /// Stato civile, with the codes of ANPR's table of civil statuses.
    pub enum CivilStatus {
        Single = "1", "celibe / nubile";
        Married = "2", "coniugato/a";
        Widowed = "3", "vedovo/a";
        Divorced = "4", "divorziato/a";
        Unknown = "5", "non classificabile / ignoto";
        CivilUnion = "6", "unito/a civilmente";
        FreeAfterPartnerDeath = "7", "stato libero per decesso della parte unita civilmente";
        FreeAfterUnionDissolved = "8", "stato libero per scioglimento dell'unione civile";
    }
}

impl CivilStatus {
    /// The civil status in words agreed with the person's sex: «coniugata», «celibe».
    pub fn label_for(self, sex: Sex) -> &'static str {
        let female = sex == Sex::F;
        match self {
            Self::Single if female => "nubile",
            Self::Single => "celibe",
            Self::Married if female => "coniugata",
            Self::Married => "coniugato",
            Self::Widowed if female => "vedova",
            Self::Widowed => "vedovo",
            Self::Divorced if female => "divorziata",
            Self::Divorced => "divorziato",
            Self::CivilUnion if female => "unita civilmente",
            Self::CivilUnion => "unito civilmente",
            other => other.label(),
        }
    }
}

/// «intestatario» or «intestataria» (of a household's registry card), as the sex asks.
pub fn head_word(sex: Sex) -> &'static str {
    if sex == Sex::F {
        "intestataria"
    } else {
        "intestatario"
    }
}

/// «nato» or «nata», as the person's sex asks.
pub fn born_word(sex: Sex) -> &'static str {
    if sex == Sex::F { "nata" } else { "nato" }
}

coded_enum! {
    /// Relationship to the head of the registry household (rapporto con l'intestatario della
    /// scheda di famiglia), with ANPR's codes.
    pub enum Relationship {
        Head = "1", "intestatario scheda";
        Spouse = "2", "marito / moglie";
        Child = "3", "figlio / figlia";
        Grandchild = "4", "nipote (discendente)";
        GreatGrandchild = "5", "pronipote (discendente)";
        Parent = "6", "padre / madre";
        Grandparent = "7", "nonno / nonna";
        GreatGrandparent = "8", "bisnonno / bisnonna";
        Sibling = "9", "fratello / sorella";
        Nephew = "10", "nipote (collaterale)";
        Uncle = "11", "zio / zia";
        Cousin = "12", "cugino / cugina";
        OtherRelative = "13", "altro parente";
        Stepchild = "14", "figliastro / figliastra";
        StepParent = "15", "patrigno / matrigna";
        SonInLaw = "16", "genero / nuora";
        ParentInLaw = "17", "suocero / suocera";
        SiblingInLaw = "18", "cognato / cognata";
        HalfSibling = "19", "fratellastro / sorellastra";
        NephewInLaw = "20", "nipote (affine)";
        UncleInLaw = "21", "zio / zia (affine)";
        OtherInLaw = "22", "altro affine";
        Cohabitant = "23", "convivente (con vincoli di adozione, tutela o affidamento)";
        InstitutionHead = "24", "responsabile della convivenza non affettiva";
        InstitutionMember = "25", "convivente in convivenza non affettiva";
        Guardian = "26", "tutore";
        CivilPartner = "28", "unito civilmente";
        DeFactoPartner = "29", "convivente di fatto";
        Adopted = "80", "adottato / adottata";
        Undefined = "99", "non definito";
    }
}

coded_enum! {
    /// Who belongs to a person's support network outside the registry household.
    pub enum SupportKind {
        Relative = "parente", "familiare non convivente";
        Tutore = "tutore", "tutore";
        Curatore = "curatore", "curatore";
        AmministratoreDiSostegno = "amministratore_di_sostegno", "amministratore di sostegno";
        InformalCarer = "caregiver", "caregiver informale";
        PaidCarer = "assistente_familiare", "assistente familiare (badante)";
        Neighbour = "vicino", "vicino di casa / conoscente";
        Volunteer = "volontario", "volontario / associazione";
        Other = "altro", "altro";
    }
}

coded_enum! {
    /// Identity documents the office records.
    pub enum DocumentKind {
        CartaIdentita = "carta_identita", "carta d'identità";
        CartaIdentitaElettronica = "cie", "carta d'identità elettronica";
        Passaporto = "passaporto", "passaporto";
        Patente = "patente", "patente di guida";
        PermessoSoggiorno = "permesso_soggiorno", "permesso di soggiorno";
        CartaSoggiorno = "carta_soggiorno", "permesso di soggiorno UE per soggiornanti di lungo periodo";
        Altro = "altro", "altro documento";
    }
}

coded_enum! {
    /// What a civil-registry import found changed about a person.
    pub enum RegistryEventKind {
        Birth = "nascita", "nascita";
        Death = "decesso", "decesso";
        MoveIn = "immigrazione", "iscrizione (immigrazione)";
        MoveOut = "emigrazione", "cancellazione (emigrazione o irreperibilità)";
        AddressChange = "cambio_indirizzo", "cambio di indirizzo";
        HouseholdChange = "cambio_famiglia", "cambio di famiglia anagrafica";
        NameChange = "cambio_generalita", "cambio di generalità";
        CivilStatusChange = "cambio_stato_civile", "cambio di stato civile";
        CitizenshipChange = "cambio_cittadinanza", "cambio di cittadinanza";
    }
}

/// Citizenship: Italian, stateless, or a foreign state by its Belfiore `Z` code (the code
/// the civil registry and the codice fiscale use for states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Citizenship {
    Italian,
    Stateless,
    Foreign(BelfioreCode),
}

impl Citizenship {
    /// Stored form: `IT`, `APOLIDE` or the state's code (`Z404`).
    pub fn code(&self) -> &str {
        match self {
            Citizenship::Italian => "IT",
            Citizenship::Stateless => "APOLIDE",
            Citizenship::Foreign(c) => c.as_str(),
        }
    }

    /// Accepts the stored form, "italiana", a state's code or a state's name (current).
    pub fn parse(raw: &str) -> Option<Citizenship> {
        let t = raw.trim();
        let folded = territory::name_words(t).concat();
        match folded.as_str() {
            "" => return None,
            "it" | "ita" | "italia" | "italiana" | "italiano" => return Some(Citizenship::Italian),
            "apolide" => return Some(Citizenship::Stateless),
            _ => {}
        }
        if let Some(code) = BelfioreCode::new(&t.to_ascii_uppercase()) {
            return (code.is_foreign() && !territory::foreign_state_history(code).is_empty())
                .then_some(Citizenship::Foreign(code));
        }
        let mut states = territory::foreign_states_by_name(t);
        states.sort_by_key(|s| std::cmp::Reverse(s.valid_from));
        states.first().map(|s| Citizenship::Foreign(s.code))
    }

    pub fn label(&self) -> String {
        match self {
            Citizenship::Italian => "italiana".to_owned(),
            Citizenship::Stateless => "apolide".to_owned(),
            Citizenship::Foreign(code) => territory::foreign_state_history(*code)
                .iter()
                .max_by_key(|s| s.valid_from)
                .map_or_else(|| code.as_str().to_owned(), |s| s.name.to_owned()),
        }
    }
}

/// A comune by its ISTAT code, resolved from the ISTAT list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComuneRef {
    pub istat: String,
    pub name: String,
    pub province: String,
}

impl ComuneRef {
    /// A comune in force by ISTAT code or by name, as the birthplace is typed: «Bergamo»,
    /// «bergamo», «Bergamo (BG)», «016024». A name borne by comuni of several provinces
    /// needs its province.
    pub fn parse(field: &'static str, raw: &str) -> Result<ComuneRef, FieldError> {
        let t = raw.trim();
        if let Some(c) = territory::comune_by_istat(t) {
            return Ok(ComuneRef {
                istat: t.to_owned(),
                name: c.name.to_owned(),
                province: c.province.unwrap_or("").to_owned(),
            });
        }
        let (name, province) = name_and_province(t);
        let found: Vec<territory::Comune> = territory::comuni_by_name(name)
            .into_iter()
            .filter(|c| c.istat.is_some() && c.valid_to.is_none())
            .filter(|c| province.as_deref().is_none_or(|p| c.province == Some(p)))
            .collect();
        match found.as_slice() {
            [c] => Ok(ComuneRef {
                istat: c.istat.unwrap_or_default().to_owned(),
                name: c.name.to_owned(),
                province: c.province.unwrap_or("").to_owned(),
            }),
            [] => Err(FieldError::new(
                field,
                format!(
                    "«{t}» non è un comune italiano: scrivi il nome (Bergamo) o il codice ISTAT (016024)"
                ),
            )),
            many => Err(FieldError::new(
                field,
                format!(
                    "ci sono più comuni di nome «{name}»: aggiungi la provincia, per esempio {}",
                    many.iter()
                        .map(|c| format!("«{} ({})»", c.name, c.province.unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(" o ")
                ),
            )),
        }
    }

    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.province)
    }

    /// The comune as a form shows it to be typed again: its name, with the province when the
    /// name alone is ambiguous; the ISTAT code when no name finds it (a comune since merged).
    pub fn typed(&self) -> String {
        [self.name.clone(), self.label()]
            .into_iter()
            .find(|t| ComuneRef::parse("comune", t).is_ok_and(|c| c.istat == self.istat))
            .unwrap_or_else(|| self.istat.clone())
    }
}

/// «Bergamo (BG)»: the name and its province in capitals; «Bergamo»: the name alone.
fn name_and_province(t: &str) -> (&str, Option<String>) {
    match t.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
        Some((n, p)) => (n.trim(), Some(p.trim().to_ascii_uppercase())),
        None => (t, None),
    }
}

/// Where a person lives (residenza) or is staying (domicilio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub comune: ComuneRef,
    /// Street and number as written ("Via Roma 12").
    pub street: String,
}

/// The typed birth place, kept with the name it had on the birth date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirthPlace {
    pub code: BelfioreCode,
    pub name: String,
}

impl BirthPlace {
    /// A comune or state by Belfiore code, ISTAT code or name, as valid on `birth_date`.
    pub fn parse(raw: &str, birth_date: Date) -> Result<BirthPlace, FieldError> {
        let t = raw.trim();
        let field = "birthplace";
        if t.is_empty() {
            return Err(FieldError::new(field, "indicare il luogo di nascita"));
        }
        let upper = t.to_ascii_uppercase();
        let by_code = BelfioreCode::new(&upper)
            .and_then(|code| territory::birthplace_by_code(code, birth_date))
            .map(|m| m.place)
            .or_else(|| {
                territory::comune_by_istat(t).and_then(|c| {
                    territory::birthplace_by_code(c.belfiore, birth_date).map(|m| m.place)
                })
            });
        if let Some(place) = by_code {
            return Ok(BirthPlace::from(place));
        }
        // A comune's name may carry its province, as the suggestions and the form write it.
        let (name, province) = name_and_province(t);
        let all: Vec<Birthplace> = territory::birthplaces_by_name(name)
            .into_iter()
            .filter(|p| {
                province
                    .as_deref()
                    .is_none_or(|pr| p.province() == Some(pr))
            })
            .collect();
        let valid: Vec<Birthplace> = all
            .iter()
            .copied()
            .filter(|p| p.is_valid_on(birth_date))
            .collect();
        let pick = if valid.is_empty() { all } else { valid };
        let mut labels: Vec<String> = pick.iter().map(Birthplace::label).collect();
        labels.dedup();
        match (pick.first(), labels.len()) {
            (None, _) => Err(FieldError::new(
                field,
                format!("«{t}» non è un comune né uno stato estero conosciuto"),
            )),
            (Some(p), 1) => Ok(BirthPlace::from(*p)),
            (Some(_), _) => Err(FieldError::new(
                field,
                format!(
                    "«{t}» è ambiguo: può essere {}; indicare il codice catastale",
                    labels.join(", ")
                ),
            )),
        }
    }
}

impl From<Birthplace> for BirthPlace {
    fn from(p: Birthplace) -> Self {
        let name = match p.province() {
            Some(pr) => format!("{} ({pr})", p.name()),
            None => p.name().to_owned(),
        };
        BirthPlace {
            code: p.code(),
            name,
        }
    }
}

/// A person's data as the office holds it, every field already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonData {
    pub codice_fiscale: Option<CodiceFiscale>,
    pub surname: String,
    pub given_names: String,
    pub sex: Sex,
    pub birth_date: Date,
    pub birthplace: BirthPlace,
    pub citizenship: Citizenship,
    pub civil_status: Option<CivilStatus>,
    pub death_date: Option<Date>,
    pub residence: Option<Address>,
    pub domicile: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The operator confirmed a codice fiscale that does not match the birth data (codes
    /// issued with errors exist and stay valid until the Agenzia delle Entrate corrects them).
    pub cf_mismatch_confirmed: bool,
}

/// A person's data as typed in a form or read from an import row: every field a string.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct PersonInput {
    pub codice_fiscale: String,
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: String,
    pub birthplace: String,
    pub citizenship: String,
    pub civil_status: String,
    pub death_date: String,
    pub residence_istat: String,
    pub residence_street: String,
    pub domicile_istat: String,
    pub domicile_street: String,
    pub phone: String,
    pub email: String,
    /// "1"/"on" when the operator confirms a codice fiscale that disagrees with the data.
    pub cf_mismatch_confirmed: String,
}

impl PersonData {
    /// The form's view of the data, to fill an edit form.
    pub fn to_input(&self) -> PersonInput {
        let addr = |a: &Option<Address>| {
            a.as_ref().map_or((String::new(), String::new()), |a| {
                (a.comune.typed(), a.street.clone())
            })
        };
        // The birthplace by the name it had, if that name finds it again; else its code.
        let birthplace = BirthPlace::parse(&self.birthplace.name, self.birth_date)
            .ok()
            .filter(|b| b.code == self.birthplace.code)
            .map_or_else(
                || self.birthplace.code.as_str().to_owned(),
                |_| self.birthplace.name.clone(),
            );
        let (residence_istat, residence_street) = addr(&self.residence);
        let (domicile_istat, domicile_street) = addr(&self.domicile);
        PersonInput {
            codice_fiscale: self
                .codice_fiscale
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            surname: self.surname.clone(),
            given_names: self.given_names.clone(),
            sex: sex_str(self.sex).to_owned(),
            birth_date: format_date(self.birth_date),
            birthplace,
            citizenship: self.citizenship.code().to_owned(),
            civil_status: self
                .civil_status
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            death_date: self.death_date.map(format_date).unwrap_or_default(),
            residence_istat,
            residence_street,
            domicile_istat,
            domicile_street,
            phone: self.phone.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            cf_mismatch_confirmed: if self.cf_mismatch_confirmed { "1" } else { "" }.to_owned(),
        }
    }

    /// The accent- and case-free words of the name, for search ("rossi mario").
    pub fn search_key(&self) -> String {
        search_key(&self.surname, &self.given_names)
    }

    /// The same words with the names first ("mario rossi").
    pub fn search_key_rev(&self) -> String {
        search_key(&self.given_names, &self.surname)
    }

    pub fn phonetic_key(&self) -> String {
        phonetic_key(&self.surname, &self.given_names)
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.surname, self.given_names)
    }
}

pub fn sex_str(sex: Sex) -> &'static str {
    match sex {
        Sex::M => "M",
        Sex::F => "F",
    }
}

pub fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim().to_ascii_uppercase().as_str() {
        "M" | "MASCHIO" | "MASCHILE" | "1" => Some(Sex::M),
        "F" | "FEMMINA" | "FEMMINILE" | "2" => Some(Sex::F),
        _ => None,
    }
}

fn optional(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A personal name: letters, blanks, apostrophes, hyphens and dots; at most 100 characters.
fn parse_name(field: &'static str, raw: &str, what: &str) -> Result<String, FieldError> {
    let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Err(FieldError::new(field, format!("indicare {what}")));
    }
    if t.chars().count() > 100 {
        return Err(FieldError::new(field, "al massimo 100 caratteri"));
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '.')))
    {
        return Err(FieldError::new(
            field,
            format!("{} non è ammesso in un nome", crate::char_name(c)),
        ));
    }
    if !t.chars().any(char::is_alphabetic) {
        return Err(FieldError::new(field, format!("{what}: nessuna lettera")));
    }
    Ok(t)
}

fn parse_address(
    istat_field: &'static str,
    street_field: &'static str,
    istat: &str,
    street: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Address> {
    let street = street.split_whitespace().collect::<Vec<_>>().join(" ");
    if istat.trim().is_empty() {
        if !street.is_empty() {
            errors.push(FieldError::new(
                istat_field,
                "indicare il comune dell'indirizzo",
            ));
        }
        return None;
    }
    if street.chars().count() > 200 {
        errors.push(FieldError::new(street_field, "al massimo 200 caratteri"));
        return None;
    }
    match ComuneRef::parse(istat_field, istat) {
        Ok(comune) => Some(Address { comune, street }),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

fn parse_phone(raw: &str) -> Result<Option<String>, FieldError> {
    let Some(t) = optional(raw) else {
        return Ok(None);
    };
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '/' | '.' | '(' | ')'));
    if !ok || !(6..=15).contains(&digits) {
        return Err(FieldError::new(
            "phone",
            format!("«{t}» non è un numero di telefono (da 6 a 15 cifre, con + e spazi)"),
        ));
    }
    Ok(Some(t))
}

/// Parses a person, collecting every field error. `today` bounds the dates (nobody is born
/// tomorrow) and sets the century when a codice fiscale is decoded.
pub fn parse_person(input: &PersonInput, today: Date) -> Result<PersonData, Vec<FieldError>> {
    let mut errors = Vec::new();
    macro_rules! take {
        ($r:expr $(,)?) => {
            match $r {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
    }
    let cf = match optional(&input.codice_fiscale) {
        None => None,
        Some(raw) => take!(
            CodiceFiscale::parse(&raw)
                .map_err(|e| FieldError::new("codice_fiscale", e.to_string())),
        ),
    };
    let surname = take!(parse_name("surname", &input.surname, "il cognome"));
    let given_names = take!(parse_name("given_names", &input.given_names, "il nome"));
    let sex = take!(
        parse_sex(&input.sex).ok_or_else(|| { FieldError::new("sex", "indicare il sesso: M o F") })
    );
    let birth_date = take!(
        date_in(
            "birth_date",
            &input.birth_date,
            "la data di nascita",
            LIFE_DATES
        )
        .and_then(|d| {
            if d > today {
                Err(FieldError::new(
                    "birth_date",
                    "la data di nascita è nel futuro",
                ))
            } else if today.year() - d.year() > 130 {
                Err(FieldError::new(
                    "birth_date",
                    "la data di nascita è di oltre 130 anni fa",
                ))
            } else {
                Ok(d)
            }
        }),
    );
    let birthplace = birth_date.and_then(|d| take!(BirthPlace::parse(&input.birthplace, d)));
    let citizenship = if input.citizenship.trim().is_empty() {
        take!(Err(FieldError::new(
            "citizenship",
            "indicare la cittadinanza"
        )))
    } else {
        take!(Citizenship::parse(&input.citizenship).ok_or_else(|| {
            FieldError::new(
                "citizenship",
                format!(
                    "«{}» non è una cittadinanza conosciuta (italiana, apolide, o il nome o il codice Z di uno stato)",
                    input.citizenship.trim()
                ),
            )
        }))
    };
    let civil_status = match optional(&input.civil_status) {
        None => Some(None),
        Some(s) => take!(
            CivilStatus::parse(&s)
                .map(Some)
                .ok_or_else(|| FieldError::new("civil_status", "stato civile non previsto")),
        ),
    };
    let death_date = match optional(&input.death_date) {
        None => Some(None),
        Some(raw) => take!(
            date_in("death_date", &raw, "la data di decesso", LIFE_DATES).and_then(|d| {
                if d > today {
                    Err(FieldError::new(
                        "death_date",
                        "la data di decesso è nel futuro",
                    ))
                } else if birth_date.is_some_and(|b| d < b) {
                    Err(FieldError::new(
                        "death_date",
                        "la data di decesso è precedente alla nascita",
                    ))
                } else {
                    Ok(Some(d))
                }
            }),
        ),
    };
    let phone = take!(parse_phone(&input.phone));
    let email = match optional(&input.email) {
        None => Some(None),
        Some(e) => take!(crate::user::parse_email(&e)),
    };
    let mut address_errors = Vec::new();
    let residence = parse_address(
        "residence_istat",
        "residence_street",
        &input.residence_istat,
        &input.residence_street,
        &mut address_errors,
    );
    let domicile = parse_address(
        "domicile_istat",
        "domicile_street",
        &input.domicile_istat,
        &input.domicile_street,
        &mut address_errors,
    );
    errors.extend(address_errors);
    let confirmed = matches!(
        input.cf_mismatch_confirmed.trim(),
        "1" | "on" | "true" | "si" | "sì"
    );
    let (
        Some(surname),
        Some(given_names),
        Some(sex),
        Some(birth_date),
        Some(birthplace),
        Some(citizenship),
        Some(civil_status),
        Some(death_date),
        Some(phone),
        Some(email),
        true,
    ) = (
        surname,
        given_names,
        sex,
        birth_date,
        birthplace,
        citizenship,
        civil_status,
        death_date,
        phone,
        email,
        errors.is_empty(),
    )
    else {
        return Err(errors);
    };
    let data = PersonData {
        codice_fiscale: cf,
        surname,
        given_names,
        sex,
        birth_date,
        birthplace,
        citizenship,
        civil_status,
        death_date,
        residence,
        domicile,
        phone,
        email,
        cf_mismatch_confirmed: false,
    };
    let disagreements = cf_disagreements(&data);
    if disagreements.is_empty() {
        Ok(data)
    } else if confirmed {
        Ok(PersonData {
            cf_mismatch_confirmed: true,
            ..data
        })
    } else {
        Err(disagreements)
    }
}

/// Where an ordinary codice fiscale disagrees with the typed surname, name, sex, birth date
/// and place. Each disagreement names the field and says what the code expects, so that the
/// operator can tell a typing error from a code issued with an error.
pub fn cf_disagreements(p: &PersonData) -> Vec<FieldError> {
    let Some(cf) = p.codice_fiscale else {
        return Vec::new();
    };
    if cf.kind() != CodiceFiscaleKind::Ordinary {
        return Vec::new();
    }
    let Ok(expected) = CodiceFiscale::encode(
        &p.surname,
        &p.given_names,
        p.sex,
        p.birth_date,
        p.birthplace.code,
    ) else {
        return Vec::new();
    };
    let got = cf.base();
    let (g, e) = (got.as_str().as_bytes(), expected.as_str().as_bytes());
    let part = |r: std::ops::Range<usize>| -> (String, String) {
        (
            String::from_utf8_lossy(g.get(r.clone()).unwrap_or(&[])).into_owned(),
            String::from_utf8_lossy(e.get(r).unwrap_or(&[])).into_owned(),
        )
    };
    let mut out = Vec::new();
    let mut check = |range, field, what: &str| {
        let (found, want) = part(range);
        if found != want {
            out.push(FieldError::new(
                field,
                format!(
                    "non corrisponde al codice fiscale: dai dati inseriti {what} danno «{want}», il codice riporta «{found}»"
                ),
            ));
        }
    };
    check(0..3, "surname", "le lettere del cognome");
    check(3..6, "given_names", "le lettere del nome");
    check(6..9, "birth_date", "anno e mese di nascita");
    check(9..11, "birth_date", "giorno di nascita e sesso");
    check(11..15, "birthplace", "il luogo di nascita");
    if !out.is_empty() {
        out.push(FieldError::new(
            "codice_fiscale",
            format!(
                "il codice fiscale {} non corrisponde ai dati anagrafici (codice atteso {}): correggere i dati, oppure confermare il codice se è quello rilasciato dall'Agenzia delle Entrate",
                cf.as_str(),
                expected.as_str()
            ),
        ));
    }
    out
}

/// The accent- and case-free words of a name: "D'Angelo Maria Grazia" → "dangelo maria grazia".
pub fn search_key(surname: &str, given_names: &str) -> String {
    let mut words = territory::name_words(surname);
    words.extend(territory::name_words(given_names));
    words.join(" ")
}

/// A key under which names that sound alike in Italian agree: letters folded, H dropped,
/// doubled letters single, and the common spelling variants merged (K, Q → C; Y, J → I;
/// W → V; X → S; PH → F). "Giuseppe Rossi" and "Giusepe Rosi" share it.
pub fn phonetic_key(surname: &str, given_names: &str) -> String {
    let word = |w: &str| {
        let w = w.replace("ph", "f");
        let mut out = String::with_capacity(w.len());
        for c in w.chars() {
            let c = match c {
                'h' => continue,
                'k' | 'q' => 'c',
                'y' | 'j' => 'i',
                'w' => 'v',
                'x' => 's',
                c => c,
            };
            if !out.ends_with(c) {
                out.push(c);
            }
        }
        out
    };
    let surname: String = territory::name_words(surname)
        .iter()
        .map(|w| word(w))
        .collect();
    let given = territory::name_words(given_names);
    let first = given.first().map(|w| word(w)).unwrap_or_default();
    format!("{surname} {first}")
}

/// How alike two names are, 0 to 1 (Jaro-Winkler on the search keys, also with the words of
/// each name sorted, so that a swapped surname and name still match).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let sorted = |s: &str| {
        let mut w: Vec<&str> = s.split(' ').collect();
        w.sort_unstable();
        w.join(" ")
    };
    strsim::jaro_winkler(a, b).max(strsim::jaro_winkler(&sorted(a), &sorted(b)))
}

/// What one search box means: a codice fiscale, a birth date, words of a name, in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    pub codice_fiscale: Option<String>,
    pub birth_date: Option<Date>,
    /// Folded words, each at least two characters, at most five words.
    pub words: Vec<String>,
    /// Every folded word in the order typed, short ones too ("rossi m"): names that start
    /// with it, surname first or names first, come before other matches.
    pub phrase: String,
}

impl SearchQuery {
    pub fn parse(raw: &str) -> SearchQuery {
        let mut q = SearchQuery::default();
        for token in raw.split_whitespace() {
            if q.birth_date.is_none()
                && let Some(d) = parse_date(token)
            {
                q.birth_date = Some(d);
                continue;
            }
            let upper = token.to_ascii_uppercase();
            if q.codice_fiscale.is_none()
                && (upper.len() == 16 || upper.len() == 11)
                && upper.chars().any(|c| c.is_ascii_digit())
                && let Ok(cf) = CodiceFiscale::parse(&upper)
            {
                q.codice_fiscale = Some(cf.as_str().to_owned());
                continue;
            }
            for w in territory::name_words(token) {
                if !q.phrase.is_empty() {
                    q.phrase.push(' ');
                }
                q.phrase.push_str(&w);
                if w.len() >= 2 && q.words.len() < 5 && !q.words.contains(&w) {
                    q.words.push(w);
                }
            }
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.codice_fiscale.is_none() && self.birth_date.is_none() && self.phrase.is_empty()
    }
}

/// Why `other` may be the same person as `new`, if it may: the same codice fiscale; a
/// similar name and the same birth date; or a name that sounds the same with the birth date
/// differing only in the year or only in day and month (a typing slip).
pub fn duplicate_reason(new: &PersonData, other: &PersonData) -> Option<&'static str> {
    if let (Some(a), Some(b)) = (new.codice_fiscale, other.codice_fiscale)
        && a.base() == b.base()
    {
        return Some("stesso codice fiscale");
    }
    let (a, b) = (new.birth_date, other.birth_date);
    if a == b && name_similarity(&new.search_key(), &other.search_key()) >= 0.85 {
        return Some("nome simile e stessa data di nascita");
    }
    let close_date = a.year() == b.year() || (a.month(), a.day()) == (b.month(), b.day());
    if close_date && new.phonetic_key() == other.phonetic_key() {
        return Some("nome che si pronuncia allo stesso modo e data di nascita simile");
    }
    None
}

/// A value not given, as the change lists write it.
const BLANK: &str = "—";

fn show<T: AsRef<str>>(v: Option<T>) -> String {
    v.map_or_else(|| BLANK.to_owned(), |s| s.as_ref().to_owned())
}

fn address(a: &Option<Address>) -> String {
    show(
        a.as_ref()
            .map(|a| format!("{}, {}", a.street, a.comune.label())),
    )
}

fn yes_no(b: bool) -> String {
    if b { "sì" } else { "no" }.into()
}

/// The fields of a person's history, as [`changes`] names them.
const PERSON_FIELDS: [Field<PersonData>; 14] = [
    ("Codice fiscale", |p| {
        show(p.codice_fiscale.map(|c| c.as_str().to_owned()))
    }),
    ("Cognome", |p| p.surname.clone()),
    ("Nome", |p| p.given_names.clone()),
    ("Sesso", |p| sex_str(p.sex).into()),
    ("Data di nascita", |p| format_date(p.birth_date)),
    ("Luogo di nascita", |p| p.birthplace.name.clone()),
    ("Cittadinanza", |p| p.citizenship.label()),
    ("Stato civile", |p| {
        show(p.civil_status.map(CivilStatus::label))
    }),
    ("Data di decesso", |p| show(p.death_date.map(format_date))),
    ("Residenza", |p| address(&p.residence)),
    ("Domicilio", |p| address(&p.domicile)),
    ("Telefono", |p| show(p.phone.as_ref())),
    ("Email", |p| show(p.email.as_ref())),
    ("Codice fiscale confermato nonostante la discordanza", |p| {
        yes_no(p.cf_mismatch_confirmed)
    }),
];

/// The changes from `old` to `new`, one "campo: prima → dopo" per changed field, for the
/// person's history.
pub fn changes(old: &PersonData, new: &PersonData) -> Vec<String> {
    changed(&PERSON_FIELDS, old, new)
        .into_iter()
        .map(|(label, a, b)| format!("{label}: {a} → {b}"))
        .collect()
}

/// What a merge brings into the surviving record: the duplicate's data that differs from the
/// survivor's, one "campo della scheda unita: valore (questa scheda: valore)" per field; a
/// field the duplicate left blank brings nothing. The survivor keeps its own data.
pub fn merged_in(survivor: &PersonData, duplicate: &PersonData) -> Vec<String> {
    changed(&PERSON_FIELDS, survivor, duplicate)
        .into_iter()
        .filter(|(_, _, dup)| *dup != BLANK && *dup != yes_no(false))
        .map(|(label, kept, dup)| {
            format!("{label} della scheda unita: {dup} (questa scheda: {kept})")
        })
        .collect()
}

/// Age in whole years on `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::{DateError, OFFICE_DATES, read_date};
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 26);

    fn input() -> PersonInput {
        PersonInput {
            codice_fiscale: "RSSMRA80A01A794J".into(),
            surname: "Rossi".into(),
            given_names: "Mario".into(),
            sex: "M".into(),
            birth_date: "01/01/1980".into(),
            birthplace: "A794".into(),
            citizenship: "italiana".into(),
            ..PersonInput::default()
        }
    }

    #[test]
    fn a_person_whose_code_matches_the_data_parses() {
        let p = parse_person(&input(), TODAY).unwrap();
        assert_eq!(p.birthplace.name, "Bergamo (BG)");
        assert_eq!(p.citizenship, Citizenship::Italian);
        assert!(!p.cf_mismatch_confirmed);
        assert_eq!(p.search_key(), "rossi mario");
    }

    #[test]
    fn a_code_that_disagrees_with_the_birth_date_is_refused_naming_the_field() {
        let mut i = input();
        i.birth_date = "02/01/1980".into();
        let errs = parse_person(&i, TODAY).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["birth_date", "codice_fiscale"]);
        assert!(errs[0].message.contains("«02»"), "{}", errs[0].message);
        assert!(
            errs[1].message.contains("RSSMRA80A02A794O"),
            "{}",
            errs[1].message
        );
    }

    #[test]
    fn a_confirmed_disagreement_is_kept_and_flagged() {
        let mut i = input();
        i.given_names = "Marco".into();
        i.cf_mismatch_confirmed = "1".into();
        assert!(parse_person(&i, TODAY).unwrap().cf_mismatch_confirmed);
    }

    #[test]
    fn an_omocode_matches_its_base_data() {
        let mut i = input();
        i.codice_fiscale = "RSSMRA80A01A79QG".into();
        assert!(parse_person(&i, TODAY).is_ok());
    }

    #[test]
    fn every_missing_or_bad_field_is_reported_at_once() {
        let i = PersonInput {
            codice_fiscale: "RSSMRA80A01A794X".into(),
            surname: "Ross1".into(),
            sex: "X".into(),
            birth_date: "31/02/1980".into(),
            citizenship: "Atlantide".into(),
            residence_street: "Via Roma 1".into(),
            phone: "abc".into(),
            email: "nope".into(),
            ..PersonInput::default()
        };
        let errs = parse_person(&i, TODAY).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "codice_fiscale",
                "surname",
                "given_names",
                "sex",
                "birth_date",
                "citizenship",
                "phone",
                "email",
                "residence_istat"
            ]
        );
        assert!(
            errs[0].message.contains("atteso 'J'"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn dates_are_read_in_italian_and_iso_form_and_checked() {
        assert_eq!(parse_date("1/2/1950"), Some(date!(1950 - 02 - 01)));
        assert_eq!(parse_date("1950-02-01"), Some(date!(1950 - 02 - 01)));
        assert_eq!(parse_date("29/02/1951"), None);
        assert_eq!(parse_date("01/02/50"), None);
        let mut i = input();
        i.birth_date = "01/01/2030".into();
        assert_eq!(parse_person(&i, TODAY).unwrap_err()[0].field, "birth_date");
    }

    #[test]
    fn a_date_outside_its_span_is_refused_saying_the_span() {
        assert_eq!(parse_date("31/12/9999"), None);
        assert_eq!(parse_date("0000-01-01"), None);
        assert_eq!(
            read_date("31/12/2100", OFFICE_DATES),
            Ok(date!(2100 - 12 - 31))
        );
        let e = read_date(" 01/01/2101 ", OFFICE_DATES).unwrap_err();
        assert_eq!(
            e.to_string(),
            "la data deve essere tra il 01/01/1900 e il 31/12/2100"
        );
        assert_eq!(
            read_date("31/12/1899", OFFICE_DATES),
            Err(DateError::OutOfSpan(OFFICE_DATES))
        );
        assert_eq!(
            read_date("31/12/1899", LIFE_DATES),
            Ok(date!(1899 - 12 - 31))
        );
        let mut i = input();
        i.birth_date = "31/12/1879".into();
        let e = parse_person(&i, TODAY).unwrap_err();
        assert_eq!(
            (e[0].field, e[0].message.as_str()),
            (
                "birth_date",
                "la data di nascita: la data deve essere tra il 01/01/1880 e il 31/12/2100"
            )
        );
    }

    #[test]
    fn the_birthplace_is_found_by_code_istat_code_or_unambiguous_name() {
        let d = date!(1980 - 01 - 01);
        assert_eq!(
            BirthPlace::parse("016024", d).unwrap().code.as_str(),
            "A794"
        );
        assert_eq!(
            BirthPlace::parse("bergamo", d).unwrap().code.as_str(),
            "A794"
        );
        assert_eq!(BirthPlace::parse("Marocco", d).unwrap().name, "Marocco");
        let err = BirthPlace::parse("Samarcanda", d).unwrap_err();
        assert!(err.message.contains("non è un comune"), "{}", err.message);
    }

    #[test]
    fn search_keys_ignore_accents_case_and_apostrophes() {
        assert_eq!(
            search_key("D'Àngelo", "Maria  Grazia"),
            "dangelo maria grazia"
        );
        assert_eq!(search_key("Rossi-Bianchi", "Lucia"), "rossi bianchi lucia");
    }

    #[test]
    fn names_that_sound_alike_share_the_phonetic_key() {
        assert_eq!(
            phonetic_key("Rossi", "Giuseppe"),
            phonetic_key("Rosi", "Giusepe")
        );
        assert_eq!(phonetic_key("Kappa", "Yuri"), phonetic_key("Cappa", "Iuri"));
        assert_ne!(
            phonetic_key("Rossi", "Mario"),
            phonetic_key("Russo", "Mario")
        );
    }

    #[test]
    fn swapped_surname_and_name_are_still_similar() {
        assert!(name_similarity("rossi mario", "mario rossi") > 0.99);
        assert!(name_similarity("rossi mario", "rosi mario") > 0.9);
        assert!(name_similarity("rossi mario", "bianchi luca") < 0.7);
    }

    #[test]
    fn the_search_box_splits_code_date_and_words_in_any_order() {
        let q = SearchQuery::parse("Mario 01/01/1980 ROSSÌ");
        assert_eq!(q.words, ["mario", "rossi"]);
        assert_eq!(q.phrase, "mario rossi");
        assert_eq!(SearchQuery::parse("rossi m").phrase, "rossi m");
        assert_eq!(q.birth_date, Some(date!(1980 - 01 - 01)));
        let q = SearchQuery::parse(" rssmra80a01a794j ");
        assert_eq!(q.codice_fiscale.as_deref(), Some("RSSMRA80A01A794J"));
        assert!(SearchQuery::parse("").is_empty());
        assert!(SearchQuery::parse("a").words.is_empty());
    }

    #[test]
    fn citizenship_reads_names_and_codes() {
        assert_eq!(Citizenship::parse("Italiana"), Some(Citizenship::Italian));
        let ma = Citizenship::parse("marocco").unwrap();
        assert_eq!(ma.code(), "Z330");
        assert_eq!(Citizenship::parse("Z330"), Some(ma));
        assert_eq!(Citizenship::parse("A794"), None);
    }

    #[test]
    fn duplicates_are_found_by_code_by_name_and_date_and_by_sound() {
        let a = parse_person(&input(), TODAY).unwrap();
        let mut b = a.clone();
        b.surname = "Bianchi".into();
        assert_eq!(duplicate_reason(&a, &b), Some("stesso codice fiscale"));
        let mut c = a.clone();
        c.codice_fiscale = None;
        c.surname = "Rosi".into();
        assert_eq!(
            duplicate_reason(&a, &c),
            Some("nome simile e stessa data di nascita")
        );
        c.birth_date = date!(1980 - 01 - 10);
        assert!(duplicate_reason(&a, &c).unwrap().contains("pronuncia"));
        c.birth_date = date!(1975 - 06 - 10);
        assert_eq!(duplicate_reason(&a, &c), None);
    }

    #[test]
    fn changes_name_each_changed_field_with_before_and_after() {
        let a = parse_person(&input(), TODAY).unwrap();
        let mut b = a.clone();
        b.phone = Some("035 123456".into());
        b.surname = "Rossini".into();
        assert_eq!(
            changes(&a, &b),
            ["Cognome: Rossi → Rossini", "Telefono: — → 035 123456"]
        );
        assert!(changes(&a, &a).is_empty());
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(date!(1980 - 11 - 27), TODAY), 45);
        assert_eq!(age_on(date!(1980 - 11 - 26), TODAY), 46);
    }

    #[test]
    fn every_code_list_round_trips() {
        for r in Relationship::ALL {
            assert_eq!(Relationship::parse(r.as_str()), Some(*r));
        }
        for c in CivilStatus::ALL {
            assert_eq!(CivilStatus::parse(c.as_str()), Some(*c));
        }
    }
}

#[cfg(test)]
mod agreement_tests {
    use super::*;

    #[test]
    fn words_agree_with_the_persons_sex() {
        assert_eq!(CivilStatus::Married.label_for(Sex::F), "coniugata");
        assert_eq!(CivilStatus::Married.label_for(Sex::M), "coniugato");
        assert_eq!(CivilStatus::Single.label_for(Sex::F), "nubile");
        assert_eq!(CivilStatus::Single.label_for(Sex::M), "celibe");
        assert_eq!(CivilStatus::Widowed.label_for(Sex::F), "vedova");
        assert_eq!(
            CivilStatus::Unknown.label_for(Sex::F),
            CivilStatus::Unknown.label()
        );
        assert_eq!(born_word(Sex::F), "nata");
        assert_eq!(born_word(Sex::M), "nato");
        assert_eq!(head_word(Sex::F), "intestataria");
        assert_eq!(head_word(Sex::M), "intestatario");
    }

    #[test]
    fn the_comune_of_an_address_is_found_by_name_or_istat_code() {
        for typed in [
            "016024",
            "Bergamo",
            " bergamo ",
            "Bergamo (BG)",
            "bergamo (bg)",
        ] {
            let c = ComuneRef::parse("residence_istat", typed).expect(typed);
            assert_eq!(
                (c.istat.as_str(), c.label().as_str()),
                ("016024", "Bergamo (BG)"),
                "{typed}"
            );
        }
        let e = ComuneRef::parse("residence_istat", "Atlantide").expect_err("unknown");
        assert_eq!(e.field, "residence_istat");
        assert!(e.message.contains("Atlantide"), "{}", e.message);
        // Two comuni share the name: the province tells them apart.
        let e = ComuneRef::parse("residence_istat", "Calliano").expect_err("ambiguous");
        assert!(e.message.contains("provincia"), "{}", e.message);
        assert_eq!(
            ComuneRef::parse("residence_istat", "Calliano (AT)")
                .expect("with province")
                .province,
            "AT"
        );
    }

    #[test]
    fn a_form_shows_the_comune_by_name_with_the_province_only_when_needed() {
        let typed = |t: &str| ComuneRef::parse("residence_istat", t).expect(t).typed();
        assert_eq!(typed("016024"), "Bergamo");
        assert_eq!(typed("Calliano (AT)"), "Calliano (AT)");
        let gone = ComuneRef {
            istat: "999999".into(),
            name: "Atlantide".into(),
            province: "XX".into(),
        };
        assert_eq!(gone.typed(), "999999");
    }

    #[test]
    fn a_birthplace_is_found_by_its_name_with_the_province() {
        let born = time::macros::date!(1980 - 01 - 01);
        let b = BirthPlace::parse("Bergamo (BG)", born).expect("with province");
        assert_eq!((b.code.as_str(), b.name.as_str()), ("A794", "Bergamo (BG)"));
        let e = BirthPlace::parse("Bergamo (MI)", born).expect_err("another province");
        assert_eq!(e.field, "birthplace");
    }
}
