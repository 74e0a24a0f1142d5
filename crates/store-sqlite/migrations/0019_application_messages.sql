-- The portal's follow-up of an application: the messages between the office and the citizen
-- (a plain message, the answer to an integration request, the observations on a notice
-- before rejection), each possibly with the document sent with it; and which documents the
-- citizen sent from the portal rather than the office attached.
CREATE TABLE application_message (
    id             BLOB PRIMARY KEY NOT NULL,
    org_id         BLOB NOT NULL REFERENCES organization (id),
    application_id BLOB NOT NULL REFERENCES application (id),
    kind           TEXT NOT NULL CHECK (kind IN ('messaggio', 'integrazione', 'osservazioni')),
    from_office    INTEGER NOT NULL CHECK (from_office IN (0, 1)),
    author_id      BLOB NOT NULL REFERENCES app_user (id),
    author_name    TEXT NOT NULL,
    body           TEXT NOT NULL,
    document_id    BLOB REFERENCES application_document (id),
    at_us          INTEGER NOT NULL
) STRICT;
CREATE INDEX application_message_app ON application_message (application_id, at_us);

ALTER TABLE application_document ADD COLUMN by_citizen INTEGER NOT NULL DEFAULT 0
    CHECK (by_citizen IN (0, 1));
