//! Italian dates and times on the pages: stored instants shown in civil time, and the optional
//! dates of forms and filters.

use domain::FieldError;
use domain::dates::{OFFICE_DATES, read_date};
use time::{Date, OffsetDateTime};

/// A stored instant (Unix microseconds); the epoch for a value out of the calendar's range.
pub fn instant(at_us: i64) -> OffsetDateTime {
    domain::audit::from_unix_micros(at_us).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A stored instant as «gg/mm/aaaa hh:mm», Italian civil time.
pub fn when(at_us: i64) -> String {
    domain::localtime::format_date_time(instant(at_us))
}

/// An optional date of a filter or form: `gg/mm/aaaa` (or ISO), within the office's span.
pub fn parse_date(field: &'static str, raw: &str) -> Result<Option<Date>, FieldError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    read_date(raw, OFFICE_DATES)
        .map(Some)
        .map_err(|e| FieldError::new(field, e.to_string()))
}

/// [`parse_date`] for forms that gather every error: a wrong date is pushed to `errors`.
pub fn optional_date(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    parse_date(field, raw)
        .map_err(|e| errors.push(e))
        .ok()
        .flatten()
}

/// The first microsecond of an Italian day, or (`end`) its last one.
pub fn day_bound_us(d: Date, end: bool) -> i64 {
    let day = if end { d.next_day().unwrap_or(d) } else { d };
    let start =
        domain::audit::unix_micros(domain::localtime::from_local(day, time::Time::MIDNIGHT));
    if end && day != d { start - 1 } else { start }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_and_iso_dates_are_read_and_two_digit_years_refused() {
        let d = time::macros::date!(2026 - 03 - 05);
        assert_eq!(parse_date("dal", "05/03/2026").unwrap(), Some(d));
        assert_eq!(parse_date("dal", "5.3.2026").unwrap(), Some(d));
        assert_eq!(parse_date("dal", "2026-03-05").unwrap(), Some(d));
        assert_eq!(parse_date("dal", "").unwrap(), None);
        assert!(parse_date("dal", "05/03/26").is_err());
        assert!(parse_date("dal", "31/12/9999").is_err());
        assert!(
            parse_date("dal", "31/02/2026")
                .unwrap_err()
                .message
                .contains("gg/mm/aaaa")
        );
    }
}
