//! Every pull page, and the page a push answer carries, says where the register's feed ends
//! (`register_head`, issue 25), so a laptop whose copy is there makes no request for it. The
//! head is the same for every signed-in member and is exactly where that member's own
//! `GET /v1/register/changes` ends: it tells nobody anything they could not ask for.

use crate::common::*;
use qar_core::protocol::PushRequest;
use qar_core::SCHEMA_VERSION;
use qar_server::store::demo_history::{history_review_id, HISTORY_YEARS};
use qar_server::store::now_ms;
use qar_server::store::register::ConsentChange;
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

fn admin() -> AuthDevice {
    AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] }
}

/// Where the register's changes end as `l` reads them, page by page from the start.
async fn changes_end(env: &Env, l: &Laptop) -> u64 {
    let mut after = 0;
    loop {
        let (status, page) = env.get(&format!("/v1/register/changes?after={after}"), Some(&l.token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        after = page["next"].as_u64().unwrap();
        if !page["more"].as_bool().unwrap() {
            return after;
        }
    }
}

/// The head a pull page from `cursor` says.
async fn pulled_head(env: &Env, l: &Laptop) -> Value {
    let path = format!("/v1/sync/pull?cursor=0&limit=10&device_id={}&schema={SCHEMA_VERSION}", l.device);
    let (status, page) = env.get(&path, Some(&l.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["register_head"].clone()
}

/// The head the page in a push answer says (an empty push asking for news from 0).
async fn pushed_head(env: &Env, l: &Laptop) -> Value {
    let body = PushRequest { device_id: l.device, schema_version: SCHEMA_VERSION, ops: vec![], pull_cursor: Some(0) };
    let (status, reply) = env.post("/v1/sync/push", Some(&l.token), serde_json::to_value(&body).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply["pull"]["register_head"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_pages_and_push_answers_say_where_the_register_ends_for_everyone_alike() {
    let env = Env::demo().await;
    let (lead, nobody) = (env.laptop(ANIKA), env.laptop(NADIA_NOBODY));
    // Before anything is issued into the register: the head is where the changes end.
    let start = changes_end(&env, &lead).await;
    assert_eq!(pulled_head(&env, &lead).await, Value::from(start));
    assert_eq!(pushed_head(&env, &lead).await, Value::from(start));

    // Past visits issued (entries drafted) and a consent recorded: the head moves with them.
    let store = env.srv.store();
    store.seed_demo_history(now_ms()).unwrap();
    let entry = history_review_id("990101", HISTORY_YEARS[2]);
    let given = ConsentChange { given: true, head_name: "Morwenna Pendleford".into() };
    store.set_register_consent(&admin(), entry, &given, now_ms()).unwrap();
    let end = changes_end(&env, &lead).await;
    assert!(end > start, "the register moved: {start} to {end}");
    for l in [&lead, &nobody] {
        assert_eq!(pulled_head(&env, l).await, Value::from(end), "{}", l.user_id);
        assert_eq!(pushed_head(&env, l).await, Value::from(end), "{}", l.user_id);
        assert_eq!(changes_end(&env, l).await, end, "{} reads the same register", l.user_id);
    }

    // A revocation takes the next place: the head says so, and a copy at the old end is behind.
    let revoked = ConsentChange { given: false, head_name: "Morwenna Pendleford".into() };
    store.set_register_consent(&admin(), entry, &revoked, now_ms()).unwrap();
    let (status, page) = env.get(&format!("/v1/register/changes?after={end}"), Some(&lead.token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["removed"], serde_json::json!([entry.to_string()]));
    assert_eq!(pulled_head(&env, &nobody).await, page["next"]);
    assert!(page["next"].as_u64().unwrap() > end);
}
