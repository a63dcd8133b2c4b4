// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * Where the store's key stands, as the unlock screen needs it.
 */
export type LockState = "unlocked" | "needs_passphrase" | "needs_new_passphrase" | "keychain_error" | "wiped" | "needs_newer_app";
