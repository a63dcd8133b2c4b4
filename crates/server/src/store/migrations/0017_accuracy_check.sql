-- Migration 17 (issue 22): the host school's factual-accuracy check. A hub sets how many days
-- the school has to check an approved report (0 = no check, the default: nothing changes for a
-- hub until it turns the check on), and a review's row here records that its headteacher said
-- they have finished, which lets the report be issued before the days are up.
ALTER TABLE hubs ADD COLUMN accuracy_window_days INTEGER NOT NULL DEFAULT 0 CHECK (accuracy_window_days BETWEEN 0 AND 30);

CREATE TABLE accuracy_checks (
    review_id   TEXT PRIMARY KEY,
    finished_ms INTEGER NOT NULL,
    finished_by TEXT NOT NULL
) STRICT;
