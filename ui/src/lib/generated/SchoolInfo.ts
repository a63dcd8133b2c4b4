// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A school of the register, as searches return it.
 */
export type SchoolInfo = { urn: string, name: string, phase: string, la_name: string, town: string, postcode: string, hub_id: string | null, };
