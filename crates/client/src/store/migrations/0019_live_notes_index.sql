-- Migration 19 (issue 25, cold start): the review list counts each review's notes that are not
-- deleted. `deleted` lives in the note's row after its ~2 KB of text, so without this index the
-- count read (and, encrypted, decrypted) every note in the store on every start: ~200 ms with
-- 10,000 notes. Counted from this index alone it reads a few pages.
CREATE INDEX evidence_live_by_review ON evidence(review_id, deleted);
