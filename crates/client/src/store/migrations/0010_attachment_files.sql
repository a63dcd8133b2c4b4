-- Issue 19: attachment bytes live in files beside the store (`<store>.attachments/`), each
-- encrypted with XChaCha20-Poly1305 (streaming) under a key that exists only in this encrypted
-- store. A table of its own rather than a `meta` row: meta values are text read by diagnostics.
CREATE TABLE attachment_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL CHECK (length(key) = 32)
);
-- Which random file holds which attachment: the file names on disk say nothing, this row is the
-- only link. `size` and `sha256` are of the plain bytes (the upload next to the notes names the
-- blob by its hash).
CREATE TABLE attachment_files (
    attachment_id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
