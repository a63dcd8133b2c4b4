//! Scheduling and the hub overview on the wire (issue 9): a coordinator schedules a review with
//! its team, moves its visit days, and reads the hub's overview.

use super::admin::HubInfo;
use super::Change;
use crate::entities::TeamRole;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Who works on the review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamChoice {
    pub lead_reviewer_id: String,
    #[serde(default)]
    pub reviewers: Vec<String>,
    #[serde(default)]
    pub shadows: Vec<String>,
}

/// The school's facts from the register, written on the review when it is scheduled (field
/// `school_context`) so the team has them offline while preparing. Every field but the URN and
/// name may be missing: registers differ and older reviews were written with fewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchoolContext {
    pub urn: String,
    pub name: String,
    #[serde(default, rename = "type")]
    pub establishment_type: String,
    #[serde(default)]
    pub phase: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub la_name: String,
    #[serde(default)]
    pub trust_name: String,
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub number_of_pupils: Option<i64>,
    /// Pupils eligible for free school meals, per cent.
    #[serde(default)]
    pub percentage_fsm: Option<f64>,
    #[serde(default)]
    pub head_name: String,
    /// As the register gives it (`YYYY-MM-DD` in the national data).
    #[serde(default)]
    pub ofsted_last_inspection: Option<String>,
}

/// `POST /v1/hubs/{hub_id}/reviews`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScheduleRequest {
    /// Made by the caller so a retried request schedules nothing twice; new when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub review_id: Option<Uuid>,
    pub school_urn: String,
    /// The three visit days, `YYYY-MM-DD`, in order.
    pub visit_dates: Vec<String>,
    #[serde(default = "default_framework")]
    pub framework_version: String,
    #[serde(flatten)]
    pub team: TeamChoice,
}

fn default_framework() -> String {
    crate::CURRENT_FRAMEWORK.to_owned()
}

/// Something the scheduler should know but that does not stop scheduling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScheduleWarning {
    /// `conflict_of_interest`.
    pub code: String,
    pub message: String,
    pub user_id: String,
}

/// The review record as it now is, and warnings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Scheduled {
    pub review: Change,
    pub warnings: Vec<ScheduleWarning>,
    /// People taken off the team by this change (their laptops drop the review).
    #[serde(default)]
    pub removed: Vec<String>,
}

/// `PUT /v1/reviews/{review_id}/visit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitChange {
    /// The three visit days, `YYYY-MM-DD`, in order, school days (Monday to Friday), none past.
    pub visit_dates: Vec<String>,
    /// Only while the review is `scheduled`; absent keeps the current one.
    #[serde(default)]
    pub framework_version: Option<String>,
}

/// The review record as it now is, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitChanged {
    pub review: Change,
    pub previous_dates: Vec<String>,
    /// False when the request repeated what the review already had (nothing written).
    pub changed: bool,
}

/// One member of a review's team as the overview lists them (the review record's `team` field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OverviewTeamMember {
    pub user_id: String,
    pub name: String,
    pub role: TeamRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OverviewReview {
    pub review_id: String,
    pub school_urn: String,
    pub school_name: String,
    pub state: String,
    pub start_date: String,
    /// The three visit days (from the start date when the review was set up without them).
    pub visit_dates: Vec<String>,
    /// The visit's last day.
    pub last_day: String,
    /// Report due: the last day plus the hub's deadline; `None` without dates.
    pub report_due: Option<String>,
    /// Due date passed and the report not yet submitted.
    pub overdue: bool,
    pub lead_reviewer: String,
    /// Lead first: for the coordinator's team editor.
    pub team: Vec<OverviewTeamMember>,
}

/// A laptop of someone on this hub's teams with unsent work older than a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaleDevice {
    pub device_id: String,
    pub device_name: String,
    pub user_id: String,
    pub user_name: String,
    pub pending_ops: u64,
    pub oldest_unsent_ms: u64,
    pub reported_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubOverview {
    pub hub: HubInfo,
    /// By visit start date, then school.
    pub reviews: Vec<OverviewReview>,
    /// Number of reviews per state code.
    pub by_state: BTreeMap<String, u32>,
    pub stale_devices: Vec<StaleDevice>,
    pub today: String,
    /// Reviews set up on a laptop for a school of this hub, in no hub yet: the coordinator
    /// adopts them (`POST /v1/reviews/{id}/adopt`) into the hub's queue.
    #[serde(default)]
    pub proposals: Vec<OverviewReview>,
}

/// An issued review of the school that a later review may build on (issue 23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviousReviewChoice {
    pub review_id: Uuid,
    /// First day of that visit, `YYYY-MM-DD`.
    pub start_date: String,
    /// When its latest issued version was issued (ms since the Unix epoch).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub issued_ms: u64,
    /// Its latest issued version.
    pub version: u32,
}

/// `GET`/`PUT /v1/reviews/{review_id}/previous-review`: the review this one builds on (none
/// for a first review of the school) and the school's other issued reviews it could be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PreviousReviewLink {
    pub review_id: Uuid,
    pub school_urn: String,
    pub linked: Option<PreviousReviewChoice>,
    /// The school's issued reviews that started before this one, newest first.
    pub candidates: Vec<PreviousReviewChoice>,
}

/// `PUT /v1/reviews/{review_id}/previous-review`: link another issued review of the school, or
/// none (`null`: the team then sees no previous review and the report has no progress section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetPreviousReview {
    pub previous_review_id: Option<Uuid>,
}
