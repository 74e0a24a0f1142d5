-- Anagrafe sociale: persons, documents, history, households and support network (SQLite).
-- Dates are TEXT 'YYYY-MM-DD' written by sqlx from time::Date, so they compare as text.

CREATE TABLE person (
    id               BLOB PRIMARY KEY NOT NULL,
    org_id           BLOB NOT NULL REFERENCES organization (id),
    codice_fiscale   TEXT,
    surname          TEXT NOT NULL,
    given_names      TEXT NOT NULL,
    sex              TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_date       TEXT NOT NULL,
    birthplace_code  TEXT NOT NULL,
    birthplace_name  TEXT NOT NULL,
    citizenship      TEXT NOT NULL,
    civil_status     TEXT,
    death_date       TEXT,
    residence_istat  TEXT,
    residence_street TEXT,
    domicile_istat   TEXT,
    domicile_street  TEXT,
    phone            TEXT,
    email            TEXT,
    cf_mismatch      INTEGER NOT NULL CHECK (cf_mismatch IN (0, 1)),
    -- Folded words of surname and names ("rossi mario"), the same with the names first
    -- ("mario rossi"): prefix ranges on either answer most searches from an index, in order.
    search_key       TEXT NOT NULL,
    search_key_rev   TEXT NOT NULL,
    phonetic_key     TEXT NOT NULL,
    -- The civil registry that feeds this person (Belfiore code of the comune) and its id there.
    registry_comune  TEXT,
    registry_id      TEXT,
    -- Set when the person left that registry (moved out, struck off).
    registry_left_on TEXT,
    merged_into      BLOB REFERENCES person (id),
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX person_cf ON person (org_id, codice_fiscale)
    WHERE codice_fiscale IS NOT NULL AND merged_into IS NULL;
CREATE UNIQUE INDEX person_registry ON person (org_id, registry_comune, registry_id)
    WHERE registry_id IS NOT NULL;
CREATE INDEX person_birth ON person (org_id, birth_date);
CREATE INDEX person_phonetic ON person (org_id, phonetic_key);
CREATE INDEX person_name ON person (org_id, search_key);
CREATE INDEX person_name_rev ON person (org_id, search_key_rev);

-- Full-text index of the name words, kept in step by triggers; prefix queries ("ros*") of up
-- to 8 letters read one prefix-index entry instead of merging every word that starts so.
CREATE VIRTUAL TABLE person_fts USING fts5 (
    search_key, content = 'person', content_rowid = 'rowid', tokenize = 'ascii',
    prefix = '2 3 4 5 6 7 8', detail = 'none'
);
CREATE TRIGGER person_fts_insert AFTER INSERT ON person BEGIN
    INSERT INTO person_fts (rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TRIGGER person_fts_delete AFTER DELETE ON person BEGIN
    INSERT INTO person_fts (person_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
END;
CREATE TRIGGER person_fts_update AFTER UPDATE OF search_key ON person BEGIN
    INSERT INTO person_fts (person_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
    INSERT INTO person_fts (rowid, search_key) VALUES (new.rowid, new.search_key);
END;

CREATE TABLE person_document (
    id         BLOB PRIMARY KEY NOT NULL,
    org_id     BLOB NOT NULL REFERENCES organization (id),
    person_id  BLOB NOT NULL REFERENCES person (id),
    kind       TEXT NOT NULL,
    number     TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_on  TEXT,
    expires_on TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX person_document_person ON person_document (person_id);

-- Every change to a person, dated and signed; `changes` holds one "campo: prima → dopo" per line.
CREATE TABLE person_history (
    id        BLOB PRIMARY KEY NOT NULL,
    org_id    BLOB NOT NULL REFERENCES organization (id),
    person_id BLOB NOT NULL REFERENCES person (id),
    at_us     INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    summary   TEXT NOT NULL,
    changes   TEXT NOT NULL
) STRICT;
CREATE INDEX person_history_person ON person_history (person_id, at_us);

-- The registry household (famiglia anagrafica); `registry_code` is its number in the comune's
-- civil registry when it came from an import.
CREATE TABLE household (
    id              BLOB PRIMARY KEY NOT NULL,
    org_id          BLOB NOT NULL REFERENCES organization (id),
    registry_comune TEXT,
    registry_code   TEXT,
    created_at      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX household_registry ON household (org_id, registry_comune, registry_code)
    WHERE registry_code IS NOT NULL;

-- Who lived in which household, from when to when (to_date NULL: still there).
CREATE TABLE household_member (
    id           BLOB PRIMARY KEY NOT NULL,
    org_id       BLOB NOT NULL REFERENCES organization (id),
    household_id BLOB NOT NULL REFERENCES household (id),
    person_id    BLOB NOT NULL REFERENCES person (id),
    relationship TEXT NOT NULL,
    from_date    TEXT NOT NULL,
    to_date      TEXT
) STRICT;
CREATE INDEX household_member_household ON household_member (household_id);
CREATE INDEX household_member_person ON household_member (person_id);

-- The support network outside the household: relatives, legal guardians, carers. The other
-- party may be a registered person or just a name.
CREATE TABLE support_link (
    id                BLOB PRIMARY KEY NOT NULL,
    org_id            BLOB NOT NULL REFERENCES organization (id),
    person_id         BLOB NOT NULL REFERENCES person (id),
    related_person_id BLOB REFERENCES person (id),
    related_name      TEXT NOT NULL,
    kind              TEXT NOT NULL,
    detail            TEXT NOT NULL,
    phone             TEXT,
    from_date         TEXT,
    to_date           TEXT,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX support_link_person ON support_link (person_id);
CREATE INDEX support_link_related ON support_link (related_person_id);
