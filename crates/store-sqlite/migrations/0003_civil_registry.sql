-- Civil-registry import (anagrafe comunale → anagrafe sociale), SQLite.

-- One import of a comune's list of residents: what was read and what it changed. The row is
-- written when the import starts (`in_corso`) and completed in its final transaction.
CREATE TABLE registry_import (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    comune         TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    baseline       INTEGER NOT NULL CHECK (baseline IN (0, 1)),
    status         TEXT NOT NULL CHECK (status IN ('in_corso', 'completato', 'fallito')),
    error          TEXT,
    rows_read      INTEGER NOT NULL,
    created        INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    unchanged      INTEGER NOT NULL,
    left_registry  INTEGER NOT NULL,
    rejected       INTEGER NOT NULL,
    -- "kind=n" per event kind, separated by ';' (e.g. "nascita=3;decesso=1").
    event_counts   TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at_us          INTEGER NOT NULL,
    finished_at_us INTEGER
) STRICT;
CREATE INDEX registry_import_comune ON registry_import (org_id, comune, at_us);

-- A row of the file that was not applied: line in the file (header = 1), column, reason.
CREATE TABLE registry_import_rejection (
    id        BLOB PRIMARY KEY NOT NULL,
    org_id    BLOB NOT NULL REFERENCES organization (id),
    import_id BLOB NOT NULL REFERENCES registry_import (id),
    line      INTEGER NOT NULL,
    field     TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;
CREATE INDEX registry_import_rejection_import ON registry_import_rejection (import_id, line);

-- What an import found changed about a person (nascita, decesso, immigrazione, ...).
CREATE TABLE registry_event (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    person_id      BLOB NOT NULL REFERENCES person (id),
    import_id      BLOB NOT NULL REFERENCES registry_import (id),
    kind           TEXT NOT NULL,
    event_date     TEXT NOT NULL,
    summary        TEXT NOT NULL,
    at_us          INTEGER NOT NULL,
    reviewed_at_us INTEGER,
    reviewed_by    TEXT
) STRICT;
CREATE INDEX registry_event_person ON registry_event (org_id, person_id);
CREATE INDEX registry_event_import ON registry_event (import_id);

-- A case file, application or other matter open on a person: later modules open and close
-- them; registry events of such persons are listed for review.
CREATE TABLE person_open_matter (
    id           BLOB PRIMARY KEY NOT NULL,
    org_id       BLOB NOT NULL REFERENCES organization (id),
    person_id    BLOB NOT NULL REFERENCES person (id),
    kind         TEXT NOT NULL,
    ref_id       BLOB NOT NULL,
    opened_at_us INTEGER NOT NULL,
    closed_at_us INTEGER
) STRICT;
CREATE INDEX person_open_matter_person ON person_open_matter (org_id, person_id);
CREATE UNIQUE INDEX person_open_matter_open ON person_open_matter (org_id, kind, ref_id, person_id)
    WHERE closed_at_us IS NULL;
