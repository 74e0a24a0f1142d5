-- The portal's follow-up of an application: the messages between the office and the citizen
-- (a plain message, the answer to an integration request, the observations on a notice
-- before rejection), each possibly with the document sent with it; and which documents the
-- citizen sent from the portal rather than the office attached.
CREATE TABLE application_message (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organization (id),
    application_id UUID NOT NULL REFERENCES application (id),
    kind           TEXT NOT NULL CHECK (kind IN ('messaggio', 'integrazione', 'osservazioni')),
    from_office    BOOLEAN NOT NULL,
    author_id      UUID NOT NULL REFERENCES app_user (id),
    author_name    TEXT NOT NULL,
    body           TEXT NOT NULL,
    document_id    UUID REFERENCES application_document (id),
    at_us          BIGINT NOT NULL
);
CREATE INDEX application_message_app ON application_message (application_id, at_us);

ALTER TABLE application_document ADD COLUMN by_citizen BOOLEAN NOT NULL DEFAULT FALSE;
