-- The DSU typed at the counter (SQLite): the declaration as a record of the organization,
-- its nucleo ISEE drawn from the registry, its quadri as the operator typed them.

CREATE TABLE dsu (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    declarant_id   BLOB NOT NULL REFERENCES person (id),
    dsu_date       TEXT NOT NULL,
    -- The variant the office computes first, and the benefit the ISEE is asked for.
    variant        TEXT NOT NULL,
    prestazione    TEXT NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('bozza', 'firmata', 'trasmessa', 'attestata', 'sostituita')),
    signed_on      TEXT,
    inps_protocol  TEXT,
    attestation_id BLOB REFERENCES isee_attestation (id),
    -- The DSU this one corrects: it becomes 'sostituita' when this one is signed.
    replaces_id    BLOB REFERENCES dsu (id),
    -- JSON: the values typed in each quadro, as typed (a draft may hold invalid ones).
    quadri         TEXT NOT NULL,
    -- The provisional result of the last save, NULL while the DSU is incomplete.
    isee_cents     INTEGER,
    ise_cents      INTEGER,
    created_by     BLOB NOT NULL REFERENCES app_user (id),
    created_us     INTEGER NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_us     INTEGER NOT NULL,
    -- Compare-and-set: a save from a stale page is refused.
    version        INTEGER NOT NULL
) STRICT;
CREATE INDEX dsu_declarant ON dsu (org_id, declarant_id, dsu_date);
CREATE INDEX dsu_recent ON dsu (org_id, updated_us);

-- The nucleo ISEE: who is in it and why, and the members of the famiglia anagrafica left out
-- (with the rule that excludes them).
CREATE TABLE dsu_member (
    id          BLOB PRIMARY KEY NOT NULL,
    org_id      BLOB NOT NULL REFERENCES organization (id),
    dsu_id      BLOB NOT NULL REFERENCES dsu (id),
    person_id   BLOB NOT NULL REFERENCES person (id),
    position    INTEGER NOT NULL,
    relation    TEXT NOT NULL,
    basis       TEXT NOT NULL,
    convivenza  INTEGER NOT NULL CHECK (convivenza IN (0, 1)),
    UNIQUE (dsu_id, person_id)
) STRICT;
CREATE INDEX dsu_member_person ON dsu_member (org_id, person_id);
