use super::{Backend, Db};
use super::{all_rows, coded, map_err};
use domain::application::ApplicationState;
use domain::benefit::Area;
use domain::casework::CaseState;
use domain::stats::{
    AccessFact, ApplicationFact, BenefitFacts, CaseChangeFact, CaseFact, DeliveryFact, Facts,
    Figure, Measure, Subject,
};
use store::{Result, StatsStore, StoreError};
use time::Date;
use uuid::Uuid;

/// The benefit of a fact from a query row with the benefit's columns (`benefit_code`,
/// `benefit_name`, `area`, `siuss_code`, `funding_source`).
macro_rules! benefit_facts {
    ($r:expr) => {
        BenefitFacts {
            code: $r.benefit_code,
            name: $r.benefit_name,
            area: coded("area", &$r.area, Area::parse)?,
            siuss_code: $r.siuss_code,
            funding_source: $r.funding_source,
        }
    };
}

/// The subject of a fact from a query row with the person's columns.
macro_rules! subject {
    ($r:expr) => {
        Subject {
            id: $r.person_id,
            sex: $r.sex,
            birth_date: $r.birth_date,
            citizenship: $r.citizenship,
            comune: $r.comune,
        }
    };
}

/// A stored integer into a narrower one, or the column named as corrupt.
fn narrow<T: TryFrom<i64>>(column: &'static str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| StoreError::Corrupt {
        column,
        message: v.to_string(),
    })
}

impl StatsStore for Db {
    async fn stat_facts(&self, org_id: Uuid, first: Date, first_us: i64) -> Result<Facts> {
        let deliveries = all_rows(
            self,
            sqlx::query!(
                r#"SELECT p.id AS "person_id!: Uuid", p.sex AS "sex!",
                   p.birth_date AS "birth_date!: Date", p.citizenship AS "citizenship!",
                   COALESCE(p.residence_istat, p.domicile_istat) AS "comune?",
                   b.code AS "benefit_code!", b.name AS "benefit_name!", b.area AS "area!",
                   b.siuss_code AS "siuss_code!", b.funding_source AS "funding_source!",
                   d.month AS "month!: Date", d.amount_cents AS "amount_cents!",
                   d.co_payment_cents AS "co_payment_cents!"
               FROM delivery d
               JOIN application a ON a.id = d.application_id
               JOIN benefit b ON b.id = a.benefit_id
               JOIN person p ON p.id = a.person_id
               WHERE d.org_id = $1 AND d.month >= $2 AND d.status = 'erogata'"#,
                org_id,
                first
            ),
            |r| {
                Ok(DeliveryFact {
                    benefit: benefit_facts!(r),
                    month: r.month,
                    amount_cents: r.amount_cents,
                    co_payment_cents: r.co_payment_cents,
                    subject: subject!(r),
                })
            },
        )
        .await?;
        let cases = all_rows(
            self,
            sqlx::query!(
                r#"SELECT p.id AS "person_id!: Uuid", p.sex AS "sex!",
                   p.birth_date AS "birth_date!: Date", p.citizenship AS "citizenship!",
                   COALESCE(p.residence_istat, p.domicile_istat) AS "comune?",
                   c.worker_id AS "worker_id!: Uuid", u.full_name AS "worker_name!",
                   c.state AS "state!", c.opened_on AS "opened_on!: Date",
                   c.state_since AS "state_since!: Date"
               FROM case_file c
               JOIN person p ON p.id = c.person_id
               JOIN app_user u ON u.id = c.worker_id
               WHERE c.org_id = $1 AND (c.state <> 'chiusa' OR c.state_since >= $2)"#,
                org_id,
                first
            ),
            |r| {
                Ok(CaseFact {
                    worker_id: r.worker_id,
                    worker_name: r.worker_name,
                    state: coded("state", &r.state, CaseState::parse)?,
                    opened_on: r.opened_on,
                    state_since: r.state_since,
                    subject: subject!(r),
                })
            },
        )
        .await?;
        let case_changes = all_rows(
            self,
            sqlx::query!(
                r#"SELECT COALESCE(p.residence_istat, p.domicile_istat) AS "comune?",
                   s.from_state AS "from_state?", s.to_state AS "to_state!",
                   s.on_date AS "on_date!: Date"
               FROM case_state_change s
               JOIN case_file c ON c.id = s.case_file_id
               JOIN person p ON p.id = c.person_id
               WHERE s.org_id = $1 AND s.on_date >= $2"#,
                org_id,
                first
            ),
            |r| {
                Ok(CaseChangeFact {
                    comune: r.comune,
                    from: r
                        .from_state
                        .map(|s| coded("from_state", &s, CaseState::parse))
                        .transpose()?,
                    to: coded("to_state", &r.to_state, CaseState::parse)?,
                    on: r.on_date,
                })
            },
        )
        .await?;
        let accesses = all_rows(
            self,
            sqlx::query!(
                r#"SELECT COALESCE(p.residence_istat, p.domicile_istat) AS "comune?",
                   r.at_us AS "at_us!", r.outcome AS "outcome!"
               FROM access_record r
               JOIN person p ON p.id = r.person_id
               WHERE r.org_id = $1 AND r.at_us >= $2"#,
                org_id,
                first_us
            ),
            |r| {
                let at =
                    domain::audit::from_unix_micros(r.at_us).map_err(|e| StoreError::Corrupt {
                        column: "at_us",
                        message: e.to_string(),
                    })?;
                Ok(AccessFact {
                    comune: r.comune,
                    on: domain::localtime::today(at),
                    taken_in_charge: r.outcome == "presa_in_carico",
                })
            },
        )
        .await?;
        let applications = all_rows(
            self,
            sqlx::query!(
                r#"SELECT COALESCE(p.residence_istat, p.domicile_istat) AS "comune?",
                   b.code AS "benefit_code!", b.name AS "benefit_name!", b.area AS "area!",
                   b.siuss_code AS "siuss_code!", b.funding_source AS "funding_source!",
                   a.state AS "state!", a.submitted_on AS "submitted_on?: Date",
                   a.decided_on AS "decided_on?: Date", a.due_on AS "due_on?: Date",
                   a.committed_cents AS "committed_cents!"
               FROM application a
               JOIN benefit b ON b.id = a.benefit_id
               JOIN person p ON p.id = a.person_id
               WHERE a.org_id = $1 AND a.state <> 'bozza'
                 AND (a.submitted_on >= $2 OR a.decided_on >= $2 OR a.state = 'accolta')"#,
                org_id,
                first
            ),
            |r| {
                Ok(ApplicationFact {
                    comune: r.comune,
                    benefit: benefit_facts!(r),
                    state: coded("state", &r.state, ApplicationState::parse)?,
                    submitted_on: r.submitted_on,
                    decided_on: r.decided_on,
                    due_on: r.due_on,
                    committed_cents: r.committed_cents,
                })
            },
        )
        .await?;
        Ok(Facts {
            deliveries,
            cases,
            case_changes,
            accesses,
            applications,
            residents: self.stat_population(org_id).await?,
            social_workers: self.stat_social_workers(org_id).await?,
        })
    }

    async fn stat_population(&self, org_id: Uuid) -> Result<Vec<(String, i64)>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT residence_istat AS "comune!", COUNT(*) AS "residents!: i64"
               FROM person
               WHERE org_id = $1 AND registry_id IS NOT NULL AND registry_left_on IS NULL
                 AND death_date IS NULL AND merged_into IS NULL
                 AND residence_istat IS NOT NULL
               GROUP BY residence_istat"#,
                org_id
            ),
            |r| Ok((r.comune, r.residents)),
        )
        .await
    }

    async fn stat_social_workers(&self, org_id: Uuid) -> Result<i64> {
        let r = sqlx::query!(
            r#"SELECT COUNT(*) AS "n!: i64"
               FROM membership m JOIN app_user u ON u.id = m.user_id
               WHERE m.org_id = $1 AND m.role = 'assistente_sociale' AND u.active = $2"#,
            org_id,
            true
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.n)
    }

    async fn replace_stat_figures(
        &self,
        org_id: Uuid,
        figures: &[Figure],
        at_us: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!("DELETE FROM stat_figure WHERE org_id = $1", org_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for f in figures {
            sqlx::query!(
                "INSERT INTO stat_figure (org_id, year, month, measure, comune, area, benefit,
                     dim, label, value)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                org_id,
                i64::from(f.year),
                i64::from(f.month),
                f.measure.as_str(),
                f.comune,
                f.area,
                f.benefit,
                f.dim,
                f.label,
                f.value
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        let count = i64::try_from(figures.len()).unwrap_or(i64::MAX);
        sqlx::query!(
            "INSERT INTO stat_refresh (org_id, at_us, figures) VALUES ($1, $2, $3)
             ON CONFLICT (org_id) DO UPDATE SET at_us = $2, figures = $3",
            org_id,
            at_us,
            count
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn stat_figures(
        &self,
        org_id: Uuid,
        first_year: i32,
        last_year: i32,
    ) -> Result<Vec<Figure>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT year AS "year!: i64", month AS "month!: i64", measure AS "measure!",
                   comune AS "comune!", area AS "area!", benefit AS "benefit!", dim AS "dim!",
                   label AS "label!", value AS "value!: i64"
               FROM stat_figure WHERE org_id = $1 AND year >= $2 AND year <= $3"#,
                org_id,
                i64::from(first_year),
                i64::from(last_year)
            ),
            |r| {
                Ok(Figure {
                    year: narrow("year", r.year)?,
                    month: narrow("month", r.month)?,
                    measure: coded("measure", &r.measure, Measure::parse)?,
                    comune: r.comune,
                    area: r.area,
                    benefit: r.benefit,
                    dim: r.dim,
                    label: r.label,
                    value: r.value,
                })
            },
        )
        .await
    }

    async fn stat_refreshed(&self, org_id: Uuid) -> Result<Option<i64>> {
        let r = sqlx::query!(
            r#"SELECT at_us AS "at_us!: i64" FROM stat_refresh WHERE org_id = $1"#,
            org_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.map(|r| r.at_us))
    }
}
