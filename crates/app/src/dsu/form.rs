//! The quadri of the DSU model as the counter types them: for each quadro, its fields with the
//! engine's names, what each takes, and the way from the values as typed (Italian amounts,
//! dates as gg/mm/aaaa) to the engine's JSON and back. The engine's own types
//! (`isee::dsu::input`) then check each quadro, so the rules are written once.

use domain::dates::{format_date, parse_date};
use domain::money::Money;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Euro amount, typed as `1.234,56`.
    Amount,
    /// A decimal such as a share (`33,33`) or a scale parameter (`1,57`).
    Decimal,
    Count,
    Flag,
    Text,
    /// A codice fiscale (16 characters, or 11 digits).
    Cf,
    /// Several codici fiscali, separated by spaces or commas.
    CfList,
    Date,
    Choice(&'static [(&'static str, &'static str)]),
}

#[derive(Debug)]
pub struct Field {
    /// The engine's name, with `.` for a nested object (`locazione.canone_annuo`) and `#n`
    /// for the n-th item of a list (`redditi_lavoro#0`).
    pub key: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub help: &'static str,
}

/// Whose quadro it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Nucleo,
    /// One per member of the nucleo ISEE.
    Member,
}

#[derive(Debug)]
pub struct Quadro {
    /// The key in the stored draft and in addresses (`b`, `fc2`…).
    pub id: &'static str,
    /// As printed on the model.
    pub title: &'static str,
    pub what: &'static str,
    pub scope: Scope,
    pub fields: &'static [Field],
    /// The list of repeatable rows (`rapporti`) and the fields of a row.
    pub rows: Option<(&'static str, &'static [Field])>,
}

const fn f(key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        key,
        label,
        kind,
        required: false,
        help: "",
    }
}

const fn req(key: &'static str, label: &'static str, kind: Kind) -> Field {
    Field {
        key,
        label,
        kind,
        required: true,
        help: "",
    }
}

const fn help(mut field: Field, help: &'static str) -> Field {
    field.help = help;
    field
}

const CASA: &[(&str, &str)] = &[
    ("proprieta", "proprietà o altro diritto reale"),
    ("locazione", "locazione"),
    ("altro", "altro (comodato, ospitalità…)"),
];
const CASI_ART7: &[(&str, &str)] = &[
    ("nessuno", "nessuno: il genitore entra nel nucleo"),
    ("a", "a) coniugato con altra persona"),
    ("b", "b) con figli da altra persona"),
    ("c", "c) assegni stabiliti dal giudice"),
    ("d", "d) escluso dalla responsabilità genitoriale"),
    ("e", "e) estraneità accertata"),
];
const TIPI_RAPPORTO: &[(&str, &str)] = &[
    ("01", "01 conto corrente"),
    ("02", "02 deposito titoli e obbligazioni"),
    ("03", "03 deposito a risparmio, libretto"),
    ("04", "04 rapporto fiduciario"),
    ("05", "05 gestione collettiva del risparmio"),
    ("06", "06 gestione patrimoniale"),
    ("07", "07 certificati di deposito e buoni fruttiferi"),
    ("08", "08 partecipazioni"),
    ("09", "09 assicurazioni a contenuto finanziario"),
    ("10", "10 patrimonio netto dell'impresa individuale"),
];
const TIPI_IMMOBILE: &[(&str, &str)] = &[
    ("F", "fabbricato"),
    ("TE", "terreno edificabile"),
    ("TA", "terreno agricolo"),
];
const TIPI_VEICOLO: &[(&str, &str)] = &[
    ("autoveicolo", "autoveicolo"),
    ("motoveicolo", "motoveicolo (500 cc e oltre)"),
    ("imbarcazione", "imbarcazione"),
];
const CONDIZIONI: &[(&str, &str)] = &[
    ("media", "disabilità media"),
    ("grave", "disabilità grave"),
    ("non_autosufficiente", "non autosufficienza"),
];
const EVENTI: &[(&str, &str)] = &[
    (
        "lavoro_indeterminato",
        "lavoro a tempo indeterminato: risoluzione, sospensione o riduzione",
    ),
    (
        "lavoro_non_indeterminato",
        "lavoro a termine o autonomo: cessazione dopo almeno 120 giorni",
    ),
    (
        "interruzione_trattamenti",
        "interruzione di trattamenti non soggetti a IRPEF",
    ),
];
const PERIODI: &[(&str, &str)] = &[
    ("dodici_mesi", "ultimi dodici mesi"),
    ("due_mesi", "ultimi due mesi (moltiplicati per 6)"),
];
const ESONERI: &[(&str, &str)] = &[
    ("disabilita", "disabilità nel nucleo del figlio"),
    ("estraneita", "estraneità accertata"),
];

/// Every quadro the counter types, in the model's order. Quadro A (the nucleo) and the FC1
/// codes are the members of the DSU, kept as records of their own.
pub static QUADRI: &[Quadro] = &[
    Quadro {
        id: "b",
        title: "MB.1 quadro B",
        what: "casa di abitazione e nucleo",
        scope: Scope::Nucleo,
        fields: &[
            req("casa_abitazione", "Casa di abitazione", Kind::Choice(CASA)),
            req(
                "locazione.intestatario",
                "Intestatario del contratto di locazione",
                Kind::Cf,
            ),
            req(
                "locazione.data_registrazione",
                "Data di registrazione del contratto",
                Kind::Date,
            ),
            req(
                "locazione.estremi_registrazione",
                "Estremi di registrazione (serie, numero, ufficio)",
                Kind::Text,
            ),
            req("locazione.canone_annuo", "Canone annuo (€)", Kind::Amount),
            f(
                "coniugi_residenza_diversa",
                "Coniugi con residenza diversa",
                Kind::Flag,
            ),
            help(
                f(
                    "genitori_lavoratori",
                    "Figli minorenni: entrambi i genitori (o l'unico) hanno lavorato almeno 6 mesi",
                    Kind::Flag,
                ),
                "Allegato 1 lett. b del DPCM 159/2013",
            ),
            f(
                "unico_genitore",
                "Nucleo di un solo genitore non lavoratore con figli minorenni",
                Kind::Flag,
            ),
            f(
                "numero_figli",
                "Numero di figli, anche maggiorenni",
                Kind::Count,
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "c",
        title: "MB.2 quadro C",
        what: "studente universitario (ISEE università)",
        scope: Scope::Nucleo,
        fields: &[
            req("studente", "Codice fiscale dello studente", Kind::Cf),
            req(
                "anni_residenza_esterna",
                "Anni di residenza fuori dalla famiglia d'origine prima dell'iscrizione",
                Kind::Count,
            ),
            f(
                "alloggio_non_di_familiari",
                "L'alloggio non è di proprietà di un familiare",
                Kind::Flag,
            ),
            req(
                "redditi_lavoro#0",
                "Redditi da lavoro del primo anno (€)",
                Kind::Amount,
            ),
            req(
                "redditi_lavoro#1",
                "Redditi da lavoro del secondo anno (€)",
                Kind::Amount,
            ),
            help(
                f(
                    "nucleo_genitori",
                    "Codici fiscali del nucleo dei genitori",
                    Kind::CfList,
                ),
                "separati da spazi; entrano nel nucleo se l'autonomia non è dimostrata",
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "d",
        title: "MB.2 quadro D",
        what: "genitore non convivente (ISEE minorenni)",
        scope: Scope::Nucleo,
        fields: &[
            req(
                "genitore",
                "Codice fiscale del genitore non convivente",
                Kind::Cf,
            ),
            req("cognome", "Cognome", Kind::Text),
            req("nome", "Nome", Kind::Text),
            req("caso", "Caso dell'art. 7 c. 1", Kind::Choice(CASI_ART7)),
        ],
        rows: None,
    },
    Quadro {
        id: "ridotto",
        title: "MB.1 ridotto",
        what: "nucleo ristretto per le prestazioni sociosanitarie",
        scope: Scope::Nucleo,
        fields: &[
            req("beneficiario", "Codice fiscale del beneficiario", Kind::Cf),
            help(
                f(
                    "componenti",
                    "Codici fiscali di coniuge e figli",
                    Kind::CfList,
                ),
                "separati da spazi",
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "mb3_figli",
        title: "MB.3",
        what: "figli del beneficiario non nel nucleo (prestazioni residenziali)",
        scope: Scope::Nucleo,
        fields: &[],
        rows: Some((
            "figli_non_nel_nucleo",
            &[
                req("codice_fiscale", "Codice fiscale", Kind::Cf),
                req("cognome", "Cognome", Kind::Text),
                req("nome", "Nome", Kind::Text),
                f(
                    "esonero",
                    "Esonero dalla componente aggiuntiva",
                    Kind::Choice(ESONERI),
                ),
            ],
        )),
    },
    Quadro {
        id: "mb3_donazioni",
        title: "MB.3",
        what: "donazioni di immobili del beneficiario negli ultimi tre anni",
        scope: Scope::Nucleo,
        fields: &[],
        rows: Some((
            "donazioni",
            &[
                req("data", "Data della donazione", Kind::Date),
                req("valore", "Valore ai fini IMU (€)", Kind::Amount),
            ],
        )),
    },
    Quadro {
        id: "fc2",
        title: "FC.1 quadro FC2",
        what: "patrimonio mobiliare al 31 dicembre",
        scope: Scope::Member,
        fields: &[help(
            f(
                "incrementi_patrimonio",
                "Acquisti di immobili o incrementi del patrimonio nell'anno (€)",
                Kind::Amount,
            ),
            "art. 5 c. 4 lett. a: se superano la differenza tra giacenze e saldi contano i saldi",
        )],
        rows: Some((
            "rapporti",
            &[
                req("tipo", "Tipo di rapporto", Kind::Choice(TIPI_RAPPORTO)),
                f("operatore", "Codice fiscale dell'operatore", Kind::Text),
                f(
                    "identificativo",
                    "Identificativo (IBAN, numero)",
                    Kind::Text,
                ),
                f("postale", "Presso Poste Italiane", Kind::Flag),
                help(
                    f("quota", "Quota di possesso (%)", Kind::Decimal),
                    "100 se intera",
                ),
                f("saldo", "Saldo al 31/12 (€)", Kind::Amount),
                f("giacenza_media", "Giacenza media annua (€)", Kind::Amount),
                f("valore", "Valore al 31/12 (€)", Kind::Amount),
                f(
                    "titoli_di_stato",
                    "Di cui titoli di Stato, buoni o libretti postali (€)",
                    Kind::Amount,
                ),
            ],
        )),
    },
    Quadro {
        id: "fc3",
        title: "FC.1 quadro FC3",
        what: "patrimonio immobiliare al 31 dicembre",
        scope: Scope::Member,
        fields: &[],
        rows: Some((
            "immobili",
            &[
                req("tipo", "Tipo", Kind::Choice(TIPI_IMMOBILE)),
                req("comune_o_stato", "Comune o Stato estero", Kind::Text),
                f("estero", "All'estero (valore IVIE)", Kind::Flag),
                help(
                    f("quota", "Quota posseduta (%)", Kind::Decimal),
                    "100 se intera",
                ),
                req("valore", "Valore ai fini IMU (€)", Kind::Amount),
                f(
                    "mutuo_residuo",
                    "Quota capitale residua del mutuo (€)",
                    Kind::Amount,
                ),
                f("casa_abitazione", "È la casa di abitazione", Kind::Flag),
            ],
        )),
    },
    Quadro {
        id: "fc4",
        title: "FC.1 quadro FC4",
        what: "redditi non noti all'Agenzia delle Entrate o all'INPS",
        scope: Scope::Member,
        fields: &[
            f(
                "redditi_imposta_sostitutiva",
                "Redditi a imposta sostitutiva o ritenuta a titolo d'imposta (€)",
                Kind::Amount,
            ),
            f("redditi_esenti", "Redditi esenti (€)", Kind::Amount),
            f(
                "redditi_esteri",
                "Redditi prodotti all'estero (€)",
                Kind::Amount,
            ),
            f(
                "redditi_fondiari_esenti",
                "Redditi fondiari di beni non locati esenti IRPEF (€)",
                Kind::Amount,
            ),
            f(
                "trattamenti_non_inps",
                "Trattamenti non erogati dall'INPS (€)",
                Kind::Amount,
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "fc5",
        title: "FC.1 quadro FC5",
        what: "assegni per il coniuge e i figli",
        scope: Scope::Member,
        fields: &[
            f(
                "assegni_figli_ricevuti",
                "Assegni per i figli ricevuti (€)",
                Kind::Amount,
            ),
            f(
                "assegni_coniuge_corrisposti",
                "Assegni al coniuge corrisposti (€)",
                Kind::Amount,
            ),
            f(
                "assegni_figli_corrisposti",
                "Assegni per figli fuori dal nucleo corrisposti (€)",
                Kind::Amount,
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "fc6",
        title: "FC.1 quadro FC6",
        what: "autoveicoli, motoveicoli e imbarcazioni",
        scope: Scope::Member,
        fields: &[],
        rows: Some((
            "veicoli",
            &[
                req("tipo", "Tipo", Kind::Choice(TIPI_VEICOLO)),
                req("targa", "Targa o estremi di registrazione", Kind::Text),
            ],
        )),
    },
    Quadro {
        id: "fc7",
        title: "FC.2 quadro FC7",
        what: "disabilità e non autosufficienza",
        scope: Scope::Member,
        fields: &[
            req(
                "condizione",
                "Condizione certificata",
                Kind::Choice(CONDIZIONI),
            ),
            f("ente_certificatore", "Ente certificatore", Kind::Text),
            f("numero_documento", "Numero del documento", Kind::Text),
            f("data_rilascio", "Data di rilascio", Kind::Date),
        ],
        rows: None,
    },
    Quadro {
        id: "fc8",
        title: "FC.3 quadro FC8",
        what: "redditi, trattamenti e spese dell'anno di riferimento",
        scope: Scope::Member,
        fields: &[
            f(
                "reddito_complessivo",
                "Reddito complessivo IRPEF (€)",
                Kind::Amount,
            ),
            f(
                "di_cui_lavoro_dipendente",
                "di cui da lavoro dipendente e assimilati (€)",
                Kind::Amount,
            ),
            f("di_cui_pensione", "di cui da pensione (€)", Kind::Amount),
            f(
                "di_cui_redditi_agrari",
                "di cui redditi agrari (€)",
                Kind::Amount,
            ),
            f(
                "proventi_agrari",
                "Proventi agrari da dichiarazione IRAP (€)",
                Kind::Amount,
            ),
            f(
                "trattamenti_inps",
                "Trattamenti INPS non nel reddito IRPEF (€)",
                Kind::Amount,
            ),
            f(
                "assegno_unico",
                "Assegno unico universale percepito (€)",
                Kind::Amount,
            ),
            f(
                "trattamenti_disabilita",
                "Trattamenti percepiti per disabilità (€)",
                Kind::Amount,
            ),
            f(
                "spese_sanitarie_disabili",
                "Spese sanitarie e di assistenza per disabili (€)",
                Kind::Amount,
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "fc9",
        title: "FC.4 quadro FC9",
        what: "componente aggiuntiva di chi è fuori dal nucleo",
        scope: Scope::Nucleo,
        fields: &[],
        rows: Some((
            "persone",
            &[
                req("codice_fiscale", "Codice fiscale", Kind::Cf),
                f(
                    "quadro_fc9.dsu_protocollo",
                    "Protocollo della sua DSU",
                    Kind::Text,
                ),
                req("quadro_fc9.isr", "ISR della sola persona (€)", Kind::Amount),
                req("quadro_fc9.isp", "ISP della sola persona (€)", Kind::Amount),
                req(
                    "quadro_fc9.scala_nucleo",
                    "Scala di equivalenza del suo nucleo",
                    Kind::Decimal,
                ),
            ],
        )),
    },
    Quadro {
        id: "ms",
        title: "MS quadro dei redditi correnti",
        what: "redditi aggiornati del componente (ISEE corrente, art. 9)",
        scope: Scope::Member,
        fields: &[
            help(
                f("evento", "Evento (art. 9 c. 1)", Kind::Choice(EVENTI)),
                "Senza evento l'ISEE corrente vale solo se l'ISR cambia di oltre il 25%.",
            ),
            req("periodo", "Periodo dei redditi", Kind::Choice(PERIODI)),
            f(
                "redditi_lavoro_dipendente",
                "Redditi da lavoro dipendente (€)",
                Kind::Amount,
            ),
            f("redditi_pensione", "Redditi da pensione (€)", Kind::Amount),
            f(
                "altri_redditi",
                "Altri redditi: lavoro autonomo, redditi diversi (€)",
                Kind::Amount,
            ),
            f(
                "trattamenti",
                "Trattamenti assistenziali, previdenziali e indennitari (€)",
                Kind::Amount,
            ),
        ],
        rows: None,
    },
    Quadro {
        id: "ms_patrimonio",
        title: "MS quadro del patrimonio corrente",
        what: "patrimonio del nucleo al 31 dicembre dell'anno precedente (ISEE corrente)",
        scope: Scope::Nucleo,
        fields: &[
            req(
                "mobiliare",
                "Patrimonio mobiliare del nucleo (€)",
                Kind::Amount,
            ),
            help(
                req(
                    "immobiliare",
                    "Patrimonio immobiliare, esclusa la casa di abitazione (€)",
                    Kind::Amount,
                ),
                "Al netto dei mutui residui.",
            ),
            help(
                f("casa_abitazione", "Casa di abitazione (€)", Kind::Amount),
                "Valore al netto del mutuo residuo.",
            ),
        ],
        rows: None,
    },
];

pub fn quadro(id: &str) -> Option<&'static Quadro> {
    QUADRI.iter().find(|q| q.id == id)
}

/// The values typed in one quadro: field → text, and the rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Typed {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Typed {
    pub fn is_empty(&self) -> bool {
        self.fields.values().all(|v| v.trim().is_empty())
            && self
                .rows
                .iter()
                .all(|r| r.values().all(|v| v.trim().is_empty()))
    }

    pub fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", String::as_str)
    }

    /// From a submitted form: `f.<key>` for the quadro's fields, `r.<n>.<key>` for rows.
    /// Rows left wholly blank are dropped; unknown names are ignored.
    pub fn from_form(q: &Quadro, pairs: &[(String, String)]) -> Typed {
        let mut t = Typed::default();
        let mut rows: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        for (name, value) in pairs {
            if let Some(key) = name.strip_prefix("f.") {
                if let Some(field) = q.fields.iter().find(|f| f.key == key) {
                    t.fields.insert(field.key.to_owned(), value.clone());
                }
            } else if let (Some(rest), Some((_, row_fields))) = (name.strip_prefix("r."), q.rows)
                && let Some((n, key)) = rest.split_once('.')
                && let Ok(n) = n.parse::<usize>()
                && n < MAX_ROWS
                && let Some(field) = row_fields.iter().find(|f| f.key == key)
            {
                rows.entry(n)
                    .or_default()
                    .insert(field.key.to_owned(), value.clone());
            }
        }
        t.rows = rows
            .into_values()
            .filter(|r| r.values().any(|v| !v.trim().is_empty()))
            .collect();
        t
    }
}

/// No member declares more than this many accounts, properties or vehicles.
pub const MAX_ROWS: usize = 200;

/// A field's error: its form name (`f.saldo`, `r.2.saldo`) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub name: String,
    pub message: String,
}

fn problem(name: String, label: &str, message: impl std::fmt::Display) -> FieldProblem {
    FieldProblem {
        name,
        message: format!("{label}: {message}"),
    }
}

/// Reads one field's text as the engine's JSON value; `None` when left blank.
fn read_value(field: &Field, raw: &str) -> Result<Option<Value>, String> {
    let t = raw.trim();
    if t.is_empty() || (field.kind == Kind::Flag && t == "0") {
        return if field.required {
            Err("campo obbligatorio".into())
        } else {
            Ok(None)
        };
    }
    Ok(Some(match field.kind {
        Kind::Amount => {
            // Money's messages start with what they name: here the label comes first.
            let m = Money::parse("", t, field.label).map_err(|e| {
                let lead = format!("{}: ", field.label);
                e.message
                    .strip_prefix(&lead)
                    .map_or_else(|| e.message.clone(), str::to_owned)
            })?;
            Value::String(m.to_decimal().to_string())
        }
        Kind::Decimal => {
            // Italian form (`1.234,5`): the comma is the decimal point; without a comma a
            // dot is one (`1.57`, `33.33`), never a thousands separator in a share or a scale.
            let norm = if t.contains(',') {
                t.replace('.', "").replace(',', ".")
            } else {
                t.to_owned()
            };
            let d: rust_decimal::Decimal = norm
                .parse()
                .map_err(|_| format!("«{t}» non è un numero (usa la virgola per i decimali)"))?;
            Value::String(d.normalize().to_string())
        }
        Kind::Count => {
            let n: u32 = t
                .parse()
                .map_err(|_| format!("«{t}» non è un numero intero tra 0 e 4294967295"))?;
            Value::from(n)
        }
        Kind::Flag => Value::Bool(true),
        Kind::Text => Value::String(t.to_owned()),
        Kind::Cf => Value::String(t.to_uppercase()),
        Kind::CfList => Value::Array(
            t.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_uppercase()))
                .collect(),
        ),
        Kind::Date => {
            let d = parse_date(t).ok_or_else(|| format!("«{t}» non è una data (gg/mm/aaaa)"))?;
            Value::String(d.to_string())
        }
        Kind::Choice(options) => {
            if !options.iter().any(|(code, _)| *code == t) {
                return Err(format!("«{t}» non è tra le scelte possibili"));
            }
            Value::String(t.to_owned())
        }
    }))
}

/// Writes `value` at the field's key into `obj` (`a.b` nests, `a#n` fills a list).
fn put(obj: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some((head, rest)) = key.split_once('.') {
        let inner = obj
            .entry(head.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = inner {
            put(m, rest, value);
        }
    } else if let Some((head, n)) = key.split_once('#') {
        let list = obj
            .entry(head.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let (Value::Array(items), Ok(n)) = (list, n.parse::<usize>()) {
            if items.len() <= n {
                items.resize(n + 1, Value::Null);
            }
            if let Some(slot) = items.get_mut(n) {
                *slot = value;
            }
        }
    } else {
        obj.insert(key.to_owned(), value);
    }
}

fn read_object(
    fields: &[Field],
    typed: &BTreeMap<String, String>,
    name: &dyn Fn(&str) -> String,
    problems: &mut Vec<FieldProblem>,
) -> Map<String, Value> {
    let mut obj = Map::new();
    // A nested object (`locazione`) left wholly blank is not declared: its fields are
    // required only once one of them is typed.
    let typed_groups: Vec<&str> = fields
        .iter()
        .filter_map(|f| f.key.split_once('.').map(|(g, _)| g))
        .filter(|g| {
            fields.iter().any(|f| {
                f.key.starts_with(&format!("{g}."))
                    && typed.get(f.key).is_some_and(|v| !v.trim().is_empty())
            })
        })
        .collect();
    for field in fields {
        let raw = typed.get(field.key).map_or("", String::as_str);
        let grouped = field.key.split_once('.').map(|(g, _)| g);
        let required = field.required && grouped.is_none_or(|g| typed_groups.contains(&g));
        let field_now = Field { required, ..*field };
        match read_value(&field_now, raw) {
            Ok(Some(v)) => put(&mut obj, field.key, v),
            Ok(None) => {}
            Err(m) => problems.push(problem(name(field.key), field.label, m)),
        }
    }
    obj
}

/// The quadro as the engine's JSON, or every field's problem.
pub fn to_json(q: &Quadro, typed: &Typed) -> Result<Value, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut obj = read_object(
        q.fields,
        &typed.fields,
        &|k| format!("f.{k}"),
        &mut problems,
    );
    if let Some((list, row_fields)) = q.rows {
        let rows: Vec<Value> = typed
            .rows
            .iter()
            .enumerate()
            .map(|(n, row)| {
                Value::Object(read_object(
                    row_fields,
                    row,
                    &|k| format!("r.{n}.{k}"),
                    &mut problems,
                ))
            })
            .collect();
        obj.insert(list.to_owned(), Value::Array(rows));
    }
    if problems.is_empty() {
        Ok(Value::Object(obj))
    } else {
        Err(problems)
    }
}

/// Checks the quadro's JSON against the engine's type `T`; a refusal is put beside the field
/// it names.
pub fn check<T: serde::de::DeserializeOwned>(
    q: &Quadro,
    json: Value,
) -> Result<T, Vec<FieldProblem>> {
    use serde_path_to_error::Segment;
    serde_path_to_error::deserialize::<_, T>(json).map_err(|e| {
        let segs: Vec<&Segment> = e.path().iter().collect();
        let list = q.rows.map(|(l, _)| l);
        let (row, rest) = match segs.as_slice() {
            [Segment::Map { key }, Segment::Seq { index }, rest @ ..]
                if Some(key.as_str()) == list =>
            {
                (Some(*index), rest)
            }
            all => (None, all),
        };
        let mut key = String::new();
        for seg in rest {
            match seg {
                Segment::Map { key: k } => {
                    if !key.is_empty() {
                        key.push('.');
                    }
                    key.push_str(k);
                }
                Segment::Seq { index } => key.push_str(&format!("#{index}")),
                _ => {}
            }
        }
        let fields = match (row, q.rows) {
            (Some(_), Some((_, rf))) => rf,
            _ => q.fields,
        };
        let field = fields.iter().find(|f| f.key == key);
        let name = match (field, row) {
            (Some(f), Some(n)) => format!("r.{n}.{}", f.key),
            (Some(f), None) => format!("f.{}", f.key),
            (None, _) => String::new(),
        };
        let label = field.map_or(q.what, |f| f.label);
        let message = e.into_inner().to_string();
        // serde's own wording ("at line 1 column 3") means nothing to an operator.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        vec![problem(name, label, message)]
    })
}

/// The engine's JSON of a quadro back as the counter shows it (after an import through the
/// API, or a copy of an earlier DSU).
pub fn from_json(q: &Quadro, json: &Value) -> Typed {
    let mut t = Typed {
        fields: read_back(q.fields, json),
        rows: Vec::new(),
    };
    if let Some((list, row_fields)) = q.rows
        && let Some(Value::Array(items)) = json.get(list)
    {
        t.rows = items.iter().map(|i| read_back(row_fields, i)).collect();
    }
    t
}

fn read_back(fields: &[Field], json: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for field in fields {
        let mut v = Some(json);
        for part in field.key.split('.') {
            v = match part.split_once('#') {
                Some((head, n)) => v
                    .and_then(|x| x.get(head))
                    .and_then(|x| x.get(n.parse::<usize>().ok()?)),
                None => v.and_then(|x| x.get(part)),
            };
        }
        let Some(v) = v else { continue };
        let text = match (field.kind, v) {
            (Kind::Amount, Value::String(s)) => s
                .parse::<rust_decimal::Decimal>()
                .ok()
                .and_then(Money::from_decimal)
                .map_or_else(|| s.clone(), Money::format_plain),
            (Kind::Decimal, Value::String(s)) => s.replace('.', ","),
            (Kind::Date, Value::String(s)) => {
                time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                    .map_or_else(|_| s.clone(), format_date)
            }
            (Kind::Flag, Value::Bool(b)) => if *b { "1" } else { "" }.to_owned(),
            (Kind::CfList, Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            (_, Value::String(s)) => s.clone(),
            (_, Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        out.insert(field.key.to_owned(), text);
    }
    out
}
