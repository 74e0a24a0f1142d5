use super::compared;
use super::{Backend, Db};
use super::{coded, map_err};
use domain::bill::{BillState, Notice, PaidNotice};
use domain::money::Money;
use store::{
    Bill, BillFilter, BillLine, BillPayment, BillStore, Billable, NewAudit, PagopaSettings,
    PaymentMatch, Result, StoreError,
};
use time::Date;
use uuid::Uuid;

macro_rules! bill {
    ($r:expr) => {{
        let r = $r;
        Bill {
            id: r.id,
            org_id: r.org_id,
            person_id: r.person_id,
            person_name: format!("{} {}", r.surname, r.given_names),
            fiscal_code: r.codice_fiscale,
            month: r.month,
            description: r.description,
            amount: Money(r.amount_cents),
            paid: Money(r.paid_cents),
            iuv: r.iuv,
            nav: r.nav,
            issued_on: r.issued_on,
            due_on: r.due_on,
            state: coded("state", &r.state, BillState::parse)?,
            reminders: r.reminders,
            last_reminder_on: r.last_reminder_on,
            version: r.version,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

impl BillStore for Db {
    async fn pagopa_settings(&self, org_id: Uuid) -> Result<Option<PagopaSettings>> {
        let r = sqlx::query!(
            r#"SELECT org_id AS "org_id!: Uuid", fiscal_code AS "fiscal_code!",
                   segregation_code AS "segregation_code!", iban AS "iban!",
                   category AS "category!", due_days AS "due_days!", version AS "version!",
                   actor AS "actor!", at_us AS "at_us!"
               FROM pagopa_settings WHERE org_id = $1"#,
            org_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.map(|r| PagopaSettings {
            org_id: r.org_id,
            fiscal_code: r.fiscal_code,
            segregation_code: r.segregation_code,
            iban: r.iban,
            category: r.category,
            due_days: r.due_days,
            version: r.version,
            actor: r.actor,
            at_us: r.at_us,
        }))
    }

    async fn save_pagopa_settings(&self, s: &PagopaSettings, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "INSERT INTO pagopa_settings (org_id, fiscal_code, segregation_code, iban, category,
                 due_days, next_iuv, version, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)
             ON CONFLICT (org_id) DO UPDATE SET fiscal_code = $2, segregation_code = $3,
                 iban = $4, category = $5, due_days = $6, version = $7, actor = $8, at_us = $9
             WHERE pagopa_settings.version = $7 - 1",
            s.org_id,
            s.fiscal_code,
            s.segregation_code,
            s.iban,
            s.category,
            s.due_days,
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

    async fn billable(&self, org_id: Uuid, month: Date) -> Result<Vec<Billable>> {
        let rows = sqlx::query!(
            r#"SELECT d.id AS "delivery_id!: Uuid", p.id AS "person_id!: Uuid",
                   p.surname AS "surname!", p.given_names AS "given_names!",
                   b.name AS "benefit_name!", d.quantity AS "quantity?: i64",
                   d.co_payment_cents AS "co_payment_cents!"
               FROM delivery d
               JOIN application a ON a.id = d.application_id
               JOIN benefit b ON b.id = a.benefit_id
               JOIN person p ON p.id = a.person_id
               WHERE d.org_id = $1 AND d.month = $2 AND d.status = 'erogata'
                 AND d.co_payment_cents > 0
                 AND NOT EXISTS (SELECT 1 FROM bill_line l JOIN bill x ON x.id = l.bill_id
                                 WHERE l.delivery_id = d.id AND x.state <> 'annullata')
               ORDER BY p.surname, p.given_names, p.id, b.name, d.id"#,
            org_id,
            month
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| Billable {
                delivery_id: r.delivery_id,
                person_id: r.person_id,
                person_name: format!("{} {}", r.surname, r.given_names),
                benefit_name: r.benefit_name,
                quantity: r.quantity,
                co_payment: Money(r.co_payment_cents),
            })
            .collect())
    }

    async fn issue_bills(
        &self,
        org_id: Uuid,
        bills: &[(Bill, Vec<BillLine>)],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let count = bills.len() as i64;
        // The counter row is locked until the commit, so two issues never share a base.
        let counter = sqlx::query!(
            r#"UPDATE pagopa_settings SET next_iuv = next_iuv + $2 WHERE org_id = $1
               RETURNING next_iuv AS "next!: i64", segregation_code AS "segregation!: i64""#,
            org_id,
            count
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let segregation = u8::try_from(counter.segregation).map_err(|_| StoreError::Corrupt {
            column: "segregation_code",
            message: counter.segregation.to_string(),
        })?;
        let first = counter.next - count;
        for (i, (b, lines)) in bills.iter().enumerate() {
            let notice = Notice::new(segregation, first + i as i64).ok_or_else(|| {
                StoreError::Other("i codici IUV dell'ente sono esauriti".to_owned())
            })?;
            sqlx::query!(
                "INSERT INTO bill (id, org_id, person_id, month, description, amount_cents,
                     paid_cents, iuv, nav, issued_on, due_on, state, reminders,
                     last_reminder_on, version, actor, at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10, 'emessa', 0, NULL, 1,
                     $11, $12)",
                b.id,
                org_id,
                b.person_id,
                b.month,
                b.description,
                b.amount.cents(),
                notice.iuv,
                notice.nav,
                b.issued_on,
                b.due_on,
                b.actor,
                b.at_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            for l in lines {
                sqlx::query!(
                    "INSERT INTO bill_line (bill_id, delivery_id, org_id, benefit_name, quantity,
                         amount_cents)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    b.id,
                    l.delivery_id,
                    org_id,
                    l.benefit_name,
                    l.quantity,
                    l.amount.cents()
                )
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn bills(&self, org_id: Uuid, f: &BillFilter) -> Result<Vec<Bill>> {
        let rows = sqlx::query!(
            r#"SELECT b.id AS "id!: Uuid", b.org_id AS "org_id!: Uuid",
                   b.person_id AS "person_id!: Uuid", p.surname AS "surname!",
                   p.given_names AS "given_names!", p.codice_fiscale AS "codice_fiscale?",
                   b.month AS "month!: Date", b.description AS "description!",
                   b.amount_cents AS "amount_cents!", b.paid_cents AS "paid_cents!",
                   b.iuv AS "iuv!", b.nav AS "nav!", b.issued_on AS "issued_on!: Date",
                   b.due_on AS "due_on!: Date", b.state AS "state!", b.reminders AS "reminders!",
                   b.last_reminder_on AS "last_reminder_on?: Date", b.version AS "version!",
                   b.actor AS "actor!", b.at_us AS "at_us!"
               FROM bill b JOIN person p ON p.id = b.person_id
               WHERE b.org_id = $1
                 AND (b.month = $2 OR $2 IS NULL)
                 AND (b.state = $3 OR $3 IS NULL)
                 AND ((b.state = 'emessa' AND b.due_on < $4) OR $4 IS NULL)
                 AND (b.person_id = $5 OR $5 IS NULL)
                 AND (b.id = $6 OR $6 IS NULL)
               ORDER BY p.surname, p.given_names, b.month DESC, b.id"#,
            org_id,
            f.month,
            f.state.map(BillState::as_str),
            f.overdue_on,
            f.person_id,
            f.id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(bill!(r))).collect()
    }

    async fn get_bill(&self, org_id: Uuid, id: Uuid) -> Result<Bill> {
        let filter = BillFilter {
            id: Some(id),
            ..BillFilter::default()
        };
        self.bills(org_id, &filter)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn bill_lines(&self, org_id: Uuid, bill_id: Uuid) -> Result<Vec<BillLine>> {
        let rows = sqlx::query!(
            r#"SELECT l.bill_id AS "bill_id!: Uuid", l.delivery_id AS "delivery_id!: Uuid",
                   d.application_id AS "application_id!: Uuid",
                   l.benefit_name AS "benefit_name!", l.quantity AS "quantity?: i64",
                   l.amount_cents AS "amount_cents!", d.co_payment_cents AS "now_cents!",
                   d.status AS "status!"
               FROM bill_line l JOIN delivery d ON d.id = l.delivery_id
               WHERE l.org_id = $1 AND l.bill_id = $2
               ORDER BY l.benefit_name, l.delivery_id"#,
            org_id,
            bill_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| BillLine {
                bill_id: r.bill_id,
                delivery_id: r.delivery_id,
                application_id: r.application_id,
                benefit_name: r.benefit_name,
                quantity: r.quantity,
                amount: Money(r.amount_cents),
                now_co_payment: Money(r.now_cents),
                now_delivered: r.status == "erogata",
            })
            .collect())
    }

    async fn bill_payments(&self, org_id: Uuid, bill_id: Uuid) -> Result<Vec<BillPayment>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", amount_cents AS "amount_cents!",
                   paid_on AS "paid_on!: Date", reference AS "reference!", actor AS "actor!",
                   at_us AS "at_us!"
               FROM bill_payment WHERE org_id = $1 AND bill_id = $2
               ORDER BY paid_on, at_us, id"#,
            org_id,
            bill_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| BillPayment {
                id: r.id,
                amount: Money(r.amount_cents),
                paid_on: r.paid_on,
                reference: r.reference,
                actor: r.actor,
                at_us: r.at_us,
            })
            .collect())
    }

    async fn record_bill_payments(
        &self,
        org_id: Uuid,
        paid: &[PaidNotice],
        actor: &str,
        at_us: i64,
        audit: &NewAudit,
    ) -> Result<Vec<PaymentMatch>> {
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(paid.len());
        for p in paid {
            let bill = sqlx::query!(
                r#"SELECT id AS "id!: Uuid", state AS "state!" FROM bill
                   WHERE org_id = $1 AND iuv = $2"#,
                org_id,
                p.iuv
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
            let Some(bill) = bill else {
                out.push(PaymentMatch::Unknown);
                continue;
            };
            let id = Uuid::now_v7();
            let inserted = sqlx::query!(
                "INSERT INTO bill_payment (id, org_id, bill_id, amount_cents, paid_on, reference,
                     actor, at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (bill_id, reference) DO NOTHING",
                id,
                org_id,
                bill.id,
                p.amount.cents(),
                p.paid_on,
                p.reference,
                actor,
                at_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            if inserted.rows_affected() == 0 {
                out.push(PaymentMatch::Duplicate);
                continue;
            }
            let settled = sqlx::query_scalar!(
                r#"UPDATE bill SET paid_cents = paid_cents + $3, version = version + 1,
                       state = CASE WHEN state = 'emessa' AND paid_cents + $3 >= amount_cents
                                    THEN 'pagata' ELSE state END
                   WHERE org_id = $1 AND id = $2
                   RETURNING state AS "state!""#,
                org_id,
                bill.id,
                p.amount.cents()
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            out.push(if bill.state == BillState::Cancelled.as_str() {
                PaymentMatch::Cancelled { bill_id: bill.id }
            } else {
                PaymentMatch::Recorded {
                    bill_id: bill.id,
                    settled: settled == BillState::Paid.as_str(),
                }
            });
        }
        if out.iter().any(|m| {
            matches!(
                m,
                PaymentMatch::Recorded { .. } | PaymentMatch::Cancelled { .. }
            )
        }) {
            super::audit::commit_with(tx, audit).await?;
        }
        Ok(out)
    }

    async fn cancel_bill(
        &self,
        org_id: Uuid,
        id: Uuid,
        version: i64,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE bill SET state = 'annullata', version = version + 1
             WHERE org_id = $1 AND id = $2 AND version = $3 AND state = 'emessa'
               AND paid_cents = 0",
            org_id,
            id,
            version
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn record_reminder(
        &self,
        org_id: Uuid,
        id: Uuid,
        version: i64,
        on: Date,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE bill SET reminders = reminders + 1, last_reminder_on = $4,
                 version = version + 1
             WHERE org_id = $1 AND id = $2 AND version = $3 AND state = 'emessa'",
            org_id,
            id,
            version,
            on
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }
}
