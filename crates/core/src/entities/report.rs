//! The report, section by section, and the comments a coordinator attaches when returning it.

use super::{check_code, check_text, MAX_FINDING};
use crate::fields::MAX_NOTES;
use crate::framework::Framework;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One section of a review's report. Section codes come from the report template, which is
/// configuration (domain.md §6 is unconfirmed), so here they are only checked to be codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSection {
    pub review_id: Uuid,
    pub section_code: String,
    pub body: String,
}

impl ReportSection {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_code("Report section", &self.section_code)?;
        check_text("Report section text", &self.body, MAX_NOTES, false)
    }
}

/// What a comment is about (architecture.md §5: a section or an estimate).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CommentTarget {
    Section { code: String },
    Estimate { area_code: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewComment {
    pub id: Uuid,
    pub review_id: Uuid,
    pub target: CommentTarget,
    pub author_id: Uuid,
    pub text: String,
    pub resolved: bool,
}

impl ReviewComment {
    /// `framework` is the review's, to check an estimate comment names a real area.
    pub fn validate(&self, framework: &Framework) -> Result<(), ValidationError> {
        match &self.target {
            CommentTarget::Section { code } => check_code("Report section", code)?,
            CommentTarget::Estimate { area_code } => {
                framework.area(area_code)?;
            }
        }
        check_text("Comment", &self.text, MAX_FINDING, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::framework;
    use serde_json::json;

    #[test]
    fn comment_targets_serialise_tagged() {
        let t = CommentTarget::Estimate { area_code: "leadership".into() };
        assert_eq!(serde_json::to_value(&t).unwrap(), json!({"kind": "estimate", "area_code": "leadership"}));
        let t: CommentTarget = serde_json::from_value(json!({"kind": "section", "code": "context"})).unwrap();
        assert_eq!(t, CommentTarget::Section { code: "context".into() });
    }

    #[test]
    fn comments_are_checked() {
        let fw = framework("2019").unwrap();
        let mut c = ReviewComment {
            id: Uuid::nil(),
            review_id: Uuid::nil(),
            target: CommentTarget::Estimate { area_code: "leadership".into() },
            author_id: Uuid::nil(),
            text: "Please give evidence for Leading.".into(),
            resolved: false,
        };
        c.validate(fw).unwrap();
        c.target = CommentTarget::Estimate { area_code: "behaviour".into() };
        assert_eq!(c.validate(fw).unwrap_err().to_string(), "Area 'behaviour' is not part of framework 2019");
        c.target = CommentTarget::Section { code: "aoe".into() };
        c.text = "".into();
        assert_eq!(c.validate(fw).unwrap_err().to_string(), "Comment must not be empty");
    }

    #[test]
    fn sections_need_a_code() {
        let s = ReportSection { review_id: Uuid::nil(), section_code: "Context & character".into(), body: "".into() };
        assert!(s.validate().unwrap_err().to_string().starts_with("Report section 'Context & character' must be a short code"));
    }
}
