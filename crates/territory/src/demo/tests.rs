#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};

use time::macros::date;

use super::*;
use crate::{birthplace_by_code, foreign_state_by_code};

const REFERENCE: Date = date!(2026 - 11 - 26);
const BERGAMO: &str = "016024";

fn people(n: usize, seed: u64) -> Vec<Resident> {
    generate(n, seed, &[BERGAMO], REFERENCE).unwrap().collect()
}

fn households(rows: &[Resident]) -> Vec<Vec<&Resident>> {
    let mut order = Vec::new();
    let mut by_id: HashMap<u32, Vec<&Resident>> = HashMap::new();
    for r in rows {
        by_id
            .entry(r.household_id)
            .or_insert_with(|| {
                order.push(r.household_id);
                Vec::new()
            })
            .push(r);
    }
    order.iter().map(|id| by_id.remove(id).unwrap()).collect()
}

fn csv_of(rows: Vec<Resident>) -> String {
    let mut out = Vec::new();
    write_csv(&mut out, rows.into_iter(), |_| {}).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn same_seed_same_rows_different_seed_different_rows() {
    let a = people(3_000, 42);
    assert_eq!(a.len(), 3_000);
    assert_eq!(a, people(3_000, 42));
    let b = people(3_000, 43);
    assert_ne!(a, b);
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0);
    // A prefix of a larger population is the smaller one, household by
    // household (only the last household may be cut short).
    let big = people(5_000, 42);
    let last = a.last().unwrap().household_id;
    let complete = a.iter().take_while(|r| r.household_id != last).count();
    assert_eq!(a[..complete], big[..complete]);
}

#[test]
fn exact_count_and_iterator_size() {
    for n in [0, 1, 2, 7, 50, 1_001] {
        let it = generate(n, 9, &[BERGAMO], REFERENCE).unwrap();
        assert_eq!(it.size_hint(), (n, Some(n)));
        assert_eq!(it.count(), n);
    }
}

#[test]
fn unknown_or_missing_comune_is_an_error() {
    assert_eq!(
        generate(10, 1, &["999999"], REFERENCE).err(),
        Some(DemoError::UnknownComune("999999".into()))
    );
    assert_eq!(
        generate(10, 1, &[], REFERENCE).err(),
        Some(DemoError::NoComune)
    );
}

#[test]
fn every_codice_fiscale_decodes_to_the_persons_data() {
    let rows = people(20_000, 1);
    let mut omocodes = 0;
    for r in &rows {
        let cf = CodiceFiscale::parse(r.codice_fiscale.as_str()).unwrap();
        let data = cf.decode_with_reference(REFERENCE).unwrap().unwrap();
        assert_eq!(data.sex, r.sex, "{r:?}");
        assert_eq!(data.birth_date, r.birth_date, "{r:?}");
        assert_eq!(data.birthplace_code, r.birthplace, "{r:?}");
        assert!(data.birthplace_valid_on_birth_date, "{r:?}");
        let expected = CodiceFiscale::encode(
            &r.surname,
            &r.given_names,
            r.sex,
            r.birth_date,
            r.birthplace,
        )
        .unwrap();
        assert_eq!(cf.base(), expected, "{r:?}");
        if cf.is_omocode() {
            omocodes += 1;
        }
    }
    // ~0.3% of 20,000 = 60.
    assert!((25..=110).contains(&omocodes), "{omocodes} omocodie");
}

#[test]
fn household_sizes_follow_istat() {
    let rows = people(20_000, 3);
    let hh = households(&rows);
    let total = hh.len() as f64;
    let share =
        |pred: &dyn Fn(usize) -> bool| hh.iter().filter(|h| pred(h.len())).count() as f64 / total;
    let expected = [(1, 0.36), (2, 0.27), (3, 0.18), (4, 0.14)];
    for (size, want) in expected {
        let got = share(&|n| n == size);
        assert!(
            (got - want).abs() < 0.025,
            "size {size}: {got:.3}, expected {want}"
        );
    }
    let got = share(&|n| n >= 5);
    assert!((got - 0.05).abs() < 0.015, "5+: {got:.3}");
    // Average size about 2.3, as in Italy.
    let avg = rows.len() as f64 / total;
    assert!((2.1..2.5).contains(&avg), "average {avg}");
}

#[test]
fn foreign_citizens_and_births_abroad() {
    let rows = people(20_000, 4);
    let n = rows.len() as f64;
    let foreign = rows
        .iter()
        .filter(|r| r.citizenship != Citizenship::Italian)
        .count() as f64
        / n;
    assert!(
        (0.07..=0.11).contains(&foreign),
        "foreign citizens {foreign:.3}"
    );
    let born_abroad = rows.iter().filter(|r| r.birthplace.is_foreign()).count() as f64 / n;
    assert!(
        (0.06..=0.11).contains(&born_abroad),
        "born abroad {born_abroad:.3}"
    );
    // Foreign births carry a state valid on the birth date; every Italian
    // birthplace is a comune existing on that date.
    for r in &rows {
        if r.birthplace.is_foreign() {
            assert!(foreign_state_by_code(r.birthplace, r.birth_date).is_some());
        } else {
            assert!(
                comune_by_belfiore(r.birthplace, r.birth_date).is_some(),
                "{r:?}"
            );
        }
        if let Citizenship::Foreign(code) = r.citizenship {
            assert!(code.is_foreign());
        }
    }
    // Several nationalities, Romanians first; some children of foreigners
    // born here; a few stateless persons and Italians born abroad.
    let mut by_state: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        if let Citizenship::Foreign(c) = &r.citizenship {
            *by_state.entry(c.as_str()).or_default() += 1;
        }
    }
    assert!(by_state.len() >= 12, "{by_state:?}");
    let top = by_state.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(*top.0, "Z129", "{by_state:?}");
    assert!(
        rows.iter()
            .any(|r| matches!(r.citizenship, Citizenship::Foreign(_)) && !r.birthplace.is_foreign())
    );
    assert!(
        rows.iter()
            .any(|r| r.citizenship == Citizenship::Italian && r.birthplace.is_foreign())
    );
    let births_here = rows
        .iter()
        .filter(|r| r.birthplace.as_str() == "A794")
        .count() as f64
        / n;
    assert!(
        (0.3..0.7).contains(&births_here),
        "born in Bergamo {births_here:.3}"
    );
}

#[test]
fn households_are_consistent() {
    let rows = people(20_000, 5);
    let hh = households(&rows);
    let mut ids = HashSet::new();
    let years = |a: Date, b: Date| (b - a).whole_days() as f64 / 365.25;
    for h in &hh {
        let head = h[0];
        assert_eq!(head.relationship, rel::HEAD, "{h:?}");
        assert_eq!(h.iter().filter(|m| m.relationship == rel::HEAD).count(), 1);
        assert!(head.age_on(REFERENCE) >= 18, "{head:?}");
        let partner = h.iter().find(|m| {
            matches!(
                m.relationship,
                rel::SPOUSE | rel::DE_FACTO_PARTNER | rel::CIVIL_PARTNER
            )
        });
        for m in h {
            assert!(ids.insert(m.id_anpr), "duplicate id {}", m.id_anpr);
            assert!((100_000_000..1_000_000_000).contains(&m.id_anpr));
            assert_eq!(m.address, head.address);
            assert_eq!(m.comune_istat, BERGAMO);
            assert_eq!(m.death_date, None);
            assert!(m.birth_date <= REFERENCE);
            assert!(m.age_on(REFERENCE) <= 99);
            assert!(m.residence_since >= m.birth_date && m.residence_since <= REFERENCE);
            assert!((1..=8).contains(&m.civil_status));
            if m.age_on(REFERENCE) < 18 {
                assert_eq!(m.civil_status, cs::SINGLE, "{m:?}");
            }
            match m.relationship {
                rel::SPOUSE => {
                    assert_eq!(m.civil_status, cs::MARRIED);
                    assert_eq!(head.civil_status, cs::MARRIED);
                    assert_ne!(m.sex, head.sex);
                }
                rel::CIVIL_PARTNER => {
                    assert_eq!((m.civil_status, head.civil_status), (6, 6));
                    assert_eq!(m.sex, head.sex);
                }
                rel::DE_FACTO_PARTNER => {
                    assert!(matches!(m.civil_status, cs::SINGLE | cs::DIVORCED));
                }
                rel::CHILD => {
                    // 18-45 years younger than the head (and the head's
                    // partner); a day either way for the drawn birthdays.
                    for parent in [Some(head), partner.copied()].into_iter().flatten() {
                        let gap = years(parent.birth_date, m.birth_date);
                        assert!((17.0..=46.0).contains(&gap), "gap {gap}: {h:?}");
                    }
                }
                rel::PARENT | rel::PARENT_IN_LAW => {
                    assert!(m.birth_date < head.birth_date);
                }
                _ => {}
            }
        }
    }
    // Every relationship kind shows up, and elderly persons live alone.
    let rels: HashSet<u8> = rows.iter().map(|r| r.relationship).collect();
    for code in [1, 2, 3, 4, 6, 9, 13, 16, 17, 28, 29] {
        assert!(rels.contains(&code), "relationship {code} missing");
    }
    let statuses: HashSet<u8> = rows.iter().map(|r| r.civil_status).collect();
    for code in [1, 2, 3, 4, 6] {
        assert!(statuses.contains(&code), "civil status {code} missing");
    }
    let elderly_alone = hh
        .iter()
        .filter(|h| h.len() == 1 && h[0].age_on(REFERENCE) >= 75)
        .count();
    assert!(elderly_alone as f64 > hh.len() as f64 * 0.08);
    let women = rows.iter().filter(|r| r.sex == Sex::F).count() as f64 / rows.len() as f64;
    assert!((0.48..0.56).contains(&women), "women {women:.3}");
}

#[test]
fn names_have_accents_apostrophes_and_double_surnames() {
    let rows = people(20_000, 6);
    assert!(rows.iter().any(|r| r.surname.contains('\'')));
    assert!(rows.iter().any(|r| r.given_names.contains('ò')));
    assert!(rows.iter().any(|r| r.given_names.contains(' ')));
    assert!(
        rows.iter()
            .any(|r| r.surname.contains(' ') && !r.surname.starts_with("De"))
    );
    let distinct: HashSet<&str> = rows.iter().map(|r| r.surname.as_str()).collect();
    assert!(distinct.len() > 300, "{} surnames", distinct.len());
}

#[test]
fn every_listed_name_has_a_codice_fiscale() {
    let lists = [
        names::ITALIAN_SURNAMES,
        names::MALE_OLD,
        names::MALE_NEW,
        names::FEMALE_OLD,
        names::FEMALE_NEW,
    ];
    let place = BelfioreCode::new("A794").unwrap();
    let mut all: Vec<&str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
    for n in names::NATIONALITIES {
        assert!(foreign_state_by_code(BelfioreCode::new(n.code).unwrap(), REFERENCE).is_some());
        all.extend(n.surnames.iter().chain(n.male).chain(n.female));
    }
    for name in all {
        assert!(
            CodiceFiscale::encode(name, name, Sex::F, REFERENCE, place).is_ok(),
            "{name}"
        );
        // Only letters the registry accepts in a name.
        assert!(
            name.chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-')),
            "{name}"
        );
    }
    for code in names::BIG_CITIES.iter().chain(names::ITALIANS_ABROAD) {
        let code = BelfioreCode::new(code).unwrap();
        assert!(
            birthplace_by_code(code, date!(1930 - 01 - 01)).is_some(),
            "{code}"
        );
    }
}

#[test]
fn csv_header_and_rows() {
    let rows = people(500, 7);
    let text = csv_of(rows.clone());
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id_anpr;codice_fiscale;cognome;nome;sesso;data_nascita;luogo_nascita;cittadinanza;stato_civile;data_decesso;indirizzo;data_decorrenza_residenza;id_famiglia;rapporto_parentela"
        )
    );
    assert_eq!(text.lines().count(), 501);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        CSV_HEADER
    );
    for (record, r) in reader.records().zip(&rows) {
        let record = record.unwrap();
        assert_eq!(record.len(), 14);
        assert_eq!(record[0], r.id_anpr.to_string());
        assert_eq!(record[0].len(), 9);
        assert_eq!(&record[1], r.codice_fiscale.as_str());
        assert_eq!(&record[2], r.surname);
        assert_eq!(&record[3], r.given_names);
        assert!(matches!(&record[4], "M" | "F"));
        assert_eq!(
            Date::parse(
                &record[5],
                &time::macros::format_description!("[year]-[month]-[day]")
            )
            .unwrap(),
            r.birth_date
        );
        assert_eq!(&record[6], r.birthplace.as_str());
        assert!(
            &record[7] == "IT" || &record[7] == "APOLIDE" || record[7].starts_with('Z'),
            "{record:?}"
        );
        assert_eq!(record[8], r.civil_status.to_string());
        assert_eq!(&record[9], "");
        assert_eq!(&record[10], r.address);
        assert_eq!(record[11].len(), 10);
        assert_eq!(record[12], r.household_id.to_string());
        assert_eq!(record[13], r.relationship.to_string());
    }
}

#[test]
fn csv_quotes_when_needed() {
    let mut r = people(1, 1).pop().unwrap();
    r.address = "Via \"Nuova\"; 3".into();
    let text = csv_of(vec![r]);
    assert!(text.contains(";\"Via \"\"Nuova\"\"; 3\";"), "{text}");
}

#[test]
fn next_month_has_every_kind_of_change() {
    let n = 2_000;
    let base: Vec<Resident> = people(n, 11);
    let mut next = generate_next_month(n, 11, &[BERGAMO], REFERENCE).unwrap();
    assert_eq!(next.reference(), date!(2026 - 12 - 26));
    let after: Vec<Resident> = next.by_ref().collect();
    let s = next.summary();
    assert!(s.births >= 1 && s.deaths >= 1 && s.marriages >= 1, "{s:?}");
    assert!(
        s.moved_out >= 1 && s.moved_in >= 1 && s.address_changes >= 1,
        "{s:?}"
    );
    assert_eq!(after.len(), n + s.births + s.moved_in - s.moved_out);
    // Deterministic.
    let again: Vec<Resident> = generate_next_month(n, 11, &[BERGAMO], REFERENCE)
        .unwrap()
        .collect();
    assert_eq!(after, again);

    let start = date!(2026 - 11 - 27);
    let end = date!(2026 - 12 - 26);
    let before: HashMap<u32, &Resident> = base.iter().map(|r| (r.id_anpr, r)).collect();
    let ids: HashSet<u32> = after.iter().map(|r| r.id_anpr).collect();
    assert_eq!(ids.len(), after.len(), "ids are unique");
    assert_eq!(
        base.iter().filter(|r| !ids.contains(&r.id_anpr)).count(),
        s.moved_out
    );
    let (mut births, mut deaths, mut arrivals, mut moved, mut married) = (0, 0, 0, 0, 0);
    for r in &after {
        match before.get(&r.id_anpr) {
            None if r.residence_since == r.birth_date && r.birth_date >= start => {
                births += 1;
                assert!(r.birth_date <= end);
                assert_eq!(r.relationship, rel::CHILD);
                let cf = r
                    .codice_fiscale
                    .decode_with_reference(end)
                    .unwrap()
                    .unwrap();
                assert_eq!(cf.birth_date, r.birth_date);
            }
            None => {
                arrivals += 1;
                assert!((start..=end).contains(&r.residence_since), "{r:?}");
            }
            Some(old) => {
                assert_eq!(
                    (&old.codice_fiscale, &old.surname, old.birth_date),
                    (&r.codice_fiscale, &r.surname, r.birth_date)
                );
                if let Some(d) = r.death_date {
                    deaths += 1;
                    assert!((start..=end).contains(&d));
                    assert!(r.age_on(d) >= 70);
                }
                if old.address != r.address {
                    moved += 1;
                    assert!((start..=end).contains(&r.residence_since));
                }
                if old.relationship == rel::DE_FACTO_PARTNER && r.relationship == rel::SPOUSE {
                    married += 1;
                    assert_eq!(r.civil_status, cs::MARRIED);
                }
            }
        }
    }
    assert_eq!((births, deaths, married), (s.births, s.deaths, s.marriages));
    assert_eq!(arrivals, s.moved_in);
    assert!(moved >= s.address_changes);
    // A death widows the surviving spouse.
    for h in households(&after) {
        if let Some(dead) = h.iter().find(|m| m.death_date.is_some())
            && dead.relationship == rel::HEAD
            && let Some(spouse) = h.iter().find(|m| m.relationship == rel::SPOUSE)
        {
            assert_eq!(spouse.civil_status, cs::WIDOWED);
        }
    }
}

#[test]
fn next_month_clamps_the_day() {
    assert_eq!(next_month(date!(2026 - 01 - 31)), date!(2026 - 02 - 28));
    assert_eq!(next_month(date!(2028 - 01 - 31)), date!(2028 - 02 - 29));
    assert_eq!(next_month(date!(2026 - 12 - 15)), date!(2027 - 01 - 15));
}

#[test]
fn several_comuni() {
    // Bergamo and Milano.
    let rows: Vec<Resident> = generate(2_000, 2, &[BERGAMO, "015146"], REFERENCE)
        .unwrap()
        .collect();
    let milano = rows.iter().filter(|r| r.comune_istat == "015146").count();
    assert!((600..1_400).contains(&milano), "{milano}");
    for h in households(&rows) {
        assert!(h.iter().all(|m| m.comune_istat == h[0].comune_istat));
    }
}

#[test]
fn codes_are_unique_and_a_repeated_code_becomes_an_omocode() {
    let rows = people(20_000, 8);
    let codes: HashSet<_> = rows.iter().map(|r| r.codice_fiscale).collect();
    assert_eq!(codes.len(), rows.len());
    let next: Vec<Resident> = generate_next_month(20_000, 8, &[BERGAMO], REFERENCE)
        .unwrap()
        .collect();
    let codes: HashSet<_> = next.iter().map(|r| r.codice_fiscale).collect();
    assert_eq!(codes.len(), next.len());

    let mut pop = generate(10, 1, &[BERGAMO], REFERENCE).unwrap();
    let first = pop.next().unwrap();
    let mut twin = first.clone();
    pop.make_unique(&mut twin);
    assert_ne!(twin.codice_fiscale, first.codice_fiscale);
    assert_eq!(twin.codice_fiscale.base(), first.codice_fiscale.base());
    assert_eq!(
        twin.codice_fiscale,
        first.codice_fiscale.base().omocodes()[0]
    );
    let mut third = first.clone();
    pop.make_unique(&mut third);
    assert_eq!(
        third.codice_fiscale,
        first.codice_fiscale.base().omocodes()[1]
    );
}
