//! Compressed bodies both ways and pull pages sized by bytes (issue 25, decisions 110–111): the
//! encoding an answer gets is the one the client asked for, only above the threshold; compressed
//! request bodies are read with the body limit on their decoded size; unknown encodings are
//! refused; a page ends at the byte bound with `has_more` and the cursor right.

use crate::common::*;
use qar_core::protocol::{FieldWrite, Op, PushRequest};
use qar_core::{EntityKind, SCHEMA_VERSION};
use qar_server::store::now_ms;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use uuid::Uuid;

/// A client that neither asks for nor decodes compressed answers by itself: every header and
/// byte in these tests is the test's own.
fn raw_client() -> reqwest::Client {
    reqwest::Client::builder().no_zstd().no_gzip().build().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::copy(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// Notes of `len` characters each, pushed by Owen on Kestrel Brook; their ids in order.
async fn push_notes(env: &Env, owen: &mut Laptop, lens: &[usize]) -> Vec<Uuid> {
    let ids: Vec<Uuid> = lens.iter().map(|_| Uuid::now_v7()).collect();
    let ops: Vec<OpSpec> = ids
        .iter()
        .zip(lens)
        .map(|(id, len)| (EntityKind::Evidence, *id, KESTREL, vec![("notes", json!("n".repeat(*len)), None)]))
        .collect();
    let (status, reply) = env.push(owen, &ops).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert!(outcomes(&reply).iter().all(|o| o == "applied"), "{reply}");
    ids
}

/// A push body of Owen's next op, as JSON bytes.
fn push_body(owen: &mut Laptop, notes: &str) -> Vec<u8> {
    let op = Op {
        seq: owen.seq + 1,
        entity: EntityKind::Evidence,
        id: Uuid::now_v7(),
        review_id: KESTREL,
        fields: [("notes".to_owned(), FieldWrite { value: json!(notes), base: None })].into(),
        hlc: owen.clock.tick(now_ms()),
        schema_version: SCHEMA_VERSION,
    };
    serde_json::to_vec(&PushRequest { device_id: owen.device, schema_version: SCHEMA_VERSION, ops: vec![op], pull_cursor: None }).unwrap()
}

async fn push_encoded(env: &Env, token: &str, body: Vec<u8>, encoding: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let resp = raw_client()
        .post(env.url("/v1/sync/push"))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_ENCODING, encoding)
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_compressed_as_asked_and_only_above_the_threshold() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    push_notes(&env, &mut owen, &[3000, 3000]).await;
    let reader = env.laptop(ANIKA);
    let path = format!("/v1/sync/pull?cursor=0&limit=500&device_id={}&schema={SCHEMA_VERSION}", reader.device);
    let get = |accept: Option<&'static str>| {
        let req = raw_client().get(env.url(&path)).bearer_auth(&reader.token);
        let req = match accept {
            Some(a) => req.header(ACCEPT_ENCODING, a),
            None => req,
        };
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let encoding = resp.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
            (encoding, resp.bytes().await.unwrap().to_vec())
        }
    };
    let changes = |body: &[u8]| serde_json::from_slice::<Value>(body).unwrap()["changes"].clone();

    // An app from before issue 25 asks for nothing and gets plain JSON, as it always did.
    let (encoding, plain) = get(None).await;
    assert_eq!(encoding, None);
    let expected = changes(&plain);
    assert!(expected.as_array().unwrap().len() > 2, "the demo's records and the two notes");

    let (encoding, zstd_body) = get(Some("zstd")).await;
    assert_eq!(encoding.as_deref(), Some("zstd"));
    assert!(zstd_body.len() * 3 < plain.len(), "{} compressed bytes for {} plain", zstd_body.len(), plain.len());
    assert_eq!(changes(&zstd::decode_all(zstd_body.as_slice()).unwrap()), expected);

    let (encoding, gzip_body) = get(Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(changes(&gunzip(&gzip_body)), expected);

    // Both offered at the same weight: zstd is preferred; a weight of 0 refuses it.
    assert_eq!(get(Some("gzip, zstd")).await.0.as_deref(), Some("zstd"));
    assert_eq!(get(Some("zstd;q=0, gzip")).await.0.as_deref(), Some("gzip"));
    assert_eq!(get(Some("br")).await.0, None, "an encoding the server does not write: plain");

    // Below the threshold an answer goes as it is, asked or not.
    let resp = raw_client().get(env.url("/v1/health")).header(ACCEPT_ENCODING, "zstd, gzip").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get(CONTENT_ENCODING), None);
    assert!(resp.bytes().await.unwrap().len() < qar_server::COMPRESS_ABOVE_BYTES as usize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_pushes_are_read_and_unknown_encodings_refused() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let token = owen.token.clone();

    let body = push_body(&mut owen, &"Calm corridors. ".repeat(200));
    let (status, _, reply) = push_encoded(&env, &token, zstd::encode_all(body.as_slice(), 3).unwrap(), "zstd").await;
    assert_eq!((status, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
    owen.seq += 1;

    let body = push_body(&mut owen, &"Quiet reading. ".repeat(200));
    let (status, _, reply) = push_encoded(&env, &token, gzip(&body), "gzip").await;
    assert_eq!((status, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
    owen.seq += 1;

    // An encoding the server does not read: 415, naming the ones it does; nothing applied.
    let body = push_body(&mut owen, "never applied");
    let (status, headers, reply) = push_encoded(&env, &token, body.clone(), "br").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{reply}");
    assert_eq!(reply["code"], "unsupported_encoding");
    assert_eq!(headers.get(reqwest::header::ACCEPT_ENCODING).unwrap(), qar_server::ACCEPTED_REQUEST_ENCODINGS);
    // Bytes that are not the zstd they claim to be: the body could not be read (400), not 413.
    let (status, _, reply) = push_encoded(&env, &token, b"not zstd at all, only text".to_vec(), "zstd").await;
    assert_eq!((status, reply["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_body")), "{reply}");

    // The same op sent plain afterwards is the next op: nothing of the refused bodies was kept.
    let (status, _, reply) = push_encoded(&env, &token, body, "identity").await;
    assert_eq!((status, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
    let notes: Vec<Value> =
        env.pull_all(&env.laptop(ANIKA)).await.into_values().filter_map(|c| c.fields.get("notes").map(|f| f.value.clone())).collect();
    assert!(notes.contains(&json!("never applied")));
}

/// A body of a few kilobytes that unpacks past the body limit is refused 413, in either
/// encoding, and the server is fine afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compressed_body_over_the_limit_once_decoded_is_refused() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let token = owen.token.clone();
    let huge = push_body(&mut owen, &"x".repeat(qar_server::MAX_BODY_BYTES + 1024));
    let packed = zstd::encode_all(huge.as_slice(), 19).unwrap();
    assert!(packed.len() < 64 * 1024, "{} bytes on the wire", packed.len());
    for (body, encoding) in [(packed, "zstd"), (gzip(&huge), "gzip")] {
        let (status, _, reply) = push_encoded(&env, &token, body, encoding).await;
        assert_eq!((status, reply["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")), "{encoding}: {reply}");
    }
    let (status, _, reply) =
        push_encoded(&env, &token, zstd::encode_all(push_body(&mut owen, "fine").as_slice(), 3).unwrap(), "zstd").await;
    assert_eq!((status, outcomes(&reply)), (StatusCode::OK, vec!["applied".to_owned()]), "{reply}");
}

/// Pages end at the byte bound: every page but the last says `has_more`, the cursors chain, no
/// record is lost or repeated, and a record larger than the bound comes in a page of its own.
/// The news on a push reply is bounded the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_pages_end_at_the_byte_bound() {
    let env = Env::demo().await;
    let mut owen = env.laptop(OWEN);
    let reader = env.laptop(ANIKA);
    let start = {
        let path = format!("/v1/sync/pull?cursor=0&limit=5000&device_id={}&schema={SCHEMA_VERSION}", reader.device);
        env.get(&path, Some(&reader.token)).await.1["cursor"].as_u64().unwrap()
    };
    let bound = 4000;
    env.srv.store().set_pull_page_bytes(bound);
    let ids = push_notes(&env, &mut owen, &[900, 900, 900, 900, 900, 9000, 900, 900, 900]).await;

    let (mut cursor, mut seen, mut pages) = (start, Vec::new(), Vec::new());
    loop {
        let path = format!("/v1/sync/pull?cursor={cursor}&limit=1000&device_id={}&schema={SCHEMA_VERSION}", reader.device);
        let (status, page) = env.get(&path, Some(&reader.token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let changes = page["changes"].as_array().unwrap().clone();
        let bytes = serde_json::to_string(&changes).unwrap().len();
        assert!(bytes <= bound || changes.len() == 1, "{} changes, {bytes} bytes in one page", changes.len());
        assert!(page["cursor"].as_u64().unwrap() > cursor, "the cursor moves on");
        cursor = page["cursor"].as_u64().unwrap();
        pages.push(changes.iter().map(|c| c["id"].as_str().unwrap().parse::<Uuid>().unwrap()).collect::<Vec<_>>());
        seen.extend(pages.last().unwrap().clone());
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
        assert!(!changes.is_empty(), "a page that says more follow carries something");
    }
    assert_eq!(seen, ids, "every note once, in order");
    assert!(pages.len() >= 4, "pages: {pages:?}");
    assert!(pages.contains(&vec![ids[5]]), "the 9,000-character note alone: {pages:?}");

    // A push asking for news gets a first page as bounded, saying more follow.
    let (status, reply) = env
        .post(
            "/v1/sync/push",
            Some(&reader.token.clone()),
            json!({"device_id": reader.device, "schema_version": SCHEMA_VERSION, "ops": [], "pull_cursor": start}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let news = &reply["pull"];
    assert_eq!(news["has_more"], true, "{news}");
    let first: Vec<Uuid> = news["changes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(first, pages[0]);
}
