use super::{Backend, Db, Tx};
use super::{affected_one, map_err};
use store::{
    KeptForm, Membership, NewAudit, Result, Session, SessionStage, SessionStore, StoreError, User,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// An organization's columns as a session's membership rows carry them.
struct OrgColumns {
    id: Uuid,
    code: String,
    name: String,
    kind: String,
    active: bool,
    created_at: OffsetDateTime,
}

macro_rules! session {
    ($r:expr) => {
        Session {
            token_hash: $r.token_hash,
            user_id: $r.user_id,
            org_id: $r.org_id,
            stage: super::parse_col("stage", SessionStage::parse(&$r.stage).ok_or(&$r.stage))?,
            pending_totp: $r.pending_totp,
            created_us: $r.created_us,
            last_seen_us: $r.last_seen_us,
            ip: $r.ip,
            user_agent: $r.user_agent,
        }
    };
}

/// Ends every session of a user inside `tx` (password change, disabling, an administrator's
/// request); returns how many there were.
pub(crate) async fn end_user_sessions(tx: &mut Tx, user_id: Uuid) -> Result<u64> {
    let done = sqlx::query!("DELETE FROM session WHERE user_id = $1", user_id)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected())
}

/// Ends a user's sessions in one organization: a changed or removed role takes effect at the
/// next login, not in a session opened under the old one.
pub(crate) async fn end_org_sessions(tx: &mut Tx, user_id: Uuid, org_id: Uuid) -> Result<()> {
    sqlx::query!(
        "DELETE FROM session WHERE user_id = $1 AND org_id = $2",
        user_id,
        org_id
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

type Connection = <super::Kind as sqlx::Database>::Connection;

/// Stores a new session, alone or inside a transaction (a session moved to a new id).
pub(crate) async fn insert_session(c: &mut Connection, s: &Session) -> Result<()> {
    sqlx::query!(
        "INSERT INTO session (token_hash, user_id, org_id, stage, pending_totp, created_us,
                              last_seen_us, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        s.token_hash,
        s.user_id,
        s.org_id,
        s.stage.as_str(),
        s.pending_totp,
        s.created_us,
        s.last_seen_us,
        s.ip,
        s.user_agent
    )
    .execute(c)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Deletes a session; how many rows went (0 when it had already ended).
pub(crate) async fn delete_session(c: &mut Connection, token_hash: &str) -> Result<u64> {
    let done = sqlx::query!("DELETE FROM session WHERE token_hash = $1", token_hash)
        .execute(c)
        .await
        .map_err(map_err)?;
    Ok(done.rows_affected())
}

impl SessionStore for Db {
    async fn create_session(&self, s: &Session) -> Result<()> {
        insert_session(&mut *self.write().await?, s).await
    }

    async fn get_session_with_user(
        &self,
        token_hash: &str,
    ) -> Result<(Session, User, Vec<Membership>)> {
        let rows = sqlx::query!(
            r#"SELECT s.token_hash, s.user_id AS "user_id!: Uuid", s.org_id AS "org_id?: Uuid",
                      s.stage, s.pending_totp, s.created_us, s.last_seen_us, s.ip, s.user_agent,
                      u.id AS "id!: Uuid", u.login, u.full_name, u.email, u.password_hash,
                      u.must_change_password AS "must_change_password!: bool", u.totp_secret,
                      u.active AS "active!: bool", u.created_at AS "created_at!: OffsetDateTime",
                      u.one_time_until_us, o.id AS "member_org?: Uuid", o.code AS "member_code?",
                      o.name AS "member_name?", o.kind AS "member_kind?",
                      o.active AS "member_active?: bool",
                      o.created_at AS "member_created_at?: OffsetDateTime", m.role AS "role?"
               FROM session s JOIN app_user u ON u.id = s.user_id
               LEFT JOIN membership m ON m.user_id = u.id
               LEFT JOIN organization o ON o.id = m.org_id
               WHERE s.token_hash = $1
               ORDER BY o.name, o.code"#,
            token_hash
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let mut memberships = Vec::with_capacity(rows.len());
        let mut found = None;
        for r in rows {
            if let (
                Some(id),
                Some(code),
                Some(name),
                Some(kind),
                Some(active),
                Some(created_at),
                Some(role),
            ) = (
                r.member_org,
                r.member_code,
                r.member_name,
                r.member_kind,
                r.member_active,
                r.member_created_at,
                r.role,
            ) {
                let org = OrgColumns {
                    id,
                    code,
                    name,
                    kind,
                    active,
                    created_at,
                };
                memberships.push(Membership {
                    org: organization!(org),
                    role: super::role_col(&role)?,
                });
            }
            if found.is_none() {
                found = Some((session!(r), user!(r)));
            }
        }
        let (session, user) = found.ok_or(StoreError::NotFound)?;
        Ok((session, user, memberships))
    }

    async fn touch_session(&self, token_hash: &str, last_seen_us: i64) -> Result<()> {
        sqlx::query!(
            "UPDATE session SET last_seen_us = $2 WHERE token_hash = $1",
            token_hash,
            last_seen_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn set_session_stage(
        &self,
        token_hash: &str,
        stage: SessionStage,
        pending_totp: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query!(
            "UPDATE session SET stage = $2, pending_totp = $3 WHERE token_hash = $1",
            token_hash,
            stage.as_str(),
            pending_totp
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        Ok(())
    }

    async fn set_session_org(&self, token_hash: &str, org_id: Uuid) -> Result<()> {
        let done = sqlx::query!(
            "UPDATE session SET org_id = $2 WHERE token_hash = $1",
            token_hash,
            org_id
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        delete_session(&mut *self.write().await?, token_hash).await?;
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: Uuid, audit: &NewAudit) -> Result<u64> {
        let mut tx = self.begin().await?;
        let ended = end_user_sessions(&mut tx, user_id).await?;
        super::audit::commit_with(tx, audit).await?;
        Ok(ended)
    }

    async fn list_user_sessions(&self, user_id: Uuid) -> Result<Vec<Session>> {
        let rows = sqlx::query!(
            r#"SELECT token_hash, user_id AS "user_id!: Uuid", org_id AS "org_id?: Uuid", stage,
                      pending_totp, created_us, last_seen_us, ip, user_agent
               FROM session WHERE user_id = $1 ORDER BY last_seen_us DESC"#,
            user_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(session!(r))).collect()
    }

    async fn purge_sessions(
        &self,
        idle_before_us: i64,
        created_before_us: i64,
        now_us: i64,
    ) -> Result<u64> {
        let mut c = self.write().await?;
        let done = sqlx::query!(
            "DELETE FROM session WHERE last_seen_us < $1 OR created_us < $2",
            idle_before_us,
            created_before_us
        )
        .execute(&mut *c)
        .await
        .map_err(map_err)?;
        sqlx::query!("DELETE FROM kept_form WHERE expires_us <= $1", now_us)
            .execute(&mut *c)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn keep_form(&self, f: &KeptForm) -> Result<()> {
        sqlx::query!(
            "INSERT INTO kept_form (secret_hash, user_id, path, fields, created_us, expires_us)
             VALUES ($1, $2, $3, $4, $5, $6)",
            f.secret_hash,
            f.user_id,
            f.path,
            f.fields,
            f.created_us,
            f.expires_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn take_kept_form(
        &self,
        secret_hash: &str,
        user_id: Uuid,
        now_us: i64,
    ) -> Result<Option<KeptForm>> {
        let mut tx = self.begin().await?;
        let found = sqlx::query!(
            r#"SELECT secret_hash, user_id AS "user_id!: Uuid", path, fields, created_us,
                      expires_us
               FROM kept_form WHERE secret_hash = $1 AND user_id = $2 AND expires_us > $3"#,
            secret_hash,
            user_id,
            now_us
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let Some(r) = found else {
            return Ok(None);
        };
        sqlx::query!("DELETE FROM kept_form WHERE secret_hash = $1", secret_hash)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(Some(KeptForm {
            secret_hash: r.secret_hash,
            user_id: r.user_id,
            path: r.path,
            fields: r.fields,
            created_us: r.created_us,
            expires_us: r.expires_us,
        }))
    }
}
