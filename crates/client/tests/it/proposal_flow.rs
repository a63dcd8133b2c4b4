//! A review set up on a laptop is a proposal (issue 15): it syncs, its creator leads it, it is
//! in no hub's queue until the hub coordinator adopts it through the client's own call, and the
//! adoption reaches the laptop on its next sync. Real laptop store, real qar-server on loopback.

use crate::common::{demo_server, laptop, now_ms, signed_in};

use qar_client::sync::sync_once;
use qar_client::{ClientError, NewReview};
use qar_server::store::demo::DEMO_HUB_ID;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptops_new_review_waits_for_its_hub_to_adopt_it() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let srv = demo_server(dirs[0].path()).await;
    let url = srv.url();
    let hollie = signed_in(&srv, "hollie.brennan@example.org");
    let (owen, owen_sync) = laptop(dirs[1].path(), &url, srv.store(), "owen.pritchard@example.org", "user-owen-pritchard");

    let new = NewReview { school_name: "Heron Vale".into(), school_urn: "990102".into(), start_date: "2027-02-01".into() };
    let review = owen.lock().unwrap().create_review(&new, now_ms()).unwrap().id;
    let report = sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    assert_eq!((report.pushed, owen.lock().unwrap().pending_count().unwrap()), (1, 0), "the proposal was sent");

    let overview = hollie.hub_overview(DEMO_HUB_ID).await.unwrap();
    assert_eq!(overview.proposals[0].review_id, review, "{overview:?}");
    assert_eq!(overview.proposals[0].lead_reviewer, "Owen Pritchard");
    match owen_sync.adopt_review(&review).await {
        Err(ClientError::Server { status: 403, code, .. }) => assert_eq!(code, "not_your_role"),
        other => panic!("a reviewer cannot adopt: {other:?}"),
    }

    let adopted = hollie.adopt_review(&review).await.unwrap();
    assert_eq!(adopted.fields["hub_id"].value.as_str(), Some(DEMO_HUB_ID));
    sync_once(&owen, &owen_sync, now_ms).await.unwrap();
    let summary = owen.lock().unwrap().review(&review).unwrap();
    assert_eq!(
        (summary.school_name.as_str(), summary.my_role.as_deref()),
        ("Heron Vale Academy", Some("lead_reviewer")),
        "the register's name, and he still leads it"
    );
    srv.stop().await;
}
