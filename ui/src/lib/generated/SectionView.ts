// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { SectionKind } from "./SectionKind";

export type SectionView = { code: string, title: string, kind: SectionKind, areaCode?: string | null, guidance: string, wordLimit: number, required: boolean, };
