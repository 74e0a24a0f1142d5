//! Applying online from the citizens' portal: a draft the citizen fills step by step (the data
//! the benefit's rules need, the ISEE attestation on file, the documents of its checklist),
//! saved at every step, then submitted; submission makes it an application of channel
//! «portale», with its protocol number, in the office's worklists like any other.
//!
//! The draft is the citizen's own until submitted: only the account that started it sees it,
//! and the office never does. The form is generated from the catalogue entry and the rule
//! version in force, so a comune that changes its regulation changes the form.

use crate::portal::Citizen;
use crate::procedure::{Filing, new_application, notify};
use crate::{Actor, Error, Services};
use domain::application::{ApplicationInput, Channel, parse_application};
use domain::audit::unix_micros;
use domain::benefit::{Formula, Outcome, Periodicity, Rule, Unit, rule_in_force};
use domain::casework::check_document;
use domain::localtime::today;
use domain::policy::Action;
use domain::{Arg, FieldError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{
    Attestation, Benefit, BenefitStore, DraftDocument, DraftSummary, Organization, Person,
    PersonStore, PortalDraft, PortalStore, StoreError,
};
use time::Date;
use uuid::Uuid;

/// The most files a draft takes (the checklist has at most 30 lines).
pub const MAX_DRAFT_DOCUMENTS: usize = 40;

/// A step of the form, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// What the rules need to know, and how to reach the citizen.
    Data,
    /// The ISEE attestation on file, for a benefit that needs one.
    Isee,
    /// The documents of the benefit's checklist.
    Documents,
    /// The rules' outcome on what was declared, the declarations, the submission.
    Summary,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Data, Step::Isee, Step::Documents, Step::Summary];

    /// The step's address segment.
    pub fn code(self) -> &'static str {
        match self {
            Step::Data => "dati",
            Step::Isee => "isee",
            Step::Documents => "documenti",
            Step::Summary => "riepilogo",
        }
    }

    pub fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The step's name in the audit summary.
    fn label(self) -> &'static str {
        match self {
            Step::Data => "i dati",
            Step::Isee => "l'ISEE",
            Step::Documents => "i documenti",
            Step::Summary => "il riepilogo",
        }
    }
}

/// What the citizen typed, kept as typed so a wrong value comes back to be corrected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Answers {
    pub resident_since: String,
    pub disability: String,
    pub cost: String,
    pub units: String,
    pub months: String,
    pub email: String,
    pub notes: String,
    /// The attestation chosen (its id), or "" for none yet.
    pub attestation: String,
    /// The steps saved so far, by code.
    pub done: Vec<String>,
}

impl Answers {
    fn parse(raw: &str) -> Answers {
        serde_json::from_str(raw).unwrap_or_default()
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn is_done(&self, step: Step) -> bool {
        self.done.iter().any(|d| d == step.code())
    }

    fn input(&self) -> ApplicationInput {
        ApplicationInput {
            channel: Channel::Portal.as_str().into(),
            resident_since: self.resident_since.clone(),
            disability: self.disability.clone(),
            cost: self.cost.clone(),
            units: self.units.clone(),
            months: self.months.clone(),
            email: self.email.clone(),
            notes: self.notes.clone(),
            ..ApplicationInput::default()
        }
    }
}

/// The data the benefit's rules need from the citizen (the rest comes from the records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFields {
    /// Since when resident: the rule asks for years of residence.
    pub resident_since: bool,
    /// A recognised disability: the rule asks for one.
    pub disability: bool,
    /// The cost the contribution is a percentage of (rent, retta).
    pub cost: bool,
    /// Units a month, for a tariff.
    pub unit: Option<Unit>,
    /// Months of delivery, for a periodic benefit.
    pub months: bool,
}

pub fn data_fields(benefit: &Benefit, rule: Option<&Rule>) -> DataFields {
    let e = rule.map(|r| &r.eligibility);
    DataFields {
        resident_since: e.is_some_and(|e| e.residence_years.is_some()),
        disability: e.is_some_and(|e| e.disability),
        cost: rule.is_some_and(|r| matches!(r.formula, Formula::PercentualeCosto { .. })),
        unit: rule.and_then(|r| match r.formula {
            Formula::Tariffa { unit, .. } => Some(unit),
            _ => None,
        }),
        months: benefit.data.periodicity == Periodicity::Periodic,
    }
}

/// A benefit a citizen may apply for online today.
#[derive(Debug, Clone)]
pub struct Opening {
    pub org: Organization,
    pub benefit: Benefit,
}

/// The benefits open on the portal today in the organizations that hold the citizen.
pub async fn open_benefits(state: &Services, c: &Citizen) -> Result<Vec<Opening>, Error> {
    let on = today(state.clock.now());
    let mut out = Vec::new();
    let mut seen: Vec<Uuid> = Vec::new();
    for r in &c.persons {
        if seen.contains(&r.org.id) {
            continue;
        }
        seen.push(r.org.id);
        for benefit in state.store.list_benefits(r.org.id).await? {
            if benefit.data.portal_open_on(on) {
                out.push(Opening {
                    org: r.org.clone(),
                    benefit,
                });
            }
        }
    }
    Ok(out)
}

/// A draft opened by its citizen, with what its pages show.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub org: Organization,
    pub draft: PortalDraft,
    pub answers: Answers,
    pub benefit: Benefit,
    pub person: Person,
    /// The rule version in force today, if the catalogue has one.
    pub rule: Option<Rule>,
    pub documents: Vec<DraftDocument>,
}

impl DraftView {
    /// The steps of this benefit's form.
    pub fn steps(&self) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|s| *s != Step::Isee || self.benefit.data.isee_variant.is_some())
            .collect()
    }

    pub fn fields(&self) -> DataFields {
        data_fields(&self.benefit, self.rule.as_ref())
    }

    /// The checklist's lines no file answers yet.
    pub fn missing_documents(&self) -> Vec<&str> {
        self.benefit
            .data
            .documents
            .iter()
            .filter(|d| !self.documents.iter().any(|f| &f.requirement == *d))
            .map(String::as_str)
            .collect()
    }

    /// The first step not saved yet (the summary when all are).
    pub fn next_step(&self) -> Step {
        self.steps()
            .into_iter()
            .find(|s| *s != Step::Summary && !self.answers.is_done(*s))
            .unwrap_or(Step::Summary)
    }

    fn actor(&self, c: &Citizen, state: &Services) -> Actor {
        c.actor(&self.org, state.clock.now())
    }
}

/// The attestations of the person the citizen may choose: valid today, of a variant the
/// benefit accepts.
pub async fn attestations(state: &Services, d: &DraftView) -> Result<Vec<Attestation>, Error> {
    let on = today(state.clock.now());
    let Some(wanted) = d.benefit.data.isee_variant else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .person_attestations(d.org.id, d.person.id)
        .await?
        .into_iter()
        .filter(|a| a.data.valid_until() >= on && wanted.accepts(a.data.variant))
        .collect())
}

/// Starts a draft for `person_id` (the citizen or a person they represent) on a benefit open
/// on the portal today, prefilled from the records: the e-mail of the account, the start of
/// the residence from the civil registry, the only valid attestation. A draft the citizen
/// already has for the same person and benefit is taken up again instead.
pub async fn start(
    state: &Services,
    c: &Citizen,
    org_id: Uuid,
    benefit_id: Uuid,
    person_id: Uuid,
) -> Result<Uuid, Error> {
    let r = c
        .persons
        .iter()
        .find(|r| r.org.id == org_id && r.person.id == person_id)
        .ok_or(Error::NotFound)?;
    let actor = c.actor(&r.org, state.clock.now());
    actor.authorize(Action::ApplicationFile, c.scope(org_id, person_id))?;
    crate::life_events::refuse_if_deceased(&r.person, "presentare una nuova domanda")?;
    let benefit = state.store.get_benefit(org_id, benefit_id).await?;
    let on = today(actor.now);
    if !benefit.data.portal_open_on(on) {
        return Err(Error::BadRequest(format!(
            "La prestazione «{}» non accetta domande dal portale in questi giorni",
            benefit.data.name
        )));
    }
    if let Some(d) = state
        .store
        .portal_drafts(c.user.id)
        .await?
        .into_iter()
        .find(|d| d.org_id == org_id && d.person_id == person_id && d.benefit_id == benefit_id)
    {
        return Ok(d.id);
    }
    let (attestation, since) =
        crate::procedure::prefill(state, org_id, &r.person, on, benefit.data.isee_variant).await?;
    let answers = Answers {
        email: c
            .user
            .email
            .clone()
            .or_else(|| r.person.data.email.clone())
            .unwrap_or_default(),
        resident_since: since.map(domain::dates::format_date).unwrap_or_default(),
        months: "12".into(),
        attestation: attestation.map(|a| a.to_string()).unwrap_or_default(),
        ..Answers::default()
    };
    let now_us = unix_micros(actor.now);
    let draft = PortalDraft {
        id: Uuid::now_v7(),
        org_id,
        person_id,
        benefit_id,
        account_id: c.user.id,
        answers: answers.to_json(),
        version: 1,
        created_at_us: now_us,
        updated_at_us: now_us,
    };
    let audit = actor.audit(
        "portal_draft.create",
        "person",
        Some(person_id),
        format!(
            "Domanda online per {} iniziata: {}",
            r.person.data.full_name(),
            benefit.data.name
        ),
    );
    state.store.create_portal_draft(&draft, &audit).await?;
    Ok(draft.id)
}

/// The citizen's draft `id`: another account's, or one for a person the citizen no longer
/// acts for, is not found.
pub async fn draft(state: &Services, c: &Citizen, id: Uuid) -> Result<DraftView, Error> {
    for r in &c.persons {
        let d = match state.store.get_portal_draft(r.org.id, id).await {
            Ok(d) => d,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        return open(state, c, d).await;
    }
    Err(Error::NotFound)
}

async fn open(state: &Services, c: &Citizen, d: PortalDraft) -> Result<DraftView, Error> {
    let r = c
        .persons
        .iter()
        .find(|r| r.org.id == d.org_id && r.person.id == d.person_id)
        .filter(|_| d.account_id == c.user.id)
        .ok_or(Error::NotFound)?;
    let actor = c.actor(&r.org, state.clock.now());
    actor.authorize(Action::ApplicationFile, c.scope(d.org_id, d.person_id))?;
    let benefit = state.store.get_benefit(d.org_id, d.benefit_id).await?;
    let rules: Vec<Rule> = state
        .store
        .benefit_rules(d.org_id, d.benefit_id)
        .await?
        .into_iter()
        .map(|r| r.rule)
        .collect();
    let rule = rule_in_force(&rules, today(actor.now)).cloned();
    let documents = state.store.draft_documents(d.org_id, d.id).await?;
    Ok(DraftView {
        org: r.org.clone(),
        answers: Answers::parse(&d.answers),
        draft: d,
        benefit,
        person: r.person.clone(),
        rule,
        documents,
    })
}

/// The citizen's drafts, the last changed first, as their list shows them (the answers stay
/// unread until one is opened). A draft for a person the citizen no longer acts for stays
/// out of sight.
pub async fn drafts(state: &Services, c: &Citizen) -> Result<Vec<DraftSummary>, Error> {
    Ok(state
        .store
        .portal_drafts(c.user.id)
        .await?
        .into_iter()
        .filter(|d| {
            c.persons
                .iter()
                .any(|r| r.org.id == d.org_id && r.person.id == d.person_id)
        })
        .collect())
}

/// What a step's form sends.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepInput {
    pub version: String,
    pub resident_since: String,
    pub disability: String,
    pub cost: String,
    pub units: String,
    pub months: String,
    pub email: String,
    pub notes: String,
    pub attestation: String,
}

/// Saves a step: its answers checked as the office's form checks them, each error naming its
/// field; the typed values are kept either way, so the page shows them again. Nothing is
/// saved when a field is wrong, nor from a page older than the draft.
pub async fn save(
    state: &Services,
    c: &Citizen,
    d: &DraftView,
    step: Step,
    input: &StepInput,
) -> Result<Result<(), (Answers, Vec<FieldError>)>, Error> {
    let actor = d.actor(c, state);
    let on = today(actor.now);
    let mut a = d.answers.clone();
    let errors = match step {
        Step::Data => {
            a.resident_since.clone_from(&input.resident_since);
            a.disability.clone_from(&input.disability);
            a.cost.clone_from(&input.cost);
            a.units.clone_from(&input.units);
            a.months.clone_from(&input.months);
            a.email.clone_from(&input.email);
            a.notes.clone_from(&input.notes);
            data_errors(d, &a, on)
        }
        Step::Isee => {
            a.attestation = input.attestation.trim().to_owned();
            let valid = attestations(state, d).await?;
            if a.attestation.is_empty() || valid.iter().any(|v| v.id.to_string() == a.attestation) {
                Vec::new()
            } else {
                vec![
                    FieldError::new(
                        "attestation",
                        "scegliere una delle attestazioni ISEE valide elencate",
                    )
                    .says("apply-error-attestation", []),
                ]
            }
        }
        Step::Documents | Step::Summary => Vec::new(),
    };
    // A form from before another save (another tab): what it typed comes back, with the
    // draft's new version, to be checked and saved again; nothing is overwritten unseen.
    let errors = if input.version.trim() == d.draft.version.to_string() {
        errors
    } else {
        vec![stale()]
    };
    if !errors.is_empty() {
        return Ok(Err((a, errors)));
    }
    if !a.is_done(step) {
        a.done.push(step.code().to_owned());
    }
    let draft = PortalDraft {
        answers: a.to_json(),
        version: d.draft.version + 1,
        updated_at_us: unix_micros(actor.now),
        ..d.draft.clone()
    };
    let audit = actor.audit(
        "portal_draft.save",
        "person",
        Some(d.person.id),
        format!(
            "Domanda online per {} ({}): salvato il passo «{}»",
            d.person.data.full_name(),
            d.benefit.data.name,
            step.label()
        ),
    );
    state.store.save_portal_draft(&draft, &audit).await?;
    Ok(Ok(()))
}

/// The refusal of a form sent from a page older than the draft (saved meanwhile in another
/// tab or window).
fn stale() -> FieldError {
    FieldError::new(
        "",
        "la domanda è stata modificata nel frattempo, da un'altra finestra o scheda: controlla e ripeti",
    )
    .says("apply-error-stale", [])
}

/// The data step's errors: the office's checks, and the fields the benefit's rules need.
fn data_errors(d: &DraftView, a: &Answers, on: Date) -> Vec<FieldError> {
    let mut errors = match parse_application(&a.input(), on) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    let f = d.fields();
    let mut need = |on: bool, field: &'static str, raw: &str, what: &str| {
        if on && raw.trim().is_empty() && !errors.iter().any(|e| e.field == field) {
            errors.push(FieldError::required(field, what));
        }
    };
    need(
        f.resident_since,
        "resident_since",
        &a.resident_since,
        "da quando risiedi nel Comune",
    );
    need(f.cost, "cost", &a.cost, "il costo");
    need(f.unit.is_some(), "units", &a.units, "la quantità al mese");
    errors
}

/// Attaches a file to the draft for a line of the checklist ("" for another document),
/// checked by its content as the office's uploads are.
pub async fn attach(
    state: &Services,
    c: &Citizen,
    d: &DraftView,
    requirement: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Result<(), FieldError>, Error> {
    let requirement = requirement.trim();
    if !requirement.is_empty() && !d.benefit.data.documents.iter().any(|r| r == requirement) {
        return Ok(Err(FieldError::new(
            "requirement",
            "il documento scelto non è tra quelli richiesti per questa prestazione",
        )
        .says("field-requirement", [])));
    }
    if d.documents.len() >= MAX_DRAFT_DOCUMENTS {
        return Ok(Err(FieldError::new(
            "file",
            format!("si possono allegare al massimo {MAX_DRAFT_DOCUMENTS} file"),
        )
        .says(
            "apply-error-files",
            [("max", Arg::Number(MAX_DRAFT_DOCUMENTS as i64))],
        )));
    }
    let checked = match check_document(file_name, bytes) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let actor = d.actor(c, state);
    let doc = DraftDocument {
        id: Uuid::now_v7(),
        org_id: d.org.id,
        draft_id: d.draft.id,
        requirement: requirement.to_owned(),
        file_name: checked.file_name,
        content_type: checked.kind.as_str().to_owned(),
        size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(bytes)),
        at_us: unix_micros(actor.now),
    };
    let audit = actor.audit(
        "portal_draft.document",
        "person",
        Some(d.person.id),
        format!(
            "Domanda online per {} ({}): allegato «{}» ({})",
            d.person.data.full_name(),
            d.benefit.data.name,
            doc.file_name,
            checked.kind.label()
        ),
    );
    state.store.add_draft_document(&doc, bytes, &audit).await?;
    Ok(Ok(()))
}

/// Takes a file off the draft.
pub async fn detach(
    state: &Services,
    c: &Citizen,
    d: &DraftView,
    document_id: Uuid,
) -> Result<(), Error> {
    let doc = d
        .documents
        .iter()
        .find(|f| f.id == document_id)
        .ok_or(Error::NotFound)?;
    let actor = d.actor(c, state);
    let audit = actor.audit(
        "portal_draft.document.remove",
        "person",
        Some(d.person.id),
        format!(
            "Domanda online per {} ({}): tolto l'allegato «{}»",
            d.person.data.full_name(),
            d.benefit.data.name,
            doc.file_name
        ),
    );
    state
        .store
        .remove_draft_document(d.org.id, d.draft.id, doc.id, &audit)
        .await?;
    Ok(())
}

/// Throws the draft away with its files.
pub async fn discard(state: &Services, c: &Citizen, d: &DraftView) -> Result<(), Error> {
    let actor = d.actor(c, state);
    let audit = actor.audit(
        "portal_draft.delete",
        "person",
        Some(d.person.id),
        format!(
            "Domanda online per {} ({}) eliminata prima dell'invio",
            d.person.data.full_name(),
            d.benefit.data.name
        ),
    );
    state
        .store
        .delete_portal_draft(d.org.id, d.draft.id, &audit)
        .await?;
    Ok(())
}

/// The draft as a filing: its answers checked, the attestation chosen.
async fn filing(
    state: &Services,
    d: &DraftView,
    on: Date,
) -> Result<Result<Filing, Vec<FieldError>>, Error> {
    let mut errors = data_errors(d, &d.answers, on);
    let attestation = if d.answers.attestation.is_empty() {
        None
    } else {
        let found = attestations(state, d)
            .await?
            .into_iter()
            .find(|a| a.id.to_string() == d.answers.attestation);
        if found.is_none() {
            errors.push(
                FieldError::new(
                    "attestation",
                    "l'attestazione ISEE scelta non è più valida: scegline un'altra",
                )
                .says("apply-error-attestation-expired", []),
            );
        }
        found
    };
    let data = match parse_application(&d.answers.input(), on) {
        Ok(data) if errors.is_empty() => data,
        Ok(_) => return Ok(Err(errors)),
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(Filing {
        person: d.person.clone(),
        benefit: d.benefit.clone(),
        attestation,
        data,
        submit: true,
    }))
}

/// What the rules say on the answers as they are, as the office's page would show it: `None`
/// when the answers are not complete yet.
pub async fn preview(
    state: &Services,
    c: &Citizen,
    d: &DraftView,
) -> Result<Option<Outcome>, Error> {
    let actor = d.actor(c, state);
    let Ok(f) = filing(state, d, today(actor.now)).await? else {
        return Ok(None);
    };
    let (app, _) = new_application(state, &actor, &f).await?;
    Ok(app.outcome)
}

/// A submitted application.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub id: Uuid,
    pub protocol: Option<String>,
}

/// Submits the draft: the declarations accepted, every answer checked again, it becomes an
/// application of channel «portale», numbered, with the draft's files, all or nothing; the
/// e-mail of receipt follows. A page older than the draft is refused (saved meanwhile in
/// another tab); a second submission of the same draft is a conflict.
pub async fn submit(
    state: &Services,
    c: &Citizen,
    d: &DraftView,
    version: &str,
    declarations: bool,
) -> Result<Result<Submitted, Vec<FieldError>>, Error> {
    if version.trim() != d.draft.version.to_string() {
        return Ok(Err(vec![stale()]));
    }
    let actor = d.actor(c, state);
    let on = today(actor.now);
    if !d.benefit.data.portal_open_on(on) {
        return Ok(Err(vec![
            FieldError::new(
                "declarations",
                "le domande dal portale per questa prestazione sono chiuse",
            )
            .says("apply-error-closed", []),
        ]));
    }
    let mut f = match filing(state, d, on).await? {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    if !declarations {
        return Ok(Err(vec![
            FieldError::new(
                "declarations",
                "per inviare la domanda confermare le dichiarazioni",
            )
            .says("apply-error-declarations", []),
        ]));
    }
    // The person as the registry holds them now (a death recorded meanwhile stops it).
    f.person = state.store.get_person(d.org.id, d.person.id).await?;
    let (mut app, event) = new_application(state, &actor, &f).await?;
    let audit = actor.audit(
        "application.create",
        "application",
        Some(app.id),
        format!(
            "Domanda di {} per {} presentata dal portale del cittadino, con {} allegati",
            f.person.data.full_name(),
            f.benefit.data.name,
            d.documents.len()
        ),
    );
    let protocol = state
        .store
        .submit_portal_draft(&d.draft, &app, &event, actor.label(), &audit)
        .await?;
    app.protocol.clone_from(&protocol);
    notify(state, &actor, &app, &f.person, &f.benefit, "").await;
    Ok(Ok(Submitted {
        id: app.id,
        protocol,
    }))
}

/// The receipt of one of the citizen's applications, as a PDF on the organization's
/// letterhead: the protocol number and the moment of submission, what was declared, the
/// files with their SHA-256 fingerprints, what the rules said, and the term of the procedure.
/// Opening it is a read of the application, logged.
pub async fn receipt_pdf(state: &Services, c: &Citizen, id: Uuid) -> Result<Receipt, Error> {
    let my = crate::portal::application(state, c, id).await?;
    let v = &my.access.view;
    let a = &v.app;
    let files = state.store.application_documents(my.org.id, a.id).await?;
    let lh = crate::acts::letterhead(state, my.org.id).await?;
    let mut doc = print::Document::new(crate::acts::heading(
        &my.org.name,
        &lh,
        crate::decision::DEFAULT_OFFICE,
        "Ricevuta di presentazione della domanda",
    ));
    let protocol = a.protocol.clone().unwrap_or_else(|| "—".into());
    let at = domain::audit::from_unix_micros(a.created_at_us)
        .map(domain::localtime::format_date_time)
        .unwrap_or_default();
    let applicant = format!(
        "{} {}{}",
        v.surname,
        v.given_names,
        v.codice_fiscale
            .as_deref()
            .map(|cf| format!(" ({cf})"))
            .unwrap_or_default()
    );
    let due = a
        .due_on
        .map(domain::dates::format_date)
        .unwrap_or_else(|| "—".into());
    doc.fields(&[
        ("Protocollo", protocol.as_str()),
        ("Presentata il", at.as_str()),
        ("Canale", a.channel.label()),
        ("Prestazione", v.benefit_name.as_str()),
        ("Richiedente", applicant.as_str()),
        ("Presentata da", v.filed_by_name.as_str()),
        ("Conclusione entro il", due.as_str()),
    ]);
    doc.section("Dati dichiarati");
    let d = &a.declared;
    let since = d
        .resident_since
        .map(domain::dates::format_date)
        .unwrap_or_else(|| "—".into());
    let cost = d.cost.map(|m| m.format()).unwrap_or_else(|| "—".into());
    let units = d.units.map(|u| u.to_string()).unwrap_or_else(|| "—".into());
    let months = d.months.to_string();
    let email = a.email.clone().unwrap_or_else(|| "—".into());
    doc.fields(&[
        ("Residente nel Comune dal", since.as_str()),
        (
            "Disabilità o non autosufficienza riconosciuta",
            if d.disability { "sì" } else { "no" },
        ),
        ("Costo", cost.as_str()),
        ("Quantità al mese", units.as_str()),
        ("Mesi richiesti", months.as_str()),
        ("E-mail per le comunicazioni", email.as_str()),
    ]);
    if !a.notes.is_empty() {
        doc.paragraph(&format!("Informazioni per l'ufficio: {}", a.notes));
    }
    doc.section("ISEE");
    doc.paragraph(&match (v.isee, v.isee_valid_until) {
        (Some(isee), Some(until)) => format!(
            "Attestazione ISEE allegata: valore {}, valida fino al {}.",
            isee.format(),
            domain::dates::format_date(until)
        ),
        _ => "Nessuna attestazione ISEE allegata alla domanda.".to_owned(),
    });
    doc.section("Documenti allegati");
    if files.is_empty() {
        doc.paragraph("Nessun documento allegato.");
    } else {
        let rows: Vec<Vec<String>> = files
            .iter()
            .map(|f| {
                vec![
                    f.file_name.clone(),
                    if f.requirement.is_empty() {
                        "altro documento".to_owned()
                    } else {
                        f.requirement.clone()
                    },
                    f.sha256.chars().take(16).collect(),
                ]
            })
            .collect();
        doc.table(
            &["File", "Per", "Impronta SHA-256 (inizio)"],
            &[35, 45, 20],
            &rows,
        );
    }
    if let Some(o) = &a.outcome {
        doc.section("Esito indicativo");
        doc.paragraph(&outcome_sentence(o));
        for check in &o.checks {
            doc.paragraph(&format!("– {}", check.text));
        }
        doc.paragraph(&format!(
            "Regole applicate: {}. L'esito definitivo è deciso dall'ufficio dopo l'istruttoria.",
            o.citation
        ));
    }
    doc.section("Che cosa succede ora");
    doc.paragraph(&format!(
        "L'ufficio esamina la domanda e la conclude entro il {due} (legge 241/1990, art. 2). \
         Se servono altri documenti te li chiede: il termine resta sospeso fino alla risposta. \
         Puoi seguire la domanda sul portale, nella pagina «Le mie domande»."
    ));
    Ok(Receipt {
        file_name: format!(
            "ricevuta-{}.pdf",
            a.protocol.as_deref().unwrap_or("domanda").replace('/', "-")
        ),
        pdf: doc.render(),
    })
}

/// A receipt and the name to save it under.
pub struct Receipt {
    pub file_name: String,
    pub pdf: Vec<u8>,
}

/// «In base ai dati dichiarati risulteresti…»: the rules' outcome in one sentence.
pub fn outcome_sentence(o: &Outcome) -> String {
    match (&o.amount, o.eligible) {
        (_, false) => "In base ai dati dichiarati non risulteresti in possesso di tutti i requisiti: l'ufficio verificherà la domanda.".to_owned(),
        (Some(amount), true) => format!(
            "In base ai dati dichiarati risulteresti in possesso dei requisiti, con un importo indicativo di {} ({}).",
            amount.value.format(),
            amount.kind.label()
        ),
        (None, true) => "In base ai dati dichiarati risulteresti in possesso dei requisiti.".to_owned(),
    }
}
