//! One test per rule, each with a worked example whose figures are derived in the comment.
//! DSUs of 2026 unless said otherwise: figurative rate 2,60 % = min(3,50 ; 1,60 + 1).

use super::common::*;
use isee::rules::{RULES_JSON, parse_rules, rules};
use serde_json::json;

// ---------------------------------------------------------------- ISR, art. 4

#[test]
fn lavoro_dipendente_deduction_is_20_percent_capped_at_3000_per_component() {
    // D 10.000 → 20 % = 2.000; C 40.000 → 20 % = 8.000, capped at 3.000.
    // ISR = 8.000 + 37.000 = 45.000.
    let a = single()
        .member(1, "C", "1972-01-01")
        .lavoro(0, "10000")
        .lavoro(1, "40000")
        .run();
    assert_eq!(a.detrazioni_componenti, d("5000.00"));
    assert_eq!(a.isr, d("45000.00"));
}

#[test]
fn pensione_deduction_is_20_percent_capped_at_1000_and_alternative_to_lavoro() {
    // Pension 12.000 → 2.400, capped at 1.000 → ISR 11.000.
    let a = single()
        .fc8(
            0,
            json!({"reddito_complessivo": "12000", "di_cui_pensione": "12000"}),
        )
        .run();
    assert_eq!(a.isr, d("11000.00"));
    // Lavoro 10.000 (→ 2.000) and pensione 8.000 (→ 1.000) on one component: alternative,
    // the higher applies → 18.000 − 2.000 = 16.000 [M, rules note].
    let a = single()
        .fc8(0, json!({"reddito_complessivo": "18000", "di_cui_lavoro_dipendente": "10000", "di_cui_pensione": "8000"}))
        .run();
    assert_eq!(a.isr, d("16000.00"));
}

#[test]
fn pensione_deduction_covers_the_trattamenti_and_the_assegno_unico_counted_in_income() {
    // Art. 4 c. 3: the 20 % up to 1.000 is taken on pensions AND on the trattamenti
    // assistenziali, previdenziali e indennitari counted under c. 2.
    // Self-employed 10.000 + NASpI-like trattamento INPS 3.000: lordo 13.000;
    // 20 % × 3.000 = 600 → ISR 12.400 (pensions alone would give 13.000).
    let a = single()
        .fc8(
            0,
            json!({"reddito_complessivo": "10000", "trattamenti_inps": "3000"}),
        )
        .run();
    assert_eq!(a.detrazioni_componenti, d("600.00"));
    assert_eq!(a.isr, d("12400.00"));
    // Pension 2.000 + trattamento not from INPS 1.000 + assegno unico 1.500 (counted for any
    // other benefit): base 4.500 → 900 → ISR 4.500 − 900 = 3.600 (pension alone: 400 → 4.100).
    let b = single()
        .fc8(0, json!({"reddito_complessivo": "2000", "di_cui_pensione": "2000", "assegno_unico": "1500"}))
        .quadro(0, "quadro_fc4", json!({"trattamenti_non_inps": "1000"}));
    assert_eq!(b.run().isr, d("3600.00"));
    // For the bonus nido the assegno unico is not income, so not in the base either:
    // lordo 3.000, base 3.000 → 600 → ISR 2.400.
    let a = b.set("/prestazione", json!("bonus_nido")).run();
    assert_eq!(a.isr, d("2400.00"));
    // The cap holds on the whole base: trattamenti 8.000 → 1.600, capped at 1.000 → 7.000.
    let a = single().fc8(0, json!({"trattamenti_inps": "8000"})).run();
    assert_eq!(a.isr, d("7000.00"));
}

#[test]
fn spese_sanitarie_disabili_deducted_up_to_5000() {
    // 20.000 from self-employment (no 20 % deduction), expenses 7.000 → 5.000 → ISR 15.000.
    let a = single()
        .fc8(
            0,
            json!({"reddito_complessivo": "20000", "spese_sanitarie_disabili": "7000"}),
        )
        .run();
    assert_eq!(a.isr, d("15000.00"));
}

#[test]
fn deductions_never_exceed_the_component_income() {
    // Income 3.000, assegni paid to the ex-spouse 5.000: the component gives 0, not −2.000;
    // the other component's 10.000 (self-employed) is untouched.
    let a = single()
        .member(1, "P", "1990-01-01")
        .fc8(0, json!({"reddito_complessivo": "3000"}))
        .quadro(
            0,
            "quadro_fc5",
            json!({"assegni_coniuge_corrisposti": "5000"}),
        )
        .fc8(1, json!({"reddito_complessivo": "10000"}))
        .run();
    assert_eq!(a.detrazioni_componenti, d("3000.00"));
    assert_eq!(a.isr, d("10000.00"));
}

#[test]
fn incomes_of_art_4_c_2_are_summed() {
    // 10.000 IRPEF + 1.000 sostitutiva + 500 esenti + 700 esteri + 300 fondiari + 400 trattamenti
    // non INPS + 600 trattamenti INPS + 1.200 assegni figli ricevuti = 14.700.
    let a = single()
        .fc8(0, json!({"reddito_complessivo": "10000", "trattamenti_inps": "600"}))
        .quadro(0, "quadro_fc4", json!({"redditi_imposta_sostitutiva": "1000", "redditi_esenti": "500",
            "redditi_esteri": "700", "redditi_fondiari_esenti": "300", "trattamenti_non_inps": "400"}))
        .quadro(0, "quadro_fc5", json!({"assegni_figli_ricevuti": "1200"}))
        .run();
    assert_eq!(a.somma_redditi, d("14700.00"));
}

#[test]
fn disability_benefits_are_not_income() {
    // L. 89/2016 art. 2-sexies: the 6.000 accompagnamento is excluded → ISR = 0.
    let a = single()
        .fc8(0, json!({"trattamenti_disabilita": "6000"}))
        .run();
    assert_eq!(a.isr, d("0.00"));
}

#[test]
fn proventi_agrari_replace_the_irpef_redditi_agrari() {
    // IRPEF 5.000 of which agrari 2.000; proventi agrari 9.000: 5.000 + 9.000 − 2.000 = 12.000.
    let a = single()
        .fc8(0, json!({"reddito_complessivo": "5000", "di_cui_redditi_agrari": "2000", "proventi_agrari": "9000"}))
        .run();
    assert_eq!(a.isr, d("12000.00"));
}

#[test]
fn rent_deduction_capped_at_7000_plus_500_per_child_after_the_second() {
    // Couple + 4 children, rent 10.000: cap 7.000 + 500 × (4 − 2) = 8.000.
    let mut b = single().member(1, "C", "1972-01-01");
    for i in 2..6 {
        b = b.member(i, "F", "2015-01-01");
    }
    let b = b.lavoro(0, "40000").set(
        "/mb1/quadro_b",
        json!({"casa_abitazione": "locazione", "locazione": {"intestatario": cf(0),
            "data_registrazione": "2020-01-01", "estremi_registrazione": "3T 1", "canone_annuo": "10000"}}),
    );
    let a = b.run();
    assert_eq!(a.detrazione_affitto, d("8000.00"));
    // 40.000 − 3.000 − 8.000 = 29.000.
    assert_eq!(a.isr, d("29000.00"));
}

#[test]
fn rent_deduction_is_the_rent_when_lower_and_isr_never_negative() {
    // Income 2.000 (self-employed), rent 4.800 < 7.000: ISR = max(0, 2.000 − 4.800) = 0.
    let a = single()
        .fc8(0, json!({"reddito_complessivo": "2000"}))
        .set("/mb1/quadro_b", json!({"casa_abitazione": "locazione", "locazione": {"intestatario": cf(0),
            "data_registrazione": "2020-01-01", "estremi_registrazione": "3T 1", "canone_annuo": "4800"}}))
        .run();
    assert_eq!(a.detrazione_affitto, d("4800.00"));
    assert_eq!(a.isr, d("0.00"));
}

#[test]
fn reddito_figurativo_excludes_current_accounts_and_uses_the_yearly_rate() {
    // Conto 50.000 (no figurative income) + OICR 10.000 × 2,60 % = 260.
    let b = single().quadro(
        0,
        "quadro_fc2",
        json!({"rapporti": [conto("50000", "50000"),
        {"tipo": "05", "valore": "10000"}]}),
    );
    let a = b.run();
    assert_eq!(a.reddito_figurativo, d("260.00"));
    assert_eq!(a.isr, d("260.00"));
    // DSU 2023: min(3,04 ; 5,00 + 1) = 3,04 % → 304.
    let a = b.set("/data_presentazione", json!("2023-05-01")).run();
    assert_eq!(a.reddito_figurativo, d("304.00"));
}

#[test]
fn assegno_unico_excluded_only_for_nido_and_nuovi_nati_from_2025() {
    // Lavoro 10.000 (− 2.000) + AUU 2.400: counted → 10.400; for bonus nido → 8.000.
    let b = single().fc8(0, json!({"reddito_complessivo": "10000", "di_cui_lavoro_dipendente": "10000", "assegno_unico": "2400"}));
    assert_eq!(b.run().isr, d("10400.00"));
    let nido = b.clone().set("/prestazione", json!("bonus_nido"));
    assert_eq!(nido.run().isr, d("8000.00"));
    // Before L. 207/2024 (DSU of 2024) the AUU counts for every benefit.
    assert_eq!(
        nido.set("/data_presentazione", json!("2024-10-01"))
            .run()
            .isr,
        d("10400.00")
    );
}

// ---------------------------------------------------------------- ISP, art. 5

#[test]
fn deposits_count_at_the_higher_of_saldo_and_giacenza_media() {
    // Saldo 9.000, giacenza 12.000 → 12.000; franchigia 6.000 → ISP 6.000.
    let a = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [conto("9000", "12000")]}),
        )
        .run();
    assert_eq!(a.patrimonio_mobiliare, d("12000.00"));
    assert_eq!(a.isp, d("6000.00"));
}

#[test]
fn saldo_used_when_the_year_increments_exceed_giacenza_minus_saldo() {
    // Giacenza 12.000 − saldo 9.000 = 3.000 < incrementi 5.000 (bought BTP) → saldo 9.000.
    let a = single()
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [conto("9000", "12000")], "incrementi_patrimonio": "5000"}),
        )
        .run();
    assert_eq!(a.patrimonio_mobiliare, d("9000.00"));
}

#[test]
fn shares_apply_to_financial_assets() {
    // 50 % of a 20.000 account → 10.000.
    let a = single()
        .quadro(0, "quadro_fc2", json!({"rapporti": [{"tipo": "01", "quota": "50", "saldo": "20000", "giacenza_media": "20000"}]}))
        .run();
    assert_eq!(a.patrimonio_mobiliare, d("10000.00"));
}

#[test]
fn franchigia_mobiliare_6000_plus_2000_per_member_capped_10000_plus_1000_per_child_after_second() {
    // 1 person: 6.000. Account 100.000 for every household.
    let acc = json!({"rapporti": [conto("100000", "100000")]});
    assert_eq!(
        single()
            .quadro(0, "quadro_fc2", acc.clone())
            .run()
            .franchigia_mobiliare,
        d("6000")
    );
    // 2 persons: 8.000.
    let two = single()
        .member(1, "C", "1970-01-01")
        .quadro(0, "quadro_fc2", acc.clone());
    assert_eq!(two.run().franchigia_mobiliare, d("8000"));
    // Couple + 3 children: min(6.000 + 4 × 2.000, 10.000) + 1.000 × (3 − 2) = 11.000.
    let mut five = two;
    for i in 2..5 {
        five = five.member(i, "F", "2015-01-01");
    }
    assert_eq!(five.run().franchigia_mobiliare, d("11000"));
    // The franchigia never exceeds the patrimonio: 1 person with 2.500 → 2.500, ISP 0.
    let a = single()
        .quadro(0, "quadro_fc2", json!({"rapporti": [conto("2500", "0")]}))
        .run();
    assert_eq!(a.franchigia_mobiliare, d("2500.00"));
    assert_eq!(a.isp, d("0.00"));
}

#[test]
fn titoli_di_stato_excluded_up_to_50000_from_3_april_2025() {
    // BTP 70.000 in a deposito titoli: 50.000 excluded → 20.000 − 6.000 = ISP 14.000;
    // figurative income on the remaining 20.000 only [M]: 520.
    let b = single().quadro(
        0,
        "quadro_fc2",
        json!({"rapporti": [{"tipo": "02", "valore": "70000", "titoli_di_stato": "70000"}]}),
    );
    let a = b.run();
    assert_eq!(a.titoli_stato_esclusi, d("50000.00"));
    assert_eq!(a.patrimonio_mobiliare, d("20000.00"));
    assert_eq!(a.isp, d("14000.00"));
    assert_eq!(a.reddito_figurativo, d("520.00"));
    // DSU of 2 April 2025: not yet operative → 70.000 − 6.000 = 64.000.
    let a = b.set("/data_presentazione", json!("2025-04-02")).run();
    assert_eq!(a.titoli_stato_esclusi, d("0.00"));
    assert_eq!(a.isp, d("64000.00"));
}

#[test]
fn titoli_exclusion_of_a_libretto_lowers_that_libretto_only() {
    // Libretto postale: saldo 10.000, giacenza media 2.000, all excludable; conto corrente:
    // saldo 20.000, giacenza media 35.000. The 10.000 excluded take the libretto to saldo 0
    // and giacenza max(0, 2.000 − 10.000) = 0; the conto is untouched.
    // Σ saldi 20.000, Σ giacenze 35.000 → 35.000; − franchigia 6.000 = ISP 29.000;
    // ISE 5.800 = ISEE. (Off the sums: giacenze 37.000 − 10.000 = 27.000, the 8.000 above the
    // libretto's giacenza would eat into the conto: ISEE 4.200.)
    let a = single()
        .quadro(0, "quadro_fc2", json!({"rapporti": [
            {"tipo": "03", "postale": true, "saldo": "10000", "giacenza_media": "2000", "titoli_di_stato": "10000"},
            conto("20000", "35000")]}))
        .run();
    assert_eq!(a.titoli_stato_esclusi, d("10000.00"));
    assert_eq!(a.patrimonio_mobiliare, d("35000.00"));
    assert_eq!(a.isp, d("29000.00"));
    assert_eq!(a.isee, d("5800.00"));
}

#[test]
fn titoli_di_stato_exclusion_follows_the_inps_order() {
    // D (born 1970): libretto postale 30.000 and BTP 30.000; P (born 1940, older): BTP 40.000.
    // Order: D first (BTP 30.000, then libretto 20.000 → 50.000 used); P gets nothing.
    let a = single()
        .member(1, "P", "1940-01-01")
        .quadro(0, "quadro_fc2", json!({"rapporti": [
            {"tipo": "03", "postale": true, "saldo": "30000", "giacenza_media": "30000", "titoli_di_stato": "30000"},
            {"tipo": "02", "valore": "30000", "titoli_di_stato": "30000"}]}))
        .quadro(1, "quadro_fc2", json!({"rapporti": [{"tipo": "02", "valore": "40000", "titoli_di_stato": "40000"}]}))
        .run();
    let per: Vec<_> = a
        .componenti
        .iter()
        .map(|c| c.titoli_stato_esclusi)
        .collect();
    assert_eq!(per, vec![d("50000.00"), d("0.00")]);
    // D keeps libretto 10.000 (saldo and giacenza both reduced by 20.000); P keeps 40.000.
    assert_eq!(a.patrimonio_mobiliare, d("50000.00"));
    // Without D's titoli, the older component comes before a younger one.
    let a = single()
        .member(1, "P", "1940-01-01")
        .member(2, "P", "1980-01-01")
        .quadro(1, "quadro_fc2", json!({"rapporti": [{"tipo": "07", "postale": true, "valore": "45000", "titoli_di_stato": "45000"}]}))
        .quadro(2, "quadro_fc2", json!({"rapporti": [{"tipo": "06", "valore": "45000", "titoli_di_stato": "45000"}]}))
        .run();
    let per: Vec<_> = a
        .componenti
        .iter()
        .map(|c| c.titoli_stato_esclusi)
        .collect();
    assert_eq!(per, vec![d("0.00"), d("45000.00"), d("5000.00")]);
}

#[test]
fn property_counts_at_imu_value_of_the_share_less_the_mortgage_never_below_zero() {
    // Flat 50 % of 200.000 with mortgage 50 % of 60.000 → 100.000 − 30.000 = 70.000;
    // a second flat 80.000 with mortgage 100.000 → 0 (does not offset the first).
    let a = single()
        .quadro(0, "quadro_fc3", json!({"immobili": [
            {"tipo": "F", "comune_o_stato": "Roma", "quota": "50", "valore": "200000", "mutuo_residuo": "60000"},
            {"tipo": "F", "comune_o_stato": "Roma", "valore": "80000", "mutuo_residuo": "100000"}]}))
        .run();
    assert_eq!(a.patrimonio_immobiliare, d("70000.00"));
    assert_eq!(a.isp, d("70000.00"));
}

#[test]
fn casa_di_abitazione_franchigia_52500_plus_2500_per_child_after_second_then_two_thirds() {
    // Couple + 3 children, home 150.000 − mortgage 30.000 = 120.000.
    // Franchigia 52.500 + 2.500 × (3 − 2) = 55.000; counted (120.000 − 55.000) × 2/3 = 43.333,33;
    // detrazione 76.666,67; ISP = 43.333,33.
    let mut b = single().member(1, "C", "1972-01-01");
    for i in 2..5 {
        b = b.member(i, "F", "2012-01-01");
    }
    let a = b
        .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
        .quadro(0, "quadro_fc3", casa("150000", "30000", "Bergamo"))
        .run();
    assert_eq!(a.patrimonio_immobiliare, d("120000.00"));
    assert_eq!(a.detrazione_casa, d("76666.67"));
    assert_eq!(a.isp, d("43333.33"));
    // A home worth less than the franchigia counts 0.
    let a = single()
        .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
        .quadro(0, "quadro_fc3", casa("50000", "0", "Bergamo"))
        .run();
    assert_eq!(a.isp, d("0.00"));
}

// ---------------------------------------------------------------- ISE, scala, ISEE

#[test]
fn ise_is_isr_plus_20_percent_of_isp_and_isee_divides_by_the_scala() {
    // ISR 20.000 (self-employed), conto 56.000 → ISP 50.000; ISE 30.000; couple 1,57 →
    // 30.000 / 1,57 = 19.108,280… → 19.108,28.
    let a = single()
        .member(1, "C", "1970-01-01")
        .fc8(0, json!({"reddito_complessivo": "20000"}))
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [conto("58000", "58000")]}),
        )
        .run();
    assert_eq!(a.isp, d("50000.00"));
    assert_eq!(a.ise, d("30000.00"));
    assert_eq!(a.isee, d("19108.28"));
}

#[test]
fn printed_figures_round_half_up_to_the_cent() {
    // ISR 1.000,05 (self-employed), couple: 1.000,05 / 1,57 = 636,9745… → 636,97.
    let a = single()
        .member(1, "C", "1970-01-01")
        .fc8(0, json!({"reddito_complessivo": "1000.05"}))
        .run();
    assert_eq!(a.isee, d("636.97"));
    // Reddito figurativo at 2,60 %: 30,19 → 0,78494 → 0,78; 30,21 → 0,78546 → 0,79;
    // 2,50 → 0,065 exactly → 0,07 (half-up, not to even).
    let fig = |v: &str| {
        single()
            .quadro(
                0,
                "quadro_fc2",
                json!({"rapporti": [{"tipo": "08", "valore": v}]}),
            )
            .run()
            .reddito_figurativo
    };
    assert_eq!(fig("30.19"), d("0.78"));
    assert_eq!(fig("30.21"), d("0.79"));
    assert_eq!(fig("2.50"), d("0.07"));
}

#[test]
fn scala_base_table_and_035_beyond_five() {
    // 1 → 1,00; 2 → 1,57; 3 → 2,04; 4 → 2,46; 5 → 2,85; 7 → 2,85 + 2 × 0,35 = 3,55
    // (all "P", so no maggiorazioni).
    let expected = ["1.00", "1.57", "2.04", "2.46", "2.85", "3.20", "3.55"];
    let mut b = single();
    for (n, e) in expected.iter().enumerate() {
        if n > 0 {
            b = b.member(n, "P", "1960-01-01");
        }
        assert_eq!(b.run().scala, d(e), "{} componenti", n + 1);
    }
}

#[test]
fn maggiorazione_figli_02_035_05() {
    // Couple + 3 adult children (FC): 2,85 + 0,20 = 3,05; + 4: 3,20 + 0,35 = 3,55;
    // + 5: 3,55 + 0,50 = 4,05.
    let mut b = single().member(1, "C", "1970-01-01");
    for i in 2..5 {
        b = b.member(i, "FC", "2000-01-01");
    }
    assert_eq!(b.run().scala, d("3.05"));
    let b = b.member(5, "FC", "2000-01-01");
    assert_eq!(b.run().scala, d("3.55"));
    let b = b.member(6, "FC", "2000-01-01");
    assert_eq!(b.run().scala, d("4.05"));
}

#[test]
fn maggiorazione_minori_02_or_03_under_three_with_working_parents() {
    // Couple + child of 10, both working: 2,04 + 0,20 = 2,24.
    let b = single()
        .member(1, "C", "1970-01-01")
        .member(2, "F", "2015-06-01")
        .set("/mb1/quadro_b/genitori_lavoratori", json!(true));
    assert_eq!(b.run().scala, d("2.24"));
    // A child of 2 (born 2023-06-01, DSU 2026-02-01): 2,46 + 0,30 = 2,76.
    let b = b.member(3, "F", "2023-06-01");
    assert_eq!(b.run().scala, d("2.76"));
    // Without the quadro B flag: no maggiorazione → 2,46.
    let b = b.set("/mb1/quadro_b/genitori_lavoratori", json!(false));
    assert_eq!(b.run().scala, d("2.46"));
}

#[test]
fn maggiorazione_unico_genitore_non_lavoratore() {
    // Allegato 1 lett. c): a non-working mother alone with a child of 8 → 1,57 + 0,20 = 1,77.
    let a = single()
        .member(1, "F", "2017-06-01")
        .set("/mb1/quadro_b/unico_genitore", json!(true))
        .run();
    assert_eq!(a.scala, d("1.77"));
}

#[test]
fn maggiorazione_disabilita_05_each() {
    // Couple, both disabled (media and non autosufficiente): 1,57 + 2 × 0,50 = 2,57.
    let a = single()
        .member(1, "C", "1970-01-01")
        .disabile(0, "media")
        .disabile(1, "non_autosufficiente")
        .run();
    assert_eq!(a.scala, d("2.57"));
}

#[test]
fn whole_nucleo_in_the_same_convivenza_uses_the_table_without_the_plus_one() {
    // Two spouses both in the same RSA, both non autosufficienti: the nucleo is the two of
    // them, INPS applies 1,57 + 0,5 + 0,5 = 2,57 (not 1 + 1 + 1,0 = 3,00).
    let rsa = |rel: &str| json!({"relazione": rel, "convivenza_anagrafica": true});
    let b = single()
        .member(1, "C", "1940-01-01")
        .quadro(0, "quadro_fc1", rsa("D"))
        .quadro(1, "quadro_fc1", rsa("C"));
    let a = b.run();
    assert_eq!(a.parametro_scala, d("1.57"));
    assert_eq!(a.maggiorazioni.convivenza, d("0"));
    assert_eq!(a.scala, d("1.57"));
    let a = b
        .disabile(0, "non_autosufficiente")
        .disabile(1, "non_autosufficiente")
        .run();
    assert_eq!(a.scala, d("2.57"));
}

#[test]
fn convivenza_anagrafica_adds_one_instead_of_the_table_step() {
    // Couple with the husband in an RSA: 1,00 + 1,00 = 2,00 (not 1,57).
    let b = single().member(1, "C", "1940-01-01");
    let b = b.clone().quadro(
        1,
        "quadro_fc1",
        json!({"relazione": "C", "convivenza_anagrafica": true}),
    );
    assert_eq!(b.run().scala, d("2.00"));
    // Alone in an RSA: 1,00.
    let a = single()
        .quadro(
            0,
            "quadro_fc1",
            json!({"relazione": "D", "convivenza_anagrafica": true}),
        )
        .run();
    assert_eq!(a.scala, d("1.00"));
}

// ---------------------------------------------------------------- variants

#[test]
fn residenze_componente_aggiuntiva_per_child_over_9000() {
    // Beneficiary alone, non autosufficiente: pension 20.000 − 1.000 = ISR 19.000; scala 1,50;
    // ISEE nucleo 12.666,666…
    // Child A: ISR 40.000, ISP 50.000 → ISE 50.000; / 2,04 = 24.509,80…; − 9.000 = 15.509,80…;
    // × 0,2 = 3.101,96…; / 1,50 = 2.067,97… → 2.067,97.
    // Child B: ISE 10.000 / 1,00 − 9.000 = 1.000 × 0,2 / 1,5 = 133,33.
    // Child C: esonero (disabled) → none. ISEE = 12.666,67 + 2.067,97 + 133,33 → 14.867,97.
    let child = |i: usize, esonero: Option<&str>| {
        let mut v = json!({"codice_fiscale": cf(i), "cognome": "Prova", "nome": "Figlio"});
        if let Some(e) = esonero {
            v["esonero"] = json!(e);
        }
        v
    };
    let a = B::new("2026-03-01")
        .member(0, "D", "1935-01-01")
        .disabile(0, "non_autosufficiente")
        .fc8(0, json!({"reddito_complessivo": "20000", "di_cui_pensione": "20000"}))
        .set("/variante", json!("residenze"))
        .set("/mb1_ridotto", json!({"beneficiario": cf(0)}))
        .set("/mb3", json!({"figli_non_nel_nucleo": [child(1, None), child(2, None), child(3, Some("disabilita"))]}))
        .set("/fc4", json!([
            {"codice_fiscale": cf(1), "quadro_fc9": {"isr": "40000", "isp": "50000", "scala_nucleo": "2.04"}},
            {"codice_fiscale": cf(2), "quadro_fc9": {"isr": "10000", "isp": "0", "scala_nucleo": "1"}}]))
        .run();
    let ca: Vec<_> = a.componenti_aggiuntive.iter().map(|c| c.importo).collect();
    assert_eq!(ca, vec![d("2067.97"), d("133.33")]);
    assert_eq!(a.isee, d("14867.97"));
}

#[test]
fn residenze_counts_donations_of_the_last_three_years() {
    // Donation 2023-05-01 (within 3 years of 2026-03-01) 60.000 counts; one of 2020 does not.
    // ISP = 60.000; ISE = 12.000; scala 1 → 12.000.
    let a = B::new("2026-03-01")
        .member(0, "D", "1935-01-01")
        .set("/variante", json!("residenze"))
        .set("/mb1_ridotto", json!({"beneficiario": cf(0)}))
        .set("/mb3", json!({"donazioni": [{"data": "2023-05-01", "valore": "60000"}, {"data": "2020-01-01", "valore": "90000"}]}))
        .run();
    assert_eq!(a.donazioni, d("60000.00"));
    assert_eq!(a.isee, d("12000.00"));
}

#[test]
fn sociosanitario_uses_the_nucleo_ristretto() {
    // Disabled adult son (FC, grave) with parents: nucleo ristretto = son alone.
    // Son pension 6.000 − 1.000 = 5.000; parents' 50.000 ignored. Scala 1 + 0,5 → 3.333,33.
    let a = single()
        .member(1, "C", "1972-01-01")
        .member(2, "FC", "1995-01-01")
        .disabile(2, "grave")
        .lavoro(0, "50000")
        .fc8(
            2,
            json!({"reddito_complessivo": "6000", "di_cui_pensione": "6000"}),
        )
        .set("/variante", json!("sociosanitario"))
        .set("/mb1_ridotto", json!({"beneficiario": cf(2)}))
        .run();
    assert_eq!(a.numero_componenti, 1);
    assert_eq!(a.isee, d("3333.33"));
}

#[test]
fn minorenni_non_cohabiting_parent_joins_the_nucleo_without_art_7_cases() {
    // Mother 10.000 (− 2.000) + father GNC 30.000 (− 3.000) = 35.000; child of 5:
    // scala 2,04 (no maggiorazione without the flag) → 17.156,86.
    let a = single()
        .member(1, "F", "2021-01-01")
        .member(2, "GNC", "1968-01-01")
        .lavoro(0, "10000")
        .lavoro(2, "30000")
        .set("/variante", json!("minorenni"))
        .set("/mb2", json!({"quadro_d": {"genitore": cf(2), "cognome": "Prova", "nome": "Padre", "caso": "nessuno"}}))
        .run();
    assert_eq!(a.isr, d("35000.00"));
    assert_eq!(a.isee, d("17156.86"));
}

#[test]
fn minorenni_componente_aggiuntiva_for_a_parent_married_to_someone_else() {
    // Mother ISR 8.000 (10.000 − 2.000), child: scala 1,57 → 5.095,54…
    // Father (caso a): ISE 20.000 + 0,2 × 25.000 = 25.000 / 1,57 = 15.923,57…; − 9.000 =
    // 6.923,57…; × 0,2 = 1.384,71…; / 1,57 = 881,98 [M: same steps as Allegato 2 c. 1].
    // ISEE = 5.095,54 + 881,98 = 5.977,52 (5.095,541… + 881,98 = 5.977,521…).
    let b = single()
        .member(1, "F", "2021-01-01")
        .lavoro(0, "10000")
        .set("/variante", json!("minorenni"))
        .set("/mb2", json!({"quadro_d": {"genitore": cf(9), "cognome": "Prova", "nome": "Padre", "caso": "a"}}))
        .set("/fc4", json!([{"codice_fiscale": cf(9), "quadro_fc9": {"isr": "20000", "isp": "25000", "scala_nucleo": "1.57"}}]));
    let a = b.run();
    assert_eq!(
        a.componenti_aggiuntive.first().map(|c| c.importo),
        Some(d("881.98"))
    );
    assert_eq!(a.isee, d("5977.52"));
    // Caso c) (maintenance ordered by a court): no componente aggiuntiva → 5.095,54; the
    // father's FC.4 data, which would not be used, are refused with the reason.
    let b = b.set("/mb2/quadro_d/caso", json!("c"));
    let msg = b.err();
    assert!(
        msg.contains("Modulo FC.4") && msg.contains("casi a) e b)"),
        "{msg}"
    );
    let a = b.set("/fc4", json!([])).run();
    assert!(a.componenti_aggiuntive.is_empty());
    assert_eq!(a.isee, d("5095.54"));
}

#[test]
fn universita_adds_the_componente_aggiuntiva_of_the_parent_living_elsewhere() {
    // Art. 8 c. 3: parents not living together, father married to someone else (art. 7 c. 1
    // lett. a) → componente aggiuntiva as for minorenni (Allegato 2 c. 2).
    // Mother 10.000 − 2.000 = 8.000; student (FC) 8.000 − 1.600 = 6.400; ISR 14.400;
    // scala 1,57 → 9.171,974…
    // Father: ISE 20.000 + 0,2 × 25.000 = 25.000 / 1,57 = 15.923,566…; − 9.000 = 6.923,566…;
    // × 0,2 = 1.384,713…; / 1,57 = 881,98. ISEE = 9.171,974… + 881,98 = 10.053,95.
    let fc4 = json!([{"codice_fiscale": cf(9), "quadro_fc9": {"isr": "20000", "isp": "25000", "scala_nucleo": "1.57"}}]);
    let b = single()
        .member(1, "FC", "2005-01-01")
        .lavoro(0, "10000")
        .lavoro(1, "8000")
        .set("/variante", json!("universita"))
        .set(
            "/mb2",
            json!({"quadro_c": {"studente": cf(1), "anni_residenza_esterna": 0,
                "alloggio_non_di_familiari": false, "redditi_lavoro": [], "nucleo_genitori": [cf(0)]},
                "quadro_d": {"genitore": cf(9), "cognome": "Prova", "nome": "Padre", "caso": "a"}}),
        )
        .set("/fc4", fc4.clone());
    let a = b.run();
    assert_eq!(
        a.componenti_aggiuntive.first().map(|c| c.importo),
        Some(d("881.98"))
    );
    assert_eq!(a.isee, d("10053.95"));
    // An autonomous student (art. 8 c. 2: 2 years outside, own housing, 7.000 and 8.000) is
    // a nucleo alone: ISR 6.400, scala 1, no parent and no componente aggiuntiva → 6.400.
    let a = b
        .clone()
        .set("/mb2/quadro_c/anni_residenza_esterna", json!(2))
        .set("/mb2/quadro_c/alloggio_non_di_familiari", json!(true))
        .set("/mb2/quadro_c/redditi_lavoro", json!(["7000", "8000"]))
        .run();
    assert!(a.componenti_aggiuntive.is_empty());
    assert_eq!(a.isee, d("6400.00"));
    // Caso e) (estrangement): no componente aggiuntiva, so the FC.4 data are refused.
    let msg = b.clone().set("/mb2/quadro_d/caso", json!("e")).err();
    assert!(
        msg.contains("Modulo FC.4") && msg.contains("art. 8 c. 3"),
        "{msg}"
    );
    // FC.4 data with no parent in quadro D: refused, not silently ignored.
    let msg = b
        .set(
            "/mb2",
            json!({"quadro_c": {"studente": cf(1), "anni_residenza_esterna": 0,
            "alloggio_non_di_familiari": false, "redditi_lavoro": [], "nucleo_genitori": [cf(0)]}}),
        )
        .err();
    assert!(
        msg.contains("Modulo FC.4") && msg.contains("quadro D"),
        "{msg}"
    );
    // Nor in an ordinary ISEE.
    let msg = single().set("/fc4", fc4).err();
    assert!(
        msg.contains("Modulo FC.4") && msg.contains("ordinario"),
        "{msg}"
    );
}

#[test]
fn universita_autonomous_student_leaves_the_parents_nucleo() {
    // Parents (D, C) 60.000 + 20.000; student FNC 8.000 − 1.600 = 6.400.
    // Not autonomous (income 6.000 < 6.500 in one year): ISR 57.000 + 17.000 + 6.400 = 80.400,
    // scala 2,04 → 39.411,76.
    // Autonomous (2 years outside, own housing, 7.000 and 8.000): ISR 6.400, scala 1 → 6.400.
    let b = single()
        .member(1, "C", "1971-01-01")
        .member(2, "FNC", "2004-01-01")
        .lavoro(0, "60000")
        .lavoro(1, "20000")
        .lavoro(2, "8000")
        .set("/variante", json!("universita"))
        .set(
            "/mb2",
            json!({"quadro_c": {"studente": cf(2), "anni_residenza_esterna": 2,
            "alloggio_non_di_familiari": true, "redditi_lavoro": ["6000", "8000"],
            "nucleo_genitori": [cf(0), cf(1)]}}),
        );
    let a = b.run();
    assert!(!a.autonomia.unwrap().autonomo);
    assert_eq!(a.isee, d("39411.76"));
    let a = b
        .set("/mb2/quadro_c/redditi_lavoro", json!(["7000", "8000"]))
        .run();
    assert!(a.autonomia.unwrap().autonomo);
    assert_eq!(a.isee, d("6400.00"));
}

#[test]
fn isee_corrente_uses_two_months_times_six() {
    // Ordinary: lavoro 30.000 − 3.000 = 27.000. Modulo sostitutivo: two months of NASpI 1.000
    // each → 2.000 × 6 = 12.000 of trattamenti; 20 % = 2.400, capped at 1.000 (art. 4 c. 3
    // covers the trattamenti too) → ISR 11.000 (−59,3 %).
    let a = single()
        .lavoro(0, "30000")
        .set("/variante", json!("corrente"))
        .set("/modulo_sostitutivo", json!({"componenti": [{"codice_fiscale": cf(0), "periodo": "due_mesi", "trattamenti": "2000"}]}))
        .run();
    assert_eq!(a.isr, d("11000.00"));
    let k = a.corrente.unwrap();
    assert_eq!(k.isr_ordinario, d("27000.00"));
    assert!(!k.evento);
}

#[test]
fn isee_corrente_needs_a_requirement() {
    // ISR 27.000 → 24.300 (−10 %) with no event: refused, naming the modulo sostitutivo.
    let msg = single()
        .lavoro(0, "30000")
        .set("/variante", json!("corrente"))
        .set("/modulo_sostitutivo", json!({"componenti": [{"codice_fiscale": cf(0), "periodo": "dodici_mesi", "redditi_lavoro_dipendente": "27000"}]}))
        .err();
    assert!(msg.contains("Modulo sostitutivo"), "{msg}");
    assert!(msg.contains("art. 9"), "{msg}");
}

#[test]
fn isee_corrente_patrimonio_used_only_when_it_changes_over_20_percent() {
    // Ordinary patrimonio 50.000 (account); updated 30.000 (−40 %) → used: ISP 24.000.
    let b = single()
        .fc8(0, json!({"reddito_complessivo": "10000"}))
        .quadro(
            0,
            "quadro_fc2",
            json!({"rapporti": [conto("50000", "50000")]}),
        )
        .set("/variante", json!("corrente"));
    let a = b
        .clone()
        .set(
            "/modulo_sostitutivo",
            json!({"patrimonio": {"mobiliare": "30000", "immobiliare": "0"}}),
        )
        .run();
    assert_eq!(a.isp, d("24000.00"));
    // Updated 45.000 (−10 %): not a requirement → refused.
    let msg = b
        .set(
            "/modulo_sostitutivo",
            json!({"patrimonio": {"mobiliare": "45000", "immobiliare": "0"}}),
        )
        .err();
    assert!(msg.contains("Modulo sostitutivo"), "{msg}");
}

#[test]
fn famiglia_2026_second_indicator() {
    // Couple + 2 children in Bergamo, home 200.000, lavoro 50.000 (− 3.000) = ISR 47.000.
    // Ordinary: (200.000 − 52.500) × 2/3 = 98.333,33; ISE 47.000 + 19.666,67 = 66.666,67;
    // scala 2,46 → 27.100,27.
    // Family: franchigia 91.500 + 2.500 × (2 − 1) = 94.000 → 105.999,99… → ISP 70.666,67
    // (200.000 − detrazione 129.333,33); ISE 61.133,33; scala 2,46 + 0,10 = 2,56 → 23.880,21.
    let b = single()
        .member(1, "C", "1970-01-01")
        .member(2, "F", "2012-01-01")
        .member(3, "F", "2014-01-01")
        .lavoro(0, "50000")
        .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
        .quadro(0, "quadro_fc3", casa("200000", "0", "Bergamo"));
    let a = b.run();
    assert_eq!(a.isee, d("27100.27"));
    let f = a.famiglia.unwrap();
    assert_eq!(f.isp, d("70666.67"));
    assert_eq!(f.scala, d("2.56"));
    assert_eq!(f.isee, d("23880.21"));
    assert!(!f.si_applica);
    // In Milano (capoluogo of a città metropolitana): 120.000 + 2.500 → 77.500 × 2/3 = 51.666,67;
    // ISE 47.000 + 10.333,33 = 57.333,33 / 2,56 = 22.395,83. For AUU it applies.
    let a = b
        .clone()
        .quadro(0, "quadro_fc3", casa("200000", "0", "Milano"))
        .set("/prestazione", json!("assegno_unico"))
        .run();
    let f = a.famiglia.unwrap();
    assert_eq!(f.isee, d("22395.83"));
    assert!(f.si_applica);
    // DSU of 2025: no second indicator.
    assert!(
        b.set("/data_presentazione", json!("2025-10-01"))
            .run()
            .famiglia
            .is_none()
    );
}

#[test]
fn famiglia_capoluogo_is_recognised_by_its_code() {
    // The family of `famiglia_2026_second_indicator` with the home in Reggio di Calabria,
    // capoluogo of a città metropolitana: franchigia 120.000 + 2.500 = 122.500 → 77.500 × 2/3
    // = 51.666,67; ISE 47.000 + 10.333,33 = 57.333,33 / 2,56 = 22.395,83. Elsewhere (Bergamo,
    // A794): 23.880,21.
    let b = |comune: &str| {
        let f = single()
            .member(1, "C", "1970-01-01")
            .member(2, "F", "2012-01-01")
            .member(3, "F", "2014-01-01")
            .lavoro(0, "50000")
            .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
            .quadro(0, "quadro_fc3", casa("200000", "0", comune))
            .run()
            .famiglia
            .unwrap();
        (f.isee, f.capoluogo)
    };
    // Codice catastale, ISTAT code, ISTAT name: all the same comune.
    assert_eq!(b("H224"), (d("22395.83"), true));
    assert_eq!(b("080063"), (d("22395.83"), true));
    assert_eq!(b("Reggio di Calabria"), (d("22395.83"), true));
    assert_eq!(b("A794"), (d("23880.21"), false));
}

#[test]
fn famiglia_divides_the_componente_aggiuntiva_by_its_own_scala() {
    // ISEE minorenni 2026: mother 10.000 − 2.000 = ISR 8.000, two children (8 and 10), no home
    // owned. Scala 2,04; family scala 2,04 + 0,10 (two children, c. 208 lett. b) = 2,14.
    // Father (caso a): 25.000 / 1,57 − 9.000 = 6.923,566…; × 0,2 = 1.384,713…
    // Ordinary: 8.000 / 2,04 = 3.921,568… + 1.384,713… / 2,04 (= 678,78) → 4.600,35.
    // Family (Allegato 2: divided by the scala of the beneficiary's nucleo, here 2,14):
    // 8.000 / 2,14 = 3.738,317… + 1.384,713… / 2,14 (= 647,06) → 4.385,38
    // (with the ordinary 678,78 it would be 4.417,10).
    let a = single()
        .member(1, "F", "2017-06-01")
        .member(2, "F", "2015-06-01")
        .lavoro(0, "10000")
        .set("/variante", json!("minorenni"))
        .set("/mb2", json!({"quadro_d": {"genitore": cf(9), "cognome": "Prova", "nome": "Padre", "caso": "a"}}))
        .set("/fc4", json!([{"codice_fiscale": cf(9), "quadro_fc9": {"isr": "20000", "isp": "25000", "scala_nucleo": "1.57"}}]))
        .run();
    assert_eq!(a.componenti_aggiuntive[0].importo, d("678.78"));
    assert_eq!(a.isee, d("4600.35"));
    let f = a.famiglia.unwrap();
    assert_eq!(f.scala, d("2.14"));
    assert_eq!(f.componenti_aggiuntive, d("647.06"));
    assert_eq!(f.isee, d("4385.38"));
}

#[test]
fn validity_until_31_december_or_six_months_for_the_isee_corrente() {
    // Ordinary DSU of 1-2-2026 → 31-12-2026 (D.Lgs. 147/2017 art. 10 c. 1).
    assert_eq!(single().run().valida_fino_al.to_string(), "2026-12-31");
    // ISEE corrente of 31-8-2026 → six months: 28-2-2027 (no 31 February).
    let a = single()
        .lavoro(0, "30000")
        .set("/data_presentazione", json!("2026-08-31"))
        .set("/variante", json!("corrente"))
        .set("/modulo_sostitutivo", json!({"componenti": [{"codice_fiscale": cf(0), "evento": "lavoro_indeterminato", "periodo": "dodici_mesi"}]}))
        .run();
    assert_eq!(a.valida_fino_al.to_string(), "2027-02-28");
}

// ---------------------------------------------------------------- rules table

#[test]
fn rule_set_chosen_by_presentation_date() {
    let r = rules().unwrap();
    let id = |date: &str| {
        single()
            .set("/data_presentazione", json!(date))
            .run()
            .rule_set
            .id
            .clone()
    };
    assert_eq!(id("2020-01-01"), "ISEE-2020-01-01");
    assert_eq!(id("2024-12-31"), "ISEE-2020-01-01");
    assert_eq!(id("2025-02-01"), "ISEE-2025-01-01");
    assert_eq!(id("2025-04-03"), "ISEE-2025-04-03");
    assert_eq!(id("2026-11-26"), "ISEE-2026-01-01");
    assert!(r.rule_sets.len() >= 4);
    let msg = single()
        .set("/data_presentazione", json!("2019-06-01"))
        .err();
    assert!(msg.contains("nessun insieme di regole"), "{msg}");
}

#[test]
fn every_parameter_has_a_source_and_every_m_point_a_note() {
    let raw: serde_json::Value = serde_json::from_str(RULES_JSON).unwrap();
    for p in raw["parameters"].as_array().unwrap() {
        let source = p["source"].as_str().unwrap();
        assert!(!source.is_empty(), "{}", p["name"]);
        if let Some(note) = p["note"].as_str() {
            assert!(!note.is_empty());
        }
        if source.contains("[M]") {
            assert!(p["note"].is_string(), "{}", p["name"]);
        }
    }
    let r = rules().unwrap();
    for year in 2020..=2026 {
        assert!(r.rendimento(year).is_some(), "tasso {year}");
    }
    // The 2026 rate: min(3,50 ; 1,60 + 1) = 2,60 %.
    assert_eq!(r.rendimento(2026).unwrap().tasso, d("0.026"));
}

#[test]
fn a_corrected_table_changes_the_result_without_code_changes() {
    let fixed = RULES_JSON.replace(
        r#""name": "detrazione.affitto.massimo", "from": "2020-01-01", "value": "7000""#,
        r#""name": "detrazione.affitto.massimo", "from": "2020-01-01", "value": "8000""#,
    );
    assert_ne!(fixed, RULES_JSON);
    let r = parse_rules(&fixed).unwrap();
    assert_eq!(
        r.rule_sets.first().unwrap().affitto_massimo.value,
        d("8000")
    );
    assert!(
        parse_rules(&RULES_JSON.replace(
            "\"source\": \"DPCM 159/2013 art. 2 c. 3\"",
            "\"source\": \"\""
        ))
        .is_err()
    );
}
