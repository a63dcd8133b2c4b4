-- Migration 2: accounts, global roles, signed-in devices, login attempts (architecture.md §7).
--
-- Layout decision: `users` (migration 1) stays the *directory* of people, and sign-in lives in
-- tables of its own. A person can be in the directory without being able to sign in (no
-- `accounts` row: e.g. a host headteacher we only name), and the secrets sit in one narrow table
-- that nothing but sign-in reads. The existing `devices` table is the sync ledger (each device's
-- op high-water mark, written by push); the sign-in registry is `device_registry`, keyed by the
-- same client-made device id.

-- One row per person who can sign in.
CREATE TABLE accounts (
    user_id        TEXT PRIMARY KEY REFERENCES users(id),
    -- argon2id PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash
    password_hash  TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    -- RFC 6238 shared secret, base32 without padding (SHA-1, 6 digits, 30 s steps).
    totp_secret    TEXT NOT NULL,
    -- The newest 30 s step whose code was accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    -- 0: signing in and every device token of the account are refused.
    active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL
) STRICT;

-- Global roles (architecture.md §6): admin, or coordinator of one hub. Per-review roles live on
-- the review's team, not here.
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users(id),
    role    TEXT NOT NULL CHECK (role IN ('admin', 'hub_coordinator')),
    hub_id  TEXT REFERENCES hubs(id),
    CHECK ((role = 'admin' AND hub_id IS NULL) OR (role = 'hub_coordinator' AND hub_id IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX user_roles_once ON user_roles(user_id, role, coalesce(hub_id, ''));

-- Coordinators already in the directory keep their hub.
INSERT INTO user_roles(user_id, role, hub_id)
    SELECT id, 'hub_coordinator', hub_id FROM users WHERE role = 'hub_coordinator' AND hub_id IS NOT NULL;
INSERT INTO user_roles(user_id, role, hub_id)
    SELECT id, 'admin', NULL FROM users WHERE role = 'admin';

-- Each laptop signed in: one row per client device id, holding the SHA-256 (hex) of its bearer
-- token, never the token. Signing in again on the same laptop replaces the hash. A revoked row
-- keeps its hash so the old token is answered "device_revoked" with the reason, not "unknown".
CREATE TABLE device_registry (
    device_id      TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    token_hash     TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    name           TEXT NOT NULL,
    created_ms     INTEGER NOT NULL,
    signed_in_ms   INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    expires_ms     INTEGER NOT NULL,
    revoked_ms     INTEGER,
    revoked_reason TEXT,
    revoked_by     TEXT REFERENCES users(id)
) STRICT;
CREATE INDEX device_registry_by_user ON device_registry(user_id);

-- Sign-in attempts not (yet) followed by a success, for rate limiting. An attempt is written
-- before its password is checked, so parallel guesses count too, and deleted when it (or a later
-- attempt for the same email or device) succeeds. Rows older than the window are pruned.
CREATE TABLE login_attempts (
    attempt_id INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    at_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX login_attempts_by_email ON login_attempts(email, at_ms);
CREATE INDEX login_attempts_by_device ON login_attempts(device_id, at_ms);
CREATE INDEX login_attempts_by_time ON login_attempts(at_ms);
