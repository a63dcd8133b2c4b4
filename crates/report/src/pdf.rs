//! PDF through Typst used as a library: model → markup ([`crate::markup`]) → layout → PDF.

use crate::markup::typst_source;
use crate::model::ReportDocument;
use crate::world::ReportWorld;
use crate::ReportError;
use typst::foundations::Bytes;
use typst_layout::PagedDocument;

/// The report as a PDF: A4, bundled fonts embedded, page numbers, headings in the outline
/// (bookmarks), tagged for screen readers; a diagonal watermark on every page of a draft.
pub fn render_pdf(doc: &ReportDocument) -> Result<Vec<u8>, ReportError> {
    doc.check()?;
    let files = doc.photos.iter().enumerate().map(|(i, p)| (crate::markup::photo_file(i, p), Bytes::new(p.bytes.clone()))).collect();
    let world = ReportWorld::new(typst_source(doc), files);
    let compiled: Result<PagedDocument, _> = typst::compile(&world).output;
    // Tagged is typst-pdf's default; said here because the accessibility test relies on it.
    let options = typst_pdf::PdfOptions { tagged: true, ..Default::default() };
    let pdf = compiled.and_then(|c| typst_pdf::pdf(&c, &options));
    // Typst memoises across compilations; like its CLI, drop what the last few did not reuse,
    // so a long-running app does not grow with every export.
    comemo::evict(10);
    pdf.map_err(|errs| ReportError::Pdf(errs.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))
}

/// Empties Typst's memoisation cache, so the next [`render_pdf`] starts cold (for timings).
pub fn clear_cache() {
    comemo::evict(0);
}
