-- Migration 8: ops stamped too far ahead of the server's wall time are applied with a server
-- stamp instead (issue 15). The laptop's later edits of the same fields may still name the
-- stamp it wrote as their base; this maps it to the stamp the server stored, so those edits
-- merge as the follow-ups they are instead of as conflicts with themselves.
CREATE TABLE restamps (
    original TEXT PRIMARY KEY,
    stamp    TEXT NOT NULL,
    at_ms    INTEGER NOT NULL
) STRICT;
