// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

export type EstimateRow = { area_code: string, area_label: string, value_label: string, rationale: string, };
