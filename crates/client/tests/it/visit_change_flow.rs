//! Moving the visit days end to end with real laptops and a real qar-server on loopback: the
//! coordinator schedules a review, the reviewer's laptop pulls it, the coordinator moves the
//! days through the client's own call, and the reviewer's next sync brings the new days. An
//! administrator then sets the reviewer's home school through the client.

use crate::common::{day, demo_server, laptop, now_ms, signed_in};

use qar_client::sync::sync_once;
use qar_client::ClientError;
use qar_core::protocol::scheduling::{ScheduleRequest, TeamChoice};
use qar_server::store::demo::DEMO_HUB_ID;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moved_visit_days_reach_the_team_and_the_home_school_is_set() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let hollie = signed_in(&srv, "hollie.brennan@example.org");
    let admin = signed_in(&srv, "admin@example.org");
    let (owen, owen_sync) = laptop(dirs[1].path(), &url, srv.store(), "owen.pritchard@example.org", "user-owen-pritchard");

    let first = vec![day(4, 1), day(4, 2), day(4, 3)];
    let request = ScheduleRequest {
        review_id: None,
        school_urn: "990102".into(),
        visit_dates: first.clone(),
        framework_version: "2019".into(),
        team: TeamChoice { lead_reviewer_id: "user-anika-marsh".into(), reviewers: vec!["user-owen-pritchard".into()], shadows: vec![] },
    };
    let done = hollie.schedule_review(DEMO_HUB_ID, &request).await.unwrap();
    let review = done.review.id.to_string();
    sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    assert_eq!(owen.lock().unwrap().scheduled_context(&review).unwrap().unwrap().1, json!(first));

    // The coordinator moves the visit to Thursday, Friday and Monday; Owen's next sync brings
    // the new days, and his review shows them as they are (across the weekend).
    let moved = vec![day(5, 3), day(5, 4), day(6, 0)];
    let reply = hollie.change_visit(&review, &moved, None).await.unwrap();
    assert_eq!((reply.changed, reply.previous_dates.clone()), (true, first.clone()));
    let report = sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    assert_eq!(report.pulled, 1, "one record changed: the review");
    {
        let s = owen.lock().unwrap();
        assert_eq!(s.scheduled_context(&review).unwrap().unwrap().1, json!(moved));
        let summary = s.review(&review).unwrap();
        assert_eq!((summary.start_date.as_str(), summary.state.as_str()), (moved[0].as_str(), "scheduled"));
        assert_eq!(s.review_detail(&review).unwrap().visit_days, moved);
    }

    // A refusal arrives as the server's code and reason.
    let saturday = vec![day(5, 3), day(5, 4), day(5, 5)];
    match hollie.change_visit(&review, &saturday, None).await {
        Err(ClientError::Server { status: 422, code, message }) => {
            assert_eq!(code, "invalid_dates");
            assert!(message.contains("Saturday"), "{message}");
        }
        other => panic!("expected invalid_dates, got {other:?}"),
    }

    // An administrator sets Owen's home school, then clears it; the directory follows.
    let set = admin.set_home_school("user-owen-pritchard", Some("990102")).await.unwrap();
    assert_eq!(set.user.home_school_urn.as_deref(), Some("990102"));
    // He is on two reviews of that school: the demo's and the one scheduled here.
    let warned: Vec<&str> = set.warnings.iter().map(|w| w.review_id.as_str()).collect();
    assert_eq!(warned.len(), 2, "{set:?}");
    assert!(warned.contains(&review.as_str()), "{set:?}");
    let users = admin.list_users().await.unwrap();
    let owen_row = users.iter().find(|u| u.id == "user-owen-pritchard").unwrap().clone();
    assert_eq!(owen_row.home_school_name.as_deref(), Some("Heron Vale Academy"));
    let cleared = admin.set_home_school("user-owen-pritchard", None).await.unwrap();
    assert!(cleared.user.home_school_urn.is_none());
    match hollie.set_home_school("user-owen-pritchard", Some("990102")).await {
        Err(ClientError::Server { status: 403, code, .. }) => assert_eq!(code, "admin_only"),
        other => panic!("expected admin_only, got {other:?}"),
    }
}
