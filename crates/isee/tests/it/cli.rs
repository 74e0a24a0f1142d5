//! The functions behind `sportello isee`.

use super::common::*;
use isee::cli::{BatchSummary, CliError, batch, calc, explain};
use serde_json::Value;

#[test]
fn calc_writes_top_level_figures_as_decimal_strings() {
    let input = single().lavoro(0, "20000").0.to_string();
    let mut out = Vec::new();
    calc(&mut input.as_bytes(), &mut out).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["isr"], "17000.00");
    assert_eq!(v["isp"], "0.00");
    assert_eq!(v["ise"], "17000.00");
    assert_eq!(v["scala"], "1.00");
    assert_eq!(v["isee"], "17000.00");
    assert_eq!(v["variante"], "ordinario");
    assert!(v["detail"]["righe"].is_array());
    assert!(v["isee_prestazioni_familiari"]["isee"].is_string());
}

#[test]
fn calc_error_is_italian_and_names_quadro_and_field() {
    let input = single()
        .fc8(0, serde_json::json!({"reddito_complessivo": "-5"}))
        .0
        .to_string();
    let err = calc(&mut input.as_bytes(), &mut Vec::new()).unwrap_err();
    assert!(matches!(err, CliError::Dsu(_)));
    let msg = err.to_string();
    assert!(msg.starts_with("DSU non valida"), "{msg}");
    assert!(
        msg.contains("Quadro FC8") && msg.contains("reddito_complessivo"),
        "{msg}"
    );
}

#[test]
fn batch_answers_every_line_and_goes_on_after_a_bad_one() {
    let good = single().lavoro(0, "20000").0.to_string();
    let input = format!("{good}\n{{not json\n\n{good}\n");
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let summary = batch(&mut input.as_bytes(), &mut out, &mut |n| seen.push(n)).unwrap();
    assert_eq!(
        summary,
        BatchSummary {
            lines: 4,
            ok: 2,
            errors: 1
        }
    );
    assert_eq!(seen.last(), Some(&4));
    let lines: Vec<Value> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["isee"], "17000.00");
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("JSON non valido")
    );
    assert_eq!(lines[2]["line"], 4);
}

#[test]
fn explain_tells_each_step_with_figure_and_article() {
    let input = std::fs::read(docs_dir().join("famiglia-mutuo-casa.json")).unwrap();
    let mut out = Vec::new();
    explain(&mut input.as_slice(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    for needle in [
        "1. I redditi",
        "2. Il patrimonio",
        "3. L'ISE",
        "4. La scala",
        "5. L'ISEE",
        "22.867,69 €",
        "art. 5 c. 2",
        "Allegato 1",
    ] {
        assert!(text.contains(needle), "manca «{needle}» in:\n{text}");
    }
}

#[test]
fn cli_errors_carry_their_cause_once() {
    // The message holds the cause; no source() repeats it when the chain is printed.
    let input = single()
        .fc8(0, serde_json::json!({"reddito_complessivo": "-5"}))
        .0
        .to_string();
    let err = calc(&mut input.as_bytes(), &mut Vec::new()).unwrap_err();
    assert!(std::error::Error::source(&err).is_none());
    assert_eq!(err.to_string().matches("reddito_complessivo").count(), 1);
}

#[test]
fn batch_summary_fails_when_a_line_fails_and_prints_each_error_once() {
    let good = single().lavoro(0, "20000").0.to_string();
    let bad = single()
        .fc8(0, serde_json::json!({"reddito_complessivo": "-5"}))
        .0
        .to_string();
    let mut out = Vec::new();
    let summary = batch(
        &mut format!("{good}\n{bad}\n").as_bytes(),
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    assert!(!summary.all_ok());
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.matches("reddito_complessivo").count(), 1, "{text}");
    let mut out = Vec::new();
    let summary = batch(&mut format!("{good}\n").as_bytes(), &mut out, &mut |_| {}).unwrap();
    assert!(summary.all_ok());
}
