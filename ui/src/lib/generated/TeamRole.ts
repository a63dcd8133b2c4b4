// Generated from Rust by crates/client/tests/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test ts_types

/**
 * A person's role on one review's team.
 */
export type TeamRole = "lead_reviewer" | "reviewer" | "shadow";
