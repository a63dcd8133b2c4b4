// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * Whether a run of text was kept, added or removed since the return.
 */
export type DiffKind = "same" | "added" | "removed";
