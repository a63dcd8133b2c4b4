//! Attachment bytes in the store's database (issue 19, point 5; decision 96): the blob store
//! several server instances share. Two real servers run on one data folder (so on one SQLite
//! file, or with `QAR_TEST_STORE=postgres` on one PostgreSQL database), both with
//! `--blob-store database`: an upload begun on one goes on at the other, even over a link cut
//! every 256 KB, each sees the other's blobs, the same photo is one blob, and another review
//! does not reach it by its hash.

use crate::blobs::{photo_like, send, sha, status};
use crate::common::*;
use qar_server::net::cutting_proxy::cutting_proxy;
use qar_server::{start, BlobStoreKind, RunningServer, ServerConfig};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::atomic::Ordering;

/// The demo on server A with database blobs, and a second instance, B, on the same store.
async fn two_instances() -> (Env, RunningServer) {
    let env = Env::demo_with(ServerConfig { blob_store: BlobStoreKind::Database, ..Default::default() }).await;
    let second = start(&ServerConfig {
        data_dir: env.dir.path().to_owned(),
        listen: "127.0.0.1:0".parse().unwrap(),
        blob_store: BlobStoreKind::Database,
        ..Default::default()
    })
    .await
    .unwrap();
    (env, second)
}

async fn fetch(env: &Env, base: &str, token: &str, review: uuid::Uuid, hash: &str) -> (StatusCode, Vec<u8>) {
    let resp = env.http.get(format!("{base}/v1/reviews/{review}/blobs/{hash}")).bearer_auth(token).send().await.unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

/// Rows of the two blob tables: (whole blobs, pieces of unfinished uploads).
fn rows(env: &Env) -> (i64, i64) {
    let db = store_sql(env.dir.path());
    let whole = db.query_row("SELECT count(*) FROM shared_blobs", [], |r| r.get(0)).unwrap();
    let pieces = db.query_row("SELECT count(*) FROM shared_blob_pieces", [], |r| r.get(0)).unwrap();
    (whole, pieces)
}

/// A piece sent to A, the rest to B: B gives A's offset and finishes; both serve the blob; a
/// second laptop asking either finds it complete; nothing was written to the data folder, and
/// the rows show neither the bytes nor the hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_an_upload_under_way_and_its_blob() {
    let (env, b) = two_instances().await;
    let (owen, anika) = (env.laptop(OWEN), env.laptop(ANIKA));
    let photo = photo_like(600_000, 11);
    let hash = sha(&photo);
    let (a_url, b_url) = (env.srv.url(), b.url());

    let (s, body) = send(&env, &a_url, &owen.token, KESTREL, &hash, photo.len(), 0, photo[..250_000].to_vec()).await.unwrap();
    assert_eq!((s, body["offset"].as_u64()), (StatusCode::OK, Some(250_000)), "{body}");
    let (whole, pieces) = rows(&env);
    assert!(whole == 0 && pieces >= 1, "what arrived is kept in the database, in pieces: {whole} {pieces}");
    let on_b = env.http.get(format!("{b_url}/v1/reviews/{KESTREL}/blobs/{hash}/upload")).bearer_auth(&owen.token).send().await.unwrap();
    let on_b: serde_json::Value = on_b.json().await.unwrap();
    assert_eq!(on_b, json!({"offset": 250_000, "complete": false}), "the other instance knows where the upload stands");
    let (s, body) = send(&env, &b_url, &owen.token, KESTREL, &hash, photo.len(), 0, photo.clone()).await.unwrap();
    assert_eq!((s, body["details"]["offset"].as_u64()), (StatusCode::CONFLICT, Some(250_000)), "from zero is refused: {body}");
    let (s, body) = send(&env, &b_url, &owen.token, KESTREL, &hash, photo.len(), 250_000, photo[250_000..].to_vec()).await.unwrap();
    assert_eq!((s, body["complete"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
    assert_eq!(rows(&env), (1, 0), "one blob, the pieces gone");

    for base in [&a_url, &b_url] {
        assert_eq!(fetch(&env, base, &anika.token, KESTREL, &hash).await, (StatusCode::OK, photo.clone()), "served by {base}");
        let (s, st) = env.send(env.http.get(format!("{base}/v1/reviews/{KESTREL}/blobs/{hash}/upload")), Some(&anika.token)).await;
        assert_eq!((s, st["complete"].as_bool()), (StatusCode::OK, Some(true)), "a second laptop sends nothing to {base}");
    }
    // The same photo again, from the start, at either instance: still one blob.
    let (s, body) = send(&env, &a_url, &anika.token, KESTREL, &hash, photo.len(), 0, photo.clone()).await.unwrap();
    assert_eq!((s, body["complete"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
    assert_eq!(rows(&env), (1, 0), "dedupe per review");

    // Another review does not reach the blob by its hash, at either instance.
    for base in [&a_url, &b_url] {
        let (s, _) = fetch(&env, base, &anika.token, HERON, &hash).await;
        assert!(matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "another review's blob by its hash at {base}: {s}");
        assert_eq!(status(&env, &anika.token, HERON, &hash).await.1["offset"], json!(0), "nothing of it counts for Heron Vale");
        let (s, _) = fetch(&env, base, &env.laptop(HOLLIE).token, KESTREL, &hash).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "never the coordinator, at {base}");
    }

    assert!(!env.dir.path().join("blobs").exists(), "no attachment files in the data folder");
    let db = store_sql(env.dir.path());
    let (name, sealed): (String, Vec<u8>) =
        db.query_row("SELECT name, sealed FROM shared_blobs", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(!name.contains(&hash), "the row is not named by the hash");
    assert!(!sealed.windows(64).any(|w| w == &photo[..64]), "sealed at rest");
    assert!(!sealed.windows(64).any(|w| w == &photo[300_000..300_064]), "sealed at rest, throughout");
}

/// A 5 MB photo over links cut every 256 KB, each attempt going to the other instance in turn:
/// every attempt resumes from the offset the store holds, never from zero; the hash is checked
/// and the bytes sent stay under 1.2 times the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_every_256_kb_and_spread_over_two_instances_completes() {
    let (env, b) = two_instances().await;
    let owen = env.laptop(OWEN);
    let photo = photo_like(5_000_000, 12);
    let hash = sha(&photo);
    let addr = |url: String| -> std::net::SocketAddr { url.trim_start_matches("http://").parse().unwrap() };
    let (proxy_a, sent_a) = cutting_proxy(addr(env.srv.url()), 256 * 1024).await;
    let (proxy_b, sent_b) = cutting_proxy(addr(b.url()), 256 * 1024).await;
    let mut attempts = 0;
    let mut offsets = Vec::new();
    loop {
        attempts += 1;
        assert!(attempts <= 200, "the upload never completed");
        let base = if attempts % 2 == 1 { &proxy_a } else { &proxy_b };
        let st = env.http.get(format!("{base}/v1/reviews/{KESTREL}/blobs/{hash}/upload")).bearer_auth(&owen.token).send().await;
        let Ok(st) = st else { continue };
        let st: serde_json::Value = st.json().await.unwrap();
        if st["complete"] == json!(true) {
            break;
        }
        let offset = st["offset"].as_u64().unwrap();
        offsets.push(offset);
        if send(&env, base, &owen.token, KESTREL, &hash, photo.len(), offset, photo[offset as usize..].to_vec()).await.is_err() {
            // A broken connection: wait a moment, as the laptop's back-off does, so the instance
            // that took the piece has stored it before the other is asked where to go on.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let total = sent_a.load(Ordering::SeqCst) + sent_b.load(Ordering::SeqCst);
    let ratio = total as f64 / photo.len() as f64;
    println!("5 MB photo over two instances, links cut every 256 KB: {total} bytes sent ({ratio:.3}x) in {attempts} attempts");
    assert!(ratio < 1.2, "sent {total} bytes for {} ({ratio:.3}x)", photo.len());
    assert!(offsets.windows(2).all(|w| w[1] >= w[0]), "never back to an earlier offset: {offsets:?}");
    assert!(offsets.iter().filter(|o| **o > 0).count() > 10, "resumed many times: {offsets:?}");
    assert!(sent_a.load(Ordering::SeqCst) > 1_000_000 && sent_b.load(Ordering::SeqCst) > 1_000_000, "both instances took pieces");
    assert_eq!(fetch(&env, &b.url(), &owen.token, KESTREL, &hash).await, (StatusCode::OK, photo.clone()), "exactly the file");
    assert_eq!(rows(&env), (1, 0));
}
