//! Helpers shared by the tests: a small DSU builder over JSON.

use std::path::PathBuf;

use isee::{Attestazione, Dsu, compute};
use rust_decimal::Decimal;
use serde_json::{Value, json};

pub fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/isee")
}

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A valid codice fiscale-shaped code for component `i`.
pub fn cf(i: usize) -> String {
    format!("CMPNNT{i:02}A01H501Z")
}

/// Builds DSUs for the tests.
#[derive(Clone)]
pub struct B(pub Value);

impl B {
    /// A DSU presented on `date` with no components yet, casa "altro".
    pub fn new(date: &str) -> B {
        B(json!({
            "data_presentazione": date,
            "mb1": { "quadro_a": { "componenti": [] }, "quadro_b": { "casa_abitazione": "altro" } },
            "fc1": []
        }))
    }

    /// Adds component `i` (relation `rel`, born on `born`).
    pub fn member(mut self, i: usize, rel: &str, born: &str) -> B {
        self.arr("/mb1/quadro_a/componenti").push(json!({
            "codice_fiscale": cf(i), "cognome": "Prova", "nome": format!("N{i}"), "data_nascita": born
        }));
        self.arr("/fc1")
            .push(json!({ "codice_fiscale": cf(i), "quadro_fc1": { "relazione": rel } }));
        self
    }

    /// Sets quadro FC8 of component `i`.
    pub fn fc8(mut self, i: usize, fc8: Value) -> B {
        self.0
            .as_object_mut()
            .unwrap()
            .entry("fc3")
            .or_insert(json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!({ "codice_fiscale": cf(i), "quadro_fc8": fc8 }));
        self
    }

    /// Employee income of component `i`.
    pub fn lavoro(self, i: usize, amount: &str) -> B {
        self.fc8(
            i,
            json!({ "reddito_complessivo": amount, "di_cui_lavoro_dipendente": amount }),
        )
    }

    /// Sets a quadro of the FC.1 module of component `i` (e.g. "quadro_fc2").
    pub fn quadro(mut self, i: usize, quadro: &str, value: Value) -> B {
        let m = self.fc1(i);
        m[quadro] = value;
        self
    }

    pub fn fc1(&mut self, i: usize) -> &mut Value {
        let code = cf(i);
        self.arr("/fc1")
            .iter_mut()
            .find(|m| m["codice_fiscale"] == code.as_str())
            .unwrap()
    }

    pub fn disabile(mut self, i: usize, condizione: &str) -> B {
        self.0
            .as_object_mut()
            .unwrap()
            .entry("fc2")
            .or_insert(json!([]))
            .as_array_mut()
            .unwrap()
            .push(json!({ "codice_fiscale": cf(i), "quadro_fc7": { "condizione": condizione } }));
        self
    }

    /// Sets any value by JSON pointer (creating the last key).
    pub fn set(mut self, pointer: &str, value: Value) -> B {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = if parent.is_empty() {
            &mut self.0
        } else {
            self.0.pointer_mut(parent).unwrap()
        };
        target[key] = value;
        self
    }

    fn arr(&mut self, pointer: &str) -> &mut Vec<Value> {
        self.0.pointer_mut(pointer).unwrap().as_array_mut().unwrap()
    }

    pub fn dsu(&self) -> Dsu {
        Dsu::from_json(self.0.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn run(&self) -> Attestazione {
        compute(&self.dsu()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The error message of a DSU that must be refused.
    pub fn err(&self) -> String {
        match Dsu::from_json(self.0.to_string().as_bytes()) {
            Ok(dsu) => match compute(&dsu) {
                Ok(a) => panic!("expected an error, got ISEE {}", a.isee),
                Err(e) => e.to_string(),
            },
            Err(e) => e.to_string(),
        }
    }
}

/// A one-person DSU of 2026 (born 1970).
pub fn single() -> B {
    B::new("2026-02-01").member(0, "D", "1970-01-01")
}

pub fn conto(saldo: &str, giacenza: &str) -> Value {
    json!({ "tipo": "01", "saldo": saldo, "giacenza_media": giacenza })
}

pub fn casa(valore: &str, mutuo: &str, comune: &str) -> Value {
    json!({ "immobili": [{ "tipo": "F", "comune_o_stato": comune, "valore": valore,
        "mutuo_residuo": mutuo, "casa_abitazione": true }] })
}
