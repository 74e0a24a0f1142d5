-- Applying online from the citizens' portal: the days a benefit takes applications from the
-- portal, and the citizen's drafts with their documents until submitted (then they become an
-- application and its documents in one transaction, and the draft is gone). The office never
-- sees a draft.
ALTER TABLE benefit ADD COLUMN portal_from DATE;
ALTER TABLE benefit ADD COLUMN portal_until DATE;

CREATE TABLE portal_draft (
    id            UUID PRIMARY KEY,
    org_id        UUID NOT NULL REFERENCES organization (id),
    person_id     UUID NOT NULL REFERENCES person (id),
    benefit_id    UUID NOT NULL REFERENCES benefit (id),
    -- the citizen's account that writes it, and the only one that sees it
    account_id    UUID NOT NULL REFERENCES app_user (id),
    -- JSON: the answers as typed (app::portal_apply::Answers)
    answers       TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
CREATE INDEX portal_draft_account ON portal_draft (account_id, updated_at_us);

CREATE TABLE portal_draft_document (
    id           UUID PRIMARY KEY,
    org_id       UUID NOT NULL REFERENCES organization (id),
    draft_id     UUID NOT NULL REFERENCES portal_draft (id),
    requirement  TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    at_us        BIGINT NOT NULL
);
CREATE INDEX portal_draft_document_draft ON portal_draft_document (draft_id, at_us);
