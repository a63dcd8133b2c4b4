//! Citing evidence notes from the report (issue 18): the Lead Reviewer puts a citation in a
//! section's text; the team's app shows it as a link to the note, and every export leaves it out,
//! so no evidence (not even a note's id) reaches the school unless the LR quotes it on purpose.
//!
//! A citation is the token `[[note:<uuid>]]` inside the section's text: plain text, so it syncs,
//! merges and hashes like the rest of the section, and an app that does not know citations shows
//! it as written rather than losing it.

use serde::Serialize;
use uuid::Uuid;

pub const PREFIX: &str = "[[note:";
pub const SUFFIX: &str = "]]";

/// The token format, for the UI to build and find citations without typing it again.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CitationFormat {
    pub prefix: &'static str,
    pub suffix: &'static str,
}

pub const FORMAT: CitationFormat = CitationFormat { prefix: PREFIX, suffix: SUFFIX };

/// The token that cites `note`.
pub fn token(note: Uuid) -> String {
    format!("{PREFIX}{note}{SUFFIX}")
}

/// One citation in a text: its byte range and the note it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cited {
    pub start: usize,
    pub end: usize,
    pub note: Uuid,
}

/// Every well-formed citation in `text`, in order. Something that only looks like one (a bad id,
/// no closing brackets) is text, left as typed.
pub fn find(text: &str) -> Vec<Cited> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(PREFIX) {
        let start = from + at;
        let id_from = start + PREFIX.len();
        match text[id_from..].find(SUFFIX) {
            Some(len) => {
                let end = id_from + len + SUFFIX.len();
                match Uuid::parse_str(&text[id_from..id_from + len]) {
                    Ok(note) => {
                        out.push(Cited { start, end, note });
                        from = end;
                    }
                    Err(_) => from = id_from,
                }
            }
            None => break,
        }
    }
    out
}

/// `text` without its citations, as exports and word counts read it. A space before a citation
/// goes with it, so "as seen [[note:…]]." reads "as seen.".
pub fn strip(text: &str) -> String {
    let cites = find(text);
    if cites.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for c in cites {
        let kept = &text[from..c.start];
        out.push_str(kept.strip_suffix(' ').unwrap_or(kept));
        from = c.end;
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0190a5b2-0000-7000-8000-000000000001";
    const B: &str = "0190a5b2-0000-7000-8000-000000000002";

    #[test]
    fn citations_are_found_in_order_and_lookalikes_are_text() {
        let text = format!("Reading is strong {}{A}{} and {}{B}{}. Not [[note:12]] nor [[note:{A}", PREFIX, SUFFIX, PREFIX, SUFFIX);
        let found: Vec<String> = find(&text).iter().map(|c| c.note.to_string()).collect();
        assert_eq!(found, [A, B]);
        assert_eq!(token(Uuid::parse_str(A).unwrap()), format!("[[note:{A}]]"));
    }

    #[test]
    fn exports_read_the_text_without_citations() {
        let text = format!("Reading is strong [[note:{A}]] and well taught [[note:{B}]].\n\nNext [[note:bad]].");
        assert_eq!(strip(&text), "Reading is strong and well taught.\n\nNext [[note:bad]].");
        assert_eq!(strip("No citations here."), "No citations here.");
    }
}
