// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { Citation } from "./Citation";
import type { ReportPhoto } from "./ReportPhoto";

export type ReportSection = { code: string, body: string, 
/**
 * Words as the school will read them: citations of notes are not counted.
 */
wordCount: number, updatedAt: string | null, 
/**
 * The notes this section cites, in order of their tokens in `body`.
 */
citations: Array<Citation>, 
/**
 * Photos from the team's notes chosen to print under this section (issue 19).
 */
photos: Array<ReportPhoto>, };
