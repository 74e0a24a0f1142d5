//! Logic of the `sportello cf` commands; the binary only wires arguments
//! and standard input/output to these functions.

use std::io::{self, Write};

use serde::Serialize;
use time::Date;

use crate::codice_fiscale::{CodiceFiscale, EncodeError, Sex, normalize};
use crate::places::{BelfioreCode, Birthplace, birthplace_by_code, birthplaces_by_name};

/// One line of `sportello cf decode` output. Field order is the JSON key
/// order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodeOutput<'a> {
    /// The input exactly as given.
    pub input: &'a str,
    pub valid: bool,
    /// Italian message, only for invalid codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whitespace removed and uppercased; absent for blank input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    /// Present for valid codes only.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub details: Option<DecodeDetails>,
}

/// Fields of a valid code; personal fields are null for provisional, STP
/// and ENI codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodeDetails {
    /// "ordinario", "provvisorio", "stp" or "eni".
    pub kind: &'static str,
    pub sex: Option<Sex>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Belfiore code, omocodia letters turned back into digits.
    pub birthplace_code: Option<BelfioreCode>,
    pub birthplace_name: Option<&'static str>,
    /// Province sigla; null abroad.
    pub province: Option<&'static str>,
    pub omocodia: bool,
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Decodes one code for `sportello cf decode`, inferring the century from
/// `today`.
pub fn decode_json(input: &str, today: Date) -> DecodeOutput<'_> {
    let decoded = CodiceFiscale::parse(input).and_then(|cf| Ok((cf, cf.decode_with_reference(today)?)));
    match decoded {
        Ok((cf, personal)) => DecodeOutput {
            input,
            valid: true,
            error: None,
            normalized: Some(cf.as_str().to_owned()),
            details: Some(DecodeDetails {
                kind: cf.kind().label(),
                sex: personal.map(|p| p.sex),
                birth_date: personal.map(|p| iso_date(p.birth_date)),
                birthplace_code: personal.map(|p| p.birthplace_code),
                birthplace_name: personal.map(|p| p.birthplace.name()),
                province: personal.and_then(|p| p.birthplace.province()),
                omocodia: cf.is_omocode(),
            }),
        },
        Err(e) => {
            let normalized = normalize(input);
            DecodeOutput {
                input,
                valid: false,
                error: Some(e.to_string()),
                normalized: (!normalized.is_empty()).then_some(normalized),
                details: None,
            }
        }
    }
}

/// Writes one JSON object per code, one per line, in input order. Blank
/// lines are skipped.
pub fn decode_lines<'a>(
    codes: impl Iterator<Item = &'a str>,
    today: Date,
    out: &mut dyn Write,
) -> io::Result<()> {
    for code in codes.filter(|c| !c.trim().is_empty()) {
        serde_json::to_writer(&mut *out, &decode_json(code, today))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Computes a codice fiscale for `sportello cf encode`.
///
/// `sesso` is M/F (or maschio/femmina). `luogo` is a Belfiore code, or the
/// name of a comune or foreign state (accent- and case-insensitive,
/// optionally followed by the province in brackets, e.g. "Castro (LE)").
/// Among names, the places valid on `data` are preferred; when they still
/// name more than one code, the error lists the candidates.
pub fn encode(cognome: &str, nome: &str, sesso: &str, data: Date, luogo: &str) -> Result<CodiceFiscale, EncodeError> {
    let sex = match sesso.trim().to_lowercase().as_str() {
        "m" | "maschio" => Sex::M,
        "f" | "femmina" => Sex::F,
        _ => return Err(EncodeError::InvalidSex(sesso.to_owned())),
    };
    let code = resolve_place(luogo, data)?;
    CodiceFiscale::encode(cognome, nome, sex, data, code)
}

fn resolve_place(luogo: &str, date: Date) -> Result<BelfioreCode, EncodeError> {
    if let Some(code) = BelfioreCode::new(luogo) {
        return birthplace_by_code(code, date)
            .map(|m| m.place.code())
            .ok_or(EncodeError::UnknownPlaceCode(code));
    }
    let (name, province) = split_province(luogo);
    let matches: Vec<Birthplace> = birthplaces_by_name(name)
        .into_iter()
        .filter(|p| province.is_none_or(|pr| p.province().is_some_and(|q| q.eq_ignore_ascii_case(pr))))
        .collect();
    if matches.is_empty() {
        return Err(EncodeError::UnknownPlace(luogo.trim().to_owned()));
    }
    let valid: Vec<Birthplace> = matches.iter().copied().filter(|p| p.is_valid_on(date)).collect();
    // Prefer what existed on the birth date; otherwise any period of the name.
    let (pool, with_periods) = if valid.is_empty() { (matches, true) } else { (valid, false) };
    let mut codes: Vec<BelfioreCode> = pool.iter().map(Birthplace::code).collect();
    codes.sort();
    codes.dedup();
    match codes.as_slice() {
        [one] => Ok(*one),
        _ => Err(EncodeError::AmbiguousPlace {
            query: luogo.trim().to_owned(),
            candidates: pool.iter().map(|p| candidate_label(p, with_periods)).collect(),
        }),
    }
}

/// "Castro (LE)" → ("Castro", Some("LE")).
fn split_province(luogo: &str) -> (&str, Option<&str>) {
    let t = luogo.trim();
    if let Some(rest) = t.strip_suffix(')')
        && let Some((name, pr)) = rest.rsplit_once('(')
        && pr.trim().len() == 2
    {
        return (name.trim(), Some(pr.trim()));
    }
    (t, None)
}

fn candidate_label(p: &Birthplace, with_period: bool) -> String {
    let base = format!("{} [codice {}]", p.label(), p.code());
    if !with_period {
        return base;
    }
    let to = p.valid_to().map_or_else(|| "oggi".to_owned(), iso_date);
    format!("{base} dal {} al {to}", iso_date(p.valid_from()))
}
