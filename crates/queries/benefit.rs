use super::casework::{close_matter, open_matter};
use super::compared;
use super::{Backend, Db};
use super::{affected_one, coded, map_err, parse_col};
use domain::application::{
    ActKind, ApplicationState, AttestationData, Channel, Declared, DeliveryStatus, DsuProtocol,
    IseeMember, format_protocol,
};
use domain::benefit::{Area, BenefitData, DeliveryKind, IseeVariant, Outcome, Periodicity, Rule};
use domain::money::Money;
use store::{
    Act, ActView, Application, ApplicationDocument, ApplicationEvent, ApplicationFilter,
    ApplicationMessage, ApplicationView, Attestation, Benefit, BenefitRule, BenefitStore,
    BudgetRow, Delivery, MessageKind, NewAudit, Result, Simulation, StoreError, Worklist,
    WorklistCounts,
};
use time::Date;
use uuid::Uuid;

/// The kind of matter an application opens on its person (see `person_open_matter`).
const MATTER: &str = "istanza";

fn json<T: serde::de::DeserializeOwned>(column: &'static str, raw: &str) -> Result<T> {
    parse_col(column, serde_json::from_str(raw))
}

fn decimal(column: &'static str, raw: &str) -> Result<rust_decimal::Decimal> {
    parse_col(column, raw.parse::<rust_decimal::Decimal>())
}

fn documents_col(raw: &str) -> Vec<String> {
    raw.lines().map(str::to_owned).collect()
}

macro_rules! benefit {
    ($r:expr) => {{
        let r = $r;
        Benefit {
            id: r.id,
            org_id: r.org_id,
            data: BenefitData {
                code: r.code,
                name: r.name,
                description: r.description,
                area: coded("area", &r.area, Area::parse)?,
                siuss_code: r.siuss_code,
                periodicity: coded("periodicity", &r.periodicity, Periodicity::parse)?,
                delivery: coded("delivery", &r.delivery, DeliveryKind::parse)?,
                isee_variant: r
                    .isee_variant
                    .map(|v| coded("isee_variant", &v, IseeVariant::parse))
                    .transpose()?,
                funding_source: r.funding_source,
                budget: r.budget_cents.map(Money),
                documents: documents_col(&r.documents),
                deadline_days: parse_col("deadline_days", u16::try_from(r.deadline_days))?,
                active: r.active,
                budget_chapter: r.budget_chapter,
                commitment: r.commitment,
                portal: r.portal_from.map(|from| domain::benefit::PortalWindow {
                    from,
                    until: r.portal_until,
                }),
            },
            version: r.version,
            created_at_us: r.created_at_us,
        }
    }};
}

macro_rules! rule {
    ($r:expr) => {{
        let r = $r;
        BenefitRule {
            id: r.id,
            org_id: r.org_id,
            benefit_id: r.benefit_id,
            rule: parse_col("definition", Rule::from_json(&r.definition))?,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

macro_rules! attestation {
    ($r:expr) => {{
        let r = $r;
        let simulation = match (r.sim_isee_cents, r.sim_ise_cents, r.sim_report) {
            (Some(isee), Some(ise), Some(report)) => Some(Simulation {
                isee: Money(isee),
                ise: Money(ise),
                report,
                actor: r.sim_actor.unwrap_or_default(),
                at_us: r.sim_at_us.unwrap_or_default(),
            }),
            _ => None,
        };
        Attestation {
            id: r.id,
            org_id: r.org_id,
            person_id: r.person_id,
            data: AttestationData {
                protocol: parse_col("protocol", DsuProtocol::parse("protocol", &r.protocol))?,
                declarant_cf: r.declarant_cf,
                submitted_on: r.submitted_on,
                variant: coded("variant", &r.variant, IseeVariant::parse)?,
                corrente: r.corrente,
                isee: Money(r.isee_cents),
                ise: Money(r.ise_cents),
                isr: Money(r.isr_cents),
                isp: Money(r.isp_cents),
                scala: decimal("scala", &r.scala)?,
                members: parse_col("members", u8::try_from(r.members))?,
                member_list: json::<Vec<IseeMember>>("member_list", &r.member_list)?,
                omissioni: r.omissioni,
                difformita: r.difformita,
            },
            source: r.source,
            simulation,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

macro_rules! application_view {
    ($r:expr) => {{
        let r = $r;
        ApplicationView {
            app: Application {
                id: r.id,
                org_id: r.org_id,
                person_id: r.person_id,
                benefit_id: r.benefit_id,
                protocol: r.protocol,
                state: coded("state", &r.state, ApplicationState::parse)?,
                channel: coded("channel", &r.channel, Channel::parse)?,
                filed_by: r.filed_by,
                reviewer_id: r.reviewer_id,
                attestation_id: r.attestation_id,
                declared: json::<Declared>("declared", &r.declared)?,
                outcome: r
                    .outcome
                    .map(|o| parse_col("outcome", Outcome::from_json(&o)))
                    .transpose()?,
                rule_id: r.rule_id,
                amount: r.amount_cents.map(Money),
                committed: Money(r.committed_cents),
                email: r.email,
                notes: r.notes,
                submitted_on: r.submitted_on,
                due_on: r.due_on,
                suspended_since: r.suspended_since,
                notice_on: r.notice_on,
                decided_on: r.decided_on,
                decision_note: r.decision_note,
                version: r.version,
                created_at_us: r.created_at_us,
            },
            surname: r.surname,
            given_names: r.given_names,
            codice_fiscale: r.codice_fiscale,
            benefit_code: r.benefit_code,
            benefit_name: r.benefit_name,
            needs_isee: r.isee_variant.is_some(),
            isee_valid_until: r.isee_valid_until,
            isee: r.isee_cents.map(Money),
            filed_by_name: r.filed_by_name,
        }
    }};
}

macro_rules! application_document {
    ($r:expr) => {{
        let r = $r;
        ApplicationDocument {
            id: r.id,
            org_id: r.org_id,
            application_id: r.application_id,
            requirement: r.requirement,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            actor: r.actor,
            at_us: r.at_us,
            by_citizen: r.by_citizen,
        }
    }};
}

async fn insert_document(
    tx: &mut super::Tx,
    d: &ApplicationDocument,
    content: &[u8],
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO application_document (id, org_id, application_id, requirement, file_name,
             content_type, size_bytes, sha256, content, actor, at_us, by_citizen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        d.id,
        d.org_id,
        d.application_id,
        d.requirement,
        d.file_name,
        d.content_type,
        d.size_bytes,
        d.sha256,
        content,
        d.actor,
        d.at_us,
        d.by_citizen
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_benefit(tx: &mut super::Tx, b: &Benefit) -> Result<()> {
    let d = &b.data;
    sqlx::query!(
        "INSERT INTO benefit (id, org_id, code, name, description, area, siuss_code, periodicity,
             delivery, isee_variant, funding_source, budget_cents, documents, deadline_days,
             active, version, created_at_us, budget_chapter, commitment, portal_from,
             portal_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21)",
        b.id,
        b.org_id,
        d.code,
        d.name,
        d.description,
        d.area.as_str(),
        d.siuss_code,
        d.periodicity.as_str(),
        d.delivery.as_str(),
        d.isee_variant.map(IseeVariant::as_str),
        d.funding_source,
        d.budget.map(Money::cents),
        d.documents.join("\n"),
        i64::from(d.deadline_days),
        d.active,
        b.version,
        b.created_at_us,
        d.budget_chapter,
        d.commitment,
        d.portal.map(|w| w.from),
        d.portal.and_then(|w| w.until)
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_rule(tx: &mut super::Tx, r: &BenefitRule) -> Result<()> {
    sqlx::query!(
        "INSERT INTO benefit_rule (id, org_id, benefit_id, valid_from, definition, actor, at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        r.id,
        r.org_id,
        r.benefit_id,
        r.rule.valid_from,
        r.rule.to_json(),
        r.actor,
        r.at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_event(tx: &mut super::Tx, e: &ApplicationEvent) -> Result<()> {
    sqlx::query!(
        "INSERT INTO application_event (id, org_id, application_id, from_state, to_state, note,
             observations, actor, at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        e.id,
        e.org_id,
        e.application_id,
        e.from.map(ApplicationState::as_str),
        e.to.as_str(),
        e.note,
        e.observations,
        e.actor,
        e.at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// The next protocol number of the organization for the year of `on`.
async fn next_protocol(tx: &mut super::Tx, org_id: Uuid, on: Date) -> Result<String> {
    let year = i64::from(on.year());
    let last = sqlx::query_scalar!(
        r#"INSERT INTO record_counter (org_id, kind, year, last) VALUES ($1, $2, $3, 1)
           ON CONFLICT (org_id, kind, year) DO UPDATE SET last = record_counter.last + 1
           RETURNING last AS "last!: i64""#,
        org_id,
        MATTER,
        year
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(format_protocol(on.year(), last))
}

/// Numbers a submitted application that has no protocol yet; the number given.
async fn number_if_submitted(tx: &mut super::Tx, a: &Application) -> Result<Option<String>> {
    match (&a.protocol, a.state, a.submitted_on) {
        (None, ApplicationState::Submitted, Some(on)) => {
            let p = next_protocol(tx, a.org_id, on).await?;
            sqlx::query!(
                "UPDATE application SET protocol = $3 WHERE org_id = $1 AND id = $2",
                a.org_id,
                a.id,
                p
            )
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
            Ok(Some(p))
        }
        _ => Ok(None),
    }
}

/// Numbers the act that entering `e.to` issues, if any, in the register of its kind and
/// year: the counter row is taken for the rest of the transaction, so numbers have no gaps
/// and no twins however many decisions are stored at once.
async fn issue_act(tx: &mut super::Tx, a: &Application, e: &ApplicationEvent) -> Result<()> {
    let Some(kind) = ActKind::issued_entering(e.to) else {
        return Ok(());
    };
    let issued_on = match kind {
        ActKind::Decision => a.decided_on,
        ActKind::Notice => a.notice_on,
        ActKind::Integration => a.suspended_since,
    }
    .ok_or_else(|| StoreError::Other(format!("{}: data dell'atto mancante", kind.as_str())))?;
    let year = i64::from(issued_on.year());
    let counter = format!("atto:{}", kind.as_str());
    let number = sqlx::query_scalar!(
        r#"INSERT INTO record_counter (org_id, kind, year, last) VALUES ($1, $2, $3, 1)
           ON CONFLICT (org_id, kind, year) DO UPDATE SET last = record_counter.last + 1
           RETURNING last AS "last!: i64""#,
        a.org_id,
        counter,
        year
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    sqlx::query!(
        "INSERT INTO act (id, org_id, kind, year, number, issued_on, application_id, event_id,
             actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        Uuid::now_v7(),
        a.org_id,
        kind.as_str(),
        year,
        number,
        issued_on,
        a.id,
        e.id,
        e.actor
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// An act from a row with its columns.
macro_rules! act {
    ($r:expr) => {{
        let r = &$r;
        Act {
            id: r.id,
            org_id: r.org_id,
            kind: coded("kind", &r.kind, ActKind::parse)?,
            year: parse_col("year", i32::try_from(r.year))?,
            number: r.number,
            issued_on: r.issued_on,
            application_id: r.application_id,
            event_id: r.event_id,
            actor: r.actor.clone(),
        }
    }};
}

/// The matter follows the procedure: opened at submission, closed when it ends.
async fn follow_matter(tx: &mut super::Tx, a: &Application, e: &ApplicationEvent) -> Result<()> {
    if e.to == ApplicationState::Submitted {
        open_matter(tx, a.org_id, a.person_id, MATTER, a.id, e.at_us).await?;
    } else if !e.to.is_open() {
        close_matter(tx, a.org_id, MATTER, a.id, e.at_us).await?;
    }
    Ok(())
}

/// Files an application: the row, its first event, its protocol number if submitted, and the
/// person's matter. The protocol, if given now.
pub(super) async fn insert_application(
    tx: &mut super::Tx,
    a: &Application,
    e: &ApplicationEvent,
) -> Result<Option<String>> {
    sqlx::query!(
        "INSERT INTO application (id, org_id, person_id, benefit_id, protocol, state, channel,
             filed_by, reviewer_id, attestation_id, declared, outcome, rule_id, amount_cents,
             committed_cents, email, notes, submitted_on, due_on, suspended_since, notice_on,
             decided_on, decision_note, version, created_at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
             $18, $19, $20, $21, $22, $23, $24, $25)",
        a.id,
        a.org_id,
        a.person_id,
        a.benefit_id,
        a.protocol,
        a.state.as_str(),
        a.channel.as_str(),
        a.filed_by,
        a.reviewer_id,
        a.attestation_id,
        serde_json::to_string(&a.declared).unwrap_or_default(),
        a.outcome.as_ref().map(Outcome::to_json),
        a.rule_id,
        a.amount.map(Money::cents),
        a.committed.cents(),
        a.email,
        a.notes,
        a.submitted_on,
        a.due_on,
        a.suspended_since,
        a.notice_on,
        a.decided_on,
        a.decision_note,
        a.version,
        a.created_at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    insert_event(tx, e).await?;
    let protocol = number_if_submitted(tx, a).await?;
    follow_matter(tx, a, e).await?;
    Ok(protocol)
}

impl BenefitStore for Db {
    async fn create_benefit(&self, b: &Benefit, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_benefit(&mut tx, b).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn update_benefit(&self, b: &Benefit, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let d = &b.data;
        let done = sqlx::query!(
            "UPDATE benefit SET code = $3, name = $4, description = $5, area = $6,
                 siuss_code = $7, periodicity = $8, delivery = $9, isee_variant = $10,
                 funding_source = $11, budget_cents = $12, documents = $13, deadline_days = $14,
                 active = $15, version = $16, budget_chapter = $18, commitment = $19,
                 portal_from = $20, portal_until = $21
             WHERE org_id = $1 AND id = $2 AND version = $17",
            b.org_id,
            b.id,
            d.code,
            d.name,
            d.description,
            d.area.as_str(),
            d.siuss_code,
            d.periodicity.as_str(),
            d.delivery.as_str(),
            d.isee_variant.map(IseeVariant::as_str),
            d.funding_source,
            d.budget.map(Money::cents),
            d.documents.join("\n"),
            i64::from(d.deadline_days),
            d.active,
            b.version,
            b.version - 1,
            d.budget_chapter,
            d.commitment,
            d.portal.map(|w| w.from),
            d.portal.and_then(|w| w.until)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_benefit(&self, org_id: Uuid, id: Uuid) -> Result<Benefit> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", code AS "code!",
                   name AS "name!", description AS "description!", area AS "area!",
                   siuss_code AS "siuss_code!", periodicity AS "periodicity!",
                   delivery AS "delivery!", isee_variant AS "isee_variant?",
                   funding_source AS "funding_source!", budget_cents AS "budget_cents?",
                   documents AS "documents!", deadline_days AS "deadline_days!",
                   active AS "active!: bool", version AS "version!",
                   created_at_us AS "created_at_us!", budget_chapter AS "budget_chapter!",
                   commitment AS "commitment!", portal_from AS "portal_from?: Date",
                   portal_until AS "portal_until?: Date"
               FROM benefit WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(benefit!(r))
    }

    async fn list_benefits(&self, org_id: Uuid) -> Result<Vec<Benefit>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", code AS "code!",
                   name AS "name!", description AS "description!", area AS "area!",
                   siuss_code AS "siuss_code!", periodicity AS "periodicity!",
                   delivery AS "delivery!", isee_variant AS "isee_variant?",
                   funding_source AS "funding_source!", budget_cents AS "budget_cents?",
                   documents AS "documents!", deadline_days AS "deadline_days!",
                   active AS "active!: bool", version AS "version!",
                   created_at_us AS "created_at_us!", budget_chapter AS "budget_chapter!",
                   commitment AS "commitment!", portal_from AS "portal_from?: Date",
                   portal_until AS "portal_until?: Date"
               FROM benefit WHERE org_id = $1 ORDER BY name, code"#,
            org_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(benefit!(r))).collect()
    }

    async fn seed_benefits(
        &self,
        benefits: &[Benefit],
        rules: &[BenefitRule],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        for b in benefits {
            insert_benefit(&mut tx, b).await?;
        }
        for r in rules {
            insert_rule(&mut tx, r).await?;
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn benefit_budgets(&self, org_id: Uuid, from: Date, to: Date) -> Result<Vec<BudgetRow>> {
        let rows = sqlx::query!(
            r#"SELECT b.id AS "benefit_id!: Uuid",
                   CAST(COALESCE((SELECT SUM(a.committed_cents) FROM application a
                       WHERE a.org_id = b.org_id AND a.benefit_id = b.id
                         AND a.state IN ('accolta', 'in_erogazione', 'conclusa')
                         AND a.decided_on >= $2 AND a.decided_on <= $3), 0) AS BIGINT)
                       AS "committed!: i64",
                   CAST(COALESCE((SELECT SUM(d.amount_cents) FROM delivery d
                       JOIN application a ON a.id = d.application_id
                       WHERE d.org_id = b.org_id AND a.benefit_id = b.id
                         AND d.status = 'erogata' AND d.month >= $2 AND d.month <= $3), 0)
                       AS BIGINT) AS "spent!: i64"
               FROM benefit b WHERE b.org_id = $1"#,
            org_id,
            from,
            to
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| BudgetRow {
                benefit_id: r.benefit_id,
                committed: Money(r.committed),
                spent: Money(r.spent),
            })
            .collect())
    }

    async fn add_rule(&self, r: &BenefitRule, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_rule(&mut tx, r).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn benefit_rules(&self, org_id: Uuid, benefit_id: Uuid) -> Result<Vec<BenefitRule>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   benefit_id AS "benefit_id!: Uuid", definition AS "definition!",
                   actor AS "actor!", at_us AS "at_us!"
               FROM benefit_rule WHERE org_id = $1 AND benefit_id = $2
               ORDER BY valid_from DESC, at_us DESC"#,
            org_id,
            benefit_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(rule!(r))).collect()
    }

    async fn all_rules(&self, org_id: Uuid) -> Result<Vec<BenefitRule>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   benefit_id AS "benefit_id!: Uuid", definition AS "definition!",
                   actor AS "actor!", at_us AS "at_us!"
               FROM benefit_rule WHERE org_id = $1
               ORDER BY benefit_id, valid_from DESC, at_us DESC"#,
            org_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(rule!(r))).collect()
    }

    async fn add_attestation(&self, a: &Attestation, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let d = &a.data;
        sqlx::query!(
            "INSERT INTO isee_attestation (id, org_id, person_id, protocol, declarant_cf,
                 submitted_on, valid_until, variant, corrente, isee_cents, ise_cents, isr_cents,
                 isp_cents, scala, members, member_list, omissioni, difformita, source, actor,
                 at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21)",
            a.id,
            a.org_id,
            a.person_id,
            d.protocol.as_str(),
            d.declarant_cf,
            d.submitted_on,
            d.valid_until(),
            d.variant.as_str(),
            d.corrente,
            d.isee.cents(),
            d.ise.cents(),
            d.isr.cents(),
            d.isp.cents(),
            d.scala.to_string(),
            i64::from(d.members),
            serde_json::to_string(&d.member_list).unwrap_or_else(|_| "[]".into()),
            d.omissioni,
            d.difformita,
            a.source,
            a.actor,
            a.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_attestation(&self, org_id: Uuid, id: Uuid) -> Result<Attestation> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   protocol AS "protocol!", declarant_cf AS "declarant_cf?",
                   submitted_on AS "submitted_on!: Date", variant AS "variant!",
                   corrente AS "corrente!: bool", isee_cents AS "isee_cents!",
                   ise_cents AS "ise_cents!", isr_cents AS "isr_cents!", isp_cents AS "isp_cents!",
                   scala AS "scala!", members AS "members!", member_list AS "member_list!",
                   omissioni AS "omissioni!: bool", difformita AS "difformita!: bool",
                   source AS "source!", sim_isee_cents AS "sim_isee_cents?",
                   sim_ise_cents AS "sim_ise_cents?", sim_report AS "sim_report?",
                   sim_actor AS "sim_actor?", sim_at_us AS "sim_at_us?", actor AS "actor!",
                   at_us AS "at_us!"
               FROM isee_attestation WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(attestation!(r))
    }

    async fn person_attestations(&self, org_id: Uuid, person_id: Uuid) -> Result<Vec<Attestation>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   protocol AS "protocol!", declarant_cf AS "declarant_cf?",
                   submitted_on AS "submitted_on!: Date", variant AS "variant!",
                   corrente AS "corrente!: bool", isee_cents AS "isee_cents!",
                   ise_cents AS "ise_cents!", isr_cents AS "isr_cents!", isp_cents AS "isp_cents!",
                   scala AS "scala!", members AS "members!", member_list AS "member_list!",
                   omissioni AS "omissioni!: bool", difformita AS "difformita!: bool",
                   source AS "source!", sim_isee_cents AS "sim_isee_cents?",
                   sim_ise_cents AS "sim_ise_cents?", sim_report AS "sim_report?",
                   sim_actor AS "sim_actor?", sim_at_us AS "sim_at_us?", actor AS "actor!",
                   at_us AS "at_us!"
               FROM isee_attestation WHERE org_id = $1 AND person_id = $2
               ORDER BY submitted_on DESC, at_us DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(attestation!(r))).collect()
    }

    async fn set_attestation_simulation(
        &self,
        org_id: Uuid,
        id: Uuid,
        s: &Simulation,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE isee_attestation SET sim_isee_cents = $3, sim_ise_cents = $4, sim_report = $5,
                 sim_actor = $6, sim_at_us = $7
             WHERE org_id = $1 AND id = $2",
            org_id,
            id,
            s.isee.cents(),
            s.ise.cents(),
            s.report,
            s.actor,
            s.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn create_application(
        &self,
        a: &Application,
        e: &ApplicationEvent,
        audit: &NewAudit,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let protocol = insert_application(&mut tx, a, e).await?;
        super::audit::commit_with(tx, audit).await?;
        Ok(protocol)
    }

    async fn change_application_state(
        &self,
        a: &Application,
        e: &ApplicationEvent,
        deliveries: &[Delivery],
        audit: &NewAudit,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        save_application(&mut tx, a).await?;
        insert_event(&mut tx, e).await?;
        for d in deliveries {
            sqlx::query!(
                "INSERT INTO delivery (id, org_id, application_id, month, status, quantity,
                     amount_cents, co_payment_cents, note, actor, at_us, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                d.id,
                d.org_id,
                d.application_id,
                d.month,
                d.status.as_str(),
                d.quantity,
                d.amount.cents(),
                d.co_payment.cents(),
                d.note,
                d.actor,
                d.at_us,
                d.version
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        let protocol = number_if_submitted(&mut tx, a).await?;
        issue_act(&mut tx, a, e).await?;
        follow_matter(&mut tx, a, e).await?;
        super::audit::commit_with(tx, audit).await?;
        Ok(protocol)
    }

    async fn application_acts(&self, org_id: Uuid, application_id: Uuid) -> Result<Vec<Act>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", kind AS "kind!",
                   year AS "year!", number AS "number!", issued_on AS "issued_on!: Date",
                   application_id AS "application_id!: Uuid", event_id AS "event_id!: Uuid",
                   actor AS "actor!"
               FROM act WHERE org_id = $1 AND application_id = $2
               ORDER BY issued_on, id"#,
            org_id,
            application_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(act!(r))).collect()
    }

    async fn list_acts(
        &self,
        org_id: Uuid,
        year: i32,
        kind: Option<ActKind>,
    ) -> Result<Vec<ActView>> {
        let rows = sqlx::query!(
            r#"SELECT t.id AS "id!: Uuid", t.org_id AS "org_id!: Uuid", t.kind AS "kind!",
                   t.year AS "year!", t.number AS "number!", t.issued_on AS "issued_on!: Date",
                   t.application_id AS "application_id!: Uuid", t.event_id AS "event_id!: Uuid",
                   t.actor AS "actor!", a.protocol AS "protocol?", p.surname AS "surname!",
                   p.given_names AS "given_names!", b.name AS "benefit_name!",
                   e.to_state AS "to_state!"
               FROM act t JOIN application a ON a.id = t.application_id
                   JOIN person p ON p.id = a.person_id
                   JOIN benefit b ON b.id = a.benefit_id
                   JOIN application_event e ON e.id = t.event_id
               WHERE t.org_id = $1 AND t.year = $2 AND ($3 = '' OR t.kind = $3)
               ORDER BY t.kind, t.number"#,
            org_id,
            i64::from(year),
            kind.map_or("", ActKind::as_str)
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ActView {
                    act: act!(r),
                    protocol: r.protocol,
                    surname: r.surname,
                    given_names: r.given_names,
                    benefit_name: r.benefit_name,
                    state: coded("to_state", &r.to_state, ApplicationState::parse)?,
                })
            })
            .collect()
    }

    async fn update_application(&self, a: &Application, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        save_application(&mut tx, a).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_application(&self, org_id: Uuid, id: Uuid) -> Result<ApplicationView> {
        let r = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.person_id AS "person_id!: Uuid", a.benefit_id AS "benefit_id!: Uuid",
                   a.protocol AS "protocol?", a.state AS "state!", a.channel AS "channel!",
                   a.filed_by AS "filed_by!: Uuid", a.reviewer_id AS "reviewer_id?: Uuid",
                   a.attestation_id AS "attestation_id?: Uuid", a.declared AS "declared!",
                   a.outcome AS "outcome?", a.rule_id AS "rule_id?: Uuid",
                   a.amount_cents AS "amount_cents?", a.committed_cents AS "committed_cents!",
                   a.email AS "email?", a.notes AS "notes!",
                   a.submitted_on AS "submitted_on?: Date", a.due_on AS "due_on?: Date",
                   a.suspended_since AS "suspended_since?: Date",
                   a.notice_on AS "notice_on?: Date", a.decided_on AS "decided_on?: Date",
                   a.decision_note AS "decision_note!", a.version AS "version!",
                   a.created_at_us AS "created_at_us!", p.surname AS "surname!",
                   p.given_names AS "given_names!", p.codice_fiscale AS "codice_fiscale?",
                   b.code AS "benefit_code!", b.name AS "benefit_name!",
                   b.isee_variant AS "isee_variant?", t.valid_until AS "isee_valid_until?: Date",
                   t.isee_cents AS "isee_cents?", u.full_name AS "filed_by_name!"
               FROM application a JOIN person p ON p.id = a.person_id
                   JOIN benefit b ON b.id = a.benefit_id
                   JOIN app_user u ON u.id = a.filed_by
                   LEFT JOIN isee_attestation t ON t.id = a.attestation_id
               WHERE a.org_id = $1 AND a.id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(application_view!(r))
    }

    async fn list_applications(
        &self,
        org_id: Uuid,
        f: &ApplicationFilter,
    ) -> Result<Vec<ApplicationView>> {
        let (mine, to_review, overdue, awaiting, isee_missing) = match f.list {
            Worklist::All => (None, 0_i32, None, 0_i32, None),
            Worklist::Mine(u) => (Some(u), 0, None, 0, None),
            Worklist::ToReview => (None, 1, None, 0, None),
            Worklist::Overdue(d) => (None, 1, Some(d), 0, None),
            Worklist::AwaitingDocuments => (None, 0, None, 1, None),
            Worklist::IseeMissing(d) => (None, 0, None, 0, Some(d)),
        };
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.person_id AS "person_id!: Uuid", a.benefit_id AS "benefit_id!: Uuid",
                   a.protocol AS "protocol?", a.state AS "state!", a.channel AS "channel!",
                   a.filed_by AS "filed_by!: Uuid", a.reviewer_id AS "reviewer_id?: Uuid",
                   a.attestation_id AS "attestation_id?: Uuid", a.declared AS "declared!",
                   a.outcome AS "outcome?", a.rule_id AS "rule_id?: Uuid",
                   a.amount_cents AS "amount_cents?", a.committed_cents AS "committed_cents!",
                   a.email AS "email?", a.notes AS "notes!",
                   a.submitted_on AS "submitted_on?: Date", a.due_on AS "due_on?: Date",
                   a.suspended_since AS "suspended_since?: Date",
                   a.notice_on AS "notice_on?: Date", a.decided_on AS "decided_on?: Date",
                   a.decision_note AS "decision_note!", a.version AS "version!",
                   a.created_at_us AS "created_at_us!", p.surname AS "surname!",
                   p.given_names AS "given_names!", p.codice_fiscale AS "codice_fiscale?",
                   b.code AS "benefit_code!", b.name AS "benefit_name!",
                   b.isee_variant AS "isee_variant?", t.valid_until AS "isee_valid_until?: Date",
                   t.isee_cents AS "isee_cents?", u.full_name AS "filed_by_name!"
               FROM application a JOIN person p ON p.id = a.person_id
                   JOIN benefit b ON b.id = a.benefit_id
                   JOIN app_user u ON u.id = a.filed_by
                   LEFT JOIN isee_attestation t ON t.id = a.attestation_id
               WHERE a.org_id = $1
                 AND (a.state = $2 OR $2 IS NULL)
                 AND (a.benefit_id = $3 OR $3 IS NULL)
                 AND (a.filed_by = $4 OR $4 IS NULL)
                 AND (a.filed_by = $5 OR a.reviewer_id = $5 OR $5 IS NULL)
                 AND (a.state IN ('presentata', 'in_istruttoria') OR $6 = 0)
                 AND (a.due_on < $7 OR $7 IS NULL)
                 AND (a.state = 'integrazione_richiesta' OR $8 = 0)
                 AND ((b.isee_variant IS NOT NULL
                       AND a.state NOT IN ('respinta', 'archiviata', 'conclusa')
                       AND (t.valid_until IS NULL OR t.valid_until < $9)) OR $9 IS NULL)
                 AND (a.person_id = $10 OR $10 IS NULL)
                 AND (a.protocol = $13 OR $13 IS NULL)
                 AND (p.codice_fiscale = $14 OR $14 IS NULL)
                 AND (' ' || p.search_key LIKE $15 OR ' ' || p.search_key_rev LIKE $15
                      OR $15 IS NULL)
               ORDER BY a.created_at_us DESC LIMIT $11 OFFSET $12"#,
            org_id,
            f.state.map(ApplicationState::as_str),
            f.benefit_id,
            f.filed_by,
            mine,
            to_review,
            overdue,
            awaiting,
            isee_missing,
            f.person_id,
            f.limit,
            f.offset,
            f.search.protocol,
            f.search.codice_fiscale,
            // Name keys are folded words joined by single blanks and the typed words hold
            // only letters and digits, so no word carries a LIKE wildcard.
            f.search.name.as_ref().map(|n| format!("% {n}%"))
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(application_view!(r))).collect()
    }

    async fn worklist_counts(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        filed_by: Option<Uuid>,
        today: Date,
    ) -> Result<WorklistCounts> {
        let r = sqlx::query!(
            r#"SELECT COUNT(*) AS "all!: i64",
                   CAST(COALESCE(SUM(CASE WHEN a.filed_by = $2 OR a.reviewer_id = $2
                       THEN 1 ELSE 0 END), 0) AS BIGINT) AS "mine!: i64",
                   CAST(COALESCE(SUM(CASE WHEN a.state IN ('presentata', 'in_istruttoria')
                       THEN 1 ELSE 0 END), 0) AS BIGINT) AS "to_review!: i64",
                   CAST(COALESCE(SUM(CASE WHEN a.state IN ('presentata', 'in_istruttoria')
                       AND a.due_on < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS "overdue!: i64",
                   CAST(COALESCE(SUM(CASE WHEN a.state = 'integrazione_richiesta'
                       THEN 1 ELSE 0 END), 0) AS BIGINT) AS "awaiting!: i64",
                   CAST(COALESCE(SUM(CASE WHEN b.isee_variant IS NOT NULL
                       AND a.state NOT IN ('respinta', 'archiviata', 'conclusa')
                       AND (t.valid_until IS NULL OR t.valid_until < $3)
                       THEN 1 ELSE 0 END), 0) AS BIGINT) AS "isee_missing!: i64"
               FROM application a JOIN benefit b ON b.id = a.benefit_id
                   LEFT JOIN isee_attestation t ON t.id = a.attestation_id
               WHERE a.org_id = $1 AND (a.filed_by = $4 OR $4 IS NULL)"#,
            org_id,
            user_id,
            today,
            filed_by
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(WorklistCounts {
            all: r.all,
            mine: r.mine,
            to_review: r.to_review,
            overdue: r.overdue,
            awaiting_documents: r.awaiting,
            isee_missing: r.isee_missing,
        })
    }

    async fn application_events(
        &self,
        org_id: Uuid,
        application_id: Uuid,
    ) -> Result<Vec<ApplicationEvent>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   application_id AS "application_id!: Uuid", from_state AS "from_state?",
                   to_state AS "to_state!", note AS "note!",
                   observations AS "observations?: bool", actor AS "actor!", at_us AS "at_us!"
               FROM application_event WHERE org_id = $1 AND application_id = $2
               ORDER BY at_us, id"#,
            org_id,
            application_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ApplicationEvent {
                    id: r.id,
                    org_id: r.org_id,
                    application_id: r.application_id,
                    from: r
                        .from_state
                        .map(|s| coded("from_state", &s, ApplicationState::parse))
                        .transpose()?,
                    to: coded("to_state", &r.to_state, ApplicationState::parse)?,
                    note: r.note,
                    observations: r.observations,
                    actor: r.actor,
                    at_us: r.at_us,
                })
            })
            .collect()
    }

    async fn add_application_document(
        &self,
        d: &ApplicationDocument,
        content: &[u8],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_document(&mut tx, d, content).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn application_documents(
        &self,
        org_id: Uuid,
        application_id: Uuid,
    ) -> Result<Vec<ApplicationDocument>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   application_id AS "application_id!: Uuid", requirement AS "requirement!",
                   file_name AS "file_name!", content_type AS "content_type!",
                   size_bytes AS "size_bytes!", sha256 AS "sha256!", actor AS "actor!",
                   at_us AS "at_us!", by_citizen AS "by_citizen!: bool"
               FROM application_document WHERE org_id = $1 AND application_id = $2
               ORDER BY at_us"#,
            org_id,
            application_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| application_document!(r)).collect())
    }

    async fn application_document_content(
        &self,
        org_id: Uuid,
        id: Uuid,
    ) -> Result<(ApplicationDocument, Vec<u8>)> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   application_id AS "application_id!: Uuid", requirement AS "requirement!",
                   file_name AS "file_name!", content_type AS "content_type!",
                   size_bytes AS "size_bytes!", sha256 AS "sha256!", actor AS "actor!",
                   at_us AS "at_us!", by_citizen AS "by_citizen!: bool", content AS "content!"
               FROM application_document WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let content = r.content.clone();
        Ok((application_document!(r), content))
    }

    async fn add_application_message(
        &self,
        m: &ApplicationMessage,
        document: Option<(&ApplicationDocument, &[u8])>,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if let Some((d, content)) = document {
            insert_document(&mut tx, d, content).await?;
        }
        sqlx::query!(
            "INSERT INTO application_message (id, org_id, application_id, kind, from_office,
                 author_id, author_name, body, document_id, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            m.id,
            m.org_id,
            m.application_id,
            m.kind.as_str(),
            m.from_office,
            m.author_id,
            m.author_name,
            m.body,
            m.document_id,
            m.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn application_messages(
        &self,
        org_id: Uuid,
        application_id: Uuid,
    ) -> Result<Vec<ApplicationMessage>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   application_id AS "application_id!: Uuid", kind AS "kind!",
                   from_office AS "from_office!: bool", author_id AS "author_id!: Uuid",
                   author_name AS "author_name!", body AS "body!",
                   document_id AS "document_id?: Uuid", at_us AS "at_us!"
               FROM application_message WHERE org_id = $1 AND application_id = $2
               ORDER BY at_us, id"#,
            org_id,
            application_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ApplicationMessage {
                    id: r.id,
                    org_id: r.org_id,
                    application_id: r.application_id,
                    kind: coded("kind", &r.kind, MessageKind::parse)?,
                    from_office: r.from_office,
                    author_id: r.author_id,
                    author_name: r.author_name,
                    body: r.body,
                    document_id: r.document_id,
                    at_us: r.at_us,
                })
            })
            .collect()
    }

    async fn application_deliveries(
        &self,
        org_id: Uuid,
        application_id: Uuid,
    ) -> Result<Vec<Delivery>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   application_id AS "application_id!: Uuid", month AS "month!: Date",
                   status AS "status!", quantity AS "quantity?", amount_cents AS "amount_cents!",
                   co_payment_cents AS "co_payment_cents!", note AS "note!", actor AS "actor!",
                   at_us AS "at_us!", version AS "version!"
               FROM delivery WHERE org_id = $1 AND application_id = $2 ORDER BY month"#,
            org_id,
            application_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Delivery {
                    id: r.id,
                    org_id: r.org_id,
                    application_id: r.application_id,
                    month: r.month,
                    status: coded("status", &r.status, DeliveryStatus::parse)?,
                    quantity: r.quantity,
                    amount: Money(r.amount_cents),
                    co_payment: Money(r.co_payment_cents),
                    note: r.note,
                    actor: r.actor,
                    at_us: r.at_us,
                    version: r.version,
                })
            })
            .collect()
    }

    async fn update_delivery(&self, d: &Delivery, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE delivery SET status = $3, quantity = $4, amount_cents = $5,
                 co_payment_cents = $6, note = $7, actor = $8, at_us = $9, version = $10
             WHERE org_id = $1 AND id = $2 AND version = $11",
            d.org_id,
            d.id,
            d.status.as_str(),
            d.quantity,
            d.amount.cents(),
            d.co_payment.cents(),
            d.note,
            d.actor,
            d.at_us,
            d.version,
            d.version - 1
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn suspend_deliveries(
        &self,
        org_id: Uuid,
        application_id: Uuid,
        from_month: Date,
        suspend: bool,
        audit: &NewAudit,
    ) -> Result<u64> {
        let (from, to) = if suspend {
            (DeliveryStatus::Planned, DeliveryStatus::Suspended)
        } else {
            (DeliveryStatus::Suspended, DeliveryStatus::Planned)
        };
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE delivery SET status = $5, version = version + 1
             WHERE org_id = $1 AND application_id = $2 AND month >= $3 AND status = $4",
            org_id,
            application_id,
            from_month,
            from.as_str(),
            to.as_str()
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        // Nothing changed, nothing to record: the transaction is dropped, rolled back.
        if done.rows_affected() == 0 {
            return Ok(0);
        }
        super::audit::commit_with(tx, audit).await?;
        Ok(done.rows_affected())
    }
}

/// Writes every field that changes during the procedure, if the application is still at
/// `a.version - 1` (compare and set).
async fn save_application(tx: &mut super::Tx, a: &Application) -> Result<()> {
    let done = sqlx::query!(
        "UPDATE application SET state = $3, reviewer_id = $4, attestation_id = $5, declared = $6,
             outcome = $7, rule_id = $8, amount_cents = $9, committed_cents = $10, email = $11,
             notes = $12, submitted_on = $13, due_on = $14, suspended_since = $15,
             notice_on = $16, decided_on = $17, decision_note = $18, version = $19
         WHERE org_id = $1 AND id = $2 AND version = $20",
        a.org_id,
        a.id,
        a.state.as_str(),
        a.reviewer_id,
        a.attestation_id,
        serde_json::to_string(&a.declared).unwrap_or_default(),
        a.outcome.as_ref().map(Outcome::to_json),
        a.rule_id,
        a.amount.map(Money::cents),
        a.committed.cents(),
        a.email,
        a.notes,
        a.submitted_on,
        a.due_on,
        a.suspended_since,
        a.notice_on,
        a.decided_on,
        a.decision_note,
        a.version,
        a.version - 1
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    compared(done.rows_affected())?;
    Ok(())
}
