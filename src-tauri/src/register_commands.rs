//! IPC for the register of Areas of Excellence (issue 23): search, facets and one entry read this
//! laptop's own copy (offline); "Ask to visit" is one server call. Each command is one
//! qar-client call.

use crate::commands::AppState;
use crate::error::IpcError;
use qar_client::model::{RegisterEntry, RegisterFacets, RegisterFilter, VisitRequest};
use tauri::State;

type Reply<T> = Result<T, IpcError>;

/// Entries of this laptop's copy matching every filter given (works offline).
#[tauri::command]
pub fn search_register(state: State<'_, AppState>, filter: RegisterFilter) -> Reply<Vec<RegisterEntry>> {
    Ok(state.client.search_register(&filter)?)
}

/// What the filters can offer (phases, regions, years, themes) and how many entries are held.
#[tauri::command]
pub fn register_facets(state: State<'_, AppState>) -> Reply<RegisterFacets> {
    Ok(state.client.register_facets()?)
}

/// One entry of the copy; `null` once it is no longer published.
#[tauri::command]
pub fn register_entry(state: State<'_, AppState>, review_id: String) -> Reply<Option<RegisterEntry>> {
    Ok(state.client.register_entry(&review_id)?)
}

/// "Ask to visit": online only; offline it answers `offline` and nothing is sent or kept.
#[tauri::command]
pub async fn ask_to_visit(state: State<'_, AppState>, review_id: String, message: String) -> Reply<VisitRequest> {
    Ok(state.client.ask_to_visit(&review_id, &message).await?)
}
