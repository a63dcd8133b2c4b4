// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One file on its way: the `index`-th of the `of` files this round sends.
 */
export type SendingFile = { index: number, of: number, sent: number, size: number, };
