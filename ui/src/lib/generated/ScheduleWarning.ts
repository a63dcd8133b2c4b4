// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * Something the scheduler should know but that does not stop scheduling.
 */
export type ScheduleWarning = { 
/**
 * `conflict_of_interest`.
 */
code: string, message: string, user_id: string, };
