-- The letterhead of an organization (carta intestata), printed on every letter and in the
-- signature of every e-mail; the register of acts (registro degli atti), numbered per
-- organization, kind and year (the counter is record_counter, kind 'atto:<kind>'); and
-- whether the applicant's observations on a notice before rejection arrived (art. 10-bis);
-- the accounting reference of a benefit (capitolo di bilancio, impegno di spesa), printed on
-- its acceptances.
CREATE TABLE org_letterhead (
    org_id        UUID PRIMARY KEY REFERENCES organization (id),
    office        TEXT NOT NULL,
    address       TEXT NOT NULL,
    postcode      TEXT NOT NULL,
    city          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    pec           TEXT NOT NULL,
    email         TEXT NOT NULL,
    website       TEXT NOT NULL,
    hours         TEXT NOT NULL,
    signer_name   TEXT NOT NULL,
    signer_title  TEXT NOT NULL,
    version       BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);

CREATE TABLE act (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    kind           TEXT NOT NULL CHECK (kind IN ('provvedimento', 'preavviso', 'integrazione')),
    year           BIGINT NOT NULL,
    number         BIGINT NOT NULL,
    issued_on      DATE NOT NULL,
    application_id UUID NOT NULL REFERENCES application (id),
    event_id       UUID NOT NULL REFERENCES application_event (id),
    actor          TEXT NOT NULL,
    UNIQUE (org_id, kind, year, number)
);
CREATE INDEX act_application ON act (org_id, application_id);
CREATE INDEX act_year ON act (org_id, year, kind, number);

ALTER TABLE application_event ADD COLUMN observations BOOLEAN;

ALTER TABLE benefit ADD COLUMN budget_chapter TEXT NOT NULL DEFAULT '';
ALTER TABLE benefit ADD COLUMN commitment TEXT NOT NULL DEFAULT '';
