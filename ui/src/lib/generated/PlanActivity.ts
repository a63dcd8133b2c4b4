// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One planned activity of the visit's timetable.
 */
export type PlanActivity = { id: string, reviewId: string, startsAt: string, endsAt: string | null, activityType: string, reviewerIds: Array<string>, hostColleague: string, yearGroup: string, subject: string, focus: string, updatedAt: string, };
