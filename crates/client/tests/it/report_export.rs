//! The report from a laptop (issue 10) against a real qar-server with its demo data: a draft
//! export carries the watermark, the approved one the approver and short hash; the preview model
//! is what the PDF says; the coordinator issues; a correction becomes version 2 and version 1
//! still renders to identical bytes, offline.

use crate::common::{demo_server, now_ms, pdf_text, signed_in_client, squash};
use qar_client::{ExportFormat, NewEvidence};
use qar_report::{Block, ReportStatus};
use std::path::{Path, PathBuf};
use std::process::Command;

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";

/// `<target>/test-artifacts/` for page images to look at.
fn artifacts() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"), PathBuf::from);
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_issue_and_a_correction_keep_version_one_byte_identical() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let out = dirs[3].path();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let lead = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    // A note the report will cite: its text must never reach an export.
    let note = lead
        .add_evidence(&NewEvidence {
            review_id: KESTREL.into(),
            activity_type: "learning_walk".into(),
            started_at: Some("2026-11-24T10:15".into()),
            notes: "Confidential: Y4 teacher struggled with behaviour.".into(),
            ..Default::default()
        })
        .unwrap();
    let cite = qar_core::citation::token(note.id.parse().unwrap());
    for area in qar_core::framework("2019").unwrap().areas {
        lead.set_estimate(KESTREL, area.code, "effective", "Strong, consistent practice — seen in every class.").unwrap();
    }
    for to in ["estimates_agreed", "drafting"] {
        lead.transition_review(KESTREL, to).unwrap();
    }
    for s in lead.report_template(KESTREL).unwrap().sections.into_iter().filter(|s| s.required) {
        lead.save_report_section(KESTREL, &s.code, &format!("{}: what the team saw, agreed with the school’s leaders.", s.title)).unwrap();
    }

    // The context section cites the note: the team sees a link with what and when, never its text.
    let context = format!("Context: what the team saw on the learning walk {cite}.");
    lead.save_report_section(KESTREL, "context", &context).unwrap();
    let listed = lead.list_report_sections(KESTREL).unwrap().into_iter().find(|s| s.code == "context").unwrap();
    assert_eq!(listed.citations.len(), 1);
    assert_eq!((listed.citations[0].label.as_str(), listed.citations[0].available), ("Learning walk, 24 Nov 10:15", true));
    assert_eq!(listed.citations[0].token, cite);
    assert_eq!(listed.word_count, 9, "citations are not words of the report");

    // A draft, offline: watermark, and the preview model's every heading, estimate and
    // section text is in the PDF.
    let draft = lead.report_document(KESTREL).unwrap();
    assert_eq!(draft.status, ReportStatus::Draft);
    let pdf = lead.export_report(KESTREL, ExportFormat::Pdf, None, out).await.unwrap();
    assert!(pdf.path.ends_with("report (draft).pdf") && pdf.bytes > 1000, "{pdf:?}");
    let text = pdf_text(Path::new(&pdf.path));
    let mut needles = vec![draft.school_name.clone(), format!("URN {}", draft.school_urn), "DRAFT".into()];
    for b in draft.body_blocks() {
        if let Block::Heading1(t) | Block::Heading2(t) = b {
            needles.push(t.to_owned());
        }
    }
    for e in &draft.estimates {
        needles.extend([e.area_label.clone(), e.value_label.clone(), e.rationale.clone()]);
    }
    needles.extend(draft.sections.iter().map(|s| s.body.clone()));
    for n in needles {
        assert!(text.contains(&squash(&n)), "{n:?} missing from the PDF text:\n{text}");
    }
    assert!(text.contains(&squash("Context: what the team saw on the learning walk.")), "the citation leaves no gap:\n{text}");
    assert!(!text.contains("[[note") && !text.contains(&note.id) && !text.contains("Confidential"), "no citation in the PDF:\n{text}");
    let docx = lead.export_report(KESTREL, ExportFormat::Docx, None, out).await.unwrap();
    assert!(std::fs::read(&docx.path).unwrap().starts_with(b"PK"), "a DOCX is a zip");

    // Submitted and approved: the export carries the approver and the short hash.
    lead.transition_review(KESTREL, "submitted").unwrap();
    lead.sync_now().await.unwrap();
    let hub = signed_in_client(dirs[2].path(), &url, "hollie.brennan@example.org", "QARDEMOHOLLIEBRENNANHUBCOORD2345").await;
    hub.approve_review(KESTREL).await.unwrap();
    lead.sync_now().await.unwrap();
    let approved = lead.export_report(KESTREL, ExportFormat::Pdf, None, out).await.unwrap();
    let text = pdf_text(Path::new(&approved.path));
    let short = qar_client::report_model::short_hash(&lead.review_detail(KESTREL).unwrap().approved_hash);
    assert!(text.contains("Hollie Brennan") && text.contains(&short), "approver and {short}:\n{text}");
    assert!(!text.contains("DRAFT"), "no watermark once approved");
    // Page images of the approved export to look at.
    let prefix = artifacts().join("app-approved-page");
    let ok = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-f", "1", "-l", "2", &approved.path, prefix.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(ok.success());

    // Issued: version 1, fetched and kept on the LR's laptop.
    let e = lead.issue_report(KESTREL, "").await.unwrap_err();
    assert_eq!(e.code(), "not_your_role", "{e}");
    assert_eq!(hub.issue_report(KESTREL, "").await.unwrap().state, "issued");
    lead.sync_now().await.unwrap();
    let versions = lead.report_versions(KESTREL).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1]);
    let v1 = lead.export_report(KESTREL, ExportFormat::Pdf, Some(1), out).await.unwrap();
    assert!(v1.path.ends_with("report v1.pdf"), "{}", v1.path);
    let v1_bytes = std::fs::read(&v1.path).unwrap();
    assert!(pdf_text(Path::new(&v1.path)).contains("Hollie Brennan"));

    // A correction: edit after issue → submitted → approved → version 2 with a reason.
    lead.save_report_section(KESTREL, "next_steps", "Support with Y6 writing moderation across the hub.").unwrap();
    lead.sync_now().await.unwrap();
    hub.sync_now().await.unwrap();
    assert_eq!(hub.review(KESTREL).unwrap().state, "submitted");
    hub.approve_review(KESTREL).await.unwrap();
    let e = hub.issue_report(KESTREL, " ").await.unwrap_err();
    assert_eq!(e.code(), "reason_required", "{e}");
    hub.issue_report(KESTREL, "Next steps added after the school's feedback.").await.unwrap();
    lead.sync_now().await.unwrap();
    let versions = lead.report_versions(KESTREL).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].reason, "Next steps added after the school's feedback.");

    // The host school's headteacher downloads each issued version from the server (issue 22):
    // rendered there from the same snapshot by the same qar-report code, byte for byte the
    // laptop's export of that version, under the same file name.
    srv.store().test_school_head("user-kit-kestrel-head", "Kit Kestrel", "990101").unwrap();
    let head = srv.store().test_token("user-kit-kestrel-head", uuid::Uuid::now_v7(), now_ms()).unwrap();
    let http = reqwest::Client::new();
    for (version, format, ext) in
        [(1, ExportFormat::Pdf, "pdf"), (1, ExportFormat::Docx, "docx"), (2, ExportFormat::Pdf, "pdf"), (2, ExportFormat::Docx, "docx")]
    {
        let laptop = lead.export_report(KESTREL, format, Some(version), out).await.unwrap();
        let resp = http.get(format!("{url}/v1/reviews/{KESTREL}/versions/{version}/{ext}")).bearer_auth(&head).send().await.unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "v{version} {ext}");
        let disposition = resp.headers()[reqwest::header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
        let name = Path::new(&laptop.path).file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            disposition.starts_with("attachment;") && disposition.contains(&format!("report v{version}.{ext}")),
            "{disposition} for {name}"
        );
        let served = resp.bytes().await.unwrap();
        assert!(
            served.as_ref() == std::fs::read(&laptop.path).unwrap().as_slice(),
            "v{version} {ext}: the server's download is the laptop's export"
        );
    }

    // Offline: version 1 renders to the very same bytes; version 2 has the correction.
    srv.stop().await;
    assert_eq!(lead.report_versions(KESTREL).await.unwrap().len(), 2, "kept for offline use");
    std::fs::remove_file(&v1.path).unwrap();
    let again = lead.export_report(KESTREL, ExportFormat::Pdf, Some(1), out).await.unwrap();
    assert_eq!(std::fs::read(&again.path).unwrap(), v1_bytes, "version 1 is byte-identical after version 2");
    let v2 = lead.export_report(KESTREL, ExportFormat::Docx, Some(2), out).await.unwrap();
    assert!(v2.path.ends_with("report v2.docx") && v2.bytes > 1000);
    let e = lead.export_report(KESTREL, ExportFormat::Pdf, Some(3), out).await.unwrap_err();
    assert_eq!(e.code(), "not_found");
}
