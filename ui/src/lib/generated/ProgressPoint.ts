// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One Even better if point of the previous report and the progress entry answering it.
 */
export type ProgressPoint = { number: number, areaCode: string, areaLabel: string, point: string, 
/**
 * What the team found ("" until the Lead Reviewer writes it).
 */
found: string, updatedAt: string | null, };
