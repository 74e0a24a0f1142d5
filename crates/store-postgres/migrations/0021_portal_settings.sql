-- The citizens' portal as each organization sets it: how the access log names the operator
-- who opened a citizen's data ('nome': name and surname; 'ruolo': the role only).
CREATE TABLE org_portal_settings (
    org_id           UUID PRIMARY KEY REFERENCES organization (id),
    operator_naming  TEXT NOT NULL CHECK (operator_naming IN ('nome', 'ruolo')),
    version          BIGINT NOT NULL,
    updated_at_us    BIGINT NOT NULL
);
