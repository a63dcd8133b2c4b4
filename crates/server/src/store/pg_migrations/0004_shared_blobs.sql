-- The PostgreSQL side of SQLite migration 16 (BYTEA for BLOB).
-- Attachment bytes kept in the database itself (issue 19, decision 96): the blob store that
-- several server instances share when they share one PostgreSQL database. An operator chooses
-- it with `--blob-store database`; the folder under --data-dir stays the default.
-- Rows are named as the folder names its files, by keyed digests (HMAC under the server key's
-- blob-name subkey), and the bytes are sealed with its blob subkey: the tables show neither a
-- file's hash nor its review.
CREATE TABLE shared_blobs (
    name TEXT PRIMARY KEY,
    review_key TEXT NOT NULL,
    sealed BYTEA NOT NULL
);
CREATE INDEX shared_blobs_review ON shared_blobs(review_key);

-- An upload under way: one row per piece as it arrived, each sealed with its offset. Every
-- instance reads the same pieces, so a laptop whose next request reaches another instance goes
-- on from the same offset; the primary key lets only one piece start at a given offset.
CREATE TABLE shared_blob_pieces (
    name TEXT NOT NULL,
    review_key TEXT NOT NULL,
    plain_at BIGINT NOT NULL,
    plain_len BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (name, plain_at)
);
CREATE INDEX shared_blob_pieces_review ON shared_blob_pieces(review_key);

-- Which uploads an instance is taking pieces of now, until when. Another instance asked where
-- such an upload stands waits (a few seconds at most) until the pieces that arrived before a
-- cut are stored, so it answers with the true offset, as one instance's own lock does.
CREATE TABLE shared_blob_writers (
    name TEXT PRIMARY KEY,
    until_ms BIGINT NOT NULL
);
