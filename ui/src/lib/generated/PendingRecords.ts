// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * How many records of one kind have changes waiting to sync.
 */
export type PendingRecords = { 
/**
 * An `EntityKind` code: `review`, `evidence`, `estimate`, `report_section`, `comment`.
 */
kind: string, records: number, };
