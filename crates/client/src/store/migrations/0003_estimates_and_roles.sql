-- Migration 3: estimates per area, and this laptop user's place on each review.

-- The signed-in user's role on the review's team: what the permission table checks before any
-- local write. A review created here is led from here. Reviews that arrive by sync take their
-- role from the team list once team membership syncs; until then they keep the default.
ALTER TABLE reviews ADD COLUMN my_role TEXT NOT NULL DEFAULT 'lead_reviewer';
ALTER TABLE reviews ADD COLUMN hub_id TEXT NOT NULL DEFAULT '';

CREATE TABLE estimates (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES reviews(id),
    area_code     TEXT NOT NULL DEFAULT '',
    value         TEXT NOT NULL DEFAULT '',
    rationale     TEXT NOT NULL DEFAULT '',
    deleted       INTEGER NOT NULL DEFAULT 0,
    versions      TEXT NOT NULL DEFAULT '{}',
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX estimates_by_review ON estimates(review_id, area_code);
