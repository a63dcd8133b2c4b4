// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A hub as the admin screens show it.
 */
export type HubInfo = { id: string, name: string, region: string, 
/**
 * Days after the visit's last day by which the report is due.
 */
report_deadline_days: number, schools: number, 
/**
 * Days the hub's schools have to check an approved report for factual accuracy (issue 22;
 * 0: no check). Absent from older servers' answers, read as 0.
 */
accuracy_window_days: number, };
