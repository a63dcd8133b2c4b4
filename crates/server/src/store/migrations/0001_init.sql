-- Migration 1: synced field values, devices' high-water marks, kept conflicts, directory.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The highest op seq of each device that is durably handled: replays at or below it are no-ops.
CREATE TABLE devices (
    device_id    TEXT PRIMARY KEY,
    high_water   INTEGER NOT NULL DEFAULT 0,
    last_seen_ms INTEGER NOT NULL
) STRICT;

-- Which review each synced record belongs to (fixed at its first op; scopes reads).
CREATE TABLE records (
    entity    TEXT NOT NULL,
    id        TEXT NOT NULL,
    review_id TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) STRICT, WITHOUT ROWID;

-- The current value of every synced field. server_seq orders the pull feed.
CREATE TABLE fields (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    field      TEXT NOT NULL,
    review_id  TEXT NOT NULL,
    value      TEXT NOT NULL,
    version    TEXT NOT NULL,
    device_id  TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    PRIMARY KEY (entity, id, field)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX fields_by_seq ON fields(server_seq);

-- The losing side of a concurrent same-field write: kept, never silently dropped.
CREATE TABLE conflicts (
    conflict_id  INTEGER PRIMARY KEY,
    entity       TEXT NOT NULL,
    id           TEXT NOT NULL,
    field        TEXT NOT NULL,
    review_id    TEXT NOT NULL,
    value        TEXT NOT NULL,
    version      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    winner       TEXT NOT NULL,
    recorded_ms  INTEGER NOT NULL,
    resolved     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE hubs (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    region TEXT NOT NULL
) STRICT;

CREATE TABLE schools (
    urn                TEXT PRIMARY KEY CHECK (length(urn) = 6),
    establishment_name TEXT NOT NULL,
    phase              TEXT NOT NULL,
    la_name            TEXT NOT NULL,
    postcode           TEXT NOT NULL,
    hub_id             TEXT REFERENCES hubs(id)
) STRICT;

CREATE TABLE users (
    id    TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role  TEXT NOT NULL,
    hub_id TEXT REFERENCES hubs(id),
    home_school_urn TEXT REFERENCES schools(urn)
) STRICT;
