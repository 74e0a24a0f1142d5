use super::{Backend, Db, Tx};
use super::{affected_one, map_err};
use domain::OrgCode;
use store::{HealthStore, NewAudit, OrgComune, OrgStore, Organization, Result};
use time::OffsetDateTime;
use uuid::Uuid;

async fn replace_comuni(tx: &mut Tx, org_id: Uuid, comuni: &[OrgComune]) -> Result<()> {
    sqlx::query!("DELETE FROM org_comune WHERE org_id = $1", org_id)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    for c in comuni {
        sqlx::query!(
            "INSERT INTO org_comune (org_id, istat_code, belfiore_code, name, province)
             VALUES ($1, $2, $3, $4, $5)",
            org_id,
            c.istat_code,
            c.belfiore_code,
            c.name,
            c.province
        )
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

impl HealthStore for Db {
    async fn ping(&self) -> Result<()> {
        sqlx::query_scalar!(r#"SELECT 1 AS "one!""#)
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

impl OrgStore for Db {
    async fn create_org(
        &self,
        org: &Organization,
        comuni: &[OrgComune],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO organization (id, code, name, kind, active, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            org.id,
            org.code.as_str(),
            org.name,
            org.kind.as_str(),
            org.active,
            org.created_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        replace_comuni(&mut tx, org.id, comuni).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn update_org(
        &self,
        org: &Organization,
        comuni: &[OrgComune],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE organization SET name = $2, active = $3 WHERE id = $1",
            org.id,
            org.name,
            org.active
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        replace_comuni(&mut tx, org.id, comuni).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_org(&self, id: Uuid) -> Result<Organization> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", code, name, kind, active AS "active!: bool",
                      created_at AS "created_at!: OffsetDateTime"
               FROM organization WHERE id = $1"#,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(organization!(r))
    }

    async fn get_org_by_code(&self, code: &OrgCode) -> Result<Organization> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", code, name, kind, active AS "active!: bool",
                      created_at AS "created_at!: OffsetDateTime"
               FROM organization WHERE code = $1"#,
            code.as_str()
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(organization!(r))
    }

    async fn list_orgs(&self) -> Result<Vec<Organization>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", code, name, kind, active AS "active!: bool",
                      created_at AS "created_at!: OffsetDateTime"
               FROM organization ORDER BY name, code"#
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(organization!(r))).collect()
    }

    async fn org_comuni(&self, org_id: Uuid) -> Result<Vec<OrgComune>> {
        let rows = sqlx::query!(
            "SELECT istat_code, belfiore_code, name, province FROM org_comune
             WHERE org_id = $1 ORDER BY name",
            org_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| OrgComune {
                istat_code: r.istat_code,
                belfiore_code: r.belfiore_code,
                name: r.name,
                province: r.province,
            })
            .collect())
    }

    async fn count_orgs(&self) -> Result<i64> {
        sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!" FROM organization"#)
            .fetch_one(&mut *self.read().await?)
            .await
            .map_err(map_err)
    }
}
