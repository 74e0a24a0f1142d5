//! The DSU as a CAF operator copies it from the INPS form: one struct per module and quadro.
//! These types are the JSON format (and the JSON Schema); [`crate::Dsu`] is their validated form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::values::{CodiceFiscale, Data, Importo, Parametro, Quota};

/// Dichiarazione Sostitutiva Unica (DPCM 159/2013 art. 10), moduli MB e FC.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DsuInput {
    /// Numero di protocollo INPS della DSU, se assegnato.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocollo: Option<String>,
    /// Data di presentazione: sceglie l'insieme di regole e gli anni di riferimento.
    pub data_presentazione: Data,
    /// Variante di ISEE richiesta.
    #[serde(default)]
    pub variante: Variante,
    /// Prestazione per cui si chiede l'ISEE (sceglie le regole che dipendono dalla finalità).
    #[serde(default)]
    pub prestazione: Prestazione,
    /// Modulo MB.1: quadri A (nucleo) e B (casa e nucleo).
    pub mb1: ModuloMb1,
    /// Modulo MB.1 ridotto: nucleo ristretto per le prestazioni sociosanitarie (art. 6 c. 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mb1_ridotto: Option<ModuloMb1Ridotto>,
    /// Modulo MB.2: quadri C (università) e D (genitore non convivente: minorenni, università).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mb2: Option<ModuloMb2>,
    /// Modulo MB.3: prestazioni sociosanitarie residenziali (figli non nel nucleo, donazioni).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mb3: Option<ModuloMb3>,
    /// Moduli FC.1, uno per componente: quadri FC1–FC6.
    pub fc1: Vec<ModuloFc1>,
    /// Moduli FC.2: quadro FC7 (disabilità e non autosufficienza).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fc2: Vec<ModuloFc2>,
    /// Moduli FC.3 (integrativo): quadro FC8 redditi, trattamenti e spese.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fc3: Vec<ModuloFc3>,
    /// Moduli FC.4 (aggiuntivo): quadro FC9 calcolo della componente aggiuntiva.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fc4: Vec<ModuloFc4>,
    /// Modulo sostitutivo per l'ISEE corrente (art. 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modulo_sostitutivo: Option<ModuloSostitutivo>,
}

/// Variante di ISEE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Variante {
    /// ISEE ordinario (art. 2–5).
    #[default]
    Ordinario,
    /// ISEE per prestazioni rivolte a minorenni (art. 7): richiede il quadro D.
    Minorenni,
    /// ISEE per il diritto allo studio universitario (art. 8): richiede il quadro C.
    Universita,
    /// ISEE sociosanitario, nucleo ristretto (art. 6 c. 2): richiede il modulo MB.1 ridotto.
    Sociosanitario,
    /// ISEE sociosanitario per prestazioni residenziali (art. 6 c. 3): MB.1 ridotto e MB.3.
    Residenze,
    /// ISEE corrente (art. 9): richiede il modulo sostitutivo.
    Corrente,
}

impl Variante {
    /// The variant's name as the explanation and the messages print it.
    pub fn nome(self) -> &'static str {
        match self {
            Variante::Ordinario => "ordinario",
            Variante::Minorenni => "per prestazioni ai minorenni (art. 7)",
            Variante::Universita => "per il diritto allo studio universitario (art. 8)",
            Variante::Sociosanitario => "sociosanitario, con nucleo ristretto (art. 6 c. 2)",
            Variante::Residenze => "sociosanitario per prestazioni residenziali (art. 6 c. 3)",
            Variante::Corrente => "corrente (art. 9)",
        }
    }
}

/// Prestazione richiesta: rileva per le regole legate alla finalità.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Prestazione {
    /// Qualsiasi altra prestazione, comprese quelle comunali.
    #[default]
    Altra,
    /// Assegno di inclusione (ADI).
    AssegnoInclusione,
    /// Supporto per la formazione e il lavoro (SFL).
    SupportoFormazioneLavoro,
    /// Assegno unico universale.
    AssegnoUnico,
    /// Bonus asilo nido e supporto domiciliare.
    BonusNido,
    /// Bonus nuovi nati.
    BonusNuoviNati,
}

/// Modulo MB.1.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloMb1 {
    pub quadro_a: QuadroA,
    pub quadro_b: QuadroB,
}

/// Quadro A: componenti del nucleo familiare alla data della DSU.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroA {
    /// Il primo componente è il dichiarante.
    pub componenti: Vec<ComponenteA>,
}

/// Riga del quadro A.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponenteA {
    pub codice_fiscale: CodiceFiscale,
    pub cognome: String,
    pub nome: String,
    pub data_nascita: Data,
}

/// Quadro B: casa di abitazione e informazioni sul nucleo.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroB {
    /// Titolo di godimento della casa di abitazione.
    pub casa_abitazione: TitoloCasa,
    /// Contratto di locazione registrato (obbligatorio se la casa è in locazione).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locazione: Option<Locazione>,
    /// Coniugi con residenza diversa (art. 3 c. 2).
    #[serde(default)]
    pub coniugi_residenza_diversa: bool,
    /// Nuclei con figli minorenni: entrambi i genitori, o l'unico presente, hanno lavorato
    /// almeno 6 mesi nell'anno di riferimento dei redditi (Allegato 1 lett. b).
    #[serde(default)]
    pub genitori_lavoratori: bool,
    /// Nucleo composto solo da un genitore non lavoratore e figli minorenni (Allegato 1 lett. c).
    #[serde(default)]
    pub unico_genitore: bool,
    /// Nuclei con figli: numero di figli, anche maggiorenni (Allegato 1 lett. a).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numero_figli: Option<u32>,
}

/// Titolo di godimento della casa di abitazione.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TitoloCasa {
    /// Proprietà o altro diritto reale di un componente.
    Proprieta,
    /// Locazione.
    Locazione,
    /// Altro (comodato, ospitalità…).
    Altro,
}

/// Dati del contratto di locazione (quadro B).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Locazione {
    /// Codice fiscale dell'intestatario del contratto (componente del nucleo).
    pub intestatario: CodiceFiscale,
    pub data_registrazione: Data,
    /// Serie, numero e ufficio di registrazione.
    pub estremi_registrazione: String,
    /// Canone annuo previsto dal contratto.
    pub canone_annuo: Importo,
}

/// Modulo MB.1 ridotto: nucleo ristretto (beneficiario, coniuge, figli).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloMb1Ridotto {
    /// Codice fiscale del beneficiario della prestazione.
    pub beneficiario: CodiceFiscale,
    /// Codici fiscali di coniuge e figli inclusi nel nucleo ristretto.
    #[serde(default)]
    pub componenti: Vec<CodiceFiscale>,
}

/// Modulo MB.2.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloMb2 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quadro_c: Option<QuadroC>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quadro_d: Option<QuadroD>,
}

/// Quadro C: studente universitario e verifica dell'autonomia (art. 8).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroC {
    /// Codice fiscale dello studente (componente del quadro A).
    pub studente: CodiceFiscale,
    /// Anni di residenza fuori dall'unità abitativa della famiglia d'origine prima della
    /// prima iscrizione (art. 8 c. 2 lett. a).
    pub anni_residenza_esterna: u32,
    /// L'alloggio non è di proprietà di un membro della famiglia d'origine.
    pub alloggio_non_di_familiari: bool,
    /// Redditi da lavoro dipendente o assimilati fiscalmente dichiarati nei due anni
    /// (art. 8 c. 2 lett. b).
    pub redditi_lavoro: Vec<Importo>,
    /// Codici fiscali dei componenti del nucleo dei genitori, che entrano nel nucleo dello
    /// studente se l'autonomia non è dimostrata.
    #[serde(default)]
    pub nucleo_genitori: Vec<CodiceFiscale>,
}

/// Quadro D: genitore non convivente per le prestazioni ai minorenni (art. 7) e, per lo
/// studente universitario, genitore non convivente con l'altro (art. 8 c. 3).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroD {
    /// Codice fiscale del genitore non convivente.
    pub genitore: CodiceFiscale,
    pub cognome: String,
    pub nome: String,
    /// Caso dell'art. 7 c. 1 che si applica.
    pub caso: CasoArt7,
}

/// Casi dell'art. 7 c. 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CasoArt7 {
    /// Nessun caso: il genitore fa parte del nucleo del minorenne (codice GNC nel quadro FC1).
    Nessuno,
    /// a) coniugato con persona diversa dall'altro genitore: componente aggiuntiva.
    A,
    /// b) con figli con persona diversa dall'altro genitore: componente aggiuntiva.
    B,
    /// c) assegni periodici stabiliti dall'autorità giudiziaria.
    C,
    /// d) escluso dalla potestà o allontanato (art. 333 c.c.).
    D,
    /// e) estraneità accertata dall'autorità giudiziaria o dai servizi sociali.
    E,
}

impl CasoArt7 {
    /// The letter of art. 7 c. 1 ("nessuno" when no case applies).
    pub fn lettera(self) -> &'static str {
        match self {
            CasoArt7::Nessuno => "nessuno",
            CasoArt7::A => "a)",
            CasoArt7::B => "b)",
            CasoArt7::C => "c)",
            CasoArt7::D => "d)",
            CasoArt7::E => "e)",
        }
    }
}

/// Modulo MB.3: prestazioni residenziali.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloMb3 {
    /// Figli del beneficiario non inclusi nel nucleo.
    #[serde(default)]
    pub figli_non_nel_nucleo: Vec<FiglioNonNelNucleo>,
    /// Donazioni di immobili del beneficiario (art. 6 c. 3 lett. c).
    #[serde(default)]
    pub donazioni: Vec<Donazione>,
}

/// Figlio del beneficiario non compreso nel nucleo.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiglioNonNelNucleo {
    pub codice_fiscale: CodiceFiscale,
    pub cognome: String,
    pub nome: String,
    /// Motivo per cui non si calcola la componente aggiuntiva.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esonero: Option<Esonero>,
}

/// Esclusione della componente aggiuntiva (art. 6 c. 3 lett. b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Esonero {
    /// Il figlio o un componente del suo nucleo è persona con disabilità o non autosufficiente.
    Disabilita,
    /// Estraneità accertata dall'autorità giudiziaria o dai servizi sociali.
    Estraneita,
}

/// Donazione di un immobile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Donazione {
    pub data: Data,
    /// Valore ai fini IMU dell'immobile donato.
    pub valore: Importo,
}

/// Modulo FC.1 di un componente.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloFc1 {
    pub codice_fiscale: CodiceFiscale,
    pub quadro_fc1: QuadroFc1,
    #[serde(default)]
    pub quadro_fc2: QuadroFc2,
    #[serde(default)]
    pub quadro_fc3: QuadroFc3,
    #[serde(default)]
    pub quadro_fc4: QuadroFc4,
    #[serde(default)]
    pub quadro_fc5: QuadroFc5,
    #[serde(default)]
    pub quadro_fc6: QuadroFc6,
}

/// Quadro FC1: dati del componente.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc1 {
    /// Rapporto con il dichiarante.
    pub relazione: Relazione,
    /// Componente in convivenza anagrafica (istituto, RSA…).
    #[serde(default)]
    pub convivenza_anagrafica: bool,
    /// Attività lavorativa (informativa, non entra nel calcolo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attivita_lavorativa: Option<String>,
}

/// Codici del rapporto con il dichiarante.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Relazione {
    /// Dichiarante.
    D,
    /// Coniuge.
    C,
    /// Figlio minorenne.
    F,
    /// Minore in affidamento o preadottivo.
    MA,
    /// Figlio maggiorenne convivente.
    FC,
    /// Figlio maggiorenne con meno di 26 anni, non convivente, a carico IRPEF.
    FNC,
    /// Altra persona nel nucleo.
    P,
    /// Genitore non convivente che entra nel nucleo del minorenne (art. 7).
    GNC,
}

impl Relazione {
    /// Children of the dichiarante (or of the spouse) counted as "figli" of the nucleo.
    pub fn is_child(self) -> bool {
        matches!(
            self,
            Relazione::F | Relazione::MA | Relazione::FC | Relazione::FNC
        )
    }
}

/// Quadro FC2: patrimonio mobiliare al 31 dicembre.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc2 {
    #[serde(default)]
    pub rapporti: Vec<Rapporto>,
    /// Acquisti di immobili o incrementi di altre componenti del patrimonio nell'anno:
    /// se superano la differenza tra giacenze medie e saldi, si usano i saldi (art. 5 c. 4 lett. a).
    #[serde(default)]
    pub incrementi_patrimonio: Importo,
}

/// Un rapporto finanziario del quadro FC2.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rapporto {
    /// Tipo di rapporto.
    pub tipo: TipoRapporto,
    /// Codice fiscale dell'operatore finanziario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operatore: Option<String>,
    /// Identificativo del rapporto (IBAN, numero…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identificativo: Option<String>,
    /// Rapporto presso Poste Italiane (buoni fruttiferi e libretti postali).
    #[serde(default)]
    pub postale: bool,
    /// Quota di possesso del componente (100 se omessa).
    #[serde(default)]
    pub quota: Quota,
    /// Saldo contabile attivo al 31/12 (conti correnti e depositi, tipi 01 e 03).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saldo: Option<Importo>,
    /// Giacenza media annua (conti correnti e depositi, tipi 01 e 03).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giacenza_media: Option<Importo>,
    /// Valore al 31/12 (altri rapporti: valore nominale, di mercato o da prospetto).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valore: Option<Importo>,
    /// Di cui in titoli di Stato (tipi 02 e 06), buoni fruttiferi postali (07) o libretto
    /// postale (03), per l'intero rapporto (L. 213/2023 c. 183).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub titoli_di_stato: Option<Importo>,
}

/// Tipi di rapporto del quadro FC2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TipoRapporto {
    /// Conto corrente.
    #[serde(rename = "01")]
    ContoCorrente,
    /// Conto deposito titoli e/o obbligazioni.
    #[serde(rename = "02")]
    DepositoTitoli,
    /// Conto deposito a risparmio libero o vincolato, libretto.
    #[serde(rename = "03")]
    DepositoRisparmio,
    /// Rapporto fiduciario.
    #[serde(rename = "04")]
    Fiduciario,
    /// Gestione collettiva del risparmio (OICR).
    #[serde(rename = "05")]
    GestioneCollettiva,
    /// Gestione patrimoniale.
    #[serde(rename = "06")]
    GestionePatrimoniale,
    /// Certificati di deposito e buoni fruttiferi.
    #[serde(rename = "07")]
    CertificatiBuoni,
    /// Partecipazioni azionarie e altre partecipazioni.
    #[serde(rename = "08")]
    Partecipazioni,
    /// Contratti di assicurazione a contenuto finanziario.
    #[serde(rename = "09")]
    Assicurazioni,
    /// Patrimonio netto dell'impresa individuale.
    #[serde(rename = "10")]
    ImpresaIndividuale,
}

impl TipoRapporto {
    /// Depositi e conti correnti: saldo and giacenza media, no reddito figurativo.
    pub fn is_deposit(self) -> bool {
        matches!(
            self,
            TipoRapporto::ContoCorrente | TipoRapporto::DepositoRisparmio
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            TipoRapporto::ContoCorrente => "01",
            TipoRapporto::DepositoTitoli => "02",
            TipoRapporto::DepositoRisparmio => "03",
            TipoRapporto::Fiduciario => "04",
            TipoRapporto::GestioneCollettiva => "05",
            TipoRapporto::GestionePatrimoniale => "06",
            TipoRapporto::CertificatiBuoni => "07",
            TipoRapporto::Partecipazioni => "08",
            TipoRapporto::Assicurazioni => "09",
            TipoRapporto::ImpresaIndividuale => "10",
        }
    }
}

/// Quadro FC3: patrimonio immobiliare al 31 dicembre.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc3 {
    #[serde(default)]
    pub immobili: Vec<Immobile>,
}

/// Un immobile del quadro FC3.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Immobile {
    pub tipo: TipoImmobile,
    /// Comune (o Stato estero) in cui si trova.
    pub comune_o_stato: String,
    /// Immobile all'estero: il valore è quello ai fini IVIE.
    #[serde(default)]
    pub estero: bool,
    /// Quota posseduta (100 se omessa).
    #[serde(default)]
    pub quota: Quota,
    /// Valore ai fini IMU (o IVIE) dell'intero immobile.
    pub valore: Importo,
    /// Quota capitale residua al 31/12 del mutuo per l'acquisto o la costruzione, per l'intero immobile.
    #[serde(default)]
    pub mutuo_residuo: Importo,
    /// È la casa di abitazione del nucleo.
    #[serde(default)]
    pub casa_abitazione: bool,
}

/// Tipo di immobile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TipoImmobile {
    /// Fabbricato.
    F,
    /// Terreno edificabile.
    TE,
    /// Terreno agricolo.
    TA,
}

/// Quadro FC4: redditi non noti all'Agenzia delle Entrate o all'INPS, autodichiarati.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc4 {
    /// Redditi soggetti a imposta sostitutiva o a ritenuta a titolo d'imposta.
    #[serde(default)]
    pub redditi_imposta_sostitutiva: Importo,
    /// Redditi esenti da imposta.
    #[serde(default)]
    pub redditi_esenti: Importo,
    /// Redditi prodotti all'estero non già dichiarati.
    #[serde(default)]
    pub redditi_esteri: Importo,
    /// Redditi fondiari di beni non locati esenti IRPEF per l'IMU.
    #[serde(default)]
    pub redditi_fondiari_esenti: Importo,
    /// Trattamenti assistenziali, previdenziali e indennitari non erogati dall'INPS e non
    /// già nel reddito IRPEF (esclusi quelli per disabilità).
    #[serde(default)]
    pub trattamenti_non_inps: Importo,
}

/// Quadro FC5: assegni periodici per coniuge e figli.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc5 {
    /// Assegni di mantenimento dei figli ricevuti.
    #[serde(default)]
    pub assegni_figli_ricevuti: Importo,
    /// Assegni periodici corrisposti al coniuge separato o divorziato.
    #[serde(default)]
    pub assegni_coniuge_corrisposti: Importo,
    /// Assegni corrisposti per il mantenimento di figli non nel nucleo.
    #[serde(default)]
    pub assegni_figli_corrisposti: Importo,
}

/// Quadro FC6: autoveicoli, motoveicoli e imbarcazioni (non entrano nel calcolo).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc6 {
    #[serde(default)]
    pub veicoli: Vec<Veicolo>,
}

/// Un veicolo del quadro FC6.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Veicolo {
    pub tipo: TipoVeicolo,
    /// Targa o estremi di registrazione.
    pub targa: String,
}

/// Tipo di veicolo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TipoVeicolo {
    Autoveicolo,
    /// Motoveicolo di cilindrata pari o superiore a 500 cc.
    Motoveicolo,
    Imbarcazione,
}

/// Modulo FC.2: quadro FC7.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloFc2 {
    pub codice_fiscale: CodiceFiscale,
    pub quadro_fc7: QuadroFc7,
}

/// Quadro FC7: condizione di disabilità o non autosufficienza (Allegato 3).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc7 {
    pub condizione: Condizione,
    /// Ente che ha rilasciato la certificazione.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ente_certificatore: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numero_documento: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_rilascio: Option<Data>,
}

/// Condizione certificata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condizione {
    Media,
    Grave,
    NonAutosufficiente,
}

/// Modulo FC.3: quadro FC8.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloFc3 {
    pub codice_fiscale: CodiceFiscale,
    pub quadro_fc8: QuadroFc8,
}

/// Quadro FC8: redditi, trattamenti e spese dell'anno di riferimento (di norma dagli archivi
/// dell'Agenzia delle Entrate e dell'INPS).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc8 {
    /// Reddito complessivo ai fini IRPEF.
    #[serde(default)]
    pub reddito_complessivo: Importo,
    /// Di cui redditi da lavoro dipendente e assimilati.
    #[serde(default)]
    pub di_cui_lavoro_dipendente: Importo,
    /// Di cui redditi da pensione.
    #[serde(default)]
    pub di_cui_pensione: Importo,
    /// Di cui redditi agrari IRPEF (da sottrarre se si dichiarano i proventi agrari).
    #[serde(default)]
    pub di_cui_redditi_agrari: Importo,
    /// Proventi agrari da dichiarazione IRAP (imprenditori agricoli).
    #[serde(default)]
    pub proventi_agrari: Importo,
    /// Trattamenti assistenziali, previdenziali e indennitari erogati dall'INPS e non già nel
    /// reddito IRPEF (esclusi assegno unico e trattamenti per disabilità).
    #[serde(default)]
    pub trattamenti_inps: Importo,
    /// Assegno unico universale percepito.
    #[serde(default)]
    pub assegno_unico: Importo,
    /// Trattamenti percepiti in ragione della disabilità (esclusi dal reddito, L. 89/2016).
    #[serde(default)]
    pub trattamenti_disabilita: Importo,
    /// Spese sanitarie per disabili e per l'assistenza specifica.
    #[serde(default)]
    pub spese_sanitarie_disabili: Importo,
}

/// Modulo FC.4: quadro FC9.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloFc4 {
    /// Codice fiscale del genitore non convivente o del figlio non nel nucleo.
    pub codice_fiscale: CodiceFiscale,
    pub quadro_fc9: QuadroFc9,
}

/// Quadro FC9: situazione economica della persona esterna al nucleo, calcolata su di lei
/// sola (Allegato 2 c. 1 lett. a), e scala del suo nucleo.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuadroFc9 {
    /// Protocollo della sua DSU, se i valori vengono da quella.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsu_protocollo: Option<String>,
    /// ISR della sola persona.
    pub isr: Importo,
    /// ISP della sola persona (donazioni escluse).
    pub isp: Importo,
    /// Parametro della scala di equivalenza del suo nucleo.
    pub scala_nucleo: Parametro,
}

/// Modulo sostitutivo per l'ISEE corrente.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuloSostitutivo {
    /// Componenti di cui si aggiornano i redditi.
    #[serde(default)]
    pub componenti: Vec<ComponenteCorrente>,
    /// Patrimonio aggiornato al 31 dicembre dell'anno precedente.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patrimonio: Option<PatrimonioCorrente>,
}

/// Redditi aggiornati di un componente.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponenteCorrente {
    pub codice_fiscale: CodiceFiscale,
    /// Evento che giustifica l'ISEE corrente per questo componente.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evento: Option<Evento>,
    /// Periodo dei redditi indicati.
    pub periodo: Periodo,
    #[serde(default)]
    pub redditi_lavoro_dipendente: Importo,
    #[serde(default)]
    pub redditi_pensione: Importo,
    /// Altri redditi (lavoro autonomo, redditi diversi…).
    #[serde(default)]
    pub altri_redditi: Importo,
    /// Trattamenti assistenziali, previdenziali e indennitari non per disabilità.
    #[serde(default)]
    pub trattamenti: Importo,
}

/// Eventi dell'art. 9 c. 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Evento {
    /// Lavoratore a tempo indeterminato: risoluzione, sospensione o riduzione dell'attività.
    LavoroIndeterminato,
    /// Lavoratore a tempo determinato o autonomo: cessazione dell'attività.
    LavoroNonIndeterminato,
    /// Interruzione di trattamenti non rilevanti ai fini IRPEF.
    InterruzioneTrattamenti,
}

/// Periodo dei redditi nel modulo sostitutivo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Periodo {
    /// Ultimi dodici mesi.
    DodiciMesi,
    /// Ultimi due mesi, moltiplicati per 6 (art. 9 c. 3).
    DueMesi,
}

/// Patrimonio aggiornato del nucleo.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatrimonioCorrente {
    /// Patrimonio mobiliare del nucleo prima della franchigia.
    pub mobiliare: Importo,
    /// Patrimonio immobiliare del nucleo al netto dei mutui, esclusa la casa di abitazione.
    pub immobiliare: Importo,
    /// Valore della casa di abitazione al netto del mutuo.
    #[serde(default)]
    pub casa_abitazione: Importo,
}
