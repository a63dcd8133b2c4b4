//! PDF through Typst used as a library: the report becomes Typst markup in which every user
//! string is a Typst *string literal* (never markup), so nothing a reviewer types can change the
//! layout. Fonts come from `typst-assets` and are parsed once per process.

use crate::model::{Block, ReportDocument};
use crate::RenderError;
use std::fmt::Write as _;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst_layout::PagedDocument;
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// `s` as a Typst string literal (with quotes). Inside a literal only `\` and `"` mean anything,
/// and line breaks are written as escapes, so the text is shown exactly as typed: `#set`, `$`,
/// `*`, `=`, `<l>`, `@r` and backslashes all stay characters.
pub fn typst_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Typst source for a report. Public so tests (and curious developers) can read it.
pub fn typst_source(doc: &ReportDocument) -> String {
    let mut s = String::with_capacity(4096 + doc.sections.iter().map(|x| x.body.len() * 11 / 10).sum::<usize>());
    let status = typst_str(&doc.status_line());
    let (status_fill, watermark) = if doc.is_draft() {
        (
            "rgb(\"#C00000\")",
            "place(center + horizon, rotate(-50deg, text(size: 130pt, weight: \"bold\", fill: rgb(192, 0, 0, 45), \"DRAFT\")))",
        )
    } else {
        ("rgb(\"#385723\")", "none")
    };
    let _ = write!(
        s,
        r##"#set document(title: {title})
#set page(
  paper: "a4",
  margin: (x: 2cm, top: 2.6cm, bottom: 2.2cm),
  background: {watermark},
  header: context [
    #set text(size: 8pt)
    #text(weight: "bold", fill: {status_fill}, {status}) #h(1fr) #text(fill: luma(90), {school} + " · URN " + {urn})
    #v(-4pt)
    #line(length: 100%, stroke: 0.4pt + luma(160))
  ],
  footer: context align(center, text(size: 9pt, fill: luma(90))[Page #counter(page).display() of #counter(page).final().first()]),
)
#set text(font: "Libertinus Serif", size: 11pt, lang: "en")
#set par(justify: false, spacing: 0.9em)
#show heading: set block(above: 1.3em, below: 0.6em)
#show heading.where(level: 1): set text(size: 15pt, fill: rgb("#1F3864"))
#show heading.where(level: 2): set text(size: 12.5pt, fill: rgb("#2F5496"))

#text(size: 20pt, weight: "bold", {title})
#v(4pt)
#grid(columns: (auto, 1fr), column-gutter: 12pt, row-gutter: 6pt,
  strong("School"), {school},
  strong("URN"), {urn},
  strong("Review dates"), {dates},
  strong("Lead Reviewer"), {lr},
  strong("Review team"), {team},
  strong("Status"), text(fill: {status_fill}, {status}),
)
"##,
        title = typst_str(&doc.title),
        school = typst_str(&doc.school_name),
        urn = typst_str(&doc.school_urn),
        dates = typst_str(&doc.visit_days.join(", ")),
        lr = typst_str(&doc.lead_reviewer),
        team = typst_str(&doc.team.iter().map(|t| format!("{} ({})", t.name, t.role_label)).collect::<Vec<_>>().join("; ")),
    );
    s.push_str("\n#heading(level: 1, \"Estimates\")\n#table(columns: (2fr, 1.1fr, 2.6fr), inset: 6pt, stroke: 0.5pt + luma(150), fill: (_, y) => if y == 0 { luma(230) },\n  table.header(strong(\"Area\"), strong(\"Estimate\"), strong(\"Rationale\")),\n");
    for e in &doc.estimates {
        let _ = writeln!(
            s,
            "  {}, strong({}), {},",
            typst_str(&e.area_label),
            typst_str(&e.value_label),
            typst_str(&e.rationale)
        );
    }
    s.push_str(")\n\n");
    for b in doc.body_blocks() {
        match b {
            Block::Heading1(t) => {
                let _ = writeln!(s, "#heading(level: 1, {})\n", typst_str(t));
            }
            Block::Heading2(t) => {
                let _ = writeln!(s, "#heading(level: 2, {})\n", typst_str(t));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "#par({})\n", typst_str(t));
            }
        }
    }
    s
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        Fonts { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIB: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIB.get_or_init(|| LazyHash::new(Library::default()))
}

/// One in-memory file, the bundled fonts and nothing else: no file system, no packages, no clock.
struct ReportWorld {
    source: Source,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
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
        if id == self.source.id() {
            Ok(Bytes::from_string(self.source.text().to_owned()))
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The report as a PDF file (A4, page numbers, headings in the PDF outline).
pub fn render_pdf(doc: &ReportDocument) -> Result<Vec<u8>, RenderError> {
    let world = ReportWorld { source: Source::detached(typst_source(doc)) };
    let compiled: Result<PagedDocument, _> = typst::compile(&world).output;
    let pdf = compiled.and_then(|c| typst_pdf::pdf(&c, &typst_pdf::PdfOptions::default()));
    // Typst memoises across compilations; like its CLI, drop what the last few did not use.
    comemo::evict(10);
    pdf.map_err(|errs| RenderError::Pdf(errs.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; ")))
}

/// Empties Typst's memoisation cache, so the next [`render_pdf`] starts cold (timings).
pub fn clear_cache() {
    comemo::evict(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_str_escapes_only_what_a_literal_needs() {
        assert_eq!(typst_str(r#"a\b"c"#), r#""a\\b\"c""#);
        assert_eq!(typst_str("x\ny"), r#""x\ny""#);
        assert_eq!(typst_str("#set page(..) $x$ *b* = h <l> @r ŵ"), "\"#set page(..) $x$ *b* = h <l> @r ŵ\"");
    }

    #[test]
    fn draft_watermark_is_page_background() {
        let draft = typst_source(&crate::fixtures::fixture());
        assert!(draft.contains("background: place(center + horizon, rotate(-50deg"));
        assert!(draft.contains("\"DRAFT\")))"));
        let approved = typst_source(&crate::fixtures::approved_fixture());
        assert!(approved.contains("background: none"));
        assert!(!approved.contains("DRAFT"));
    }
}
