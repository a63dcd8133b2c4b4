//! The laptop's side of compressed bodies (issue 25, decision 110): pushes go zstd-compressed
//! (counted at the socket), compressed pull pages are decoded into the same changes, the switch
//! turns both off, and a server that does not read compressed bodies still gets every push.

use crate::common::now_ms;
use qar_client::sync::SyncClient;
use qar_core::protocol::{FieldWrite, Op};
use qar_core::{EntityKind, Hlc, SCHEMA_VERSION};
use qar_server::net::cutting_proxy::cutting_proxy;
use std::sync::atomic::Ordering;
use uuid::Uuid;

async fn server(dir: &std::path::Path) -> qar_server::RunningServer {
    let config =
        qar_server::ServerConfig { data_dir: dir.to_owned(), listen: "127.0.0.1:0".parse().unwrap(), demo: false, ..Default::default() };
    qar_server::start(&config).await.unwrap()
}

/// A review and `n` notes of about 1 KB of ordinary text each, as `device` writes them.
fn notes(device: Uuid, review: Uuid, n: u64) -> Vec<Op> {
    let node = Hlc::node_of(&device);
    let op = |seq: u64, entity: EntityKind, id: Uuid, field: &str, value: String| Op {
        seq,
        entity,
        id,
        review_id: review,
        fields: [(field.to_owned(), FieldWrite { value: serde_json::json!(value), base: None })].into(),
        hlc: Hlc { wall_ms: 1_795_000_000_000 + seq, counter: 0, node },
        schema_version: SCHEMA_VERSION,
    };
    let mut ops = vec![op(1, EntityKind::Review, review, "school_name", "Heron Vale Academy".into())];
    ops.extend((2..=n + 1).map(|seq| {
        let text =
            format!("Lesson {seq}: pupils in Year 8 explained their reasoning clearly; the teacher's questions drew out misconceptions. ")
                .repeat(8);
        op(seq, EntityKind::Evidence, Uuid::now_v7(), "notes", text)
    }));
    ops
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_go_compressed_and_compressed_pages_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path()).await;
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    let devices = [Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7()];
    let tokens = srv.store().test_tokens("user-lena", &devices, now_ms()).unwrap();
    let target: std::net::SocketAddr = srv.url().trim_start_matches("http://").parse().unwrap();

    // The same 200 notes pushed by two laptops, one with compression off: bytes sent, counted
    // at the socket (headers included).
    let mut sent = Vec::new();
    for (i, compression) in [(0, true), (1, false)] {
        let (proxy, up) = cutting_proxy(target, u64::MAX).await;
        let client = SyncClient::with_token(&proxy, &tokens[i]).with_compression(compression);
        assert_eq!(client.compression(), compression);
        let reply = client.push(devices[i], notes(devices[i], Uuid::now_v7(), 200), None).await.unwrap();
        assert_eq!(reply.acked_through, 201);
        assert!(reply.results.iter().all(|r| r.outcome == qar_core::protocol::OpOutcome::Applied), "{:?}", reply.results.first());
        sent.push(up.load(Ordering::SeqCst));
    }
    let (compressed, plain) = (sent[0], sent[1]);
    assert!(compressed * 4 < plain, "a compressed push sent {compressed} bytes, a plain one {plain}");

    // Both reviews' notes read back by a third laptop, compressed and plain: the same changes.
    let reader = SyncClient::with_token(&srv.url(), &tokens[2]);
    let plain_reader = reader.clone().with_compression(false);
    let (mut cursor, mut pages) = (0, 0);
    loop {
        let page = reader.pull(cursor, 150, devices[2], 0).await.unwrap();
        let same = plain_reader.pull(cursor, 150, devices[2], 0).await.unwrap();
        assert_eq!((&page.changes, page.cursor, page.has_more), (&same.changes, same.cursor, same.has_more));
        pages += 1;
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert!(pages >= 3, "{pages} pages");
    srv.stop().await;
}

/// A server from before compressed pushes: this one forwards every request to a real server
/// without its `Content-Encoding`, so the compressed bytes are read as JSON, exactly as a server
/// that never heard of the header reads them (400 `malformed_json`).
/// Returns its URL and the number of push requests it received.
async fn server_that_ignores_content_encoding(target: String) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::body::{to_bytes, Body};
    use axum::extract::Request;
    use axum::response::Response;
    let pushes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = pushes.clone();
    let forward = move |req: Request| {
        let (target, counted) = (target.clone(), counted.clone());
        async move {
            if req.uri().path() == "/v1/sync/push" {
                counted.fetch_add(1, Ordering::SeqCst);
            }
            let http = reqwest::Client::builder().no_zstd().no_gzip().build().unwrap();
            let url = format!("{target}{}", req.uri().path_and_query().map_or("/", |p| p.as_str()));
            let mut out = http.request(req.method().clone(), url);
            for (name, value) in req.headers() {
                if name != axum::http::header::CONTENT_ENCODING && name != axum::http::header::HOST {
                    out = out.header(name, value);
                }
            }
            let body = to_bytes(req.into_body(), usize::MAX).await.unwrap();
            let resp = out.body(body).send().await.unwrap();
            let mut reply = Response::builder().status(resp.status());
            for (name, value) in resp.headers() {
                reply = reply.header(name, value);
            }
            reply.body(Body::from(resp.bytes().await.unwrap())).unwrap()
        }
    };
    let app = axum::Router::new().fallback(forward);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, pushes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_reads_no_compressed_pushes_still_gets_every_push() {
    let dir = tempfile::tempdir().unwrap();
    let srv = server(dir.path()).await;
    srv.store().test_user("user-lena", "Lena Lead", &[]).unwrap();
    let device = Uuid::now_v7();
    let token = srv.store().test_tokens("user-lena", &[device], now_ms()).unwrap().remove(0);
    let (old, pushes) = server_that_ignores_content_encoding(srv.url()).await;
    let client = SyncClient::with_token(&old, &token);
    let ops = notes(device, Uuid::now_v7(), 20);
    let (first, second) = ops.split_at(10);
    // The first push is refused compressed, sent again plain; the second goes plain at once.
    for (batch, requests) in [(first, 2), (second, 3)] {
        let reply = client.push(device, batch.to_vec(), None).await.unwrap();
        assert_eq!(reply.acked_through, batch.last().unwrap().seq);
        assert!(reply.results.iter().all(|r| r.outcome == qar_core::protocol::OpOutcome::Applied));
        assert_eq!(pushes.load(Ordering::SeqCst), requests, "push requests so far");
    }
    srv.stop().await;
}
