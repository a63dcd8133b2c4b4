-- Migration 17 (issue 22): what the host school wrote before its visit, as its headteacher saved
-- it on the server: its context statement and its proposed Area of Excellence (schema 3,
-- server-written, read-only here), kept so the team has it offline while preparing. Pulled
-- before this migration, such records were kept aside (migration 8) and are applied from there
-- at open.
CREATE TABLE school_statements (
    id                TEXT PRIMARY KEY,
    review_id         TEXT NOT NULL REFERENCES reviews(id),
    context_statement TEXT NOT NULL DEFAULT '',
    aoe_title         TEXT NOT NULL DEFAULT '',
    aoe_summary       TEXT NOT NULL DEFAULT '',
    written_by        TEXT NOT NULL DEFAULT '',
    written_ms        INTEGER NOT NULL DEFAULT 0,
    deleted           INTEGER NOT NULL DEFAULT 0,
    versions          TEXT NOT NULL DEFAULT '{}',
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX school_statements_by_review ON school_statements(review_id);
