-- ISEE corrente and attestation expiry (SQLite).

-- An ISEE corrente (art. 9 DPCM 159/2013) is a DSU of variant 'corrente' that updates a signed
-- DSU with the modulo sostitutivo: `base_id` is that DSU, which stays in force beside it.
ALTER TABLE dsu ADD COLUMN base_id BLOB REFERENCES dsu (id);
CREATE INDEX dsu_base ON dsu (base_id);

-- The notice sent to the responsible worker that the attestation a running delivery rests on
-- is about to expire: one per application and attestation, written once the mail server took it.
CREATE TABLE attestation_expiry_notice (
    application_id BLOB NOT NULL REFERENCES application (id),
    attestation_id BLOB NOT NULL REFERENCES isee_attestation (id),
    org_id         BLOB NOT NULL REFERENCES organization (id),
    sent_us        INTEGER NOT NULL,
    PRIMARY KEY (application_id, attestation_id)
) STRICT;
CREATE INDEX isee_attestation_expiry ON isee_attestation (org_id, valid_until);
