// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { SectionKind } from "./SectionKind";

export type SectionSpec = { code: string, title: string, kind: SectionKind, 
/**
 * The framework area a WWW/EBI section belongs to.
 */
area_code?: string | null, guidance: string, 
/**
 * Guidance, not a hard limit: the editor counts words and warns past it.
 */
word_limit: number, 
/**
 * Submitting needs text in every required section.
 */
required: boolean, };
