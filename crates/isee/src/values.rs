//! Scalar values of the DSU: amounts, shares, scale parameters and dates, parsed from JSON
//! strings so that money never passes through a float.

use std::borrow::Cow;
use std::fmt;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{Date, Month};

/// Splits the common "1234" / "1234.5" / "1234.56" forms (and "1234.") into the digits as
/// an integer and the number of decimals.
fn plain_digits(s: &[u8]) -> Option<(i64, u32)> {
    // One pass: digits, at most one dot; 1–15 digits before it, at most 2 after.
    let mut n: i64 = 0;
    let (mut int_len, mut frac_len, mut dot) = (0u32, 0u32, false);
    for &b in s {
        if b.is_ascii_digit() {
            if dot {
                frac_len += 1;
            } else {
                int_len += 1;
            }
            if int_len > 15 || frac_len > 2 {
                return None;
            }
            n = n * 10 + i64::from(b - b'0');
        } else if b == b'.' && !dot {
            dot = true;
        } else {
            return None;
        }
    }
    (int_len > 0).then_some((n, frac_len))
}

/// Fast path for the common "1234" / "1234.5" / "1234.56" forms.
fn parse_plain(s: &str) -> Option<Decimal> {
    plain_digits(s.as_bytes()).map(|(n, scale)| Decimal::new(n, scale))
}

/// Parses a decimal written as "1234.56" (a comma is accepted as decimal separator).
fn parse_decimal(s: &str) -> Option<Decimal> {
    if let Some(d) = parse_plain(s) {
        return Some(d);
    }
    let s = s.trim();
    if s.is_empty() || s.len() > 24 {
        return None;
    }
    if s.contains(',') {
        Decimal::from_str_exact(&s.replacen(',', ".", 1)).ok()
    } else {
        Decimal::from_str_exact(s).ok()
    }
}

struct DecimalVisitor(&'static str);

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).ok_or_else(|| E::custom(format!("«{v}» non è un numero decimale valido")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // serde_json hands an integer too long for 64 bits over as a float: name it as what
        // it is, not as a number with decimals.
        if v.is_finite() && v.fract() == 0.0 && v.abs() >= 9.2e18 {
            return Err(E::custom(format!(
                "numero intero troppo grande (oltre 18 cifre): atteso {}",
                self.0
            )));
        }
        Err(E::custom(
            "i numeri con decimali vanno scritti come stringa, ad esempio \"1234.56\"",
        ))
    }
}

/// How the message for a negative amount starts (the field's own advice may follow it).
pub(crate) const IMPORTO_NEGATIVO: &str = "importo negativo";

/// Largest amount accepted in a DSU field (one thousand billion euro).
pub const IMPORTO_MASSIMO: i64 = 1_000_000_000_000;

/// A euro amount of the DSU: not negative, at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Importo(Decimal);

impl Importo {
    /// Builds an amount as the parser does; `None` when negative, with more than two
    /// decimals or over [`IMPORTO_MASSIMO`].
    pub fn new(value: Decimal) -> Option<Importo> {
        let mut v = value.normalize();
        if v.is_sign_negative() && !v.is_zero()
            || v.scale() > 2
            || v > Decimal::from(IMPORTO_MASSIMO)
        {
            return None;
        }
        v.rescale(2);
        Some(Importo(v))
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// The amount a plain JSON string such as `1234`, `1234.5` or `1234.56` (the bytes between
    /// the quotes) deserializes to, without serde; `None` for any other form, left to serde.
    pub(crate) fn from_plain(s: &[u8]) -> Option<Importo> {
        let (n, scale) = plain_digits(s)?;
        let cents = n * if scale == 0 {
            100
        } else if scale == 1 {
            10
        } else {
            1
        };
        (cents <= IMPORTO_MASSIMO * 100).then(|| Importo(Decimal::new(cents, 2)))
    }
}

/// `max(0, v)` without a full decimal comparison.
pub fn floor0(v: Decimal) -> Decimal {
    if v.is_sign_negative() {
        Decimal::ZERO
    } else {
        v
    }
}

/// `v > 0` without a full decimal comparison.
pub fn positive(v: Decimal) -> bool {
    !v.is_zero() && v.is_sign_positive()
}

impl<'de> Deserialize<'de> for Importo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(DecimalVisitor("un importo in euro, ad esempio \"1234.56\""))?;
        // Plain amounts: at most two decimals, not negative, under the maximum. The checks
        // below would all pass: skip their decimal comparisons.
        if v.scale() <= 2
            && !v.is_sign_negative()
            && v.mantissa() <= i128::from(IMPORTO_MASSIMO) * 10i128.pow(v.scale())
        {
            let mut v = v;
            if v.scale() < 2 {
                v.rescale(2);
            }
            return Ok(Importo(v));
        }
        if v < Decimal::ZERO {
            return Err(de::Error::custom(format!(
                "{IMPORTO_NEGATIVO} ({v}): gli importi della DSU non sono mai negativi"
            )));
        }
        if v.scale() > 2 && v.normalize().scale() > 2 {
            return Err(de::Error::custom(format!(
                "importo con più di due decimali ({v})"
            )));
        }
        // Keeps every sum and product of the calculation far from the decimal range.
        if v > Decimal::from(IMPORTO_MASSIMO) {
            return Err(de::Error::custom(format!(
                "importo {v} oltre il massimo ammesso ({IMPORTO_MASSIMO} euro)"
            )));
        }
        // Same scale everywhere keeps later additions and comparisons on the fast path.
        let mut v = v;
        v.rescale(2);
        Ok(Importo(v))
    }
}

impl Serialize for Importo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl JsonSchema for Importo {
    fn schema_name() -> Cow<'static, str> {
        "Importo".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Importo in euro come stringa decimale, non negativo, al più due decimali, non oltre 1.000 miliardi (es. \"1234.56\"); ammesso anche un intero.",
            "anyOf": [
                { "type": "string", "pattern": "^\\s*[0-9]+([.,][0-9]{1,2})?\\s*$" },
                { "type": "integer", "minimum": 0, "maximum": 1000000000000i64 }
            ]
        })
    }
}

/// A share of ownership in percent: greater than 0, at most 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quota(Decimal);

impl Quota {
    pub const FULL: Quota = Quota(Decimal::ONE_HUNDRED);

    pub fn percent(self) -> Decimal {
        self.0
    }

    /// `amount × share` without leaving the exact path when the share is 100 %.
    pub fn of(self, amount: Decimal) -> Decimal {
        if self.0 == Decimal::ONE_HUNDRED {
            amount
        } else {
            amount * self.0 / Decimal::ONE_HUNDRED
        }
    }
}

impl Default for Quota {
    fn default() -> Self {
        Quota::FULL
    }
}

impl<'de> Deserialize<'de> for Quota {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(DecimalVisitor("una percentuale, ad esempio \"50\""))?;
        if v <= Decimal::ZERO {
            return Err(de::Error::custom(format!(
                "quota {v}%: deve essere maggiore di 0"
            )));
        }
        if v > Decimal::ONE_HUNDRED {
            return Err(de::Error::custom(format!(
                "quota {v}%: non può superare il 100%"
            )));
        }
        Ok(Quota(v))
    }
}

impl Serialize for Quota {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl JsonSchema for Quota {
    fn schema_name() -> Cow<'static, str> {
        "Quota".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Quota di possesso in percentuale, maggiore di 0 e non oltre 100 (es. \"50\").",
            "anyOf": [
                { "type": "string", "pattern": "^\\s*[0-9]+([.,][0-9]+)?\\s*$" },
                { "type": "integer", "minimum": 1, "maximum": 100 }
            ]
        })
    }
}

/// A parametro of a scala di equivalenza (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Parametro(Decimal);

impl Parametro {
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl<'de> Deserialize<'de> for Parametro {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = d.deserialize_any(DecimalVisitor(
            "un parametro della scala, ad esempio \"1.57\"",
        ))?;
        if v < Decimal::ONE || v > Decimal::ONE_HUNDRED {
            return Err(de::Error::custom(format!(
                "parametro della scala {v}: deve essere tra 1 e 100"
            )));
        }
        Ok(Parametro(v))
    }
}

impl Serialize for Parametro {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl JsonSchema for Parametro {
    fn schema_name() -> Cow<'static, str> {
        "Parametro".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Parametro della scala di equivalenza, tra 1 e 100 (es. \"1.57\").",
            "anyOf": [
                { "type": "string", "pattern": "^\\s*[0-9]+([.,][0-9]+)?\\s*$" },
                { "type": "integer", "minimum": 1, "maximum": 100 }
            ]
        })
    }
}

/// A calendar date written as "AAAA-MM-GG".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Data(pub Date);

/// Parses "YYYY-MM-DD".
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let year: i32 = s.get(0..4)?.parse().ok()?;
    let month: u8 = s.get(5..7)?.parse().ok()?;
    let day: u8 = s.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Data;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("una data AAAA-MM-GG")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Data, E> {
                parse_date(v)
                    .map(Data)
                    .ok_or_else(|| E::custom(format!("«{v}» non è una data valida (AAAA-MM-GG)")))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        ))
    }
}

impl JsonSchema for Data {
    fn schema_name() -> Cow<'static, str> {
        "Data".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Data nel formato AAAA-MM-GG.",
            "type": "string",
            "format": "date"
        })
    }
}

/// Full years from `birth` to `on` (age "compiuta").
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

/// A codice fiscale (16 upper-case letters and digits) or a provisional one (11 digits),
/// checked for its shape when parsed and kept inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodiceFiscale {
    len: u8,
    bytes: [u8; 16],
}

impl CodiceFiscale {
    /// Checks the shape; `None` if it is not a codice fiscale.
    pub fn parse(s: &str) -> Option<CodiceFiscale> {
        Self::parse_bytes(s.as_bytes())
    }

    /// [`CodiceFiscale::parse`] on the bytes of a string.
    pub(crate) fn parse_bytes(b: &[u8]) -> Option<CodiceFiscale> {
        let ok = (b.len() == 16
            && b.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
            || (b.len() == 11 && b.iter().all(u8::is_ascii_digit));
        if !ok {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (dst, src) in bytes.iter_mut().zip(b) {
            *dst = *src;
        }
        Some(CodiceFiscale {
            len: b.len() as u8,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len as usize)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl std::ops::Deref for CodiceFiscale {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl<'de> Deserialize<'de> for CodiceFiscale {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = CodiceFiscale;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("un codice fiscale")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CodiceFiscale, E> {
                CodiceFiscale::parse(v).ok_or_else(|| {
                    E::custom(format!(
                        "«{v}» non è un codice fiscale (16 caratteri maiuscoli o 11 cifre)"
                    ))
                })
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for CodiceFiscale {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl JsonSchema for CodiceFiscale {
    fn schema_name() -> Cow<'static, str> {
        "CodiceFiscale".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Codice fiscale: 16 lettere maiuscole e cifre, o 11 cifre (provvisorio).",
            "type": "string",
            "pattern": "^([A-Z0-9]{16}|[0-9]{11})$"
        })
    }
}
