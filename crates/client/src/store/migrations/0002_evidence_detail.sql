-- Migration 2: every evidence field of the data model, full-text search, and the signed-in user.

ALTER TABLE evidence ADD COLUMN author_id TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN year_group TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN host_colleague_role TEXT NOT NULL DEFAULT '';
-- JSON array of framework area codes, e.g. ["leadership","provision_outcomes"].
ALTER TABLE evidence ADD COLUMN area_tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE evidence ADD COLUMN strengths TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN development_points TEXT NOT NULL DEFAULT '';
CREATE INDEX evidence_by_author ON evidence(review_id, author_id);

-- The review as one FTS token ('r' + the id's hex digits), so a search is scoped to a review
-- inside the full-text index itself: ranking and the result limit then run there, and only the
-- best rows are read from this table.
ALTER TABLE evidence ADD COLUMN review_key TEXT GENERATED ALWAYS AS ('r' || replace(review_id, '-', '')) VIRTUAL;

-- Full-text index over what reviewers write. External content: the text is stored once, in
-- evidence; triggers keep the index in step inside the same transaction as each edit. Deleted
-- notes (tombstones) leave the index.
CREATE VIRTUAL TABLE evidence_fts USING fts5(
    notes, strengths, development_points, review_key,
    content = 'evidence', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    -- Prefix indexes for 2- and 3-letter starts, which are what make typed-as-you-go search slow
    -- (measured over 10,000 notes: none 25.6 ms p95; '2 3' 5.6 ms; '2 3 4' 5.9 ms but 38% more
    -- indexing time on a first pull).
    prefix = '2 3'
);
-- A bulk pull (a new laptop's first sync) defers indexing: while `fts_defer` holds a row (only
-- ever inside the pull's own transaction, so no other connection sees it), new text goes to
-- `fts_backlog` instead of the index, and a background pass indexes it afterwards. A search
-- first catches the index up, so results are always complete.
CREATE TABLE fts_defer (one INTEGER PRIMARY KEY CHECK (one = 1)) STRICT;
CREATE TABLE fts_backlog (doc INTEGER PRIMARY KEY) STRICT;

CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence WHEN new.deleted = 0 BEGIN
    INSERT INTO fts_backlog(doc) SELECT new.rowid WHERE EXISTS (SELECT 1 FROM fts_defer);
    INSERT INTO evidence_fts(rowid, notes, strengths, development_points, review_key)
    SELECT new.rowid, new.notes, new.strengths, new.development_points, new.review_key
    WHERE NOT EXISTS (SELECT 1 FROM fts_defer);
END;
-- An entry is removed from the index only if it is there (not waiting in the backlog): an FTS5
-- 'delete' of values that were never indexed would corrupt it.
CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN
    INSERT INTO evidence_fts(evidence_fts, rowid, notes, strengths, development_points, review_key)
    SELECT 'delete', old.rowid, old.notes, old.strengths, old.development_points, old.review_key
    WHERE old.deleted = 0 AND NOT EXISTS (SELECT 1 FROM fts_backlog WHERE doc = old.rowid);
    DELETE FROM fts_backlog WHERE doc = old.rowid;
END;
-- One trigger, ordered statements: the old entry must go before the new one is added (an FTS5
-- delete recorded after an insert of the same row would hide the new entry).
CREATE TRIGGER evidence_fts_update AFTER UPDATE OF notes, strengths, development_points, review_id, deleted ON evidence BEGIN
    INSERT INTO evidence_fts(evidence_fts, rowid, notes, strengths, development_points, review_key)
    SELECT 'delete', old.rowid, old.notes, old.strengths, old.development_points, old.review_key
    WHERE old.deleted = 0 AND NOT EXISTS (SELECT 1 FROM fts_backlog WHERE doc = old.rowid);
    DELETE FROM fts_backlog WHERE doc = old.rowid;
    INSERT INTO fts_backlog(doc) SELECT new.rowid WHERE new.deleted = 0 AND EXISTS (SELECT 1 FROM fts_defer);
    INSERT INTO evidence_fts(rowid, notes, strengths, development_points, review_key)
    SELECT new.rowid, new.notes, new.strengths, new.development_points, new.review_key
    WHERE new.deleted = 0 AND NOT EXISTS (SELECT 1 FROM fts_defer);
END;
-- Index the notes written before this migration (none of them can be deleted yet: the first
-- release had no way to delete a note).
INSERT INTO evidence_fts(evidence_fts) VALUES ('rebuild');
