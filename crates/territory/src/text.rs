//! Text folding shared by name search and codice fiscale encoding.

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";

/// Folds one character to lowercase ASCII letters/digits; everything else
/// (spaces, apostrophes, hyphens, unknown scripts) folds to nothing, so that
/// "Sant'Agata", "SANT AGATA" and "santagata" compare equal.
fn fold(c: char) -> &'static str {
    if c.is_ascii_alphabetic() {
        let i = usize::from(c.to_ascii_lowercase() as u8 - b'a');
        return LOWER.get(i..=i).unwrap_or("");
    }
    if c.is_ascii_digit() {
        let i = usize::from(c as u8 - b'0');
        return DIGITS.get(i..=i).unwrap_or("");
    }
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => {
            "i"
        }
        'ł' | 'ľ' | 'Ł' | 'Ľ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' => {
            "o"
        }
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => "",
    }
}

/// Accent- and case-insensitive key for name search: lowercase ASCII letters
/// and digits only.
pub(crate) fn search_key(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// The words of a personal name, each folded like [`search_key`]; words are split at blanks,
/// hyphens and slashes (a double surname "Rossi-Bianchi" is found by either part), while an
/// apostrophe joins ("D'Angelo" is one word, "dangelo").
pub fn name_words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .map(search_key)
        .filter(|w| !w.is_empty())
        .collect()
}

/// The uppercase ASCII letters of a personal name, accents folded, as used by
/// the codice fiscale algorithm.
pub(crate) fn cf_letters(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.chars()
        .flat_map(|c| fold(c).bytes())
        .filter(u8::is_ascii_lowercase)
        .map(|b| b.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_ignores_case_accents_and_punctuation() {
        assert_eq!(search_key("Forlì"), "forli");
        assert_eq!(search_key("FORLI'"), "forli");
        assert_eq!(search_key("Vighizzolo d'Este"), "vighizzolodeste");
        assert_eq!(search_key("  Bellaria-Igea Marina "), "bellariaigeamarina");
    }

    #[test]
    fn cf_letters_keeps_only_folded_letters() {
        let s: Vec<u8> = cf_letters("D'Àngelo-Müller 2ª").collect();
        assert_eq!(s, b"DANGELOMULLER");
    }
}
