// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { Change } from "./Change";

/**
 * The review record as it now is, and what changed.
 */
export type VisitChanged = { review: Change, previous_dates: Array<string>, 
/**
 * False when the request repeated what the review already had (nothing written).
 */
changed: boolean, };
