// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * Search and filters over one review's evidence. Empty means "any".
 */
export type EvidenceQuery = { 
/**
 * Words to find in notes, strengths and development points (prefix match, all words).
 */
text: string, area: string | null, activityType: string | null, authorId: string | null, 
/**
 * `YYYY-MM-DD`: the day of the activity (or, without a time, of writing).
 */
day: string | null, };
