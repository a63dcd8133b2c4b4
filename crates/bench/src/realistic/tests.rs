//! The realistic workloads' pieces without a server: what is exported for the anchor is what
//! ours moves, and the anchor's JSON is read as workloads.js writes it.

use super::anchor_side::{export, parse};
use super::content::{generate_content, DayStep};
use super::ours::{Measured, Ours, Wire};
use super::*;
use serde_json::{json, Value};

fn ours_with_photos(n: usize) -> Ours {
    let m =
        |s: f64, bytes: u64, requests: u64| Measured { seconds: s, wire: Wire { up: bytes / 2, down: bytes / 2, requests }, each: vec![] };
    Ours {
        first_sign_in: m(0.5, 1_000_000, 10),
        day: Measured { each: (1..=100).map(std::time::Duration::from_millis).collect(), ..m(3.0, 400_000, 100) },
        end_of_day: m(0.2, 300_000, 2),
        photos_up: m(1.0, 8_000_000, 60),
        thumbnails_down: m(0.1, 200_000, 21),
        photos_down: m(0.9, 8_000_000, 20),
        photo_files: (0..n).map(|i| (photos::photo(i).unwrap(), format!("thumb {i}").into_bytes())).collect(),
        photo_notes: (0..n).collect(),
    }
}

#[test]
fn the_workload_exported_for_the_anchor_is_ours() {
    let content = generate_content();
    let ours = ours_with_photos(2);
    let dir = tempfile::tempdir().unwrap();
    let path = export(&content, &ours, dir.path()).unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // The same notes, estimates and sections, field for field.
    assert_eq!(v["reviews"], serde_json::to_value(&content.reviews).unwrap());
    assert_eq!(v["day_notes"], serde_json::to_value(&content.day_notes).unwrap());
    for (i, r) in content.reviews.iter().enumerate() {
        assert_eq!(v["reviews"][i]["notes"].as_array().unwrap().len(), r.notes.len());
        assert_eq!(v["reviews"][i]["notes"][0]["notes"], json!(r.notes[0].notes));
    }
    // The day in the shape workloads.js walks: {"add": {note}} or {"edit": {note, field, value}}.
    let DayStep::Edit { note, field, value } = &content.day[1] else { panic!("an edit follows each new note") };
    assert_eq!(v["day"][0], json!({"add": {"note": 0}}));
    assert_eq!(v["day"][1], json!({"edit": {"note": note, "field": field, "value": value}}));
    // The photo files hold the bytes our server received.
    let photos = v["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 2);
    for (i, p) in photos.iter().enumerate() {
        assert_eq!((p["index"].as_u64(), p["note"].as_u64()), (Some(i as u64 + 1), Some(i as u64)));
        assert_eq!(std::fs::read(p["photo"].as_str().unwrap()).unwrap(), ours.photo_files[i].0);
        assert_eq!(std::fs::read(p["thumb"].as_str().unwrap()).unwrap(), ours.photo_files[i].1);
    }
}

fn workloads_json() -> Value {
    let p = |s: f64, up: u64, down: u64, requests: u64| json!({"s": s, "up": up, "down": down, "requests": requests});
    let mut day = p(6.0, 900_000, 700_000, 700);
    day["ms"] = json!((1..=100).map(|i| i as f64).collect::<Vec<_>>());
    let mut push = p(4.0, 22_000_000, 350_000, 404);
    push["docs"] = json!(10000);
    let mut pull = p(2.5, 700_000, 6_100_000, 54);
    pull["docs"] = json!(10000);
    json!({
        "first_sign_in": p(5.0, 100_000, 2_000_000, 120),
        "day": day,
        "end_of_day": p(0.8, 500_000, 60_000, 12),
        "photos_up": p(3.0, 11_000_000, 20_000, 8),
        "photos_down": p(2.0, 30_000, 11_000_000, 9),
        "first_sync_push": push,
        "first_sync_pull": pull,
        "live": {"ms": [13.0, 15.0, 20.0], "up": 5600.0, "down": 4600.0, "requests": 9.0}
    })
}

#[test]
fn reads_the_workloads_json_shape() {
    let a = parse(&workloads_json()).unwrap();
    assert_eq!((a.first_sign_in.seconds, a.first_sign_in.bytes, a.first_sign_in.requests), (5.0, 2_100_000.0, 120.0));
    assert_eq!(a.day.ms.len(), 100);
    assert_eq!(a.first_sync_push.docs, Some(10000.0));
    assert_eq!(a.live.ms, vec![13.0, 15.0, 20.0]);
    assert_eq!(a.live.bytes, 10_200.0);
    assert_eq!((a.restarts, a.live_not_arrived), (0, 0), "a run where nothing was started again says none");
    let mut restarted = workloads_json();
    restarted["restarts"] = json!(2);
    restarted["live_not_arrived"] = json!(3);
    let r = parse(&restarted).unwrap();
    assert_eq!((r.restarts, r.live_not_arrived), (2, 3));
    let mut broken = workloads_json();
    broken["end_of_day"] = json!({"s": 1.0});
    assert!(parse(&broken).unwrap_err().to_string().contains("up"), "a missing counter is an error, not a zero");
}

#[test]
fn rows_put_the_anchor_beside_ours() {
    let a = parse(&workloads_json()).unwrap();
    let rows = rows(&ours_with_photos(0), Some(&a), "loopback");
    let find = |start: &str| rows.iter().find(|r| r.name.starts_with(start)).unwrap_or_else(|| panic!("no row {start}"));
    let first = find("[loopback] LR's first sign-in");
    assert_eq!((first.ours, first.anchor, first.ratio, first.met), (0.5, Some(5.0), Some(10.0), Some(true)));
    let bytes = find("[loopback] … first sign-in: bytes");
    assert_eq!((bytes.ours, bytes.anchor, bytes.ratio), (1_000_000.0, Some(2_100_000.0), Some(2.1)));
    let day = find("[loopback] day of a visit");
    assert_eq!((day.ours, day.anchor), (95.0, Some(95.0)));
    assert!(rows.iter().all(|r| r.anchor.is_some() || r.name.contains("thumbnails down")));
    let alone = super::rows(&ours_with_photos(0), None, "wifi");
    assert!(alone.iter().all(|r| r.anchor.is_none() && r.name.starts_with("[wifi] ")));

    let mut sync_rows = vec![
        Row::new("initial push of 10000 notes, one laptop", 25_000.0, "docs/s", "", None),
        Row::new("live propagation A → server → B, p95 (100 reps)", 10.0, "ms", "", None),
        // Over a link the p95 row carries the goal under its own name.
        Row::new("one edit reaching a colleague's laptop, p95 (live A → server → B, 100 reps) over school Wi-Fi", 5.0, "ms", "", None),
    ];
    attach_sync(&mut sync_rows, &a);
    assert_eq!((sync_rows[0].anchor, sync_rows[0].ratio), (Some(2500.0), Some(10.0)));
    assert_eq!((sync_rows[1].anchor, sync_rows[1].ratio), (Some(20.0), Some(2.0)));
    assert_eq!((sync_rows[2].anchor, sync_rows[2].ratio), (Some(20.0), Some(4.0)));
}
