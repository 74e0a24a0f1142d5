//! Italian civil time. Instants are stored in UTC; what an operator types and reads is the
//! time in Italy: UTC+1, and UTC+2 from 01:00 UTC on the last Sunday of March to 01:00 UTC on
//! the last Sunday of October (Directive 2000/84/EC, the rule since 1996). Written out
//! because it is the whole rule for the one zone Sportello serves, and needs no tz database.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

const WINTER: UtcOffset = match UtcOffset::from_hms(1, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};
const SUMMER: UtcOffset = match UtcOffset::from_hms(2, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// 01:00 UTC on the last Sunday of `month` (March or October) of `year`.
fn switch_instant(year: i32, month: Month) -> OffsetDateTime {
    let last = Date::from_calendar_date(year, month, 31).unwrap_or(Date::MIN);
    let back = last.weekday().number_days_from_sunday();
    let sunday = last
        .checked_sub(time::Duration::days(i64::from(back)))
        .unwrap_or(last);
    sunday
        .with_time(Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

/// The offset of Italian time at the instant `at`; winter time past the ends of the calendar.
pub fn offset_at(at: OffsetDateTime) -> UtcOffset {
    let Some(utc) = at.checked_to_offset(UtcOffset::UTC) else {
        return WINTER;
    };
    let year = utc.year();
    if utc >= switch_instant(year, Month::March) && utc < switch_instant(year, Month::October) {
        SUMMER
    } else {
        WINTER
    }
}

/// The instant as read on a clock in Italy; as given when that reading would fall past the
/// end of the calendar.
pub fn to_local(at: OffsetDateTime) -> OffsetDateTime {
    at.checked_to_offset(offset_at(at)).unwrap_or(at)
}

/// The instant of a date and time typed by an operator in Italy. In the hour repeated when
/// clocks go back, the first (summer-time) reading is taken; a time skipped when clocks go
/// forward is read in winter time, an hour later on the clock.
pub fn from_local(date: Date, time: Time) -> OffsetDateTime {
    let local = PrimitiveDateTime::new(date, time);
    let summer = local.assume_offset(SUMMER);
    if offset_at(summer) == SUMMER {
        summer
    } else {
        local.assume_offset(WINTER)
    }
}

/// Today's date in Italy.
pub fn today(now: OffsetDateTime) -> Date {
    to_local(now).date()
}

/// "gg/mm/aaaa hh:mm", Italian time.
pub fn format_date_time(at: OffsetDateTime) -> String {
    let l = to_local(at);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}",
        l.day(),
        u8::from(l.month()),
        l.year(),
        l.hour(),
        l.minute()
    )
}

/// "hh:mm", Italian time.
pub fn format_time(at: OffsetDateTime) -> String {
    let l = to_local(at);
    format!("{:02}:{:02}", l.hour(), l.minute())
}

const WEEKDAYS: [&str; 7] = [
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
];

/// "giovedì 3 dicembre 2026"; the first of the month is written "1°".
pub fn long_date(d: Date) -> String {
    let wd = WEEKDAYS[usize::from(d.weekday().number_days_from_monday())];
    let m = territory::MONTH_NAMES[usize::from(u8::from(d.month())) - 1];
    let day = match d.day() {
        1 => "1°".to_owned(),
        n => n.to_string(),
    };
    format!("{wd} {day} {m} {}", d.year())
}

/// Parses "hh:mm" (or "hh.mm", "hh").
pub fn parse_time(s: &str) -> Option<Time> {
    let t = s.trim();
    let (h, m) = t.split_once([':', '.']).unwrap_or((t, "0"));
    let h: u8 = h.trim().parse().ok()?;
    let m: u8 = m.trim().parse().ok()?;
    Time::from_hms(h, m, 0).ok()
}

/// A week of the agenda, Monday to Sunday, and the Mondays either side of it: each of these
/// days exists, so the pages that show and link the week need no further arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub previous: Date,
    pub days: [Date; 7],
    pub next: Date,
}

impl Week {
    /// The week that holds `d`; none at the ends of the calendar.
    pub fn holding(d: Date) -> Option<Week> {
        let back = time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
        let monday = d.checked_sub(back)?;
        let mut days = [monday; 7];
        let mut day = monday;
        for slot in days.iter_mut().skip(1) {
            day = day.next_day()?;
            *slot = day;
        }
        Some(Week {
            previous: monday.checked_sub(time::Duration::WEEK)?,
            next: days[6].next_day()?,
            days,
        })
    }

    pub fn monday(&self) -> Date {
        self.days[0]
    }

    pub fn sunday(&self) -> Date {
        self.days[6]
    }
}

/// Whether `d` is a Saturday or Sunday.
pub fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    #[test]
    fn summer_time_runs_from_the_last_sunday_of_march_to_the_last_sunday_of_october() {
        assert_eq!(offset_at(datetime!(2026-03-29 00:59 UTC)), WINTER);
        assert_eq!(offset_at(datetime!(2026-03-29 01:00 UTC)), SUMMER);
        assert_eq!(offset_at(datetime!(2026-10-25 00:59 UTC)), SUMMER);
        assert_eq!(offset_at(datetime!(2026-10-25 01:00 UTC)), WINTER);
        assert_eq!(offset_at(datetime!(2026-12-03 09:00 UTC)), WINTER);
    }

    #[test]
    fn a_typed_time_is_the_instant_a_clock_in_italy_shows() {
        assert_eq!(
            from_local(date!(2026 - 12 - 03), time!(10:30)),
            datetime!(2026-12-03 09:30 UTC)
        );
        assert_eq!(
            from_local(date!(2026 - 07 - 01), time!(10:30)),
            datetime!(2026-07-01 08:30 UTC)
        );
        // Repeated hour: the first reading; skipped hour: read in winter time.
        assert_eq!(
            from_local(date!(2026 - 10 - 25), time!(02:30)),
            datetime!(2026-10-25 00:30 UTC)
        );
        assert_eq!(
            from_local(date!(2026 - 03 - 29), time!(02:30)),
            datetime!(2026-03-29 01:30 UTC)
        );
        assert_eq!(
            format_date_time(datetime!(2026-12-03 09:30 UTC)),
            "03/12/2026 10:30"
        );
    }

    #[test]
    fn dates_and_times_read_and_print_the_italian_way() {
        assert_eq!(long_date(date!(2026 - 12 - 03)), "giovedì 3 dicembre 2026");
        assert_eq!(parse_time("9.15"), Some(time!(09:15)));
        assert_eq!(parse_time("14"), Some(time!(14:00)));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("dieci"), None);
        let w = Week::holding(date!(2026 - 12 - 03)).expect("week");
        assert_eq!(
            (w.previous, w.monday(), w.sunday(), w.next),
            (
                date!(2026 - 11 - 23),
                date!(2026 - 11 - 30),
                date!(2026 - 12 - 06),
                date!(2026 - 12 - 07)
            )
        );
        assert_eq!(Week::holding(Date::MAX), None);
        assert_eq!(
            today(datetime!(2026-12-31 23:30 UTC)),
            date!(2027 - 01 - 01)
        );
    }
}
