//! What the team concludes: estimates per area, findings (WWW/EBI), an Area of Excellence.

use super::{check_opt_text, check_text, MAX_FINDING, MAX_NAME, MAX_SHORT};
use crate::fields::MAX_NOTES;
use crate::framework::Framework;
use crate::ValidationError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The peer judgement for one area (one per review and area). Set by the Lead Reviewer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    pub review_id: Uuid,
    pub area_code: String,
    pub value_code: String,
    pub rationale: String,
}

impl Estimate {
    pub fn validate(&self, framework: &Framework) -> Result<(), ValidationError> {
        framework.validate_estimate(&self.area_code, &self.value_code)?;
        check_text("Rationale", &self.rationale, MAX_FINDING, false)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Www,
    Ebi,
}

impl FindingKind {
    pub const ALL: [FindingKind; 2] = [FindingKind::Www, FindingKind::Ebi];

    pub fn code(self) -> &'static str {
        match self {
            FindingKind::Www => "www",
            FindingKind::Ebi => "ebi",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FindingKind::Www => "What went well",
            FindingKind::Ebi => "Even better if",
        }
    }
}

/// One point under an area's "What went well" or "Even better if"; `order` sorts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub review_id: Uuid,
    pub area_code: String,
    pub kind: FindingKind,
    pub text: String,
    pub order: u32,
}

impl Finding {
    pub fn validate(&self, framework: &Framework) -> Result<(), ValidationError> {
        framework.area(&self.area_code)?;
        let field = match self.kind {
            FindingKind::Www => "What went well",
            FindingKind::Ebi => "Even better if",
        };
        check_text(field, &self.text, MAX_FINDING, true)
    }
}

/// A practice the school puts forward for recognition. The outcome vocabulary is not public
/// ("Accredited / Not accredited" is an assumption), so it is free text until decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaOfExcellence {
    pub review_id: Uuid,
    pub title: String,
    pub outcome: Option<String>,
    pub write_up: String,
}

impl AreaOfExcellence {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("Area of Excellence title", &self.title, MAX_NAME, true)?;
        check_opt_text("Area of Excellence outcome", &self.outcome, MAX_SHORT)?;
        check_text("Area of Excellence write-up", &self.write_up, MAX_NOTES, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::framework;

    #[test]
    fn estimate_must_use_the_framework_scale() {
        let fw = framework("2019").unwrap();
        let mut e =
            Estimate { review_id: Uuid::nil(), area_code: "leadership".into(), value_code: "leading".into(), rationale: String::new() };
        e.validate(fw).unwrap();
        e.value_code = "outstanding".into();
        assert!(e.validate(fw).unwrap_err().to_string().starts_with("Estimate 'outstanding' is not in framework 2019"));
    }

    #[test]
    fn finding_text_is_required_and_limited() {
        let fw = framework("2019").unwrap();
        let mut f = Finding {
            review_id: Uuid::nil(),
            area_code: "leadership".into(),
            kind: FindingKind::Ebi,
            text: "x".repeat(MAX_FINDING),
            order: 0,
        };
        f.validate(fw).unwrap();
        f.text.push('x');
        assert_eq!(f.validate(fw), Err(ValidationError::TooLong { field: "Even better if", len: 2_001, max: 2_000 }));
        f.text = " \n".into();
        assert_eq!(f.validate(fw).unwrap_err().to_string(), "Even better if must not be empty");
        f.text = "ok".into();
        f.area_code = "governance".into();
        assert_eq!(f.validate(fw).unwrap_err().to_string(), "Area 'governance' is not part of framework 2019");
    }

    #[test]
    fn finding_kinds_have_codes_and_labels() {
        for k in FindingKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.code()));
        }
        assert_eq!(FindingKind::Www.label(), "What went well");
        assert_eq!(FindingKind::Ebi.label(), "Even better if");
    }

    #[test]
    fn aoe_needs_a_title() {
        let a = AreaOfExcellence { review_id: Uuid::nil(), title: "".into(), outcome: None, write_up: "".into() };
        assert_eq!(a.validate().unwrap_err().to_string(), "Area of Excellence title must not be empty");
    }
}
