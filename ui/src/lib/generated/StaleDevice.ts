// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A laptop of someone on this hub's teams with unsent work older than a day.
 */
export type StaleDevice = { device_id: string, device_name: string, user_id: string, user_name: string, pending_ops: number, oldest_unsent_ms: number, reported_ms: number, };
