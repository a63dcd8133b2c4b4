//! The CSV a chart is downloaded as: RFC 4180 (a header row, CRLF line ends, a field quoted when
//! it holds a comma, quote or line break, quotes doubled), UTF-8 with a byte-order mark so
//! spreadsheet programs on Windows read "Working Towards Effective" and "£" alike. A field that
//! begins with `=`, `+`, `-` or `@` is prefixed with `'` so no spreadsheet runs it as a formula.

/// The whole file: the header, then each row.
pub fn to_csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    line(&mut out, header.iter().copied());
    for row in rows {
        line(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn line<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f));
    }
    out.push_str("\r\n");
}

/// One field as written.
pub fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it_and_keeps_utf8() {
        let csv = to_csv(
            &["area", "estimate", "schools"],
            &[
                vec!["Leadership, at all levels".into(), "Working Towards Effective".into(), "7".into()],
                vec!["The \"quality\"\nof provision".into(), "Ineffective".into(), "".into()],
                vec!["=HYPERLINK(1)".into(), "Café £".into(), "5".into()],
            ],
        );
        assert_eq!(
            csv,
            "\u{feff}area,estimate,schools\r\n\"Leadership, at all levels\",Working Towards Effective,7\r\n\
             \"The \"\"quality\"\"\nof provision\",Ineffective,\r\n'=HYPERLINK(1),Café £,5\r\n"
        );
    }
}
