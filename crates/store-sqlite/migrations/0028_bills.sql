-- Co-payment bills (domain::bill). The ente's pagoPA settings with the counter its IUV bases
-- come from; a bill per person and month with its notice (IUV and notice number, unique in
-- the ente), its lines (one per delivery billed) and the payments pagoPA or the treasurer
-- reported.
CREATE TABLE pagopa_settings (
    org_id           BLOB PRIMARY KEY NOT NULL REFERENCES organization (id),
    fiscal_code      TEXT NOT NULL,
    segregation_code INTEGER NOT NULL CHECK (segregation_code BETWEEN 0 AND 99),
    iban             TEXT NOT NULL,
    category         TEXT NOT NULL,
    due_days         INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 365),
    next_iuv         INTEGER NOT NULL DEFAULT 1,
    version          INTEGER NOT NULL,
    actor            TEXT NOT NULL,
    at_us            INTEGER NOT NULL
) STRICT;

CREATE TABLE bill (
    id               BLOB PRIMARY KEY NOT NULL,
    org_id           BLOB NOT NULL REFERENCES organization (id),
    person_id        BLOB NOT NULL REFERENCES person (id),
    month            TEXT NOT NULL,
    description      TEXT NOT NULL,
    amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
    paid_cents       INTEGER NOT NULL CHECK (paid_cents >= 0),
    iuv              TEXT NOT NULL,
    nav              TEXT NOT NULL,
    issued_on        TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('emessa', 'pagata', 'annullata')),
    reminders        INTEGER NOT NULL,
    last_reminder_on TEXT,
    version          INTEGER NOT NULL,
    actor            TEXT NOT NULL,
    at_us            INTEGER NOT NULL,
    UNIQUE (org_id, iuv)
) STRICT;
-- One live bill per person and month: a cancelled one leaves room for its re-issue.
CREATE UNIQUE INDEX bill_once ON bill (org_id, person_id, month) WHERE state <> 'annullata';
CREATE INDEX bill_month ON bill (org_id, month);
CREATE INDEX bill_person ON bill (person_id);
CREATE INDEX bill_due ON bill (org_id, state, due_on);

CREATE TABLE bill_line (
    bill_id      BLOB NOT NULL REFERENCES bill (id),
    delivery_id  BLOB NOT NULL REFERENCES delivery (id),
    org_id       BLOB NOT NULL REFERENCES organization (id),
    benefit_name TEXT NOT NULL,
    quantity     INTEGER,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (bill_id, delivery_id)
) STRICT;
CREATE INDEX bill_line_delivery ON bill_line (delivery_id);

CREATE TABLE bill_payment (
    id           BLOB PRIMARY KEY NOT NULL,
    org_id       BLOB NOT NULL REFERENCES organization (id),
    bill_id      BLOB NOT NULL REFERENCES bill (id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    paid_on      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at_us        INTEGER NOT NULL,
    -- The same receipt imported twice counts once.
    UNIQUE (bill_id, reference)
) STRICT;
