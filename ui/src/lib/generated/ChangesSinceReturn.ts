// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { ReportChange } from "./ReportChange";

/**
 * A resubmitted report as the coordinator reads it: what changed since their return.
 */
export type ChangesSinceReturn = { 
/**
 * RFC 3339 time of the return (the server's clock).
 */
returnedAt: string, 
/**
 * Each section or estimate that differs, with a word diff; empty when nothing changed.
 */
changes: Array<ReportChange>, };
