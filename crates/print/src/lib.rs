//! Printed documents of Sportello: simple official documents (the individual plan
//! for the citizen's signature, decisions) typeset as A4 PDF files.
//!
//! Text is set in Titillium Web (regular and bold, embedded, with a ToUnicode map so
//! that it can be searched and copied), wrapped with the font's own glyph widths and
//! broken into pages with 2 cm side margins. Every page has a footer with the issuing
//! office and "Pagina n di m"; pages after the first repeat the issuer and the title at
//! the top. Headings stay with what follows them, table headers are repeated when a
//! table goes on to another page, and the signature block is never split nor left alone on
//! a page: it goes with the last lines before it.
//!
//! ```
//! use print::{Document, Heading};
//!
//! let mut doc = Document::new(Heading::new(
//!     "Comune di Bergamo",
//!     "Servizi sociali",
//!     "Progetto individualizzato (PAI)",
//! ));
//! doc.fields(&[("Beneficiario", "Mario Rossi"), ("Codice fiscale", "RSSMRA80A01A794X")]);
//! doc.section("Obiettivi");
//! doc.paragraph("Mantenere l’autonomia a domicilio.\n\nFrequenza al centro diurno: 3 giorni.");
//! doc.table(
//!     &["Intervento", "Frequenza", "Costo"],
//!     &[3, 2, 1],
//!     &[vec!["Assistenza domiciliare".into(), "2 ore/settimana".into(), "€ 0,00".into()]],
//! );
//! doc.signatures(&["Il beneficiario", "L’assistente sociale"]);
//! let pdf: Vec<u8> = doc.render();
//! assert!(pdf.starts_with(b"%PDF-"));
//! ```
//!
//! Input is never refused: characters the font cannot draw (emoji, other scripts,
//! control characters) print as '?', invisible ones (soft hyphen, zero-width space)
//! are dropped, and words longer than a line are broken between letters.

mod font;
mod image;
mod layout;
mod pdf;

pub use image::{Image, ImageError};

/// What is printed at the top of page 1. The issuer and office are repeated in the
/// footer of every page, the issuer and title in the header of the pages after the
/// first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Heading {
    /// The body issuing the document: "Comune di Bergamo".
    pub issuer: String,
    /// The office: "Servizi sociali".
    pub office: String,
    /// The letterhead's lines under the office on page 1 (address, contacts), in smaller
    /// type; the first is repeated in the footer of every page.
    pub lines: Vec<String>,
    /// The document: "Progetto individualizzato (PAI)".
    pub title: String,
    /// The organization's logo, drawn at the top of page 1 above the issuer.
    pub logo: Option<Image>,
}

impl Heading {
    pub fn new(
        issuer: impl Into<String>,
        office: impl Into<String>,
        title: impl Into<String>,
    ) -> Self {
        Heading {
            issuer: issuer.into(),
            office: office.into(),
            lines: Vec::new(),
            title: title.into(),
            logo: None,
        }
    }

    /// The same heading with the letterhead's lines under the office.
    pub fn with_lines(mut self, lines: Vec<String>) -> Self {
        self.lines = lines;
        self
    }

    /// The same heading with a logo at the top of page 1, [`LOGO_HEIGHT`] points tall (less
    /// for a logo so wide that it would pass half the text's width), its proportions kept.
    pub fn with_logo(mut self, logo: Option<Image>) -> Self {
        self.logo = logo;
        self
    }
}

/// The height of the logo on page 1, in points (17 mm).
pub const LOGO_HEIGHT: f32 = 48.0;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Block {
    Section(String),
    Paragraph(String),
    Fields(Vec<(String, String)>),
    Table {
        headers: Vec<String>,
        widths: Vec<u32>,
        rows: Vec<Vec<String>>,
    },
    Signatures(Vec<String>),
    Code {
        modules: Vec<bool>,
        width: usize,
        side: u32,
        rows: Vec<(String, String)>,
    },
}

/// A document being put together, block by block, in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    heading: Heading,
    blocks: Vec<Block>,
}

impl Document {
    pub fn new(heading: Heading) -> Self {
        Document {
            heading,
            blocks: Vec::new(),
        }
    }

    /// A bold heading, kept on the same page as the start of the next block.
    pub fn section(&mut self, title: &str) -> &mut Self {
        self.blocks.push(Block::Section(title.to_owned()));
        self
    }

    /// Running text, wrapped to the width of the page. A blank line starts a new
    /// paragraph; a single '\n' breaks the line. A paragraph's first line is not left
    /// alone at the bottom of a page nor its last line alone at the top of the next.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.to_owned()));
        self
    }

    /// Label–value pairs: bold labels in a first column, values wrapped in a second.
    pub fn fields(&mut self, rows: &[(&str, &str)]) -> &mut Self {
        self.blocks.push(Block::Fields(
            rows.iter()
                .map(|&(l, v)| (l.to_owned(), v.to_owned()))
                .collect(),
        ));
        self
    }

    /// A table as wide as the text, with ruled cells. `widths` are relative column
    /// widths (`[3, 1]`: the first column three times the second); a missing or zero
    /// weight counts as 1. The table has as many columns as its longest row or its
    /// header, whichever is longer; shorter rows get empty cells. Cells wrap; the
    /// header row is repeated at the top of every page the table continues on.
    pub fn table(&mut self, headers: &[&str], widths: &[u32], rows: &[Vec<String>]) -> &mut Self {
        self.blocks.push(Block::Table {
            headers: headers.iter().map(|&h| h.to_owned()).collect(),
            widths: widths.to_vec(),
            rows: rows.to_vec(),
        });
        self
    }

    /// A square two-dimensional code (a QR code's `modules`, row by row, dark when true, with
    /// `width` modules to a row) `side` points wide at the left, with label–value lines beside
    /// it; kept on one page.
    pub fn code(
        &mut self,
        modules: &[bool],
        width: usize,
        side: u32,
        rows: &[(String, String)],
    ) -> &mut Self {
        self.blocks.push(Block::Code {
            modules: modules.to_vec(),
            width,
            side,
            rows: rows.to_vec(),
        });
        self
    }

    /// "Luogo e data" with a line to write on, then a signature line under each label,
    /// two per row (a single label goes on the right). The block is kept on one page.
    pub fn signatures(&mut self, labels: &[&str]) -> &mut Self {
        self.blocks.push(Block::Signatures(
            labels.iter().map(|&l| l.to_owned()).collect(),
        ));
        self
    }

    /// The PDF file. The same document always gives the same bytes: nothing in it
    /// depends on the clock (the file identifier is derived from the content).
    pub fn render(&self) -> Vec<u8> {
        let mut units = layout::heading_units(&self.heading);
        let mut headers = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Section(title) => units.extend(layout::section_units(title)),
                Block::Paragraph(text) => units.extend(layout::paragraph_units(text)),
                Block::Fields(rows) => units.extend(layout::field_units(rows)),
                Block::Table {
                    headers: h,
                    widths,
                    rows,
                } => {
                    let table = layout::table_units(headers.len(), h, widths, rows);
                    headers.push(table.header);
                    units.extend(table.units);
                }
                Block::Code {
                    modules,
                    width,
                    side,
                    rows,
                } => units.extend(layout::code_units(modules, *width, *side as f32, rows)),
                Block::Signatures(labels) => {
                    // Never alone on the last page: with the end of what precedes it.
                    if let Some(last) = units.last_mut() {
                        last.keep_with_next = true;
                    }
                    units.extend(layout::signature_units(labels));
                }
            }
        }
        // The last unit keeps with nothing.
        if let Some(last) = units.last_mut() {
            last.keep_with_next = false;
        }
        let pages = layout::paginate(&units, &headers);
        let meta = pdf::Meta {
            issuer: font::clean(&self.heading.issuer, false),
            office: font::clean(&self.heading.office, false),
            address: self
                .heading
                .lines
                .first()
                .map(|l| font::clean(l, false))
                .unwrap_or_default(),
            title: font::clean(&self.heading.title, false),
            logo: self.heading.logo.as_ref(),
        };
        pdf::write(&pages, &meta)
    }
}
