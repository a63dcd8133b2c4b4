-- Migration 12 (issue 24, point 4): issued report versions can have a person erased and still
-- verify. A version's integrity is now also held as a "form": the snapshot with each value that
-- names a person (issuer, approver, team names and ids) replaced by its keyed digest, hashed
-- (form_sha256) and MACed with the server key together with the SHA-256 the audit chain holds
-- (form_mac). The digests sit beside the snapshot (person_digests, JSON pointer -> digest), so
-- erasure can replace a name in the snapshot with a pseudonym and the form is unchanged.
-- Versions issued before are given their form when the store first opens with the key (the
-- key is outside the database, so SQL alone cannot do it).

ALTER TABLE report_versions ADD COLUMN person_digests TEXT;
ALTER TABLE report_versions ADD COLUMN form_sha256 TEXT;
ALTER TABLE report_versions ADD COLUMN form_mac TEXT;

-- Still frozen, with two exceptions: the form is set once where it is missing, and on a
-- version with its form a person's values may be replaced by a pseudonym ("erased:…").
DROP TRIGGER report_versions_frozen;
CREATE TRIGGER report_versions_frozen BEFORE UPDATE ON report_versions
WHEN NOT (
    NEW.review_id = OLD.review_id AND NEW.version = OLD.version AND NEW.sha256 = OLD.sha256
    AND NEW.report_hash = OLD.report_hash AND NEW.issued_ms = OLD.issued_ms AND NEW.reason = OLD.reason
    AND (
        (OLD.form_mac IS NULL AND NEW.snapshot = OLD.snapshot AND NEW.issued_by = OLD.issued_by
         AND NEW.issued_by_name = OLD.issued_by_name)
        OR
        (OLD.form_mac IS NOT NULL AND NEW.form_mac = OLD.form_mac AND NEW.form_sha256 = OLD.form_sha256
         AND NEW.person_digests = OLD.person_digests
         AND (NEW.issued_by = OLD.issued_by OR NEW.issued_by LIKE 'erased:%')
         AND (NEW.issued_by_name = OLD.issued_by_name OR NEW.issued_by_name LIKE 'erased:%' OR NEW.issued_by_name = 'A former reviewer'))
    )
)
BEGIN SELECT RAISE(ABORT, 'issued report versions are frozen (only a person''s name may be replaced by a pseudonym)'); END;

-- The audit entries from before the chain was keyed (scheme 0, SHA-256 over clear values) are
-- moved over too: when the store first opens with the key, each one whose legacy segment still
-- verifies gets the keyed digests of its parts and `legacy_mac`, a MAC over its place, kind,
-- digests and its unchanged SHA-256 (so the chain's links and the exported heads stay as they
-- are). From then on such an entry is checked like a keyed one, and a person in it can be
-- replaced by a pseudonym.
ALTER TABLE audit_log ADD COLUMN legacy_mac TEXT;

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    NEW.scheme = OLD.scheme AND NEW.seq = OLD.seq AND NEW.at_ms = OLD.at_ms AND NEW.kind = OLD.kind
    AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
    AND (
        -- A legacy entry is given its digests and MAC once, its values unchanged.
        (OLD.scheme = 0 AND OLD.legacy_mac IS NULL AND OLD.actor_digest IS NULL
         AND NEW.actor = OLD.actor AND NEW.device_id = OLD.device_id AND NEW.subject = OLD.subject AND NEW.detail = OLD.detail)
        OR
        -- A keyed (or moved-over) entry: only a pseudonym may replace a clear value.
        ((OLD.scheme = 1 OR OLD.legacy_mac IS NOT NULL)
         AND NEW.legacy_mac IS OLD.legacy_mac
         AND NEW.actor_digest IS OLD.actor_digest AND NEW.device_digest IS OLD.device_digest
         AND NEW.subject_digest IS OLD.subject_digest AND NEW.detail_digest IS OLD.detail_digest
         AND (NEW.actor = OLD.actor OR NEW.actor LIKE 'erased:%')
         AND (NEW.device_id = OLD.device_id OR NEW.device_id LIKE 'erased:%')
         AND (NEW.subject = OLD.subject OR NEW.subject LIKE 'erased:%')
         AND (NEW.detail = OLD.detail OR NEW.detail LIKE 'erased:%'))
    )
)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (only a pseudonym may replace a person''s data)'); END;

-- Issued reports are removed after their retention (issue 24; `report_years`, 6 by default).
-- The purge marks every record left of the review with the reason 'report' (so it travels down
-- the feed like the others), and when the grace period is over deletes the versions, leaving
-- for each a removal record MACed with the server key: `verify-audit` then accepts that a
-- version the chain issued is gone because retention removed it, and nothing else.
CREATE TABLE retention_marks_v2 (
    entity         TEXT NOT NULL,
    id             TEXT NOT NULL,
    review_id      TEXT NOT NULL,
    -- Why: 'evidence' (N months after issue), 'cancelled' (K days after cancellation) or
    -- 'report' (M years after the latest issued version: everything left of the review).
    reason         TEXT NOT NULL CHECK (reason IN ('evidence', 'cancelled', 'report')),
    marked_ms      INTEGER NOT NULL,
    purge_after_ms INTEGER NOT NULL,
    purged_seq     INTEGER,
    PRIMARY KEY (entity, id)
) STRICT;
INSERT INTO retention_marks_v2 SELECT entity, id, review_id, reason, marked_ms, purge_after_ms, purged_seq FROM retention_marks;
DROP TABLE retention_marks;
ALTER TABLE retention_marks_v2 RENAME TO retention_marks;
CREATE INDEX retention_marks_due ON retention_marks(purge_after_ms);
CREATE INDEX retention_marks_purged ON retention_marks(purged_seq);
CREATE INDEX retention_marks_by_review ON retention_marks(review_id, purge_after_ms);

CREATE TABLE report_removals (
    review_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    -- The SHA-256 the issue entry chained.
    sha256     TEXT NOT NULL,
    removed_ms INTEGER NOT NULL,
    -- HMAC (audit subkey) over the four values above.
    mac        TEXT NOT NULL,
    PRIMARY KEY (review_id, version)
) STRICT;

DROP TRIGGER report_versions_kept;
CREATE TRIGGER report_versions_kept BEFORE DELETE ON report_versions
WHEN NOT EXISTS (SELECT 1 FROM report_removals WHERE review_id = OLD.review_id AND version = OLD.version AND sha256 = OLD.sha256)
BEGIN SELECT RAISE(ABORT, 'issued report versions are kept until their retention ends'); END;
