//! The portal's languages: message catalogues in Fluent (`crates/web/locales/<lang>/*.ftl`),
//! compiled into the binary, one bundle per language, and the language a citizen chose
//! (remembered in a cookie). Italian is complete and the reference: a message missing from
//! another catalogue falls back to it. A language is added by writing its catalogue and one
//! row of [`LANGS`] (its name in itself, its direction, how it writes dates and amounts);
//! right-to-left languages get `dir="rtl"` from the same table.

use domain::localtime::to_local;
use domain::money::Money;
use domain::{Arg, FieldError};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use time::{Date, OffsetDateTime};
use unic_langid::LanguageIdentifier;

/// The cookie that remembers the language a citizen chose.
pub const LANG_COOKIE: &str = "sportello_lingua";

/// A language of the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    It,
    En,
    Ar,
    Ro,
    Sq,
    Uk,
    Zh,
}

/// A language's catalogue: one Fluent file per part of the portal (`portale.ftl` the frame,
/// the sign-in and the pages that follow an application, `domanda.ftl` applying online,
/// `seguito.ftl` the messages and answers to the office, `account.ftl` the local accounts),
/// all compiled in.
macro_rules! catalogue {
    ($code:literal) => {
        &[
            include_str!(concat!("../../locales/", $code, "/portale.ftl")),
            include_str!(concat!("../../locales/", $code, "/domanda.ftl")),
            include_str!(concat!("../../locales/", $code, "/seguito.ftl")),
            include_str!(concat!("../../locales/", $code, "/account.ftl")),
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
    formats: Formats,
}

/// How a language writes a date and an amount in euro, after CLDR (checked against the
/// browsers' `Intl`); digits stay Western in every language, Arabic included.
struct Formats {
    /// The month as it stands after the day: «7 dicembre», the Ukrainian genitive «7 грудня»,
    /// the Chinese «12月».
    months: [&'static str; 12],
    /// Year first («2026年12月7日») or day first («7 dicembre 2026»).
    year_first: bool,
    /// After the year (the Ukrainian «р.», the Chinese «年») and after the day (the Chinese «日»).
    year_suffix: &'static str,
    day_suffix: &'static str,
    /// Between the date and the time.
    time_sep: &'static str,
    /// Thousands and decimal separators.
    group: char,
    decimal: char,
    /// «€1,234.56» rather than «1.234,56 €».
    euro_first: bool,
}

/// Day-first dates and «1.234,56 €» amounts, the Italian way; the rows below change what
/// differs.
const DAY_FIRST: Formats = Formats {
    months: territory::MONTH_NAMES,
    year_first: false,
    year_suffix: "",
    day_suffix: "",
    time_sep: ", ",
    group: '.',
    decimal: ',',
    euro_first: false,
};

/// Every language: its code, its name in itself, its direction, its catalogue and its formats.
const LANGS: [LangRow; 7] = [
    LangRow {
        lang: Lang::It,
        code: "it",
        name: "Italiano",
        rtl: false,
        complete: true,
        sources: catalogue!("it"),
        formats: DAY_FIRST,
    },
    LangRow {
        lang: Lang::En,
        code: "en",
        name: "English",
        rtl: false,
        complete: true,
        sources: catalogue!("en"),
        formats: Formats {
            months: [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
            group: ',',
            decimal: '.',
            euro_first: true,
            ..DAY_FIRST
        },
    },
    LangRow {
        lang: Lang::Ar,
        code: "ar",
        name: "العربية",
        rtl: true,
        complete: true,
        sources: catalogue!("ar"),
        formats: Formats {
            months: [
                "يناير",
                "فبراير",
                "مارس",
                "أبريل",
                "مايو",
                "يونيو",
                "يوليو",
                "أغسطس",
                "سبتمبر",
                "أكتوبر",
                "نوفمبر",
                "ديسمبر",
            ],
            time_sep: "، ",
            group: ',',
            decimal: '.',
            ..DAY_FIRST
        },
    },
    LangRow {
        lang: Lang::Ro,
        code: "ro",
        name: "Română",
        rtl: false,
        complete: true,
        sources: catalogue!("ro"),
        formats: Formats {
            months: [
                "ianuarie",
                "februarie",
                "martie",
                "aprilie",
                "mai",
                "iunie",
                "iulie",
                "august",
                "septembrie",
                "octombrie",
                "noiembrie",
                "decembrie",
            ],
            ..DAY_FIRST
        },
    },
    LangRow {
        lang: Lang::Sq,
        code: "sq",
        name: "Shqip",
        rtl: false,
        complete: true,
        sources: catalogue!("sq"),
        formats: Formats {
            months: [
                "janar", "shkurt", "mars", "prill", "maj", "qershor", "korrik", "gusht", "shtator",
                "tetor", "nëntor", "dhjetor",
            ],
            group: '\u{a0}',
            ..DAY_FIRST
        },
    },
    LangRow {
        lang: Lang::Uk,
        code: "uk",
        name: "Українська",
        rtl: false,
        complete: true,
        sources: catalogue!("uk"),
        formats: Formats {
            months: [
                "січня",
                "лютого",
                "березня",
                "квітня",
                "травня",
                "червня",
                "липня",
                "серпня",
                "вересня",
                "жовтня",
                "листопада",
                "грудня",
            ],
            year_suffix: "\u{a0}р.",
            group: '\u{a0}',
            ..DAY_FIRST
        },
    },
    LangRow {
        lang: Lang::Zh,
        code: "zh",
        name: "中文",
        rtl: false,
        complete: true,
        sources: catalogue!("zh"),
        formats: Formats {
            months: [
                "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月",
                "12月",
            ],
            year_first: true,
            year_suffix: "年",
            day_suffix: "日",
            time_sep: " ",
            group: ',',
            decimal: '.',
            euro_first: true,
        },
    },
];

impl Lang {
    pub const ALL: [Lang; 7] = [
        Lang::It,
        Lang::En,
        Lang::Ar,
        Lang::Ro,
        Lang::Sq,
        Lang::Uk,
        Lang::Zh,
    ];

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

/// A refusal of a form as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field it refuses (the id of its input), "" for the whole form.
    pub field: &'static str,
    /// Beside the field.
    pub text: String,
    /// In the list at the top of the form, after the field's name.
    pub summary: String,
    /// `it` when only the office's Italian words it.
    pub lang: Option<&'static str>,
}

impl Problem {
    /// The refusal of the field `field`, if any.
    pub fn of<'a>(problems: &'a [Problem], field: &str) -> Option<&'a Problem> {
        problems.iter().find(|p| p.field == field)
    }
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
        self.message(key, None)
    }

    /// The message `key` with named arguments.
    pub fn args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, FluentValue::from(*v));
        }
        self.message(key, (!args.is_empty()).then_some(&fa))
    }

    /// A count with the catalogue's plural forms (`$n`).
    pub fn count(&self, key: &str, n: i64) -> String {
        let mut fa = FluentArgs::new();
        fa.set("n", FluentValue::from(n));
        self.message(key, Some(&fa))
    }

    fn message(&self, key: &str, args: Option<&FluentArgs>) -> String {
        self.lookup(key, args).unwrap_or_else(|| key.to_owned())
    }

    /// The message `key` in this language, else in Italian, else none.
    fn lookup(&self, key: &str, args: Option<&FluentArgs>) -> Option<String> {
        format(self.lang, key, args).or_else(|| {
            // Expected while a language is being translated; in a complete one, a defect.
            if self.lang.row().complete {
                tracing::warn!(key, lang = self.lang.code(), "messaggio mancante");
            }
            format(Lang::It, key, args)
        })
    }

    /// A form's refusals as a page shows them: each in this language when the catalogues
    /// word what it [says](FieldError::says) (a date, an amount in this language's way), else
    /// in the office's Italian; in the list at the top after the name of its field, which
    /// `label` gives for the page's fields.
    pub fn problems(
        &self,
        errors: &[FieldError],
        label: impl Fn(&str) -> Option<String>,
    ) -> Vec<Problem> {
        errors
            .iter()
            .map(|e| {
                let worded = e.says.as_ref().and_then(|says| {
                    let mut args = FluentArgs::new();
                    for (name, value) in &says.args {
                        let value = match value {
                            Arg::Text(s) => FluentValue::from(s.clone()),
                            Arg::Number(n) => FluentValue::from(*n),
                            Arg::Date(d) => FluentValue::from(self.date(*d)),
                            Arg::Money(m) => FluentValue::from(self.money(*m)),
                        };
                        args.set(*name, value);
                    }
                    self.lookup(says.id, Some(&args))
                });
                match worded {
                    Some(text) => Problem {
                        field: e.field,
                        summary: match label(e.field) {
                            Some(l) => {
                                self.args("field-problem", &[("field", &l), ("problem", &text)])
                            }
                            None => text.clone(),
                        },
                        text,
                        lang: None,
                    },
                    None => Problem {
                        field: e.field,
                        text: e.message.clone(),
                        summary: e.message.clone(),
                        lang: (self.lang != Lang::It).then_some("it"),
                    },
                }
            })
            .collect()
    }

    /// A date in full, the language's way: «7 dicembre 2026», «7 December 2026», «2026年12月7日».
    pub fn date(&self, d: Date) -> String {
        let f = &self.lang.row().formats;
        let month = f.months[usize::from(u8::from(d.month())) - 1];
        let (day, year) = (d.day(), d.year());
        if f.year_first {
            format!("{year}{}{month}{day}{}", f.year_suffix, f.day_suffix)
        } else {
            format!("{day}{} {month} {year}{}", f.day_suffix, f.year_suffix)
        }
    }

    /// A moment as a date and the time of day, in Italian time (the office's clock).
    pub fn date_time(&self, at: OffsetDateTime) -> String {
        let l = to_local(at);
        format!(
            "{}{}{:02}:{:02}",
            self.date(l.date()),
            self.lang.row().formats.time_sep,
            l.hour(),
            l.minute()
        )
    }

    /// An amount in euro with the language's separators and the sign of the euro where it
    /// goes: «1.234,56 €», «€1,234.56». In a right-to-left language a right-to-left mark first,
    /// as CLDR writes it, keeps the figure and its € in reading order.
    pub fn money(&self, m: Money) -> String {
        let row = self.lang.row();
        let f = &row.formats;
        let figure = Money(m.cents().saturating_abs()).format_with(f.group, f.decimal);
        let sign = if m.cents() < 0 { "-" } else { "" };
        let mark = if row.rtl { "\u{200f}" } else { "" };
        if f.euro_first {
            format!("{mark}{sign}€{figure}")
        } else {
            format!("{mark}{sign}{figure}\u{a0}€")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

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

    /// Every argument a message of the catalogues takes, for formatting them all.
    fn all_arguments(n: i64) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        for name in [
            "name",
            "provider",
            "benefit",
            "date",
            "citation",
            "code",
            "copayment",
            "days",
            "delivered",
            "office",
            "protocol",
            "unit",
            "until",
            "value",
            "field",
            "problem",
            "char",
            "first",
            "last",
            "kind",
            "minors",
            "household",
        ] {
            args.set(name, FluentValue::from("x"));
        }
        for name in ["n", "max", "min", "mib"] {
            args.set(name, FluentValue::from(n));
        }
        args
    }

    /// Each message of a catalogue with the variables it uses (`$name`), its variants' lines
    /// included.
    fn variables(source: &str) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current = None;
        for line in source.lines() {
            if let Some(id) = keys(line).pop() {
                current = Some(id);
            } else if !line.starts_with(' ') {
                current = None;
            }
            let Some(id) = &current else { continue };
            let used = out.entry(id.clone()).or_default();
            for rest in line.split('$').skip(1) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                used.insert(name);
            }
        }
        out
    }

    /// The message ids the code gives to refusals (`FieldError::says`), read from the sources of
    /// the crates that make them.
    fn ids_said() -> BTreeSet<String> {
        fn walk(dir: &std::path::Path, ids: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, ids);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let source = std::fs::read_to_string(&path).expect("a source file");
                    // Spelt in two so that this file does not match itself.
                    for after in source.split(concat!("says", "(")).skip(1) {
                        if let Some(rest) = after.trim_start().strip_prefix('"') {
                            ids.insert(rest.split('"').next().unwrap_or("").to_owned());
                        }
                    }
                }
            }
        }
        let mut ids = BTreeSet::new();
        let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for krate in ["domain", "app", "web"] {
            walk(&crates.join(krate).join("src"), &mut ids);
        }
        ids
    }

    #[test]
    fn every_refusal_the_code_says_is_in_the_italian_catalogue() {
        let ids = ids_said();
        assert!(ids.contains("field-required") && ids.contains("apply-error-stale"));
        for id in ids {
            assert!(
                catalogue(Lang::It).bundle.has_message(&id),
                "«{id}» is said but not in the catalogues"
            );
        }
    }

    #[test]
    fn a_complete_language_has_every_italian_message_with_the_same_variables() {
        let italian: BTreeMap<_, _> = LANGS[0].sources.iter().flat_map(|s| variables(s)).collect();
        assert!(italian["apply-isee-choice"].contains("until"));
        for row in LANGS.iter().filter(|r| r.complete) {
            let own: BTreeMap<_, _> = row.sources.iter().flat_map(|s| variables(s)).collect();
            for (id, vars) in &italian {
                assert_eq!(own.get(id), Some(vars), "{}: {id}", row.code);
            }
        }
    }

    #[test]
    fn every_catalogue_parses_translates_the_portal_frame_and_the_complete_ones_everything() {
        let italian: Vec<String> = LANGS[0].sources.iter().flat_map(|s| keys(s)).collect();
        let frame = keys(LANGS[0].sources[0]);
        assert!(frame.len() > 20);
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
            // The portal's frame (portale.ftl) is translated in every language, the
            // incomplete ones included: only the newer parts may fall back to Italian.
            let own_frame = keys(row.sources[0]);
            let untranslated: Vec<_> = frame.iter().filter(|k| !own_frame.contains(k)).collect();
            assert!(
                untranslated.is_empty(),
                "{} lacks {untranslated:?}",
                row.code
            );
            let must: &[String] = if row.complete { &italian } else { &frame };
            let bundle = &catalogue(row.lang).bundle;
            for key in must {
                let pattern = bundle.get_message(key).and_then(|m| m.value());
                let pattern = pattern.unwrap_or_else(|| panic!("{}: {key}", row.code));
                // Every placeable resolves and every plural category the language has
                // picks a variant.
                for n in [0, 1, 2, 3, 5, 11, 21, 100, 102] {
                    let mut errors = Vec::new();
                    bundle.format_pattern(pattern, Some(&all_arguments(n)), &mut errors);
                    assert!(errors.is_empty(), "{}: {key}: {errors:?}", row.code);
                }
            }
        }
    }

    #[test]
    fn plurals_follow_each_language_rules() {
        let cases: [(Lang, i64, &str); 12] = [
            (Lang::Ro, 1, "1 cerere"),
            (Lang::Ro, 3, "3 cereri"),
            (Lang::Ro, 20, "20 de cereri"),
            (Lang::Uk, 1, "1 заява"),
            (Lang::Uk, 3, "3 заяви"),
            (Lang::Uk, 5, "5 заяв"),
            (Lang::Uk, 21, "21 заява"),
            (Lang::Ar, 2, "طلبان"),
            (Lang::Ar, 3, "3 طلبات"),
            (Lang::Ar, 11, "11 طلبًا"),
            (Lang::Sq, 2, "2 kërkesa"),
            (Lang::Zh, 1, "1 份申请"),
        ];
        for (lang, n, text) in cases {
            assert_eq!(
                T::new(lang).count("applications-count", n),
                text,
                "{lang:?} {n}"
            );
        }
    }

    #[test]
    fn dates_and_amounts_are_written_the_language_way() {
        let d = time::macros::date!(2026 - 12 - 07);
        // 13:05 UTC is 14:05 in Italy in December.
        let at = time::macros::datetime!(2026-12-07 13:05 UTC);
        let m = Money(123_456);
        let cases: [(Lang, &str, &str, &str); 7] = [
            (
                Lang::It,
                "7 dicembre 2026",
                "7 dicembre 2026, 14:05",
                "1.234,56\u{a0}€",
            ),
            (
                Lang::En,
                "7 December 2026",
                "7 December 2026, 14:05",
                "€1,234.56",
            ),
            (
                Lang::Ar,
                "7 ديسمبر 2026",
                "7 ديسمبر 2026، 14:05",
                "\u{200f}1,234.56\u{a0}€",
            ),
            (
                Lang::Ro,
                "7 decembrie 2026",
                "7 decembrie 2026, 14:05",
                "1.234,56\u{a0}€",
            ),
            (
                Lang::Sq,
                "7 dhjetor 2026",
                "7 dhjetor 2026, 14:05",
                "1\u{a0}234,56\u{a0}€",
            ),
            (
                Lang::Uk,
                "7 грудня 2026\u{a0}р.",
                "7 грудня 2026\u{a0}р., 14:05",
                "1\u{a0}234,56\u{a0}€",
            ),
            (
                Lang::Zh,
                "2026年12月7日",
                "2026年12月7日 14:05",
                "€1,234.56",
            ),
        ];
        for (lang, date, date_time, money) in cases {
            let t = T::new(lang);
            assert_eq!(t.date(d), date, "{lang:?}");
            assert_eq!(t.date_time(at), date_time, "{lang:?}");
            assert_eq!(t.money(m), money, "{lang:?}");
        }
        let it = T::new(Lang::It);
        assert_eq!(it.money(Money(-5)), "-0,05\u{a0}€");
        assert_eq!(it.money(Money(100_000_000)), "1.000.000,00\u{a0}€");
        assert_eq!(it.money(m), m.format(), "the office's form, in Italian");
        assert_eq!(T::new(Lang::En).money(Money(-123_456)), "-€1,234.56");
        assert_eq!(
            T::new(Lang::Zh).date(time::macros::date!(2027 - 01 - 31)),
            "2027年1月31日"
        );
        // Summer time: 12:00 UTC is 14:00 in Italy.
        let july = time::macros::datetime!(2026-07-01 12:00 UTC);
        assert_eq!(T::new(Lang::En).date_time(july), "1 July 2026, 14:00");
    }

    #[test]
    fn the_language_comes_from_the_choice_or_the_browser() {
        assert_eq!(Lang::parse("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::parse("xx"), None);
        assert_eq!(Lang::parse("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(
            Lang::from_accept_language("uk-UA,uk;q=0.9,ru;q=0.8"),
            Lang::Uk
        );
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::Ro.dir(), "ltr");
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
