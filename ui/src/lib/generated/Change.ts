// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { EntityKind } from "./EntityKind";
import type { FieldValue } from "./FieldValue";

/**
 * The current state of one record, as the server holds it: every field with its version,
 * except fields whose current value the asking device wrote itself (it has them already).
 */
export type Change = { server_seq: number, entity: EntityKind, id: string, review_id: string, fields: { [key in string]: FieldValue }, };
