use crate::ValidationError;
use serde::{Deserialize, Serialize};

/// What kind of activity a piece of evidence came from (domain.md §5). Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityType {
    JointLessonObservation,
    LearningWalk,
    WorkScrutiny,
    PupilVoice,
    StaffMeeting,
    LeadershipMeeting,
    DataDocumentReview,
    Other,
}

impl ActivityType {
    pub const ALL: [ActivityType; 8] = [
        ActivityType::JointLessonObservation,
        ActivityType::LearningWalk,
        ActivityType::WorkScrutiny,
        ActivityType::PupilVoice,
        ActivityType::StaffMeeting,
        ActivityType::LeadershipMeeting,
        ActivityType::DataDocumentReview,
        ActivityType::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActivityType::JointLessonObservation => "joint_lesson_observation",
            ActivityType::LearningWalk => "learning_walk",
            ActivityType::WorkScrutiny => "work_scrutiny",
            ActivityType::PupilVoice => "pupil_voice",
            ActivityType::StaffMeeting => "staff_meeting",
            ActivityType::LeadershipMeeting => "leadership_meeting",
            ActivityType::DataDocumentReview => "data_document_review",
            ActivityType::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityType::JointLessonObservation => "Joint lesson observation",
            ActivityType::LearningWalk => "Learning walk",
            ActivityType::WorkScrutiny => "Work scrutiny",
            ActivityType::PupilVoice => "Pupil voice",
            ActivityType::StaffMeeting => "Meeting with staff",
            ActivityType::LeadershipMeeting => "Meeting with leaders",
            ActivityType::DataDocumentReview => "Data or document review",
            ActivityType::Other => "Other",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|a| a.code() == code).ok_or_else(|| ValidationError::UnknownActivityType(code.to_owned()))
    }

    pub fn codes() -> Vec<&'static str> {
        Self::ALL.iter().map(|a| a.code()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for a in ActivityType::ALL {
            assert_eq!(ActivityType::parse(a.code()), Ok(a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::json!(a.code()));
        }
    }

    #[test]
    fn unknown_code_is_a_readable_error() {
        let e = ActivityType::parse("deep_dive").unwrap_err();
        assert!(e.to_string().contains("'deep_dive' is not one we record"), "{e}");
        assert!(e.to_string().contains("learning_walk"));
    }
}
