// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What assigning schools did: URNs now in the hub, and URNs the register does not have.
 */
export type AssignOutcome = { assigned: Array<string>, unknown: Array<string>, };
