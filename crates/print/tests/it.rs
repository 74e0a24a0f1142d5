//! The PDFs are read back with an independent parser (lopdf) and checked as a reader
//! would see them: the text, its pages, what is bold, where lines fall.

use std::collections::BTreeMap;

use lopdf::{Document as Pdf, Encoding, Object};
use print::{Document, Heading};

/// One line of text as drawn on a page.
#[derive(Debug, Clone)]
struct Line {
    y: f32,
    bold: bool,
    text: String,
}

/// Text between the footer and the running header.
const BODY_BOTTOM: f32 = 70.0;
const BODY_TOP: f32 = 841.89 - 60.0;

fn heading() -> Heading {
    Heading::new(
        "Comune di Bergamo",
        "Servizi sociali",
        "Progetto individualizzato (PAI)",
    )
}

fn parse(bytes: &[u8]) -> Pdf {
    match Pdf::load_mem(bytes) {
        Ok(doc) => doc,
        Err(e) => panic!("the PDF does not parse: {e}"),
    }
}

fn number(o: &Object) -> f32 {
    match o {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        other => panic!("not a number: {other:?}"),
    }
}

/// Every text line of every page, decoded through the fonts' ToUnicode maps.
fn pages(bytes: &[u8]) -> Vec<Vec<Line>> {
    let doc = parse(bytes);
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page_id).expect("page fonts");
        let mut encodings: BTreeMap<Vec<u8>, (Encoding, bool)> = BTreeMap::new();
        for (name, font) in &fonts {
            let base = font
                .get(b"BaseFont")
                .and_then(Object::as_name)
                .expect("BaseFont");
            let bold = String::from_utf8_lossy(base).contains("Bold");
            let encoding = font.get_font_encoding(&doc).expect("encoding");
            encodings.insert(name.clone(), (encoding, bold));
        }
        let content = doc.get_and_decode_page_content(page_id).expect("content");
        let mut lines = Vec::new();
        let mut font: Option<&(Encoding, bool)> = None;
        let mut y = 0.0;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    let name = op.operands[0].as_name().expect("font name");
                    font = encodings.get(name);
                }
                "Td" => y = number(&op.operands[1]),
                "Tj" => {
                    let (encoding, bold) = font.expect("a font is set before text");
                    let bytes = op.operands[0].as_str().expect("string");
                    let text = Pdf::decode_text(encoding, bytes).expect("decodable");
                    lines.push(Line {
                        y,
                        bold: *bold,
                        text,
                    });
                }
                _ => {}
            }
        }
        out.push(lines);
    }
    out
}

fn body(page: &[Line]) -> Vec<&Line> {
    page.iter()
        .filter(|l| l.y > BODY_BOTTOM && l.y < BODY_TOP)
        .collect()
}

fn all_text(bytes: &[u8]) -> String {
    let doc = parse(bytes);
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&numbers).expect("text extraction")
}

const FILLER: &str = "Il servizio di assistenza domiciliare è erogato secondo il piano concordato \
    con la persona e con la sua famiglia, tenendo conto delle risorse della rete \
    informale e dei servizi già attivi sul territorio.";

#[test]
fn accented_paragraph_text_comes_back_from_the_pdf() {
    let sentence =
        "Perché la città è più vicina: «caffè» a € 1,20, l’anno però dura ciò che dura. ÀÈÉÌÒÙ";
    let mut doc = Document::new(heading());
    doc.paragraph(sentence);
    let pdf = doc.render();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = all_text(&pdf);
    assert!(text.contains(sentence), "extracted: {text}");
    assert!(text.contains("Comune di Bergamo"));
    assert!(text.contains("Progetto individualizzato (PAI)"));
}

#[test]
fn fonts_are_embedded_truetype_with_a_tounicode_map() {
    let mut doc = Document::new(heading());
    doc.section("Sezione");
    doc.paragraph("testo");
    let pdf = parse(&doc.render());
    let (_, page_id) = pdf.get_pages().into_iter().next().expect("a page");
    let fonts = pdf.get_page_fonts(page_id).expect("fonts");
    assert_eq!(fonts.len(), 2);
    for font in fonts.values() {
        assert!(font.get(b"ToUnicode").is_ok());
        let descendants = font
            .get(b"DescendantFonts")
            .and_then(Object::as_array)
            .expect("descendant");
        let cid = pdf
            .get_dictionary(descendants[0].as_reference().expect("ref"))
            .expect("CID font");
        let descriptor = pdf
            .get_dictionary(
                cid.get(b"FontDescriptor")
                    .and_then(Object::as_reference)
                    .expect("descriptor ref"),
            )
            .expect("descriptor");
        let file = pdf
            .get_object(
                descriptor
                    .get(b"FontFile2")
                    .and_then(Object::as_reference)
                    .expect("FontFile2"),
            )
            .and_then(Object::as_stream)
            .expect("font stream");
        let program = file.decompressed_content().expect("inflates");
        assert_eq!(&program[..4], &[0, 1, 0, 0], "a TrueType font program");
    }
}

#[test]
fn a_long_document_breaks_onto_pages_numbered_pagina_n_di_m() {
    let mut doc = Document::new(heading());
    for k in 1..=40 {
        doc.paragraph(&format!("{k}. {FILLER}"));
    }
    let pages = pages(&doc.render());
    let total = pages.len();
    assert!(total >= 3, "only {total} pages");
    for (i, page) in pages.iter().enumerate() {
        let wanted = format!("Pagina {} di {total}", i + 1);
        assert!(
            page.iter().any(|l| l.text == wanted),
            "page {} lacks {wanted:?}",
            i + 1
        );
        assert!(
            page.iter()
                .any(|l| l.text == "Comune di Bergamo · Servizi sociali")
        );
        // no body text below the footer rule or above the header rule
        for l in page {
            assert!(l.y > 30.0 && l.y < 841.89 - 30.0, "{l:?}");
        }
    }
    // Every paragraph is there, in order, once.
    let text: Vec<String> = pages.iter().flatten().map(|l| l.text.clone()).collect();
    let joined = text.join(" ");
    let mut from = 0;
    for k in 1..=40 {
        let at = joined[from..]
            .find(&format!("{k}. Il servizio"))
            .unwrap_or_else(|| panic!("paragraph {k} missing or out of order"));
        from += at;
    }
}

#[test]
fn a_table_header_is_repeated_after_a_page_break() {
    let rows: Vec<Vec<String>> = (1..=120)
        .map(|k| {
            vec![
                format!("Intervento numero {k}"),
                "Settimanale".to_owned(),
                format!("€ {k},00"),
            ]
        })
        .collect();
    let mut doc = Document::new(heading());
    doc.section("Interventi");
    doc.table(&["Intervento", "Frequenza", "Costo"], &[4, 2, 1], &rows);
    let pages = pages(&doc.render());
    assert!(pages.len() >= 3, "the table should span pages");
    for (i, page) in pages.iter().enumerate() {
        let lines = body(page);
        let first_row = lines
            .iter()
            .position(|l| l.text.starts_with("Intervento numero"))
            .unwrap_or_else(|| panic!("page {} has no rows", i + 1));
        let header = lines
            .iter()
            .position(|l| l.text == "Intervento" && l.bold)
            .unwrap_or_else(|| panic!("page {} has no header", i + 1));
        assert!(header < first_row);
        assert!(
            lines[header].y > lines[first_row].y,
            "header above the rows"
        );
        assert_eq!(
            lines.iter().filter(|l| l.bold && l.text == "Costo").count(),
            1
        );
    }
    // No row lost or duplicated.
    let cells: Vec<&Line> = pages
        .iter()
        .flatten()
        .filter(|l| l.text.starts_with("Intervento numero"))
        .collect();
    assert_eq!(cells.len(), 120);
}

#[test]
fn a_section_heading_is_never_the_last_line_of_a_page() {
    let mut pushed = 0;
    for filler in 0..40 {
        let mut doc = Document::new(heading());
        for k in 0..filler {
            doc.paragraph(&format!("Riga {k}."));
        }
        for s in 1..=12 {
            doc.section(&format!("Sezione {s}"));
            doc.paragraph(FILLER);
            doc.fields(&[("Referente", "Maria Bianchi"), ("Telefono", "035 399111")]);
        }
        let pages = pages(&doc.render());
        for (i, page) in pages.iter().enumerate() {
            let lines = body(page);
            let last = lines
                .iter()
                .min_by(|a, b| a.y.total_cmp(&b.y))
                .expect("a page with text");
            assert!(
                !last.text.starts_with("Sezione"),
                "filler {filler}: page {} ends with {:?}",
                i + 1,
                last.text
            );
            if i > 0
                && lines
                    .iter()
                    .max_by(|a, b| a.y.total_cmp(&b.y))
                    .is_some_and(|l| l.text.starts_with("Sezione"))
            {
                pushed += 1;
            }
        }
    }
    assert!(pushed > 0, "some heading was moved to the top of a page");
}

#[test]
fn the_signature_block_is_kept_on_one_page() {
    for filler in 30..60 {
        let mut doc = Document::new(heading());
        for k in 0..filler {
            doc.paragraph(&format!("Riga {k}."));
        }
        doc.signatures(&["Il beneficiario", "L’assistente sociale", "Il responsabile"]);
        let pages = pages(&doc.render());
        let page_of = |text: &str| {
            pages
                .iter()
                .position(|p| p.iter().any(|l| l.text == text))
                .unwrap_or_else(|| panic!("{text} missing"))
        };
        let place = page_of("Luogo e data");
        assert_eq!(page_of("Il beneficiario"), place);
        assert_eq!(page_of("L’assistente sociale"), place);
        assert_eq!(page_of("Il responsabile"), place);
    }
}

#[test]
fn the_signature_block_is_never_alone_on_its_page() {
    let mut pushed = 0;
    for filler in 30..70 {
        let mut doc = Document::new(heading());
        for k in 0..filler {
            doc.paragraph(&format!("Riga {k}."));
        }
        doc.signatures(&["Il responsabile"]);
        let pages = pages(&doc.render());
        let last = pages.last().expect("a page");
        let place = last
            .iter()
            .find(|l| l.text == "Luogo e data")
            .expect("the signature block on the last page");
        let before = body(last).iter().filter(|l| l.y > place.y).count();
        assert!(
            before > 0,
            "filler {filler}: the signature block opens page {}",
            pages.len()
        );
        if pages.len() > 1 && before == 1 {
            pushed += 1;
        }
    }
    assert!(
        pushed > 0,
        "some signature block took a line with it to a new page"
    );
}

#[test]
fn fields_print_bold_labels_and_their_values() {
    let mut doc = Document::new(heading());
    doc.fields(&[
        ("Beneficiario", "Mario Rossi"),
        ("Indirizzo", "Via XX Settembre 12\n24122 Bergamo"),
    ]);
    let pages = pages(&doc.render());
    let lines = body(&pages[0]);
    let label = lines
        .iter()
        .find(|l| l.text == "Beneficiario")
        .expect("label");
    let value = lines
        .iter()
        .find(|l| l.text == "Mario Rossi")
        .expect("value");
    assert!(label.bold && !value.bold);
    assert!((label.y - value.y).abs() < 0.01, "on the same line");
    assert!(lines.iter().any(|l| l.text == "24122 Bergamo"));
}

#[test]
fn rendering_is_deterministic() {
    let build = || {
        let mut doc = Document::new(heading());
        doc.section("Obiettivi");
        doc.paragraph(FILLER);
        doc.table(&["A", "B"], &[1, 1], &[vec!["à".into(), "€".into()]]);
        doc.signatures(&["Firma"]);
        doc.render()
    };
    let a = build();
    assert_eq!(a, build());
    assert_eq!(a, build());
    let mut other = Document::new(heading());
    other.paragraph("altro");
    assert_ne!(a, other.render());
}

#[test]
fn hostile_input_never_panics_and_unknown_characters_print_as_question_marks() {
    let long_word = "x".repeat(5000);
    let mut doc = Document::new(Heading::new("", "", ""));
    doc.section("");
    doc.paragraph("");
    doc.paragraph("\n\n\n");
    doc.fields(&[]);
    doc.fields(&[("", "")]);
    doc.table(&[], &[], &[]);
    doc.table(&["a"], &[0, 0, 0], &[vec![], vec!["1".into(), "2".into()]]);
    doc.signatures(&[]);
    doc.render();

    let mut doc = Document::new(Heading::new(&long_word, "\u{0}\u{7}", "Titolo 😀"));
    doc.section(&long_word);
    doc.paragraph(&format!("prima {long_word} dopo"));
    doc.paragraph("campanello\u{7} nullo\u{0} emoji 😀👍🏽 cinese 中 fine");
    doc.fields(&[(long_word.as_str(), long_word.as_str())]);
    doc.table(&["x"; 12], &[u32::MAX, 1], &[vec![long_word.clone(); 12]]);
    doc.signatures(&[&long_word, "ok"]);
    let pdf = doc.render();
    let text = all_text(&pdf);
    assert!(
        text.contains("campanello? nullo? emoji ?? cinese ? fine"),
        "{text}"
    );
    assert!(text.contains("Titolo ?"));
    assert!(text.contains("prima"));
    assert!(text.contains("dopo"));
    // The paragraph's long word is all there, broken over lines.
    let pages = pages(&pdf);
    assert!(pages.len() > 5);
}
