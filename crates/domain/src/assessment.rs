//! Multidimensional assessment (valutazione multidimensionale) as versioned, data-driven forms.
//!
//! Each form is static data ([`FormDef`]) whose fields fill the elements of a national SIUSS
//! record: the SINA block of `PS_PSA_SINA201812.xsd` (disabilità e non autosufficienza) and the
//! SINBA record of `SINBA.xsd` (minori e famiglie). A social worker fills the form during daily
//! work; the national record is later produced from the stored answers plus the other records
//! named below, without retyping.
//!
//! Versioning: an assessment is stored with the form code and version it was filled with
//! ([`Answers::form_code`], [`Answers::form_version`]). When INPS changes a schema, a new static
//! is added to [`FORMS`] and [`current`] points to it; old versions stay in [`FORMS`] so that
//! old assessments remain readable through [`form`].
//!
//! Codes are those of the XSD enumerations, unchanged, so that an answer is the value the
//! record carries. Labels are the Italian wording of the XSD documentation annotations, put in
//! sentence case.
//!
//! Parsing follows "parse, don't validate": [`parse_answers`] turns raw form input into
//! [`Answers`], which can only hold values that the form definition allows.

use crate::FieldError;
use crate::dates::{DateError, DateSpan, OFFICE_DATES, format_date, read_date};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// One assessment form, in one version.
#[derive(Debug)]
pub struct FormDef {
    /// `"sina"` or `"sinba"` (see [`FormCode`]).
    pub code: &'static str,
    /// Version label stored with every assessment, e.g. `"SINA-2018.12"`.
    pub version: &'static str,
    pub title: &'static str,
    pub sections: &'static [SectionDef],
    /// Fields that apply only when another field has certain answers.
    pub conditions: &'static [Condition],
    /// Keys shown, in this order, by [`summary`].
    pub summary: &'static [&'static str],
}

/// A titled group of fields, shown together.
#[derive(Debug)]
pub struct SectionDef {
    pub title: &'static str,
    pub fields: &'static [FieldDef],
}

/// One question of a form.
#[derive(Debug)]
pub struct FieldDef {
    /// Stable English snake_case key, used in forms, storage and code.
    pub key: &'static str,
    /// The XSD element or attribute it fills (`"Element/Child"` for nested elements); empty
    /// when the field is kept for the case file only and is not sent.
    pub xsd_element: &'static str,
    /// Italian label, also used to name the field in error messages.
    pub label: &'static str,
    /// Italian help text shown under the field.
    pub help: &'static str,
    pub kind: FieldKind,
    /// Must be answered whenever the field applies (see [`FormDef::conditions`]).
    pub required: bool,
}

/// What kind of answer a field takes.
#[derive(Debug)]
pub enum FieldKind {
    /// One code of the list: (code as in the XSD, Italian label).
    Choice(&'static [(&'static str, &'static str)]),
    /// Any number of codes of the list (at least one when required).
    MultiChoice(&'static [(&'static str, &'static str)]),
    YesNo,
    /// A calendar date, entered as gg/mm/aaaa or aaaa-mm-gg, in [`FORM_DATES`].
    Date,
    Integer {
        min: i64,
        max: i64,
    },
    /// Free text, trimmed, at most `max_len` characters.
    Text {
        max_len: usize,
    },
}

impl FieldKind {
    /// The code list of a choice field.
    pub fn options(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            FieldKind::Choice(o) | FieldKind::MultiChoice(o) => o,
            _ => &[],
        }
    }
}

/// `field` applies only when `on` is answered with one of `codes` (with any answer when
/// `codes` is empty). An answer to `field` when it does not apply is refused; when it applies,
/// `field`'s `required` flag is enforced.
#[derive(Debug)]
pub struct Condition {
    pub field: &'static str,
    pub on: &'static str,
    pub codes: &'static [&'static str],
}

impl FormDef {
    /// Every field, in form order.
    pub fn fields(&self) -> impl Iterator<Item = &'static FieldDef> + use<> {
        let sections: &'static [SectionDef] = self.sections;
        sections.iter().flat_map(|s| s.fields.iter())
    }

    pub fn field(&self, key: &str) -> Option<&'static FieldDef> {
        self.fields().find(|f| f.key == key)
    }

    /// The condition under which `key` applies, if it does not always apply.
    pub fn condition(&self, key: &str) -> Option<&'static Condition> {
        let conditions: &'static [Condition] = self.conditions;
        conditions.iter().find(|c| c.field == key)
    }
}

/// The kinds of assessment form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormCode {
    /// SINA: disabilità e non autosufficienza.
    Sina,
    /// SINBA: minori e famiglie.
    Sinba,
}

impl FormCode {
    pub const ALL: &'static [FormCode] = &[FormCode::Sina, FormCode::Sinba];

    pub fn as_str(self) -> &'static str {
        match self {
            FormCode::Sina => "sina",
            FormCode::Sinba => "sinba",
        }
    }

    pub fn parse(s: &str) -> Option<FormCode> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

/// Every form version, old and current. Never remove an entry: stored assessments refer to it.
pub const FORMS: &[&FormDef] = &[&SINA_2018_12, &SINBA_1_0_0];

/// A form by the code and version an assessment was stored with.
pub fn form(code: &str, version: &str) -> Option<&'static FormDef> {
    FORMS
        .iter()
        .copied()
        .find(|f| f.code == code && f.version == version)
}

/// The version new assessments are filled with.
pub fn current(code: FormCode) -> &'static FormDef {
    match code {
        FormCode::Sina => &SINA_2018_12,
        FormCode::Sinba => &SINBA_1_0_0,
    }
}

// ---------------------------------------------------------------------------------------------
// Shared code lists
// ---------------------------------------------------------------------------------------------

/// The XSD's SI/NO enumerations (`MinoreStranieroNoAccType`, `DisabilitaType`,
/// `SegnalazioneAutoritaGiudiziariaType`, `ProvvedimentoGiudiziarioType`): 1 = sì, 2 = no.
/// The dates of an assessment form: the ministry's schemas take years 1900 to 2099.
pub const FORM_DATES: DateSpan = DateSpan {
    first: OFFICE_DATES.first,
    last: time::macros::date!(2099 - 12 - 31),
};

const SI_NO: &[(&str, &str)] = &[("1", "sì"), ("2", "no")];

// ---------------------------------------------------------------------------------------------
// SINA, PS_PSA_SINA201812.xsd
// ---------------------------------------------------------------------------------------------

/// SINA block (`SINAType`) of the PS/PSA/SINA record, schema `PS_PSA_SINA201812.xsd`.
///
/// Covered: the attributes `Mobilita`, `AttivitaVitaQuotidiana`, `DisturbiAreaCognitiva`,
/// `DisturbiComportamentali`, `NecessitaCureSanitarie`, `AreaReddituale`, `AreaSupporto`,
/// `FonteDerivazioneValutazione`, `StrumentoValutazione`, `FonteDerivazioneInvalidita`, and the
/// element `InvaliditaCivile/InvCiv` (repeatable).
///
/// Filled from elsewhere, not from this form:
/// - `SINA/NecessitaInterventiSociali/CodicePrestazione`: the interventions of the individual
///   plan (PAI), coded with the SIUSS codes of the benefit catalogue (`domain::benefit`);
/// - `Beneficiario/@CodiceFiscale`, `Anagrafica` (Cognome, Nome, AnnoNascita, LuogoNascita,
///   Genere, CodiceCittadinanza, CodiceSecondaCittadinanza) and `Indirizzo` (CodiceRegione,
///   CodiceComune, CodiceNazione): the person record (`domain::person`);
/// - `PrestazioniSociali` attributes (CodicePrestazione, DenominazionePrestazione,
///   ProtocolloDomanda, PresenzaProvaMezzi, CaratterePrestazione, DSU protocol and date, dates,
///   amounts, PeriodoErogazione, OreServizioMensile, TipoOperazione): the application, its
///   delivery and the ISEE attestation;
/// - `PrestazioniSociali/@PresaCarico` and `@AreaUtenza`: the case file;
/// - `IdentificazioneFlusso` / `Ente`: the organization and the operator who sends the file.
pub static SINA_2018_12: FormDef = FormDef {
    code: "sina",
    version: "SINA-2018.12",
    title: "Valutazione multidimensionale SINA (disabilità e non autosufficienza)",
    sections: &[
        // Area funzionale: SINAType/@Mobilita (MobilitaType), @AttivitaVitaQuotidiana
        // (AttivitaVitaQuotidianaType), @DisturbiAreaCognitiva (DisturbiAreaCognitivaType,
        // optional: no code for "absent"), @DisturbiComportamentali (DisturbiComportamentaliType).
        SectionDef {
            title: "Autonomia funzionale",
            fields: &[
                FieldDef {
                    key: "mobility",
                    xsd_element: "Mobilita",
                    label: "Mobilità",
                    help: "Capacità di spostarsi, anche con ausili, dentro e fuori casa.",
                    kind: FieldKind::Choice(&[
                        ("1", "si sposta da solo"),
                        ("2", "si sposta assistito"),
                        ("3", "non si sposta"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "daily_living",
                    xsd_element: "AttivitaVitaQuotidiana",
                    label: "Attività della vita quotidiana",
                    help: "Autonomia nelle attività di base: lavarsi, vestirsi, alimentarsi, \
                           usare il bagno.",
                    kind: FieldKind::Choice(&[
                        ("1", "autonomo"),
                        ("2", "parzialmente dipendente"),
                        ("3", "totalmente dipendente"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "cognitive_disorders",
                    xsd_element: "DisturbiAreaCognitiva",
                    label: "Disturbi dell'area cognitiva",
                    help: "Memoria, orientamento, attenzione. Lasciare vuoto se assenti.",
                    kind: FieldKind::Choice(&[("1", "lievi"), ("2", "moderati"), ("3", "gravi")]),
                    required: false,
                },
                FieldDef {
                    key: "behavioural_disorders",
                    xsd_element: "DisturbiComportamentali",
                    label: "Disturbi comportamentali",
                    help: "Per esempio aggressività, agitazione, vagabondaggio.",
                    kind: FieldKind::Choice(&[("1", "assenti"), ("2", "presenti")]),
                    required: true,
                },
            ],
        },
        // Area sanitaria: SINAType/@NecessitaCureSanitarie (NecessitaCureSanitarieType, optional).
        SectionDef {
            title: "Area sanitaria",
            fields: &[FieldDef {
                key: "health_care_needs",
                xsd_element: "NecessitaCureSanitarie",
                label: "Necessità di cure sanitarie",
                help: "Intensità del bisogno di assistenza sanitaria (terapie, medicazioni, \
                       presidi, controlli).",
                kind: FieldKind::Choice(&[("1", "bassa"), ("2", "media"), ("3", "alta")]),
                required: false,
            }],
        },
        // Area reddituale e di supporto: SINAType/@AreaReddituale (AreaRedditualeType) and
        // @AreaSupporto (AreaSupportoType).
        SectionDef {
            title: "Condizione economica e rete di supporto",
            fields: &[
                FieldDef {
                    key: "income",
                    xsd_element: "AreaReddituale",
                    label: "Area reddituale",
                    help: "Situazione economica della persona.",
                    kind: FieldKind::Choice(&[
                        ("1", "autonomo e in equilibrio finanziario"),
                        ("2", "riceve aiuto da parenti e/o da altre persone"),
                        (
                            "3",
                            "in condizione di bisogno economico e senza aiuti da parenti o altre \
                             persone",
                        ),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "support_network",
                    xsd_element: "AreaSupporto",
                    label: "Area supporto",
                    help: "Presenza di familiari, caregiver o altre persone che aiutano.",
                    kind: FieldKind::Choice(&[
                        ("1", "presenza della rete familiare o informale"),
                        (
                            "2",
                            "presenza parziale e/o temporanea della rete familiare o informale",
                        ),
                        ("3", "assenza della rete familiare o informale"),
                    ]),
                    required: true,
                },
            ],
        },
        // Invalidità: SINAType/InvaliditaCivile/InvCiv (InvCivType, 0..n) and
        // SINAType/@FonteDerivazioneInvalidita (FonteDerivazioneInvaliditaType, optional).
        SectionDef {
            title: "Invalidità civile e handicap",
            fields: &[
                FieldDef {
                    key: "civil_invalidity",
                    xsd_element: "InvaliditaCivile/InvCiv",
                    label: "Invalidità civile",
                    help: "Tutte le certificazioni possedute. Lasciare vuoto se nessuna.",
                    kind: FieldKind::MultiChoice(&[
                        (
                            "1",
                            "certificazione di invalidità civile parziale non inferiore al 75%",
                        ),
                        (
                            "2",
                            "certificazione di invalidità civile totale (100%) con indennità di \
                             accompagnamento",
                        ),
                        (
                            "3",
                            "certificazione di invalidità civile totale (100%) senza indennità di \
                             accompagnamento",
                        ),
                        ("4", "certificazione NPI"),
                        ("5", "certificazione L. 104 (art. 3, comma 1)"),
                        ("6", "certificazione L. 104 (art. 3, comma 3)"),
                        ("7", "certificazione L. 104 (art. 12)"),
                        ("8", "certificazione L. 104 (art. 13)"),
                    ]),
                    required: false,
                },
                FieldDef {
                    key: "invalidity_source",
                    xsd_element: "FonteDerivazioneInvalidita",
                    label: "Fonte dell'informazione sull'invalidità",
                    help: "Da indicare quando è stata scelta almeno una certificazione.",
                    kind: FieldKind::Choice(&[
                        (
                            "1",
                            "certificazione di invalidità verificata online o cartacea",
                        ),
                        ("2", "dichiarazione della persona"),
                    ]),
                    required: true,
                },
            ],
        },
        // Fonte e strumento: SINAType/@FonteDerivazioneValutazione
        // (FonteDerivazioneValutazioneType) and @StrumentoValutazione (StrumentoValutazioneType).
        // `instrument_other` is not in the record: it names the instrument behind code 7.
        SectionDef {
            title: "Fonte e strumento della valutazione",
            fields: &[
                FieldDef {
                    key: "assessment_source",
                    xsd_element: "FonteDerivazioneValutazione",
                    label: "Fonte di derivazione della valutazione",
                    help: "Da dove provengono le informazioni di questa valutazione.",
                    kind: FieldKind::Choice(&[
                        ("1", "UVM (unità di valutazione multidimensionale)"),
                        ("2", "cartella sociale"),
                        ("3", "altra documentazione"),
                        ("4", "raccolta diretta"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "assessment_instrument",
                    xsd_element: "StrumentoValutazione",
                    label: "Strumento di valutazione",
                    help: "Scala o scheda usata per la valutazione.",
                    kind: FieldKind::Choice(&[
                        ("1", "SVAMA"),
                        ("2", "AGED"),
                        ("3", "RUG"),
                        ("4", "SOSIA"),
                        ("5", "Schema polare"),
                        ("6", "VALGRAF"),
                        ("7", "altro sistema di codifica"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "instrument_other",
                    xsd_element: "",
                    label: "Altro strumento di valutazione",
                    help: "Nome dello strumento usato, quando non è tra quelli dell'elenco.",
                    kind: FieldKind::Text { max_len: 100 },
                    required: true,
                },
            ],
        },
    ],
    conditions: &[
        Condition {
            field: "invalidity_source",
            on: "civil_invalidity",
            codes: &[],
        },
        Condition {
            field: "instrument_other",
            on: "assessment_instrument",
            codes: &["7"],
        },
    ],
    summary: &[
        "mobility",
        "daily_living",
        "cognitive_disorders",
        "behavioural_disorders",
        "health_care_needs",
        "support_network",
        "civil_invalidity",
    ],
};

// ---------------------------------------------------------------------------------------------
// SINBA, SINBA.xsd (Versione 1.0.0)
// ---------------------------------------------------------------------------------------------

/// SINBA record (`SinbaType`), schema `SINBA.xsd` version 1.0.0, for a minor.
///
/// Covered: `MinoreStranieroNoAcc`, `CondizioneMinore`, `LuogoVita`, `ScuolaFrequentata`,
/// `CondizioneLavoro`, `Disabilita`, `TipoDisabilita`, `InvCivCertificazioni`,
/// `Famiglia/ComposizioneFamiglia`, `TitoloStudioPadre`/`Madre`, `OccupazionePadre`/`Madre`,
/// `DataPrimaSegnalazione`, `FonteSegnalazione`, `ValutazioneMinore`,
/// `ValutazioneFamigliaMinore`, `CollaborazioniInterventi`, `SegnalazioneAutoritaGiudiziaria`,
/// `DataSegnalazione`, `ProvvedimentoGiudiziario`, `DataProvvedimentoGiudiziario`,
/// `AutoritaProvvedimento`, `PotestaTutela`, `TipoProvvedimentoGiudiziario`, the affido
/// attributes (`FormaInterventoAffido`, `TipoInterventoAffido`, `DurataAffido`,
/// `CarattereAffido`, `EsitoAffido`), the residential-placement attributes
/// (`CarattereInserimentoResidenziale`, `FormaInserimentoResidenziale`,
/// `TipoInserimentoResidenziale`, `EsitoInserimentoStruttura`), and the closure attributes
/// (`MotivazioneChiusuraCarico`, `SituazioneChiusuraCarico`).
///
/// The three dates are typed `DataMeseAnnoType` (MM/AAAA, years 1900–2099) in the XSD; the form
/// keeps the full date, and the export writes month and year.
///
/// Filled from elsewhere, not from this form:
/// - `@IDBeneficiario`: the minor's stable pseudonym, kept with the person record;
/// - `@AnnoNascita` and `@FasciaEtaBeneficiario`: the person's date of birth (the age band at
///   the record's reference date);
/// - `@CodiceRegioneResidenza`, `@CodiceNazioneResidenza`: the person's residence;
/// - `@CodiceCittadinanzaPadre`/`Madre`, `@CodiceRegioneResidenzaPadre`/`Madre`: the parents'
///   person records, linked through the household or support network;
/// - `@NumeroComponentiISEE`, `@FasciaISEEBeneficiario`: the ISEE attestation (minorenni);
/// - `Prestazioni/CodicePrestazione`: the benefits delivered, coded with the SIUSS codes of the
///   benefit catalogue;
/// - `IdentificazioneFlusso` / `Ente`: the organization and the operator who sends the file.
pub static SINBA_1_0_0: FormDef = FormDef {
    code: "sinba",
    version: "SINBA-1.0.0",
    title: "Scheda SINBA (minori e famiglie)",
    sections: &[
        // Il minore: SinbaType/@MinoreStranieroNoAcc (MinoreStranieroNoAccType),
        // @CondizioneMinore (CondizioneMinoreType), @LuogoVita (LuogoVitaType),
        // @ScuolaFrequentata (ScuolaFrequentataType), @CondizioneLavoro (CondizioneLavoroType),
        // @Disabilita (DisabilitaType), @TipoDisabilita (TipoDisabilitaType),
        // @InvCivCertificazioni (InvCivCertificazioniType), Famiglia/ComposizioneFamiglia
        // (ComposizioneFamigliaType, 1..n).
        SectionDef {
            title: "Il minore",
            fields: &[
                FieldDef {
                    key: "unaccompanied_foreign_minor",
                    xsd_element: "MinoreStranieroNoAcc",
                    label: "Minore straniero non accompagnato",
                    help: "Minore straniero presente in Italia senza genitori o altri adulti \
                           legalmente responsabili.",
                    kind: FieldKind::Choice(SI_NO),
                    required: true,
                },
                FieldDef {
                    key: "orphan_status",
                    xsd_element: "CondizioneMinore",
                    label: "Condizione del minore",
                    help: "",
                    kind: FieldKind::Choice(&[
                        ("1", "non orfano"),
                        ("2", "orfano di entrambi i genitori"),
                        ("3", "orfano di padre"),
                        ("4", "orfano di madre"),
                        ("5", "genitori ignoti"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "living_place",
                    xsd_element: "LuogoVita",
                    label: "Dove vive",
                    help: "Dove vive il minore al momento della valutazione.",
                    kind: FieldKind::Choice(&[
                        ("1", "nella sua famiglia"),
                        ("2", "presso parenti"),
                        ("3", "in famiglia affidataria"),
                        ("4", "in struttura residenziale sociale"),
                        ("5", "in struttura residenziale sanitaria"),
                        ("6", "in istituto penale minorile"),
                        ("7", "con amici e conoscenti"),
                        ("8", "senza dimora"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "household_members",
                    xsd_element: "Famiglia/ComposizioneFamiglia",
                    label: "Con chi vive",
                    help: "Tutte le persone con cui il minore vive.",
                    kind: FieldKind::MultiChoice(&[
                        ("1", "madre"),
                        ("2", "padre"),
                        ("3", "fratelli / sorelle"),
                        ("4", "nonno / nonna"),
                        ("5", "compagno/a della madre o del padre"),
                        ("6", "altri conviventi"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "school",
                    xsd_element: "ScuolaFrequentata",
                    label: "Scuola frequentata",
                    help: "",
                    kind: FieldKind::Choice(&[
                        ("1", "nessuna scuola"),
                        ("2", "struttura"),
                        ("3", "asilo nido"),
                        ("4", "scuola dell'infanzia"),
                        ("5", "scuola primaria"),
                        ("6", "scuola secondaria di I grado"),
                        ("7", "scuola secondaria di II grado"),
                        ("8", "corso di formazione professionale"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "work_status",
                    xsd_element: "CondizioneLavoro",
                    label: "Condizione lavorativa",
                    help: "",
                    kind: FieldKind::Choice(&[
                        (
                            "1",
                            "inattivo (non in età da lavoro, non ha e non cerca lavoro)",
                        ),
                        ("2", "occupato"),
                        ("3", "disoccupato alla ricerca di nuova occupazione"),
                        ("4", "in cerca di prima occupazione"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "disability",
                    xsd_element: "Disabilita",
                    label: "Disabilità",
                    help: "",
                    kind: FieldKind::Choice(SI_NO),
                    required: true,
                },
                FieldDef {
                    key: "disability_type",
                    xsd_element: "TipoDisabilita",
                    label: "Tipo di disabilità",
                    help: "Da indicare se il minore ha una disabilità.",
                    kind: FieldKind::Choice(&[
                        ("1", "fisica"),
                        ("2", "psichica"),
                        ("3", "sensoriale"),
                        ("4", "plurima"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "invalidity_certification",
                    xsd_element: "InvCivCertificazioni",
                    label: "Certificazione di invalidità",
                    help: "Da indicare se il minore ha una disabilità certificata.",
                    kind: FieldKind::Choice(&[
                        (
                            "1",
                            "certificazione di invalidità civile parziale non inferiore al 75%",
                        ),
                        (
                            "2",
                            "certificazione di invalidità civile totale (100%) con indennità di \
                             accompagnamento",
                        ),
                        (
                            "3",
                            "certificazione di invalidità civile totale (100%) senza indennità di \
                             accompagnamento",
                        ),
                        ("4", "certificazione NPI"),
                        ("5", "certificazione L. 104"),
                    ]),
                    required: false,
                },
            ],
        },
        // I genitori: SinbaType/@TitoloStudioPadre, @TitoloStudioMadre (TitoloStudioType),
        // @OccupazionePadre, @OccupazioneMadre (OccupazioneType); all optional.
        SectionDef {
            title: "I genitori",
            fields: &[
                FieldDef {
                    key: "father_education",
                    xsd_element: "TitoloStudioPadre",
                    label: "Titolo di studio del padre",
                    help: "",
                    kind: FieldKind::Choice(EDUCATION),
                    required: false,
                },
                FieldDef {
                    key: "father_occupation",
                    xsd_element: "OccupazionePadre",
                    label: "Condizione occupazionale del padre",
                    help: "",
                    kind: FieldKind::Choice(OCCUPATION),
                    required: false,
                },
                FieldDef {
                    key: "mother_education",
                    xsd_element: "TitoloStudioMadre",
                    label: "Titolo di studio della madre",
                    help: "",
                    kind: FieldKind::Choice(EDUCATION),
                    required: false,
                },
                FieldDef {
                    key: "mother_occupation",
                    xsd_element: "OccupazioneMadre",
                    label: "Condizione occupazionale della madre",
                    help: "",
                    kind: FieldKind::Choice(OCCUPATION),
                    required: false,
                },
            ],
        },
        // Segnalazione e valutazione: SinbaType/@DataPrimaSegnalazione (DataMeseAnnoType),
        // @FonteSegnalazione (FonteSegnalazioneType), @ValutazioneMinore (ValutazioneMinoreType),
        // @ValutazioneFamigliaMinore (ValutazioneFamigliaMinoreType), @CollaborazioniInterventi
        // (CollaborazioniInterventiType, optional).
        SectionDef {
            title: "Segnalazione e valutazione",
            fields: &[
                FieldDef {
                    key: "first_referral_date",
                    xsd_element: "DataPrimaSegnalazione",
                    label: "Data della prima segnalazione",
                    help: "Quando il minore è stato segnalato al servizio sociale la prima \
                           volta (nel flusso si invia mese e anno).",
                    kind: FieldKind::Date,
                    required: true,
                },
                FieldDef {
                    key: "referral_source",
                    xsd_element: "FonteSegnalazione",
                    label: "Fonte della segnalazione",
                    help: "Chi ha segnalato il minore al servizio.",
                    kind: FieldKind::Choice(&[
                        ("1", "servizio sociale minori della giustizia minorile"),
                        (
                            "2",
                            "altro servizio sociale (consultori, centri famiglia, di altro \
                             ambito/distretto)",
                        ),
                        ("3", "servizi sanitari / medico di base / pediatra"),
                        ("4", "privato sociale / volontariato"),
                        ("5", "forze dell'ordine"),
                        ("6", "beneficiario stesso"),
                        ("7", "genitori affidatari / tutore"),
                        ("8", "genitori / fratelli / altri familiari conviventi"),
                        ("9", "parenti non conviventi"),
                        ("10", "tribunale ordinario"),
                        ("11", "autorità giudiziarie minorili"),
                        ("12", "professionista privato"),
                        ("13", "scuola"),
                        ("14", "vicinato o conoscenti"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "child_assessment",
                    xsd_element: "ValutazioneMinore",
                    label: "Valutazione del minore",
                    help: "La problematica principale del minore.",
                    kind: FieldKind::Choice(&[
                        ("1", "nessuna specifica problematica"),
                        ("2", "problemi relazionali e comportamentali"),
                        ("3", "dipendenze"),
                        ("4", "presunto stato di abbandono"),
                        ("5", "problemi sanitari"),
                        (
                            "6",
                            "violenza sessuale subita, prostituzione, tratta, pedopornografia",
                        ),
                        ("7", "altre forme di violenza e maltrattamento subite"),
                        ("8", "comportamenti di grave devianza"),
                        ("9", "problemi di autonomia, disabilità"),
                        ("10", "coinvolto in procedure penali"),
                        ("11", "gestante / madre minorenne"),
                        ("12", "minore straniero non accompagnato"),
                        ("13", "abbandono scolastico"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "family_assessment",
                    xsd_element: "ValutazioneFamigliaMinore",
                    label: "Valutazione della famiglia del minore",
                    help: "La problematica principale della famiglia.",
                    kind: FieldKind::Choice(&[
                        ("1", "nessuna specifica problematica"),
                        (
                            "2",
                            "fragilità / inadeguatezza genitoriale, problematiche socio-educative \
                             e relazionali",
                        ),
                        ("3", "dipendenza"),
                        ("4", "problematiche psichiatriche"),
                        ("5", "altre problematiche sanitarie"),
                        ("6", "grave conflittualità familiare"),
                        ("7", "famiglia maltrattante"),
                        ("8", "famiglia abusante"),
                        ("9", "problemi giudiziari"),
                        ("10", "fallimento dell'affido preadottivo nel primo anno"),
                        ("11", "inadempienza degli obblighi sanitari"),
                        ("12", "difficoltà economiche"),
                        ("13", "difficoltà abitative"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "collaborations",
                    xsd_element: "CollaborazioniInterventi",
                    label: "Collaborazioni negli interventi",
                    help: "Il principale altro servizio che collabora agli interventi.",
                    kind: FieldKind::Choice(&[
                        ("1", "SERT"),
                        ("2", "NPI"),
                        ("3", "psicologia"),
                        ("4", "clinica / DSM"),
                        (
                            "5",
                            "altri servizi sociali (consultorio, centri famiglia, adulti, di altro \
                             ambito/distretto)",
                        ),
                        ("6", "USSM (Ministero della giustizia)"),
                        ("7", "scuola"),
                        (
                            "8",
                            "servizi del privato sociale, associazionismo, volontariato",
                        ),
                        ("9", "altro"),
                    ]),
                    required: false,
                },
            ],
        },
        // Autorità giudiziaria: SinbaType/@SegnalazioneAutoritaGiudiziaria
        // (SegnalazioneAutoritaGiudiziariaType), @DataSegnalazione (DataMeseAnnoType),
        // @ProvvedimentoGiudiziario (ProvvedimentoGiudiziarioType), @DataProvvedimentoGiudiziario
        // (DataMeseAnnoType), @AutoritaProvvedimento (AutoritaProvvedimentoType), @PotestaTutela
        // (PotestaTutelaType), @TipoProvvedimentoGiudiziario (TipoProvvedimentoGiudiziarioType).
        SectionDef {
            title: "Autorità giudiziaria",
            fields: &[
                FieldDef {
                    key: "court_referral",
                    xsd_element: "SegnalazioneAutoritaGiudiziaria",
                    label: "Segnalazione all'autorità giudiziaria",
                    help: "Il servizio ha segnalato la situazione all'autorità giudiziaria.",
                    kind: FieldKind::Choice(SI_NO),
                    required: true,
                },
                FieldDef {
                    key: "court_referral_date",
                    xsd_element: "DataSegnalazione",
                    label: "Data della segnalazione all'autorità giudiziaria",
                    help: "Nel flusso si invia mese e anno.",
                    kind: FieldKind::Date,
                    required: true,
                },
                FieldDef {
                    key: "court_order",
                    xsd_element: "ProvvedimentoGiudiziario",
                    label: "Provvedimento giudiziario",
                    help: "È stato emesso un provvedimento dell'autorità giudiziaria per il \
                           minore.",
                    kind: FieldKind::Choice(SI_NO),
                    required: true,
                },
                FieldDef {
                    key: "court_order_date",
                    xsd_element: "DataProvvedimentoGiudiziario",
                    label: "Data del provvedimento giudiziario",
                    help: "Nel flusso si invia mese e anno.",
                    kind: FieldKind::Date,
                    required: true,
                },
                FieldDef {
                    key: "court_order_authority",
                    xsd_element: "AutoritaProvvedimento",
                    label: "Autorità che ha emesso il provvedimento",
                    help: "",
                    kind: FieldKind::Choice(&[
                        ("1", "giudice tutelare"),
                        ("2", "tribunale per i minorenni"),
                        ("3", "procura per i minorenni"),
                        ("4", "tribunale ordinario"),
                    ]),
                    required: true,
                },
                FieldDef {
                    key: "parental_authority_measure",
                    xsd_element: "PotestaTutela",
                    label: "Responsabilità genitoriale e tutela",
                    help: "Provvedimento sulla responsabilità genitoriale (artt. 330-333 \
                           c.c.; il tracciato SINBA la chiama ancora «potestà») o sulla \
                           tutela.",
                    kind: FieldKind::Choice(&[
                        ("1", "sospensione della responsabilità genitoriale"),
                        ("2", "decadenza dalla responsabilità genitoriale"),
                        ("3", "prescrizioni ai genitori"),
                        ("4", "tutela a parenti o altri soggetti"),
                        ("5", "curatela"),
                    ]),
                    required: false,
                },
                // Code 8's annotation in the XSD reads `post-adozione "allontanamento del minore
                // in via d'emergenza (art.403 c.c.)`; the label keeps both parts.
                FieldDef {
                    key: "court_order_type",
                    xsd_element: "TipoProvvedimentoGiudiziario",
                    label: "Tipo di provvedimento giudiziario",
                    help: "",
                    kind: FieldKind::Choice(&[
                        ("1", "adottabilità"),
                        ("2", "adozione nazionale"),
                        ("3", "adozione internazionale"),
                        ("4", "affidamento familiare"),
                        ("5", "affido al servizio sociale"),
                        ("6", "affidamento a uno dei genitori in caso di separazione"),
                        ("7", "vigilanza"),
                        (
                            "8",
                            "post-adozione; allontanamento del minore in via d'emergenza \
                             (art. 403 c.c.)",
                        ),
                    ]),
                    required: false,
                },
            ],
        },
        // Affidamento familiare: SinbaType/@FormaInterventoAffido (FormaInterventoAffidoType),
        // @TipoInterventoAffido (TipoInterventoAffidoType), @DurataAffido (DurataAffidoType),
        // @CarattereAffido (CarattereAffidoType), @EsitoAffido (EsitoAffidoType); all optional.
        SectionDef {
            title: "Affidamento familiare",
            fields: &[
                FieldDef {
                    key: "foster_form",
                    xsd_element: "FormaInterventoAffido",
                    label: "Forma dell'affido",
                    help: "",
                    kind: FieldKind::Choice(CONSENSUAL_JUDICIAL),
                    required: false,
                },
                FieldDef {
                    key: "foster_type",
                    xsd_element: "TipoInterventoAffido",
                    label: "Tipo di affido",
                    help: "Intrafamiliare: presso parenti; eterofamiliare: presso un'altra \
                           famiglia.",
                    kind: FieldKind::Choice(&[("1", "intrafamiliare"), ("2", "eterofamiliare")]),
                    required: false,
                },
                FieldDef {
                    key: "foster_duration",
                    xsd_element: "DurataAffido",
                    label: "Durata dell'affido",
                    help: "",
                    kind: FieldKind::Choice(&[("1", "tempo pieno"), ("2", "tempo parziale")]),
                    required: false,
                },
                FieldDef {
                    key: "foster_character",
                    xsd_element: "CarattereAffido",
                    label: "Carattere dell'affido",
                    help: "",
                    kind: FieldKind::Choice(&[("1", "residenziale"), ("2", "diurno")]),
                    required: false,
                },
                FieldDef {
                    key: "foster_outcome",
                    xsd_element: "EsitoAffido",
                    label: "Esito dell'affido",
                    help: "Da indicare quando l'affido è concluso.",
                    kind: FieldKind::Choice(&[
                        ("1", "rientrato nella famiglia di origine"),
                        ("2", "affidato ad altro nucleo familiare"),
                        ("3", "adottato"),
                        ("4", "inserito in struttura socio-educativa"),
                        ("5", "inserito in struttura sanitaria"),
                        ("6", "vita in autonomia"),
                        ("7", "rimpatriato"),
                        ("8", "destinazione ignota"),
                        ("9", "altro"),
                    ]),
                    required: false,
                },
            ],
        },
        // Inserimento residenziale: SinbaType/@CarattereInserimentoResidenziale
        // (CarattereInserimentoResidenzialeType), @FormaInserimentoResidenziale
        // (FormaInserimentoResidenzialeType), @TipoInserimentoResidenziale
        // (TipoInserimentoResidenzialeType), @EsitoInserimentoStruttura
        // (EsitoInserimentoStrutturaType); all optional.
        SectionDef {
            title: "Inserimento in struttura residenziale",
            fields: &[
                FieldDef {
                    key: "residential_character",
                    xsd_element: "CarattereInserimentoResidenziale",
                    label: "Carattere dell'inserimento residenziale",
                    help: "Tipo di struttura (familiare o comunitaria) e sua funzione prevalente.",
                    kind: FieldKind::Choice(&[
                        ("1", "familiare: prevalente accoglienza abitativa"),
                        ("2", "familiare: prevalente funzione tutelare"),
                        ("3", "familiare: funzione socio-educativa"),
                        ("4", "comunitario: accoglienza di emergenza"),
                        ("5", "comunitario: prevalente accoglienza abitativa"),
                        ("6", "comunitario: prevalente funzione tutelare"),
                        ("7", "comunitario: funzione socio-educativa"),
                        ("8", "comunitario: funzione educativa-psicologica"),
                        (
                            "9",
                            "comunitario: funzione di integrazione socio-sanitaria bassa",
                        ),
                        (
                            "10",
                            "comunitario: funzione di integrazione socio-sanitaria medio-alta",
                        ),
                    ]),
                    required: false,
                },
                FieldDef {
                    key: "residential_form",
                    xsd_element: "FormaInserimentoResidenziale",
                    label: "Forma dell'inserimento residenziale",
                    help: "",
                    kind: FieldKind::Choice(CONSENSUAL_JUDICIAL),
                    required: false,
                },
                FieldDef {
                    key: "residential_type",
                    xsd_element: "TipoInserimentoResidenziale",
                    label: "Tipo di inserimento residenziale",
                    help: "",
                    kind: FieldKind::Choice(&[("1", "con genitore"), ("2", "senza genitore")]),
                    required: false,
                },
                FieldDef {
                    key: "residential_outcome",
                    xsd_element: "EsitoInserimentoStruttura",
                    label: "Esito dell'inserimento in struttura",
                    help: "Da indicare quando l'inserimento è concluso.",
                    kind: FieldKind::Choice(&[
                        ("1", "rientrato nella famiglia di origine"),
                        ("2", "in famiglia affidataria o affidatario"),
                        ("3", "adottato"),
                        ("4", "inserito in altra struttura socio-educativa"),
                        ("5", "inserito in struttura sanitaria"),
                        ("6", "reso autonomo"),
                        ("7", "rimpatriato"),
                        ("8", "destinazione ignota"),
                        ("9", "altro"),
                    ]),
                    required: false,
                },
            ],
        },
        // Chiusura della presa in carico: SinbaType/@MotivazioneChiusuraCarico
        // (MotivazioneChiusuraCaricoType), @SituazioneChiusuraCarico
        // (SituazioneChiusuraCaricoType); both optional in the XSD.
        SectionDef {
            title: "Chiusura della presa in carico",
            fields: &[
                FieldDef {
                    key: "closure_reason",
                    xsd_element: "MotivazioneChiusuraCarico",
                    label: "Motivo della chiusura della presa in carico",
                    help: "Da indicare solo quando la presa in carico si chiude.",
                    kind: FieldKind::Choice(&[
                        (
                            "1",
                            "passaggio a servizio territoriale di altro ambito/distretto della \
                             stessa regione",
                        ),
                        (
                            "2",
                            "passaggio a servizio territoriale di altro ambito/distretto di altra \
                             regione",
                        ),
                        ("3", "raggiunta la maggiore età"),
                        (
                            "4",
                            "conclusione degli interventi e della presa in carico per risoluzione \
                             dello stato di bisogno",
                        ),
                        ("5", "uscita richiesta dal minore o dalla famiglia"),
                        ("6", "rimpatrio"),
                        ("7", "irreperibilità"),
                        ("8", "decesso"),
                        ("9", "altro"),
                    ]),
                    required: false,
                },
                FieldDef {
                    key: "closure_situation",
                    xsd_element: "SituazioneChiusuraCarico",
                    label: "Situazione alla chiusura della presa in carico",
                    help: "",
                    kind: FieldKind::Choice(&[
                        ("1", "nella famiglia di origine"),
                        (
                            "2",
                            "vita in autonomia (in appartamento, anche con altri non familiari o \
                             parenti)",
                        ),
                        (
                            "3",
                            "rimane nella famiglia affidataria anche se maggiorenne",
                        ),
                        (
                            "4",
                            "rimane nella struttura residenziale socio-assistenziale anche se \
                             maggiorenne",
                        ),
                        ("5", "collocato in struttura residenziale sanitaria"),
                        ("6", "adottato in una nuova famiglia"),
                        ("7", "in istituto penale"),
                        ("8", "destinazione ignota"),
                    ]),
                    required: true,
                },
            ],
        },
    ],
    conditions: &[
        Condition {
            field: "disability_type",
            on: "disability",
            codes: &["1"],
        },
        Condition {
            field: "invalidity_certification",
            on: "disability",
            codes: &["1"],
        },
        Condition {
            field: "court_referral_date",
            on: "court_referral",
            codes: &["1"],
        },
        Condition {
            field: "court_order_date",
            on: "court_order",
            codes: &["1"],
        },
        Condition {
            field: "court_order_authority",
            on: "court_order",
            codes: &["1"],
        },
        Condition {
            field: "parental_authority_measure",
            on: "court_order",
            codes: &["1"],
        },
        Condition {
            field: "court_order_type",
            on: "court_order",
            codes: &["1"],
        },
        Condition {
            field: "closure_situation",
            on: "closure_reason",
            codes: &[],
        },
    ],
    summary: &[
        "living_place",
        "child_assessment",
        "family_assessment",
        "court_order",
        "disability",
    ],
};

/// `TitoloStudioType` (SINBA.xsd), for both parents.
const EDUCATION: &[(&str, &str)] = &[
    ("1", "nessun titolo"),
    ("2", "licenza elementare"),
    ("3", "licenza media"),
    ("4", "qualifica professionale"),
    ("5", "diploma di scuola superiore"),
    ("6", "laurea o diploma di laurea"),
];

/// `OccupazioneType` (SINBA.xsd), for both parents.
const OCCUPATION: &[(&str, &str)] = &[
    ("1", "occupato/a"),
    ("2", "disoccupato/a alla ricerca di nuova occupazione"),
    ("3", "in cerca di prima occupazione"),
    ("4", "casalinga/o"),
    ("5", "studente/studentessa"),
    ("6", "ritirato/a dal lavoro"),
    ("7", "inabile al lavoro"),
    ("8", "in altra condizione"),
];

/// `FormaInterventoAffidoType` and `FormaInserimentoResidenzialeType` (SINBA.xsd).
const CONSENSUAL_JUDICIAL: &[(&str, &str)] = &[("1", "consensuale"), ("2", "giudiziario")];

// ---------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------

/// The field name used in a [`FieldError`] about the answer set as a whole (an unknown field,
/// unreadable stored data).
pub const FORM_FIELD: &str = "assessment";

/// One parsed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Code(&'static str),
    /// In the order of the form's list, without repetitions; never empty.
    Codes(Vec<&'static str>),
    Bool(bool),
    Date(Date),
    Integer(i64),
    /// Trimmed, never empty.
    Text(String),
}

impl Value {
    /// The answer in words, with the Italian labels of the codes.
    pub fn label(&self, kind: &FieldKind) -> String {
        let label_of = |code: &str| {
            kind.options()
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(code, |(_, l)| *l)
                .to_owned()
        };
        match self {
            Value::Code(c) => label_of(c),
            Value::Codes(cs) => cs
                .iter()
                .map(|c| label_of(c))
                .collect::<Vec<_>>()
                .join("; "),
            Value::Bool(true) => "sì".to_owned(),
            Value::Bool(false) => "no".to_owned(),
            Value::Date(d) => format_date(*d),
            Value::Integer(n) => n.to_string(),
            Value::Text(t) => t.clone(),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Code(c) => J::String((*c).to_owned()),
            Value::Codes(cs) => J::Array(cs.iter().map(|c| J::String((*c).to_owned())).collect()),
            Value::Bool(b) => J::Bool(*b),
            Value::Date(d) => J::String(format!(
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            )),
            Value::Integer(n) => J::from(*n),
            Value::Text(t) => J::String(t.clone()),
        }
    }
}

/// A filled form: only answered fields, each valid for the form it was parsed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    code: &'static str,
    version: &'static str,
    values: BTreeMap<&'static str, Value>,
}

impl Answers {
    /// The code of the form these answers were parsed with (`"sina"`, `"sinba"`).
    pub fn form_code(&self) -> &'static str {
        self.code
    }

    /// The version of the form these answers were parsed with.
    pub fn form_version(&self) -> &'static str {
        self.version
    }

    /// The form these answers were parsed with.
    pub fn form(&self) -> Option<&'static FormDef> {
        form(self.code, self.version)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// The code of a single-choice answer.
    pub fn code(&self, key: &str) -> Option<&'static str> {
        match self.values.get(key) {
            Some(Value::Code(c)) => Some(c),
            _ => None,
        }
    }

    /// The codes of a multiple-choice answer (empty when unanswered).
    pub fn codes(&self, key: &str) -> &[&'static str] {
        match self.values.get(key) {
            Some(Value::Codes(cs)) => cs,
            _ => &[],
        }
    }

    pub fn date(&self, key: &str) -> Option<Date> {
        match self.values.get(key) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// Answered fields by key, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn json_value(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.to_json()))
                .collect(),
        )
    }

    /// Storage form: a JSON object key → code (string), codes (array of strings), yes/no
    /// (boolean), date ("aaaa-mm-gg"), integer (number) or text (string).
    pub fn to_json(&self) -> String {
        self.json_value().to_string()
    }

    /// Reads stored answers back, parsing them again against `def`: a stored value that the
    /// form no longer accepts is reported as an error, field by field.
    pub fn from_json(def: &FormDef, json: &str) -> Result<Answers, Vec<FieldError>> {
        let unreadable = |detail: String| {
            vec![FieldError::new(
                FORM_FIELD,
                format!("dati della valutazione non leggibili ({detail})"),
            )]
        };
        let parsed: serde_json::Value =
            serde_json::from_str(json).map_err(|e| unreadable(e.to_string()))?;
        let serde_json::Value::Object(map) = parsed else {
            return Err(unreadable("non è un oggetto JSON".to_owned()));
        };
        let mut input = BTreeMap::new();
        let mut errors = Vec::new();
        for (key, value) in map {
            let raw = match value {
                serde_json::Value::Null => Some(Vec::new()),
                serde_json::Value::Bool(b) => Some(vec![b.to_string()]),
                serde_json::Value::Number(n) => Some(vec![n.to_string()]),
                serde_json::Value::String(s) => Some(vec![s]),
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .map(|i| match i {
                        serde_json::Value::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
                serde_json::Value::Object(_) => None,
            };
            match raw {
                Some(raw) => {
                    input.insert(key, raw);
                }
                None => match def.field(&key) {
                    Some(f) => errors.push(FieldError::new(
                        f.key,
                        format!("{}: valore salvato non leggibile", f.label),
                    )),
                    None => errors.push(unknown_field(def, &key)),
                },
            }
        }
        match parse_answers(def, &input) {
            Ok(answers) if errors.is_empty() => Ok(answers),
            Ok(_) => Err(errors),
            Err(more) => {
                // A value that could not be read at all is also "missing": say it once.
                let unreadable: BTreeSet<&str> = errors.iter().map(|e| e.field).collect();
                errors.extend(
                    more.into_iter()
                        .filter(|e| e.field == FORM_FIELD || !unreadable.contains(e.field)),
                );
                Err(errors)
            }
        }
    }

    /// The filled form for display: for each section with at least one answer, its title and
    /// the answered fields as (label, answer in words), in form order.
    pub fn display(&self, def: &FormDef) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
        let sections: &'static [SectionDef] = def.sections;
        sections
            .iter()
            .filter_map(|s| {
                let rows: Vec<(&'static str, String)> = s
                    .fields
                    .iter()
                    .filter_map(|f| self.values.get(f.key).map(|v| (f.label, v.label(&f.kind))))
                    .collect();
                (!rows.is_empty()).then_some((s.title, rows))
            })
            .collect()
    }
}

impl serde::Serialize for Answers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json_value().serialize(serializer)
    }
}

fn unknown_field(def: &FormDef, key: &str) -> FieldError {
    let shown: String = key.chars().take(40).collect();
    let ellipsis = if key.chars().count() > 40 { "…" } else { "" };
    FieldError::new(
        FORM_FIELD,
        format!(
            "campo «{shown}{ellipsis}» non previsto dal modulo «{}» ({})",
            def.title, def.version
        ),
    )
}

/// Parses raw form input (field key → submitted values, as an HTML form sends them) into
/// [`Answers`]. Blank values count as unanswered. Every error is reported, each naming its
/// field in Italian; nothing is returned unless everything is valid.
pub fn parse_answers(
    def: &FormDef,
    input: &BTreeMap<String, Vec<String>>,
) -> Result<Answers, Vec<FieldError>> {
    let mut errors = Vec::new();
    for key in input.keys() {
        if def.field(key).is_none() {
            errors.push(unknown_field(def, key));
        }
    }

    let mut values = BTreeMap::new();
    let mut failed = BTreeSet::new();
    for field in def.fields() {
        let raw = input.get(field.key).map_or(&[][..], Vec::as_slice);
        match parse_value(field, raw) {
            Ok(Some(v)) => {
                values.insert(field.key, v);
            }
            Ok(None) => {}
            Err(e) => {
                failed.insert(field.key);
                errors.push(e);
            }
        }
    }

    for field in def.fields() {
        if failed.contains(field.key) {
            continue;
        }
        let applies = match def.condition(field.key) {
            None => true,
            Some(cond) => {
                if failed.contains(cond.on) {
                    // The answer it depends on is wrong: that error is enough.
                    continue;
                }
                let holds = condition_holds(cond, values.get(cond.on));
                if !holds && values.contains_key(field.key) {
                    errors.push(FieldError::new(
                        field.key,
                        format!("{}: {}", field.label, condition_text(def, cond)),
                    ));
                    continue;
                }
                holds
            }
        };
        if applies && field.required && !values.contains_key(field.key) {
            let what = match field.kind {
                FieldKind::Choice(_) | FieldKind::YesNo => "scegliere un valore dell'elenco",
                FieldKind::MultiChoice(_) => "scegliere almeno un valore dell'elenco",
                FieldKind::Date => "indicare la data",
                FieldKind::Integer { .. } | FieldKind::Text { .. } => "campo obbligatorio",
            };
            errors.push(FieldError::new(
                field.key,
                format!("{}: {what}", field.label),
            ));
        }
    }

    if errors.is_empty() {
        Ok(Answers {
            code: def.code,
            version: def.version,
            values,
        })
    } else {
        Err(errors)
    }
}

fn condition_holds(cond: &Condition, on: Option<&Value>) -> bool {
    match on {
        None => false,
        Some(_) if cond.codes.is_empty() => true,
        Some(Value::Code(c)) => cond.codes.contains(c),
        Some(Value::Codes(cs)) => cs.iter().any(|c| cond.codes.contains(c)),
        Some(_) => false,
    }
}

fn condition_text(def: &FormDef, cond: &Condition) -> String {
    let Some(on) = def.field(cond.on) else {
        return "campo non previsto in questo caso".to_owned();
    };
    if cond.codes.is_empty() {
        return format!("da compilare solo se è compilato «{}»", on.label);
    }
    let options = on.kind.options();
    let labels: Vec<String> = cond
        .codes
        .iter()
        .map(|code| {
            let l = options
                .iter()
                .find(|(c, _)| c == code)
                .map_or(*code, |(_, l)| l);
            format!("«{l}»")
        })
        .collect();
    format!(
        "da compilare solo se «{}» è {}",
        on.label,
        labels.join(" o ")
    )
}

/// The submitted values that are not blank, trimmed.
fn present(raw: &[String]) -> Vec<&str> {
    raw.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_value(field: &FieldDef, raw: &[String]) -> Result<Option<Value>, FieldError> {
    let err = |message: String| FieldError::new(field.key, format!("{}: {message}", field.label));
    let values = present(raw);
    if let FieldKind::MultiChoice(options) = field.kind {
        let mut chosen = BTreeSet::new();
        for v in &values {
            let Some(i) = options.iter().position(|(c, _)| c == v) else {
                return Err(err(format!(
                    "«{}» non è tra i valori previsti; scegliere un valore dell'elenco",
                    shorten(v)
                )));
            };
            chosen.insert(i);
        }
        return Ok((!chosen.is_empty())
            .then(|| Value::Codes(chosen.into_iter().map(|i| options[i].0).collect())));
    }
    let one = match values.as_slice() {
        [] => return Ok(None),
        [one] => *one,
        _ => return Err(err("indicare un solo valore".to_owned())),
    };
    match field.kind {
        FieldKind::Choice(options) => options
            .iter()
            .find(|(c, _)| *c == one)
            .map(|(c, _)| Some(Value::Code(c)))
            .ok_or_else(|| {
                err(format!(
                    "«{}» non è tra i valori previsti; scegliere un valore dell'elenco",
                    shorten(one)
                ))
            }),
        FieldKind::MultiChoice(_) => Ok(None),
        FieldKind::YesNo => match one.to_lowercase().as_str() {
            "si" | "sì" | "true" | "1" => Ok(Some(Value::Bool(true))),
            "no" | "false" | "0" => Ok(Some(Value::Bool(false))),
            _ => Err(err("rispondere sì o no".to_owned())),
        },
        FieldKind::Date => {
            let d = read_date(one, FORM_DATES).map_err(|e| match e {
                DateError::Malformed(_) => err(format!(
                    "«{}» non è una data valida (gg/mm/aaaa)",
                    shorten(one)
                )),
                DateError::OutOfSpan(_) => err(e.to_string()),
            })?;
            Ok(Some(Value::Date(d)))
        }
        FieldKind::Integer { min, max } => {
            let n: i64 = one
                .parse()
                .map_err(|_| err(format!("«{}» non è un numero intero", shorten(one))))?;
            if n < min || n > max {
                return Err(err(format!("deve essere un numero tra {min} e {max}")));
            }
            Ok(Some(Value::Integer(n)))
        }
        FieldKind::Text { max_len } => {
            if let Some(c) = one
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(err(format!("{} non è ammesso", crate::char_name(c))));
            }
            let len = one.chars().count();
            if len > max_len {
                return Err(err(format!(
                    "al massimo {max_len} caratteri (ne sono stati scritti {len})"
                )));
            }
            Ok(Some(Value::Text(one.to_owned())))
        }
    }
}

/// A submitted value as quoted back in a message: at most 30 characters.
fn shorten(s: &str) -> String {
    if s.chars().count() > 30 {
        let head: String = s.chars().take(30).collect();
        format!("{head}…")
    } else {
        s.to_owned()
    }
}

/// One line for the case-file page: the form's key outcomes, "label: answer" joined by " · ".
pub fn summary(def: &FormDef, answers: &Answers) -> String {
    let parts: Vec<String> = def
        .summary
        .iter()
        .filter_map(|key| {
            let field = def.field(key)?;
            let value = answers.get(key)?;
            Some(format!("{}: {}", field.label, value.label(&field.kind)))
        })
        .collect();
    if parts.is_empty() {
        "nessun esito registrato".to_owned()
    } else {
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, vs)| {
                (
                    (*k).to_owned(),
                    vs.iter().map(|v| (*v).to_owned()).collect(),
                )
            })
            .collect()
    }

    fn sina_complete() -> BTreeMap<String, Vec<String>> {
        input(&[
            ("mobility", &["2"]),
            ("daily_living", &["2"]),
            ("cognitive_disorders", &["1"]),
            ("behavioural_disorders", &["1"]),
            ("health_care_needs", &["3"]),
            ("income", &["2"]),
            ("support_network", &["2"]),
            ("civil_invalidity", &["6", "2"]),
            ("invalidity_source", &["1"]),
            ("assessment_source", &["1"]),
            ("assessment_instrument", &["7"]),
            ("instrument_other", &["  Scala Barthel modificata  "]),
        ])
    }

    fn sinba_complete() -> BTreeMap<String, Vec<String>> {
        input(&[
            ("unaccompanied_foreign_minor", &["2"]),
            ("orphan_status", &["1"]),
            ("living_place", &["3"]),
            ("household_members", &["1", "3"]),
            ("school", &["5"]),
            ("work_status", &["1"]),
            ("disability", &["1"]),
            ("disability_type", &["3"]),
            ("invalidity_certification", &["5"]),
            ("father_education", &["3"]),
            ("father_occupation", &["1"]),
            ("mother_education", &["5"]),
            ("mother_occupation", &["4"]),
            ("first_referral_date", &["12/03/2024"]),
            ("referral_source", &["13"]),
            ("child_assessment", &["4"]),
            ("family_assessment", &["2"]),
            ("collaborations", &["2"]),
            ("court_referral", &["1"]),
            ("court_referral_date", &["2024-04-02"]),
            ("court_order", &["1"]),
            ("court_order_date", &["15/05/2024"]),
            ("court_order_authority", &["2"]),
            ("parental_authority_measure", &["3"]),
            ("court_order_type", &["4"]),
            ("foster_form", &["2"]),
            ("foster_type", &["2"]),
            ("foster_duration", &["1"]),
            ("foster_character", &["1"]),
            ("foster_outcome", &["1"]),
            ("residential_character", &["7"]),
            ("residential_form", &["2"]),
            ("residential_type", &["2"]),
            ("residential_outcome", &["2"]),
            ("closure_reason", &["4"]),
            ("closure_situation", &["1"]),
        ])
    }

    /// A test-only form with one field of every kind.
    static ALL_KINDS: FormDef = FormDef {
        code: "test",
        version: "TEST-1",
        title: "Modulo di prova",
        sections: &[SectionDef {
            title: "Tutto",
            fields: &[
                FieldDef {
                    key: "choice",
                    xsd_element: "Scelta",
                    label: "Scelta",
                    help: "",
                    kind: FieldKind::Choice(&[("1", "uno"), ("2", "due")]),
                    required: true,
                },
                FieldDef {
                    key: "multi",
                    xsd_element: "Multipla",
                    label: "Multipla",
                    help: "",
                    kind: FieldKind::MultiChoice(&[("a", "A"), ("b", "B"), ("c", "C")]),
                    required: true,
                },
                FieldDef {
                    key: "yes_no",
                    xsd_element: "SiNo",
                    label: "Sì o no",
                    help: "",
                    kind: FieldKind::YesNo,
                    required: true,
                },
                FieldDef {
                    key: "day",
                    xsd_element: "Data",
                    label: "Data",
                    help: "",
                    kind: FieldKind::Date,
                    required: true,
                },
                FieldDef {
                    key: "count",
                    xsd_element: "Numero",
                    label: "Numero dei componenti",
                    help: "",
                    kind: FieldKind::Integer { min: 1, max: 9 },
                    required: true,
                },
                FieldDef {
                    key: "note",
                    xsd_element: "",
                    label: "Note",
                    help: "",
                    kind: FieldKind::Text { max_len: 10 },
                    required: true,
                },
            ],
        }],
        conditions: &[],
        summary: &["choice", "yes_no"],
    };

    fn all_kinds_complete() -> BTreeMap<String, Vec<String>> {
        input(&[
            ("choice", &["1"]),
            ("multi", &["c", "a"]),
            ("yes_no", &["sì"]),
            ("day", &["01/02/2025"]),
            ("count", &["4"]),
            ("note", &[" breve "]),
        ])
    }

    /// The single error of a refused input, checked to name `field` and to contain `text`.
    fn refused(def: &'static FormDef, data: &BTreeMap<String, Vec<String>>, field: &str) -> String {
        let errors = match parse_answers(def, data) {
            Ok(a) => panic!("accepted: {a:?}"),
            Err(e) => e,
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, field, "{errors:?}");
        errors[0].message.clone()
    }

    #[test]
    fn codes_unique_per_field_and_keys_unique_per_form() {
        for def in FORMS.iter().copied().chain([&ALL_KINDS]) {
            let mut keys = BTreeSet::new();
            let mut elements = BTreeSet::new();
            for f in def.fields() {
                assert!(keys.insert(f.key), "{}: key {} twice", def.version, f.key);
                assert!(
                    f.key.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{}: key {} not snake_case",
                    def.version,
                    f.key
                );
                if !f.xsd_element.is_empty() {
                    assert!(
                        elements.insert(f.xsd_element),
                        "{}: element {} twice",
                        def.version,
                        f.xsd_element
                    );
                }
                assert!(!f.label.is_empty());
                let codes: BTreeSet<&str> = f.kind.options().iter().map(|(c, _)| *c).collect();
                assert_eq!(codes.len(), f.kind.options().len(), "{}", f.key);
                for (code, label) in f.kind.options() {
                    assert!(!code.is_empty() && !label.is_empty(), "{}", f.key);
                }
                if let FieldKind::Choice(o) | FieldKind::MultiChoice(o) = f.kind {
                    assert!(!o.is_empty(), "{}", f.key);
                }
            }
        }
    }

    #[test]
    fn conditions_and_summaries_refer_to_fields_of_their_form() {
        for def in FORMS {
            let mut conditioned = BTreeSet::new();
            for c in def.conditions {
                assert!(conditioned.insert(c.field), "{} twice", c.field);
                assert!(def.field(c.field).is_some(), "{}", c.field);
                let on = def.field(c.on);
                let Some(on) = on else {
                    panic!("{}: no field {}", def.version, c.on)
                };
                assert!(!on.kind.options().is_empty(), "{} is not a choice", c.on);
                for code in c.codes {
                    assert!(on.kind.options().iter().any(|(k, _)| k == code), "{code}");
                }
                assert!(def.condition(c.on).is_none(), "{} chained", c.on);
            }
            for key in def.summary {
                assert!(def.field(key).is_some(), "{key}");
            }
        }
    }

    #[test]
    fn forms_are_found_by_code_and_version() {
        for code in FormCode::ALL {
            let def = current(*code);
            assert_eq!(def.code, code.as_str());
            assert_eq!(FormCode::parse(def.code), Some(*code));
            assert!(std::ptr::eq(
                form(def.code, def.version).expect("listed"),
                def
            ));
        }
        assert!(form("sina", "SINA-1999").is_none());
        assert!(form("xyz", "SINA-2018.12").is_none());
        let versions: BTreeSet<(&str, &str)> = FORMS.iter().map(|f| (f.code, f.version)).collect();
        assert_eq!(versions.len(), FORMS.len());
    }

    #[test]
    fn the_sina_record_codes_are_as_in_the_xsd() {
        let def = current(FormCode::Sina);
        let codes = |key: &str| -> Vec<&str> {
            def.field(key)
                .expect("field")
                .kind
                .options()
                .iter()
                .map(|(c, _)| *c)
                .collect()
        };
        assert_eq!(codes("mobility"), ["1", "2", "3"]);
        assert_eq!(codes("behavioural_disorders"), ["1", "2"]);
        assert_eq!(codes("assessment_source"), ["1", "2", "3", "4"]);
        assert_eq!(codes("assessment_instrument").len(), 7);
        assert_eq!(codes("civil_invalidity").len(), 8);
        let sinba = current(FormCode::Sinba);
        let n = |key: &str| sinba.field(key).expect("field").kind.options().len();
        assert_eq!(n("referral_source"), 14);
        assert_eq!(n("child_assessment"), 13);
        assert_eq!(n("family_assessment"), 13);
        assert_eq!(n("residential_character"), 10);
    }

    #[test]
    fn complete_sina_parses_and_round_trips() {
        let def = current(FormCode::Sina);
        let a = parse_answers(def, &sina_complete()).expect("valid");
        assert_eq!(a.form_code(), "sina");
        assert_eq!(a.form_version(), "SINA-2018.12");
        assert_eq!(a.code("mobility"), Some("2"));
        // Codes come back in list order, whatever the order submitted.
        assert_eq!(a.codes("civil_invalidity"), ["2", "6"]);
        assert_eq!(
            a.get("instrument_other"),
            Some(&Value::Text("Scala Barthel modificata".to_owned()))
        );
        let json = a.to_json();
        assert_eq!(Answers::from_json(def, &json), Ok(a.clone()));
        assert_eq!(serde_json::to_string(&a).expect("serialize"), json);
        assert!(std::ptr::eq(a.form().expect("form"), def));
    }

    #[test]
    fn complete_sinba_parses_and_round_trips() {
        let def = current(FormCode::Sinba);
        let a = parse_answers(def, &sinba_complete()).expect("valid");
        assert_eq!(a.date("first_referral_date"), Some(date!(2024 - 03 - 12)));
        assert_eq!(a.date("court_referral_date"), Some(date!(2024 - 04 - 02)));
        assert_eq!(a.codes("household_members"), ["1", "3"]);
        let json = a.to_json();
        assert!(
            json.contains(r#""first_referral_date":"2024-03-12""#),
            "{json}"
        );
        assert_eq!(Answers::from_json(def, &json), Ok(a));
    }

    #[test]
    fn every_kind_round_trips() {
        let a = parse_answers(&ALL_KINDS, &all_kinds_complete()).expect("valid");
        assert_eq!(a.get("yes_no"), Some(&Value::Bool(true)));
        assert_eq!(a.get("count"), Some(&Value::Integer(4)));
        assert_eq!(a.get("note"), Some(&Value::Text("breve".to_owned())));
        assert_eq!(a.codes("multi"), ["a", "c"]);
        let json = a.to_json();
        assert_eq!(
            json,
            r#"{"choice":"1","count":4,"day":"2025-02-01","multi":["a","c"],"note":"breve","yes_no":true}"#
        );
        assert_eq!(Answers::from_json(&ALL_KINDS, &json), Ok(a));
    }

    #[test]
    fn minimal_answers_are_enough() {
        let def = current(FormCode::Sina);
        let data = input(&[
            ("mobility", &["1"]),
            ("daily_living", &["1"]),
            ("behavioural_disorders", &["1"]),
            ("income", &["1"]),
            ("support_network", &["1"]),
            ("assessment_source", &["4"]),
            ("assessment_instrument", &["1"]),
            // Blank optional fields, as an HTML form sends them.
            ("cognitive_disorders", &[""]),
            ("civil_invalidity", &[]),
            ("instrument_other", &["   "]),
        ]);
        let a = parse_answers(def, &data).expect("valid");
        assert!(a.get("cognitive_disorders").is_none());
        assert!(a.codes("civil_invalidity").is_empty());
        assert!(a.get("instrument_other").is_none());
    }

    #[test]
    fn unknown_code_is_refused() {
        let def = current(FormCode::Sina);
        let mut data = sina_complete();
        data.insert("mobility".into(), vec!["4".into()]);
        let msg = refused(def, &data, "mobility");
        assert_eq!(
            msg,
            "Mobilità: «4» non è tra i valori previsti; scegliere un valore dell'elenco"
        );
        let mut data = sina_complete();
        data.insert("civil_invalidity".into(), vec!["2".into(), "9".into()]);
        let msg = refused(def, &data, "civil_invalidity");
        assert!(msg.starts_with("Invalidità civile: «9»"), "{msg}");
    }

    #[test]
    fn two_values_for_a_single_choice_are_refused() {
        let def = current(FormCode::Sina);
        let mut data = sina_complete();
        data.insert("mobility".into(), vec!["1".into(), "2".into()]);
        assert_eq!(
            refused(def, &data, "mobility"),
            "Mobilità: indicare un solo valore"
        );
    }

    #[test]
    fn missing_required_field_is_refused() {
        let def = current(FormCode::Sina);
        let mut data = sina_complete();
        data.remove("daily_living");
        assert_eq!(
            refused(def, &data, "daily_living"),
            "Attività della vita quotidiana: scegliere un valore dell'elenco"
        );
        let mut data = sinba_complete();
        data.insert("household_members".into(), vec![String::new()]);
        assert_eq!(
            refused(current(FormCode::Sinba), &data, "household_members"),
            "Con chi vive: scegliere almeno un valore dell'elenco"
        );
        let mut data = sinba_complete();
        data.remove("first_referral_date");
        assert_eq!(
            refused(current(FormCode::Sinba), &data, "first_referral_date"),
            "Data della prima segnalazione: indicare la data"
        );
        let errors = parse_answers(def, &BTreeMap::new()).expect_err("empty");
        let named: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            named,
            [
                "mobility",
                "daily_living",
                "behavioural_disorders",
                "income",
                "support_network",
                "assessment_source",
                "assessment_instrument"
            ]
        );
    }

    #[test]
    fn bad_date_is_refused() {
        let def = current(FormCode::Sinba);
        for bad in ["31/02/2024", "2024/13/01", "ieri", "12/03/24"] {
            let mut data = sinba_complete();
            data.insert("first_referral_date".into(), vec![bad.into()]);
            assert_eq!(
                refused(def, &data, "first_referral_date"),
                format!(
                    "Data della prima segnalazione: «{bad}» non è una data valida (gg/mm/aaaa)"
                )
            );
        }
        let mut data = sinba_complete();
        data.insert("court_order_date".into(), vec!["01/01/1850".into()]);
        assert_eq!(
            refused(def, &data, "court_order_date"),
            "Data del provvedimento giudiziario: la data deve essere tra il 01/01/1900 e il 31/12/2099"
        );
    }

    #[test]
    fn integer_out_of_range_or_not_a_number_is_refused() {
        for (bad, expected) in [
            (
                "0",
                "Numero dei componenti: deve essere un numero tra 1 e 9",
            ),
            (
                "10",
                "Numero dei componenti: deve essere un numero tra 1 e 9",
            ),
            ("tre", "Numero dei componenti: «tre» non è un numero intero"),
            ("2.5", "Numero dei componenti: «2.5» non è un numero intero"),
        ] {
            let mut data = all_kinds_complete();
            data.insert("count".into(), vec![bad.into()]);
            assert_eq!(refused(&ALL_KINDS, &data, "count"), expected);
        }
    }

    #[test]
    fn bad_yes_no_is_refused() {
        let mut data = all_kinds_complete();
        data.insert("yes_no".into(), vec!["forse".into()]);
        assert_eq!(
            refused(&ALL_KINDS, &data, "yes_no"),
            "Sì o no: rispondere sì o no"
        );
        data.insert("yes_no".into(), vec!["NO".into()]);
        let a = parse_answers(&ALL_KINDS, &data).expect("valid");
        assert_eq!(a.get("yes_no"), Some(&Value::Bool(false)));
    }

    #[test]
    fn overlong_or_control_text_is_refused() {
        let mut data = all_kinds_complete();
        data.insert("note".into(), vec!["  undici cara  ".into()]);
        assert_eq!(
            refused(&ALL_KINDS, &data, "note"),
            "Note: al massimo 10 caratteri (ne sono stati scritti 11)"
        );
        // Ten accented characters are ten characters, not twenty bytes.
        data.insert("note".into(), vec!["èèèèèèèèèè".into()]);
        assert!(parse_answers(&ALL_KINDS, &data).is_ok());
        data.insert("note".into(), vec!["a\u{7}b".into()]);
        assert_eq!(
            refused(&ALL_KINDS, &data, "note"),
            "Note: il carattere U+0007 non è ammesso"
        );
        let mut data = sina_complete();
        data.insert("instrument_other".into(), vec!["x".repeat(101)]);
        let msg = refused(current(FormCode::Sina), &data, "instrument_other");
        assert!(
            msg.starts_with("Altro strumento di valutazione: al massimo 100"),
            "{msg}"
        );
    }

    #[test]
    fn unknown_field_is_refused() {
        let def = current(FormCode::Sina);
        let mut data = sina_complete();
        data.insert("mobilita".into(), vec!["1".into()]);
        assert_eq!(
            refused(def, &data, FORM_FIELD),
            "campo «mobilita» non previsto dal modulo «Valutazione multidimensionale SINA \
             (disabilità e non autosufficienza)» (SINA-2018.12)"
        );
        // A SINBA field is unknown to SINA.
        let mut data = sina_complete();
        data.insert("living_place".into(), vec![String::new()]);
        let msg = refused(def, &data, FORM_FIELD);
        assert!(msg.contains("«living_place»"), "{msg}");
    }

    #[test]
    fn conditional_fields_apply_only_when_their_condition_holds() {
        let def = current(FormCode::Sinba);
        // Disability "no" with a type of disability.
        let mut data = sinba_complete();
        data.insert("disability".into(), vec!["2".into()]);
        data.remove("invalidity_certification");
        assert_eq!(
            refused(def, &data, "disability_type"),
            "Tipo di disabilità: da compilare solo se «Disabilità» è «sì»"
        );
        // Disability "no" and no details: fine.
        data.remove("disability_type");
        assert!(parse_answers(def, &data).is_ok());
        // Disability "sì" needs the type.
        let mut data = sinba_complete();
        data.remove("disability_type");
        assert_eq!(
            refused(def, &data, "disability_type"),
            "Tipo di disabilità: scegliere un valore dell'elenco"
        );
        // A court order needs its date and authority.
        let mut data = sinba_complete();
        data.remove("court_order_date");
        assert_eq!(
            refused(def, &data, "court_order_date"),
            "Data del provvedimento giudiziario: indicare la data"
        );
        // A closure situation without a closure reason.
        let mut data = sinba_complete();
        data.remove("closure_reason");
        assert_eq!(
            refused(def, &data, "closure_situation"),
            "Situazione alla chiusura della presa in carico: da compilare solo se è compilato \
             «Motivo della chiusura della presa in carico»"
        );
        // SINA: the source of the invalidity goes with a certification.
        let sina = current(FormCode::Sina);
        let mut data = sina_complete();
        data.remove("invalidity_source");
        assert_eq!(
            refused(sina, &data, "invalidity_source"),
            "Fonte dell'informazione sull'invalidità: scegliere un valore dell'elenco"
        );
        data.remove("civil_invalidity");
        assert!(parse_answers(sina, &data).is_ok());
        // A wrong answer to the field a condition depends on is reported once.
        let mut data = sinba_complete();
        data.insert("disability".into(), vec!["3".into()]);
        let msg = refused(def, &data, "disability");
        assert!(msg.starts_with("Disabilità: «3»"), "{msg}");
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let def = current(FormCode::Sina);
        let mut data = sina_complete();
        data.insert("mobility".into(), vec!["9".into()]);
        data.remove("income");
        data.insert("extra".into(), vec!["1".into()]);
        let errors = parse_answers(def, &data).expect_err("invalid");
        let fields: BTreeSet<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, BTreeSet::from([FORM_FIELD, "mobility", "income"]));
        for e in &errors {
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn stored_answers_that_no_longer_parse_are_errors() {
        let def = current(FormCode::Sina);
        assert!(Answers::from_json(def, "non json").is_err());
        let errors = Answers::from_json(def, "[1, 2]").expect_err("not an object");
        assert_eq!(errors[0].field, FORM_FIELD);
        // A code no longer in the list, an unknown key, a nested object.
        let a = parse_answers(def, &sina_complete()).expect("valid");
        let mut stored: serde_json::Value = serde_json::from_str(&a.to_json()).expect("json");
        stored["mobility"] = serde_json::json!("7");
        stored["removed_field"] = serde_json::json!("1");
        stored["income"] = serde_json::json!({"x": 1});
        let errors = Answers::from_json(def, &stored.to_string()).expect_err("stale");
        let fields: BTreeSet<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, BTreeSet::from([FORM_FIELD, "mobility", "income"]));
        // Stored answers read against another form are refused, not mixed up.
        assert!(Answers::from_json(current(FormCode::Sinba), &a.to_json()).is_err());
    }

    #[test]
    fn display_shows_answered_fields_by_section() {
        let def = current(FormCode::Sina);
        let a = parse_answers(def, &sina_complete()).expect("valid");
        let shown = a.display(def);
        assert_eq!(shown.len(), def.sections.len());
        assert_eq!(shown[0].0, "Autonomia funzionale");
        assert_eq!(
            shown[0].1[0],
            ("Mobilità", "si sposta assistito".to_owned())
        );
        let invalidity = &shown[3].1[0];
        assert_eq!(invalidity.0, "Invalidità civile");
        assert_eq!(
            invalidity.1,
            "certificazione di invalidità civile totale (100%) con indennità di \
             accompagnamento; certificazione L. 104 (art. 3, comma 3)"
        );
        let sinba = current(FormCode::Sinba);
        let b = parse_answers(sinba, &sinba_complete()).expect("valid");
        let shown = b.display(sinba);
        let dates: Vec<&(&str, String)> = shown
            .iter()
            .flat_map(|(_, rows)| rows)
            .filter(|(l, _)| l.starts_with("Data della prima"))
            .collect();
        assert_eq!(dates[0].1, "12/03/2024");
        // Sections without answers are left out.
        let minimal = input(&[
            ("mobility", &["1"]),
            ("daily_living", &["1"]),
            ("behavioural_disorders", &["1"]),
            ("income", &["1"]),
            ("support_network", &["1"]),
            ("assessment_source", &["4"]),
            ("assessment_instrument", &["1"]),
        ]);
        let m = parse_answers(def, &minimal).expect("valid");
        let titles: Vec<&str> = m.display(def).iter().map(|(t, _)| *t).collect();
        assert_eq!(
            titles,
            [
                "Autonomia funzionale",
                "Condizione economica e rete di supporto",
                "Fonte e strumento della valutazione"
            ]
        );
        let all = parse_answers(&ALL_KINDS, &all_kinds_complete()).expect("valid");
        let rows = &all.display(&ALL_KINDS)[0].1;
        assert_eq!(rows[1].1, "A; C");
        assert_eq!(rows[2].1, "sì");
        assert_eq!(rows[3].1, "01/02/2025");
    }

    #[test]
    fn summary_lists_the_key_outcomes() {
        let def = current(FormCode::Sina);
        let a = parse_answers(def, &sina_complete()).expect("valid");
        let s = summary(def, &a);
        assert!(
            s.starts_with(
                "Mobilità: si sposta assistito · Attività della vita quotidiana: \
                 parzialmente dipendente"
            ),
            "{s}"
        );
        assert!(s.contains("Necessità di cure sanitarie: alta"), "{s}");
        let sinba = current(FormCode::Sinba);
        let b = parse_answers(sinba, &sinba_complete()).expect("valid");
        let s = summary(sinba, &b);
        assert!(s.starts_with("Dove vive: in famiglia affidataria"), "{s}");
        assert!(s.contains("Provvedimento giudiziario: sì"), "{s}");
        let empty = Answers {
            code: "test",
            version: "TEST-1",
            values: BTreeMap::new(),
        };
        assert_eq!(summary(&ALL_KINDS, &empty), "nessun esito registrato");
    }
}
