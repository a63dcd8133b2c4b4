// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One edit of one field of a note, as the form saves it: the field and a value of that field's
 * type, so the UI's `updateEvidenceField` is checked by the compiler field by field. The author
 * and the tombstone are not editable this way (a delete is its own command).
 */
export type EvidenceEdit = { "field": "activity_type", "value": string } | { "field": "started_at", "value": string | null } | { "field": "year_group", "value": string } | { "field": "subject", "value": string } | { "field": "host_colleague_role", "value": string } | { "field": "area_tags", "value": Array<string> } | { "field": "notes", "value": string } | { "field": "strengths", "value": string } | { "field": "development_points", "value": string };
