// Generated from Rust by crates/client/tests/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test ts_types
import type { UserInfo } from "./UserInfo";

/**
 * An invitation just made. `code` is shown here once; the server keeps only its hash.
 */
export type InvitationIssued = { invitation_id: string, user: UserInfo, code: string, expires_ms: number, };
