//! Mail that is delivered and never lost (issue 22), against a real SMTP server on loopback:
//! aiosmtpd, started here from the Python that `./x` prepares (`QAR_AIOSMTPD`). What arrives is
//! read back as a receiver reads it (Python's e-mail parser): recipients, subjects, links, and
//! no review text. Also: a burst with the server restarted in the middle and an SMTP outage
//! (nothing lost, nothing twice, counted by message id), a dead letter after the last attempt and
//! its resend by an administrator, and the `.eml` folder used when no SMTP server is configured.

use crate::common::*;
use qar_core::report_template::{content_hash, section_id};
use qar_core::EntityKind;
use qar_server::mail::{MailConfig, Secret, SmtpConfig, SmtpTls};
use qar_server::store::demo::DEMO_HUB_ID;
use qar_server::{start, ServerConfig};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PUBLIC_URL: &str = "https://qar.example.org";
/// Review text that must never be in a mail: in a report section, an estimate and a return comment.
const SECTION_TEXT: &str = "SECTION-TEXT the deputy head's numeracy plan";
const RATIONALE_TEXT: &str = "RATIONALE-TEXT clear vision";
const COMMENT_TEXT: &str = "COMMENT-TEXT say more about the bar models";

/// The Python with aiosmtpd, from `QAR_AIOSMTPD`. Unset: a failure under CI (the tests must run
/// there), a skip with a message on a developer's machine.
fn aiosmtpd_python() -> Option<String> {
    match std::env::var("QAR_AIOSMTPD") {
        Ok(p) if !p.trim().is_empty() => Some(p),
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "QAR_AIOSMTPD is not set: the mail tests need a Python with aiosmtpd (./x test makes one and sets it; \
             or: python3 -m venv V && V/bin/pip install aiosmtpd==1.4.6 && QAR_AIOSMTPD=V/bin/python)"
        ),
        _ => {
            eprintln!("skipped: QAR_AIOSMTPD is not set (a Python with aiosmtpd; ./x test sets it)");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd on a loopback port, writing what it receives to a folder that outlives it.
struct SmtpSink {
    python: String,
    port: u16,
    out: PathBuf,
    /// After the port and folder: the TLS mode, certificate and key, and a login to require.
    extra: Vec<String>,
    /// Milliseconds the server waits before accepting each mail.
    delay_ms: u64,
    child: Option<Child>,
}

impl SmtpSink {
    fn new(python: &str, out: &Path) -> SmtpSink {
        SmtpSink { python: python.into(), port: free_port(), out: out.to_owned(), extra: Vec::new(), delay_ms: 0, child: None }
    }

    fn up(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/smtp_sink.py");
        let mut child = Command::new(&self.python)
            .args([script, &self.port.to_string(), self.out.to_str().unwrap()])
            .args(&self.extra)
            .env("SINK_DELAY_MS", self.delay_ms.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting aiosmtpd with {}: {e}", self.python));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("READY"), "aiosmtpd did not start: {line:?}");
        self.child = Some(child);
    }

    /// The outage: the SMTP server's process is killed, its port refuses connections.
    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every mail received so far, in order (files still being written are skipped).
    fn received(&self) -> Vec<Value> {
        let mut names: Vec<_> = std::fs::read_dir(&self.out)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json") && !is_partial(p))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    fn with_subject(&self, prefix: &str) -> Vec<Value> {
        self.received().into_iter().filter(|m| m["subject"].as_str().unwrap_or("").starts_with(prefix)).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.down();
    }
}

/// Fast retries, so an outage of a second or two is several attempts.
fn mail_config(port: u16) -> MailConfig {
    MailConfig {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(port),
            tls: SmtpTls::None,
            username: None,
            password: None,
            ca_file: None,
        }),
        from: "QAR Field <qar-field@example.org>".into(),
        public_url: Some(PUBLIC_URL.into()),
        retry_base: Duration::from_millis(100),
        retry_max: Duration::from_millis(800),
        max_attempts: 40,
        check_every: Duration::from_millis(200),
        overdue_every: Duration::from_secs(3600),
        send_timeout: Duration::from_secs(5),
        ..MailConfig::default()
    }
}

/// A server with the demo data in `data`. The demo hub's deadline is set to a year first, so the
/// demo review whose visit was in November 2026 is not overdue whenever this runs: a test that
/// wants an overdue report sets the deadline itself.
async fn server(data: &Path, mail: MailConfig) -> Env {
    {
        let store = crate::common::open_store(data);
        store.seed_demo(qar_server::store::now_ms()).unwrap();
        let admin = qar_server::AuthDevice { user_id: ADMIN.into(), device_id: uuid::Uuid::now_v7(), roles: vec![qar_server::Role::Admin] };
        store.set_report_deadline(&admin, DEMO_HUB_ID, 365, qar_server::store::now_ms()).unwrap();
    }
    let srv =
        start(&ServerConfig { data_dir: data.to_owned(), listen: "127.0.0.1:0".parse().unwrap(), demo: true, mail, ..Default::default() })
            .await
            .unwrap();
    Env { dir: tempfile::tempdir().unwrap(), srv, http: reqwest::Client::new() }
}

async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "waited 30 s for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The one mail with this subject prefix, once it has arrived.
async fn one_mail(sink: &SmtpSink, prefix: &str, to: &str) -> Value {
    let mails = wait_for(prefix, || {
        let got: Vec<Value> = sink.with_subject(prefix).into_iter().filter(|m| m["rcpt_tos"] == json!([to])).collect();
        (!got.is_empty()).then_some(got)
    })
    .await;
    assert_eq!(mails.len(), 1, "one '{prefix}' mail to {to}: {mails:?}");
    let mail = mails.into_iter().next().unwrap();
    for text in [SECTION_TEXT, RATIONALE_TEXT, COMMENT_TEXT] {
        assert!(!mail["raw"].as_str().unwrap().contains(text), "review text in '{prefix}' mail: {}", mail["raw"]);
    }
    assert!(mail["text"].as_str().unwrap().contains(PUBLIC_URL), "links to the server: {}", mail["text"]);
    assert!(mail["html"].as_str().unwrap().contains(&format!("href=\"{PUBLIC_URL}")), "{}", mail["html"]);
    assert_eq!(mail["mail_from"], "qar-field@example.org");
    assert!(mail["raw"].as_str().unwrap().contains("\r\nAuto-Submitted: auto-generated\r\n"), "robots do not answer it");
    mail
}

/// The mail as the SMTP server received it (its headers, then each part decoded), for the
/// closing note: `cargo test … mail_delivery -- --nocapture`.
fn show(mail: &Value) {
    let raw = mail["raw"].as_str().unwrap_or("");
    let headers = raw.split("\r\n\r\n").next().unwrap_or("");
    let (text, html) = (mail["text"].as_str().unwrap_or(""), mail["html"].as_str().unwrap_or(""));
    eprintln!("===== RCPT TO {}\n{headers}\n--- text/plain ---\n{text}\n--- text/html ---\n{html}", mail["rcpt_tos"]);
}

/// Moves Heron Vale to `to` through the Lead Reviewer's states.
async fn push_states(env: &Env, lr: &mut Laptop, states: &[&str]) {
    let mut base = Some(env.review(HERON).await.fields["state"].version);
    for to in states {
        let (_, reply) = env.push(lr, &[(EntityKind::Review, HERON, HERON, vec![("state", json!(to), base)])]).await;
        assert_eq!(outcomes(&reply), ["applied"], "to {to}: {reply}");
        base = Some(lr.clock.last());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_event_mails_its_people_with_links_and_no_review_text() {
    let Some(python) = aiosmtpd_python() else { return };
    let data = tempfile::tempdir().unwrap();
    let mut sink = SmtpSink::new(&python, &data.path().join("received"));
    sink.up();
    let env = server(&data.path().join("server"), mail_config(sink.port)).await;
    let admin = env.laptop(ADMIN);
    let coordinator = env.laptop(HOLLIE);
    let mut lr = env.laptop(ANIKA);

    // Invitation: the code, the app link with server and code, the browser sign-up link.
    let invite = json!({"email": "ann.oneil@example.org", "name": "Ann O'Neil", "role": {"role": "reviewer"}});
    let (status, issued) = env.post("/v1/invitations", Some(&admin.token), invite).await;
    assert_eq!(status.as_u16(), 201, "{issued}");
    let code = issued["code"].as_str().unwrap();
    let mail = one_mail(&sink, "You are invited to QAR Field", "ann.oneil@example.org").await;
    let (text, html) = (mail["text"].as_str().unwrap(), mail["html"].as_str().unwrap());
    assert!(text.contains(code) && html.contains(code), "the code is in the mail");
    let app_link = qar_core::invitation_link::invitation_link(PUBLIC_URL, code);
    assert!(text.contains(&app_link), "qarfield:// link {app_link} in {text}");
    assert!(html.contains(&format!("href=\"{}\"", qar_server::mail::escape_html(&app_link))), "the link, escaped as HTML: {html}");
    assert!(text.contains(&format!("{PUBLIC_URL}/signup")), "web sign-up link: {text}");
    assert!(text.contains("Dear Ann O'Neil,") && html.contains("Dear Ann O&#39;Neil,"), "names escaped in HTML only");
    show(&mail);

    // Submitted: to the hub's coordinator, with no report text.
    let section = section_id(HERON, "context");
    push_states(&env, &mut lr, &["in_visit", "estimates_agreed"]).await;
    let est = estimate_id(HERON, "leadership");
    let (_, reply) = env
        .push(
            &mut lr,
            &[
                (
                    EntityKind::ReportSection,
                    section,
                    HERON,
                    vec![("section_code", json!("context"), None), ("body", json!(SECTION_TEXT), None)],
                ),
                (
                    EntityKind::Estimate,
                    est,
                    HERON,
                    vec![
                        ("area_code", json!("leadership"), None),
                        ("value", json!("effective"), None),
                        ("rationale", json!(RATIONALE_TEXT), None),
                    ],
                ),
            ],
        )
        .await;
    assert_eq!(outcomes(&reply), ["applied", "applied"], "{reply}");
    push_states(&env, &mut lr, &["drafting", "submitted"]).await;
    let mail = one_mail(&sink, "Report submitted: Heron Vale Academy", "hollie.brennan@example.org").await;
    assert!(mail["text"].as_str().unwrap().contains("990102"), "the school's URN");
    show(&mail);

    // Returned: to the Lead Reviewer, the number of comments and not their text.
    let comments = json!({"comments": [{"id": uuid::Uuid::now_v7(), "target": "section:context", "text": COMMENT_TEXT}]});
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/return"), Some(&coordinator.token), comments.clone()).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let (status, _) = env.post(&format!("/v1/reviews/{HERON}/return"), Some(&coordinator.token), comments).await;
    assert_eq!(status.as_u16(), 200, "a retried return");
    let mail = one_mail(&sink, "Report returned with comments: Heron Vale Academy", "anika.marsh@example.org").await;
    assert!(mail["text"].as_str().unwrap().contains("returned to you with 1 comment(s)"), "{}", mail["text"]);
    show(&mail);

    // Sent again after the return: a second submission is a second mail.
    push_states(&env, &mut lr, &["drafting", "submitted"]).await;
    let twice = wait_for("the second submission's mail", || {
        let got = sink.with_subject("Report submitted: Heron Vale Academy");
        (got.len() == 2).then_some(got)
    })
    .await;
    assert_ne!(twice[0]["message_id"], twice[1]["message_id"], "two submissions, two message ids");

    // Approved, then issued: to the Lead Reviewer. A retried approval adds nothing.
    let estimates = [("leadership".to_owned(), "effective".to_owned(), RATIONALE_TEXT.to_owned())];
    let hash = content_hash(&[("context".into(), SECTION_TEXT.into())], &estimates);
    for _ in 0..2 {
        let (status, body) =
            env.post(&format!("/v1/reviews/{HERON}/approve"), Some(&coordinator.token), json!({"report_hash": hash})).await;
        assert_eq!(status.as_u16(), 200, "{body}");
    }
    let mail = one_mail(&sink, "Report approved: Heron Vale Academy", "anika.marsh@example.org").await;
    show(&mail);
    let (status, body) = env.post(&format!("/v1/reviews/{HERON}/issue"), Some(&coordinator.token), json!({"report_hash": hash})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let mail = one_mail(&sink, "Report issued: Heron Vale Academy (version 1)", "anika.marsh@example.org").await;
    show(&mail);

    // A correction after issue sends the report back to the coordinator: told again.
    let body_version = env.pull_all(&coordinator).await[&section].fields["body"].version;
    let (_, reply) =
        env.push(&mut lr, &[(EntityKind::ReportSection, section, HERON, vec![("body", json!("Corrected."), Some(body_version))])]).await;
    assert_eq!(outcomes(&reply), ["applied"], "{reply}");
    wait_for("the corrected report's submission mail", || {
        (sink.with_subject("Report submitted: Heron Vale Academy").len() == 3).then_some(())
    })
    .await;

    // Overdue: with a one-day deadline Kestrel Brook's report (visit in November 2026) is late;
    // its Lead Reviewer and coordinator are told once per interval, however often the check runs.
    let (status, body) = env.put(&format!("/v1/hubs/{DEMO_HUB_ID}/settings"), Some(&admin.token), json!({"report_deadline_days": 1})).await;
    assert_eq!(status.as_u16(), 200, "{body}");
    let mail = one_mail(&sink, "Report overdue: Kestrel Brook Primary School", "anika.marsh@example.org").await;
    show(&mail);
    one_mail(&sink, "Report overdue: Kestrel Brook Primary School", "hollie.brennan@example.org").await;

    // A laptop whose unsent work is two days old: its owner is told.
    let two_days_ago = qar_server::store::now_ms() - 2 * 24 * 60 * 60 * 1000;
    let path = format!("/v1/sync/pull?cursor=0&limit=10&device_id={}", lr.device);
    let request = env.http.get(env.url(&path)).header("x-qar-outbox", format!("pending=7; oldest={two_days_ago}"));
    let (status, _) = env.send(request, Some(&lr.token)).await;
    assert_eq!(status.as_u16(), 200);
    let mail = one_mail(&sink, "Unsent work on your laptop", "anika.marsh@example.org").await;
    assert!(mail["text"].as_str().unwrap().contains("has 7 change(s)"), "{}", mail["text"]);
    show(&mail);

    // Several more checks later, nothing was sent twice.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let ids: Vec<Value> = sink.received().iter().map(|m| m["message_id"].clone()).collect();
    let mut unique = ids.clone();
    unique.sort_by_key(|v| v.to_string());
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "a message id arrived twice: {ids:?}");
    assert_eq!(sink.with_subject("Report overdue: Kestrel Brook").len(), 2, "one reminder each per interval");
    let store = env.srv.store().clone();
    wait_for("every mail recorded as sent", || (store.mail_counts().unwrap() == (0, ids.len() as u64, 0)).then_some(())).await;
    env.srv.stop().await;
}

/// Invitations made as fast as the API takes them, each with its mail.
async fn invite_many(env: &Env, token: &str, from: usize, to: usize) {
    for i in from..to {
        let body = json!({"email": format!("burst.{i}@example.org"), "name": format!("Burst Person {i}"), "role": {"role": "reviewer"}});
        let (status, reply) = env.post("/v1/invitations", Some(token), body).await;
        assert_eq!(status.as_u16(), 201, "{reply}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_survives_a_restart_and_an_outage_with_nothing_lost_or_doubled() {
    let Some(python) = aiosmtpd_python() else { return };
    let data = tempfile::tempdir().unwrap();
    let server_dir = data.path().join("server");
    let mut sink = SmtpSink::new(&python, &data.path().join("received"));
    sink.up();

    // A burst, and the server stopped while it is being sent.
    let env = server(&server_dir, mail_config(sink.port)).await;
    let admin = env.laptop(ADMIN).token;
    invite_many(&env, &admin, 0, 25).await;
    env.srv.stop().await;
    let env = server(&server_dir, mail_config(sink.port)).await;
    invite_many(&env, &admin, 25, 35).await;

    // The SMTP server goes away (once it has answered for what was sent, so no mail is cut off
    // between its "250" and the worker hearing it); mail made meanwhile waits, also across a restart.
    let store = env.srv.store().clone();
    wait_for("the first 35 sent", || (store.mail_counts().unwrap().0 == 0).then_some(())).await;
    sink.down();
    invite_many(&env, &admin, 35, 50).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    env.srv.stop().await;
    let env = server(&server_dir, mail_config(sink.port)).await;
    invite_many(&env, &admin, 50, 60).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (pending, _, dead) = env.srv.store().mail_counts().unwrap();
    assert!(pending > 0 && dead == 0, "during the outage mail waits: {pending} pending");
    sink.up();

    let invitations = wait_for("all 60 invitations", || {
        let got = sink.with_subject("You are invited to QAR Field");
        (got.len() >= 60).then_some(got)
    })
    .await;
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in &invitations {
        *by_id.entry(m["message_id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let twice: Vec<_> = by_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:?}");
    assert_eq!(by_id.len(), 60, "every invitation once");
    let mut to: Vec<String> = invitations.iter().map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 60, "each person their own");
    // The last "250" may still be on its way to the worker when its mail is read here.
    let store = env.srv.store().clone();
    let (sent, dead) = wait_for("the outbox to record every mail sent", || match store.mail_counts().unwrap() {
        (0, sent, dead) => Some((sent, dead)),
        _ => None,
    })
    .await;
    assert_eq!(dead, 0);
    assert_eq!(sent as usize, sink.received().len(), "every mail the outbox calls sent arrived, and no other");
    env.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undelivered_mail_is_kept_for_an_administrator_who_resends_it() {
    let Some(python) = aiosmtpd_python() else { return };
    let data = tempfile::tempdir().unwrap();
    // Nothing listens on the sink's port yet: every attempt fails.
    let mut sink = SmtpSink::new(&python, &data.path().join("received"));
    let config = MailConfig {
        max_attempts: 3,
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(100),
        ..mail_config(sink.port)
    };
    let env = server(&data.path().join("server"), config).await;
    let admin = env.laptop(ADMIN);
    let body = json!({"email": "dora.dead@example.org", "name": "Dora Dead", "role": {"role": "reviewer"}});
    let (status, _) = env.post("/v1/invitations", Some(&admin.token), body).await;
    assert_eq!(status.as_u16(), 201);
    let store = env.srv.store().clone();
    wait_for("a dead letter", || store.dead_mail_unchecked().unwrap().iter().any(|m| m.template == "invitation").then_some(())).await;

    let (status, dead) = env.get("/v1/mail/dead", Some(&admin.token)).await;
    assert_eq!(status.as_u16(), 200, "{dead}");
    let dead: Vec<&Value> = dead.as_array().unwrap().iter().filter(|m| m["template"] == "invitation").collect();
    assert_eq!(dead.len(), 1, "{dead:?}");
    let letter = dead[0].clone();
    assert_eq!(
        (letter["recipient"].as_str(), letter["state"].as_str(), letter["attempts"].as_u64()),
        (Some("dora.dead@example.org"), Some("dead"), Some(3))
    );
    assert!(!letter["last_error"].as_str().unwrap().is_empty(), "says why: {letter}");
    assert!(letter.get("params").is_none() && !letter.to_string().contains("code"), "the code is not shown: {letter}");
    let id = letter["message_id"].as_str().unwrap().to_owned();
    let lines = qar_server::admin::dead_mail_lines(&store).unwrap();
    assert!(lines.iter().any(|l| l.starts_with(&id) && l.contains("dora.dead@example.org")), "the CLI lists it: {lines:?}");

    // Not for anyone else; then resent by an administrator once the SMTP server is back.
    let (status, body) = env.post(&format!("/v1/mail/{id}/resend"), Some(&env.laptop(HOLLIE).token), Value::Null).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("admin_only")));
    sink.up();
    let (status, body) = env.post(&format!("/v1/mail/{id}/resend"), Some(&admin.token), Value::Null).await;
    assert_eq!((status.as_u16(), body["state"].as_str(), body["attempts"].as_u64()), (200, Some("pending"), Some(0)), "{body}");
    let mail = one_mail(&sink, "You are invited to QAR Field", "dora.dead@example.org").await;
    assert_eq!(mail["message_id"].as_str().unwrap(), format!("<{id}@example.org>"), "the same message id");
    wait_for("the resent mail recorded as sent", || (store.outbox_mail(&id).unwrap().unwrap().state == "sent").then_some(())).await;
    let (status, body) = env.post(&format!("/v1/mail/{id}/resend"), Some(&admin.token), Value::Null).await;
    assert_eq!((status.as_u16(), body["state"].as_str()), (200, Some("sent")), "a second resend changes nothing: {body}");
    let (status, body) = env.post("/v1/mail/ffffffffffffffffffffffffffffffff/resend", Some(&admin.token), Value::Null).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (404, Some("not_found")));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.with_subject("You are invited").len(), 1, "sent once");
    env.srv.stop().await;
}

/// No SMTP server configured (`./x run`): mail is written as `.eml` files in the data folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_smtp_server_mail_is_written_to_a_folder() {
    let env = Env::demo().await;
    let admin = env.laptop(ADMIN);
    let body = json!({"email": "folder.person@example.org", "name": "Folder Person", "role": {"role": "reviewer"}});
    let (status, issued) = env.post("/v1/invitations", Some(&admin.token), body).await;
    assert_eq!(status.as_u16(), 201);
    let code = issued["code"].as_str().unwrap().to_owned();
    let folder = env.dir.path().join("mail");
    let eml = wait_for("an .eml file", || {
        std::fs::read_dir(&folder)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .find(|t| t.contains("To: folder.person@example.org"))
    })
    .await;
    assert!(eml.contains("Subject: You are invited to QAR Field"), "{eml}");
    assert!(eml.contains(&code), "the code is in the mail: {eml}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700, "the mail folder is the server's alone");
        for entry in std::fs::read_dir(&folder).unwrap() {
            assert_eq!(mode(&entry.unwrap().path()), 0o600);
        }
    }
    // Once written, the outbox no longer holds the code.
    let store = env.srv.store().clone();
    wait_for("the mail recorded as sent", || (store.mail_counts().unwrap().1 > 0).then_some(())).await;
}

/// A certificate authority and a certificate for `localhost` signed by it, as PEM files in
/// `dir`: (certificate, key, authority).
fn localhost_certificate(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()]).unwrap().signed_by(&key, &issuer).unwrap();
    let paths = (dir.join("smtp-cert.pem"), dir.join("smtp-key.pem"), dir.join("smtp-ca.pem"));
    std::fs::write(&paths.0, cert.pem()).unwrap();
    std::fs::write(&paths.1, key.serialize_pem()).unwrap();
    std::fs::write(&paths.2, ca_cert.pem()).unwrap();
    paths
}

async fn invite(env: &Env, email: &str) {
    let admin = env.laptop(ADMIN);
    let (status, body) =
        env.post("/v1/invitations", Some(&admin.token), json!({"email": email, "name": "Tess Tls", "role": {"role": "reviewer"}})).await;
    assert_eq!(status.as_u16(), 201, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_goes_over_starttls_or_implicit_tls_with_a_login_and_never_in_clear() {
    let Some(python) = aiosmtpd_python() else { return };
    let data = tempfile::tempdir().unwrap();
    let (cert, key, ca) = localhost_certificate(data.path());
    let tls_sink = |name: &str, mode: &str| {
        let mut sink = SmtpSink::new(&python, &data.path().join(name));
        sink.extra = [mode, cert.to_str().unwrap(), key.to_str().unwrap(), "qar-mailer", "smtp-pass-not-logged"].map(String::from).to_vec();
        sink
    };
    let smtp = |port: u16, tls: SmtpTls, ca_file: Option<PathBuf>| SmtpConfig {
        host: "localhost".into(),
        port: Some(port),
        tls,
        username: Some("qar-mailer".into()),
        password: Some(Secret("smtp-pass-not-logged".into())),
        ca_file,
    };
    for (mode, tls) in [("starttls", SmtpTls::StartTls), ("implicit", SmtpTls::Implicit)] {
        let mut sink = tls_sink(mode, mode);
        sink.up();
        let config = smtp(sink.port, tls, Some(ca.clone()));
        assert!(!format!("{config:?}").contains("smtp-pass-not-logged"), "the password never shows in a dump of the settings");
        let env = server(&data.path().join(format!("server-{mode}")), MailConfig { smtp: Some(config), ..mail_config(0) }).await;
        invite(&env, "tess.tls@example.org").await;
        let mail = one_mail(&sink, "You are invited to QAR Field", "tess.tls@example.org").await;
        assert_eq!((&mail["tls"], &mail["login"]), (&json!(true), &json!("qar-mailer")), "{mode}: over TLS, signed in");
        env.srv.stop().await;
    }

    // STARTTLS is required, not hoped for: a server that does not offer it gets nothing (no mail,
    // no password in clear), and neither does one whose certificate is not trusted.
    let mut plain = SmtpSink::new(&python, &data.path().join("plain"));
    plain.up();
    let mut untrusted = tls_sink("untrusted", "starttls");
    untrusted.up();
    for (name, config) in [
        ("no STARTTLS", smtp(plain.port, SmtpTls::StartTls, Some(ca.clone()))),
        ("untrusted", smtp(untrusted.port, SmtpTls::StartTls, None)),
    ] {
        let config = MailConfig { smtp: Some(config), max_attempts: 2, retry_base: Duration::from_millis(50), ..mail_config(0) };
        let env = server(&data.path().join(format!("server-{}", name.replace(' ', "-"))), config).await;
        invite(&env, "tess.tls@example.org").await;
        let store = env.srv.store().clone();
        let letter =
            wait_for("a dead letter", || store.dead_mail_unchecked().unwrap().into_iter().find(|m| m.template == "invitation")).await;
        let error = letter.last_error;
        assert!(!error.contains("smtp-pass-not-logged"), "{error}");
        eprintln!("{name}: {error}");
        env.srv.stop().await;
    }
    assert!(plain.received().is_empty() && untrusted.received().is_empty(), "nothing went out without TLS");
}

/// The real binary, killed with SIGKILL in the middle of a burst (a crash: no graceful stop),
/// then started again: every invitation the server committed is mailed, none is lost; only the
/// one mail in flight at the kill may arrive twice, and then with the same message id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_burst_loses_no_mail() {
    let Some(python) = aiosmtpd_python() else { return };
    let data = tempfile::tempdir().unwrap();
    let server_dir = data.path().join("server");
    let mut sink = SmtpSink::new(&python, &data.path().join("received"));
    sink.delay_ms = 40;
    sink.up();
    let token = {
        let store = crate::common::open_store(&server_dir);
        store.test_user("user-crash-admin", "Cora Crash", &[qar_server::Role::Admin]).unwrap();
        store.test_token("user-crash-admin", uuid::Uuid::now_v7(), qar_server::store::now_ms()).unwrap()
    };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let start_binary = || {
        let sink_port = sink.port.to_string();
        let listen = format!("127.0.0.1:{port}");
        let args = ["--data-dir", server_dir.to_str().unwrap(), "--listen", &listen, "--smtp-host", "127.0.0.1", "--smtp-port", &sink_port];
        Command::new(env!("CARGO_BIN_EXE_qar-server"))
            .args(args)
            .args(["--smtp-tls", "none", "--mail-retry-base-s", "1", "--mail-retry-max-s", "2", "--public-url", PUBLIC_URL])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let http = reqwest::Client::new();
    let up = |http: reqwest::Client, base: String| async move {
        wait_for_async(|| {
            let (http, base) = (http.clone(), base.clone());
            async move { http.get(format!("{base}/v1/health")).send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await
    };
    let invite = |http: reqwest::Client, base: String, token: String, i: usize| async move {
        let body = json!({"email": format!("crash.{i}@example.org"), "name": format!("Crash Person {i}"), "role": {"role": "reviewer"}});
        http.post(format!("{base}/v1/invitations")).bearer_auth(token).json(&body).send().await.is_ok_and(|r| r.status().as_u16() == 201)
    };

    let mut server = start_binary();
    up(http.clone(), base.clone()).await;
    let mut answered = 0;
    for i in 0..30 {
        answered += usize::from(invite(http.clone(), base.clone(), token.clone(), i).await);
    }
    // About a third is out (40 ms a mail): the rest is queued, one mail is on the wire.
    tokio::time::sleep(Duration::from_millis(400)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    let before_restart = sink.with_subject("You are invited").len();
    assert!(before_restart < answered, "the crash came mid-burst ({before_restart} of {answered} out)");

    let mut server = start_binary();
    up(http.clone(), base.clone()).await;
    for i in 30..40 {
        answered += usize::from(invite(http.clone(), base.clone(), token.clone(), i).await);
    }
    assert_eq!(answered, 40);
    let mails = wait_for("every invitation after the crash", || {
        let got = sink.with_subject("You are invited to QAR Field");
        let mut to: Vec<String> = got.iter().map(|m| m["rcpt_tos"][0].as_str().unwrap().to_owned()).collect();
        to.sort();
        to.dedup();
        (to.len() == 40).then_some(got)
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &mails {
        by_id.entry(m["message_id"].as_str().unwrap().to_owned()).or_default().push(m["rcpt_tos"][0].as_str().unwrap().to_owned());
    }
    assert_eq!(by_id.len(), 40, "one message id per invitation");
    let again: Vec<_> = by_id.iter().filter(|(_, to)| to.len() > 1).collect();
    assert!(again.len() <= 1, "only the mail in flight at the kill may come twice: {again:?}");
    assert!(again.iter().all(|(_, to)| to.iter().all(|t| *t == to[0])), "a repeat is the same mail to the same person");
    eprintln!("crash mid-burst: {before_restart} of 30 out before the kill, {} sent twice (same message id)", again.len());
}

async fn wait_for_async<F: std::future::Future<Output = bool>>(mut probe: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !probe().await {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Sent mail is kept a year (message id, template, recipient: "was it sent?"), then forgotten by
/// the periodic check; its values were emptied when it was sent.
#[test]
fn sent_mail_is_forgotten_after_a_year() {
    use qar_server::store::mail_outbox::Attempt;
    const T: u64 = 1_795_000_000_000;
    let dir = tempfile::tempdir().unwrap();
    let s = crate::common::open_store(dir.path());
    s.test_user("user-admin", "Ada Admin", &[qar_server::Role::Admin]).unwrap();
    let admin =
        qar_server::AuthDevice { user_id: "user-admin".into(), device_id: uuid::Uuid::now_v7(), roles: vec![qar_server::Role::Admin] };
    let new = qar_server::store::invitations::NewInvitation {
        email: "kept.ayear@example.org".into(),
        name: "Kept Ayear".into(),
        role: qar_server::store::invitations::InviteRole::Reviewer,
        home_school_urn: None,
    };
    s.invite(&admin, &new, T).unwrap();
    let id = s.due_mail(T, 10).unwrap()[0].message_id.clone();
    s.mail_attempted(&id, Attempt::Sent, T, None).unwrap();
    let day = 24 * 60 * 60 * 1000;
    s.queue_periodic_mail(T + 364 * day, 7 * day).unwrap();
    assert_eq!(s.outbox_mail(&id).unwrap().map(|m| m.state), Some("sent".into()), "kept within the year");
    s.queue_periodic_mail(T + 366 * day, 7 * day).unwrap();
    assert_eq!(s.outbox_mail(&id).unwrap(), None, "forgotten after it");
}

/// A file the sink is still writing (`.<name>.json`, renamed into place when whole).
fn is_partial(path: &std::path::Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}
