-- The exchange with INPS's SIUSS (WaaS API): every flow made for a record, in the order INPS
-- reads them (`ts_ms`, strictly increasing per ente), with what INPS answered.
ALTER TABLE siuss_sender ADD COLUMN flow_ts_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE siuss_sender ADD COLUMN flow_day TEXT NOT NULL DEFAULT '';
ALTER TABLE siuss_sender ADD COLUMN flow_seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE siuss_flow (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    -- The delivery's or the assessment's id.
    record_id      BLOB NOT NULL,
    kind           TEXT NOT NULL,
    operation      TEXT NOT NULL,
    month          TEXT NOT NULL,
    person_id      BLOB NOT NULL,
    -- Where the data behind it are fixed: the application (PS, PSA) or the case file (SINA, SINBA).
    application_id BLOB,
    case_file_id   BLOB,
    name           TEXT NOT NULL,
    ts_ms          INTEGER NOT NULL,
    digest         BLOB NOT NULL,
    element        TEXT NOT NULL,
    document       TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL,
    -- First handed to INPS by GET /flussi; acquired once INPS asks for what follows it.
    served_at_us   INTEGER,
    acquired_at_us INTEGER,
    outcome        TEXT,
    outcome_detail TEXT,
    siuss_id       TEXT,
    outcome_at_us  INTEGER,
    UNIQUE (org_id, ts_ms),
    UNIQUE (org_id, name)
) STRICT;
CREATE INDEX siuss_flow_record ON siuss_flow (org_id, record_id, ts_ms);
CREATE INDEX siuss_flow_month ON siuss_flow (org_id, month);

-- The records that are not valid now, with their problems (JSON), so that the page where a
-- field lives can say it; replaced month by month when the records are made again.
CREATE TABLE siuss_problem (
    record_id      BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    month          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    person_id      BLOB NOT NULL,
    application_id BLOB,
    benefit_id     BLOB,
    case_file_id   BLOB,
    problems       TEXT NOT NULL,
    at_us          INTEGER NOT NULL
) STRICT;
CREATE INDEX siuss_problem_month ON siuss_problem (org_id, month);
CREATE INDEX siuss_problem_person ON siuss_problem (person_id);
CREATE INDEX siuss_problem_application ON siuss_problem (application_id);
CREATE INDEX siuss_problem_case_file ON siuss_problem (case_file_id);
