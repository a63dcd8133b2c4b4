-- Migration 6: issued report versions. Issuing freezes the report as a canonical JSON snapshot
-- with its SHA-256; a correction is a new row (version 2, 3, ...) with its reason. Rows are never
-- changed or removed, so every version the school received stays retrievable byte for byte.

CREATE TABLE report_versions (
    review_id      TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    snapshot       TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    report_hash    TEXT NOT NULL,
    issued_ms      INTEGER NOT NULL,
    issued_by      TEXT NOT NULL,
    issued_by_name TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, version)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER report_versions_frozen BEFORE UPDATE ON report_versions
BEGIN
    SELECT RAISE(ABORT, 'issued report versions are frozen');
END;

CREATE TRIGGER report_versions_kept BEFORE DELETE ON report_versions
BEGIN
    SELECT RAISE(ABORT, 'issued report versions are kept');
END;
