// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { ChartColumn } from "./ChartColumn";
import type { ChartRow } from "./ChartRow";

/**
 * One chart.
 */
export type Chart = { 
/**
 * `estimates`, `disadvantaged_by_fsm`, `reviews_by_state`, `overdue_by_month`, `aoe_by_theme`.
 */
code: string, title: string, 
/**
 * What is counted, e.g. "issued reviews" (the unit of every number in the chart).
 */
unit: string, 
/**
 * How the numbers were made: the source and the period.
 */
note: string, columns: Array<ChartColumn>, rows: Array<ChartRow>, 
/**
 * How many counts are hidden by the small-group rule.
 */
suppressed: number, 
/**
 * The table as CSV (header row, RFC 4180 quoting, UTF-8), hidden counts left empty.
 */
csv: string, };
