use super::{Backend, Db, Tx};
use super::{affected_one, map_err, parse_col};
use domain::person::{
    Address, BirthPlace, Citizenship, CivilStatus, ComuneRef, DocumentKind, PersonData, parse_sex,
};
use store::{
    HistoryEntry, IdentityDocument, NewAudit, NewHistory, Person, PersonSearch, PersonStore,
    RegistryLink, Result, StoreError,
};
use territory::{BelfioreCode, CodiceFiscale};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// A person's columns as read, before they are parsed back into domain types.
#[derive(sqlx::FromRow)]
pub(crate) struct RawPerson {
    pub id: Uuid,
    pub org_id: Uuid,
    pub codice_fiscale: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: Date,
    pub birthplace_code: String,
    pub birthplace_name: String,
    pub citizenship: String,
    pub civil_status: Option<String>,
    pub death_date: Option<Date>,
    pub residence_istat: Option<String>,
    pub residence_street: Option<String>,
    pub domicile_istat: Option<String>,
    pub domicile_street: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub cf_mismatch: bool,
    pub registry_comune: Option<String>,
    pub registry_id: Option<String>,
    pub registry_left_on: Option<Date>,
    pub merged_into: Option<Uuid>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Moves the columns of a query record into a [`RawPerson`].
macro_rules! raw_person {
    ($r:expr) => {{
        let r = $r;
        RawPerson {
            id: r.id,
            org_id: r.org_id,
            codice_fiscale: r.codice_fiscale,
            surname: r.surname,
            given_names: r.given_names,
            sex: r.sex,
            birth_date: r.birth_date,
            birthplace_code: r.birthplace_code,
            birthplace_name: r.birthplace_name,
            citizenship: r.citizenship,
            civil_status: r.civil_status,
            death_date: r.death_date,
            residence_istat: r.residence_istat,
            residence_street: r.residence_street,
            domicile_istat: r.domicile_istat,
            domicile_street: r.domicile_street,
            phone: r.phone,
            email: r.email,
            cf_mismatch: r.cf_mismatch,
            registry_comune: r.registry_comune,
            registry_id: r.registry_id,
            registry_left_on: r.registry_left_on,
            merged_into: r.merged_into,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }};
}

fn address(
    column: &'static str,
    istat: Option<String>,
    street: Option<String>,
) -> Result<Option<Address>> {
    istat
        .map(|i| {
            Ok(Address {
                comune: parse_col(column, ComuneRef::parse(column, &i))?,
                street: street.unwrap_or_default(),
            })
        })
        .transpose()
}

impl RawPerson {
    pub(crate) fn parse(self) -> Result<Person> {
        let data = PersonData {
            codice_fiscale: self
                .codice_fiscale
                .map(|c| parse_col("codice_fiscale", CodiceFiscale::parse(&c)))
                .transpose()?,
            surname: self.surname,
            given_names: self.given_names,
            sex: parse_col("sex", parse_sex(&self.sex).ok_or(self.sex))?,
            birth_date: self.birth_date,
            birthplace: BirthPlace {
                code: parse_col(
                    "birthplace_code",
                    BelfioreCode::new(&self.birthplace_code).ok_or(&self.birthplace_code),
                )?,
                name: self.birthplace_name,
            },
            citizenship: parse_col(
                "citizenship",
                Citizenship::parse(&self.citizenship).ok_or(&self.citizenship),
            )?,
            civil_status: self
                .civil_status
                .map(|c| parse_col("civil_status", CivilStatus::parse(&c).ok_or(&c)))
                .transpose()?,
            death_date: self.death_date,
            residence: address(
                "residence_istat",
                self.residence_istat,
                self.residence_street,
            )?,
            domicile: address("domicile_istat", self.domicile_istat, self.domicile_street)?,
            phone: self.phone,
            email: self.email,
            cf_mismatch_confirmed: self.cf_mismatch,
        };
        let registry = match (self.registry_comune, self.registry_id) {
            (Some(comune), Some(id)) => Some(RegistryLink { comune, id }),
            _ => None,
        };
        Ok(Person {
            id: self.id,
            org_id: self.org_id,
            data,
            registry,
            registry_left_on: self.registry_left_on,
            merged_into: self.merged_into,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The columns of a person row that come from its data, as the database stores them.
pub(crate) struct PersonColumns<'a> {
    pub codice_fiscale: Option<&'a str>,
    pub sex: &'static str,
    pub birthplace_code: &'a str,
    pub citizenship: &'a str,
    pub civil_status: Option<&'static str>,
    pub residence_istat: Option<&'a str>,
    pub residence_street: Option<&'a str>,
    pub domicile_istat: Option<&'a str>,
    pub domicile_street: Option<&'a str>,
    pub search_key: String,
    pub search_key_rev: String,
    pub phonetic_key: String,
}

impl<'a> PersonColumns<'a> {
    pub(crate) fn of(d: &'a PersonData) -> Self {
        PersonColumns {
            codice_fiscale: d.codice_fiscale.as_ref().map(CodiceFiscale::as_str),
            sex: domain::person::sex_str(d.sex),
            birthplace_code: d.birthplace.code.as_str(),
            citizenship: d.citizenship.code(),
            civil_status: d.civil_status.map(CivilStatus::as_str),
            residence_istat: d.residence.as_ref().map(|a| a.comune.istat.as_str()),
            residence_street: d.residence.as_ref().map(|a| a.street.as_str()),
            domicile_istat: d.domicile.as_ref().map(|a| a.comune.istat.as_str()),
            domicile_street: d.domicile.as_ref().map(|a| a.street.as_str()),
            search_key: d.search_key(),
            search_key_rev: d.search_key_rev(),
            phonetic_key: d.phonetic_key(),
        }
    }
}

/// Inserts a person inside `tx` (also used by the civil-registry import).
pub(crate) async fn insert_person(tx: &mut Tx, p: &Person) -> Result<()> {
    let d = &p.data;
    let c = PersonColumns::of(d);
    let (registry_comune, registry_id) = p.registry.as_ref().map_or((None, None), |r| {
        (Some(r.comune.as_str()), Some(r.id.as_str()))
    });
    sqlx::query!(
        "INSERT INTO person (id, org_id, codice_fiscale, surname, given_names, sex, birth_date,
             birthplace_code, birthplace_name, citizenship, civil_status, death_date,
             residence_istat, residence_street, domicile_istat, domicile_street, phone, email,
             cf_mismatch, search_key, phonetic_key, registry_comune, registry_id,
             registry_left_on, merged_into, version, created_at, updated_at, search_key_rev)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)",
        p.id,
        p.org_id,
        c.codice_fiscale,
        d.surname,
        d.given_names,
        c.sex,
        d.birth_date,
        c.birthplace_code,
        d.birthplace.name,
        c.citizenship,
        c.civil_status,
        d.death_date,
        c.residence_istat,
        c.residence_street,
        c.domicile_istat,
        c.domicile_street,
        d.phone,
        d.email,
        d.cf_mismatch_confirmed,
        c.search_key,
        c.phonetic_key,
        registry_comune,
        registry_id,
        p.registry_left_on,
        p.merged_into,
        p.version,
        p.created_at,
        p.updated_at,
        c.search_key_rev
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Stores `p`'s data and registry fields if the row is still at `p.version - 1`.
pub(crate) async fn update_person_row(tx: &mut Tx, p: &Person) -> Result<()> {
    let d = &p.data;
    let c = PersonColumns::of(d);
    let (registry_comune, registry_id) = p.registry.as_ref().map_or((None, None), |r| {
        (Some(r.comune.as_str()), Some(r.id.as_str()))
    });
    let previous = p.version - 1;
    let done = sqlx::query!(
        "UPDATE person SET codice_fiscale = $3, surname = $4, given_names = $5, sex = $6,
             birth_date = $7, birthplace_code = $8, birthplace_name = $9, citizenship = $10,
             civil_status = $11, death_date = $12, residence_istat = $13, residence_street = $14,
             domicile_istat = $15, domicile_street = $16, phone = $17, email = $18,
             cf_mismatch = $19, search_key = $20, phonetic_key = $21, registry_comune = $22,
             registry_id = $23, registry_left_on = $24, version = $25, updated_at = $26,
             search_key_rev = $28
         WHERE id = $1 AND org_id = $2 AND version = $27",
        p.id,
        p.org_id,
        c.codice_fiscale,
        d.surname,
        d.given_names,
        c.sex,
        d.birth_date,
        c.birthplace_code,
        d.birthplace.name,
        c.citizenship,
        c.civil_status,
        d.death_date,
        c.residence_istat,
        c.residence_street,
        c.domicile_istat,
        c.domicile_street,
        d.phone,
        d.email,
        d.cf_mismatch_confirmed,
        c.search_key,
        c.phonetic_key,
        registry_comune,
        registry_id,
        p.registry_left_on,
        p.version,
        p.updated_at,
        previous,
        c.search_key_rev
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() == 0 {
        let exists = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!" FROM person WHERE id = $1 AND org_id = $2"#,
            p.id,
            p.org_id
        )
        .fetch_one(&mut **tx)
        .await
        .map_err(map_err)?;
        return Err(if exists == 0 {
            StoreError::NotFound
        } else {
            StoreError::Conflict
        });
    }
    Ok(())
}

/// Writes one history entry inside `tx`.
pub(crate) async fn insert_history(tx: &mut Tx, org_id: Uuid, h: &NewHistory) -> Result<()> {
    let changes = h.changes.join("\n");
    sqlx::query!(
        "INSERT INTO person_history (id, org_id, person_id, at_us, actor, kind, summary, changes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Uuid::now_v7(),
        org_id,
        h.person_id,
        h.at_us,
        h.actor,
        h.kind,
        h.summary,
        changes
    )
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

impl PersonStore for Db {
    async fn create_person(
        &self,
        person: &Person,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_person(&mut tx, person).await?;
        insert_history(&mut tx, person.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn update_person(
        &self,
        person: &Person,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        update_person_row(&mut tx, person).await?;
        insert_history(&mut tx, person.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn get_person(&self, org_id: Uuid, id: Uuid) -> Result<Person> {
        let r = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", codice_fiscale, surname,
                   given_names, sex, birth_date AS "birth_date!: Date", birthplace_code,
                   birthplace_name, citizenship, civil_status, death_date AS "death_date: Date",
                   residence_istat, residence_street, domicile_istat, domicile_street, phone,
                   email, cf_mismatch AS "cf_mismatch!: bool", registry_comune, registry_id,
                   registry_left_on AS "registry_left_on: Date",
                   merged_into AS "merged_into: Uuid", version AS "version!: i64",
                   created_at AS "created_at!: OffsetDateTime",
                   updated_at AS "updated_at!: OffsetDateTime"
               FROM person WHERE org_id = $1 AND id = $2"#,
            org_id,
            id
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        raw_person!(r).parse()
    }

    async fn find_person_by_cf(&self, org_id: Uuid, codice_fiscale: &str) -> Result<Person> {
        let id = sqlx::query_scalar!(
            r#"SELECT id AS "id!: Uuid" FROM person
               WHERE org_id = $1 AND codice_fiscale = $2 AND merged_into IS NULL"#,
            org_id,
            codice_fiscale
        )
        .fetch_one(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        self.get_person(org_id, id).await
    }

    async fn search_persons(&self, org_id: Uuid, search: &PersonSearch) -> Result<Vec<Person>> {
        super::search::persons(&mut *self.read().await?, org_id, search)
            .await?
            .into_iter()
            .map(RawPerson::parse)
            .collect()
    }

    async fn duplicate_candidates(
        &self,
        org_id: Uuid,
        codice_fiscale: Option<&str>,
        birth_date: Date,
        phonetic_key: &str,
    ) -> Result<Vec<Person>> {
        // Whole rows in one query: a common name can have a hundred candidates, and this runs
        // on every new person and every person page a responsabile opens.
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", codice_fiscale, surname,
                   given_names, sex, birth_date AS "birth_date!: Date", birthplace_code,
                   birthplace_name, citizenship, civil_status, death_date AS "death_date: Date",
                   residence_istat, residence_street, domicile_istat, domicile_street, phone,
                   email, cf_mismatch AS "cf_mismatch!: bool", registry_comune, registry_id,
                   registry_left_on AS "registry_left_on: Date",
                   merged_into AS "merged_into: Uuid", version AS "version!: i64",
                   created_at AS "created_at!: OffsetDateTime",
                   updated_at AS "updated_at!: OffsetDateTime"
               FROM person
               WHERE org_id = $1 AND merged_into IS NULL
                 AND (codice_fiscale = $2 OR birth_date = $3 OR phonetic_key = $4)
               ORDER BY search_key
               LIMIT 200"#,
            org_id,
            codice_fiscale,
            birth_date,
            phonetic_key
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter().map(|r| raw_person!(r).parse()).collect()
    }

    async fn merge_persons(
        &self,
        org_id: Uuid,
        survivor: Uuid,
        duplicate: Uuid,
        history: &[NewHistory],
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let live = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!" FROM person
               WHERE org_id = $1 AND id = $2 AND merged_into IS NULL"#,
            org_id,
            survivor
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(live as u64)?;
        let done = sqlx::query!(
            "UPDATE person SET merged_into = $3, version = version + 1
             WHERE org_id = $1 AND id = $2 AND merged_into IS NULL AND id <> $3",
            org_id,
            duplicate,
            survivor
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        // Earlier merges into the duplicate now point at the survivor.
        sqlx::query!(
            "UPDATE person SET merged_into = $3 WHERE org_id = $1 AND merged_into = $2",
            org_id,
            duplicate,
            survivor
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "UPDATE household_member SET person_id = $3 WHERE org_id = $1 AND person_id = $2",
            org_id,
            duplicate,
            survivor
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "UPDATE support_link SET person_id = $3 WHERE org_id = $1 AND person_id = $2",
            org_id,
            duplicate,
            survivor
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "UPDATE support_link SET related_person_id = $3
             WHERE org_id = $1 AND related_person_id = $2",
            org_id,
            duplicate,
            survivor
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query!(
            "UPDATE person_document SET person_id = $3 WHERE org_id = $1 AND person_id = $2",
            org_id,
            duplicate,
            survivor
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        for h in history {
            insert_history(&mut tx, org_id, h).await?;
        }
        super::audit::commit_with(tx, audit).await
    }

    async fn person_history(&self, org_id: Uuid, id: Uuid) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", person_id AS "person_id!: Uuid", at_us AS "at_us!: i64",
                   actor, kind, summary, changes
               FROM person_history
               WHERE org_id = $1
                 AND (person_id = $2
                      OR person_id IN (SELECT id FROM person WHERE org_id = $1 AND merged_into = $2))
               ORDER BY at_us DESC, id DESC"#,
            org_id,
            id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| HistoryEntry {
                id: r.id,
                person_id: r.person_id,
                at_us: r.at_us,
                actor: r.actor,
                kind: r.kind,
                summary: r.summary,
                changes: r
                    .changes
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect())
    }

    async fn add_document(
        &self,
        doc: &IdentityDocument,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query!(
            "INSERT INTO person_document (id, org_id, person_id, kind, number, issued_by,
                 issued_on, expires_on, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            doc.id,
            doc.org_id,
            doc.person_id,
            doc.kind.as_str(),
            doc.number,
            doc.issued_by,
            doc.issued_on,
            doc.expires_on,
            doc.created_at
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        insert_history(&mut tx, doc.org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn remove_document(
        &self,
        org_id: Uuid,
        id: Uuid,
        history: &NewHistory,
        audit: &NewAudit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let done = sqlx::query!(
            "DELETE FROM person_document WHERE org_id = $1 AND id = $2 AND person_id = $3",
            org_id,
            id,
            history.person_id
        )
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        affected_one(done.rows_affected())?;
        insert_history(&mut tx, org_id, history).await?;
        super::audit::commit_with(tx, audit).await
    }

    async fn person_documents(
        &self,
        org_id: Uuid,
        person_id: Uuid,
    ) -> Result<Vec<IdentityDocument>> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!: Uuid", org_id AS "org_id!: Uuid", person_id AS "person_id!: Uuid",
                   kind, number, issued_by, issued_on AS "issued_on: Date",
                   expires_on AS "expires_on: Date", created_at AS "created_at!: OffsetDateTime"
               FROM person_document WHERE org_id = $1 AND person_id = $2
               ORDER BY expires_on DESC, created_at DESC"#,
            org_id,
            person_id
        )
        .fetch_all(&mut *self.read().await?)
        .await
        .map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(IdentityDocument {
                    id: r.id,
                    org_id: r.org_id,
                    person_id: r.person_id,
                    kind: parse_col("kind", DocumentKind::parse(&r.kind).ok_or(&r.kind))?,
                    number: r.number,
                    issued_by: r.issued_by,
                    issued_on: r.issued_on,
                    expires_on: r.expires_on,
                    created_at: r.created_at,
                })
            })
            .collect()
    }
}
