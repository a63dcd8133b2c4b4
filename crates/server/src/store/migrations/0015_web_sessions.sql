-- Migration 15: browser sessions for the school's pages (issue 22, decision 75). The cookie
-- holds a random session id; this table keeps only its SHA-256, so a copy of the database
-- signs nobody in. Each session has its own CSRF token (synchroniser pattern): every form
-- carries it and every POST is checked against it. Sessions end after 30 minutes without a
-- request or 12 hours after sign-in, whichever is first (checked on use, rows of ended
-- sessions removed then and by sign-out).
CREATE TABLE web_sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX web_sessions_by_user ON web_sessions(user_id);
