//! Typed dates: gg/mm/aaaa (or ISO) read within the span a field accepts, and written back.

use crate::Arg;
use time::{Date, Month};

/// The dates a field accepts, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    pub first: Date,
    pub last: Date,
}

impl DateSpan {
    pub fn contains(self, d: Date) -> bool {
        self.first <= d && d <= self.last
    }
}

/// What the office does and schedules: case files, appointments, applications, plans. Far from
/// the ends of the calendar, so that a week or a few months more never overflow.
pub const OFFICE_DATES: DateSpan = DateSpan {
    first: time::macros::date!(1900 - 01 - 01),
    last: time::macros::date!(2100 - 12 - 31),
};

/// Births and deaths: the registry holds people born before 1900. The widest span: any date
/// Sportello reads lies in it.
pub const LIFE_DATES: DateSpan = DateSpan {
    first: time::macros::date!(1880 - 01 - 01),
    last: OFFICE_DATES.last,
};

/// Why a typed date was refused; the message is Italian and fits after the field's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("«{0}» non è una data valida (gg/mm/aaaa)")]
    Malformed(String),
    #[error(
        "la data deve essere tra il {} e il {}",
        format_date(.0.first),
        format_date(.0.last)
    )]
    OutOfSpan(DateSpan),
}

impl DateError {
    /// The refusal of the field `field`, which asked for `what` («la data di nascita»).
    pub fn field_error(&self, field: &'static str, what: &str) -> crate::FieldError {
        let e = crate::FieldError::new(field, format!("{what}: {self}"));
        match self {
            DateError::Malformed(t) => e.says("field-date", [("value", Arg::Text(t.clone()))]),
            DateError::OutOfSpan(span) => e.says(
                "field-date-span",
                [
                    ("first", Arg::Date(span.first)),
                    ("last", Arg::Date(span.last)),
                ],
            ),
        }
    }
}

/// Reads a date typed as gg/mm/aaaa (ISO `aaaa-mm-gg` too: imports, `<input type=date>`) that
/// must lie in `span`.
pub fn read_date(s: &str, span: DateSpan) -> Result<Date, DateError> {
    let d = calendar_date(s).ok_or_else(|| DateError::Malformed(s.trim().to_owned()))?;
    if span.contains(d) {
        Ok(d)
    } else {
        Err(DateError::OutOfSpan(span))
    }
}

/// A date in [`LIFE_DATES`], for searches and imports that word their own message.
pub fn parse_date(s: &str) -> Option<Date> {
    read_date(s, LIFE_DATES).ok()
}

fn calendar_date(s: &str) -> Option<Date> {
    let t = s.trim();
    let (d, m, y) = if let Some((y, rest)) = t.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (d, m, y)
    } else {
        let mut it = t.split(['/', '.']);
        let d = it.next()?;
        let m = it.next()?;
        let y = it.next()?;
        if it.next().is_some() {
            return None;
        }
        (d, m, y)
    };
    if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

pub fn format_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}
