//! Hub administration on the wire (issue 9): hubs, schools of the register, people and their
//! global roles, home schools, the GIAS import's reply. The server answers these, the laptop
//! forwards them to the UI unchanged (snake_case, as `/v1/openapi.json` documents them).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A global role (architecture.md §6). Same JSON as `crate::entities::GlobalRole`
/// (`{"role": "admin"}`, `{"role": "hub_coordinator", "hub_id": …}`), but the hub id is the
/// server's text id: the directory's hubs are not all UUIDs (the demo hub is `hub-riverside-fells`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    Admin,
    HubCoordinator { hub_id: String },
}

/// The UUID that stands for a server hub id in permission decisions: the id itself when it is a
/// UUID, otherwise a fixed v5 UUID of the text. Use the same function for `ReviewFacts.hub_id`.
pub fn hub_uuid(hub_id: &str) -> Uuid {
    const HUB_NAMESPACE: Uuid = Uuid::from_u128(0x5a1d_9c2e_7b3f_4e61_9d0a_8c4b_2e6f_1a73);
    Uuid::parse_str(hub_id).unwrap_or_else(|_| Uuid::new_v5(&HUB_NAMESPACE, hub_id.as_bytes()))
}

impl Role {
    pub fn to_global(&self) -> crate::entities::GlobalRole {
        use crate::entities::GlobalRole;
        match self {
            Role::Admin => GlobalRole::Admin,
            Role::HubCoordinator { hub_id } => GlobalRole::HubCoordinator { hub_id: hub_uuid(hub_id) },
        }
    }
}

/// A person as sign-in and invitation confirmation return them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountSummary {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
}

/// A hub as the admin screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubInfo {
    pub id: String,
    pub name: String,
    pub region: String,
    /// Days after the visit's last day by which the report is due.
    pub report_deadline_days: u32,
    pub schools: u32,
    /// Days the hub's schools have to check an approved report for factual accuracy (issue 22;
    /// 0: no check). Absent from older servers' answers, read as 0.
    #[serde(default)]
    pub accuracy_window_days: u32,
}

/// `PUT /v1/hubs/{hub_id}/accuracy-window`: how many days a school has to check an approved
/// report for factual accuracy (0 turns the check off; at most
/// `qar_core::accuracy_check::MAX_WINDOW_DAYS`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccuracyWindowSetting {
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub days: u32,
}

/// A school of the register, as searches return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchoolInfo {
    pub urn: String,
    pub name: String,
    pub phase: String,
    pub la_name: String,
    pub town: String,
    pub postcode: String,
    pub hub_id: Option<String>,
}

/// What assigning schools did: URNs now in the hub, and URNs the register does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssignOutcome {
    pub assigned: Vec<String>,
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Can sign in.
    Active,
    /// Invited; has not finished setting a password and authenticator yet.
    Invited,
    /// Switched off by an administrator.
    Deactivated,
    /// In the directory without a sign-in (e.g. named only).
    NoAccount,
}

/// A person, as the admin screens and the coordinator's team pickers show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserInfo {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<Role>,
    pub home_school_urn: Option<String>,
    /// The home school's name from the register (absent without a home school).
    #[serde(default)]
    pub home_school_name: Option<String>,
    pub status: AccountStatus,
}

/// `POST /v1/hubs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewHub {
    pub name: String,
    #[serde(default)]
    pub region: String,
    /// Days after the visit's last day by which the report is due (default 28).
    #[serde(default, deserialize_with = "crate::whole_number::option_u32")]
    pub report_deadline_days: Option<u32>,
}

/// `PUT /v1/hubs/{hub_id}/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubSettings {
    #[serde(deserialize_with = "crate::whole_number::u32")]
    pub report_deadline_days: u32,
}

/// `POST /v1/hubs/{hub_id}/schools`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssignSchools {
    pub urns: Vec<String>,
}

/// `PUT /v1/users/{user_id}/roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetRoles {
    pub roles: Vec<Role>,
}

/// `POST /v1/users/{user_id}/deactivate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Deactivate {
    /// Shown to the person's laptops when they next sync.
    #[serde(default)]
    pub reason: String,
}

/// `PUT /v1/users/{user_id}/home-school`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HomeSchool {
    /// The school's URN, or null (or blank) to clear it.
    pub urn: Option<String>,
}

/// An open review of the person's new home school that they are on the team of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HomeSchoolWarning {
    /// `conflict_of_interest`.
    pub code: String,
    pub message: String,
    pub review_id: String,
}

/// The person as they now are, and a warning per open review of their home school they are on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HomeSchoolSet {
    pub user: UserInfo,
    pub warnings: Vec<HomeSchoolWarning>,
}

/// One row of a GIAS file that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RejectedRow {
    pub line: u64,
    pub urn: String,
    pub reason: String,
}

/// `POST /v1/schools/import`'s reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReply {
    /// "50000 rows: 12 added, 3 updated, 49980 unchanged, 5 rejected".
    pub summary: String,
    /// `utf-8` or `windows-1252`.
    pub encoding: String,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// The first 500 rejected rows, in file order.
    pub rejections: Vec<RejectedRow>,
}
