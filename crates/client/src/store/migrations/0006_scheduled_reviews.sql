-- Migration 6: what hub scheduling writes on a review (issue 9), as the server sends it: the
-- three visit days and the school's facts from the register (both JSON text).
ALTER TABLE reviews ADD COLUMN visit_dates TEXT;
ALTER TABLE reviews ADD COLUMN school_context TEXT;
