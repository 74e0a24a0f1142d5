-- The history of an appointment after booking: its outcome and the corrections to it, a
-- move to another time or place, a cancellation; each with the reason given, if any.
CREATE TABLE appointment_change (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    appointment_id BLOB NOT NULL REFERENCES appointment (id),
    what           TEXT NOT NULL,
    reason         TEXT,
    actor          TEXT NOT NULL,
    at_us          INTEGER NOT NULL
) STRICT;
CREATE INDEX appointment_change_appointment ON appointment_change (org_id, appointment_id, at_us);

-- A form posted after its session had expired, kept for the same account to send once it has
-- logged in again: the path it was posted to and its fields (JSON), found by the hash of a
-- secret held in that browser's cookie, for a short time.
CREATE TABLE kept_form (
    secret_hash TEXT PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES app_user (id),
    path        TEXT NOT NULL,
    fields      TEXT NOT NULL,
    created_us  INTEGER NOT NULL,
    expires_us  INTEGER NOT NULL
) STRICT;
CREATE INDEX kept_form_expiry ON kept_form (expires_us);
