//! After a downgrade (issue 21): a store that a newer QAR Field has migrated is refused by this
//! older app, end to end through the unlock the webview calls, with a clear message, and the file
//! is left exactly as the newer app wrote it, so reinstalling the newer version finds everything.

use crate::common::invoke;

use qar_client::vault::{Keychain, MemoryKeychain};

use serde_json::json;
use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};

const PASSPHRASE: &str = "wrenfield-downgrade-passphrase";

fn start(data_dir: &std::path::Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    start_with(data_dir, Box::new(qar_client::vault::NoKeychain))
}

fn start_with(data_dir: &std::path::Path, keychain: Box<dyn Keychain>) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = mock_builder().invoke_handler(qar_app::invoke_handler()).build(mock_context(noop_assets())).unwrap();
    let vault = qar_client::vault::Vault::new(&data_dir.join(qar_client::client_store_file()), keychain);
    app.manage(qar_app::protect::Gate::new(vault, data_dir, "http://127.0.0.1:9", std::time::Duration::from_millis(200), 600));
    let w = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, w)
}

#[test]
fn a_store_from_a_newer_app_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("laptop");
    std::fs::create_dir_all(&data).unwrap();
    {
        let (_app, w) = start(&data);
        invoke(&w, "unlock_store", json!({"passphrase": PASSPHRASE})).unwrap();
        let review =
            json!({"input": {"schoolName": "Wrenfield Community Primary School", "schoolUrn": "990999", "startDate": "2027-03-02"}});
        invoke(&w, "create_review", review).unwrap();
    }

    // A newer release ran a migration this build does not have: its schema number is higher.
    let store = data.join(qar_client::client_store_file());
    let vault = qar_client::vault::Vault::new(&store, Box::new(qar_client::vault::NoKeychain));
    let (key, _) = vault.unlock(Some(PASSPHRASE)).unwrap();
    let newer_schema = {
        let conn = qar_dbkit::open_keyed(&store, qar_dbkit::Durability::Normal, &key.sqlcipher_pragma()).unwrap();
        let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        conn.pragma_update(None, "user_version", v + 1).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        v + 1
    };
    let before = std::fs::read(&store).unwrap();

    let (_app, w) = start(&data);
    let refused = invoke(&w, "unlock_store", json!({"passphrase": PASSPHRASE})).unwrap_err();
    assert_eq!(refused["code"], "app_too_old", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("newer version of QAR Field"), "{refused}");
    let status = invoke(&w, "vault_status", json!({})).unwrap();
    assert_eq!(status["state"], "needs_newer_app", "nothing was opened, and the screen says why: {status}");
    assert!(status["message"].as_str().unwrap().contains("newer version of QAR Field"), "{status}");
    // "Forgotten passphrase? Start afresh" must not set the newer release's store aside.
    let afresh = invoke(&w, "start_afresh", json!({})).unwrap_err();
    assert_eq!(afresh["code"], "app_too_old", "{afresh}");
    assert!(invoke(&w, "list_reviews", json!({})).is_err(), "no review command answers");

    assert_eq!(std::fs::read(&store).unwrap(), before, "the older app did not write to the newer store");
    // The newer app still finds its schema and the review.
    let conn = qar_dbkit::open_keyed(&store, qar_dbkit::Durability::Normal, &key.sqlcipher_pragma()).unwrap();
    let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, newer_schema);
    let schools: i64 = conn.query_row("SELECT count(*) FROM reviews", [], |r| r.get(0)).unwrap();
    assert_eq!(schools, 1);
}

/// A newer store on the operating system's keychain (Windows and macOS, where most Lead Reviewers
/// are): before, the screen fell back to asking for a passphrase the person never chose.
#[test]
fn with_the_key_in_the_keychain_a_downgrade_asks_for_nothing_and_sets_nothing_aside() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("laptop");
    std::fs::create_dir_all(&data).unwrap();
    let keychain = MemoryKeychain::default();
    {
        let (_app, w) = start_with(&data, Box::new(keychain.clone()));
        let opened = invoke(&w, "unlock_store", json!({})).unwrap();
        assert_eq!(opened["protection"], "keychain", "{opened}");
        let review =
            json!({"input": {"schoolName": "Wrenfield Community Primary School", "schoolUrn": "990999", "startDate": "2027-03-02"}});
        invoke(&w, "create_review", review).unwrap();
    }

    let store = data.join(qar_client::client_store_file());
    let (key, _) = qar_client::vault::Vault::new(&store, Box::new(keychain.clone())).unlock(None).unwrap();
    {
        let conn = qar_dbkit::open_keyed(&store, qar_dbkit::Durability::Normal, &key.sqlcipher_pragma()).unwrap();
        let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        conn.pragma_update(None, "user_version", v + 1).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let before = std::fs::read(&store).unwrap();

    let (_app, w) = start_with(&data, Box::new(keychain.clone()));
    let refused = invoke(&w, "unlock_store", json!({})).unwrap_err();
    assert_eq!(refused["code"], "app_too_old", "{refused}");
    let status = invoke(&w, "vault_status", json!({})).unwrap();
    assert_eq!(status["state"], "needs_newer_app", "no passphrase is asked for: {status}");
    // Whatever is typed or clicked now, the answer stays the same and nothing is tried or moved.
    let again = invoke(&w, "unlock_store", json!({"passphrase": "a guess at a passphrase"})).unwrap_err();
    assert_eq!(again["code"], "app_too_old", "{again}");
    assert_eq!(invoke(&w, "start_afresh", json!({})).unwrap_err()["code"], "app_too_old");
    assert!(invoke(&w, "list_reviews", json!({})).is_err(), "no review command answers");

    assert_eq!(std::fs::read(&store).unwrap(), before, "the older app did not write to the newer store");
    assert!(keychain.get().unwrap().is_some(), "the key is still in the keychain for the newer app");
    let left: Vec<_> = std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().contains("set-aside")), "nothing was set aside: {left:?}");
}
