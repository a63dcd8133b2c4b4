// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

export type UnsentWork = { reviewId: string, schoolName: string, changes: number, 
/**
 * Photos and documents whose bytes the server does not hold yet (issue 19).
 */
files: number, };
