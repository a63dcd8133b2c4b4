-- Photos in the report (issue 19): the photos from the team's notes the Lead Reviewer chose to
-- show under a report section, as the JSON list of {attachment_id, caption} the synced field
-- `photos` of report_section holds (schema 3).
ALTER TABLE report_sections ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
