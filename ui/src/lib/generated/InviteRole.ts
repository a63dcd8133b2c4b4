// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * The role an invitation gives.
 */
export type InviteRole = { "role": "admin" } | { "role": "hub_coordinator", hub_id: string, } | { "role": "reviewer" };
