//! Attachment bytes at rest: sealed files beside the store, read back only when untouched.

use qar_client::vault::StoreKey;
use qar_client::{ClientError, Store};
use std::path::{Path, PathBuf};

fn encrypted_store(dir: &Path) -> (Store, StoreKey, PathBuf) {
    let path = dir.join("qar-field.db");
    let key = StoreKey::random().unwrap();
    (Store::open_encrypted(&path, &key).unwrap(), key, path)
}

/// Bytes that look like a phone photo: JPEG magic, then varied content (not all one value, so a
/// chunk mix-up would show).
fn photo_bytes(len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    let magic = [0xFF, 0xD8, 0xFF, 0xE0];
    let head = len.min(magic.len());
    bytes[..head].copy_from_slice(&magic[..head]);
    bytes
}

fn files_in(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn only_file(store: &Store) -> PathBuf {
    let files = files_in(&store.attachment_folder());
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn bytes_of_any_size_come_back_as_they_went_in_also_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key, path) = encrypted_store(dir.path());
    // Empty, one partial chunk, exactly two chunks, and several chunks with a remainder.
    let sizes = [0, 1_000, 2 * 64 * 1024, 5 * 64 * 1024 + 777];
    for (i, size) in sizes.iter().enumerate() {
        let stored = store.put_attachment_bytes(&format!("att-{i}"), &photo_bytes(*size)).unwrap();
        assert_eq!(stored.size, *size as u64);
    }
    drop(store);
    let store = Store::open_encrypted(&path, &key).unwrap();
    for (i, size) in sizes.iter().enumerate() {
        assert_eq!(store.attachment_bytes(&format!("att-{i}")).unwrap(), photo_bytes(*size), "size {size}");
    }
    let stored = store.stored_attachment("att-1").unwrap().unwrap();
    assert_eq!(stored.sha256.len(), 64);
    assert!(store.stored_attachment("att-none").unwrap().is_none());
    assert!(matches!(store.attachment_bytes("att-none"), Err(ClientError::NotFound { .. })));
}

#[test]
fn file_names_are_random_not_the_id_nor_the_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, _) = encrypted_store(dir.path());
    let bytes = photo_bytes(10_000);
    let first = store.put_attachment_bytes("same-photo-1", &bytes).unwrap();
    let second = store.put_attachment_bytes("same-photo-2", &bytes).unwrap();
    assert_eq!(first.sha256, second.sha256);
    let names: Vec<String> =
        files_in(&store.attachment_folder()).iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2);
    assert_ne!(names[0], names[1], "the same photo twice is two unrelated names");
    for name in &names {
        assert!(!name.contains(&first.sha256[..16]) && !name.contains("same-photo"), "{name} gives something away");
        assert_eq!(name.len(), 32, "128 random bits in hex: {name}");
    }
    // And the sealed files differ too (a fresh nonce each time).
    let files = files_in(&store.attachment_folder());
    assert_ne!(std::fs::read(&files[0]).unwrap(), std::fs::read(&files[1]).unwrap());
}

#[test]
fn a_changed_byte_a_cut_or_a_swapped_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, _) = encrypted_store(dir.path());
    store.put_attachment_bytes("a", &photo_bytes(3 * 64 * 1024)).unwrap();
    let file = only_file(&store);
    let sealed = std::fs::read(&file).unwrap();

    let mut flipped = sealed.clone();
    flipped[70_000] ^= 0x01;
    std::fs::write(&file, &flipped).unwrap();
    let err = store.attachment_bytes("a").unwrap_err();
    assert!(matches!(&err, ClientError::AttachmentDamaged { attachment_id } if attachment_id == "a"), "{err:?}");
    assert_eq!(
        err.to_string(),
        "The stored copy of attachment a has been changed or damaged on this laptop, so it was not opened. It can be downloaded again from the server once it has been sent"
    );

    // Cut after the first sealed chunk (a clean chunk boundary): still refused, the last-chunk
    // flag is missing.
    std::fs::write(&file, &sealed[..20 + 64 * 1024 + 16]).unwrap();
    assert!(matches!(store.attachment_bytes("a"), Err(ClientError::AttachmentDamaged { .. })));

    // Another attachment's intact file in this one's place: bound to its own id, refused.
    std::fs::write(&file, &sealed).unwrap();
    store.put_attachment_bytes("b", &photo_bytes(1_000)).unwrap();
    let b_file = files_in(&store.attachment_folder()).into_iter().find(|p| *p != file).unwrap();
    std::fs::copy(&b_file, &file).unwrap();
    assert!(matches!(store.attachment_bytes("a"), Err(ClientError::AttachmentDamaged { .. })));

    std::fs::write(&file, &sealed).unwrap();
    assert_eq!(store.attachment_bytes("a").unwrap(), photo_bytes(3 * 64 * 1024), "the untouched file reads again");
}

#[test]
fn replacing_and_deleting_leave_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, _) = encrypted_store(dir.path());
    store.put_attachment_bytes("a", &photo_bytes(5_000)).unwrap();
    let old = only_file(&store);
    store.put_attachment_bytes("a", &photo_bytes(6_000)).unwrap();
    let new = only_file(&store);
    assert_ne!(old, new, "the old sealed file is gone, a new one holds the bytes");
    assert_eq!(store.attachment_bytes("a").unwrap(), photo_bytes(6_000));

    assert!(store.delete_attachment_bytes("a").unwrap());
    assert!(files_in(&store.attachment_folder()).is_empty());
    assert!(!store.delete_attachment_bytes("a").unwrap(), "deleting twice is not an error");
    assert!(matches!(store.attachment_bytes("a"), Err(ClientError::NotFound { .. })));
}

#[test]
fn files_a_crash_left_without_a_record_are_swept_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key, path) = encrypted_store(dir.path());
    store.put_attachment_bytes("kept", &photo_bytes(2_000)).unwrap();
    let folder = store.attachment_folder();
    drop(store);
    // As a crash would leave them: a half-written temporary file and a whole file whose row never
    // committed.
    std::fs::write(folder.join("0123456789abcdef0123456789abcdef.partial"), b"half").unwrap();
    std::fs::write(folder.join("fedcba9876543210fedcba9876543210"), b"orphan").unwrap();
    let store = Store::open_encrypted(&path, &key).unwrap();
    assert_eq!(files_in(&folder).len(), 1);
    assert_eq!(store.attachment_bytes("kept").unwrap(), photo_bytes(2_000));
}

#[test]
fn a_purged_attachment_leaves_no_file_behind_and_the_others_stay() {
    use qar_core::protocol::PurgedRecord;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _, _) = encrypted_store(dir.path());
    let (purged, kept, review) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    store.put_attachment_bytes(&purged.to_string(), &photo_bytes(5_000)).unwrap();
    store.put_attachment_bytes(&kept.to_string(), &photo_bytes(6_000)).unwrap();
    assert_eq!(files_in(&store.attachment_folder()).len(), 2);
    store.apply_purged(&[PurgedRecord { entity: "attachment".into(), id: purged, review_id: review }], crate::common::now_ms()).unwrap();
    assert_eq!(files_in(&store.attachment_folder()).len(), 1, "the purged photo's sealed file is gone");
    assert!(store.stored_attachment(&purged.to_string()).unwrap().is_none());
    assert_eq!(store.attachment_bytes(&kept.to_string()).unwrap(), photo_bytes(6_000));
}
