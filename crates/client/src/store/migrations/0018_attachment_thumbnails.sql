-- Migration 18 (issue 19, decision 104): a photo's thumbnail, a small JPEG of the same cleaned
-- pixels uploaded as its own blob of the review, so a teammate's laptop downloads it for the
-- list and the full photo only when it is opened. Records from before have neither (the list
-- then falls back to the full file). Its sealed bytes live in `attachment_files` under the
-- attachment's id followed by ':thumb', and its upload in `attachment_uploads` likewise.
ALTER TABLE attachments ADD COLUMN thumb_sha256 TEXT;
ALTER TABLE attachments ADD COLUMN thumb_size INTEGER;
