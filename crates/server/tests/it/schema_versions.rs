//! Ops of every data schema against a real server (issue 17): the versions it accepts are
//! brought up and applied; an op of a version or kind it cannot map is refused alone, never the
//! push, and its values are kept as conflicts of its review; the answers say what the server
//! accepts. Every refusal of the path has a case here.

use crate::common::*;
use qar_core::upcast::OLDEST_SUPPORTED_SCHEMA;
use qar_core::{Hlc, SCHEMA_VERSION};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// One evidence op as an app of `schema` writes it.
fn evidence_op(l: &mut Laptop, seq_offset: u64, schema: u32, entity: &str, id: Uuid, fields: Value) -> Value {
    let fields: serde_json::Map<String, Value> =
        fields.as_object().unwrap().iter().map(|(k, v)| (k.clone(), json!({"value": v, "base": null}))).collect();
    json!({
        "seq": l.seq + seq_offset, "entity": entity, "id": id, "review_id": KESTREL,
        "fields": fields, "hlc": l.clock.tick(qar_server::store::now_ms()).to_string(), "schema_version": schema,
    })
}

async fn push_raw(env: &Env, l: &mut Laptop, ops: Vec<Value>) -> (StatusCode, Value) {
    let n = ops.len() as u64;
    let body = json!({ "device_id": l.device, "schema_version": SCHEMA_VERSION, "ops": ops });
    let (s, b) = env.post("/v1/sync/push", Some(&l.token.clone()), body).await;
    if s == StatusCode::OK {
        l.seq += n;
    }
    (s, b)
}

/// The open conflicts of Kestrel Brook as its Lead Reviewer's laptop pulls them.
async fn kept(env: &Env, l: &Laptop) -> Vec<qar_core::protocol::Change> {
    env.pull_all(l).await.into_values().filter(|c| c.entity == qar_core::EntityKind::Conflict).collect()
}

fn compat_is_this_builds(v: &Value) {
    assert_eq!(v["schema_version"], SCHEMA_VERSION, "{v}");
    assert_eq!(v["oldest_schema_version"], OLDEST_SUPPORTED_SCHEMA, "{v}");
    assert_eq!(v["min_app_version"], qar_core::upcast::min_app_version(), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_says_what_the_server_accepts() {
    let env = Env::demo().await;
    let (s, health) = env.get("/v1/health", None).await;
    assert_eq!(s, StatusCode::OK);
    compat_is_this_builds(&health);
    let mut owen = env.laptop(OWEN);
    let (s, page) = env.get(&format!("/v1/sync/pull?device_id={}", owen.device), Some(&owen.token)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    compat_is_this_builds(&page["compat"]);
    let op = evidence_op(&mut owen, 1, SCHEMA_VERSION, "evidence", Uuid::now_v7(), json!({"activity_type": "learning_walk"}));
    let (s, reply) = push_raw(&env, &mut owen, vec![op]).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
    compat_is_this_builds(&reply["compat"]);
}

/// A version 1 app's year group is brought up ("Year 4" → "Y4") and re-stamped by the server, so
/// the old laptop that wrote it is sent the new form (it is never sent its own writes back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_op_is_upcast_applied_and_sent_back_to_its_writer() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let note = Uuid::now_v7();
    let op = evidence_op(
        &mut owen,
        1,
        1,
        "evidence",
        note,
        json!({"activity_type": "learning_walk", "year_group": "Year 4", "subject": "Maths"}),
    );
    let (s, reply) = push_raw(&env, &mut owen, vec![op]).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
    let seen_by_owen = env.pull_all(&owen).await.remove(&note).expect("the rewritten field comes back to its writer");
    assert_eq!(seen_by_owen.fields["year_group"].value, json!("Y4"));
    assert_ne!(seen_by_owen.fields["year_group"].version.node, Hlc::node_of(&owen.device), "a server stamp");
    assert!(!seen_by_owen.fields.contains_key("subject"), "fields not rewritten stay Owen's own and are not echoed");
    let anika = env.laptop(ANIKA);
    let seen_by_anika = env.pull_all(&anika).await.remove(&note).unwrap();
    assert_eq!(seen_by_anika.fields["year_group"].value, json!("Y4"));
    assert_eq!(seen_by_anika.fields["subject"].value, json!("Maths"));
}

/// Too old, too new, an unknown kind of record: each refused alone with its code and what to
/// do; the ops around it are applied; its text is kept as conflicts the team pulls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmappable_ops_are_refused_alone_and_their_text_is_kept() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let anika = env.laptop(ANIKA);
    let before = kept(&env, &anika).await.len();
    let (old, new, kind, fine) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let ops = vec![
        evidence_op(&mut owen, 1, OLDEST_SUPPORTED_SCHEMA - 1, "evidence", old, json!({"notes": "Written on a very old app"})),
        evidence_op(&mut owen, 2, SCHEMA_VERSION + 1, "evidence", new, json!({"notes": "Written on a newer app", "mood": "calm"})),
        evidence_op(&mut owen, 3, SCHEMA_VERSION + 1, "school_page", kind, json!({"caption": "Photo of the working wall"})),
        evidence_op(&mut owen, 4, SCHEMA_VERSION, "evidence", fine, json!({"activity_type": "learning_walk", "notes": "Fine"})),
    ];
    let (s, reply) = push_raw(&env, &mut owen, ops).await;
    assert_eq!(s, StatusCode::OK, "{reply}");
    assert_eq!(outcomes(&reply), ["update_required", "unknown_schema", "unknown_schema", "applied"], "{reply}");
    assert_eq!(reply["acked_through"], 4, "refused ops are acknowledged: they never block later ones");
    let messages: Vec<&str> = reply["results"].as_array().unwrap().iter().filter_map(|r| r["message"].as_str()).collect();
    assert!(messages[0].contains("Update QAR Field to version"), "{}", messages[0]);
    assert!(messages[1].contains("update it"), "{}", messages[1]);

    let records = env.pull_all(&anika).await;
    assert!(records.contains_key(&fine) && !records.contains_key(&old) && !records.contains_key(&new) && !records.contains_key(&kind));
    let conflicts = kept(&env, &anika).await;
    assert_eq!(conflicts.len(), before + 4, "one kept value per field of the three refused ops");
    let value_of = |record: Uuid, field: &str| {
        conflicts
            .iter()
            .find(|c| c.fields["record_id"].value == json!(record.to_string()) && c.fields["field"].value == json!(field))
            .map(|c| (c.fields["value"].value.clone(), c.fields["kind"].value.clone(), c.fields["entity"].value.clone()))
    };
    assert_eq!(value_of(old, "notes"), Some((json!("Written on a very old app"), json!("update_required"), json!("evidence"))));
    assert_eq!(value_of(new, "mood"), Some((json!("calm"), json!("unknown_schema"), json!("evidence"))));
    assert_eq!(value_of(kind, "caption"), Some((json!("Photo of the working wall"), json!("unknown_schema"), json!("school_page"))));

    // A retry of the same push is answered duplicate and keeps nothing twice.
    owen.seq -= 4;
    let retry = vec![
        evidence_op(&mut owen, 1, OLDEST_SUPPORTED_SCHEMA - 1, "evidence", old, json!({"notes": "Written on a very old app"})),
        evidence_op(&mut owen, 2, SCHEMA_VERSION + 1, "evidence", new, json!({"notes": "Written on a newer app", "mood": "calm"})),
    ];
    let (s, reply) = push_raw(&env, &mut owen, retry).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["duplicate".to_owned(), "duplicate".to_owned()]), "{reply}");
    assert_eq!(kept(&env, &anika).await.len(), before + 4);
}

/// Upcasting is validation and comes first: an unmappable op on a review the pusher has no part
/// in refuses the push whole (not_on_review) and keeps nothing; a malformed op refuses the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmappable_ops_keep_nothing_where_the_pusher_may_not_write() {
    let env = Env::demo().await;
    let mut nadia = env.laptop(NADIA_NOBODY);
    let before = env.srv.store().dump().unwrap();
    let op = evidence_op(&mut nadia, 1, SCHEMA_VERSION + 1, "school_page", Uuid::now_v7(), json!({"caption": "Not mine to add"}));
    let (s, reply) = push_raw(&env, &mut nadia, vec![op]).await;
    assert_eq!((s, reply["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_on_review")), "{reply}");
    let mut malformed = evidence_op(&mut nadia, 1, 1, "evidence", Uuid::now_v7(), json!({"notes": "x"}));
    malformed.as_object_mut().unwrap().remove("hlc");
    let (s, reply) = push_raw(&env, &mut nadia, vec![malformed]).await;
    assert_eq!((s, reply["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")), "{reply}");
    assert_eq!(env.srv.store().dump().unwrap(), before, "nothing was written");
}

/// A shadow may not record evidence: an old-schema op of a shadow is upcast, then refused by the
/// permission table like any op (upcasting never lets an op past the rules).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upcast_op_still_meets_the_permission_table() {
    let env = Env::demo().await;
    let mut sam = env.laptop(SAM_SHADOW);
    let op = evidence_op(&mut sam, 1, 1, "evidence", Uuid::now_v7(), json!({"activity_type": "learning_walk", "year_group": "Year 4"}));
    let (s, reply) = push_raw(&env, &mut sam, vec![op]).await;
    assert_eq!(s, StatusCode::OK, "{reply}");
    assert_eq!(reply["results"][0]["status"], "rejected", "{reply}");
    assert_ne!(reply["results"][0]["code"], "update_required", "{reply}");
}

/// A first-release app declares no schema and cannot read a kind of record or a field added
/// since: they are left out of its pages, on a pull and on the page a push brings, and its
/// cursor still moves past them. An app that declares schema 2 or later is sent them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_release_app_is_sent_only_what_it_can_read() {
    let env = Env::demo().await;
    let v = Hlc { wall_ms: qar_server::store::now_ms(), counter: 0, node: 4242 }.to_string();
    let (photo, note) = (Uuid::now_v7(), Uuid::now_v7());
    let photo_fields = json!({"caption": {"value": "Display in the hall", "version": v}});
    let note_fields = json!({"activity_type": {"value": "learning_walk", "version": v}, "notes": {"value": "Calm start", "version": v},
                             "mood": {"value": "settled", "version": v}});
    let store = env.srv.store();
    store.test_record_of_a_newer_schema("school_page", &photo.to_string(), &KESTREL.to_string(), &photo_fields.to_string()).unwrap();
    store.test_record_of_a_newer_schema("evidence", &note.to_string(), &KESTREL.to_string(), &note_fields.to_string()).unwrap();
    let mut owen = env.laptop(OWEN);
    let change = |page: &Value, id: Uuid| page["changes"].as_array().unwrap().iter().find(|c| c["id"] == json!(id)).cloned();

    let (s, first) = env.get(&format!("/v1/sync/pull?device_id={}&limit=5000", owen.device), Some(&owen.token)).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert!(change(&first, photo).is_none(), "a kind the first release does not know is left out");
    let seen = change(&first, note).expect("the note is sent");
    assert_eq!(seen["fields"]["notes"]["value"], "Calm start");
    assert!(seen["fields"].get("mood").is_none(), "a field the first release does not know is left out: {seen}");
    assert_eq!(first["has_more"], false);

    let (s, later) = env.get(&format!("/v1/sync/pull?device_id={}&limit=5000&schema=2", owen.device), Some(&owen.token)).await;
    assert_eq!(s, StatusCode::OK, "{later}");
    assert_eq!(later["cursor"], first["cursor"], "the first release's cursor moved past what it was not sent");
    assert_eq!(change(&later, photo).expect("sent to apps that set it aside")["fields"]["caption"]["value"], "Display in the hall");
    assert_eq!(change(&later, note).unwrap()["fields"]["mood"]["value"], "settled");

    // The page a push brings is read as the pushing app's schema says.
    let op = evidence_op(&mut owen, 1, 1, "evidence", Uuid::now_v7(), json!({"activity_type": "learning_walk"}));
    let body = json!({ "device_id": owen.device, "schema_version": 1, "ops": [op], "pull_cursor": 0 });
    let (s, reply) = env.post("/v1/sync/push", Some(&owen.token.clone()), body).await;
    assert_eq!(s, StatusCode::OK, "{reply}");
    assert!(change(&reply["pull"], photo).is_none(), "{reply}");
    assert!(change(&reply["pull"], note).unwrap()["fields"].get("mood").is_none());

    let (s, refused) = env.get(&format!("/v1/sync/pull?device_id={}&schema=0", owen.device), Some(&owen.token)).await;
    assert_eq!((s, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{refused}");
    let (s, refused) = env.get(&format!("/v1/sync/pull?device_id={}&schema=2147483648", owen.device), Some(&owen.token)).await;
    assert_eq!((s, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{refused}");
}

/// The visit plan is a kind of record schema 3 added: its Lead Reviewer plans and the team
/// pulls it; a reviewer's plan op is refused by the permission table; an op of schema 2 that
/// names the kind is refused alone with its values kept; a first-release app is never sent it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visit_plan_is_the_lead_reviewers_and_only_for_apps_that_know_it() {
    use qar_core::EntityKind;
    let env = Env::demo().await;
    let mut anika = env.laptop(ANIKA);
    let mut owen = env.laptop(OWEN);
    let plan = Uuid::now_v7();
    let fields: Vec<(&str, Value, Option<Hlc>)> = vec![
        ("starts_at", json!("2026-11-24T09:30"), None),
        ("activity_type", json!("learning_walk"), None),
        ("reviewer_ids", json!([OWEN]), None),
    ];
    let (s, reply) = env.push(&mut owen, &[(EntityKind::PlanActivity, Uuid::now_v7(), KESTREL, fields.clone())]).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["not_your_role".to_owned()]), "{reply}");
    let (s, reply) = env.push(&mut anika, &[(EntityKind::PlanActivity, plan, KESTREL, fields)]).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
    let seen = env.pull_all(&owen).await.remove(&plan).expect("the team pulls the plan");
    assert_eq!(seen.fields["reviewer_ids"].value, json!([OWEN]));

    let (s, first) = env.get(&format!("/v1/sync/pull?device_id={}&limit=5000", owen.device), Some(&owen.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!first["changes"].as_array().unwrap().iter().any(|c| c["entity"] == "plan_activity"), "not for the first release");

    let claimed = evidence_op(&mut anika, 1, 2, "plan_activity", Uuid::now_v7(), json!({"focus": "Phonics in Y1"}));
    let (s, reply) = push_raw(&env, &mut anika, vec![claimed]).await;
    assert_eq!((s, outcomes(&reply)), (StatusCode::OK, vec!["update_required".to_owned()]), "{reply}");
    assert!(reply["results"][0]["message"].as_str().unwrap().contains("had no records of kind plan_activity"), "{reply}");
    assert!(kept(&env, &anika).await.iter().any(|c| c.fields["value"].value == json!("Phonics in Y1")), "its text is kept");
}
