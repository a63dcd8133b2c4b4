//! Running the server as an operator would (issue 20, decision 56): settings from a file, the
//! environment and flags in that order of strength, JSON logs, liveness and readiness on the API
//! port, and /metrics only on its own address, counting a real push.

use qar_core::protocol::{FieldWrite, Op, PushRequest, PushResponse};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(http: &reqwest::blocking::Client, url: &str) -> bool {
    let until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < until {
        if http.get(url).send().is_ok_and(|r| r.status().is_success()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The value of one sample line of the metrics text (`name{labels} value`).
fn sample(text: &str, line_start: &str) -> Option<f64> {
    text.lines().find(|l| l.starts_with(line_start)).and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok())
}

#[test]
fn flags_beat_environment_beat_file_and_metrics_count_a_push_on_their_own_address() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let device = Uuid::now_v7();
    let token = {
        let store = crate::common::open_store(&data);
        store.test_user("user-ops", "Olu Operator", &[]).unwrap();
        store.test_token("user-ops", device, qar_server::store::now_ms()).unwrap()
    };
    let [file_api, env_api, file_metrics, flag_metrics] = [free_port(), free_port(), free_port(), free_port()];
    let config = root.path().join("server.toml");
    std::fs::write(
        &config,
        format!(
            "data-dir = \"{}\"\nlisten = \"127.0.0.1:{file_api}\"\nmetrics-listen = \"127.0.0.1:{file_metrics}\"\nlog-format = \"json\"\n",
            data.display()
        ),
    )
    .unwrap();
    // tracing's formatter writes to standard output.
    let log = root.path().join("stdout.log");
    let child = Command::new(env!("CARGO_BIN_EXE_qar-server"))
        .args(["--config"])
        .arg(&config)
        .args(["--metrics-listen", &format!("127.0.0.1:{flag_metrics}")])
        .env("QAR_LISTEN", format!("127.0.0.1:{env_api}"))
        .env_remove("RUST_LOG")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let api = format!("http://127.0.0.1:{env_api}");
    let metrics = format!("http://127.0.0.1:{flag_metrics}");
    let up = wait_for(&http, &format!("{api}/livez"));
    let stop = |mut c: std::process::Child| {
        let _ = c.kill();
        let _ = c.wait();
    };
    if !up {
        stop(child);
        panic!("the API listens where QAR_LISTEN says: {}", std::fs::read_to_string(&log).unwrap());
    }
    let ready: Value = http.get(format!("{api}/readyz")).send().unwrap().json().unwrap();
    assert_eq!(ready, json!({"status": "ready"}));
    assert!(http.get(format!("http://127.0.0.1:{file_api}/livez")).send().is_err(), "the file's address lost to the environment");
    assert!(wait_for(&http, &format!("{metrics}/livez")), "metrics where the flag says");
    assert!(http.get(format!("http://127.0.0.1:{file_metrics}/metrics")).send().is_err(), "the file's metrics address lost to the flag");
    let on_api = http.get(format!("{api}/metrics")).send().unwrap();
    assert_eq!(on_api.status(), reqwest::StatusCode::NOT_FOUND, "no metrics on the API's port");

    // One push of two notes, one of them sent again: counted by route, status and outcome.
    let review = Uuid::now_v7();
    let op = |seq: u64| Op {
        seq,
        entity: if seq == 1 { EntityKind::Review } else { EntityKind::Evidence },
        id: if seq == 1 { review } else { Uuid::now_v7() },
        review_id: review,
        fields: if seq == 1 {
            [("school_name".to_owned(), FieldWrite { value: json!("Metrics Academy"), base: None })].into()
        } else {
            [("notes".to_owned(), FieldWrite { value: json!("Counted, not read."), base: None })].into()
        },
        hlc: Hlc { wall_ms: 1_795_000_000_000 + seq, counter: 0, node: Hlc::node_of(&device) },
        schema_version: SCHEMA_VERSION,
    };
    let push = |ops: Vec<Op>| -> PushResponse {
        let body = PushRequest { device_id: device, schema_version: SCHEMA_VERSION, ops, pull_cursor: None };
        http.post(format!("{api}/v1/sync/push")).bearer_auth(&token).json(&body).send().unwrap().json().unwrap()
    };
    assert_eq!(push(vec![op(1), op(2)]).acked_through, 2);
    let first = op(1);
    assert_eq!(push(vec![first]).acked_through, 2);
    let text = http.get(format!("{metrics}/metrics")).send().unwrap().text().unwrap();
    stop(child);

    assert_eq!(sample(&text, "qar_sync_pushes_total"), Some(2.0), "{text}");
    assert_eq!(sample(&text, "qar_sync_ops_total{outcome=\"applied\"}"), Some(2.0), "{text}");
    assert_eq!(sample(&text, "qar_sync_ops_total{outcome=\"duplicate\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "qar_http_requests_total{route=\"/v1/sync/push\",method=\"POST\",status=\"200\"}"), Some(2.0), "{text}");
    assert_eq!(sample(&text, "qar_http_requests_total{route=\"/readyz\",method=\"GET\",status=\"200\"}"), Some(1.0), "{text}");
    assert!(text.contains("qar_http_request_duration_seconds_bucket{"), "{text}");
    assert!(sample(&text, "qar_store_group_commits_total").is_some_and(|n| n >= 1.0), "{text}");
    assert!(sample(&text, "qar_store_group_commit_pushes_total").is_some_and(|n| n >= 2.0), "{text}");
    assert_eq!(sample(&text, "qar_db_connections{role=\"writer\"}"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "qar_sync_long_polls_open"), Some(0.0), "{text}");
    assert!(!text.contains(&device.to_string()) && !text.contains("user-ops") && !text.contains(&review.to_string()), "nobody named");

    // JSON logs: every line an object with a level and a message.
    let logged = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = logged.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["message"] == "qar-server listening" && l["level"] == "INFO"), "{logged}");
}

#[test]
fn an_unknown_setting_in_the_file_stops_the_server_with_its_name() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("server.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nmax-conections = 5\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qar-server")).arg("--config").arg(&config).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown setting 'max-conections'") && err.contains("max-connections"), "{err}");
}

#[test]
fn a_store_of_a_newer_schema_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    drop(qar_server::ServerStore::open(dir.path()).unwrap());
    let file = dir.path().join(qar_server::store::STORE_FILE);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let known: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    conn.pragma_update(None, "user_version", known + 1).unwrap();
    drop(conn);
    // A newer instance migrated this store while this one was still deployed (a rolling upgrade).
    let e = qar_server::ServerStore::open(dir.path()).err().expect("refused");
    assert!(e.to_string().contains("written by a newer version"), "{e}");
    let conn = rusqlite::Connection::open(&file).unwrap();
    assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0)).unwrap(), known + 1, "nothing half-applied");
}

/// The settings file and environment variables `deploy/` ships are ones this server knows.
#[test]
fn the_deploy_files_name_only_settings_that_exist() {
    let deploy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let out =
        Command::new(env!("CARGO_BIN_EXE_qar-server")).arg("--config").arg(deploy.join("server.toml")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for file in ["Containerfile", "qar-server.service", "qar-server-backup.service"] {
        let text = std::fs::read_to_string(deploy.join(file)).unwrap();
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| w.starts_with("QAR_")) {
            assert!(
                help.contains(&format!("[env: {word}=")) || word == "QAR_SERVER_KEY",
                "{file} names {word}, which --help does not list"
            );
        }
    }
}
