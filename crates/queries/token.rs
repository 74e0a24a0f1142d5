use super::{Backend, Db};
use super::{affected_one, map_err};
use store::{ApiToken, NewAudit, Result, TokenStore};
use time::OffsetDateTime;
use uuid::Uuid;

impl TokenStore for Db {
    async fn create_token(&self, t: &ApiToken, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO api_token (id, user_id, org_id, name, token_hash, created_at, last_used_at,
                                    revoked_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            t.id,
            t.user_id,
            t.org_id,
            t.name,
            t.token_hash,
            t.created_at,
            t.last_used_at,
            t.revoked_at,
            t.expires_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_token_by_hash(&self, token_hash: &str) -> Result<ApiToken> {
        sqlx::query_as!(
            ApiToken,
            r#"SELECT id AS "id!: Uuid", user_id AS "user_id!: Uuid", org_id AS "org_id!: Uuid",
                      name, token_hash, created_at AS "created_at!: OffsetDateTime",
                      last_used_at AS "last_used_at?: OffsetDateTime",
                      revoked_at AS "revoked_at?: OffsetDateTime",
                      expires_at AS "expires_at?: OffsetDateTime"
               FROM api_token WHERE token_hash = $1"#,
            token_hash
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)
    }

    async fn list_tokens(&self, user_id: Uuid) -> Result<Vec<ApiToken>> {
        sqlx::query_as!(
            ApiToken,
            r#"SELECT id AS "id!: Uuid", user_id AS "user_id!: Uuid", org_id AS "org_id!: Uuid",
                      name, token_hash, created_at AS "created_at!: OffsetDateTime",
                      last_used_at AS "last_used_at?: OffsetDateTime",
                      revoked_at AS "revoked_at?: OffsetDateTime",
                      expires_at AS "expires_at?: OffsetDateTime"
               FROM api_token WHERE user_id = $1 ORDER BY created_at DESC"#,
            user_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)
    }

    async fn revoke_token(&self, id: Uuid, at: OffsetDateTime, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            id,
            at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn touch_token(&self, id: Uuid, at: OffsetDateTime) -> Result<()> {
        sqlx::query!(
            "UPDATE api_token SET last_used_at = $2 WHERE id = $1",
            id,
            at
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}
