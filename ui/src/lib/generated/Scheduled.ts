// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { Change } from "./Change";
import type { ScheduleWarning } from "./ScheduleWarning";

/**
 * The review record as it now is, and warnings.
 */
export type Scheduled = { review: Change, warnings: Array<ScheduleWarning>, 
/**
 * People taken off the team by this change (their laptops drop the review).
 */
removed: Array<string>, };
