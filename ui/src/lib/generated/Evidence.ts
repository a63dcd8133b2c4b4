// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One evidence record as the app shows it: every field of the data model.
 */
export type Evidence = { id: string, reviewId: string, authorId: string, activityType: string, 
/**
 * `YYYY-MM-DDTHH:MM`, local time of the activity.
 */
startedAt: string | null, yearGroup: string, subject: string, hostColleagueRole: string, 
/**
 * Framework area codes this evidence bears on.
 */
areaTags: Array<string>, notes: string, strengths: string, developmentPoints: string, 
/**
 * RFC 3339, time of the last change on any device.
 */
updatedAt: string, };
