// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A person's role on one review's team.
 */
export type TeamRole = "lead_reviewer" | "reviewer" | "shadow";
