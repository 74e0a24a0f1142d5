use super::person::insert_history;
use super::{Backend, Db, Tx};
use super::{affected_one, map_err, parse_col};
use domain::person::{Relationship, SupportKind};
use store::{
    Household, HouseholdMember, HouseholdStore, MemberView, NewAudit, NewHistory, Result,
    SupportLink,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

fn relationship(code: &str) -> Result<Relationship> {
    parse_col("relationship", Relationship::parse(code).ok_or(code))
}

/// A household membership from the columns of a query record.
macro_rules! household_member {
    ($r:expr) => {
        HouseholdMember {
            id: $r.id,
            org_id: $r.org_id,
            household_id: $r.household_id,
            person_id: $r.person_id,
            relationship: relationship(&$r.relationship)?,
            from_date: $r.from_date,
            to_date: $r.to_date,
        }
    };
}

/// A household membership row joined with the person's name, as the queries read it.
macro_rules! member_view {
    ($r:expr) => {{
        let r = $r;
        Ok(MemberView {
            member: household_member!(r),
            surname: r.surname,
            given_names: r.given_names,
            birth_date: r.birth_date,
            codice_fiscale: r.codice_fiscale,
            death_date: r.death_date,
        })
    }};
}

/// Inserts a household inside `tx` (also used by the civil-registry import).
pub(crate) async fn insert_household(tx: &mut Tx, h: &Household) -> Result<()> {
    sqlx::query!(
        "INSERT INTO household (id, org_id, registry_comune, registry_code, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        h.id,
        h.org_id,
        h.registry_comune,
        h.registry_code,
        h.created_at
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Closes the person's open membership of any other household the day before `m` starts,
/// then inserts `m` (a person lives in one registry household at a time).
pub(crate) async fn insert_member(tx: &mut Tx, m: &HouseholdMember) -> Result<()> {
    let day_before = m.from_date.previous_day().unwrap_or(m.from_date);
    sqlx::query!(
        "UPDATE household_member SET to_date = $3
         WHERE org_id = $1 AND person_id = $2 AND to_date IS NULL AND household_id <> $4",
        m.org_id,
        m.person_id,
        day_before,
        m.household_id
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    sqlx::query!(
        "INSERT INTO household_member (id, org_id, household_id, person_id, relationship,
             from_date, to_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        m.id,
        m.org_id,
        m.household_id,
        m.person_id,
        m.relationship.as_str(),
        m.from_date,
        m.to_date
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Closes an open membership on `to_date` inside `tx`.
pub(crate) async fn close_member(
    tx: &mut Tx,
    org_id: Uuid,
    member_id: Uuid,
    to_date: Date,
) -> Result<()> {
    let done = sqlx::query!(
        "UPDATE household_member SET to_date = $3
         WHERE org_id = $1 AND id = $2 AND to_date IS NULL AND from_date <= $3",
        org_id,
        member_id,
        to_date
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    affected_one(done.rows_affected())
}

impl HouseholdStore for Db {
    async fn create_household(
        &self,
        household: &Household,
        head: &HouseholdMember,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_household(&mut tx, household).await?;
        insert_member(&mut tx, head).await?;
        insert_history(&mut tx, household.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_household(&self, org_id: Uuid, id: Uuid) -> Result<Household> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", registry_comune,
                   registry_code, created_at AS "created_at!: OffsetDateTime"
               FROM household WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(Household {
            id: r.id,
            org_id: r.org_id,
            registry_comune: r.registry_comune,
            registry_code: r.registry_code,
            created_at: r.created_at,
        })
    }

    async fn add_household_member(
        &self,
        member: &HouseholdMember,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_member(&mut tx, member).await?;
        insert_history(&mut tx, member.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn end_household_member(
        &self,
        org_id: Uuid,
        member_id: Uuid,
        to_date: Date,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        close_member(&mut tx, org_id, member_id, to_date).await?;
        insert_history(&mut tx, org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn household_members(&self, org_id: Uuid, household_id: Uuid) -> Result<Vec<MemberView>> {
        let rows = sqlx::query!(
            r#"SELECT m.id AS "id!: Uuid", m.org_id AS "org_id!: Uuid",
                   m.household_id AS "household_id!: Uuid", m.person_id AS "person_id!: Uuid",
                   m.relationship, m.from_date AS "from_date!: Date", m.to_date AS "to_date: Date",
                   p.surname, p.given_names, p.birth_date AS "birth_date!: Date",
                   p.codice_fiscale, p.death_date AS "death_date: Date"
               FROM household_member m JOIN person p ON p.id = m.person_id
               WHERE m.org_id = $1 AND m.household_id = $2
               ORDER BY m.to_date IS NOT NULL, m.to_date DESC, p.birth_date"#,
            org_id,
            household_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| member_view!(r)).collect()
    }

    async fn cohabitants(
        &self,
        org_id: Uuid,
        person_id: Uuid,
        on: Date,
    ) -> Result<Vec<MemberView>> {
        let rows = sqlx::query!(
            r#"SELECT m.id AS "id!: Uuid", m.org_id AS "org_id!: Uuid",
                   m.household_id AS "household_id!: Uuid", m.person_id AS "person_id!: Uuid",
                   m.relationship, m.from_date AS "from_date!: Date", m.to_date AS "to_date: Date",
                   p.surname, p.given_names, p.birth_date AS "birth_date!: Date",
                   p.codice_fiscale, p.death_date AS "death_date: Date"
               FROM household_member me
               JOIN household_member m ON m.household_id = me.household_id
               JOIN person p ON p.id = m.person_id
               WHERE me.org_id = $1 AND me.person_id = $2
                 AND (me.to_date IS NULL OR me.to_date >= $3)
                 AND m.org_id = $1 AND m.person_id <> $2
                 AND (m.to_date IS NULL OR m.to_date >= $3)
               ORDER BY m.household_id, p.birth_date, m.id"#,
            org_id,
            person_id,
            on
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| member_view!(r)).collect()
    }

    async fn person_households(
        &self,
        org_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<HouseholdMember>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid",
                   household_id AS "household_id!: Uuid", person_id AS "person_id!: Uuid",
                   relationship, from_date AS "from_date!: Date", to_date AS "to_date: Date"
               FROM household_member WHERE org_id = $1 AND person_id = $2
               ORDER BY to_date IS NOT NULL, from_date DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| Ok(household_member!(r))).collect()
    }

    async fn add_support_link(
        &self,
        link: &SupportLink,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO support_link (id, org_id, person_id, related_person_id, related_name,
                 kind, detail, phone, from_date, to_date, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            link.id,
            link.org_id,
            link.person_id,
            link.related_person_id,
            link.related_name,
            link.kind.as_str(),
            link.detail,
            link.phone,
            link.from_date,
            link.to_date,
            link.created_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_history(&mut tx, link.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn end_support_link(
        &self,
        org_id: Uuid,
        id: Uuid,
        to_date: Date,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "UPDATE support_link SET to_date = $3
             WHERE org_id = $1 AND id = $2 AND to_date IS NULL",
            org_id,
            id,
            to_date
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        insert_history(&mut tx, org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn person_support(&self, org_id: Uuid, person_id: Uuid) -> Result<Vec<SupportLink>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   related_person_id AS "related_person_id: Uuid", related_name, kind, detail,
                   phone, from_date AS "from_date: Date", to_date AS "to_date: Date",
                   created_at AS "created_at!: OffsetDateTime"
               FROM support_link
               WHERE org_id = $1 AND (person_id = $2 OR related_person_id = $2)
               ORDER BY to_date IS NOT NULL, created_at"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(SupportLink {
                    id: r.id,
                    org_id: r.org_id,
                    person_id: r.person_id,
                    related_person_id: r.related_person_id,
                    related_name: r.related_name,
                    kind: parse_col("kind", SupportKind::parse(&r.kind).ok_or(&r.kind))?,
                    detail: r.detail,
                    phone: r.phone,
                    from_date: r.from_date,
                    to_date: r.to_date,
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}
