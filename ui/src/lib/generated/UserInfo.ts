// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { AccountStatus } from "./AccountStatus";
import type { Role } from "./Role";

/**
 * A person, as the admin screens and the coordinator's team pickers show them.
 */
export type UserInfo = { id: string, name: string, email: string, roles: Array<Role>, home_school_urn: string | null, 
/**
 * The home school's name from the register (absent without a home school).
 */
home_school_name: string | null, status: AccountStatus, };
