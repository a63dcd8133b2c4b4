// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { FrameworkArea } from "./FrameworkArea";
import type { ScaleValue } from "./ScaleValue";

export type Framework = { version: string, areas: Array<FrameworkArea>, 
/**
 * Best first.
 */
scale: Array<ScaleValue>, };
