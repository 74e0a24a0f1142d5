//! `publiccode.yml` (the repository's entry in the Developers Italia catalogue) parses, and
//! holds the keys standard 0.4 requires, with values from its vocabularies.

use serde_json::Value;

fn publiccode() -> Value {
    serde_saphyr::from_str(include_str!("../../../../publiccode.yml")).expect("publiccode.yml")
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("publiccode.yml: {pointer} missing or not text"))
}

fn list<'a>(v: &'a Value, pointer: &str) -> Vec<&'a str> {
    let items = v
        .pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("publiccode.yml: {pointer} missing or not a list"));
    assert!(!items.is_empty(), "publiccode.yml: {pointer} is empty");
    items
        .iter()
        .map(|i| i.as_str().expect("a list of text"))
        .collect()
}

#[test]
fn publiccode_yml_has_the_keys_of_standard_0_4() {
    let p = publiccode();
    assert_eq!(text(&p, "/publiccodeYmlVersion"), "0.4");
    assert_eq!(text(&p, "/name"), "Sportello");
    for key in ["/url", "/landingURL"] {
        assert!(text(&p, key).starts_with("https://"), "{key}");
    }
    let date = text(&p, "/releaseDate");
    time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or_else(|e| panic!("releaseDate {date}: {e}"));
    assert_eq!(list(&p, "/platforms"), ["web"]);
    // The standard's controlled vocabularies (categories-list, scope-list).
    const CATEGORIES: &[&str] = &[
        "appointment-scheduling",
        "data-analytics",
        "data-collection",
        "digital-citizenship",
        "document-management",
        "grant-management",
        "workflow-management",
    ];
    for c in list(&p, "/categories") {
        assert!(CATEGORIES.contains(&c), "category {c} not in the list");
    }
    for s in list(&p, "/intendedAudience/scope") {
        assert!(
            ["welfare", "local-authorities", "society"].contains(&s),
            "scope {s}"
        );
    }
    assert!(
        ["concept", "development", "beta", "stable", "obsolete"]
            .contains(&text(&p, "/developmentStatus"))
    );
    assert_eq!(text(&p, "/softwareType"), "standalone/web");
    for lang in ["it", "en"] {
        let short = text(&p, &format!("/description/{lang}/shortDescription"));
        assert!(
            short.chars().count() <= 150,
            "{lang} shortDescription: {} characters",
            short.chars().count()
        );
        let long = text(&p, &format!("/description/{lang}/longDescription"));
        let n = long.chars().count();
        assert!((150..=10_000).contains(&n), "{lang} longDescription: {n}");
        assert!(!list(&p, &format!("/description/{lang}/features")).is_empty());
    }
    // The license is the workspace's.
    let cargo = include_str!("../../../../Cargo.toml");
    let license = text(&p, "/legal/license");
    assert!(
        cargo.contains(&format!("license = \"{license}\"")),
        "{license}"
    );
    let maintenance = text(&p, "/maintenance/type");
    assert!(["internal", "contract", "community", "none"].contains(&maintenance));
    if ["internal", "community"].contains(&maintenance) {
        assert!(p.pointer("/maintenance/contacts/0/name").is_some());
    }
    assert_eq!(
        p.pointer("/localisation/localisationReady"),
        Some(&Value::Bool(true))
    );
    // Every language the portal speaks.
    let languages = list(&p, "/localisation/availableLanguages");
    for dir in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/locales")).unwrap() {
        let name = dir.unwrap().file_name().into_string().unwrap();
        assert!(languages.contains(&name.as_str()), "{name} missing");
    }
    assert_eq!(text(&p, "/dependsOn/open/0/name"), "PostgreSQL");
    assert_eq!(
        p.pointer("/dependsOn/open/0/optional"),
        Some(&Value::Bool(true))
    );
    // The Italian extension: only the platforms really used.
    assert_eq!(text(&p, "/it/countryExtensionVersion"), "1.0");
    assert_eq!(p.pointer("/it/piattaforme/spid"), Some(&Value::Bool(true)));
    assert_eq!(p.pointer("/it/piattaforme/cie"), Some(&Value::Bool(true)));
    // The co-payment bills are pagoPA notices (IUV, notice number, QR code, GPD positions).
    assert_eq!(
        p.pointer("/it/piattaforme/pagopa"),
        Some(&Value::Bool(true))
    );
    assert!(p.pointer("/it/conforme").is_some());
}

#[test]
fn the_changelog_keeps_a_changelog_format() {
    let log = include_str!("../../../../CHANGELOG.md");
    assert!(log.starts_with("# Changelog\n"));
    assert!(log.contains("https://keepachangelog.com/"));
    assert!(log.contains("\n## [Unreleased]\n"));
    assert!(log.contains("\n### Added\n"));
}
