-- Migration 15 (issue 24, decision 88): issued reviews whose local copy the person removed from
-- this laptop. A pull skips every record of these reviews, so the copy does not come back;
-- the server keeps the review under its retention policy. Ids and times only.
CREATE TABLE dropped_reviews (
    review_id     TEXT PRIMARY KEY,
    dropped_at_ms INTEGER NOT NULL
) STRICT;
