// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { SectionView } from "./SectionView";

/**
 * The report template as the screens read it (camelCase; the template file is snake_case).
 */
export type ReportTemplateView = { version: string, frameworkVersion: string, title: string, sections: Array<SectionView>, };
