-- Findings of the outside security probe (PostgreSQL).

-- A one-time password (new account, reset) is good for 72 hours: until then, Unix µs; NULL
-- once the user has chosen their own password.
ALTER TABLE app_user ADD COLUMN one_time_until_us BIGINT;

-- API tokens expire; a token created before this column existed expires 90 days after its
-- creation (the application reads NULL that way).
ALTER TABLE api_token ADD COLUMN expires_at TIMESTAMPTZ;

-- Since when the responsible worker holds the case file: confidential entries written before
-- are theirs only through a logged break-glass access.
ALTER TABLE case_file ADD COLUMN worker_since_us BIGINT NOT NULL DEFAULT 0;
UPDATE case_file SET worker_since_us = created_at_us;

-- Who may act for a person from outside the office: the person themself (a citizen's
-- account), a representative (tutore, amministratore di sostegno, parent) or a CAF that the
-- person has given a mandate. Recorded by the office; the only change is its revocation
-- (revoked_us).
CREATE TABLE person_mandate (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    person_id   UUID NOT NULL REFERENCES person (id),
    user_id     UUID NOT NULL REFERENCES app_user (id),
    kind        TEXT NOT NULL CHECK (kind IN ('titolare', 'rappresentante', 'caf')),
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    note        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_us  BIGINT NOT NULL,
    revoked_us  BIGINT
);
CREATE INDEX person_mandate_user ON person_mandate (org_id, user_id, person_id);
CREATE INDEX person_mandate_person ON person_mandate (org_id, person_id);
