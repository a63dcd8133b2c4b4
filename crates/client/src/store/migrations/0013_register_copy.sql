-- Migration 12: this laptop's copy of the register of Areas of Excellence (issue 23, decision 65).
-- Only published entries; partnership-wide, not per review, so it has its own cursor
-- (meta 'register_cursor') and page endpoint, apart from the review feed. An entry whose consent
-- is revoked is deleted at the next sync (with its index row).
CREATE TABLE register_entries (
    review_id           TEXT PRIMARY KEY,
    urn                 TEXT NOT NULL,
    school_name         TEXT NOT NULL,
    phase               TEXT NOT NULL,
    region              TEXT NOT NULL,
    la_name             TEXT NOT NULL,
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL,
    -- JSON arrays of codes.
    areas               TEXT NOT NULL,
    themes              TEXT NOT NULL,
    disadvantaged_focus INTEGER NOT NULL CHECK (disadvantaged_focus IN (0, 1)),
    academic_year       INTEGER NOT NULL,
    issued_ms           INTEGER NOT NULL
) STRICT;
CREATE INDEX register_entries_by_year ON register_entries(academic_year, issued_ms);

-- Full text for searching offline; rowid is register_entries' rowid, kept in step by triggers.
CREATE VIRTUAL TABLE register_fts USING fts5(title, summary, school_name, la_name, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER register_entries_ai AFTER INSERT ON register_entries BEGIN
    INSERT INTO register_fts(rowid, title, summary, school_name, la_name) VALUES (new.rowid, new.title, new.summary, new.school_name, new.la_name);
END;
CREATE TRIGGER register_entries_ad AFTER DELETE ON register_entries BEGIN
    DELETE FROM register_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER register_entries_au AFTER UPDATE ON register_entries BEGIN
    DELETE FROM register_fts WHERE rowid = old.rowid;
    INSERT INTO register_fts(rowid, title, summary, school_name, la_name) VALUES (new.rowid, new.title, new.summary, new.school_name, new.la_name);
END;
