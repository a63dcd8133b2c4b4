// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What a handover export wrote.
 */
export type HandoverExport = { ops: number, 
/**
 * Photos and documents not sent yet, carried with their bytes.
 */
files: number, path: string, };
