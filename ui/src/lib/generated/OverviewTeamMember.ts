// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { TeamRole } from "./TeamRole";

/**
 * One member of a review's team as the overview lists them (the review record's `team` field).
 */
export type OverviewTeamMember = { user_id: string, name: string, role: TeamRole, };
