// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types

/**
 * One count as shown: `None` when fewer than five schools stand behind it (or it had to be
 * hidden so a hidden neighbour cannot be worked out).
 */
export type ChartRow = { 
/**
 * A stable code (`2024/25:leadership`, `fsm_10_20`, `drafting`, `2025-01`).
 */
code: string, 
/**
 * What the row is, in words.
 */
label: string, 
/**
 * Where a chart groups its rows (the academic year of the estimates chart); else empty.
 */
group: string, 
/**
 * One per column, in the chart's column order.
 */
values: Array<number | null>, };
