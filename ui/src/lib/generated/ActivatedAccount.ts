// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * The account an invitation switched on; the person signs in with it next.
 */
export type ActivatedAccount = { userId: string, name: string, email: string, };
