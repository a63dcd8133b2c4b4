//! Issue 15: a push's audit entry commits to the values it wrote, not only to which records and
//! stamps: `values_sha256` = SHA-256 of `seq|name=<value JSON>@<base or ->…;` over its new ops.

use crate::common::*;
use qar_core::EntityKind;
use serde_json::json;
use sha2::{Digest, Sha256};

fn last_push_detail(env: &Env) -> serde_json::Value {
    let conn = store_sql(env.dir.path());
    let detail: String =
        conn.query_row("SELECT detail FROM audit_log WHERE kind = 'push' ORDER BY seq DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    serde_json::from_str(&detail).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_entry_carries_a_digest_of_the_values_written() {
    let env = Env::demo().await;
    let mut lr = env.laptop(ANIKA);
    let note = uuid::Uuid::now_v7();
    let (_, b) = env
        .push(
            &mut lr,
            &[(
                EntityKind::Evidence,
                note,
                KESTREL,
                vec![("activity_type", json!("learning_walk"), None), ("notes", json!("Calm corridors; \"quiet\" reading."), None)],
            )],
        )
        .await;
    assert_eq!(outcomes(&b), ["applied"], "{b}");
    let first = last_push_detail(&env);
    let expected =
        hex::encode(Sha256::digest("1|activity_type=\"learning_walk\"@-|notes=\"Calm corridors; \\\"quiet\\\" reading.\"@-;".as_bytes()));
    assert_eq!(first["values_sha256"], json!(expected), "{first}");

    // The same record, the same shape, another text: another digest (ids and stamps alone would not tell).
    let version = lr.clock.last();
    env.push(&mut lr, &[(EntityKind::Evidence, note, KESTREL, vec![("notes", json!("Calm corridors; quiet reading."), Some(version))])])
        .await;
    let second = last_push_detail(&env);
    assert_ne!(second["values_sha256"], first["values_sha256"]);
    assert!(env.srv.store().verify_audit().unwrap().intact());
}
