// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What still stops a submit.
 */
export type Missing = { "kind": "estimate", areaCode: string, areaLabel: string, } | { "kind": "section", code: string, title: string, areaLabel: string | null, };
