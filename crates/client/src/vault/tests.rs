use super::*;

fn vault(dir: &Path) -> Vault {
    Vault::new(&dir.join("qar-field.db"), Box::new(NoKeychain))
}

#[test]
fn without_a_keychain_a_passphrase_protects_the_key_and_a_wrong_one_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let v = vault(dir.path());
    assert_eq!(v.state(), VaultState::NeedsNewPassphrase);
    assert!(matches!(v.unlock(None), Err(ClientError::PassphraseNeeded)));
    assert!(matches!(v.unlock(Some("short")), Err(ClientError::Vault(_))), "too short a passphrase is refused");
    let (key, protection) = v.unlock(Some("correct horse battery")).unwrap();
    assert_eq!(protection, Protection::Passphrase);
    assert_eq!(v.state(), VaultState::NeedsPassphrase);

    let (again, _) = v.unlock(Some("correct horse battery")).unwrap();
    assert_eq!(again.bytes(), key.bytes());
    let wrong = v.unlock(Some("incorrect horse battery")).unwrap_err();
    assert!(matches!(wrong, ClientError::WrongPassphrase), "{wrong}");
    assert_eq!(wrong.code(), "wrong_passphrase");
    v.verify_passphrase("correct horse battery").unwrap();

    // The key file never holds the key itself.
    let file = std::fs::read(v.key_file()).unwrap();
    let hex_key = hex::encode(key.bytes());
    assert!(!String::from_utf8_lossy(&file).contains(&hex_key));
    assert!(!file.windows(32).any(|w| w == key.bytes()));

    v.forget().unwrap();
    assert!(!v.key_file().exists());
}

/// This machine (like CI) has no keychain: the real OS keychain must say so quickly rather
/// than hang or pretend (keyring's in-memory mock would "work" and lose the key on exit).
#[test]
fn the_os_keychain_probe_answers_headless() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("qar-field.db");
    let started = std::time::Instant::now();
    let v = Vault::with_os_keychain(&store);
    let state = v.state();
    assert!(started.elapsed() < std::time::Duration::from_secs(12), "probe took {:?}", started.elapsed());
    if state == VaultState::NewKeychain {
        // A desktop with a real keychain: the key must survive a fresh Vault (not a mock).
        let (key, p) = v.unlock(None).unwrap();
        assert_eq!(p, Protection::Keychain);
        let (back, _) = Vault::with_os_keychain(&store).unlock(None).unwrap();
        assert_eq!(back.bytes(), key.bytes());
        v.forget().unwrap();
    } else {
        assert_eq!(state, VaultState::NeedsNewPassphrase, "no keychain here: fall back to a passphrase");
        let (_, p) = v.unlock(Some("a passphrase for CI")).unwrap();
        assert_eq!(p, Protection::Passphrase);
    }
}

#[test]
fn the_sqlcipher_key_is_the_raw_key_form() {
    let k = StoreKey::random().unwrap();
    let p = k.sqlcipher_pragma();
    assert!(p.starts_with("x'") && p.ends_with('\'') && p.len() == 67, "{}", p.as_str());
    assert_eq!(format!("{k:?}"), "StoreKey(…)", "never printed");
}

#[test]
fn a_forgotten_passphrase_sets_the_locked_store_aside_and_the_next_start_asks_for_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let v = vault(dir.path());
    assert!(matches!(v.set_aside(), Err(ClientError::Vault(_))), "nothing locked yet: nothing to set aside");
    v.unlock(Some("correct horse battery")).unwrap();
    let store = dir.path().join("qar-field.db");
    std::fs::write(&store, b"encrypted pages").unwrap();
    std::fs::write(dir.path().join("qar-field.db-wal"), b"wal").unwrap();
    std::fs::create_dir(dir.path().join("qar-field.db.attachments")).unwrap();
    std::fs::write(dir.path().join("qar-field.db.attachments/a1"), b"sealed").unwrap();

    let folder = v.set_aside().unwrap();
    assert!(folder.starts_with(dir.path().join("set-aside")), "{}", folder.display());
    assert_eq!(v.state(), VaultState::NeedsNewPassphrase, "the next start asks for a new passphrase");
    for name in ["qar-field.db", "qar-field.db-wal", "qar-field.db.key", "qar-field.db.attachments"] {
        assert!(!dir.path().join(name).exists(), "{name} left in place");
        assert!(folder.join(name).exists(), "{name} not kept in the set-aside folder");
    }
    assert_eq!(std::fs::read(folder.join("qar-field.db")).unwrap(), b"encrypted pages", "moved, not rewritten");

    // Remembered after all: moving the files back opens it with the old passphrase again.
    for name in ["qar-field.db", "qar-field.db-wal", "qar-field.db.key"] {
        std::fs::rename(folder.join(name), dir.path().join(name)).unwrap();
    }
    v.verify_passphrase("correct horse battery").unwrap();
    let second = v.set_aside().unwrap();
    assert_ne!(second, folder, "a second set-aside never overwrites the first");
}
