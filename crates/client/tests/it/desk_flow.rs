//! The review desk through the client API against a real qar-server with its demo data: real
//! sign-in (password + the authenticator's code), a Lead Reviewer's report written offline,
//! returned by the hub coordinator with a comment, fixed, approved, and edited after approval.

use crate::common::{demo_server, now_ms, signed_in_client};
use qar_client::{Client, ConflictChoice, NewComment};
use qar_core::report_diff::DiffKind;

const KESTREL: &str = "01900000-0000-7000-8000-000000000101";

/// Estimates every area during the visit, agrees them, then drafts every required section.
fn complete_report(c: &Client, review: &str) {
    for area in qar_core::framework("2019").unwrap().areas {
        c.set_estimate(review, area.code, "effective", "Strong, consistent practice seen across the visit.").unwrap();
    }
    let e = c.save_report_section(review, "context", "Too early.").unwrap_err();
    assert_eq!(e.code(), "forbidden", "no drafting during the visit: {e}");
    for to in ["estimates_agreed", "drafting"] {
        c.transition_review(review, to).unwrap();
    }
    let required: Vec<String> = c.report_template(review).unwrap().sections.into_iter().filter(|s| s.required).map(|s| s.code).collect();
    for code in required {
        c.save_report_section(review, &code, "What the team saw, agreed with the school’s leaders.").unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_goes_from_offline_draft_to_return_to_approval() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();

    let lead = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    let session = lead.session().unwrap().unwrap();
    assert_eq!(session.name, "Dr Anika Marsh");
    // The idle lock (keychain mode) checks the sign-in password offline, from the sign-in.
    lead.verify_lock_password("demo-password-2026").unwrap();
    assert_eq!(lead.verify_lock_password("demo-password-2025").unwrap_err().code(), "wrong_password");
    let kestrel = lead.review(KESTREL).unwrap();
    assert_eq!((kestrel.state.as_str(), kestrel.my_role.as_deref()), ("in_visit", Some("lead_reviewer")));
    assert_eq!(lead.review_detail(KESTREL).unwrap().team.len(), 2, "the server's team list synced down");

    // A reviewer on the team may record evidence but not set estimates, here as on the server.
    let reviewer = signed_in_client(dirs[2].path(), &url, "owen.pritchard@example.org", "QARDEMOOWENPRITCHARDREVIEWER2345").await;
    assert_eq!(reviewer.review(KESTREL).unwrap().my_role.as_deref(), Some("reviewer"));
    let e = reviewer.set_estimate(KESTREL, "leadership", "leading", "").unwrap_err();
    assert_eq!(e.code(), "forbidden");

    // The LR writes everything and submits; it all reaches the server in one sync.
    complete_report(&lead, KESTREL);
    lead.transition_review(KESTREL, "submitted").unwrap();
    assert_eq!(lead.review(KESTREL).unwrap().sync_badge, "queued");
    assert!(!lead.wipe_check().unwrap().safe, "unsent work: not safe to wipe");
    lead.sync_now().await.unwrap();
    assert!(lead.wipe_check().unwrap().safe, "the server acknowledged everything");
    assert_eq!(lead.status().unwrap().pending_ops, 0);
    assert_eq!(lead.review(KESTREL).unwrap().sync_badge, "acknowledged");

    // The coordinator sees the submitted report, but not the team's raw notes.
    let hub = signed_in_client(dirs[3].path(), &url, "hollie.brennan@example.org", "QARDEMOHOLLIEBRENNANHUBCOORD2345").await;
    let seen = hub.review(KESTREL).unwrap();
    assert_eq!((seen.state.as_str(), seen.my_role.as_deref(), seen.evidence_count), ("submitted", None, 0));
    assert_eq!(
        hub.review_detail(KESTREL).unwrap().report_hash,
        lead.review_detail(KESTREL).unwrap().report_hash,
        "both hold the same report"
    );
    let allowed = hub.review_detail(KESTREL).unwrap().allowed_actions;
    assert!(allowed.contains(&"approve".to_owned()) && allowed.contains(&"return".to_owned()));
    let empty = hub.return_review(KESTREL, &[]).await.unwrap_err();
    assert_eq!(empty.code(), "invalid", "a return needs a comment");
    let blank = hub.return_review(KESTREL, &[NewComment { target: "section:context".into(), text: "  ".into() }]).await.unwrap_err();
    assert_eq!(blank.code(), "invalid");
    let comment = NewComment { target: "section:leadership_ebi".into(), text: "Name which leaders the EBI point is for.".into() };
    assert_eq!(hub.return_review(KESTREL, &[comment]).await.unwrap().state, "returned");

    // The LR gets the comment, reads it offline on its section, fixes, marks it, resubmits.
    lead.sync_now().await.unwrap();
    let mine = lead.review(KESTREL).unwrap();
    assert_eq!((mine.state.as_str(), mine.open_comments), ("returned", 1));
    let comments = lead.list_comments(KESTREL).unwrap();
    assert_eq!((comments[0].target.as_str(), comments[0].author_name.as_str()), ("section:leadership_ebi", "Hollie Brennan"));
    lead.save_report_section(KESTREL, "leadership_ebi", "Middle leaders: protected monitoring time by Easter.").unwrap();
    lead.resolve_comment(&comments[0].id).unwrap();
    lead.transition_review(KESTREL, "drafting").unwrap();
    lead.transition_review(KESTREL, "submitted").unwrap();
    lead.sync_now().await.unwrap();

    // Approval is bound to the report the coordinator read.
    hub.sync_now().await.unwrap();
    assert!(hub.list_comments(KESTREL).unwrap()[0].resolved, "the coordinator sees it addressed");
    // The resubmission reads as what changed since the return: one section, word by word.
    let since = hub.changes_since_return(KESTREL).unwrap().expect("the returned report was kept");
    assert!(!since.returned_at.is_empty());
    let targets: Vec<&str> = since.changes.iter().map(|c| c.target.as_str()).collect();
    assert_eq!(targets, ["section:leadership_ebi"]);
    let added: String = since.changes[0].parts.iter().filter(|p| p.kind == DiffKind::Added).map(|p| p.text.as_str()).collect();
    assert!(added.contains("Middle leaders: protected monitoring time by Easter."), "{added}");
    assert_eq!(lead.changes_since_return(KESTREL).unwrap().map(|c| c.changes.len()), Some(1), "the LR's laptop reads the same");
    let approved = hub.approve_review(KESTREL).await.unwrap();
    assert_eq!((approved.state.as_str(), approved.changed_since_approval), ("approved", false));

    // An LR edit after approval sends it back, and the coordinator sees why.
    lead.sync_now().await.unwrap();
    assert_eq!(lead.review(KESTREL).unwrap().state, "approved");
    lead.save_report_section(KESTREL, "next_steps", "Support with Y6 writing moderation across the hub.").unwrap();
    lead.sync_now().await.unwrap();
    hub.sync_now().await.unwrap();
    let after = hub.review(KESTREL).unwrap();
    assert_eq!((after.state.as_str(), after.changed_since_approval), ("submitted", true));

    // Approving needs the server: offline it says so and changes nothing.
    srv.stop().await;
    let offline = hub.approve_review(KESTREL).await.unwrap_err();
    assert_eq!(offline.code(), "offline", "{offline}");
    assert_eq!(hub.review(KESTREL).unwrap().state, "submitted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_laptops_of_one_lead_reviewer_disagree_and_the_conflict_is_resolved_once() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let a = signed_in_client(dirs[1].path(), &url, "anika.marsh@example.org", "QARDEMOANIKAMARSHLEADREVIEWER234").await;
    // A second laptop for the same person (the authenticator code is one-use, so a test token).
    let b = {
        let mut store = qar_client::Store::open(&dirs[2].path().join("qar-field.db")).unwrap();
        let token = srv.store().test_token_for_email("anika.marsh@example.org", store.device_id(), now_ms()).unwrap();
        store.save_session(&a.session().unwrap().unwrap(), &token).unwrap();
        drop(store);
        let b = Client::open(dirs[2].path(), &url).unwrap();
        b.sync_now().await.unwrap();
        b
    };
    a.set_estimate(KESTREL, "leadership", "effective", "Agreed on day two.").unwrap();
    a.sync_now().await.unwrap();
    b.sync_now().await.unwrap();
    // Both change the same rationale before hearing of the other.
    a.set_estimate(KESTREL, "leadership", "effective", "Laptop A: agreed with the head on day three.").unwrap();
    b.set_estimate(KESTREL, "leadership", "effective", "Laptop B: leaders at every level seen.").unwrap();
    a.sync_now().await.unwrap();
    b.sync_now().await.unwrap();
    a.sync_now().await.unwrap();

    let on_a = a.list_conflicts(Some(KESTREL)).unwrap();
    let on_b = b.list_conflicts(Some(KESTREL)).unwrap();
    assert_eq!((on_a.len(), on_b.len()), (1, 1), "the kept value reaches both laptops");
    assert_eq!(on_a[0].field_label, "Rationale");
    assert_eq!(on_a[0].record_label, "Estimate: Leadership at all levels");
    assert_eq!(a.status().unwrap().open_conflicts, 1);
    let merged = "Agreed with the head on day three; leaders at every level seen.".to_owned();
    a.resolve_conflict(&on_a[0].id, ConflictChoice::Merged, Some(merged.clone())).unwrap();
    a.sync_now().await.unwrap();
    b.sync_now().await.unwrap();
    assert!(b.list_conflicts(None).unwrap().is_empty(), "resolved once, gone everywhere");
    let rationale = |c: &Client| c.list_estimates(KESTREL).unwrap().into_iter().find(|e| e.area_code == "leadership").unwrap().rationale;
    assert_eq!(rationale(&a), merged);
    assert_eq!(rationale(&b), merged);
    srv.stop().await;
}
