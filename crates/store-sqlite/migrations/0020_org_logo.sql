-- The organization's logo, drawn at the top of its letters: a PNG or JPEG checked by its
-- content when uploaded, with its size in pixels. Apart from org_letterhead, whose text is
-- read for every e-mail.
CREATE TABLE org_logo (
    org_id        BLOB PRIMARY KEY NOT NULL REFERENCES organization (id),
    content_type  TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
    content       BLOB NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL
) STRICT;
