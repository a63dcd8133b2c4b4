-- Migration 8 (issue 15): the audit chain becomes keyed. New rows (scheme 1) carry an
-- HMAC-SHA256 made with a key kept outside the database, over the row's place in the chain and
-- over keyed digests of its parts; the digests are stored beside the clear values, so a later
-- erasure can replace a person's id or details with a pseudonym ("erased:…") and the chain still
-- verifies. Rows written before (scheme 0) keep their SHA-256 and stay verifiable as a legacy
-- segment; the keyed chain continues from their head.

ALTER TABLE audit_log ADD COLUMN scheme INTEGER NOT NULL DEFAULT 0 CHECK (scheme IN (0, 1));
ALTER TABLE audit_log ADD COLUMN actor_digest TEXT;
ALTER TABLE audit_log ADD COLUMN device_digest TEXT;
ALTER TABLE audit_log ADD COLUMN subject_digest TEXT;
ALTER TABLE audit_log ADD COLUMN detail_digest TEXT;

-- Still append-only, with one exception: on a keyed row a clear value may be replaced by a
-- pseudonym, everything else (digests, MACs, order, time, kind) unchanged.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (
    OLD.scheme = 1 AND NEW.scheme = 1 AND NEW.seq = OLD.seq AND NEW.at_ms = OLD.at_ms AND NEW.kind = OLD.kind
    AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
    AND NEW.actor_digest IS OLD.actor_digest AND NEW.device_digest IS OLD.device_digest
    AND NEW.subject_digest IS OLD.subject_digest AND NEW.detail_digest IS OLD.detail_digest
    AND (NEW.actor = OLD.actor OR NEW.actor LIKE 'erased:%')
    AND (NEW.device_id = OLD.device_id OR NEW.device_id LIKE 'erased:%')
    AND (NEW.subject = OLD.subject OR NEW.subject LIKE 'erased:%')
    AND (NEW.detail = OLD.detail OR NEW.detail LIKE 'erased:%')
)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (only a pseudonym may replace a person''s data)'); END;
