// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What the `data-changed` event carries: the reviews synced changes touched.
 */
export type DataChanged = { reviewIds: Array<string>, };
