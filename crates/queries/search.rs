//! Person search, built at run time because its conditions depend on what was typed.
//!
//! Names are matched in up to three passes, each in its own order, until the page is full:
//! names that start with the words as typed, surname first ("rossi m" → Rossi Maria); the
//! same with the names first ("mario ros" → Mario Rossi); then every other name that has a
//! word starting with each typed word, in any order. The first two are range scans of an
//! index already in order, so the common searches read only the rows they show; the third
//! uses a word index, the one part each backend writes its own way (SQLite's FTS5 with prefix
//! indexes, PostgreSQL's GIN index of every prefix of the name words): `Db::name_source`
//! and `Db::name_match`. With a birth date or a code, which select a handful of persons
//! through their own index, one statement finds them all, matches the words row by row and
//! ranks each match as its pass would list it.

use super::person::RawPerson;
use super::{Backend, Db, map_err};
use std::collections::HashSet;
use store::{PersonSearch, Result};
use uuid::Uuid;

#[derive(Clone, Copy)]
enum Pass {
    /// No name typed: the other criteria alone, by name.
    All,
    SurnameFirst,
    NamesFirst,
    AnyOrder,
    /// With a birth date or a code, which leave a handful of persons: the three passes in one
    /// statement, each match ranked as its pass would list it.
    Ranked,
}

/// The smallest string greater than every string starting with `prefix` (keys hold only
/// ASCII letters, digits and blanks, so bumping the last byte stays ASCII).
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_owned();
    if let Some(last) = end.pop() {
        end.push(char::from(
            u8::try_from(u32::from(last) + 1).unwrap_or(b'~'),
        ));
    }
    end
}

/// The columns of [`RawPerson`]: a page of results comes whole from the pass that finds it.
const PERSON_COLUMNS: &str = "SELECT p.id, p.org_id, p.codice_fiscale, p.surname, p.given_names, \
     p.sex, p.birth_date, p.birthplace_code, p.birthplace_name, p.citizenship, p.civil_status, \
     p.death_date, p.residence_istat, p.residence_street, p.domicile_istat, p.domicile_street, \
     p.phone, p.email, p.cf_mismatch, p.registry_comune, p.registry_id, p.registry_left_on, \
     p.merged_into, p.version, p.created_at, p.updated_at FROM ";

/// `key` starts with `phrase`: a range, which an index on `key` serves in order.
fn starts_with(qb: &mut sqlx::QueryBuilder<super::Kind>, key: &str, phrase: &str) {
    qb.push(format_args!("({key} >= "));
    qb.push_bind(phrase.to_owned());
    qb.push(format_args!(" AND {key} < "));
    qb.push_bind(prefix_end(phrase));
    qb.push(")");
}

/// Each word starts a word of the name, checked row by row. Keys are folded words joined by
/// single blanks and typed words hold only letters and digits, so no word carries a LIKE
/// wildcard.
fn words_anywhere(qb: &mut sqlx::QueryBuilder<super::Kind>, words: &[String]) {
    for (i, w) in words.iter().enumerate() {
        qb.push(if i == 0 { "(" } else { " AND " });
        qb.push("' ' || p.search_key LIKE ");
        qb.push_bind(format!("% {w}%"));
    }
    qb.push(")");
}

async fn pass(
    conn: &mut <super::Kind as sqlx::Database>::Connection,
    org_id: Uuid,
    s: &PersonSearch,
    pass: Pass,
    limit: i64,
) -> Result<Vec<RawPerson>> {
    let full_text = matches!(pass, Pass::AnyOrder);
    let mut qb = sqlx::QueryBuilder::<super::Kind>::new(PERSON_COLUMNS);
    qb.push(if full_text {
        Db::name_source()
    } else {
        "person p"
    });
    qb.push(" WHERE p.org_id = ");
    qb.push_bind(org_id);
    qb.push(" AND p.merged_into IS NULL");
    match pass {
        Pass::All => {}
        Pass::SurnameFirst => {
            qb.push(" AND ");
            starts_with(&mut qb, "p.search_key", &s.phrase);
        }
        Pass::NamesFirst => {
            qb.push(" AND ");
            starts_with(&mut qb, "p.search_key_rev", &s.phrase);
        }
        Pass::AnyOrder => {
            qb.push(" AND ");
            Db::name_match(&mut qb, &s.words);
        }
        // The word index would first fetch every person with a word so started (some 7,000
        // for "rossi" among a million) to keep the one born that day: the words are checked
        // on the rows that the date's or the code's own index yields.
        Pass::Ranked => {
            qb.push(" AND (");
            starts_with(&mut qb, "p.search_key", &s.phrase);
            qb.push(" OR ");
            starts_with(&mut qb, "p.search_key_rev", &s.phrase);
            if !s.words.is_empty() {
                qb.push(" OR ");
                words_anywhere(&mut qb, &s.words);
            }
            qb.push(")");
        }
    }
    if let Some(cf) = &s.codice_fiscale {
        qb.push(" AND p.codice_fiscale = ");
        qb.push_bind(cf.clone());
    }
    if let Some(d) = s.birth_date {
        qb.push(" AND p.birth_date = ");
        qb.push_bind(d);
    }
    if let Some(istat) = &s.residence_istat {
        qb.push(" AND p.residence_istat = ");
        qb.push_bind(istat.clone());
    }
    // An age band keeps most persons: the name index, already in order, should drive.
    if let Some(d) = s.born_from {
        qb.push(" AND ");
        qb.push(Db::AGE_BAND_BIRTH_DATE);
        qb.push(" >= ");
        qb.push_bind(d);
    }
    if let Some(d) = s.born_to {
        qb.push(" AND ");
        qb.push(Db::AGE_BAND_BIRTH_DATE);
        qb.push(" <= ");
        qb.push_bind(d);
    }
    qb.push(" ORDER BY ");
    match pass {
        Pass::All | Pass::SurnameFirst | Pass::AnyOrder => {
            qb.push("p.search_key");
        }
        Pass::NamesFirst => {
            qb.push("p.search_key_rev");
        }
        Pass::Ranked => {
            qb.push("CASE WHEN ");
            starts_with(&mut qb, "p.search_key", &s.phrase);
            qb.push(" THEN 0 WHEN ");
            starts_with(&mut qb, "p.search_key_rev", &s.phrase);
            qb.push(" THEN 1 ELSE 2 END, CASE WHEN ");
            starts_with(&mut qb, "p.search_key", &s.phrase);
            qb.push(" THEN p.search_key WHEN ");
            starts_with(&mut qb, "p.search_key_rev", &s.phrase);
            qb.push(" THEN p.search_key_rev ELSE p.search_key END");
        }
    }
    qb.push(", p.birth_date, p.id LIMIT ");
    qb.push_bind(limit);
    // The word index pass is planned for the words typed, every time: PostgreSQL's plan for
    // any words, cached after five runs, could walk the name index in order testing each
    // name, which reads the whole registry for a rare name.
    qb.build_query_as::<RawPerson>()
        .persistent(!full_text)
        .fetch_all(conn)
        .await
        .map_err(map_err)
}

pub(crate) async fn persons(
    conn: &mut <super::Kind as sqlx::Database>::Connection,
    org_id: Uuid,
    s: &PersonSearch,
) -> Result<Vec<RawPerson>> {
    let offset = usize::try_from(s.offset).unwrap_or(0);
    let limit = usize::try_from(s.limit).unwrap_or(0);
    let want = offset + limit;
    let passes: &[Pass] = if s.phrase.is_empty() {
        &[Pass::All]
    } else if s.codice_fiscale.is_some() || s.birth_date.is_some() {
        &[Pass::Ranked]
    } else if s.words.is_empty() {
        &[Pass::SurnameFirst, Pass::NamesFirst]
    } else {
        &[Pass::SurnameFirst, Pass::NamesFirst, Pass::AnyOrder]
    };
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for &p in passes {
        if found.len() >= want {
            break;
        }
        // Enough rows to fill the page even if every earlier match comes back again.
        let n = i64::try_from(want + found.len()).unwrap_or(i64::MAX);
        for person in pass(&mut *conn, org_id, s, p, n).await? {
            if seen.insert(person.id) {
                found.push(person);
            }
        }
    }
    Ok(found.into_iter().skip(offset).take(limit).collect())
}
