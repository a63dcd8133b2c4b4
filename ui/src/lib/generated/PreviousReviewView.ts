// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { PreviousEstimateView } from "./PreviousEstimateView";
import type { ProgressPoint } from "./ProgressPoint";

/**
 * The school's previous issued review as the team prepares with it (issue 23): read-only,
 * held on the laptop so it is there offline. `None` for a first review of the school.
 */
export type PreviousReviewView = { previousReviewId: string, schoolName: string, schoolUrn: string, 
/**
 * First day of that visit, `YYYY-MM-DD`.
 */
startDate: string, 
/**
 * The day its report was issued, `YYYY-MM-DD` (UTC).
 */
issuedOn: string, estimates: Array<PreviousEstimateView>, 
/**
 * Its Even better if points, numbered from 1, with what the team found this time.
 */
points: Array<ProgressPoint>, };
