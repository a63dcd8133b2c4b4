-- Issue 17: what a newer server sent that this app cannot hold yet (a kind of record it does not
-- know, or fields it does not know on one it does), kept so the next version of the app can use
-- it without a full re-sync. One row per record; `fields` is JSON {name: {value, version}} and a
-- later pull of the same record replaces the fields it brings.
CREATE TABLE set_aside (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    review_id TEXT NOT NULL,
    server_seq INTEGER NOT NULL,
    fields TEXT NOT NULL,
    unknown_kind INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE INDEX set_aside_review ON set_aside(review_id);
