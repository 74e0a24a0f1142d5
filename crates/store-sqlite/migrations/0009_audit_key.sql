-- The audit chain is keyed (HMAC-SHA-256 with a key kept outside the database). Rows written
-- before the key existed keep their plain SHA-256 hash and are marked unkeyed; they may only
-- open a chain (domain::audit::verify_chain).
ALTER TABLE audit_log ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0 CHECK (keyed IN (0, 1));

-- «Who saw this person's data» lists the rows about the persons merged into them too
-- (queries/audit.rs, person_audit); few persons are merged, so the index is small.
CREATE INDEX person_merged ON person (merged_into) WHERE merged_into IS NOT NULL;
