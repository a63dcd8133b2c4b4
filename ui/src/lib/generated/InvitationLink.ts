// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * An invitation as read from a link or a pasted code.
 */
export type InvitationLink = { 
/**
 * `https://…` (or `http://…` for a server on this computer); `None` when only a code was given.
 */
serverUrl: string | null, code: string, };
