//! DOCX through docx-rs, in the same order and words as the PDF. Headings use real `Heading1` /
//! `Heading2` paragraph styles (defined in styles.xml with outline levels), so Word's navigation
//! pane and a generated table of contents work.
//!
//! Draft marking: docx-rs cannot write a true watermark (a rotated VML/DrawingML shape anchored
//! in the header) through its builder, so a draft says "DRAFT — not approved" in bold red in the
//! page header, which Word repeats on every page, and in a panel under the header block on page 1.

use crate::blocks::{Block, ESTIMATES_HEADING};
use crate::model::ReportDocument;
use crate::ooxml_order::canonical;
use crate::wording::{header_status, status_line, team_lines, visit_days_line};
use crate::ReportError;
use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, LineSpacing, NumPages, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Shading,
    ShdType, Style, StyleType, Table, TableCell, TableRow, WidthType, XMLDocx,
};

/// Style ids written into styles.xml and referenced by heading paragraphs.
pub const HEADING1: &str = "Heading1";
pub const HEADING2: &str = "Heading2";
pub const TITLE: &str = "Title";
pub const SUBTITLE: &str = "Subtitle";

const NAVY: &str = "1F3864";
const ACCENT: &str = "2F5496";
const DRAFT_RED: &str = "B00020";
const APPROVED_GREEN: &str = "2E6B30";

// A4 in twentieths of a point; 2.5 cm side margins like the PDF.
const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const MARGIN_X: i32 = 1417;
const MARGIN_Y: i32 = 1531;
const TEXT_WIDTH: usize = (A4_W as usize) - 2 * (MARGIN_X as usize);

fn styles(d: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, color: &str, level: usize, before: u32| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .ui_priority(9)
            .size(size)
            .bold()
            .color(color)
            .outline_lvl(level)
            .line_spacing(LineSpacing::new().before(before).after(120))
    };
    d.add_style(
        Style::new(TITLE, StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .size(48)
            .bold()
            .color(NAVY)
            .line_spacing(LineSpacing::new().after(200)),
    )
    .add_style(
        Style::new(SUBTITLE, StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .size(21)
            .bold()
            .color(ACCENT)
            .line_spacing(LineSpacing::new().after(0)),
    )
    .add_style(heading(HEADING1, "heading 1", 28, NAVY, 0, 360))
    .add_style(heading(HEADING2, "heading 2", 23, ACCENT, 1, 240))
}

/// A paragraph whose single line breaks stay line breaks.
fn text(t: &str) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in t.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run)
}

/// A paragraph opening with a bold label, its single line breaks kept.
fn labelled(label: &str, t: &str) -> Paragraph {
    let mut p = Paragraph::new().add_run(Run::new().add_text(format!("{label}: ")).bold());
    for (i, line) in t.split('\n').enumerate() {
        let mut r = Run::new();
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        p = p.add_run(r.add_text(line));
    }
    p
}

fn heading(style: &str, t: &str) -> Paragraph {
    Paragraph::new().style(style).keep_next(true).add_run(Run::new().add_text(t))
}

fn field(label: &str, lines: &[impl AsRef<str>]) -> Paragraph {
    let mut p = Paragraph::new().add_run(Run::new().add_text(format!("{label}: ")).bold().color("595959"));
    for (i, l) in lines.iter().enumerate() {
        let mut r = Run::new();
        if i > 0 {
            r = r.add_break(BreakType::TextWrapping);
        }
        p = p.add_run(r.add_text(l.as_ref()));
    }
    p.line_spacing(LineSpacing::new().after(60))
}

fn cell(t: &str, width: usize, header: bool) -> TableCell {
    let run = Run::new().add_text(t).size(19);
    let run = if header { run.bold().color("FFFFFF") } else { run };
    let c = TableCell::new().width(width, WidthType::Dxa).add_paragraph(Paragraph::new().add_run(run));
    if header {
        c.shading(Shading::new().shd_type(ShdType::Clear).fill(NAVY))
    } else {
        c
    }
}

fn estimates_table(doc: &ReportDocument) -> Table {
    let widths = [TEXT_WIDTH * 38 / 100, TEXT_WIDTH * 18 / 100, TEXT_WIDTH * 44 / 100];
    let row = |cells: [&str; 3], header: bool| {
        let mut tr =
            TableRow::new(vec![cell(cells[0], widths[0], header), cell(cells[1], widths[1], header), cell(cells[2], widths[2], header)]);
        tr = tr.cant_split();
        tr
    };
    let mut rows = vec![row(["Area", "Estimate", "Rationale"], true)];
    rows.extend(doc.estimates.iter().map(|e| row([&e.area_label, &e.value_label, &e.rationale], false)));
    Table::new(rows).set_grid(widths.to_vec()).width(TEXT_WIDTH, WidthType::Dxa)
}

/// A photo and its caption. The picture's relationship id is set from its place in the report
/// (docx-rs would number it from a process-wide counter), so the same report gives the same
/// bytes on the laptop and the server. docx-rs files every picture as `word/media/<id>.png`;
/// a JPEG keeps its own bytes there (Word and LibreOffice read the type from the bytes), so
/// the photo is never re-encoded.
fn photo(index: usize, p: &crate::ReportFigure) -> Result<Vec<Paragraph>, ReportError> {
    let (w_px, h_px) = p.pixels()?;
    let (w, h) = p.printed_size()?;
    // Tenths of a millimetre to EMU (36,000 per millimetre).
    let pic = Pic::new_with_dimensions(p.bytes.clone(), w_px, h_px).size(w * 3_600, h * 3_600).id(format!("rIdPhoto{}", index + 1));
    let mut out = vec![Paragraph::new().keep_next(true).line_spacing(LineSpacing::new().before(120)).add_run(Run::new().add_image(pic))];
    let caption = p.caption.trim();
    if !caption.is_empty() {
        out.push(
            Paragraph::new().line_spacing(LineSpacing::new().after(200)).add_run(Run::new().add_text(caption).size(18).color("464646")),
        );
    }
    Ok(out)
}

/// The report as a .docx file.
pub fn render_docx(doc: &ReportDocument) -> Result<Vec<u8>, ReportError> {
    let mut out = std::io::Cursor::new(Vec::new());
    xml_parts(doc)?.pack(&mut out).map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// The package parts before zipping, property elements in schema order.
pub(crate) fn xml_parts(doc: &ReportDocument) -> Result<XMLDocx, ReportError> {
    doc.check()?;
    let status = status_line(doc);
    let colour = if doc.is_draft() { DRAFT_RED } else { APPROVED_GREEN };
    let header = Header::new().add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_text(header_status(doc)).bold().color(colour).size(16))
            .add_run(Run::new().add_text(format!("   {} · URN {}", doc.school_name, doc.school_urn)).size(16).color("6E6E6E")),
    );
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().add_text(format!("{}   ·   Page ", doc.template.title)).size(16).color("6E6E6E"))
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(" of ").size(16).color("6E6E6E"))
            .add_num_pages(NumPages::new()),
    );

    let mut d = styles(Docx::new())
        .page_size(A4_W, A4_H)
        .page_margin(PageMargin::new().top(MARGIN_Y).bottom(MARGIN_Y).left(MARGIN_X).right(MARGIN_X).header(708).footer(708))
        .default_fonts(RunFonts::new().ascii("Cambria").hi_ansi("Cambria").cs("Cambria").east_asia("Cambria"))
        .default_size(21)
        .header(header)
        .footer(footer)
        .add_paragraph(Paragraph::new().style(SUBTITLE).add_run(Run::new().add_text(&doc.template.title)))
        .add_paragraph(Paragraph::new().style(TITLE).add_run(Run::new().add_text(&doc.school_name)))
        .add_paragraph(field("URN", &[&doc.school_urn]))
        .add_paragraph(field("Review dates", &[visit_days_line(&doc.visit_days)]))
        .add_paragraph(field("Lead Reviewer", &[&doc.lead_reviewer]))
        .add_paragraph(field("Review team", &team_lines(doc)))
        .add_paragraph(
            Paragraph::new().line_spacing(LineSpacing::new().before(160)).add_run(Run::new().add_text(&status).bold().color(colour)),
        )
        .add_paragraph(heading(HEADING1, ESTIMATES_HEADING))
        .add_table(estimates_table(doc));

    for b in doc.body_blocks() {
        if let Block::Photo(p) = b {
            let index = doc.photos.iter().position(|q| std::ptr::eq(q, p)).unwrap_or_default();
            for paragraph in photo(index, p)? {
                d = d.add_paragraph(paragraph);
            }
            continue;
        }
        d = d.add_paragraph(match b {
            Block::Heading1(t) => heading(HEADING1, t),
            Block::Heading2(t) => heading(HEADING2, t),
            Block::Para(t) => text(t),
            Block::NotWritten => Paragraph::new().add_run(Run::new().add_text("Not yet written.").italic().color("7A7A7A")),
            Block::Labelled(label, t) => labelled(label, t),
            Block::Photo(_) => unreachable!("laid out above"),
        });
    }

    let mut x = d.build();
    for part in [&mut x.document, &mut x.styles].into_iter().chain(&mut x.headers).chain(&mut x.footers) {
        *part = canonical(part);
    }
    Ok(x)
}
