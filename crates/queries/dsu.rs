use super::compared;
use super::{Backend, Db, Tx};
use super::{map_err, parse_col};
use domain::dsu::{DsuRelation, DsuState, DsuStatus, MemberBasis};
use store::{
    DsuFilter, DsuMember, DsuMemberView, DsuRecord, DsuStatusChange, DsuStore, DsuSummary,
    ExpiringAttestation, NewAudit, Result,
};
use time::Date;
use uuid::Uuid;

fn state_col(raw: &str) -> Result<DsuState> {
    parse_col("state", DsuState::parse(raw).ok_or(raw))
}

async fn insert_members(tx: &mut Tx, org_id: Uuid, members: &[DsuMember]) -> Result<()> {
    for m in members {
        sqlx::query!(
            "INSERT INTO dsu_member (id, org_id, dsu_id, person_id, position, relation, basis,
                 convivenza)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            m.id,
            org_id,
            m.dsu_id,
            m.person_id,
            m.position,
            m.relation.as_str(),
            m.basis.as_str(),
            m.convivenza
        )
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

/// Moves a draft to `dsu.version` from the version before it; `Conflict` if someone else
/// saved in between or the DSU is no longer a draft.
async fn bump_draft(tx: &mut Tx, dsu: &DsuRecord) -> Result<()> {
    let done = sqlx::query!(
        "UPDATE dsu SET quadri = $3, isee_cents = $4, ise_cents = $5, updated_by = $6,
             updated_us = $7, version = $8, dsu_date = $10, variant = $11, prestazione = $12
         WHERE org_id = $1 AND id = $2 AND version = $9 AND state = 'bozza'",
        dsu.org_id,
        dsu.id,
        dsu.quadri,
        dsu.isee_cents,
        dsu.ise_cents,
        dsu.updated_by,
        dsu.updated_us,
        dsu.version,
        dsu.version - 1,
        dsu.status.dsu_date,
        dsu.variant,
        dsu.prestazione
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    compared(done.rows_affected())?;
    Ok(())
}

impl DsuStore for Db {
    async fn create_dsu(
        &self,
        dsu: &DsuRecord,
        members: &[DsuMember],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let s = &dsu.status;
        sqlx::query!(
            "INSERT INTO dsu (id, org_id, declarant_id, dsu_date, variant, prestazione, state,
                 signed_on, inps_protocol, attestation_id, replaces_id, quadri, isee_cents,
                 ise_cents, created_by, created_us, updated_by, updated_us, version, base_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20)",
            dsu.id,
            dsu.org_id,
            dsu.declarant_id,
            s.dsu_date,
            dsu.variant,
            dsu.prestazione,
            s.state.as_str(),
            s.signed_on,
            s.inps_protocol,
            s.attestation_id,
            dsu.replaces_id,
            dsu.quadri,
            dsu.isee_cents,
            dsu.ise_cents,
            dsu.created_by,
            dsu.created_us,
            dsu.updated_by,
            dsu.updated_us,
            dsu.version,
            dsu.base_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_members(&mut tx, dsu.org_id, members).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_dsu(&self, org_id: Uuid, id: Uuid) -> Result<DsuRecord> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                      declarant_id AS "declarant_id!: Uuid", dsu_date AS "dsu_date!: Date",
                      variant, prestazione, state, signed_on AS "signed_on?: Date", inps_protocol,
                      attestation_id AS "attestation_id?: Uuid", replaces_id AS "replaces_id?: Uuid",
                      quadri, isee_cents, ise_cents, created_by AS "created_by!: Uuid", created_us,
                      updated_by, updated_us, version, base_id AS "base_id?: Uuid"
               FROM dsu WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(DsuRecord {
            id: r.id,
            org_id: r.org_id,
            declarant_id: r.declarant_id,
            status: DsuStatus {
                state: state_col(&r.state)?,
                dsu_date: r.dsu_date,
                signed_on: r.signed_on,
                inps_protocol: r.inps_protocol,
                attestation_id: r.attestation_id,
            },
            variant: r.variant,
            prestazione: r.prestazione,
            replaces_id: r.replaces_id,
            base_id: r.base_id,
            quadri: r.quadri,
            isee_cents: r.isee_cents,
            ise_cents: r.ise_cents,
            created_by: r.created_by,
            created_us: r.created_us,
            updated_by: r.updated_by,
            updated_us: r.updated_us,
            version: r.version,
        })
    }

    async fn dsu_members(&self, org_id: Uuid, dsu_id: Uuid) -> Result<Vec<DsuMemberView>> {
        let rows = sqlx::query!(
            r#"SELECT m.id AS "id!: Uuid", m.dsu_id AS "dsu_id!: Uuid",
                      m.person_id AS "person_id!: Uuid", m.position, m.relation, m.basis,
                      m.convivenza AS "convivenza!: bool", p.surname, p.given_names,
                      p.codice_fiscale, p.birth_date AS "birth_date!: Date",
                      p.death_date AS "death_date?: Date"
               FROM dsu_member m JOIN person p ON p.id = m.person_id
               WHERE m.org_id = $1 AND m.dsu_id = $2
               ORDER BY m.position, m.id"#,
            org_id,
            dsu_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(DsuMemberView {
                    member: DsuMember {
                        id: r.id,
                        dsu_id: r.dsu_id,
                        person_id: r.person_id,
                        position: r.position,
                        relation: parse_col(
                            "relation",
                            DsuRelation::parse(&r.relation).ok_or(&r.relation),
                        )?,
                        basis: parse_col("basis", MemberBasis::parse(&r.basis).ok_or(&r.basis))?,
                        convivenza: r.convivenza,
                    },
                    surname: r.surname,
                    given_names: r.given_names,
                    codice_fiscale: r.codice_fiscale,
                    birth_date: r.birth_date,
                    death_date: r.death_date,
                })
            })
            .collect()
    }

    async fn save_dsu_quadri(&self, dsu: &DsuRecord, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        bump_draft(&mut tx, dsu).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn set_dsu_members(
        &self,
        dsu: &DsuRecord,
        members: &[DsuMember],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        bump_draft(&mut tx, dsu).await?;
        sqlx::query!(
            "DELETE FROM dsu_member WHERE org_id = $1 AND dsu_id = $2",
            dsu.org_id,
            dsu.id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_members(&mut tx, dsu.org_id, members).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn change_dsu_status(
        &self,
        org_id: Uuid,
        changes: &[DsuStatusChange],
        updated_by: &str,
        at_us: i64,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        for c in changes {
            let s = &c.status;
            let done = sqlx::query!(
                "UPDATE dsu SET state = $3, signed_on = $4, inps_protocol = $5,
                     attestation_id = $6, updated_by = $7, updated_us = $8, version = version + 1
                 WHERE org_id = $1 AND id = $2 AND version = $9",
                org_id,
                c.id,
                s.state.as_str(),
                s.signed_on,
                s.inps_protocol,
                s.attestation_id,
                updated_by,
                at_us,
                c.version
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            compared(done.rows_affected())?;
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn list_dsu(&self, org_id: Uuid, f: &DsuFilter) -> Result<Vec<DsuSummary>> {
        let state = f.state.map(|s| s.as_str());
        let rows = sqlx::query!(
            r#"SELECT d.id AS "id!: Uuid", d.declarant_id AS "declarant_id!: Uuid",
                      p.surname, p.given_names, d.state, d.dsu_date AS "dsu_date!: Date",
                      d.variant, d.isee_cents, d.created_by AS "created_by!: Uuid", d.updated_us
               FROM dsu d JOIN person p ON p.id = d.declarant_id
               WHERE d.org_id = $1
                 AND (d.created_by = $2 OR $2 IS NULL)
                 AND (d.state = $3 OR $3 IS NULL)
                 AND (d.id IN
                      (SELECT m.dsu_id FROM dsu_member m WHERE m.org_id = $1 AND m.person_id = $4)
                      OR $4 IS NULL)
               ORDER BY d.updated_us DESC, d.id DESC
               LIMIT $5"#,
            org_id,
            f.created_by,
            state,
            f.member,
            f.limit
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(DsuSummary {
                    id: r.id,
                    declarant_id: r.declarant_id,
                    declarant_name: format!("{} {}", r.surname, r.given_names),
                    state: state_col(&r.state)?,
                    dsu_date: r.dsu_date,
                    variant: r.variant,
                    isee_cents: r.isee_cents,
                    created_by: r.created_by,
                    updated_us: r.updated_us,
                })
            })
            .collect()
    }

    async fn expiring_attestations(
        &self,
        org_id: Option<Uuid>,
        until: Date,
        unnoticed: bool,
        limit: i64,
    ) -> Result<Vec<ExpiringAttestation>> {
        let rows = sqlx::query!(
            r#"SELECT a.org_id AS "org_id!: Uuid", a.id AS "application_id!: Uuid", a.protocol,
                      a.person_id AS "person_id!: Uuid", p.surname, p.given_names,
                      b.name AS "benefit_name!", t.id AS "attestation_id!: Uuid",
                      t.protocol AS "attestation_protocol!", t.valid_until AS "valid_until!: Date",
                      u.id AS "worker_id!: Uuid", u.full_name AS "worker_name!",
                      u.email AS "worker_email?", n.sent_us AS "noticed_us?",
                      EXISTS (SELECT 1 FROM isee_attestation t2
                              WHERE t2.org_id = a.org_id AND t2.person_id = a.person_id
                                AND t2.valid_until > t.valid_until) AS "newer!: bool"
               FROM application a
               JOIN isee_attestation t ON t.id = a.attestation_id
               JOIN person p ON p.id = a.person_id
               JOIN benefit b ON b.id = a.benefit_id
               JOIN app_user u ON u.id = COALESCE(a.reviewer_id, a.filed_by)
               LEFT JOIN attestation_expiry_notice n
                      ON n.application_id = a.id AND n.attestation_id = t.id
               WHERE (a.org_id = $1 OR $1 IS NULL)
                 AND a.state IN ('accolta', 'in_erogazione')
                 AND t.valid_until <= $2
                 AND (NOT $3 OR n.sent_us IS NULL)
                 AND EXISTS (SELECT 1 FROM delivery d
                             WHERE d.application_id = a.id AND d.status = 'prevista')
               ORDER BY t.valid_until, a.id
               LIMIT $4"#,
            org_id,
            until,
            unnoticed,
            limit
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| ExpiringAttestation {
                org_id: r.org_id,
                application_id: r.application_id,
                protocol: r.protocol,
                person_id: r.person_id,
                person_name: format!("{} {}", r.surname, r.given_names),
                benefit_name: r.benefit_name,
                attestation_id: r.attestation_id,
                attestation_protocol: r.attestation_protocol,
                valid_until: r.valid_until,
                worker_id: r.worker_id,
                worker_name: r.worker_name,
                worker_email: r.worker_email,
                newer: r.newer,
                noticed_us: r.noticed_us,
            })
            .collect())
    }

    async fn claim_expiry_notice(
        &self,
        org_id: Uuid,
        application_id: Uuid,
        attestation_id: Uuid,
        at_us: i64,
    ) -> Result<bool> {
        let done = sqlx::query!(
            "INSERT INTO attestation_expiry_notice (application_id, attestation_id, org_id, sent_us)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (application_id, attestation_id) DO NOTHING",
            application_id,
            attestation_id,
            org_id,
            at_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_expiry_notice(
        &self,
        application_id: Uuid,
        attestation_id: Uuid,
        at_us: i64,
    ) -> Result<()> {
        sqlx::query!(
            "DELETE FROM attestation_expiry_notice
             WHERE application_id = $1 AND attestation_id = $2 AND sent_us = $3",
            application_id,
            attestation_id,
            at_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}
