//! Attachment bytes through the facade: the store's sealed files, by attachment id. The synced
//! attachment record and the upload queue build on these (issue 19, next step).

use super::Client;
use crate::error::Result;
use crate::store::StoredAttachment;
use crate::sync::lock;

impl Client {
    /// Keeps the (already cleaned, see qar-media) bytes of an attachment, sealed on this laptop.
    pub fn put_attachment_bytes(&self, attachment_id: &str, bytes: &[u8]) -> Result<StoredAttachment> {
        lock(&self.store).put_attachment_bytes(attachment_id, bytes)
    }

    pub fn attachment_bytes(&self, attachment_id: &str) -> Result<Vec<u8>> {
        lock(&self.store).attachment_bytes(attachment_id)
    }

    pub fn delete_attachment_bytes(&self, attachment_id: &str) -> Result<bool> {
        lock(&self.store).delete_attachment_bytes(attachment_id)
    }
}
