use qar_core::ErrorCode;
use serde::Serialize;

/// What a failed command sends to the UI. The UI branches on `code` (the generated union
/// `ui/src/lib/generated/ErrorCode.ts`), shows `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<qar_client::ClientError> for IpcError {
    fn from(e: qar_client::ClientError) -> Self {
        IpcError { code: e.code(), message: e.to_string() }
    }
}

impl IpcError {
    pub fn new(code: ErrorCode, message: &str) -> IpcError {
        IpcError { code, message: message.to_owned() }
    }
}
