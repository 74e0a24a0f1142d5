-- Statistics for decision makers (domain::stats): pre-aggregated figures of each organization,
-- replaced as a whole by the refresh job (app::stats), so that a dashboard reads only these
-- rows and never scans the records. `month` 0 is a figure of the whole year.
CREATE TABLE stat_figure (
    org_id     UUID NOT NULL REFERENCES organization (id),
    year       BIGINT NOT NULL,
    month      BIGINT NOT NULL,
    measure    TEXT NOT NULL,
    comune     TEXT NOT NULL,
    area       TEXT NOT NULL,
    benefit    TEXT NOT NULL,
    dim        TEXT NOT NULL,
    label      TEXT NOT NULL,
    value      BIGINT NOT NULL
);
CREATE INDEX stat_figure_year ON stat_figure (org_id, year);

-- When each organization's figures were last made («aggiornato al»).
CREATE TABLE stat_refresh (
    org_id  UUID PRIMARY KEY REFERENCES organization (id),
    at_us   BIGINT NOT NULL,
    figures BIGINT NOT NULL
);
