use super::compared;
use super::{Backend, Db};
use super::{coded, map_err};
use domain::benefit::{Area, DeliveryKind, Periodicity, siuss_label};
use domain::money::Money;
use domain::siuss::exchange::Outcome;
use domain::siuss::{
    AssessmentFacts, Beneficiary, DeliveryFacts, Dsu, Intervention, Operation, RecordKind,
};
use std::collections::HashMap;
use store::{
    NewAudit, Result, ServedFlow, SiussFlow, SiussMonth, SiussOutcome, SiussProblemRow,
    SiussSender, SiussStore, StoreError,
};
use time::Date;
use uuid::Uuid;

/// The beneficiary of a record from a query row with the person's columns (`person_id`,
/// `codice_fiscale`, names, sex, birth, citizenship, `residence_istat`).
macro_rules! beneficiary {
    ($r:expr) => {
        Beneficiary {
            id: $r.person_id,
            codice_fiscale: $r.codice_fiscale,
            surname: $r.surname,
            given_names: $r.given_names,
            sex: $r.sex,
            birth_date: $r.birth_date,
            birthplace_code: $r.birthplace_code,
            citizenship: $r.citizenship,
            residence_istat: $r.residence_istat,
        }
    };
}

impl SiussStore for Db {
    async fn siuss_sender(&self, org_id: Uuid) -> Result<Option<SiussSender>> {
        let r = sqlx::query!(
            r#"SELECT ente_code AS "ente_code!", seat_belfiore AS "seat_belfiore!",
                   operator_cf AS "operator_cf!", pseudonym_key AS "pseudonym_key!",
                   version AS "version!", actor AS "actor!", at_us AS "at_us!"
               FROM siuss_sender WHERE org_id = $1"#,
            org_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.map(|r| SiussSender {
            org_id,
            ente_code: r.ente_code,
            seat_belfiore: r.seat_belfiore,
            operator_cf: r.operator_cf,
            pseudonym_key: r.pseudonym_key,
            version: r.version,
            actor: r.actor,
            at_us: r.at_us,
        }))
    }

    async fn save_siuss_sender(&self, s: &SiussSender, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        // The first save inserts (a second first save finds the row and conflicts); later
        // ones update the version they read. The pseudonyms' secret is never changed.
        let done = sqlx::query!(
            "INSERT INTO siuss_sender (org_id, ente_code, seat_belfiore, operator_cf,
                 pseudonym_key, version, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (org_id) DO UPDATE SET ente_code = $2, seat_belfiore = $3,
                 operator_cf = $4, version = $6, actor = $7, at_us = $8
             WHERE siuss_sender.version = $6 - 1",
            s.org_id,
            s.ente_code,
            s.seat_belfiore,
            s.operator_cf,
            s.pseudonym_key,
            s.version,
            s.actor,
            s.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn siuss_deliveries(
        &self,
        org_id: Uuid,
        first: Date,
        last: Date,
    ) -> Result<Vec<DeliveryFacts>> {
        let rows = sqlx::query!(
            r#"SELECT d.id AS "delivery_id!: Uuid", a.id AS "application_id!: Uuid",
                   a.protocol AS "protocol?", b.id AS "benefit_id!: Uuid",
                   b.name AS "benefit_name!", b.siuss_code AS "siuss_code!",
                   b.periodicity AS "periodicity!", b.isee_variant AS "isee_variant?",
                   b.area AS "area!", b.delivery AS "delivery_kind!", d.month AS "month!: Date",
                   d.quantity AS "quantity?", d.amount_cents AS "amount_cents!",
                   d.co_payment_cents AS "co_payment_cents!", t.protocol AS "dsu_protocol?",
                   t.submitted_on AS "dsu_submitted_on?: Date",
                   EXISTS (SELECT 1 FROM case_file c
                           WHERE c.org_id = a.org_id AND c.person_id = a.person_id
                             AND c.state <> 'chiusa') AS "in_care!: bool",
                   p.id AS "person_id!: Uuid", p.codice_fiscale AS "codice_fiscale?",
                   p.surname AS "surname!", p.given_names AS "given_names!", p.sex AS "sex!",
                   p.birth_date AS "birth_date!: Date", p.birthplace_code AS "birthplace_code!",
                   p.citizenship AS "citizenship!",
                   COALESCE(p.residence_istat, p.domicile_istat) AS "residence_istat?"
               FROM delivery d
               JOIN application a ON a.id = d.application_id
               JOIN benefit b ON b.id = a.benefit_id
               JOIN person p ON p.id = a.person_id
               LEFT JOIN isee_attestation t ON t.id = a.attestation_id
               WHERE d.org_id = $1 AND d.month >= $2 AND d.month <= $3 AND d.status = 'erogata'
               ORDER BY p.surname, p.given_names, p.id, d.month, d.id"#,
            org_id,
            first,
            last
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let means_tested = r.isee_variant.is_some();
                Ok(DeliveryFacts {
                    delivery_id: r.delivery_id,
                    application_id: r.application_id,
                    protocol: r.protocol,
                    benefit_id: r.benefit_id,
                    benefit_name: r.benefit_name,
                    siuss_code: r.siuss_code,
                    periodicity: coded("periodicity", &r.periodicity, Periodicity::parse)?,
                    means_tested,
                    area: coded("area", &r.area, Area::parse)?,
                    delivery_kind: coded("delivery", &r.delivery_kind, DeliveryKind::parse)?,
                    month: r.month,
                    quantity: r.quantity,
                    amount: Money(r.amount_cents),
                    co_payment: Money(r.co_payment_cents),
                    dsu: match (means_tested, r.dsu_protocol, r.dsu_submitted_on) {
                        (true, Some(protocol), Some(submitted_on)) => Some(Dsu {
                            protocol,
                            submitted_on,
                        }),
                        _ => None,
                    },
                    in_care: r.in_care,
                    person: beneficiary!(r),
                })
            })
            .collect()
    }

    async fn siuss_assessments(
        &self,
        org_id: Uuid,
        first: Date,
        last: Date,
    ) -> Result<Vec<AssessmentFacts>> {
        let mut conn = self.read().await?;
        let rows = sqlx::query!(
            r#"SELECT s.id AS "assessment_id!: Uuid", c.id AS "case_file_id!: Uuid",
                   c.number AS "case_number!", s.form AS "form!",
                   s.form_version AS "form_version!", s.assessed_on AS "assessed_on!: Date",
                   s.answers AS "answers!",
                   p.id AS "person_id!: Uuid", p.codice_fiscale AS "codice_fiscale?",
                   p.surname AS "surname!", p.given_names AS "given_names!", p.sex AS "sex!",
                   p.birth_date AS "birth_date!: Date", p.birthplace_code AS "birthplace_code!",
                   p.citizenship AS "citizenship!",
                   COALESCE(p.residence_istat, p.domicile_istat) AS "residence_istat?"
               FROM assessment s
               JOIN case_file c ON c.id = s.case_file_id
               JOIN person p ON p.id = c.person_id
               WHERE s.org_id = $1 AND s.assessed_on >= $2 AND s.assessed_on <= $3
               ORDER BY p.surname, p.given_names, p.id, s.assessed_on, s.id"#,
            org_id,
            first,
            last
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        // The interventions of the active plans of those case files, with the SIUSS code of
        // the catalogue benefit they name (by code or name) or the code they name themselves.
        let codes = sqlx::query!(
            r#"SELECT pl.case_file_id AS "case_file_id!: Uuid",
                   COALESCE(b.siuss_code, i.benefit) AS "code?", i.from_date AS "from!: Date"
               FROM plan_intervention i
               JOIN care_plan pl ON pl.id = i.plan_id
               LEFT JOIN benefit b ON b.org_id = i.org_id
                    AND (LOWER(b.code) = LOWER(i.benefit) OR LOWER(b.name) = LOWER(i.benefit))
               WHERE i.org_id = $1 AND pl.active = TRUE AND i.benefit IS NOT NULL
                 AND pl.case_file_id IN (SELECT case_file_id FROM assessment
                                         WHERE org_id = $1 AND assessed_on >= $2
                                           AND assessed_on <= $3)
               ORDER BY pl.case_file_id, i.from_date, i.id"#,
            org_id,
            first,
            last
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let mut by_case: HashMap<Uuid, Vec<Intervention>> = HashMap::new();
        for c in codes {
            let code = c.code.unwrap_or_default().trim().to_uppercase();
            if siuss_label(&code).is_some() {
                by_case
                    .entry(c.case_file_id)
                    .or_default()
                    .push(Intervention {
                        siuss_code: code,
                        from: c.from,
                    });
            }
        }
        Ok(rows
            .into_iter()
            .map(|r| AssessmentFacts {
                assessment_id: r.assessment_id,
                case_file_id: r.case_file_id,
                case_number: r.case_number,
                form: r.form,
                form_version: r.form_version,
                assessed_on: r.assessed_on,
                answers: r.answers,
                interventions: by_case.get(&r.case_file_id).cloned().unwrap_or_default(),
                person: beneficiary!(r),
            })
            .collect())
    }
    async fn siuss_flows_of_month(&self, org_id: Uuid, month: Date) -> Result<Vec<SiussFlow>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", record_id AS "record_id!: Uuid", kind AS "kind!",
                   operation AS "operation!", month AS "month!: Date",
                   person_id AS "person_id!: Uuid", application_id AS "application_id?: Uuid",
                   case_file_id AS "case_file_id?: Uuid", name AS "name!", ts_ms AS "ts_ms!",
                   digest AS "digest!", element AS "element!",
                   created_at_us AS "created_at_us!", served_at_us AS "served_at_us?",
                   acquired_at_us AS "acquired_at_us?", outcome AS "outcome?",
                   outcome_detail AS "outcome_detail?", siuss_id AS "siuss_id?"
               FROM siuss_flow WHERE org_id = $1 AND month = $2 ORDER BY ts_ms"#,
            org_id,
            month
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(SiussFlow {
                    id: r.id,
                    record_id: r.record_id,
                    kind: coded("kind", &r.kind, RecordKind::parse)?,
                    operation: coded("operation", &r.operation, Operation::parse)?,
                    month: r.month,
                    person_id: r.person_id,
                    application_id: r.application_id,
                    case_file_id: r.case_file_id,
                    name: r.name,
                    ts_ms: r.ts_ms,
                    digest: r.digest,
                    element: r.element,
                    created_at_us: r.created_at_us,
                    served_at_us: r.served_at_us,
                    acquired_at_us: r.acquired_at_us,
                    outcome: r
                        .outcome
                        .map(|o| coded("outcome", &o, Outcome::parse))
                        .transpose()?,
                    outcome_detail: r.outcome_detail,
                    siuss_id: r.siuss_id,
                })
            })
            .collect()
    }

    async fn save_siuss_month(
        &self,
        change: &SiussMonth<'_>,
        audit: Option<&NewAudit>,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let mut names = Vec::with_capacity(change.flows.len());
        if !change.flows.is_empty() {
            let n = change.flows.len() as i64;
            let now_ms = change.now_us.div_euclid(1000);
            let day =
                time::OffsetDateTime::from_unix_timestamp(change.now_us.div_euclid(1_000_000))
                    .map_err(|e| StoreError::Other(e.to_string()))?
                    .date();
            let day_text = day.to_string();
            // The block of times and daily numbers is taken under the row's lock, so flows
            // commit in the order of their times and INPS, reading after its last `ts_flusso`,
            // misses none.
            let block = sqlx::query!(
                r#"UPDATE siuss_sender
                   SET flow_ts_ms = CASE WHEN flow_ts_ms + $2 > $3 THEN flow_ts_ms + $2 ELSE $3 END,
                       flow_seq = CASE WHEN flow_day = $4 THEN flow_seq + $2 ELSE $2 END,
                       flow_day = $4
                   WHERE org_id = $1
                   RETURNING flow_ts_ms AS "ts!", flow_seq AS "seq!""#,
                change.org_id,
                n,
                now_ms + n - 1,
                day_text
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
            for (i, f) in (0_i64..).zip(&change.flows) {
                let ts = block.ts - n + 1 + i;
                let sequence = u32::try_from(block.seq - n + 1 + i)
                    .map_err(|_| StoreError::Other("SIUSS daily sequence overflow".into()))?;
                let name = domain::siuss::flow_name(change.sender, f.kind, day, sequence);
                let document = domain::siuss::document(
                    change.sender,
                    &name,
                    std::iter::once(f.element.as_str()),
                );
                sqlx::query!(
                    "INSERT INTO siuss_flow (id, org_id, record_id, kind, operation, month,
                         person_id, application_id, case_file_id, name, ts_ms, digest, element,
                         document, created_at_us)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    f.id,
                    change.org_id,
                    f.record_id,
                    f.kind.as_str(),
                    f.operation.as_str(),
                    change.month,
                    f.person_id,
                    f.application_id,
                    f.case_file_id,
                    name,
                    ts,
                    f.digest,
                    f.element,
                    document,
                    change.now_us
                )
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                names.push(name);
            }
        }
        if let Some(problems) = &change.problems {
            sqlx::query!(
                "DELETE FROM siuss_problem WHERE org_id = $1 AND month = $2",
                change.org_id,
                change.month
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            for p in problems {
                sqlx::query!(
                    "INSERT INTO siuss_problem (record_id, org_id, month, kind, person_id,
                         application_id, benefit_id, case_file_id, problems, at_us)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (record_id) DO UPDATE SET month = $3, kind = $4,
                         person_id = $5, application_id = $6, benefit_id = $7,
                         case_file_id = $8, problems = $9, at_us = $10",
                    p.record_id,
                    change.org_id,
                    p.month,
                    p.kind.as_str(),
                    p.person_id,
                    p.application_id,
                    p.benefit_id,
                    p.case_file_id,
                    p.problems,
                    change.now_us
                )
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
        }
        match audit {
            Some(a) => super::audit::commit_with(tx, a).await?,
            None => tx.commit().await.map_err(map_err)?,
        }
        Ok(names)
    }

    async fn siuss_flows_since(
        &self,
        org_id: Uuid,
        since_ms: i64,
        limit: i64,
        now_us: i64,
    ) -> Result<Vec<ServedFlow>> {
        let mut tx = self.begin().await?;
        // INPS asks after the last flow it acquired: everything up to it is acquired.
        sqlx::query!(
            "UPDATE siuss_flow SET acquired_at_us = $3
             WHERE org_id = $1 AND ts_ms <= $2 AND acquired_at_us IS NULL",
            org_id,
            since_ms,
            now_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let rows = sqlx::query!(
            r#"SELECT name AS "name!", kind AS "kind!", ts_ms AS "ts_ms!", document AS "document!"
               FROM siuss_flow WHERE org_id = $1 AND ts_ms > $2 ORDER BY ts_ms LIMIT $3"#,
            org_id,
            since_ms,
            limit
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(last) = rows.last() {
            sqlx::query!(
                "UPDATE siuss_flow SET served_at_us = $4
                 WHERE org_id = $1 AND ts_ms > $2 AND ts_ms <= $3 AND served_at_us IS NULL",
                org_id,
                since_ms,
                last.ts_ms,
                now_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(ServedFlow {
                    name: r.name,
                    kind: coded("kind", &r.kind, RecordKind::parse)?,
                    ts_ms: r.ts_ms,
                    document: r.document,
                })
            })
            .collect()
    }

    async fn record_siuss_outcomes(
        &self,
        org_id: Uuid,
        outcomes: &[SiussOutcome],
        now_us: i64,
        audit: &NewAudit,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let mut unknown = Vec::new();
        for o in outcomes {
            let done = sqlx::query!(
                "UPDATE siuss_flow SET outcome = $3, outcome_detail = $4, siuss_id = $5,
                     outcome_at_us = $6, acquired_at_us = COALESCE(acquired_at_us, $6)
                 WHERE org_id = $1 AND name = $2",
                org_id,
                o.name,
                o.outcome.as_str(),
                o.detail,
                o.siuss_id,
                now_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            if done.rows_affected() == 0 {
                unknown.push(o.name.clone());
            }
        }
        super::audit::commit_with(tx, audit).await?;
        Ok(unknown)
    }

    async fn siuss_problems_of(
        &self,
        org_id: Uuid,
        person_id: Option<Uuid>,
        application_id: Option<Uuid>,
        case_file_id: Option<Uuid>,
    ) -> Result<Vec<SiussProblemRow>> {
        let rows = sqlx::query!(
            r#"SELECT record_id AS "record_id!: Uuid", kind AS "kind!", month AS "month!: Date",
                   person_id AS "person_id!: Uuid", application_id AS "application_id?: Uuid",
                   benefit_id AS "benefit_id?: Uuid", case_file_id AS "case_file_id?: Uuid",
                   problems AS "problems!"
               FROM siuss_problem
               WHERE org_id = $1 AND (person_id = $2 OR application_id = $3 OR case_file_id = $4)
               ORDER BY month, kind, record_id"#,
            org_id,
            person_id,
            application_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(SiussProblemRow {
                    record_id: r.record_id,
                    kind: coded("kind", &r.kind, RecordKind::parse)?,
                    month: r.month,
                    person_id: r.person_id,
                    application_id: r.application_id,
                    benefit_id: r.benefit_id,
                    case_file_id: r.case_file_id,
                    problems: r.problems,
                })
            })
            .collect()
    }

    async fn siuss_senders(&self) -> Result<Vec<Uuid>> {
        let rows = sqlx::query!(
            r#"SELECT s.org_id AS "org_id!: Uuid" FROM siuss_sender s
               JOIN organization o ON o.id = s.org_id WHERE o.active = TRUE ORDER BY s.org_id"#
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| r.org_id).collect())
    }
}
