-- The report as the coordinator returned it (review field `returned_report`, schema 3), for the
-- diff a resubmission is read as (decision 81). JSON text; NULL until a return.
ALTER TABLE reviews ADD COLUMN returned_report TEXT;
