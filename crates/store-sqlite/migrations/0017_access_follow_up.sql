-- A first-access record may be typed after the access (at_us is when the access happened,
-- recorded_at_us when it was typed); its follow-up (seguito) is marked done, by whom and when,
-- and until then it stays on the segretariato's list of follow-ups due.
ALTER TABLE access_record ADD COLUMN recorded_at_us INTEGER NOT NULL DEFAULT 0;
UPDATE access_record SET recorded_at_us = at_us;
ALTER TABLE access_record ADD COLUMN follow_up_done_at_us INTEGER;
ALTER TABLE access_record ADD COLUMN follow_up_done_by TEXT;
CREATE INDEX access_record_actor ON access_record (org_id, actor_id, at_us);
CREATE INDEX access_record_follow_up_due ON access_record (org_id, follow_up_date)
    WHERE follow_up IS NOT NULL AND follow_up_done_at_us IS NULL;
