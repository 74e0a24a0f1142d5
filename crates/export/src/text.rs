//! What is done to text before it reaches a spreadsheet.

use std::borrow::Cow;

/// Characters that make a spreadsheet read the rest of the cell as a formula
/// (or, `\t` and `\r`, that some spreadsheets drop before doing so), with the
/// fullwidth and small forms that East Asian input methods produce and some
/// spreadsheets fold into the ASCII operators.
const TRIGGERS: [char; 14] = [
    '=', '+', '-', '@', '\t', '\r', // ASCII
    '＝', '＋', '－', '＠', // fullwidth U+FF1D U+FF0B U+FF0D U+FF20
    '﹦', '﹢', '﹣', '﹫', // small forms U+FE66 U+FE62 U+FE63 U+FE6B
];

/// Neutralizes one CSV text cell (OWASP's guidance on CSV injection).
///
/// 1. Control characters other than `\n` and `\t` are removed (a `\r\n`
///    typed in a form becomes `\n`).
/// 2. If what is left starts with `=` `+` `-` `@` or `\t` (or a fullwidth or
///    small form of the four operators), or starts with whitespace followed by
///    one of the operators (spreadsheets that trim spaces on import would
///    otherwise see the formula), a single quote `'` is put in front: the
///    spreadsheet then shows the cell as text. The quote stays visible to
///    plain-text readers, the lesser evil.
///
/// Returns the input borrowed when nothing had to change. Use it for every
/// field that can hold user text in any CSV the application writes; numbers
/// and dates the application formats itself (a negative amount `-12,50`)
/// don't need it.
pub fn neutralize(s: &str) -> Cow<'_, str> {
    let clean = strip_controls(s);
    if is_formula_like(&clean) {
        Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

/// Whether a spreadsheet could read `s` (already stripped of controls) as a
/// formula: the test of [`neutralize`].
pub(crate) fn is_formula_like(s: &str) -> bool {
    if s.starts_with(TRIGGERS) {
        return true;
    }
    s.trim_start().starts_with(TRIGGERS)
}

fn is_stripped(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Removes control characters (Unicode `Cc`) other than `\n` and `\t`.
pub(crate) fn strip_controls(s: &str) -> Cow<'_, str> {
    if s.contains(is_stripped) {
        Cow::Owned(s.chars().filter(|&c| !is_stripped(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// The longest prefix of `s` (whole characters) that is at most `max` UTF-16
/// code units long, the unit Excel counts its limits in.
pub(crate) fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// Longest sheet name Excel accepts, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;
const SHEET_NAME_FALLBACK: &str = "Foglio1";

/// A name Excel accepts for a worksheet, as close to `name` as possible:
/// control characters removed, `[ ] : * ? / \` replaced by `-`, cut to 31
/// characters, no apostrophe or space at either end, not empty ("Foglio1"),
/// not the reserved "History".
pub(crate) fn sheet_name(name: &str) -> String {
    let replaced: String = strip_controls(name)
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            '\n' | '\t' => ' ',
            c => c,
        })
        .collect();
    let trim = |s: &str| {
        s.trim_matches(|c: char| c == '\'' || c.is_whitespace())
            .to_owned()
    };
    let mut out = trim(truncate_utf16(&trim(&replaced), SHEET_NAME_MAX));
    if out.is_empty() {
        out = SHEET_NAME_FALLBACK.to_owned();
    }
    if out.eq_ignore_ascii_case("history") {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_triggers_get_a_leading_quote() {
        for s in [
            "=HYPERLINK(\"http://x\";\"y\")",
            "+39 035 123456",
            "-5",
            "@SUM(A1:A2)",
            "\t=1+1",
            "＝1+1",
            "＋1",
            "－1",
            "＠SUM(A1)",
            "﹦1+1",
        ] {
            assert_eq!(neutralize(s), format!("'{s}"), "{s:?}");
        }
    }

    #[test]
    fn formula_behind_leading_whitespace_is_neutralized() {
        assert_eq!(neutralize(" =1+1"), "' =1+1");
        assert_eq!(neutralize("\u{a0}\u{3000}-1"), "'\u{a0}\u{3000}-1");
        assert_eq!(neutralize("\n@x"), "'\n@x");
        assert_eq!(neutralize("  mario"), "  mario");
    }

    #[test]
    fn a_leading_carriage_return_is_removed_and_what_follows_still_checked() {
        assert_eq!(neutralize("\r=1+1"), "'=1+1");
        assert_eq!(neutralize("\rmario"), "mario");
    }

    #[test]
    fn control_characters_are_stripped_but_newline_and_tab_kept() {
        assert_eq!(
            neutralize("a\u{0}b\u{7}c\u{1b}[31md\u{7f}\u{85}"),
            "abc[31md"
        );
        assert_eq!(neutralize("riga 1\r\nriga 2\tfine"), "riga 1\nriga 2\tfine");
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in [
            "mario rossi",
            "",
            "a=b",
            "1+1",
            "e-mail",
            "'già quotato",
            "35 €",
        ] {
            assert!(matches!(neutralize(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn truncation_counts_utf16_units_and_never_splits_a_character() {
        assert_eq!(truncate_utf16("abc", 2), "ab");
        assert_eq!(truncate_utf16("abc", 3), "abc");
        // U+1F600 takes two UTF-16 units.
        assert_eq!(truncate_utf16("a\u{1F600}b", 2), "a");
        assert_eq!(truncate_utf16("a\u{1F600}b", 3), "a\u{1F600}");
    }

    #[test]
    fn sheet_names_are_made_valid_for_excel() {
        assert_eq!(sheet_name("Pratiche 03/2026"), "Pratiche 03-2026");
        assert_eq!(sheet_name("[a]:*?\\b"), "-a-----b");
        assert_eq!(sheet_name("'citati'"), "citati");
        assert_eq!(sheet_name(""), "Foglio1");
        assert_eq!(sheet_name(" ' \u{7} '"), "Foglio1");
        assert_eq!(sheet_name("History"), "History_");
        assert_eq!(sheet_name("riga\nnuova"), "riga nuova");
        let long = "Contributi economici straordinari 2026";
        assert_eq!(sheet_name(long), "Contributi economici straordina");
        assert_eq!(sheet_name(long).chars().count(), 31);
        // Cut at 31 leaving a trailing apostrophe: trimmed again.
        assert_eq!(sheet_name(&format!("{}'x", "a".repeat(30))), "a".repeat(30));
        assert_eq!(sheet_name(&"\u{1F600}".repeat(20)), "\u{1F600}".repeat(15));
    }
}
