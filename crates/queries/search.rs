//! Person search, built at run time because its conditions depend on what was typed. The
//! name condition is the one part each backend writes its own way (SQLite's FTS5 index,
//! PostgreSQL's text-search GIN index): `crate::name_source` and `crate::name_match`.

use super::map_err;
use store::{PersonSearch, Result};
use uuid::Uuid;

pub(crate) async fn person_ids(
    pool: &crate::Pool,
    org_id: Uuid,
    s: &PersonSearch,
) -> Result<Vec<Uuid>> {
    let mut qb = sqlx::QueryBuilder::<crate::Kind>::new("SELECT p.id FROM ");
    if s.words.is_empty() {
        qb.push("person p");
    } else {
        qb.push(crate::name_source());
    }
    qb.push(" WHERE p.org_id = ");
    qb.push_bind(org_id);
    qb.push(" AND p.merged_into IS NULL");
    if !s.words.is_empty() {
        qb.push(" AND ");
        crate::name_match(&mut qb, &s.words);
    }
    if let Some(cf) = &s.codice_fiscale {
        qb.push(" AND p.codice_fiscale = ");
        qb.push_bind(cf.clone());
    }
    if let Some(d) = s.birth_date {
        qb.push(" AND p.birth_date = ");
        qb.push_bind(d);
    }
    if let Some(istat) = &s.residence_istat {
        qb.push(" AND p.residence_istat = ");
        qb.push_bind(istat.clone());
    }
    if let Some(d) = s.born_from {
        qb.push(" AND p.birth_date >= ");
        qb.push_bind(d);
    }
    if let Some(d) = s.born_to {
        qb.push(" AND p.birth_date <= ");
        qb.push_bind(d);
    }
    qb.push(" ORDER BY p.search_key, p.birth_date, p.id LIMIT ");
    qb.push_bind(s.limit);
    qb.push(" OFFSET ");
    qb.push_bind(s.offset);
    qb.build_query_scalar::<Uuid>()
        .fetch_all(pool)
        .await
        .map_err(map_err)
}
