use crate::text::neutralize;
use crate::{Cell, Table, date_plain, money_plain};

/// The table as CSV for an Italian-locale spreadsheet: UTF-8 with a BOM (so
/// Excel does not read it as ANSI), `;` between fields, CRLF after every
/// record, fields quoted only when they hold `;`, `"`, CR or LF.
///
/// Text (headers included) goes through [`neutralize`]; integers as digits,
/// amounts as `1234,56` (comma decimal, no grouping, no `€`), dates as
/// `dd/mm/yyyy`, empty cells as empty fields.
pub fn to_csv(t: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::from("\u{feff}".as_bytes()));
    // Writing to a Vec performs no I/O and every record is as wide as the
    // headers, so the csv writer has no error to report.
    const INFALLIBLE: &str = "csv into a Vec with records of equal length cannot fail";
    w.write_record(t.headers.iter().map(|h| neutralize(h).into_owned()))
        .expect(INFALLIBLE);
    for row in t.fitted_rows() {
        w.write_record(row.map(field)).expect(INFALLIBLE);
    }
    w.into_inner().expect(INFALLIBLE)
}

fn field(c: &Cell) -> String {
    match c {
        Cell::Text(s) => neutralize(s).into_owned(),
        Cell::Int(i) => i.to_string(),
        Cell::Money(cents) => money_plain(*cents),
        Cell::Date(d) => date_plain(*d),
        Cell::Empty => String::new(),
    }
}
