//! Attachments between laptops through a real server (issue 19): notes never wait for photos,
//! a teammate's laptop fetches a photo when it is opened, the same photo twice is one blob.

use crate::common::{heron_vale_review, now_ms, sign_in_store};
use qar_client::store::AttachChoice;
use qar_client::{Client, NewEvidence, NewReview, Store};
use qar_core::attachment::AttachmentKind;
use qar_core::entities::TeamRole;
use qar_server::net::cutting_proxy::cutting_proxy;
use qar_server::{start, ServerConfig, ServerStore};
use std::path::Path;

fn signed_in_laptop(dir: &Path, url: &str, server: &ServerStore, user_id: &str, name: &str) -> Client {
    let mut store = Store::open(&dir.join("qar-field.db")).unwrap();
    sign_in_store(&mut store, url, server, user_id, name);
    drop(store);
    Client::open(dir, url).unwrap()
}

/// A phone-sized JPEG of noise, different for each seed (so each is its own blob).
fn photo(seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let img = image::RgbImage::from_fn(320, 240, |_, _| image::Rgb([rng.u8(..), rng.u8(..), rng.u8(..)]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn note(review_id: &str, text: &str) -> NewEvidence {
    NewEvidence { review_id: review_id.into(), activity_type: "work_scrutiny".into(), notes: text.into(), ..Default::default() }
}

fn blob_files(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            n += blob_files(&entry.path());
        } else if !entry.file_name().to_string_lossy().ends_with(".part") {
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_photos_never_hold_back_a_note_and_a_teammate_opens_them() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = start(&ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() })
        .await
        .unwrap();
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    srv.store().test_user("user-rhys", "Rhys Reviewer", &[]).unwrap();
    let a = signed_in_laptop(dirs[1].path(), &srv.url(), srv.store(), "user-lena", "Lena Lead");
    let b = signed_in_laptop(dirs[2].path(), &srv.url(), srv.store(), "user-rhys", "Rhys Reviewer");
    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    let scrutiny = a.add_evidence(&note(&review.id, "Y6 books: presentation consistent across subjects.")).unwrap();
    a.sync_now().await.unwrap();
    srv.store().test_team_member(review.id.parse().unwrap(), "user-rhys", TeamRole::Reviewer, now_ms()).unwrap();

    let choice = AttachChoice { kind: AttachmentKind::PupilsWork, caption: "Y6 book", full_size: false, blur_faces: false };
    let mut attached = Vec::new();
    for seed in 0..100 {
        attached.push(a.attach_file(&scrutiny.id, &photo(seed), &format!("IMG_{seed:04}.JPG"), &choice).unwrap());
    }
    let after = a.add_evidence(&note(&review.id, "Written after the photos: reading corner well used.")).unwrap();

    // One round: the notes and the 100 attachment records go first, then a few files.
    let round = a.sync_now().await.unwrap();
    assert!(round.files_sent <= qar_client::sync::uploads::FILES_PER_ROUND, "{round:?}");
    b.sync_now().await.unwrap();
    assert!(b.list_evidence(&review.id).unwrap().iter().any(|e| e.id == after.id), "the note reached the other laptop");
    let still_queued = a.upload_queue_status().unwrap().files;
    assert!(
        still_queued >= 100 - qar_client::sync::uploads::FILES_PER_ROUND as u32,
        "while photos are still uploading ({still_queued} left)"
    );
    assert_eq!(b.list_attachments(&scrutiny.id).unwrap().len(), 100, "their records arrived with the notes");
    assert!(!b.list_attachments(&scrutiny.id).unwrap()[0].held_here, "bytes come when opened");

    // A photo not on the server yet: B says so and keeps working.
    let last = attached.last().unwrap();
    assert!(b.open_attachment(&last.id).await.is_err(), "not sent yet");

    for _ in 0..30 {
        if a.upload_queue_status().unwrap().files == 0 {
            break;
        }
        a.sync_now().await.unwrap();
    }
    assert_eq!(a.upload_queue_status().unwrap().files, 0, "every photo sent in later rounds");
    let opened = b.open_attachment(&last.id).await.unwrap();
    assert_eq!(opened, a.attachment_bytes(&last.id).unwrap(), "B opens A's photo, checked by its hash");
    assert!(b.list_attachments(&scrutiny.id).unwrap().iter().find(|x| x.id == last.id).unwrap().held_here, "kept sealed on B");

    // B attaches the same photo to a note of his own: one blob on the server, nothing sent twice.
    let blobs = dirs[0].path().join("blobs");
    let before = blob_files(&blobs);
    assert_eq!(before, 200, "each photo and its thumbnail");
    b.sync_now().await.unwrap();
    let mine = b.add_evidence(&note(&review.id, "Same book seen again.")).unwrap();
    let again = b.attach_file(&mine.id, &photo(99), "copy.jpg", &choice).unwrap();
    assert_eq!(again.sha256, last.sha256, "the pipeline gives the same bytes for the same photo");
    let round = b.sync_now().await.unwrap();
    assert_eq!(round.files_sent, 1);
    assert_eq!(blob_files(&blobs), before, "one blob on the server for the same photo");
}

/// The laptop's own uploader over a link cut every 256 KB: a 5 MB document resumes from the
/// server's offset each time and arrives whole, hash checked, for under 1.2 times its size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_laptop_resumes_a_5_mb_upload_over_a_link_cut_every_256_kb() {
    use std::sync::atomic::Ordering;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = start(&ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() })
        .await
        .unwrap();
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    let target: std::net::SocketAddr = srv.url().trim_start_matches("http://").parse().unwrap();
    let (proxy, sent) = cutting_proxy(target, 256 * 1024).await;
    let a = signed_in_laptop(dirs[1].path(), &proxy, srv.store(), "user-lena", "Lena Lead");
    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    let n = a.add_evidence(&note(&review.id, "The school's self-evaluation, as handed over.")).unwrap();
    // A 5 MB PDF (kept byte for byte by the pipeline): text that names nothing a PDF check refuses.
    let mut rng = fastrand::Rng::with_seed(7);
    let mut pdf = b"%PDF-1.4\n%".to_vec();
    pdf.extend((0..5_000_000 - 20).map(|_| b"0123456789abcdef"[rng.usize(..16)]));
    pdf.extend_from_slice(b"\n%%EOF\n");
    let choice = AttachChoice { kind: AttachmentKind::Document, caption: "SEF", full_size: false, blur_faces: false };
    let doc = a.attach_file(&n.id, &pdf, "SEF.pdf", &choice).unwrap();
    assert_eq!(doc.size, pdf.len() as u64);
    let before = sent.load(Ordering::SeqCst);
    a.sync_now().await.unwrap();
    let mut rounds = 1;
    while a.upload_queue_status().unwrap().files > 0 && rounds < 20 {
        a.sync_now().await.unwrap();
        rounds += 1;
    }
    let why = a.list_attachments(&n.id).unwrap()[0].upload_error.clone();
    assert_eq!(a.upload_queue_status().unwrap().files, 0, "sent in {rounds} rounds: {why:?}");
    let total = sent.load(Ordering::SeqCst) - before;
    let ratio = total as f64 / pdf.len() as f64;
    println!("5 MB file over a link cut every 256 KB: {total} bytes sent by the laptop ({ratio:.3}x, its push and pull included) in {rounds} sync round(s)");
    assert!(ratio < 1.2, "{total} bytes for {} ({ratio:.3}x)", pdf.len());
    let on_server = qar_client::sync::SyncClient::with_token(
        &srv.url(),
        &crate::common::sign_in_store(
            &mut Store::open(&dirs[1].path().join("other.db")).unwrap(),
            &srv.url(),
            srv.store(),
            "user-lena",
            "Lena Lead",
        ),
    )
    .blob_fetch(&review.id, &doc.sha256)
    .await
    .unwrap();
    assert_eq!(on_server, pdf, "the server holds exactly the file");
}

/// What the sync panel and "safe to wipe" say about files (issue 19, point 6): a photo whose
/// note the server holds is still only on this laptop until its bytes are sent; a failing
/// upload is listed with its reason in words; once sent, the queue says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safe_to_wipe_waits_for_unsent_files_and_the_panel_says_where_uploads_stand() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = start(&ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() })
        .await
        .unwrap();
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    let a = signed_in_laptop(dirs[1].path(), &srv.url(), srv.store(), "user-lena", "Lena Lead");
    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    let n = a.add_evidence(&note(&review.id, "Learning walk: Y2 phonics display.")).unwrap();

    // The pipeline's verdict comes before anything is stored.
    let check = a.check_attachment(&n.id, &photo(1), "IMG_0001.JPG", false).unwrap();
    assert_eq!(check.mime, "image/jpeg");
    assert!(check.metadata_removed && !check.may_show_face);
    assert_eq!((check.width, check.height), (Some(320), Some(240)));
    let refused = a.check_attachment(&n.id, b"plain words, not a photo", "notes.txt", false).unwrap_err();
    assert_eq!(refused.code(), qar_core::ErrorCode::InvalidFile);
    assert!(a.list_attachments(&n.id).unwrap().is_empty(), "checking stores nothing");

    let choice = AttachChoice { kind: AttachmentKind::Display, caption: "Phonics display", full_size: false, blur_faces: false };
    let shown = a.attach_file(&n.id, &photo(1), "IMG_0001.JPG", &choice).unwrap();
    let uploads = a.status().unwrap().uploads;
    let (_, thumb_size) = a.attachment_thumb(&shown.id).unwrap().unwrap();
    assert_eq!(
        (uploads.waiting_files, uploads.bytes_left, uploads.sent_files),
        (1, shown.size + thumb_size, 0),
        "one photo, with its thumbnail's bytes"
    );
    let wipe = a.wipe_check().unwrap();
    assert!(!wipe.safe);
    assert_eq!((wipe.unsent[0].changes > 0, wipe.unsent[0].files), (true, 1));

    a.sync_now().await.unwrap();
    let uploads = a.status().unwrap().uploads;
    assert_eq!((uploads.waiting_files, uploads.sent_files, uploads.failed.len()), (0, 1, 0));
    assert!(uploads.sending.is_none() && uploads.seconds_left.is_none(), "{uploads:?}");
    assert!(a.wipe_check().unwrap().safe, "the server holds the note and the photo");
}

/// A failed attempt is kept on the file's row in words; the panel names the file by its
/// caption, or by its kind when it has none.
#[test]
fn a_failing_upload_is_listed_by_its_caption_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("qar-field.db")).unwrap();
    let review = heron_vale_review(&mut s);
    let n = s.add_evidence(&note(&review.id, "Work scrutiny, Y4."), now_ms()).unwrap();
    let with_caption = AttachChoice { kind: AttachmentKind::PupilsWork, caption: "Y4 science book", full_size: false, blur_faces: false };
    let without = AttachChoice { caption: "", ..with_caption.clone() };
    let first = s.attach_file(&n.id, &photo(3), "a.jpg", &with_caption, now_ms()).unwrap();
    let second = s.attach_file(&n.id, &photo(4), "b.jpg", &without, now_ms() + 1).unwrap();
    s.upload_failed(&first.id, "Not sent yet: the server was busy. It is tried again by itself", 2_000, now_ms()).unwrap();
    s.upload_failed(&second.id, "Not sent yet: no room left for this review. It is tried again by itself", 2_000, now_ms()).unwrap();

    let status = s.upload_status().unwrap();
    assert_eq!(status.waiting_files, 2);
    let listed: Vec<(&str, &str)> = status.failed.iter().map(|f| (f.label.as_str(), f.evidence_id.as_str())).collect();
    assert_eq!(listed, [("Y4 science book", n.id.as_str()), ("Pupil's work", n.id.as_str())]);
    assert!(status.failed[0].reason.contains("the server was busy"));
    assert!(status.sending.is_none(), "nothing is on its way outside a sync round");
}

/// A proxy in front of the server that counts the bytes coming back to the laptop, so the test
/// sees what a list of a teammate's photos really downloads.
async fn counting_proxy(target: std::net::SocketAddr) -> (String, std::sync::Arc<std::sync::atomic::AtomicU64>) {
    use std::sync::atomic::{AtomicU64, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = std::sync::Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(target).await else { return };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = tokio::io::copy(&mut cr, &mut sw);
                let down = async {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match tokio::io::AsyncReadExt::read(&mut sr, &mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        counter.fetch_add(n as u64, Ordering::SeqCst);
                        if tokio::io::AsyncWriteExt::write_all(&mut cw, &buf[..n]).await.is_err() {
                            return;
                        }
                    }
                };
                tokio::select! { _ = up => {}, _ = down => {} }
            });
        }
    });
    (format!("http://{addr}"), received)
}

/// A 2,048 × 1,536 photo of smooth gradients with some noise: the size of a cleaned phone photo.
fn big_photo() -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7);
    let img = image::RgbImage::from_fn(2048, 1536, |x, y| {
        image::Rgb([(x / 8) as u8 ^ rng.u8(..16), (y / 6) as u8 ^ rng.u8(..16), ((x + y) / 14) as u8 ^ rng.u8(..16)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teammates_list_downloads_only_the_thumbnail_and_the_full_photo_when_opened() {
    use std::sync::atomic::Ordering;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let srv = start(&ServerConfig { data_dir: dirs[0].path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() })
        .await
        .unwrap();
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    srv.store().test_user("user-rhys", "Rhys Reviewer", &[]).unwrap();
    let (proxy, received) = counting_proxy(srv.url().trim_start_matches("http://").parse().unwrap()).await;
    let a = signed_in_laptop(dirs[1].path(), &srv.url(), srv.store(), "user-lena", "Lena Lead");
    let b = signed_in_laptop(dirs[2].path(), &proxy, srv.store(), "user-rhys", "Rhys Reviewer");
    let review = a
        .create_review(&NewReview {
            school_name: "Heron Vale Academy".into(),
            school_urn: "990102".into(),
            start_date: "2027-01-19".into(),
        })
        .unwrap();
    let scrutiny = a.add_evidence(&note(&review.id, "Y6 books: presentation consistent across subjects.")).unwrap();
    a.sync_now().await.unwrap();
    srv.store().test_team_member(review.id.parse().unwrap(), "user-rhys", TeamRole::Reviewer, now_ms()).unwrap();

    let choice = AttachChoice { kind: AttachmentKind::PupilsWork, caption: "Y6 book", full_size: false, blur_faces: false };
    let photo = a.attach_file(&scrutiny.id, &big_photo(), "IMG_0001.JPG", &choice).unwrap();
    let (thumb_sha, thumb_size) = a.attachment_thumb(&photo.id).unwrap().expect("a photo records its thumbnail");
    assert!(thumb_size * 10 < photo.size, "thumbnail {thumb_size} bytes, photo {} bytes", photo.size);
    let queued = a.upload_queue_status().unwrap();
    assert_eq!(queued.files, 1, "the photo waits to upload, counted once with its thumbnail");
    assert_eq!(queued.bytes_left, photo.size + thumb_size);
    for _ in 0..5 {
        a.sync_now().await.unwrap();
    }
    assert_eq!(a.upload_queue_status().unwrap().files, 0);

    b.sync_now().await.unwrap();
    let listed = b.list_attachments(&scrutiny.id).unwrap();
    assert_eq!(listed.len(), 1);
    let before = received.load(Ordering::SeqCst);
    let tile = b.open_attachment_thumbnail(&photo.id).await.unwrap();
    let for_tile = received.load(Ordering::SeqCst) - before;
    assert_eq!(hex::encode(sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(&tile))), thumb_sha);
    assert!(image::load_from_memory(&tile).unwrap().width() <= qar_media::THUMBNAIL_SIDE);
    println!("tile of a {} byte photo: {for_tile} bytes downloaded (thumbnail {thumb_size} bytes)", photo.size);
    assert!(for_tile < thumb_size + 4_000, "the tile downloaded {for_tile} bytes for a {thumb_size} byte thumbnail");
    assert!(!b.list_attachments(&scrutiny.id).unwrap()[0].held_here, "the full photo is not downloaded for the list");
    // Shown again: from the sealed copy, nothing downloaded.
    let before = received.load(Ordering::SeqCst);
    assert_eq!(b.open_attachment_thumbnail(&photo.id).await.unwrap(), tile);
    assert_eq!(received.load(Ordering::SeqCst), before);

    // Opened in the viewer: the full photo now comes, once.
    let before = received.load(Ordering::SeqCst);
    let full = b.open_attachment(&photo.id).await.unwrap();
    assert_eq!(full, a.attachment_bytes(&photo.id).unwrap());
    assert!(received.load(Ordering::SeqCst) - before >= photo.size);
    assert!(b.list_attachments(&scrutiny.id).unwrap()[0].held_here);

    // A record without a thumbnail (a document, or a photo from before thumbnails) shows its
    // full file on the tile, as before.
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let doc_choice = AttachChoice { kind: AttachmentKind::Document, caption: "", full_size: false, blur_faces: false };
    let doc = a.attach_file(&scrutiny.id, pdf, "timetable.pdf", &doc_choice).unwrap();
    assert!(a.attachment_thumb(&doc.id).unwrap().is_none());
    for _ in 0..3 {
        a.sync_now().await.unwrap();
    }
    b.sync_now().await.unwrap();
    assert_eq!(b.open_attachment_thumbnail(&doc.id).await.unwrap(), pdf.to_vec());
}
