//! IPC for the report (issue 10): preview model, offline export, issue to the school, versions.
//! Each command is one qar-client call; the export folder is the OS documents folder unless
//! `QAR_EXPORT_DIR` says otherwise.

use crate::commands::AppState;
use crate::error::IpcError;
use qar_client::ReportDocument;
use qar_client::{export_dir, ExportFormat, ExportedReport, ReportVersion, ReviewSummary};
use tauri::{AppHandle, Manager, Runtime, State};

type Reply<T> = Result<T, IpcError>;

/// The report model the print preview shows, exactly what the PDF and DOCX render.
#[tauri::command]
pub fn report_preview(state: State<'_, AppState>, review_id: String) -> Reply<ReportDocument> {
    Ok(state.client.report_document(&review_id)?)
}

/// A photo the report shows, for the print preview: from this laptop, or fetched once from the
/// report's photo route (the only way the coordinator's laptop has to it). Raw bytes.
#[tauri::command]
pub async fn report_photo(
    state: State<'_, AppState>,
    review_id: String,
    attachment_id: String,
    sha256: String,
    caption: String,
) -> Reply<tauri::ipc::Response> {
    Ok(tauri::ipc::Response::new(state.client.report_photo(&review_id, &attachment_id, &sha256, &caption).await?))
}

/// Writes the live report (no `version`) or an issued version as PDF or DOCX; answers where,
/// how big and how long it took.
#[tauri::command]
pub async fn export_report<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    review_id: String,
    format: String,
    version: Option<u32>,
) -> Reply<ExportedReport> {
    let format = ExportFormat::parse(&format)?;
    let dir = export_dir(app.path().document_dir().ok());
    Ok(state.client.export_report(&review_id, format, version, &dir).await?)
}

#[tauri::command]
pub async fn issue_report(state: State<'_, AppState>, review_id: String, reason: Option<String>) -> Reply<ReviewSummary> {
    Ok(state.client.issue_report(&review_id, reason.as_deref().unwrap_or_default()).await?)
}

#[tauri::command]
pub async fn report_versions(state: State<'_, AppState>, review_id: String) -> Reply<Vec<ReportVersion>> {
    Ok(state.client.report_versions(&review_id).await?)
}
