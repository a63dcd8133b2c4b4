// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

export type EntityKind = "review" | "evidence" | "estimate" | "report_section" | "comment" | "conflict" | "plan_activity" | "attachment" | "previous_review" | "school_statement";
