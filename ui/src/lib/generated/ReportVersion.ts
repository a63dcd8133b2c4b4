// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One issued version of a review's report, as the server lists it and the laptop keeps it
 * (the snapshot itself is fetched on its own).
 */
export type ReportVersion = { version: number, 
/**
 * Hex SHA-256 of the snapshot's bytes, as served.
 */
sha256: string, 
/**
 * The approved content hash the version was issued from.
 */
report_hash: string, issued_ms: number, issued_by: string, 
/**
 * Why this version replaced the previous one; empty for version 1.
 */
reason: string, };
