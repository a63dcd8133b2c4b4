// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A planned activity of the visit as the Lead Reviewer types it (issue 18): the form saves
 * the whole row; only what changed is written.
 */
export type PlanActivityDraft = { 
/**
 * `YYYY-MM-DDTHH:MM`, on one of the visit's days.
 */
startsAt: string, 
/**
 * `YYYY-MM-DDTHH:MM` later the same day, or `None`.
 */
endsAt: string | null, activityType: string, 
/**
 * Team members' user ids.
 */
reviewerIds: Array<string>, hostColleague: string, yearGroup: string, subject: string, 
/**
 * What to look at.
 */
focus: string, };
