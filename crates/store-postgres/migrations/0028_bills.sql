-- Co-payment bills (domain::bill). The ente's pagoPA settings with the counter its IUV bases
-- come from; a bill per person and month with its notice (IUV and notice number, unique in
-- the ente), its lines (one per delivery billed) and the payments pagoPA or the treasurer
-- reported.
CREATE TABLE pagopa_settings (
    org_id           UUID PRIMARY KEY REFERENCES organization (id),
    fiscal_code      TEXT NOT NULL,
    segregation_code BIGINT NOT NULL CHECK (segregation_code BETWEEN 0 AND 99),
    iban             TEXT NOT NULL,
    category         TEXT NOT NULL,
    due_days         BIGINT NOT NULL CHECK (due_days BETWEEN 1 AND 365),
    next_iuv         BIGINT NOT NULL DEFAULT 1,
    version          BIGINT NOT NULL,
    actor            TEXT NOT NULL,
    at_us            BIGINT NOT NULL
);

CREATE TABLE bill (
    id               UUID PRIMARY KEY,
    org_id           UUID NOT NULL REFERENCES organization (id),
    person_id        UUID NOT NULL REFERENCES person (id),
    month            DATE NOT NULL,
    description      TEXT NOT NULL,
    amount_cents     BIGINT NOT NULL CHECK (amount_cents > 0),
    paid_cents       BIGINT NOT NULL CHECK (paid_cents >= 0),
    iuv              TEXT NOT NULL,
    nav              TEXT NOT NULL,
    issued_on        DATE NOT NULL,
    due_on           DATE NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('emessa', 'pagata', 'annullata')),
    reminders        BIGINT NOT NULL,
    last_reminder_on DATE,
    version          BIGINT NOT NULL,
    actor            TEXT NOT NULL,
    at_us            BIGINT NOT NULL,
    UNIQUE (org_id, iuv)
);
-- One live bill per person and month: a cancelled one leaves room for its re-issue.
CREATE UNIQUE INDEX bill_once ON bill (org_id, person_id, month) WHERE state <> 'annullata';
CREATE INDEX bill_month ON bill (org_id, month);
CREATE INDEX bill_person ON bill (person_id);
CREATE INDEX bill_due ON bill (org_id, state, due_on);

CREATE TABLE bill_line (
    bill_id      UUID NOT NULL REFERENCES bill (id),
    delivery_id  UUID NOT NULL REFERENCES delivery (id),
    org_id       UUID NOT NULL REFERENCES organization (id),
    benefit_name TEXT NOT NULL,
    quantity     BIGINT,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (bill_id, delivery_id)
);
CREATE INDEX bill_line_delivery ON bill_line (delivery_id);

CREATE TABLE bill_payment (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organization (id),
    bill_id      UUID NOT NULL REFERENCES bill (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    paid_on      DATE NOT NULL,
    reference    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at_us        BIGINT NOT NULL,
    -- The same receipt imported twice counts once.
    UNIQUE (bill_id, reference)
);
