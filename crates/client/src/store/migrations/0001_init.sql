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
-- contiguous (rows are never deleted and a rolled-back insert frees its number). The server
-- acknowledges a prefix, so what is sent is one number, meta 'acked_through': an op is pending
-- while seq > acked_through (no per-row stamp to rewrite on every acknowledgement).
CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    review_id      TEXT NOT NULL,
    -- JSON map field -> {"value": …, "base": HLC or null}
    fields         TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    -- What the server said, when it was not a plain "applied" (rejected, conflict).
    outcome        TEXT
) STRICT;
-- Pending ops of one record (a pulled value must not overwrite them) and of one review (counts).
CREATE INDEX outbox_by_record ON outbox(entity, entity_id, seq);
CREATE INDEX outbox_by_review ON outbox(review_id, seq);

CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    device_id TEXT NOT NULL
) STRICT;
