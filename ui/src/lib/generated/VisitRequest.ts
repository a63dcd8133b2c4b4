// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * A request to visit a school about one of its entries, as listed for the school.
 */
export type VisitRequest = { id: string, review_id: string, urn: string, entry_title: string, requester_name: string, message: string, created_ms: number, };
