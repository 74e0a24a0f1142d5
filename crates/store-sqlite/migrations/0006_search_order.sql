-- Name search shows a page by name, then birth date, then id. With that whole order in the
-- index a page is read in order and stops after its rows; with the name alone PostgreSQL read
-- and sorted every name with the typed prefix (docs/performance.md, "SQLite under many readers").
DROP INDEX person_name;
DROP INDEX person_name_rev;
CREATE INDEX person_name ON person (org_id, search_key, birth_date, id);
CREATE INDEX person_name_rev ON person (org_id, search_key_rev, birth_date, id);
