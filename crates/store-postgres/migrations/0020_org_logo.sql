-- The organization's logo, drawn at the top of its letters: a PNG or JPEG checked by its
-- content when uploaded, with its size in pixels. Apart from org_letterhead, whose text is
-- read for every e-mail.
CREATE TABLE org_logo (
    org_id        UUID PRIMARY KEY REFERENCES organization (id),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    content       BYTEA NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL
);
