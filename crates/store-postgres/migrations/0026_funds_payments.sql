-- Funds (domain::payment): a fund with the treasury account it is paid from, its yearly
-- allocations (for the whole organization, or for one comune of an Ambito: `comune` is the
-- ISTAT code, empty for the organization), and the benefits that draw on it (one fund per
-- benefit; a benefit without a fund keeps its own `budget_cents`).
CREATE TABLE fund (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('nazionale', 'regionale', 'comunale', 'altro')),
    debtor_iban TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at_us       BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE fund_allocation (
    fund_id      UUID NOT NULL REFERENCES fund (id),
    org_id       UUID NOT NULL REFERENCES organization (id),
    year         BIGINT NOT NULL,
    comune       TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    actor        TEXT NOT NULL,
    at_us        BIGINT NOT NULL,
    PRIMARY KEY (fund_id, year, comune)
);

CREATE TABLE fund_benefit (
    benefit_id UUID PRIMARY KEY REFERENCES benefit (id),
    fund_id    UUID NOT NULL REFERENCES fund (id),
    org_id     UUID NOT NULL REFERENCES organization (id)
);

-- Where a person's money goes: the IBAN and its holder (the person, or whoever they named).
CREATE TABLE payee_account (
    org_id    UUID NOT NULL REFERENCES organization (id),
    person_id UUID NOT NULL REFERENCES person (id),
    iban      TEXT NOT NULL,
    holder    TEXT NOT NULL,
    version   BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    at_us     BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id)
);

-- A month's payment list (liquidazione) of a fund, approved by the ragioneria.
CREATE TABLE payment_list (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    fund_id     UUID NOT NULL REFERENCES fund (id),
    month       DATE NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('da_approvare', 'approvata')),
    approved_by TEXT,
    version     BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    at_us       BIGINT NOT NULL
);
CREATE INDEX payment_list_month ON payment_list (org_id, month);

-- One payment of a delivery made (`erogata`), with the IBAN and holder it was ordered to.
CREATE TABLE payment (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organization (id),
    list_id      UUID NOT NULL REFERENCES payment_list (id),
    delivery_id  UUID NOT NULL REFERENCES delivery (id),
    person_id    UUID NOT NULL REFERENCES person (id),
    benefit_id   UUID NOT NULL REFERENCES benefit (id),
    period       DATE NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    iban         TEXT NOT NULL,
    holder       TEXT NOT NULL,
    end_to_end   TEXT NOT NULL UNIQUE,
    state        TEXT NOT NULL CHECK (state IN ('disposto', 'pagato', 'respinto')),
    reason       TEXT NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX payment_list_rows ON payment (list_id);
-- Never the same person paid twice for the same benefit and period: a rejected payment
-- leaves room for its re-issue, nothing else does.
CREATE UNIQUE INDEX payment_once ON payment (person_id, benefit_id, period)
    WHERE state <> 'respinto';
CREATE INDEX payment_delivery ON payment (delivery_id);
