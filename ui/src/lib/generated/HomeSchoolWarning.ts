// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * An open review of the person's new home school that they are on the team of.
 */
export type HomeSchoolWarning = { 
/**
 * `conflict_of_interest`.
 */
code: string, message: string, review_id: string, };
