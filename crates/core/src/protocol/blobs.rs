//! Attachment bytes on the wire (issue 19): `/v1/reviews/{review_id}/blobs/{sha256}`.

use serde::{Deserialize, Serialize};

/// Where an upload of one blob stands on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlobStatus {
    /// Bytes the server holds: where the next piece starts (the whole size once complete).
    pub offset: u64,
    /// The server holds the whole blob, its hash checked: nothing more to send.
    pub complete: bool,
}
