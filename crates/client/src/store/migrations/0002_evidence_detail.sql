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

-- Full-text index over what reviewers write. External content: the text is stored once, in
-- evidence; triggers keep the index in step inside the same transaction as each edit.
CREATE VIRTUAL TABLE evidence_fts USING fts5(
    notes, strengths, development_points,
    content = 'evidence', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN
    INSERT INTO evidence_fts(rowid, notes, strengths, development_points)
    VALUES (new.rowid, new.notes, new.strengths, new.development_points);
END;
CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN
    INSERT INTO evidence_fts(evidence_fts, rowid, notes, strengths, development_points)
    VALUES ('delete', old.rowid, old.notes, old.strengths, old.development_points);
END;
CREATE TRIGGER evidence_fts_update AFTER UPDATE OF notes, strengths, development_points ON evidence BEGIN
    INSERT INTO evidence_fts(evidence_fts, rowid, notes, strengths, development_points)
    VALUES ('delete', old.rowid, old.notes, old.strengths, old.development_points);
    INSERT INTO evidence_fts(rowid, notes, strengths, development_points)
    VALUES (new.rowid, new.notes, new.strengths, new.development_points);
END;
-- Index the notes written before this migration.
INSERT INTO evidence_fts(evidence_fts) VALUES ('rebuild');
