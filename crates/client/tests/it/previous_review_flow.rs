//! Each review builds on the last (issue 23) with real laptops and a real qar-server: Kestrel
//! Brook's report is issued; the hub schedules the school's next review; the team's laptops
//! pull the previous report's estimates and Even better if points and read them with the server
//! gone; the Lead Reviewer answers a point under the report's own rules, and the draft export
//! shows "Progress since the last review". A first review of a school shows none.

use crate::common::{demo_server, now_ms, pdf_text, signed_in_client, visit};
use qar_client::ExportFormat;
use qar_server::store::demo::DEMO_HUB_ID;
use serde_json::json;
use std::path::Path;

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";
const HERON: &str = "01900000-0000-7000-8000-000000000102";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_team_prepares_with_the_last_review_offline_and_reports_progress_on_it() {
    let dirs: Vec<_> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let lead = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    let hub = signed_in_client(dirs[2].path(), &url, "hollie.brennan@example.org", "QARDEMOHOLLIEBRENNANHUBCOORD2345").await;

    // Kestrel Brook's review (visit in the past) is written, approved and issued.
    for area in qar_core::framework("2019").unwrap().areas {
        lead.set_estimate(KESTREL, area.code, "effective", "Seen in every class.").unwrap();
    }
    for to in ["estimates_agreed", "drafting"] {
        lead.transition_review(KESTREL, to).unwrap();
    }
    for s in lead.report_template(KESTREL).unwrap().sections.into_iter().filter(|s| s.required) {
        let body = match s.code.as_str() {
            "leadership_ebi" => "- Middle leaders check the impact of their plans\n- Governors hear from subject leaders".to_owned(),
            _ => format!("{}: what the team saw.", s.title),
        };
        lead.save_report_section(KESTREL, &s.code, &body).unwrap();
    }
    lead.transition_review(KESTREL, "submitted").unwrap();
    lead.sync_now().await.unwrap();
    hub.sync_now().await.unwrap();
    hub.approve_review(KESTREL).await.unwrap();
    hub.issue_report(KESTREL, "").await.unwrap();
    // The school's first review has no section on progress: nothing came before it.
    assert!(lead.previous_review(KESTREL).unwrap().is_none());
    assert!(lead.report_document(HERON).unwrap().progress.is_empty());

    // The hub schedules Kestrel Brook's next review: the server links the issued one by URN.
    let token = srv.store().test_token_for_email("hollie.brennan@example.org", uuid::Uuid::now_v7(), now_ms()).unwrap();
    let body = json!({"school_urn": "990101", "visit_dates": visit(1), "lead_reviewer_id": "user-anika-marsh", "reviewers": ["user-owen-pritchard"]});
    let resp =
        reqwest::Client::new().post(format!("{url}/v1/hubs/{DEMO_HUB_ID}/reviews")).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let next = resp.json::<serde_json::Value>().await.unwrap()["review"]["id"].as_str().unwrap().to_owned();

    let owen = signed_in_client(dirs[3].path(), &url, "owen.pritchard@example.org", "QARDEMOOWENPRITCHARDREVIEWER2345").await;
    lead.sync_now().await.unwrap();
    hub.sync_now().await.unwrap();
    // The coordinator is not on the team: her laptop does not hold the copy.
    assert!(hub.previous_review(&next).map(|p| p.is_none()).unwrap_or(true));
    drop(srv);

    // Offline, on the reviewer's laptop: the previous report's estimates and EBI points.
    let prev = owen.previous_review(&next).unwrap().expect("the last review is on the laptop");
    assert_eq!((prev.previous_review_id.as_str(), prev.school_name.as_str()), (KESTREL, "Kestrel Brook Primary School"));
    assert_eq!(prev.start_date, "2026-11-24");
    assert_eq!(prev.issued_on.len(), 10);
    assert_eq!(prev.estimates.len(), 3);
    assert!(prev.estimates.iter().all(|e| e.value_label == "Effective"), "{:?}", prev.estimates);
    let points: Vec<(&str, &str)> = prev.points.iter().map(|p| (p.area_label.as_str(), p.point.as_str())).collect();
    assert_eq!(
        points[..2],
        [
            ("Leadership at all levels", "Middle leaders check the impact of their plans"),
            ("Leadership at all levels", "Governors hear from subject leaders")
        ]
    );
    assert!(prev.points.iter().all(|p| p.found.is_empty()));

    // Progress is the report's: refused while preparing (wrong state), the reviewer never.
    let e = lead.save_progress(&next, 1, "Too early").unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert!(e.to_string().contains("edit the report only while"), "{e}");
    for to in ["preparing", "in_visit", "estimates_agreed", "drafting"] {
        lead.transition_review(&next, to).unwrap();
    }
    let e = owen.save_progress(&next, 1, "Not mine to write").unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    let saved = lead.save_progress(&next, 1, "Subject leaders now review their plans each half-term.").unwrap();
    assert_eq!((saved.number, saved.point.as_str()), (1, "Middle leaders check the impact of their plans"));
    assert!(lead.save_progress(&next, 99, "No such point").is_err());

    // The draft export, offline: the section with each point and what was found.
    let doc = lead.report_document(&next).unwrap();
    assert_eq!(doc.progress.len(), prev.points.len());
    let pdf = lead.export_report(&next, ExportFormat::Pdf, None, dirs[4].path()).await.unwrap();
    let text = pdf_text(Path::new(&pdf.path));
    for needle in [
        "Progress since the last review",
        "Even better if, last review: Middle leaders check the impact of their plans",
        "What the team found: Subject leaders now review their plans each half-term.",
    ] {
        assert!(text.contains(needle), "{needle:?} in the PDF:\n{text}");
    }
}
