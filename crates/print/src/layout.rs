//! From blocks to positioned drawing operations on pages.
//!
//! Every block becomes a list of [`Unit`]s, each one line tall (a line of a paragraph,
//! a line of a table row across all its cells, …). A unit may ask to stay on the same
//! page as the next one (`keep_with_next`): headings, the lines of a table row, the
//! first and last two lines of a paragraph, the whole signature block. The paginator
//! places chains of such units on one page when they fit on a page at all, and
//! otherwise splits them, still never leaving a kept unit last on a page unless it
//! is alone there.

use crate::font::{Style, clean, fonts};

/// A4 portrait, in points.
pub(crate) const PAGE_W: f32 = 595.276;
pub(crate) const PAGE_H: f32 = 841.89;
/// 2 cm left and right.
pub(crate) const MARGIN_X: f32 = 56.693;
/// From the top edge to the top of the text area (the running header sits above it).
pub(crate) const MARGIN_TOP: f32 = 62.0;
/// From the bottom edge to the bottom of the text area (the footer sits below it).
pub(crate) const MARGIN_BOTTOM: f32 = 72.0;
pub(crate) const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;
pub(crate) const BODY_H: f32 = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM;

const BODY_SIZE: f32 = 10.5;
const BODY_LEADING: f32 = 15.0;
const PARAGRAPH_GAP: f32 = 7.0;
const SECTION_SIZE: f32 = 12.5;
const SECTION_LEADING: f32 = 16.5;
const SECTION_GAP: f32 = 13.0;
const TABLE_SIZE: f32 = 9.5;
const TABLE_LEADING: f32 = 12.5;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const RULE: f32 = 0.5;
const TEXT_GRAY: f32 = 0.0;
const RULE_GRAY: f32 = 0.55;
const HEADER_FILL: f32 = 0.9;

/// A drawing operation. `x` is from the left edge of the page; `y` values are
/// downwards, from the top of the unit (in a [`Unit`]) or of the text area (on a page).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        size: f32,
        gray: f32,
        text: String,
    },
    Line {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
        width: f32,
        gray: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: f32,
    },
    /// The document's logo in the box whose top left corner is (`x`, `y`).
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

impl Op {
    fn shifted(&self, dy: f32) -> Op {
        match self {
            Op::Text {
                x,
                baseline,
                style,
                size,
                gray,
                text,
            } => Op::Text {
                x: *x,
                baseline: baseline + dy,
                style: *style,
                size: *size,
                gray: *gray,
                text: text.clone(),
            },
            Op::Line {
                x0,
                y0,
                x1,
                y1,
                width,
                gray,
            } => Op::Line {
                x0: *x0,
                y0: y0 + dy,
                x1: *x1,
                y1: y1 + dy,
                width: *width,
                gray: *gray,
            },
            Op::Fill { x, y, w, h, gray } => Op::Fill {
                x: *x,
                y: y + dy,
                w: *w,
                h: *h,
                gray: *gray,
            },
            Op::Logo { x, y, w, h } => Op::Logo {
                x: *x,
                y: y + dy,
                w: *w,
                h: *h,
            },
        }
    }
}

/// The smallest thing the paginator moves: usually one line of text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Unit {
    pub(crate) height: f32,
    /// Space above, dropped at the top of a page.
    pub(crate) space_before: f32,
    pub(crate) ops: Vec<Op>,
    pub(crate) keep_with_next: bool,
    /// The table whose header is repeated when a page break falls before this unit.
    pub(crate) repeat: Option<usize>,
    /// A horizontal rule (x0, x1) drawn under this unit when a page break follows it
    /// (closes the cell borders of a table row split across pages).
    pub(crate) close_on_break: Option<(f32, f32)>,
}

/// Baseline of a line of text set at `size` in a slot `leading` tall: the capitals are
/// centred in the slot.
fn baseline_in(leading: f32, size: f32, style: Style) -> f32 {
    let cap = fonts().get(style).cap_height / 1000.0 * size;
    (leading + cap) / 2.0
}

fn text_op(x: f32, baseline: f32, style: Style, size: f32, text: String) -> Op {
    Op::Text {
        x,
        baseline,
        style,
        size,
        gray: TEXT_GRAY,
        text,
    }
}

/// Breaks cleaned `text` into lines no wider than `max_width`: at spaces, after a
/// hyphen or slash inside a word when the word does not fit, and between any two
/// characters of a word longer than a line. '\n' ends a line; runs of spaces count
/// as one.
pub(crate) fn wrap(text: &str, style: Style, size: f32, max_width: f32) -> Vec<String> {
    let font = fonts().get(style);
    let space = font.char_width(' ', size);
    let mut lines = Vec::new();
    for hard_line in text.split('\n') {
        let mut cur = String::new();
        let mut cur_w = 0.0_f32;
        for word in hard_line.split(' ').filter(|w| !w.is_empty()) {
            for (k, piece) in split_after_hyphens(word).into_iter().enumerate() {
                let w = font.width(piece, size);
                let sep = if cur.is_empty() || k > 0 { 0.0 } else { space };
                if cur_w + sep + w <= max_width + 0.01 {
                    if sep > 0.0 {
                        cur.push(' ');
                    }
                    cur.push_str(piece);
                    cur_w += sep + w;
                    continue;
                }
                if !cur.is_empty() {
                    lines.push(std::mem::take(&mut cur));
                    cur_w = 0.0;
                }
                if w <= max_width + 0.01 {
                    cur.push_str(piece);
                    cur_w = w;
                    continue;
                }
                // Longer than a line: break between characters.
                for c in piece.chars() {
                    let cw = font.char_width(c, size);
                    if !cur.is_empty() && cur_w + cw > max_width + 0.01 {
                        lines.push(std::mem::take(&mut cur));
                        cur_w = 0.0;
                    }
                    cur.push(c);
                    cur_w += cw;
                }
            }
        }
        lines.push(cur);
    }
    lines
}

/// "socio-sanitario/assistenziale" → ["socio-", "sanitario/", "assistenziale"].
fn split_after_hyphens(word: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if matches!(c, '-' | '/' | '–') && i > start && end < word.len() {
            pieces.push(&word[start..end]);
            start = end;
        }
    }
    pieces.push(&word[start..]);
    pieces
}

/// Shortens one line of text with '…' to fit `max_width`.
pub(crate) fn truncate(text: &str, style: Style, size: f32, max_width: f32) -> String {
    let font = fonts().get(style);
    if font.width(text, size) <= max_width {
        return text.to_owned();
    }
    let ellipsis = font.char_width('…', size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = font.char_width(c, size);
        if w + cw + ellipsis > max_width {
            break;
        }
        out.push(c);
        w += cw;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// Units for lines of text all in one style, one unit per line.
fn text_units(text: &str, style: Style, size: f32, leading: f32, x: f32, width: f32) -> Vec<Unit> {
    let base = baseline_in(leading, size, style);
    wrap(text, style, size, width)
        .into_iter()
        .map(|line| Unit {
            height: leading,
            ops: if line.is_empty() {
                Vec::new()
            } else {
                vec![text_op(x, base, style, size, line)]
            },
            ..Unit::default()
        })
        .collect()
}

/// The logo's size on the page: [`crate::LOGO_HEIGHT`] tall, its proportions kept, at most
/// half the text's width.
fn logo_box(width_px: u32, height_px: u32) -> (f32, f32) {
    let aspect = width_px as f32 / height_px.max(1) as f32;
    let h = crate::LOGO_HEIGHT.min(BODY_W / 2.0 / aspect);
    (h * aspect, h)
}

/// The heading of page 1: the logo, issuer, office, a rule, the title.
pub(crate) fn heading_units(h: &crate::Heading) -> Vec<Unit> {
    let mut units = Vec::new();
    if let Some(logo) = &h.logo {
        let (w, height) = logo_box(logo.width(), logo.height());
        units.push(Unit {
            height: height + 8.0,
            ops: vec![Op::Logo {
                x: MARGIN_X,
                y: 0.0,
                w,
                h: height,
            }],
            ..Unit::default()
        });
    }
    let issuer = clean(&h.issuer, true);
    let office = clean(&h.office, true);
    let title = clean(&h.title, true);
    if !issuer.trim().is_empty() {
        units.extend(text_units(
            &issuer,
            Style::Bold,
            15.0,
            19.0,
            MARGIN_X,
            BODY_W,
        ));
    }
    if !office.trim().is_empty() {
        units.extend(text_units(
            &office,
            Style::Regular,
            11.5,
            15.0,
            MARGIN_X,
            BODY_W,
        ));
    }
    for line in &h.lines {
        let line = clean(line, true);
        if !line.trim().is_empty() {
            units.extend(text_units(
                &line,
                Style::Regular,
                8.5,
                11.0,
                MARGIN_X,
                BODY_W,
            ));
        }
    }
    if !units.is_empty() {
        units.push(Unit {
            height: 10.0,
            ops: vec![Op::Line {
                x0: MARGIN_X,
                y0: 6.0,
                x1: MARGIN_X + BODY_W,
                y1: 6.0,
                width: 0.8,
                gray: RULE_GRAY,
            }],
            ..Unit::default()
        });
    }
    let mut title_units = text_units(&title, Style::Bold, 17.0, 22.0, MARGIN_X, BODY_W);
    if let Some(first) = title_units.first_mut() {
        first.space_before = 12.0;
    }
    units.extend(title_units);
    for u in &mut units {
        u.keep_with_next = true;
    }
    units
}

pub(crate) fn section_units(title: &str) -> Vec<Unit> {
    let title = clean(title, false);
    if title.trim().is_empty() {
        return Vec::new();
    }
    let mut units = text_units(
        &title,
        Style::Bold,
        SECTION_SIZE,
        SECTION_LEADING,
        MARGIN_X,
        BODY_W,
    );
    if let Some(first) = units.first_mut() {
        first.space_before = SECTION_GAP;
    }
    if let Some(last) = units.last_mut() {
        last.height += 3.0;
    }
    for u in &mut units {
        u.keep_with_next = true;
    }
    units
}

/// Paragraphs of `text`: separated by blank lines; a single '\n' breaks the line.
pub(crate) fn paragraph_units(text: &str) -> Vec<Unit> {
    let text = clean(text, true);
    let mut units = Vec::new();
    for para in split_paragraphs(&text) {
        let mut lines = text_units(
            &para,
            Style::Regular,
            BODY_SIZE,
            BODY_LEADING,
            MARGIN_X,
            BODY_W,
        );
        let n = lines.len();
        if let Some(first) = lines.first_mut() {
            first.space_before = PARAGRAPH_GAP;
        }
        // No single first line at the bottom of a page, no single last line at the top.
        if n >= 2 {
            if let Some(first) = lines.first_mut() {
                first.keep_with_next = true;
            }
            if let Some(before_last) = lines.get_mut(n - 2) {
                before_last.keep_with_next = true;
            }
        }
        units.extend(lines);
    }
    units
}

fn split_paragraphs(text: &str) -> Vec<String> {
    let mut paras = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                paras.push(cur.join("\n"));
                cur.clear();
            }
        } else {
            cur.push(line);
        }
    }
    if !cur.is_empty() {
        paras.push(cur.join("\n"));
    }
    paras
}

/// A column of a row laid out side by side with others.
struct Cell {
    x: f32,
    lines: Vec<String>,
    style: Style,
}

/// One unit per line index across the cells of a row, all kept together.
fn row_units(cells: &[Cell], size: f32, leading: f32) -> Vec<Unit> {
    let n = cells
        .iter()
        .map(|c| c.lines.len())
        .max()
        .unwrap_or(0)
        .max(1);
    (0..n)
        .map(|i| {
            let mut ops = Vec::new();
            for cell in cells {
                if let Some(line) = cell.lines.get(i)
                    && !line.is_empty()
                {
                    // One baseline for the whole row, whatever the face.
                    let base = baseline_in(leading, size, Style::Regular);
                    ops.push(text_op(cell.x, base, cell.style, size, line.clone()));
                }
            }
            Unit {
                height: leading,
                ops,
                keep_with_next: i + 1 < n,
                ..Unit::default()
            }
        })
        .collect()
}

/// Label–value rows: labels bold in a first column as wide as the longest label
/// (within limits), values wrapped in the second.
pub(crate) fn field_units(rows: &[(String, String)]) -> Vec<Unit> {
    const GAP: f32 = 12.0;
    let bold = fonts().get(Style::Bold);
    let rows: Vec<(String, String)> = rows
        .iter()
        .map(|(l, v)| (clean(l, true), clean(v, true)))
        .collect();
    let widest = rows
        .iter()
        .flat_map(|(l, _)| l.split('\n'))
        .map(|l| bold.width(l.trim(), BODY_SIZE))
        .fold(0.0_f32, f32::max);
    let label_w = (widest + GAP).clamp(BODY_W * 0.25, BODY_W * 0.42);
    let value_w = BODY_W - label_w;
    let mut units = Vec::new();
    for (k, (label, value)) in rows.iter().enumerate() {
        let cells = [
            Cell {
                x: MARGIN_X,
                lines: wrap(label, Style::Bold, BODY_SIZE, label_w - GAP),
                style: Style::Bold,
            },
            Cell {
                x: MARGIN_X + label_w,
                lines: wrap(value, Style::Regular, BODY_SIZE, value_w),
                style: Style::Regular,
            },
        ];
        let mut row = row_units(&cells, BODY_SIZE, BODY_LEADING);
        if let Some(first) = row.first_mut() {
            first.space_before = if k == 0 { PARAGRAPH_GAP } else { 2.0 };
        }
        units.extend(row);
    }
    units
}

/// A table: header row shaded and bold, repeated on every page the table continues
/// on; cells wrapped; rows split across pages only when taller than a page.
pub(crate) struct Table {
    pub(crate) header: Vec<Unit>,
    pub(crate) units: Vec<Unit>,
}

pub(crate) fn table_units(
    id: usize,
    headers: &[String],
    widths: &[u32],
    rows: &[Vec<String>],
) -> Table {
    let columns = rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(headers.len()))
        .max()
        .unwrap_or(0);
    if columns == 0 {
        return Table {
            header: Vec::new(),
            units: Vec::new(),
        };
    }
    let weights: Vec<f32> = (0..columns)
        .map(|i| match widths.get(i) {
            Some(&w) if w > 0 => w as f32,
            _ => 1.0,
        })
        .collect();
    let total: f32 = weights.iter().sum();
    let mut edges = vec![MARGIN_X];
    let mut x = MARGIN_X;
    for w in &weights {
        x += BODY_W * w / total;
        edges.push(x);
    }
    let x0 = MARGIN_X;
    let x1 = MARGIN_X + BODY_W;
    let lay_row = |cells: &[String], style: Style| -> Vec<Unit> {
        let cells: Vec<Cell> = (0..columns)
            .map(|i| {
                let left = edges.get(i).copied().unwrap_or(x0);
                let right = edges.get(i + 1).copied().unwrap_or(x1);
                let text = cells.get(i).map(|t| clean(t, true)).unwrap_or_default();
                Cell {
                    x: left + CELL_PAD_X,
                    lines: wrap(
                        &text,
                        style,
                        TABLE_SIZE,
                        (right - left - 2.0 * CELL_PAD_X).max(1.0),
                    ),
                    style,
                }
            })
            .collect();
        let mut units = row_units(&cells, TABLE_SIZE, TABLE_LEADING);
        let n = units.len();
        for (i, u) in units.iter_mut().enumerate() {
            let top_pad = if i == 0 { CELL_PAD_Y } else { 0.0 };
            let bottom_pad = if i + 1 == n { CELL_PAD_Y } else { 0.0 };
            let text_ops: Vec<Op> = u.ops.iter().map(|op| op.shifted(top_pad)).collect();
            u.height += top_pad + bottom_pad;
            let h = u.height;
            let mut ops = Vec::new();
            if style == Style::Bold {
                ops.push(Op::Fill {
                    x: x0,
                    y: 0.0,
                    w: x1 - x0,
                    h,
                    gray: HEADER_FILL,
                });
            }
            for &e in &edges {
                ops.push(rule(e, 0.0, e, h));
            }
            if i == 0 {
                ops.push(rule(x0, 0.0, x1, 0.0));
            }
            if i + 1 == n {
                ops.push(rule(x0, h, x1, h));
            } else {
                u.close_on_break = Some((x0, x1));
            }
            ops.extend(text_ops);
            u.ops = ops;
        }
        units
    };
    let header = if headers.is_empty() {
        Vec::new()
    } else {
        let mut h = lay_row(headers, Style::Bold);
        for u in &mut h {
            u.keep_with_next = true;
        }
        h
    };
    let mut units = header.clone();
    if let Some(first) = units.first_mut() {
        first.space_before = PARAGRAPH_GAP + 2.0;
    }
    for (k, row) in rows.iter().enumerate() {
        let mut row_units = lay_row(row, Style::Regular);
        for u in &mut row_units {
            u.repeat = Some(id);
        }
        if k == 0
            && headers.is_empty()
            && let Some(first) = row_units.first_mut()
        {
            first.space_before = PARAGRAPH_GAP + 2.0;
        }
        units.extend(row_units);
    }
    if rows.is_empty()
        && let Some(last) = units.last_mut()
    {
        last.keep_with_next = false;
    }
    Table { header, units }
}

fn rule(x0: f32, y0: f32, x1: f32, y1: f32) -> Op {
    Op::Line {
        x0,
        y0,
        x1,
        y1,
        width: RULE,
        gray: RULE_GRAY,
    }
}

/// "Luogo e data" with a line to write on, then one signature line per label, two
/// per row; all on one page.
pub(crate) fn signature_units(labels: &[String]) -> Vec<Unit> {
    const GAP: f32 = 28.0;
    let mut units = Vec::new();
    let place = "Luogo e data";
    let font = fonts().get(Style::Regular);
    let place_w = font.width(place, BODY_SIZE);
    let base = baseline_in(20.0, BODY_SIZE, Style::Regular);
    units.push(Unit {
        height: 20.0,
        space_before: 22.0,
        ops: vec![
            text_op(MARGIN_X, base, Style::Regular, BODY_SIZE, place.to_owned()),
            Op::Line {
                x0: MARGIN_X + place_w + 6.0,
                y0: base + 1.5,
                x1: MARGIN_X + (BODY_W - GAP) / 2.0,
                y1: base + 1.5,
                width: RULE,
                gray: TEXT_GRAY,
            },
        ],
        ..Unit::default()
    });
    let col_w = (BODY_W - GAP) / 2.0;
    let left = MARGIN_X;
    let right = MARGIN_X + col_w + GAP;
    let labels: Vec<String> = labels.iter().map(|l| clean(l, true)).collect();
    let placed: Vec<(f32, &String)> = if labels.len() == 1 {
        labels.iter().map(|l| (right, l)).collect()
    } else {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| (if i % 2 == 0 { left } else { right }, l))
            .collect()
    };
    for pair in placed.chunks(2) {
        let cells: Vec<Cell> = pair
            .iter()
            .map(|&(x, label)| Cell {
                x,
                lines: wrap(label, Style::Regular, BODY_SIZE, col_w),
                style: Style::Regular,
            })
            .collect();
        let mut label_units = row_units(&cells, BODY_SIZE, BODY_LEADING);
        if let Some(first) = label_units.first_mut() {
            first.space_before = 18.0;
        }
        units.extend(label_units);
        units.push(Unit {
            height: 36.0,
            ops: pair
                .iter()
                .map(|&(x, _)| Op::Line {
                    x0: x,
                    y0: 32.0,
                    x1: x + col_w,
                    y1: 32.0,
                    width: RULE,
                    gray: TEXT_GRAY,
                })
                .collect(),
            ..Unit::default()
        });
    }
    let n = units.len();
    for (i, u) in units.iter_mut().enumerate() {
        u.keep_with_next = i + 1 < n;
    }
    units
}

/// The units of every page, placed: ops with `y` from the top of the text area.
pub(crate) fn paginate(units: &[Unit], headers: &[Vec<Unit>]) -> Vec<Vec<Op>> {
    let mut p = Paginator {
        pages: vec![Vec::new()],
        y: 0.0,
        fresh: true,
        last_close: None,
        headers,
    };
    let mut i = 0;
    while i < units.len() {
        let mut j = i;
        while j + 1 < units.len() && units.get(j).is_some_and(|u| u.keep_with_next) {
            j += 1;
        }
        let group = units.get(i..=j).unwrap_or_default();
        let height = p.height_of(group);
        if p.y + height <= BODY_H + 0.01 {
            for u in group {
                p.place(u);
            }
            i = j + 1;
        } else if !p.fresh {
            p.new_page(group.first().and_then(|u| u.repeat));
        } else {
            // Taller than a page: split it, but never after a kept unit when the
            // unit after it would not fit too.
            for (k, u) in group.iter().enumerate() {
                let mut need = p.space(u) + u.height;
                if u.keep_with_next
                    && let Some(next) = group.get(k + 1)
                {
                    need += next.space_before + next.height;
                }
                if p.y + need > BODY_H + 0.01 && !p.fresh {
                    p.new_page(u.repeat);
                }
                p.place(u);
            }
            i = j + 1;
        }
    }
    p.pages
}

struct Paginator<'a> {
    pages: Vec<Vec<Op>>,
    y: f32,
    /// Nothing but a repeated table header on the page yet.
    fresh: bool,
    /// Rule to draw under the last unit placed if the page ends after it.
    last_close: Option<(f32, f32, f32)>,
    headers: &'a [Vec<Unit>],
}

impl Paginator<'_> {
    fn space(&self, u: &Unit) -> f32 {
        if self.y > 0.0 { u.space_before } else { 0.0 }
    }

    fn height_of(&self, group: &[Unit]) -> f32 {
        let mut h = 0.0;
        for (k, u) in group.iter().enumerate() {
            h += if k == 0 {
                self.space(u)
            } else {
                u.space_before
            } + u.height;
        }
        h
    }

    fn place(&mut self, u: &Unit) {
        self.y += self.space(u);
        let top = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.extend(u.ops.iter().map(|op| op.shifted(top)));
        }
        self.y += u.height;
        self.fresh = false;
        self.last_close = u.close_on_break.map(|(x0, x1)| (x0, x1, self.y));
    }

    fn new_page(&mut self, repeat: Option<usize>) {
        if let (Some((x0, x1, y)), Some(page)) = (self.last_close, self.pages.last_mut()) {
            page.push(rule(x0, y, x1, y));
        }
        self.pages.push(Vec::new());
        self.y = 0.0;
        self.last_close = None;
        if let Some(header) = repeat.and_then(|t| self.headers.get(t)) {
            let h: f32 = header.iter().map(|u| u.height).sum();
            // A header taller than a third of the page is not repeated: it would
            // leave too little room for the rows.
            if h <= BODY_H / 3.0 {
                for u in header {
                    self.place(u);
                }
            }
        }
        self.fresh = true;
    }
}

/// A square two-dimensional code (a QR code: `modules` row by row, dark when true, `width`
/// to a row) `side` points wide at the left margin, with a quiet zone of four modules, and
/// label–value lines beside it. Runs of dark modules are drawn as one rectangle.
pub(crate) fn code_units(
    modules: &[bool],
    width: usize,
    side: f32,
    rows: &[(String, String)],
) -> Vec<Unit> {
    const GAP: f32 = 14.0;
    let width = width.max(1);
    let m = side / (width as f32 + 8.0);
    let mut ops = Vec::new();
    for (r, row) in modules.chunks(width).enumerate() {
        let mut c = 0;
        while c < row.len() {
            if !row[c] {
                c += 1;
                continue;
            }
            let start = c;
            while c < row.len() && row[c] {
                c += 1;
            }
            ops.push(Op::Fill {
                x: MARGIN_X + (4.0 + start as f32) * m,
                y: (4.0 + r as f32) * m,
                // A hair wider and taller, so that neighbouring runs leave no seam.
                w: (c - start) as f32 * m + 0.05,
                h: m + 0.05,
                gray: 0.0,
            });
        }
    }
    let x = MARGIN_X + side + GAP;
    let text_w = BODY_W - side - GAP;
    let mut y = m * 4.0;
    for (label, value) in rows {
        for (style, text) in [(Style::Bold, label), (Style::Regular, value)] {
            for line in wrap(&clean(text, true), style, BODY_SIZE, text_w) {
                ops.push(text_op(
                    x,
                    y + baseline_in(BODY_LEADING, BODY_SIZE, style),
                    style,
                    BODY_SIZE,
                    line,
                ));
                y += BODY_LEADING;
            }
        }
        y += 4.0;
    }
    vec![Unit {
        height: side.max(y),
        space_before: PARAGRAPH_GAP,
        ops,
        ..Unit::default()
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        let text = "Il progetto prevede l’inserimento in un centro diurno socio-educativo \
                    con frequenza trisettimanale. "
            .repeat(20)
            + &"x".repeat(500);
        let font = fonts().get(Style::Regular);
        for width in [30.0, 100.0, 250.0, BODY_W] {
            let lines = wrap(&text, Style::Regular, BODY_SIZE, width);
            assert!(lines.len() > 1);
            for line in &lines {
                assert!(font.width(line, BODY_SIZE) <= width + 0.01, "{line}");
            }
            let rejoined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(rejoined, original, "no character lost");
        }
    }

    #[test]
    fn a_hyphenated_word_breaks_after_its_hyphen_when_it_does_not_fit() {
        let font = fonts().get(Style::Regular);
        let width = font.width("intervento socio-", BODY_SIZE) + 1.0;
        let lines = wrap(
            "intervento socio-sanitario",
            Style::Regular,
            BODY_SIZE,
            width,
        );
        assert_eq!(lines, ["intervento socio-", "sanitario"]);
    }

    #[test]
    fn truncate_adds_an_ellipsis_only_when_needed() {
        assert_eq!(truncate("breve", Style::Regular, 9.0, 200.0), "breve");
        let long = truncate(&"parola ".repeat(50), Style::Regular, 9.0, 100.0);
        assert!(long.ends_with('…'));
        assert!(fonts().get(Style::Regular).width(&long, 9.0) <= 100.0);
    }
}
