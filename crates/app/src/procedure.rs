//! The procedure of an application (istanza) shared by the pages and the JSON API: who may
//! see it, the facts the rules are applied to, filing, the changes of state with their
//! deadlines and months of delivery, and the e-mail to the applicant after each change.

use crate::Actor;
use crate::Error;
use crate::Services;
use crate::life_events::refuse_if_deceased;
use crate::mail::{ApplicationStateChanged, Compose};
use domain::FieldError;
use domain::application::{
    ApplicationData, ApplicationState, Change, Declared, Refusal, RulesInForce, TransitionInput,
    parse_transition, transition_action, transition_label,
};
use domain::audit::unix_micros;
use domain::benefit::{Facts, Rule, rule_in_force};
use domain::localtime::today;
use domain::money::Money;
use domain::person::age_on;
use domain::policy::{Action, RecordScope};
use store::{
    Application, ApplicationEvent, ApplicationFilter, ApplicationView, Attestation, Benefit,
    BenefitStore, CallStore, Delivery, HouseholdStore, MandateStore, OrgStore, Person, PersonStore,
    RegistryStore, StoreError,
};
use time::{Date, Duration};
use uuid::Uuid;

/// An application the user may see, and on which footing.
pub struct AppAccess {
    pub view: ApplicationView,
    /// `Own` when the user filed it (a CAF operator sees only those).
    pub scope: RecordScope,
}

impl AppAccess {
    pub fn can(&self, ctx: &Actor, action: Action) -> bool {
        ctx.can(action, self.scope)
    }
}

pub async fn application_access(
    state: &Services,
    ctx: &Actor,
    id: Uuid,
) -> Result<AppAccess, Error> {
    let view = state.store.get_application(ctx.org.id, id).await?;
    let scope = scope_of(ctx, &view.app);
    ctx.authorize(Action::ApplicationView, scope)?;
    Ok(AppAccess { view, scope })
}

pub fn scope_of(ctx: &Actor, app: &Application) -> RecordScope {
    if Some(app.filed_by) == ctx.user_id() {
        RecordScope::Own
    } else {
        ctx.scope_of(app.org_id)
    }
}

/// The applications a user may list.
pub struct ApplicationListAccess {
    /// `None`: every application of the organization; else only those this user filed.
    pub filed_by: Option<Uuid>,
}

/// Whether the user sees every application of the organization, or only those they filed.
pub fn application_list_access(ctx: &Actor) -> Result<ApplicationListAccess, Error> {
    let filed_by = if ctx.can(Action::ApplicationView, RecordScope::SameOrg) {
        None
    } else {
        ctx.authorize(Action::ApplicationView, RecordScope::Own)?;
        Some(ctx.account()?)
    };
    Ok(ApplicationListAccess { filed_by })
}

/// The facts of the person on `on`: age, residence in the organization's comuni, the
/// registry household (or, without one, the attestation's), the benefits already granted.
pub async fn facts(
    state: &Services,
    org: Uuid,
    person: &Person,
    declared: &Declared,
    attestation: Option<&Attestation>,
    this: Uuid,
    on: Date,
) -> Result<Facts, Error> {
    let comuni = state.store.org_comuni(org).await?;
    let resident = person
        .data
        .residence
        .as_ref()
        .is_some_and(|a| comuni.iter().any(|c| c.istat_code == a.comune.istat));
    let (mut size, mut minors) = (0u32, 0u32);
    let memberships = state.store.person_households(org, person.id).await?;
    if let Some(m) = memberships.iter().find(|m| m.to_date.is_none()) {
        for v in state.store.household_members(org, m.household_id).await? {
            if v.member.to_date.is_none() && v.death_date.is_none() {
                size += 1;
                if age_on(v.birth_date, on) < 18 {
                    minors += 1;
                }
            }
        }
    }
    if size == 0 {
        size = attestation.map_or(1, |a| u32::from(a.data.members));
        minors = u32::from(age_on(person.data.birth_date, on) < 18);
    }
    let granted = state
        .store
        .list_applications(org, &ApplicationFilter::of_person(person.id, 200))
        .await?;
    let other_benefits = granted
        .into_iter()
        .filter(|v| v.app.id != this && v.app.state.grants())
        .map(|v| v.benefit_code)
        .collect();
    Ok(Facts {
        on,
        isee: attestation.map(|a| a.data.fact()),
        birth_date: person.data.birth_date,
        resident,
        resident_since: declared.resident_since,
        household_size: size,
        minors,
        disability: declared.disability,
        other_benefits,
        cost: declared.cost,
        units: declared.units,
    })
}

/// Applies the rule version in force to the application and stores the outcome, the amount
/// and what a contribution takes from the budget on it. Without a version in force the
/// outcome is cleared.
pub async fn apply_rules(
    state: &Services,
    app: &mut Application,
    benefit: &Benefit,
    person: &Person,
    attestation: Option<&Attestation>,
    now: Date,
) -> Result<(), Error> {
    let on = app.rules_day(now);
    let rules = rules_in_force(state, app, benefit, person, attestation, on).await?;
    app.apply_rules(&benefit.data, rules.as_ref());
    Ok(())
}

/// The rule version in force on `on`, with the person's facts on that day.
pub(crate) async fn rules_in_force(
    state: &Services,
    app: &Application,
    benefit: &Benefit,
    person: &Person,
    attestation: Option<&Attestation>,
    on: Date,
) -> Result<Option<RulesInForce>, Error> {
    let stored = state.store.benefit_rules(app.org_id, benefit.id).await?;
    let versions: Vec<Rule> = stored.iter().map(|r| r.rule.clone()).collect();
    let in_force = rule_in_force(&versions, on)
        .and_then(|r| versions.iter().position(|v| std::ptr::eq(v, r)))
        .and_then(|i| stored.get(i));
    let Some(rule) = in_force else {
        return Ok(None);
    };
    let facts = facts(
        state,
        app.org_id,
        person,
        &app.declared,
        attestation,
        app.id,
        on,
    )
    .await?;
    Ok(Some(RulesInForce {
        rule_id: rule.id,
        rule: rule.rule.clone(),
        facts,
    }))
}

/// How the e-mail to the applicant went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mailed {
    Sent(String),
    NoAddress,
    NotConfigured,
    Failed(String),
    /// The person has died: nobody is written to.
    Deceased,
}

impl Mailed {
    /// What two deliveries of one notice come to, for the operator: every address written
    /// to; a failure over anything else, so that it is told.
    pub(crate) fn and(self, other: Mailed) -> Mailed {
        match (self, other) {
            (Mailed::Failed(e), _) | (_, Mailed::Failed(e)) => Mailed::Failed(e),
            (Mailed::Sent(a), Mailed::Sent(b)) => Mailed::Sent(format!("{a}, {b}")),
            (Mailed::Sent(a), _) | (_, Mailed::Sent(a)) => Mailed::Sent(a),
            (Mailed::NoAddress, other) => other,
            (first, _) => first,
        }
    }

    /// A sentence for the operator's flash message.
    pub fn sentence(&self) -> String {
        match self {
            Mailed::Sent(to) => format!("Avviso inviato per e-mail a {to}."),
            Mailed::NoAddress => {
                "Il richiedente non ha un indirizzo e-mail: comunicare l'esito per posta o allo sportello.".into()
            }
            Mailed::NotConfigured => {
                "L'invio delle e-mail non è configurato: comunicare l'esito per posta o allo sportello.".into()
            }
            Mailed::Failed(e) => format!(
                "L'e-mail al richiedente non è partita ({e}): comunicare l'esito per posta o allo sportello."
            ),
            Mailed::Deceased => {
                "Il richiedente risulta deceduto: nessuna e-mail inviata.".into()
            }
        }
    }
}

/// Writes to the applicant that the application is now in `app.state`. A citizen who follows
/// their applications on the portal is told only that there is news (`follow::news`), and
/// reads it there; nobody writes to a deceased person.
pub(crate) async fn notify(
    state: &Services,
    ctx: &Actor,
    app: &Application,
    person: &Person,
    benefit: &Benefit,
    note: &str,
) -> Mailed {
    if person.data.death_date.is_some() {
        return Mailed::Deceased;
    }
    match crate::follow::portal_account(state, app.org_id, person).await {
        Ok(Some(account)) => {
            return crate::follow::news_with(state, ctx, app, person, Some(account)).await;
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "portal account of the applicant not read"),
    }
    // Representatives who follow the person on the portal are told there is news there.
    let others = crate::follow::representatives_addresses(state, ctx, app).await;
    let Some(to) = app.email.clone().or_else(|| person.data.email.clone()) else {
        return crate::follow::news_to(state, ctx, &others).await;
    };
    if !state.mailer.is_configured() {
        return Mailed::NotConfigured;
    }
    let others: Vec<String> = others
        .into_iter()
        .filter(|a| !a.eq_ignore_ascii_case(&to))
        .collect();
    let msg = ApplicationStateChanged {
        // A letter greets by name, then surname; the registry's full name is surname first.
        person_name: format!("{} {}", person.data.given_names, person.data.surname),
        office: ctx.org.name.clone(),
        protocol: app.protocol.clone().unwrap_or_default(),
        benefit: benefit.data.name.clone(),
        state_label: app.state.label().to_owned(),
        note: (!note.trim().is_empty()).then(|| note.trim().to_owned()),
        signature: crate::acts::mail_signature(state, ctx.org.id, &ctx.org.name).await,
    };
    let mailed = deliver(state, to, &msg).await;
    if others.is_empty() {
        return mailed;
    }
    mailed.and(crate::follow::news_to(state, ctx, &others).await)
}

/// Sends a notice once its change is stored, giving the request's connection back while the
/// mail server answers; a failure is logged and told to the operator.
pub(crate) async fn deliver(state: &Services, to: String, msg: &impl Compose) -> Mailed {
    crate::idle(&state.store).await;
    let sent = match msg.mail(&to) {
        Ok(mail) => state.mailer.send(&mail).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => Mailed::Sent(to),
        Err(e) => {
            tracing::warn!(error = %e, subject = %msg.subject(), "notice e-mail not sent");
            Mailed::Failed(e.to_string())
        }
    }
}

/// A new application as checked, with what it is about.
pub struct Filing {
    pub person: Person,
    pub benefit: Benefit,
    pub attestation: Option<Attestation>,
    pub data: ApplicationData,
    /// Submit it at once (otherwise a draft).
    pub submit: bool,
}

pub struct Filed {
    pub id: Uuid,
    pub protocol: Option<String>,
    pub mailed: Option<Mailed>,
}

/// Checks that the benefit takes applications and that the attestation is the person's.
pub fn check_filing(
    benefit: &Benefit,
    person: &Person,
    attestation: Option<&Attestation>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !benefit.data.active {
        errors.push(FieldError::new(
            "benefit",
            format!(
                "la prestazione «{}» non accetta nuove domande",
                benefit.data.name
            ),
        ));
    }
    if attestation.is_some_and(|a| a.person_id != person.id) {
        errors.push(FieldError::new(
            "attestation",
            "l'attestazione ISEE scelta non è del richiedente",
        ));
    }
    errors
}

/// A new application of `f` by the actor now, with the rules applied, and its first event;
/// not stored yet. Nobody files for a deceased person.
pub(crate) async fn new_application(
    state: &Services,
    ctx: &Actor,
    f: &Filing,
) -> Result<(Application, ApplicationEvent), Error> {
    refuse_if_deceased(&f.person, "presentare una nuova domanda")?;
    let now = today(ctx.now);
    let to = if f.submit {
        ApplicationState::Submitted
    } else {
        ApplicationState::Draft
    };
    let mut app = Application {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        person_id: f.person.id,
        benefit_id: f.benefit.id,
        protocol: None,
        state: to,
        channel: f.data.channel,
        filed_by: ctx.account()?,
        reviewer_id: None,
        attestation_id: f.attestation.as_ref().map(|a| a.id),
        declared: f.data.declared.clone(),
        outcome: None,
        rule_id: None,
        amount: None,
        committed: Money::ZERO,
        email: f.data.email.clone(),
        notes: f.data.notes.clone(),
        submitted_on: f.submit.then_some(now),
        due_on: f
            .submit
            .then(|| now + Duration::days(i64::from(f.benefit.data.deadline_days))),
        suspended_since: None,
        notice_on: None,
        decided_on: None,
        decision_note: String::new(),
        version: 1,
        created_at_us: unix_micros(ctx.now),
    };
    apply_rules(
        state,
        &mut app,
        &f.benefit,
        &f.person,
        f.attestation.as_ref(),
        now,
    )
    .await?;
    let event = ApplicationEvent {
        id: Uuid::now_v7(),
        org_id: ctx.org.id,
        application_id: app.id,
        from: None,
        to,
        note: String::new(),
        observations: None,
        actor: ctx.label().to_owned(),
        at_us: unix_micros(ctx.now),
    };
    Ok((app, event))
}

/// Files the application (a draft, or submitted at once). Nobody files for a deceased person.
pub async fn file(state: &Services, ctx: &Actor, f: Filing) -> Result<Filed, Error> {
    let (mut app, event) = new_application(state, ctx, &f).await?;
    let audit = ctx.audit(
        "application.create",
        "application",
        Some(app.id),
        format!(
            "Domanda di {} per {} ({})",
            f.person.data.full_name(),
            f.benefit.data.name,
            app.state.label()
        ),
    );
    let protocol = state.store.create_application(&app, &event, &audit).await?;
    app.protocol.clone_from(&protocol);
    let mailed = if f.submit {
        Some(notify(state, ctx, &app, &f.person, &f.benefit, "").await)
    } else {
        None
    };
    Ok(Filed {
        id: app.id,
        protocol,
        mailed,
    })
}

/// The state an application moved to.
pub struct Changed {
    pub to: ApplicationState,
    pub protocol: Option<String>,
    pub mailed: Option<Mailed>,
}

/// The first and last day of a budget year.
pub fn year_bounds(year: i32) -> Result<(Date, Date), Error> {
    let day = |month, d| {
        Date::from_calendar_date(year, month, d)
            .map_err(|e| Error::Internal(format!("year {year}: {e}")))
    };
    Ok((
        day(time::Month::January, 1)?,
        day(time::Month::December, 31)?,
    ))
}

/// Moves an application to the state the form asks for. A refused change gives the
/// reasons, naming the field; nothing is saved then.
pub async fn change_state(
    state: &Services,
    ctx: &Actor,
    a: &AppAccess,
    input: &TransitionInput,
) -> Result<Result<Changed, Vec<FieldError>>, Error> {
    let now = today(ctx.now);
    let current = &a.view.app;
    let mut input = input.clone();
    // Observations the citizen sent from the portal arrived: the decision counts them.
    if current.state == ApplicationState::NoticeOfRejection {
        let events = state
            .store
            .application_events(current.org_id, current.id)
            .await?;
        let messages = state
            .store
            .application_messages(current.org_id, current.id)
            .await?;
        if crate::follow::observations_arrived(&events, &messages) {
            input.observations = "on".into();
        }
    }
    let input = &input;
    let t = match parse_transition(input, current.state, current.notice_on, now) {
        Ok(t) => t,
        Err(errors) => return Ok(Err(errors)),
    };
    ctx.authorize(transition_action(t.from, t.to), a.scope)?;
    if input.version.trim() != current.version.to_string() {
        return Err(Error::Conflict);
    }
    let org = ctx.org.id;
    let benefit = state.store.get_benefit(org, current.benefit_id).await?;
    let person = state.store.get_person(org, current.person_id).await?;
    if t.to == ApplicationState::Submitted {
        refuse_if_deceased(&person, "presentare e protocollare la domanda")?;
    }
    let attestation = match current.attestation_id {
        Some(id) => Some(state.store.get_attestation(org, id).await?),
        None => None,
    };
    // A submission applies the rules in force on its day.
    let rules = if t.to == ApplicationState::Submitted {
        rules_in_force(state, current, &benefit, &person, attestation.as_ref(), now).await?
    } else {
        None
    };
    // An acceptance that commits money needs room in this year's budget.
    let committed_in_year = if t.to == ApplicationState::Accepted
        && benefit.data.budget.is_some()
        && current.committed > Money::ZERO
    {
        let (from, to) = year_bounds(now.year())?;
        state
            .store
            .benefit_budgets(org, from, to)
            .await?
            .into_iter()
            .find(|b| b.benefit_id == benefit.id)
            .map_or(Money::ZERO, |b| b.committed)
    } else {
        Money::ZERO
    };
    // A benefit that draws on a fund: the fund's year decides, not the benefit's budget.
    let fund = if t.to == ApplicationState::Accepted && current.committed > Money::ZERO {
        let comune = person.data.residence.as_ref().map(|r| &r.comune);
        crate::payment::fund_room(state, org, benefit.id, now.year(), comune).await?
    } else {
        None
    };
    // An application to a call whose ranking is final is granted what the ranking funds.
    let call = if t.to == ApplicationState::Accepted {
        state.store.call_funding(org, current.id).await?
    } else {
        None
    };
    let facts = domain::application::Facts {
        by: ctx.account()?,
        attestation: attestation.map(|a| a.data),
        rules,
        committed_in_year,
        fund,
        call,
    };
    let Change {
        mut app,
        note,
        deliveries,
    } = match current.transition(&t, &benefit.data, &facts, now) {
        Ok(change) => change,
        Err(Refusal(errors)) => return Ok(Err(errors)),
    };
    let actor = ctx.label().to_owned();
    let deliveries: Vec<Delivery> = deliveries
        .into_iter()
        .map(|m| Delivery::planned(&app, m, &actor, unix_micros(ctx.now)))
        .collect();
    let event = ApplicationEvent {
        id: Uuid::now_v7(),
        org_id: org,
        application_id: app.id,
        from: Some(t.from),
        to: t.to,
        note,
        observations: (t.from == ApplicationState::NoticeOfRejection)
            .then_some(t.observations_received),
        actor,
        at_us: unix_micros(ctx.now),
    };
    let audit = ctx.audit(
        "application.state",
        "application",
        Some(app.id),
        format!(
            "Domanda {} di {} per {}: {} ({} → {})",
            app.protocol.as_deref().unwrap_or("senza protocollo"),
            person.data.full_name(),
            benefit.data.name,
            transition_label(t.from, t.to),
            t.from.label(),
            t.to.label()
        ),
    );
    let protocol = state
        .store
        .change_application_state(&app, &event, &deliveries, &audit)
        .await?;
    if protocol.is_some() {
        app.protocol.clone_from(&protocol);
    }
    let mailed = if t.to.notifies() {
        Some(notify(state, ctx, &app, &person, &benefit, &t.note).await)
    } else {
        None
    };
    Ok(Ok(Changed {
        to: t.to,
        protocol,
        mailed,
    }))
}

/// The states in which attestation and declared facts may still be changed.
pub fn editable(s: ApplicationState) -> bool {
    matches!(
        s,
        ApplicationState::Draft
            | ApplicationState::Submitted
            | ApplicationState::InReview
            | ApplicationState::IntegrationRequested
            | ApplicationState::NoticeOfRejection
    )
}

/// The permission to change attestation and facts: the filer's on a draft, the reviewer's after.
pub fn edit_action(s: ApplicationState) -> Action {
    if s == ApplicationState::Draft {
        Action::ApplicationFile
    } else {
        Action::ApplicationReview
    }
}

/// Attaches another attestation or new declared facts and applies the rules again.
pub async fn update_facts(
    state: &Services,
    ctx: &Actor,
    a: &AppAccess,
    attestation: Option<Attestation>,
    data: ApplicationData,
    version: &str,
) -> Result<(), Error> {
    let current = &a.view.app;
    ctx.authorize(edit_action(current.state), a.scope)?;
    if !editable(current.state) {
        return Err(Error::BadRequest(format!(
            "una domanda {} non si può più modificare",
            current.state.label()
        )));
    }
    if version.trim() != current.version.to_string() {
        return Err(Error::Conflict);
    }
    let org = ctx.org.id;
    let benefit = state.store.get_benefit(org, current.benefit_id).await?;
    let person = state.store.get_person(org, current.person_id).await?;
    let mut app = current.clone();
    app.version += 1;
    app.attestation_id = attestation.as_ref().map(|x| x.id);
    app.declared = data.declared;
    app.email = data.email;
    app.notes = data.notes;
    apply_rules(
        state,
        &mut app,
        &benefit,
        &person,
        attestation.as_ref(),
        today(ctx.now),
    )
    .await?;
    let audit = ctx.audit(
        "application.update",
        "application",
        Some(app.id),
        format!(
            "Dati della domanda {} di {} aggiornati e regole applicate di nuovo",
            app.protocol.as_deref().unwrap_or("senza protocollo"),
            person.data.full_name()
        ),
    );
    state.store.update_application(&app, &audit).await?;
    Ok(())
}

/// How the user reaches an applicant. Office staff see the organization's persons; a CAF
/// operator or a citizen sees a person only under a mandate the office recorded
/// (`domain::mandate`). Without one, a CAF learns no more than that the code belongs to a
/// person of the registry, and names the ISEE attestation by its INPS protocol; a citizen
/// acts only for themself and whom they represent.
pub struct Applicant {
    pub person: Person,
    /// The user may see the person's data and attestations.
    pub full_view: bool,
}

/// Whether the user may see the person's data and attestations: office staff of the
/// organization, or a CAF or citizen holding, today, a mandate that fits their role.
pub async fn sees_person(state: &Services, ctx: &Actor, person_id: Uuid) -> Result<bool, Error> {
    if ctx.can(Action::PersonView, RecordScope::SameOrg) {
        return Ok(true);
    }
    Ok(state
        .store
        .mandates_held(ctx.org.id, ctx.account()?, person_id, today(ctx.now))
        .await?
        .iter()
        .any(|k| k.role() == ctx.role))
}

/// What identifies the applicant in a filing.
pub enum ApplicantKey<'a> {
    Id(Uuid),
    CodiceFiscale(&'a str),
}

/// Finds the applicant of a filing and what the user may see of them. Every lookup by a user
/// who does not see the whole registry is logged (`person.lookup`, through the read log),
/// found or not.
pub async fn find_applicant(
    state: &Services,
    ctx: &Actor,
    key: ApplicantKey<'_>,
) -> Result<Result<Applicant, FieldError>, Error> {
    let office = ctx.can(Action::PersonView, RecordScope::SameOrg);
    let (field, found) = match key {
        ApplicantKey::Id(id) => (
            "persona",
            match state.store.get_person(ctx.org.id, id).await {
                Ok(p) => Some(p),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
        ),
        ApplicantKey::CodiceFiscale(cf) => (
            "codice_fiscale",
            match state.store.find_person_by_cf(ctx.org.id, cf).await {
                Ok(p) => Some(p),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
        ),
    };
    let found = found.filter(|p| p.merged_into.is_none());
    let full_view = match &found {
        Some(p) => sees_person(state, ctx, p.id).await?,
        None => false,
    };
    // A CAF may learn that a code it typed exists; an id (which only a page of ours could
    // have shown) and a citizen's lookup reach a person only under a mandate.
    let limited_ok =
        ctx.role == domain::Role::OperatoreCaf && matches!(key, ApplicantKey::CodiceFiscale(_));
    let outcome = match found {
        Some(person) if full_view => Ok(Applicant {
            person,
            full_view: true,
        }),
        Some(person) if limited_ok => Ok(Applicant {
            person,
            full_view: false,
        }),
        _ if ctx.role == domain::Role::Cittadino => Err(FieldError::new(
            field,
            "puoi presentare domande solo per te stesso o per chi rappresenti: chiedi allo sportello del Comune di collegare il tuo account alla persona",
        )),
        _ => Err(FieldError::new(
            field,
            match key {
                ApplicantKey::CodiceFiscale(cf) => format!(
                    "nessuna persona con codice fiscale «{cf}» nell'anagrafe sociale: va registrata allo sportello del Comune"
                ),
                ApplicantKey::Id(_) => {
                    "nessuna persona con questo identificativo nell'anagrafe sociale".to_owned()
                }
            },
        )),
    };
    if !office {
        let what = match key {
            ApplicantKey::CodiceFiscale(cf) => format!("codice fiscale {cf}"),
            ApplicantKey::Id(id) => format!("identificativo {id}"),
        };
        let result = match &outcome {
            Ok(a) if a.full_view => "trovata, con delega",
            Ok(_) => "trovata, senza delega: solo l'esistenza",
            Err(_) => "non trovata o non consentita",
        };
        // A read like the others: through the read log, not a write on the page's path.
        state
            .reads
            .log(ctx.audit(
                "person.lookup",
                "person",
                outcome.as_ref().ok().map(|a| a.person.id),
                format!("ricerca del richiedente per {what}: {result}"),
            ))
            .await;
    }
    Ok(outcome)
}

/// What a new application of `p` starts with: the only attestation of theirs valid on `on`
/// (among those a benefit needing `needs` accepts, when known), and since when they are
/// resident by the civil registry (none once they left).
pub async fn prefill(
    state: &Services,
    org_id: Uuid,
    p: &Person,
    on: Date,
    needs: Option<domain::benefit::IseeVariant>,
) -> Result<(Option<Uuid>, Option<Date>), Error> {
    let valid: Vec<Uuid> = state
        .store
        .person_attestations(org_id, p.id)
        .await?
        .iter()
        .filter(|a| a.data.valid_until() >= on)
        .filter(|a| needs.is_none_or(|v| v.accepts(a.data.variant)))
        .map(|a| a.id)
        .collect();
    let attestation = match valid.as_slice() {
        [only] => Some(*only),
        _ => None,
    };
    let events: Vec<_> = state
        .store
        .person_registry_events(org_id, p.id)
        .await?
        .into_iter()
        .map(|e| (e.kind, e.event_date))
        .collect();
    let since = domain::registry::resident_since(&events).filter(|_| p.registry_left_on.is_none());
    Ok((attestation, since))
}

/// The attestation chosen for an application: by id among the person's (who may see them),
/// or by the INPS protocol the person brought (who may not).
pub async fn chosen_attestation(
    state: &Services,
    ctx: &Actor,
    applicant: &Applicant,
    raw: &str,
) -> Result<Result<Option<Attestation>, FieldError>, Error> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Ok(None));
    }
    let person = &applicant.person;
    if !applicant.full_view {
        let wanted = raw.to_uppercase();
        let found = state
            .store
            .person_attestations(ctx.org.id, person.id)
            .await?
            .into_iter()
            .find(|a| a.data.protocol.as_str().eq_ignore_ascii_case(&wanted));
        return Ok(found.map(Some).ok_or_else(|| {
            FieldError::new(
                "attestation",
                "nessuna attestazione ISEE con questo protocollo per il richiedente: l'ufficio deve registrarla",
            )
        }));
    }
    let Ok(id) = Uuid::parse_str(raw) else {
        return Ok(Err(FieldError::new(
            "attestation",
            "l'attestazione ISEE scelta non esiste",
        )));
    };
    match state.store.get_attestation(ctx.org.id, id).await {
        Ok(a) if a.person_id == person.id => Ok(Ok(Some(a))),
        Ok(_) | Err(store::StoreError::NotFound) => Ok(Err(FieldError::new(
            "attestation",
            "l'attestazione ISEE scelta non è del richiedente",
        ))),
        Err(e) => Err(e.into()),
    }
}
