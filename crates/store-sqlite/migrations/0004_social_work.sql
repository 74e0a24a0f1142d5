-- Segretariato sociale and cartella sociale, SQLite.

-- Yearly numbering of an organization's records (case files now; protocols later).
CREATE TABLE record_counter (
    org_id BLOB NOT NULL REFERENCES organization (id),
    kind   TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind, year)
) STRICT;

-- A case file (cartella sociale): one per person and organization, reopened when needed.
CREATE TABLE case_file (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    person_id      BLOB NOT NULL REFERENCES person (id),
    number         TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('aperta', 'sospesa', 'chiusa')),
    worker_id      BLOB NOT NULL REFERENCES app_user (id),
    opened_on      TEXT NOT NULL,
    state_since    TEXT NOT NULL,
    close_reason   TEXT,
    version        INTEGER NOT NULL,
    created_at_us  INTEGER NOT NULL,
    UNIQUE (org_id, number),
    UNIQUE (org_id, person_id)
) STRICT;
CREATE INDEX case_file_worker ON case_file (org_id, worker_id, state);

-- Other workers of the case file's team (the responsible worker is case_file.worker_id).
CREATE TABLE case_team (
    case_file_id BLOB NOT NULL REFERENCES case_file (id),
    user_id      BLOB NOT NULL REFERENCES app_user (id),
    org_id       BLOB NOT NULL REFERENCES organization (id),
    added_at_us  INTEGER NOT NULL,
    PRIMARY KEY (case_file_id, user_id)
) STRICT;
CREATE INDEX case_team_user ON case_team (org_id, user_id);

-- Every change of state: apertura, sospensione, ripresa, chiusura, riapertura.
CREATE TABLE case_state_change (
    id           BLOB PRIMARY KEY NOT NULL,
    org_id       BLOB NOT NULL REFERENCES organization (id),
    case_file_id BLOB NOT NULL REFERENCES case_file (id),
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    on_date      TEXT NOT NULL,
    close_reason TEXT,
    note         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at_us        INTEGER NOT NULL
) STRICT;
CREATE INDEX case_state_change_case ON case_state_change (case_file_id, at_us);

-- First-access record (scheda di accesso) of the segretariato sociale.
CREATE TABLE access_record (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    person_id      BLOB NOT NULL REFERENCES person (id),
    on_behalf_of   TEXT,
    channel        TEXT NOT NULL,
    referral       TEXT,
    -- need codes separated by ','
    needs          TEXT NOT NULL,
    request        TEXT NOT NULL,
    information    TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    follow_up      TEXT,
    follow_up_date TEXT,
    case_file_id   BLOB REFERENCES case_file (id),
    actor_id       BLOB NOT NULL REFERENCES app_user (id),
    actor          TEXT NOT NULL,
    at_us          INTEGER NOT NULL
) STRICT;
CREATE INDEX access_record_person ON access_record (org_id, person_id, at_us);
CREATE INDEX access_record_time ON access_record (org_id, at_us);

-- Diary of a case file. Entries are never edited: a correction is a new entry.
CREATE TABLE diary_entry (
    id              BLOB PRIMARY KEY NOT NULL,
    org_id          BLOB NOT NULL REFERENCES organization (id),
    case_file_id    BLOB NOT NULL REFERENCES case_file (id),
    kind            TEXT NOT NULL,
    occurred_on     TEXT NOT NULL,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('normale', 'riservato')),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    actor_id        BLOB NOT NULL REFERENCES app_user (id),
    actor           TEXT NOT NULL,
    at_us           INTEGER NOT NULL
) STRICT;
CREATE INDEX diary_entry_case ON diary_entry (case_file_id, occurred_on, at_us);

-- A break-glass access to a case file's confidential entries by someone not assigned.
CREATE TABLE break_glass (
    id            BLOB PRIMARY KEY NOT NULL,
    org_id        BLOB NOT NULL REFERENCES organization (id),
    case_file_id  BLOB NOT NULL REFERENCES case_file (id),
    user_id       BLOB NOT NULL REFERENCES app_user (id),
    actor         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    at_us         INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX break_glass_case ON break_glass (case_file_id, at_us);
CREATE INDEX break_glass_user ON break_glass (user_id, case_file_id, expires_at_us);

-- Interviews booked in a worker's calendar.
CREATE TABLE appointment (
    id                  BLOB PRIMARY KEY NOT NULL,
    org_id              BLOB NOT NULL REFERENCES organization (id),
    worker_id           BLOB NOT NULL REFERENCES app_user (id),
    person_id           BLOB NOT NULL REFERENCES person (id),
    case_file_id        BLOB REFERENCES case_file (id),
    starts_at_us        INTEGER NOT NULL,
    minutes             INTEGER NOT NULL,
    place               TEXT NOT NULL,
    purpose             TEXT NOT NULL,
    email               TEXT,
    status              TEXT NOT NULL CHECK (status IN ('prenotato', 'svolto', 'annullato', 'assente')),
    reminder_sent_at_us INTEGER,
    diary_entry_id      BLOB REFERENCES diary_entry (id),
    actor               TEXT NOT NULL,
    at_us               INTEGER NOT NULL,
    version             INTEGER NOT NULL
) STRICT;
CREATE INDEX appointment_worker ON appointment (org_id, worker_id, starts_at_us);
CREATE INDEX appointment_person ON appointment (org_id, person_id, starts_at_us);
CREATE INDEX appointment_reminder ON appointment (starts_at_us)
    WHERE status = 'prenotato' AND reminder_sent_at_us IS NULL AND email IS NOT NULL;

-- A multidimensional assessment: the form and version it was filled with, and the answers
-- (JSON, validated against that form when written and read).
CREATE TABLE assessment (
    id           BLOB PRIMARY KEY NOT NULL,
    org_id       BLOB NOT NULL REFERENCES organization (id),
    case_file_id BLOB NOT NULL REFERENCES case_file (id),
    form         TEXT NOT NULL,
    form_version TEXT NOT NULL,
    assessed_on  TEXT NOT NULL,
    answers      TEXT NOT NULL,
    summary      TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at_us        INTEGER NOT NULL
) STRICT;
CREATE INDEX assessment_case ON assessment (case_file_id, assessed_on);

-- The individual plan (PAI) of a case file; a new plan supersedes the previous one.
CREATE TABLE care_plan (
    id           BLOB PRIMARY KEY NOT NULL,
    org_id       BLOB NOT NULL REFERENCES organization (id),
    case_file_id BLOB NOT NULL REFERENCES case_file (id),
    starts_on    TEXT NOT NULL,
    ends_on      TEXT,
    goals        TEXT NOT NULL,
    commitments  TEXT NOT NULL,
    next_review  TEXT,
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    actor        TEXT NOT NULL,
    at_us        INTEGER NOT NULL
) STRICT;
CREATE INDEX care_plan_case ON care_plan (case_file_id, at_us);
CREATE INDEX care_plan_review ON care_plan (org_id, next_review) WHERE active = 1;

CREATE TABLE plan_intervention (
    id          BLOB PRIMARY KEY NOT NULL,
    org_id      BLOB NOT NULL REFERENCES organization (id),
    plan_id     BLOB NOT NULL REFERENCES care_plan (id),
    description TEXT NOT NULL,
    benefit     TEXT,
    responsible TEXT NOT NULL,
    frequency   TEXT,
    from_date   TEXT NOT NULL,
    to_date     TEXT,
    actor       TEXT NOT NULL,
    at_us       INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_intervention_plan ON plan_intervention (plan_id, from_date);

CREATE TABLE plan_review (
    id          BLOB PRIMARY KEY NOT NULL,
    org_id      BLOB NOT NULL REFERENCES organization (id),
    plan_id     BLOB NOT NULL REFERENCES care_plan (id),
    done_on     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    next_review TEXT,
    actor       TEXT NOT NULL,
    at_us       INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_review_plan ON plan_review (plan_id, done_on);

-- Documents of a case file, kept in the database (outside any web root, in the same
-- transaction as their audit row). Checked by content before they are stored.
CREATE TABLE case_document (
    id              BLOB PRIMARY KEY NOT NULL,
    org_id          BLOB NOT NULL REFERENCES organization (id),
    case_file_id    BLOB NOT NULL REFERENCES case_file (id),
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    description     TEXT NOT NULL,
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('normale', 'riservato')),
    content         BLOB NOT NULL,
    actor           TEXT NOT NULL,
    at_us           INTEGER NOT NULL
) STRICT;
CREATE INDEX case_document_case ON case_document (case_file_id, at_us);
