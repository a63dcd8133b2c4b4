-- Migration 5: issued report versions cached from the server, so a laptop can export any
-- issued version offline. The snapshot is kept as the server's canonical JSON text, checked
-- against its SHA-256 before it is stored; a version once stored never changes.

CREATE TABLE report_versions (
    review_id   TEXT NOT NULL,
    version     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    report_hash TEXT NOT NULL,
    issued_ms   INTEGER NOT NULL,
    issued_by   TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, version)
) STRICT, WITHOUT ROWID;
