//! The wire (issue 15, items 7, 9 and the header part of 12), against real servers on loopback:
//! TLS with a certificate made here, security headers, `Host` checking, and clients that open
//! connections and send nothing (or send their headers a byte at a time).

use qar_server::{start, ServerConfig, TlsFiles};
use reqwest::StatusCode;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn config(dir: &tempfile::TempDir) -> ServerConfig {
    ServerConfig { data_dir: dir.path().join("data"), listen: "127.0.0.1:0".parse().unwrap(), ..Default::default() }
}

/// A certificate authority and a server certificate for `name`, as PEM files in `dir`; returns
/// the authority's certificate (PEM) for the client to trust.
fn make_certificate(dir: &std::path::Path, name: &str) -> (TlsFiles, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec![name.to_owned()]).unwrap().signed_by(&key, &issuer).unwrap();
    let files = TlsFiles { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
    std::fs::write(&files.cert, cert.pem()).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    (files, ca_cert.pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_speaks_tls_with_hsts_and_signs_in_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, ca) = make_certificate(dir.path(), "qar.test");
    let srv = start(&ServerConfig { tls: Some(tls), demo: true, ..config(&dir) }).await.unwrap();
    assert!(srv.url().starts_with("https://"), "{}", srv.url());
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).unwrap())
        .resolve("qar.test", srv.addr)
        .build()
        .unwrap();
    let base = format!("https://qar.test:{}", srv.addr.port());
    let resp = client.get(format!("{base}/v1/health")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.version(), reqwest::Version::HTTP_11);
    assert_eq!(resp.headers()["strict-transport-security"], "max-age=31536000");
    // Sign-in over TLS: the password and code travel encrypted.
    let secret = qar_server::store::demo::DEMO_TOTP_SECRETS[0];
    let code = qar_server::auth::crypto::totp_code(secret.1, qar_server::store::now_ms()).unwrap();
    let body = serde_json::json!({"email": secret.0, "password": qar_server::store::demo::DEMO_PASSWORD, "totp_code": code,
        "device_id": uuid::Uuid::now_v7(), "device_name": "TLS laptop"});
    let resp = client.post(format!("{base}/v1/auth/login")).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.json::<Value>().await.unwrap()["token"].as_str().unwrap().starts_with("qar1_"));
    // A client that does not trust the certificate gets nothing; plain HTTP to the TLS port neither.
    assert!(reqwest::Client::builder()
        .resolve("qar.test", srv.addr)
        .build()
        .unwrap()
        .get(format!("{base}/v1/health"))
        .send()
        .await
        .is_err());
    let plain = reqwest::get(format!("http://{}/v1/health", srv.addr)).await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    // Without --allowed-host, the certificate's names are the host names it answers to.
    let other = client.get(format!("{base}/v1/health")).header("host", "elsewhere.example.net").send().await.unwrap();
    assert_eq!(other.status(), StatusCode::MISDIRECTED_REQUEST);
    srv.stop().await;
}

#[tokio::test]
async fn a_bad_certificate_file_stops_the_start_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cert.pem"), "not a certificate").unwrap();
    std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
    let tls = TlsFiles { cert: dir.path().join("cert.pem"), key: dir.path().join("key.pem") };
    let err = start(&ServerConfig { tls: Some(tls), ..config(&dir) }).await.err().expect("refused");
    assert!(err.to_string().contains("cert.pem"), "{err}");
}

#[tokio::test]
async fn answers_carry_security_headers_and_other_host_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(&ServerConfig { allowed_hosts: vec!["QAR.example.org".into()], ..config(&dir) }).await.unwrap();
    let http = reqwest::Client::new();
    let health = format!("{}/v1/health", srv.url());
    let resp = http.get(&health).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "loopback is always allowed");
    let h = resp.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    // Also on refusals and on answers with review data.
    let resp = http.get(format!("{}/v1/sync/pull?cursor=0", srv.url())).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["cache-control"], "no-store");

    let named = http.get(&health).header("host", "qar.example.org:443").send().await.unwrap();
    assert_eq!(named.status(), StatusCode::OK);
    let other = http.get(&health).header("host", "evil.example.net").send().await.unwrap();
    assert_eq!(other.status(), StatusCode::MISDIRECTED_REQUEST);
    let body: Value = other.json().await.unwrap();
    assert_eq!(body["code"], "unknown_host");
    // A rebinding page's name for this machine is refused too.
    let rebound = http.get(&health).header("host", "127.0.0.1.attacker.example").send().await.unwrap();
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    srv.stop().await;
}

/// Opens a socket that sends nothing.
fn idle_socket(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// True when the server closed the socket (EOF or reset) before `within`.
fn closed_by_server(mut s: TcpStream, within: Duration) -> bool {
    let until = Instant::now() + within;
    let mut buf = [0u8; 512];
    while Instant::now() < until {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
    false
}

/// Issue 15 item 9: more idle sockets than the connection cap (1,100 under a 1,024 file limit
/// stopped `/v1/health` before). Here 60 against a cap of 20, with a 1 s header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_sockets_beyond_the_cap_are_closed_and_health_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(&ServerConfig { max_connections: 20, header_timeout: Duration::from_secs(1), ..config(&dir) }).await.unwrap();
    assert_eq!(srv.max_connections, 20);
    let addr = srv.addr;
    let idle: Vec<TcpStream> = (0..60).map(|_| idle_socket(addr)).collect();
    // One more sends its headers a byte every 200 ms: hyper's deadline is for all of them.
    let mut slow = idle_socket(addr);
    let slow_writer = std::thread::spawn(move || {
        let started = Instant::now();
        for b in b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).is_err() {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        None
    });

    let started = Instant::now();
    let resp = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .get(format!("{}/v1/health", srv.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(8), "health answered after {waited:?}");

    let closed = tokio::task::spawn_blocking(move || {
        idle.into_iter().filter(|s| closed_by_server(s.try_clone().unwrap(), Duration::from_secs(8))).count()
    })
    .await
    .unwrap();
    assert_eq!(closed, 60, "every idle socket is closed by the server");
    let cut_after = tokio::task::spawn_blocking(move || slow_writer.join().unwrap()).await.unwrap();
    let cut_after = cut_after.expect("the slow sender was cut off");
    assert!(cut_after < Duration::from_secs(12), "{cut_after:?}");
    srv.stop().await;
}

/// The request time limit: a body that never finishes is answered 408 and the slot freed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_gets_408() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start(&ServerConfig { request_timeout: Duration::from_secs(1), ..config(&dir) }).await.unwrap();
    let addr = srv.addr;
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = idle_socket(addr);
        s.write_all(
            b"POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"email\":",
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    srv.stop().await;
}
