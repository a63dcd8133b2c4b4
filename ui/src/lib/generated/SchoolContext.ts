// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * The school's facts from the register, written on the review when it is scheduled (field
 * `school_context`) so the team has them offline while preparing. Every field but the URN and
 * name may be missing: registers differ and older reviews were written with fewer.
 */
export type SchoolContext = { urn: string, name: string, type: string, phase: string, status: string, la_name: string, trust_name: string, town: string, postcode: string, region: string, number_of_pupils: number | null, 
/**
 * Pupils eligible for free school meals, per cent.
 */
percentage_fsm: number | null, head_name: string, 
/**
 * As the register gives it (`YYYY-MM-DD` in the national data).
 */
ofsted_last_inspection: string | null, };
