-- Migration 1: synced records, devices' high-water marks, kept conflicts, directory.

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

-- The current state of every synced record: its fields as JSON (field -> {"value", "version"}),
-- the review it belongs to (fixed at its first op; scopes reads) and its place in the pull feed.
-- One row per record, merged per field in code: a record edit is one row write, not one per field.
CREATE TABLE records (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    review_id  TEXT NOT NULL,
    fields     TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    UNIQUE (entity, id)
) STRICT;
CREATE UNIQUE INDEX records_by_seq ON records(server_seq);
CREATE INDEX records_by_review ON records(review_id);

-- The losing side of a concurrent same-field write: kept, never silently dropped.
CREATE TABLE conflicts (
    conflict_id  INTEGER PRIMARY KEY,
    entity       TEXT NOT NULL,
    id           TEXT NOT NULL,
    field        TEXT NOT NULL,
    review_id    TEXT NOT NULL,
    value        TEXT NOT NULL,
    -- The losing write's version; its node identifies the device that wrote it.
    version      TEXT NOT NULL,
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
