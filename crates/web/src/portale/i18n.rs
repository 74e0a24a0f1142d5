//! The portal's languages: message catalogues in Fluent (`crates/web/locales/<lang>/portale.ftl`),
//! compiled into the binary, one bundle per language, and the language a citizen chose
//! (remembered in a cookie). Italian is complete and the reference: a message missing from
//! another catalogue falls back to it. A language is added by writing its catalogue and one
//! line in [`Lang`]; right-to-left languages get `dir="rtl"` from the same table.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

/// The cookie that remembers the language a citizen chose.
pub const LANG_COOKIE: &str = "sportello_lingua";

/// A language of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    It,
    En,
}

/// Every language: its code, its name in itself, its direction and its catalogue.
const LANGS: [(Lang, &str, &str, bool, &str); 2] = [
    (
        Lang::It,
        "it",
        "Italiano",
        false,
        include_str!("../../locales/it/portale.ftl"),
    ),
    (
        Lang::En,
        "en",
        "English",
        false,
        include_str!("../../locales/en/portale.ftl"),
    ),
];

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    fn row(self) -> &'static (Lang, &'static str, &'static str, bool, &'static str) {
        LANGS.iter().find(|r| r.0 == self).unwrap_or(&LANGS[0])
    }

    /// The BCP 47 code, for `lang=` and the cookie.
    pub fn code(self) -> &'static str {
        self.row().1
    }

    /// The language's own name, for the language switch.
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// `rtl` for languages written right to left, else `ltr`.
    pub fn dir(self) -> &'static str {
        if self.row().3 { "rtl" } else { "ltr" }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("");
        LANGS
            .iter()
            .find(|r| r.1.eq_ignore_ascii_case(primary))
            .map(|r| r.0)
    }

    /// The first language of an `Accept-Language` header the portal speaks, else Italian.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut ranked: Vec<(u16, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some(((q.clamp(0.0, 1.0) * 1000.0) as u16, tag))
            })
            .collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        ranked
            .into_iter()
            .find_map(|(q, tag)| (q > 0).then(|| Lang::parse(tag)).flatten())
            .unwrap_or(Lang::It)
    }
}

struct Catalogue {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

fn bundle(code: &str, source: &str) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Plain text in HTML and in tests: no Unicode isolation marks around arguments.
    bundle.set_use_isolating(false);
    // A catalogue that does not parse is a build defect caught by the tests below; what parsed
    // is still used.
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(?errors, code, "catalogo della lingua non valido");
    }
    bundle
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| {
    LANGS
        .iter()
        .map(|(lang, code, _, _, source)| Catalogue {
            lang: *lang,
            bundle: bundle(code, source),
        })
        .collect()
});

fn catalogue(lang: Lang) -> &'static Catalogue {
    CATALOGUES
        .iter()
        .find(|c| c.lang == lang)
        .unwrap_or(&CATALOGUES[0])
}

fn format(lang: Lang, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let c = catalogue(lang);
    let pattern = c.bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = c.bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(?errors, key, lang = lang.code(), "messaggio non formattato");
    }
    Some(text.into_owned())
}

/// The translator a portal page carries: `t.t("key")` in templates.
#[derive(Debug, Clone, Copy)]
pub struct T {
    pub lang: Lang,
}

impl T {
    pub fn new(lang: Lang) -> T {
        T { lang }
    }

    /// The message `key`, in Italian if this language lacks it, else the key itself.
    pub fn t(&self, key: &str) -> String {
        self.args(key, &[])
    }

    /// The message `key` with named arguments.
    pub fn args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(*v));
        }
        let fa = (!args.is_empty()).then_some(&fa);
        format(self.lang, key, fa)
            .or_else(|| format(Lang::It, key, fa))
            .unwrap_or_else(|| key.to_owned())
    }

    /// A count with the catalogue's plural forms (`$n`).
    pub fn count(&self, key: &str, n: i64) -> String {
        let mut fa = FluentArgs::new();
        fa.set("n", FluentValue::from(n));
        format(self.lang, key, Some(&fa))
            .or_else(|| format(Lang::It, key, Some(&fa)))
            .unwrap_or_else(|| key.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids of a catalogue (lines `id = …` at the start of a line).
    fn keys(source: &str) -> Vec<String> {
        source
            .lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| {
                id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_catalogue_parses_and_has_every_italian_message() {
        let italian = keys(LANGS[0].4);
        assert!(italian.len() > 20);
        for (lang, code, _, _, source) in LANGS {
            let own = keys(source);
            let missing: Vec<_> = italian.iter().filter(|k| !own.contains(k)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            assert!(FluentResource::try_new(source.to_owned()).is_ok(), "{code}");
            for key in &italian {
                assert!(catalogue(lang).bundle.has_message(key), "{code}: {key}");
            }
        }
    }

    #[test]
    fn the_language_comes_from_the_choice_or_the_browser() {
        assert_eq!(Lang::parse("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::parse("xx"), None);
        assert_eq!(
            Lang::from_accept_language("fr-FR,en;q=0.8,it;q=0.5"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de, fr;q=0.9"), Lang::It);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::It);
        assert_eq!(Lang::from_accept_language(""), Lang::It);
    }

    #[test]
    fn messages_take_arguments_and_plurals_and_fall_back_to_the_key() {
        let en = T::new(Lang::En);
        assert_eq!(en.count("applications-count", 1), "1 application");
        assert_eq!(en.count("applications-count", 3), "3 applications");
        let it = T::new(Lang::It);
        assert_eq!(it.count("applications-count", 1), "1 domanda");
        assert_eq!(it.t("no-such-message"), "no-such-message");
    }
}
