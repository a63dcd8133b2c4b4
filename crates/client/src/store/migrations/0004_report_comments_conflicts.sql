-- Migration 4: the report's sections, coordinators' return comments, kept conflicts, and the
-- server-written review fields (team list, approval stamp).

ALTER TABLE reviews ADD COLUMN team TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reviews ADD COLUMN approved_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';

CREATE TABLE report_sections (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES reviews(id),
    section_code  TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    deleted       INTEGER NOT NULL DEFAULT 0,
    versions      TEXT NOT NULL DEFAULT '{}',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX report_sections_by_review ON report_sections(review_id, section_code);

CREATE TABLE comments (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES reviews(id),
    target        TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    author_id     TEXT NOT NULL DEFAULT '',
    author_name   TEXT NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL DEFAULT 0,
    report_hash   TEXT NOT NULL DEFAULT '',
    resolved      INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    versions      TEXT NOT NULL DEFAULT '{}',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX comments_by_review ON comments(review_id, created_ms);

-- `value` is the losing value as JSON text (its type follows entity.field in qar-core).
CREATE TABLE conflicts (
    id             TEXT PRIMARY KEY,
    review_id      TEXT NOT NULL REFERENCES reviews(id),
    entity         TEXT NOT NULL DEFAULT '',
    record_id      TEXT NOT NULL DEFAULT '',
    field          TEXT NOT NULL DEFAULT '',
    value          TEXT,
    version        TEXT NOT NULL DEFAULT '',
    winner_version TEXT NOT NULL DEFAULT '',
    author_id      TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'concurrent',
    recorded_ms    INTEGER NOT NULL DEFAULT 0,
    resolved       INTEGER NOT NULL DEFAULT 0,
    deleted        INTEGER NOT NULL DEFAULT 0,
    versions       TEXT NOT NULL DEFAULT '{}',
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX conflicts_open ON conflicts(review_id, resolved);
