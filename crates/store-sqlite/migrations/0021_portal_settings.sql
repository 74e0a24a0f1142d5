-- The citizens' portal as each organization sets it: how the access log names the operator
-- who opened a citizen's data ('nome': name and surname; 'ruolo': the role only).
CREATE TABLE org_portal_settings (
    org_id           BLOB PRIMARY KEY NOT NULL REFERENCES organization (id),
    operator_naming  TEXT NOT NULL CHECK (operator_naming IN ('nome', 'ruolo')),
    version          INTEGER NOT NULL,
    updated_at_us    INTEGER NOT NULL
) STRICT;
