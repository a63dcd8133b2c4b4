//! The register of Areas of Excellence as the app uses it (issue 23): searched offline in this
//! laptop's copy (kept up to date by every sync), and "Ask to visit", which needs the server.

use super::Client;
use crate::error::{ClientError, Result};
use crate::model::{RegisterEntry, RegisterFacets, RegisterFilter, VisitRequest};
use crate::sync::lock;
use qar_core::register::{MAX_QUERY_CHARS, MAX_VISIT_MESSAGE_CHARS};

impl Client {
    /// Searches this laptop's copy of the register (works offline).
    pub fn search_register(&self, filter: &RegisterFilter) -> Result<Vec<RegisterEntry>> {
        if filter.text.chars().count() > MAX_QUERY_CHARS {
            return Err(ClientError::Invalid(qar_core::ValidationError::TooLong {
                field: "Search text",
                len: filter.text.chars().count(),
                max: MAX_QUERY_CHARS,
            }));
        }
        lock(&self.store).search_register(filter)
    }

    /// What the register's filters can offer, from this laptop's copy.
    pub fn register_facets(&self) -> Result<RegisterFacets> {
        lock(&self.store).register_facets()
    }

    /// One entry of the copy; `None` once it is no longer published.
    pub fn register_entry(&self, review_id: &str) -> Result<Option<RegisterEntry>> {
        lock(&self.store).register_entry(review_id)
    }

    /// "Ask to visit" the school of an entry: recorded by the server and sent to the school's
    /// contacts. Needs a connection; nothing is queued on the laptop.
    pub async fn ask_to_visit(&self, review_id: &str, message: &str) -> Result<VisitRequest> {
        let message = message.trim();
        qar_core::register::check_text("Your message", message, MAX_VISIT_MESSAGE_CHARS, true)?;
        let api = self.sync_client();
        if !api.has_token() {
            return Err(ClientError::NotSignedIn);
        }
        api.ask_to_visit(review_id, message).await
    }
}
