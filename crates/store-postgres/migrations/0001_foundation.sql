-- Foundation: organizations, operators, sessions, API tokens, audit log (PostgreSQL).
-- Same tables and columns as the SQLite migration of the same number, in native types.

CREATE TABLE organization (
    id          UUID PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('sistema', 'ambito_territoriale', 'comune', 'caf', 'erogatore')),
    active      BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE org_comune (
    org_id        UUID NOT NULL REFERENCES organization (id),
    istat_code    TEXT NOT NULL,
    belfiore_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    province      TEXT NOT NULL,
    PRIMARY KEY (org_id, istat_code)
);

CREATE TABLE app_user (
    id                   UUID PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    email                TEXT,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    totp_secret          TEXT,
    active               BOOLEAN NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE membership (
    user_id UUID NOT NULL REFERENCES app_user (id),
    org_id  UUID NOT NULL REFERENCES organization (id),
    role    TEXT NOT NULL CHECK (role IN ('amministratore', 'responsabile', 'assistente_sociale',
                'operatore_sportello', 'operatore_caf', 'ragioneria', 'revisore', 'cittadino')),
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX membership_org ON membership (org_id);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES app_user (id),
    org_id       UUID REFERENCES organization (id),
    stage        TEXT NOT NULL CHECK (stage IN ('change_password', 'enrol_totp', 'totp', 'active')),
    pending_totp TEXT,
    created_us   BIGINT NOT NULL,
    last_seen_us BIGINT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE api_token (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES app_user (id),
    org_id       UUID NOT NULL REFERENCES organization (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_token_user ON api_token (user_id);

CREATE TABLE audit_log (
    id          UUID PRIMARY KEY,
    org_id      UUID NOT NULL REFERENCES organization (id),
    seq         BIGINT NOT NULL,
    at_us       BIGINT NOT NULL,
    actor_id    UUID,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   UUID,
    summary     TEXT NOT NULL,
    reason      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX audit_log_at ON audit_log (at_us);
CREATE INDEX audit_log_record ON audit_log (record_id);

CREATE TABLE audit_head (
    org_id UUID PRIMARY KEY REFERENCES organization (id),
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
