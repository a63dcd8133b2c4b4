//! Schema 2 → 3: evidence subjects are written one way (`subject::normalise_subject`).
//! Version 2 apps wrote the subject as typed; a version 2 op that sets it has its value
//! normalised, everything else passes unchanged. Text that is not a recognised subject is kept
//! as typed, so no version 2 op fails this step.

use crate::subject::normalise_subject;
use serde_json::Value;

pub fn up(mut op: Value) -> Result<Value, String> {
    if op.get("entity").and_then(Value::as_str) != Some("evidence") {
        return Ok(op);
    }
    if let Some(value) = op.pointer_mut("/fields/subject/value") {
        if let Some(typed) = value.as_str() {
            *value = Value::String(normalise_subject(typed));
        }
    }
    Ok(op)
}
