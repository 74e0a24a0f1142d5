//! Property tests over generated households.

use super::common::*;
use isee::compute;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

#[derive(Debug, Clone)]
struct Person {
    rel: &'static str,
    born: &'static str,
    lavoro: u32,
    pensione: u32,
    altri: u32,
    saldo: u32,
    giacenza: u32,
    fondo: u32,
    immobile: u32,
    disabile: bool,
}

fn person(rel: &'static str, born: &'static str) -> impl Strategy<Value = Person> {
    (
        0u32..80_000,
        0u32..30_000,
        0u32..10_000,
        0u32..60_000,
        0u32..60_000,
        0u32..40_000,
        0u32..150_000,
        prop::bool::weighted(0.1),
    )
        .prop_map(
            move |(lavoro, pensione, altri, saldo, giacenza, fondo, immobile, disabile)| Person {
                rel,
                born,
                lavoro,
                pensione,
                altri,
                saldo,
                giacenza,
                fondo,
                immobile,
                disabile,
            },
        )
}

#[derive(Debug, Clone)]
struct House {
    people: Vec<Person>,
    rent: Option<u32>,
    home: Option<(u32, u32)>,
    working: bool,
}

fn house() -> impl Strategy<Value = House> {
    let kids = prop::collection::vec(
        prop_oneof![
            person("F", "2015-03-01"),
            person("F", "2024-03-01"),
            person("FC", "2003-03-01")
        ],
        0..4,
    );
    (
        person("D", "1975-01-01"),
        prop::option::of(person("C", "1977-01-01")),
        kids,
        prop::option::of(0u32..15_000),
        prop::option::of((0u32..400_000, 0u32..200_000)),
        any::<bool>(),
    )
        .prop_map(|(d, c, kids, rent, home, working)| {
            let mut people = vec![d];
            people.extend(c);
            people.extend(kids);
            let rent = if home.is_some() { None } else { rent };
            House {
                people,
                rent,
                home,
                working,
            }
        })
}

fn build(h: &House) -> B {
    let mut b = B::new("2026-03-15");
    let mut minors = false;
    for (i, p) in h.people.iter().enumerate() {
        minors |= p.rel == "F";
        b = b
            .member(i, p.rel, p.born)
            .fc8(i, json!({
                "reddito_complessivo": (p.lavoro + p.pensione + p.altri).to_string(),
                "di_cui_lavoro_dipendente": p.lavoro.to_string(),
                "di_cui_pensione": p.pensione.to_string()}))
            .quadro(i, "quadro_fc2", json!({"rapporti": [
                {"tipo": "01", "saldo": p.saldo.to_string(), "giacenza_media": p.giacenza.to_string()},
                {"tipo": "05", "valore": p.fondo.to_string()}]}))
            .quadro(i, "quadro_fc3", json!({"immobili": [
                {"tipo": "TA", "comune_o_stato": "Lodi", "valore": p.immobile.to_string()}]}));
        if p.disabile {
            b = b.disabile(i, "media");
        }
    }
    if let Some(rent) = h.rent {
        b = b.set("/mb1/quadro_b", json!({"casa_abitazione": "locazione", "locazione": {"intestatario": cf(0),
            "data_registrazione": "2020-01-01", "estremi_registrazione": "3T 1", "canone_annuo": rent.to_string()}}));
    }
    if let Some((v, m)) = h.home {
        b = b
            .set("/mb1/quadro_b/casa_abitazione", json!("proprieta"))
            .quadro(
                0,
                "quadro_fc3",
                casa(&v.to_string(), &m.to_string(), "Lodi"),
            );
    }
    if minors && h.working {
        b = b.set("/mb1/quadro_b/genitori_lavoratori", json!(true));
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn more_income_never_lowers_the_isee(h in house(), who in 0usize..6, extra in 0u32..50_000, kind in 0usize..3) {
        let a = build(&h).run();
        let mut h2 = h.clone();
        let n = h2.people.len();
        if let Some(p) = h2.people.get_mut(who % n) {
            match kind { 0 => p.lavoro += extra, 1 => p.pensione += extra, _ => p.altri += extra }
        }
        let b = build(&h2).run();
        prop_assert!(b.isee >= a.isee, "{} < {}", b.isee, a.isee);
        prop_assert!(b.isr >= a.isr);
    }

    #[test]
    fn a_disabled_member_never_raises_the_isee(h in house(), who in 0usize..6) {
        let mut h = h;
        let n = h.people.len();
        if let Some(p) = h.people.get_mut(who % n) { p.disabile = false; }
        let a = build(&h).run();
        if let Some(p) = h.people.get_mut(who % n) { p.disabile = true; }
        let b = build(&h).run();
        prop_assert!(b.isee <= a.isee);
        prop_assert!(b.scala > a.scala);
    }

    #[test]
    fn rent_deduction_never_exceeds_its_cap(h in house()) {
        let a = build(&h).run();
        let kids = h.people.iter().filter(|p| p.rel != "D" && p.rel != "C").count();
        let cap = Decimal::from(7000 + 500 * kids.saturating_sub(2));
        prop_assert!(a.detrazione_affitto <= cap);
        prop_assert!(a.detrazione_affitto <= Decimal::from(h.rent.unwrap_or(0)));
    }

    #[test]
    fn nothing_is_negative(h in house()) {
        let a = build(&h).run();
        for v in [a.somma_redditi, a.reddito_figurativo, a.detrazioni, a.isr, a.patrimonio_mobiliare,
                  a.franchigia_mobiliare, a.patrimonio_immobiliare, a.detrazione_casa, a.isp, a.ise, a.isee] {
            prop_assert!(v >= Decimal::ZERO);
        }
        prop_assert!(a.detrazione_casa <= a.patrimonio_immobiliare);
        prop_assert!(a.franchigia_mobiliare <= a.patrimonio_mobiliare);
        for c in &a.componenti {
            prop_assert!(c.reddito_netto >= Decimal::ZERO && c.detrazioni <= c.redditi);
        }
        if let Some(f) = &a.famiglia {
            prop_assert!(f.isee >= Decimal::ZERO && f.isee <= a.isee);
        }
    }

    #[test]
    fn the_scala_grows_with_members(h in house(), extra in person("P", "1950-01-01")) {
        let a = build(&h).run();
        let mut h2 = h.clone();
        if h2.people.len() < 6 {
            h2.people.push(extra);
            let b = build(&h2).run();
            prop_assert!(b.scala > a.scala);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(dsu) = isee::Dsu::from_json(&bytes) {
            let _ = compute(&dsu);
        }
    }
}
