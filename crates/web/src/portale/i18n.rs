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

/// A language's catalogue: one Fluent file per part of the portal (`portale.ftl` the frame,
/// the sign-in and the pages that follow an application, `domanda.ftl` applying online,
/// `seguito.ftl` the messages and answers to the office), all compiled in.
macro_rules! catalogue {
    ($code:literal) => {
        &[
            include_str!(concat!("../../locales/", $code, "/portale.ftl")),
            include_str!(concat!("../../locales/", $code, "/domanda.ftl")),
            include_str!(concat!("../../locales/", $code, "/seguito.ftl")),
        ]
    };
}

/// One language of the table below.
struct LangRow {
    lang: Lang,
    code: &'static str,
    /// Its name in itself, for the language switch.
    name: &'static str,
    rtl: bool,
    /// Every message translated (a unit test holds it to that); else missing ones show in
    /// Italian.
    complete: bool,
    sources: &'static [&'static str],
}

/// Every language: its code, its name in itself, its direction and its catalogue.
const LANGS: [LangRow; 2] = [
    LangRow {
        lang: Lang::It,
        code: "it",
        name: "Italiano",
        rtl: false,
        complete: true,
        sources: catalogue!("it"),
    },
    LangRow {
        lang: Lang::En,
        code: "en",
        name: "English",
        rtl: false,
        complete: true,
        sources: catalogue!("en"),
    },
];

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    fn row(self) -> &'static LangRow {
        LANGS.iter().find(|r| r.lang == self).unwrap_or(&LANGS[0])
    }

    /// The BCP 47 code, for `lang=` and the cookie.
    pub fn code(self) -> &'static str {
        self.row().code
    }

    /// The language's own name, for the language switch.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// `rtl` for languages written right to left, else `ltr`.
    pub fn dir(self) -> &'static str {
        if self.row().rtl { "rtl" } else { "ltr" }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("");
        LANGS
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(primary))
            .map(|r| r.lang)
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

fn bundle(code: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = code.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Plain text in HTML and in tests: no Unicode isolation marks around arguments.
    bundle.set_use_isolating(false);
    // A catalogue that does not parse is a build defect caught by the tests below; what parsed
    // is still used.
    for source in sources {
        let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, _)| r);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(?errors, code, "catalogo della lingua non valido");
        }
    }
    bundle
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| {
    LANGS
        .iter()
        .map(|r| Catalogue {
            lang: r.lang,
            bundle: bundle(r.code, r.sources),
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
    fn every_catalogue_parses_and_the_complete_ones_have_every_italian_message() {
        let italian: Vec<String> = LANGS[0].sources.iter().flat_map(|s| keys(s)).collect();
        assert!(italian.len() > 20);
        for row in &LANGS {
            for source in row.sources {
                assert!(
                    FluentResource::try_new((*source).to_owned()).is_ok(),
                    "{}",
                    row.code
                );
            }
            let own: Vec<String> = row.sources.iter().flat_map(|s| keys(s)).collect();
            let unknown: Vec<_> = own.iter().filter(|k| !italian.contains(k)).collect();
            assert!(
                unknown.is_empty(),
                "{} has {unknown:?}, unknown in Italian",
                row.code
            );
            if row.complete {
                let missing: Vec<_> = italian.iter().filter(|k| !own.contains(k)).collect();
                assert!(missing.is_empty(), "{} lacks {missing:?}", row.code);
                for key in &italian {
                    assert!(
                        catalogue(row.lang).bundle.has_message(key),
                        "{}: {key}",
                        row.code
                    );
                }
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
