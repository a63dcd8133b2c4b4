//! A photo in the report on the server (issue 19): the section's `photos` field counts in the
//! content hash; issuing is refused, naming the photo, until its blob is on the server; the
//! issued snapshot freezes it with its SHA-256, and the version's PDF download prints it from
//! the blob store for the host school's head, who can never fetch the blob itself.

use crate::common::*;
use qar_core::report_photos::ReportPhoto;
use qar_core::report_template::{content_hash_with_photos, section_id};
use qar_core::EntityKind;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_photo_is_issued_only_once_uploaded_and_prints_in_the_download() {
    let env = Env::demo().await;
    let mut lr = env.laptop(ANIKA);
    let coordinator = env.laptop(HOLLIE);
    let token = Some(coordinator.token.as_str());
    let mut base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["in_visit", "estimates_agreed"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let photo = qar_report::fixtures::photo_png(96, 64);
    let sha = hex::encode(Sha256::digest(&photo));
    let (note, attachment) = (Uuid::now_v7(), Uuid::now_v7());
    let caption = "The Year 9 reading display";
    let photos = [ReportPhoto { attachment_id: attachment.to_string(), caption: caption.into() }];
    let body = "Reading runs through every subject.";
    let (s, reply) = env
        .push(
            &mut lr,
            &[
                (
                    EntityKind::Evidence,
                    note,
                    HERON,
                    vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Displays"), None)],
                ),
                (
                    EntityKind::Attachment,
                    attachment,
                    HERON,
                    vec![
                        ("evidence_id", json!(note.to_string()), None),
                        ("kind", json!("display"), None),
                        ("sha256", json!(sha), None),
                        ("size", json!(photo.len()), None),
                        ("mime", json!("image/png"), None),
                    ],
                ),
                (
                    EntityKind::ReportSection,
                    section_id(HERON, "area_of_excellence"),
                    HERON,
                    vec![
                        ("section_code", json!("area_of_excellence"), None),
                        ("body", json!(body), None),
                        ("photos", qar_core::report_photos::to_value(&photos), None),
                    ],
                ),
            ],
        )
        .await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned(); 3]), "{reply}");
    base = Some(env.review(HERON).await.fields["state"].version);
    for to in ["drafting", "submitted"] {
        env.push(&mut lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        base = Some(lr.clock.last());
    }
    let sections = [("area_of_excellence".to_owned(), body.to_owned())];
    let hash = content_hash_with_photos(&sections, &[], &[("area_of_excellence".into(), photos.to_vec())]);
    assert_ne!(hash, qar_core::report_template::content_hash(&sections, &[]), "the photo is part of what is approved");
    let (status, reply) = env.post(&format!("/v1/reviews/{HERON}/approve"), token, json!({"report_hash": hash})).await;
    assert_eq!(status, StatusCode::OK, "{reply}");

    // Not on the server yet: issuing is refused, naming the photo, and nothing is issued.
    let issue = format!("/v1/reviews/{HERON}/issue");
    let (status, reply) = env.post(&issue, token, json!({"report_hash": hash})).await;
    assert_eq!((status, reply["code"].as_str()), (StatusCode::CONFLICT, Some("photo_not_uploaded")), "{reply}");
    assert!(reply["message"].as_str().unwrap().contains(caption), "{reply}");
    assert_eq!(env.review(HERON).await.fields["state"].value, json!("approved"));

    // The Lead Reviewer's laptop sends it; now the report is issued with the photo frozen in.
    let url = format!("{}/v1/reviews/{HERON}/blobs/{sha}/upload?offset=0&size={}", env.srv.url(), photo.len());
    let sent = env
        .http
        .patch(url)
        .bearer_auth(&lr.token)
        .header("content-type", "application/octet-stream")
        .body(photo.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let (status, reply) = env.post(&issue, token, json!({"report_hash": hash})).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, snapshot) = env.get(&format!("/v1/reviews/{HERON}/versions/1"), token).await;
    assert_eq!(status, StatusCode::OK, "{snapshot}");
    let aoe = snapshot["sections"].as_array().unwrap().iter().find(|s| s["code"] == json!("area_of_excellence")).unwrap();
    assert_eq!(aoe["photos"], json!([{ "attachment_id": attachment.to_string(), "caption": caption, "sha256": sha, "mime": "image/png" }]));

    // The coordinator downloads the PDF: the photo is in it. The blob itself stays the team's.
    let pdf = env.http.get(env.url(&format!("/v1/reviews/{HERON}/versions/1/pdf"))).bearer_auth(&coordinator.token).send().await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf.bytes().await.unwrap()).unwrap();
    let list = std::process::Command::new("pdfimages").args(["-list", file.path().to_str().unwrap()]).output().expect("pdfimages");
    let list = String::from_utf8_lossy(&list.stdout);
    assert_eq!(list.lines().skip(2).count(), 1, "{list}");
    assert!(list.contains(" 96 ") && list.contains(" 64 "), "{list}");
    let (status, _): (StatusCode, Value) = env.get(&format!("/v1/reviews/{HERON}/blobs/{sha}"), token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The school's head reads the version in a browser: the photo is a figure with its caption,
    // served only as a photo of this issued version (issue 22).
    let store = env.srv.store();
    store.test_school_head("user-helen-heron-head", "Helen Heron", "990102").unwrap();
    store.test_school_head("user-kit-kestrel-head", "Kit Kestrel", "990101").unwrap();
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page_get = |path: String, session: String| {
        browser.get(env.url(&path)).header(reqwest::header::COOKIE, format!("__Host-qar_session={session}")).send()
    };
    let head = store.test_web_session("user-helen-heron-head", qar_server::store::now_ms()).unwrap();
    let version = format!("/schools/990102/reviews/{HERON}/versions/1");
    let page = page_get(version.clone(), head.clone()).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let src = format!("{version}/photos/{sha}");
    assert!(page.contains(&format!("<img src=\"{src}\" alt=\"{caption}\">")), "{page}");
    assert!(page.contains(&format!("<figcaption>{caption}</figcaption>")));
    let got = page_get(src.clone(), head.clone()).await.unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.headers()[reqwest::header::CONTENT_TYPE], "image/png");
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo, "the photo the PDF prints");
    // A photo the version does not print, and another school's head: refused.
    let other = page_get(format!("{version}/photos/{}", "0".repeat(64)), head).await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let kestrel = store.test_web_session("user-kit-kestrel-head", qar_server::store::now_ms()).unwrap();
    let refused = page_get(src, kestrel).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
