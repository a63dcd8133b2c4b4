// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { LockState } from "./LockState";
import type { Protection } from "./Protection";

/**
 * What `vault_status` answers: the store key's state and the idle lock's settings.
 */
export type VaultStatus = { state: LockState, protection: Protection | null, 
/**
 * Which protection is in use, in words for the person.
 */
description: string | null, 
/**
 * Why the last unlock failed (a keychain that did not answer), else null.
 */
message: string | null, 
/**
 * Seconds without input before review content is hidden; 0 turns the idle lock off.
 */
idleLockSecs: number, minPassphraseChars: number, 
/**
 * A suggested place for a handover file.
 */
defaultHandoverPath: string, };
