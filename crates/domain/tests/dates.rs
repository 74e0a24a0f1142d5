//! No typed date makes Sportello panic: the date parsers answer Ok or Err for any text and
//! every Ok lies in its span; the agenda's week and an appointment's slot are computed for
//! every day of the span, and for the rest of the calendar without a panic.

use domain::casework::{AppointmentInput, parse_appointment};
use domain::dates::{DateSpan, LIFE_DATES, OFFICE_DATES, format_date, parse_date, read_date};
use domain::localtime::{Week, from_local, to_local};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

fn day(julian: i32) -> Date {
    Date::from_julian_day(julian).expect("a day of the calendar")
}

fn day_in(span: DateSpan) -> impl Strategy<Value = Date> {
    (span.first.to_julian_day()..=span.last.to_julian_day()).prop_map(day)
}

fn any_day() -> impl Strategy<Value = Date> {
    (Date::MIN.to_julian_day()..=Date::MAX.to_julian_day()).prop_map(day)
}

/// Free text, and texts shaped like dates with any numbers in them.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ 0-9]{0,3}[/.-][0-9]{0,3}[/.-][+-]?[0-9]{0,6}",
        (any::<u8>(), any::<u8>(), any::<i32>()).prop_map(|(d, m, y)| format!("{d}/{m}/{y}")),
        any_day().prop_map(|d| format!(
            "{:02}/{:02}/{:04}",
            d.day(),
            u8::from(d.month()),
            d.year()
        )),
        any_day().prop_map(|d| format!(
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )),
    ]
}

fn appointment(date: String, time: String, minutes: String) -> AppointmentInput {
    AppointmentInput {
        date,
        time,
        minutes,
        place: "Sede di via Roma 1".into(),
        purpose: "Colloquio".into(),
        email: String::new(),
    }
}

proptest! {
    #[test]
    fn a_typed_date_is_read_or_refused_and_lies_in_its_span(s in typed()) {
        for span in [OFFICE_DATES, LIFE_DATES] {
            if let Ok(d) = read_date(&s, span) {
                prop_assert!(span.contains(d), "{s} read as {d}");
            }
        }
        if let Some(d) = parse_date(&s) {
            prop_assert!(LIFE_DATES.contains(d), "{s} read as {d}");
        }
    }

    #[test]
    fn every_week_of_the_span_has_its_days_and_neighbours(d in day_in(LIFE_DATES)) {
        let w = Week::holding(d).expect("a week");
        prop_assert!(w.days.contains(&d));
        prop_assert_eq!(w.monday().weekday(), Weekday::Monday);
        prop_assert_eq!(w.next - w.previous, Duration::weeks(2));
        prop_assert!(from_local(w.monday(), Time::MIDNIGHT) < from_local(w.next, Time::MIDNIGHT));
    }

    #[test]
    fn any_day_of_the_calendar_has_its_week_or_none(d in any_day()) {
        if let Some(w) = Week::holding(d) {
            prop_assert!(w.days.contains(&d));
        }
    }

    #[test]
    fn any_instant_reads_in_italian_time(s in -377_705_116_800i64..=253_402_300_799) {
        let at = OffsetDateTime::from_unix_timestamp(s).expect("in range");
        prop_assert_eq!(to_local(at), at);
    }

    #[test]
    fn a_slot_in_the_span_ends_its_minutes_after_it_starts(
        d in day_in(OFFICE_DATES),
        hour in 0u8..24,
        minute in 0u8..60,
        minutes in 5i64..=480,
    ) {
        let now = datetime!(1899-12-31 0:00 UTC);
        let i = appointment(format_date(d), format!("{hour}:{minute}"), minutes.to_string());
        let a = parse_appointment(&i, now).expect("valid");
        prop_assert_eq!(a.ends_at - a.starts_at, Duration::minutes(minutes));
        prop_assert!(to_local(a.ends_at).date() >= d);
    }

    #[test]
    fn any_typed_appointment_is_booked_or_refused(
        date in typed(),
        time in "[0-9]{1,3}[:.][0-9]{1,3}|.{0,8}",
        minutes in "[0-9]{1,4}|.{0,8}",
    ) {
        let now = datetime!(1899-12-31 0:00 UTC);
        if let Ok(a) = parse_appointment(&appointment(date, time, minutes), now) {
            prop_assert!(OFFICE_DATES.contains(to_local(a.starts_at).date()));
        }
    }
}
