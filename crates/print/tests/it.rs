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

/// A PNG of `width` × `height` pixels in RGBA, the left half transparent.
fn rgba_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        let pixels: Vec<u8> = (0..height)
            .flat_map(|_| 0..width)
            .flat_map(|x| [0, 102, 204, if x < width / 2 { 0 } else { 255 }])
            .collect();
        writer.write_image_data(&pixels).expect("pixels");
    }
    out
}

/// A JPEG's markers around a frame header: SOI, APP0, SOF (`sof`, 8-bit, 3 × 2 pixels,
/// `components`), SOS with a byte of scan, EOI. Enough for the embedding, which does not
/// decode it.
fn jpeg(sof: u8, components: u8) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend_from_slice(&[
        0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    let len = 8 + 3 * u16::from(components);
    b.extend_from_slice(&[0xFF, sof]);
    b.extend_from_slice(&len.to_be_bytes());
    b.extend_from_slice(&[8, 0, 2, 0, 3, components]);
    for c in 0..components {
        b.extend_from_slice(&[c + 1, 0x11, 0]);
    }
    b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x55, 0xFF, 0xD9]);
    b
}

/// The image XObjects of page 1, by resource name.
fn page_images(pdf: &Pdf) -> Vec<(Vec<u8>, lopdf::Stream)> {
    let (_, page_id) = pdf.get_pages().into_iter().next().expect("a page");
    let page = pdf.get_dictionary(page_id).expect("page");
    let resources = match page.get(b"Resources").expect("resources") {
        Object::Reference(r) => pdf.get_dictionary(*r).expect("resources"),
        Object::Dictionary(d) => d,
        other => panic!("resources: {other:?}"),
    };
    let Ok(xobjects) = resources.get(b"XObject").and_then(Object::as_dict) else {
        return Vec::new();
    };
    xobjects
        .iter()
        .map(|(name, o)| {
            let id = o.as_reference().expect("a reference");
            let stream = pdf
                .get_object(id)
                .and_then(Object::as_stream)
                .expect("a stream")
                .clone();
            (name.clone(), stream)
        })
        .collect()
}

fn name_of<'a>(s: &'a lopdf::Stream, key: &[u8]) -> &'a [u8] {
    s.dict.get(key).and_then(Object::as_name).expect("a name")
}

#[test]
fn a_png_logo_is_an_image_xobject_with_its_alpha_as_a_soft_mask_drawn_on_page_1() {
    let logo = print::Image::read(&rgba_png(40, 20)).expect("a PNG");
    assert_eq!((logo.width(), logo.height()), (40, 20));
    let mut doc = Document::new(heading().with_logo(Some(logo)));
    doc.paragraph(FILLER);
    let bytes = doc.render();
    let pdf = parse(&bytes);
    let images = page_images(&pdf);
    assert_eq!(images.len(), 1, "one image on the page");
    let (name, image) = &images[0];
    assert_eq!(name.as_slice(), b"Logo");
    assert_eq!(name_of(image, b"Subtype"), b"Image");
    assert_eq!(name_of(image, b"Filter"), b"FlateDecode");
    assert_eq!(name_of(image, b"ColorSpace"), b"DeviceRGB");
    assert_eq!(number(image.dict.get(b"Width").expect("width")), 40.0);
    assert_eq!(number(image.dict.get(b"Height").expect("height")), 20.0);
    let samples = image.decompressed_content().expect("inflates");
    assert_eq!(samples.len(), 40 * 20 * 3);
    assert_eq!(&samples[..3], &[0, 102, 204]);
    let mask_id = image
        .dict
        .get(b"SMask")
        .and_then(Object::as_reference)
        .expect("a soft mask");
    let mask = pdf
        .get_object(mask_id)
        .and_then(Object::as_stream)
        .expect("the mask");
    assert_eq!(name_of(mask, b"ColorSpace"), b"DeviceGray");
    let alpha = mask.decompressed_content().expect("inflates");
    assert_eq!(alpha.len(), 40 * 20);
    assert_eq!((alpha[0], alpha[39]), (0, 255));

    // Drawn 48 points tall, twice as wide, at the top left of the text area.
    let (_, page_id) = pdf.get_pages().into_iter().next().expect("a page");
    let content = pdf.get_and_decode_page_content(page_id).expect("content");
    let ops: Vec<&str> = content
        .operations
        .iter()
        .map(|o| o.operator.as_str())
        .collect();
    let k = ops
        .iter()
        .position(|&o| o == "Do")
        .expect("the logo is drawn");
    assert_eq!(ops[k - 1], "cm");
    let m: Vec<f32> = content.operations[k - 1]
        .operands
        .iter()
        .map(number)
        .collect();
    assert_eq!((m[0], m[3]), (96.0, 48.0));
    assert!((m[4] - 56.693).abs() < 0.01);
    assert!((m[5] + 48.0 - (841.89 - 62.0)).abs() < 0.01, "{m:?}");
    // The issuer comes under it.
    let first = &pages(&bytes)[0];
    let issuer = first
        .iter()
        .find(|l| l.text == "Comune di Bergamo")
        .expect("issuer");
    assert!(issuer.y < m[5], "the issuer is below the logo");
}

/// The width the logo is drawn at on page 1 (the scale of its `cm`).
fn drawn_width(pdf: &Pdf) -> f32 {
    let (_, page_id) = pdf.get_pages().into_iter().next().expect("a page");
    let content = pdf.get_and_decode_page_content(page_id).expect("content");
    let cm = content
        .operations
        .iter()
        .find(|o| o.operator == "cm")
        .expect("placed");
    number(&cm.operands[0])
}

#[test]
fn a_jpeg_logo_is_embedded_as_it_is_and_a_wide_one_takes_half_the_width() {
    let bytes = jpeg(0xC0, 3);
    let logo = print::Image::read(&bytes).expect("a JPEG");
    let pdf = parse(&Document::new(heading().with_logo(Some(logo))).render());
    let (_, image) = &page_images(&pdf)[0];
    assert_eq!(name_of(image, b"Filter"), b"DCTDecode");
    assert_eq!(name_of(image, b"ColorSpace"), b"DeviceRGB");
    assert_eq!(image.content, bytes, "the JPEG as uploaded");
    assert!(image.dict.get(b"SMask").is_err());
    assert!((drawn_width(&pdf) - 3.0 * 48.0 / 2.0).abs() < 0.01);

    let wide = print::Image::read(&rgba_png(1000, 50)).expect("a wide PNG");
    let pdf = parse(&Document::new(heading().with_logo(Some(wide))).render());
    assert!((drawn_width(&pdf) - (595.276 - 2.0 * 56.693) / 2.0).abs() < 0.01);
}

#[test]
fn what_is_not_a_printable_png_or_jpeg_is_refused_with_its_reason() {
    use print::ImageError;
    let png = rgba_png(8, 8);
    assert_eq!(
        print::Image::read(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        Err(ImageError::UnknownFormat)
    );
    assert_eq!(
        print::Image::read(&png[..png.len() - 20]),
        Err(ImageError::Damaged)
    );
    assert_eq!(
        print::Image::read(&jpeg(0xC0, 4)),
        Err(ImageError::UnsupportedJpeg),
        "CMYK"
    );
    assert_eq!(
        print::Image::read(&jpeg(0xC9, 3)),
        Err(ImageError::UnsupportedJpeg),
        "arithmetic coding"
    );
    let cut = jpeg(0xC0, 3);
    assert_eq!(
        print::Image::read(&cut[..cut.len() - 2]),
        Err(ImageError::Damaged)
    );
    assert_eq!(
        print::Image::read(&cut[..12]),
        Err(ImageError::Damaged),
        "no frame header"
    );
    assert!(
        print::Image::read(&rgba_png(9000, 1))
            .expect_err("too wide")
            .to_string()
            .contains("9000")
    );
    // Without a logo, no image at all.
    assert!(page_images(&parse(&Document::new(heading()).render())).is_empty());
}
