//! The report as the app uses it (issue 10): preview model, PDF/DOCX export offline, issuing to
//! the school, and the issued versions (fetched when online, cached for offline export).

use super::Client;
use crate::error::{ClientError, Result};
use crate::model::{ExportedReport, ReportVersion, ReviewSummary};
use crate::report_model;
use crate::sync::lock;
use qar_report::ReportDocument;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Environment override of the export folder (tests point it at a temporary folder).
pub const EXPORT_DIR_ENV: &str = "QAR_EXPORT_DIR";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Pdf,
    Docx,
}

impl ExportFormat {
    pub fn parse(code: &str) -> Result<ExportFormat> {
        match code {
            "pdf" => Ok(ExportFormat::Pdf),
            "docx" => Ok(ExportFormat::Docx),
            _ => Err(ClientError::Invalid(qar_core::ValidationError::WrongType {
                field: "Export format".into(),
                expected: "\"pdf\" or \"docx\"",
            })),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Pdf => "pdf",
            ExportFormat::Docx => "docx",
        }
    }
}

/// Where exports go: `QAR_EXPORT_DIR` if set, else `<documents>/QAR Field`.
pub fn export_dir(documents: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = std::env::var_os(EXPORT_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    documents.or_else(|| home.map(|h| h.join("Documents"))).unwrap_or_else(std::env::temp_dir).join("QAR Field")
}

/// The export's file name: `qar_report::source::file_name` (the server's download gives the same).
pub fn file_name(doc: &ReportDocument, format: ExportFormat) -> String {
    qar_report::source::file_name(doc, format.extension())
}

/// Renders `doc` and writes it into `dir`; the caller runs this off the UI thread.
pub fn render_to(doc: &ReportDocument, format: ExportFormat, dir: &Path) -> Result<ExportedReport> {
    let started = Instant::now();
    let bytes = match format {
        ExportFormat::Pdf => qar_report::render_pdf(doc)?,
        ExportFormat::Docx => qar_report::render_docx(doc)?,
    };
    let path = dir.join(file_name(doc, format));
    let fail = |source| ClientError::Export { path: path.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(fail)?;
    // Write beside, then rename: a reader never sees half a report.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, &bytes).map_err(fail)?;
    std::fs::rename(&partial, &path).map_err(fail)?;
    Ok(ExportedReport { path: path.display().to_string(), bytes: bytes.len() as u64, millis: started.elapsed().as_millis() as u64 })
}

impl Client {
    /// The report model the preview shows and the exports render (the live report).
    pub fn report_document(&self, review_id: &str) -> Result<ReportDocument> {
        report_model::from_store(&lock(&self.store), review_id)
    }

    /// Exports the live report (`version` None) or an issued version held on this laptop, offline,
    /// rendering on a blocking thread.
    pub async fn export_report(&self, review_id: &str, format: ExportFormat, version: Option<u32>, dir: &Path) -> Result<ExportedReport> {
        let mut doc = match version {
            None => self.report_document(review_id)?,
            Some(n) => {
                let snapshot = lock(&self.store).cached_report_snapshot(review_id, n)?;
                let snapshot = snapshot.ok_or_else(|| ClientError::NotFound { what: format!("Issued version {n} of this report") })?;
                report_model::from_snapshot(&snapshot)?
            }
        };
        self.fill_report_photos(review_id, &mut doc).await?;
        let dir = dir.to_owned();
        tokio::task::spawn_blocking(move || render_to(&doc, format, &dir))
            .await
            .map_err(|e| ClientError::Protocol(format!("the export stopped: {e}")))?
    }

    /// The bytes of every photo the report prints that `doc` does not carry yet: an issued
    /// version names them by SHA-256, a teammate's photo may not be downloaded yet, and the
    /// coordinator's laptop holds none (see [`Client::report_photo`]).
    async fn fill_report_photos(&self, review_id: &str, doc: &mut ReportDocument) -> Result<()> {
        for p in doc.photos.iter_mut().filter(|p| p.bytes.is_empty()) {
            p.bytes = self.report_photo(review_id, &p.attachment_id, &p.sha256, &p.caption).await?;
        }
        Ok(())
    }

    /// A photo the report shows (the print preview, the exports): from this laptop, or fetched
    /// once from the report's photo route, which serves only photos the report shows and so
    /// also serves the coordinator, and kept sealed with its attachment. The PDF then holds
    /// exactly the bytes the server holds. A photo that cannot be had is a clear error naming it.
    pub async fn report_photo(&self, review_id: &str, attachment_id: &str, sha256: &str, caption: &str) -> Result<Vec<u8>> {
        let attachment = lock(&self.store)
            .list_review_attachments(review_id)?
            .into_iter()
            .find(|a| a.sha256 == sha256 && (a.id == attachment_id || attachment_id.is_empty()))
            .or_else(|| lock(&self.store).attachment(attachment_id).ok());
        let missing = |why: String| {
            let caption = caption.trim();
            let name = if caption.is_empty() { "A photo without a caption".to_owned() } else { format!("The photo '{caption}'") };
            ClientError::Report(qar_report::ReportError::Photo(format!("{name} in the report is not on this laptop: {why}")))
        };
        if let Some(a) = attachment.as_ref().filter(|a| a.held_here) {
            return lock(&self.store).attachment_bytes(&a.id);
        }
        if sha256.is_empty() {
            return Err(missing("its note's attachment is not here".into()));
        }
        let bytes = match self.sync_client().report_photo_fetch(review_id, sha256).await {
            Ok(bytes) => bytes,
            Err(ClientError::Offline { .. }) => return Err(missing("connect to the server and try again".into())),
            // Chosen on this laptop and not synced yet: the server's report does not show it
            // yet, but a teammate's own route serves the file.
            Err(ClientError::Server { code, .. }) if code == qar_core::ErrorCode::NotFound.as_str() && attachment.is_some() => {
                let id = attachment.as_ref().map(|a| a.id.clone()).unwrap_or_default();
                return match self.open_attachment(&id).await {
                    Err(ClientError::Server { message, .. }) => Err(missing(message)),
                    other => other,
                };
            }
            Err(ClientError::Server { message, .. }) => return Err(missing(message)),
            Err(e) => return Err(e),
        };
        if let Some(a) = attachment {
            lock(&self.store).put_attachment_bytes(&a.id, &bytes)?;
        }
        Ok(bytes)
    }

    /// Coordinator: issues the approved report to the school (online only). A correction
    /// (version 2 onwards) needs a reason. Local edits go first, so the server compares the same
    /// report; afterwards the versions are fetched and kept for offline export.
    pub async fn issue_report(&self, review_id: &str, reason: &str) -> Result<ReviewSummary> {
        self.sync_now().await?;
        let hash = lock(&self.store).report_hash(review_id)?;
        self.sync_client().issue(review_id, &hash, reason).await?;
        self.sync_now().await?;
        self.report_versions(review_id).await?;
        self.review(review_id)
    }

    /// The issued versions: fetched (and any new snapshot kept) when the server can be reached,
    /// else what this laptop already holds.
    pub async fn report_versions(&self, review_id: &str) -> Result<Vec<ReportVersion>> {
        let api = self.sync_client();
        if api.has_token() {
            match self.fetch_versions(&api, review_id).await {
                Ok(()) | Err(ClientError::Offline { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        lock(&self.store).cached_report_versions(review_id)
    }

    async fn fetch_versions(&self, api: &crate::sync::SyncClient, review_id: &str) -> Result<()> {
        let held: Vec<u32> = lock(&self.store).cached_report_versions(review_id)?.iter().map(|v| v.version).collect();
        for v in api.report_versions(review_id).await? {
            if held.contains(&v.version) {
                continue;
            }
            let snapshot = api.report_snapshot(review_id, v.version, &v.sha256).await?;
            lock(&self.store).cache_report_version(review_id, &v, &snapshot)?;
        }
        Ok(())
    }
}
