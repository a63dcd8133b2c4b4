//! Schema 1 → 2: evidence year groups are written one way (`year_group::normalise_year_group`).
//! Version 1 apps wrote the year group as typed; a version 1 op that sets it has its value
//! normalised, everything else passes unchanged. Text that is not a year group is kept as
//! typed, so no version 1 op fails this step.

use crate::year_group::normalise_year_group;
use serde_json::Value;

pub fn up(mut op: Value) -> Result<Value, String> {
    if op.get("entity").and_then(Value::as_str) != Some("evidence") {
        return Ok(op);
    }
    if let Some(value) = op.pointer_mut("/fields/year_group/value") {
        if let Some(typed) = value.as_str() {
            *value = Value::String(normalise_year_group(typed));
        }
    }
    Ok(op)
}
