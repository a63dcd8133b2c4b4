// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A search of this laptop's copy of the register: every filter optional, all together.
 */
export type RegisterFilter = { 
/**
 * Words, each matched as a word prefix in title, summary, school and local authority.
 */
text: string, phase: string | null, region: string | null, theme: string | null, disadvantagedFocus: boolean | null, academicYear: number | null, 
/**
 * At most this many results (default 50, at most 500).
 */
limit: number | null, };
