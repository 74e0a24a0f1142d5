//! Funds and payments: the funds a benefit draws on with their yearly allocations, the IBAN
//! of whoever is paid, the SEPA credit transfer file of the approved payment lists (ISO 20022
//! pain.001.001.09, checked against the standard's XSD with `xmlschema`) and the bank's
//! return (camt.054 or the treasurer's CSV) read into outcomes per payment. No I/O.

use crate::FieldError;
use crate::form::{code, text};
use crate::money::Money;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// `pain.001.001.09.xsd` as ISO 20022 publishes it (licence: `xsd/LICENSE-ISO20022`).
pub const PAIN_001_XSD: &str = include_str!("../xsd/pain.001.001.09.xsd");
const PAIN_001_NS: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

static PAIN_001_SCHEMA: LazyLock<Result<xmlschema::Schema, String>> =
    LazyLock::new(|| xmlschema::parse_schema(PAIN_001_XSD).map_err(|e| e.to_string()));

coded_enum! {
    /// Where a fund's money comes from.
    pub enum FundKind {
        National = "nazionale", "statale";
        Regional = "regionale", "regionale";
        Municipal = "comunale", "comunale";
        Other = "altro", "altro (europeo, privato…)";
    }
}

coded_enum! {
    /// A payment from its order to the bank's answer.
    pub enum PaymentState {
        Ordered = "disposto", "disposto";
        Paid = "pagato", "pagato";
        Rejected = "respinto", "respinto";
    }
}

coded_enum! {
    /// A month's payment list (liquidazione) of a fund: prepared, then approved by the
    /// ragioneria; only approved lists go to the bank.
    pub enum ListState {
        Prepared = "da_approvare", "da approvare";
        Approved = "approvata", "approvata";
    }
}

/// An Italian IBAN (ISO 13616): `IT`, two check digits (mod 97), the CIN letter, ABI (5
/// digits), CAB (5 digits) and the account (12 letters or digits). Stored without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    /// Reads an IBAN as people type it (spaces and lower case allowed), naming `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Iban, FieldError> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::required(field, "l'IBAN"));
        }
        let bad = |why: &str| FieldError::new(field, format!("IBAN «{}»: {why}", raw.trim()));
        if !s.starts_with("IT") {
            return Err(bad("deve essere un conto italiano, che comincia con IT"));
        }
        if s.len() != 27 {
            return Err(bad(&format!(
                "un IBAN italiano ha 27 caratteri, questo ne ha {}",
                s.len()
            )));
        }
        let b = s.as_bytes();
        if !b[2..4].iter().all(u8::is_ascii_digit) {
            return Err(bad("dopo IT vengono due cifre di controllo"));
        }
        if !b[4].is_ascii_uppercase() {
            return Err(bad("il CIN (quinto carattere) deve essere una lettera"));
        }
        if !b[5..15].iter().all(u8::is_ascii_digit) {
            return Err(bad(
                "ABI e CAB (dal sesto al quindicesimo carattere) sono cifre",
            ));
        }
        if !b[15..].iter().all(u8::is_ascii_alphanumeric) {
            return Err(bad("il numero di conto ha solo lettere e cifre"));
        }
        if mod97(&s) != 1 {
            return Err(bad(
                "le cifre di controllo non tornano: controllare di averlo copiato bene",
            ));
        }
        Ok(Iban(s))
    }

    /// The Italian IBAN of a BBAN (CIN, ABI, CAB, account) with its check digits computed;
    /// `None` when the parts do not make one.
    pub fn italian(cin: char, abi: &str, cab: &str, account: &str) -> Option<Iban> {
        let bban = format!("{cin}{abi}{cab}{account}");
        let check = 98 - mod97(&format!("IT00{bban}"));
        Iban::parse("iban", &format!("IT{check:02}{bban}")).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, as printed on bank statements.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// ISO 13616's check: the first four characters moved to the end, letters as 10–35, the
/// number modulo 97 (computed digit by digit).
fn mod97(s: &str) -> u32 {
    let (head, tail) = s.split_at(4);
    tail.chars().chain(head.chars()).fold(0u32, |acc, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 {
            (acc * 100 + v) % 97
        } else {
            (acc * 10 + v) % 97
        }
    })
}

/// A fund as typed in its form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundInput {
    pub name: String,
    pub kind: String,
    pub debtor_iban: String,
}

/// A fund: its name, where its money comes from and the treasury account it is paid from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundData {
    pub name: String,
    pub kind: FundKind,
    pub debtor_iban: Iban,
}

pub fn parse_fund(i: &FundInput) -> Result<FundData, Vec<FieldError>> {
    let name = text("name", &i.name, "il nome del fondo", 140, true);
    let kind = code("kind", &i.kind, "la provenienza del fondo", FundKind::parse);
    let iban = Iban::parse("debtor_iban", &i.debtor_iban);
    match (name, kind, iban) {
        (Ok(name), Ok(kind), Ok(debtor_iban)) => Ok(FundData {
            name,
            kind,
            debtor_iban,
        }),
        (name, kind, iban) => Err([name.err(), kind.err(), iban.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// A yearly allocation as typed: the year, the comune (ISTAT code, empty for the whole
/// organization) and the amount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocationInput {
    pub year: String,
    pub comune: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationData {
    pub year: i32,
    /// The ISTAT code of the comune of an Ambito it is meant for; empty for the organization.
    pub comune: String,
    pub amount: Money,
}

/// Reads an allocation; `comuni` are the ISTAT codes of the organization's comuni.
pub fn parse_allocation(
    i: &AllocationInput,
    comuni: &[String],
) -> Result<AllocationData, Vec<FieldError>> {
    let year = i
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2099).contains(y))
        .ok_or_else(|| {
            FieldError::new(
                "year",
                format!(
                    "anno «{}» non valido: scrivere l'anno, ad esempio 2026",
                    i.year.trim()
                ),
            )
        });
    let comune = i.comune.trim().to_owned();
    let comune = if comune.is_empty() || comuni.contains(&comune) {
        Ok(comune)
    } else {
        Err(FieldError::new(
            "comune",
            "comune: scegliere uno dei comuni dell'ente, o nessuno per l'intero ente",
        ))
    };
    let amount = Money::parse("amount", &i.amount, "lo stanziamento");
    match (year, comune, amount) {
        (Ok(year), Ok(comune), Ok(amount)) => Ok(AllocationData {
            year,
            comune,
            amount,
        }),
        (y, c, a) => Err([y.err(), c.err(), a.err()].into_iter().flatten().collect()),
    }
}

/// Who is paid, as typed: the IBAN and its holder (the beneficiary or whoever they named).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInput {
    pub iban: String,
    pub holder: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountData {
    pub iban: Iban,
    pub holder: String,
}

pub fn parse_account(i: &AccountInput) -> Result<AccountData, Vec<FieldError>> {
    let iban = Iban::parse("iban", &i.iban);
    let holder = text("holder", &i.holder, "l'intestatario del conto", 70, true);
    match (iban, holder) {
        (Ok(iban), Ok(holder)) => Ok(AccountData { iban, holder }),
        (i, h) => Err([i.err(), h.err()].into_iter().flatten().collect()),
    }
}

/// What a fund holds in a year, for the acceptance of an application that draws on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundRoom {
    pub name: String,
    pub year: i32,
    /// The part of the fund the application draws on when the year is split into quotas
    /// per comune ("quota del comune di Bergamo"); `None`: the whole fund.
    pub share: Option<String>,
    /// The year's allocations (of the share, when there is one).
    pub allocated: Money,
    /// What accepted applications of its benefits already commit in the year (in the share).
    pub committed: Money,
}

/// A fund's year: what is allocated and committed, each per comune (ISTAT code; "" for the
/// whole organization, or for applicants with no comune of residence recorded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundYearFigures {
    pub name: String,
    pub year: i32,
    pub allocated: Vec<(String, Money)>,
    pub committed: Vec<(String, Money)>,
}

impl FundYearFigures {
    /// What the fund holds for an applicant resident in `comune` (with its name for the
    /// message). A year with quotas per comune is split: a comune with a quota draws on it
    /// alone; the allocation for the whole organization serves the applicants of the comuni
    /// without one. A year without quotas is one pot.
    pub fn room_for(&self, comune: &str, comune_name: &str) -> FundRoom {
        let sum = |rows: &[(String, Money)], keep: &dyn Fn(&str) -> bool| {
            Money(
                rows.iter()
                    .filter(|(c, _)| keep(c))
                    .map(|(_, m)| m.cents())
                    .sum(),
            )
        };
        let quota = |c: &str| !c.is_empty() && self.allocated.iter().any(|(q, _)| q == c);
        let (share, allocated, committed) = if !self.allocated.iter().any(|(c, _)| quota(c)) {
            (
                None,
                sum(&self.allocated, &|_| true),
                sum(&self.committed, &|_| true),
            )
        } else if quota(comune) {
            (
                Some(format!("quota del comune di {comune_name}")),
                sum(&self.allocated, &|c| c == comune),
                sum(&self.committed, &|c| c == comune),
            )
        } else {
            (
                Some("parte per i comuni senza quota".to_owned()),
                sum(&self.allocated, &str::is_empty),
                sum(&self.committed, &|c| !quota(c)),
            )
        };
        FundRoom {
            name: self.name.clone(),
            year: self.year,
            share,
            allocated,
            committed,
        }
    }
}

impl FundRoom {
    pub fn remaining(&self) -> Money {
        self.allocated - self.committed
    }

    /// Refuses a commitment beyond what is left, naming the fund and the figures.
    pub fn check(&self, commitment: Money) -> Result<(), FieldError> {
        if commitment > Money::ZERO && commitment > self.remaining() {
            return Err(FieldError::new(
                "to",
                format!(
                    "il fondo «{}» non basta per il {}{}: stanziati {}, impegnati {}, disponibili {}, la domanda ne richiede {}",
                    self.name,
                    self.year,
                    self.share
                        .as_ref()
                        .map_or(String::new(), |s| format!(" ({s})")),
                    self.allocated.format(),
                    self.committed.format(),
                    self.remaining().format(),
                    commitment.format()
                ),
            ));
        }
        Ok(())
    }
}

/// One credit transfer of a SEPA file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The payment's id, which the bank's return quotes back.
    pub end_to_end: String,
    pub amount: Money,
    pub creditor: String,
    pub iban: Iban,
    /// Causale: what is paid, for whom, which month.
    pub remittance: String,
}

/// One approved payment list: a batch paid from the fund's treasury account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: String,
    pub debtor: String,
    pub debtor_iban: Iban,
    pub execution: Date,
    pub transfers: Vec<Transfer>,
}

/// A SEPA credit transfer initiation (pain.001.001.09) of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiation {
    pub message_id: String,
    pub created: OffsetDateTime,
    pub initiator: String,
    pub batches: Vec<Batch>,
}

/// An id as SEPA identifiers take it: a UUID's 32 hex digits.
pub fn sepa_id(id: Uuid) -> String {
    id.simple().to_string()
}

/// Text in SEPA's Latin character set (letters, digits, `/ - ? : ( ) . , ' +` and space):
/// Italian accents lose their accent, anything else becomes a space; cut at `max`.
fn sepa_text(s: &str, max: usize) -> String {
    let t: String = s
        .chars()
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'À' | 'Á' => 'A',
            'È' | 'É' => 'E',
            'Ì' | 'Í' => 'I',
            'Ò' | 'Ó' => 'O',
            'Ù' | 'Ú' => 'U',
            '’' | '‘' => '\'',
            c if c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c) => c,
            _ => ' ',
        })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    t.chars().take(max).collect()
}

/// Euro with a dot and two decimals, as ISO 20022 amounts are written.
fn amount(m: Money) -> String {
    let c = m.cents();
    format!("{}.{:02}", c / 100, c % 100)
}

/// The pain.001.001.09 document of `i`.
pub fn pain001(i: &Initiation) -> String {
    let count: usize = i.batches.iter().map(|b| b.transfers.len()).sum();
    let total = i
        .batches
        .iter()
        .flat_map(|b| &b.transfers)
        .fold(Money::ZERO, |s, t| s + t.amount);
    let mut x = Xml::new();
    x.write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut doc = BytesStart::new("Document");
    doc.push_attribute(("xmlns", PAIN_001_NS));
    x.write(Event::Start(doc));
    x.open("CstmrCdtTrfInitn");
    x.open("GrpHdr");
    x.text("MsgId", &i.message_id);
    x.text("CreDtTm", &date_time(i.created));
    x.text("NbOfTxs", &count.to_string());
    x.text("CtrlSum", &amount(total));
    x.open("InitgPty");
    x.text("Nm", &sepa_text(&i.initiator, 140));
    x.close("InitgPty");
    x.close("GrpHdr");
    for b in &i.batches {
        let sum = b.transfers.iter().fold(Money::ZERO, |s, t| s + t.amount);
        x.open("PmtInf");
        x.text("PmtInfId", &b.id);
        x.text("PmtMtd", "TRF");
        x.text("BtchBookg", "true");
        x.text("NbOfTxs", &b.transfers.len().to_string());
        x.text("CtrlSum", &amount(sum));
        x.open("PmtTpInf");
        x.open("SvcLvl");
        x.text("Cd", "SEPA");
        x.close("SvcLvl");
        x.close("PmtTpInf");
        x.open("ReqdExctnDt");
        x.text("Dt", &iso_date(b.execution));
        x.close("ReqdExctnDt");
        x.open("Dbtr");
        x.text("Nm", &sepa_text(&b.debtor, 140));
        x.close("Dbtr");
        account(&mut x, "DbtrAcct", &b.debtor_iban);
        x.open("DbtrAgt");
        x.open("FinInstnId");
        x.open("Othr");
        x.text("Id", "NOTPROVIDED");
        x.close("Othr");
        x.close("FinInstnId");
        x.close("DbtrAgt");
        x.text("ChrgBr", "SLEV");
        for t in &b.transfers {
            x.open("CdtTrfTxInf");
            x.open("PmtId");
            x.text("EndToEndId", &t.end_to_end);
            x.close("PmtId");
            x.open("Amt");
            let mut amt = BytesStart::new("InstdAmt");
            amt.push_attribute(("Ccy", "EUR"));
            x.write(Event::Start(amt));
            x.write(Event::Text(BytesText::new(&amount(t.amount))));
            x.close("InstdAmt");
            x.close("Amt");
            x.open("Cdtr");
            x.text("Nm", &sepa_text(&t.creditor, 70));
            x.close("Cdtr");
            account(&mut x, "CdtrAcct", &t.iban);
            x.open("RmtInf");
            x.text("Ustrd", &sepa_text(&t.remittance, 140));
            x.close("RmtInf");
            x.close("CdtTrfTxInf");
        }
        x.close("PmtInf");
    }
    x.close("CstmrCdtTrfInitn");
    x.close("Document");
    String::from_utf8(x.0.into_inner()).unwrap_or_default()
}

fn account(x: &mut Xml, name: &str, iban: &Iban) {
    x.open(name);
    x.open("Id");
    x.text("IBAN", iban.as_str());
    x.close("Id");
    x.close(name);
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        iso_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The violations of the pain.001.001.09 schema in `xml` (none when valid).
pub fn validate_pain001(xml: &str) -> Vec<String> {
    match &*PAIN_001_SCHEMA {
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

/// What the bank says of one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub end_to_end: String,
    pub state: PaymentState,
    /// Why it was rejected (the ISO reason code and its text), empty when paid.
    pub reason: String,
}

/// Reads the bank's return: a camt.054 notification (XML) or the treasurer's CSV
/// (`EndToEndId;esito;motivo`, esito «pagato» or «respinto», a header line allowed).
pub fn read_bank_return(bytes: &[u8]) -> Result<Vec<Outcome>, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "il file non è testo UTF-8: caricare il camt.054 o il CSV del tesoriere")?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('<') {
        read_camt054(text)
    } else {
        read_treasurer_csv(text)
    }
}

/// camt.054: every `TxDtls` with an `EndToEndId`; a return (`RtrInf`) is a rejection with
/// its reason, anything else a payment booked.
fn read_camt054(xml: &str) -> Result<Vec<Outcome>, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("XML non leggibile: {e}"))?;
    if !doc
        .descendants()
        .any(|n| n.tag_name().name() == "BkToCstmrDbtCdtNtfctn")
    {
        return Err("il file XML non è una notifica camt.054 (BkToCstmrDbtCdtNtfctn)".into());
    }
    let child = |n: roxmltree::Node<'_, '_>, name: &str| {
        n.descendants()
            .find(|c| c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_owned())
    };
    let mut out = Vec::new();
    for tx in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "TxDtls")
    {
        let Some(end_to_end) = child(tx, "EndToEndId") else {
            continue;
        };
        let ret = tx.descendants().find(|n| n.tag_name().name() == "RtrInf");
        out.push(match ret {
            Some(r) => Outcome {
                end_to_end,
                state: PaymentState::Rejected,
                reason: [child(r, "Cd"), child(r, "AddtlInf")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            None => Outcome {
                end_to_end,
                state: PaymentState::Paid,
                reason: String::new(),
            },
        });
    }
    Ok(out)
}

fn read_treasurer_csv(text: &str) -> Result<Vec<Outcome>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let sep = if line.contains(';') { ';' } else { ',' };
        let cells: Vec<&str> = line
            .split(sep)
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        let state = match cells.get(1).map(|s| s.to_lowercase()) {
            Some(s) if s == "pagato" => PaymentState::Paid,
            Some(s) if s == "respinto" => PaymentState::Rejected,
            Some(s) if n == 0 && s == "esito" => continue,
            _ => {
                return Err(format!(
                    "riga {}: l'esito deve essere «pagato» o «respinto»",
                    n + 1
                ));
            }
        };
        let end_to_end = cells[0].to_owned();
        if end_to_end.is_empty() {
            return Err(format!("riga {}: manca l'EndToEndId", n + 1));
        }
        out.push(Outcome {
            end_to_end,
            state,
            reason: cells.get(2).map(|s| (*s).to_owned()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A small writer over quick-xml (no indentation).
struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn new() -> Xml {
        Xml(Writer::new(Vec::with_capacity(1 << 16)))
    }

    fn open(&mut self, name: &str) {
        self.write(Event::Start(BytesStart::new(name)));
    }

    fn close(&mut self, name: &str) {
        self.write(Event::End(BytesEnd::new(name)));
    }

    fn text(&mut self, name: &str, text: &str) {
        self.open(name);
        self.write(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    /// Writing into a `Vec` cannot fail.
    fn write(&mut self, e: Event<'_>) {
        let _ = self.0.write_event(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const GOOD: &str = "IT60X0542811101000000123456";

    #[test]
    fn an_iban_is_checked_by_mod_97_and_the_italian_structure() {
        let i = Iban::parse("iban", " it60 x054 2811 1010 0000 0123 456 ").unwrap();
        assert_eq!(i.as_str(), GOOD);
        assert_eq!(i.grouped(), "IT60 X054 2811 1010 0000 0123 456");
        assert_eq!(
            Iban::italian('X', "05428", "11101", "000000123456"),
            Some(i)
        );
        for (bad, why) in [
            ("", "indicare l'IBAN"),
            ("DE89370400440532013000", "conto italiano"),
            ("IT60X054281110100000012345", "27 caratteri"),
            ("IT61X0542811101000000123456", "cifre di controllo"),
            ("IT6010542811101000000123456", "CIN"),
            ("IT60XA542811101000000123456", "ABI e CAB"),
            ("IT60X05428111010000001234_6", "lettere e cifre"),
        ] {
            let e = Iban::parse("iban", bad).unwrap_err();
            assert_eq!(e.field, "iban");
            assert!(e.message.contains(why), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn a_fund_refuses_a_commitment_beyond_what_remains_with_the_figures() {
        let room = FundRoom {
            name: "Fondo povertà".into(),
            year: 2026,
            share: None,
            allocated: Money(100_000),
            committed: Money(80_000),
        };
        assert!(room.check(Money(20_000)).is_ok());
        let e = room.check(Money(25_000)).unwrap_err();
        assert_eq!(
            e.message,
            "il fondo «Fondo povertà» non basta per il 2026: stanziati 1.000,00\u{a0}€, impegnati 800,00\u{a0}€, disponibili 200,00\u{a0}€, la domanda ne richiede 250,00\u{a0}€"
        );
    }

    #[test]
    fn an_ambito_splitting_a_fund_by_comune_checks_the_applicants_quota() {
        let euro = Money::from_euro;
        let year = FundYearFigures {
            name: "Fondo povertà".into(),
            year: 2026,
            allocated: vec![
                ("016024".into(), euro(1_000)),
                ("016091".into(), euro(500)),
                (String::new(), euro(300)),
            ],
            committed: vec![
                ("016024".into(), euro(900)),
                ("016091".into(), euro(100)),
                ("016011".into(), euro(250)),
                (String::new(), euro(20)),
            ],
        };
        let bergamo = year.room_for("016024", "Bergamo");
        assert_eq!(
            (bergamo.allocated, bergamo.committed),
            (euro(1_000), euro(900))
        );
        assert_eq!(
            bergamo.check(euro(250)).unwrap_err().message,
            "il fondo «Fondo povertà» non basta per il 2026 (quota del comune di Bergamo): stanziati 1.000,00\u{a0}€, impegnati 900,00\u{a0}€, disponibili 100,00\u{a0}€, la domanda ne richiede 250,00\u{a0}€"
        );
        assert!(year.room_for("016091", "Mozzo").check(euro(250)).is_ok());
        // A comune without a quota, or no comune recorded: the organization's allocation.
        let other = year.room_for("016011", "Almè");
        assert_eq!(
            other.share.as_deref(),
            Some("parte per i comuni senza quota")
        );
        assert_eq!((other.allocated, other.committed), (euro(300), euro(270)));
        assert!(other.check(euro(40)).is_err());
        // No quotas: one pot, as the fund's page adds it up.
        let whole = FundYearFigures {
            allocated: vec![(String::new(), euro(2_000))],
            ..year.clone()
        }
        .room_for("016024", "Bergamo");
        assert_eq!(whole.share, None);
        assert_eq!(
            (whole.allocated, whole.committed),
            (euro(2_000), euro(1_270))
        );
    }

    fn initiation(n: usize) -> Initiation {
        let iban = Iban::parse("iban", GOOD).unwrap();
        Initiation {
            message_id: sepa_id(Uuid::from_u128(1)),
            created: datetime!(2026-12-07 10:00 UTC),
            initiator: "Comune di Bergamo".into(),
            batches: vec![Batch {
                id: sepa_id(Uuid::from_u128(2)),
                debtor: "Comune di Bergamo".into(),
                debtor_iban: iban.clone(),
                execution: date!(2026 - 12 - 10),
                transfers: (0..n)
                    .map(|k| Transfer {
                        end_to_end: sepa_id(Uuid::from_u128(100 + k as u128)),
                        amount: Money(25_050),
                        creditor: "Rossi Mario Niccolò & figli".into(),
                        iban: iban.clone(),
                        remittance: "Contributo economico straordinario novembre 2026".into(),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn a_sepa_file_validates_against_the_pain_001_001_09_schema() {
        let xml = pain001(&initiation(3));
        assert_eq!(validate_pain001(&xml), Vec::<String>::new(), "{xml}");
        assert!(xml.contains("<NbOfTxs>3</NbOfTxs><CtrlSum>751.50</CtrlSum>"));
        assert!(xml.contains("<Nm>Rossi Mario Niccolo figli</Nm>"), "{xml}");
        // Something the schema refuses is reported, not passed.
        let broken = xml.replace("<PmtMtd>TRF</PmtMtd>", "<PmtMtd>XXX</PmtMtd>");
        assert!(!validate_pain001(&broken).is_empty());
    }

    #[test]
    fn the_bank_return_is_read_from_camt_054_or_the_treasurers_csv() {
        let camt = r#"<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<Ntfctn><Ntry><NtryDtls>
<TxDtls><Refs><EndToEndId>aaa</EndToEndId></Refs></TxDtls>
<TxDtls><Refs><EndToEndId>bbb</EndToEndId></Refs>
  <RtrInf><Rsn><Cd>AC01</Cd></Rsn><AddtlInf>IBAN errato</AddtlInf></RtrInf></TxDtls>
</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"#;
        let o = read_bank_return(camt.as_bytes()).unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].state, PaymentState::Paid);
        assert_eq!(o[1].state, PaymentState::Rejected);
        assert_eq!(o[1].reason, "AC01 IBAN errato");
        let csv = "EndToEndId;esito;motivo\naaa;pagato;\nbbb;respinto;conto chiuso\n";
        let o = read_bank_return(csv.as_bytes()).unwrap();
        assert_eq!(o[1].reason, "conto chiuso");
        assert!(read_bank_return(b"aaa;boh").unwrap_err().contains("riga 1"));
        assert!(read_bank_return(b"<a/>").unwrap_err().contains("camt.054"));
    }

    #[test]
    fn an_allocation_names_its_bad_fields() {
        let e = parse_allocation(
            &AllocationInput {
                year: "26".into(),
                comune: "099999".into(),
                amount: "-5".into(),
            },
            &["016024".into()],
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["year", "comune", "amount"]);
    }
}
