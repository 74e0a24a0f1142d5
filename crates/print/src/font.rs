//! The two embedded faces (Titillium Web regular and bold), their metrics, and the
//! cleaning of input text down to what they can draw.

use std::sync::OnceLock;

use ttf_parser::{Face, GlyphId};

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/TitilliumWeb-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/TitilliumWeb-Bold.ttf");

/// Which face a piece of text is set in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Style {
    Regular,
    Bold,
}

impl Style {
    pub(crate) const ALL: [Style; 2] = [Style::Regular, Style::Bold];
}

/// One face: the font program and what layout and the PDF writer need from it.
/// Widths are in thousandths of the font size (PDF glyph space).
pub(crate) struct Font {
    pub(crate) data: &'static [u8],
    pub(crate) postscript_name: &'static str,
    face: Option<Face<'static>>,
    scale: f32,
    /// Glyph drawn for a character the face lacks: '?' (or .notdef).
    pub(crate) fallback: u16,
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
    pub(crate) cap_height: f32,
    pub(crate) bbox: [f32; 4],
    pub(crate) stem_v: f32,
    /// Glyph, character shown and advance of U+0000–U+00FF, looked up once: Italian text is
    /// almost all Latin-1, and a ranking's PDF sets millions of characters.
    latin: Vec<(u16, char, f32)>,
}

impl Font {
    fn load(data: &'static [u8], postscript_name: &'static str) -> Font {
        let face = Face::parse(data, 0).ok();
        let mut font = Font {
            data,
            postscript_name,
            face: None,
            scale: 1.0,
            fallback: 0,
            ascent: 800.0,
            descent: -200.0,
            cap_height: 700.0,
            bbox: [0.0, -200.0, 1000.0, 800.0],
            stem_v: 80.0,
            latin: Vec::new(),
        };
        if let Some(face) = face {
            let scale = 1000.0 / f32::from(face.units_per_em().max(1));
            let b = face.global_bounding_box();
            font.scale = scale;
            font.ascent = f32::from(face.ascender()) * scale;
            font.descent = f32::from(face.descender()) * scale;
            font.cap_height = f32::from(face.capital_height().unwrap_or(700)) * scale;
            font.bbox = [
                f32::from(b.x_min) * scale,
                f32::from(b.y_min) * scale,
                f32::from(b.x_max) * scale,
                f32::from(b.y_max) * scale,
            ];
            font.stem_v = 10.0 + 0.244 * (f32::from(face.weight().to_number()) - 50.0);
            font.fallback = face.glyph_index('?').map_or(0, |g| g.0);
            font.face = Some(face);
        }
        font.latin = (0u8..=255)
            .map(|b| {
                let (glyph, shown) = font.lookup(char::from(b));
                (glyph, shown, font.advance(glyph))
            })
            .collect();
        font
    }

    /// The glyph for `c`, or `None` when the face has no glyph for it.
    pub(crate) fn glyph(&self, c: char) -> Option<u16> {
        match self.cached(c) {
            Some(&(glyph, shown, _)) => (shown == c && glyph != 0).then_some(glyph),
            None => self.face_glyph(c),
        }
    }

    fn face_glyph(&self, c: char) -> Option<u16> {
        let face = self.face.as_ref()?;
        face.glyph_index(c).map(|g| g.0).filter(|&g| g != 0)
    }

    fn cached(&self, c: char) -> Option<&(u16, char, f32)> {
        usize::try_from(u32::from(c))
            .ok()
            .and_then(|i| self.latin.get(i))
    }

    /// The glyph drawn for `c` and the character it stands for in extracted text.
    pub(crate) fn glyph_or_fallback(&self, c: char) -> (u16, char) {
        let (glyph, shown, _) = self.metrics(c);
        (glyph, shown)
    }

    fn lookup(&self, c: char) -> (u16, char) {
        match self.face_glyph(c) {
            Some(g) => (g, c),
            None => (self.fallback, '?'),
        }
    }

    /// Glyph, character shown and advance of `c`.
    fn metrics(&self, c: char) -> (u16, char, f32) {
        match self.cached(c) {
            Some(&m) => m,
            None => {
                let (glyph, shown) = self.lookup(c);
                (glyph, shown, self.advance(glyph))
            }
        }
    }

    /// Advance width of a glyph in thousandths of the font size.
    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        match &self.face {
            Some(face) => face
                .glyph_hor_advance(GlyphId(glyph))
                .map_or(500.0, |a| f32::from(a) * self.scale),
            None => 500.0,
        }
    }

    /// Width of `text` set at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.metrics(c).2).sum::<f32>() * size / 1000.0
    }

    /// Width of one character set at `size` points.
    pub(crate) fn char_width(&self, c: char, size: f32) -> f32 {
        self.metrics(c).2 * size / 1000.0
    }
}

pub(crate) struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    pub(crate) fn get(&self, style: Style) -> &Font {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }

    /// Whether both faces can draw `c` (so a word keeps its glyphs when set in bold).
    fn covers(&self, c: char) -> bool {
        self.regular.glyph(c).is_some() && self.bold.glyph(c).is_some()
    }
}

/// The embedded faces, parsed once per process.
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        regular: Font::load(REGULAR_TTF, "TitilliumWeb-Regular"),
        bold: Font::load(BOLD_TTF, "TitilliumWeb-Bold"),
    })
}

/// Whether the embedded faces parsed (always, unless the crate was built with broken
/// font files; a test guards it).
#[cfg(test)]
fn faces_parsed() -> bool {
    let f = fonts();
    f.regular.face.is_some() && f.bold.face.is_some()
}

/// Text as the faces can draw it: line ends normalised to '\n' (kept only when
/// `keep_newlines`, else turned into spaces), tabs into spaces, invisible format
/// characters dropped, decomposed accents composed (e + U+0300 → è), and every other
/// character the fonts lack, control characters included, replaced by '?'.
pub(crate) fn clean(text: &str, keep_newlines: bool) -> String {
    let fonts = fonts();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    continue;
                }
                '\n'
            }
            '\u{2028}' | '\u{2029}' | '\u{0085}' | '\u{000B}' | '\u{000C}' => '\n',
            other => other,
        };
        if c == '\n' {
            out.push(if keep_newlines { '\n' } else { ' ' });
            continue;
        }
        if c == '\t' {
            out.push(' ');
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if is_combining(c) {
            if let Some(prev) = out.chars().last()
                && let Some(composed) = compose(prev, c)
                && fonts.covers(composed)
            {
                out.pop();
                out.push(composed);
                continue;
            }
            if fonts.covers(c) {
                out.push(c);
            } else {
                out.push('?');
            }
            continue;
        }
        if c.is_control() {
            out.push('?');
        } else if fonts.covers(c) {
            out.push(c);
        } else if c == '\u{202F}' && fonts.covers('\u{00A0}') {
            // narrow no-break space, as in "10 000", keeps its no-break meaning
            out.push('\u{00A0}');
        } else if c.is_whitespace() {
            out.push(' ');
        } else {
            out.push('?');
        }
    }
    out
}

/// Characters that are not meant to be seen: soft hyphen, zero-width spaces and
/// joiners, direction marks, word joiner, byte-order mark, variation selectors and tags
/// (so that an emoji with its selector becomes one '?', not two).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{034F}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// The precomposed letter for a Latin base letter followed by a combining accent, for
/// the accents used in Italian and in the names of people the office meets.
fn compose(base: char, mark: char) -> Option<char> {
    const TABLE: &[(char, char, char)] = &[
        ('a', '\u{300}', 'à'),
        ('e', '\u{300}', 'è'),
        ('i', '\u{300}', 'ì'),
        ('o', '\u{300}', 'ò'),
        ('u', '\u{300}', 'ù'),
        ('A', '\u{300}', 'À'),
        ('E', '\u{300}', 'È'),
        ('I', '\u{300}', 'Ì'),
        ('O', '\u{300}', 'Ò'),
        ('U', '\u{300}', 'Ù'),
        ('a', '\u{301}', 'á'),
        ('e', '\u{301}', 'é'),
        ('i', '\u{301}', 'í'),
        ('o', '\u{301}', 'ó'),
        ('u', '\u{301}', 'ú'),
        ('y', '\u{301}', 'ý'),
        ('c', '\u{301}', 'ć'),
        ('n', '\u{301}', 'ń'),
        ('s', '\u{301}', 'ś'),
        ('z', '\u{301}', 'ź'),
        ('A', '\u{301}', 'Á'),
        ('E', '\u{301}', 'É'),
        ('I', '\u{301}', 'Í'),
        ('O', '\u{301}', 'Ó'),
        ('U', '\u{301}', 'Ú'),
        ('Y', '\u{301}', 'Ý'),
        ('C', '\u{301}', 'Ć'),
        ('N', '\u{301}', 'Ń'),
        ('S', '\u{301}', 'Ś'),
        ('Z', '\u{301}', 'Ź'),
        ('a', '\u{302}', 'â'),
        ('e', '\u{302}', 'ê'),
        ('i', '\u{302}', 'î'),
        ('o', '\u{302}', 'ô'),
        ('u', '\u{302}', 'û'),
        ('A', '\u{302}', 'Â'),
        ('E', '\u{302}', 'Ê'),
        ('I', '\u{302}', 'Î'),
        ('O', '\u{302}', 'Ô'),
        ('U', '\u{302}', 'Û'),
        ('a', '\u{303}', 'ã'),
        ('o', '\u{303}', 'õ'),
        ('n', '\u{303}', 'ñ'),
        ('A', '\u{303}', 'Ã'),
        ('O', '\u{303}', 'Õ'),
        ('N', '\u{303}', 'Ñ'),
        ('a', '\u{308}', 'ä'),
        ('e', '\u{308}', 'ë'),
        ('i', '\u{308}', 'ï'),
        ('o', '\u{308}', 'ö'),
        ('u', '\u{308}', 'ü'),
        ('y', '\u{308}', 'ÿ'),
        ('A', '\u{308}', 'Ä'),
        ('E', '\u{308}', 'Ë'),
        ('I', '\u{308}', 'Ï'),
        ('O', '\u{308}', 'Ö'),
        ('U', '\u{308}', 'Ü'),
        ('c', '\u{30C}', 'č'),
        ('s', '\u{30C}', 'š'),
        ('z', '\u{30C}', 'ž'),
        ('C', '\u{30C}', 'Č'),
        ('S', '\u{30C}', 'Š'),
        ('Z', '\u{30C}', 'Ž'),
        ('a', '\u{306}', 'ă'),
        ('A', '\u{306}', 'Ă'),
        ('c', '\u{327}', 'ç'),
        ('s', '\u{327}', 'ş'),
        ('t', '\u{327}', 'ţ'),
        ('C', '\u{327}', 'Ç'),
        ('S', '\u{327}', 'Ş'),
        ('T', '\u{327}', 'Ţ'),
        ('s', '\u{326}', 'ș'),
        ('t', '\u{326}', 'ț'),
        ('S', '\u{326}', 'Ș'),
        ('T', '\u{326}', 'Ț'),
    ];
    TABLE
        .iter()
        .find(|&&(b, m, _)| b == base && m == mark)
        .map(|&(_, _, composed)| composed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_faces_parse_and_cover_italian_and_the_euro() {
        assert!(faces_parsed());
        for c in "àèéìòùÀÈÉÌÒÙ«»€’‘“”–—…ŠšŽžŒœŸ ".chars() {
            for style in Style::ALL {
                assert!(fonts().get(style).glyph(c).is_some(), "{c:?} missing");
            }
        }
    }

    #[test]
    fn clean_composes_decomposed_accents_and_replaces_what_the_fonts_lack() {
        assert_eq!(clean("perche\u{301} citta\u{300}", true), "perché città");
        assert_eq!(clean("a\u{0007}b\u{0000}c", true), "a?b?c");
        assert_eq!(clean("ok 👍🏽 ❤\u{FE0F}", true), "ok ? ?");
        assert_eq!(clean("a\r\nb\rc\td", true), "a\nb\nc d");
        assert_eq!(clean("a\nb", false), "a b");
        assert_eq!(clean("中文", true), "??");
    }
}
