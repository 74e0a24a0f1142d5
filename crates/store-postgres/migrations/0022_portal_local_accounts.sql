-- Local accounts on the portal (`portale.local_accounts`): the single-use links that let a
-- citizen choose the password of their portal account, mailed to the address the office
-- recorded on their registry record. Only the SHA-256 of the link's token is kept; a link
-- asked for later replaces the earlier ones of the same login.
CREATE TABLE portal_account_link (
    token_hash TEXT PRIMARY KEY,
    login      TEXT NOT NULL,
    org_id     UUID NOT NULL REFERENCES organization (id),
    person_id  UUID NOT NULL REFERENCES person (id),
    created_us BIGINT NOT NULL,
    expires_us BIGINT NOT NULL,
    used_us    BIGINT
);
CREATE INDEX portal_account_link_login ON portal_account_link (login);
