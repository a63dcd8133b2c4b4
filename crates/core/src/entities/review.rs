//! A review and its team.

use super::check_date;
use crate::framework::framework;
use crate::{ReviewState, Urn, ValidationError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A QAR visit lasts three days (domain.md §1).
pub const DEFAULT_VISIT_DAYS: u8 = 3;
/// Longest visit we accept: a working week, for special arrangements.
const MAX_VISIT_DAYS: u8 = 5;

fn default_days() -> u8 {
    DEFAULT_VISIT_DAYS
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: Uuid,
    pub school_urn: Urn,
    pub hub_id: Uuid,
    /// The framework this review is judged against; fixed for its life (see `framework.rs`).
    pub framework_version: String,
    /// First day of the visit, `YYYY-MM-DD`.
    pub start_date: String,
    #[serde(default = "default_days")]
    pub days: u8,
    pub lead_reviewer_id: Uuid,
    pub state: ReviewState,
    /// Report deadline, `YYYY-MM-DD`; unknown policy (domain.md §9), so optional and set per review.
    pub deadline: Option<String>,
    /// This school's review before this one, for comparison.
    pub previous_review_id: Option<Uuid>,
}

impl Review {
    pub fn validate(&self) -> Result<(), ValidationError> {
        framework(&self.framework_version)?;
        check_date("Visit start date", &self.start_date)?;
        if !(1..=MAX_VISIT_DAYS).contains(&self.days) {
            return Err(ValidationError::OutOfRange {
                field: "Visit length in days",
                value: self.days.into(),
                min: 1,
                max: MAX_VISIT_DAYS.into(),
            });
        }
        if let Some(deadline) = &self.deadline {
            check_date("Report deadline", deadline)?;
            // Both are checked YYYY-MM-DD, so text order is date order.
            if deadline.as_str() < self.start_date.as_str() {
                return Err(ValidationError::DateOrder { later: "Report deadline", earlier: "Visit start date" });
            }
        }
        Ok(())
    }
}

/// A person's role on one review's team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    LeadReviewer,
    Reviewer,
    /// Learning the role: reads the team's work, records nothing.
    Shadow,
}

impl TeamRole {
    pub const ALL: [TeamRole; 3] = [TeamRole::LeadReviewer, TeamRole::Reviewer, TeamRole::Shadow];

    pub fn code(self) -> &'static str {
        match self {
            TeamRole::LeadReviewer => "lead_reviewer",
            TeamRole::Reviewer => "reviewer",
            TeamRole::Shadow => "shadow",
        }
    }

    pub fn parse(code: &str) -> Option<TeamRole> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            TeamRole::LeadReviewer => "Lead Reviewer",
            TeamRole::Reviewer => "Reviewer",
            TeamRole::Shadow => "Shadow reviewer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub review_id: Uuid,
    pub user_id: Uuid,
    pub role: TeamRole,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn review() -> Review {
        Review {
            id: Uuid::from_u128(1),
            school_urn: Urn::parse("100001").unwrap(),
            hub_id: Uuid::from_u128(2),
            framework_version: "2019".into(),
            start_date: "2026-11-23".into(),
            days: DEFAULT_VISIT_DAYS,
            lead_reviewer_id: Uuid::from_u128(3),
            state: ReviewState::Scheduled,
            deadline: Some("2026-12-11".into()),
            previous_review_id: None,
        }
    }

    #[test]
    fn a_good_review_passes_and_days_default_to_three() {
        review().validate().unwrap();
        let mut v = serde_json::to_value(review()).unwrap();
        v.as_object_mut().unwrap().remove("days");
        assert_eq!(serde_json::from_value::<Review>(v).unwrap().days, 3);
    }

    #[test]
    fn bad_reviews_are_refused_readably() {
        type Spoil = fn(&mut Review);
        let cases: [(Spoil, &str); 4] = [
            (|r| r.framework_version = "2015".into(), "Framework version '2015' is not known"),
            (|r| r.days = 0, "Visit length in days must be between 1 and 5, got 0"),
            (|r| r.deadline = Some("2026-11-01".into()), "Report deadline must not be before Visit start date"),
            (|r| r.start_date = "23/11/2026".into(), "Visit start date must be a date written as YYYY-MM-DD"),
        ];
        for (spoil, want) in cases {
            let mut r = review();
            spoil(&mut r);
            let e = r.validate().unwrap_err().to_string();
            assert!(e.contains(want), "got '{e}', want '{want}'");
        }
    }

    #[test]
    fn team_roles_serialise_as_codes() {
        for r in TeamRole::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), json!(r.code()));
        }
    }
}
