//! Puts property elements into the order ECMA-376 prescribes. docx-rs writes some children in its
//! own order (`<w:pPr>` with `<w:rPr>` before `<w:pStyle>`, `<w:rPr>` with `<w:color>` before
//! `<w:b>`, `<w:style>` with `<w:rPr>` before `<w:basedOn>`); the schema fixes a sequence,
//! validators reject anything else, and Word is reported to drop out-of-sequence run properties.
//! So every part is reordered before zipping. The parser is just enough for docx-rs's output:
//! elements, attributes in quotes, text; no comments, CDATA or DTDs.

/// CT_PPr (paragraph properties).
const PPR: &[&str] = &[
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
];
/// CT_ParaRPr / CT_RPr (run properties; the first four only occur on paragraph marks).
const RPR: &[&str] = &[
    "ins",
    "del",
    "moveFrom",
    "moveTo",
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
    "rPrChange",
];
/// CT_Style.
const STYLE: &[&str] = &[
    "name",
    "aliases",
    "basedOn",
    "next",
    "link",
    "autoRedefine",
    "hidden",
    "uiPriority",
    "semiHidden",
    "unhideWhenUsed",
    "qFormat",
    "locked",
    "personal",
    "personalCompose",
    "personalReply",
    "rsid",
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblStylePr",
];
/// CT_SectPr.
const SECTPR: &[&str] = &[
    "headerReference",
    "footerReference",
    "footnotePr",
    "endnotePr",
    "type",
    "pgSz",
    "pgMar",
    "paperSrc",
    "pgBorders",
    "lnNumType",
    "pgNumType",
    "cols",
    "formProt",
    "vAlign",
    "noEndnote",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
    "printerSettings",
    "sectPrChange",
];

fn order_of(container: &str) -> Option<&'static [&'static str]> {
    match container {
        "w:pPr" => Some(PPR),
        "w:rPr" => Some(RPR),
        "w:style" => Some(STYLE),
        "w:sectPr" => Some(SECTPR),
        _ => None,
    }
}

#[derive(Debug)]
enum Node<'a> {
    Text(&'a str),
    Elem { name: &'a str, start: &'a str, children: Vec<Node<'a>>, end: &'a str },
}

/// `xml` with the children of `w:pPr`, `w:rPr`, `w:style` and `w:sectPr` in schema order (a
/// stable sort: unknown children keep their places relative to each other, after the known).
/// Input it cannot parse is returned unchanged.
pub(crate) fn canonical(xml: &[u8]) -> Vec<u8> {
    let Ok(s) = std::str::from_utf8(xml) else { return xml.to_vec() };
    let Some(mut nodes) = parse(s) else { return xml.to_vec() };
    sort(&mut nodes, None);
    let mut out = String::with_capacity(s.len());
    write(&nodes, &mut out);
    out.into_bytes()
}

fn rank(order: &[&str], n: &Node) -> usize {
    match n {
        Node::Elem { name, .. } => {
            let local = name.strip_prefix("w:").unwrap_or(name);
            order.iter().position(|o| *o == local).unwrap_or(order.len())
        }
        Node::Text(_) => order.len(),
    }
}

fn sort(nodes: &mut [Node], parent: Option<&str>) {
    if let Some(order) = parent.and_then(order_of) {
        nodes.sort_by_key(|n| rank(order, n));
    }
    for n in nodes {
        if let Node::Elem { name, children, .. } = n {
            sort(children, Some(name));
        }
    }
}

fn write(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Elem { start, children, end, .. } => {
                out.push_str(start);
                write(children, out);
                out.push_str(end);
            }
        }
    }
}

/// End of the tag starting at `from` (the index just past its `>`), skipping quoted values.
fn tag_end(s: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

fn parse(s: &str) -> Option<Vec<Node<'_>>> {
    // Each open element: (name, start tag, children so far).
    let mut stack: Vec<(&str, &str, Vec<Node>)> = vec![("", "", Vec::new())];
    let mut pos = 0;
    while pos < s.len() {
        let Some(lt) = s[pos..].find('<').map(|i| pos + i) else {
            stack.last_mut()?.2.push(Node::Text(&s[pos..]));
            break;
        };
        if lt > pos {
            stack.last_mut()?.2.push(Node::Text(&s[pos..lt]));
        }
        let end = tag_end(s, lt)?;
        let tag = &s[lt..end];
        if tag.starts_with("</") {
            let (name, start, children) = stack.pop()?;
            if tag[2..tag.len() - 1].trim() != name {
                return None;
            }
            stack.last_mut()?.2.push(Node::Elem { name, start, children, end: tag });
        } else if tag.starts_with("<?") || tag.starts_with("<!") {
            stack.last_mut()?.2.push(Node::Text(tag));
        } else {
            let name_end = tag[1..].find(|c: char| c.is_whitespace() || c == '/' || c == '>')? + 1;
            let name = &tag[1..name_end];
            if tag.ends_with("/>") {
                stack.last_mut()?.2.push(Node::Elem { name, start: tag, children: Vec::new(), end: "" });
            } else {
                stack.push((name, tag, Vec::new()));
            }
        }
        pos = end;
    }
    let (_, _, nodes) = stack.pop()?;
    stack.is_empty().then_some(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        String::from_utf8(canonical(s.as_bytes())).unwrap()
    }

    #[test]
    fn reorders_property_children_and_nothing_else() {
        assert_eq!(
            c(
                r#"<?xml version="1.0"?><w:p><w:pPr><w:rPr><w:sz w:val="2" /><w:color w:val="a>b" /><w:b /></w:rPr><w:pStyle w:val="Heading1" /></w:pPr><w:r><w:t>x &lt; y</w:t></w:r></w:p>"#
            ),
            r#"<?xml version="1.0"?><w:p><w:pPr><w:pStyle w:val="Heading1" /><w:rPr><w:b /><w:color w:val="a>b" /><w:sz w:val="2" /></w:rPr></w:pPr><w:r><w:t>x &lt; y</w:t></w:r></w:p>"#
        );
        // Unknown children go last, in their order; other elements are untouched.
        assert_eq!(c("<w:rPr><w:zz /><w:b /><w:aa /></w:rPr>"), "<w:rPr><w:b /><w:zz /><w:aa /></w:rPr>");
        assert_eq!(c("<w:body><w:tbl /><w:p /></w:body>"), "<w:body><w:tbl /><w:p /></w:body>");
    }

    #[test]
    fn unparseable_input_is_left_alone() {
        assert_eq!(c("<w:p><w:pPr></w:p>"), "<w:p><w:pPr></w:p>");
    }

    /// Every container in every part of the fixture's DOCX is in schema order, with no child
    /// the tables do not know (which would mean a table needs extending).
    #[test]
    fn rendered_parts_are_in_schema_order() {
        fn check(nodes: &[Node], parent: Option<&str>, part: &str) {
            if let Some(order) = parent.and_then(order_of) {
                let ranks: Vec<usize> = nodes.iter().map(|n| rank(order, n)).collect();
                assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{part}: {parent:?} children out of order");
                assert!(ranks.iter().all(|r| *r < order.len()), "{part}: {parent:?} has a child not in the table: {nodes:?}");
            }
            for n in nodes {
                if let Node::Elem { name, children, .. } = n {
                    check(children, Some(name), part);
                }
            }
        }
        for d in [crate::fixtures::fixture(), crate::fixtures::issued_fixture()] {
            let x = crate::docx::xml_parts(&d).unwrap();
            let parts = [("document", &x.document), ("styles", &x.styles)]
                .into_iter()
                .chain(x.headers.iter().map(|h| ("header", h)))
                .chain(x.footers.iter().map(|f| ("footer", f)));
            for (part, bytes) in parts {
                let s = std::str::from_utf8(bytes).unwrap();
                check(&parse(s).expect("docx-rs output parses"), None, part);
            }
        }
    }
}
