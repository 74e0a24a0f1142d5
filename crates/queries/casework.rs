use super::compared;
use super::{Backend, Db};
use super::{affected_one, coded, map_err, parse_col};
use domain::casework::{
    AccessChannel, AccessData, AccessOutcome, AppointmentStatus, CaseState, CloseReason,
    Confidentiality, DiaryData, DiaryKind, InterventionData, Need, count_needs,
};
use domain::person::RegistryEventKind;
use store::{
    AccessFilter, AccessRecord, AccessView, Appointment, AppointmentChange, AppointmentView,
    Assessment, BreakGlass, BreakGlassView, CarePlan, CaseDocument, CaseFile, CaseFileView,
    CaseFilter, CaseStore, CaseloadRow, DiaryEntry, DiaryPage, Intervention, NewAudit, PlanReview,
    RegistryEvent, Result, ReviewDue, StateChange, StoreError, TeamMember,
};
use time::Date;
use uuid::Uuid;

/// The kind of matter a case file opens on its person (see `person_open_matter`).
const MATTER: &str = "cartella";

fn opt_coded<T>(
    column: &'static str,
    raw: Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    raw.map(|r| coded(column, &r, parse)).transpose()
}

fn needs(raw: &str) -> Result<Vec<Need>> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(|n| coded("needs", n, Need::parse))
        .collect()
}

macro_rules! case_file {
    ($r:expr) => {{
        let r = $r;
        CaseFile {
            id: r.id,
            org_id: r.org_id,
            person_id: r.person_id,
            number: r.number,
            state: coded("state", &r.state, CaseState::parse)?,
            worker_id: r.worker_id,
            opened_on: r.opened_on,
            state_since: r.state_since,
            close_reason: opt_coded("close_reason", r.close_reason, CloseReason::parse)?,
            version: r.version,
            created_at_us: r.created_at_us,
            worker_since_us: r.worker_since_us,
        }
    }};
}

macro_rules! access_record {
    ($r:expr) => {{
        let r = $r;
        AccessRecord {
            id: r.id,
            org_id: r.org_id,
            person_id: r.person_id,
            data: AccessData {
                on_behalf_of: r.on_behalf_of,
                channel: coded("channel", &r.channel, AccessChannel::parse)?,
                referral: r.referral,
                needs: needs(&r.needs)?,
                request: r.request,
                information: r.information,
                outcome: coded("outcome", &r.outcome, AccessOutcome::parse)?,
                follow_up: r.follow_up,
                follow_up_date: r.follow_up_date,
            },
            case_file_id: r.case_file_id,
            actor_id: r.actor_id,
            actor: r.actor,
            at_us: r.at_us,
            recorded_at_us: r.recorded_at_us,
            follow_up_done: r.follow_up_done_at_us.zip(r.follow_up_done_by),
        }
    }};
}

macro_rules! access_view {
    ($r:expr) => {{
        let r = $r;
        let (surname, given_names, actor_name) = (
            r.surname.clone(),
            r.given_names.clone(),
            r.actor_name.clone(),
        );
        AccessView {
            record: access_record!(r),
            surname,
            given_names,
            actor_name,
        }
    }};
}

macro_rules! appointment_view {
    ($r:expr) => {{
        let r = $r;
        AppointmentView {
            appointment: Appointment {
                id: r.id,
                org_id: r.org_id,
                worker_id: r.worker_id,
                person_id: r.person_id,
                case_file_id: r.case_file_id,
                starts_at_us: r.starts_at_us,
                minutes: r.minutes,
                place: r.place,
                purpose: r.purpose,
                email: r.email,
                status: coded("status", &r.status, AppointmentStatus::parse)?,
                reminder_sent_at_us: r.reminder_sent_at_us,
                diary_entry_id: r.diary_entry_id,
                actor: r.actor,
                at_us: r.at_us,
                version: r.version,
            },
            surname: r.surname,
            given_names: r.given_names,
            worker_name: r.worker_name,
            org_name: r.org_name,
        }
    }};
}

macro_rules! care_plan {
    ($r:expr) => {{
        let r = $r;
        CarePlan {
            id: r.id,
            org_id: r.org_id,
            case_file_id: r.case_file_id,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            goals: r.goals,
            commitments: r.commitments,
            next_review: r.next_review,
            active: r.active,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

macro_rules! case_document {
    ($r:expr) => {{
        let r = $r;
        CaseDocument {
            id: r.id,
            org_id: r.org_id,
            case_file_id: r.case_file_id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            description: r.description,
            confidentiality: coded(
                "confidentiality",
                &r.confidentiality,
                Confidentiality::parse,
            )?,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

macro_rules! assessment {
    ($r:expr) => {{
        let r = $r;
        Assessment {
            id: r.id,
            org_id: r.org_id,
            case_file_id: r.case_file_id,
            form: r.form,
            form_version: r.form_version,
            assessed_on: r.assessed_on,
            answers: r.answers,
            summary: r.summary,
            actor: r.actor,
            at_us: r.at_us,
        }
    }};
}

impl CaseStore for Db {
    async fn record_access(&self, a: &AccessRecord, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        let needs: Vec<&str> = a.data.needs.iter().map(|n| n.as_str()).collect();
        let (done_at, done_by) = a.follow_up_done.clone().unzip();
        sqlx::query!(
            "INSERT INTO access_record (id, org_id, person_id, on_behalf_of, channel, referral,
                 needs, request, information, outcome, follow_up, follow_up_date, case_file_id,
                 actor_id, actor, at_us, recorded_at_us, follow_up_done_at_us, follow_up_done_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)",
            a.id,
            a.org_id,
            a.person_id,
            a.data.on_behalf_of,
            a.data.channel.as_str(),
            a.data.referral,
            needs.join(","),
            a.data.request,
            a.data.information,
            a.data.outcome.as_str(),
            a.data.follow_up,
            a.data.follow_up_date,
            a.case_file_id,
            a.actor_id,
            a.actor,
            a.at_us,
            a.recorded_at_us,
            done_at,
            done_by
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_access(&self, org_id: Uuid, id: Uuid) -> Result<AccessRecord> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   on_behalf_of AS "on_behalf_of?", channel AS "channel!", referral AS "referral?",
                   needs AS "needs!", request AS "request!", information AS "information!",
                   outcome AS "outcome!", follow_up AS "follow_up?",
                   follow_up_date AS "follow_up_date?: Date", case_file_id AS "case_file_id?: Uuid",
                   actor_id AS "actor_id!: Uuid", actor AS "actor!", at_us AS "at_us!",
                   recorded_at_us AS "recorded_at_us!",
                   follow_up_done_at_us AS "follow_up_done_at_us?",
                   follow_up_done_by AS "follow_up_done_by?"
               FROM access_record WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(access_record!(r))
    }

    async fn person_accesses(&self, org_id: Uuid, person_id: Uuid) -> Result<Vec<AccessRecord>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   on_behalf_of AS "on_behalf_of?", channel AS "channel!", referral AS "referral?",
                   needs AS "needs!", request AS "request!", information AS "information!",
                   outcome AS "outcome!", follow_up AS "follow_up?",
                   follow_up_date AS "follow_up_date?: Date", case_file_id AS "case_file_id?: Uuid",
                   actor_id AS "actor_id!: Uuid", actor AS "actor!", at_us AS "at_us!",
                   recorded_at_us AS "recorded_at_us!",
                   follow_up_done_at_us AS "follow_up_done_at_us?",
                   follow_up_done_by AS "follow_up_done_by?"
               FROM access_record WHERE org_id = $1 AND person_id = $2
               ORDER BY at_us DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(access_record!(r))).collect()
    }

    async fn accesses(&self, org_id: Uuid, f: &AccessFilter) -> Result<Vec<AccessView>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.person_id AS "person_id!: Uuid", a.on_behalf_of AS "on_behalf_of?",
                   a.channel AS "channel!", a.referral AS "referral?", a.needs AS "needs!",
                   a.request AS "request!", a.information AS "information!",
                   a.outcome AS "outcome!", a.follow_up AS "follow_up?",
                   a.follow_up_date AS "follow_up_date?: Date",
                   a.case_file_id AS "case_file_id?: Uuid", a.actor_id AS "actor_id!: Uuid",
                   a.actor AS "actor!", a.at_us AS "at_us!",
                   a.recorded_at_us AS "recorded_at_us!",
                   a.follow_up_done_at_us AS "follow_up_done_at_us?",
                   a.follow_up_done_by AS "follow_up_done_by?", p.surname AS "surname!",
                   p.given_names AS "given_names!", u.full_name AS "actor_name!"
               FROM access_record a JOIN person p ON p.id = a.person_id
                   JOIN app_user u ON u.id = a.actor_id
               WHERE a.org_id = $1 AND a.at_us >= $2 AND a.at_us <= $3
                 AND (a.actor_id = $4 OR $4 IS NULL)
               ORDER BY a.at_us DESC LIMIT $5"#,
            org_id,
            f.from_us,
            f.to_us,
            f.actor_id,
            f.limit
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(access_view!(r))).collect()
    }

    async fn access_need_counts(&self, org_id: Uuid, f: &AccessFilter) -> Result<Vec<(Need, i64)>> {
        let rows = sqlx::query_scalar!(
            r#"SELECT needs AS "needs!" FROM access_record
               WHERE org_id = $1 AND at_us >= $2 AND at_us <= $3
                 AND (actor_id = $4 OR $4 IS NULL)"#,
            org_id,
            f.from_us,
            f.to_us,
            f.actor_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let parsed = rows.iter().map(|r| needs(r)).collect::<Result<Vec<_>>>()?;
        Ok(count_needs(parsed.iter().map(Vec::as_slice)))
    }

    async fn follow_ups_due(
        &self,
        org_id: Uuid,
        actor_id: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<AccessView>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.person_id AS "person_id!: Uuid", a.on_behalf_of AS "on_behalf_of?",
                   a.channel AS "channel!", a.referral AS "referral?", a.needs AS "needs!",
                   a.request AS "request!", a.information AS "information!",
                   a.outcome AS "outcome!", a.follow_up AS "follow_up?",
                   a.follow_up_date AS "follow_up_date?: Date",
                   a.case_file_id AS "case_file_id?: Uuid", a.actor_id AS "actor_id!: Uuid",
                   a.actor AS "actor!", a.at_us AS "at_us!",
                   a.recorded_at_us AS "recorded_at_us!",
                   a.follow_up_done_at_us AS "follow_up_done_at_us?",
                   a.follow_up_done_by AS "follow_up_done_by?", p.surname AS "surname!",
                   p.given_names AS "given_names!", u.full_name AS "actor_name!"
               FROM access_record a JOIN person p ON p.id = a.person_id
                   JOIN app_user u ON u.id = a.actor_id
               WHERE a.org_id = $1 AND a.follow_up IS NOT NULL
                 AND a.follow_up_done_at_us IS NULL
                 AND (a.actor_id = $2 OR $2 IS NULL)
               ORDER BY a.follow_up_date IS NULL, a.follow_up_date, a.at_us LIMIT $3"#,
            org_id,
            actor_id,
            limit
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(access_view!(r))).collect()
    }

    async fn close_follow_up(
        &self,
        org_id: Uuid,
        id: Uuid,
        done_at_us: i64,
        done_by: &str,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE access_record SET follow_up_done_at_us = $3, follow_up_done_by = $4
             WHERE org_id = $1 AND id = $2 AND follow_up IS NOT NULL
               AND follow_up_done_at_us IS NULL",
            org_id,
            id,
            done_at_us,
            done_by
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn open_case_file(
        &self,
        c: &CaseFile,
        opening: &StateChange,
        access_id: Option<Uuid>,
        audit: &NewAudit,
    ) -> Result<String> {
        let mut tx = self.begin().await?;
        let year = i64::from(c.opened_on.year());
        let last = sqlx::query_scalar!(
            r#"INSERT INTO record_counter (org_id, kind, year, last) VALUES ($1, $2, $3, 1)
               ON CONFLICT (org_id, kind, year) DO UPDATE SET last = record_counter.last + 1
               RETURNING last AS "last!: i64""#,
            c.org_id,
            MATTER,
            year
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let number = format!("{year}/{last:05}");
        sqlx::query!(
            "INSERT INTO case_file (id, org_id, person_id, number, state, worker_id, opened_on,
                 state_since, close_reason, version, created_at_us, worker_since_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            c.id,
            c.org_id,
            c.person_id,
            number,
            c.state.as_str(),
            c.worker_id,
            c.opened_on,
            c.state_since,
            c.close_reason.map(CloseReason::as_str),
            c.version,
            c.created_at_us,
            c.worker_since_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_change(&mut tx, opening).await?;
        if let Some(access) = access_id {
            let done = sqlx::query!(
                "UPDATE access_record SET case_file_id = $3
                 WHERE org_id = $1 AND id = $2 AND person_id = $4",
                c.org_id,
                access,
                c.id,
                c.person_id
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            affected_one(done.rows_affected())?;
        }
        open_matter(
            &mut tx,
            c.org_id,
            c.person_id,
            MATTER,
            c.id,
            c.created_at_us,
        )
        .await?;
        super::audit::commit_with(tx, audit).await?;
        Ok(number)
    }

    async fn get_case_file(&self, org_id: Uuid, id: Uuid) -> Result<CaseFile> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   number AS "number!", state AS "state!", worker_id AS "worker_id!: Uuid",
                   opened_on AS "opened_on!: Date", state_since AS "state_since!: Date",
                   close_reason AS "close_reason?", version AS "version!",
                   created_at_us AS "created_at_us!", worker_since_us AS "worker_since_us!"
               FROM case_file WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(case_file!(r))
    }

    async fn person_case_file(&self, org_id: Uuid, person_id: Uuid) -> Result<Option<CaseFile>> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   number AS "number!", state AS "state!", worker_id AS "worker_id!: Uuid",
                   opened_on AS "opened_on!: Date", state_since AS "state_since!: Date",
                   close_reason AS "close_reason?", version AS "version!",
                   created_at_us AS "created_at_us!", worker_since_us AS "worker_since_us!"
               FROM case_file WHERE org_id = $1 AND person_id = $2"#,
            org_id,
            person_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        r.map(|r| Ok(case_file!(r))).transpose()
    }

    async fn change_case_state(
        &self,
        c: &CaseFile,
        change: &StateChange,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE case_file SET state = $3, state_since = $4, close_reason = $5, version = $6
             WHERE org_id = $1 AND id = $2 AND version = $7",
            c.org_id,
            c.id,
            c.state.as_str(),
            c.state_since,
            c.close_reason.map(CloseReason::as_str),
            c.version,
            c.version - 1
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        compared(done.rows_affected())?;
        insert_change(&mut tx, change).await?;
        match (change.from, change.to) {
            (_, CaseState::Closed) => {
                close_matter(&mut tx, c.org_id, MATTER, c.id, change.at_us).await?
            }
            (Some(CaseState::Closed), _) => {
                open_matter(&mut tx, c.org_id, c.person_id, MATTER, c.id, change.at_us).await?
            }
            _ => {}
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn case_state_history(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
    ) -> Result<Vec<StateChange>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", from_state AS "from_state?",
                   to_state AS "to_state!", on_date AS "on_date!: Date",
                   close_reason AS "close_reason?", note AS "note!", actor AS "actor!",
                   at_us AS "at_us!"
               FROM case_state_change WHERE org_id = $1 AND case_file_id = $2
               ORDER BY at_us DESC"#,
            org_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(StateChange {
                    id: r.id,
                    org_id: r.org_id,
                    case_file_id: r.case_file_id,
                    from: opt_coded("from_state", r.from_state, CaseState::parse)?,
                    to: coded("to_state", &r.to_state, CaseState::parse)?,
                    on: r.on_date,
                    close_reason: opt_coded("close_reason", r.close_reason, CloseReason::parse)?,
                    note: r.note,
                    actor: r.actor,
                    at_us: r.at_us,
                })
            })
            .collect()
    }

    async fn case_team(&self, org_id: Uuid, case_file_id: Uuid) -> Result<Vec<TeamMember>> {
        let rows = sqlx::query!(
            r#"SELECT u.id AS "user_id!: Uuid", u.login AS "login!", u.full_name AS "full_name!",
                   t.added_at_us AS "added_at_us!"
               FROM case_team t JOIN app_user u ON u.id = t.user_id
               WHERE t.org_id = $1 AND t.case_file_id = $2
               ORDER BY u.full_name"#,
            org_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| TeamMember {
                user_id: r.user_id,
                login: r.login,
                full_name: r.full_name,
                added_at_us: r.added_at_us,
            })
            .collect())
    }

    async fn add_team_member(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
        user_id: Uuid,
        at_us: i64,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO case_team (case_file_id, user_id, org_id, added_at_us)
             VALUES ($1, $2, $3, $4)",
            case_file_id,
            user_id,
            org_id,
            at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn remove_team_member(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
        user_id: Uuid,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "DELETE FROM case_team WHERE org_id = $1 AND case_file_id = $2 AND user_id = $3",
            org_id,
            case_file_id,
            user_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn assigned_since(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<i64>> {
        let r = sqlx::query_scalar!(
            r#"SELECT CASE WHEN c.worker_id = $3 THEN c.worker_since_us ELSE t.added_at_us END
                      AS "since?: i64"
               FROM case_file c
               LEFT JOIN case_team t ON t.case_file_id = c.id AND t.user_id = $3
               WHERE c.org_id = $1 AND c.id = $2 AND (c.worker_id = $3 OR t.user_id IS NOT NULL)"#,
            org_id,
            case_file_id,
            user_id
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.flatten())
    }

    async fn reassign_case_files(
        &self,
        org_id: Uuid,
        ids: &[Uuid],
        worker_id: Uuid,
        at_us: i64,
        audit: &NewAudit,
    ) -> Result<u64> {
        let mut tx = self.begin().await?;
        for id in ids {
            let done = sqlx::query!(
                "UPDATE case_file SET worker_id = $3, version = version + 1,
                     worker_since_us = CASE WHEN worker_id = $3 THEN worker_since_us ELSE $4 END
                 WHERE org_id = $1 AND id = $2",
                org_id,
                id,
                worker_id,
                at_us
            )
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            affected_one(done.rows_affected())?;
        }
        super::audit::commit_with(tx, audit).await?;
        Ok(ids.len() as u64)
    }

    async fn list_case_files(&self, org_id: Uuid, f: &CaseFilter) -> Result<Vec<CaseFileView>> {
        let state = f.state.map(CaseState::as_str);
        let rows = sqlx::query!(
            r#"SELECT c.id AS "id!: Uuid", c.org_id AS "org_id!: Uuid",
                   c.person_id AS "person_id!: Uuid", c.number AS "number!", c.state AS "state!",
                   c.worker_id AS "worker_id!: Uuid", c.opened_on AS "opened_on!: Date",
                   c.state_since AS "state_since!: Date", c.close_reason AS "close_reason?",
                   c.version AS "version!", c.created_at_us AS "created_at_us!", c.worker_since_us AS "worker_since_us!",
                   p.surname AS "surname!", p.given_names AS "given_names!",
                   p.codice_fiscale AS "codice_fiscale?", p.birth_date AS "birth_date!: Date",
                   u.full_name AS "worker_name!"
               FROM case_file c
               JOIN person p ON p.id = c.person_id
               JOIN app_user u ON u.id = c.worker_id
               WHERE c.org_id = $1
                 AND (c.worker_id = $2 OR $2 IS NULL
                      OR EXISTS (SELECT 1 FROM case_team t
                                 WHERE t.case_file_id = c.id AND t.user_id = $2))
                 AND (c.state = $3 OR $3 IS NULL)
               ORDER BY p.surname, p.given_names, c.id
               LIMIT $4 OFFSET $5"#,
            org_id,
            f.worker_id,
            state,
            f.limit,
            f.offset
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(CaseFileView {
                    surname: r.surname.clone(),
                    given_names: r.given_names.clone(),
                    codice_fiscale: r.codice_fiscale.clone(),
                    birth_date: r.birth_date,
                    worker_name: r.worker_name.clone(),
                    case: case_file!(r),
                })
            })
            .collect()
    }

    async fn caseload(&self, org_id: Uuid, today: Date) -> Result<Vec<CaseloadRow>> {
        let rows = sqlx::query!(
            r#"SELECT u.id AS "worker_id!: Uuid", u.login AS "login!", u.full_name AS "full_name!",
                   COALESCE(SUM(CASE WHEN c.state = 'aperta' THEN 1 ELSE 0 END), 0) AS "open!: i64",
                   COALESCE(SUM(CASE WHEN c.state = 'sospesa' THEN 1 ELSE 0 END), 0)
                       AS "suspended!: i64",
                   (SELECT COUNT(*) FROM care_plan pl JOIN case_file c2 ON c2.id = pl.case_file_id
                     WHERE c2.org_id = $1 AND c2.worker_id = u.id AND c2.state <> 'chiusa'
                       AND pl.active = TRUE AND pl.next_review < $2) AS "reviews_overdue!: i64"
               FROM membership m
               JOIN app_user u ON u.id = m.user_id
               LEFT JOIN case_file c ON c.worker_id = u.id AND c.org_id = $1
               WHERE m.org_id = $1 AND m.role IN ('assistente_sociale', 'responsabile')
               GROUP BY u.id, u.login, u.full_name
               ORDER BY u.full_name"#,
            org_id,
            today
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| CaseloadRow {
                worker_id: r.worker_id,
                login: r.login,
                full_name: r.full_name,
                open: r.open,
                suspended: r.suspended,
                reviews_overdue: r.reviews_overdue,
            })
            .collect())
    }

    async fn add_diary_entry(&self, e: &DiaryEntry, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_diary(&mut tx, e).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn diary_entries(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
        restricted_from_us: Option<i64>,
        offset: i64,
        limit: i64,
    ) -> Result<DiaryPage> {
        let from_us = restricted_from_us.unwrap_or(i64::MAX);
        // The total is a subquery run once, not `COUNT(*) OVER ()`: for a window SQLite copies
        // every entry of the file, bodies and all, into a temporary table.
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", kind AS "kind!",
                   occurred_on AS "occurred_on!: Date", confidentiality AS "confidentiality!",
                   title AS "title!", body AS "body!", actor_id AS "actor_id!: Uuid",
                   actor AS "actor!", at_us AS "at_us!",
                   (SELECT COUNT(*) FROM diary_entry c
                     WHERE c.org_id = $1 AND c.case_file_id = $2
                       AND (c.confidentiality = 'normale' OR c.at_us >= $3)) AS "total!: i64"
               FROM diary_entry
               WHERE org_id = $1 AND case_file_id = $2
                 AND (confidentiality = 'normale' OR at_us >= $3)
               ORDER BY occurred_on DESC, at_us DESC, id DESC
               LIMIT $4 OFFSET $5"#,
            org_id,
            case_file_id,
            from_us,
            limit,
            offset
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let total = rows.first().map_or(0, |r| r.total);
        let entries = rows
            .into_iter()
            .map(|r| {
                Ok(DiaryEntry {
                    id: r.id,
                    org_id: r.org_id,
                    case_file_id: r.case_file_id,
                    data: DiaryData {
                        kind: coded("kind", &r.kind, DiaryKind::parse)?,
                        occurred_on: r.occurred_on,
                        confidentiality: coded(
                            "confidentiality",
                            &r.confidentiality,
                            Confidentiality::parse,
                        )?,
                        title: r.title,
                        body: r.body,
                    },
                    actor_id: r.actor_id,
                    actor: r.actor,
                    at_us: r.at_us,
                })
            })
            .collect::<Result<_>>()?;
        Ok(DiaryPage { entries, total })
    }

    async fn count_hidden_entries(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
        restricted_from_us: Option<i64>,
    ) -> Result<i64> {
        let from_us = restricted_from_us.unwrap_or(i64::MAX);
        sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!: i64" FROM diary_entry
               WHERE org_id = $1 AND case_file_id = $2 AND confidentiality = 'riservato'
                 AND at_us < $3"#,
            org_id,
            case_file_id,
            from_us
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)
    }

    async fn record_break_glass(&self, b: &BreakGlass, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO break_glass (id, org_id, case_file_id, user_id, actor, reason, at_us,
                 expires_at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            b.id,
            b.org_id,
            b.case_file_id,
            b.user_id,
            b.actor,
            b.reason,
            b.at_us,
            b.expires_at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn has_break_glass(
        &self,
        org_id: Uuid,
        case_file_id: Uuid,
        user_id: Uuid,
        now_us: i64,
    ) -> Result<bool> {
        let r = sqlx::query_scalar!(
            r#"SELECT id AS "id!: Uuid" FROM break_glass
               WHERE user_id = $3 AND case_file_id = $2 AND org_id = $1 AND expires_at_us > $4
               LIMIT 1"#,
            org_id,
            case_file_id,
            user_id,
            now_us
        )
        .fetch_optional(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(r.is_some())
    }

    async fn case_break_glass(&self, org_id: Uuid, case_file_id: Uuid) -> Result<Vec<BreakGlass>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", user_id AS "user_id!: Uuid",
                   actor AS "actor!", reason AS "reason!", at_us AS "at_us!",
                   expires_at_us AS "expires_at_us!"
               FROM break_glass WHERE org_id = $1 AND case_file_id = $2
               ORDER BY at_us DESC"#,
            org_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| BreakGlass {
                id: r.id,
                org_id: r.org_id,
                case_file_id: r.case_file_id,
                user_id: r.user_id,
                actor: r.actor,
                reason: r.reason,
                at_us: r.at_us,
                expires_at_us: r.expires_at_us,
            })
            .collect())
    }

    async fn break_glass_on_my_cases(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        since_us: i64,
    ) -> Result<Vec<BreakGlassView>> {
        let rows = sqlx::query!(
            r#"SELECT b.id AS "id!: Uuid", b.org_id AS "org_id!: Uuid",
                   b.case_file_id AS "case_file_id!: Uuid", b.user_id AS "user_id!: Uuid",
                   b.actor AS "actor!", b.reason AS "reason!", b.at_us AS "at_us!",
                   b.expires_at_us AS "expires_at_us!", c.number AS "number!",
                   p.surname AS "surname!", p.given_names AS "given_names!"
               FROM break_glass b
               JOIN case_file c ON c.id = b.case_file_id
               JOIN person p ON p.id = c.person_id
               WHERE b.org_id = $1 AND b.at_us >= $3
                 AND (c.worker_id = $2
                      OR EXISTS (SELECT 1 FROM case_team t
                                 WHERE t.case_file_id = c.id AND t.user_id = $2))
               ORDER BY b.at_us DESC"#,
            org_id,
            user_id,
            since_us
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| BreakGlassView {
                access: BreakGlass {
                    id: r.id,
                    org_id: r.org_id,
                    case_file_id: r.case_file_id,
                    user_id: r.user_id,
                    actor: r.actor,
                    reason: r.reason,
                    at_us: r.at_us,
                    expires_at_us: r.expires_at_us,
                },
                case_number: r.number,
                surname: r.surname,
                given_names: r.given_names,
            })
            .collect())
    }

    async fn book_appointment(&self, a: &Appointment, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO appointment (id, org_id, worker_id, person_id, case_file_id,
                 starts_at_us, minutes, place, purpose, email, status, reminder_sent_at_us,
                 diary_entry_id, actor, at_us, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            a.id,
            a.org_id,
            a.worker_id,
            a.person_id,
            a.case_file_id,
            a.starts_at_us,
            a.minutes,
            a.place,
            a.purpose,
            a.email,
            a.status.as_str(),
            a.reminder_sent_at_us,
            a.diary_entry_id,
            a.actor,
            a.at_us,
            a.version
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_appointment(&self, org_id: Uuid, id: Uuid) -> Result<AppointmentView> {
        let r = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.worker_id AS "worker_id!: Uuid", a.person_id AS "person_id!: Uuid",
                   a.case_file_id AS "case_file_id?: Uuid", a.starts_at_us AS "starts_at_us!",
                   a.minutes AS "minutes!", a.place AS "place!", a.purpose AS "purpose!",
                   a.email AS "email?", a.status AS "status!",
                   a.reminder_sent_at_us AS "reminder_sent_at_us?",
                   a.diary_entry_id AS "diary_entry_id?: Uuid", a.actor AS "actor!",
                   a.at_us AS "at_us!", a.version AS "version!", p.surname AS "surname!",
                   p.given_names AS "given_names!", u.full_name AS "worker_name!",
                   o.name AS "org_name!"
               FROM appointment a
               JOIN person p ON p.id = a.person_id
               JOIN app_user u ON u.id = a.worker_id
               JOIN organization o ON o.id = a.org_id
               WHERE a.org_id = $1 AND a.id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(appointment_view!(r))
    }

    async fn set_appointment_status(
        &self,
        version: i64,
        status: AppointmentStatus,
        outcome: Option<&DiaryEntry>,
        change: &AppointmentChange,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        if let Some(e) = outcome {
            insert_diary(&mut tx, e).await?;
        }
        let done = sqlx::query!(
            "UPDATE appointment SET status = $3, diary_entry_id = COALESCE($4, diary_entry_id),
                 version = version + 1
             WHERE org_id = $1 AND id = $2 AND version = $5",
            change.org_id,
            change.appointment_id,
            status.as_str(),
            outcome.map(|e| e.id),
            version
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        appointment_changed(tx, done.rows_affected(), change, audit).await
    }

    async fn move_appointment(
        &self,
        version: i64,
        starts_at_us: i64,
        minutes: i64,
        place: &str,
        change: &AppointmentChange,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE appointment SET starts_at_us = $3, minutes = $4, place = $5,
                 reminder_sent_at_us = NULL, version = version + 1
             WHERE org_id = $1 AND id = $2 AND version = $6 AND status = 'prenotato'",
            change.org_id,
            change.appointment_id,
            starts_at_us,
            minutes,
            place,
            version
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        appointment_changed(tx, done.rows_affected(), change, audit).await
    }

    async fn appointment_changes(
        &self,
        org_id: Uuid,
        appointment_id: Uuid,
    ) -> Result<Vec<AppointmentChange>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   appointment_id AS "appointment_id!: Uuid", what AS "what!",
                   reason AS "reason?", actor AS "actor!", at_us AS "at_us!"
               FROM appointment_change
               WHERE org_id = $1 AND appointment_id = $2
               ORDER BY at_us, id"#,
            org_id,
            appointment_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| AppointmentChange {
                id: r.id,
                org_id: r.org_id,
                appointment_id: r.appointment_id,
                what: r.what,
                reason: r.reason,
                actor: r.actor,
                at_us: r.at_us,
            })
            .collect())
    }

    async fn worker_appointments(
        &self,
        org_id: Uuid,
        worker_id: Uuid,
        from_us: i64,
        to_us: i64,
    ) -> Result<Vec<AppointmentView>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.worker_id AS "worker_id!: Uuid", a.person_id AS "person_id!: Uuid",
                   a.case_file_id AS "case_file_id?: Uuid", a.starts_at_us AS "starts_at_us!",
                   a.minutes AS "minutes!", a.place AS "place!", a.purpose AS "purpose!",
                   a.email AS "email?", a.status AS "status!",
                   a.reminder_sent_at_us AS "reminder_sent_at_us?",
                   a.diary_entry_id AS "diary_entry_id?: Uuid", a.actor AS "actor!",
                   a.at_us AS "at_us!", a.version AS "version!", p.surname AS "surname!",
                   p.given_names AS "given_names!", u.full_name AS "worker_name!",
                   o.name AS "org_name!"
               FROM appointment a
               JOIN person p ON p.id = a.person_id
               JOIN app_user u ON u.id = a.worker_id
               JOIN organization o ON o.id = a.org_id
               WHERE a.org_id = $1 AND a.worker_id = $2 AND a.starts_at_us >= $3
                 AND a.starts_at_us < $4
               ORDER BY a.starts_at_us"#,
            org_id,
            worker_id,
            from_us,
            to_us
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(appointment_view!(r))).collect()
    }

    async fn person_appointments(
        &self,
        org_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<AppointmentView>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.worker_id AS "worker_id!: Uuid", a.person_id AS "person_id!: Uuid",
                   a.case_file_id AS "case_file_id?: Uuid", a.starts_at_us AS "starts_at_us!",
                   a.minutes AS "minutes!", a.place AS "place!", a.purpose AS "purpose!",
                   a.email AS "email?", a.status AS "status!",
                   a.reminder_sent_at_us AS "reminder_sent_at_us?",
                   a.diary_entry_id AS "diary_entry_id?: Uuid", a.actor AS "actor!",
                   a.at_us AS "at_us!", a.version AS "version!", p.surname AS "surname!",
                   p.given_names AS "given_names!", u.full_name AS "worker_name!",
                   o.name AS "org_name!"
               FROM appointment a
               JOIN person p ON p.id = a.person_id
               JOIN app_user u ON u.id = a.worker_id
               JOIN organization o ON o.id = a.org_id
               WHERE a.org_id = $1 AND a.person_id = $2
               ORDER BY a.starts_at_us DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(appointment_view!(r))).collect()
    }

    async fn reminders_due(&self, from_us: i64, to_us: i64) -> Result<Vec<AppointmentView>> {
        let rows = sqlx::query!(
            r#"SELECT a.id AS "id!: Uuid", a.org_id AS "org_id!: Uuid",
                   a.worker_id AS "worker_id!: Uuid", a.person_id AS "person_id!: Uuid",
                   a.case_file_id AS "case_file_id?: Uuid", a.starts_at_us AS "starts_at_us!",
                   a.minutes AS "minutes!", a.place AS "place!", a.purpose AS "purpose!",
                   a.email AS "email?", a.status AS "status!",
                   a.reminder_sent_at_us AS "reminder_sent_at_us?",
                   a.diary_entry_id AS "diary_entry_id?: Uuid", a.actor AS "actor!",
                   a.at_us AS "at_us!", a.version AS "version!", p.surname AS "surname!",
                   p.given_names AS "given_names!", u.full_name AS "worker_name!",
                   o.name AS "org_name!"
               FROM appointment a
               JOIN person p ON p.id = a.person_id
               JOIN app_user u ON u.id = a.worker_id
               JOIN organization o ON o.id = a.org_id
               WHERE a.status = 'prenotato' AND a.reminder_sent_at_us IS NULL
                 AND a.email IS NOT NULL AND a.starts_at_us >= $1 AND a.starts_at_us < $2
               ORDER BY a.starts_at_us"#,
            from_us,
            to_us
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(appointment_view!(r))).collect()
    }

    async fn claim_reminder(&self, id: Uuid, at_us: i64) -> Result<bool> {
        let done = sqlx::query!(
            "UPDATE appointment SET reminder_sent_at_us = $2
             WHERE id = $1 AND reminder_sent_at_us IS NULL",
            id,
            at_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_reminder(&self, id: Uuid, at_us: i64) -> Result<()> {
        sqlx::query!(
            "UPDATE appointment SET reminder_sent_at_us = NULL
             WHERE id = $1 AND reminder_sent_at_us = $2",
            id,
            at_us
        )
        .execute(&mut *self.write().await?)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn add_assessment(&self, a: &Assessment, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO assessment (id, org_id, case_file_id, form, form_version, assessed_on,
                 answers, summary, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            a.id,
            a.org_id,
            a.case_file_id,
            a.form,
            a.form_version,
            a.assessed_on,
            a.answers,
            a.summary,
            a.actor,
            a.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn case_assessments(&self, org_id: Uuid, case_file_id: Uuid) -> Result<Vec<Assessment>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", form AS "form!",
                   form_version AS "form_version!", assessed_on AS "assessed_on!: Date",
                   answers AS "answers!", summary AS "summary!", actor AS "actor!",
                   at_us AS "at_us!"
               FROM assessment WHERE org_id = $1 AND case_file_id = $2
               ORDER BY assessed_on DESC, at_us DESC"#,
            org_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| assessment!(r)).collect())
    }

    async fn get_assessment(&self, org_id: Uuid, id: Uuid) -> Result<Assessment> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", form AS "form!",
                   form_version AS "form_version!", assessed_on AS "assessed_on!: Date",
                   answers AS "answers!", summary AS "summary!", actor AS "actor!",
                   at_us AS "at_us!"
               FROM assessment WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(assessment!(r))
    }

    async fn create_plan(&self, p: &CarePlan, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "UPDATE care_plan SET active = FALSE
             WHERE org_id = $1 AND case_file_id = $2 AND active = TRUE",
            p.org_id,
            p.case_file_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "INSERT INTO care_plan (id, org_id, case_file_id, starts_on, ends_on, goals,
                 commitments, next_review, active, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            p.id,
            p.org_id,
            p.case_file_id,
            p.starts_on,
            p.ends_on,
            p.goals,
            p.commitments,
            p.next_review,
            p.active,
            p.actor,
            p.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_plan(&self, org_id: Uuid, id: Uuid) -> Result<CarePlan> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", starts_on AS "starts_on!: Date",
                   ends_on AS "ends_on?: Date", goals AS "goals!", commitments AS "commitments!",
                   next_review AS "next_review?: Date", active AS "active!: bool",
                   actor AS "actor!", at_us AS "at_us!"
               FROM care_plan WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(care_plan!(r))
    }

    async fn case_plans(&self, org_id: Uuid, case_file_id: Uuid) -> Result<Vec<CarePlan>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", starts_on AS "starts_on!: Date",
                   ends_on AS "ends_on?: Date", goals AS "goals!", commitments AS "commitments!",
                   next_review AS "next_review?: Date", active AS "active!: bool",
                   actor AS "actor!", at_us AS "at_us!"
               FROM care_plan WHERE org_id = $1 AND case_file_id = $2
               ORDER BY at_us DESC"#,
            org_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|r| care_plan!(r)).collect())
    }

    async fn add_intervention(&self, i: &Intervention, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO plan_intervention (id, org_id, plan_id, description, benefit,
                 responsible, frequency, from_date, to_date, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            i.id,
            i.org_id,
            i.plan_id,
            i.data.description,
            i.data.benefit,
            i.data.responsible,
            i.data.frequency,
            i.data.from,
            i.data.to,
            i.actor,
            i.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn plan_interventions(&self, org_id: Uuid, plan_id: Uuid) -> Result<Vec<Intervention>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", plan_id AS "plan_id!: Uuid",
                   description AS "description!", benefit AS "benefit?",
                   responsible AS "responsible!", frequency AS "frequency?",
                   from_date AS "from_date!: Date", to_date AS "to_date?: Date",
                   actor AS "actor!", at_us AS "at_us!"
               FROM plan_intervention WHERE org_id = $1 AND plan_id = $2
               ORDER BY from_date, at_us"#,
            org_id,
            plan_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| Intervention {
                id: r.id,
                org_id: r.org_id,
                plan_id: r.plan_id,
                data: InterventionData {
                    description: r.description,
                    benefit: r.benefit,
                    responsible: r.responsible,
                    frequency: r.frequency,
                    from: r.from_date,
                    to: r.to_date,
                },
                actor: r.actor,
                at_us: r.at_us,
            })
            .collect())
    }

    async fn add_plan_review(&self, r: &PlanReview, audit: &NewAudit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO plan_review (id, org_id, plan_id, done_on, outcome, next_review, actor,
                 at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            r.id,
            r.org_id,
            r.plan_id,
            r.done_on,
            r.outcome,
            r.next_review,
            r.actor,
            r.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        let done = sqlx::query!(
            "UPDATE care_plan SET next_review = $3 WHERE org_id = $1 AND id = $2",
            r.org_id,
            r.plan_id,
            r.next_review
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        super::audit::commit_with(tx, audit).await
    }

    async fn plan_reviews(&self, org_id: Uuid, plan_id: Uuid) -> Result<Vec<PlanReview>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", plan_id AS "plan_id!: Uuid",
                   done_on AS "done_on!: Date", outcome AS "outcome!",
                   next_review AS "next_review?: Date", actor AS "actor!", at_us AS "at_us!"
               FROM plan_review WHERE org_id = $1 AND plan_id = $2
               ORDER BY done_on DESC, at_us DESC"#,
            org_id,
            plan_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| PlanReview {
                id: r.id,
                org_id: r.org_id,
                plan_id: r.plan_id,
                done_on: r.done_on,
                outcome: r.outcome,
                next_review: r.next_review,
                actor: r.actor,
                at_us: r.at_us,
            })
            .collect())
    }

    async fn reviews_due(
        &self,
        org_id: Uuid,
        worker_id: Option<Uuid>,
        until: Date,
    ) -> Result<Vec<ReviewDue>> {
        let rows = sqlx::query!(
            r#"SELECT pl.id AS "plan_id!: Uuid", c.id AS "case_file_id!: Uuid",
                   c.number AS "case_number!", p.surname AS "surname!",
                   p.given_names AS "given_names!", pl.next_review AS "next_review!: Date",
                   c.worker_id AS "worker_id!: Uuid"
               FROM care_plan pl
               JOIN case_file c ON c.id = pl.case_file_id
               JOIN person p ON p.id = c.person_id
               WHERE pl.org_id = $1 AND pl.active = TRUE AND pl.next_review <= $3
                 AND c.state <> 'chiusa'
                 AND (c.worker_id = $2 OR $2 IS NULL
                      OR EXISTS (SELECT 1 FROM case_team t
                                 WHERE t.case_file_id = c.id AND t.user_id = $2))
               ORDER BY pl.next_review, c.number"#,
            org_id,
            worker_id,
            until
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| ReviewDue {
                plan_id: r.plan_id,
                case_file_id: r.case_file_id,
                case_number: r.case_number,
                surname: r.surname,
                given_names: r.given_names,
                next_review: r.next_review,
                worker_id: r.worker_id,
            })
            .collect())
    }

    async fn add_case_document(
        &self,
        d: &CaseDocument,
        content: &[u8],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO case_document (id, org_id, case_file_id, file_name, content_type,
                 size_bytes, sha256, description, confidentiality, content, actor, at_us)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            d.id,
            d.org_id,
            d.case_file_id,
            d.file_name,
            d.content_type,
            d.size_bytes,
            d.sha256,
            d.description,
            d.confidentiality.as_str(),
            content,
            d.actor,
            d.at_us
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        super::audit::commit_with(tx, audit).await
    }

    async fn case_documents(&self, org_id: Uuid, case_file_id: Uuid) -> Result<Vec<CaseDocument>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", file_name AS "file_name!",
                   content_type AS "content_type!", size_bytes AS "size_bytes!",
                   sha256 AS "sha256!", description AS "description!",
                   confidentiality AS "confidentiality!", actor AS "actor!", at_us AS "at_us!"
               FROM case_document WHERE org_id = $1 AND case_file_id = $2
               ORDER BY at_us DESC"#,
            org_id,
            case_file_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(case_document!(r))).collect()
    }

    async fn case_document_content(
        &self,
        org_id: Uuid,
        id: Uuid,
    ) -> Result<(CaseDocument, Vec<u8>)> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   case_file_id AS "case_file_id!: Uuid", file_name AS "file_name!",
                   content_type AS "content_type!", size_bytes AS "size_bytes!",
                   sha256 AS "sha256!", description AS "description!",
                   confidentiality AS "confidentiality!", actor AS "actor!", at_us AS "at_us!",
                   content AS "content!"
               FROM case_document WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        let content = r.content.clone();
        Ok((case_document!(r), content))
    }

    async fn registry_events_on_my_cases(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        limit: i64,
    ) -> Result<Vec<RegistryEvent>> {
        let rows = sqlx::query!(
            r#"SELECT e.id AS "id!: Uuid", e.person_id AS "person_id!: Uuid",
                   e.import_id AS "import_id!: Uuid", e.kind, e.event_date AS "event_date!: Date",
                   e.summary, e.at_us, e.reviewed_at_us, e.reviewed_by, p.surname, p.given_names,
                   p.codice_fiscale
               FROM registry_event e
               JOIN person p ON p.id = e.person_id
               JOIN case_file c ON c.org_id = e.org_id AND c.person_id = e.person_id
               WHERE e.org_id = $1 AND e.reviewed_at_us IS NULL AND c.state <> 'chiusa'
                 AND (c.worker_id = $2
                      OR EXISTS (SELECT 1 FROM case_team t
                                 WHERE t.case_file_id = c.id AND t.user_id = $2))
               ORDER BY e.event_date DESC, e.at_us DESC, e.id DESC
               LIMIT $3"#,
            org_id,
            user_id,
            limit
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(registry_event!(r))).collect()
    }
}

async fn insert_change(tx: &mut super::Tx, c: &StateChange) -> Result<()> {
    sqlx::query!(
        "INSERT INTO case_state_change (id, org_id, case_file_id, from_state, to_state, on_date,
             close_reason, note, actor, at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        c.id,
        c.org_id,
        c.case_file_id,
        c.from.map(CaseState::as_str),
        c.to.as_str(),
        c.on,
        c.close_reason.map(CloseReason::as_str),
        c.note,
        c.actor,
        c.at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

async fn insert_diary(tx: &mut super::Tx, e: &DiaryEntry) -> Result<()> {
    sqlx::query!(
        "INSERT INTO diary_entry (id, org_id, case_file_id, kind, occurred_on, confidentiality,
             title, body, actor_id, actor, at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        e.id,
        e.org_id,
        e.case_file_id,
        e.data.kind.as_str(),
        e.data.occurred_on,
        e.data.confidentiality.as_str(),
        e.data.title,
        e.data.body,
        e.actor_id,
        e.actor,
        e.at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Ends a compare-and-set on an appointment: a conflict if no row changed, else its history
/// row and audit row, and the commit.
async fn appointment_changed(
    mut tx: super::Tx,
    rows: u64,
    change: &AppointmentChange,
    audit: &NewAudit,
) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::Conflict);
    }
    insert_appointment_change(&mut tx, change).await?;
    super::audit::commit_with(tx, audit).await
}

async fn insert_appointment_change(tx: &mut super::Tx, c: &AppointmentChange) -> Result<()> {
    sqlx::query!(
        "INSERT INTO appointment_change (id, org_id, appointment_id, what, reason, actor, at_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        c.id,
        c.org_id,
        c.appointment_id,
        c.what,
        c.reason,
        c.actor,
        c.at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Registers the case file as an open matter of its person, so that civil-registry events
/// about them are listed for review.
/// Opens a matter on a person: their registry events are then listed for review.
pub(crate) async fn open_matter(
    tx: &mut super::Tx,
    org_id: Uuid,
    person_id: Uuid,
    kind: &str,
    ref_id: Uuid,
    at_us: i64,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO person_open_matter (id, org_id, person_id, kind, ref_id, opened_at_us,
             closed_at_us)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        Uuid::now_v7(),
        org_id,
        person_id,
        kind,
        ref_id,
        at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Closes the open matter `kind`/`ref_id` on every person it concerns.
pub(crate) async fn close_matter(
    tx: &mut super::Tx,
    org_id: Uuid,
    kind: &str,
    ref_id: Uuid,
    at_us: i64,
) -> Result<()> {
    sqlx::query!(
        "UPDATE person_open_matter SET closed_at_us = $4
         WHERE org_id = $1 AND kind = $2 AND ref_id = $3 AND closed_at_us IS NULL",
        org_id,
        kind,
        ref_id,
        at_us
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}
