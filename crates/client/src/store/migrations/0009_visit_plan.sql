-- Migration 9: the visit plan (schema 3), one row per planned activity of the visit's timetable.
-- Records of this kind pulled before this migration were kept aside (migration 8) and are
-- applied from there when the store opens.

CREATE TABLE plan_activities (
    id             TEXT PRIMARY KEY,
    review_id      TEXT NOT NULL REFERENCES reviews(id),
    starts_at      TEXT,
    ends_at        TEXT,
    activity_type  TEXT NOT NULL DEFAULT '',
    reviewer_ids   TEXT NOT NULL DEFAULT '[]',
    host_colleague TEXT NOT NULL DEFAULT '',
    year_group     TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL DEFAULT '',
    focus          TEXT NOT NULL DEFAULT '',
    deleted        INTEGER NOT NULL DEFAULT 0,
    versions       TEXT NOT NULL DEFAULT '{}',
    created_at_ms  INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_activities_by_review ON plan_activities(review_id, starts_at);
