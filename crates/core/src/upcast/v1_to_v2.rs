//! Schema 1 → 2: evidence year groups are written one way (`year_group::normalise_year_group`).
//! Version 1 apps wrote the year group as typed; a version 1 op that sets it has its value
//! normalised, everything else passes unchanged. Text that is not a year group is kept as
//! typed, so no version 1 op fails this step.

use crate::year_group::normalise_year_group;
use serde_json::Value;

pub fn up(op: Value) -> Result<Value, String> {
    Ok(super::rewrite_evidence_text(op, "year_group", normalise_year_group))
}
