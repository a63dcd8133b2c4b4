-- PostgreSQL migration 5 = SQLite migration 17 (issue 22): the host school's factual-accuracy
-- check. A hub's window in days (0 = off) and the reviews whose headteacher has finished.
ALTER TABLE hubs ADD COLUMN accuracy_window_days BIGINT NOT NULL DEFAULT 0 CHECK (accuracy_window_days BETWEEN 0 AND 30);

CREATE TABLE accuracy_checks (
    review_id   TEXT PRIMARY KEY,
    finished_ms BIGINT NOT NULL,
    finished_by TEXT NOT NULL
);
