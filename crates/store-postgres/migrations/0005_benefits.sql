-- Prestazioni and istanze, PostgreSQL.

-- A benefit of the catalogue. Codes are unique in the organization (incompatibilities name them).
CREATE TABLE benefit (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL,
    area           TEXT NOT NULL,
    siuss_code     TEXT NOT NULL,
    periodicity    TEXT NOT NULL CHECK (periodicity IN ('periodica', 'una_tantum')),
    delivery       TEXT NOT NULL,
    isee_variant   TEXT,
    funding_source TEXT NOT NULL,
    budget_cents   BIGINT,
    -- one required document per line
    documents      TEXT NOT NULL,
    deadline_days  BIGINT NOT NULL,
    active         BOOLEAN NOT NULL,
    version        BIGINT NOT NULL,
    created_at_us  BIGINT NOT NULL,
    UNIQUE (org_id, code)
);

-- A version of a benefit's rules (JSON written by domain::benefit), never changed.
CREATE TABLE benefit_rule (
    id         UUID PRIMARY KEY,
    org_id     UUID NOT NULL REFERENCES organization (id),
    benefit_id UUID NOT NULL REFERENCES benefit (id),
    valid_from DATE NOT NULL,
    definition TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at_us      BIGINT NOT NULL
);
CREATE INDEX benefit_rule_benefit ON benefit_rule (org_id, benefit_id, valid_from);

-- An INPS ISEE attestation as received; our own calculation beside it (sim_*), never over it.
CREATE TABLE isee_attestation (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL REFERENCES organization (id),
    person_id     UUID NOT NULL REFERENCES person (id),
    protocol      TEXT NOT NULL,
    declarant_cf  TEXT,
    submitted_on  DATE NOT NULL,
    valid_until   DATE NOT NULL,
    variant       TEXT NOT NULL,
    corrente      BOOLEAN NOT NULL,
    isee_cents    BIGINT NOT NULL,
    ise_cents     BIGINT NOT NULL,
    isr_cents     BIGINT NOT NULL,
    isp_cents     BIGINT NOT NULL,
    scala         TEXT NOT NULL,
    members       BIGINT NOT NULL,
    -- JSON list of the members as the attestation gives them
    member_list   TEXT NOT NULL,
    omissioni     BOOLEAN NOT NULL,
    difformita    BOOLEAN NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('manuale', 'inps_xml')),
    sim_isee_cents BIGINT,
    sim_ise_cents  BIGINT,
    sim_report     TEXT,
    sim_actor      TEXT,
    sim_at_us      BIGINT,
    actor         TEXT NOT NULL,
    at_us         BIGINT NOT NULL,
    UNIQUE (org_id, protocol)
);
CREATE INDEX isee_attestation_person ON isee_attestation (org_id, person_id, submitted_on);

-- An application (istanza) for a benefit.
CREATE TABLE application (
    id              UUID PRIMARY KEY,
    org_id          UUID NOT NULL REFERENCES organization (id),
    person_id       UUID NOT NULL REFERENCES person (id),
    benefit_id      UUID NOT NULL REFERENCES benefit (id),
    protocol        TEXT,
    state           TEXT NOT NULL CHECK (state IN ('bozza', 'presentata', 'in_istruttoria',
                        'integrazione_richiesta', 'preavviso_rigetto', 'accolta', 'respinta',
                        'archiviata', 'in_erogazione', 'conclusa')),
    channel         TEXT NOT NULL CHECK (channel IN ('sportello', 'caf', 'portale')),
    filed_by        UUID NOT NULL REFERENCES app_user (id),
    reviewer_id     UUID REFERENCES app_user (id),
    attestation_id  UUID REFERENCES isee_attestation (id),
    -- JSON: what the application declares (domain::application::Declared)
    declared        TEXT NOT NULL,
    -- JSON: the rules' outcome (domain::benefit::Outcome)
    outcome         TEXT,
    rule_id         UUID REFERENCES benefit_rule (id),
    amount_cents    BIGINT,
    committed_cents BIGINT NOT NULL,
    email           TEXT,
    notes           TEXT NOT NULL,
    submitted_on    DATE,
    due_on          DATE,
    suspended_since DATE,
    notice_on       DATE,
    decided_on      DATE,
    decision_note   TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_at_us   BIGINT NOT NULL,
    UNIQUE (org_id, protocol)
);
CREATE INDEX application_person ON application (org_id, person_id);
CREATE INDEX application_state ON application (org_id, state, due_on);
CREATE INDEX application_filed_by ON application (org_id, filed_by);
CREATE INDEX application_reviewer ON application (org_id, reviewer_id);
CREATE INDEX application_benefit ON application (org_id, benefit_id, decided_on);

-- Every change of state of an application, with who, when and why.
CREATE TABLE application_event (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    application_id UUID NOT NULL REFERENCES application (id),
    from_state     TEXT,
    to_state       TEXT NOT NULL,
    note           TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at_us          BIGINT NOT NULL
);
CREATE INDEX application_event_app ON application_event (application_id, at_us);

-- Documents of an application, kept in the database with their audit row.
CREATE TABLE application_document (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    application_id UUID NOT NULL REFERENCES application (id),
    requirement    TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    content        BYTEA NOT NULL,
    actor          TEXT NOT NULL,
    at_us          BIGINT NOT NULL
);
CREATE INDEX application_document_app ON application_document (application_id, at_us);

-- Months of delivery of a granted application.
CREATE TABLE delivery (
    id               UUID PRIMARY KEY,
    org_id           UUID NOT NULL REFERENCES organization (id),
    application_id   UUID NOT NULL REFERENCES application (id),
    month            DATE NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('prevista', 'erogata', 'sospesa')),
    quantity         BIGINT,
    amount_cents     BIGINT NOT NULL,
    co_payment_cents BIGINT NOT NULL,
    note             TEXT NOT NULL,
    actor            TEXT NOT NULL,
    at_us            BIGINT NOT NULL,
    version          BIGINT NOT NULL,
    UNIQUE (application_id, month)
);
CREATE INDEX delivery_month ON delivery (org_id, month, status);
