// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * `POST /v1/hubs/{hub_id}/reviews`.
 */
export type ScheduleRequest = { 
/**
 * Made by the caller so a retried request schedules nothing twice; new when absent.
 */
review_id?: string, school_urn: string, 
/**
 * The three visit days, `YYYY-MM-DD`, in order.
 */
visit_dates: Array<string>, framework_version: string, lead_reviewer_id: string, reviewers: Array<string>, shadows: Array<string>, };
