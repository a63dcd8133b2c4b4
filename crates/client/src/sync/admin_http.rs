//! Hub administration and scheduling calls (issue 9), online only. Requests and replies are
//! the wire types of `qar_core::protocol`, which the server answers with and the UI reads
//! (generated TypeScript), so a change of shape is a compile error at each end.

use super::SyncClient;
use crate::error::Result;
use qar_core::protocol::admin::{
    AccuracyWindowSetting, AssignOutcome, AssignSchools, Deactivate, HomeSchool, HomeSchoolSet, HubInfo, HubSettings, ImportReply, NewHub,
    Role, SchoolInfo, SetRoles, UserInfo,
};
use qar_core::protocol::insights::HubInsights;
use qar_core::protocol::invitations::{InvitationIssued, NewInvitation};
use qar_core::protocol::scheduling::{HubOverview, ScheduleRequest, Scheduled, TeamChoice, VisitChange, VisitChanged};
use qar_core::protocol::Change;

impl SyncClient {
    pub async fn list_hubs(&self) -> Result<Vec<HubInfo>> {
        self.send(self.http.get(self.url("/v1/hubs"))).await
    }

    pub async fn create_hub(&self, name: &str, region: &str, report_deadline_days: Option<u32>) -> Result<HubInfo> {
        let body = NewHub { name: name.to_owned(), region: region.to_owned(), report_deadline_days };
        self.send(self.http.post(self.url("/v1/hubs")).json(&body)).await
    }

    pub async fn set_report_deadline(&self, hub_id: &str, days: u32) -> Result<HubInfo> {
        let url = self.url(&format!("/v1/hubs/{}/settings", enc(hub_id)));
        self.send(self.http.put(url).json(&HubSettings { report_deadline_days: days })).await
    }

    /// How many days the hub's schools have to check an approved report (0: no check): the
    /// hub's coordinator or an administrator (issue 22).
    pub async fn set_accuracy_window(&self, hub_id: &str, days: u32) -> Result<HubInfo> {
        let url = self.url(&format!("/v1/hubs/{}/accuracy-window", enc(hub_id)));
        self.send(self.http.put(url).json(&AccuracyWindowSetting { days })).await
    }

    pub async fn assign_schools(&self, hub_id: &str, urns: &[String]) -> Result<AssignOutcome> {
        let url = self.url(&format!("/v1/hubs/{}/schools", enc(hub_id)));
        self.send(self.http.post(url).json(&AssignSchools { urns: urns.to_vec() })).await
    }

    /// Schools of a hub (`Some`) or of the whole register (`None`, administrators) matching `q`.
    pub async fn search_schools(&self, hub_id: Option<&str>, q: &str) -> Result<Vec<SchoolInfo>> {
        let url = match hub_id {
            Some(h) => self.url(&format!("/v1/hubs/{}/schools", enc(h))),
            None => self.url("/v1/schools"),
        };
        self.send(self.http.get(url).query(&[("q", q)])).await
    }

    /// The GIAS CSV as it is (administrators): the import's summary with rejected rows.
    pub async fn import_schools(&self, csv: Vec<u8>) -> Result<ImportReply> {
        let req = self.http.post(self.url("/v1/schools/import")).header(reqwest::header::CONTENT_TYPE, "text/csv").body(csv);
        self.send(req).await
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>> {
        self.send(self.http.get(self.url("/v1/users"))).await
    }

    pub async fn invite(&self, invitation: &NewInvitation) -> Result<InvitationIssued> {
        self.send(self.http.post(self.url("/v1/invitations")).json(invitation)).await
    }

    pub async fn set_roles(&self, user_id: &str, roles: &[Role]) -> Result<UserInfo> {
        let url = self.url(&format!("/v1/users/{}/roles", enc(user_id)));
        self.send(self.http.put(url).json(&SetRoles { roles: roles.to_vec() })).await
    }

    pub async fn deactivate_user(&self, user_id: &str, reason: &str) -> Result<UserInfo> {
        let url = self.url(&format!("/v1/users/{}/deactivate", enc(user_id)));
        self.send(self.http.post(url).json(&Deactivate { reason: reason.to_owned() })).await
    }

    pub async fn schedule_review(&self, hub_id: &str, request: &ScheduleRequest) -> Result<Scheduled> {
        let url = self.url(&format!("/v1/hubs/{}/reviews", enc(hub_id)));
        self.send(self.http.post(url).json(request)).await
    }

    pub async fn set_review_team(&self, review_id: &str, team: &TeamChoice) -> Result<Scheduled> {
        let url = self.url(&format!("/v1/reviews/{}/team", enc(review_id)));
        self.send(self.http.put(url).json(team)).await
    }

    /// Adopts a review a Lead Reviewer set up on their laptop into its school's hub (that hub's
    /// coordinator or an administrator); until then its report cannot be submitted.
    pub async fn adopt_review(&self, review_id: &str) -> Result<Change> {
        let url = self.url(&format!("/v1/reviews/{}/adopt", enc(review_id)));
        self.send(self.http.post(url)).await
    }

    /// Moves a scheduled review's visit days; `framework_version` only while it is scheduled.
    pub async fn change_visit(&self, review_id: &str, visit_dates: &[String], framework_version: Option<&str>) -> Result<VisitChanged> {
        let url = self.url(&format!("/v1/reviews/{}/visit", enc(review_id)));
        let body = VisitChange { visit_dates: visit_dates.to_vec(), framework_version: framework_version.map(str::to_owned) };
        self.send(self.http.put(url).json(&body)).await
    }

    /// Sets (`Some(urn)`) or clears (`None`) a person's home school (administrators).
    pub async fn set_home_school(&self, user_id: &str, urn: Option<&str>) -> Result<HomeSchoolSet> {
        let url = self.url(&format!("/v1/users/{}/home-school", enc(user_id)));
        self.send(self.http.put(url).json(&HomeSchool { urn: urn.map(str::to_owned) })).await
    }

    pub async fn hub_overview(&self, hub_id: &str) -> Result<HubOverview> {
        self.send(self.http.get(self.url(&format!("/v1/hubs/{}/overview", enc(hub_id))))).await
    }

    /// The insight charts of one hub (its coordinator or an administrator) or of every hub
    /// (`None`, administrators); `academic_year` like `2024/25`, the current one when `None`.
    pub async fn hub_insights(&self, hub_id: Option<&str>, academic_year: Option<&str>) -> Result<HubInsights> {
        let mut query: Vec<(&str, &str)> = Vec::new();
        if let Some(h) = hub_id {
            query.push(("hub_id", h));
        }
        if let Some(y) = academic_year {
            query.push(("academic_year", y));
        }
        self.send(self.http.get(self.url("/v1/insights")).query(&query)).await
    }
}

/// A path segment: ids are UUIDs or slugs, but never trust them to be.
fn enc(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
