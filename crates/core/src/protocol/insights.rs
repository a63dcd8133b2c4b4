//! Hub insights on the wire (issue 23, point 2): `GET /v1/insights`. Every chart is a table of
//! counts, rows by columns, each count shown or hidden by the small-group rule
//! (`crate::insights::suppression`), with the same table as CSV for download.

use serde::{Deserialize, Serialize};

/// One count as shown: `None` when fewer than five schools stand behind it (or it had to be
/// hidden so a hidden neighbour cannot be worked out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChartRow {
    /// A stable code (`2024/25:leadership`, `fsm_10_20`, `drafting`, `2025-01`).
    pub code: String,
    /// What the row is, in words.
    pub label: String,
    /// Where a chart groups its rows (the academic year of the estimates chart); else empty.
    pub group: String,
    /// One per column, in the chart's column order.
    pub values: Vec<Option<u32>>,
}

/// A column: its code and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChartColumn {
    pub code: String,
    pub label: String,
}

/// One chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Chart {
    /// `estimates`, `disadvantaged_by_fsm`, `reviews_by_state`, `overdue_by_month`, `aoe_by_theme`.
    pub code: String,
    pub title: String,
    /// What is counted, e.g. "issued reviews" (the unit of every number in the chart).
    pub unit: String,
    /// How the numbers were made: the source and the period.
    pub note: String,
    pub columns: Vec<ChartColumn>,
    pub rows: Vec<ChartRow>,
    /// How many counts are hidden by the small-group rule.
    pub suppressed: u32,
    /// The table as CSV (header row, RFC 4180 quoting, UTF-8), hidden counts left empty.
    pub csv: String,
}

/// `GET /v1/insights`: the charts for one hub, or for every hub (administrators only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubInsights {
    /// The hub the numbers cover; `None`: every hub.
    pub hub_id: Option<String>,
    /// "North Hub", or "Every hub".
    pub scope_label: String,
    /// The academic year of the by-state and overdue charts, `2024/25`.
    pub academic_year: String,
    /// The academic years with issued reports in scope, oldest first.
    pub academic_years: Vec<String>,
    /// The fewest schools a shown count rests on.
    pub min_schools: u32,
    /// Server time the numbers were computed at (ms since 1970).
    pub computed_ms: u64,
    pub charts: Vec<Chart>,
}
