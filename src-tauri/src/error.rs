use serde::Serialize;

/// What a failed command sends to the UI. The UI branches on `code`, shows `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl From<qar_client::ClientError> for IpcError {
    fn from(e: qar_client::ClientError) -> Self {
        IpcError { code: e.code().to_owned(), message: e.to_string() }
    }
}

impl IpcError {
    pub fn new(code: &str, message: &str) -> IpcError {
        IpcError { code: code.to_owned(), message: message.to_owned() }
    }
}
