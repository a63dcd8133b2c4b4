// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One area a review judges. `code` is stored; `label` is shown (and may be re-worded).
 */
export type FrameworkArea = { code: string, label: string, 
/**
 * What the area covers, in the framework's own words; empty where none was published.
 */
description: string, };
