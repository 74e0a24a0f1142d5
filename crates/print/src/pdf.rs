//! Writing placed pages as a PDF: page furniture (running header, footer with
//! "Pagina n di m"), content streams, and the two faces embedded as CID-keyed
//! TrueType fonts (Identity-H) with widths and a ToUnicode map for the glyphs used.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::font::{Style, fonts};
use crate::image::{Image, Samples};
use crate::layout::{BODY_W, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, Op, PAGE_H, PAGE_W, truncate};

const FURNITURE_SIZE: f32 = 8.5;
const FURNITURE_GRAY: f32 = 0.35;

/// What the writer needs besides the pages.
pub(crate) struct Meta<'a> {
    pub(crate) issuer: String,
    pub(crate) office: String,
    /// The letterhead's address, after issuer and office in the footer.
    pub(crate) address: String,
    pub(crate) title: String,
    pub(crate) logo: Option<&'a Image>,
}

/// The logo's name in the pages' resources.
const LOGO: Name<'static> = Name(b"Logo");

fn font_name(style: Style) -> Name<'static> {
    match style {
        Style::Regular => Name(b"F1"),
        Style::Bold => Name(b"F2"),
    }
}

/// Glyphs used per face, each with the character it stands for.
#[derive(Default)]
struct Used {
    glyphs: BTreeMap<(Style, u16), char>,
}

impl Used {
    /// The 2-byte glyph ids for `text`, remembering which glyph shows which character
    /// (for a glyph shared by several characters, the smallest one: a no-break space
    /// reads back as a space).
    fn encode(&mut self, style: Style, text: &str) -> Vec<u8> {
        let font = fonts().get(style);
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (gid, shown) = font.glyph_or_fallback(c);
            bytes.extend_from_slice(&gid.to_be_bytes());
            self.glyphs
                .entry((style, gid))
                .and_modify(|e| {
                    if shown < *e {
                        *e = shown;
                    }
                })
                .or_insert(shown);
        }
        bytes
    }
}

/// PDF y of a layout y (downwards from the top of the text area).
fn pdf_y(y: f32) -> f32 {
    PAGE_H - MARGIN_TOP - y
}

fn furniture(meta: &Meta<'_>, page: usize, pages: usize) -> Vec<(f32, f32, Style, String)> {
    let mut items = Vec::new();
    let joined = |a: &str, b: &str| match (a.trim().is_empty(), b.trim().is_empty()) {
        (false, false) => format!("{} · {}", a.trim(), b.trim()),
        (false, true) => a.trim().to_owned(),
        (true, _) => b.trim().to_owned(),
    };
    let number = format!("Pagina {page} di {pages}");
    let number_w = fonts().get(Style::Regular).width(&number, FURNITURE_SIZE);
    items.push((MARGIN_X + BODY_W - number_w, 42.0, Style::Regular, number));
    let foot = joined(&joined(&meta.issuer, &meta.office), &meta.address);
    if !foot.is_empty() {
        let foot = truncate(
            &foot,
            Style::Regular,
            FURNITURE_SIZE,
            BODY_W - number_w - 24.0,
        );
        items.push((MARGIN_X, 42.0, Style::Regular, foot));
    }
    if page > 1 {
        let head = joined(&meta.issuer, &meta.title);
        if !head.is_empty() {
            let head = truncate(&head, Style::Regular, FURNITURE_SIZE, BODY_W);
            items.push((MARGIN_X, PAGE_H - 40.0, Style::Regular, head));
        }
    }
    items
}

fn content_stream(
    ops: &[Op],
    meta: &Meta<'_>,
    page: usize,
    pages: usize,
    used: &mut Used,
) -> Vec<u8> {
    let mut c = Content::new();
    // Rules of the furniture.
    c.set_line_width(0.5);
    c.set_stroke_gray(0.7);
    c.move_to(MARGIN_X, MARGIN_BOTTOM - 16.0);
    c.line_to(MARGIN_X + BODY_W, MARGIN_BOTTOM - 16.0);
    c.stroke();
    if page > 1 {
        c.move_to(MARGIN_X, PAGE_H - 46.0);
        c.line_to(MARGIN_X + BODY_W, PAGE_H - 46.0);
        c.stroke();
    }
    // Fills first, so that rules and text are drawn over them.
    for op in ops {
        if let Op::Fill { x, y, w, h, gray } = op {
            c.set_fill_gray(*gray);
            c.rect(*x, pdf_y(*y + *h), *w, *h);
            c.fill_nonzero();
        }
    }
    let mut text_gray = None;
    let mut show =
        |c: &mut Content, x: f32, y: f32, style: Style, size: f32, gray: f32, text: &str| {
            if text_gray != Some(gray) {
                c.set_fill_gray(gray);
                text_gray = Some(gray);
            }
            let bytes = used.encode(style, text);
            c.begin_text();
            c.set_font(font_name(style), size);
            c.next_line(x, y);
            c.show(Str(&bytes));
            c.end_text();
        };
    for op in ops {
        match op {
            Op::Line {
                x0,
                y0,
                x1,
                y1,
                width,
                gray,
            } => {
                c.set_line_width(*width);
                c.set_stroke_gray(*gray);
                c.move_to(*x0, pdf_y(*y0));
                c.line_to(*x1, pdf_y(*y1));
                c.stroke();
            }
            Op::Text {
                x,
                baseline,
                style,
                size,
                gray,
                text,
            } => show(&mut c, *x, pdf_y(*baseline), *style, *size, *gray, text),
            Op::Logo { x, y, w, h } => {
                c.save_state();
                c.transform([*w, 0.0, 0.0, *h, *x, pdf_y(*y + *h)]);
                c.x_object(LOGO);
                c.restore_state();
            }
            Op::Fill { .. } => {}
        }
    }
    for (x, y, style, text) in furniture(meta, page, pages) {
        show(&mut c, x, y, style, FURNITURE_SIZE, FURNITURE_GRAY, &text);
    }
    c.finish().to_vec()
}

/// The font programs, compressed once per process.
fn compressed_font(style: Style) -> &'static [u8] {
    static REGULAR: OnceLock<Vec<u8>> = OnceLock::new();
    static BOLD: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = match style {
        Style::Regular => &REGULAR,
        Style::Bold => &BOLD,
    };
    cell.get_or_init(|| compress_to_vec_zlib(fonts().get(style).data, 9))
}

/// FNV-1a, for a file identifier that depends only on the content.
fn fnv(seed: u64, data: &[u8]) -> u64 {
    let mut h = seed;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(crate) fn write(pages: &[Vec<Op>], meta: &Meta<'_>) -> Vec<u8> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let font_ids: Vec<(Style, [Ref; 5])> = Style::ALL
        .iter()
        .map(|&s| (s, [alloc(), alloc(), alloc(), alloc(), alloc()]))
        .collect();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    let logo_ids = meta.logo.map(|logo| (logo, alloc(), alloc()));

    let mut pdf = Pdf::new();
    let mut used = Used::default();
    let total = pages.len();
    let mut id_a = 0xcbf2_9ce4_8422_2325_u64;
    let mut id_b = 0x6c62_272e_07bb_0142_u64;
    for (n, (ops, &(page_id, content_id))) in pages.iter().zip(&page_ids).enumerate() {
        let stream = content_stream(ops, meta, n + 1, total, &mut used);
        id_a = fnv(id_a, &stream);
        id_b = fnv(id_b ^ 0x9e37_79b9_7f4a_7c15, &stream);
        // The fastest level: a published ranking runs to 2,000 pages, which level 6 took
        // twice as long to write for a file 25% smaller (docs/performance.md, «Graduatorie»).
        let compressed = compress_to_vec_zlib(&stream, 1);
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_id);
        let mut resources = page.resources();
        let mut fonts_dict = resources.fonts();
        for (style, ids) in &font_ids {
            fonts_dict.pair(font_name(*style), ids[0]);
        }
        fonts_dict.finish();
        if let Some((_, id, _)) = logo_ids {
            resources.x_objects().pair(LOGO, id);
        }
        resources.finish();
        page.finish();
    }

    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|&(p, _)| p))
        .count(i32::try_from(total).unwrap_or(i32::MAX));
    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id).lang(TextStr("it-IT"));
    catalog.viewer_preferences().display_doc_title(true);
    catalog.finish();

    let title = if meta.title.trim().is_empty() {
        meta.issuer.clone()
    } else {
        meta.title.clone()
    };
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&title));
    if !meta.issuer.trim().is_empty() {
        info.author(TextStr(&meta.issuer));
    }
    info.creator(TextStr("Sportello"));
    info.producer(TextStr("Sportello print (pdf-writer)"));
    info.finish();

    for (style, [type0_id, cid_id, descriptor_id, file_id, cmap_id]) in &font_ids {
        write_font(
            &mut pdf,
            *style,
            &used,
            [*type0_id, *cid_id, *descriptor_id, *file_id, *cmap_id],
        );
    }

    if let Some((logo, id, mask_id)) = logo_ids {
        let (Samples::Jpeg(data) | Samples::Flate { color: data, .. }) = &logo.samples;
        id_a = fnv(id_a, data);
        write_image(&mut pdf, logo, id, mask_id);
    }

    let mut id = Vec::with_capacity(16);
    id.extend_from_slice(&id_a.to_be_bytes());
    id.extend_from_slice(&id_b.to_be_bytes());
    pdf.set_file_id((id.clone(), id));
    pdf.finish()
}

/// The image XObject, with its soft mask (`mask_id`) when it has transparency.
fn write_image(pdf: &mut Pdf, image: &Image, id: Ref, mask_id: Ref) {
    let width = i32::try_from(image.width).unwrap_or(i32::MAX);
    let height = i32::try_from(image.height).unwrap_or(i32::MAX);
    let (data, filter, alpha) = match &image.samples {
        Samples::Jpeg(data) => (data, Filter::DctDecode, None),
        Samples::Flate { color, alpha } => (color, Filter::FlateDecode, alpha.as_ref()),
    };
    let mut x = pdf.image_xobject(id, data);
    x.filter(filter);
    x.width(width).height(height).bits_per_component(8);
    if image.gray {
        x.color_space().device_gray();
    } else {
        x.color_space().device_rgb();
    }
    if alpha.is_some() {
        x.s_mask(mask_id);
    }
    x.finish();
    if let Some(alpha) = alpha {
        let mut mask = pdf.image_xobject(mask_id, alpha);
        mask.filter(Filter::FlateDecode);
        mask.width(width).height(height).bits_per_component(8);
        mask.color_space().device_gray();
    }
}

fn write_font(pdf: &mut Pdf, style: Style, used: &Used, ids: [Ref; 5]) {
    let [type0_id, cid_id, descriptor_id, file_id, cmap_id] = ids;
    let font = fonts().get(style);
    let base_font = Name(font.postscript_name.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0_id)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    let glyphs: Vec<(u16, char)> = used
        .glyphs
        .iter()
        .filter(|((s, _), _)| *s == style)
        .map(|(&(_, gid), &c)| (gid, c))
        .collect();

    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    {
        let mut widths = cid.widths();
        // Runs of consecutive glyph ids share one entry.
        let mut k = 0;
        while let Some(&(start, _)) = glyphs.get(k) {
            let mut run = vec![font.advance(start).round()];
            let mut last = start;
            while let Some(&(g, _)) = glyphs.get(k + run.len()) {
                if last.checked_add(1) != Some(g) {
                    break;
                }
                run.push(font.advance(g).round());
                last = g;
            }
            k += run.len();
            widths.consecutive(start, run);
        }
    }
    cid.finish();

    let [x0, y0, x1, y1] = font.bbox;
    pdf.font_descriptor(descriptor_id)
        .name(base_font)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(x0, y0, x1, y1))
        .italic_angle(0.0)
        .ascent(font.ascent)
        .descent(font.descent)
        .cap_height(font.cap_height)
        .stem_v(font.stem_v)
        .font_file2(file_id);

    let data = compressed_font(style);
    pdf.stream(file_id, data).filter(Filter::FlateDecode).pair(
        Name(b"Length1"),
        i32::try_from(font.data.len()).unwrap_or(i32::MAX),
    );

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for &(gid, c) in &glyphs {
        cmap.pair(gid, c);
    }
    let cmap_data = cmap.finish();
    pdf.cmap(cmap_id, cmap_data.as_slice());
}
