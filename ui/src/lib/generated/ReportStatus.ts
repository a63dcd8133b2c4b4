// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * Where the report is in its life. Dates are `YYYY-MM-DD` (shown in words) or already worded.
 */
export type ReportStatus = { "state": "draft" } | { "state": "approved", approved_on: string, approved_by: string, 
/**
 * First 12 hex digits of `qar_core::report_template::content_hash`.
 */
short_hash: string, } | { "state": "issued", version: number, issued_on: string, approved_by: string, short_hash: string, };
