// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { ReviewSummary } from "./ReviewSummary";
import type { SchoolContext } from "./SchoolContext";
import type { TeamMember } from "./TeamMember";

/**
 * One review with what its overview shows.
 */
export type ReviewDetail = { summary: ReviewSummary, team: Array<TeamMember>, hubId: string, 
/**
 * The visit days, `YYYY-MM-DD`.
 */
visitDays: Array<string>, 
/**
 * Action codes the permission table allows the signed-in person now.
 */
allowedActions: Array<string>, reportHash: string, approvedHash: string, approvedBy: string, 
/**
 * The school's facts from the register, when the review was scheduled by the hub (a review
 * set up on the laptop has none).
 */
school: SchoolContext | null, };
