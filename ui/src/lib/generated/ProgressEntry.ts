// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One point of the previous report and what the team found on it this time.
 */
export type ProgressEntry = { 
/**
 * The framework area the point was written under, worded.
 */
area_label: string, 
/**
 * The point as the previous report put it.
 */
point: string, 
/**
 * Plain text; "" until written.
 */
found: string, };
