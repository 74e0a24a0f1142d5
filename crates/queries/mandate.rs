use super::person::insert_history;
use super::{Backend, Db};
use super::{affected_one, map_err, parse_col};
use domain::mandate::{MandateKind, MandateTerms};
use store::{Mandate, MandateStore, MandateView, NewAudit, NewHistory, Result};
use time::Date;
use uuid::Uuid;

fn kind_col(raw: &str) -> Result<MandateKind> {
    parse_col("kind", MandateKind::parse(raw).ok_or(raw))
}

impl MandateStore for Db {
    async fn add_mandate(&self, m: &Mandate, history: &NewHistory, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO person_mandate (id, org_id, person_id, user_id, kind, valid_from, valid_to,
                 note, created_by, created_us, revoked_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            m.id,
            m.org_id,
            m.person_id,
            m.user_id,
            m.terms.kind.as_str(),
            m.terms.valid_from,
            m.terms.valid_to,
            m.terms.note,
            m.created_by,
            m.created_us,
            m.revoked_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_history(&mut tx, m.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn revoke_mandate(
        &self,
        org_id: Uuid,
        id: Uuid,
        at_us: i64,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE person_mandate SET revoked_us = $4
             WHERE org_id = $1 AND id = $2 AND person_id = $3 AND revoked_us IS NULL",
            org_id,
            id,
            history.person_id,
            at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        insert_history(&mut tx, org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn person_mandates(&self, org_id: Uuid, person_id: Uuid) -> Result<Vec<MandateView>> {
        let rows = sqlx::query!(
            r#"SELECT m.id AS "id!: Uuid", m.org_id AS "org_id!: Uuid",
                      m.person_id AS "person_id!: Uuid", m.user_id AS "user_id!: Uuid", m.kind,
                      m.valid_from AS "valid_from!: Date", m.valid_to AS "valid_to?: Date", m.note,
                      m.created_by, m.created_us, m.revoked_us, u.login, u.full_name
               FROM person_mandate m JOIN app_user u ON u.id = m.user_id
               WHERE m.org_id = $1 AND m.person_id = $2
               ORDER BY m.created_us DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(MandateView {
                    mandate: Mandate {
                        id: r.id,
                        org_id: r.org_id,
                        person_id: r.person_id,
                        user_id: r.user_id,
                        terms: MandateTerms {
                            kind: kind_col(&r.kind)?,
                            valid_from: r.valid_from,
                            valid_to: r.valid_to,
                            note: r.note,
                        },
                        created_by: r.created_by,
                        created_us: r.created_us,
                        revoked_us: r.revoked_us,
                    },
                    login: r.login,
                    full_name: r.full_name,
                })
            })
            .collect()
    }

    async fn mandates_held(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        person_id: Uuid,
        on: Date,
    ) -> Result<Vec<MandateKind>> {
        let rows = sqlx::query!(
            r#"SELECT kind FROM person_mandate
               WHERE org_id = $1 AND user_id = $2 AND person_id = $3 AND revoked_us IS NULL
                 AND valid_from <= $4 AND (valid_to IS NULL OR valid_to >= $4)"#,
            org_id,
            user_id,
            person_id,
            on
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| kind_col(&r.kind)).collect()
    }

    async fn persons_represented(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        on: Date,
    ) -> Result<Vec<(Uuid, MandateKind)>> {
        let rows = sqlx::query!(
            r#"SELECT person_id AS "person_id: Uuid", kind FROM person_mandate
               WHERE org_id = $1 AND user_id = $2 AND revoked_us IS NULL
                 AND valid_from <= $3 AND (valid_to IS NULL OR valid_to >= $3)
               ORDER BY created_us"#,
            org_id,
            user_id,
            on
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((r.person_id, kind_col(&r.kind)?)))
            .collect()
    }
}
