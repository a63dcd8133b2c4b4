// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { UnsentWork } from "./UnsentWork";

/**
 * Whether the server holds every change made on this laptop.
 */
export type WipeCheck = { safe: boolean, 
/**
 * What is still only on this laptop, per review.
 */
unsent: Array<UnsentWork>, };
