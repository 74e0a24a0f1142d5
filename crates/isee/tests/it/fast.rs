//! The hand-written paths of `batch`: the direct DSU reader builds exactly what serde builds
//! (or leaves the text to serde), the result lines are the bytes serde writes, and the
//! parallel run writes what the one-thread run writes.

use super::common::docs_dir;
use isee::cli::{batch, batch_with_threads};
use isee::dsu::fast_input;
use isee::report::Summary;
use isee::{Dsu, DsuInput, compute};

#[path = "../../benches/support/mix.rs"]
mod mix;

/// `Some` from the direct reader must be serde's value; `None` is always allowed.
fn check(text: &str) -> bool {
    let Some(fast) = fast_input(text) else {
        return false;
    };
    let serde = serde_json::from_str::<DsuInput>(text)
        .unwrap_or_else(|e| panic!("direct reader accepted what serde refuses ({e}):\n{text}"));
    assert_eq!(format!("{fast:?}"), format!("{serde:?}"), "{text}");
    true
}

#[test]
fn direct_reader_matches_serde_on_the_examples() {
    let mut read = 0;
    for entry in std::fs::read_dir(docs_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.contains("schema") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if check(&text) {
            read += 1;
        }
    }
    assert!(read >= 5, "only {read} examples read directly");
}

#[test]
fn direct_reader_matches_serde_on_the_benchmark_mix() {
    for line in mix::mix(2000) {
        assert!(check(&line), "not read directly:\n{line}");
    }
}

#[test]
fn direct_reader_matches_serde_on_damaged_lines() {
    const PIECES: &[&str] = &[
        " ",
        "\n",
        "\"",
        "\\",
        ",",
        ":",
        "{",
        "}",
        "[",
        "]",
        "0",
        "1",
        "-",
        ".",
        "e",
        "E",
        "null",
        "true",
        "false",
        "\\u0041",
        "00",
        ",5",
        "1e3",
        "-1",
        "\t",
        "x",
        "à",
        "999999999999999",
    ];
    let lines = mix::mix(300);
    let mut r = mix::Lcg(7);
    let (mut direct, mut total) = (0, 0);
    for line in &lines {
        for _ in 0..40 {
            let mut text = line.clone();
            for _ in 0..1 + r.below(2) {
                // Cut at a char boundary, then insert, replace or delete.
                let mut at = r.below(text.len() as u64) as usize;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let piece = PIECES[r.below(PIECES.len() as u64) as usize];
                match r.below(3) {
                    0 => text.insert_str(at, piece),
                    1 => {
                        let end = (at + 1 + r.below(3) as usize).min(text.len());
                        if text.is_char_boundary(end) {
                            text.replace_range(at..end, piece);
                        }
                    }
                    _ => {
                        let end = (at + 1).min(text.len());
                        if text.is_char_boundary(end) {
                            text.replace_range(at..end, "");
                        }
                    }
                }
            }
            total += 1;
            if check(&text) {
                direct += 1;
            }
        }
    }
    // Many damaged lines stay valid (whitespace, digits inside amounts…).
    assert!(direct > total / 50, "{direct} of {total}");
}

#[test]
fn direct_reader_matches_serde_on_rearranged_fields() {
    // Keys in another order, blanks around every token, optional modules present.
    let text = r#" { "fc1" : [ { "quadro_fc1" : { "relazione" : "D" , "convivenza_anagrafica" : false } ,
        "codice_fiscale" : "RSSMRA80A01H501U" , "quadro_fc6" : { "veicoli" : [ { "tipo" : "autoveicolo", "targa" : "AB123CD" } ] },
        "quadro_fc2" : { "rapporti" : [ { "tipo" : "02" , "valore" : "1000,50" , "titoli_di_stato" : " 10 " , "quota" : "50" } ] } } ] ,
        "mb1" : { "quadro_b" : { "casa_abitazione" : "altro" , "numero_figli" : 0 } ,
                  "quadro_a" : { "componenti" : [ { "nome" : "Mario" , "cognome" : "Rossi" ,
                  "data_nascita" : "1980-01-01" , "codice_fiscale" : "RSSMRA80A01H501U" } ] } } ,
        "mb2" : null , "fc4" : [ ] , "fc2" : [ { "codice_fiscale" : "RSSMRA80A01H501U", "quadro_fc7" : { "condizione" : "grave" } } ],
        "data_presentazione" : "2025-05-02" , "prestazione" : "bonus_nido" , "variante" : "ordinario" }
"#;
    assert!(check(text));
    for bad in [
        text.replace(r#""numero_figli" : 0"#, r#""numero_figli" : 01"#),
        text.replace(r#""numero_figli" : 0"#, r#""numero_figli" : 0.0"#),
        text.replace(r#""numero_figli" : 0"#, r#""numero_figli" : -0"#),
        text.replace(
            r#""variante" : "ordinario""#,
            r#""variante" : "ordinario", "variante" : "ordinario""#,
        ),
        text.replace(r#""valore" : "1000,50""#, r#""valore" : 1000"#),
        text.replace(r#""mb2" : null"#, r#""mb2" : {"quadro_x": 1}"#),
        format!("{text} x"),
    ] {
        check(&bad);
    }
}

/// Every example (one per variant) on one line each, then the benchmark mix.
fn jsonl_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(docs_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".json") && !name.contains("schema") {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            lines.push(v.to_string());
        }
    }
    lines.extend(mix::mix(1500));
    lines
}

#[test]
fn summary_lines_are_the_bytes_serde_writes() {
    let mut lines = jsonl_lines();
    // A protocollo that needs escapes, one with accents, none at all.
    let first = lines.last().unwrap().clone();
    let proto = first.split('"').nth(3).unwrap().to_owned();
    lines.push(first.replacen(&proto, "A\\\"B\\n\\u0001è", 1));
    lines.push(first.replacen(&proto, "protocollo-è", 1));
    lines.push(first.replacen(&format!("\"protocollo\":\"{proto}\","), "", 1));
    for (k, line) in lines.iter().enumerate() {
        let dsu = Dsu::from_json(line.as_bytes()).unwrap();
        let att = compute(&dsu).unwrap();
        let summary = Summary::new(k as u64 * 7919, &dsu, &att);
        let mut mine = Vec::new();
        summary.write_json(&mut mine).unwrap();
        let serde = serde_json::to_vec(&summary).unwrap();
        assert_eq!(
            String::from_utf8(mine).unwrap(),
            String::from_utf8(serde).unwrap()
        );
    }
}

#[test]
fn parallel_batch_writes_what_one_thread_writes() {
    let mut text = String::new();
    for (k, line) in jsonl_lines().iter().cycle().take(4500).enumerate() {
        // Some blank and bad lines among the good ones, at block boundaries too.
        match k % 511 {
            0 => text.push_str("\n   \n"),
            3 => text.push_str("{\"data_presentazione\": \"2026-13-01\"}\n"),
            _ => {}
        }
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("{\"not json");
    let mut one = Vec::new();
    let mut seen_one = Vec::new();
    let s1 =
        batch_with_threads(&mut text.as_bytes(), &mut one, &mut |n| seen_one.push(n), 1).unwrap();
    for threads in [2, 3, 8] {
        let mut many = Vec::new();
        let mut seen = Vec::new();
        let s = batch_with_threads(
            &mut text.as_bytes(),
            &mut many,
            &mut |n| seen.push(n),
            threads,
        )
        .unwrap();
        assert_eq!(s, s1);
        assert_eq!(seen, seen_one);
        assert!(many == one, "{threads} threads: output differs");
    }
    let mut all = Vec::new();
    assert_eq!(
        batch(&mut text.as_bytes(), &mut all, &mut |_| {}).unwrap(),
        s1
    );
    assert!(all == one);
    assert!(s1.errors > 5 && s1.ok > 4400, "{s1:?}");
    assert_eq!(seen_one, vec![4096, s1.lines]);
}

#[test]
fn cents_rounds_like_rust_decimal() {
    use rust_decimal::{Decimal, RoundingStrategy};
    let mut r = mix::Lcg(11);
    let mut values = vec![
        Decimal::new(-1, 3),
        Decimal::new(5, 3),
        Decimal::new(-5, 3),
        Decimal::new(4999, 5),
        Decimal::MAX,
        Decimal::MIN,
        Decimal::new(1, 28),
        Decimal::from_i128_with_scale(79228162514264337593543950335, 28),
        Decimal::new(12345, 2),
        Decimal::ONE / Decimal::from(3),
        Decimal::from(2) / Decimal::from(3),
        -Decimal::from(2) / Decimal::from(3),
    ];
    for _ in 0..20000 {
        let m = i128::from(r.next()) * i128::from(r.next()) * i128::from(r.next() % 1000);
        let m = if r.below(2) == 0 { m } else { -m };
        let scale = r.below(29) as u32;
        if let Ok(d) = Decimal::try_from_i128_with_scale(m % (1i128 << 96), scale) {
            values.push(d);
        }
        let (a, b) = (Decimal::from(r.next()), Decimal::from(1 + r.below(1000)));
        values.push(a / b);
        values.push(a * Decimal::new(2, 1) / Decimal::new(157, 2));
    }
    for v in values {
        let mine = isee::calc::cents(v);
        let theirs = v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        assert_eq!(
            (mine.to_string(), mine.scale(), mine.is_sign_negative()),
            (
                theirs.to_string(),
                theirs.scale(),
                theirs.is_sign_negative()
            ),
            "{v:?}"
        );
    }
}
