//! Renders one [`model::ReportDocument`] to DOCX ([`docx::render_docx`]) and PDF
//! ([`pdf::render_pdf`]). Both read the same blocks ([`model::ReportDocument::body_blocks`]), so
//! the two files cannot disagree on content or heading structure. Pure: bytes in, bytes out.

pub mod docx;
pub mod fixtures;
pub mod model;
pub mod pdf;

pub use model::*;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("DOCX could not be written: {0}")]
    Docx(String),
    #[error("PDF could not be typeset: {0}")]
    Pdf(String),
}
