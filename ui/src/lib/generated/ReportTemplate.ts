// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { SectionSpec } from "./SectionSpec";

export type ReportTemplate = { version: string, framework_version: string, title: string, sections: Array<SectionSpec>, };
