//! The realistic workloads on our side, through the product's own code paths: the store's
//! writes, `sync_once` / `Client::sync_now`, the attachment pipeline (`attach_file`: qar-media
//! makes the photo safe and seals it), `uploads::send_due` inside the sync, and a colleague's
//! laptop opening the thumbnails and then the photos as the app's lists and viewer do.

use super::content::{edit_of, Content, DayStep};
use super::photos;
use super::team::{now_ms, sign_in_new_laptop, TeamLaptop, COORDINATOR, LEAD, REVIEWER};
use crate::sync::Server;
use anyhow::{bail, Context};
use qar_client::sync::{ReturnComment, SyncClient};
use qar_client::{NewEvidence, NewReview};
use qar_core::entities::TeamRole;
use std::path::Path;
use std::time::{Duration, Instant};

/// Bytes up and down at the server's sockets and HTTP requests, between two moments.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Wire {
    pub up: u64,
    pub down: u64,
    pub requests: u64,
}

impl Wire {
    pub fn of(server: &Server) -> Wire {
        let (up, down, requests) = server.counters.snapshot();
        Wire { up, down, requests }
    }
    pub fn since(self, before: Wire) -> Wire {
        Wire { up: self.up - before.up, down: self.down - before.down, requests: self.requests - before.requests }
    }
    pub fn bytes(&self) -> u64 {
        self.up + self.down
    }
}

/// One measured workload: its time and what crossed the wire.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub seconds: f64,
    pub wire: Wire,
    /// Per-sync times, when the workload syncs more than once.
    pub each: Vec<Duration>,
}

/// What our side measured, and the bytes the anchor must move for the same photos.
pub struct Ours {
    pub first_sign_in: Measured,
    pub day: Measured,
    pub end_of_day: Measured,
    pub photos_up: Measured,
    pub thumbnails_down: Measured,
    pub photos_down: Measured,
    /// (photo, thumbnail) bytes as our server holds them (made safe by the app's pipeline).
    pub photo_files: Vec<(Vec<u8>, Vec<u8>)>,
    /// Which of the day's notes (index) each photo is attached to.
    pub photo_notes: Vec<usize>,
}

fn with_review(note: &NewEvidence, review_id: &str) -> NewEvidence {
    NewEvidence { review_id: review_id.to_owned(), ..note.clone() }
}

/// The demo's reviews (`crates/server/src/store/demo.rs`), in its hub, the demo's LR leading and
/// its reviewer on the team; the first three of the workload's schools.
const DEMO_REVIEWS: [&str; 3] =
    ["01900000-0000-7000-8000-000000000101", "01900000-0000-7000-8000-000000000102", "01900000-0000-7000-8000-000000000103"];

/// Moves a review on, one step at a time, from where it stands to `to`.
fn advance(laptop: &TeamLaptop, id: &str, to: &str) -> anyhow::Result<()> {
    const PATH: [&str; 7] = ["scheduled", "preparing", "in_visit", "estimates_agreed", "drafting", "submitted", "returned"];
    let at = laptop.with(|s| s.review(id))?.state;
    let from = PATH.iter().position(|p| *p == at).with_context(|| format!("review {id} is {at}"))?;
    let until = PATH.iter().position(|p| *p == to).with_context(|| format!("no state {to}"))?;
    for step in PATH.iter().take(until + 1).skip(from + 1) {
        laptop.with(|s| s.transition_review(id, step, now_ms()))?;
    }
    Ok(())
}

/// The server as the LR's new laptop finds it: five reviews led by the LR (the demo's three and
/// two she made), filled by her old laptop and a reviewer's laptop pushing, one report returned
/// by the hub coordinator with comments. Returns the review ids, first the one in its visit, and
/// the reviewer's laptop (it works on through the day).
async fn build_team_work(server: &Server, content: &Content, dir: &Path) -> anyhow::Result<(Vec<String>, TeamLaptop)> {
    let lead = TeamLaptop::open(server, &dir.join("lead-old.db"), LEAD)?;
    let reviewer = TeamLaptop::open(server, &dir.join("reviewer.db"), REVIEWER)?;
    lead.sync().await?;
    let mut ids: Vec<String> = DEMO_REVIEWS.iter().map(|s| (*s).to_owned()).collect();
    for plan in &content.reviews[DEMO_REVIEWS.len()..] {
        let new =
            NewReview { school_name: plan.school_name.clone(), school_urn: plan.school_urn.clone(), start_date: plan.start_date.clone() };
        let id = lead.with(|s| s.create_review(&new, now_ms()))?.id;
        let uuid: uuid::Uuid = id.parse().context("review id")?;
        server.store.test_team_member(uuid, REVIEWER.0, TeamRole::Reviewer, now_ms())?;
        ids.push(id);
    }
    for id in &ids {
        advance(&lead, id, "in_visit")?;
    }
    lead.sync().await?;
    reviewer.sync().await?;
    for (plan, id) in content.reviews.iter().zip(&ids) {
        // The team shares the notes: even ones by the LR, odd ones by the reviewer.
        for (k, note) in plan.notes.iter().enumerate() {
            let laptop = if k % 2 == 0 { &lead } else { &reviewer };
            laptop.with(|s| s.add_evidence(&with_review(note, id), now_ms()))?;
        }
        for e in &plan.estimates {
            lead.with(|s| s.set_estimate(id, &e.area_code, &e.value, &e.rationale, now_ms()))?;
        }
    }
    reviewer.sync().await?;
    lead.sync().await?;
    for (plan, id) in content.reviews.iter().zip(&ids) {
        if plan.sections.is_empty() {
            continue;
        }
        advance(&lead, id, "drafting")?;
        for section in &plan.sections {
            lead.with(|s| s.save_report_section(id, &section.code, &section.body, now_ms()))?;
        }
        if !plan.comments.is_empty() {
            advance(&lead, id, "submitted")?;
        }
    }
    lead.sync().await?;
    // The hub coordinator returns a submitted report with comments (online, over HTTP).
    let device = uuid::Uuid::now_v7();
    let coordinator = SyncClient::with_token(&server.url, &server.store.test_token(COORDINATOR.0, device, now_ms())?);
    for (plan, id) in content.reviews.iter().zip(&ids) {
        if plan.comments.is_empty() {
            continue;
        }
        let comments: Vec<ReturnComment> = plan
            .comments
            .iter()
            .map(|c| ReturnComment { id: uuid::Uuid::now_v7(), target: c.target.clone(), text: c.text.clone() })
            .collect();
        coordinator.return_review(id, &comments).await?;
    }
    lead.sync().await?;
    reviewer.sync().await?;
    Ok((ids, reviewer))
}

pub async fn run(server: &Server, content: &Content, dir: &Path) -> anyhow::Result<Ours> {
    // The demo's people: the LR signs in with the demo password and authenticator secret.
    server.store.seed_demo(now_ms())?;
    let (ids, reviewer) = build_team_work(server, content, dir).await?;
    let visit = &ids[0];

    // 1. The LR's first sign-in on a new laptop, until the review list and the first review
    //    are there to read (the demo's own few notes on it besides the workload's).
    let before = Wire::of(server);
    let t = Instant::now();
    let lr = sign_in_new_laptop(server, &dir.join("lead-new")).await?;
    let signed_in = t.elapsed();
    let signed_in_wire = Wire::of(server).since(before);
    let pulled = lr.sync_now().await?.pulled;
    let synced = t.elapsed();
    let listed = lr.list_reviews()?;
    let first = lr.review_detail(visit)?;
    let notes = lr.list_evidence(visit)?;
    let first_sign_in = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each: vec![] };
    // Where the time goes: opening the store and signing in (the password's hash on the server),
    // the first sync, reading the list and the first review.
    println!(
        "first sign-in: {:.3} s opening the store and signing in ({} B, {} requests), {:.3} s first sync, {:.3} s reading; {pulled} records pulled",
        signed_in.as_secs_f64(),
        signed_in_wire.bytes(),
        signed_in_wire.requests,
        (synced - signed_in).as_secs_f64(),
        first_sign_in.seconds - synced.as_secs_f64(),
    );
    if !ids.iter().all(|id| listed.iter().any(|r| &r.id == id)) || notes.len() < content.reviews[0].notes.len() {
        bail!(
            "the new laptop is not usable after its first sync: {} reviews listed, {} notes on {}",
            listed.len(),
            notes.len(),
            first.summary.school_name
        );
    }

    // Not timed: what else the first sync brought is all there (the returned report's comments).
    for (plan, id) in content.reviews.iter().zip(&ids) {
        let got = lr.list_comments(id)?.len();
        if got != plan.comments.len() {
            bail!("the new laptop has {got} comments on {}, not {}", plan.school_name, plan.comments.len());
        }
    }

    // 2. A day of a visit on that laptop, each note and edit synced as it is made.
    let before = Wire::of(server);
    let mut day_ids: Vec<String> = Vec::new();
    let mut each = Vec::new();
    let t = Instant::now();
    for step in &content.day {
        match step {
            DayStep::Add { note } => day_ids.push(lr.add_evidence(&with_review(&content.day_notes[*note], visit))?.id),
            DayStep::Edit { note, field, value } => {
                lr.update_evidence_field(&day_ids[*note], edit_of(field, value)?)?;
            }
        }
        let s = Instant::now();
        lr.sync_now().await?;
        each.push(s.elapsed());
    }
    let day = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each };

    // 3. The same day's work made offline on the reviewer's laptop, then one sync at the end.
    reviewer.sync().await?; // caught up with the LR's day before going offline
    let mut offline_ids: Vec<String> = Vec::new();
    for step in &content.day {
        match step {
            DayStep::Add { note } => {
                offline_ids.push(reviewer.with(|s| s.add_evidence(&with_review(&content.day_notes[*note], visit), now_ms()))?.id)
            }
            DayStep::Edit { note, field, value } => {
                let (name, value) = edit_of(field, value)?.into_field();
                reviewer.with(|s| s.update_evidence_field(&offline_ids[*note], name, value, now_ms()))?;
            }
        }
    }
    let before = Wire::of(server);
    let t = Instant::now();
    let pushed = reviewer.sync().await?.pushed;
    let end_of_day = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each: vec![] };
    if pushed != content.day.len() {
        bail!("the end-of-day push sent {pushed} changes, not the day's {}", content.day.len());
    }

    // 4. 20 photos attached to the reviewer's notes (made safe as the app does when attaching),
    //    sent by the syncs that follow; then opened on the LR's laptop: thumbnails as the list
    //    draws them, then each photo as the viewer opens it.
    let choice = qar_client::store::AttachChoice {
        kind: qar_core::attachment::AttachmentKind::PupilsWork,
        caption: "",
        full_size: false,
        blur_faces: false,
    };
    let photo_notes: Vec<usize> = (0..photos::PHOTOS).map(|i| i % offline_ids.len()).collect();
    for (i, note) in photo_notes.iter().enumerate() {
        let bytes = photos::photo(i)?;
        reviewer.with(|s| s.attach_file(&offline_ids[*note], &bytes, &format!("photo-{:02}.jpg", i + 1), &choice, now_ms()))?;
    }
    let before = Wire::of(server);
    let t = Instant::now();
    let (mut sent, mut rounds) = (0, 0);
    while sent < photos::PHOTOS {
        rounds += 1;
        if rounds > 4 * photos::PHOTOS {
            bail!("only {sent} of {} photos reached the server", photos::PHOTOS);
        }
        sent += reviewer.sync().await?.files_sent;
    }
    let photos_up = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each: vec![] };

    let before = Wire::of(server);
    let t = Instant::now();
    lr.sync_now().await?;
    let attachments = lr.list_review_attachments(visit)?;
    if attachments.len() != photos::PHOTOS {
        bail!("the LR's laptop lists {} photos, not {}", attachments.len(), photos::PHOTOS);
    }
    let mut thumbs = Vec::new();
    for a in &attachments {
        thumbs.push(lr.open_attachment_thumbnail(&a.id).await?);
    }
    let thumbnails_down = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each: vec![] };
    let before = Wire::of(server);
    let t = Instant::now();
    let mut originals = Vec::new();
    for a in &attachments {
        originals.push(lr.open_attachment(&a.id).await?);
    }
    let photos_down = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each: vec![] };
    // The list comes in the order the photos were attached (ids are time-ordered).
    let photo_files = originals.into_iter().zip(thumbs).collect();
    Ok(Ours { first_sign_in, day, end_of_day, photos_up, thumbnails_down, photos_down, photo_files, photo_notes })
}
