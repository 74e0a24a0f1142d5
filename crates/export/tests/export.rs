//! The bytes of the exports, read back: CSV as text, XLSX unzipped and its
//! worksheet XML read with a few string searches (the writer's output is
//! regular enough for that).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use export::{Cell, ExportError, MAX_ROWS, Table, neutralize, to_csv, to_xlsx};
use time::macros::date;

fn worklist() -> Table {
    Table {
        sheet: "Istanze 03/2026: [aperte]".into(),
        headers: vec![
            "Cognome e nome".into(),
            "Note".into(),
            "Importo".into(),
            "Data".into(),
            "N.".into(),
        ],
        rows: vec![
            vec![
                Cell::Text("Rossi; Mario".into()),
                Cell::Text("disse \"sì\"\r\nriga 2".into()),
                Cell::Money(123_456),
                Cell::Date(date!(2026 - 03 - 05)),
                Cell::Int(3),
            ],
            vec![
                Cell::Text("=HYPERLINK(\"http://evil.example\";\"clic\")".into()),
                Cell::Text("+39 035 123456".into()),
                Cell::Money(-5),
                Cell::Date(date!(2024 - 01 - 01)),
                Cell::Int(-7),
            ],
            // Short: padded.
            vec![Cell::Text("-5".into()), Cell::Text("@SUM(A1:A9)".into())],
            // Long: cut.
            vec![
                Cell::Text("a".into()),
                Cell::Int(1),
                Cell::Money(100),
                Cell::Empty,
                Cell::Text("b".into()),
                Cell::Text("troppo".into()),
            ],
        ],
    }
}

// ---------------------------------------------------------------- CSV

#[test]
fn csv_bytes_have_bom_semicolons_crlf_quoting_and_neutralized_formulas() {
    let got = to_csv(&worklist());
    let want = concat!(
        "\u{feff}",
        "Cognome e nome;Note;Importo;Data;N.\r\n",
        "\"Rossi; Mario\";\"disse \"\"sì\"\"\nriga 2\";1234,56;05/03/2026;3\r\n",
        "\"'=HYPERLINK(\"\"http://evil.example\"\";\"\"clic\"\")\";'+39 035 123456;-0,05;01/01/2024;-7\r\n",
        "'-5;'@SUM(A1:A9);;;\r\n",
        "a;1;1,00;;b\r\n",
    );
    assert_eq!(String::from_utf8(got).unwrap(), want);
}

#[test]
fn csv_money_has_comma_decimals_and_no_grouping_or_euro_sign() {
    let t = Table {
        sheet: String::new(),
        headers: vec!["importo".into()],
        rows: [0, 1, 10, 99, 100_000_000, -123_456]
            .into_iter()
            .map(|c| vec![Cell::Money(c)])
            .collect(),
    };
    let got = String::from_utf8(to_csv(&t)).unwrap();
    assert_eq!(
        got,
        "\u{feff}importo\r\n0,00\r\n0,01\r\n0,10\r\n0,99\r\n1000000,00\r\n-1234,56\r\n"
    );
}

#[test]
fn csv_dates_are_day_month_year() {
    let t = Table {
        sheet: String::new(),
        headers: vec!["data".into()],
        rows: vec![
            vec![Cell::Date(date!(2026 - 12 - 31))],
            vec![Cell::Date(date!(1899 - 01 - 09))],
        ],
    };
    let got = String::from_utf8(to_csv(&t)).unwrap();
    assert_eq!(got, "\u{feff}data\r\n31/12/2026\r\n09/01/1899\r\n");
}

#[test]
fn csv_headers_and_control_characters_are_neutralized_too() {
    let t = Table {
        sheet: String::new(),
        headers: vec!["=titolo".into(), "ok".into()],
        rows: vec![vec![
            Cell::Text("\r=1+1".into()),
            Cell::Text("a\u{0}b\u{1b}c".into()),
        ]],
    };
    let got = String::from_utf8(to_csv(&t)).unwrap();
    assert_eq!(got, "\u{feff}'=titolo;ok\r\n'=1+1;abc\r\n");
}

#[test]
fn csv_neutralization_is_at_least_as_strict_as_the_audit_export() {
    // The rule of web::pages::audit::cell: a leading = + - @ \t \r gets a '.
    for s in ["=1", "+1", "-1", "@a", "\ta", "=HYPERLINK(\"x\")", "-1+1"] {
        assert_eq!(neutralize(s), format!("'{s}"), "{s:?}");
    }
    // \r is removed rather than quoted, and what follows is still checked.
    assert_eq!(neutralize("\r=1"), "'=1");
    assert!(!neutralize("\ra").starts_with('\r'));
    assert_eq!(neutralize("mario"), "mario");
}

#[test]
fn csv_of_a_table_without_rows_is_the_header_line() {
    let t = Table {
        sheet: String::new(),
        headers: vec!["a".into(), "b".into()],
        rows: vec![],
    };
    assert_eq!(to_csv(&t), "\u{feff}a;b\r\n".as_bytes());
}

// ---------------------------------------------------------------- XLSX

/// The parts of an xlsx file the tests look at.
struct Xlsx {
    workbook: String,
    sheet: String,
    styles: String,
    shared: Vec<String>,
}

fn unzip(bytes: &[u8]) -> Xlsx {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
    let mut part = |name: &str| -> Option<String> {
        let mut f = zip.by_name(name).ok()?;
        let mut s = String::new();
        f.read_to_string(&mut s).expect("utf-8 xml");
        Some(s)
    };
    let shared = part("xl/sharedStrings.xml")
        .map(|x| {
            between_all(&x, "<si>", "</si>")
                .iter()
                .map(|si| {
                    between_all(si, "<t", "</t>")
                        .iter()
                        .map(|t| unescape(t.split_once('>').expect("<t ...>").1))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    Xlsx {
        workbook: part("xl/workbook.xml").expect("workbook.xml"),
        sheet: part("xl/worksheets/sheet1.xml").expect("sheet1.xml"),
        styles: part("xl/styles.xml").expect("styles.xml"),
        shared,
    }
}

/// One `<c>` element of the worksheet.
#[derive(Debug)]
struct XCell {
    /// `t`: "s" shared string, "inlineStr", "str" formula string; None number.
    kind: Option<String>,
    style: usize,
    /// `<v>`, or the inline string's text.
    value: String,
    has_formula: bool,
}

impl Xlsx {
    fn cells(&self) -> HashMap<String, XCell> {
        let mut out = HashMap::new();
        for chunk in self.sheet.split("<c ").skip(1) {
            let (attrs, rest) = chunk.split_once('>').expect("<c ...>");
            let (attrs, body) = match attrs.strip_suffix('/') {
                Some(a) => (a, ""),
                None => (attrs, rest.split_once("</c>").expect("</c>").0),
            };
            let r = attr(attrs, "r").expect("r=");
            let value = between_all(body, "<v>", "</v>")
                .first()
                .map(|v| unescape(v))
                .or_else(|| {
                    between_all(body, "<t", "</t>")
                        .first()
                        .map(|t| unescape(t.split_once('>').expect("<t ...>").1))
                })
                .unwrap_or_default();
            out.insert(
                r,
                XCell {
                    kind: attr(attrs, "t"),
                    style: attr(attrs, "s").map_or(0, |s| s.parse().expect("s is a number")),
                    value,
                    has_formula: body.contains("<f"),
                },
            );
        }
        out
    }

    /// The text of a string cell, shared or inline.
    fn text(&self, cells: &HashMap<String, XCell>, r: &str) -> String {
        let c = cells.get(r).unwrap_or_else(|| panic!("no cell {r}"));
        match c.kind.as_deref() {
            Some("s") => self.shared[c.value.parse::<usize>().expect("index")].clone(),
            Some("inlineStr") => c.value.clone(),
            other => panic!("{r} is not a string cell: {other:?}"),
        }
    }

    /// The number format code of a cell style.
    fn format_code(&self, style: usize) -> String {
        let xf = &self.cell_xfs()[style];
        let id = attr(xf, "numFmtId").expect("numFmtId");
        between_all(&self.styles, "<numFmt ", "/>")
            .iter()
            .find(|f| attr(f, "numFmtId").as_deref() == Some(id.as_str()))
            .map(|f| unescape(&attr(f, "formatCode").expect("formatCode")))
            .unwrap_or_else(|| format!("builtin {id}"))
    }

    fn is_bold(&self, style: usize) -> bool {
        let xf = &self.cell_xfs()[style];
        let font: usize = attr(xf, "fontId").expect("fontId").parse().expect("n");
        let fonts = between_all(&self.styles, "<fonts", "</fonts>");
        let fonts = between_all(fonts[0], "<font>", "</font>");
        fonts[font].contains("<b/>")
    }

    fn is_quote_prefixed(&self, style: usize) -> bool {
        attr(self.cell_xfs()[style], "quotePrefix").as_deref() == Some("1")
    }

    fn cell_xfs(&self) -> Vec<&str> {
        let xfs = between_all(&self.styles, "<cellXfs", "</cellXfs>");
        xfs[0].split("<xf ").skip(1).collect()
    }

    /// `(column, width)` from the `<col min max width>` elements, columns
    /// counted from 1.
    fn widths(&self) -> Vec<(usize, f64)> {
        between_all(&self.sheet, "<col ", "/>")
            .iter()
            .flat_map(|c| {
                let min: usize = attr(c, "min").expect("min").parse().expect("n");
                let max: usize = attr(c, "max").expect("max").parse().expect("n");
                let width: f64 = attr(c, "width").expect("width").parse().expect("n");
                (min..=max).map(move |col| (col, width))
            })
            .collect()
    }
}

fn between_all<'a>(s: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(close) else { break };
        out.push(&after[..j]);
        rest = &after[j + close.len()..];
    }
    out
}

fn attr(attrs: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let padded = format!(" {attrs}");
    let start = padded.find(&key)? + key.len();
    let end = padded[start..].find('"')?;
    Some(padded[start..start + end].to_owned())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[test]
fn xlsx_writes_text_as_strings_never_as_formulas_and_keeps_it_as_typed() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    assert!(!x.sheet.contains("<f>") && !x.sheet.contains("<f "));
    let cells = x.cells();
    assert!(cells.values().all(|c| !c.has_formula));
    assert_eq!(x.text(&cells, "A1"), "Cognome e nome");
    assert_eq!(x.text(&cells, "A2"), "Rossi; Mario");
    // \r removed, \n kept.
    assert_eq!(x.text(&cells, "B2"), "disse \"sì\"\nriga 2");
    assert_eq!(
        x.text(&cells, "A3"),
        "=HYPERLINK(\"http://evil.example\";\"clic\")"
    );
    assert_eq!(x.text(&cells, "B3"), "+39 035 123456");
    assert_eq!(x.text(&cells, "A4"), "-5");
    assert_eq!(x.text(&cells, "B4"), "@SUM(A1:A9)");
}

#[test]
fn xlsx_formula_like_text_gets_the_quote_prefix_so_editing_keeps_it_text() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    let cells = x.cells();
    for r in ["A3", "B3", "A4", "B4"] {
        assert!(x.is_quote_prefixed(cells[r].style), "{r} quote prefix");
    }
    for r in ["A1", "A2", "B2", "E5"] {
        assert!(!x.is_quote_prefixed(cells[r].style), "{r} plain");
    }
}

#[test]
fn xlsx_money_cells_are_numbers_in_euros_with_the_euro_format() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    let cells = x.cells();
    for (r, want) in [("C2", "1234.56"), ("C3", "-0.05"), ("C5", "1")] {
        let c = &cells[r];
        assert_eq!(c.kind, None, "{r} numeric");
        assert_eq!(c.value, want, "{r}");
        assert_eq!(x.format_code(c.style), "#,##0.00 €", "{r}");
    }
}

#[test]
fn xlsx_money_is_the_exact_decimal_amount_up_to_fifteen_digits() {
    let cents = [1, 10, 30, 70, 99, 1_005, 123_456_789, 999_999_999_999_999];
    let t = Table {
        sheet: "importi".into(),
        headers: vec!["importo".into()],
        rows: cents.iter().map(|&c| vec![Cell::Money(c)]).collect(),
    };
    let x = unzip(&to_xlsx(&t).unwrap());
    let cells = x.cells();
    let want = [
        "0.01",
        "0.1",
        "0.3",
        "0.7",
        "0.99",
        "10.05",
        "1234567.89",
        "9999999999999.99",
    ];
    for (i, w) in want.iter().enumerate() {
        let c = &cells[&format!("A{}", i + 2)];
        assert_eq!(c.kind, None);
        assert_eq!(&c.value, w);
    }
}

#[test]
fn xlsx_dates_are_excel_serials_with_the_italian_date_format() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    let cells = x.cells();
    // 2024-01-01 is Excel's day 45292; 2026-03-05 is 794 days later.
    for (r, want) in [("D2", "46086"), ("D3", "45292")] {
        let c = &cells[r];
        assert_eq!(c.kind, None, "{r} numeric");
        assert_eq!(c.value, want, "{r}");
        assert_eq!(x.format_code(c.style), "dd/mm/yyyy", "{r}");
    }
}

#[test]
fn xlsx_integers_are_numbers_and_rows_are_padded_or_cut_to_the_headers() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    let cells = x.cells();
    assert_eq!(cells["E2"].value, "3");
    assert_eq!(cells["E3"].value, "-7");
    assert_eq!(cells["E2"].kind, None);
    // Padded row: nothing after B4; cut row: nothing after E5.
    assert!(!cells.contains_key("C4"));
    assert!(!cells.contains_key("F5"));
    assert_eq!(x.text(&cells, "E5"), "b");
}

#[test]
fn xlsx_header_row_is_bold_and_frozen() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    let cells = x.cells();
    for r in ["A1", "B1", "C1", "D1", "E1"] {
        assert!(x.is_bold(cells[r].style), "{r} bold");
    }
    assert!(!x.is_bold(cells["A2"].style));
    let pane = between_all(&x.sheet, "<pane ", "/>");
    assert_eq!(pane.len(), 1);
    assert_eq!(attr(pane[0], "ySplit").as_deref(), Some("1"));
    assert_eq!(attr(pane[0], "topLeftCell").as_deref(), Some("A2"));
    assert_eq!(attr(pane[0], "state").as_deref(), Some("frozen"));
}

#[test]
fn xlsx_sheet_name_from_user_data_is_made_valid() {
    let x = unzip(&to_xlsx(&worklist()).unwrap());
    assert!(
        x.workbook
            .contains(r#"<sheet name="Istanze 03-2026- -aperte-""#),
        "{}",
        x.workbook
    );
}

#[test]
fn xlsx_column_widths_follow_content_and_are_capped_at_60() {
    let mut t = worklist();
    t.rows.push(vec![Cell::Empty, Cell::Text("x".repeat(500))]);
    let x = unzip(&to_xlsx(&t).unwrap());
    let widths: HashMap<usize, f64> = x.widths().into_iter().collect();
    assert_eq!(widths.len(), 5, "{widths:?}");
    // "=HYPERLINK(...)" is 40 characters, wider than its header.
    assert!((40.0..=45.0).contains(&widths[&1]), "{widths:?}");
    assert!((59.0..=61.0).contains(&widths[&2]), "{widths:?}");
    // "1.234,56 €" and dates are ten characters.
    assert!((10.0..=13.0).contains(&widths[&3]), "{widths:?}");
    assert!((10.0..=13.0).contains(&widths[&4]), "{widths:?}");
    // Narrow content still gets a usable column.
    assert!((6.0..=9.0).contains(&widths[&5]), "{widths:?}");
    assert!(widths.values().all(|&w| w <= 61.0));
}

#[test]
fn xlsx_never_fails_on_hostile_or_out_of_range_cell_data() {
    let huge = "é".repeat(40_000);
    let t = Table {
        sheet: "'''".into(),
        headers: vec![
            "\u{7}testo".into(),
            "data".into(),
            "importo".into(),
            "n".into(),
        ],
        rows: vec![
            vec![
                Cell::Text(format!("a\u{0}b\u{1b}[0m\u{b}c{}", '\u{feff}')),
                Cell::Date(date!(1899 - 12 - 30)),
                Cell::Money(1_000_000_000_000_000),
                Cell::Int(i64::MIN),
            ],
            vec![
                Cell::Text(huge),
                Cell::Date(time::Date::from_calendar_date(-1, time::Month::January, 1).unwrap()),
                Cell::Money(i64::MIN),
                Cell::Int(9_007_199_254_740_993),
            ],
            vec![Cell::Text(String::new()), Cell::Date(date!(1900 - 01 - 01))],
        ],
    };
    let x = unzip(&to_xlsx(&t).unwrap());
    assert!(x.workbook.contains(r#"<sheet name="Foglio1""#));
    let cells = x.cells();
    assert_eq!(x.text(&cells, "A1"), "testo");
    assert_eq!(x.text(&cells, "A2"), "ab[0mc\u{feff}");
    assert_eq!(x.text(&cells, "A3").chars().count(), 32_767);
    // Out of Excel's range: text, not a wrong number.
    assert_eq!(x.text(&cells, "B2"), "30/12/1899");
    assert_eq!(x.text(&cells, "B3"), "01/01/-001");
    assert_eq!(cells["B4"].value, "1");
    // Too many digits for Excel's 15: text, every digit kept.
    assert_eq!(x.text(&cells, "C2"), "10000000000000,00 €");
    assert_eq!(x.text(&cells, "C3"), "-92233720368547758,08 €");
    assert_eq!(x.text(&cells, "D2"), i64::MIN.to_string());
    assert_eq!(x.text(&cells, "D3"), "9007199254740993");
    // The empty text writes no cell.
    assert!(!cells.contains_key("A4"));
}

#[test]
fn xlsx_refuses_more_rows_than_a_worksheet_holds() {
    let t = Table {
        sheet: "tanti".into(),
        headers: vec!["a".into()],
        rows: vec![Vec::new(); MAX_ROWS],
    };
    assert!(matches!(
        to_xlsx(&t),
        Err(ExportError::TooManyRows { rows }) if rows == MAX_ROWS
    ));
    let mut t = t;
    t.rows.pop();
    assert!(to_xlsx(&t).is_ok());
}
