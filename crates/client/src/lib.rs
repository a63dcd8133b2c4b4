//! qar-client: everything the laptop does besides drawing. The local store (one SQLite file,
//! WAL, numbered migrations, outbox), the sync client, and `Client`, the facade the app calls.

mod attachment_files;
mod client;
pub mod error;
pub mod model;
pub mod report_model;
pub mod store;
pub mod sync;
pub mod vault;

pub use client::reports::{export_dir, ExportFormat, EXPORT_DIR_ENV};
pub use client::{Client, HandoverExport, WritesPaused};

/// File name of the store inside the app's data folder (the vault keeps its key files beside it).
pub fn client_store_file() -> &'static str {
    client::STORE_FILE
}
pub use error::ClientError;
pub use model::*;
pub use qar_report::ReportDocument;
pub use store::{Checkpointer, Store};
