// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { HomeSchoolWarning } from "./HomeSchoolWarning";
import type { UserInfo } from "./UserInfo";

/**
 * The person as they now are, and a warning per open review of their home school they are on.
 */
export type HomeSchoolSet = { user: UserInfo, warnings: Array<HomeSchoolWarning>, };
