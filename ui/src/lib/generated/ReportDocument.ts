// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { EstimateRow } from "./EstimateRow";
import type { ProgressEntry } from "./ProgressEntry";
import type { ReportFigure } from "./ReportFigure";
import type { ReportStatus } from "./ReportStatus";
import type { ReportTemplate } from "./ReportTemplate";
import type { SectionText } from "./SectionText";

export type ReportDocument = { school_name: string, 
/**
 * Six-digit GIAS URN, kept as text.
 */
school_urn: string, 
/**
 * The visit days, `YYYY-MM-DD`, in order. Shown as e.g. "Tuesday 4 March 2025".
 */
visit_days: Array<string>, lead_reviewer: string, 
/**
 * `(name, role label)` in the order the team is listed, e.g. `("Zoë O’Connor", "Reviewer")`.
 */
team: Array<[string, string]>, framework_version: string, 
/**
 * Section order, titles and kinds; which sections belong to which framework area.
 */
template: ReportTemplate, 
/**
 * Framework area code → label, for the area headings.
 */
area_labels: { [key in string]: string }, 
/**
 * The estimates table, in row order.
 */
estimates: Array<EstimateRow>, 
/**
 * Section texts by template code, any order; sections missing here count as unwritten.
 */
sections: Array<SectionText>, 
/**
 * "Progress since the last review", one entry per Even better if point of the school's
 * previous report, in point order; empty for a first review (no section is shown).
 */
progress: Array<ProgressEntry>, 
/**
 * Photos the Lead Reviewer chose from the team's notes, each printed under its section
 * after the text, in this order (issue 19).
 */
photos: Array<ReportFigure>, status: ReportStatus, };
