//! Photos and documents on notes (issue 19). A picked file's bytes come as the raw body of the
//! IPC request (no JSON array of numbers for a 10 MB photo), its name and the person's choices
//! in one header, `x-qar-attachment`: the JSON of `NewAttachment`, percent-encoded by the UI
//! (`encodeURIComponent`) because header values are ASCII and names and captions are not.
//! The safe pipeline takes a moment for a large photo, so it runs off the main thread.

use crate::commands::AppState;
use crate::error::IpcError;
use qar_client::{Attachment, AttachmentCheck, NewAttachment};
use qar_core::ErrorCode;
use tauri::ipc::{InvokeBody, Request, Response};
use tauri::State;

type Reply<T> = Result<T, IpcError>;

/// The header that carries `NewAttachment` beside the file's bytes.
pub const ATTACHMENT_HEADER: &str = "x-qar-attachment";

/// What a picked file came with: its bytes and the choices made about it.
fn picked(request: &Request<'_>) -> Reply<(NewAttachment, Vec<u8>)> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::new(ErrorCode::Invalid, "The file's contents did not reach the app. Please pick the file again."));
    };
    let header =
        request.headers().get(ATTACHMENT_HEADER).and_then(|v| v.to_str().ok()).ok_or_else(|| {
            IpcError::new(ErrorCode::Invalid, "The app was not told which note the file is for. Please pick the file again.")
        })?;
    let json = percent_decode(header)
        .ok_or_else(|| IpcError::new(ErrorCode::Invalid, "The file's details could not be read. Please pick the file again."))?;
    let new: NewAttachment = serde_json::from_str(&json)
        .map_err(|e| IpcError { code: ErrorCode::Invalid, message: format!("The file's details could not be read ({e}).") })?;
    Ok((new, bytes.clone()))
}

/// Undoes `encodeURIComponent`: `%XX` escapes of UTF-8 bytes. `None` for a broken escape or
/// bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok()
}

async fn off_main_thread<T: Send + 'static>(job: impl FnOnce() -> qar_client::error::Result<T> + Send + 'static) -> Reply<T> {
    tauri::async_runtime::spawn_blocking(job)
        .await
        .map_err(|e| IpcError { code: ErrorCode::Internal, message: format!("The file could not be processed ({e}).") })?
        .map_err(IpcError::from)
}

/// Runs the safe pipeline over a picked file and says what would be kept, storing nothing.
#[tauri::command]
pub async fn check_attachment(state: State<'_, AppState>, request: Request<'_>) -> Reply<AttachmentCheck> {
    let (new, bytes) = picked(&request)?;
    let client = state.client.clone();
    off_main_thread(move || client.check_attachment(&new.evidence_id, &bytes, &new.file_name, new.full_size)).await
}

/// Attaches a picked file to a note: cleaned, sealed on this laptop and queued for upload.
#[tauri::command]
pub async fn attach_file(state: State<'_, AppState>, request: Request<'_>) -> Reply<Attachment> {
    let (new, bytes) = picked(&request)?;
    let client = state.client.clone();
    let attachment = off_main_thread(move || client.attach(&new, &bytes)).await?;
    state.edited.notify_one();
    Ok(attachment)
}

#[tauri::command]
pub fn list_attachments(state: State<'_, AppState>, evidence_id: String) -> Reply<Vec<Attachment>> {
    Ok(state.client.list_attachments(&evidence_id)?)
}

#[tauri::command]
pub fn list_review_attachments(state: State<'_, AppState>, review_id: String) -> Reply<Vec<Attachment>> {
    Ok(state.client.list_review_attachments(&review_id)?)
}

#[tauri::command]
pub fn set_attachment_caption(state: State<'_, AppState>, attachment_id: String, caption: String) -> Reply<Attachment> {
    let attachment = state.client.set_attachment_caption(&attachment_id, &caption)?;
    state.edited.notify_one();
    Ok(attachment)
}

#[tauri::command]
pub fn delete_attachment(state: State<'_, AppState>, attachment_id: String) -> Reply<()> {
    state.client.delete_attachment(&attachment_id)?;
    state.edited.notify_one();
    Ok(())
}

/// The attachment's cleaned bytes as an ArrayBuffer (a teammate's file is fetched on first open).
#[tauri::command]
pub async fn open_attachment(state: State<'_, AppState>, attachment_id: String) -> Reply<Response> {
    Ok(Response::new(state.client.open_attachment(&attachment_id).await?))
}

/// The bytes for an attachment's tile in a list: a photo's small thumbnail (fetched once from the
/// server for a teammate's photo), or the full file when the record has no thumbnail.
#[tauri::command]
pub async fn open_attachment_thumbnail(state: State<'_, AppState>, attachment_id: String) -> Reply<Response> {
    Ok(Response::new(state.client.open_attachment_thumbnail(&attachment_id).await?))
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_decoding_undoes_encode_uri_component() {
        assert_eq!(
            percent_decode("%7B%22a%22%3A%22Y6%20caf%C3%A9%20%E2%80%94%20book%22%7D").as_deref(),
            Some("{\"a\":\"Y6 café — book\"}")
        );
        assert_eq!(percent_decode("%E2%80"), None, "cut inside a UTF-8 sequence");
        assert_eq!(percent_decode("%G1"), None, "not hex");
        assert_eq!(percent_decode("abc%2"), None, "cut inside an escape");
    }
}
