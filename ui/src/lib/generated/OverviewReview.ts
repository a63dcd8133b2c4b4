// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { OverviewTeamMember } from "./OverviewTeamMember";

export type OverviewReview = { review_id: string, school_urn: string, school_name: string, state: string, start_date: string, 
/**
 * The three visit days (from the start date when the review was set up without them).
 */
visit_dates: Array<string>, 
/**
 * The visit's last day.
 */
last_day: string, 
/**
 * Report due: the last day plus the hub's deadline; `None` without dates.
 */
report_due: string | null, 
/**
 * Due date passed and the report not yet submitted.
 */
overdue: boolean, lead_reviewer: string, 
/**
 * Lead first: for the coordinator's team editor.
 */
team: Array<OverviewTeamMember>, };
