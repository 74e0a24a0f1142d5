//! Co-payment bills (rette): what a citizen owes each month for the services delivered to
//! them, with its pagoPA notice. The notice number and IUV follow pagoPA's rules for an ente
//! with several stations (aux digit 3, segregation code, IUV base, check digits modulo 93);
//! the QR code carries `PAGOPA|002|notice|ente|cents`; the debt positions go to pagoPA's GPD
//! in the shape of its external API (`shared/specs/pagopa-gpd`), and the payments come back
//! from GPD's list of positions or the treasurer's CSV. No I/O.

use crate::FieldError;
use crate::dates::{format_date, parse_date};
use crate::form::text;
use crate::money::Money;
use crate::payment::Iban;
use serde::Deserialize;
use serde_json::{Value, json};
use time::{Date, Duration};

coded_enum! {
    /// A bill from its issue to its payment (or its cancellation, when issued by mistake).
    pub enum BillState {
        Issued = "emessa", "da pagare";
        Paid = "pagata", "pagata";
        Cancelled = "annullata", "annullata";
    }
}

/// Days between two reminders of the same bill.
pub const REMINDER_GAP_DAYS: i64 = 15;

/// The largest IUV base: thirteen digits.
pub const MAX_IUV_BASE: i64 = 9_999_999_999_999;

/// The ente's pagoPA settings as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagopaInput {
    pub fiscal_code: String,
    pub segregation_code: String,
    pub iban: String,
    pub category: String,
    pub due_days: String,
}

/// The ente's pagoPA settings: its codice fiscale (the creditor on every notice), the
/// segregation code of the station its bills go through, the account pagoPA pays into, the
/// taxonomy code of the revenue and the days from issue to due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagopaData {
    pub fiscal_code: String,
    pub segregation_code: u8,
    pub iban: Iban,
    pub category: String,
    pub due_days: i64,
}

pub fn parse_pagopa(i: &PagopaInput) -> Result<PagopaData, Vec<FieldError>> {
    let fiscal_code = entity_fiscal_code("fiscal_code", &i.fiscal_code);
    let segregation_code = i
        .segregation_code
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|c| *c <= 99 && i.segregation_code.trim().len() <= 2)
        .ok_or_else(|| {
            FieldError::new(
                "segregation_code",
                "codice di segregazione: due cifre, da 00 a 99, come assegnato dal partner tecnologico",
            )
        });
    let iban = Iban::parse("iban", &i.iban);
    let category = text("category", &i.category, "la tassonomia pagoPA", 140, true).and_then(|c| {
        let ok = c.len() > 2
            && c.as_bytes()[0].is_ascii_digit()
            && c.as_bytes()[1] == b'/'
            && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '/');
        if ok {
            Ok(c)
        } else {
            Err(FieldError::new(
                "category",
                format!(
                    "tassonomia «{c}»: scrivere il codice dei dati specifici di riscossione, una cifra, la barra e il codice (ad esempio 9/0101108TS/)"
                ),
            ))
        }
    });
    let due_days = i
        .due_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or_else(|| {
            FieldError::new(
                "due_days",
                "giorni per pagare: un numero di giorni da 1 a 365 dall'emissione",
            )
        });
    match (fiscal_code, segregation_code, iban, category, due_days) {
        (Ok(fiscal_code), Ok(segregation_code), Ok(iban), Ok(category), Ok(due_days)) => {
            Ok(PagopaData {
                fiscal_code,
                segregation_code,
                iban,
                category,
                due_days,
            })
        }
        (a, b, c, d, e) => Err([a.err(), b.err(), c.err(), d.err(), e.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// The numeric codice fiscale of an ente (eleven digits, the last a check digit computed as
/// for a partita IVA).
pub fn entity_fiscal_code(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::required(field, "il codice fiscale dell'ente"));
    }
    if s.len() != 11 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new(
            field,
            format!("codice fiscale dell'ente «{s}»: sono undici cifre, ad esempio 80034840167"),
        ));
    }
    let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits[..10]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    if (10 - sum % 10) % 10 != digits[10] {
        return Err(FieldError::new(
            field,
            format!("codice fiscale dell'ente «{s}»: la cifra di controllo non torna"),
        ));
    }
    Ok(s.to_owned())
}

/// A pagoPA notice's identifiers: the IUV (17 digits: segregation code, IUV base, check
/// digits) and the notice number printed on the notice (18 digits: the aux digit 3 and the
/// IUV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub iuv: String,
    pub nav: String,
}

impl Notice {
    /// The notice of IUV base `base` at the station of `segregation`; `None` beyond 13
    /// digits or a segregation code over 99.
    pub fn new(segregation: u8, base: i64) -> Option<Notice> {
        if segregation > 99 || !(0..=MAX_IUV_BASE).contains(&base) {
            return None;
        }
        let head = format!("3{segregation:02}{base:013}");
        let check = head.parse::<u64>().ok()? % 93;
        Some(Notice {
            iuv: format!("{segregation:02}{base:013}{check:02}"),
            nav: format!("{head}{check:02}"),
        })
    }

    /// The notice number in groups of four, as printed.
    pub fn nav_grouped(&self) -> String {
        grouped(&self.nav)
    }

    /// What the notice's QR code holds (pagoPA's avviso, version 002).
    pub fn qr_payload(&self, ente_fiscal_code: &str, amount: Money) -> String {
        format!(
            "PAGOPA|002|{}|{}|{}",
            self.nav,
            ente_fiscal_code,
            amount.cents()
        )
    }
}

fn grouped(s: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The IUV of a notice number or an IUV as typed or imported (spaces allowed); `None` when
/// it is neither an 18-digit notice number with aux digit 3 nor a 17-digit IUV whose check
/// digits hold.
pub fn iuv_of(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let iuv = match s.len() {
        18 if s.starts_with('3') => s[1..].to_owned(),
        17 => s,
        _ => return None,
    };
    let segregation: u8 = iuv[..2].parse().ok()?;
    let base: i64 = iuv[2..15].parse().ok()?;
    (Notice::new(segregation, base)?.iuv == iuv).then_some(iuv)
}

/// When a bill issued on `issued` falls due.
pub fn due_date(issued: Date, due_days: i64) -> Date {
    issued.saturating_add(Duration::days(due_days))
}

/// Whether a reminder may be sent today for a bill due on `due_on` whose last reminder was
/// sent on `last`; the reason when not.
pub fn reminder_allowed(due_on: Date, last: Option<Date>, today: Date) -> Result<(), String> {
    if today <= due_on {
        return Err(format!(
            "l'avviso scade il {}: il sollecito si invia dopo la scadenza",
            format_date(due_on)
        ));
    }
    if let Some(last) = last
        && (today - last).whole_days() < REMINDER_GAP_DAYS
    {
        return Err(format!(
            "l'ultimo sollecito è del {}: il prossimo si può inviare dal {}",
            format_date(last),
            format_date(last.saturating_add(Duration::days(REMINDER_GAP_DAYS)))
        ));
    }
    Ok(())
}

/// One payment of a notice, as pagoPA or the treasurer reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidNotice {
    pub iuv: String,
    pub amount: Money,
    pub paid_on: Date,
    /// The receipt (pagoPA's `idReceipt`) or the treasurer's reference; the IUV when the
    /// file gives none. The same reference is never counted twice.
    pub reference: String,
}

/// Reads a file of payments: GPD's list of debt positions (JSON, `payment_position_list`
/// or a single position) with the options paid, or the treasurer's CSV with the columns
/// «iuv» (or «numero avviso»), «importo» and «data pagamento», and optionally «riferimento».
/// The whole file is refused, naming the line, when one payment cannot be read.
pub fn read_payments(bytes: &[u8]) -> Result<Vec<PaidNotice>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        "il file non è testo UTF-8: caricare l'elenco delle posizioni pagate di pagoPA (JSON) o il CSV del tesoriere".to_owned()
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let start = text.trim_start();
    if start.starts_with('{') || start.starts_with('[') {
        read_gpd(start)
    } else {
        read_csv(text)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GpdOption {
    iuv: Option<String>,
    nav: Option<String>,
    amount: Option<i64>,
    status: Option<String>,
    payment_date: Option<String>,
    id_receipt: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GpdPosition {
    /// Every position has one: a JSON object without it is not a position.
    #[serde(rename = "iupd")]
    _iupd: serde::de::IgnoredAny,
    #[serde(default)]
    payment_option: Vec<GpdOption>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum GpdFile {
    List {
        payment_position_list: Vec<GpdPosition>,
    },
    Many(Vec<GpdPosition>),
    One(GpdPosition),
}

fn read_gpd(text: &str) -> Result<Vec<PaidNotice>, String> {
    let file: GpdFile = serde_json::from_str(text).map_err(|e| {
        format!("il file JSON non è un elenco di posizioni debitorie di pagoPA: {e}")
    })?;
    let positions = match file {
        GpdFile::List {
            payment_position_list,
        } => payment_position_list,
        GpdFile::Many(p) => p,
        GpdFile::One(p) => vec![p],
    };
    let mut out = Vec::new();
    for (n, o) in positions
        .into_iter()
        .flat_map(|p| p.payment_option)
        .enumerate()
    {
        let at = || format!("opzione di pagamento {}", n + 1);
        let paid = matches!(
            o.status.as_deref(),
            Some("PO_PAID" | "PO_REPORTED" | "PO_PARTIALLY_REPORTED")
        );
        if !paid {
            continue;
        }
        let raw = o.iuv.or(o.nav).unwrap_or_default();
        let iuv = iuv_of(&raw).ok_or_else(|| format!("{}: IUV «{raw}» non valido", at()))?;
        let amount = o
            .amount
            .filter(|a| *a > 0)
            .map(Money)
            .ok_or_else(|| format!("{}: manca l'importo pagato", at()))?;
        let raw_date = o.payment_date.unwrap_or_default();
        let paid_on = raw_date
            .get(..10)
            .and_then(parse_date)
            .ok_or_else(|| format!("{}: data di pagamento «{raw_date}» non valida", at()))?;
        out.push(PaidNotice {
            reference: o.id_receipt.unwrap_or_else(|| iuv.clone()),
            iuv,
            amount,
            paid_on,
        });
    }
    Ok(out)
}

fn read_csv(text: &str) -> Result<Vec<PaidNotice>, String> {
    let delimiter = match text.lines().next() {
        Some(h) if h.contains(';') => b';',
        _ => b',',
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("intestazione del CSV non leggibile: {e}"))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let iuv_col = column(&["iuv", "numero avviso", "codice avviso"])
        .ok_or("manca la colonna «iuv» (o «numero avviso») nell'intestazione del CSV")?;
    let amount_col = column(&["importo", "importo pagato"])
        .ok_or("manca la colonna «importo» nell'intestazione del CSV")?;
    let date_col = column(&["data pagamento", "data"])
        .ok_or("manca la colonna «data pagamento» nell'intestazione del CSV")?;
    let ref_col = column(&["riferimento", "id ricevuta", "ricevuta"]);
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| format!("riga {line}: {e}"))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or("").trim();
        let iuv = iuv_of(cell(iuv_col)).ok_or_else(|| {
            format!(
                "riga {line}: «{}» non è un IUV né un numero avviso pagoPA",
                cell(iuv_col)
            )
        })?;
        let amount = euro(cell(amount_col))
            .ok_or_else(|| format!("riga {line}: importo «{}» non valido", cell(amount_col)))?;
        let paid_on = parse_date(cell(date_col)).ok_or_else(|| {
            format!(
                "riga {line}: data di pagamento «{}» non valida (gg/mm/aaaa)",
                cell(date_col)
            )
        })?;
        let reference = ref_col
            .map(cell)
            .filter(|r| !r.is_empty())
            .map_or_else(|| iuv.clone(), str::to_owned);
        out.push(PaidNotice {
            iuv,
            amount,
            paid_on,
            reference,
        });
    }
    Ok(out)
}

/// An amount in euro as a treasurer's file writes it: «12,50», «1.012,50» or «12.50».
fn euro(raw: &str) -> Option<Money> {
    let t = raw.trim();
    let italian = if !t.contains(',') && t.rsplit_once('.').is_some_and(|(_, d)| d.len() == 2) {
        t.replacen('.', ",", 1)
    } else {
        t.to_owned()
    };
    Money::parse("importo", &italian, "importo")
        .ok()
        .filter(|m| m.cents() > 0)
}

/// One debt position for pagoPA's GPD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GpdBill {
    /// The position's identifier at the ente (the bill's id).
    pub iupd: String,
    pub debtor_fiscal_code: String,
    pub debtor_name: String,
    pub debtor_email: Option<String>,
    pub notice: Notice,
    pub amount: Money,
    pub description: String,
    pub due_on: Date,
}

/// The bulk creation body of GPD's API v2 (`MultiplePaymentPositionModel`): one position
/// per bill, one payment option, one transfer to the ente's account.
pub fn gpd_positions(settings: &PagopaData, company: &str, bills: &[GpdBill]) -> Value {
    let cut = |s: &str| s.chars().take(140).collect::<String>();
    let positions: Vec<Value> = bills
        .iter()
        .map(|b| {
            let mut position = json!({
                "iupd": b.iupd,
                "type": "F",
                "fiscalCode": b.debtor_fiscal_code,
                "fullName": b.debtor_name,
                "companyName": cut(company),
                "switchToExpired": false,
                "paymentOption": [{
                    "nav": b.notice.nav,
                    "iuv": b.notice.iuv,
                    "amount": b.amount.cents(),
                    "description": cut(&b.description),
                    "isPartialPayment": false,
                    "dueDate": format!("{}T23:59:59", b.due_on),
                    "transfer": [{
                        "idTransfer": "1",
                        "amount": b.amount.cents(),
                        "organizationFiscalCode": settings.fiscal_code,
                        "remittanceInformation": cut(&b.description),
                        "category": settings.category,
                        "iban": settings.iban.as_str(),
                    }],
                }],
            });
            if let Some(email) = &b.debtor_email {
                position["email"] = Value::String(email.clone());
            }
            position
        })
        .collect();
    json!({ "paymentPositions": positions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_notice_number_is_aux_digit_segregation_base_and_check_modulo_93() {
        let n = Notice::new(1, 1).unwrap();
        // 3010000000000001 mod 93 = 44
        assert_eq!(n.nav, "301000000000000144");
        assert_eq!(n.iuv, "01000000000000144");
        assert_eq!(n.nav_grouped(), "3010 0000 0000 0001 44");
        assert_eq!(
            Notice::new(0, 1_234_567_890_123).unwrap().nav,
            "300123456789012369"
        );
        assert_eq!(
            Notice::new(99, MAX_IUV_BASE).unwrap().nav,
            "399999999999999903"
        );
        assert!(Notice::new(1, MAX_IUV_BASE + 1).is_none());
        assert!(Notice::new(100, 1).is_none());
        assert_eq!(
            n.qr_payload("80034840167", Money(4_250)),
            "PAGOPA|002|301000000000000144|80034840167|4250"
        );
    }

    #[test]
    fn an_iuv_is_read_from_either_code_and_its_check_digits_must_hold() {
        assert_eq!(
            iuv_of("3010 0000 0000 0001 44").as_deref(),
            Some("01000000000000144")
        );
        assert_eq!(
            iuv_of("01000000000000144").as_deref(),
            Some("01000000000000144")
        );
        assert_eq!(iuv_of("01000000000000145"), None);
        assert_eq!(iuv_of("101000000000000144"), None);
        assert_eq!(iuv_of("abc"), None);
    }

    #[test]
    fn the_ente_fiscal_code_has_eleven_digits_and_its_check_digit() {
        assert_eq!(
            entity_fiscal_code("f", " 80034840167 ").unwrap(),
            "80034840167"
        );
        assert!(
            entity_fiscal_code("f", "80034840168")
                .unwrap_err()
                .message
                .contains("cifra di controllo")
        );
        assert!(
            entity_fiscal_code("f", "8003484016")
                .unwrap_err()
                .message
                .contains("undici cifre")
        );
    }

    #[test]
    fn settings_name_every_wrong_field() {
        let errors = parse_pagopa(&PagopaInput {
            fiscal_code: "123".into(),
            segregation_code: "100".into(),
            iban: "IT00".into(),
            category: "abc".into(),
            due_days: "0".into(),
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "fiscal_code",
                "segregation_code",
                "iban",
                "category",
                "due_days"
            ]
        );
        let ok = parse_pagopa(&PagopaInput {
            fiscal_code: "80034840167".into(),
            segregation_code: "01".into(),
            iban: "IT60 X054 2811 1010 0000 0123 456".into(),
            category: "9/0101108TS/".into(),
            due_days: "30".into(),
        })
        .unwrap();
        assert_eq!(ok.segregation_code, 1);
        assert_eq!(ok.due_days, 30);
    }

    #[test]
    fn a_reminder_waits_for_the_due_date_and_fifteen_days_after_the_last() {
        let due = date!(2027 - 01 - 31);
        assert!(reminder_allowed(due, None, due).is_err());
        assert!(reminder_allowed(due, None, date!(2027 - 02 - 01)).is_ok());
        let last = date!(2027 - 02 - 01);
        let err = reminder_allowed(due, Some(last), date!(2027 - 02 - 10)).unwrap_err();
        assert!(err.contains("16/02/2027"), "{err}");
        assert!(reminder_allowed(due, Some(last), date!(2027 - 02 - 16)).is_ok());
    }

    #[test]
    fn the_treasurers_csv_is_read_by_its_header_and_a_bad_line_is_named() {
        let csv = "Numero avviso;Importo;Data pagamento;Riferimento\n\
                   3010 0000 0000 0001 44;42,50;03/02/2027;R-1\n\
                   01000000000000144;1.012,50;2027-02-04;\n";
        let paid = read_payments(csv.as_bytes()).unwrap();
        assert_eq!(paid.len(), 2);
        assert_eq!(paid[0].iuv, "01000000000000144");
        assert_eq!(paid[0].amount, Money(4_250));
        assert_eq!(paid[0].paid_on, date!(2027 - 02 - 03));
        assert_eq!(paid[0].reference, "R-1");
        assert_eq!(paid[1].amount, Money(101_250));
        assert_eq!(paid[1].reference, "01000000000000144");
        let dot = "iuv,importo,data\n01000000000000144,42.50,03/02/2027\n";
        assert_eq!(
            read_payments(dot.as_bytes()).unwrap()[0].amount,
            Money(4_250)
        );
        let bad =
            "iuv;importo;data pagamento\n01000000000000144;42,50;03/02/2027\n999;1;03/02/2027\n";
        let err = read_payments(bad.as_bytes()).unwrap_err();
        assert!(err.starts_with("riga 3:"), "{err}");
        let no_column = "codice;importo\n1;2\n";
        assert!(
            read_payments(no_column.as_bytes())
                .unwrap_err()
                .contains("«iuv»")
        );
        assert!(read_payments(&[0xff, 0xfe]).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn gpds_list_gives_the_paid_options_only() {
        let json = r#"{"payment_position_list":[
            {"iupd":"a","status":"PAID","paymentOption":[{"iuv":"01000000000000144","amount":4250,
              "status":"PO_PAID","paymentDate":"2027-02-03T10:15:00","idReceipt":"rc-1"}]},
            {"iupd":"b","status":"VALID","paymentOption":[{"iuv":"00123456789012369","amount":100,
              "status":"PO_UNPAID"}]}],
            "page_info":{"page":0,"limit":50,"items_found":2,"total_pages":1}}"#;
        let paid = read_payments(json.as_bytes()).unwrap();
        assert_eq!(
            paid,
            [PaidNotice {
                iuv: "01000000000000144".into(),
                amount: Money(4_250),
                paid_on: date!(2027 - 02 - 03),
                reference: "rc-1".into(),
            }]
        );
        assert!(
            read_payments(b"{\"payment_position_list\": 3}")
                .unwrap_err()
                .contains("posizioni debitorie")
        );
    }
}
