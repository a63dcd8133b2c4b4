// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * `PUT /v1/hubs/{hub_id}/accuracy-window`: how many days a school has to check an approved
 * report for factual accuracy (0 turns the check off; at most
 * `qar_core::accuracy_check::MAX_WINDOW_DAYS`).
 */
export type AccuracyWindowSetting = { days: number, };
