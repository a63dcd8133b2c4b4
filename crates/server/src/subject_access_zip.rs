//! Packs a subject-access export (issue 24, point 3) as one zip held in memory: the data as
//! JSON for machines, a readable HTML summary for the person, and a manifest (what each file is,
//! its SHA-256, counts, what the DPO must look at). Nothing is written to the server's disk: the
//! endpoint sends the bytes and drops them, the CLI writes them only where the operator says.

use crate::mail::escape_html;
use crate::store::subject_access::SubjectAccess;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::Write;

pub const DATA_FILE: &str = "subject-access.json";
pub const SUMMARY_FILE: &str = "summary.html";
pub const MANIFEST_FILE: &str = "manifest.json";

/// The zip's bytes and its manifest (also inside the zip).
pub fn pack(export: &SubjectAccess) -> std::io::Result<(Vec<u8>, Value)> {
    let data = json!({
        "format": 1,
        "generated_ms": export.generated_ms,
        "data": export.document,
        "for_the_dpo": { "mentions_to_review": export.flags },
    });
    let data = serde_json::to_vec_pretty(&data).map_err(std::io::Error::other)?;
    let summary = summary_html(export).into_bytes();
    let file = |name: &str, bytes: &[u8], what: &str| json!({ "name": name, "bytes": bytes.len(), "sha256": hex::encode(Sha256::digest(bytes)), "what": what });
    let manifest = json!({
        "format": 1,
        "person_id": export.user_id,
        "generated_ms": export.generated_ms,
        "files": [
            file(DATA_FILE, &data, "everything the server holds about the person, machine-readable (JSON)"),
            file(SUMMARY_FILE, &summary, "the same, readable in a browser"),
        ],
        "counts": export.counts,
        "flagged_mentions": export.flags.len(),
        "before_sending": "Free text the person wrote may name other people. Each place is listed under for_the_dpo in the JSON and \
                           highlighted in the summary: redact what is about someone else before sending.",
        "kept_on_the_server": "No. The export was made on request and not stored; the audit chain records that it was made, with counts.",
    });
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in [(MANIFEST_FILE, &manifest_bytes), (DATA_FILE, &data), (SUMMARY_FILE, &summary)] {
        zip.start_file(name, options).map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    let bytes = zip.finish().map_err(std::io::Error::other)?.into_inner();
    Ok((bytes, manifest))
}

/// A plain HTML page: each section as a table, flagged mentions first.
fn summary_html(export: &SubjectAccess) -> String {
    let mut h = String::new();
    let e = escape_html;
    h.push_str("<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!("<title>What QAR Field holds about {}</title>", e(&export.name)));
    h.push_str("<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .4rem;vertical-align:top;text-align:left}.flag{background:#fff3b0}</style></head><body>");
    h.push_str(&format!("<h1>What QAR Field holds about {}</h1>", e(&export.name)));
    h.push_str(&format!(
        "<p>Made on {} (UTC) for a subject access request. The same data is in <code>{DATA_FILE}</code>.</p>",
        e(&british_time(export.generated_ms))
    ));
    if !export.flags.is_empty() {
        h.push_str("<h2 class=\"flag\">For the data protection officer: other people may be named</h2><table><tr><th>Where</th><th>Field</th><th>Found</th></tr>");
        for f in &export.flags {
            h.push_str(&format!(
                "<tr class=\"flag\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                e(&f.place),
                e(&f.field),
                e(&f.mentions.join(", "))
            ));
        }
        h.push_str("</table>");
    }
    if let Value::Object(sections) = &export.document {
        for (name, value) in sections {
            h.push_str(&format!("<h2>{}</h2>", e(&heading(name))));
            h.push_str(&render(value));
        }
    }
    h.push_str("</body></html>\n");
    h
}

fn heading(section: &str) -> String {
    let text = section.replace('_', " ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn render(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut out = String::from("<table>");
            for (k, v) in map {
                out.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", escape_html(k), render(v)));
            }
            out + "</table>"
        }
        Value::Array(items) if items.is_empty() => "<p>None held.</p>".to_owned(),
        Value::Array(items) => items.iter().map(|i| format!("<div>{}</div>", render(i))).collect(),
        Value::Null => String::new(),
        Value::String(s) => escape_html(s).replace('\n', "<br>"),
        other => escape_html(&other.to_string()),
    }
}

fn british_time(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64).map(|t| t.format("%-d %b %Y %H:%M").to_string()).unwrap_or_default()
}

/// `subject-access-<id>.zip` with only letters, digits, `-` and `_` of the id (a header value
/// and a file name on every system).
pub fn file_name(user_id: &str) -> String {
    let id: String = user_id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(80).collect();
    format!("subject-access-{id}.zip")
}
