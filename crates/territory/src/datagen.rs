//! Reproducible conversion of the source JSON (shared/data/comuni) into the
//! compact tables embedded by `places`. `cargo test generated_tables` checks
//! that the committed tables match the sources; with
//! `TERRITORY_REGENERATE=1` it rewrites them.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::text::search_key;

#[derive(Deserialize)]
struct IstatRow {
    nome: String,
    codice: String,
    regione: Named,
    #[serde(rename = "codiceCatastale")]
    codice_catastale: String,
}

#[derive(Deserialize)]
struct Named {
    nome: String,
}

#[derive(Deserialize)]
struct HistoricRow {
    code: String,
    date_created: String,
    date_deleted: String,
    name: String,
    name_alt: String,
    province: String,
}

#[derive(Deserialize)]
struct StateRow {
    code: String,
    date_created: String,
    date_deleted: String,
    name: String,
    name_alt: String,
    name_alt_en: String,
}

fn is_belfiore(code: &str) -> bool {
    matches!(code.as_bytes(), [l, d @ ..] if l.is_ascii_uppercase() && d.len() == 3 && d.iter().all(u8::is_ascii_digit))
}

/// `YYYY-MM-DD` from the source timestamps (one of which is malformed as
/// `1934-01-01:T00:00:00`).
fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or("").to_owned()
}

/// Alternative names whose search key differs from the main name's.
fn aliases<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen = vec![search_key(name)];
    let mut out = Vec::new();
    for c in candidates {
        let key = search_key(c);
        if !key.is_empty() && !seen.contains(&key) {
            seen.push(key);
            out.push(c.trim());
        }
    }
    out.join("|")
}

fn clean(field: &str) -> &str {
    assert!(
        !field.contains(['\t', '\n', '|']),
        "separator inside a field: {field:?}"
    );
    field.trim()
}

fn comuni_table(historic: &[HistoricRow], istat: &[IstatRow]) -> String {
    let istat_by_code: HashMap<&str, &IstatRow> = istat
        .iter()
        .map(|r| (r.codice_catastale.as_str(), r))
        .collect();
    let mut rows: Vec<&HistoricRow> = historic.iter().filter(|r| is_belfiore(&r.code)).collect();
    rows.sort_by(|a, b| {
        (&a.code, day(&a.date_created), &a.name).cmp(&(&b.code, day(&b.date_created), &b.name))
    });
    let mut out = String::from(
        "# Generated from belfiore-storico.json and comuni-istat.json (see data/README.md); do not edit.\n\
         # belfiore\tvalid_from\tvalid_to\tprovince\tistat\tregion\tname\taliases\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let latest = rows.get(i + 1).is_none_or(|next| next.code != r.code);
        // The ISTAT list describes a comune as it is now: attach it to the
        // code's latest period only.
        let current = latest.then(|| istat_by_code.get(r.code.as_str())).flatten();
        let (istat_code, region, name, alias) = match current {
            Some(c) => (
                c.codice.as_str(),
                c.regione.nome.as_str(),
                c.nome.as_str(),
                aliases(&c.nome, [r.name.as_str(), r.name_alt.as_str()]),
            ),
            None => (
                "",
                "",
                r.name.as_str(),
                aliases(&r.name, [r.name_alt.as_str()]),
            ),
        };
        let fields = [
            r.code.as_str(),
            &day(&r.date_created),
            &day(&r.date_deleted),
            clean(&r.province),
            istat_code,
            clean(region),
            clean(name),
            &alias,
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

fn states_table(states: &[StateRow]) -> String {
    let mut rows: Vec<&StateRow> = states.iter().filter(|r| is_belfiore(&r.code)).collect();
    rows.sort_by(|a, b| (&a.code, day(&a.date_created)).cmp(&(&b.code, day(&b.date_created))));
    let mut out = String::from(
        "# Generated from stati-esteri.json (see data/README.md); do not edit.\n\
         # code\tvalid_from\tvalid_to\tname\taliases\n",
    );
    for r in rows {
        let alias = aliases(&r.name, [r.name_alt.as_str(), r.name_alt_en.as_str()]);
        let fields = [
            r.code.as_str(),
            &day(&r.date_created),
            &day(&r.date_deleted),
            clean(&r.name),
            &alias,
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

fn read_json<T: for<'de> Deserialize<'de>>(dir: &std::path::Path, file: &str) -> T {
    let text = std::fs::read_to_string(dir.join(file)).expect("readable source file");
    serde_json::from_str(&text).expect("well-formed source JSON")
}

#[test]
fn generated_tables_are_current() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let source = std::env::var_os("TERRITORY_SOURCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared/data/comuni"));
    if !source.join("belfiore-storico.json").exists() {
        eprintln!(
            "sources not found in {}: tables not checked",
            source.display()
        );
        return;
    }
    let historic: Vec<HistoricRow> = read_json(&source, "belfiore-storico.json");
    let istat: Vec<IstatRow> = read_json(&source, "comuni-istat.json");
    let states: Vec<StateRow> = read_json(&source, "stati-esteri.json");
    let tables = [
        ("comuni.tsv", comuni_table(&historic, &istat)),
        ("stati-esteri.tsv", states_table(&states)),
    ];
    let regenerate = std::env::var_os("TERRITORY_REGENERATE").is_some_and(|v| v == "1");
    for (file, content) in tables {
        let path = manifest.join("data").join(file);
        if regenerate {
            std::fs::write(&path, content).expect("writable data dir");
        } else {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == content,
                "data/{file} is stale: run TERRITORY_REGENERATE=1 cargo test generated_tables"
            );
        }
    }
}
