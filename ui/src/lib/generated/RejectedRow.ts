// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One row of a GIAS file that was not imported.
 */
export type RejectedRow = { line: number, urn: string, reason: string, };
