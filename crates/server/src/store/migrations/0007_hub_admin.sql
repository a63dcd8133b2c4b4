-- Migration 7: hub administration (issue 9): invitations, the per-hub report deadline, who was
-- taken off which review (so their laptop learns it), and each laptop's reported outbox.

-- Days after a visit's last day by which the hub expects the report (domain.md §9 leaves the
-- policy to the hub).
ALTER TABLE hubs ADD COLUMN report_deadline_days INTEGER NOT NULL DEFAULT 28 CHECK (report_deadline_days BETWEEN 1 AND 365);

-- One-time invitations. Only the SHA-256 (hex) of the code is kept. Redeeming sets a pending
-- password and TOTP secret; confirming with a first TOTP code creates the account. A code is
-- good for one redemption, until it expires.
CREATE TABLE invitations (
    invitation_id   TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id),
    code_hash       TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
    invited_by      TEXT NOT NULL REFERENCES users(id),
    created_ms      INTEGER NOT NULL,
    expires_ms      INTEGER NOT NULL,
    redeemed_ms     INTEGER,
    password_hash   TEXT CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
    totp_secret     TEXT,
    confirmed_ms    INTEGER,
    cancelled_ms    INTEGER
) STRICT;
CREATE INDEX invitations_by_user ON invitations(user_id);

-- A person taken off a review's team, with the server_seq of the review write that did it: a
-- pull whose page covers that seq tells their laptop to drop the review. Put back on the team,
-- the row goes.
CREATE TABLE review_removals (
    review_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id),
    server_seq INTEGER NOT NULL,
    removed_ms INTEGER NOT NULL,
    PRIMARY KEY (review_id, user_id)
) STRICT;
CREATE INDEX review_removals_by_user ON review_removals(user_id, server_seq);

-- What each laptop last said about its unsent work (optional header on sync requests).
CREATE TABLE device_outbox (
    device_id        TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    pending_ops      INTEGER NOT NULL CHECK (pending_ops >= 0),
    oldest_unsent_ms INTEGER,
    reported_ms      INTEGER NOT NULL
) STRICT;
