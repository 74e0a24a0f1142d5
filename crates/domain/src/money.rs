//! Amounts of money in euro cents, never in floating point (ui-style §2.9: `1.234,56 €`).

use crate::{Arg, FieldError};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// A decimal number with the Italian decimal comma and no trailing zeros: «2,04», «1,5».
pub fn decimal_it(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

/// An amount in euro cents. Arithmetic that is not a sum (percentages, interpolation) goes
/// through `rust_decimal` and is rounded half-up to the cent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

/// The largest amount a form takes: a hundred million euro.
pub const MAX_CENTS: i64 = 10_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn cents(self) -> i64 {
        self.0
    }

    pub fn from_euro(euro: i64) -> Money {
        Money(euro * 100)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Rounds a decimal amount in euro half-up to the cent; `None` beyond [`MAX_CENTS`].
    pub fn from_decimal(euro: Decimal) -> Option<Money> {
        let cents = (euro * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_i64()?;
        (cents.abs() <= MAX_CENTS).then_some(Money(cents))
    }

    /// Italian form with grouping, a no-break space and the sign: `-1.234,56 €`.
    pub fn format(self) -> String {
        format!("{}\u{a0}€", self.format_plain())
    }

    /// The same without the currency, for table cells headed "Importo (€)" and form values.
    pub fn format_plain(self) -> String {
        self.format_with('.', ',')
    }

    /// The figure with the sign and the given thousands and decimal separators (the portal
    /// writes amounts in the citizen's language).
    pub fn format_with(self, group: char, decimal: char) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euro = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in euro.chars().enumerate() {
            if i > 0 && (euro.len() - i).is_multiple_of(3) {
                grouped.push(group);
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}{decimal}{:02}", abs % 100)
    }

    /// Reads an amount as people type it: `250`, `250,5`, `1.234,56`, `1234.56`, with or
    /// without `€`. Thousands dots must group three digits; at most two decimals; never
    /// negative; at most [`MAX_CENTS`].
    pub fn parse(field: &'static str, raw: &str, what: &str) -> Result<Money, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                format!(
                    "{what}: «{}» non è un importo valido (in euro, con la virgola per i decimali, ad esempio 250,00)",
                    raw.trim()
                ),
            )
            .says("field-amount", [("value", Arg::Text(raw.trim().to_owned()))])
        };
        let t: String = raw
            .trim()
            .trim_end_matches('€')
            .trim_start_matches('€')
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        if t.is_empty() {
            return Err(FieldError::required(field, what));
        }
        if t.starts_with('-') {
            return Err(FieldError::new(
                field,
                format!("{what}: l'importo non può essere negativo"),
            )
            .says("field-amount-negative", []));
        }
        let (int, frac) = match (t.rfind(','), t.rfind('.')) {
            (Some(c), _) => (&t[..c], &t[c + 1..]),
            // "1234.56" or "12.5": a dot followed by one or two digits is the decimal point.
            (None, Some(d)) if t.len() - d - 1 <= 2 && t[..d].find('.').is_none() => {
                (&t[..d], &t[d + 1..])
            }
            _ => (t.as_str(), ""),
        };
        if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let groups: Vec<&str> = int.split('.').collect();
        let grouped_ok = groups.len() == 1
            || (!groups[0].is_empty()
                && groups[0].len() <= 3
                && groups[1..].iter().all(|g| g.len() == 3));
        let digits: String = groups.concat();
        if digits.is_empty() || !grouped_ok || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if digits.len() > 12 {
            return Err(too_large(field, what));
        }
        let euro: i64 = digits.parse().map_err(|_| bad())?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        let total = euro * 100 + cents;
        if total > MAX_CENTS {
            return Err(too_large(field, what));
        }
        Ok(Money(total))
    }

    /// [`Money::parse`] for a field that may be left empty.
    pub fn parse_optional(
        field: &'static str,
        raw: &str,
        what: &str,
    ) -> Result<Option<Money>, FieldError> {
        if raw.trim().is_empty() {
            Ok(None)
        } else {
            Money::parse(field, raw, what).map(Some)
        }
    }
}

fn too_large(field: &'static str, what: &str) -> FieldError {
    FieldError::new(
        field,
        format!("{what}: l'importo supera il massimo ammesso (100.000.000,00 €)"),
    )
    .says(
        "field-amount-too-large",
        [("max", Arg::Money(Money(MAX_CENTS)))],
    )
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0.saturating_add(o.0))
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0.saturating_sub(o.0))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_with_the_italian_comma() {
        assert_eq!(decimal_it(Decimal::new(204, 2)), "2,04");
        assert_eq!(decimal_it(Decimal::new(150, 2)), "1,5");
        assert_eq!(decimal_it(Decimal::new(2, 0)), "2");
    }

    fn p(s: &str) -> Result<i64, String> {
        Money::parse("importo", s, "l'importo")
            .map(Money::cents)
            .map_err(|e| e.message)
    }

    #[test]
    fn amounts_print_the_italian_way_grouped_with_a_no_break_space() {
        assert_eq!(Money(123_456).format(), "1.234,56\u{a0}€");
        assert_eq!(Money(870_000).format(), "8.700,00\u{a0}€");
        assert_eq!(Money(5).format(), "0,05\u{a0}€");
        assert_eq!(Money(-123_456_789).format(), "-1.234.567,89\u{a0}€");
        assert_eq!(Money(100_000_000).format_plain(), "1.000.000,00");
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(p("250"), Ok(25_000));
        assert_eq!(p("250,5"), Ok(25_050));
        assert_eq!(p("1.234,56 €"), Ok(123_456));
        assert_eq!(p("€ 1234.56"), Ok(123_456));
        assert_eq!(p("12.500"), Ok(1_250_000));
        assert_eq!(p("0,05"), Ok(5));
        assert_eq!(p("1 234,00"), Ok(123_400));
    }

    #[test]
    fn bad_amounts_are_refused_with_the_field_named() {
        for bad in [
            "12,345",
            "1.23.4",
            "abc",
            "1,2,3",
            ".5",
            "12.34.567,00",
            "1e5",
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.contains("non è un importo valido"), "{bad}: {e}");
        }
        assert!(p("-5").unwrap_err().contains("negativo"));
        assert!(p("").unwrap_err().contains("indicare"));
        assert!(p("100.000.001").unwrap_err().contains("massimo"));
        assert!(p("9999999999999999999").unwrap_err().contains("massimo"));
    }

    #[test]
    fn decimals_round_half_up_to_the_cent() {
        assert_eq!(
            Money::from_decimal(Decimal::new(12_345, 3)),
            Some(Money(1235))
        );
        assert_eq!(
            Money::from_decimal(Decimal::new(12_344, 3)),
            Some(Money(1234))
        );
        assert_eq!(Money::from_decimal(Decimal::new(i64::MAX, 0)), None);
    }
}
