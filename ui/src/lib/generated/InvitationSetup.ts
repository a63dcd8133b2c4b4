// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A redeemed invitation: what the person adds to their authenticator app before confirming.
 */
export type InvitationSetup = { email: string, 
/**
 * Base32, for typing into an authenticator by hand.
 */
totpSecret: string, 
/**
 * `otpauth://totp/…`: what the QR code holds.
 */
otpauthUri: string, };
