use std::borrow::Cow;

use rust_xlsxwriter::{ColNum, ExcelDateTime, Format, RowNum, Workbook, Worksheet, XlsxError};

use crate::text::{is_formula_like, sheet_name, strip_controls, truncate_utf16};
use crate::{Cell, Table, date_plain, money_plain};

/// Rows in an Excel worksheet, the header row included.
pub const MAX_ROWS: usize = 1_048_576;
/// Columns in an Excel worksheet.
pub const MAX_COLUMNS: usize = 16_384;

/// Characters Excel holds in one cell, in UTF-16 code units.
const MAX_CELL_CHARS: usize = 32_767;
/// Widest column the export sets, in Excel's character units.
const MAX_WIDTH: usize = 60;
const MIN_WIDTH: usize = 6;
/// Numbers with more significant digits than this are shown rounded by Excel
/// (it keeps 15): values at or beyond it are written as text instead.
const EXACT_LIMIT: u64 = 1_000_000_000_000_000;

const MONEY_FORMAT: &str = "#,##0.00 €";
const DATE_FORMAT: &str = "dd/mm/yyyy";

/// Why an XLSX export failed: never the content of a cell, only a table
/// larger than a worksheet, or the writer itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    #[error("{rows} righe più l'intestazione superano le {MAX_ROWS} righe di un foglio Excel")]
    TooManyRows { rows: usize },
    #[error("{columns} colonne superano le {MAX_COLUMNS} colonne di un foglio Excel")]
    TooManyColumns { columns: usize },
    #[error("scrittura del file xlsx: {0}")]
    Xlsx(#[from] XlsxError),
}

/// The table as an Excel workbook of one worksheet.
///
/// - The header row is bold and frozen; columns are sized to their content
///   (at most 60 characters wide).
/// - Text is written with `write_string`, so it is never a formula whatever
///   it starts with; it is kept as typed except that control characters other
///   than `\n` and `\t` are removed and text past Excel's 32 767 characters is
///   cut. Text that [`neutralize`](crate::neutralize) would quote in a CSV gets
///   Excel's quote prefix instead (the hidden apostrophe: the cell shows the
///   text as typed and stays text if someone edits it). Multi-line text wraps.
/// - Integers and amounts are numbers; amounts carry the format
///   `#,##0.00 €`. An amount's only floating-point step is the final
///   `cents as f64 / 100.0`: below 10^15 cents both operands are exact in an
///   f64 and IEEE division rounds once, so the cell holds the f64 nearest to
///   the exact amount, the value Excel stores when the amount is typed in, and
///   its 15 significant digits show it exactly. Integers and amounts of 10^15
///   or more (cents) are written as text, so that no digit is lost.
/// - Dates are Excel dates (serial numbers) with the format `dd/mm/yyyy`;
///   dates outside Excel's 1900–9999 range are written as text `dd/mm/yyyy`.
/// - The sheet name is made valid: `[ ] : * ? / \` become `-`, control
///   characters go, cut to 31 characters, no leading or trailing apostrophe,
///   "Foglio1" when nothing is left.
///
/// # Errors
///
/// [`ExportError::TooManyRows`] past [`MAX_ROWS`] rows (header included),
/// [`ExportError::TooManyColumns`] past [`MAX_COLUMNS`] headers,
/// [`ExportError::Xlsx`] if the writer fails.
pub fn to_xlsx(t: &Table) -> Result<Vec<u8>, ExportError> {
    if t.rows.len() >= MAX_ROWS {
        return Err(ExportError::TooManyRows { rows: t.rows.len() });
    }
    if t.headers.len() > MAX_COLUMNS {
        return Err(ExportError::TooManyColumns {
            columns: t.headers.len(),
        });
    }
    let formats = Formats::new();
    let mut widths: Vec<usize> = Vec::with_capacity(t.headers.len());

    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet_name(&t.sheet))?;

    for (col, h) in (0..).zip(&t.headers) {
        let h = cell_text(h);
        ws.write_string_with_format(0, col, h.as_ref(), &formats.header)?;
        // Bold is a little wider.
        widths.push(text_width(&h) + 1);
    }
    for (row, cells) in (1..).zip(t.fitted_rows()) {
        for ((col, cell), width) in (0..).zip(cells).zip(widths.iter_mut()) {
            let shown = write_cell(ws, row, col, cell, &formats)?;
            *width = (*width).max(shown);
        }
    }
    if !t.headers.is_empty() {
        ws.set_freeze_panes(1, 0)?;
    }
    for (col, width) in (0..).zip(widths) {
        let width = (width + 1).clamp(MIN_WIDTH, MAX_WIDTH);
        ws.set_column_width(col, u32::try_from(width).unwrap_or(u32::MAX))?;
    }
    Ok(workbook.save_to_buffer()?)
}

struct Formats {
    header: Format,
    money: Format,
    date: Format,
    wrap: Format,
    /// Excel's hidden apostrophe: the cell stays text when edited.
    quoted: Format,
    quoted_wrap: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold(),
            money: Format::new().set_num_format(MONEY_FORMAT),
            date: Format::new().set_num_format(DATE_FORMAT),
            wrap: Format::new().set_text_wrap(),
            quoted: Format::new().set_quote_prefix(),
            quoted_wrap: Format::new().set_quote_prefix().set_text_wrap(),
        }
    }
}

/// Writes one cell; returns how wide it shows, in characters.
fn write_cell(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
    f: &Formats,
) -> Result<usize, XlsxError> {
    Ok(match cell {
        Cell::Text(s) => {
            let s = cell_text(s);
            let format = match (is_formula_like(&s), s.contains('\n')) {
                (false, false) => None,
                (false, true) => Some(&f.wrap),
                (true, false) => Some(&f.quoted),
                (true, true) => Some(&f.quoted_wrap),
            };
            match format {
                Some(format) => ws.write_string_with_format(row, col, s.as_ref(), format)?,
                None => ws.write_string(row, col, s.as_ref())?,
            };
            text_width(&s)
        }
        Cell::Int(i) if i.unsigned_abs() < EXACT_LIMIT => {
            // Exact: |i| < 10^15 < 2^53.
            ws.write_number(row, col, *i as f64)?;
            i.to_string().len()
        }
        Cell::Int(i) => {
            let s = i.to_string();
            ws.write_string(row, col, &s)?;
            s.len()
        }
        Cell::Money(cents) if cents.unsigned_abs() < EXACT_LIMIT => {
            // The one floating-point step, see `to_xlsx`.
            let euros = *cents as f64 / 100.0;
            ws.write_number_with_format(row, col, euros, &f.money)?;
            money_shown_width(*cents)
        }
        Cell::Money(cents) => {
            let s = format!("{} €", money_plain(*cents));
            ws.write_string(row, col, &s)?;
            s.chars().count()
        }
        Cell::Date(d) => {
            match excel_date(*d) {
                Some(x) => ws.write_datetime_with_format(row, col, x, &f.date)?,
                None => ws.write_string(row, col, date_plain(*d))?,
            };
            10
        }
        Cell::Empty => 0,
    })
}

/// Text as written to a cell: controls stripped, cut to Excel's limit.
fn cell_text(s: &str) -> Cow<'_, str> {
    match strip_controls(s) {
        Cow::Borrowed(b) => Cow::Borrowed(truncate_utf16(b, MAX_CELL_CHARS)),
        Cow::Owned(mut o) => {
            let keep = truncate_utf16(&o, MAX_CELL_CHARS).len();
            o.truncate(keep);
            Cow::Owned(o)
        }
    }
}

/// The widest line, in characters.
fn text_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Width of `#,##0.00 €` for these cents: digits, grouping dots, sign.
fn money_shown_width(cents: i64) -> usize {
    let digits = (cents.unsigned_abs() / 100).to_string().len();
    let sign = usize::from(cents < 0);
    // `,00 €` adds five.
    sign + digits + (digits - 1) / 3 + 5
}

fn excel_date(d: time::Date) -> Option<ExcelDateTime> {
    let year = u16::try_from(d.year()).ok()?;
    ExcelDateTime::from_ymd(year, u8::from(d.month()), d.day()).ok()
}
