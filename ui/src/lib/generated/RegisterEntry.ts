// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One published entry, as every signed-in member reads it.
 */
export type RegisterEntry = { 
/**
 * The issued review the Area of Excellence comes from: one entry per review.
 */
review_id: string, urn: string, school_name: string, 
/**
 * From the school register (GIAS): phase, region and local authority.
 */
phase: string, region: string, la_name: string, title: string, summary: string, 
/**
 * Framework area codes the practice relates to.
 */
areas: Array<string>, 
/**
 * Theme codes of `qar_core::register::themes`.
 */
themes: Array<string>, 
/**
 * It concerns disadvantaged pupils or pupils with additional needs (SEND).
 */
disadvantaged_focus: boolean, 
/**
 * The academic year of the visit, by the year it starts in (2024 is 2024/25).
 */
academic_year: number, issued_ms: number, };
