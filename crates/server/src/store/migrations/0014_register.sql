-- Migration 12: the register of Areas of Excellence (issue 23, decision 65). One entry per issued
-- review, drafted when the report is issued (title and summary from its Area of Excellence
-- section; phase, region and local authority copied from the school register at that moment).
-- Published only while the host head teacher's consent is recorded.
CREATE TABLE register_entries (
    review_id           TEXT PRIMARY KEY,
    urn                 TEXT NOT NULL,
    school_name         TEXT NOT NULL,
    hub_id              TEXT,
    phase               TEXT NOT NULL,
    region              TEXT NOT NULL,
    la_name             TEXT NOT NULL,
    framework_version   TEXT NOT NULL,
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL,
    -- JSON arrays of codes: framework areas, and themes of qar_core::register::themes.
    areas               TEXT NOT NULL DEFAULT '[]',
    themes              TEXT NOT NULL DEFAULT '[]',
    disadvantaged_focus INTEGER NOT NULL DEFAULT 0 CHECK (disadvantaged_focus IN (0, 1)),
    -- The academic year of the visit, by the calendar year it starts in (2024 = 2024/25).
    academic_year       INTEGER NOT NULL,
    issued_ms           INTEGER NOT NULL,
    consented           INTEGER NOT NULL DEFAULT 0 CHECK (consented IN (0, 1)),
    head_name           TEXT NOT NULL DEFAULT '',
    consent_changed_ms  INTEGER,
    -- The laptops' copy: every change takes the next place (max + 1); a page is the rows after a
    -- laptop's cursor, published ones as entries and the others as removals.
    seq                 INTEGER NOT NULL UNIQUE
) STRICT;

-- Full text over what a reader searches by; rowid is register_entries' rowid. Holds every entry,
-- published or not: the query joins back and keeps only published ones.
CREATE VIRTUAL TABLE register_fts USING fts5(title, summary, school_name, la_name, tokenize = 'unicode61 remove_diacritics 2');

-- "Ask to visit": recorded and listed for the school, and mailed to its contacts.
CREATE TABLE register_visit_requests (
    id         TEXT PRIMARY KEY,
    review_id  TEXT NOT NULL REFERENCES register_entries(review_id),
    urn        TEXT NOT NULL,
    requester  TEXT NOT NULL REFERENCES users(id),
    message    TEXT NOT NULL,
    created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX register_visit_requests_by_school ON register_visit_requests(urn, created_ms);
