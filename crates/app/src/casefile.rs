//! The case-file access guard: what the current user may do with one case file, and the
//! confidentiality filter that follows from it (confidential diary entries and documents).

use crate::{Actor, Error, Services};
use domain::assessment::{self, Answers, FormDef};
use domain::audit::unix_micros;
use domain::casework::{CaseState, Confidentiality, DiaryData, PlanData, Transition};
use domain::dates::format_date;
use domain::policy::{Action, RecordScope};
use store::{
    Assessment, CarePlan, CaseDocument, CaseFile, CaseStore, DiaryEntry, Person, StateChange,
};
use time::Date;
use uuid::Uuid;

/// What the current user may do with one case file. Every case-file handler starts here:
/// the file is read within the user's organization and `CaseFileRead` is checked with the
/// user's relation to it.
pub struct CaseAccess {
    pub case: CaseFile,
    pub assigned: bool,
    pub scope: RecordScope,
    /// May read confidential entries: assigned, or holding a break-glass access.
    pub restricted: bool,
    /// Which confidential entries and documents: those written from this time (Unix µs) on.
    /// A worker joining the file, or assigned it, reads what was written before only
    /// through a logged break-glass access, so that taking a file is never a silent way to
    /// its past confidences; break-glass opens everything (0).
    pub restricted_from_us: i64,
    pub via_break_glass: bool,
}

/// Proof that the user may change the content of the case file ([`CaseAccess::write_access`]).
pub struct CaseWriteAccess(());

impl CaseAccess {
    /// The confidential reading window for the store (`None`: no confidential content).
    pub fn confidential_window(&self) -> Option<i64> {
        self.restricted.then_some(self.restricted_from_us)
    }

    /// Whether a confidential item written at `at_us` is open to the user.
    pub fn sees_confidential(&self, at_us: i64) -> bool {
        self.restricted && at_us >= self.restricted_from_us
    }

    /// The guard of every change to the file's content: `CaseFileWrite` in the user's
    /// relation to the file, and the file open.
    pub fn write_access(&self, ctx: &Actor) -> Result<CaseWriteAccess, Error> {
        ctx.authorize(Action::CaseFileWrite, self.scope)?;
        if self.case.state == CaseState::Closed {
            return Err(Error::BadRequest(
                "la cartella è chiusa: riaprila per aggiungere o cambiare qualcosa".into(),
            ));
        }
        Ok(CaseWriteAccess(()))
    }
}

pub async fn case_access(state: &Services, ctx: &Actor, id: Uuid) -> Result<CaseAccess, Error> {
    let case = state.store.get_case_file(ctx.org.id, id).await?;
    let user_id = ctx.account()?;
    // The responsible worker, the usual reader, needs no look at the team.
    let assigned_since = if case.worker_id == user_id {
        Some(case.worker_since_us)
    } else {
        state
            .store
            .assigned_since(ctx.org.id, case.id, user_id)
            .await?
    };
    let assigned = assigned_since.is_some();
    let scope = if assigned {
        RecordScope::Assigned
    } else {
        ctx.scope_of(case.org_id)
    };
    ctx.authorize(Action::CaseFileRead, scope)?;
    let by_role = ctx.can(Action::ConfidentialRead, scope);
    let since = assigned_since.unwrap_or(i64::MAX);
    // Assigned since the file was opened (its usual reader, the responsible worker): every
    // confidential entry is theirs, and no break-glass could open more, so none is looked for.
    let from_opening = by_role && since <= case.created_at_us;
    // Break-glass also opens what an assigned worker wrote before joining.
    let via_break_glass = !from_opening
        && state
            .store
            .has_break_glass(ctx.org.id, case.id, user_id, unix_micros(ctx.now))
            .await?;
    let restricted_from_us = if from_opening || via_break_glass {
        0
    } else {
        since
    };
    Ok(CaseAccess {
        case,
        assigned,
        scope,
        restricted: by_role || via_break_glass,
        restricted_from_us,
        via_break_glass,
    })
}

/// The documents of a case file the user may see.
pub async fn visible_documents(
    state: &Services,
    ctx: &Actor,
    a: &CaseAccess,
) -> Result<Vec<CaseDocument>, Error> {
    Ok(state
        .store
        .case_documents(ctx.org.id, a.case.id)
        .await?
        .into_iter()
        .filter(|d| d.confidentiality == Confidentiality::Normal || a.sees_confidential(d.at_us))
        .collect())
}

/// Moves the file by `t` (parsed from its state): `CaseFileWrite` in the user's relation to
/// the file, then the new state with its history row and an audit row whose reason is the
/// note. The file as stored; `Conflict` if it changed meanwhile.
pub async fn change_state(
    state: &Services,
    ctx: &Actor,
    access: &CaseAccess,
    t: &Transition,
) -> Result<CaseFile, Error> {
    ctx.authorize(Action::CaseFileWrite, access.scope)?;
    let case = access.case.transition(t);
    let change = StateChange {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: case.id,
        from: Some(t.from),
        to: t.to,
        on: t.on,
        close_reason: t.close_reason,
        note: t.note.clone(),
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    let mut audit = ctx.audit(
        "casefile.state",
        "case_file",
        Some(case.id),
        format!(
            "Cartella n. {}: {} dal {}{}",
            case.number,
            t.label(),
            format_date(t.on),
            t.close_reason
                .map(|r| format!(" ({})", r.label()))
                .unwrap_or_default()
        ),
    );
    audit.reason = Some(t.note.clone()).filter(|n| !n.is_empty());
    state
        .store
        .change_case_state(&case, &change, &audit)
        .await?;
    Ok(case)
}

/// Opens a case file of `person` in charge of `worker` from `opened_on`, linking the first
/// access that led to it if any; returns the file's id and number. An assistente sociale
/// opens files for themself only (`CaseFileWrite` assigned), the responsabile for anyone.
pub async fn open_case_file(
    state: &Services,
    ctx: &Actor,
    person: &Person,
    worker: Uuid,
    opened_on: Date,
    note: String,
    access: Option<Uuid>,
) -> Result<(Uuid, String), Error> {
    let scope = if worker == ctx.account()? && person.org_id == ctx.org.id {
        RecordScope::Assigned
    } else {
        ctx.scope_of(person.org_id)
    };
    ctx.authorize(Action::CaseFileWrite, scope)?;
    let at_us = unix_micros(ctx.now);
    let case = CaseFile {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: person.id,
        number: String::new(),
        state: CaseState::Open,
        worker_id: worker,
        opened_on,
        state_since: opened_on,
        close_reason: None,
        version: 1,
        created_at_us: at_us,
        worker_since_us: at_us,
    };
    let opening = StateChange {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: case.id,
        from: None,
        to: CaseState::Open,
        on: opened_on,
        close_reason: None,
        note,
        actor: ctx.label().to_owned(),
        at_us,
    };
    let audit = ctx.audit(
        "casefile.open",
        "case_file",
        Some(case.id),
        format!(
            "Presa in carico di {} dal {}",
            person.data.full_name(),
            format_date(opened_on)
        ),
    );
    let number = state
        .store
        .open_case_file(&case, &opening, access, &audit)
        .await?;
    Ok((case.id, number))
}

/// Writes an entry in the diary of the case file `a`.
pub async fn add_diary_entry(
    state: &Services,
    ctx: &Actor,
    a: &CaseAccess,
    data: DiaryData,
) -> Result<DiaryEntry, Error> {
    a.write_access(ctx)?;
    let entry = DiaryEntry {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: a.case.id,
        data,
        actor_id: ctx.account()?,
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "casefile.diary",
        "case_file",
        Some(a.case.id),
        format!(
            "Annotazione ({}, {}) nella cartella n. {}",
            entry.data.kind.label(),
            entry.data.confidentiality.label(),
            a.case.number
        ),
    );
    state.store.add_diary_entry(&entry, &audit).await?;
    Ok(entry)
}

/// «dal 01/03/2026 al 31/12/2026», or «dal 01/03/2026» for a plan without an end.
pub fn plan_period(starts_on: Date, ends_on: Option<Date>) -> String {
    match ends_on {
        Some(e) => format!("dal {} al {}", format_date(starts_on), format_date(e)),
        None => format!("dal {}", format_date(starts_on)),
    }
}

/// Adopts a new individual plan (PAI) in the case file `a`; it becomes the active one.
pub async fn create_plan(
    state: &Services,
    ctx: &Actor,
    a: &CaseAccess,
    data: PlanData,
) -> Result<CarePlan, Error> {
    a.write_access(ctx)?;
    let plan = CarePlan {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: a.case.id,
        starts_on: data.starts_on,
        ends_on: data.ends_on,
        goals: data.goals,
        commitments: data.commitments,
        next_review: Some(data.next_review),
        active: true,
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "plan.create",
        "care_plan",
        Some(plan.id),
        format!(
            "Progetto individualizzato della cartella n. {} {}",
            a.case.number,
            plan_period(plan.starts_on, plan.ends_on)
        ),
    );
    state.store.create_plan(&plan, &audit).await?;
    Ok(plan)
}

/// Records a multidimensional assessment (SINA, SINBA) of the case file `a`.
pub async fn add_assessment(
    state: &Services,
    ctx: &Actor,
    a: &CaseAccess,
    def: &FormDef,
    assessed_on: Date,
    answers: &Answers,
) -> Result<Assessment, Error> {
    a.write_access(ctx)?;
    let row = Assessment {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        case_file_id: a.case.id,
        form: def.code.to_owned(),
        form_version: def.version.to_owned(),
        assessed_on,
        answers: answers.to_json(),
        summary: assessment::summary(def, answers),
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "assessment.create",
        "assessment",
        Some(row.id),
        format!(
            "Valutazione {} ({}) del {} nella cartella n. {}",
            def.code.to_uppercase(),
            def.version,
            format_date(assessed_on),
            a.case.number
        ),
    );
    state.store.add_assessment(&row, &audit).await?;
    Ok(row)
}
