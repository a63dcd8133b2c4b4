//! `import-schools`: the GIAS CSV import, as a library function and once through the binary.
//! Every school and head here is invented (URNs in the unused 99xxxx range, ZZ99 postcodes).

use qar_server::gias::{self, FileEncoding, GiasError};
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::ServerStore;
use std::process::Command;

const T: u64 = 1_795_000_000_000;

fn store() -> (tempfile::TempDir, ServerStore) {
    let dir = tempfile::tempdir().unwrap();
    let s = crate::common::open_store(dir.path());
    (dir, s)
}

/// A GIAS-shaped file in Windows-1252: columns in another order than GIAS's, an unknown column
/// ("Mystery column"), quoting with embedded commas, quotes and a line break, and bad rows.
/// `\xe9` is é and `\x92` is ’ in Windows-1252 (neither is valid UTF-8 on its own).
const FIXTURE_1252: &[u8] = b"\
\"EstablishmentName\",\"URN\",\"LA (code)\",\"LA (name)\",\"Mystery column\",\"PhaseOfEducation (name)\",\"EstablishmentStatus (name)\",\"TypeOfEstablishment (name)\",\"Trusts (name)\",\"Town\",\"Postcode\",\"GOR (name)\",\"NumberOfPupils\",\"PercentageFSM\",\"HeadFirstName\",\"HeadLastName\",\"OfstedLastInsp\",\"OpenDate\"
\"St Ren\xe9e\x92s C of E Primary School\",\"990201\",\"999\",\"Fellside\",\"x\",\"Primary\",\"Open\",\"Voluntary aided school\",\"\",\"Fellbridge\",\"ZZ99 4SR\",\"North West\",\"212\",\"14.2\",\"Ren\xe9e\",\"O\x92Fakename\",\"07-02-2024\",\"01-01-1900\"
\"The \"\"Old Mill\"\" Academy, Westmere\",\"990202\",\"998\",\"Westmere\",\"\",\"Secondary\",\"Open\",\"Academy converter\",\"Fells Learning Trust, The\",\"Westmere\",\"ZZ99 5OM\",\"North West\",\"1102\",\"18.4\",\"Sam\",\"Placeholder\",\"14-03-2023\",\"01-09-2012\"
\"Bad Urn Infant School\",\"99020X\",\"999\",\"Fellside\",\"\",\"Primary\",\"Open\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"
\"Short Row School\",\"990205\",\"999\",\"Fellside\"
\"Counting Lane School\",\"990204\",\"999\",\"Fellside\",\"\",\"Primary\",\"Open\",\"\",\"\",\"\",\"\",\"\",\"lots\",\"\",\"\",\"\",\"\",\"\"
\"Calendar Road School\",\"990206\",\"999\",\"Fellside\",\"\",\"Primary\",\"Open\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"31-02-2023\",\"\"
\"Ysgol Gymraeg Pen-y-Bryn\",\"990203\",\"997\",\"Westmere\",\"\",\"Not applicable\",\"Closed\",\"Other independent school\",\"\",\"Bryn\nUchaf\",\"\",\"Wales (pseudo)\",\"\",\"\",\"\",\"\",\"\",\"\"
\"Five Digit School\",\"12345\",\"999\",\"Fellside\",\"\",\"Primary\",\"Open\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"
\"St Ren\xe9e\x92s Again\",\"990201\",\"999\",\"Fellside\",\"\",\"Primary\",\"Open\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"
\"Kestrel Brook Primary School\",\"990101\",\"999\",\"Fellside\",\"\",\"Primary\",\"Open\",\"Community school\",\"\",\"Fellbridge\",\"ZZ99 1KC\",\"North West\",\"198\",\"\",\"Jo\",\"Invented\",\"\",\"\"
";

fn reasons(summary: &gias::ImportSummary) -> Vec<(u64, &str, &str)> {
    summary.rejections.iter().map(|r| (r.line, r.urn.as_str(), r.reason.as_str())).collect()
}

#[test]
fn imports_good_rows_rejects_bad_ones_by_line_and_is_idempotent() {
    let (_d, s) = store();
    s.seed_demo(T).unwrap();
    let summary = gias::import_bytes(FIXTURE_1252, &s, T).unwrap();
    assert_eq!(summary.encoding, FileEncoding::Windows1252);
    let got = reasons(&summary);
    assert_eq!(got.len(), 6, "{got:#?}");
    assert_eq!(got[0], (4, "99020X", "bad URN '99020X': a URN is 6 digits"));
    assert_eq!(got[1], (5, "990205", "malformed row: expected 18 values, found 4"));
    assert_eq!(got[2], (6, "990204", "NumberOfPupils: 'lots' is not a number of pupils"));
    assert_eq!(got[3], (7, "990206", "OfstedLastInsp: '31-02-2023' is not a date (dd-mm-yyyy)"));
    // Line 8 holds a quoted line break, so the next row starts on line 10.
    assert_eq!(got[4], (10, "12345", "bad URN '12345': a URN is 6 digits"));
    assert_eq!(got[5], (11, "990201", "URN 990201 is already on line 2"));
    assert_eq!((summary.added, summary.updated, summary.unchanged), (3, 1, 0));
    assert_eq!(summary.summary(), "10 rows: 3 added, 1 updated, 0 unchanged, 6 rejected");

    // Windows-1252 decoded; quotes, commas and the line break kept inside their values.
    let renee = s.school("990201").unwrap().unwrap();
    assert_eq!(renee.establishment_name, "St Ren\u{e9}e\u{2019}s C of E Primary School");
    assert_eq!((renee.head_first_name.as_str(), renee.head_last_name.as_str()), ("Ren\u{e9}e", "O\u{2019}Fakename"));
    assert_eq!(renee.phase, "Primary");
    assert_eq!(renee.la_name, "Fellside");
    assert_eq!(renee.establishment_type, "Voluntary aided school");
    assert_eq!(renee.trust_name, "");
    assert_eq!(renee.number_of_pupils, Some(212));
    assert_eq!(renee.percentage_fsm, Some(14.2));
    assert_eq!(renee.ofsted_last_insp.as_deref(), Some("2024-02-07"));
    assert_eq!(renee.open_date.as_deref(), Some("1900-01-01"));
    assert_eq!(renee.hub_id, None);
    let mill = s.school("990202").unwrap().unwrap();
    assert_eq!(mill.establishment_name, "The \"Old Mill\" Academy, Westmere");
    assert_eq!(mill.trust_name, "Fells Learning Trust, The");
    assert_eq!((mill.status.as_str(), mill.region.as_str(), mill.postcode.as_str()), ("Open", "North West", "ZZ99 5OM"));
    let ysgol = s.school("990203").unwrap().unwrap();
    assert_eq!((ysgol.town.as_str(), ysgol.status.as_str(), ysgol.phase.as_str()), ("Bryn\nUchaf", "Closed", "Not applicable"));
    assert_eq!((ysgol.number_of_pupils, ysgol.percentage_fsm, ysgol.ofsted_last_insp), (None, None, None));
    // Rejected rows wrote nothing.
    for urn in ["990204", "990205", "990206"] {
        assert_eq!(s.school(urn).unwrap(), None, "{urn}");
    }
    // The demo school got GIAS's values and kept its hub.
    let kestrel = s.school("990101").unwrap().unwrap();
    assert_eq!((kestrel.postcode.as_str(), kestrel.head_last_name.as_str()), ("ZZ99 1KC", "Invented"));
    assert_eq!(kestrel.hub_id.as_deref(), Some(DEMO_HUB_ID));
    assert_eq!(s.school_count().unwrap(), 6);

    // Again: nothing changes.
    let again = gias::import_bytes(FIXTURE_1252, &s, T + 1000).unwrap();
    assert_eq!(again.summary(), "10 rows: 0 added, 0 updated, 4 unchanged, 6 rejected");
    assert_eq!(reasons(&again), got);
    assert_eq!(s.school("990201").unwrap().unwrap(), renee);

    // The same file in UTF-8 with a BOM reads the same text: still nothing changes.
    let (text, _) = gias::decode(FIXTURE_1252);
    let utf8 = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    let as_utf8 = gias::import_bytes(&utf8, &s, T + 2000).unwrap();
    assert_eq!(as_utf8.encoding, FileEncoding::Utf8);
    assert_eq!(as_utf8.summary(), "10 rows: 0 added, 0 updated, 4 unchanged, 6 rejected");
}

#[test]
fn a_changed_value_updates_and_a_missing_optional_column_keeps_what_is_stored() {
    let (_d, s) = store();
    gias::import_bytes(FIXTURE_1252, &s, T).unwrap();
    // Only the required columns, in yet another order: 990202 is now closed; 990201 as it was.
    let file = "\"LA (name)\",\"EstablishmentStatus (name)\",\"URN\",\"PhaseOfEducation (name)\",\"EstablishmentName\"\n\
        \"Westmere\",\"Closed\",\"990202\",\"Secondary\",\"The \"\"Old Mill\"\" Academy, Westmere\"\n\
        \"Fellside\",\"Open\",\"990201\",\"Primary\",\"St Ren\u{e9}e\u{2019}s C of E Primary School\"\n";
    let summary = gias::import_bytes(file.as_bytes(), &s, T + 1).unwrap();
    assert_eq!(summary.summary(), "2 rows: 0 added, 1 updated, 1 unchanged, 0 rejected");
    let mill = s.school("990202").unwrap().unwrap();
    assert_eq!(mill.status, "Closed");
    assert_eq!((mill.head_first_name.as_str(), mill.number_of_pupils), ("Sam", Some(1102)), "columns the file lacks are kept");
}

#[test]
fn a_missing_required_column_is_an_error_and_writes_nothing() {
    let (_d, s) = store();
    s.seed_demo(T).unwrap();
    let file =
        "\"URN\",\"EstablishmentName\",\"PhaseOfEducation (name)\",\"Town\"\n\"990301\",\"Nowhere School\",\"Primary\",\"Nowhere\"\n";
    let err = gias::import_bytes(file.as_bytes(), &s, T).unwrap_err();
    match &err {
        GiasError::MissingColumns(cols) => assert_eq!(cols, &["EstablishmentStatus (name)", "LA (name)"]),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("\"EstablishmentStatus (name)\", \"LA (name)\""), "{err}");
    assert_eq!(s.school("990301").unwrap(), None);
    assert_eq!(s.school_count().unwrap(), 3, "only the demo schools");
    assert!(matches!(gias::import_bytes(b"", &s, T), Err(GiasError::Empty)));
}

#[test]
fn the_binary_prints_a_summary_and_exits_0_despite_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("edubasealldata20260101.csv");
    std::fs::write(&csv, FIXTURE_1252).unwrap();
    let data = dir.path().join("data");
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_qar-server"))
            .arg("import-schools")
            .arg("--data-dir")
            .arg(&data)
            .args(extra)
            .arg(&csv)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    };
    let (code, stdout, stderr) = run(&[]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("line 4: rejected URN 99020X: bad URN '99020X': a URN is 6 digits"), "{stdout}");
    assert!(stdout.contains("10 rows: 4 added, 0 updated, 0 unchanged, 6 rejected (Windows-1252"), "{stdout}");
    let (code, stdout, _) = run(&["--verbose"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("10 rows: 0 added, 0 updated, 4 unchanged, 6 rejected"), "{stdout}");

    std::fs::write(&csv, "\"URN\",\"EstablishmentName\"\n\"990301\",\"Nowhere School\"\n").unwrap();
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("the header has no \"PhaseOfEducation (name)\""), "{stderr}");
}
