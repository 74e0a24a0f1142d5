//! Missing or contradictory DSU data is refused with a message naming the quadro and the field.

use super::common::*;
use serde_json::json;

fn assert_names(msg: &str, quadro: &str, campo: &str) {
    assert!(msg.contains(quadro), "«{msg}» non nomina {quadro}");
    assert!(msg.contains(campo), "«{msg}» non nomina {campo}");
}

#[test]
fn negative_amount() {
    let msg = single()
        .fc8(0, json!({"reddito_complessivo": "-100"}))
        .err();
    assert_names(&msg, "Quadro FC8", "reddito_complessivo");
    assert!(msg.contains("negativo"), "{msg}");
}

#[test]
fn share_over_100_percent() {
    let msg = single()
        .quadro(0, "quadro_fc2", json!({"rapporti": [{"tipo": "01", "quota": "150", "saldo": "1", "giacenza_media": "1"}]}))
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].quota");
    assert!(msg.contains("100%"), "{msg}");
    let msg = single()
        .quadro(0, "quadro_fc3", json!({"immobili": [{"tipo": "F", "comune_o_stato": "Roma", "quota": "100.5", "valore": "1"}]}))
        .err();
    assert_names(&msg, "Quadro FC3", "immobili[0].quota");
}

#[test]
fn child_older_than_the_parent() {
    let msg = single().member(1, "FC", "1960-01-01").err();
    assert_names(&msg, "Quadro A", "componenti[1].data_nascita");
}

#[test]
fn two_homes_flagged_as_casa_di_abitazione() {
    let msg = single()
        .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
        .quadro(
            0,
            "quadro_fc3",
            json!({"immobili": [
            {"tipo": "F", "comune_o_stato": "Roma", "valore": "100000", "casa_abitazione": true},
            {"tipo": "F", "comune_o_stato": "Roma", "valore": "90000", "casa_abitazione": true}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC3", "immobili[1].casa_abitazione");
    // Two components, each flagging a different home (different comune).
    let msg = single()
        .member(1, "C", "1970-01-01")
        .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
        .quadro(0, "quadro_fc3", casa("100000", "0", "Roma"))
        .quadro(1, "quadro_fc3", casa("100000", "0", "Milano"))
        .err();
    assert_names(&msg, "Quadro FC3", "casa_abitazione");
    // Co-owned home (50 % + 50 %) is fine.
    single()
        .member(1, "C", "1970-01-01")
        .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
        .quadro(0, "quadro_fc3", json!({"immobili": [{"tipo": "F", "comune_o_stato": "Roma", "quota": "50", "valore": "100000", "casa_abitazione": true}]}))
        .quadro(1, "quadro_fc3", json!({"immobili": [{"tipo": "F", "comune_o_stato": "Roma", "quota": "50", "valore": "100000", "casa_abitazione": true}]}))
        .run();
}

#[test]
fn variant_without_its_quadro() {
    let cases = [
        ("minorenni", "Quadro D"),
        ("universita", "Quadro C"),
        ("sociosanitario", "MB.1 ridotto"),
        ("corrente", "Modulo sostitutivo"),
    ];
    for (variante, quadro) in cases {
        let msg = single()
            .member(1, "F", "2020-01-01")
            .set("/variante", json!(variante))
            .err();
        assert!(msg.contains(quadro), "{variante}: {msg}");
    }
    let msg = single()
        .set("/variante", json!("residenze"))
        .set("/mb1_ridotto", json!({"beneficiario": cf(0)}))
        .err();
    assert!(msg.contains("MB.3"), "{msg}");
    // Minorenni, caso a), without the FC.4 module of the parent.
    let msg = single()
        .member(1, "F", "2020-01-01")
        .set("/variante", json!("minorenni"))
        .set(
            "/mb2",
            json!({"quadro_d": {"genitore": cf(9), "cognome": "X", "nome": "Y", "caso": "a"}}),
        )
        .err();
    assert_names(&msg, "Quadro D", "genitore");
    assert!(msg.contains("FC.4"), "{msg}");
}

#[test]
fn rent_without_contract_and_contract_without_rent() {
    let msg = single()
        .set("/mb1/quadro_b/casa_abitazione", json!("locazione"))
        .err();
    assert_names(&msg, "Quadro B", "locazione");
    let msg = single()
        .set("/mb1/quadro_b/locazione", json!({"intestatario": cf(0), "data_registrazione": "2020-01-01", "estremi_registrazione": "x", "canone_annuo": "100"}))
        .err();
    assert_names(&msg, "Quadro B", "locazione");
    let msg = single()
        .set("/mb1/quadro_b/casa_abitazione", json!("locazione"))
        .set("/mb1/quadro_b/locazione", json!({"intestatario": cf(5), "data_registrazione": "2020-01-01", "estremi_registrazione": "x", "canone_annuo": "100"}))
        .err();
    assert_names(&msg, "Quadro B", "locazione.intestatario");
}

#[test]
fn contradictory_composition_flags() {
    let msg = single()
        .set("/mb1/quadro_b/genitori_lavoratori", json!(true))
        .err();
    assert_names(&msg, "Quadro B", "genitori_lavoratori");
    let msg = single()
        .member(1, "F", "2020-01-01")
        .set("/mb1/quadro_b/numero_figli", json!(0))
        .err();
    assert_names(&msg, "Quadro B", "numero_figli");
    let msg = single().member(1, "F", "2000-01-01").err();
    assert_names(&msg, "Quadro FC1", "relazione");
    let msg = single()
        .member(1, "C", "1970-01-01")
        .member(2, "C", "1971-01-01")
        .err();
    assert_names(&msg, "Quadro FC1", "relazione");
    let msg = B::new("2026-01-01").member(0, "C", "1970-01-01").err();
    assert_names(&msg, "Quadro FC1", "relazione");
}

#[test]
fn missing_or_unknown_fields_and_wrong_types() {
    let mut b = single();
    b.0["mb1"]["quadro_b"]
        .as_object_mut()
        .unwrap()
        .remove("casa_abitazione");
    let msg = b.err();
    assert_names(&msg, "Quadro B", "casa_abitazione");
    assert!(msg.contains("mancante"), "{msg}");

    let msg = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [{"tipo": "01", "saldo": "1", "giacenza_media": "1", "sldo": "2"}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC2", "sldo");

    let msg = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [{"tipo": "01", "saldo": 10.5, "giacenza_media": "1"}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].saldo");
    assert!(msg.contains("stringa"), "{msg}");

    let msg = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [{"tipo": "11", "valore": "1"}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].tipo");

    let msg = single()
        .set("/data_presentazione", json!("2026-02-30"))
        .err();
    assert!(msg.contains("data_presentazione"), "{msg}");

    let msg = single()
        .fc8(0, json!({"reddito_complessivo": "10.123"}))
        .err();
    assert_names(&msg, "Quadro FC8", "reddito_complessivo");
}

#[test]
fn inconsistent_financial_and_income_data() {
    let msg = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [{"tipo": "01", "valore": "10"}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].valore");
    let msg = single()
        .quadro(0, "quadro_fc2", json!({"rapporti": [{"tipo": "05"}]}))
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].valore");
    let msg = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [{"tipo": "02", "valore": "10", "titoli_di_stato": "20"}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].titoli_di_stato");
    let msg = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [{"tipo": "08", "valore": "10", "titoli_di_stato": "5"}]}),
        )
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].titoli_di_stato");
    let msg = single()
        .fc8(
            0,
            json!({"reddito_complessivo": "100", "di_cui_lavoro_dipendente": "200"}),
        )
        .err();
    assert_names(&msg, "Quadro FC8", "di_cui_lavoro_dipendente");
    let msg = single().quadro(0, "quadro_fc3", json!({"immobili": [{"tipo": "F", "comune_o_stato": "Roma", "valore": "1", "casa_abitazione": true}]})).err();
    assert_names(&msg, "Quadro FC3", "immobili[0].casa_abitazione");
}

#[test]
fn modules_must_match_quadro_a() {
    let mut b = single();
    b.0["fc1"] = json!([]);
    let msg = b.err();
    assert!(msg.contains("Modulo FC.1"), "{msg}");
    let msg = single().fc8(7, json!({})).err();
    assert!(msg.contains("Modulo FC.3"), "{msg}");
    let msg = single().member(0, "P", "1980-01-01").err();
    assert_names(&msg, "Quadro A", "componenti[1].codice_fiscale");
    let msg = single()
        .set("/mb1/quadro_a/componenti/0/codice_fiscale", json!("abc"))
        .err();
    assert_names(&msg, "Quadro A", "codice_fiscale");
}

#[test]
fn huge_amounts_are_refused_not_overflowed() {
    let msg = single()
        .fc8(
            0,
            json!({"reddito_complessivo": "79228162514264337593543950335"}),
        )
        .err();
    assert_names(&msg, "Quadro FC8", "reddito_complessivo");
    let msg = single()
        .set("/variante", json!("residenze"))
        .set("/mb1_ridotto", json!({"beneficiario": cf(0)}))
        .set("/mb3", json!({"figli_non_nel_nucleo": [{"codice_fiscale": cf(1), "cognome": "X", "nome": "Y"}]}))
        .set("/fc4", json!([{"codice_fiscale": cf(1), "quadro_fc9": {"isr": "1", "isp": "1", "scala_nucleo": "0.5"}}]))
        .err();
    assert!(msg.contains("scala_nucleo"), "{msg}");
    // The largest accepted amounts everywhere still compute.
    let big = "1000000000000";
    let mut b = single().member(1, "C", "1970-01-01");
    for i in 0..2 {
        b = b
            .fc8(
                i,
                json!({"reddito_complessivo": big, "di_cui_lavoro_dipendente": big}),
            )
            .quadro(
                i,
                "quadro_fc2",
                json!({"rapporti": [conto(big, big), {"tipo": "05", "valore": big}]}),
            )
            .quadro(
                i,
                "quadro_fc3",
                json!({"immobili": [{"tipo": "F", "comune_o_stato": "Roma", "valore": big}]}),
            );
    }
    assert!(b.run().isee > rust_decimal::Decimal::ZERO);
}

#[test]
fn importo_new_follows_the_parser_rules() {
    use isee::values::Importo;
    assert_eq!(
        Importo::new(d("12.5")).map(|i| i.value().to_string()),
        Some("12.50".to_owned())
    );
    assert!(Importo::new(d("-1")).is_none());
    assert!(Importo::new(d("0.001")).is_none());
    assert!(Importo::new(d("1000000000000.01")).is_none());
}

#[test]
fn garbage_never_panics() {
    for input in [
        "",
        "{",
        "[]",
        "null",
        "{\"data_presentazione\": 5}",
        "\u{0}",
        "{\"fc1\": [1, 2]}",
    ] {
        assert!(isee::Dsu::from_json(input.as_bytes()).is_err());
    }
}

#[test]
fn negative_income_gets_no_advice_on_saldi() {
    // An income is not a balance: no advice about writing saldi as 0.
    let msg = single()
        .fc8(0, json!({"reddito_complessivo": "-100"}))
        .err();
    assert!(msg.contains("importo negativo"), "{msg}");
    assert!(!msg.contains("saldo"), "{msg}");
    // A negative balance gets it.
    let msg = single()
        .quadro(0, "quadro_fc2", json!({"rapporti": [conto("-5", "10")]}))
        .err();
    assert_names(&msg, "Quadro FC2", "rapporti[0].saldo");
    assert!(msg.contains("si indicano come 0"), "{msg}");
}

#[test]
fn over_large_integer_is_named_as_such() {
    // 99999999999999999999 does not fit 64 bits: serde_json reads it as a float, and the
    // message must say it is too large, not that decimals go in a string.
    let text = single()
        .fc8(0, json!({"reddito_complessivo": "1"}))
        .0
        .to_string()
        .replace(
            "\"reddito_complessivo\":\"1\"",
            "\"reddito_complessivo\":99999999999999999999",
        );
    let msg = isee::Dsu::from_json(text.as_bytes())
        .unwrap_err()
        .to_string();
    assert_names(&msg, "Quadro FC8", "reddito_complessivo");
    assert!(msg.contains("numero intero troppo grande"), "{msg}");
    assert!(!msg.contains("decimali"), "{msg}");
}

#[test]
fn dsu_date_before_2015_is_named_as_the_dsu_date() {
    // The DPCM 159/2013 ISEE starts with the DSUs of 1-1-2015: an older date is refused as
    // the DSU's presentation date, not as a missing rule.
    let msg = B::new("2014-06-01").member(0, "D", "1970-01-01").err();
    assert_names(&msg, "DSU", "data_presentazione");
    assert!(msg.contains("1° gennaio 2015"), "{msg}");
    // Between 2015 and the first rule set: the field is named too.
    let msg = B::new("2016-06-01").member(0, "D", "1970-01-01").err();
    assert!(msg.contains("data_presentazione"), "{msg}");
    assert!(msg.contains("2020-01-01"), "{msg}");
}
