//! The head's own consent to publish (issue 23, decision 105): on the school's pages the head
//! sees every entry of their school, drafts included, and publishes or withdraws after a
//! confirmation page, through the store function the coordinator's route calls. Published →
//! searchable; withdrawn → gone, and a removal in the laptops' copy. Refused: a form without its
//! token (nothing written), another school's head on every route and through the JSON API.

use crate::common::*;
use crate::web_support::{csrf_field, get, post};
use qar_server::store::demo_history::{history_review_id, HISTORY_YEARS};
use qar_server::store::now_ms;
use qar_server::store::register::ConsentChange;
use qar_server::{AuthDevice, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

const HERON_HEAD: &str = "user-helen-heron-head";
const KESTREL_HEAD: &str = "user-kit-kestrel-head";

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|e| e["review_id"].as_str().unwrap().to_owned()).collect()
}

/// Who recorded each consent change of the entry, in order, and whether it was given.
fn consent_audit(env: &Env, id: &str) -> Vec<(String, String)> {
    let conn = store_sql(env.dir.path());
    let mut stmt =
        conn.prepare("SELECT actor, detail FROM audit_log WHERE kind = 'register_consent' AND subject = ?1 ORDER BY seq").unwrap();
    let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_head_publishes_and_withdraws_their_schools_area_of_excellence() {
    let env = Env::demo().await;
    let store = env.srv.store();
    store.seed_demo_history(now_ms()).unwrap();
    store.test_school_head(KESTREL_HEAD, "Kit Kestrel", "990101").unwrap();
    store.test_school_head(HERON_HEAD, "Helen Heron", "990102").unwrap();
    let entry = history_review_id("990101", HISTORY_YEARS[2]);
    let id = entry.to_string();
    // Start from an entry that is not published, whatever the demo history's head decided.
    let admin = AuthDevice { user_id: ADMIN.into(), device_id: Uuid::now_v7(), roles: vec![Role::Admin] };
    store.set_register_consent(&admin, entry, &ConsentChange { given: false, head_name: "Kit Kestrel".into() }, now_ms()).unwrap();
    let title = store.register_record(&admin, entry).unwrap().entry.title;
    let words = title.split_whitespace().take(2).collect::<Vec<_>>().join("+");
    let search = format!("/v1/register/search?q={words}&limit=500");
    let reader = env.laptop(NADIA_NOBODY);
    let (_, changes) = env.get("/v1/register/changes?after=0", Some(&reader.token)).await;
    let cursor = changes["next"].as_u64().unwrap();
    let audited = consent_audit(&env, &id).len();

    let session = store.test_web_session(KESTREL_HEAD, now_ms()).unwrap();
    let (s, home) = get(&env, "/schools/990101", &session).await;
    assert_eq!(s, StatusCode::OK);
    assert!(home.contains("href=\"/schools/990101/register\""), "{home}");
    let (s, list) = get(&env, "/schools/990101/register", &session).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert!(list.contains("Not published: consent withdrawn"), "{list}");
    // Every entry of the school is listed, published or not (the demo history has one a year).
    let all = store.school_register_records(&admin, "990101").unwrap();
    assert!(all.len() >= 2 && list.matches("<article class=\"card\">").count() == all.len(), "{} entries: {list}", all.len());
    let confirm = format!("/schools/990101/register/{id}/consent");
    assert!(list.contains(&format!("href=\"{confirm}?give=yes\"")), "{list}");
    let (s, page) = get(&env, &format!("{confirm}?give=yes"), &session).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Publish this Area of Excellence?") && page.contains("name=\"given\" value=\"yes\""), "{page}");
    let csrf = csrf_field(&page);

    // Without its token, or with another's, nothing is written.
    for token in ["", "not-the-token"] {
        let (s, _, _) = post(&env, &confirm, &session, &[("csrf", token), ("given", "yes")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    assert!(!store.register_record(&admin, entry).unwrap().consented);
    assert_eq!(consent_audit(&env, &id).len(), audited, "a refused form is not audited");

    // Published: in the register's search and the laptops' next page, under the head's own name.
    let (s, to, _) = post(&env, &confirm, &session, &[("csrf", &csrf), ("given", "yes")]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/schools/990101/register?done=published")));
    let record = store.register_record(&admin, entry).unwrap();
    assert_eq!((record.consented, record.head_name.as_str()), (true, "Kit Kestrel"));
    let (_, hits) = env.get(&search, Some(&reader.token)).await;
    assert!(ids(&hits).contains(&id), "{hits}");
    let (_, changes) = env.get(&format!("/v1/register/changes?after={cursor}"), Some(&reader.token)).await;
    assert_eq!((ids(&changes["entries"]), changes["removed"].clone()), (vec![id.clone()], json!([])));
    let cursor = changes["next"].as_u64().unwrap();
    let (_, list) = get(&env, "/schools/990101/register?done=published", &session).await;
    assert!(list.contains("role=\"status\"") && list.contains("Published in the partnership&#39;s register"), "{list}");
    assert!(list.contains(&format!("href=\"{confirm}?give=no\"")), "{list}");
    let audit = consent_audit(&env, &id);
    assert_eq!(audit.last().map(|(actor, _)| actor.as_str()), Some(KESTREL_HEAD), "the head is the actor: {audit:?}");

    // Another school's head: refused on every route, under either school's address, and
    // through the JSON API; nothing changes.
    let other = store.test_web_session(HERON_HEAD, now_ms()).unwrap();
    let other_csrf = csrf_field(&get(&env, "/schools/990102", &other).await.1);
    for path in
        ["/schools/990101/register".to_owned(), format!("{confirm}?give=no"), format!("/schools/990102/register/{id}/consent?give=no")]
    {
        let (s, html) = get(&env, &path, &other).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {html}");
    }
    for path in [confirm.clone(), format!("/schools/990102/register/{id}/consent")] {
        let (s, _, html) = post(&env, &path, &other, &[("csrf", &other_csrf), ("given", "no")]).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {html}");
    }
    let (s, body) = env
        .put(
            &format!("/v1/register/entries/{id}/consent"),
            Some(&env.laptop(HERON_HEAD).token),
            json!({"given": false, "head_name": "Helen Heron"}),
        )
        .await;
    assert_eq!((s.as_u16(), body["code"].as_str()), (403, Some("not_your_hub")), "{body}");
    assert!(store.register_record(&admin, entry).unwrap().consented, "no refusal changed it");

    // Withdrawn: gone from the search at once, and a removal in the laptops' next page.
    let (_, page) = get(&env, &format!("{confirm}?give=no"), &session).await;
    assert!(page.contains("Withdraw your consent?"), "{page}");
    let (s, to, _) = post(&env, &confirm, &session, &[("csrf", &csrf_field(&page)), ("given", "no")]).await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/schools/990101/register?done=withdrawn")));
    let (_, hits) = env.get(&search, Some(&reader.token)).await;
    assert!(!ids(&hits).contains(&id), "{hits}");
    let (_, changes) = env.get(&format!("/v1/register/changes?after={cursor}"), Some(&reader.token)).await;
    assert_eq!((changes["entries"].clone(), changes["removed"].clone()), (json!([]), json!([id])));
    let audit = consent_audit(&env, &id);
    assert_eq!(audit.len(), audited + 2, "{audit:?}");
    assert!(audit.last().unwrap().1.contains("false"), "{audit:?}");
    assert!(store.verify_audit().unwrap().intact());

    // Erasing the head takes their name off the entries they decided on; the decision stands.
    store.deactivate_user(&admin, KESTREL_HEAD, "left the school", now_ms()).unwrap();
    store.erase_user(&admin, KESTREL_HEAD, now_ms()).unwrap();
    let record = store.register_record(&admin, entry).unwrap();
    assert_eq!((record.consented, record.head_name.as_str()), (false, qar_server::store::erasure::FORMER_HEAD));
}
