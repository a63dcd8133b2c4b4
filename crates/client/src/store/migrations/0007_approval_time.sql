-- Migration 7: the server's wall time of a review's approval (issue 15), the date the report
-- shows. NULL for reviews approved by an older server: the report then falls back to the
-- approval's version stamp.
ALTER TABLE reviews ADD COLUMN approved_at_ms INTEGER;
