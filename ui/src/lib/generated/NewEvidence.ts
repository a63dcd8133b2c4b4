// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A new note. Only the activity type is required; empty fields are simply not written.
 */
export type NewEvidence = { reviewId: string, activityType: string, startedAt: string | null, yearGroup: string, subject: string, hostColleagueRole: string, areaTags: Array<string>, notes: string, strengths: string, developmentPoints: string, };
