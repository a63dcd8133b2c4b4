//! The register's copy on the wire (issue 23): pages after the copy's cursor, and the online
//! calls (Ask to visit).

use super::SyncClient;
use crate::error::Result;
use crate::model::VisitRequest;
use crate::store::Store;
use qar_core::protocol::register::RegisterChanges;
use qar_core::register::MAX_PAGE;
use serde_json::json;
use std::sync::Mutex;

impl SyncClient {
    pub async fn register_changes(&self, after: u64) -> Result<RegisterChanges> {
        self.send(self.http.get(self.url(&format!("/v1/register/changes?after={after}&limit={MAX_PAGE}")))).await
    }

    /// "Ask to visit" the school of a published entry (online only).
    pub async fn ask_to_visit(&self, review_id: &str, message: &str) -> Result<VisitRequest> {
        let url = self.url(&format!("/v1/register/entries/{review_id}/visit-requests"));
        self.send(self.http.post(url).json(&json!({ "message": message }))).await
    }
}

/// Brings the copy up to date when `head` (the register's newest place, as the last pull page
/// said) is not the copy's cursor, or when no page said (an older server): the request is
/// saved when nothing changed, so an ordinary sync is one round trip (issue 25). Returns how
/// many entries changed here.
pub async fn pull_register_if_moved(store: &Mutex<Store>, client: &SyncClient, head: Option<u64>) -> Result<usize> {
    if let Some(head) = head {
        // A head below the cursor is a server restored from a backup: asked as before.
        if head == super::lock(store).register_cursor()? {
            return Ok(0);
        }
    }
    pull_register(store, client).await
}

/// Brings the copy up to date, page by page; returns how many entries changed here.
pub async fn pull_register(store: &Mutex<Store>, client: &SyncClient) -> Result<usize> {
    let mut changed = 0;
    loop {
        let after = super::lock(store).register_cursor()?;
        let page = client.register_changes(after).await?;
        changed += super::lock(store).apply_register_changes(&page)?;
        if !page.more || page.next == after {
            return Ok(changed);
        }
    }
}
