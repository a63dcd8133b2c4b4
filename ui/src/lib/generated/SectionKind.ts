// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

export type SectionKind = "context" | "www" | "ebi" | "aoe" | "next_steps" | "progress";
