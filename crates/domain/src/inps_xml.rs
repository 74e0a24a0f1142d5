//! Import of the XML attestation INPS returns to an ente erogatore from its ISEE consultation
//! service (ConsultazioneISEE, field `XmlEsitoAttestazione` once decoded from base64).
//!
//! There is no official schema at hand: the structure read here is the one a working
//! third-party client reads, and the reader is tolerant where that structure may vary.
//! Elements and attributes are matched on their local names, so a default namespace
//! (`xmlns="http://inps.it/ISEERiforma"`), prefixes or a SOAP envelope around the
//! attestation make no difference.

use crate::FieldError;
use crate::application::{AttestationData, DsuProtocol, IseeMember, parse_scala};
use crate::benefit::IseeVariant;
use crate::dates::{format_date, parse_date};
use crate::form::{SHORT_TEXT, text};
use crate::money::Money;
use roxmltree::{Document, Node};
use territory::CodiceFiscale;
use time::Date;

/// The largest file accepted: an attestation is a few kilobytes, its DSU some tens.
pub const MAX_XML_BYTES: usize = 2 * 1024 * 1024;

/// Nodes (elements, attributes' owners, texts) and nesting a file may have: an attestation
/// has a few hundred nodes and ten levels; the limits keep every walk of the tree short.
const MAX_NODES: u32 = 300_000;
const MAX_DEPTH: usize = 64;
/// Errors listed at most; the rest are counted.
const MAX_ERRORS: usize = 30;

/// The field every error of the import names, but the figures' own (`ise`, `isee`).
const FIELD: &str = "xml";

/// Reads an INPS attestation in XML into the data [`crate::application::parse_attestation`]
/// gives for one typed at the counter, with the same checks: the protocol's form, the
/// date of submission not after `today` and of the protocol's year, the figures holding
/// together ([`AttestationData::check_figures`]).
///
/// What is read:
/// - the element `Attestazione` (the root or any descendant; exactly one), with
///   `@NumeroProtocolloDSU`, `@DataPresentazione` and `@CodiceFiscaleDichiarante`
///   (required), `@DataScadenzaDSUCorrente` (present for an ISEE corrente);
/// - the indicator block: an element below `Attestazione` with a `Valori` child
///   (`@ISEE`, `@ISE`, `@ISR`, `@ISP`, `@ScalaEquivalenza`), named `Ordinario` or
///   `ISEEOrdinario` (ordinario), `ISEEMinorenni`/`ISEEMinorenne`/`ISEEMin` (minorenni),
///   `ISEEUniversitario`/`ISEEUni` (università), `ISEESociosanitario`/`ISEESocioSan`
///   (sociosanitario), `ISEESociosanitarioResidenziale`/`ISEEResidenziale`/`ISEESocioSanRes`
///   (residenze), case aside; `ISEECorrente` is an ISEE corrente of the variant of the
///   nearest enclosing block (ordinario when none). Blocks with other names (the values
///   per minor or per student, the nucleo ristretto) are not read;
/// - the household: the `ComponenteNucleo` children of the first `NucleoFamiliare`, with
///   `@CodiceFiscale` (required), `@Cognome`, `@Nome`, `@RapportoConDichiarante`;
/// - omissioni and difformità: attributes or elements named `Omissioni`, `Difformita`,
///   `OmissioniDifformita`, optionally prefixed by `Presenza` or `Flag`, valued SI/NO,
///   S/N, true/false, 1/0; an element of that name with content of its own (the
///   `OmissioneDifformita` record INPS writes for each finding) sets both, since the
///   record does not say which in a form known here.
///
/// An attribute may also come as a child element of the same name holding the value.
/// Amounts have a dot or a comma before the decimals ("8500.00"), never thousands
/// separators; dates are `AAAA-MM-GG`, possibly followed by a time or a time zone.
///
/// Choice of the block when there are several: the ordinario when present (INPS attests it
/// for every DSU, and [`IseeVariant::accepts`] lets it serve minors and socio-sanitary
/// benefits); otherwise the only variant present; several variants without the ordinario
/// are refused, as the import cannot know which one the application needs: the values of
/// the right one are then typed by hand. Within the chosen variant an ISEE corrente is
/// preferred to the ordinary values, being the update that replaces them (DPCM 159/2013
/// art. 9). The attestation is also corrente when `Attestazione/@DataScadenzaDSUCorrente`
/// is given or an enclosing block has `@Corrente` true.
///
/// Refused without reading: files over [`MAX_XML_BYTES`], XML that is not well formed, a
/// DTD (entities could expand without limit). Every error is in Italian, with field
/// `"xml"` (`"ise"`/`"isee"` for the figures) and a message naming the element or
/// attribute at fault; the function never panics on any input.
pub fn parse_attestation_xml(xml: &str, today: Date) -> Result<AttestationData, Vec<FieldError>> {
    if xml.len() > MAX_XML_BYTES {
        return Err(vec![err(format!(
            "il file è di {} byte: un'attestazione ISEE in XML non supera i 2 MiB ({MAX_XML_BYTES} byte)",
            xml.len()
        ))]);
    }
    if xml.trim().is_empty() {
        return Err(vec![err("il file XML è vuoto")]);
    }
    let options = roxmltree::ParsingOptions {
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, options).map_err(|e| vec![syntax_error(&e)])?;
    check_depth(&doc).map_err(|e| vec![e])?;
    let att = find_attestation(&doc).map_err(|e| vec![e])?;

    let mut errors = Vec::new();
    let header = Header::read(att, today, &mut errors);
    let block = select_block(att).map_err(|e| {
        errors.push(e);
        capped(std::mem::take(&mut errors))
    })?;
    let figures = Figures::read(&block, &mut errors);
    let member_list = read_members(att, &mut errors);
    let (omissioni, difformita) = read_flags(att, &mut errors);
    let corrente =
        block.corrente || header.corrente || corrente_attribute(att, &block, &mut errors);

    let (Some(protocol), Some(submitted_on), Some(declarant_cf), Some(f), Some(member_list)) = (
        header.protocol,
        header.submitted_on,
        header.declarant_cf,
        figures,
        member_list,
    ) else {
        return Err(capped(errors));
    };
    if !errors.is_empty() {
        return Err(capped(errors));
    }
    let members = u8::try_from(member_list.len()).unwrap_or(u8::MAX);
    let a = AttestationData {
        protocol,
        declarant_cf: Some(declarant_cf),
        submitted_on,
        variant: block.variant,
        corrente,
        isee: f.isee,
        ise: f.ise,
        isr: f.isr,
        isp: f.isp,
        scala: f.scala,
        members,
        member_list,
        omissioni,
        difformita,
    };
    let figure_errors: Vec<FieldError> = a
        .check_figures()
        .into_iter()
        .map(|e| {
            let attr = if e.field == "ise" { "ISE" } else { "ISEE" };
            FieldError::new(
                e.field,
                format!("{}/Valori/@{attr}: {}", block.path, e.message),
            )
        })
        .collect();
    if figure_errors.is_empty() {
        Ok(a)
    } else {
        Err(figure_errors)
    }
}

/// At most [`MAX_ERRORS`] errors, the last one saying how many were left out.
fn capped(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - (MAX_ERRORS - 1);
        errors.truncate(MAX_ERRORS - 1);
        errors.push(err(format!("… e altri {more} errori nel file")));
    }
    errors
}

/// Refuses a tree nested deeper than [`MAX_DEPTH`], in one pass: nodes come in document
/// order, each after its parent.
fn check_depth(doc: &Document) -> Result<(), FieldError> {
    let mut depth: Vec<u8> = Vec::new();
    for n in doc.root().descendants() {
        let id = n.id().get() as usize;
        let d = n
            .parent()
            .and_then(|p| depth.get(p.id().get() as usize))
            .map_or(0, |d| d + 1);
        if usize::from(d) > MAX_DEPTH {
            return Err(err(format!(
                "il file XML ha elementi annidati oltre {MAX_DEPTH} livelli: non è un'attestazione INPS"
            )));
        }
        if depth.len() <= id {
            depth.resize(id + 1, 0);
        }
        if let Some(slot) = depth.get_mut(id) {
            *slot = d;
        }
    }
    Ok(())
}

fn err(message: impl Into<String>) -> FieldError {
    FieldError::new(FIELD, message)
}

/// The same error with the place in the XML in front.
fn at(path: &str, e: FieldError) -> FieldError {
    FieldError::new(e.field, format!("{path}: {}", e.message))
}

fn syntax_error(e: &roxmltree::Error) -> FieldError {
    use roxmltree::Error as E;
    let what = match e {
        E::DtdDetected => {
            return err(
                "il file contiene una DTD (<!DOCTYPE …>), che un'attestazione INPS non ha: non viene letto",
            );
        }
        E::NoRootNode => return err("il file non contiene alcun elemento XML"),
        E::UnexpectedEndOfStream | E::UnclosedRootNode => {
            return err(
                "il file XML è troncato: qualche elemento non è chiuso (il file è stato copiato per intero?)",
            );
        }
        E::NodesLimitReached | E::AttributesLimitReached | E::NamespacesLimitReached => {
            return err("il file XML contiene troppi elementi o attributi");
        }
        E::UnexpectedCloseTag(expected, actual, _) => {
            format!("chiusura </{actual}> dove era attesa </{expected}>")
        }
        E::UnknownEntityReference(name, _) => format!("entità sconosciuta «&{name};»"),
        E::MalformedEntityReference(_) => {
            "carattere «&» non seguito da un'entità (va scritto &amp;)".to_owned()
        }
        E::DuplicatedAttribute(name, _) => format!("attributo «{name}» ripetuto"),
        E::UnknownNamespace(prefix, _) => {
            format!("prefisso di namespace «{prefix}» non dichiarato")
        }
        E::NonXmlChar(c, _) => format!("{} non è ammesso in XML", crate::char_name(*c)),
        E::InvalidAttributeValue(_) => "valore di attributo con il carattere «<»".to_owned(),
        E::UnknownToken(_) => {
            "testo che non è XML (il file è davvero l'XML dell'attestazione, non il PDF o un testo?)"
                .to_owned()
        }
        _ => "errore di sintassi".to_owned(),
    };
    let pos = e.pos();
    err(format!(
        "il file non è un XML ben formato: {what} (riga {}, colonna {})",
        pos.row, pos.col
    ))
}

fn named(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name
}

/// The value of `name` on `n`: its attribute, or else the text of a child element so named.
fn value<'a>(n: &Node<'a, '_>, name: &str) -> Option<&'a str> {
    n.attributes()
        .find(|a| a.name() == name)
        .map(|a| a.value())
        .or_else(|| {
            n.children()
                .find(|c| named(c, name))
                .map(|c| c.text().unwrap_or(""))
        })
}

fn find_attestation<'a, 'i>(doc: &'a Document<'i>) -> Result<Node<'a, 'i>, FieldError> {
    let mut found = doc.descendants().filter(|n| named(n, "Attestazione"));
    let Some(first) = found.next() else {
        return Err(missing_attestation(doc));
    };
    let more = found.count();
    if more > 0 {
        return Err(err(format!(
            "il file contiene {} elementi Attestazione: importare un'attestazione alla volta",
            more + 1
        )));
    }
    Ok(first)
}

/// Why there is no attestation, as far as the file tells.
fn missing_attestation(doc: &Document) -> FieldError {
    let root = doc.root_element().tag_name().name();
    if doc.descendants().any(|n| named(&n, "XmlEsitoAttestazione")) {
        return err(
            "manca l'elemento Attestazione: la risposta INPS la contiene codificata in base64 nell'elemento XmlEsitoAttestazione, da decodificare prima dell'importazione",
        );
    }
    let esito = doc.descendants().filter(|n| n.is_element()).find_map(|n| {
        value(&n, "DescrizioneErrore")
            .or_else(|| value(&n, "Esito"))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    });
    let answer = esito
        .map(|e| format!("; l'INPS risponde «{}»", clip(e)))
        .unwrap_or_default();
    err(format!(
        "manca l'elemento Attestazione (l'elemento principale del file è «{}»): il file non sembra un'attestazione ISEE dell'INPS{answer}",
        clip(root)
    ))
}

/// A value quoted in a message, cut to a readable length.
fn clip(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t.to_owned()
    }
}

fn required<'a>(
    n: &Node<'a, '_>,
    path: &str,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<&'a str> {
    match value(n, name).map(str::trim) {
        Some(v) if !v.is_empty() => Some(v),
        Some(_) => {
            errors.push(err(format!("{path}/@{name}: il valore è vuoto")));
            None
        }
        None => {
            errors.push(err(format!("{path}/@{name}: attributo mancante")));
            None
        }
    }
}

/// `AAAA-MM-GG`, possibly followed by a time (`T00:00:00`) or a time zone (`Z`, `+01:00`).
fn xml_date(raw: &str) -> Option<Date> {
    let t = raw.trim();
    let day = match t.get(10..) {
        Some(rest) if !rest.is_empty() => {
            if !rest.starts_with(['T', 't', ' ', 'Z', '+', '-']) {
                return None;
            }
            t.get(..10)?
        }
        _ => t,
    };
    parse_date(day)
}

fn date_at(path: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let d = xml_date(raw);
    if d.is_none() {
        errors.push(err(format!(
            "{path}: «{}» non è una data (attesa nella forma AAAA-MM-GG, ad esempio 2026-01-15)",
            clip(raw)
        )));
    }
    d
}

fn codice_fiscale(path: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match CodiceFiscale::parse(raw) {
        Ok(cf) => Some(cf.as_str().to_owned()),
        Err(e) => {
            errors.push(err(format!(
                "{path}: «{}» non è un codice fiscale valido ({e})",
                clip(raw)
            )));
            None
        }
    }
}

/// SI/NO and the other ways of writing a flag.
fn flag_value(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "si" | "sì" | "s" | "true" | "1" | "y" | "yes" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn flag_at(path: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<bool> {
    let v = flag_value(raw);
    if v.is_none() {
        errors.push(err(format!(
            "{path}: «{}» non è un valore ammesso (SI o NO)",
            clip(raw)
        )));
    }
    v
}

struct Header {
    protocol: Option<DsuProtocol>,
    submitted_on: Option<Date>,
    declarant_cf: Option<String>,
    corrente: bool,
}

impl Header {
    fn read(att: Node, today: Date, errors: &mut Vec<FieldError>) -> Header {
        const P: &str = "Attestazione";
        let protocol = required(&att, P, "NumeroProtocolloDSU", errors).and_then(|raw| {
            DsuProtocol::parse(FIELD, raw)
                .map_err(|e| errors.push(at("Attestazione/@NumeroProtocolloDSU", e)))
                .ok()
        });
        let submitted_on = required(&att, P, "DataPresentazione", errors)
            .and_then(|raw| date_at("Attestazione/@DataPresentazione", raw, errors));
        if let Some(d) = submitted_on {
            if d > today {
                errors.push(err(format!(
                    "Attestazione/@DataPresentazione: la data di presentazione della DSU ({}) non può essere nel futuro",
                    format_date(d)
                )));
            }
            if let Some(p) = &protocol
                && p.year() != d.year()
            {
                errors.push(err(format!(
                    "Attestazione/@DataPresentazione: la DSU è stata presentata nel {}, ma il protocollo è del {}",
                    d.year(),
                    p.year()
                )));
            }
        }
        let declarant_cf = required(&att, P, "CodiceFiscaleDichiarante", errors)
            .and_then(|raw| codice_fiscale("Attestazione/@CodiceFiscaleDichiarante", raw, errors));
        let corrente = match value(&att, "DataScadenzaDSUCorrente").map(str::trim) {
            Some(raw) if !raw.is_empty() => {
                date_at("Attestazione/@DataScadenzaDSUCorrente", raw, errors);
                true
            }
            _ => false,
        };
        Header {
            protocol,
            submitted_on,
            declarant_cf,
            corrente,
        }
    }
}

/// What an element name says of the values it holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Variant(IseeVariant),
    Corrente,
}

fn block_kind(name: &str) -> Option<BlockKind> {
    use IseeVariant::*;
    let n = name.to_ascii_lowercase();
    Some(BlockKind::Variant(match n.as_str() {
        "ordinario" | "iseeordinario" => Ordinario,
        "iseeminorenni" | "iseeminorenne" | "iseemin" => Minorenni,
        "iseeuniversitario" | "iseeuni" => Universita,
        "iseesociosanitario" | "iseesociosan" => Sociosanitario,
        "iseesociosanitarioresidenziale" | "iseeresidenziale" | "iseesociosanres" => Residenze,
        "iseecorrente" => return Some(BlockKind::Corrente),
        _ => return None,
    }))
}

/// The element whose `Valori` are imported.
struct Block<'a, 'i> {
    node: Node<'a, 'i>,
    variant: IseeVariant,
    corrente: bool,
    /// From below `Attestazione`: "Ordinario/ISEEOrdinario".
    path: String,
}

fn path_below<'a, 'i>(att: Node<'a, 'i>, n: Node<'a, 'i>) -> String {
    let mut names: Vec<&str> = n
        .ancestors()
        .take_while(|a| *a != att)
        .filter(|a| a.is_element())
        .map(|a| a.tag_name().name())
        .collect();
    names.reverse();
    names.join("/")
}

fn select_block<'a, 'i>(att: Node<'a, 'i>) -> Result<Block<'a, 'i>, FieldError> {
    let mut blocks = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for n in att.descendants().skip(1).filter(|n| n.is_element()) {
        if !n.children().any(|c| named(&c, "Valori")) {
            continue;
        }
        let (variant, corrente) = match block_kind(n.tag_name().name()) {
            Some(BlockKind::Variant(v)) => (v, false),
            Some(BlockKind::Corrente) => {
                let parent = n
                    .ancestors()
                    .skip(1)
                    .take_while(|a| *a != att)
                    .find_map(|a| match block_kind(a.tag_name().name()) {
                        Some(BlockKind::Variant(v)) => Some(v),
                        _ => None,
                    });
                (parent.unwrap_or(IseeVariant::Ordinario), true)
            }
            None => {
                let name = n.tag_name().name().to_owned();
                if unknown.len() < 5 && !unknown.contains(&name) {
                    unknown.push(name);
                }
                continue;
            }
        };
        if blocks.len() == 20 {
            return Err(err(
                "Attestazione: più di 20 blocchi di Valori, non è un'attestazione INPS",
            ));
        }
        blocks.push(Block {
            node: n,
            variant,
            corrente,
            path: path_below(att, n),
        });
    }
    let mut variants: Vec<IseeVariant> = Vec::new();
    for b in &blocks {
        if !variants.contains(&b.variant) {
            variants.push(b.variant);
        }
    }
    let chosen = if variants.contains(&IseeVariant::Ordinario) {
        IseeVariant::Ordinario
    } else {
        match variants.as_slice() {
            [only] => *only,
            [] => {
                let seen = if unknown.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (ci sono valori solo in {}, che l'importazione non legge)",
                        unknown.join(", ")
                    )
                };
                return Err(err(format!(
                    "Attestazione: manca il blocco con i Valori dell'ISEE (ISEEOrdinario/Valori o di un'altra variante){seen}"
                )));
            }
            many => {
                let names: Vec<&str> = many.iter().map(|v| v.label()).collect();
                return Err(err(format!(
                    "Attestazione: l'attestazione riporta più varianti senza l'ordinario ({}): l'importazione non può scegliere, inserire a mano i valori della variante che serve",
                    names.join("; ")
                )));
            }
        }
    };
    let mut of_variant: Vec<Block> = blocks.into_iter().filter(|b| b.variant == chosen).collect();
    if of_variant.iter().any(|b| b.corrente) {
        of_variant.retain(|b| b.corrente);
    }
    if of_variant.len() > 1 {
        let paths: Vec<&str> = of_variant.iter().map(|b| b.path.as_str()).collect();
        return Err(err(format!(
            "Attestazione: più blocchi di valori per l'{} ({}): l'importazione non può scegliere",
            chosen.label(),
            paths.join(", ")
        )));
    }
    of_variant
        .pop()
        .ok_or_else(|| err("Attestazione: manca il blocco con i Valori dell'ISEE"))
}

/// `@Corrente` on the block or an element enclosing it, below the attestation.
fn corrente_attribute(att: Node, block: &Block, errors: &mut Vec<FieldError>) -> bool {
    let mut corrente = false;
    for n in block.node.ancestors().take_while(|a| *a != att) {
        if let Some(raw) = n
            .attributes()
            .find(|a| a.name() == "Corrente")
            .map(|a| a.value())
            && !raw.trim().is_empty()
        {
            let path = format!("{}/@Corrente", path_below(att, n));
            corrente |= flag_at(&path, raw, errors).unwrap_or(false);
        }
    }
    corrente
}

struct Figures {
    isee: Money,
    ise: Money,
    isr: Money,
    isp: Money,
    scala: rust_decimal::Decimal,
}

/// An amount as XML writes it: digits, a dot or a comma, the decimals; more than two
/// decimals only when they are zeros ("8500.000").
fn xml_amount(path: &str, raw: &str) -> Result<Money, FieldError> {
    let t = raw.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.starts_with('-') {
        // Money::parse says it cannot be negative.
        return Money::parse(FIELD, t, path);
    }
    let (int, frac) = t.split_once(['.', ',']).unwrap_or((t, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().skip(2).all(|b| b == b'0');
    if !ok {
        return Err(err(format!(
            "{path}: «{}» non è un importo (atteso un numero con il punto per i decimali, ad esempio 8500.00)",
            clip(raw)
        )));
    }
    let cents = frac.get(..2).unwrap_or(frac);
    Money::parse(FIELD, &format!("{int},{cents}"), path)
}

fn xml_scala(path: &str, raw: &str) -> Result<rust_decimal::Decimal, FieldError> {
    let t = raw.trim();
    // parse_scala wants at most two decimals: "2.0400" is 2,04.
    let t = match t.split_once(['.', ',']) {
        Some((int, frac)) if frac.len() > 2 && frac.bytes().skip(2).all(|b| b == b'0') => {
            format!("{int}.{}", frac.get(..2).unwrap_or(frac))
        }
        _ => t.to_owned(),
    };
    parse_scala(FIELD, &t).map_err(|e| at(path, e))
}

impl Figures {
    fn read(block: &Block, errors: &mut Vec<FieldError>) -> Option<Figures> {
        let valori = block.node.children().find(|c| named(c, "Valori"))?;
        let path = format!("{}/Valori", block.path);
        let mut amount = |name: &str| {
            let raw = required(&valori, &path, name, errors)?;
            xml_amount(&format!("{path}/@{name}"), raw)
                .map_err(|e| errors.push(e))
                .ok()
        };
        let isee = amount("ISEE");
        let ise = amount("ISE");
        let isr = amount("ISR");
        let isp = amount("ISP");
        let scala = required(&valori, &path, "ScalaEquivalenza", errors).and_then(|raw| {
            xml_scala(&format!("{path}/@ScalaEquivalenza"), raw)
                .map_err(|e| errors.push(e))
                .ok()
        });
        Some(Figures {
            isee: isee?,
            ise: ise?,
            isr: isr?,
            isp: isp?,
            scala: scala?,
        })
    }
}

fn read_members(att: Node, errors: &mut Vec<FieldError>) -> Option<Vec<IseeMember>> {
    let Some(nucleo) = att.descendants().find(|n| named(n, "NucleoFamiliare")) else {
        errors.push(err(
            "NucleoFamiliare: elemento mancante, l'attestazione deve elencare i componenti del nucleo (ComponenteNucleo)",
        ));
        return None;
    };
    let nodes: Vec<Node> = nucleo
        .children()
        .filter(|c| named(c, "ComponenteNucleo"))
        .collect();
    if nodes.is_empty() {
        errors.push(err(
            "NucleoFamiliare: non contiene alcun ComponenteNucleo, il nucleo deve avere almeno un componente",
        ));
        return None;
    }
    if nodes.len() > 30 {
        errors.push(err(format!(
            "NucleoFamiliare: {} componenti, più dei 30 ammessi",
            nodes.len()
        )));
        return None;
    }
    let before = errors.len();
    let mut members = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let path = format!("NucleoFamiliare/ComponenteNucleo[{}]", i + 1);
        let cf = required(n, &path, "CodiceFiscale", errors)
            .and_then(|raw| codice_fiscale(&format!("{path}/@CodiceFiscale"), raw, errors));
        let mut optional = |name: &str, max: usize| {
            let raw = value(n, name).unwrap_or("");
            text(FIELD, raw, &format!("{path}/@{name}"), max, false)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let surname = optional("Cognome", SHORT_TEXT);
        let given_names = optional("Nome", SHORT_TEXT);
        let relation = optional("RapportoConDichiarante", 10);
        if let Some(codice_fiscale) = cf {
            members.push(IseeMember {
                codice_fiscale,
                surname,
                given_names,
                relation,
            });
        }
    }
    (errors.len() == before).then_some(members)
}

/// Which of the two a flag's name speaks of.
#[derive(Clone, Copy)]
enum Flag {
    Omissioni,
    Difformita,
    Both,
}

fn flag_kind(name: &str) -> Option<Flag> {
    let n = name.to_lowercase().replace('à', "a");
    let n = n
        .strip_prefix("presenza")
        .or_else(|| n.strip_prefix("flag"))
        .unwrap_or(&n);
    match n {
        "omissioni" | "omissione" => Some(Flag::Omissioni),
        "difformita" => Some(Flag::Difformita),
        "omissionidifformita"
        | "omissionedifformita"
        | "omissioniedifformita"
        | "omissioniodifformita" => Some(Flag::Both),
        _ => None,
    }
}

/// Omissioni and difformità, anywhere in the attestation.
fn read_flags(att: Node, errors: &mut Vec<FieldError>) -> (bool, bool) {
    let (mut omissioni, mut difformita) = (false, false);
    let mut set = |kind: Flag, on: bool| {
        let (o, d) = match kind {
            Flag::Omissioni => (on, false),
            Flag::Difformita => (false, on),
            Flag::Both => (on, on),
        };
        omissioni |= o;
        difformita |= d;
    };
    for n in att.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            if let Some(kind) = flag_kind(a.name()) {
                let path = if n == att {
                    format!("Attestazione/@{}", a.name())
                } else {
                    format!("{}/@{}", path_below(att, n), a.name())
                };
                if let Some(on) = flag_at(&path, a.value(), errors) {
                    set(kind, on);
                }
            }
        }
        if n == att {
            continue;
        }
        let Some(kind) = flag_kind(n.tag_name().name()) else {
            continue;
        };
        let record = n.attributes().len() > 0 || n.children().any(|c| c.is_element());
        if record {
            set(kind, true);
        } else if let Some(raw) = n.text().map(str::trim).filter(|t| !t.is_empty()) {
            let path = path_below(att, n);
            if let Some(on) = flag_at(&path, raw, errors) {
                set(kind, on);
            }
        }
    }
    (omissioni, difformita)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use time::macros::date;

    /// The sample in the documentation, also used by the web tests.
    const SAMPLE: &str = include_str!("../../../docs/examples/attestazione-inps.xml");
    const TODAY: Date = date!(2026 - 03 - 01);

    fn parse(xml: &str) -> Result<AttestationData, Vec<FieldError>> {
        parse_attestation_xml(xml, TODAY)
    }

    fn messages(xml: &str) -> Vec<String> {
        parse(xml)
            .unwrap_err()
            .into_iter()
            .map(|e| {
                assert!(
                    matches!(e.field, "xml" | "ise" | "isee"),
                    "{}: {}",
                    e.field,
                    e.message
                );
                e.message
            })
            .collect()
    }

    /// A minimal attestation: `inner` goes inside `Attestazione`.
    fn att(attrs: &str, inner: &str) -> String {
        format!(
            r#"<Attestazione CodiceFiscaleDichiarante="RSSMRA80A01A794J" NumeroProtocolloDSU="INPS-ISEE-2026-00012345A-00" DataPresentazione="2026-01-15" {attrs}>
  <Ordinario>
    <NucleoFamiliare>
      <ComponenteNucleo RapportoConDichiarante="D" Cognome="ROSSI" Nome="MARIO" CodiceFiscale="RSSMRA80A01A794J"/>
    </NucleoFamiliare>
    {inner}
  </Ordinario>
</Attestazione>"#
        )
    }

    fn valori(isee: &str, ise: &str, isr: &str, isp: &str, scala: &str) -> String {
        format!(
            r#"<Valori ISEE="{isee}" ISE="{ise}" ISR="{isr}" ISP="{isp}" ScalaEquivalenza="{scala}"/>"#
        )
    }

    /// One member: ISE 17.340 = 15.000 + 20% 11.700, scala 1 → ISEE 17.340.
    fn single(tag: &str) -> String {
        format!(
            "<{tag}>{}</{tag}>",
            valori("17340.00", "17340.00", "15000.00", "11700.00", "1")
        )
    }

    #[test]
    fn the_documentation_sample_is_an_ordinario_of_three() {
        let a = parse(SAMPLE).unwrap();
        assert_eq!(a.protocol.as_str(), "INPS-ISEE-2026-00012345A-00");
        assert_eq!(a.declarant_cf.as_deref(), Some("RSSMRA80A01A794J"));
        assert_eq!(a.submitted_on, date!(2026 - 01 - 15));
        assert_eq!(a.variant, IseeVariant::Ordinario);
        assert!(!a.corrente);
        assert_eq!(a.isee, Money(850_000));
        assert_eq!(a.ise, Money(1_734_000));
        assert_eq!(a.isr, Money(1_500_000));
        assert_eq!(a.isp, Money(1_170_000));
        assert_eq!(a.scala, Decimal::new(204, 2));
        assert_eq!(a.members, 3);
        assert_eq!(a.member_list.len(), 3);
        assert_eq!(
            a.member_list[0],
            IseeMember {
                codice_fiscale: "RSSMRA80A01A794J".into(),
                surname: "ROSSI".into(),
                given_names: "MARIO".into(),
                relation: "D".into(),
            }
        );
        assert_eq!(a.member_list[2].relation, "F");
        assert!(!a.omissioni && !a.difformita);
        assert_eq!(a.valid_until(), date!(2026 - 12 - 31));
    }

    #[test]
    fn an_isee_corrente_is_preferred_and_lasts_six_months() {
        let corrente = format!(
            "<ISEEOrdinario>{}<ISEECorrente>{}</ISEECorrente></ISEEOrdinario>",
            valori("17340.00", "17340.00", "15000.00", "11700.00", "1"),
            valori("9000,00", "9000,00", "6660,00", "11700,00", "1,00")
        );
        let xml = att(r#"DataScadenzaDSUCorrente="2026-07-14""#, &corrente);
        let a = parse(&xml).unwrap();
        assert!(a.corrente);
        assert_eq!(a.variant, IseeVariant::Ordinario);
        assert_eq!(a.isee, Money(900_000));
        assert_eq!(a.valid_until(), date!(2026 - 07 - 14));
        // The date of expiry alone marks the attestation as corrente.
        let a = parse(&att(
            r#"DataScadenzaDSUCorrente="2026-07-14T00:00:00""#,
            &single("ISEEOrdinario"),
        ))
        .unwrap();
        assert!(a.corrente);
        assert_eq!(a.isee, Money(1_734_000));
        // So does Ordinario/@Corrente, the attribute a third-party client reads.
        let xml = att("", &single("ISEEOrdinario"))
            .replace("<Ordinario>", r#"<Ordinario Corrente="SI">"#);
        assert!(parse(&xml).unwrap().corrente);
    }

    #[test]
    fn namespaces_prefixes_and_a_soap_envelope_do_not_matter() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <isee:EsitoAttestazione xmlns:isee="http://inps.it/ISEERiforma">
      <isee:Attestazione CodiceFiscaleDichiarante="rssmra80a01a794j" NumeroProtocolloDSU="INPS-ISEE-2026-00012345A-00" DataPresentazione="2026-01-15T00:00:00">
        <isee:Ordinario>
          <isee:NucleoFamiliare>
            <isee:ComponenteNucleo isee:RapportoConDichiarante="D" isee:Cognome="ROSSI" isee:Nome="MARIO" isee:CodiceFiscale="RSSMRA80A01A794J"/>
          </isee:NucleoFamiliare>
          <isee:ISEEOrdinario DataRilascio="2026-01-16">
            <isee:Valori isee:ISEE="17340" ISE="17340.00" ISR="15000.00" ISP="11700.00" ScalaEquivalenza="1.00"/>
          </isee:ISEEOrdinario>
        </isee:Ordinario>
      </isee:Attestazione>
    </isee:EsitoAttestazione>
  </soap:Body>
</soap:Envelope>"#;
        let a = parse(xml).unwrap();
        assert_eq!(a.isee, Money(1_734_000));
        assert_eq!(a.declarant_cf.as_deref(), Some("RSSMRA80A01A794J"));
        assert_eq!(a.members, 1);
        assert_eq!(a.scala, Decimal::ONE);
        // The default namespace of the sample, and a BOM in front.
        assert!(parse(&format!("\u{feff}{SAMPLE}")).is_ok());
    }

    #[test]
    fn the_ordinario_is_chosen_among_several_variants() {
        let both = format!(
            "{}<ISEEMinorenni>{}</ISEEMinorenni>",
            single("ISEEOrdinario"),
            valori("18000.00", "17340.00", "15000.00", "11700.00", "1")
        );
        let a = parse(&att("", &both)).unwrap();
        assert_eq!(a.variant, IseeVariant::Ordinario);
        assert_eq!(a.isee, Money(1_734_000));
        for (tag, variant) in [
            ("ISEEMinorenne", IseeVariant::Minorenni),
            ("ISEEUniversitario", IseeVariant::Universita),
            ("ISEESociosanitario", IseeVariant::Sociosanitario),
            ("ISEEResidenziale", IseeVariant::Residenze),
            ("ISEESociosanitarioResidenziale", IseeVariant::Residenze),
        ] {
            let xml = att("", &single(tag)).replace("Ordinario>", "Blocco>");
            assert_eq!(parse(&xml).unwrap().variant, variant, "{tag}");
        }
        let two = format!("{}{}", single("ISEEMinorenni"), single("ISEEUniversitario"));
        let xml = att("", &two).replace("Ordinario>", "Blocco>");
        let m = messages(&xml);
        assert!(m[0].contains("più varianti senza l'ordinario"), "{m:?}");
        // Values per minor or in the calculation detail are not the indicator.
        let xml = att(
            "",
            "<ISEEMin><ComponenteMinorenne><ISEEMinAgg><Valori ISEE=\"1\"/></ISEEMinAgg></ComponenteMinorenne></ISEEMin>",
        );
        let m = messages(&xml);
        assert!(m[0].contains("manca il blocco con i Valori"), "{m:?}");
        assert!(m[0].contains("ISEEMinAgg"), "{m:?}");
    }

    #[test]
    fn omissioni_and_difformita_are_read_from_flags_and_records() {
        let xml = att(r#"PresenzaDifformita="SI""#, &single("ISEEOrdinario"));
        let a = parse(&xml).unwrap();
        assert!(a.difformita && !a.omissioni);
        assert!(a.fact().discrepancies);
        let xml = att(
            r#"Omissioni="N" Difformita="false""#,
            &format!("{}<Omissioni>S</Omissioni>", single("ISEEOrdinario")),
        );
        let a = parse(&xml).unwrap();
        assert!(a.omissioni && !a.difformita);
        let record = r#"<OmissioneDifformita CodiceFiscale="RSSMRA80A01A794J" TipoOmissioneDifformita="RAPPORTO"/>"#;
        let xml = att("", &single("ISEEOrdinario"))
            .replace("</Ordinario>", &format!("</Ordinario>{record}"));
        let a = parse(&xml).unwrap();
        assert!(a.omissioni && a.difformita);
        let m = messages(&att(
            r#"PresenzaOmissioni="forse""#,
            &single("ISEEOrdinario"),
        ));
        assert_eq!(
            m,
            ["Attestazione/@PresenzaOmissioni: «forse» non è un valore ammesso (SI o NO)"]
        );
    }

    #[test]
    fn malformed_xml_is_refused_with_its_position() {
        let m = messages("<Attestazione>\n  <Ordinario></Valori>\n</Attestazione>");
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("non è un XML ben formato"), "{m:?}");
        assert!(
            m[0].contains("</Valori>") && m[0].contains("riga 2"),
            "{m:?}"
        );
        let m = messages(&SAMPLE[..SAMPLE.find("<ISEEOrdinario").unwrap()]);
        assert!(m[0].contains("troncato"), "{m:?}");
        let m = messages("questo non è XML");
        assert!(m[0].starts_with("il file non"), "{m:?}");
        let m = messages("   ");
        assert!(m[0].contains("vuoto"), "{m:?}");
        let m = messages(
            r#"<!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><Attestazione a="&y;"/>"#,
        );
        assert!(m[0].contains("DTD"), "{m:?}");
    }

    #[test]
    fn a_file_without_an_attestation_says_what_it_is() {
        let m = messages("<EsitoDichiarazione><Dichiarazione/></EsitoDichiarazione>");
        assert!(m[0].contains("manca l'elemento Attestazione"), "{m:?}");
        assert!(m[0].contains("«EsitoDichiarazione»"), "{m:?}");
        let m = messages(
            "<Envelope><Body><Result Esito=\"OK\"><XmlEsitoAttestazione>PD94bWw=</XmlEsitoAttestazione></Result></Body></Envelope>",
        );
        assert!(m[0].contains("base64"), "{m:?}");
        let m = messages(
            "<Result Esito=\"DATI_NON_TROVATI\" DescrizioneErrore=\"Nessuna attestazione valida\"/>",
        );
        assert!(m[0].contains("«Nessuna attestazione valida»"), "{m:?}");
        let two = format!("<Esito>{0}{0}</Esito>", att("", &single("ISEEOrdinario")));
        assert!(messages(&two)[0].contains("2 elementi Attestazione"));
    }

    #[test]
    fn huge_or_deeply_nested_input_never_panics() {
        let huge = format!("<a>{}</a>", " ".repeat(MAX_XML_BYTES));
        let m = messages(&huge);
        assert!(m[0].contains("2 MiB"), "{m:?}");
        let deep = format!("{}{}", "<a>".repeat(200_000), "</a>".repeat(200_000));
        assert!(deep.len() < MAX_XML_BYTES);
        assert!(messages(&deep)[0].contains("annidati oltre 64 livelli"));
        let many = format!("<a>{}</a>", "<b/>".repeat(400_000));
        assert!(messages(&many)[0].contains("troppi elementi"));
        // Many bad values: the list stops at MAX_ERRORS.
        let bad: String = (0..100)
            .map(|_| "<PresenzaDifformita>forse</PresenzaDifformita>")
            .collect();
        let m = messages(&att("", &format!("{}{bad}", single("ISEEOrdinario"))));
        assert_eq!(m.len(), MAX_ERRORS);
        assert_eq!(m[MAX_ERRORS - 1], "… e altri 71 errori nel file");
    }

    #[test]
    fn missing_attributes_are_named_all_together() {
        let xml = r#"<Attestazione NumeroProtocolloDSU=" ">
  <Ordinario>
    <NucleoFamiliare><ComponenteNucleo Cognome="ROSSI"/></NucleoFamiliare>
    <ISEEOrdinario><Valori ISEE="8500.00" ISR="15000.00" ISP="11700.00" ScalaEquivalenza="2.04"/></ISEEOrdinario>
  </Ordinario>
</Attestazione>"#;
        assert_eq!(
            messages(xml),
            [
                "Attestazione/@NumeroProtocolloDSU: il valore è vuoto",
                "Attestazione/@DataPresentazione: attributo mancante",
                "Attestazione/@CodiceFiscaleDichiarante: attributo mancante",
                "Ordinario/ISEEOrdinario/Valori/@ISE: attributo mancante",
                "NucleoFamiliare/ComponenteNucleo[1]/@CodiceFiscale: attributo mancante",
            ]
        );
        let m = messages(&att("", &single("ISEEOrdinario")).replace(
            r#"<ComponenteNucleo RapportoConDichiarante="D" Cognome="ROSSI" Nome="MARIO" CodiceFiscale="RSSMRA80A01A794J"/>"#,
            "",
        ));
        assert!(
            m[0].contains("non contiene alcun ComponenteNucleo"),
            "{m:?}"
        );
    }

    #[test]
    fn bad_amounts_dates_and_codes_name_their_attribute() {
        let xml = att(
            "",
            &format!(
                "<ISEEOrdinario>{}</ISEEOrdinario>",
                valori("abc", "1.234,56", "-5", "12.345", "0.5")
            ),
        );
        assert_eq!(
            messages(&xml),
            [
                "Ordinario/ISEEOrdinario/Valori/@ISEE: «abc» non è un importo (atteso un numero con il punto per i decimali, ad esempio 8500.00)",
                "Ordinario/ISEEOrdinario/Valori/@ISE: «1.234,56» non è un importo (atteso un numero con il punto per i decimali, ad esempio 8500.00)",
                "Ordinario/ISEEOrdinario/Valori/@ISR: l'importo non può essere negativo",
                "Ordinario/ISEEOrdinario/Valori/@ISP: «12.345» non è un importo (atteso un numero con il punto per i decimali, ad esempio 8500.00)",
                "Ordinario/ISEEOrdinario/Valori/@ScalaEquivalenza: la scala di equivalenza «0.5» deve essere un numero da 1 a 20 con al massimo due decimali, ad esempio 2,04",
            ]
        );
        let xml = att("", &single("ISEEOrdinario"))
            .replace("2026-01-15", "15 gennaio")
            .replace(
                r#"CodiceFiscale="RSSMRA80A01A794J"/>"#,
                r#"CodiceFiscale="RSSMRA80A01A794K"/>"#,
            );
        let m = messages(&xml);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].starts_with("Attestazione/@DataPresentazione: «15 gennaio» non è una data"));
        assert!(m[1].starts_with("NucleoFamiliare/ComponenteNucleo[1]/@CodiceFiscale: «RSSMRA80A01A794K» non è un codice fiscale valido"));
        // Amounts with trailing zeros and a plus sign are fine; more decimals are not.
        assert_eq!(xml_amount("x", "+8500.000"), Ok(Money(850_000)));
        assert_eq!(xml_amount("x", "8500"), Ok(Money(850_000)));
        assert_eq!(xml_amount("x", " 0,5 "), Ok(Money(50)));
        assert!(xml_amount("x", "8500.001").is_err());
        assert!(xml_amount("x", "1e5").is_err());
        assert!(
            xml_amount("x", "9999999999999.00")
                .unwrap_err()
                .message
                .contains("massimo")
        );
        assert_eq!(xml_scala("x", "2.0400"), Ok(Decimal::new(204, 2)));
    }

    #[test]
    fn inconsistent_figures_are_refused_like_typed_ones() {
        let xml = att(
            "",
            &format!(
                "<ISEEOrdinario>{}</ISEEOrdinario>",
                valori("8500.00", "18000.00", "15000.00", "11700.00", "1")
            ),
        );
        let e = parse(&xml).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].field, "ise");
        assert!(
            e[0].message
                .starts_with("Ordinario/ISEEOrdinario/Valori/@ISE: l'ISE 18.000,00"),
            "{}",
            e[0].message
        );
        assert_eq!(e[1].field, "isee");
        assert!(e[1].message.contains("Valori/@ISEE"), "{}", e[1].message);
    }

    #[test]
    fn the_protocol_and_the_date_are_checked() {
        let m = messages(&SAMPLE.replace("INPS-ISEE-2026-00012345A-00", "INPS-ISEE-26-1-1"));
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("Attestazione/@NumeroProtocolloDSU: il protocollo «INPS-ISEE-26-1-1» non ha la forma"), "{m:?}");
        let m = messages(&SAMPLE.replace(
            r#"DataPresentazione="2026-01-15""#,
            r#"DataPresentazione="2025-12-30""#,
        ));
        assert!(
            m[0].contains("presentata nel 2025, ma il protocollo è del 2026"),
            "{m:?}"
        );
        let e = parse_attestation_xml(SAMPLE, date!(2026 - 01 - 14)).unwrap_err();
        assert_eq!(
            e[0].message,
            "Attestazione/@DataPresentazione: la data di presentazione della DSU (15/01/2026) non può essere nel futuro"
        );
        assert!(parse_attestation_xml(SAMPLE, date!(2026 - 01 - 15)).is_ok());
    }
}
