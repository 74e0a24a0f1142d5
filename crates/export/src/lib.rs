//! Spreadsheet exports of worklists: CSV and XLSX, returned as bytes (no I/O).
//!
//! Whatever a citizen or an operator typed reaches the export as [`Cell::Text`],
//! and a spreadsheet must never run it as a formula:
//!
//! - **CSV** ([`to_csv`]): every text cell (headers included) goes through
//!   [`neutralize`], which strips control characters and prefixes a single
//!   quote `'` to text that a spreadsheet would read as a formula (OWASP's
//!   guidance on CSV injection).
//! - **XLSX** ([`to_xlsx`]): text is always written as a string cell, never as
//!   a formula, so Excel and LibreOffice show it as typed; the text is left
//!   unchanged apart from the same control-character stripping (and a cut at
//!   Excel's 32 767 characters per cell). Formula-like text also gets Excel's
//!   quote prefix, so that editing the cell does not turn it into a formula.
//!
//! Neither function fails because of user data: rows longer or shorter than
//! the headers are truncated or padded, sheet names are made valid, dates and
//! amounts Excel cannot hold are written as text. [`to_xlsx`] fails only when
//! the table exceeds Excel's grid.

mod csv_export;
mod text;
mod xlsx_export;

pub use csv_export::to_csv;
pub use text::neutralize;
pub use xlsx_export::{ExportError, MAX_COLUMNS, MAX_ROWS, to_xlsx};

/// One sheet of an export: a header row, then the data rows.
///
/// Every row is read as exactly `headers.len()` cells: shorter rows are padded
/// with [`Cell::Empty`], longer ones are cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The worksheet's name in XLSX (made valid by the export, see
    /// [`to_xlsx`]); not used by CSV.
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Free text, possibly typed by anyone: neutralized on export.
    Text(String),
    Int(i64),
    /// An amount in euro cents.
    Money(i64),
    Date(time::Date),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<time::Date> for Cell {
    fn from(d: time::Date) -> Self {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl Table {
    /// The rows, each made exactly as wide as the headers.
    fn fitted_rows(&self) -> impl Iterator<Item = impl Iterator<Item = &Cell>> {
        let width = self.headers.len();
        self.rows.iter().map(move |row| {
            row.iter()
                .chain(std::iter::repeat(&Cell::Empty))
                .take(width)
        })
    }
}

/// Cents as `1234,56`: comma decimal, no grouping, no currency sign.
fn money_plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// `dd/mm/yyyy`.
fn date_plain(d: time::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_comma_decimals_and_sign_without_grouping() {
        assert_eq!(money_plain(123_456), "1234,56");
        assert_eq!(money_plain(5), "0,05");
        assert_eq!(money_plain(-5), "-0,05");
        assert_eq!(money_plain(-123_400), "-1234,00");
        assert_eq!(money_plain(0), "0,00");
        assert_eq!(money_plain(i64::MIN), "-92233720368547758,08");
    }

    #[test]
    fn dates_are_written_day_month_year_zero_padded() {
        assert_eq!(
            date_plain(time::macros::date!(2026 - 03 - 05)),
            "05/03/2026"
        );
        assert_eq!(
            date_plain(time::macros::date!(0987 - 12 - 31)),
            "31/12/0987"
        );
    }

    #[test]
    fn rows_are_padded_or_cut_to_the_headers() {
        let t = Table {
            sheet: String::new(),
            headers: vec!["a".into(), "b".into()],
            rows: vec![
                vec![Cell::Int(1)],
                vec![Cell::Int(1), Cell::Int(2), Cell::Int(3)],
            ],
        };
        let rows: Vec<Vec<&Cell>> = t.fitted_rows().map(Iterator::collect).collect();
        assert_eq!(
            rows,
            vec![
                vec![&Cell::Int(1), &Cell::Empty],
                vec![&Cell::Int(1), &Cell::Int(2)]
            ]
        );
    }
}
