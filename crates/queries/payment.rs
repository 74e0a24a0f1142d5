use super::compared;
use super::{Backend, Db};
use super::{all_rows, coded, map_err};
use domain::money::Money;
use domain::payment::{FundKind, ListState, PaymentState};
use store::{
    Allocation, Fund, FundYear, NewAudit, Payable, PayeeAccount, Payment, PaymentList,
    PaymentStore, Result,
};
use time::Date;
use uuid::Uuid;

macro_rules! fund {
    ($r:expr) => {{
        let r = $r;
        Fund {
            id: r.id,
            org_id: r.org_id,
            name: r.name,
            kind: coded("kind", &r.kind, FundKind::parse)?,
            debtor_iban: r.debtor_iban,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

macro_rules! payment_list {
    ($r:expr) => {{
        let r = $r;
        PaymentList {
            id: r.id,
            org_id: r.org_id,
            fund_id: r.fund_id,
            fund_name: r.fund_name,
            debtor_iban: r.debtor_iban,
            month: r.month,
            state: coded("state", &r.state, ListState::parse)?,
            approved_by: r.approved_by,
            version: r.version,
            actor: r.actor,
            at_us: r.at_us,
            count: r.count,
            total: Money(r.total),
        }
    }};
}

impl PaymentStore for Db {
    async fn create_fund(&self, f: &Fund, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO fund (id, org_id, name, kind, debtor_iban, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            f.id,
            f.org_id,
            f.name,
            f.kind.as_str(),
            f.debtor_iban,
            f.actor,
            f.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_fund(&self, org_id: Uuid, id: Uuid) -> Result<Fund> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", name AS "name!",
                   kind AS "kind!", debtor_iban AS "debtor_iban!", actor AS "actor!",
                   at_us AS "at_us!"
               FROM fund WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(fund!(r))
    }

    async fn fund_years(
        &self,
        org_id: Uuid,
        year: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<FundYear>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT f.id AS "id!: Uuid", f.org_id AS "org_id!: Uuid", f.name AS "name!",
                   f.kind AS "kind!", f.debtor_iban AS "debtor_iban!", f.actor AS "actor!",
                   f.at_us AS "at_us!",
                   CAST(COALESCE((SELECT SUM(l.amount_cents) FROM fund_allocation l
                       WHERE l.fund_id = f.id AND l.year = $2), 0) AS BIGINT)
                       AS "allocated!: i64",
                   CAST(COALESCE((SELECT SUM(a.committed_cents) FROM application a
                       JOIN fund_benefit fb ON fb.benefit_id = a.benefit_id
                       WHERE fb.fund_id = f.id AND a.org_id = f.org_id
                         AND a.state IN ('accolta', 'in_erogazione', 'conclusa')
                         AND a.decided_on >= $3 AND a.decided_on <= $4), 0) AS BIGINT)
                       AS "committed!: i64",
                   CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payment p
                       JOIN payment_list pl ON pl.id = p.list_id
                       WHERE pl.fund_id = f.id AND p.state = 'pagato'
                         AND p.period >= $3 AND p.period <= $4), 0) AS BIGINT)
                       AS "paid!: i64"
               FROM fund f WHERE f.org_id = $1 ORDER BY f.name"#,
                org_id,
                year,
                from,
                to
            ),
            |r| {
                let (allocated, committed, paid) = (r.allocated, r.committed, r.paid);
                Ok(FundYear {
                    allocated: Money(allocated),
                    committed: Money(committed),
                    paid: Money(paid),
                    fund: fund!(r),
                })
            },
        )
        .await
    }

    async fn save_allocation(&self, a: &Allocation, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO fund_allocation (fund_id, org_id, year, comune, amount_cents, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (fund_id, year, comune) DO UPDATE SET amount_cents = $5, actor = $6,
                 at_us = $7",
            a.fund_id,
            a.org_id,
            a.year,
            a.comune,
            a.amount.cents(),
            a.actor,
            a.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn fund_allocations(&self, org_id: Uuid, fund_id: Uuid) -> Result<Vec<Allocation>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT fund_id AS "fund_id!: Uuid", org_id AS "org_id!: Uuid", year AS "year!",
                   comune AS "comune!", amount_cents AS "amount_cents!", actor AS "actor!",
                   at_us AS "at_us!"
               FROM fund_allocation WHERE org_id = $1 AND fund_id = $2
               ORDER BY year DESC, comune"#,
                org_id,
                fund_id
            ),
            |r| {
                Ok(Allocation {
                    fund_id: r.fund_id,
                    org_id: r.org_id,
                    year: r.year,
                    comune: r.comune,
                    amount: Money(r.amount_cents),
                    actor: r.actor,
                    at_us: r.at_us,
                })
            },
        )
        .await
    }

    async fn fund_committed_by_comune(
        &self,
        org_id: Uuid,
        fund_id: Uuid,
        from: Date,
        to: Date,
    ) -> Result<Vec<(String, Money)>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT COALESCE(p.residence_istat, '') AS "comune!",
                   CAST(SUM(a.committed_cents) AS BIGINT) AS "committed!: i64"
               FROM application a
               JOIN fund_benefit fb ON fb.benefit_id = a.benefit_id
               JOIN person p ON p.id = a.person_id
               WHERE fb.fund_id = $1 AND a.org_id = $2
                 AND a.state IN ('accolta', 'in_erogazione', 'conclusa')
                 AND a.decided_on >= $3 AND a.decided_on <= $4
               GROUP BY COALESCE(p.residence_istat, '')"#,
                fund_id,
                org_id,
                from,
                to
            ),
            |r| Ok((r.comune, Money(r.committed))),
        )
        .await
    }

    async fn link_benefit(
        &self,
        org_id: Uuid,
        benefit_id: Uuid,
        fund_id: Option<Uuid>,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "DELETE FROM fund_benefit WHERE org_id = $1 AND benefit_id = $2",
            org_id,
            benefit_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if let Some(fund_id) = fund_id {
            sqlx::query!(
                "INSERT INTO fund_benefit (benefit_id, fund_id, org_id) VALUES ($1, $2, $3)",
                benefit_id,
                fund_id,
                org_id
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn benefit_funds(&self, org_id: Uuid) -> Result<Vec<(Uuid, Uuid)>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT benefit_id AS "benefit_id!: Uuid", fund_id AS "fund_id!: Uuid"
               FROM fund_benefit WHERE org_id = $1"#,
                org_id
            ),
            |r| Ok((r.benefit_id, r.fund_id)),
        )
        .await
    }

    async fn payee_account(&self, org_id: Uuid, person_id: Uuid) -> Result<Option<PayeeAccount>> {
        let r = sqlx::query!(
            r#"SELECT iban AS "iban!", holder AS "holder!", version AS "version!",
                   actor AS "actor!", at_us AS "at_us!"
               FROM payee_account WHERE org_id = $1 AND person_id = $2"#,
            org_id,
            person_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.map(|r| PayeeAccount {
            org_id,
            person_id,
            iban: r.iban,
            holder: r.holder,
            version: r.version,
            actor: r.actor,
            at_us: r.at_us,
        }))
    }

    async fn save_payee_account(&self, a: &PayeeAccount, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "INSERT INTO payee_account (org_id, person_id, iban, holder, version, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, person_id) DO UPDATE SET iban = $3, holder = $4,
                 version = $5, actor = $6, at_us = $7
             WHERE payee_account.version = $5 - 1",
            a.org_id,
            a.person_id,
            a.iban,
            a.holder,
            a.version,
            a.actor,
            a.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn payable(&self, org_id: Uuid, fund_id: Uuid, month: Date) -> Result<Vec<Payable>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT d.id AS "delivery_id!: Uuid", p.id AS "person_id!: Uuid",
                   p.surname AS "surname!", p.given_names AS "given_names!",
                   b.id AS "benefit_id!: Uuid", b.name AS "benefit_name!",
                   d.month AS "month!: Date", d.amount_cents AS "amount_cents!",
                   pa.iban AS "iban?", pa.holder AS "holder?"
               FROM delivery d
               JOIN application a ON a.id = d.application_id
               JOIN fund_benefit fb ON fb.benefit_id = a.benefit_id
               JOIN benefit b ON b.id = a.benefit_id
               JOIN person p ON p.id = a.person_id
               LEFT JOIN payee_account pa ON pa.org_id = d.org_id AND pa.person_id = p.id
               WHERE d.org_id = $1 AND fb.fund_id = $2 AND d.month = $3
                 AND d.status = 'erogata' AND d.amount_cents > 0 AND b.delivery = 'denaro'
                 AND NOT EXISTS (SELECT 1 FROM payment x WHERE x.delivery_id = d.id
                                 AND x.state <> 'respinto')
               ORDER BY p.surname, p.given_names, p.id, d.id"#,
                org_id,
                fund_id,
                month
            ),
            |r| {
                Ok(Payable {
                    delivery_id: r.delivery_id,
                    person_id: r.person_id,
                    person_name: format!("{} {}", r.surname, r.given_names),
                    benefit_id: r.benefit_id,
                    benefit_name: r.benefit_name,
                    period: r.month,
                    amount: Money(r.amount_cents),
                    account: r.iban.zip(r.holder),
                })
            },
        )
        .await
    }

    async fn create_payment_list(
        &self,
        l: &PaymentList,
        payments: &[Payment],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO payment_list (id, org_id, fund_id, month, state, approved_by, version,
                 actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            l.id,
            l.org_id,
            l.fund_id,
            l.month,
            l.state.as_str(),
            l.approved_by,
            l.version,
            l.actor,
            l.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        for p in payments {
            sqlx::query!(
                "INSERT INTO payment (id, org_id, list_id, delivery_id, person_id, benefit_id,
                     period, amount_cents, iban, holder, end_to_end, state, reason, at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                p.id,
                p.org_id,
                p.list_id,
                p.delivery_id,
                p.person_id,
                p.benefit_id,
                p.period,
                p.amount.cents(),
                p.iban,
                p.holder,
                p.end_to_end,
                p.state.as_str(),
                p.reason,
                p.at_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn payment_lists(
        &self,
        org_id: Uuid,
        first: Date,
        last: Date,
    ) -> Result<Vec<PaymentList>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT l.id AS "id!: Uuid", l.org_id AS "org_id!: Uuid",
                   l.fund_id AS "fund_id!: Uuid", f.name AS "fund_name!",
                   f.debtor_iban AS "debtor_iban!", l.month AS "month!: Date",
                   l.state AS "state!", l.approved_by AS "approved_by?", l.version AS "version!",
                   l.actor AS "actor!", l.at_us AS "at_us!",
                   CAST((SELECT COUNT(*) FROM payment p WHERE p.list_id = l.id) AS BIGINT)
                       AS "count!: i64",
                   CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payment p
                       WHERE p.list_id = l.id), 0) AS BIGINT) AS "total!: i64"
               FROM payment_list l JOIN fund f ON f.id = l.fund_id
               WHERE l.org_id = $1 AND l.month >= $2 AND l.month <= $3
               ORDER BY l.month DESC, f.name, l.at_us"#,
                org_id,
                first,
                last
            ),
            |r| Ok(payment_list!(r)),
        )
        .await
    }

    async fn get_payment_list(&self, org_id: Uuid, id: Uuid) -> Result<PaymentList> {
        let r = sqlx::query!(
            r#"SELECT l.id AS "id!: Uuid", l.org_id AS "org_id!: Uuid",
                   l.fund_id AS "fund_id!: Uuid", f.name AS "fund_name!",
                   f.debtor_iban AS "debtor_iban!", l.month AS "month!: Date",
                   l.state AS "state!", l.approved_by AS "approved_by?", l.version AS "version!",
                   l.actor AS "actor!", l.at_us AS "at_us!",
                   CAST((SELECT COUNT(*) FROM payment p WHERE p.list_id = l.id) AS BIGINT)
                       AS "count!: i64",
                   CAST(COALESCE((SELECT SUM(p.amount_cents) FROM payment p
                       WHERE p.list_id = l.id), 0) AS BIGINT) AS "total!: i64"
               FROM payment_list l JOIN fund f ON f.id = l.fund_id
               WHERE l.org_id = $1 AND l.id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(payment_list!(r))
    }

    async fn list_payments(&self, org_id: Uuid, list_id: Uuid) -> Result<Vec<Payment>> {
        all_rows(
            self,
            sqlx::query!(
                r#"SELECT x.id AS "id!: Uuid", x.org_id AS "org_id!: Uuid",
                   x.list_id AS "list_id!: Uuid", x.delivery_id AS "delivery_id!: Uuid",
                   x.person_id AS "person_id!: Uuid", p.surname AS "surname!",
                   p.given_names AS "given_names!", x.benefit_id AS "benefit_id!: Uuid",
                   b.name AS "benefit_name!", x.period AS "period!: Date",
                   x.amount_cents AS "amount_cents!", x.iban AS "iban!", x.holder AS "holder!",
                   x.end_to_end AS "end_to_end!", x.state AS "state!", x.reason AS "reason!",
                   x.at_us AS "at_us!"
               FROM payment x
               JOIN person p ON p.id = x.person_id
               JOIN benefit b ON b.id = x.benefit_id
               WHERE x.org_id = $1 AND x.list_id = $2
               ORDER BY p.surname, p.given_names, x.id"#,
                org_id,
                list_id
            ),
            |r| {
                Ok(Payment {
                    id: r.id,
                    org_id: r.org_id,
                    list_id: r.list_id,
                    delivery_id: r.delivery_id,
                    person_id: r.person_id,
                    person_name: format!("{} {}", r.surname, r.given_names),
                    benefit_id: r.benefit_id,
                    benefit_name: r.benefit_name,
                    period: r.period,
                    amount: Money(r.amount_cents),
                    iban: r.iban,
                    holder: r.holder,
                    end_to_end: r.end_to_end,
                    state: coded("state", &r.state, PaymentState::parse)?,
                    reason: r.reason,
                    at_us: r.at_us,
                })
            },
        )
        .await
    }

    async fn approve_payment_list(
        &self,
        org_id: Uuid,
        id: Uuid,
        version: i64,
        by: &str,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE payment_list SET state = 'approvata', approved_by = $4, version = $3 + 1
             WHERE org_id = $1 AND id = $2 AND version = $3 AND state = 'da_approvare'",
            org_id,
            id,
            version,
            by
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn settle_payments(
        &self,
        org_id: Uuid,
        outcomes: &[(String, PaymentState, String)],
        audit: &NewAudit,
    ) -> Result<u64> {
        let mut tx = self.begin().await?;
        let mut changed = 0;
        for (end_to_end, state, reason) in outcomes {
            let done = sqlx::query!(
                "UPDATE payment SET state = $3, reason = $4
                 WHERE org_id = $1 AND end_to_end = $2 AND state = 'disposto'
                   AND list_id IN (SELECT id FROM payment_list
                                   WHERE org_id = $1 AND state = 'approvata')",
                org_id,
                end_to_end,
                state.as_str(),
                reason
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            changed += done.rows_affected();
        }
        if changed > 0 {
            super::audit::commit_with(tx, audit).await?;
        }
        Ok(changed)
    }
}
