// Generated from Rust by crates/client/tests/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test ts_types

/**
 * What still stops a submit.
 */
export type Missing = { "kind": "estimate", areaCode: string, areaLabel: string, } | { "kind": "section", code: string, title: string, areaLabel: string | null, };
