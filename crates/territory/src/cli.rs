//! Logic of the `sportello cf` commands; the binary only wires arguments
//! and standard input/output to these functions.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use serde::{Serialize, Serializer};
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
    /// Whitespace removed and uppercased; absent for blank input. Borrowed
    /// from `input` when that is already normalized (the common case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<Cow<'a, str>>,
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
    /// Written as `YYYY-MM-DD`.
    #[serde(serialize_with = "iso_date")]
    pub birth_date: Option<Date>,
    /// Belfiore code, omocodia letters turned back into digits.
    pub birthplace_code: Option<BelfioreCode>,
    pub birthplace_name: Option<&'static str>,
    /// Province sigla; null abroad.
    pub province: Option<&'static str>,
    pub omocodia: bool,
}

struct Iso(Date);

impl fmt::Display for Iso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

fn iso_date<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.collect_str(&Iso(*d)),
        None => s.serialize_none(),
    }
}

/// Decodes one code for `sportello cf decode`, inferring the century from
/// `today`.
pub fn decode_json(input: &str, today: Date) -> DecodeOutput<'_> {
    let decoded =
        CodiceFiscale::parse(input).and_then(|cf| Ok((cf, cf.decode_with_reference(today)?)));
    match decoded {
        Ok((cf, personal)) => DecodeOutput {
            input,
            valid: true,
            error: None,
            normalized: Some(if cf.as_str() == input {
                Cow::Borrowed(input)
            } else {
                Cow::Owned(cf.as_str().to_owned())
            }),
            details: Some(DecodeDetails {
                kind: cf.kind().label(),
                sex: personal.map(|p| p.sex),
                birth_date: personal.map(|p| p.birth_date),
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
                normalized: (!normalized.is_empty()).then_some(Cow::Owned(normalized)),
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
    // Each line is built in a reused buffer and written at once: serde_json
    // makes many tiny writes, costly through `dyn Write`.
    let mut line = Vec::with_capacity(512);
    for code in codes.filter(|c| !c.trim().is_empty()) {
        line.clear();
        serde_json::to_writer(&mut line, &decode_json(code, today))?;
        line.push(b'\n');
        out.write_all(&line)?;
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
pub fn encode(
    cognome: &str,
    nome: &str,
    sesso: &str,
    data: Date,
    luogo: &str,
) -> Result<CodiceFiscale, EncodeError> {
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
        .filter(|p| {
            province.is_none_or(|pr| p.province().is_some_and(|q| q.eq_ignore_ascii_case(pr)))
        })
        .collect();
    if matches.is_empty() {
        return Err(EncodeError::UnknownPlace(luogo.trim().to_owned()));
    }
    let valid: Vec<Birthplace> = matches
        .iter()
        .copied()
        .filter(|p| p.is_valid_on(date))
        .collect();
    // Prefer what existed on the birth date; otherwise any period of the name.
    let (pool, with_periods) = if valid.is_empty() {
        (matches, true)
    } else {
        (valid, false)
    };
    let mut codes: Vec<BelfioreCode> = pool.iter().map(Birthplace::code).collect();
    codes.sort();
    codes.dedup();
    match codes.as_slice() {
        [one] => Ok(*one),
        _ => Err(EncodeError::AmbiguousPlace {
            query: luogo.trim().to_owned(),
            candidates: pool
                .iter()
                .map(|p| candidate_label(p, with_periods))
                .collect(),
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
    let to = p
        .valid_to()
        .map_or_else(|| "oggi".to_owned(), |d| Iso(d).to_string());
    format!("{base} dal {} al {to}", Iso(p.valid_from()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 26);

    fn json(input: &str) -> String {
        serde_json::to_string(&decode_json(input, TODAY)).expect("serializes")
    }

    #[test]
    fn decode_json_for_an_ordinary_code() {
        assert_eq!(
            json(" rssmra85t10a562s "),
            r#"{"input":" rssmra85t10a562s ","valid":true,"normalized":"RSSMRA85T10A562S","kind":"ordinario","sex":"M","birth_date":"1985-12-10","birthplace_code":"A562","birthplace_name":"San Giuliano Terme","province":"PI","omocodia":false}"#
        );
    }

    #[test]
    fn decode_json_for_an_omocode_born_abroad() {
        // MLLNNA01E45Z112V with the place digits 1 and 2 as M and N.
        let out = decode_json("MLLNNA01E45Z1MNV", TODAY);
        assert_eq!(out.error, None);
        let d = out.details.expect("valid");
        assert_eq!(
            d.birthplace_code.map(|c| c.to_string()).as_deref(),
            Some("Z112")
        );
        assert_eq!(d.birthplace_name, Some("Germania"));
        assert_eq!((d.sex, d.province, d.omocodia), (Some(Sex::F), None, true));
        assert!(json("MLLNNA01E45Z1MNV").contains(r#""province":null,"omocodia":true}"#));
    }

    #[test]
    fn decode_json_for_codes_without_personal_data() {
        assert_eq!(
            json("12345678903"),
            r#"{"input":"12345678903","valid":true,"normalized":"12345678903","kind":"provvisorio","sex":null,"birth_date":null,"birthplace_code":null,"birthplace_name":null,"province":null,"omocodia":false}"#
        );
        assert!(json("STP0301234567890").contains(r#""kind":"stp","sex":null"#));
        assert!(json("ENI0301234567890").contains(r#""kind":"eni""#));
    }

    #[test]
    fn decode_json_for_invalid_codes() {
        assert_eq!(
            json("rssmra85t10a562t"),
            r#"{"input":"rssmra85t10a562t","valid":false,"error":"carattere di controllo errato: trovato 'T', atteso 'S'","normalized":"RSSMRA85T10A562T"}"#
        );
        assert_eq!(
            json("RSSMRA85T10A000W"),
            r#"{"input":"RSSMRA85T10A000W","valid":false,"error":"codice del luogo di nascita sconosciuto: A000 non è un comune né uno stato estero","normalized":"RSSMRA85T10A000W"}"#
        );
        assert_eq!(
            json(""),
            r#"{"input":"","valid":false,"error":"codice fiscale vuoto"}"#
        );
    }

    #[test]
    fn decode_lines_keeps_input_order_and_skips_blank_lines() {
        let mut out = Vec::new();
        let input = "RSSMRA85T10A562S\n\nBAD\n12345678903\n";
        decode_lines(input.lines(), TODAY, &mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with(r#"{"input":"RSSMRA85T10A562S","valid":true"#));
        assert!(
            lines[1].starts_with(
                r#"{"input":"BAD","valid":false,"error":"lunghezza errata: 3 caratteri"#
            )
        );
        assert!(lines[2].contains(r#""kind":"provvisorio""#));
    }

    fn enc(luogo: &str, data: Date) -> Result<String, String> {
        encode("Rossi", "Mario", "m", data, luogo)
            .map(|c| c.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn encode_by_name_or_code() {
        let d = date!(1985 - 12 - 10);
        assert_eq!(
            enc("San Giuliano Terme", d).as_deref(),
            Ok("RSSMRA85T10A562S")
        );
        assert_eq!(
            enc("SAN GIULIANO TERME", d).as_deref(),
            Ok("RSSMRA85T10A562S")
        );
        assert_eq!(enc("a562", d).as_deref(), Ok("RSSMRA85T10A562S"));
        assert_eq!(enc("Assisi", d).as_deref(), Ok("RSSMRA85T10A475X"));
        // Accent-insensitive, and foreign states by Italian or English name.
        assert_eq!(enc("forli", d), enc("Forlì", d));
        assert_eq!(enc("Germany", d), enc("germania", d));
        assert!(enc("Germania", d).is_ok_and(|c| c.contains("Z112")));
        let f = encode("Bianchi", "Giovanna", "F", date!(1990 - 02 - 28), "Roma");
        assert_eq!(f.map(|c| c.to_string()).as_deref(), Ok("BNCGNN90B68H501T"));
    }

    #[test]
    fn encode_uses_the_place_valid_on_the_birth_date() {
        // Abano was renamed Abano Terme in 1924; both names carry A001.
        assert!(enc("Abano", date!(1920 - 05 - 01)).is_ok_and(|c| c.contains("A001")));
        assert!(enc("Abano Terme", date!(1920 - 05 - 01)).is_ok_and(|c| c.contains("A001")));
        // Sovizzo got a new code (M436) when it absorbed Gambugliano.
        assert!(enc("Sovizzo", date!(2020 - 05 - 01)).is_ok_and(|c| c.contains("I879")));
        assert!(enc("Sovizzo", date!(2025 - 05 - 01)).is_ok_and(|c| c.contains("M436")));
    }

    #[test]
    fn encode_reports_ambiguity_with_provinces() {
        let d = date!(1990 - 01 - 01);
        assert_eq!(
            enc("Castro", d),
            Err("luogo di nascita ambiguo: 'Castro' può essere Castro (BG) [codice C337], Castro (LE) [codice M261]"
                .to_owned())
        );
        assert!(enc("Castro (LE)", d).is_ok_and(|c| c.contains("M261")));
        assert!(enc("castro(bg)", d).is_ok_and(|c| c.contains("C337")));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(s in proptest::prelude::any::<String>(), days in 0i64..60_000) {
            let date = TODAY - time::Duration::days(days);
            let _ = serde_json::to_string(&decode_json(&s, date));
            let _ = encode(&s, &s, "F", date, &s);
            let _ = encode("Rossi", "Anna", "F", date, &format!("{s} (RM)"));
        }
    }

    #[test]
    fn encode_errors() {
        let d = date!(1990 - 01 - 01);
        assert_eq!(
            enc("Atlantide", d),
            Err(
                "luogo di nascita sconosciuto: 'Atlantide' non è un comune né uno stato estero"
                    .to_owned()
            )
        );
        assert_eq!(
            enc("A000", d),
            Err(
                "codice del luogo di nascita sconosciuto: A000 non è un comune né uno stato estero"
                    .to_owned()
            )
        );
        let e = encode("Rossi", "Mario", "X", d, "Roma").map_err(|e| e.to_string());
        assert_eq!(e, Err("sesso non valido: 'X' (ammessi M o F)".to_owned()));
    }
}
