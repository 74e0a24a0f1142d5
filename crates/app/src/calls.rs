//! Calls for applications (bandi) and their rankings (domain::call) for the responsabile and
//! the counter: opening a call with its scoring rules, filing an application to it inside the
//! window, the provisional and the final ranking, funding down it (each funded application
//! accepted through the ordinary procedure, so its history, audit and letters follow) and the
//! publication with protocol numbers only.

use crate::procedure::{self, Filed, Filing, Mailed};
use crate::{Actor, Error, Services};
use domain::FieldError;
use domain::application::{ApplicationData, ApplicationState, Channel, Declared, TransitionInput};
use domain::audit::unix_micros;
use domain::call::{
    AnswersInput, CallInput, Candidate, PublishedLine, RankOutcome, RankRow, RankingStage,
    RulesInput, ScoringFacts, finalize_refusal, fund, parse_answers, parse_appeals_until,
    parse_call, parse_rules, publish, rank, score,
};
use domain::localtime::today;
use domain::money::Money;
use domain::policy::{Action, RecordScope};
use print::Document;
use store::{
    AuditStore, Benefit, BenefitStore, Call, CallApplication, CallEntry, CallRules, CallStore,
    CallSummary, Candidacy, HouseholdStore, PersonStore, Ranking, RankingEntry, StoreError,
};
use uuid::Uuid;

/// The calls of the actor's organization, for anyone who sees its applications.
pub async fn list(state: &Services, ctx: &Actor) -> Result<Vec<CallSummary>, Error> {
    ctx.authorize(Action::ApplicationView, RecordScope::SameOrg)?;
    Ok(state.store.list_calls(ctx.org.id).await?)
}

/// A call with its benefit, its rules' versions and its ranking, if computed.
pub struct CallPage {
    pub call: Call,
    pub benefit: Benefit,
    pub rules: Vec<CallRules>,
    pub ranking: Option<Ranking>,
}

impl CallPage {
    /// The rules in force: the last version.
    pub fn current_rules(&self) -> Result<&CallRules, Error> {
        self.rules
            .last()
            .ok_or_else(|| Error::Internal(format!("bando {} senza regole", self.call.id)))
    }

    /// The rules version `ranking` was computed with.
    pub fn rules_of(&self, ranking: &Ranking) -> Result<&CallRules, Error> {
        match self.rules.iter().find(|r| r.id == ranking.rules_id) {
            Some(r) => Ok(r),
            None => self.current_rules(),
        }
    }
}

/// Found within the actor's organization first: another's call is not found, as a record that
/// does not exist.
pub async fn call(state: &Services, ctx: &Actor, id: Uuid) -> Result<CallPage, Error> {
    let call = state.store.get_call(ctx.org.id, id).await?;
    ctx.authorize(Action::ApplicationView, RecordScope::SameOrg)?;
    let benefit = state
        .store
        .get_benefit(ctx.org.id, call.data.benefit_id)
        .await?;
    let rules = state.store.call_rules(ctx.org.id, id).await?;
    let ranking = state.store.ranking(ctx.org.id, id).await?;
    Ok(CallPage {
        call,
        benefit,
        rules,
        ranking,
    })
}

/// Opens a call of a benefit of the catalogue with its first scoring rules.
pub async fn create(
    state: &Services,
    ctx: &Actor,
    input: &CallInput,
    rules: &RulesInput,
) -> Result<Result<Uuid, Vec<FieldError>>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let benefit = match input.benefit.trim().parse::<Uuid>() {
        Ok(id) => match state.store.get_benefit(ctx.org.id, id).await {
            Ok(b) => Some(b),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        Err(_) => None,
    };
    let mut errors = Vec::new();
    if benefit.is_none() {
        errors.push(FieldError::new(
            "benefit",
            "scegliere la prestazione del catalogo che il bando assegna",
        ));
    }
    let data = parse_call(input, benefit.as_ref().map_or(Uuid::nil(), |b| b.id));
    let rules = parse_rules(rules);
    let (data, rules) = match (data, rules) {
        (Ok(d), Ok(r)) if errors.is_empty() => (d, r),
        (d, r) => {
            errors.extend(d.err().unwrap_or_default());
            errors.extend(r.err().unwrap_or_default());
            return Ok(Err(errors));
        }
    };
    let at_us = unix_micros(ctx.now);
    let call = Call {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        data,
        version: 1,
        actor: ctx.label().to_owned(),
        created_at_us: at_us,
    };
    let rules = CallRules {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        call_id: call.id,
        number: 1,
        rules,
        actor: ctx.label().to_owned(),
        at_us,
    };
    let audit = ctx.audit(
        "call.create",
        "call",
        Some(call.id),
        format!(
            "Bando «{}» per {}: domande dal {} al {}, stanziamento {}",
            call.data.title,
            benefit.map(|b| b.data.name).unwrap_or_default(),
            domain::dates::format_date(call.data.opens_on),
            domain::dates::format_date(call.data.closes_on),
            call.data.budget.format()
        ),
    );
    state.store.create_call(&call, &rules, &audit).await?;
    Ok(Ok(call.id))
}

/// A new version of the call's scoring rules, while its ranking is not final.
pub async fn add_rules(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    input: &RulesInput,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    if page
        .ranking
        .as_ref()
        .is_some_and(|r| r.stage == RankingStage::Final)
    {
        return Ok(Err(vec![FieldError::new(
            "isee_up_to",
            "la graduatoria è definitiva: le regole del bando non si cambiano più",
        )]));
    }
    let rules = match parse_rules(input) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let number = page.current_rules()?.number + 1;
    let audit = ctx.audit(
        "call.rules",
        "call",
        Some(page.call.id),
        format!(
            "Regole del bando «{}»: versione {number}",
            page.call.data.title
        ),
    );
    state
        .store
        .add_call_rules(
            &CallRules {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                call_id: page.call.id,
                number,
                rules,
                actor: ctx.label().to_owned(),
                at_us: unix_micros(ctx.now),
            },
            &audit,
        )
        .await?;
    Ok(Ok(()))
}

/// Adds funds to the call's budget (read at `version`); a final ranking is then funded
/// further down by [`fund_ranking`].
pub async fn add_funds(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    amount: &str,
    version: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let added = match Money::parse("amount", amount, "l'importo da aggiungere") {
        Ok(m) if m > Money::ZERO => m,
        Ok(_) => {
            return Ok(Err(vec![FieldError::new(
                "amount",
                "l'importo da aggiungere deve essere maggiore di zero",
            )]));
        }
        Err(e) => return Ok(Err(vec![e])),
    };
    if version.trim() != page.call.version.to_string() {
        return Err(Error::Conflict);
    }
    let mut call = page.call.clone();
    call.data.budget = Money(call.data.budget.cents().saturating_add(added.cents()));
    if call.data.budget.cents() > domain::money::MAX_CENTS {
        return Ok(Err(vec![FieldError::new(
            "amount",
            "lo stanziamento supererebbe il massimo ammesso",
        )]));
    }
    call.version += 1;
    let audit = ctx.audit(
        "call.funds",
        "call",
        Some(call.id),
        format!(
            "Bando «{}»: aggiunti {}, stanziamento ora {}",
            call.data.title,
            added.format(),
            call.data.budget.format()
        ),
    );
    state.store.update_call(&call, &audit).await?;
    Ok(Ok(()))
}

/// The person's registry household now, if any.
async fn household_of(state: &Services, org: Uuid, person: Uuid) -> Result<Option<Uuid>, Error> {
    Ok(state
        .store
        .person_households(org, person)
        .await?
        .into_iter()
        .find(|m| m.to_date.is_none())
        .map(|m| m.household_id))
}

/// An application to a call as typed at the counter.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplyInput {
    pub codice_fiscale: String,
    pub email: String,
    #[serde(flatten)]
    pub answers: AnswersInput,
}

/// Files an application to the call for the person of the codice fiscale: an ordinary
/// application of the call's benefit, submitted at once with the person's latest valid ISEE
/// attestation, inside the window, once per person (or household, when the call says so);
/// its answers and the facts the score is computed from are kept with it.
pub async fn apply(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    input: &ApplyInput,
) -> Result<Result<Filed, Vec<FieldError>>, Error> {
    ctx.authorize(Action::ApplicationFile, RecordScope::SameOrg)?;
    let org = ctx.org.id;
    let call = &page.call;
    let now = today(ctx.now);
    if let Some(e) = call.data.window_refusal(now) {
        return Ok(Err(vec![e]));
    }
    let rules = &page.current_rules()?.rules;
    let answers = parse_answers(&call.data, rules, &input.answers);
    let cf = input.codice_fiscale.trim().to_uppercase();
    let person = if cf.is_empty() {
        Err(FieldError::required(
            "codice_fiscale",
            "il codice fiscale del richiedente",
        ))
    } else {
        match state.store.find_person_by_cf(org, &cf).await {
            Ok(p) => Ok(p),
            Err(StoreError::NotFound) => Err(FieldError::new(
                "codice_fiscale",
                format!(
                    "nessuna persona con codice fiscale {cf} nell'anagrafe sociale: registrarla prima"
                ),
            )),
            Err(e) => return Err(e.into()),
        }
    };
    let email = domain::application::parse_application(
        &domain::application::ApplicationInput {
            channel: Channel::Counter.as_str().into(),
            email: input.email.clone(),
            ..Default::default()
        },
        now,
    );
    let (person, answers, email) = match (person, answers, email) {
        (Ok(p), Ok(a), Ok(e)) => (p, a, e.email),
        (p, a, e) => {
            let mut errors: Vec<FieldError> = p.err().into_iter().collect();
            errors.extend(a.err().unwrap_or_default());
            errors.extend(e.err().unwrap_or_default());
            return Ok(Err(errors));
        }
    };
    let household = household_of(state, org, person.id).await?;
    let name = person.data.full_name();
    let duplicate = |protocol: &str| {
        FieldError::new(
            "codice_fiscale",
            format!(
                "domanda doppia: {name} {} già presentato domanda al bando «{}» (protocollo {protocol})",
                if call.data.one_per_household {
                    "o un componente del suo nucleo ha"
                } else {
                    "ha"
                },
                call.data.title
            ),
        )
    };
    let same_household = household.filter(|_| call.data.one_per_household);
    if let Some(p) = state
        .store
        .call_filed(org, call.id, person.id, same_household)
        .await?
    {
        return Ok(Err(vec![duplicate(&p)]));
    }
    let attestation = state
        .store
        .person_attestations(org, person.id)
        .await?
        .into_iter()
        .find(|a| a.data.valid_until() >= now);
    let filing = Filing {
        person,
        benefit: page.benefit.clone(),
        attestation,
        data: ApplicationData {
            channel: Channel::Counter,
            declared: Declared {
                resident_since: None,
                disability: answers.disability,
                cost: None,
                units: None,
                months: 12,
            },
            email,
            notes: format!("Domanda al bando «{}»", call.data.title),
        },
        submit: true,
    };
    let mut errors = procedure::check_filing(&filing.benefit, &filing.person, None);
    if !errors.is_empty() {
        errors.iter_mut().for_each(|e| e.field = "codice_fiscale");
        return Ok(Err(errors));
    }
    let (mut app, event) = procedure::new_application(state, ctx, &filing).await?;
    let facts = procedure::facts(
        state,
        org,
        &filing.person,
        &app.declared,
        filing.attestation.as_ref(),
        app.id,
        now,
    )
    .await?;
    let entry = CallApplication {
        application_id: app.id,
        org_id: org,
        call_id: call.id,
        person_id: filing.person.id,
        household_id: household,
        facts: ScoringFacts {
            isee: filing.attestation.as_ref().map(|a| a.data.isee),
            household_size: facts.household_size,
            minors: facts.minors,
            disability: facts.disability,
            rent: answers.rent,
            waiting_months: answers.waiting_months,
        },
        answers,
    };
    let audit = ctx.audit(
        "application.create",
        "application",
        Some(app.id),
        format!(
            "Domanda di {} al bando «{}» ({})",
            filing.person.data.full_name(),
            call.data.title,
            filing.benefit.data.name
        ),
    );
    let protocol = match state
        .store
        .file_call_application(&app, &event, &entry, &audit)
        .await
    {
        Ok(p) => p,
        // Another counter filed for the person meanwhile.
        Err(StoreError::Duplicate(_)) => return Ok(Err(vec![duplicate("appena registrata")])),
        Err(e) => return Err(e.into()),
    };
    app.protocol.clone_from(&protocol);
    let mailed: Mailed =
        procedure::notify(state, ctx, &app, &filing.person, &filing.benefit, "").await;
    Ok(Ok(Filed {
        id: app.id,
        protocol,
        mailed: Some(mailed),
    }))
}

/// The call's applications with the applicants' names; the read is logged.
pub async fn entries(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
) -> Result<Vec<CallEntry>, Error> {
    ctx.authorize(Action::ApplicationView, RecordScope::SameOrg)?;
    let entries = state.store.call_entries(ctx.org.id, page.call.id).await?;
    state
        .reads
        .log(ctx.audit(
            "call.applications.view",
            "call",
            Some(page.call.id),
            format!(
                "Consultate le {} domande del bando «{}»",
                entries.len(),
                page.call.data.title
            ),
        ))
        .await;
    Ok(entries)
}

/// The applications of a call as the ranking takes them: each scored on the facts of its
/// filing day, and those the procedure cannot grant set apart with the reason.
pub fn candidates(
    entries: &[Candidacy],
    rules: &domain::call::ScoringRules,
    needs_isee: bool,
) -> Vec<Candidate> {
    entries
        .iter()
        .map(|e| {
            let excluded = if !matches!(
                e.state,
                ApplicationState::Submitted
                    | ApplicationState::InReview
                    | ApplicationState::IntegrationRequested
                    | ApplicationState::Accepted
                    | ApplicationState::Delivering
                    | ApplicationState::Concluded
            ) {
                Some(format!("domanda {}", e.state.label()))
            } else if needs_isee && e.facts.isee.is_none() {
                Some("attestazione ISEE mancante o scaduta alla presentazione".to_owned())
            } else {
                match e.eligible {
                    Some(true) => None,
                    Some(false) => Some("requisiti della prestazione non posseduti".to_owned()),
                    None => Some("nessuna regola della prestazione in vigore".to_owned()),
                }
            };
            Candidate {
                application_id: e.application_id,
                protocol: e.protocol.clone().unwrap_or_default(),
                excluded,
                isee: e.facts.isee,
                breakdown: score(rules, &e.facts),
                requested: e.committed,
            }
        })
        .collect()
}

/// Computes the ranking from the rules in force and stores it: provisional with the last day
/// for appeals, or (`finalize`) final once that day is past.
async fn compute(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    stage: RankingStage,
    appeals_until: time::Date,
) -> Result<Vec<RankRow>, Error> {
    let rules = page.current_rules()?;
    let entries = state
        .store
        .call_candidacies(ctx.org.id, page.call.id)
        .await?;
    let rows = rank(
        candidates(
            &entries,
            &rules.rules,
            page.benefit.data.isee_variant.is_some(),
        ),
        page.call.data.budget,
        page.call.data.partial_last,
    );
    let ranking = Ranking {
        call_id: page.call.id,
        org_id: ctx.org.id,
        rules_id: rules.id,
        stage,
        appeals_until,
        budget: page.call.data.budget,
        version: page.ranking.as_ref().map_or(1, |r| r.version + 1),
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "call.rank",
        "call",
        Some(page.call.id),
        format!(
            "Graduatoria {} del bando «{}» (regole versione {}): {} domande, {} ammesse",
            stage.label(),
            page.call.data.title,
            rules.number,
            rows.len(),
            rows.iter().filter(|r| r.position.is_some()).count()
        ),
    );
    state.store.save_ranking(&ranking, &rows, &audit).await?;
    Ok(rows)
}

/// The provisional ranking, computed again each time while it is provisional.
pub async fn rank_provisional(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    appeals_until: &str,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    if let Some(r) = &page.ranking
        && r.stage == RankingStage::Final
    {
        return Ok(Err(vec![FieldError::new(
            "appeals_until",
            "la graduatoria è già definitiva",
        )]));
    }
    let until = match parse_appeals_until(appeals_until, today(ctx.now)) {
        Ok(d) => d,
        Err(e) => return Ok(Err(vec![e])),
    };
    compute(state, ctx, page, RankingStage::Provisional, until).await?;
    Ok(Ok(()))
}

/// The final ranking, computed again (appeals may have changed applications) once the
/// appeals' term is past.
pub async fn finalize(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
) -> Result<Result<(), Vec<FieldError>>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let Some(r) = &page.ranking else {
        return Ok(Err(vec![FieldError::new(
            "stage",
            "prima va calcolata la graduatoria provvisoria",
        )]));
    };
    if let Some(e) = finalize_refusal(r.stage, r.appeals_until, today(ctx.now)) {
        return Ok(Err(vec![e]));
    }
    compute(state, ctx, page, RankingStage::Final, r.appeals_until).await?;
    Ok(Ok(()))
}

/// The ranking and its rows for the responsabile (names and scores of the applicants: the
/// read is logged).
pub async fn ranking(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
) -> Result<Option<(Ranking, Vec<RankingEntry>)>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let Some(r) = page.ranking.clone() else {
        return Ok(None);
    };
    let rows = state.store.ranking_rows(ctx.org.id, page.call.id).await?;
    state
        .reads
        .log(ctx.audit(
            "call.ranking.view",
            "call",
            Some(page.call.id),
            format!(
                "Consultata la graduatoria {} del bando «{}» con i punteggi",
                r.stage.label(),
                page.call.data.title
            ),
        ))
        .await;
    Ok(Some((r, rows)))
}

/// What funding down the ranking did.
#[derive(Debug, Default)]
pub struct Funded {
    /// Applications accepted now.
    pub accepted: Vec<String>,
    /// Accepted applications funded further now (funds were added).
    pub topped_up: Vec<String>,
    /// Applications the procedure refused to accept or to fund further, with why.
    pub refused: Vec<(String, String)>,
}

/// Funds the final ranking down from the call's budget as it is now (a budget that grew
/// scrolls the list further), stores the funding, and accepts through the ordinary procedure
/// every funded application not accepted yet (a submitted one is taken into review first), with
/// the funding in the decision's motivazione.
pub async fn fund_ranking(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
) -> Result<Result<Funded, Vec<FieldError>>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let Some(ranking) = page
        .ranking
        .clone()
        .filter(|r| r.stage == RankingStage::Final)
    else {
        return Ok(Err(vec![FieldError::new(
            "stage",
            "si finanzia solo la graduatoria definitiva",
        )]));
    };
    let entries = state.store.ranking_rows(ctx.org.id, page.call.id).await?;
    let mut rows: Vec<RankRow> = entries.iter().map(|e| e.row.clone()).collect();
    fund(
        &mut rows,
        page.call.data.budget,
        page.call.data.partial_last,
    );
    if rows.iter().zip(&entries).any(|(r, e)| *r != e.row)
        || ranking.budget != page.call.data.budget
    {
        let audit = ctx.audit(
            "call.fund",
            "call",
            Some(page.call.id),
            format!(
                "Bando «{}»: graduatoria finanziata fino a {} su {}",
                page.call.data.title,
                Money(rows.iter().map(|r| r.funded.cents()).sum()).format(),
                page.call.data.budget.format()
            ),
        );
        let saved = Ranking {
            budget: page.call.data.budget,
            version: ranking.version + 1,
            actor: ctx.label().to_owned(),
            at_us: unix_micros(ctx.now),
            ..ranking
        };
        state.store.save_ranking(&saved, &rows, &audit).await?;
    }
    let mut done = Funded::default();
    for (row, entry) in rows.iter().zip(&entries) {
        if matches!(row.outcome, RankOutcome::NotFunded | RankOutcome::Excluded) {
            continue;
        }
        let grew = row.funded > entry.row.funded;
        let (outcome, list) = match entry.state {
            ApplicationState::Submitted | ApplicationState::InReview => {
                (accept(state, ctx, page, row).await?, &mut done.accepted)
            }
            ApplicationState::Accepted if grew => {
                (top_up(state, ctx, page, row).await?, &mut done.topped_up)
            }
            ApplicationState::Delivering if grew => (
                Err(format!(
                    "importo non aumentato, è già in erogazione: i {} finanziati in più vanno aggiunti alle erogazioni",
                    (row.funded - entry.row.funded).format()
                )),
                &mut done.topped_up,
            ),
            _ => continue,
        };
        match outcome {
            Ok(()) => list.push(row.protocol.clone()),
            Err(e) => done.refused.push((row.protocol.clone(), e)),
        }
    }
    Ok(Ok(done))
}

/// Raises what an accepted application commits to what the ranking now funds (funds were
/// added), with room in its fund; audited with the application.
async fn top_up(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    row: &RankRow,
) -> Result<Result<(), String>, Error> {
    let access = procedure::application_access(state, ctx, row.application_id).await?;
    let app = &access.view.app;
    let Some(grown) = app.top_up(&page.benefit.data, row.funded) else {
        return Ok(Ok(()));
    };
    let year = today(ctx.now).year();
    let person = state.store.get_person(ctx.org.id, app.person_id).await?;
    let comune = person.data.residence.as_ref().map(|r| &r.comune);
    if let Some(fund) =
        crate::payment::fund_room(state, ctx.org.id, page.benefit.id, year, comune).await?
        && let Err(e) = fund.check(grown.committed - app.committed)
    {
        return Ok(Err(format!("importo non aumentato: {}", e.message)));
    }
    let audit = ctx.audit(
        "call.top_up",
        "application",
        Some(app.id),
        format!(
            "Domanda {}: finanziata fino a {} (prima {}) dalla graduatoria definitiva del bando «{}»",
            row.protocol,
            grown.committed.format(),
            app.committed.format(),
            page.call.data.title
        ),
    );
    match state.store.update_application(&grown, &audit).await {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Conflict) => Ok(Err(
            "importo non aumentato: la domanda è stata modificata nel frattempo, ripetere «Finanzia»"
                .to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Accepts one funded application through the procedure.
async fn accept(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    row: &RankRow,
) -> Result<Result<(), String>, Error> {
    let note = format!(
        "{} nella graduatoria definitiva del bando «{}», posizione {} con {} punti: {}{}",
        row.outcome.label(),
        page.call.data.title,
        row.position.unwrap_or_default(),
        row.score,
        row.funded.format(),
        if row.outcome == RankOutcome::PartlyFunded {
            format!(" dei {} richiesti", row.requested.format())
        } else {
            String::new()
        }
    );
    for to in [ApplicationState::InReview, ApplicationState::Accepted] {
        let access = procedure::application_access(state, ctx, row.application_id).await?;
        if access.view.app.state == to {
            continue;
        }
        let input = TransitionInput {
            to: to.as_str().into(),
            note: if to == ApplicationState::Accepted {
                note.clone()
            } else {
                String::new()
            },
            observations: String::new(),
            version: access.view.app.version.to_string(),
        };
        if let Err(errors) = procedure::change_state(state, ctx, &access, &input).await? {
            return Ok(Err(errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ")));
        }
    }
    Ok(Ok(()))
}

/// The published ranking as a printed document: the call, its rules with their articles and
/// the lines of [`publication`]. Every print is audited.
pub async fn publication_pdf(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
) -> Result<Option<Vec<u8>>, Error> {
    let Some((ranking, lines)) = published(state, ctx, page, "PDF").await? else {
        return Ok(None);
    };
    let lh = crate::acts::letterhead(state, ctx.org.id).await?;
    let title = format!(
        "Graduatoria {} — {}",
        ranking.stage.label(),
        page.call.data.title
    );
    let mut doc = Document::new(crate::acts::heading(
        &ctx.org.name,
        &lh,
        "Servizi sociali",
        &title,
    ));
    doc.paragraph(&page.call.data.publication_text);
    let window = format!(
        "dal {} al {}",
        domain::dates::format_date(page.call.data.opens_on),
        domain::dates::format_date(page.call.data.closes_on)
    );
    let appeals = domain::dates::format_date(ranking.appeals_until);
    let mut fields = vec![
        ("Prestazione", page.benefit.data.name.as_str()),
        ("Domande ricevute", window.as_str()),
    ];
    if ranking.stage == RankingStage::Provisional {
        fields.push(("Ricorsi entro il", appeals.as_str()));
    }
    doc.fields(&fields);
    let rules = page.rules_of(&ranking)?;
    doc.section("Criteri di punteggio");
    let criteria: Vec<Vec<String>> = rules
        .rules
        .criteria
        .iter()
        .map(|c| {
            vec![
                c.measure.label().to_owned(),
                c.measure.words(),
                c.article.clone(),
            ]
        })
        .collect();
    doc.table(&["Criterio", "Punti", "Articolo"], &[3, 5, 2], &criteria);
    doc.section("Graduatoria");
    doc.paragraph(
        "A parità di punteggio precede l'ISEE più basso, poi il numero di protocollo più basso. Le domande sono indicate con il numero di protocollo; i gruppi di meno di 5 domande sono indicati solo nel numero e gli interessati ne ricevono comunicazione individuale.",
    );
    let (rows, withheld): (Vec<&PublishedLine>, Vec<&PublishedLine>) = lines
        .iter()
        .partition(|l| matches!(l, PublishedLine::Row { .. }));
    let table: Vec<Vec<String>> = rows.iter().map(|l| line_cells(l)).collect();
    if !table.is_empty() {
        doc.table(
            &["Posizione", "Protocollo", "Punteggio", "Esito"],
            &[2, 3, 2, 4],
            &table,
        );
    }
    for l in withheld {
        doc.paragraph(&line_cells(l).concat());
    }
    Ok(Some(doc.render()))
}

/// A line of the publication as text cells: position, protocol, score, outcome; a withheld
/// group as one sentence.
pub fn line_cells(l: &PublishedLine) -> Vec<String> {
    match l {
        PublishedLine::Row {
            position,
            protocol,
            score,
            outcome,
        } => vec![
            position.map(|p| p.to_string()).unwrap_or_default(),
            protocol.clone(),
            score.to_string(),
            outcome.label().to_owned(),
        ],
        PublishedLine::Withheld { outcome, count } => vec![format!(
            "{count} domand{} «{}»: meno di 5, non elencate (comunicazione individuale)",
            if *count == 1 { "a" } else { "e" },
            outcome.label()
        )],
    }
}

/// The lines to publish, with the ranking; the publication is audited (`how`: PDF or CSV).
pub async fn published(
    state: &Services,
    ctx: &Actor,
    page: &CallPage,
    how: &str,
) -> Result<Option<(Ranking, Vec<PublishedLine>)>, Error> {
    ctx.authorize(Action::CallManage, RecordScope::SameOrg)?;
    let Some(ranking) = page.ranking.clone() else {
        return Ok(None);
    };
    let lines = publish(state.store.ranking_lines(ctx.org.id, page.call.id).await?);
    state
        .store
        .append_audit(&ctx.audit(
            "call.publish",
            "call",
            Some(page.call.id),
            format!(
                "Pubblicazione ({how}) della graduatoria {} del bando «{}»: {} righe",
                ranking.stage.label(),
                page.call.data.title,
                lines.len()
            ),
        ))
        .await?;
    Ok(Some((ranking, lines)))
}
