//! The report as Typst markup. The fixed parts (page setup, styles) are written here by hand;
//! every piece of user or model text goes in through [`typst_str`], so it is data, never markup.

use crate::blocks::{Block, ESTIMATES_HEADING};
use crate::escape::typst_str;
use crate::model::ReportDocument;
use crate::wording::{header_status, status_line, team_lines, visit_days_line, DRAFT_LINE};
use crate::world::BODY_FONT;
use std::fmt::Write as _;

/// Page setup, styles and the page-1 header block. [`fill`] replaces each `{name}` with an
/// already-escaped value; `{{`/`}}` are literal braces.
const PREAMBLE: &str = r##"#set document(title: {doc_title}, author: ({lead},))
#set text(font: {font}, size: 10.5pt, lang: "en", region: "gb", fill: luma(30))
#set par(justify: true, leading: 0.62em, spacing: 1em)
#let navy = rgb("#1F3864")
#let accent = rgb("#2F5496")
#let status-fill = {status_fill}
#set page(
  paper: "a4",
  margin: (x: 2.5cm, top: 2.9cm, bottom: 2.6cm),
  background: {watermark},
  header: {{
    set text(size: 8pt)
    set par(justify: false)
    grid(columns: (auto, 1fr), column-gutter: 12pt, align: (left, right),
      text(weight: "bold", fill: status-fill, {header_status}),
      text(fill: luma(110), {school} + " · URN " + {urn}))
    v(-4pt)
    line(length: 100%, stroke: 0.4pt + luma(175))
  }},
  footer: context {{
    set text(size: 8pt, fill: luma(110))
    grid(columns: (1fr, auto), {title},
      [Page #counter(page).display() of #counter(page).final().first()])
  }},
)
#show heading: set text(fill: navy)
#show heading: set par(justify: false)
#show heading.where(level: 1): set text(size: 14pt)
#show heading.where(level: 1): set block(above: 1.7em, below: 0.8em)
#show heading.where(level: 2): set text(size: 11.5pt, fill: accent)
#show heading.where(level: 2): set block(above: 1.2em, below: 0.6em)
#show table: set par(justify: false)
#show table: set text(size: 9.5pt)
#let field(name) = text(fill: luma(90), weight: "bold", name)

#block(below: 1.1em)[
  #text(size: 10.5pt, fill: accent, weight: "bold", {title})
  #v(-2pt)
  #text(size: 24pt, weight: "bold", fill: navy, {school})
  #v(-4pt)
  #line(length: 100%, stroke: 1.4pt + navy)
]
#grid(columns: (7.2em, 1fr), column-gutter: 10pt, row-gutter: 0.75em,
  field("URN"), {urn},
  field("Review dates"), {dates},
  field("Lead Reviewer"), {lead},
  field("Review team"), ({team}).join(linebreak()),
)
#v(0.6em)
#block(width: 100%, inset: (x: 10pt, y: 7pt), fill: {status_bg}, stroke: (left: 3pt + status-fill),
  par(justify: false, text(weight: "bold", fill: status-fill, {status})))
"##;

/// Page background, so it sits behind the text (readable) and is tagged as an artifact (screen
/// readers skip it; the header line says the same thing once per page).
const DRAFT_WATERMARK: &str = r#"place(center + horizon, rotate(-55deg, reflow: false,
    text(fill: rgb(192, 0, 0, 38), weight: "bold", stack(spacing: 16pt,
      align(center, text(size: 120pt, "DRAFT")), align(center, text(size: 36pt, "not approved"))))))"#;

/// The Typst source for a report. Public so tests (and curious developers) can read it.
pub fn typst_source(doc: &ReportDocument) -> String {
    let body_len: usize = doc.sections.iter().map(|s| s.body.len() + 16).sum();
    let mut s = String::with_capacity(PREAMBLE.len() + 2048 + body_len * 11 / 10);
    let (status_fill, status_bg, watermark) = if doc.is_draft() {
        (r##"rgb("#B00020")"##, r##"rgb("#FBEAEC")"##, DRAFT_WATERMARK)
    } else {
        (r##"rgb("#2E6B30")"##, r##"rgb("#EAF4EA")"##, "none")
    };
    let team: Vec<String> = team_lines(doc).iter().map(|t| typst_str(t)).collect();
    let vars: [(&str, String); 13] = [
        ("doc_title", typst_str(&format!("{} — {}", doc.template.title, doc.school_name))),
        ("lead", typst_str(&doc.lead_reviewer)),
        ("font", typst_str(BODY_FONT)),
        ("status_fill", status_fill.into()),
        ("status_bg", status_bg.into()),
        ("watermark", watermark.into()),
        ("status", typst_str(&status_line(doc))),
        ("header_status", typst_str(&header_status(doc))),
        ("school", typst_str(&doc.school_name)),
        ("urn", typst_str(&doc.school_urn)),
        ("title", typst_str(&doc.template.title)),
        ("dates", typst_str(&visit_days_line(&doc.visit_days))),
        // A trailing comma keeps a one-member team an array; `(,)` would not parse.
        ("team", if team.is_empty() { String::new() } else { format!("{},", team.join(", ")) }),
    ];
    fill(&mut s, PREAMBLE, &vars);

    let _ = write!(
        s,
        "\n#heading(level: 1, {})\n#table(columns: (2.2fr, 1.4fr, 2.5fr), inset: (x: 7pt, y: 6pt), align: left + top,\n  \
         stroke: (_, y) => (bottom: if y == 0 {{ 0pt }} else {{ 0.5pt + luma(200) }}),\n  \
         fill: (_, y) => if y == 0 {{ navy }} else if calc.even(y) {{ rgb(\"#F3F6FB\") }},\n  \
         table.header(..(\"Area\", \"Estimate\", \"Rationale\").map(h => text(fill: white, weight: \"bold\", h))),\n",
        typst_str(ESTIMATES_HEADING)
    );
    for e in &doc.estimates {
        let _ = writeln!(
            s,
            "  {}, text(weight: \"bold\", fill: navy, {}), {},",
            typst_str(&breakable(&e.area_label)),
            typst_str(&breakable(&e.value_label)),
            typst_str(&breakable(&e.rationale))
        );
    }
    s.push_str(")\n\n");

    for b in doc.body_blocks() {
        let _ = match b {
            Block::Heading1(t) => writeln!(s, "#heading(level: 1, {})", typst_str(t)),
            Block::Heading2(t) => writeln!(s, "#heading(level: 2, {})", typst_str(t)),
            Block::Para(t) => writeln!(s, "#par({})", typst_str(&breakable(t))),
            Block::NotWritten => writeln!(s, "#par(text(style: \"italic\", fill: luma(120), \"Not yet written.\"))"),
            Block::Labelled(label, t) => {
                writeln!(s, "#par(strong({}) + {})", typst_str(label), typst_str(&format!(": {}", breakable(t))))
            }
            Block::Photo(p) => {
                let index = doc.photos.iter().position(|q| std::ptr::eq(q, p)).unwrap_or_default();
                // check() has read the size already; a photo it refused never gets here.
                let (w, _) = p.printed_size().unwrap_or((10 * crate::photo::MAX_WIDTH_MM, 0));
                let caption = p.caption.trim();
                let alt = if caption.is_empty() { "Photo from the review".to_owned() } else { format!("Photo: {caption}") };
                let caption = if caption.is_empty() {
                    "none".to_owned()
                } else {
                    format!("text(size: 9pt, fill: luma(70), {})", typst_str(&breakable(caption)))
                };
                writeln!(
                    s,
                    "#figure(image({}, width: {}.{}mm, alt: {}), numbering: none, caption: {caption})",
                    typst_str(&photo_file(index, p)),
                    w / 10,
                    w % 10,
                    typst_str(&alt)
                )
            }
        };
    }
    debug_assert!(!doc.is_draft() || s.contains(&typst_str(DRAFT_LINE)));
    s
}

/// The name under which the Typst world serves the report's photo number `index`.
pub(crate) fn photo_file(index: usize, p: &crate::ReportFigure) -> String {
    let ext = if p.mime == "image/png" { "png" } else { "jpg" };
    format!("photo-{index}.{ext}")
}

/// Runs of characters with no break opportunity longer than this are not words (hashes, ids,
/// URL segments) and get break opportunities every [`SLICE`] characters.
const MAX_UNBROKEN: usize = 24;
/// Fine enough that a justified line holding such a run is not stretched much.
const SLICE: usize = 6;

/// `t` with zero-width spaces inside overlong runs, so a pasted hash or identifier wraps instead
/// of running off the page (Typst, like a browser without `overflow-wrap`, never breaks inside a
/// word). Real words are left alone, so they still hyphenate properly.
fn breakable(t: &str) -> std::borrow::Cow<'_, str> {
    let opens_break = |c: char| c.is_whitespace() || matches!(c, '-' | '/' | '\u{200B}' | '—' | '–');
    let overlong = |run: &str| run.chars().count() > MAX_UNBROKEN;
    if !t.split(opens_break).any(overlong) {
        return t.into();
    }
    let mut out = String::with_capacity(t.len() + t.len() / 4);
    let mut rest = t;
    while !rest.is_empty() {
        let run_end = rest.find(opens_break).unwrap_or(rest.len());
        let (run, tail) = rest.split_at(run_end);
        if overlong(run) {
            for (i, c) in run.chars().enumerate() {
                if i > 0 && i % SLICE == 0 {
                    out.push('\u{200B}');
                }
                out.push(c);
            }
        } else {
            out.push_str(run);
        }
        let sep_len = tail.chars().next().map_or(0, char::len_utf8);
        out.push_str(&tail[..sep_len]);
        rest = &tail[sep_len..];
    }
    out.into()
}

/// Writes `template` with each `{name}` replaced by its value and `{{`/`}}` as braces, in one
/// pass: a value is never scanned again, so text containing `{school}` stays text.
fn fill(out: &mut String, template: &str, vars: &[(&str, String)]) {
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        let end = tail.find('}').expect("placeholder closed");
        let name = &tail[1..end];
        let value = vars.iter().find(|(k, _)| *k == name).unwrap_or_else(|| panic!("no value for {{{name}}}"));
        out.push_str(&value.1);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{approved_fixture, fixture};

    #[test]
    fn draft_watermark_is_page_background_only_for_drafts() {
        let draft = typst_source(&fixture());
        assert!(draft.contains("background: place(center + horizon, rotate(-55deg"));
        let approved = typst_source(&approved_fixture());
        assert!(approved.contains("background: none"));
        assert!(!approved.contains("DRAFT"));
    }

    #[test]
    fn user_text_only_appears_inside_string_literals() {
        let mut d = fixture();
        d.school_name = "#set page(width: 1cm)".into();
        d.sections[0].body = "= Not a heading".into();
        let src = typst_source(&d);
        assert!(!src.contains("\n#set page(width: 1cm)"));
        assert!(src.contains("\"#set page(width: 1cm)\""));
        assert!(src.contains("#par(\"= Not a heading\")"));
    }

    #[test]
    fn long_unbroken_runs_get_break_opportunities() {
        assert_eq!(breakable("short words — and a/very/long/path-with-hyphens"), "short words — and a/very/long/path-with-hyphens");
        let hash = "9d166b7677829d166b7677829d166b767782";
        let b = breakable(hash);
        assert_eq!(b.replace('\u{200B}', ""), hash);
        assert!(b.split('\u{200B}').all(|part| part.chars().count() <= SLICE), "{b:?}");
        assert_eq!(
            breakable("Llanfairpwllgwyngyllgogerych"),
            "Llanfairpwllgwyngyllgogerych"
                .chars()
                .collect::<Vec<_>>()
                .chunks(SLICE)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("\u{200B}")
        );
        assert_eq!(breakable("Internationalisation, ŵ"), "Internationalisation, ŵ", "a long word is still a word");
    }

    #[test]
    fn placeholders_inside_values_are_not_filled() {
        let mut out = String::new();
        fill(&mut out, "a {x} {{b}} {y}", &[("x", "{y}".into()), ("y", "Y".into())]);
        assert_eq!(out, "a {y} {b} Y");
    }
}
