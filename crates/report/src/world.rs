//! A minimal in-memory Typst `World`: one source file, the fonts bundled by `typst-assets`, the
//! standard library; no file system, no packages, no clock. Fonts and library are built once per
//! process (`OnceLock`) so only the first export pays for parsing them.

use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// What every export shares.
struct Base {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        Base { library: LazyHash::new(Library::default()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
    })
}

/// Families the report's markup asks for; a test checks they are bundled.
pub const BODY_FONT: &str = "Libertinus Serif";

pub(crate) struct ReportWorld {
    source: Source,
    /// The report's photos by the name the markup uses (`markup::photo_file`).
    files: Vec<(String, Bytes)>,
}

impl ReportWorld {
    pub(crate) fn new(markup: String, files: Vec<(String, Bytes)>) -> Self {
        Self { source: Source::detached(markup), files }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &base().library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &base().book
    }
    fn main(&self) -> FileId {
        self.source.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        // Only the report's own photos, from memory: nothing a report says can reach the disk.
        let name = id.get().vpath().get_without_slash();
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()).ok_or(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        base().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Reproducible output: the same report gives the same bytes.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_include_the_body_font() {
        let families: Vec<_> = base().book.families().map(|(f, _)| f.to_owned()).collect();
        assert!(families.iter().any(|f| f.eq_ignore_ascii_case(BODY_FONT)), "{families:?}");
    }
}
