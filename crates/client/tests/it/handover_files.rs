//! Attachments travel in a handover (and so a revoke) export (issue 19, point 6): a photo not
//! sent yet goes into the sealed file with its cleaned bytes and metadata; importing it on
//! another laptop keeps it sealed there, queues it for upload, and the server ends up with the
//! very bytes, so a third laptop opens the photo. A second import changes nothing.

use crate::common::sign_in_store;
use qar_client::store::AttachChoice;
use qar_client::{Client, NewEvidence, NewReview, Store};
use qar_core::attachment::AttachmentKind;
use qar_server::{start, ServerConfig, ServerStore};
use std::path::Path;

const HANDOVER_PASS: &str = "handover passphrase on paper";
const CAPTION: &str = "Phonics display, Year 1 corridor";

fn laptop(dir: &Path, url: &str, server: &ServerStore) -> Client {
    let mut store = Store::open(&dir.join(qar_client::client_store_file())).unwrap();
    sign_in_store(&mut store, url, server, "user-lena", "Lena Lead");
    drop(store);
    Client::open(dir, url).unwrap()
}

fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handover_file_carries_unsent_photos_and_the_new_laptop_uploads_them() {
    let dirs: Vec<_> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
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

    // Laptop A never syncs: the review, the note and the photo are all unsent.
    let a = laptop(dirs[1].path(), &url, srv.store());
    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    let note = a
        .add_evidence(&NewEvidence {
            review_id: review.id.clone(),
            activity_type: "learning_walk".into(),
            notes: "Phonics".into(),
            ..Default::default()
        })
        .unwrap();
    let choice = AttachChoice { kind: AttachmentKind::Display, caption: CAPTION, full_size: false, blur_faces: false };
    let attached = a.attach_file(&note.id, &photo(), "IMG_0007.JPG", &choice).unwrap();
    let cleaned = a.attachment_bytes(&attached.id).unwrap();

    let file = dirs[4].path().join("handover.qarhandover");
    let exported = a.export_unsent(&file, HANDOVER_PASS, Some(&review.id)).unwrap();
    assert_eq!((exported.ops, exported.files), (3, 2), "the photo and its thumbnail: {exported:?}");
    let raw = std::fs::read(&file).unwrap();
    assert!(!raw.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]), "no JPEG in the clear");
    assert!(!raw.windows(CAPTION.len()).any(|w| w == CAPTION.as_bytes()), "no caption in the clear");

    // Laptop B imports: the record and the sealed bytes are here, queued for upload.
    let b = laptop(dirs[2].path(), &url, srv.store());
    assert_eq!(b.import_handover(&file, HANDOVER_PASS).unwrap(), 3);
    let here = b.list_attachments(&note.id).unwrap();
    assert_eq!(here.len(), 1);
    assert!(here[0].held_here && here[0].upload_pending, "{:?}", here[0]);
    assert_eq!(here[0].caption, CAPTION);
    assert_eq!(b.attachment_bytes(&attached.id).unwrap(), cleaned, "the cleaned bytes, unchanged");
    assert_eq!(b.import_handover(&file, HANDOVER_PASS).unwrap(), 0, "a second import changes nothing");
    assert_eq!(b.upload_queue_status().unwrap().files, 1, "queued once");

    // B syncs: the ops, then the photo. A third laptop opens it from the server.
    b.sync_now().await.unwrap();
    b.sync_now().await.unwrap();
    assert!(b.wipe_check().unwrap().safe, "{:?}", b.wipe_check().unwrap());
    let c = laptop(dirs[3].path(), &url, srv.store());
    c.sync_now().await.unwrap();
    let tile = c.open_attachment_thumbnail(&attached.id).await.unwrap();
    assert_eq!(tile, a.open_attachment_thumbnail(&attached.id).await.unwrap(), "the thumbnail came through the handover too");
    assert!(!c.list_attachments(&note.id).unwrap()[0].held_here, "the tile fetched only the thumbnail");
    assert_eq!(c.open_attachment(&attached.id).await.unwrap(), cleaned);
    srv.stop().await;
}
