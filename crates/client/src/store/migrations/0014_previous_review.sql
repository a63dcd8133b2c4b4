-- Migration 12 (issue 23): each review builds on the last. The school's previous issued review as
-- the server copied it for the team (schema 3, server-written, read-only here): its estimates and
-- Even better if points, kept so they are there offline while preparing. Pulled before this
-- migration, such records were kept aside (migration 8) and are applied from there at open.
CREATE TABLE previous_reviews (
    id                 TEXT PRIMARY KEY,
    review_id          TEXT NOT NULL REFERENCES reviews(id),
    previous_review_id TEXT NOT NULL DEFAULT '',
    school_name        TEXT NOT NULL DEFAULT '',
    school_urn         TEXT NOT NULL DEFAULT '',
    start_date         TEXT NOT NULL DEFAULT '',
    framework_version  TEXT NOT NULL DEFAULT '',
    issued_ms          INTEGER NOT NULL DEFAULT 0,
    estimates          TEXT NOT NULL DEFAULT '[]',
    ebi_points         TEXT NOT NULL DEFAULT '[]',
    deleted            INTEGER NOT NULL DEFAULT 0,
    versions           TEXT NOT NULL DEFAULT '{}',
    created_at_ms      INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX previous_reviews_by_review ON previous_reviews(review_id);

-- A "Progress since the last review" entry is a report section that also carries the point it
-- answers and that point's area (schema 3 fields of report_section).
ALTER TABLE report_sections ADD COLUMN ebi_point TEXT NOT NULL DEFAULT '';
ALTER TABLE report_sections ADD COLUMN ebi_area TEXT;
