// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * The estimate for one area of one review.
 */
export type Estimate = { id: string, reviewId: string, 
/**
 * Framework area code, e.g. `leadership`.
 */
areaCode: string, 
/**
 * Estimate scale code, e.g. `effective`.
 */
value: string, rationale: string, updatedAt: string, };
