//! Schema 2 → 3: evidence subjects are written one way (`subject::normalise_subject`).
//! Version 2 apps wrote the subject as typed; a version 2 op that sets it has its value
//! normalised, everything else passes unchanged. Text that is not a recognised subject is kept
//! as typed, so no version 2 op fails this step. (The visit plan, a new kind of record, came
//! with schema 3 too: no version 2 op holds one, see `readers`.)

use crate::subject::normalise_subject;
use serde_json::Value;

pub fn up(op: Value) -> Result<Value, String> {
    Ok(super::rewrite_evidence_text(op, "subject", normalise_subject))
}
