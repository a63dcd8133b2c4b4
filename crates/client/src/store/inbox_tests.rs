//! A bulk page (a first pull) looks up what the laptop holds once per page instead of once per
//! record. These tests apply the same changes as bulk pages and as small pages (the ordinary,
//! record-by-record path) to two stores and compare everything the stores hold.

use super::tests::{change, new_review, note, open, T0};
use super::*;
use qar_core::protocol::{Change, PullResponse};
use qar_core::EntityKind;
use rusqlite::types::Value as SqlValue;
use serde_json::json;

fn page(changes: Vec<Change>, cursor: u64) -> PullResponse {
    PullResponse {
        changes,
        cursor,
        has_more: false,
        server_time_ms: T0,
        access_revoked: vec![],
        compat: None,
        feed_epoch: None,
        purged: vec![],
        register_head: None,
        set_aside: vec![],
    }
}

/// Every row of the synced tables and of the outbox, the search index's answers and the pull
/// cursor: what two laptops given the same changes must agree on. The store's own clock node
/// (its local edits' stamps) reads as `SELF`, the one way two laptops' rows must differ.
fn dump(s: &Store) -> Vec<String> {
    s.catch_up_search_index().unwrap();
    let own = format!("{:016x}", Hlc::node_of(&s.device_id()));
    let mut out = Vec::new();
    for table in ["reviews", "evidence", "outbox", "conflicts"] {
        let mut stmt = s.conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let rows = stmt.query_map([], |r| (0..n).map(|i| r.get::<_, SqlValue>(i)).collect::<rusqlite::Result<Vec<_>>>()).unwrap();
        for row in rows {
            out.push(format!("{table}: {:?}", row.unwrap()).replace(&own, "SELF"));
        }
    }
    for word in ["routine", "oracy", "edited", "local"] {
        let mut stmt = s.conn.prepare("SELECT rowid FROM evidence_fts WHERE evidence_fts MATCH ?1 ORDER BY rowid").unwrap();
        let hits: Vec<i64> = stmt.query_map([word], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        out.push(format!("search {word}: {hits:?}"));
    }
    out.push(format!("cursor {}", s.pull_cursor().unwrap()));
    out.push(format!("backlog {}", s.search_backlog().unwrap()));
    out
}

fn stamp(wall: u64) -> Hlc {
    Hlc { wall_ms: T0 + wall, counter: 0, node: 0xbeef }
}

/// A review and `n` notes of it, as a server's feed holds them (the review's change first).
fn first_pull(review: uuid::Uuid, notes: &[uuid::Uuid]) -> Vec<Change> {
    let mut changes = vec![change(
        1,
        EntityKind::Review,
        review,
        review,
        &[("school_name", json!("Heron Vale Academy")), ("state", json!("in_visit"))],
        stamp(0),
    )];
    for (i, id) in notes.iter().enumerate() {
        let text = if i % 7 == 0 { format!("Oracy: pupils debated {i}") } else { format!("Routine note {i}") };
        changes.push(change(
            i as u64 + 2,
            EntityKind::Evidence,
            *id,
            review,
            &[("notes", json!(text)), ("activity_type", json!("learning_walk")), ("area_tags", json!(["leadership"]))],
            stamp(i as u64 + 1),
        ));
    }
    changes
}

/// Applies `changes` in pages of `size`.
fn apply_in_pages(s: &mut Store, changes: &[Change], size: usize) {
    for (i, chunk) in changes.chunks(size).enumerate() {
        let cursor = chunk.last().map_or(0, |c| c.server_seq);
        let applied = s.apply_pull(&page(chunk.to_vec(), cursor), T0 + i as u64).unwrap();
        assert_eq!(applied, chunk.len(), "every change is new here");
    }
}

#[test]
fn a_first_pull_in_bulk_pages_leaves_exactly_what_record_by_record_pages_leave() {
    let review = uuid::Uuid::now_v7();
    let notes: Vec<uuid::Uuid> = (0..300).map(|_| uuid::Uuid::now_v7()).collect();
    let changes = first_pull(review, &notes);
    let (_d1, mut bulk) = open();
    let (_d2, mut small) = open();
    apply_in_pages(&mut bulk, &changes, 200);
    apply_in_pages(&mut small, &changes, search_index::BULK_PAGE - 1);
    assert_eq!(dump(&bulk), dump(&small));
    assert_eq!(bulk.list_evidence(&review.to_string()).unwrap().len(), 300);
}

#[test]
fn a_bulk_page_with_notes_before_their_review_leaves_what_small_pages_leave() {
    let review = uuid::Uuid::now_v7();
    let notes: Vec<uuid::Uuid> = (0..120).map(|_| uuid::Uuid::now_v7()).collect();
    let mut changes = first_pull(review, &notes);
    // The review's own change last: its notes hold a placeholder row it then fills in.
    let own = changes.remove(0);
    changes.push(own);
    let (_d1, mut bulk) = open();
    let (_d2, mut small) = open();
    apply_in_pages(&mut bulk, &changes, 200);
    apply_in_pages(&mut small, &changes, search_index::BULK_PAGE - 1);
    assert_eq!(dump(&bulk), dump(&small));
    assert_eq!(bulk.list_reviews().unwrap()[0].school_name, "Heron Vale Academy");
}

#[test]
fn a_bulk_page_over_records_already_here_merges_as_the_ordinary_path_does() {
    let review = uuid::Uuid::now_v7();
    let notes: Vec<uuid::Uuid> = (0..150).map(|_| uuid::Uuid::now_v7()).collect();
    let base = first_pull(review, &notes);
    // The second round: newer versions for some notes, one with the very version held here, a
    // note changed twice in one page, and new notes.
    let mut later = Vec::new();
    for (i, id) in notes.iter().enumerate().take(100) {
        let version = if i == 3 { stamp(4) } else { stamp(1_000 + i as u64) };
        later.push(change(500 + i as u64, EntityKind::Evidence, *id, review, &[("notes", json!(format!("Edited note {i}")))], version));
    }
    later.push(change(700, EntityKind::Evidence, notes[10], review, &[("strengths", json!("Edited twice"))], stamp(2_000)));
    for i in 0..20 {
        let id = uuid::Uuid::now_v7();
        later.push(change(
            800 + i,
            EntityKind::Evidence,
            id,
            review,
            &[("notes", json!(format!("Routine late note {i}")))],
            stamp(3_000 + i),
        ));
    }
    let mut stores = Vec::new();
    for size in [500, search_index::BULK_PAGE - 1] {
        let (dir, mut s) = open();
        s.apply_pull(&page(base.clone(), 200), T0).unwrap();
        // A local edit still in flight: the pulled value must not overwrite it on either path.
        s.update_evidence_field(&notes[5].to_string(), "notes", json!("Local words, not yet sent"), T0 + 5_000).unwrap();
        for chunk in later.chunks(size) {
            s.apply_pull(&page(chunk.to_vec(), 900), T0 + 1).unwrap();
        }
        stores.push((dir, s));
    }
    assert_eq!(dump(&stores[0].1), dump(&stores[1].1));
    let held = stores[0].1.list_evidence(&review.to_string()).unwrap();
    let by_id = |id: uuid::Uuid| held.iter().find(|e| e.id == id.to_string()).unwrap();
    assert_eq!(by_id(notes[0]).notes, "Edited note 0");
    assert_eq!(by_id(notes[3]).notes, "Routine note 3", "the version held here is not written again");
    assert_eq!(by_id(notes[5]).notes, "Local words, not yet sent");
    assert_eq!((by_id(notes[10]).notes.as_str(), by_id(notes[10]).strengths.as_str()), ("Edited note 10", "Edited twice"));
}

#[test]
fn a_bulk_page_is_applied_to_a_store_that_already_holds_local_notes() {
    let (_d, mut s) = open();
    let r = s.create_review(&new_review(), T0).unwrap();
    let mine = s.add_evidence(&note(&r.id, "Local note about reading"), T0 + 1).unwrap();
    let review: uuid::Uuid = r.id.parse().unwrap();
    let notes: Vec<uuid::Uuid> = (0..80).map(|_| uuid::Uuid::now_v7()).collect();
    let mut changes = first_pull(review, &notes);
    changes.remove(0); // the review is this laptop's own
    s.apply_pull(&page(changes, 100), T0 + 2).unwrap();
    let held = s.list_evidence(&r.id).unwrap();
    assert_eq!(held.len(), 81);
    assert!(held.iter().any(|e| e.id == mine.id && e.notes == "Local note about reading"));
}
