use super::benefit::insert_application;
use super::registry::insert_chunks;
use super::{Backend, all_rows, coded, compared, map_err, parse_col};
use super::{Db, Kind, Tx};
use domain::application::{ApplicationState, CallFunding};
use domain::call::{
    Answers, Breakdown, CallData, RankLine, RankOutcome, RankRow, RankingStage, ScoringFacts,
    ScoringRules,
};
use domain::money::Money;
use store::{
    Application, ApplicationEvent, Call, CallApplication, CallEntry, CallRules, CallStore,
    CallSummary, Candidacy, NewAudit, Ranking, RankingEntry, Result,
};
use time::Date;
use uuid::Uuid;

/// Ranking rows per INSERT statement: 13 columns, well under either backend's limit of
/// bound parameters.
const RANKING_ROWS: usize = 1_000;

/// What the ranking reads of an application's stored outcome.
#[derive(serde::Deserialize)]
struct Eligibility {
    eligible: bool,
}

/// Whether the stored outcome (if any) found the application eligible, without reading the
/// rest of it.
fn eligible(outcome: Option<&str>) -> Result<Option<bool>> {
    outcome
        .map(|o| json::<Eligibility>("outcome", o).map(|e| e.eligible))
        .transpose()
}

fn json<T: serde::de::DeserializeOwned>(column: &'static str, raw: &str) -> Result<T> {
    parse_col(column, serde_json::from_str(raw))
}

/// Builds a `Call` from a query record with its columns.
macro_rules! call {
    ($r:expr) => {
        Call {
            id: $r.id,
            org_id: $r.org_id,
            data: CallData {
                title: $r.title,
                benefit_id: $r.benefit_id,
                opens_on: $r.opens_on,
                closes_on: $r.closes_on,
                budget: Money($r.budget_cents),
                partial_last: $r.partial_last,
                one_per_household: $r.one_per_household,
                publication_text: $r.publication_text,
                questions: json("questions", &$r.questions)?,
            },
            version: $r.version,
            actor: $r.actor,
            created_at_us: $r.created_at_us,
        }
    };
}

async fn insert_rules(tx: &mut Tx, r: &CallRules) -> Result<()> {
    sqlx::query!(
        "INSERT INTO call_rules (id, org_id, call_id, number, rules, actor, at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        r.id,
        r.org_id,
        r.call_id,
        r.number,
        r.rules.to_json(),
        r.actor,
        r.at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

impl CallStore for Db {
    async fn create_call(&self, c: &Call, rules: &CallRules, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let d = &c.data;
        sqlx::query!(
            "INSERT INTO benefit_call (id, org_id, benefit_id, title, opens_on, closes_on,
                 budget_cents, partial_last, one_per_household, publication_text, questions,
                 version, actor, created_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            c.id,
            c.org_id,
            d.benefit_id,
            d.title,
            d.opens_on,
            d.closes_on,
            d.budget.cents(),
            d.partial_last,
            d.one_per_household,
            d.publication_text,
            serde_json::to_string(&d.questions).unwrap_or_default(),
            c.version,
            c.actor,
            c.created_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_rules(&mut tx, rules).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn update_call(&self, c: &Call, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let d = &c.data;
        let done = sqlx::query!(
            "UPDATE benefit_call SET title = $3, opens_on = $4, closes_on = $5,
                 budget_cents = $6, partial_last = $7, one_per_household = $8,
                 publication_text = $9, questions = $10, version = $11
             WHERE org_id = $1 AND id = $2 AND version + 1 = $11",
            c.org_id,
            c.id,
            d.title,
            d.opens_on,
            d.closes_on,
            d.budget.cents(),
            d.partial_last,
            d.one_per_household,
            d.publication_text,
            serde_json::to_string(&d.questions).unwrap_or_default(),
            c.version
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_call(&self, org_id: Uuid, id: Uuid) -> Result<Call> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   benefit_id AS "benefit_id!: Uuid", title AS "title!",
                   opens_on AS "opens_on!: Date", closes_on AS "closes_on!: Date",
                   budget_cents AS "budget_cents!", partial_last AS "partial_last!: bool",
                   one_per_household AS "one_per_household!: bool",
                   publication_text AS "publication_text!", questions AS "questions!",
                   version AS "version!", actor AS "actor!", created_at_us AS "created_at_us!"
               FROM benefit_call WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(call!(r))
    }

    async fn list_calls(&self, org_id: Uuid) -> Result<Vec<CallSummary>> {
        let rows = sqlx::query!(
            r#"SELECT c.id AS "id!: Uuid", c.org_id AS "org_id!: Uuid",
                   c.benefit_id AS "benefit_id!: Uuid", c.title AS "title!",
                   c.opens_on AS "opens_on!: Date", c.closes_on AS "closes_on!: Date",
                   c.budget_cents AS "budget_cents!", c.partial_last AS "partial_last!: bool",
                   c.one_per_household AS "one_per_household!: bool",
                   c.publication_text AS "publication_text!", c.questions AS "questions!",
                   c.version AS "version!", c.actor AS "actor!",
                   c.created_at_us AS "created_at_us!", b.name AS "benefit_name!",
                   (SELECT COUNT(*) FROM call_application e WHERE e.call_id = c.id)
                       AS "applications!: i64",
                   r.stage AS "stage?"
               FROM benefit_call c
               JOIN benefit b ON b.id = c.benefit_id
               LEFT JOIN ranking r ON r.call_id = c.id
               WHERE c.org_id = $1
               ORDER BY c.opens_on DESC, c.id DESC"#,
            org_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let stage = match r.stage.as_deref() {
                    Some(s) => Some(coded("stage", s, RankingStage::parse)?),
                    None => None,
                };
                Ok(CallSummary {
                    benefit_name: r.benefit_name.clone(),
                    applications: r.applications,
                    stage,
                    call: call!(r),
                })
            })
            .collect()
    }

    async fn add_call_rules(&self, rules: &CallRules, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_rules(&mut tx, rules).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn call_rules(&self, org_id: Uuid, call_id: Uuid) -> Result<Vec<CallRules>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", number AS "number!", rules AS "rules!",
                   actor AS "actor!", at_us AS "at_us!"
               FROM call_rules WHERE org_id = $1 AND call_id = $2 ORDER BY number"#,
            org_id,
            call_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(CallRules {
                    id: r.id,
                    org_id,
                    call_id,
                    number: r.number,
                    rules: parse_col("rules", ScoringRules::from_json(&r.rules))?,
                    actor: r.actor,
                    at_us: r.at_us,
                })
            })
            .collect()
    }

    async fn file_call_application(
        &self,
        a: &Application,
        e: &ApplicationEvent,
        entry: &CallApplication,
        audit: &NewAudit,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let protocol = insert_application(&mut tx, a, e).await?;
        sqlx::query!(
            "INSERT INTO call_application (application_id, org_id, call_id, person_id,
                 household_id, answers, facts)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            entry.application_id,
            entry.org_id,
            entry.call_id,
            entry.person_id,
            entry.household_id,
            serde_json::to_string(&entry.answers).unwrap_or_default(),
            serde_json::to_string(&entry.facts).unwrap_or_default()
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await?;
        Ok(protocol)
    }

    async fn call_filed(
        &self,
        org_id: Uuid,
        call_id: Uuid,
        person_id: Uuid,
        household_id: Option<Uuid>,
    ) -> Result<Option<String>> {
        let r = sqlx::query!(
            r#"SELECT a.protocol AS "protocol?"
               FROM call_application e JOIN application a ON a.id = e.application_id
               WHERE e.org_id = $1 AND e.call_id = $2
                 AND (e.person_id = $3 OR e.household_id = $4)
               ORDER BY a.protocol LIMIT 1"#,
            org_id,
            call_id,
            person_id,
            household_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.map(|r| r.protocol.unwrap_or_default()))
    }

    async fn call_entries(&self, org_id: Uuid, call_id: Uuid) -> Result<Vec<CallEntry>> {
        let rows = sqlx::query!(
            r#"SELECT e.application_id AS "application_id!: Uuid",
                   e.person_id AS "person_id!: Uuid", e.household_id AS "household_id?: Uuid",
                   e.answers AS "answers!", e.facts AS "facts!", a.protocol AS "protocol?",
                   a.state AS "state!", a.outcome AS "outcome?",
                   a.committed_cents AS "committed_cents!", p.surname AS "surname!",
                   p.given_names AS "given_names!"
               FROM call_application e
               JOIN application a ON a.id = e.application_id
               JOIN person p ON p.id = e.person_id
               WHERE e.org_id = $1 AND e.call_id = $2
               ORDER BY a.protocol, e.application_id"#,
            org_id,
            call_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let eligible = eligible(r.outcome.as_deref())?;
                Ok(CallEntry {
                    entry: CallApplication {
                        application_id: r.application_id,
                        org_id,
                        call_id,
                        person_id: r.person_id,
                        household_id: r.household_id,
                        answers: json::<Answers>("answers", &r.answers)?,
                        facts: json::<ScoringFacts>("facts", &r.facts)?,
                    },
                    protocol: r.protocol,
                    state: coded("state", &r.state, ApplicationState::parse)?,
                    eligible,
                    committed: Money(r.committed_cents),
                    surname: r.surname,
                    given_names: r.given_names,
                })
            })
            .collect()
    }

    async fn call_candidacies(&self, org_id: Uuid, call_id: Uuid) -> Result<Vec<Candidacy>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT e.application_id AS "application_id!: Uuid", e.facts AS "facts!",
                   a.protocol AS "protocol?", a.state AS "state!", a.outcome AS "outcome?",
                   a.committed_cents AS "committed_cents!"
               FROM call_application e
               JOIN application a ON a.id = e.application_id
               WHERE e.org_id = $1 AND e.call_id = $2"#,
                org_id,
                call_id
            ),
            |r| {
                Ok(Candidacy {
                    application_id: r.application_id,
                    protocol: r.protocol,
                    state: coded("state", &r.state, ApplicationState::parse)?,
                    eligible: eligible(r.outcome.as_deref())?,
                    committed: Money(r.committed_cents),
                    facts: json::<ScoringFacts>("facts", &r.facts)?,
                })
            },
        )
        .await
    }

    async fn save_ranking(&self, k: &Ranking, rows: &[RankRow], audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        // The first ranking inserts (a second first one finds the row and conflicts); later
        // ones update the version they read.
        let done = sqlx::query!(
            "INSERT INTO ranking (call_id, org_id, rules_id, stage, appeals_until, budget_cents,
                 version, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (call_id) DO UPDATE SET rules_id = $3, stage = $4,
                 appeals_until = $5, budget_cents = $6, version = $7, actor = $8, at_us = $9
             WHERE ranking.version = $7 - 1",
            k.call_id,
            k.org_id,
            k.rules_id,
            k.stage.as_str(),
            k.appeals_until,
            k.budget.cents(),
            k.version,
            k.actor,
            k.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        sqlx::query!(
            "DELETE FROM ranking_row WHERE org_id = $1 AND call_id = $2",
            k.org_id,
            k.call_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let numbered: Vec<(i64, &RankRow)> = (0i64..).zip(rows).collect();
        insert_chunks(&mut tx, &numbered, RANKING_ROWS, |chunk| {
            let mut qb = sqlx::QueryBuilder::<Kind>::new(
                "INSERT INTO ranking_row (call_id, application_id, org_id, seq, position,
                     protocol, score, isee_cents, requested_cents, funded_cents, outcome,
                     reason, breakdown) ",
            );
            qb.push_values(chunk, |mut b, (seq, r)| {
                b.push_bind(k.call_id)
                    .push_bind(r.application_id)
                    .push_bind(k.org_id)
                    .push_bind(*seq)
                    .push_bind(r.position.map(i64::from))
                    .push_bind(r.protocol.as_str())
                    .push_bind(i64::from(r.score))
                    .push_bind(r.isee.map(Money::cents))
                    .push_bind(r.requested.cents())
                    .push_bind(r.funded.cents())
                    .push_bind(r.outcome.as_str())
                    .push_bind(r.reason.as_str())
                    .push_bind(serde_json::to_string(&r.breakdown).unwrap_or_default());
            });
            qb
        })
        .await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn ranking(&self, org_id: Uuid, call_id: Uuid) -> Result<Option<Ranking>> {
        let r = sqlx::query!(
            r#"SELECT rules_id AS "rules_id!: Uuid", stage AS "stage!",
                   appeals_until AS "appeals_until!: Date", budget_cents AS "budget_cents!",
                   version AS "version!", actor AS "actor!", at_us AS "at_us!"
               FROM ranking WHERE org_id = $1 AND call_id = $2"#,
            org_id,
            call_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        r.map(|r| {
            Ok(Ranking {
                call_id,
                org_id,
                rules_id: r.rules_id,
                stage: coded("stage", &r.stage, RankingStage::parse)?,
                appeals_until: r.appeals_until,
                budget: Money(r.budget_cents),
                version: r.version,
                actor: r.actor,
                at_us: r.at_us,
            })
        })
        .transpose()
    }

    async fn ranking_rows(&self, org_id: Uuid, call_id: Uuid) -> Result<Vec<RankingEntry>> {
        let rows = sqlx::query!(
            r#"SELECT k.application_id AS "application_id!: Uuid", k.position AS "position?",
                   k.protocol AS "protocol!", k.score AS "score!", k.isee_cents AS "isee_cents?",
                   k.requested_cents AS "requested_cents!", k.funded_cents AS "funded_cents!",
                   k.outcome AS "outcome!", k.reason AS "reason!", k.breakdown AS "breakdown!",
                   a.state AS "state!", p.surname AS "surname!", p.given_names AS "given_names!",
                   e.facts AS "facts!"
               FROM ranking_row k JOIN application a ON a.id = k.application_id
               JOIN person p ON p.id = a.person_id
               JOIN call_application e ON e.application_id = k.application_id
               WHERE k.org_id = $1 AND k.call_id = $2
               ORDER BY k.seq"#,
            org_id,
            call_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let int = |column: &'static str, v: i64| parse_col(column, u32::try_from(v));
        rows.into_iter()
            .map(|r| {
                Ok(RankingEntry {
                    row: RankRow {
                        position: r.position.map(|p| int("position", p)).transpose()?,
                        application_id: r.application_id,
                        protocol: r.protocol,
                        score: int("score", r.score)?,
                        isee: r.isee_cents.map(Money),
                        requested: Money(r.requested_cents),
                        funded: Money(r.funded_cents),
                        outcome: coded("outcome", &r.outcome, RankOutcome::parse)?,
                        reason: r.reason,
                        breakdown: json::<Breakdown>("breakdown", &r.breakdown)?,
                    },
                    state: coded("state", &r.state, ApplicationState::parse)?,
                    name: format!("{} {}", r.surname, r.given_names),
                    facts: json::<ScoringFacts>("facts", &r.facts)?,
                })
            })
            .collect()
    }

    async fn ranking_lines(&self, org_id: Uuid, call_id: Uuid) -> Result<Vec<RankLine>> {
        let int = |column: &'static str, v: i64| parse_col(column, u32::try_from(v));
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT position AS "position?", protocol AS "protocol!", score AS "score!",
                   outcome AS "outcome!"
               FROM ranking_row WHERE org_id = $1 AND call_id = $2 ORDER BY seq"#,
                org_id,
                call_id
            ),
            |r| {
                Ok(RankLine {
                    position: r.position.map(|p| int("position", p)).transpose()?,
                    protocol: r.protocol,
                    score: int("score", r.score)?,
                    outcome: coded("outcome", &r.outcome, RankOutcome::parse)?,
                })
            },
        )
        .await
    }

    async fn call_funding(
        &self,
        org_id: Uuid,
        application_id: Uuid,
    ) -> Result<Option<CallFunding>> {
        let r = sqlx::query!(
            r#"SELECT c.title AS "title!", k.outcome AS "outcome!",
                   k.funded_cents AS "funded_cents!"
               FROM call_application e
               JOIN ranking g ON g.call_id = e.call_id
               JOIN ranking_row k ON k.call_id = e.call_id AND k.application_id = e.application_id
               JOIN benefit_call c ON c.id = e.call_id
               WHERE e.org_id = $1 AND e.application_id = $2 AND g.stage = 'definitiva'"#,
            org_id,
            application_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        r.map(|r| {
            Ok(CallFunding {
                title: r.title,
                outcome: coded("outcome", &r.outcome, RankOutcome::parse)?,
                funded: Money(r.funded_cents),
            })
        })
        .transpose()
    }
}
