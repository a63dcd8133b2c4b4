//! Photos in the report (issue 19, point 6): the Lead Reviewer chooses photos attached to the
//! team's notes to appear under a report section, each with the caption the report prints. The
//! choice is a field of the section's record (`photos`, schema 3), so it syncs, counts in the
//! report's content hash (an approval covers the photos too) and is frozen into an issued
//! version's snapshot with the photo's SHA-256, from which laptop and server read the same bytes.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most photos one section shows: a report is read as text, a photo or two illustrates it.
pub const MAX_PER_SECTION: usize = 4;

/// Only pictures go into a report; a PDF stays evidence.
pub const IMAGE_TYPES: [&str; 2] = ["image/jpeg", "image/png"];

/// One chosen photo: which attachment, and the caption the report prints under it (it starts as
/// the attachment's own caption; the Lead Reviewer may reword it for the school).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportPhoto {
    pub attachment_id: String,
    pub caption: String,
}

/// The photos of a section's `photos` value, checked: a list of at most [`MAX_PER_SECTION`]
/// `{attachment_id, caption}`, each attachment once, ids no longer than a UUID's text, captions
/// within `attachment::MAX_CAPTION` characters.
pub fn parse(label: &str, value: &Value) -> Result<Vec<ReportPhoto>, ValidationError> {
    let wrong = || ValidationError::WrongType {
        field: label.to_owned(),
        expected: "a list of at most 4 photos, each {attachment_id, caption} and each once",
    };
    let items = value.as_array().filter(|items| items.len() <= MAX_PER_SECTION).ok_or_else(wrong)?;
    let mut out: Vec<ReportPhoto> = Vec::with_capacity(items.len());
    for item in items {
        let obj = item.as_object().filter(|o| o.len() == 2).ok_or_else(wrong)?;
        let part = |k: &str| obj.get(k).and_then(Value::as_str).ok_or_else(wrong);
        let (id, caption) = (part("attachment_id")?, part("caption")?);
        if id.is_empty() || id.len() > 40 || out.iter().any(|p| p.attachment_id == id) {
            return Err(wrong());
        }
        let len = caption.chars().count();
        if len > crate::attachment::MAX_CAPTION {
            return Err(ValidationError::TooLong { field: "Photo caption", len, max: crate::attachment::MAX_CAPTION });
        }
        out.push(ReportPhoto { attachment_id: id.to_owned(), caption: caption.to_owned() });
    }
    Ok(out)
}

/// The photos of a stored `photos` value, or none when it is absent or not a valid list (a
/// record written before schema 3 has no such field).
pub fn read(value: Option<&Value>) -> Vec<ReportPhoto> {
    value.and_then(|v| parse("Report photos", v).ok()).unwrap_or_default()
}

/// The value a section's `photos` field holds for `photos`.
pub fn to_value(photos: &[ReportPhoto]) -> Value {
    serde_json::to_value(photos).unwrap_or(Value::Array(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn photos_are_read_strictly() {
        let ok = json!([{ "attachment_id": "a", "caption": "The Year 4 display" }, { "attachment_id": "b", "caption": "" }]);
        assert_eq!(parse("Photos", &ok).unwrap().len(), 2);
        assert_eq!(to_value(&parse("Photos", &ok).unwrap()), ok, "round trip");
        assert!(parse("Photos", &json!([{ "attachment_id": "a", "caption": "" }, { "attachment_id": "a", "caption": "x" }])).is_err());
        assert!(parse("Photos", &json!([{ "attachment_id": "", "caption": "" }])).is_err());
        assert!(parse("Photos", &json!([{ "attachment_id": "a" }])).is_err());
        assert!(parse("Photos", &json!([{ "attachment_id": "a", "caption": "", "sha256": "x" }])).is_err());
        assert!(parse("Photos", &json!(["a"])).is_err());
        let five: Vec<Value> = (0..5).map(|i| json!({ "attachment_id": i.to_string(), "caption": "" })).collect();
        assert!(parse("Photos", &Value::Array(five)).is_err());
        let long = "x".repeat(crate::attachment::MAX_CAPTION + 1);
        assert!(matches!(parse("Photos", &json!([{ "attachment_id": "a", "caption": long }])), Err(ValidationError::TooLong { .. })));
        assert!(read(None).is_empty());
        assert!(read(Some(&json!("nonsense"))).is_empty());
    }
}
