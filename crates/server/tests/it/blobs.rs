//! Attachment bytes (issue 19): uploaded resumably apart from the notes, checked by hash,
//! stored once per review, fetched by the review's team only.

use crate::common::*;
use qar_core::EntityKind;
use qar_server::net::cutting_proxy::cutting_proxy;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use uuid::Uuid;

pub(crate) fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Bytes that do not compress and are not all alike (a photo's worth).
pub(crate) fn photo_like(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.u8(..)).collect()
}

pub(crate) async fn status(env: &Env, token: &str, review: Uuid, sha: &str) -> (StatusCode, Value) {
    env.get(&format!("/v1/reviews/{review}/blobs/{sha}/upload"), Some(token)).await
}

pub(crate) async fn send(
    env: &Env,
    base: &str,
    token: &str,
    review: Uuid,
    sha: &str,
    size: usize,
    offset: u64,
    body: Vec<u8>,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let url = format!("{base}/v1/reviews/{review}/blobs/{sha}/upload?offset={offset}&size={size}");
    let resp = env.http.patch(url).bearer_auth(token).header("content-type", "application/octet-stream").body(body).send().await?;
    let s = resp.status();
    Ok((s, resp.json().await.unwrap_or(Value::Null)))
}

/// Resumes from the server's offset until the blob is complete; returns the attempts made.
async fn upload_resuming(env: &Env, base: &str, token: &str, review: Uuid, bytes: &[u8]) -> u32 {
    let hash = sha(bytes);
    for attempt in 1..=200 {
        let (s, st) = status(env, token, review, &hash).await;
        assert_eq!(s, StatusCode::OK, "{st}");
        if st["complete"] == json!(true) {
            return attempt;
        }
        let offset = st["offset"].as_u64().unwrap();
        if send(env, base, token, review, &hash, bytes.len(), offset, bytes[offset as usize..].to_vec()).await.is_err() {
            // A broken connection: wait a moment, as the laptop's back-off does, so the server
            // has stored what arrived before it is asked where to go on.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    panic!("the upload never completed");
}

/// A 5 MB photo through a link cut every 256 KB: every attempt resumes from the server's
/// offset, the hash is checked, and the bytes sent stay under 1.2 times the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_every_256_kb_resumes_and_sends_little_more_than_the_file() {
    let env = Env::demo().await;
    let owen = env.laptop(OWEN);
    let photo = photo_like(5_000_000, 1);
    let target: std::net::SocketAddr = env.srv.url().trim_start_matches("http://").parse().unwrap();
    let (proxy, sent) = cutting_proxy(target, 256 * 1024).await;
    let attempts = upload_resuming(&env, &proxy, &owen.token, KESTREL, &photo).await;
    let total = sent.load(Ordering::SeqCst);
    let ratio = total as f64 / photo.len() as f64;
    println!("5 MB photo over a link cut every 256 KB: {total} bytes sent ({ratio:.3}x) in {attempts} attempts");
    assert!(ratio < 1.2, "sent {total} bytes for {} ({ratio:.3}x)", photo.len());
    assert!(attempts > 15, "the link really was cut: {attempts} attempts");
    let resp =
        env.http.get(env.url(&format!("/v1/reviews/{KESTREL}/blobs/{}", sha(&photo)))).bearer_auth(&owen.token).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.bytes().await.unwrap().as_ref(), photo.as_slice(), "the server holds exactly the file");
}

/// Two laptops attach the same photo: the second finds it complete and sends nothing; the
/// folder holds one blob. A wrong offset is answered with the server's; a wrong hash is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_photo_twice_is_one_blob_and_bad_pieces_are_refused() {
    let env = Env::demo().await;
    let (anika, owen) = (env.laptop(ANIKA), env.laptop(OWEN));
    let photo = photo_like(300_000, 2);
    let hash = sha(&photo);
    let base = env.srv.url();
    let (s, b) = send(&env, &base, &anika.token, KESTREL, &hash, photo.len(), 0, photo[..100_000].to_vec()).await.unwrap();
    assert_eq!((s, b["offset"].as_u64()), (StatusCode::OK, Some(100_000)), "{b}");
    let (s, b) = send(&env, &base, &owen.token, KESTREL, &hash, photo.len(), 0, photo.clone()).await.unwrap();
    assert_eq!(
        (s, b["code"].as_str(), b["details"]["offset"].as_u64()),
        (StatusCode::CONFLICT, Some("wrong_offset"), Some(100_000)),
        "{b}"
    );
    let (s, b) = send(&env, &base, &anika.token, KESTREL, &hash, photo.len(), 100_000, photo[100_000..].to_vec()).await.unwrap();
    assert_eq!((s, b["complete"].as_bool()), (StatusCode::OK, Some(true)), "{b}");
    assert_eq!(status(&env, &owen.token, KESTREL, &hash).await.1["complete"], json!(true), "the second laptop sends nothing");
    let blobs_folder = env.dir.path().join("blobs");
    let files: Vec<_> = walk(&blobs_folder);
    assert_eq!(files.len(), 1, "one blob on the server: {files:?}");
    let stored = std::fs::read(&files[0]).unwrap();
    assert!(!stored.windows(64).any(|w| w == &photo[..64]), "sealed at rest");
    assert!(!files[0].to_string_lossy().contains(&hash), "the name is not the hash");

    let lie = sha(b"something else");
    let (s, b) = send(&env, &base, &owen.token, KESTREL, &lie, photo.len(), 0, photo.clone()).await.unwrap();
    assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("hash_mismatch")), "{b}");
    assert_eq!(status(&env, &owen.token, KESTREL, &lie).await.1["offset"], json!(0), "dropped");
    let (s, b) = send(&env, &base, &owen.token, KESTREL, &lie, 26_000_000, 0, vec![1]).await.unwrap();
    assert_eq!((s, b["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("file_too_large")), "{b}");
}

pub(crate) fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

/// Only the review's team fetches its blobs: not the hub coordinator, not an administrator off
/// the team, not a reviewer taken off the team, and nobody reaches another review's blob by
/// its hash. A note's attachment record needs the note in that review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_team_fetches_a_reviews_blobs() {
    let env = Env::demo().await;
    let (anika, mut owen) = (env.laptop(ANIKA), env.laptop(OWEN));
    let photo = photo_like(50_000, 3);
    let hash = sha(&photo);
    let base = env.srv.url();
    assert_eq!(send(&env, &base, &owen.token, KESTREL, &hash, photo.len(), 0, photo.clone()).await.unwrap().0, StatusCode::OK);
    let path = format!("/v1/reviews/{KESTREL}/blobs/{hash}");
    let fetch = |token: String| {
        let req = env.http.get(env.url(&path)).bearer_auth(token);
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(fetch(anika.token.clone()).await, StatusCode::OK);
    assert_eq!(fetch(env.laptop(HOLLIE).token).await, StatusCode::FORBIDDEN, "never the coordinator");
    assert_eq!(fetch(env.laptop(ADMIN).token).await, StatusCode::FORBIDDEN, "nor an administrator off the team");
    assert_eq!(fetch(env.laptop(NADIA_NOBODY).token).await, StatusCode::FORBIDDEN);
    let (s, b) = env.get(&format!("/v1/reviews/{HERON}/blobs/{hash}"), Some(&anika.token)).await;
    assert!(matches!(s, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "another review's blob by its hash: {s} {b}");

    // An attachment record must name a note of its review.
    let fields = vec![
        ("evidence_id", json!(Uuid::now_v7().to_string()), None),
        ("kind", json!("pupils_work"), None),
        ("sha256", json!(hash), None),
        ("size", json!(photo.len()), None),
        ("mime", json!("image/jpeg"), None),
    ];
    let (s, reply) = env.push(&mut owen, &[(EntityKind::Attachment, Uuid::now_v7(), KESTREL, fields)]).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["not_found".to_owned()]), "{reply}");

    // Owen is taken off the team: he can no longer fetch or send.
    let req = env
        .http
        .put(env.url(&format!("/v1/reviews/{KESTREL}/team")))
        .json(&json!({"lead_reviewer_id": ANIKA, "reviewers": [], "shadows": [SAM_SHADOW]}));
    let (s, b) = env.send(req, Some(&env.laptop(HOLLIE).token)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(fetch(owen.token.clone()).await, StatusCode::FORBIDDEN, "removed from the team");
    assert_eq!(status(&env, &owen.token, KESTREL, &hash).await.0, StatusCode::FORBIDDEN);
}

/// The hub coordinator's laptop receives a team's attachment records without what they say of
/// their note (caption, face check): enough to print the report's photos, nothing of the rest.
/// The team and administrators receive them whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_pulls_attachments_without_their_captions() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let (note, attachment) = (Uuid::now_v7(), Uuid::now_v7());
    let caption = "CAPTION-TEXT Maya's book, page 4";
    let photo = photo_like(20_000, 5);
    let (s, reply) = env
        .push(
            &mut owen,
            &[
                (
                    EntityKind::Evidence,
                    note,
                    KESTREL,
                    vec![("activity_type", json!("work_scrutiny"), None), ("notes", json!("Books"), None)],
                ),
                (
                    EntityKind::Attachment,
                    attachment,
                    KESTREL,
                    vec![
                        ("evidence_id", json!(note.to_string()), None),
                        ("kind", json!("pupils_work"), None),
                        ("caption", json!(caption), None),
                        ("sha256", json!(sha(&photo)), None),
                        ("size", json!(photo.len()), None),
                        ("mime", json!("image/jpeg"), None),
                        ("may_show_face", json!(true), None),
                    ],
                ),
            ],
        )
        .await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned(); 2]), "{reply}");
    let env = &env;
    let pulled = |user: &'static str| {
        let laptop = env.laptop(user);
        async move {
            let (s, page) =
                env.get(&format!("/v1/sync/pull?cursor=0&limit=1000&schema=3&device_id={}", laptop.device), Some(&laptop.token)).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            let found = page["changes"].as_array().unwrap().iter().find(|c| c["id"] == json!(attachment.to_string())).cloned();
            found.map(|c| c["fields"].clone())
        }
    };
    let hub = pulled(HOLLIE).await.expect("the coordinator receives the record the report's photos are printed from");
    assert_eq!(hub["sha256"]["value"], json!(sha(&photo)));
    assert_eq!(hub["mime"]["value"], json!("image/jpeg"));
    assert!(hub.get("caption").is_none() && hub.get("may_show_face").is_none(), "nothing of the note's content: {hub}");
    assert!(!hub.to_string().contains("CAPTION-TEXT"));
    for user in [ANIKA, ADMIN] {
        let whole = pulled(user).await.expect("the team and administrators receive it");
        assert_eq!(whole["caption"]["value"], json!(caption), "{user}");
        assert_eq!(whole["may_show_face"]["value"], json!(true), "{user}");
    }
    assert!(pulled(OLGA_OTHER_HUB).await.is_none(), "another hub's coordinator receives nothing");
}
