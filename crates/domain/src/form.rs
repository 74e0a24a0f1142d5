//! Reading typed form values: trimmed texts with a length limit, codes from a closed list,
//! dates, e-mail addresses, amounts in euro. Each failure is a [`FieldError`] naming the field.

use crate::dates::{DateSpan, OFFICE_DATES, read_date};
use crate::{Arg, FieldError};
use time::Date;

pub(crate) const LONG_TEXT: usize = 20_000;
pub(crate) const SHORT_TEXT: usize = 300;

pub(crate) fn text(
    field: &'static str,
    raw: &str,
    what: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() && required {
        return Err(FieldError::required(field, what));
    }
    if t.chars().count() > max {
        return Err(
            FieldError::new(field, format!("{what}: al massimo {max} caratteri")).says(
                "field-too-long",
                [("max", Arg::Number(i64::try_from(max).unwrap_or(i64::MAX)))],
            ),
        );
    }
    if let Some(c) = t
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(
            FieldError::new(field, format!("{what}: contiene {}", crate::char_name(c))).says(
                "field-character",
                [("char", Arg::Text(format!("U+{:04X}", u32::from(c))))],
            ),
        );
    }
    Ok(t.replace("\r\n", "\n"))
}

pub(crate) fn code<T: Copy>(
    field: &'static str,
    raw: &str,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(field, format!("scegliere {what}")).says("field-choose", []));
    }
    parse(raw.trim()).ok_or_else(|| {
        FieldError::new(field, format!("{what}: scegliere un valore dell'elenco"))
            .says("field-choose", [])
    })
}

/// A required date within `span`; the message names what was asked for.
pub(crate) fn date_in(
    field: &'static str,
    raw: &str,
    what: &str,
    span: DateSpan,
) -> Result<Date, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::required(field, what));
    }
    read_date(raw, span).map_err(|e| e.field_error(field, what))
}

/// A required date of the office's own business ([`OFFICE_DATES`]).
pub(crate) fn date(field: &'static str, raw: &str, what: &str) -> Result<Date, FieldError> {
    date_in(field, raw, what, OFFICE_DATES)
}

pub(crate) fn optional_date(
    field: &'static str,
    raw: &str,
    what: &str,
) -> Result<Option<Date>, FieldError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        date(field, raw, what).map(Some)
    }
}

/// Collects the outcome of each parse; the value exists only if every field parsed.
pub(crate) struct Fields(pub(crate) Vec<FieldError>);

impl Fields {
    pub(crate) fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    pub(crate) fn check(&mut self, ok: bool, field: &'static str, message: &str) {
        if !ok {
            self.0.push(FieldError::new(field, message));
        }
    }
}

/// An e-mail address as far as the office can tell at the counter: one `@`, a dot in the
/// domain, no blanks. Delivery is the proof.
pub(crate) fn email(field: &'static str, raw: &str) -> Result<Option<String>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok = t.len() <= 254
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && t.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(Some(t.to_owned()))
    } else {
        Err(
            FieldError::new(field, format!("«{t}» non è un indirizzo e-mail valido"))
                .says("field-email", [("value", Arg::Text(t.to_owned()))]),
        )
    }
}

/// A ticked check box: browsers send "on"; imports and the API may say 1, true or sì.
pub(crate) fn flag(raw: &str) -> bool {
    matches!(raw.trim(), "on" | "1" | "true" | "si" | "sì")
}
