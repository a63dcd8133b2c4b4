// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A global role (architecture.md §6). Same JSON as `crate::entities::GlobalRole`
 * (`{"role": "admin"}`, `{"role": "hub_coordinator", "hub_id": …}`), but the hub id is the
 * server's text id: the directory's hubs are not all UUIDs (the demo hub is `hub-riverside-fells`).
 */
export type Role = { "role": "admin" } | { "role": "hub_coordinator", hub_id: string, };
