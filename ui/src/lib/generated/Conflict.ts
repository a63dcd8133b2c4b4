// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { JsonValue } from "./serde_json/JsonValue";

/**
 * Two values of one field, both kept until a person chooses.
 */
export type Conflict = { id: string, reviewId: string, entity: string, recordId: string, field: string, fieldLabel: string, recordLabel: string, currentValue: JsonValue, otherValue: JsonValue, currentIsMine: boolean, kind: string, recordedAt: string, };
