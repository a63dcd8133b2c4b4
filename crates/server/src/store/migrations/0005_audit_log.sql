-- Migration 5: an append-only, hash-chained log of what the server accepted (pushes, sign-ins,
-- approvals, returns, revocations). Each row's hash covers its content and the previous hash,
-- so an edited or removed row breaks the chain; meta 'audit_head' (count:hash, written in the
-- same transaction as each row) catches a removed tail.

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    device_id TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

-- Rows are only ever added: refuse changes made through SQL, so tampering must bypass SQLite's
-- own rules (and then the chain shows it).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
