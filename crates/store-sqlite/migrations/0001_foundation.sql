-- Foundation: organizations, operators, sessions, API tokens, audit log (SQLite, STRICT).
-- Ids are UUIDv7 made in Rust (16-byte BLOBs); timestamps shown to people are TEXT written by
-- sqlx from time::OffsetDateTime; times that are compared (sessions, audit) are Unix µs.

CREATE TABLE organization (
    id          BLOB PRIMARY KEY NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('sistema', 'ambito_territoriale', 'comune', 'caf', 'erogatore')),
    active      INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE org_comune (
    org_id        BLOB NOT NULL REFERENCES organization (id),
    istat_code    TEXT NOT NULL,
    belfiore_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    province      TEXT NOT NULL,
    PRIMARY KEY (org_id, istat_code)
) STRICT;

CREATE TABLE app_user (
    id                   BLOB PRIMARY KEY NOT NULL,
    login                TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    email                TEXT,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    totp_secret          TEXT,
    active               INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at           TEXT NOT NULL
) STRICT;

CREATE TABLE membership (
    user_id BLOB NOT NULL REFERENCES app_user (id),
    org_id  BLOB NOT NULL REFERENCES organization (id),
    role    TEXT NOT NULL CHECK (role IN ('amministratore', 'responsabile', 'assistente_sociale',
                'operatore_sportello', 'operatore_caf', 'ragioneria', 'revisore', 'cittadino')),
    PRIMARY KEY (user_id, org_id)
) STRICT;
CREATE INDEX membership_org ON membership (org_id);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES app_user (id),
    org_id       BLOB REFERENCES organization (id),
    stage        TEXT NOT NULL CHECK (stage IN ('change_password', 'enrol_totp', 'totp', 'active')),
    pending_totp TEXT,
    created_us   INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
) STRICT;
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE api_token (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES app_user (id),
    org_id       BLOB NOT NULL REFERENCES organization (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;
CREATE INDEX api_token_user ON api_token (user_id);

CREATE TABLE audit_log (
    id          BLOB PRIMARY KEY NOT NULL,
    org_id      BLOB NOT NULL REFERENCES organization (id),
    seq         INTEGER NOT NULL,
    at_us       INTEGER NOT NULL,
    actor_id    BLOB,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   BLOB,
    summary     TEXT NOT NULL,
    reason      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (org_id, seq)
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at_us);
CREATE INDEX audit_log_record ON audit_log (record_id);

-- The last sequence number and hash of each organization's chain. Appending updates this row
-- first, which serializes writers of one chain.
CREATE TABLE audit_head (
    org_id BLOB PRIMARY KEY NOT NULL REFERENCES organization (id),
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
