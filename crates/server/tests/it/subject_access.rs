//! Subject access (issue 24, point 3): an administrator's export of one person holds every
//! record that names them and nothing of anyone else's account, flags the people their own text
//! names, is audited, and is refused to everyone else before anything is written.

use crate::common::*;
use qar_core::EntityKind;
use qar_server::store::now_ms;
use qar_server::{AuthDevice, Role};
use serde_json::{json, Value};
use sha2::Digest;
use std::io::Read;
use uuid::Uuid;

/// The zip's three files, read back.
fn unzip(bytes: &[u8]) -> (Value, Value, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap_or_else(|_| panic!("{name} in the zip")).read_to_string(&mut s).unwrap();
        s
    };
    let manifest = read("manifest.json");
    let data = read("subject-access.json");
    let html = read("summary.html");
    (serde_json::from_str(&manifest).unwrap(), serde_json::from_str(&data).unwrap(), html)
}

async fn export(env: &Env, user: &str, token: &str) -> (reqwest::StatusCode, Vec<u8>) {
    let resp = env.http.post(env.url(&format!("/v1/users/{user}/subject-access"))).bearer_auth(token).send().await.unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_holds_the_person_and_nobody_elses_account_and_flags_names_in_their_text() {
    let env = Env::demo().await;
    let mut anika = env.laptop(ANIKA);
    let note = Uuid::now_v7();
    let text = "Owen Pritchard and I met Mrs Okafor; her Year 4 class was calm.";
    let ops =
        vec![(EntityKind::Evidence, note, KESTREL, vec![("activity_type", json!("learning_walk"), None), ("notes", json!(text), None)])];
    let (s, _) = env.push(&mut anika, &ops).await;
    assert!(s.is_success());
    let admin = env.laptop(ADMIN);
    let (s, bytes) = export(&env, ANIKA, &admin.token).await;
    assert_eq!(s, 200);
    let (manifest, data, html) = unzip(&bytes);

    // The manifest describes the files as they are.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let mut content = Vec::new();
        zip.by_name(f["name"].as_str().unwrap()).unwrap().read_to_end(&mut content).unwrap();
        assert_eq!(f["sha256"], json!(hex::encode(sha2::Sha256::digest(&content))), "{f}");
    }
    assert_eq!(manifest["person_id"], json!(ANIKA));
    println!("sample manifest:\n{}", serde_json::to_string_pretty(&manifest).unwrap());

    // Her account, laptops, reviews, notes and audit entries.
    let d = &data["data"];
    assert_eq!(d["person"]["email"], json!("anika.marsh@example.org"));
    assert!(d["devices"].as_array().unwrap().iter().any(|x| x["device_id"] == json!(anika.device.to_string())));
    let reviews: Vec<&str> = d["reviews"].as_array().unwrap().iter().map(|r| r["review_id"].as_str().unwrap()).collect();
    assert!(reviews.contains(&KESTREL.to_string().as_str()), "{reviews:?}");
    let notes = d["records_written"]["evidence"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["id"] == json!(note.to_string()) && n["fields"]["notes"] == json!(text)));
    assert!(notes.len() > 1, "the demo's notes by Anika too");
    assert!(d["audit_entries"].as_array().unwrap().iter().any(|e| e["kind"] == json!("push") && e["actor"] == json!(ANIKA)));
    assert!(d["account"]["also_held_not_copied"].is_string());
    assert!(!data.to_string().contains("argon2id$"), "no password hash");

    // Nothing of anyone else's account: no other person's id or e-mail anywhere.
    let everything = format!("{manifest}{data}{html}");
    for (id, email) in [
        (OWEN, "owen.pritchard@example.org"),
        (HOLLIE, "hollie.brennan@example.org"),
        (ADMIN, "admin@example.org"),
        (SAM_SHADOW, "user-sam-shadow@test.invalid"),
    ] {
        assert!(!everything.contains(id), "{id} appears in the export");
        assert!(!everything.contains(email), "{email} appears in the export");
    }

    // The names her own text holds are flagged for the DPO, in the JSON and the summary.
    let flags = data["for_the_dpo"]["mentions_to_review"].as_array().unwrap();
    let flag = flags.iter().find(|f| f["place"] == json!(format!("records_written/evidence/{note}"))).expect("the note is flagged");
    assert_eq!(flag["field"], json!("notes"));
    assert_eq!(flag["mentions"], json!(["Owen Pritchard", "Mrs Okafor"]));
    assert_eq!(manifest["flagged_mentions"], json!(flags.len()));
    assert!(html.contains("For the data protection officer") && html.contains("Mrs Okafor"));
    assert!(html.starts_with("<!doctype html>") && html.contains("What QAR Field holds about Dr Anika Marsh"));

    // Audited with counts, never content; the chain still verifies.
    let store = env.srv.store();
    let conn = store_sql(env.dir.path());
    let (kind, actor, subject, detail): (String, String, String, String) = conn
        .query_row("SELECT kind, actor, subject, detail FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!((kind.as_str(), actor.as_str(), subject.as_str()), ("subject_access", ADMIN, ANIKA));
    assert!(!detail.contains("Okafor") && detail.contains("\"flagged_mentions\":1"), "{detail}");
    assert!(store.verify_audit().unwrap().intact());

    // Nothing of it is kept: the data folder holds no zip and no copy of the note's text.
    for entry in walk(env.dir.path()) {
        assert!(!entry.ends_with(".zip"), "{entry} left on the server");
    }
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everyone_but_an_administrator_is_refused_and_nothing_is_audited() {
    let env = Env::demo().await;
    let store = env.srv.store();
    let head = store.audit_head().unwrap();
    for user in [HOLLIE, ANIKA, OWEN, OLGA_OTHER_HUB, NADIA_NOBODY] {
        let l = env.laptop(user);
        // Not even one's own: a request goes through the DPO, who redacts colleagues' names.
        for subject in [ANIKA, user] {
            let (s, body) = export(&env, subject, &l.token).await;
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!((s.as_u16(), body["code"].as_str()), (403, Some("admin_only")), "{user} asking for {subject}");
        }
    }
    let resp = env.http.post(env.url(&format!("/v1/users/{ANIKA}/subject-access"))).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let admin = env.laptop(ADMIN);
    let (s, body) = export(&env, "user-nobody-at-all", &admin.token).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((s.as_u16(), body["code"].as_str()), (404, Some("unknown_user")));
    assert_eq!(store.audit_head().unwrap(), head, "no refusal wrote to the audit chain");
    let not_admin =
        AuthDevice { user_id: HOLLIE.into(), device_id: Uuid::now_v7(), roles: vec![Role::HubCoordinator { hub_id: "hub-1".into() }] };
    assert!(store.subject_access(&not_admin, ANIKA, now_ms()).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_writes_a_new_private_file_and_never_overwrites_one() {
    let env = Env::demo().await;
    let out = env.dir.path().join("anika.zip");
    let said = qar_server::admin::subject_access_file(env.srv.store(), ANIKA, &out, now_ms()).unwrap();
    assert!(said.contains("Delete it once it is sent"), "{said}");
    let (manifest, data, _) = unzip(&std::fs::read(&out).unwrap());
    assert_eq!((manifest["person_id"].as_str(), data["data"]["person"]["name"].as_str()), (Some(ANIKA), Some("Dr Anika Marsh")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let head = env.srv.store().audit_head().unwrap();
    let again = qar_server::admin::subject_access_file(env.srv.store(), ANIKA, &out, now_ms()).unwrap_err();
    assert!(again.to_string().contains("exists already"), "{again}");
    assert_eq!(env.srv.store().audit_head().unwrap(), head, "a refused export is not audited");
    let unknown = qar_server::admin::subject_access_file(env.srv.store(), "user-nobody", &env.dir.path().join("x.zip"), now_ms());
    assert!(unknown.is_err());
}
