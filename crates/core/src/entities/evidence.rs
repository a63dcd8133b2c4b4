//! One piece of evidence: what a reviewer saw in one activity, written on their own device.

use super::{check_opt_text, check_text, MAX_SHORT};
use crate::fields::{is_local_datetime, MAX_NOTES};
use crate::framework::Framework;
use crate::{ActivityType, Hlc, ValidationError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Made on the device (UUIDv7), so a retried create is never a duplicate.
    pub id: Uuid,
    pub review_id: Uuid,
    /// The reviewer who recorded it; only they may change it (domain.md §5: author-owned).
    pub author_id: Uuid,
    pub activity_type: ActivityType,
    /// When the activity began, `YYYY-MM-DDTHH:MM` local time; `None` until entered.
    pub started_at: Option<String>,
    /// E.g. "Y4": groups, never named pupils (domain.md §8.4).
    pub year_group: Option<String>,
    pub subject: Option<String>,
    /// The host colleague's role (e.g. "Deputy head"), not their name.
    pub host_colleague_role: String,
    /// Codes of the areas of the review's framework this evidence speaks to.
    pub area_tags: Vec<String>,
    pub notes: String,
    pub strengths: String,
    pub development_points: String,
    /// HLC of the last accepted change to any field of this record.
    pub version: Hlc,
    /// Unix ms UTC of that change, for display only.
    pub updated_at: i64,
    pub device_id: Uuid,
    /// Tombstone: deleted records are kept so the delete syncs.
    pub deleted: bool,
}

impl EvidenceRecord {
    /// `framework` is the one named by the review this evidence belongs to.
    pub fn validate(&self, framework: &Framework) -> Result<(), ValidationError> {
        if let Some(t) = &self.started_at {
            if !is_local_datetime(t) {
                return Err(ValidationError::BadDate { field: "Time of activity", value: t.chars().take(40).collect() });
            }
        }
        check_opt_text("Year group", &self.year_group, MAX_SHORT)?;
        check_opt_text("Subject", &self.subject, MAX_SHORT)?;
        check_text("Host colleague's role", &self.host_colleague_role, MAX_SHORT, false)?;
        for (i, tag) in self.area_tags.iter().enumerate() {
            framework.area(tag)?;
            // Same rule as the synced `area_tags` field (fields.rs): each area at most once.
            if self.area_tags[..i].contains(tag) {
                return Err(ValidationError::WrongType { field: "Areas".into(), expected: "each area at most once" });
            }
        }
        check_text("Notes", &self.notes, MAX_NOTES, false)?;
        check_text("Strengths", &self.strengths, MAX_NOTES, false)?;
        check_text("Development points", &self.development_points, MAX_NOTES, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::framework;

    fn record() -> EvidenceRecord {
        EvidenceRecord {
            id: Uuid::from_u128(1),
            review_id: Uuid::from_u128(2),
            author_id: Uuid::from_u128(3),
            activity_type: ActivityType::LearningWalk,
            started_at: Some("2026-11-23T09:05".into()),
            year_group: Some("Y4".into()),
            subject: Some("Maths".into()),
            host_colleague_role: "Deputy head".into(),
            area_tags: vec!["provision_outcomes".into(), "disadvantaged_additional_needs".into()],
            notes: "Pupils explained their reasoning.".into(),
            strengths: String::new(),
            development_points: String::new(),
            version: Hlc { wall_ms: 1, counter: 0, node: 9 },
            updated_at: 1_795_000_000_000,
            device_id: Uuid::from_u128(4),
            deleted: false,
        }
    }

    #[test]
    fn a_good_record_passes_and_round_trips() {
        let r = record();
        r.validate(framework("2019").unwrap()).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["activity_type"], "learning_walk");
        assert_eq!(serde_json::from_value::<EvidenceRecord>(json).unwrap(), r);
    }

    #[test]
    fn area_tags_must_belong_to_the_framework() {
        let mut r = record();
        r.area_tags.push("safeguarding".into());
        let e = r.validate(framework("2019").unwrap()).unwrap_err();
        assert_eq!(e.to_string(), "Area 'safeguarding' is not part of framework 2019");
        let mut r = record();
        r.area_tags.push("provision_outcomes".into());
        assert!(r.validate(framework("2019").unwrap()).unwrap_err().to_string().contains("each area at most once"));
    }

    #[test]
    fn text_and_time_limits_apply() {
        let fw = framework("2019").unwrap();
        let mut r = record();
        r.strengths = "a".repeat(MAX_NOTES + 1);
        assert_eq!(r.validate(fw), Err(ValidationError::TooLong { field: "Strengths", len: MAX_NOTES + 1, max: MAX_NOTES }));
        let mut r = record();
        r.started_at = Some("23/11/2026 09:05".into());
        assert!(r.validate(fw).unwrap_err().to_string().starts_with("Time of activity must be a date"));
        let mut r = record();
        r.started_at = None;
        r.year_group = None;
        r.validate(fw).unwrap();
    }
}
