// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { JsonValue } from "./serde_json/JsonValue";

export type FieldValue = { value: JsonValue, 
/**
 * Serialised as its text form (`Hlc` is `try_from`/`into` String).
 */
version: string, };
