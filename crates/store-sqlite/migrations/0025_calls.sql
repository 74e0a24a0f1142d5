-- Calls for applications (bandi) and their rankings (graduatorie), domain::call. A call opens
-- one benefit for a window with its own budget; its scoring rules are versions never changed
-- (a new version supersedes); an application to a call is an ordinary application with the
-- call's answers and the facts of the filing day; the ranking keeps one row per application.
CREATE TABLE benefit_call (
    id                BLOB PRIMARY KEY NOT NULL,
    org_id            BLOB NOT NULL REFERENCES organization (id),
    benefit_id        BLOB NOT NULL REFERENCES benefit (id),
    title             TEXT NOT NULL,
    opens_on          TEXT NOT NULL,
    closes_on         TEXT NOT NULL,
    budget_cents      INTEGER NOT NULL,
    partial_last      INTEGER NOT NULL CHECK (partial_last IN (0, 1)),
    one_per_household INTEGER NOT NULL CHECK (one_per_household IN (0, 1)),
    publication_text  TEXT NOT NULL,
    -- JSON: the extra questions, in order
    questions         TEXT NOT NULL,
    version           INTEGER NOT NULL,
    actor             TEXT NOT NULL,
    created_at_us     INTEGER NOT NULL
) STRICT;
CREATE INDEX call_org ON benefit_call (org_id, opens_on);

CREATE TABLE call_rules (
    id      BLOB PRIMARY KEY NOT NULL,
    org_id  BLOB NOT NULL REFERENCES organization (id),
    call_id BLOB NOT NULL REFERENCES benefit_call (id),
    number  INTEGER NOT NULL,
    -- JSON: domain::call::ScoringRules
    rules   TEXT NOT NULL,
    actor   TEXT NOT NULL,
    at_us   INTEGER NOT NULL,
    UNIQUE (call_id, number)
) STRICT;

CREATE TABLE call_application (
    application_id BLOB PRIMARY KEY NOT NULL REFERENCES application (id),
    org_id         BLOB NOT NULL REFERENCES organization (id),
    call_id        BLOB NOT NULL REFERENCES benefit_call (id),
    person_id      BLOB NOT NULL REFERENCES person (id),
    -- The registry household on the filing day, for calls taking one application a household.
    household_id   BLOB REFERENCES household (id),
    -- JSON: domain::call::Answers and domain::call::ScoringFacts
    answers        TEXT NOT NULL,
    facts          TEXT NOT NULL,
    UNIQUE (call_id, person_id)
) STRICT;
CREATE INDEX call_application_household ON call_application (call_id, household_id);

CREATE TABLE ranking (
    call_id        BLOB PRIMARY KEY NOT NULL REFERENCES benefit_call (id),
    org_id         BLOB NOT NULL REFERENCES organization (id),
    rules_id       BLOB NOT NULL REFERENCES call_rules (id),
    stage          TEXT NOT NULL CHECK (stage IN ('provvisoria', 'definitiva')),
    appeals_until  TEXT NOT NULL,
    budget_cents   INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    actor          TEXT NOT NULL,
    at_us          INTEGER NOT NULL
) STRICT;

CREATE TABLE ranking_row (
    call_id         BLOB NOT NULL REFERENCES benefit_call (id),
    application_id  BLOB NOT NULL REFERENCES application (id),
    org_id          BLOB NOT NULL REFERENCES organization (id),
    seq             INTEGER NOT NULL,
    position        INTEGER,
    protocol        TEXT NOT NULL,
    score           INTEGER NOT NULL,
    isee_cents      INTEGER,
    requested_cents INTEGER NOT NULL,
    funded_cents    INTEGER NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('finanziata', 'finanziata_in_parte',
                        'non_finanziata', 'non_ammessa')),
    reason          TEXT NOT NULL,
    -- JSON: domain::call::Breakdown
    breakdown       TEXT NOT NULL,
    PRIMARY KEY (call_id, application_id),
    UNIQUE (call_id, seq)
) STRICT;
