//! The laptop store at rest: SQLCipher-encrypted file and WAL, a clear error for a wrong key,
//! and the move of a plaintext store from an earlier release into encryption with every row.

use qar_client::store::encrypt::is_plaintext;
use qar_client::vault::{NoKeychain, Protection, StoreKey, Vault};
use qar_client::{ClientError, NewEvidence, NewReview, Store};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

const T0: u64 = 1_795_000_000_000;
const SECRET_NOTE: &str = "Zebracorn phonics: Ellie Quarrington in Year 2 read fluently";

fn review() -> NewReview {
    NewReview { school_name: "Wrenfield Quillbury Academy".into(), school_urn: "900777".into(), start_date: "2026-11-23".into() }
}

fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence { review_id: review_id.into(), activity_type: "learning_walk".into(), notes: text.into(), ..Default::default() }
}

fn raw(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

fn assert_no_plaintext(path: &Path, needles: &[&str]) {
    let bytes = raw(path);
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"), "{} has an SQLite header", path.display());
    for n in needles {
        assert!(!bytes.windows(n.len()).any(|w| w == n.as_bytes()), "{:?} is readable in {}", n, path.display());
    }
}

#[test]
fn evidence_is_not_readable_in_the_store_file_or_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qar-field.db");
    let key = StoreKey::random().unwrap();
    let mut s = Store::open_encrypted(&path, &key).unwrap();
    let r = s.create_review(&review(), T0).unwrap();
    for i in 0..50 {
        s.add_evidence(&note(&r.id, &format!("{SECRET_NOTE} ({i})")), T0 + i).unwrap();
    }
    // Not checkpointed: the notes are in the WAL now, and it must be just as unreadable.
    let wal = sibling(&path, "-wal");
    assert!(raw(&wal).len() > 4096, "the WAL holds the recent commits");
    let needles = [SECRET_NOTE, "Zebracorn", "Quarrington", "Wrenfield Quillbury"];
    assert_no_plaintext(&path, &needles);
    assert_no_plaintext(&wal, &needles);
    // Search (FTS5) still works inside the encrypted store.
    let hits = s.search_evidence(&r.id, &qar_client::EvidenceQuery { text: "zebracorn".into(), ..Default::default() }).unwrap();
    assert_eq!(hits.len(), 50);
    drop(s);
    // Checkpointed on close: the main file now holds everything, still unreadable.
    assert_no_plaintext(&path, &needles);
    assert_no_plaintext(&wal, &needles);
    assert!(!is_plaintext(&path).unwrap());

    let s = Store::open_encrypted(&path, &key).unwrap();
    assert_eq!(s.list_evidence(&r.id).unwrap().len(), 50);
}

/// Every file under `dir`, however deep (store, WAL, attachment folder).
fn all_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(all_files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn attachments_at_rest_show_no_file_type_and_no_caption_in_any_file_of_the_laptops_folder() {
    const CAPTION: &str = "Zebracorn display: Ellie Quarrington's Viking longship";
    // The signatures `file` and forensic tools look for: the JPEG/JFIF header, the PNG signature,
    // the PDF header. Long enough (7–10 bytes) that random ciphertext never shows them by chance.
    let jfif: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F'];
    let png: &[u8] = b"\x89PNG\r\n\x1a\n";
    let pdf: &[u8] = b"%PDF-1.";
    let with = |head: &[u8], size: usize| {
        let mut bytes = head.to_vec();
        bytes.extend_from_slice(CAPTION.as_bytes());
        bytes.extend((0..size).map(|i| (i % 253) as u8));
        bytes.extend_from_slice(CAPTION.as_bytes());
        bytes
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qar-field.db");
    let key = StoreKey::random().unwrap();
    let mut s = Store::open_encrypted(&path, &key).unwrap();
    let r = s.create_review(&review(), T0).unwrap();
    // The caption is kept in the store like a note's text.
    s.add_evidence(&note(&r.id, CAPTION), T0 + 1).unwrap();
    let kept = [("photo", with(jfif, 300_000)), ("screenshot", with(png, 70_000)), ("sef", with(pdf, 150_000))];
    for (id, bytes) in &kept {
        s.put_attachment_bytes(id, bytes).unwrap();
    }
    assert_eq!(std::fs::read_dir(s.attachment_folder()).unwrap().count(), 3);

    let check = |when: &str| {
        let files = all_files(dir.path());
        assert!(files.len() >= 4, "{when}: store and three attachment files: {files:?}");
        for file in &files {
            let bytes = raw(file);
            for (what, needle) in [("JPEG", jfif), ("PNG", png), ("PDF", pdf), ("caption", CAPTION.as_bytes())] {
                assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{when}: {what} is readable in {}", file.display());
            }
            assert!(!bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "{when}: {} starts like a JPEG", file.display());
            let name = file.file_name().unwrap().to_string_lossy();
            for id in ["photo", "screenshot", "sef"] {
                assert!(!name.contains(id), "{when}: the file name {name} names the attachment");
            }
        }
    };
    check("open");
    drop(s);
    check("closed");

    let s = Store::open_encrypted(&path, &key).unwrap();
    for (id, bytes) in &kept {
        assert_eq!(&s.attachment_bytes(id).unwrap(), bytes);
    }
}

#[test]
fn a_wrong_key_is_a_clear_error_and_leaves_the_store_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qar-field.db");
    let key = StoreKey::random().unwrap();
    let review_id = {
        let mut s = Store::open_encrypted(&path, &key).unwrap();
        let r = s.create_review(&review(), T0).unwrap();
        s.add_evidence(&note(&r.id, SECRET_NOTE), T0 + 1).unwrap();
        r.id
    };
    let before = raw(&path);
    let err = Store::open_encrypted(&path, &StoreKey::random().unwrap()).err().expect("a wrong key must not open the store");
    assert!(matches!(err, ClientError::WrongKey), "{err:?}");
    assert_eq!(err.code(), "wrong_key");
    assert_eq!(err.to_string(), "The store could not be unlocked: wrong key or passphrase");
    // Opening without any key (plain SQLite) is refused the same way, not an empty database.
    assert!(Store::open(&path).is_err());
    assert_eq!(raw(&path), before, "a failed unlock changes nothing on disk");
    let s = Store::open_encrypted(&path, &key).unwrap();
    assert_eq!(s.list_evidence(&review_id).unwrap()[0].notes, SECRET_NOTE);
}

fn table_counts(conn: &rusqlite::Connection) -> BTreeMap<String, i64> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .into_iter()
        .map(|n| {
            let c = conn.query_row(&format!("SELECT count(*) FROM \"{n}\""), [], |r| r.get(0)).unwrap();
            (n, c)
        })
        .collect()
}

#[test]
fn a_plaintext_store_from_an_earlier_release_is_encrypted_with_every_row_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qar-field.db");
    const NOTES: u64 = 3000;
    let (review_id, device) = {
        let mut s = Store::open(&path).unwrap();
        let r = s.create_review(&review(), T0).unwrap();
        for i in 0..NOTES {
            s.add_evidence(&note(&r.id, &format!("{SECRET_NOTE} #{i}")), T0 + i).unwrap();
        }
        (r.id, s.device_id())
    };
    assert!(is_plaintext(&path).unwrap());
    let before = table_counts(&rusqlite::Connection::open(&path).unwrap());
    assert!(before["evidence"] as u64 == NOTES && before["outbox"] as u64 == NOTES + 1, "{before:?}");

    // The app's path: no keychain here, so a passphrase protects the new key.
    let vault = Vault::new(&path, Box::new(NoKeychain));
    let started = Instant::now();
    let (key, protection) = vault.unlock(Some("a passphrase for the laptop")).unwrap();
    let derived = started.elapsed();
    assert_eq!(protection, Protection::Passphrase);
    let started = Instant::now();
    let s = Store::open_encrypted(&path, &key).unwrap();
    let migrated = started.elapsed();
    eprintln!("key derivation (argon2id 64 MiB, t=3): {derived:?}; migration of {} rows: {migrated:?}", before.values().sum::<i64>());

    assert!(!is_plaintext(&path).unwrap(), "the store is encrypted now");
    assert!(!sibling(&path, ".encrypting").exists());
    assert_no_plaintext(&path, &[SECRET_NOTE, "Wrenfield Quillbury"]);
    assert_no_plaintext(&sibling(&path, "-wal"), &[SECRET_NOTE]);
    assert_eq!(s.device_id(), device, "same laptop identity after the move");
    assert_eq!(s.list_evidence(&review_id).unwrap().len() as u64, NOTES);
    assert!(s.integrity_ok().unwrap());
    drop(s);

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "key", key.sqlcipher_pragma().as_str()).unwrap();
    // Every row of every table is kept. `meta` may gain a row: opening a store records how far
    // its outbox has been checked for older ops (decision 115), a row the earlier release lacked.
    let (mut after, mut kept) = (table_counts(&conn), before.clone());
    let (meta_after, meta_before) = (after.remove("meta"), kept.remove("meta"));
    assert_eq!(after, kept, "every row of every table is kept");
    assert!(meta_after >= meta_before, "meta keeps its rows: {meta_before:?} before, {meta_after:?} after");
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert!(version >= 4, "schema version carried over");
    drop(conn);

    // Later starts: unlock with the passphrase, measured as the app does it.
    let started = Instant::now();
    let (key2, _) = Vault::new(&path, Box::new(NoKeychain)).unlock(Some("a passphrase for the laptop")).unwrap();
    let s = Store::open_encrypted(&path, &key2).unwrap();
    eprintln!("unlock + open with passphrase: {:?}", started.elapsed());
    assert_eq!(s.pending_count().unwrap() as u64, NOTES + 1);
}
