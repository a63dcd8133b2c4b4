// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * What the host school wrote for the team before its visit (issue 22): its context statement
 * and its proposed Area of Excellence, as its headteacher saved them on the server. Read-only
 * on the laptop, held so it is there offline. `None` until the school has written something.
 */
export type SchoolStatementView = { contextStatement: string, aoeTitle: string, aoeSummary: string, 
/**
 * The headteacher who last saved it.
 */
writtenBy: string, 
/**
 * When it was last saved, RFC 3339 (UTC).
 */
writtenAt: string, };
