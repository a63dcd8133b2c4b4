// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One activity type as the note form offers it.
 */
export type ActivityTypeOption = { code: string, label: string, };
