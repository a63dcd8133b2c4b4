// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { SessionRole } from "./SessionRole";

/**
 * Who is signed in on this laptop.
 */
export type Session = { userId: string, name: string, email: string, serverUrl: string, roles: Array<SessionRole>, deviceName: string, signedInAt: string, };
