//! Italian public holidays (L. 260/1949 and later laws): the fixed ones and the two that follow
//! Easter, which is computed. The patron saint of each comune is a holiday there too, but not
//! a national one: it is not listed here.

use time::{Date, Month};

/// The fixed holidays: day, month, name, and the first year they are kept (San Francesco
/// d'Assisi is a national holiday again from 2026, L. 151/2025).
const FIXED: &[(u8, Month, &str, i32)] = &[
    (1, Month::January, "Capodanno", 1949),
    (6, Month::January, "Epifania", 1949),
    (25, Month::April, "Festa della Liberazione", 1949),
    (1, Month::May, "Festa del Lavoro", 1949),
    (2, Month::June, "Festa della Repubblica", 1949),
    (15, Month::August, "Ferragosto", 1949),
    (4, Month::October, "San Francesco d'Assisi", 2026),
    (1, Month::November, "Ognissanti", 1949),
    (8, Month::December, "Immacolata Concezione", 1949),
    (25, Month::December, "Natale", 1949),
    (26, Month::December, "Santo Stefano", 1949),
];

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous algorithm, Meeus); none
/// for a year outside the calendar `time` knows.
pub fn easter_sunday(year: i32) -> Option<Date> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

/// The name of the national holiday on `d`, if it is one: "Natale", "Lunedì dell'Angelo".
pub fn holiday(d: Date) -> Option<&'static str> {
    let fixed = FIXED
        .iter()
        .find(|(day, month, _, since)| d.day() == *day && d.month() == *month && d.year() >= *since)
        .map(|(_, _, name, _)| *name);
    fixed.or_else(|| {
        let easter = easter_sunday(d.year())?;
        if d == easter {
            Some("Pasqua")
        } else if easter.next_day() == Some(d) {
            Some("Lunedì dell'Angelo")
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_falls_on_the_dates_of_the_church_calendar() {
        for (year, easter) in [
            (2008, date!(2008 - 03 - 23)),
            (2019, date!(2019 - 04 - 21)),
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2038, date!(2038 - 04 - 25)),
            (2285, date!(2285 - 03 - 22)),
        ] {
            assert_eq!(easter_sunday(year), Some(easter), "{year}");
        }
    }

    #[test]
    fn easter_monday_follows_easter_even_across_a_month() {
        assert_eq!(holiday(date!(2026 - 04 - 06)), Some("Lunedì dell'Angelo"));
        assert_eq!(holiday(date!(2024 - 04 - 01)), Some("Lunedì dell'Angelo"));
        assert_eq!(holiday(date!(2024 - 03 - 31)), Some("Pasqua"));
        assert_eq!(holiday(date!(2026 - 04 - 07)), None);
    }

    #[test]
    fn the_fixed_holidays_are_named_and_ordinary_days_are_not() {
        assert_eq!(
            holiday(date!(2026 - 12 - 08)),
            Some("Immacolata Concezione")
        );
        assert_eq!(holiday(date!(2026 - 12 - 25)), Some("Natale"));
        assert_eq!(
            holiday(date!(2027 - 04 - 25)),
            Some("Festa della Liberazione")
        );
        assert_eq!(
            holiday(date!(2026 - 06 - 02)),
            Some("Festa della Repubblica")
        );
        assert_eq!(holiday(date!(2026 - 12 - 07)), None);
        assert_eq!(holiday(date!(2026 - 11 - 02)), None);
    }

    #[test]
    fn san_francesco_is_a_holiday_from_2026_only() {
        assert_eq!(
            holiday(date!(2026 - 10 - 04)),
            Some("San Francesco d'Assisi")
        );
        assert_eq!(holiday(date!(2025 - 10 - 04)), None);
    }
}
