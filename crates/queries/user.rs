use super::{Backend, Db, Tx};
use super::{affected_one, map_err, role_col};
use domain::{Login, Role};
use store::{
    Member, Membership, NewAudit, PasswordChange, Result, Session, StoreError, User, UserStore,
};
use time::OffsetDateTime;
use uuid::Uuid;

impl UserStore for Db {
    async fn create_user(
        &self,
        u: &User,
        org_id: Uuid,
        role: Role,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO app_user (id, login, full_name, email, password_hash, must_change_password,
                                   totp_secret, active, created_at, one_time_until_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            u.id,
            u.login.as_str(),
            u.full_name,
            u.email,
            u.password_hash,
            u.must_change_password,
            u.totp_secret,
            u.active,
            u.created_at,
            u.one_time_until_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO membership (user_id, org_id, role) VALUES ($1, $2, $3)",
            u.id,
            org_id,
            role.as_str()
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_user(&self, id: Uuid) -> Result<User> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", login, full_name, email, password_hash,
                      must_change_password AS "must_change_password!: bool", totp_secret,
                      active AS "active!: bool", created_at AS "created_at!: OffsetDateTime",
                      one_time_until_us
               FROM app_user WHERE id = $1"#,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(user!(r))
    }

    async fn get_user_by_login(&self, login: &Login) -> Result<User> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", login, full_name, email, password_hash,
                      must_change_password AS "must_change_password!: bool", totp_secret,
                      active AS "active!: bool", created_at AS "created_at!: OffsetDateTime",
                      one_time_until_us
               FROM app_user WHERE login = $1"#,
            login.as_str()
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(user!(r))
    }

    async fn list_members(&self, org_id: Uuid) -> Result<Vec<Member>> {
        let rows = sqlx::query!(
            r#"SELECT u.id AS "id!: Uuid", u.login, u.full_name, u.email, u.password_hash,
                      u.must_change_password AS "must_change_password!: bool", u.totp_secret,
                      u.active AS "active!: bool", u.created_at AS "created_at!: OffsetDateTime",
                      u.one_time_until_us, m.role
               FROM membership m JOIN app_user u ON u.id = m.user_id
               WHERE m.org_id = $1 ORDER BY u.login"#,
            org_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let role = role_col(&r.role)?;
                Ok(Member {
                    user: user!(r),
                    role,
                })
            })
            .collect()
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", login, full_name, email, password_hash,
                      must_change_password AS "must_change_password!: bool", totp_secret,
                      active AS "active!: bool", created_at AS "created_at!: OffsetDateTime",
                      one_time_until_us
               FROM app_user ORDER BY login"#
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(user!(r))).collect()
    }

    async fn list_user_roles(&self) -> Result<Vec<(Uuid, String, Role)>> {
        let rows = sqlx::query!(
            r#"SELECT m.user_id AS "user_id!: Uuid", o.name, m.role
               FROM membership m JOIN organization o ON o.id = m.org_id
               ORDER BY o.name, o.code"#
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| Ok((r.user_id, r.name, role_col(&r.role)?)))
            .collect()
    }

    async fn memberships(&self, user_id: Uuid) -> Result<Vec<Membership>> {
        let rows = sqlx::query!(
            r#"SELECT o.id AS "id!: Uuid", o.code, o.name, o.kind, o.active AS "active!: bool",
                      o.created_at AS "created_at!: OffsetDateTime", m.role
               FROM membership m JOIN organization o ON o.id = m.org_id
               WHERE m.user_id = $1 ORDER BY o.name, o.code"#,
            user_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let role = role_col(&r.role)?;
                let org = organization!(r);
                Ok(Membership { org, role })
            })
            .collect()
    }

    async fn set_membership(
        &self,
        user_id: Uuid,
        org_id: Uuid,
        role: Role,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO membership (user_id, org_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
            user_id,
            org_id,
            role.as_str()
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::session::end_org_sessions(&mut tx, user_id, org_id).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn remove_membership(&self, user_id: Uuid, org_id: Uuid, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "DELETE FROM membership WHERE user_id = $1 AND org_id = $2",
            user_id,
            org_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::session::end_org_sessions(&mut tx, user_id, org_id).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn set_password(
        &self,
        user_id: Uuid,
        change: &PasswordChange,
        audits: &[NewAudit],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        write_password(&mut tx, user_id, change, audits).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn accept_totp(
        &self,
        user_id: Uuid,
        step: i64,
        enrol: Option<(&str, &NewAudit)>,
        old_token_hash: &str,
        session: &Session,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        // Compare and set: of two requests with the same code, one finds the step taken.
        let done = sqlx::query!(
            "UPDATE app_user SET totp_last_step = $2, totp_secret = COALESCE($3, totp_secret)
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            user_id,
            step,
            enrol.map(|(secret, _)| secret)
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        // A session ended meanwhile (an administrator, a reset, a concurrent code) is not
        // brought back by its code.
        if super::session::delete_session(&mut tx, old_token_hash).await? != 1 {
            return Err(StoreError::Conflict);
        }
        super::session::insert_session(&mut tx, session).await?;
        match enrol {
            Some((_, audit)) => super::audit::commit_with(tx, audit).await,
            None => tx.commit().await.map_err(map_err),
        }
    }

    async fn set_active(&self, user_id: Uuid, active: bool, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE app_user SET active = $2 WHERE id = $1",
            user_id,
            active
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        if !active {
            super::session::end_user_sessions(&mut tx, user_id).await?;
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn update_profile(
        &self,
        user_id: Uuid,
        full_name: &str,
        email: Option<&str>,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE app_user SET full_name = $2, email = $3 WHERE id = $1",
            user_id,
            full_name,
            email
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }
}

/// Sets a user's password as `change` says, ends their sessions (and revokes their API tokens
/// when asked), and appends the audit rows, in `tx`.
pub(crate) async fn write_password(
    tx: &mut Tx,
    user_id: Uuid,
    change: &PasswordChange,
    audits: &[NewAudit],
) -> Result<()> {
    let done = sqlx::query!(
        "UPDATE app_user SET password_hash = $2, must_change_password = $3,
                             one_time_until_us = $4
         WHERE id = $1",
        user_id,
        change.hash,
        change.one_time_until_us.is_some(),
        change.one_time_until_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    affected_one(done.rows_affected())?;
    super::session::end_user_sessions(tx, user_id).await?;
    if let Some(at) = change.revoke_tokens_at {
        sqlx::query!(
            "UPDATE api_token SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            user_id,
            at
        )
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    for audit in audits {
        super::audit::append(tx, audit).await?;
    }
    Ok(())
}
