//! Golden files for the op upcasters (issue 17): `tests/upcast/vN/*.json` each hold an op as a
//! version N app wrote it (`before`) and as this build must read it (`after`). Every supported
//! version has files, so an upcaster cannot be added, changed or dropped unnoticed. The files
//! of the current version pass unchanged: ops are only brought up, never rewritten in place
//! (the v3 file keeps "maths": normalising is the writer's job, not the server's).

use qar_core::upcast::{upcast_json, OLDEST_SUPPORTED_SCHEMA};
use qar_core::SCHEMA_VERSION;
use serde_json::Value;
use std::path::PathBuf;

fn golden_dir(version: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/upcast").join(format!("v{version}"))
}

#[test]
fn every_supported_version_is_brought_up_as_its_golden_files_say() {
    for version in OLDEST_SUPPORTED_SCHEMA..=SCHEMA_VERSION {
        let dir = golden_dir(version);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("golden files for schema {version} in {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "schema {version} has no golden files in {}", dir.display());
        for file in files {
            let case: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            assert_eq!(case["before"]["schema_version"], version, "{}", file.display());
            assert_eq!(case["after"]["schema_version"], SCHEMA_VERSION, "{}", file.display());
            let up = upcast_json(case["before"].clone()).unwrap_or_else(|e| panic!("{}: {}", file.display(), e.message));
            assert_eq!(up, case["after"], "{}", file.display());
            // What comes out is an op this build reads.
            match qar_core::upcast::admit_op(case["before"].clone()) {
                Ok(qar_core::upcast::Admission::Admitted(op)) => assert_eq!(op.schema_version, SCHEMA_VERSION),
                other => panic!("{}: {other:?}", file.display()),
            }
        }
    }
}

#[test]
fn no_golden_files_for_unsupported_versions() {
    // A folder for a version the server no longer accepts (or does not know yet) means the
    // oldest supported version moved without the files, or the other way round.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/upcast");
    for entry in std::fs::read_dir(root).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let v: u32 = name.trim_start_matches('v').parse().unwrap_or_else(|_| panic!("unexpected {name}"));
        assert!((OLDEST_SUPPORTED_SCHEMA..=SCHEMA_VERSION).contains(&v), "golden folder {name} is outside the supported versions");
    }
}

/// What the first release knew, frozen: `tests/upcast/v1/kinds_and_fields.txt` lists every
/// kind of record and every field a 0.1 app reads. The server sends a 0.1 app only what claims
/// schema 1 (`readers`), so a kind or field added since that forgot to say so would stop every
/// 0.1 laptop's sync at the page holding it. This file is never regenerated: it is what shipped.
#[test]
fn only_what_the_first_release_knew_claims_schema_1() {
    use qar_core::upcast::readers::{field_since, kind_since};
    use qar_core::EntityKind;
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/upcast/v1/kinds_and_fields.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    let known: std::collections::BTreeSet<&str> = text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let mut claims = Vec::new();
    for kind in EntityKind::ALL {
        if kind_since(kind) == 1 {
            claims.push(kind.code().to_owned());
        }
        for f in kind.fields() {
            if field_since(kind, f.name) == 1 {
                claims.push(format!("{}.{}", kind.code(), f.name));
            }
        }
    }
    let wrong: Vec<&String> = claims.iter().filter(|c| !known.contains(c.as_str())).collect();
    assert!(
        wrong.is_empty(),
        "these claim schema 1 but the first release did not know them: give them their schema in qar_core::upcast::readers: {wrong:?}"
    );
}
