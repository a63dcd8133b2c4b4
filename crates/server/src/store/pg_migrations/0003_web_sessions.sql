-- PostgreSQL migration 3: SQLite migration 15, browser sessions for the school's pages
-- (issue 22, decision 75). Only the SHA-256 of a session id is kept; each session has its own
-- CSRF token.
CREATE TABLE web_sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions(user_id);
