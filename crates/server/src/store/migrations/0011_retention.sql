-- Migration 11: retention as data (issue 24). One policy for the partnership (hub_id '') and
-- optionally one per hub; a hub without a row follows the partnership's. The defaults are
-- qar_core::retention's (decision 60).
CREATE TABLE retention_policy (
    -- '' for the partnership's default, else the hub's id.
    hub_id          TEXT PRIMARY KEY,
    evidence_months INTEGER NOT NULL CHECK (evidence_months BETWEEN 1 AND 120),
    report_years    INTEGER NOT NULL CHECK (report_years BETWEEN 1 AND 50),
    cancelled_days  INTEGER NOT NULL CHECK (cancelled_days BETWEEN 1 AND 3650),
    grace_days      INTEGER NOT NULL CHECK (grace_days BETWEEN 1 AND 365),
    updated_ms      INTEGER NOT NULL,
    -- The administrator who last changed it ('' for the shipped default).
    updated_by      TEXT NOT NULL
) STRICT;
INSERT INTO retention_policy(hub_id, evidence_months, report_years, cancelled_days, grace_days, updated_ms, updated_by)
    VALUES ('', 12, 6, 90, 30, 0, '');

-- Records soft-deleted by retention: the tombstone went down the change feed when the row was
-- made; the record itself (and its text) is removed for good once `purge_after_ms` has passed.
-- Ids and times only, never content.
CREATE TABLE retention_marks (
    entity         TEXT NOT NULL,
    id             TEXT NOT NULL,
    review_id      TEXT NOT NULL,
    -- Why: 'evidence' (N months after issue) or 'cancelled' (K days after cancellation).
    reason         TEXT NOT NULL CHECK (reason IN ('evidence', 'cancelled')),
    marked_ms      INTEGER NOT NULL,
    purge_after_ms INTEGER NOT NULL,
    -- Set by the purge: the place in the change feed (the review record's write that carried
    -- it) from which laptops are told to remove the record.
    purged_seq     INTEGER,
    PRIMARY KEY (entity, id)
) STRICT;
CREATE INDEX retention_marks_due ON retention_marks(purge_after_ms);
CREATE INDEX retention_marks_purged ON retention_marks(purged_seq);
-- The purge works review by review (10,000 issued reviews: 158 s without it, measured).
CREATE INDEX retention_marks_by_review ON retention_marks(review_id, purge_after_ms);
