// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { InviteRole } from "./InviteRole";

/**
 * `POST /v1/invitations`.
 */
export type NewInvitation = { email: string, name: string, role: InviteRole, 
/**
 * The school the person works at (URN), for conflict-of-interest warnings. May be left out.
 */
home_school_urn?: string | null, };
