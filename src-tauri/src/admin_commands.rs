//! Hub administration and scheduling commands (issue 9): online only, each one server call.
//! Arguments and replies are the wire types of `qar_core::protocol` (TypeScript generated from
//! them for the UI); errors carry the server's code and message.

use crate::commands::AppState;
use crate::error::IpcError;
use qar_core::protocol::admin::{AssignOutcome, HomeSchoolSet, HubInfo, ImportReply, Role, SchoolInfo, UserInfo};
use qar_core::protocol::insights::HubInsights;
use qar_core::protocol::invitations::{InvitationIssued, NewInvitation};
use qar_core::protocol::scheduling::{HubOverview, ScheduleRequest, Scheduled, TeamChoice, VisitChanged};
use qar_core::protocol::Change;
use tauri::State;

type Reply<T> = Result<T, IpcError>;

#[tauri::command]
pub async fn admin_list_hubs(state: State<'_, AppState>) -> Reply<Vec<HubInfo>> {
    Ok(state.client.server_api().list_hubs().await?)
}

#[tauri::command]
pub async fn admin_create_hub(
    state: State<'_, AppState>,
    name: String,
    region: String,
    report_deadline_days: Option<u32>,
) -> Reply<HubInfo> {
    Ok(state.client.server_api().create_hub(&name, &region, report_deadline_days).await?)
}

#[tauri::command]
pub async fn admin_set_report_deadline(state: State<'_, AppState>, hub_id: String, days: u32) -> Reply<HubInfo> {
    Ok(state.client.server_api().set_report_deadline(&hub_id, days).await?)
}

/// The days a hub's schools have to check an approved report for factual accuracy (issue 22).
#[tauri::command]
pub async fn admin_set_accuracy_window(state: State<'_, AppState>, hub_id: String, days: u32) -> Reply<HubInfo> {
    Ok(state.client.server_api().set_accuracy_window(&hub_id, days).await?)
}

#[tauri::command]
pub async fn admin_assign_schools(state: State<'_, AppState>, hub_id: String, urns: Vec<String>) -> Reply<AssignOutcome> {
    Ok(state.client.server_api().assign_schools(&hub_id, &urns).await?)
}

#[tauri::command]
pub async fn admin_search_schools(state: State<'_, AppState>, hub_id: Option<String>, query: String) -> Reply<Vec<SchoolInfo>> {
    Ok(state.client.server_api().search_schools(hub_id.as_deref(), &query).await?)
}

#[tauri::command]
pub async fn admin_list_users(state: State<'_, AppState>) -> Reply<Vec<UserInfo>> {
    Ok(state.client.server_api().list_users().await?)
}

#[tauri::command]
pub async fn admin_invite(state: State<'_, AppState>, invitation: NewInvitation) -> Reply<InvitationIssued> {
    Ok(state.client.server_api().invite(&invitation).await?)
}

#[tauri::command]
pub async fn admin_set_roles(state: State<'_, AppState>, user_id: String, roles: Vec<Role>) -> Reply<UserInfo> {
    Ok(state.client.server_api().set_roles(&user_id, &roles).await?)
}

#[tauri::command]
pub async fn admin_deactivate_user(state: State<'_, AppState>, user_id: String, reason: String) -> Reply<UserInfo> {
    Ok(state.client.server_api().deactivate_user(&user_id, &reason).await?)
}

/// Schedules, then syncs so a coordinator who is also on the team sees it at once.
#[tauri::command]
pub async fn schedule_review(state: State<'_, AppState>, hub_id: String, request: ScheduleRequest) -> Reply<Scheduled> {
    let done = state.client.server_api().schedule_review(&hub_id, &request).await?;
    state.edited.notify_one();
    Ok(done)
}

#[tauri::command]
pub async fn set_review_team(state: State<'_, AppState>, review_id: String, team: TeamChoice) -> Reply<Scheduled> {
    let done = state.client.server_api().set_review_team(&review_id, &team).await?;
    state.edited.notify_one();
    Ok(done)
}

/// Adopts a review a Lead Reviewer set up on their laptop into its school's hub, then syncs so
/// a coordinator who is also on the team sees it at once.
#[tauri::command]
pub async fn adopt_review(state: State<'_, AppState>, review_id: String) -> Reply<Change> {
    let done = state.client.server_api().adopt_review(&review_id).await?;
    state.edited.notify_one();
    Ok(done)
}

/// Moves the visit days, then syncs so a coordinator who is also on the team sees them at once.
#[tauri::command]
pub async fn change_visit(
    state: State<'_, AppState>,
    review_id: String,
    visit_dates: Vec<String>,
    framework_version: Option<String>,
) -> Reply<VisitChanged> {
    let done = state.client.server_api().change_visit(&review_id, &visit_dates, framework_version.as_deref()).await?;
    state.edited.notify_one();
    Ok(done)
}

#[tauri::command]
pub async fn admin_set_home_school(state: State<'_, AppState>, user_id: String, urn: Option<String>) -> Reply<HomeSchoolSet> {
    Ok(state.client.server_api().set_home_school(&user_id, urn.as_deref()).await?)
}

#[tauri::command]
pub async fn hub_overview(state: State<'_, AppState>, hub_id: String) -> Reply<HubOverview> {
    Ok(state.client.server_api().hub_overview(&hub_id).await?)
}

#[tauri::command]
pub async fn hub_insights(state: State<'_, AppState>, hub_id: Option<String>, academic_year: Option<String>) -> Reply<HubInsights> {
    Ok(state.client.server_api().hub_insights(hub_id.as_deref(), academic_year.as_deref()).await?)
}

/// The GIAS file's bytes come as the raw IPC body (a 60 MB file is not sent as JSON numbers).
#[tauri::command]
pub async fn admin_import_schools(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Reply<ImportReply> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError { code: qar_core::ErrorCode::Invalid, message: "Send the CSV file's bytes.".into() });
    };
    Ok(state.client.server_api().import_schools(bytes.clone()).await?)
}
