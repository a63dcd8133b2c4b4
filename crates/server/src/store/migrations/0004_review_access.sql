-- Migration 4: who may see and change each review on the server (architecture.md §5–6).
--
-- The review's hub decides which coordinator oversees it; the team decides who works on it.
-- Both are the server's own facts (laptops cannot write them); the server copies them into the
-- review record's `hub_id` and `team` fields so they sync down.

-- The hub a review is in: taken from its school's hub (by URN) when the review is created, or
-- when its URN is first written and the school has a hub. Once set it stays.
CREATE TABLE review_hub (
    review_id TEXT PRIMARY KEY,
    hub_id    TEXT NOT NULL REFERENCES hubs(id)
) STRICT;
CREATE INDEX review_hub_by_hub ON review_hub(hub_id);

-- The review team. The person whose laptop creates a review becomes its lead reviewer; others
-- are added by the demo data or (later) hub scheduling.
CREATE TABLE review_team (
    review_id TEXT NOT NULL,
    user_id   TEXT NOT NULL REFERENCES users(id),
    role      TEXT NOT NULL CHECK (role IN ('lead_reviewer', 'reviewer', 'shadow')),
    PRIMARY KEY (review_id, user_id)
) STRICT;
CREATE INDEX review_team_by_user ON review_team(user_id);

-- Which person wrote with which clock node (the tail of a device id), so a kept conflict can
-- say whose value lost. Filled on push.
CREATE TABLE device_nodes (
    node      INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    user_id   TEXT NOT NULL
) STRICT;

-- Conflicts are now synced `conflict` records (one per losing write); this table of migration 1
-- is no longer written and is kept only for data folders that already hold rows in it.
