//! Issue 9 end to end with real laptops and a real qar-server on loopback: the hub coordinator
//! schedules a review → the reviewer's laptop pulls it with the school's context → the
//! coordinator takes the reviewer off the team → the laptop sends its unsent work (refused
//! clearly), drops its copy, and receives nothing more of that review.

use crate::common::{demo_server, laptop, now_ms, visit};

use qar_client::sync::sync_once;
use qar_client::NewEvidence;
use qar_server::store::demo::DEMO_HUB_ID;
use serde_json::{json, Value};

async fn call(method: reqwest::Method, url: String, token: &str, body: Value) -> (u16, Value) {
    let resp = reqwest::Client::new().request(method, url).bearer_auth(token).json(&body).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_schedules_reviewer_pulls_removal_drops_after_sending() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let coordinator = srv.store().test_token_for_email("hollie.brennan@example.org", uuid::Uuid::now_v7(), now_ms()).unwrap();
    let (lead, lead_sync) = laptop(dirs[1].path(), &url, srv.store(), "anika.marsh@example.org", "user-anika-marsh");
    let (owen, owen_sync) = laptop(dirs[2].path(), &url, srv.store(), "owen.pritchard@example.org", "user-owen-pritchard");

    // 1. The coordinator schedules a review of a school in her hub.
    let days = visit(6);
    let body = json!({
        "school_urn": "990102",
        "visit_dates": days,
        "framework_version": "2019",
        "lead_reviewer_id": "user-anika-marsh",
        "reviewers": ["user-owen-pritchard"],
    });
    let (status, done) = call(reqwest::Method::POST, format!("{url}/v1/hubs/{DEMO_HUB_ID}/reviews"), &coordinator, body).await;
    assert_eq!(status, 201, "{done}");
    let review = done["review"]["id"].as_str().unwrap().to_owned();

    // 2. The reviewer's laptop pulls it, scheduled, with the school's context and visit days.
    sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    {
        let s = owen.lock().unwrap();
        let summary = s.review(&review).unwrap();
        assert_eq!(
            (summary.state.as_str(), summary.school_name.as_str(), summary.my_role.as_deref()),
            ("scheduled", "Heron Vale Academy", Some("reviewer"))
        );
        let (context, dates) = s.scheduled_context(&review).unwrap().unwrap();
        assert_eq!(context["urn"], "990102");
        assert_eq!(context["la_name"], "Westmere");
        assert_eq!(dates, json!(days));
        // The overview shows the register's facts while preparing, offline.
        let school = s.review_detail(&review).unwrap().school.expect("a scheduled review carries its school");
        assert_eq!((school.urn.as_str(), school.name.as_str(), school.la_name.as_str()), ("990102", "Heron Vale Academy", "Westmere"));
        assert_eq!((school.phase.as_str(), school.postcode.as_str()), ("Secondary", "ZZ99 2HV"));
    }

    // The Lead Reviewer starts preparation, so evidence can be recorded.
    sync_once(&lead, &lead_sync, now_ms).await.unwrap();
    lead.lock().unwrap().transition_review(&review, "preparing", now_ms()).unwrap();
    sync_once(&lead, &lead_sync, now_ms).await.unwrap();
    sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    assert_eq!(owen.lock().unwrap().review(&review).unwrap().state, "preparing");

    // 3. Owen writes a note offline (unsent), then the coordinator takes him off the team.
    let note = owen
        .lock()
        .unwrap()
        .add_evidence(
            &NewEvidence {
                review_id: review.clone(),
                activity_type: "learning_walk".into(),
                notes: "written before I heard".into(),
                ..Default::default()
            },
            now_ms(),
        )
        .unwrap();
    assert_eq!(owen.lock().unwrap().outbox_report().unwrap().0, 1, "one op waits to be sent");
    let team = json!({"lead_reviewer_id": "user-anika-marsh", "reviewers": []});
    let (status, changed) = call(reqwest::Method::PUT, format!("{url}/v1/reviews/{review}/team"), &coordinator, team).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["removed"], json!(["user-owen-pritchard"]));

    // 4. Owen's next sync sends the note first (refused clearly, never lost silently on his
    //    side: the outcome is recorded), learns he lost access, and drops his copy.
    sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    {
        let s = owen.lock().unwrap();
        assert_eq!(s.outbox_report().unwrap().0, 0, "nothing left unsent");
        assert!(s.review(&review).is_err(), "the review is gone from the laptop");
        assert!(s.list_reviews().unwrap().iter().all(|r| r.id != review));
        assert!(s.access_revoked().unwrap().is_empty());
    }
    let on_server = srv.store().dump().unwrap();
    assert!(!on_server.iter().any(|l| l.contains(&note.id)), "the refused note is not on the server");
    // The server audit holds the push with its rejection; the chain is whole.
    assert!(srv.store().verify_audit().unwrap().broken.is_none());

    // 5. Further work on the review does not reach him.
    lead.lock()
        .unwrap()
        .add_evidence(
            &NewEvidence {
                review_id: review.clone(),
                activity_type: "pupil_voice".into(),
                notes: "after Owen left".into(),
                ..Default::default()
            },
            now_ms(),
        )
        .unwrap();
    sync_once(&lead, &lead_sync, now_ms).await.unwrap();
    let report = sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    assert_eq!(report.pulled, 0);
    assert!(owen.lock().unwrap().review(&review).is_err());

    // The hub overview lists the review, scheduled by date.
    let (status, overview) = call(reqwest::Method::GET, format!("{url}/v1/hubs/{DEMO_HUB_ID}/overview"), &coordinator, Value::Null).await;
    assert_eq!(status, 200);
    assert!(overview["reviews"].as_array().unwrap().iter().any(|r| r["review_id"] == json!(review)));
}
