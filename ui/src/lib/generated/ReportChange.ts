// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { DiffPart } from "./DiffPart";

/**
 * One part of the report that changed since the return: `section:<code>` or `estimate:<area>`
 * (the targets return comments use), with its text before and after as one word diff.
 */
export type ReportChange = { target: string, parts: Array<DiffPart>, };
