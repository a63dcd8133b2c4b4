//! The IPC commands. Each one is a single call into qar-client.

use crate::error::IpcError;
use qar_client::model::{PreviousReviewView, ProgressPoint, SchoolStatementView};
use qar_client::{
    ActivityTypeOption, ChangesSinceReturn, Client, Conflict, ConflictChoice, DataChanged, Estimate, Evidence, EvidenceEdit, EvidenceQuery,
    Missing, NewComment, NewEvidence, NewReview, PlanActivity, PlanActivityDraft, ReportSection, ReportTemplateView, ReviewComment,
    ReviewDetail, ReviewSummary, Session, SignIn, SyncStatus,
};
use std::sync::Arc;
use tauri::{AppHandle, Emitter, Runtime, State};
use tokio::sync::Notify;

/// Name of the event that carries a fresh `SyncStatus` to the UI.
pub const SYNC_STATUS_EVENT: &str = "sync-status";
/// Name of the event that tells the UI records changed from elsewhere (payload: how many).
pub const DATA_CHANGED_EVENT: &str = "data-changed";

#[derive(Clone)]
pub struct AppState {
    pub client: Arc<Client>,
    /// Poked after each local edit so the background loop syncs soon, not only on its timer.
    pub edited: Arc<Notify>,
    /// Poked when the live pull reaches the server again after failing.
    pub reconnected: Arc<Notify>,
    /// Poked after a sign-in, so the live pull starts at once instead of after its back-off.
    pub signed_in: Arc<Notify>,
    /// Set when the laptop is wiped: the background loops end instead of retrying a closed store.
    pub stopped: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(client: Arc<Client>) -> AppState {
        AppState {
            client,
            edited: Arc::new(Notify::new()),
            reconnected: Arc::new(Notify::new()),
            signed_in: Arc::new(Notify::new()),
            stopped: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(std::sync::atomic::Ordering::Relaxed)
    }
}

type Reply<T> = Result<T, IpcError>;

#[tauri::command]
pub fn list_reviews(state: State<'_, AppState>) -> Reply<Vec<ReviewSummary>> {
    Ok(state.client.list_reviews()?)
}

#[tauri::command]
pub fn create_review(state: State<'_, AppState>, input: NewReview) -> Reply<ReviewSummary> {
    let review = state.client.create_review(&input)?;
    state.edited.notify_one();
    Ok(review)
}

#[tauri::command]
pub fn get_review(state: State<'_, AppState>, review_id: String) -> Reply<ReviewSummary> {
    Ok(state.client.review(&review_id)?)
}

#[tauri::command]
pub fn list_evidence(state: State<'_, AppState>, review_id: String) -> Reply<Vec<Evidence>> {
    Ok(state.client.list_evidence(&review_id)?)
}

#[tauri::command]
pub fn add_evidence(state: State<'_, AppState>, input: NewEvidence) -> Reply<Evidence> {
    let evidence = state.client.add_evidence(&input)?;
    state.edited.notify_one();
    Ok(evidence)
}

#[tauri::command]
pub fn update_evidence_field(state: State<'_, AppState>, evidence_id: String, edit: EvidenceEdit) -> Reply<Evidence> {
    let evidence = state.client.update_evidence_field(&evidence_id, edit)?;
    state.edited.notify_one();
    Ok(evidence)
}

/// Moves a review along its lifecycle (start visit, submit…) if the permission table allows.
#[tauri::command]
pub fn transition_review(state: State<'_, AppState>, review_id: String, to_state: String) -> Reply<ReviewSummary> {
    let review = state.client.transition_review(&review_id, &to_state)?;
    state.edited.notify_one();
    Ok(review)
}

#[tauri::command]
pub fn set_estimate(state: State<'_, AppState>, review_id: String, area_code: String, value: String, rationale: String) -> Reply<Estimate> {
    let estimate = state.client.set_estimate(&review_id, &area_code, &value, &rationale)?;
    state.edited.notify_one();
    Ok(estimate)
}

#[tauri::command]
pub fn list_estimates(state: State<'_, AppState>, review_id: String) -> Reply<Vec<Estimate>> {
    Ok(state.client.list_estimates(&review_id)?)
}

#[tauri::command]
pub fn save_plan_activity(
    state: State<'_, AppState>,
    review_id: String,
    activity_id: Option<String>,
    draft: PlanActivityDraft,
) -> Reply<PlanActivity> {
    let activity = state.client.save_plan_activity(&review_id, activity_id.as_deref(), &draft)?;
    state.edited.notify_one();
    Ok(activity)
}

#[tauri::command]
pub fn delete_plan_activity(state: State<'_, AppState>, activity_id: String) -> Reply<()> {
    state.client.delete_plan_activity(&activity_id)?;
    state.edited.notify_one();
    Ok(())
}

#[tauri::command]
pub fn list_plan(state: State<'_, AppState>, review_id: String) -> Reply<Vec<PlanActivity>> {
    Ok(state.client.list_plan(&review_id)?)
}

/// The school's previous issued review as the team prepares with it (issue 23), read offline.
#[tauri::command]
pub fn previous_review(state: State<'_, AppState>, review_id: String) -> Reply<Option<PreviousReviewView>> {
    Ok(state.client.previous_review(&review_id)?)
}

/// What the host school wrote for the team before its visit (issue 22), read-only and offline.
#[tauri::command]
pub fn school_statement(state: State<'_, AppState>, review_id: String) -> Reply<Option<SchoolStatementView>> {
    Ok(state.client.school_statement(&review_id)?)
}

/// What the team found on one Even better if point of the last review (the report's rules).
#[tauri::command]
pub fn save_progress(state: State<'_, AppState>, review_id: String, number: u32, found: String) -> Reply<ProgressPoint> {
    let point = state.client.save_progress(&review_id, number, &found)?;
    state.edited.notify_one();
    Ok(point)
}

#[tauri::command]
pub fn delete_evidence(state: State<'_, AppState>, evidence_id: String) -> Reply<()> {
    state.client.delete_evidence(&evidence_id)?;
    state.edited.notify_one();
    Ok(())
}

#[tauri::command]
pub fn search_evidence(state: State<'_, AppState>, review_id: String, query: EvidenceQuery) -> Reply<Vec<Evidence>> {
    Ok(state.client.search_evidence(&review_id, &query)?)
}

/// The judgement framework a review is judged against: its areas (for tags and filters) and
/// its estimate scale, as data, so new wording needs no new app.
#[tauri::command]
pub fn framework(version: String) -> Reply<&'static qar_core::framework::Framework> {
    Ok(qar_core::framework::framework(&version).map_err(qar_client::ClientError::from)?)
}

#[tauri::command]
pub fn activity_types() -> Vec<ActivityTypeOption> {
    ActivityTypeOption::all()
}

#[tauri::command]
pub fn sync_status(state: State<'_, AppState>) -> Reply<SyncStatus> {
    Ok(state.client.status()?)
}

/// Syncs now. Being offline is not a command failure: the returned status says so in words.
#[tauri::command]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Reply<SyncStatus> {
    Ok(crate::background::sync_and_report(&app, &state).await?)
}

pub(crate) fn emit_status<R: Runtime>(app: &AppHandle<R>, status: &SyncStatus) {
    if let Err(e) = app.emit(SYNC_STATUS_EVENT, status) {
        tracing::warn!("could not send sync status to the window: {e}");
    }
}

/// Tells the window which reviews changed from elsewhere, if any did.
pub(crate) fn emit_data_changed<R: Runtime>(app: &AppHandle<R>, client: &Client) {
    let review_ids = client.take_changed_reviews();
    if review_ids.is_empty() {
        return;
    }
    if let Err(e) = app.emit(DATA_CHANGED_EVENT, DataChanged { review_ids }) {
        tracing::warn!("could not tell the window about new data: {e}");
    }
}

#[tauri::command]
pub fn session(state: State<'_, AppState>) -> Reply<Option<Session>> {
    Ok(state.client.session()?)
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, input: SignIn) -> Reply<Session> {
    let session = state.client.sign_in(&input).await?;
    state.edited.notify_one();
    state.signed_in.notify_one();
    Ok(session)
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> Reply<()> {
    Ok(state.client.sign_out().await?)
}

#[tauri::command]
pub fn review_detail(state: State<'_, AppState>, review_id: String) -> Reply<ReviewDetail> {
    Ok(state.client.review_detail(&review_id)?)
}

/// A resubmitted report's changes since its return, for the coordinator (`null`: never returned).
#[tauri::command]
pub fn changes_since_return(state: State<'_, AppState>, review_id: String) -> Reply<Option<ChangesSinceReturn>> {
    Ok(state.client.changes_since_return(&review_id)?)
}

#[tauri::command]
pub fn report_template(state: State<'_, AppState>, review_id: String) -> Reply<ReportTemplateView> {
    Ok(state.client.report_template(&review_id)?)
}

#[tauri::command]
pub fn list_report_sections(state: State<'_, AppState>, review_id: String) -> Reply<Vec<ReportSection>> {
    Ok(state.client.list_report_sections(&review_id)?)
}

#[tauri::command]
pub fn save_report_section(state: State<'_, AppState>, review_id: String, code: String, body: String) -> Reply<ReportSection> {
    let saved = state.client.save_report_section(&review_id, &code, &body)?;
    state.edited.notify_one();
    Ok(saved)
}

/// The photos printed under a report section, in order, each with its caption (issue 19).
#[tauri::command]
pub fn set_report_photos(
    state: State<'_, AppState>,
    review_id: String,
    code: String,
    photos: Vec<qar_core::report_photos::ReportPhoto>,
) -> Reply<ReportSection> {
    let saved = state.client.set_report_photos(&review_id, &code, &photos)?;
    state.edited.notify_one();
    Ok(saved)
}

#[tauri::command]
pub fn list_comments(state: State<'_, AppState>, review_id: String) -> Reply<Vec<ReviewComment>> {
    Ok(state.client.list_comments(&review_id)?)
}

#[tauri::command]
pub fn resolve_comment(state: State<'_, AppState>, comment_id: String) -> Reply<ReviewComment> {
    let c = state.client.resolve_comment(&comment_id)?;
    state.edited.notify_one();
    Ok(c)
}

#[tauri::command]
pub fn submit_check(state: State<'_, AppState>, review_id: String) -> Reply<Vec<Missing>> {
    Ok(state.client.submit_check(&review_id)?)
}

#[tauri::command]
pub async fn approve_review(state: State<'_, AppState>, review_id: String) -> Reply<ReviewSummary> {
    Ok(state.client.approve_review(&review_id).await?)
}

#[tauri::command]
pub async fn return_review(state: State<'_, AppState>, review_id: String, comments: Vec<NewComment>) -> Reply<ReviewSummary> {
    Ok(state.client.return_review(&review_id, &comments).await?)
}

#[tauri::command]
pub fn list_conflicts(state: State<'_, AppState>, review_id: Option<String>) -> Reply<Vec<Conflict>> {
    Ok(state.client.list_conflicts(review_id.as_deref())?)
}

#[tauri::command]
pub fn resolve_conflict(state: State<'_, AppState>, conflict_id: String, choice: ConflictChoice, merged_text: Option<String>) -> Reply<()> {
    state.client.resolve_conflict(&conflict_id, choice, merged_text)?;
    state.edited.notify_one();
    Ok(())
}

/// What this laptop holds of a review, and whether its copy may be removed now.
#[tauri::command]
pub fn local_copy(state: State<'_, AppState>, review_id: String) -> Reply<qar_client::LocalCopy> {
    Ok(state.client.local_copy(&review_id)?)
}

/// Removes this laptop's copy of an issued review (after the person confirmed).
#[tauri::command]
pub fn drop_local_copy(state: State<'_, AppState>, review_id: String) -> Reply<qar_client::LocalCopy> {
    Ok(state.client.drop_local_copy(&review_id)?)
}

/// Days an issued review stays on this laptop after its issue (`null`: until removed by hand).
#[tauri::command]
pub fn keep_issued_days(state: State<'_, AppState>) -> Reply<Option<u32>> {
    Ok(state.client.keep_issued_days()?)
}

#[tauri::command]
pub fn set_keep_issued_days(state: State<'_, AppState>, days: Option<u32>) -> Reply<()> {
    Ok(state.client.set_keep_issued_days(days)?)
}

#[tauri::command]
pub fn wipe_check(state: State<'_, AppState>) -> Reply<qar_client::WipeCheck> {
    Ok(state.client.wipe_check()?)
}
