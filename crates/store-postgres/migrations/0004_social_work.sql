-- Segretariato sociale and cartella sociale, PostgreSQL.

-- Yearly numbering of an organization's records (case files now; protocols later).
CREATE TABLE record_counter (
    org_id UUID NOT NULL REFERENCES organization (id),
    kind   TEXT NOT NULL,
    year   BIGINT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, year)
);

-- A case file (cartella sociale): one per person and organization, reopened when needed.
CREATE TABLE case_file (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    person_id      UUID NOT NULL REFERENCES person (id),
    number         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('aperta', 'sospesa', 'chiusa')),
    worker_id      UUID NOT NULL REFERENCES app_user (id),
    opened_on      DATE NOT NULL,
    state_since    DATE NOT NULL,
    close_reason   TEXT,
    version        BIGINT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    UNIQUE (org_id, number),
    UNIQUE (org_id, person_id)
);
CREATE INDEX case_file_worker ON case_file (org_id, worker_id, state);

-- Other workers of the case file's team (the responsible worker is case_file.worker_id).
CREATE TABLE case_team (
    case_file_id UUID NOT NULL REFERENCES case_file (id),
    user_id      UUID NOT NULL REFERENCES app_user (id),
    org_id       UUID NOT NULL REFERENCES organization (id),
    added_at_us  BIGINT NOT NULL,
    PRIMARY KEY (case_file_id, user_id)
);
CREATE INDEX case_team_user ON case_team (org_id, user_id);

-- Every change of state: apertura, sospensione, ripresa, chiusura, riapertura.
CREATE TABLE case_state_change (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organization (id),
    case_file_id UUID NOT NULL REFERENCES case_file (id),
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    on_date      DATE NOT NULL,
    close_reason TEXT,
    note         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX case_state_change_case ON case_state_change (case_file_id, at_us);

-- First-access record (scheda di accesso) of the segretariato sociale.
CREATE TABLE access_record (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    person_id      UUID NOT NULL REFERENCES person (id),
    on_behalf_of   TEXT,
    channel        TEXT NOT NULL,
    referral       TEXT,
    -- need codes separated by ','
    needs          TEXT NOT NULL,
    request        TEXT NOT NULL,
    information    TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    follow_up      TEXT,
    follow_up_date DATE,
    case_file_id   UUID REFERENCES case_file (id),
    actor_id       UUID NOT NULL REFERENCES app_user (id),
    actor          TEXT NOT NULL,
    at_us          BIGINT NOT NULL
);
CREATE INDEX access_record_person ON access_record (org_id, person_id, at_us);
CREATE INDEX access_record_time ON access_record (org_id, at_us);

-- Diary of a case file. Entries are never edited: a correction is a new entry.
CREATE TABLE diary_entry (
    id              UUID PRIMARY KEY,
    org_id          UUID NOT NULL REFERENCES organization (id),
    case_file_id    UUID NOT NULL REFERENCES case_file (id),
    kind            TEXT NOT NULL,
    occurred_on     DATE NOT NULL,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('normale', 'riservato')),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    actor_id        UUID NOT NULL REFERENCES app_user (id),
    actor           TEXT NOT NULL,
    at_us           BIGINT NOT NULL
);
CREATE INDEX diary_entry_case ON diary_entry (case_file_id, occurred_on, at_us);

-- A break-glass access to a case file's confidential entries by someone not assigned.
CREATE TABLE break_glass (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL REFERENCES organization (id),
    case_file_id  UUID NOT NULL REFERENCES case_file (id),
    user_id       UUID NOT NULL REFERENCES app_user (id),
    actor         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    at_us         BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL
);
CREATE INDEX break_glass_case ON break_glass (case_file_id, at_us);
CREATE INDEX break_glass_user ON break_glass (user_id, case_file_id, expires_at_us);

-- Interviews booked in a worker's calendar.
CREATE TABLE appointment (
    id                  UUID PRIMARY KEY,
    org_id              UUID NOT NULL REFERENCES organization (id),
    worker_id           UUID NOT NULL REFERENCES app_user (id),
    person_id           UUID NOT NULL REFERENCES person (id),
    case_file_id        UUID REFERENCES case_file (id),
    starts_at_us        BIGINT NOT NULL,
    minutes             BIGINT NOT NULL,
    place               TEXT NOT NULL,
    purpose             TEXT NOT NULL,
    email               TEXT,
    status              TEXT NOT NULL CHECK (status IN ('prenotato', 'svolto', 'annullato', 'assente')),
    reminder_sent_at_us BIGINT,
    diary_entry_id      UUID REFERENCES diary_entry (id),
    actor               TEXT NOT NULL,
    at_us               BIGINT NOT NULL,
    version             BIGINT NOT NULL
);
CREATE INDEX appointment_worker ON appointment (org_id, worker_id, starts_at_us);
CREATE INDEX appointment_person ON appointment (org_id, person_id, starts_at_us);
CREATE INDEX appointment_reminder ON appointment (starts_at_us)
    WHERE status = 'prenotato' AND reminder_sent_at_us IS NULL AND email IS NOT NULL;

-- A multidimensional assessment: the form and version it was filled with, and the answers
-- (JSON, validated against that form when written and read).
CREATE TABLE assessment (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organization (id),
    case_file_id UUID NOT NULL REFERENCES case_file (id),
    form         TEXT NOT NULL,
    form_version TEXT NOT NULL,
    assessed_on  DATE NOT NULL,
    answers      TEXT NOT NULL,
    summary      TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX assessment_case ON assessment (case_file_id, assessed_on);

-- The individual plan (PAI) of a case file; a new plan supersedes the previous one.
CREATE TABLE care_plan (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organization (id),
    case_file_id UUID NOT NULL REFERENCES case_file (id),
    starts_on    DATE NOT NULL,
    ends_on      DATE,
    goals        TEXT NOT NULL,
    commitments  TEXT NOT NULL,
    next_review  DATE,
    active       BOOLEAN NOT NULL,
    actor        TEXT NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX care_plan_case ON care_plan (case_file_id, at_us);
CREATE INDEX care_plan_review ON care_plan (org_id, next_review) WHERE active;

CREATE TABLE plan_intervention (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    plan_id     UUID NOT NULL REFERENCES care_plan (id),
    description TEXT NOT NULL,
    benefit     TEXT,
    responsible TEXT NOT NULL,
    frequency   TEXT,
    from_date   DATE NOT NULL,
    to_date     DATE,
    actor       TEXT NOT NULL,
    at_us       BIGINT NOT NULL
);
CREATE INDEX plan_intervention_plan ON plan_intervention (plan_id, from_date);

CREATE TABLE plan_review (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    plan_id     UUID NOT NULL REFERENCES care_plan (id),
    done_on     DATE NOT NULL,
    outcome     TEXT NOT NULL,
    next_review DATE,
    actor       TEXT NOT NULL,
    at_us       BIGINT NOT NULL
);
CREATE INDEX plan_review_plan ON plan_review (plan_id, done_on);

-- Documents of a case file, kept in the database (outside any web root, in the same
-- transaction as their audit row). Checked by content before they are stored.
CREATE TABLE case_document (
    id              UUID PRIMARY KEY,
    org_id          UUID NOT NULL REFERENCES organization (id),
    case_file_id    UUID NOT NULL REFERENCES case_file (id),
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    description     TEXT NOT NULL,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('normale', 'riservato')),
    content         BYTEA NOT NULL,
    actor           TEXT NOT NULL,
    at_us           BIGINT NOT NULL
);
CREATE INDEX case_document_case ON case_document (case_file_id, at_us);
