-- Calls for applications (bandi) and their rankings (graduatorie), domain::call. A call opens
-- one benefit for a window with its own budget; its scoring rules are versions never changed
-- (a new version supersedes); an application to a call is an ordinary application with the
-- call's answers and the facts of the filing day; the ranking keeps one row per application.
CREATE TABLE benefit_call (
    id                UUID PRIMARY KEY,
    org_id            UUID NOT NULL REFERENCES organization (id),
    benefit_id        UUID NOT NULL REFERENCES benefit (id),
    title             TEXT NOT NULL,
    opens_on          DATE NOT NULL,
    closes_on         DATE NOT NULL,
    budget_cents      BIGINT NOT NULL,
    partial_last      BOOLEAN NOT NULL,
    one_per_household BOOLEAN NOT NULL,
    publication_text  TEXT NOT NULL,
    -- JSON: the extra questions, in order
    questions         TEXT NOT NULL,
    version           BIGINT NOT NULL,
    actor             TEXT NOT NULL,
    created_at_us     BIGINT NOT NULL
);
CREATE INDEX call_org ON benefit_call (org_id, opens_on);

CREATE TABLE call_rules (
    id      UUID PRIMARY KEY,
    org_id  UUID NOT NULL REFERENCES organization (id),
    call_id UUID NOT NULL REFERENCES benefit_call (id),
    number  BIGINT NOT NULL,
    -- JSON: domain::call::ScoringRules
    rules   TEXT NOT NULL,
    actor   TEXT NOT NULL,
    at_us   BIGINT NOT NULL,
    UNIQUE (call_id, number)
);

CREATE TABLE call_application (
    application_id UUID PRIMARY KEY REFERENCES application (id),
    org_id         UUID NOT NULL REFERENCES organization (id),
    call_id        UUID NOT NULL REFERENCES benefit_call (id),
    person_id      UUID NOT NULL REFERENCES person (id),
    -- The registry household on the filing day, for calls taking one application a household.
    household_id   UUID REFERENCES household (id),
    -- JSON: domain::call::Answers and domain::call::ScoringFacts
    answers        TEXT NOT NULL,
    facts          TEXT NOT NULL,
    UNIQUE (call_id, person_id)
);
CREATE INDEX call_application_household ON call_application (call_id, household_id);

CREATE TABLE ranking (
    call_id        UUID PRIMARY KEY REFERENCES benefit_call (id),
    org_id         UUID NOT NULL REFERENCES organization (id),
    rules_id       UUID NOT NULL REFERENCES call_rules (id),
    stage          TEXT NOT NULL CHECK (stage IN ('provvisoria', 'definitiva')),
    appeals_until  DATE NOT NULL,
    budget_cents   BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    at_us          BIGINT NOT NULL
);

CREATE TABLE ranking_row (
    call_id         UUID NOT NULL REFERENCES benefit_call (id),
    application_id  UUID NOT NULL REFERENCES application (id),
    org_id          UUID NOT NULL REFERENCES organization (id),
    seq             BIGINT NOT NULL,
    position        BIGINT,
    protocol        TEXT NOT NULL,
    score           BIGINT NOT NULL,
    isee_cents      BIGINT,
    requested_cents BIGINT NOT NULL,
    funded_cents    BIGINT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('finanziata', 'finanziata_in_parte',
                        'non_finanziata', 'non_ammessa')),
    reason          TEXT NOT NULL,
    -- JSON: domain::call::Breakdown
    breakdown       TEXT NOT NULL,
    PRIMARY KEY (call_id, application_id),
    UNIQUE (call_id, seq)
);
