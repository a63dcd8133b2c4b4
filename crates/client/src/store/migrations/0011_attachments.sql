-- Migration 11 (issue 19): attachments on notes, and the queue that uploads their bytes.
-- The record syncs like any other (schema 3; pulled before this migration it was kept aside by
-- migration 8 and is applied from there at open). The bytes are sealed in files beside the store
-- (migration 10), never here.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES reviews(id),
    evidence_id   TEXT,
    kind          TEXT NOT NULL DEFAULT 'other',
    caption       TEXT NOT NULL DEFAULT '',
    sha256        TEXT,
    size          INTEGER,
    mime          TEXT,
    may_show_face INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    versions      TEXT NOT NULL DEFAULT '{}',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_by_note ON attachments(evidence_id, created_at_ms);
CREATE INDEX attachments_by_review ON attachments(review_id);

-- Bytes waiting to reach the server, apart from the op outbox: a photo that fails never holds
-- back a note. One row per attachment made here; `sent` is what the server last said it holds,
-- so a cut connection resumes there; a failure waits until `next_try_ms` (back-off).
CREATE TABLE attachment_uploads (
    attachment_id TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sent          INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_try_ms   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    queued_at_ms  INTEGER NOT NULL
) STRICT;
