//! Device revoke end to end against a real qar-server on loopback, with encrypted stores:
//! an administrator revokes a laptop, its next sync stops with a distinct "revoked" status,
//! its unsent work goes into an encrypted handover file, the laptop is wiped, and the work is
//! imported on a new laptop (once, however often the file is imported) and synced from there.

use crate::common::{now_ms, sign_in_store};
use qar_client::vault::{NoKeychain, Vault};
use qar_client::{Client, ClientError, NewEvidence, NewReview, Store};
use qar_server::{start, Role, ServerConfig, ServerStore};
use std::path::Path;

const PASS: &str = "laptop passphrase 2026";
const HANDOVER_PASS: &str = "handover passphrase on paper";
const UNSENT: &str = "Unsent: Y5 maths, pupils used reasoning stems well";

/// An encrypted laptop store (passphrase mode: these machines have no keychain) signed in as
/// `user_id` with a token from the server's test support. Returns the client, its vault and device.
fn laptop(dir: &Path, url: &str, server: &ServerStore, user_id: &str) -> (Client, Vault, uuid::Uuid) {
    let path = dir.join(qar_client::client_store_file());
    let vault = Vault::new(&path, Box::new(NoKeychain));
    let (key, _) = vault.unlock(Some(PASS)).unwrap();
    let mut store = Store::open_encrypted(&path, &key).unwrap();
    let device = store.device_id();
    sign_in_store(&mut store, url, server, user_id, "Lena Lead");
    drop(store);
    (Client::open_encrypted(dir, url, &key).unwrap(), vault, device)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_laptop_stops_syncing_hands_over_its_unsent_work_and_is_wiped() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = start(&ServerConfig {
        data_dir: dirs[0].path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        demo: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = srv.url();
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    srv.store().test_user("user-admin", "Ada Admin", &[Role::Admin]).unwrap();
    let (a, vault_a, device_a) = laptop(dirs[1].path(), &url, srv.store(), "user-lena");

    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    a.add_evidence(&NewEvidence {
        review_id: review.id.clone(),
        activity_type: "work_scrutiny".into(),
        notes: "Synced note".into(),
        ..Default::default()
    })
    .unwrap();
    a.sync_now().await.unwrap();
    assert!(a.wipe_check().unwrap().safe);
    a.add_evidence(&NewEvidence {
        review_id: review.id.clone(),
        activity_type: "pupil_voice".into(),
        notes: UNSENT.into(),
        ..Default::default()
    })
    .unwrap();
    let check = a.wipe_check().unwrap();
    assert!(!check.safe && check.unsent[0].changes == 1, "{check:?}");

    // The administrator revokes laptop A through the API.
    let admin_token = srv.store().test_token("user-admin", uuid::Uuid::now_v7(), now_ms()).unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/devices/{device_a}/revoke"))
        .bearer_auth(admin_token)
        .json(&serde_json::json!({ "reason": "reported lost on the train" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap_or_default());

    let err = a.sync_now().await.unwrap_err();
    assert!(matches!(&err, ClientError::Revoked { reason } if reason.contains("lost on the train")), "{err:?}");
    assert_eq!(err.code(), "device_revoked");
    let status = a.status().unwrap();
    assert!(status.revoked, "{status:?}");
    assert_eq!(status.revoked_reason.as_deref(), Some("reported lost on the train"));
    assert_eq!(status.pending_ops, 1, "the unsent note is still here");
    // Sync stays stopped: the laptop does not even ask any more.
    assert_eq!(a.sync_now().await.unwrap_err().code(), "device_revoked");
    assert_eq!(a.wait_for_changes(10).await.unwrap_err().code(), "device_revoked");

    // Export the unacknowledged work, encrypted.
    let file = dirs[2].path().join("handover.qarhandover");
    let exported = a.export_unsent(&file, HANDOVER_PASS, None).unwrap();
    assert_eq!(exported.ops, 1);
    let raw = std::fs::read(&file).unwrap();
    assert!(!raw.windows(7).any(|w| w == b"Unsent:"), "the handover file is encrypted");

    // Wipe: the store, its WAL, the key and the attachment files are gone.
    let store_path = dirs[1].path().join(qar_client::client_store_file());
    a.put_attachment_bytes("photo-1", b"\xFF\xD8\xFF a photo of a display").unwrap();
    assert_eq!(a.attachment_bytes("photo-1").unwrap(), b"\xFF\xD8\xFF a photo of a display");
    a.wipe_local_data(&vault_a).unwrap();
    drop(a);
    let left: Vec<String> =
        std::fs::read_dir(dirs[1].path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.is_empty(), "nothing of the store or its key is left: {left:?}");
    assert!(!store_path.exists() && !vault_a.key_file().exists());

    // A new laptop for Lena: the work arrives through the file, once.
    let new_dir = tempfile::tempdir().unwrap();
    let (b, _vault_b, _) = laptop(new_dir.path(), &url, srv.store(), "user-lena");
    b.sync_now().await.unwrap();
    assert_eq!(b.list_evidence(&review.id).unwrap().len(), 1);
    let wrong = b.import_handover(&file, "not the handover passphrase").unwrap_err();
    assert!(matches!(wrong, ClientError::WrongPassphrase), "{wrong:?}");
    assert_eq!(b.import_handover(&file, HANDOVER_PASS).unwrap(), 1);
    assert_eq!(b.import_handover(&file, HANDOVER_PASS).unwrap(), 0, "a second import changes nothing");
    assert_eq!(b.status().unwrap().pending_ops, 1, "queued for sync from the new laptop");
    b.sync_now().await.unwrap();
    assert!(b.wipe_check().unwrap().safe);
    let notes: Vec<String> = b.list_evidence(&review.id).unwrap().into_iter().map(|e| e.notes).collect();
    assert!(notes.contains(&UNSENT.to_string()), "{notes:?}");
    srv.stop().await;
}
