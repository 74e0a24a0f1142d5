-- Reads of personal data (actions `*.view`, written by the read log) are most of the audit log.
-- Indexed by record alone, each read dirtied a page at a random place of the index, and a page
-- of the write-ahead log with it: the cost of a read grew with the log. Reads are indexed by
-- their day first, so a day's reads fill a few pages at the end of the index; «who saw this
-- person's data» seeks each day since the first read (queries/audit.rs, person_audit). The day
-- is computed from the hashed columns, so it cannot be altered apart from them; reads written
-- before this migration move to the new index with the others.
ALTER TABLE audit_log ADD COLUMN read_day BIGINT
    GENERATED ALWAYS AS (CASE WHEN action LIKE '%.view' THEN at_us / 86400000000 END) STORED;
DROP INDEX audit_log_record;
CREATE INDEX audit_log_record ON audit_log (record_id) WHERE read_day IS NULL;
CREATE INDEX audit_log_read ON audit_log (read_day, record_id) WHERE read_day IS NOT NULL;
