-- The DSU typed at the counter (PostgreSQL): the declaration as a record of the organization,
-- its nucleo ISEE drawn from the registry, its quadri as the operator typed them.

CREATE TABLE dsu (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    declarant_id   UUID NOT NULL REFERENCES person (id),
    dsu_date       DATE NOT NULL,
    -- The variant the office computes first, and the benefit the ISEE is asked for.
    variant        TEXT NOT NULL,
    prestazione    TEXT NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('bozza', 'firmata', 'trasmessa', 'attestata', 'sostituita')),
    signed_on      DATE,
    inps_protocol  TEXT,
    attestation_id UUID REFERENCES isee_attestation (id),
    -- The DSU this one corrects: it becomes 'sostituita' when this one is signed.
    replaces_id    UUID REFERENCES dsu (id),
    -- JSON: the values typed in each quadro, as typed (a draft may hold invalid ones).
    quadri         TEXT NOT NULL,
    -- The provisional result of the last save, NULL while the DSU is incomplete.
    isee_cents     BIGINT,
    ise_cents      BIGINT,
    created_by     UUID NOT NULL REFERENCES app_user (id),
    created_us     BIGINT NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_us     BIGINT NOT NULL,
    -- Compare-and-set: a save from a stale page is refused.
    version        BIGINT NOT NULL
);
CREATE INDEX dsu_declarant ON dsu (org_id, declarant_id, dsu_date);
CREATE INDEX dsu_recent ON dsu (org_id, updated_us);

-- The nucleo ISEE: who is in it and why, and the members of the famiglia anagrafica left out
-- (with the rule that excludes them).
CREATE TABLE dsu_member (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    dsu_id      UUID NOT NULL REFERENCES dsu (id),
    person_id   UUID NOT NULL REFERENCES person (id),
    position    BIGINT NOT NULL,
    relation    TEXT NOT NULL,
    basis       TEXT NOT NULL,
    convivenza  BOOLEAN NOT NULL,
    UNIQUE (dsu_id, person_id)
);
CREATE INDEX dsu_member_person ON dsu_member (org_id, person_id);
