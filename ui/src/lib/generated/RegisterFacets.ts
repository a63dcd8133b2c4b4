// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { AoeTheme } from "./AoeTheme";

/**
 * What the register's filters can offer, from this laptop's copy.
 */
export type RegisterFacets = { entries: number, phases: Array<string>, regions: Array<string>, years: Array<number>, themes: Array<AoeTheme>, };
