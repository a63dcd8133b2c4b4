//! Attachment bytes over HTTP (issue 19): where an upload stands, the rest of a file from the
//! server's offset, a teammate's file by review and SHA-256, and a photo the report shows.

use super::SyncClient;
use crate::error::{ClientError, Result};
use qar_core::protocol::blobs::BlobStatus;

impl SyncClient {
    fn blob_path(review_id: &str, sha256: &str) -> String {
        format!("/v1/reviews/{review_id}/blobs/{sha256}")
    }

    pub async fn blob_status(&self, review_id: &str, sha256: &str) -> Result<BlobStatus> {
        self.send(self.http.get(self.url(&format!("{}/upload", Self::blob_path(review_id, sha256))))).await
    }

    /// Sends `rest`, the file's bytes from `offset` on. A broken connection is an error here;
    /// the server keeps what arrived, and the next status says where to go on.
    pub async fn blob_send(&self, review_id: &str, sha256: &str, size: u64, offset: u64, rest: Vec<u8>) -> Result<BlobStatus> {
        let url = self.url(&format!("{}/upload?offset={offset}&size={size}", Self::blob_path(review_id, sha256)));
        let req = self.http.patch(url).header("content-type", "application/octet-stream").body(rest);
        self.send(req).await
    }

    /// A teammate's file, checked against its SHA-256 before it is handed back.
    pub async fn blob_fetch(&self, review_id: &str, sha256: &str) -> Result<Vec<u8>> {
        self.fetch_checked(&Self::blob_path(review_id, sha256), sha256).await
    }

    /// A photo the review's report shows, for whoever may read the report (the coordinator's
    /// laptop has no team route to the files), checked against its SHA-256.
    pub async fn report_photo_fetch(&self, review_id: &str, sha256: &str) -> Result<Vec<u8>> {
        self.fetch_checked(&format!("/v1/reviews/{review_id}/report/photos/{sha256}"), sha256).await
    }

    async fn fetch_checked(&self, path: &str, sha256: &str) -> Result<Vec<u8>> {
        super::http::check_secure_address(self.base_url())?;
        let mut req = self.http.get(self.url(path));
        if let Some(t) = self.current_token() {
            req = req.bearer_auth(t);
        }
        let offline = |_| ClientError::Offline { url: self.base_url().to_owned() };
        let resp = req.send().await.map_err(offline)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(offline)?;
        if !status.is_success() {
            let body: qar_core::protocol::ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                qar_core::protocol::ErrorBody::new(qar_core::ErrorCode::ServerRefused, format!("HTTP {status}"), serde_json::Value::Null)
            });
            return Err(ClientError::Server { status: status.as_u16(), code: body.code, message: body.message });
        }
        use sha2::Digest;
        if hex::encode(sha2::Sha256::digest(&bytes)) != sha256 {
            return Err(ClientError::Protocol("the attachment that arrived does not match its checksum".into()));
        }
        Ok(bytes.to_vec())
    }
}
