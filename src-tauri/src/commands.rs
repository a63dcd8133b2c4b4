//! The IPC commands. Each one is a single call into qar-client.

use crate::error::IpcError;
use qar_client::{Client, Estimate, Evidence, EvidenceQuery, NewEvidence, NewReview, ReviewSummary, SyncStatus};
use serde::Serialize;
use serde_json::Value;
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
}

impl AppState {
    pub fn new(client: Arc<Client>) -> AppState {
        AppState { client, edited: Arc::new(Notify::new()) }
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
pub fn update_evidence_field(state: State<'_, AppState>, evidence_id: String, field: String, value: Value) -> Reply<Evidence> {
    let evidence = state.client.update_evidence_field(&evidence_id, &field, value)?;
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
pub fn set_estimate(
    state: State<'_, AppState>,
    review_id: String,
    area_code: String,
    value: String,
    rationale: String,
) -> Reply<Estimate> {
    let estimate = state.client.set_estimate(&review_id, &area_code, &value, &rationale)?;
    state.edited.notify_one();
    Ok(estimate)
}

#[tauri::command]
pub fn list_estimates(state: State<'_, AppState>, review_id: String) -> Reply<Vec<Estimate>> {
    Ok(state.client.list_estimates(&review_id)?)
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

#[derive(Debug, Clone, Serialize)]
pub struct ActivityTypeOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[tauri::command]
pub fn activity_types() -> Vec<ActivityTypeOption> {
    qar_core::ActivityType::ALL.iter().map(|a| ActivityTypeOption { code: a.code(), label: a.label() }).collect()
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

pub(crate) fn emit_data_changed<R: Runtime>(app: &AppHandle<R>, changed: usize) {
    if let Err(e) = app.emit(DATA_CHANGED_EVENT, changed) {
        tracing::warn!("could not tell the window about new data: {e}");
    }
}
