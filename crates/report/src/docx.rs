//! DOCX through docx-rs: real Heading1/Heading2 paragraph styles (so Word's navigation pane and
//! table of contents work), the status line in the page header.

use crate::model::{Block, ReportDocument};
use crate::RenderError;
use docx_rs::{
    AlignmentType, Docx, Header, PageMargin, PageNum, Paragraph, Run, RunFonts, Style, StyleType, Table, TableCell,
    TableRow, WidthType,
};

/// Style ids written into styles.xml and referenced by heading paragraphs.
pub const HEADING1: &str = "Heading1";
pub const HEADING2: &str = "Heading2";
pub const TITLE: &str = "Title";

// A4 in twentieths of a point; 2 cm margins.
const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const MARGIN: i32 = 1134;

fn styles(d: Docx) -> Docx {
    d.add_style(
        Style::new(TITLE, StyleType::Paragraph).name("Title").based_on("Normal").next("Normal").q_format(true).size(40).bold(),
    )
    .add_style(
        Style::new(HEADING1, StyleType::Paragraph)
            .name("heading 1")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .ui_priority(9)
            .size(32)
            .bold()
            .color("1F3864")
            .outline_lvl(0),
    )
    .add_style(
        Style::new(HEADING2, StyleType::Paragraph)
            .name("heading 2")
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .ui_priority(9)
            .size(26)
            .bold()
            .color("2F5496")
            .outline_lvl(1),
    )
}

fn text(t: &str) -> Paragraph {
    // Line breaks inside a paragraph stay line breaks.
    let mut run = Run::new();
    for (i, line) in t.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    Paragraph::new().add_run(run)
}

fn label_value(label: &str, value: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(format!("{label}: ")).bold()).add_run(Run::new().add_text(value))
}

fn cell(t: &str, bold: bool) -> TableCell {
    let mut r = Run::new().add_text(t);
    if bold {
        r = r.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(r))
}

/// The report as a .docx file.
pub fn render_docx(doc: &ReportDocument) -> Result<Vec<u8>, RenderError> {
    let status = Run::new().add_text(doc.status_line()).bold();
    let status = if doc.is_draft() { status.color("C00000") } else { status.color("385723") };
    let header = Header::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(status)
            .add_run(Run::new().add_text(format!("   {} · URN {}", doc.school_name, doc.school_urn)).size(16)),
    );
    let footer = docx_rs::Footer::new().add_paragraph(
        Paragraph::new().align(AlignmentType::Center).add_run(Run::new().add_text("Page ")).add_page_num(PageNum::new()),
    );

    let mut d = styles(Docx::new())
        .page_size(A4_W, A4_H)
        .page_margin(PageMargin::new().top(MARGIN).bottom(MARGIN).left(MARGIN).right(MARGIN))
        .default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri").cs("Calibri"))
        .default_size(22)
        .header(header)
        .footer(footer)
        .add_paragraph(Paragraph::new().style(TITLE).add_run(Run::new().add_text(&doc.title)))
        .add_paragraph(label_value("School", &doc.school_name))
        .add_paragraph(label_value("URN", &doc.school_urn))
        .add_paragraph(label_value("Review dates", &doc.visit_days.join(", ")))
        .add_paragraph(label_value("Lead Reviewer", &doc.lead_reviewer));
    let team: Vec<String> = doc.team.iter().map(|t| format!("{} ({})", t.name, t.role_label)).collect();
    d = d.add_paragraph(label_value("Review team", &team.join("; ")));
    d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(doc.status_line()).italic()));

    d = d.add_paragraph(Paragraph::new().style(HEADING1).add_run(Run::new().add_text("Estimates")));
    let mut rows = vec![TableRow::new(vec![cell("Area", true), cell("Estimate", true), cell("Rationale", true)])];
    for e in &doc.estimates {
        rows.push(TableRow::new(vec![cell(&e.area_label, false), cell(&e.value_label, true), cell(&e.rationale, false)]));
    }
    d = d.add_table(Table::new(rows).set_grid(vec![3600, 1800, 4238]).width(9638, WidthType::Dxa));

    for b in doc.body_blocks() {
        d = d.add_paragraph(match b {
            Block::Heading1(t) => Paragraph::new().style(HEADING1).add_run(Run::new().add_text(t)),
            Block::Heading2(t) => Paragraph::new().style(HEADING2).add_run(Run::new().add_text(t)),
            Block::Para(t) => text(t),
        });
    }

    let mut out = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
