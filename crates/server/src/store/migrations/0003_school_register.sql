-- Migration 3: the school register, as `qar-server import-schools` loads it from the GIAS
-- "all establishments" CSV (domain.md §5, §7). The columns of migration 1 stay; `hub_id` is ours
-- (which Challenge Partners hub a school belongs to) and the import never writes it.
-- Text columns are '' when GIAS gives no value; numbers and dates are NULL then.

ALTER TABLE schools ADD COLUMN establishment_type TEXT NOT NULL DEFAULT '';  -- "TypeOfEstablishment (name)"
ALTER TABLE schools ADD COLUMN status             TEXT NOT NULL DEFAULT '';  -- "EstablishmentStatus (name)": Open, Closed, …
ALTER TABLE schools ADD COLUMN trust_name         TEXT NOT NULL DEFAULT '';  -- "Trusts (name)"
ALTER TABLE schools ADD COLUMN town               TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN region             TEXT NOT NULL DEFAULT '';  -- "GOR (name)"
ALTER TABLE schools ADD COLUMN number_of_pupils   INTEGER CHECK (number_of_pupils >= 0);
ALTER TABLE schools ADD COLUMN percentage_fsm     REAL CHECK (percentage_fsm >= 0);
-- The head's name only (reviews are addressed to the head); no other personal data from GIAS.
ALTER TABLE schools ADD COLUMN head_first_name    TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN head_last_name     TEXT NOT NULL DEFAULT '';
-- Dates as ISO yyyy-mm-dd (GIAS writes dd-mm-yyyy).
ALTER TABLE schools ADD COLUMN ofsted_last_insp   TEXT CHECK (ofsted_last_insp GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
ALTER TABLE schools ADD COLUMN open_date          TEXT CHECK (open_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
-- When an import last added or changed the row (ms since the epoch); NULL for rows made otherwise.
ALTER TABLE schools ADD COLUMN gias_updated_ms    INTEGER;
