use super::benefit::insert_application;
use super::compared;
use super::{Backend, Db};
use super::{affected_one, map_err};
use store::{
    AccountLink, Application, ApplicationEvent, DraftDocument, DraftSummary, NewAudit,
    PasswordChange, PortalDraft, PortalStore, Result, StoreError,
};
use uuid::Uuid;

impl PortalStore for Db {
    async fn create_portal_draft(&self, d: &PortalDraft, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO portal_draft (id, org_id, person_id, benefit_id, account_id, answers,
                 version, created_at_us, updated_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            d.id,
            d.org_id,
            d.person_id,
            d.benefit_id,
            d.account_id,
            d.answers,
            d.version,
            d.created_at_us,
            d.updated_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn save_portal_draft(&self, d: &PortalDraft, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE portal_draft SET answers = $3, version = $4, updated_at_us = $5
             WHERE org_id = $1 AND id = $2 AND version = $6",
            d.org_id,
            d.id,
            d.answers,
            d.version,
            d.updated_at_us,
            d.version - 1
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_portal_draft(&self, org_id: Uuid, id: Uuid) -> Result<PortalDraft> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   benefit_id AS "benefit_id!: Uuid", account_id AS "account_id!: Uuid",
                   answers AS "answers!", version AS "version!",
                   created_at_us AS "created_at_us!", updated_at_us AS "updated_at_us!"
               FROM portal_draft WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(PortalDraft {
            id: r.id,
            org_id: r.org_id,
            person_id: r.person_id,
            benefit_id: r.benefit_id,
            account_id: r.account_id,
            answers: r.answers,
            version: r.version,
            created_at_us: r.created_at_us,
            updated_at_us: r.updated_at_us,
        })
    }

    async fn portal_drafts(&self, account_id: Uuid) -> Result<Vec<DraftSummary>> {
        let rows = sqlx::query!(
            r#"SELECT d.id AS "id!: Uuid", d.org_id AS "org_id!: Uuid",
                   d.person_id AS "person_id!: Uuid", d.benefit_id AS "benefit_id!: Uuid",
                   b.name AS "benefit_name!", d.updated_at_us AS "updated_at_us!"
               FROM portal_draft d
               JOIN benefit b ON b.org_id = d.org_id AND b.id = d.benefit_id
               WHERE d.account_id = $1 ORDER BY d.updated_at_us DESC"#,
            account_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| DraftSummary {
                id: r.id,
                org_id: r.org_id,
                person_id: r.person_id,
                benefit_id: r.benefit_id,
                benefit_name: r.benefit_name,
                updated_at_us: r.updated_at_us,
            })
            .collect())
    }

    async fn add_draft_document(
        &self,
        d: &DraftDocument,
        content: &[u8],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO portal_draft_document (id, org_id, draft_id, requirement, file_name,
                 content_type, size_bytes, sha256, content, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            d.id,
            d.org_id,
            d.draft_id,
            d.requirement,
            d.file_name,
            d.content_type,
            d.size_bytes,
            d.sha256,
            content,
            d.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn remove_draft_document(
        &self,
        org_id: Uuid,
        draft_id: Uuid,
        id: Uuid,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "DELETE FROM portal_draft_document WHERE org_id = $1 AND draft_id = $2 AND id = $3",
            org_id,
            draft_id,
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn draft_documents(&self, org_id: Uuid, draft_id: Uuid) -> Result<Vec<DraftDocument>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", draft_id AS "draft_id!: Uuid",
                   requirement AS "requirement!", file_name AS "file_name!",
                   content_type AS "content_type!", size_bytes AS "size_bytes!",
                   sha256 AS "sha256!", at_us AS "at_us!"
               FROM portal_draft_document WHERE org_id = $1 AND draft_id = $2
               ORDER BY at_us, id"#,
            org_id,
            draft_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| DraftDocument {
                id: r.id,
                org_id: r.org_id,
                draft_id: r.draft_id,
                requirement: r.requirement,
                file_name: r.file_name,
                content_type: r.content_type,
                size_bytes: r.size_bytes,
                sha256: r.sha256,
                at_us: r.at_us,
            })
            .collect())
    }

    async fn submit_portal_draft(
        &self,
        d: &PortalDraft,
        a: &Application,
        e: &ApplicationEvent,
        actor: &str,
        audit: &NewAudit,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let protocol = insert_application(&mut tx, a, e).await?;
        // Row by row: a parameter in an INSERT … SELECT has no type PostgreSQL can infer.
        let docs = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", requirement AS "requirement!", file_name AS "file_name!",
                   content_type AS "content_type!", size_bytes AS "size_bytes!",
                   sha256 AS "sha256!", content AS "content!", at_us AS "at_us!"
               FROM portal_draft_document WHERE org_id = $1 AND draft_id = $2"#,
            d.org_id,
            d.id
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        for doc in docs {
            sqlx::query!(
                "INSERT INTO application_document (id, org_id, application_id, requirement,
                     file_name, content_type, size_bytes, sha256, content, actor, at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                doc.id,
                d.org_id,
                a.id,
                doc.requirement,
                doc.file_name,
                doc.content_type,
                doc.size_bytes,
                doc.sha256,
                doc.content,
                actor,
                doc.at_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        remove_draft(&mut tx, d.org_id, d.id, Some(d.version)).await?;
        super::audit::commit_with(tx, audit).await?;
        Ok(protocol)
    }

    async fn delete_portal_draft(&self, org_id: Uuid, id: Uuid, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        remove_draft(&mut tx, org_id, id, None).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn create_account_link(&self, link: &AccountLink, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "DELETE FROM portal_account_link WHERE login = $1 AND used_us IS NULL",
            link.login
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO portal_account_link (token_hash, login, org_id, person_id, created_us,
                 expires_us, used_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            link.token_hash,
            link.login,
            link.org_id,
            link.person_id,
            link.created_us,
            link.expires_us,
            link.used_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_account_link(&self, token_hash: &str) -> Result<AccountLink> {
        let r = sqlx::query!(
            r#"SELECT token_hash AS "token_hash!", login AS "login!", org_id AS "org_id!: Uuid",
                   person_id AS "person_id!: Uuid", created_us AS "created_us!",
                   expires_us AS "expires_us!", used_us
               FROM portal_account_link WHERE token_hash = $1"#,
            token_hash
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(AccountLink {
            token_hash: r.token_hash,
            login: r.login,
            org_id: r.org_id,
            person_id: r.person_id,
            created_us: r.created_us,
            expires_us: r.expires_us,
            used_us: r.used_us,
        })
    }

    async fn set_password_by_link(
        &self,
        token_hash: &str,
        now_us: i64,
        user_id: Uuid,
        change: &PasswordChange,
        audits: &[NewAudit],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        // Compare and set: of two requests with the same link, one finds it used.
        let done = sqlx::query!(
            "UPDATE portal_account_link SET used_us = $2
             WHERE token_hash = $1 AND used_us IS NULL AND expires_us > $2",
            token_hash,
            now_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        super::user::write_password(&mut tx, user_id, change, audits).await?;
        tx.commit().await.map_err(map_err)
    }
}

/// Deletes a draft with its documents; at `version` if given (a draft submitted twice, or
/// changed meanwhile, is a conflict).
async fn remove_draft(
    tx: &mut super::Tx,
    org_id: Uuid,
    id: Uuid,
    version: Option<i64>,
) -> Result<()> {
    sqlx::query!(
        "DELETE FROM portal_draft_document WHERE org_id = $1 AND draft_id = $2",
        org_id,
        id
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    let done = sqlx::query!(
        "DELETE FROM portal_draft WHERE org_id = $1 AND id = $2 AND (version = $3 OR $3 IS NULL)",
        org_id,
        id,
        version
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    match (done.rows_affected(), version) {
        (0, Some(_)) => Err(StoreError::Conflict),
        (n, _) => affected_one(n),
    }
}
