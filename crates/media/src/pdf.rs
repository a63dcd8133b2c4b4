use std::io::Read;

use crate::limits::megabytes;
use crate::{Limits, MediaError, Mime, SafeAttachment};

/// PDF name objects that make a document do something on the reader's computer: run a script
/// (`/JavaScript`, `/JS`, XFA forms' `/XFA`), start a program (`/Launch`), carry other files
/// (`/EmbeddedFile`, `/EmbeddedFiles`) or play embedded media (`/RichMedia`). A school's
/// self-evaluation or timetable needs none of them.
const ACTIVE_NAMES: &[(&[u8], &str)] = &[
    (b"JavaScript", "a script"),
    (b"JS", "a script"),
    (b"XFA", "an XFA form with scripts"),
    (b"Launch", "an action that starts a program"),
    (b"EmbeddedFile", "an embedded file"),
    (b"EmbeddedFiles", "embedded files"),
    (b"RichMedia", "embedded media"),
];

/// Compressed streams together may inflate to this much while being scanned; a document that
/// inflates to more is refused as a decompression bomb would be.
const MAX_INFLATED_TOTAL: u64 = 256 * 1024 * 1024;

/// The PDF's end-of-file marker must be within this many bytes of the end (as readers allow).
const EOF_WINDOW: usize = 1024;

/// Checks a PDF and keeps it byte for byte: size, header, end marker (a file cut short while
/// copying has none) and no active content, looked for in the file itself and inside every
/// Flate-compressed stream (object streams hide dictionaries there).
pub(crate) fn check(bytes: &[u8], name: &str, limits: &Limits) -> Result<SafeAttachment, MediaError> {
    if bytes.len() > limits.max_document_bytes {
        return Err(MediaError::TooLarge {
            name: name.to_string(),
            detail: format!("the file is {}; documents can be up to {}", megabytes(bytes.len()), megabytes(limits.max_document_bytes)),
        });
    }
    let tail = &bytes[bytes.len().saturating_sub(EOF_WINDOW)..];
    if find(tail, b"%%EOF").is_none() {
        return Err(MediaError::Damaged {
            name: name.to_string(),
            detail: "the PDF has no end marker: it may have been cut short while copying".to_string(),
        });
    }
    let mut inflated_budget = MAX_INFLATED_TOTAL;
    let mut pending = vec![bytes.to_vec()];
    while let Some(chunk) = pending.pop() {
        if let Some(what) = active_name(&chunk) {
            return Err(MediaError::ActiveContent { name: name.to_string(), what: what.to_string() });
        }
        for stream in streams(&chunk) {
            match inflate(stream, inflated_budget) {
                Inflated::Data(data) => {
                    inflated_budget -= data.len() as u64;
                    pending.push(data);
                }
                // Not zlib (images, fonts under other filters) or damaged: nothing to scan there.
                Inflated::NotFlate => {}
                Inflated::OverBudget => {
                    return Err(MediaError::TooLarge {
                        name: name.to_string(),
                        detail: "its compressed contents unpack to far more than a document needs".to_string(),
                    })
                }
            }
        }
    }
    Ok(SafeAttachment {
        bytes: bytes.to_vec(),
        mime: Mime::Pdf,
        dimensions: None,
        may_show_face: false,
        faces_blurred: false,
        thumbnail: None,
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// PDF delimiters and white space end a name (ISO 32000-1, 7.2.2 and 7.3.5).
fn ends_name(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// The first active name in `data`, with `#xx` escapes decoded (`/J#61vaScript` is `/JavaScript`).
fn active_name(data: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while i < data.len() {
        if data[i] != b'/' {
            i += 1;
            continue;
        }
        let mut name = Vec::new();
        let mut j = i + 1;
        while j < data.len() && !ends_name(data[j]) {
            if data[j] == b'#' && j + 2 < data.len() {
                let hex = std::str::from_utf8(&data[j + 1..j + 3]).ok();
                if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    name.push(value);
                    j += 3;
                    continue;
                }
            }
            name.push(data[j]);
            j += 1;
        }
        if let Some((_, what)) = ACTIVE_NAMES.iter().find(|(active, _)| *active == name.as_slice()) {
            return Some(what);
        }
        i = j.max(i + 1);
    }
    None
}

/// The raw contents of each `stream … endstream` in `data`.
fn streams(data: &[u8]) -> Vec<&[u8]> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&data[at..], b"stream") {
        let keyword = at + start;
        // "endstream" also contains "stream": skip it.
        if keyword >= 3 && &data[keyword - 3..keyword] == b"end" {
            at = keyword + 6;
            continue;
        }
        let mut body = keyword + 6;
        if data.get(body) == Some(&b'\r') {
            body += 1;
        }
        if data.get(body) == Some(&b'\n') {
            body += 1;
        }
        let Some(end) = find(&data[body..], b"endstream") else {
            break;
        };
        found.push(&data[body..body + end]);
        at = body + end + 9;
    }
    found
}

enum Inflated {
    Data(Vec<u8>),
    NotFlate,
    OverBudget,
}

fn inflate(stream: &[u8], budget: u64) -> Inflated {
    // A zlib header: deflate method, and the check bits make the first two bytes a multiple of 31.
    let is_zlib = stream.len() >= 2 && stream[0] & 0x0F == 8 && (u16::from(stream[0]) << 8 | u16::from(stream[1])) % 31 == 0;
    if !is_zlib {
        return Inflated::NotFlate;
    }
    let mut out = Vec::new();
    let mut reader = flate2::read::ZlibDecoder::new(stream).take(budget + 1);
    // A stream cut short still yields what it had: scan that much.
    let _ = reader.read_to_end(&mut out);
    if out.len() as u64 > budget {
        Inflated::OverBudget
    } else if out.is_empty() {
        Inflated::NotFlate
    } else {
        Inflated::Data(out)
    }
}
