-- Migration 1: reviews, evidence notes, the outbox and the audit trail.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE reviews (
    id                TEXT PRIMARY KEY,
    school_name       TEXT NOT NULL DEFAULT '',
    school_urn        TEXT NOT NULL DEFAULT '',
    start_date        TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL DEFAULT 'scheduled',
    framework_version TEXT NOT NULL DEFAULT '2019',
    deleted           INTEGER NOT NULL DEFAULT 0,
    -- JSON map field -> version (HLC text) of the write each field holds, local or pulled:
    -- the base of the next local edit, and how a pulled echo of our own write is recognised.
    versions          TEXT NOT NULL DEFAULT '{}',
    created_at_ms     INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE evidence (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES reviews(id),
    activity_type TEXT NOT NULL DEFAULT 'other',
    started_at    TEXT,
    notes         TEXT NOT NULL DEFAULT '',
    deleted       INTEGER NOT NULL DEFAULT 0,
    versions      TEXT NOT NULL DEFAULT '{}',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX evidence_by_review ON evidence(review_id, created_at_ms);

-- Every local edit, one row per edit of one record, in device order. seq is the rowid, so it is
-- contiguous (rows are never deleted and a rolled-back insert frees its number).
CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    review_id      TEXT NOT NULL,
    -- JSON map field -> {"value": …, "base": HLC or null}
    fields         TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    acked_at_ms    INTEGER,
    outcome        TEXT
) STRICT;
-- Both partial: they hold only unsent ops, so they stay tiny however long the outbox grows.
CREATE INDEX outbox_pending ON outbox(entity, entity_id) WHERE acked_at_ms IS NULL;
CREATE INDEX outbox_unacked ON outbox(seq) WHERE acked_at_ms IS NULL;
CREATE INDEX outbox_unacked_by_review ON outbox(review_id) WHERE acked_at_ms IS NULL;

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    device_id TEXT NOT NULL
) STRICT;
