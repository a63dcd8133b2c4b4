//! A photo in the report (issue 19) against a real qar-server: the Lead Reviewer chooses a
//! photo attached to a note for the Area of Excellence, with the caption the school will read;
//! the draft export prints it; choosing it sends an approved report back for approval (the
//! approval covers the photos); the issued version prints it on the server from the blob store,
//! byte for byte what the laptop exports; the coordinator never fetches the team's other photos.

use crate::common::{demo_server, now_ms, pdf_text, signed_in_client, squash};
use qar_client::store::AttachChoice;
use qar_client::{ExportFormat, NewEvidence};
use qar_core::attachment::AttachmentKind;
use qar_core::report_photos::ReportPhoto;
use std::path::Path;
use std::process::Command;

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";

/// A 480×320 JPEG of a display's colours, as a phone would give it.
fn display_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(480, 320, |x, y| image::Rgb([(x / 2) as u8, (y * 3 / 4) as u8, 150]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The pictures `pdfimages -list` finds in a PDF.
fn pictures(pdf: &Path) -> usize {
    let out = Command::new("pdfimages").args(["-list", pdf.to_str().unwrap()]).output().expect("pdfimages (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).lines().skip(2).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_photo_prints_in_the_draft_and_in_the_issued_version_on_both_ends() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let out = dirs[3].path();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let lead = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    let walk = lead
        .add_evidence(&NewEvidence {
            review_id: KESTREL.into(),
            activity_type: "learning_walk".into(),
            notes: "Reading corner in every class.".into(),
            ..Default::default()
        })
        .unwrap();
    let choice = AttachChoice { kind: AttachmentKind::Display, caption: "Y4 reading corner", full_size: false, blur_faces: false };
    let photo = lead.attach_file(&walk.id, &display_photo(), "IMG_0042.JPG", &choice).unwrap();
    let document = lead
        .attach_file(
            &walk.id,
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            "plan.pdf",
            &AttachChoice { kind: AttachmentKind::Document, ..choice.clone() },
        )
        .ok();
    // A second photo of the note, which the report will not show.
    let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([200, (x / 2) as u8, (y / 2) as u8]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    img.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let other = lead.attach_file(&walk.id, &jpeg.into_inner(), "IMG_0043.JPG", &choice).unwrap();

    for area in qar_core::framework("2019").unwrap().areas {
        lead.set_estimate(KESTREL, area.code, "effective", "Seen in every class.").unwrap();
    }
    for to in ["estimates_agreed", "drafting"] {
        lead.transition_review(KESTREL, to).unwrap();
    }
    for s in lead.report_template(KESTREL).unwrap().sections.into_iter().filter(|s| s.required) {
        lead.save_report_section(KESTREL, &s.code, &format!("{}: what the team saw.", s.title)).unwrap();
    }
    lead.save_report_section(KESTREL, "area_of_excellence", "Reading for pleasure runs through the school.").unwrap();

    // Chosen with the caption the school will read; a document is refused, so is a stranger's id.
    let caption = "A Year 4 reading corner, chosen by pupils";
    let chosen = vec![ReportPhoto { attachment_id: photo.id.clone(), caption: caption.into() }];
    if let Some(document) = &document {
        let refused = lead
            .set_report_photos(KESTREL, "area_of_excellence", &[ReportPhoto { attachment_id: document.id.clone(), caption: String::new() }])
            .unwrap_err();
        assert_eq!(refused.code(), "invalid", "{refused}");
    }
    let unknown = ReportPhoto { attachment_id: uuid::Uuid::now_v7().to_string(), caption: String::new() };
    assert_eq!(lead.set_report_photos(KESTREL, "area_of_excellence", &[unknown]).unwrap_err().code(), "not_found");
    let hash_before = lead.review_detail(KESTREL).unwrap().report_hash;
    let section = lead.set_report_photos(KESTREL, "area_of_excellence", &chosen).unwrap();
    assert_eq!(section.photos, chosen);
    assert_ne!(lead.review_detail(KESTREL).unwrap().report_hash, hash_before, "the photos count in the content hash");

    // The draft: the picture under the Area of Excellence, its caption after the section's text.
    let draft = lead.export_report(KESTREL, ExportFormat::Pdf, None, out).await.unwrap();
    assert_eq!(pictures(Path::new(&draft.path)), 1);
    let text = pdf_text(Path::new(&draft.path));
    let aoe = text.find("Reading for pleasure runs through the school.").expect("the section");
    assert!(text[aoe..].contains(&squash(caption)), "the caption after the section's text:\n{text}");
    assert!(!text.contains("Y4 reading corner"), "the note's own caption is not the report's");
    let prefix = out.join("photo-page");
    assert!(Command::new("pdftoppm").args(["-r", "50", "-png", &draft.path, prefix.to_str().unwrap()]).status().unwrap().success());

    // Submitted, approved, issued; the laptop's sync sent the photo to the server first.
    lead.transition_review(KESTREL, "submitted").unwrap();
    lead.sync_now().await.unwrap();
    lead.sync_now().await.unwrap();
    let hub = signed_in_client(dirs[2].path(), &url, "hollie.brennan@example.org", "QARDEMOHOLLIEBRENNANHUBCOORD2345").await;
    hub.approve_review(KESTREL).await.unwrap();
    lead.sync_now().await.unwrap();
    assert_eq!(hub.issue_report(KESTREL, "").await.unwrap().state, "issued");
    lead.sync_now().await.unwrap();
    lead.report_versions(KESTREL).await.unwrap();

    // The host school's head downloads version 1 from the server: the photo is in it, and the
    // bytes are the laptop's export of that version.
    srv.store().test_school_head("user-kit-kestrel-head", "Kit Kestrel", "990101").unwrap();
    let head = srv.store().test_token("user-kit-kestrel-head", uuid::Uuid::now_v7(), now_ms()).unwrap();
    let http = reqwest::Client::new();
    for (format, ext) in [(ExportFormat::Pdf, "pdf"), (ExportFormat::Docx, "docx")] {
        let laptop = lead.export_report(KESTREL, format, Some(1), out).await.unwrap();
        let resp = http.get(format!("{url}/v1/reviews/{KESTREL}/versions/1/{ext}")).bearer_auth(&head).send().await.unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "v1 {ext}");
        let served = resp.bytes().await.unwrap();
        assert!(served.as_ref() == std::fs::read(&laptop.path).unwrap().as_slice(), "{ext}: the server's download is the laptop's export");
        if ext == "pdf" {
            assert_eq!(pictures(Path::new(&laptop.path)), 1, "the issued version prints the photo");
            assert!(pdf_text(Path::new(&laptop.path)).contains(&squash(caption)));
        }
    }
    // The photo reaches the coordinator through the report only: the blob itself stays the team's.
    let e = hub.open_attachment(&photo.id).await.unwrap_err();
    assert!(matches!(e.code().as_str(), "not_your_role" | "not_found" | "forbidden"), "{e}");

    // The coordinator's laptop fetches the report's photo from the report's own route, so its
    // report view and its exports, draft and issued, print it.
    hub.sync_now().await.unwrap();
    let bytes = hub.report_photo(KESTREL, &photo.id, &photo.sha256, caption).await.unwrap();
    assert_eq!(bytes, lead.attachment_bytes(&photo.id).unwrap(), "the coordinator sees the photo the team chose, byte for byte");
    hub.report_versions(KESTREL).await.unwrap();
    for version in [None, Some(1)] {
        let printed = hub.export_report(KESTREL, ExportFormat::Pdf, version, out).await.unwrap();
        assert_eq!(pictures(Path::new(&printed.path)), 1, "the coordinator's export ({version:?}) prints the photo");
    }
    // A photo the report does not show stays the team's, even by its hash.
    let e = hub.report_photo(KESTREL, &other.id, &other.sha256, "").await.unwrap_err();
    assert!(e.to_string().contains("seen by the review's team only"), "refused by the report's route, then by the team's: {e}");
    srv.stop().await;
}
