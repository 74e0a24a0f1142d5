-- Several servers on one database (docs/installazione.md): what was kept in each process and
-- must be seen by all of them.

-- Failed logins and mailed-link requests (web::auth::Throttle), counted for every server.
-- `login` is '' for the per-address counters, `address` '' for the per-login ones.
CREATE TABLE login_failure (
    kind     TEXT NOT NULL CHECK (kind IN
                 ('pair', 'account', 'address', 'second_factor', 'link', 'link_address')),
    login    TEXT NOT NULL,
    address  TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_us  BIGINT NOT NULL,
    PRIMARY KEY (kind, login, address)
);
CREATE INDEX login_failure_login ON login_failure (login);
CREATE INDEX login_failure_last ON login_failure (last_us);

-- Each run of a background job (app::jobs), claimed by the first server to insert its
-- (job, period): the others find the row and skip the period.
CREATE TABLE job_run (
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    server      TEXT NOT NULL,
    started_us  BIGINT NOT NULL,
    finished_us BIGINT,
    outcome     TEXT CHECK (outcome IN ('riuscito', 'fallito')),
    detail      TEXT,
    PRIMARY KEY (job, period)
);
CREATE INDEX job_run_started ON job_run (job, started_us);

-- Messages waiting for the next page (web::layout::flash), by the hash of the cookie's id,
-- so that the page after a redirect may be served by another server.
CREATE TABLE flash_message (
    id_hash    TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_us BIGINT NOT NULL
);
CREATE INDEX flash_message_created ON flash_message (created_us);

-- The portal's SPID/CIE sign-ins under way (web::portale::PendingLogins), by the hash of
-- their `state`: the identity provider may send the citizen back to another server.
CREATE TABLE portal_pending_login (
    state_hash TEXT PRIMARY KEY,
    created_us BIGINT NOT NULL,
    pending    TEXT NOT NULL,
    after_path TEXT NOT NULL
);
CREATE INDEX portal_pending_login_created ON portal_pending_login (created_us);
