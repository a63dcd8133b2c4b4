//! `qar-server import-schools`: loads the school register from the GIAS "all establishments"
//! CSV (`edubasealldata{YYYYMMDD}.csv`, domain.md §7), as a library function the binary prints
//! and the tests (and later an admin endpoint) call.
//!
//! - Encoding: valid UTF-8 is read as UTF-8 (a BOM is dropped); anything else as Windows-1252.
//! - Columns are found by header name, in any order; unknown columns are ignored. A missing
//!   required column ([`REQUIRED`]) is an error before anything is written. An optional column
//!   that the file lacks leaves the stored value as it is (new schools get it empty).
//! - All rows are written in one transaction. A bad row is rejected with its line and reason
//!   and never stops the good ones; a school whose stored values already match is unchanged, so
//!   importing the same file twice changes nothing the second time. `hub_id` is never written.

use crate::store::schools::{School, SchoolWriter};
use crate::store::{ServerStore, StoreError};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

pub const URN: &str = "URN";
pub const NAME: &str = "EstablishmentName";
pub const TYPE: &str = "TypeOfEstablishment (name)";
pub const PHASE: &str = "PhaseOfEducation (name)";
pub const STATUS: &str = "EstablishmentStatus (name)";
pub const LA: &str = "LA (name)";
pub const TRUST: &str = "Trusts (name)";
pub const TOWN: &str = "Town";
pub const POSTCODE: &str = "Postcode";
pub const REGION: &str = "GOR (name)";
pub const PUPILS: &str = "NumberOfPupils";
pub const FSM: &str = "PercentageFSM";
pub const HEAD_FIRST: &str = "HeadFirstName";
pub const HEAD_LAST: &str = "HeadLastName";
pub const OFSTED_LAST_INSP: &str = "OfstedLastInsp";
pub const OPEN_DATE: &str = "OpenDate";

/// Columns without which the file is refused.
pub const REQUIRED: [&str; 5] = [URN, NAME, PHASE, STATUS, LA];
/// Columns read when present.
pub const OPTIONAL: [&str; 11] = [TYPE, TRUST, TOWN, POSTCODE, REGION, PUPILS, FSM, HEAD_FIRST, HEAD_LAST, OFSTED_LAST_INSP, OPEN_DATE];

#[derive(Debug, thiserror::Error)]
pub enum GiasError {
    #[error("could not read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the file is empty: expected the GIAS header line")]
    Empty,
    #[error("the header has no {} column(s): is this the GIAS \"all establishments\" CSV (edubasealldata*.csv)?", .0.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "))]
    MissingColumns(Vec<String>),
    #[error("could not read the header: {0}")]
    Header(#[from] csv::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How the file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEncoding {
    Utf8,
    Windows1252,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// The row's URN as written ('' when there is none).
    pub urn: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub encoding: FileEncoding,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// In file order.
    pub rejections: Vec<Rejection>,
}

impl ImportSummary {
    pub fn rejected(&self) -> usize {
        self.rejections.len()
    }
    pub fn rows(&self) -> usize {
        self.added + self.updated + self.unchanged + self.rejected()
    }
    /// `"50000 rows: 12 added, 3 updated, 49980 unchanged, 5 rejected"`.
    pub fn summary(&self) -> String {
        format!(
            "{} rows: {} added, {} updated, {} unchanged, {} rejected",
            self.rows(),
            self.added,
            self.updated,
            self.unchanged,
            self.rejected()
        )
    }
}

/// Reads the text of a GIAS file: UTF-8 when the bytes are valid UTF-8 (without its BOM),
/// else Windows-1252 (which maps every byte to a character, so this never fails).
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, FileEncoding) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text.strip_prefix('\u{feff}').unwrap_or(text)), FileEncoding::Utf8),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0, FileEncoding::Windows1252),
    }
}

/// Imports the GIAS CSV at `path` into the register (see the module documentation).
pub fn import(path: &Path, store: &ServerStore, now_ms: u64) -> Result<ImportSummary, GiasError> {
    let bytes = std::fs::read(path).map_err(|source| GiasError::Io { path: path.display().to_string(), source })?;
    import_bytes(&bytes, store, now_ms)
}

/// [`import`] of a file already in memory.
pub fn import_bytes(bytes: &[u8], store: &ServerStore, now_ms: u64) -> Result<ImportSummary, GiasError> {
    let (text, encoding) = decode(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    if headers.is_empty() || headers.iter().all(str::is_empty) {
        return Err(GiasError::Empty);
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        // The first of two columns with the same name wins.
        index.entry(h).or_insert(i);
    }
    let missing: Vec<String> = REQUIRED.iter().filter(|c| !index.contains_key(**c)).map(|c| c.to_string()).collect();
    if !missing.is_empty() {
        return Err(GiasError::MissingColumns(missing));
    }
    let columns = Columns { index, width: headers.len() };
    let mut summary = ImportSummary { encoding, added: 0, updated: 0, unchanged: 0, rejections: Vec::new() };
    store.write_schools(now_ms, |w| -> Result<(), GiasError> {
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut record = csv::StringRecord::new();
        loop {
            let line = reader.position().line();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map_or(line, |p| p.line());
                    summary.rejections.push(Rejection { line, urn: String::new(), reason: format!("malformed row: {e}") });
                    continue;
                }
            }
            let line = record.position().map_or(line, |p| p.line());
            let urn = columns.get(&record, URN).unwrap_or("").to_owned();
            match apply_row(w, &columns, &record, &mut seen, line) {
                Ok(Outcome::Added) => summary.added += 1,
                Ok(Outcome::Updated) => summary.updated += 1,
                Ok(Outcome::Unchanged) => summary.unchanged += 1,
                Err(RowError::Rejected(reason)) => summary.rejections.push(Rejection { line, urn, reason }),
                Err(RowError::Store(e)) => return Err(e.into()),
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

struct Columns<'h> {
    index: HashMap<&'h str, usize>,
    width: usize,
}

impl Columns<'_> {
    /// The value of `column`, or `None` when the file has no such column.
    fn get<'r>(&self, record: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.index.get(column).map(|&i| record.get(i).unwrap_or(""))
    }
}

enum Outcome {
    Added,
    Updated,
    Unchanged,
}

enum RowError {
    Rejected(String),
    Store(StoreError),
}

impl From<StoreError> for RowError {
    fn from(e: StoreError) -> Self {
        RowError::Store(e)
    }
}

fn reject<T>(why: impl Into<String>) -> Result<T, RowError> {
    Err(RowError::Rejected(why.into()))
}

fn apply_row(
    w: &mut SchoolWriter<'_>,
    columns: &Columns<'_>,
    record: &csv::StringRecord,
    seen: &mut HashMap<String, u64>,
    line: u64,
) -> Result<Outcome, RowError> {
    if record.len() != columns.width {
        return reject(format!("malformed row: expected {} values, found {}", columns.width, record.len()));
    }
    let urn = columns.get(record, URN).unwrap_or("");
    if urn.len() != 6 || !urn.bytes().all(|b| b.is_ascii_digit()) {
        return reject(format!("bad URN '{urn}': a URN is 6 digits"));
    }
    // Validate the whole row before touching the store.
    let name = columns.get(record, NAME).unwrap_or("");
    if name.is_empty() {
        return reject("no EstablishmentName");
    }
    if let Err(e) = qar_core::entities::check_name("EstablishmentName", name, qar_core::entities::MAX_NAME, true) {
        return reject(e.to_string());
    }
    let pupils = match columns.get(record, PUPILS) {
        Some(v) => Some(parse_count(v).map_err(|why| RowError::Rejected(format!("{PUPILS}: {why}")))?),
        None => None,
    };
    let fsm = match columns.get(record, FSM) {
        Some(v) => Some(parse_percentage(v).map_err(|why| RowError::Rejected(format!("{FSM}: {why}")))?),
        None => None,
    };
    let date = |column: &str| -> Result<Option<Option<String>>, RowError> {
        match columns.get(record, column) {
            Some(v) => Ok(Some(parse_date(v).map_err(|why| RowError::Rejected(format!("{column}: {why}")))?)),
            None => Ok(None),
        }
    };
    let (ofsted, opened) = (date(OFSTED_LAST_INSP)?, date(OPEN_DATE)?);
    if let Some(first) = seen.get(urn) {
        return reject(format!("URN {urn} is already on line {first}"));
    }
    seen.insert(urn.to_owned(), line);

    let stored = w.get(urn)?;
    let mut school = stored.clone().unwrap_or_else(|| School { urn: urn.to_owned(), ..School::default() });
    school.establishment_name = name.to_owned();
    for (column, field) in [
        (PHASE, &mut school.phase),
        (STATUS, &mut school.status),
        (LA, &mut school.la_name),
        (TYPE, &mut school.establishment_type),
        (TRUST, &mut school.trust_name),
        (TOWN, &mut school.town),
        (POSTCODE, &mut school.postcode),
        (REGION, &mut school.region),
        (HEAD_FIRST, &mut school.head_first_name),
        (HEAD_LAST, &mut school.head_last_name),
    ] {
        if let Some(v) = columns.get(record, column) {
            v.clone_into(field);
        }
    }
    if let Some(v) = pupils {
        school.number_of_pupils = v;
    }
    if let Some(v) = fsm {
        school.percentage_fsm = v;
    }
    if let Some(v) = ofsted {
        school.ofsted_last_insp = v;
    }
    if let Some(v) = opened {
        school.open_date = v;
    }
    match stored {
        None => {
            w.insert(&school)?;
            Ok(Outcome::Added)
        }
        Some(old) if old == school => Ok(Outcome::Unchanged),
        Some(_) => {
            w.update(&school)?;
            Ok(Outcome::Updated)
        }
    }
}

/// A whole number of pupils, or `None` for an empty value.
fn parse_count(v: &str) -> Result<Option<i64>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(Some(n)),
        _ => Err(format!("'{v}' is not a number of pupils")),
    }
}

/// A percentage 0–100, or `None` for an empty value.
fn parse_percentage(v: &str) -> Result<Option<f64>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(Some(p)),
        _ => Err(format!("'{v}' is not a percentage")),
    }
}

/// GIAS `dd-mm-yyyy` as ISO `yyyy-mm-dd`, or `None` for an empty value.
pub fn parse_date(v: &str) -> Result<Option<String>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || format!("'{v}' is not a date (dd-mm-yyyy)");
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = v.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    if b.len() != 10 || b[2] != b'-' || b[5] != b'-' {
        return Err(bad());
    }
    let (Some(d), Some(m), Some(y)) = (digits(0..2), digits(3..5), digits(6..10)) else {
        return Err(bad());
    };
    let days = qar_core::fields::days_in_month(y, m).ok_or_else(bad)?;
    if !(1..=days).contains(&d) || y < 1800 {
        return Err(bad());
    }
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_dd_mm_yyyy_and_real() {
        assert_eq!(parse_date("01-09-2023"), Ok(Some("2023-09-01".to_owned())));
        assert_eq!(parse_date("29-02-2024"), Ok(Some("2024-02-29".to_owned())));
        assert_eq!(parse_date(""), Ok(None));
        for bad in ["29-02-2023", "31-04-2020", "00-01-2020", "2023-09-01", "1-9-2023", "01/09/2023", "aa-bb-cccc", "01-13-2020"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_count("412"), Ok(Some(412)));
        assert_eq!(parse_count(""), Ok(None));
        assert!(parse_count("four").is_err() && parse_count("-1").is_err() && parse_count("4.5").is_err());
        assert_eq!(parse_percentage("23.5"), Ok(Some(23.5)));
        assert!(parse_percentage("SUPP").is_err() && parse_percentage("101").is_err() && parse_percentage("NaN").is_err());
    }

    #[test]
    fn utf8_with_bom_and_windows_1252() {
        assert_eq!(decode(b"\xef\xbb\xbfURN"), (Cow::Borrowed("URN"), FileEncoding::Utf8));
        assert_eq!(decode("Caf\u{e9}".as_bytes()).1, FileEncoding::Utf8);
        let (text, enc) = decode(b"Caf\xe9 \x92s");
        assert_eq!((text.as_ref(), enc), ("Caf\u{e9} \u{2019}s", FileEncoding::Windows1252));
    }
}
