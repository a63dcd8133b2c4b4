//! Issue 15, items 1 and 2, against a real server on loopback: one crafted stamp can no longer
//! corrupt records or move the server clock, a clock years ahead is re-stamped and told, and
//! the approval date is the server's wall time.

use crate::common::*;
use qar_core::protocol::Change;
use qar_core::{EntityKind, Hlc};
use qar_server::store::now_ms;
use qar_server::{start, ServerConfig};
use serde_json::json;
use uuid::Uuid;

/// Anika's demo note in Kestrel Brook (she is its Lead Reviewer; Owen is a reviewer).
const ANIKAS_NOTE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0001_0001);
const TEN_YEARS_MS: u64 = 10 * 365 * 24 * 3600 * 1000;

fn server_clock(env: &Env) -> Hlc {
    env.srv.store().test_server_clock().unwrap().unwrap().parse().expect("the stored clock reads back")
}

fn at(l: &Laptop, wall_ms: u64, counter: u32) -> Hlc {
    Hlc { wall_ms, counter, node: Hlc::node_of(&l.device) }
}

/// The stamp from the report, `9999999999999-4294967295-…`, used to overflow the server clock
/// into a wall time nothing could read, after which records read as empty documents.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_stamp_is_harmless_and_the_clock_survives_a_restart() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let mut anika = env.laptop(ANIKA);
    let top = |l: &Laptop| at(l, 9_999_999_999_999, u32::MAX);
    let clock_before = server_clock(&env);

    // Refused (not his note): the stamp never reaches the clock.
    let stamp = top(&owen);
    let (status, body) = env
        .push_stamped(&mut owen, &[((EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("notes", json!("mine now"), None)]), stamp)])
        .await;
    assert_eq!((status.as_u16(), outcomes(&body)), (200, vec!["not_your_evidence".to_owned()]), "{body}");
    assert_eq!(server_clock(&env), clock_before, "a refused op does not move the clock");
    assert!(body.get("clock_ahead").is_none(), "{body}");

    // Accepted (her own new note): applied with a server stamp, and she is told.
    let note = Uuid::now_v7();
    let fields = vec![("activity_type", json!("work_scrutiny"), None), ("notes", json!("Y6 books"), None)];
    let stamp = top(&anika);
    let (status, body) = env.push_stamped(&mut anika, &[((EntityKind::Evidence, note, KESTREL, fields), stamp)]).await;
    assert_eq!((status.as_u16(), outcomes(&body)), (200, vec!["applied".to_owned()]), "{body}");
    assert_eq!(body["clock_ahead"]["op_seqs"], json!([1]), "{body}");
    let clock = server_clock(&env);
    assert!(clock.wall_ms <= now_ms(), "the clock stays at the server's time: {clock}");

    // Everything still reads: pulls succeed for her and for an administrator, the review keeps
    // its fields, and her note (and the demo note) can be edited.
    let mine = env.pull_all(&anika).await;
    let review = env.review(KESTREL).await;
    for field in ["state", "school_urn", "start_date", "school_name"] {
        assert!(review.fields.contains_key(field), "{field} kept: {review:?}");
    }
    let version = env.pull_all(&env.laptop(ADMIN)).await[&note].fields["notes"].version;
    assert!(version.wall_ms <= now_ms(), "stored with the server's stamp: {version}");
    let demo_version = mine[&ANIKAS_NOTE].fields["notes"].version;
    let (_, body) = env
        .push(
            &mut anika,
            &[
                (EntityKind::Evidence, note, KESTREL, vec![("notes", json!("Y6 books, two sets"), Some(version))]),
                (EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("notes", json!("Y5 maths, edited"), Some(demo_version))]),
            ],
        )
        .await;
    assert_eq!(outcomes(&body), ["applied", "applied"], "{body}");

    // A restart keeps the clock exactly.
    let clock = server_clock(&env);
    let Env { dir, srv, http } = env;
    srv.stop().await;
    let srv = start(&ServerConfig { data_dir: dir.path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() })
        .await
        .unwrap();
    let env = Env { dir, srv, http };
    assert_eq!(server_clock(&env), clock);
    let (_, body) =
        env.push(&mut anika, &[(EntityKind::Evidence, Uuid::now_v7(), KESTREL, vec![("notes", json!("after restart"), None)])]).await;
    assert_eq!(outcomes(&body), ["applied"]);
    assert!(server_clock(&env) > clock, "server writes after a restart sort after those before");
}

/// One op stamped ten years ahead: refused, it moves nothing; accepted, it is kept with a server
/// stamp and the device is told the server's time; later server writes (an approval) are
/// stamped now and the approval date is the server's wall time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_ten_years_ahead_moves_nothing_and_the_approval_is_dated_by_the_server() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let mut anika = env.laptop(ANIKA);
    let future = |l: &Laptop| at(l, now_ms() + TEN_YEARS_MS, 0);
    let clock_before = server_clock(&env);

    let stamp = future(&owen);
    let (_, body) =
        env.push_stamped(&mut owen, &[((EntityKind::Review, KESTREL, KESTREL, vec![("state", json!("drafting"), None)]), stamp)]).await;
    assert_eq!(outcomes(&body).len(), 1);
    assert!(body["results"][0]["status"] == "rejected", "{body}");
    assert_eq!(server_clock(&env), clock_before, "refused: meta.server_hlc unchanged");

    let note = Uuid::now_v7();
    let sent = future(&anika);
    let before_push = now_ms();
    let (_, body) =
        env.push_stamped(&mut anika, &[((EntityKind::Evidence, note, KESTREL, vec![("notes", json!("Y6 books"), None)]), sent)]).await;
    assert_eq!(outcomes(&body), ["applied"], "{body}");
    let told = &body["clock_ahead"];
    let server_time = told["server_time_ms"].as_u64().expect("clock_ahead with the server's time");
    assert!(server_time >= before_push && server_time <= now_ms(), "{body}");
    assert_eq!(told["op_seqs"], json!([1]));
    assert!(told["ahead_ms"].as_u64().unwrap() > TEN_YEARS_MS - 60_000, "{body}");
    assert_eq!(told["max_ahead_ms"], json!(qar_server::store::DEFAULT_MAX_CLOCK_AHEAD_MS));
    let clock = server_clock(&env);
    assert!(clock.wall_ms <= now_ms(), "accepted: meta.server_hlc still at the server's time: {clock}");
    // The note is kept; the laptop pulls it back (echo suppression goes by node, and the
    // version is now the server's) and can edit on from it.
    let kept: Change = env.pull_all(&anika).await.remove(&note).expect("her note comes back to her laptop");
    assert_eq!(kept.fields["notes"].value, json!("Y6 books"));
    assert!(kept.fields["notes"].version.wall_ms <= now_ms());

    // The approval that follows is stamped now, and its date is the server's wall time.
    env.submit(LARKSPUR).await;
    let coordinator = env.laptop(HOLLIE);
    let (_, stale) = env.post(&format!("/v1/reviews/{LARKSPUR}/approve"), Some(&coordinator.token), json!({"report_hash": "stale"})).await;
    let hash = stale["details"]["current_hash"].clone();
    let before_approval = now_ms();
    let (status, approved) =
        env.post(&format!("/v1/reviews/{LARKSPUR}/approve"), Some(&coordinator.token), json!({"report_hash": hash})).await;
    assert_eq!(status.as_u16(), 200, "{approved}");
    let approved: Change = serde_json::from_value(approved).unwrap();
    let at_ms = approved.fields["approved_at_ms"].value.as_u64().expect("approved_at_ms written with the approval");
    assert!(at_ms >= before_approval && at_ms <= now_ms(), "{at_ms}");
    let stamp = approved.fields["approved_hash"].version;
    assert!(stamp.wall_ms <= now_ms() && stamp.wall_ms >= before_approval - 1000, "stamped now, not ten years on: {stamp}");
    // A laptop cannot write the approval time itself.
    let (_, body) = env.push(&mut anika, &[(EntityKind::Review, LARKSPUR, LARKSPUR, vec![("approved_at_ms", json!(0), None)])]).await;
    assert_eq!(outcomes(&body), ["server_field"], "{body}");
}

/// Stored data that does not read back is a loud error with a clear code, not an empty
/// document: the record stays as it was and nothing is written over it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_record_is_answered_500_with_a_clear_code() {
    let env = Env::demo().await;
    let mut anika = env.laptop(ANIKA);
    // One version of hers with a wall nothing reads (what the overflow used to write), one of
    // someone else's, so her pull has to read the record to leave hers out.
    let broken = format!(
        r#"{{"activity_type":{{"value":"work_scrutiny","version":"1795000000000-0000000000-0000000000000002"}},"notes":{{"value":"x","version":"10000000000000-0000000000-{:016x}"}}}}"#,
        Hlc::node_of(&anika.device)
    );
    // Opened beside the running server (SQLite waits up to 5 s for its lock, by default).
    let db = store_sql(env.dir.path());
    db.execute("UPDATE records SET fields = ?1 WHERE id = ?2", qar_server::store::db::params![broken, ANIKAS_NOTE.to_string()]).unwrap();

    let (status, body) =
        env.push(&mut anika, &[(EntityKind::Evidence, ANIKAS_NOTE, KESTREL, vec![("notes", json!("rewritten"), None)])]).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (500, Some("stored_data_unreadable")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("administrator"), "{body}");
    // Her pull, which must leave out her own versions, has to read the record: loud too.
    let (status, body) = env.get(&format!("/v1/sync/pull?cursor=0&limit=500&device_id={}", anika.device), Some(&anika.token)).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (500, Some("stored_data_unreadable")), "{body}");
    let raw: String = db.query_row("SELECT fields FROM records WHERE id = ?1", [ANIKAS_NOTE.to_string()], |r| r.get(0)).unwrap();
    assert_eq!(raw, broken, "nothing written over it");
}

/// A server clock row that does not read back stops the server at start with words saying
/// so, instead of restarting the clock from zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_clock_row_stops_the_server_at_start() {
    let env = Env::demo().await;
    let Env { dir, srv, .. } = env;
    srv.stop().await;
    let db = store_sql(dir.path());
    db.execute("UPDATE meta SET value = '10000000000000-0000000000-0000000000000001' WHERE key = 'server_hlc'", []).unwrap();
    drop(db);
    let err = start(&ServerConfig { data_dir: dir.path().to_owned(), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() })
        .await
        .err()
        .expect("refused to start");
    assert!(err.to_string().contains("server clock"), "{err}");
}
