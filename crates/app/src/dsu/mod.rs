//! The DSU typed at the counter: opened for a declarant with the nucleo drawn from the
//! famiglia anagrafica, filled quadro by quadro (each save checked and the provisional ISEE
//! recomputed by the engine), signed, transmitted, attested or replaced by a correction.
//! A read, a save and every step are audited; nothing but a draft is ever changed.

pub mod compare;
pub mod form;
mod import;
mod members;
pub mod print;

pub use import::{import, replace};
use members::registry_members;
pub use members::{MemberChange, change_members};

use crate::{Actor, Error, Services};
use domain::audit::unix_micros;
use domain::benefit::IseeVariant;
use domain::dsu::{DsuRelation, DsuState, DsuStatus, DsuStep};
use domain::localtime::today;
use domain::money::Money;
use domain::policy::{Action, RecordScope};
use form::{FieldProblem, QUADRI, Quadro, Scope, Typed};
use isee::dsu::input::{
    ComponenteCorrente, DsuInput, ModuloFc4, ModuloMb1Ridotto, ModuloMb3, PatrimonioCorrente,
    QuadroB, QuadroC, QuadroD, QuadroFc2, QuadroFc3, QuadroFc4, QuadroFc5, QuadroFc6, QuadroFc7,
    QuadroFc8, Variante,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use store::{
    BenefitStore, DsuMember, DsuMemberView, DsuRecord, DsuStatusChange, DsuStore,
    ExpiringAttestation, Person, PersonStore,
};
use time::Date;
use uuid::Uuid;

/// A DSU the actor may see; `scope` is where it stands for the policy.
pub struct DsuAccess {
    pub dsu: DsuRecord,
    pub scope: RecordScope,
}

pub async fn dsu_access(svc: &Services, actor: &Actor, id: Uuid) -> Result<DsuAccess, Error> {
    let dsu = svc.store.get_dsu(actor.org.id, id).await?;
    let scope = if Some(dsu.created_by) == actor.user_id() {
        RecordScope::Own
    } else {
        actor.scope_of(dsu.org_id)
    };
    actor.authorize(Action::DsuView, scope)?;
    Ok(DsuAccess { dsu, scope })
}

/// A DSU the actor may change: made only by [`dsu_edit_access`], so a service that takes one
/// knows `DsuEdit` was checked on it.
pub struct DsuEditAccess(DsuAccess);

impl std::ops::Deref for DsuEditAccess {
    type Target = DsuAccess;

    fn deref(&self) -> &DsuAccess {
        &self.0
    }
}

pub async fn dsu_edit_access(
    svc: &Services,
    actor: &Actor,
    id: Uuid,
) -> Result<DsuEditAccess, Error> {
    let a = dsu_access(svc, actor, id).await?;
    actor.authorize(Action::DsuEdit, a.scope)?;
    Ok(DsuEditAccess(a))
}

/// The right to open DSUs in the actor's organization: made only by [`open_access`].
pub struct DsuOpenAccess(());

pub fn open_access(actor: &Actor) -> Result<DsuOpenAccess, Error> {
    actor.authorize(Action::DsuEdit, RecordScope::SameOrg)?;
    Ok(DsuOpenAccess(()))
}

/// The values typed in every quadro: `b`, `c`… for the nucleo's, `fc2:<person id>` for a
/// member's.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Draft(pub BTreeMap<String, Typed>);

impl Draft {
    pub fn parse(raw: &str) -> Result<Draft, Error> {
        serde_json::from_str(raw).map_err(|e| Error::Internal(format!("dsu.quadri: {e}")))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn typed(&self, key: &str) -> Typed {
        self.0.get(key).cloned().unwrap_or_default()
    }
}

pub fn member_key(q: &Quadro, person_id: Uuid) -> String {
    format!("{}:{person_id}", q.id)
}

/// Where a quadro stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Required and not yet typed.
    Missing,
    /// Optional and blank: nothing to declare.
    Blank,
    Done,
    Errors(usize),
}

impl Fill {
    pub fn label(self) -> String {
        match self {
            Fill::Missing => "da compilare".into(),
            Fill::Blank => "nulla da dichiarare".into(),
            Fill::Done => "compilato".into(),
            Fill::Errors(1) => "1 errore".into(),
            Fill::Errors(n) => format!("{n} errori"),
        }
    }

    pub fn is_ok(self) -> bool {
        matches!(self, Fill::Blank | Fill::Done)
    }
}

/// One quadro of this DSU: the nucleo's, or one member's.
#[derive(Debug, Clone)]
pub struct QuadroLine {
    pub quadro: &'static Quadro,
    pub key: String,
    /// The member it belongs to, for FC quadri.
    pub member: Option<(Uuid, String)>,
    pub required: bool,
    pub fill: Fill,
}

/// One variant computed on the current draft.
#[derive(Debug, Clone)]
pub struct Figures {
    pub variante: Variante,
    pub isr: i64,
    pub isp: i64,
    pub ise: i64,
    /// The scale, as the attestation prints it (two decimals).
    pub scala: String,
    pub isee: i64,
    /// The last day it is valid: 31 December, or six months for an ISEE corrente.
    pub valid_until: Date,
    pub explanation: String,
}

/// The draft checked and computed.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub lines: Vec<QuadroLine>,
    pub problems: BTreeMap<String, Vec<FieldProblem>>,
    /// What stops the DSU as a whole (members without a codice fiscale, the engine's
    /// checks across quadri), in words for the operator.
    pub blocking: Vec<String>,
    pub input: Option<DsuInput>,
    pub figures: Vec<Figures>,
}

impl Evaluation {
    pub fn complete(&self) -> bool {
        self.input.is_some() && self.blocking.is_empty()
    }

    /// The figures of the DSU's own variant.
    pub fn main(&self, variant: &str) -> Option<&Figures> {
        self.figures
            .iter()
            .find(|f| variant_code(f.variante) == variant)
    }
}

pub fn variant_code(v: Variante) -> &'static str {
    match v {
        Variante::Ordinario => "ordinario",
        Variante::Minorenni => "minorenni",
        Variante::Universita => "universita",
        Variante::Sociosanitario => "sociosanitario",
        Variante::Residenze => "residenze",
        Variante::Corrente => "corrente",
    }
}

/// The label of a variant code of the record; the variants the counter computes are
/// `IseeVariant`'s (the ISEE corrente starts from an attested DSU).
pub fn variant_label(code: &str) -> &'static str {
    match code {
        CORRENTE => "ISEE corrente (art. 9)",
        _ => IseeVariant::parse(code).map_or("", IseeVariant::label),
    }
}

/// The variant code of an ISEE corrente: the ordinary ISEE of a signed DSU updated by the
/// modulo sostitutivo.
pub const CORRENTE: &str = "corrente";

pub const PRESTAZIONI: &[(&str, &str)] = &[
    ("altra", "altra prestazione, comprese quelle comunali"),
    ("assegno_inclusione", "assegno di inclusione"),
    (
        "supporto_formazione_lavoro",
        "supporto per la formazione e il lavoro",
    ),
    ("assegno_unico", "assegno unico universale"),
    ("bonus_nido", "bonus asilo nido"),
    ("bonus_nuovi_nati", "bonus nuovi nati"),
];

/// Whether the quadro belongs to a DSU asked for `variant`, and whether it must be filled.
fn applies(q: &Quadro, variant: &str) -> Option<bool> {
    match (q.id, variant) {
        ("b", _) => Some(true),
        ("c", "universita") | ("d", "minorenni") => Some(true),
        ("ridotto", "sociosanitario" | "residenze") => Some(true),
        ("mb3_figli" | "mb3_donazioni", "residenze") => Some(false),
        ("fc9", "minorenni" | "universita" | "residenze") => Some(false),
        ("ms" | "ms_patrimonio", CORRENTE) => Some(false),
        (
            "c" | "d" | "ridotto" | "mb3_figli" | "mb3_donazioni" | "fc9" | "ms" | "ms_patrimonio",
            _,
        ) => None,
        _ => Some(false),
    }
}

/// Checks one quadro against the engine's own type. `cf`: the member's codice fiscale, which
/// the modulo sostitutivo names beside the figures.
fn check_quadro(q: &Quadro, typed: &Typed, cf: &str) -> Result<Value, Vec<FieldProblem>> {
    let mut json = form::to_json(q, typed)?;
    fn keep<T: serde::de::DeserializeOwned>(
        q: &Quadro,
        json: Value,
    ) -> Result<Value, Vec<FieldProblem>> {
        form::check::<T>(q, json.clone()).map(|_: T| json)
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fc9 {
        #[serde(rename = "persone")]
        _persone: Vec<ModuloFc4>,
    }
    match q.id {
        "b" => keep::<QuadroB>(q, json),
        "c" => keep::<QuadroC>(q, json),
        "d" => keep::<QuadroD>(q, json),
        "ridotto" => keep::<ModuloMb1Ridotto>(q, json),
        "mb3_figli" | "mb3_donazioni" => keep::<ModuloMb3>(q, json),
        "fc2" => keep::<QuadroFc2>(q, json),
        "fc3" => keep::<QuadroFc3>(q, json),
        "fc4" => keep::<QuadroFc4>(q, json),
        "fc5" => keep::<QuadroFc5>(q, json),
        "fc6" => keep::<QuadroFc6>(q, json),
        "fc7" => keep::<QuadroFc7>(q, json),
        "fc8" => keep::<QuadroFc8>(q, json),
        "fc9" => keep::<Fc9>(q, json),
        "ms" => {
            if let Value::Object(o) = &mut json {
                o.insert("codice_fiscale".into(), json!(cf));
            }
            keep::<ComponenteCorrente>(q, json)
        }
        "ms_patrimonio" => keep::<PatrimonioCorrente>(q, json),
        _ => Ok(json),
    }
}

fn cents(d: rust_decimal::Decimal) -> i64 {
    Money::from_decimal(d).map_or(i64::MAX, Money::cents)
}

fn figures(dsu: &isee::Dsu) -> Option<Figures> {
    let a = isee::compute(dsu).ok()?;
    Some(Figures {
        variante: a.variante,
        isr: cents(a.isr),
        isp: cents(a.isp),
        ise: cents(a.ise),
        scala: a.scala.round_dp(2).to_string().replace('.', ","),
        isee: cents(a.isee),
        valid_until: a.valida_fino_al,
        explanation: isee::report::explain(dsu, &a),
    })
}

/// Checks every quadro, assembles the engine's DSU when all pass, computes each variant the
/// draft supports (the DSU's own first, then the ordinary one).
pub fn evaluate(rec: &DsuRecord, members: &[DsuMemberView], draft: &Draft) -> Evaluation {
    let mut ev = Evaluation::default();
    let nucleo: Vec<&DsuMemberView> = members
        .iter()
        .filter(|m| !m.member.basis.excludes())
        .collect();
    let mut parts: BTreeMap<String, Value> = BTreeMap::new();
    // The nucleo's quadri first, then each member's in turn: the order the counter follows.
    let nucleo_quadri = QUADRI
        .iter()
        .filter(|q| q.scope == Scope::Nucleo)
        .map(|q| (q, None));
    let member_quadri = nucleo.iter().flat_map(|m| {
        QUADRI
            .iter()
            .filter(|q| q.scope == Scope::Member)
            .map(move |q| (q, Some(*m)))
    });
    for (q, owner) in nucleo_quadri.chain(member_quadri) {
        let Some(required) = applies(q, &rec.variant) else {
            continue;
        };
        {
            let key = owner.map_or_else(|| q.id.to_owned(), |m| member_key(q, m.member.person_id));
            let typed = draft.typed(&key);
            let fill = if typed.is_empty() {
                if required { Fill::Missing } else { Fill::Blank }
            } else {
                let cf = owner.and_then(|m| m.codice_fiscale.as_deref());
                match check_quadro(q, &typed, cf.unwrap_or_default()) {
                    Ok(json) => {
                        parts.insert(key.clone(), json);
                        Fill::Done
                    }
                    Err(p) => {
                        let n = p.len();
                        ev.problems.insert(key.clone(), p);
                        Fill::Errors(n)
                    }
                }
            };
            ev.lines.push(QuadroLine {
                quadro: q,
                key,
                member: owner.map(|m| (m.member.person_id, m.full_name())),
                required,
                fill,
            });
        }
    }
    for m in &nucleo {
        if m.codice_fiscale.is_none() {
            ev.blocking.push(format!(
                "{}: manca il codice fiscale nella scheda anagrafica",
                m.full_name()
            ));
        }
    }
    if nucleo.first().map(|m| m.member.relation) != Some(DsuRelation::D) {
        ev.blocking
            .push("il primo componente del nucleo deve essere il dichiarante".into());
    }
    if !ev.blocking.is_empty() || !ev.lines.iter().all(|l| l.fill.is_ok()) {
        return ev;
    }
    let json = assemble(rec, &nucleo, &parts);
    let input: DsuInput = match serde_json::from_value(json) {
        Ok(i) => i,
        Err(e) => {
            ev.blocking.push(e.to_string());
            return ev;
        }
    };
    match isee::Dsu::try_from(input.clone()) {
        Ok(dsu) => {
            ev.figures.extend(figures(&dsu));
            if input.variante != Variante::Ordinario {
                let mut ord = input.clone();
                ord.variante = Variante::Ordinario;
                if let Ok(d) = isee::Dsu::try_from(ord) {
                    ev.figures.extend(figures(&d));
                }
            }
            if ev.figures.is_empty() {
                ev.blocking
                    .push("il calcolo non è riuscito: controlla i quadri".into());
            }
            ev.input = Some(input);
        }
        Err(e) => ev.blocking.push(e.to_string()),
    }
    ev
}

/// The engine's JSON of the DSU from its members and checked quadri.
fn assemble(rec: &DsuRecord, nucleo: &[&DsuMemberView], parts: &BTreeMap<String, Value>) -> Value {
    let part = |key: &str| parts.get(key).cloned();
    let cf = |m: &DsuMemberView| m.codice_fiscale.clone().unwrap_or_default();
    let componenti: Vec<Value> = nucleo
        .iter()
        .map(|m| {
            json!({
                "codice_fiscale": cf(m),
                "cognome": m.surname,
                "nome": m.given_names,
                "data_nascita": m.birth_date.to_string(),
            })
        })
        .collect();
    let mut fc1 = Vec::new();
    let mut fc2 = Vec::new();
    let mut fc3 = Vec::new();
    for m in nucleo {
        let id = m.member.person_id;
        let mut module = Map::new();
        module.insert("codice_fiscale".into(), json!(cf(m)));
        module.insert(
            "quadro_fc1".into(),
            json!({
                "relazione": m.member.relation.as_str(),
                "convivenza_anagrafica": m.member.convivenza,
            }),
        );
        for q in ["fc2", "fc3", "fc4", "fc5", "fc6"] {
            if let Some(v) = part(&format!("{q}:{id}")) {
                module.insert(format!("quadro_{q}"), v);
            }
        }
        fc1.push(Value::Object(module));
        if let Some(v) = part(&format!("fc7:{id}")) {
            fc2.push(json!({"codice_fiscale": cf(m), "quadro_fc7": v}));
        }
        if let Some(v) = part(&format!("fc8:{id}")) {
            fc3.push(json!({"codice_fiscale": cf(m), "quadro_fc8": v}));
        }
    }
    let mut dsu = Map::new();
    if let Some(p) = &rec.status.inps_protocol {
        dsu.insert("protocollo".into(), json!(p));
    }
    dsu.insert(
        "data_presentazione".into(),
        json!(rec.status.dsu_date.to_string()),
    );
    dsu.insert("variante".into(), json!(rec.variant));
    dsu.insert("prestazione".into(), json!(rec.prestazione));
    dsu.insert(
        "mb1".into(),
        json!({"quadro_a": {"componenti": componenti}, "quadro_b": part("b").unwrap_or(Value::Null)}),
    );
    if let Some(v) = part("ridotto") {
        dsu.insert("mb1_ridotto".into(), v);
    }
    let mut mb2 = Map::new();
    for (q, name) in [("c", "quadro_c"), ("d", "quadro_d")] {
        if let Some(v) = part(q) {
            mb2.insert(name.into(), v);
        }
    }
    if !mb2.is_empty() {
        dsu.insert("mb2".into(), Value::Object(mb2));
    }
    let mut mb3 = Map::new();
    for q in ["mb3_figli", "mb3_donazioni"] {
        if let Some(Value::Object(o)) = part(q) {
            mb3.extend(o);
        }
    }
    if !mb3.is_empty() {
        dsu.insert("mb3".into(), Value::Object(mb3));
    }
    dsu.insert("fc1".into(), Value::Array(fc1));
    dsu.insert("fc2".into(), Value::Array(fc2));
    dsu.insert("fc3".into(), Value::Array(fc3));
    if let Some(v) = part("fc9").and_then(|v| v.get("persone").cloned()) {
        dsu.insert("fc4".into(), v);
    }
    if rec.variant == CORRENTE {
        let componenti: Vec<Value> = nucleo
            .iter()
            .filter_map(|m| part(&format!("ms:{}", m.member.person_id)))
            .collect();
        let mut ms = Map::new();
        ms.insert("componenti".into(), Value::Array(componenti));
        if let Some(v) = part("ms_patrimonio") {
            ms.insert("patrimonio".into(), v);
        }
        dsu.insert("modulo_sostitutivo".into(), Value::Object(ms));
    }
    Value::Object(dsu)
}

/// The general data of a DSU, as a form gives them.
#[derive(Debug, Clone, Default)]
pub struct General {
    pub dsu_date: String,
    pub variant: String,
    pub prestazione: String,
}

/// The general data checked: errors by field name.
pub fn parse_general(
    g: &General,
    today: Date,
) -> Result<(Date, String, String), Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut bad = |name: &str, message: String| {
        problems.push(FieldProblem {
            name: name.into(),
            message,
        })
    };
    let date = match domain::dates::parse_date(g.dsu_date.trim()) {
        Some(d) if d > today => {
            bad("dsu_date", "Data della DSU: non può essere futura".into());
            None
        }
        Some(d) if d.year() < 2015 => {
            bad(
                "dsu_date",
                "Data della DSU: le DSU del DPCM 159/2013 sono dal 1° gennaio 2015".into(),
            );
            None
        }
        Some(d) => Some(d),
        None => {
            bad(
                "dsu_date",
                format!(
                    "Data della DSU: «{}» non è una data (gg/mm/aaaa)",
                    g.dsu_date.trim()
                ),
            );
            None
        }
    };
    if IseeVariant::parse(&g.variant).is_none() {
        bad("variant", "Variante: scegli una delle varianti".into());
    }
    if !PRESTAZIONI.iter().any(|(c, _)| *c == g.prestazione) {
        bad(
            "prestazione",
            "Prestazione: scegli una delle prestazioni".into(),
        );
    }
    match date {
        Some(d) if problems.is_empty() => Ok((d, g.variant.clone(), g.prestazione.clone())),
        _ => Err(problems),
    }
}

/// The provisional ISEE and ISE of the DSU's own variant, for the lists.
pub(super) fn headline(rec: &mut DsuRecord, ev: &Evaluation) {
    let main = ev.main(&rec.variant);
    rec.isee_cents = main.map(|f| f.isee);
    rec.ise_cents = main.map(|f| f.ise);
}

/// Opens a draft DSU for the declarant, with the famiglia anagrafica on the DSU date.
pub async fn open(
    svc: &Services,
    actor: &Actor,
    declarant_id: Uuid,
    general: &General,
) -> Result<Result<DsuRecord, Vec<FieldProblem>>, Error> {
    let declarant = crate::person::person_access(svc, actor, declarant_id)
        .await?
        .person;
    actor.authorize(Action::DsuEdit, actor.scope_of(declarant.org_id))?;
    let rec = match open_record(actor, &declarant, general)? {
        Ok(r) => r,
        Err(p) => return Ok(Err(p)),
    };
    let (id, dsu_date) = (rec.id, rec.status.dsu_date);
    let members = registry_members(svc, actor.org.id, id, &declarant, dsu_date).await?;
    let audit = actor.audit(
        "dsu.create",
        "dsu",
        Some(id),
        format!(
            "DSU del {} di {} ({} componenti)",
            domain::dates::format_date(dsu_date),
            declarant.data.full_name(),
            members.len()
        ),
    );
    svc.store.create_dsu(&rec, &members, &audit).await?;
    Ok(Ok(rec))
}

/// A new draft of the declarant with its general data checked.
pub(super) fn open_record(
    actor: &Actor,
    declarant: &Person,
    general: &General,
) -> Result<Result<DsuRecord, Vec<FieldProblem>>, Error> {
    if let Some(d) = declarant.data.death_date {
        return Err(Error::BadRequest(format!(
            "{} è deceduta il {}: non si apre una DSU a suo nome",
            declarant.data.full_name(),
            domain::dates::format_date(d)
        )));
    }
    let (dsu_date, variant, prestazione) = match parse_general(general, today(actor.now)) {
        Ok(g) => g,
        Err(p) => return Ok(Err(p)),
    };
    let now_us = unix_micros(actor.now);
    Ok(Ok(DsuRecord {
        id: Uuid::now_v7(),
        org_id: actor.org.id,
        declarant_id: declarant.id,
        status: DsuStatus::draft(dsu_date),
        variant,
        prestazione,
        replaces_id: None,
        base_id: None,
        quadri: Draft::default().to_json(),
        isee_cents: None,
        ise_cents: None,
        created_by: actor.account()?,
        created_us: now_us,
        updated_by: actor.label().to_owned(),
        updated_us: now_us,
        version: 1,
    }))
}

/// A draft's record after a change by the actor: version bumped, provisional figures kept.
pub(super) fn next_version(
    actor: &Actor,
    rec: &DsuRecord,
    draft: &Draft,
    ev: &Evaluation,
) -> DsuRecord {
    let mut next = rec.clone();
    next.quadri = draft.to_json();
    next.version = rec.version + 1;
    next.updated_by = actor.label().to_owned();
    next.updated_us = unix_micros(actor.now);
    headline(&mut next, ev);
    next
}

/// Why an ISEE corrente changes only its modulo sostitutivo.
pub const BASE_FIXED: &str = "nell'ISEE corrente si compila solo il modulo sostitutivo: i quadri e il nucleo sono quelli della DSU di partenza; per cambiarli si corregge quella DSU";

/// Whether a quadro of the DSU can still be typed: a draft's, and in an ISEE corrente only
/// the modulo sostitutivo.
pub fn quadro_editable(rec: &DsuRecord, key: &str) -> bool {
    rec.status.editable() && (rec.base_id.is_none() || key.starts_with("ms"))
}

pub(super) fn must_be_draft(rec: &DsuRecord) -> Result<(), Error> {
    if rec.status.editable() {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "la DSU è {}: non si modifica più; per correggerla apri una nuova DSU che la sostituisce",
            rec.status.state.label()
        )))
    }
}

/// Saves the values typed in one quadro (even if some are wrong: the draft keeps what the
/// operator typed) and recomputes. `version` is the one the page was built from.
pub async fn save_quadro(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    key: &str,
    typed: Typed,
    version: i64,
) -> Result<(DsuRecord, Evaluation), Error> {
    let rec = &access.dsu;
    must_be_draft(rec)?;
    if version != rec.version {
        return Err(Error::Conflict);
    }
    let members = svc.store.dsu_members(actor.org.id, rec.id).await?;
    let mut draft = Draft::parse(&rec.quadri)?;
    if typed.is_empty() {
        draft.0.remove(key);
    } else {
        draft.0.insert(key.to_owned(), typed);
    }
    let ev = evaluate(rec, &members, &draft);
    // Only a quadro of this DSU: its variant's, or one of a member of the nucleo.
    if !ev.lines.iter().any(|l| l.key == key) {
        return Err(Error::NotFound);
    }
    if !quadro_editable(rec, key) {
        return Err(Error::BadRequest(BASE_FIXED.into()));
    }
    let next = next_version(actor, rec, &draft, &ev);
    let audit = actor.audit("dsu.update", "dsu", Some(rec.id), format!("quadro {key}"));
    svc.store.save_dsu_quadri(&next, &audit).await?;
    Ok((next, ev))
}

/// Changes the general data of a draft (date, variant, benefit).
pub async fn save_general(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    general: &General,
    version: i64,
) -> Result<Result<DsuRecord, Vec<FieldProblem>>, Error> {
    let rec = &access.dsu;
    must_be_draft(rec)?;
    if version != rec.version {
        return Err(Error::Conflict);
    }
    if rec.base_id.is_some() {
        return Err(Error::BadRequest(BASE_FIXED.into()));
    }
    let (dsu_date, variant, prestazione) = match parse_general(general, today(actor.now)) {
        Ok(g) => g,
        Err(p) => return Ok(Err(p)),
    };
    let mut changed = rec.clone();
    changed.status.dsu_date = dsu_date;
    changed.variant = variant;
    changed.prestazione = prestazione;
    let members = svc.store.dsu_members(actor.org.id, rec.id).await?;
    let draft = Draft::parse(&rec.quadri)?;
    let ev = evaluate(&changed, &members, &draft);
    let next = next_version(actor, &changed, &draft, &ev);
    let audit = actor.audit("dsu.update", "dsu", Some(rec.id), "dati generali".into());
    svc.store.save_dsu_quadri(&next, &audit).await?;
    Ok(Ok(next))
}

/// Takes a step in the DSU's life. Signing a correction supersedes the DSU it replaces, in
/// the same transaction.
pub async fn step(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    step: DsuStep,
    version: i64,
) -> Result<DsuStatus, Error> {
    let rec = &access.dsu;
    if version != rec.version {
        return Err(Error::Conflict);
    }
    let day = today(actor.now);
    let step = match step {
        DsuStep::Sign { on, .. } => {
            let members = svc.store.dsu_members(actor.org.id, rec.id).await?;
            let ev = evaluate(rec, &members, &Draft::parse(&rec.quadri)?);
            DsuStep::Sign {
                on,
                complete: ev.complete(),
            }
        }
        other => other,
    };
    let summary = match &step {
        DsuStep::Sign { on, .. } => format!("firmata il {}", domain::dates::format_date(*on)),
        DsuStep::Transmit { protocol } => format!(
            "trasmessa all'INPS{}",
            protocol
                .as_deref()
                .map(|p| format!(", protocollo {p}"))
                .unwrap_or_default()
        ),
        DsuStep::Attest { protocol, .. } => format!("attestata dall'INPS ({protocol})"),
        DsuStep::Supersede => "sostituita".into(),
    };
    let signing = matches!(step, DsuStep::Sign { .. });
    let status = rec
        .status
        .step(step, day)
        .map_err(|r| Error::BadRequest(r.0))?;
    let mut changes = vec![DsuStatusChange {
        id: rec.id,
        version: rec.version,
        status: status.clone(),
    }];
    if let (true, Some(old_id)) = (signing, rec.replaces_id) {
        let old = svc.store.get_dsu(actor.org.id, old_id).await?;
        if old.status.state != DsuState::Sostituita {
            let superseded = old
                .status
                .step(DsuStep::Supersede, day)
                .map_err(|r| Error::BadRequest(r.0))?;
            changes.push(DsuStatusChange {
                id: old.id,
                version: old.version,
                status: superseded,
            });
        }
    }
    let audit = actor.audit("dsu.state", "dsu", Some(rec.id), summary);
    svc.store
        .change_dsu_status(
            actor.org.id,
            &changes,
            actor.label(),
            unix_micros(actor.now),
            &audit,
        )
        .await?;
    Ok(status)
}

/// Links INPS's attestation to a signed or transmitted DSU: it must be the declarant's.
pub async fn attest(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    attestation_id: Uuid,
    version: i64,
) -> Result<DsuStatus, Error> {
    let att = svc
        .store
        .get_attestation(actor.org.id, attestation_id)
        .await?;
    if att.person_id != access.dsu.declarant_id {
        return Err(Error::BadRequest(
            "Attestazione: non è del dichiarante di questa DSU".into(),
        ));
    }
    let s = DsuStep::Attest {
        attestation_id,
        protocol: att.data.protocol.as_str().to_owned(),
    };
    step(svc, actor, access, s, version).await
}

/// A correction of a signed DSU: a new draft with the same nucleo and quadri that replaces
/// it once signed.
pub async fn correct(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
) -> Result<DsuRecord, Error> {
    actor.authorize(Action::DsuEdit, access.scope)?;
    let old = &access.dsu;
    if old.status.editable() || old.status.state == DsuState::Sostituita {
        return Err(Error::BadRequest(format!(
            "la DSU è {}: si corregge solo una DSU firmata, trasmessa o attestata",
            old.status.state.label()
        )));
    }
    let id = Uuid::now_v7();
    let now_us = unix_micros(actor.now);
    let members = copy_members(svc, actor, old.id, id).await?;
    let rec = DsuRecord {
        id,
        status: DsuStatus::draft(today(actor.now)),
        replaces_id: Some(old.id),
        created_by: actor.account()?,
        created_us: now_us,
        updated_by: actor.label().to_owned(),
        updated_us: now_us,
        version: 1,
        ..old.clone()
    };
    let audit = actor.audit(
        "dsu.create",
        "dsu",
        Some(id),
        format!("correzione della DSU {}", old.id),
    );
    svc.store.create_dsu(&rec, &members, &audit).await?;
    Ok(rec)
}

/// Opens an ISEE corrente (art. 9): a draft of variant `corrente` on the signed DSU's nucleo
/// and quadri, dated `on` (the modulo sostitutivo's date, within the DSU's validity), in which
/// only the modulo sostitutivo is typed.
pub async fn open_corrente(
    svc: &Services,
    actor: &Actor,
    access: &DsuEditAccess,
    on: Date,
) -> Result<DsuRecord, Error> {
    let base = &access.dsu;
    let refuse = |m: String| Err(Error::BadRequest(m));
    if base.base_id.is_some() {
        return refuse("questa è già un ISEE corrente: il nuovo modulo sostitutivo si apre dalla DSU di partenza".into());
    }
    if !matches!(
        base.status.state,
        DsuState::Firmata | DsuState::Trasmessa | DsuState::Attestata
    ) {
        return refuse(format!(
            "la DSU è {}: l'ISEE corrente aggiorna una DSU firmata, trasmessa o attestata",
            base.status.state.label()
        ));
    }
    let start = base.status.dsu_date;
    if on < start || on.year() != start.year() || on > today(actor.now) {
        return refuse(format!(
            "Data del modulo sostitutivo: deve essere tra il {} (data della DSU) e oggi, entro il 31 dicembre {} quando la DSU scade",
            domain::dates::format_date(start),
            start.year()
        ));
    }
    let declarant = svc
        .store
        .get_person(actor.org.id, base.declarant_id)
        .await?;
    if let Some(d) = declarant.data.death_date {
        return refuse(format!(
            "{} è deceduta il {}: non si apre un ISEE corrente a suo nome",
            declarant.data.full_name(),
            domain::dates::format_date(d)
        ));
    }
    let id = Uuid::now_v7();
    let now_us = unix_micros(actor.now);
    let members = copy_members(svc, actor, base.id, id).await?;
    let rec = DsuRecord {
        id,
        status: DsuStatus::draft(on),
        variant: CORRENTE.into(),
        replaces_id: None,
        base_id: Some(base.id),
        created_by: actor.account()?,
        created_us: now_us,
        updated_by: actor.label().to_owned(),
        updated_us: now_us,
        version: 1,
        isee_cents: None,
        ise_cents: None,
        ..base.clone()
    };
    let audit = actor.audit(
        "dsu.create",
        "dsu",
        Some(id),
        format!(
            "ISEE corrente di {} dalla DSU del {}",
            declarant.data.full_name(),
            domain::dates::format_date(start)
        ),
    );
    svc.store.create_dsu(&rec, &members, &audit).await?;
    Ok(rec)
}

/// The members of a DSU as members of a new one.
async fn copy_members(
    svc: &Services,
    actor: &Actor,
    from: Uuid,
    to: Uuid,
) -> Result<Vec<DsuMember>, Error> {
    Ok(svc
        .store
        .dsu_members(actor.org.id, from)
        .await?
        .into_iter()
        .map(|v| DsuMember {
            id: Uuid::now_v7(),
            dsu_id: to,
            ..v.member
        })
        .collect())
}

/// The organization's granted applications whose planned deliveries rest on an ISEE
/// attestation expired or expiring within 30 days, soonest first.
pub async fn expiring(svc: &Services, actor: &Actor) -> Result<Vec<ExpiringAttestation>, Error> {
    actor.authorize(Action::ApplicationReview, RecordScope::SameOrg)?;
    let until = today(actor.now) + time::Duration::days(crate::reminders::EXPIRY_NOTICE_DAYS);
    Ok(svc
        .store
        .expiring_attestations(Some(actor.org.id), until, false, 500)
        .await?)
}

/// The read of a DSU, logged.
pub async fn log_read(svc: &Services, actor: &Actor, rec: &DsuRecord) {
    svc.reads
        .view(actor, crate::read_log::Read::Dsu, rec.id)
        .await;
}

/// The engine's attestation of a complete DSU, as `sportello isee calc` prints it.
pub fn report(ev: &Evaluation) -> Option<Value> {
    let dsu = isee::Dsu::try_from(ev.input.clone()?).ok()?;
    let att = isee::compute(&dsu).ok()?;
    serde_json::to_value(isee::report::Report::new(&dsu, &att)).ok()
}
