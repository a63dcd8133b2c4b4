// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { UserInfo } from "./UserInfo";

/**
 * An invitation just made. `code` is shown here once; the server keeps only its hash.
 */
export type InvitationIssued = { invitation_id: string, user: UserInfo, code: string, expires_ms: number, };
