//! What several servers on one database share (`store::ServerStore`).

use super::map_err;
use super::{Backend, Db};
use store::{JobSummary, LoginFailure, PendingSignIn, Result, ServerStore};

impl ServerStore for Db {
    async fn add_login_failure(
        &self,
        kind: &str,
        login: &str,
        address: &str,
        now_us: i64,
        window_start_us: i64,
    ) -> Result<()> {
        sqlx::query!(
            "INSERT INTO login_failure (kind, login, address, failures, last_us)
             VALUES ($1, $2, $3, 1, $4)
             ON CONFLICT (kind, login, address) DO UPDATE SET
                 failures = CASE WHEN login_failure.last_us > $5
                                 THEN login_failure.failures + 1 ELSE 1 END,
                 last_us = $4",
            kind,
            login,
            address,
            now_us,
            window_start_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn login_failures_for(
        &self,
        login: &str,
        address: &str,
        window_start_us: i64,
    ) -> Result<Vec<LoginFailure>> {
        let rows = sqlx::query_as!(
            LoginFailure,
            r#"SELECT kind AS "kind!", login AS "login!", address AS "address!",
                      failures AS "failures!: i64", last_us AS "last_us!: i64"
               FROM login_failure
               WHERE last_us > $3
                 AND ((login = $1 AND (address = $2 OR address = ''))
                      OR (login = '' AND address = $2))"#,
            login,
            address,
            window_start_us
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows)
    }

    async fn login_failures_of(
        &self,
        login: &str,
        window_start_us: i64,
    ) -> Result<Vec<LoginFailure>> {
        let rows = sqlx::query_as!(
            LoginFailure,
            r#"SELECT kind AS "kind!", login AS "login!", address AS "address!",
                      failures AS "failures!: i64", last_us AS "last_us!: i64"
               FROM login_failure
               WHERE login = $1 AND last_us > $2"#,
            login,
            window_start_us
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows)
    }

    async fn delete_login_failure(&self, kind: &str, login: &str, address: &str) -> Result<()> {
        sqlx::query!(
            "DELETE FROM login_failure WHERE kind = $1 AND login = $2 AND address = $3",
            kind,
            login,
            address
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn delete_login_failures_of(&self, login: &str) -> Result<u64> {
        let done = sqlx::query!("DELETE FROM login_failure WHERE login = $1", login)
            .execute(&mut *self.write().await?)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn purge_server_state(&self, before_us: i64) -> Result<u64> {
        let mut tx = self.begin().await?;
        let mut removed = 0;
        removed += sqlx::query!("DELETE FROM login_failure WHERE last_us < $1", before_us)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        removed += sqlx::query!("DELETE FROM flash_message WHERE created_us < $1", before_us)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        removed += sqlx::query!(
            "DELETE FROM portal_pending_login WHERE created_us < $1",
            before_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(removed)
    }

    async fn claim_job_run(
        &self,
        job: &str,
        period: &str,
        server: &str,
        started_us: i64,
    ) -> Result<bool> {
        let done = sqlx::query!(
            "INSERT INTO job_run (job, period, server, started_us)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (job, period) DO NOTHING",
            job,
            period,
            server,
            started_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_job_run(
        &self,
        job: &str,
        period: &str,
        finished_us: i64,
        ok: bool,
        detail: Option<&str>,
    ) -> Result<()> {
        let outcome = if ok { "riuscito" } else { "fallito" };
        sqlx::query!(
            "UPDATE job_run SET finished_us = $3, outcome = $4, detail = $5
             WHERE job = $1 AND period = $2",
            job,
            period,
            finished_us,
            outcome,
            detail
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn job_summaries(&self) -> Result<Vec<JobSummary>> {
        let rows = sqlx::query_as!(
            JobSummary,
            r#"SELECT job AS "job!", COUNT(*) AS "runs!: i64",
                      SUM(CASE WHEN outcome = 'fallito' THEN 1 ELSE 0 END) AS "failures!: i64",
                      MAX(CASE WHEN outcome = 'riuscito' THEN finished_us END)
                          AS "last_success_us?: i64"
               FROM job_run GROUP BY job ORDER BY job"#
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows)
    }

    async fn purge_job_runs(&self, before_us: i64) -> Result<u64> {
        let done = sqlx::query!("DELETE FROM job_run WHERE started_us < $1", before_us)
            .execute(&mut *self.write().await?)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    async fn put_flash(
        &self,
        id_hash: &str,
        kind: &str,
        text: &str,
        created_us: i64,
    ) -> Result<()> {
        sqlx::query!(
            "INSERT INTO flash_message (id_hash, kind, text, created_us) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id_hash) DO NOTHING",
            id_hash,
            kind,
            text,
            created_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_flash(&self, id_hash: &str, since_us: i64) -> Result<Option<(String, String)>> {
        let r = sqlx::query!(
            r#"SELECT kind AS "kind!", text AS "text!" FROM flash_message
               WHERE id_hash = $1 AND created_us > $2"#,
            id_hash,
            since_us
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.map(|r| (r.kind, r.text)))
    }

    async fn delete_flash(&self, id_hash: &str) -> Result<()> {
        sqlx::query!("DELETE FROM flash_message WHERE id_hash = $1", id_hash)
            .execute(&mut *self.write().await?)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn put_pending_sign_in(&self, state_hash: &str, sign_in: &PendingSignIn) -> Result<()> {
        sqlx::query!(
            "INSERT INTO portal_pending_login (state_hash, created_us, pending, after_path)
             VALUES ($1, $2, $3, $4)",
            state_hash,
            sign_in.created_us,
            sign_in.pending,
            sign_in.after_path
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn take_pending_sign_in(&self, state_hash: &str) -> Result<Option<PendingSignIn>> {
        let mut tx = self.begin().await?;
        let found = sqlx::query_as!(
            PendingSignIn,
            r#"SELECT created_us AS "created_us!: i64", pending AS "pending!",
                      after_path AS "after_path!"
               FROM portal_pending_login WHERE state_hash = $1"#,
            state_hash
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
        let done = sqlx::query!(
            "DELETE FROM portal_pending_login WHERE state_hash = $1",
            state_hash
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        // The server whose delete removed the row finishes the sign-in; another finds none.
        Ok(found.filter(|_| done.rows_affected() == 1))
    }
}
