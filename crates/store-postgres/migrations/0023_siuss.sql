-- The ente as INPS's SIUSS knows it, for the national records (domain::siuss): the code INPS
-- gave it, the Belfiore code of its seat, the codice fiscale of the operator who sends, and
-- the secret behind the SINBA pseudonyms (32 random bytes, made once, never shown).
CREATE TABLE siuss_sender (
    org_id        UUID PRIMARY KEY REFERENCES organization (id),
    ente_code     TEXT NOT NULL,
    seat_belfiore TEXT NOT NULL,
    operator_cf   TEXT NOT NULL,
    pseudonym_key BYTEA NOT NULL,
    version       BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    at_us         BIGINT NOT NULL
);

-- The SIUSS records of a month read the assessments of an organization by day.
CREATE INDEX assessment_org_day ON assessment (org_id, assessed_on);
