// Generated from Rust by crates/client/tests/it/ts_types.rs: do not edit; run QAR_UPDATE_GENERATED=1 cargo test -p qar-client --test it ts_types
import type { Chart } from "./Chart";

/**
 * `GET /v1/insights`: the charts for one hub, or for every hub (administrators only).
 */
export type HubInsights = { 
/**
 * The hub the numbers cover; `None`: every hub.
 */
hub_id: string | null, 
/**
 * "North Hub", or "Every hub".
 */
scope_label: string, 
/**
 * The academic year of the by-state and overdue charts, `2024/25`.
 */
academic_year: string, 
/**
 * The academic years with issued reports in scope, oldest first.
 */
academic_years: Array<string>, 
/**
 * The fewest schools a shown count rests on.
 */
min_schools: number, 
/**
 * Server time the numbers were computed at (ms since 1970).
 */
computed_ms: number, charts: Array<Chart>, };
