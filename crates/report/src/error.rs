//! The crate's one error type: a model that cannot be rendered as given, or a renderer failure.

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("visit day '{0}' is not a date written YYYY-MM-DD")]
    VisitDay(String),
    #[error("section '{0}' is not in report template {1}")]
    UnknownSection(String, String),
    #[error("section '{0}' is given more than once")]
    RepeatedSection(String),
    #[error("area '{0}' has no label in area_labels")]
    MissingAreaLabel(String),
    #[error("report template {template} is for framework {template_framework}, the report is on framework {report}")]
    FrameworkMismatch { template: String, template_framework: String, report: String },
    #[error("short hash '{0}' is not the first 12 hex digits of a content hash")]
    ShortHash(String),
    #[error("DOCX could not be written: {0}")]
    Docx(String),
    #[error("PDF could not be typeset: {0}")]
    Pdf(String),
    /// The report names a framework (or template) this build does not know.
    #[error("{0}")]
    Framework(String),
    /// An issued version's frozen snapshot is not the JSON object the server writes.
    #[error("issued version snapshot: {0}")]
    Snapshot(String),
    /// A photo the report shows cannot be printed: its bytes are not here or not an image.
    #[error("{0}")]
    Photo(String),
}
