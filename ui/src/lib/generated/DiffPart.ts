// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { DiffKind } from "./DiffKind";

/**
 * A run of words of one kind.
 */
export type DiffPart = { kind: DiffKind, text: string, };
