//! The realistic workloads on our side, through the product's own code paths: the store's
//! writes, `sync_once` / `Client::sync_now`, the attachment pipeline (`attach_file`: qar-media
//! makes the photo safe and seals it), `uploads::send_due` inside the sync, and a colleague's
//! laptop opening the thumbnails and then the photos as the app's lists and viewer do.

use super::content::{edit_of, Content, DayStep};
use super::photos;
use super::team::{now_ms, sign_in_new_laptop, TeamLaptop, LEAD, REVIEWER};
use crate::sync::Server;
use anyhow::{bail, Context};
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

/// The server as the LR's new laptop finds it: five reviews led by the LR, made and filled by
/// her old laptop and a reviewer's laptop pushing. Returns the review ids, first the one in its
/// visit, and the reviewer's laptop (it works on through the day).
async fn build_team_work(server: &Server, content: &Content, dir: &Path) -> anyhow::Result<(Vec<String>, TeamLaptop)> {
    let lead = TeamLaptop::open(server, &dir.join("lead-old.db"), LEAD)?;
    let reviewer = TeamLaptop::open(server, &dir.join("reviewer.db"), REVIEWER)?;
    let mut ids = Vec::new();
    for plan in &content.reviews {
        let new =
            NewReview { school_name: plan.school_name.clone(), school_urn: plan.school_urn.clone(), start_date: plan.start_date.clone() };
        let id = lead.with(|s| s.create_review(&new, now_ms()))?.id;
        lead.with(|s| s.transition_review(&id, "in_visit", now_ms()))?;
        let uuid: uuid::Uuid = id.parse().context("review id")?;
        server.store.test_team_member(uuid, REVIEWER.0, TeamRole::Reviewer, now_ms())?;
        ids.push(id);
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
        if plan.state != "drafting" {
            continue;
        }
        for to in ["estimates_agreed", "drafting"] {
            lead.with(|s| s.transition_review(id, to, now_ms()))?;
        }
        for section in &plan.sections {
            lead.with(|s| s.save_report_section(id, &section.code, &section.body, now_ms()))?;
        }
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
    //    are there to read.
    let before = Wire::of(server);
    let t = Instant::now();
    let lr = sign_in_new_laptop(server, &dir.join("lead-new")).await?;
    lr.sync_now().await?;
    let listed = lr.list_reviews()?;
    let first = lr.review_detail(visit)?;
    let notes = lr.list_evidence(visit)?;
    let first_sign_in = Measured { seconds: t.elapsed().as_secs_f64(), wire: Wire::of(server).since(before), each: vec![] };
    if !ids.iter().all(|id| listed.iter().any(|r| &r.id == id)) || notes.len() != content.reviews[0].notes.len() {
        bail!(
            "the new laptop is not usable after its first sync: {} reviews listed, {} notes on {}",
            listed.len(),
            notes.len(),
            first.summary.school_name
        );
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
