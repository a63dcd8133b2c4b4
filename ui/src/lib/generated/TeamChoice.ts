// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * Who works on the review.
 */
export type TeamChoice = { lead_reviewer_id: string, reviewers: Array<string>, shadows: Array<string>, };
