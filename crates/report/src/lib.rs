//! Renders one [`ReportDocument`] to PDF ([`render_pdf`], Typst as a library) and DOCX
//! ([`render_docx`], docx-rs). Both walk the same [`Block`]s and print the same derived words
//! ([`wording`]), so the two files cannot disagree on content, order or heading structure.
//! Pure: a model in, bytes out; no files, network or clock.

pub mod blocks;
pub mod docx;
mod error;
pub mod escape;
pub mod fixtures;
pub mod markup;
pub mod model;
mod ooxml_order;
pub mod pdf;
pub mod photo;
pub mod source;
pub mod wording;
mod world;

pub use blocks::Block;
pub use docx::render_docx;
pub use error::ReportError;
pub use model::{EstimateRow, ProgressEntry, ReportDocument, ReportStatus, SectionText};
pub use pdf::render_pdf;
pub use photo::ReportFigure;
