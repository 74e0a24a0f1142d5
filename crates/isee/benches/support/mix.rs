//! The benchmark's mix of ordinary 2026 households as JSON lines (also read by the tests).
#![allow(dead_code)]

use std::fmt::Write as _;

/// Deterministic pseudo-random numbers (no extra dependency).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn amount(&mut self, max: u64) -> String {
        format!("{}.{:02}", self.below(max), self.below(100))
    }
}

/// One ordinary DSU as a JSON line: 1–6 members (dichiarante, a spouse in 70 % of cases,
/// 0–3 children), incomes of the adults (employment, some pensions, AUU with children), a
/// current account per adult, a fund in 25 % of cases, a libretto for 25 % of the children, a
/// second property for 25 % of households, a home owned with a mortgage (60 %) or rented,
/// a disabled member in 10 %.
fn household(r: &mut Lcg, n: u64) -> String {
    let spouse = r.below(10) < 7;
    let children = r.below(4);
    let mut quadro_a = String::new();
    let mut fc1 = String::new();
    let mut fc3 = String::new();
    let mut members = vec![("D", 1960 + r.below(25))];
    if spouse {
        members.push(("C", 1960 + r.below(25)));
    }
    for _ in 0..children {
        // No child born in 2008: 17 or 18 depending on the day, F or FC.
        let born = match 2005 + r.below(21) {
            2008 => 2009,
            y => y,
        };
        members.push((if born > 2008 { "F" } else { "FC" }, born));
    }
    let owner = r.below(10) < 6;
    for (i, (rel, born)) in members.iter().enumerate() {
        let cf = format!("BNCHMK{i:02}A01H501Z");
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(
            quadro_a,
            r#"{sep}{{"codice_fiscale":"{cf}","cognome":"Prova","nome":"N{i}","data_nascita":"{born}-0{m}-1{d}"}}"#,
            m = 1 + r.below(9),
            d = r.below(9)
        );
        let mut immobili = String::new();
        if i == 0 && owner {
            let _ = write!(
                immobili,
                r#"{{"tipo":"F","comune_o_stato":"Bergamo","valore":"{}","mutuo_residuo":"{}","casa_abitazione":true}}"#,
                r.amount(300_000),
                r.amount(120_000)
            );
        }
        if *rel == "D" && r.below(4) == 0 {
            let sep = if immobili.is_empty() { "" } else { "," };
            let _ = write!(
                immobili,
                r#"{sep}{{"tipo":"F","comune_o_stato":"Lecco","quota":"50","valore":"{}"}}"#,
                r.amount(150_000)
            );
        }
        let adult = *rel == "D" || *rel == "C";
        let mut rapporti = String::new();
        if adult {
            let _ = write!(
                rapporti,
                r#"{{"tipo":"01","saldo":"{}","giacenza_media":"{}"}}"#,
                r.amount(30_000),
                r.amount(30_000)
            );
            if r.below(4) == 0 {
                let _ = write!(
                    rapporti,
                    r#",{{"tipo":"05","valore":"{}"}}"#,
                    r.amount(40_000)
                );
            }
        } else if r.below(4) == 0 {
            let _ = write!(
                rapporti,
                r#"{{"tipo":"03","postale":true,"saldo":"{}","giacenza_media":"{}"}}"#,
                r.amount(5_000),
                r.amount(5_000)
            );
        }
        let _ = write!(
            fc1,
            r#"{sep}{{"codice_fiscale":"{cf}","quadro_fc1":{{"relazione":"{rel}"}}"#
        );
        if !rapporti.is_empty() {
            let _ = write!(fc1, r#","quadro_fc2":{{"rapporti":[{rapporti}]}}"#);
        }
        if !immobili.is_empty() {
            let _ = write!(fc1, r#","quadro_fc3":{{"immobili":[{immobili}]}}"#);
        }
        fc1.push('}');
        if adult {
            let lavoro = r.below(60_000);
            let pensione = if r.below(5) == 0 { r.below(25_000) } else { 0 };
            let _ = write!(
                fc3,
                r#"{sep}{{"codice_fiscale":"{cf}","quadro_fc8":{{"reddito_complessivo":"{}","di_cui_lavoro_dipendente":"{lavoro}","di_cui_pensione":"{pensione}","assegno_unico":"{}"}}}}"#,
                lavoro + pensione + r.below(3000),
                if children > 0 { r.below(4000) } else { 0 }
            );
        }
    }
    let fc3 = fc3.trim_start_matches(',');
    let quadro_b = if owner {
        r#"{"casa_abitazione":"proprieta"}"#.to_owned()
    } else {
        format!(
            r#"{{"casa_abitazione":"locazione","locazione":{{"intestatario":"BNCHMK00A01H501Z","data_registrazione":"2020-01-01","estremi_registrazione":"3T 1","canone_annuo":"{}"}}}}"#,
            r.amount(12_000)
        )
    };
    let fc2 = if r.below(10) == 0 {
        r#","fc2":[{"codice_fiscale":"BNCHMK00A01H501Z","quadro_fc7":{"condizione":"media"}}]"#
    } else {
        ""
    };
    format!(
        r#"{{"protocollo":"INPS-ISEE-2026-{n:08}-00","data_presentazione":"2026-0{}-1{}","mb1":{{"quadro_a":{{"componenti":[{quadro_a}]}},"quadro_b":{quadro_b}}},"fc1":[{fc1}],"fc3":[{fc3}]{fc2}}}"#,
        1 + r.below(9),
        r.below(9)
    )
}

pub fn mix(n: u64) -> Vec<String> {
    let mut r = Lcg(2026);
    (0..n).map(|i| household(&mut r, i)).collect()
}
