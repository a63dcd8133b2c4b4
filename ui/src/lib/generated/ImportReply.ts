// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { RejectedRow } from "./RejectedRow";

/**
 * `POST /v1/schools/import`'s reply.
 */
export type ImportReply = { 
/**
 * "50000 rows: 12 added, 3 updated, 49980 unchanged, 5 rejected".
 */
summary: string, 
/**
 * `utf-8` or `windows-1252`.
 */
encoding: string, added: number, updated: number, unchanged: number, rejected: number, 
/**
 * The first 500 rejected rows, in file order.
 */
rejections: Array<RejectedRow>, };
