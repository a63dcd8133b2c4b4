// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One chosen photo: which attachment, and the caption the report prints under it (it starts as
 * the attachment's own caption; the Lead Reviewer may reword it for the school).
 */
export type ReportPhoto = { attachment_id: string, caption: string, };
