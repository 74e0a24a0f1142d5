use super::compared;
use super::{Backend, Db, Tx};
use super::{affected_one, map_err};
use domain::OrgCode;
use domain::casework::DocumentType;
use domain::letterhead::{Letterhead, Logo};
use domain::org::OperatorNaming;
use store::{
    HealthStore, NewAudit, OrgComune, OrgLetterhead, OrgPortalSettings, OrgStore, Organization,
    Result, StoreError,
};
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

    async fn org_letterhead(&self, org_id: Uuid) -> Result<OrgLetterhead> {
        let r = sqlx::query!(
            r#"SELECT office AS "office!", address AS "address!", postcode AS "postcode!",
                   city AS "city!", phone AS "phone!", pec AS "pec!", email AS "email!",
                   website AS "website!", hours AS "hours!", signer_name AS "signer_name!",
                   signer_title AS "signer_title!", version AS "version!",
                   updated_at_us AS "updated_at_us!"
               FROM org_letterhead WHERE org_id = $1"#,
            org_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(match r {
            None => OrgLetterhead {
                org_id,
                ..OrgLetterhead::default()
            },
            Some(r) => OrgLetterhead {
                org_id,
                data: Letterhead {
                    office: r.office,
                    address: r.address,
                    postcode: r.postcode,
                    city: r.city,
                    phone: r.phone,
                    pec: r.pec,
                    email: r.email,
                    website: r.website,
                    hours: r.hours,
                    signer_name: r.signer_name,
                    signer_title: r.signer_title,
                    logo: None,
                },
                version: r.version,
                updated_at_us: r.updated_at_us,
            },
        })
    }

    async fn save_letterhead(&self, l: &OrgLetterhead, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let d = &l.data;
        // The first save inserts (a second first save finds the row and conflicts); later
        // ones update the version they read.
        let done = sqlx::query!(
            "INSERT INTO org_letterhead (org_id, office, address, postcode, city, phone, pec,
                 email, website, hours, signer_name, signer_title, version, updated_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (org_id) DO UPDATE SET office = $2, address = $3, postcode = $4,
                 city = $5, phone = $6, pec = $7, email = $8, website = $9, hours = $10,
                 signer_name = $11, signer_title = $12, version = $13, updated_at_us = $14
             WHERE org_letterhead.version = $13 - 1",
            l.org_id,
            d.office,
            d.address,
            d.postcode,
            d.city,
            d.phone,
            d.pec,
            d.email,
            d.website,
            d.hours,
            d.signer_name,
            d.signer_title,
            l.version,
            l.updated_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn org_logo(&self, org_id: Uuid) -> Result<Option<Logo>> {
        let r = sqlx::query!(
            r#"SELECT content_type AS "content_type!", content AS "content!",
                   width AS "width!", height AS "height!"
               FROM org_logo WHERE org_id = $1"#,
            org_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        r.map(|r| {
            let kind = super::coded("content_type", &r.content_type, DocumentType::parse)?;
            let width = super::parse_col("width", u32::try_from(r.width))?;
            let height = super::parse_col("height", u32::try_from(r.height))?;
            Ok(Logo::stored(kind, r.content, width, height))
        })
        .transpose()
    }

    async fn save_org_logo(
        &self,
        org_id: Uuid,
        logo: &Logo,
        updated_at_us: i64,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (kind, content) = (logo.kind().as_str(), logo.bytes());
        let (width, height) = (i64::from(logo.width()), i64::from(logo.height()));
        sqlx::query!(
            "INSERT INTO org_logo (org_id, content_type, content, width, height, updated_at_us)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (org_id) DO UPDATE SET content_type = $2, content = $3, width = $4,
                 height = $5, updated_at_us = $6",
            org_id,
            kind,
            content,
            width,
            height,
            updated_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn remove_org_logo(&self, org_id: Uuid, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!("DELETE FROM org_logo WHERE org_id = $1", org_id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn org_portal_settings(&self, org_id: Uuid) -> Result<OrgPortalSettings> {
        let r = sqlx::query!(
            r#"SELECT operator_naming AS "operator_naming!", version AS "version!",
                   updated_at_us AS "updated_at_us!"
               FROM org_portal_settings WHERE org_id = $1"#,
            org_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(match r {
            None => OrgPortalSettings {
                org_id,
                ..OrgPortalSettings::default()
            },
            Some(r) => OrgPortalSettings {
                org_id,
                operator_naming: OperatorNaming::parse(&r.operator_naming).map_err(|e| {
                    StoreError::Corrupt {
                        column: "operator_naming",
                        message: e.message,
                    }
                })?,
                version: r.version,
                updated_at_us: r.updated_at_us,
            },
        })
    }

    async fn save_org_portal_settings(
        &self,
        s: &OrgPortalSettings,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        // As the letterhead: the first save inserts, later ones update the version they read.
        let done = sqlx::query!(
            "INSERT INTO org_portal_settings (org_id, operator_naming, version, updated_at_us)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id) DO UPDATE SET operator_naming = $2, version = $3,
                 updated_at_us = $4
             WHERE org_portal_settings.version = $3 - 1",
            s.org_id,
            s.operator_naming.as_str(),
            s.version,
            s.updated_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }
}
