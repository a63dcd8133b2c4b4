//! `Client`: the one object the desktop shell holds. It owns the store and the sync client and
//! reads the wall clock, so everything below it gets time passed in.

use crate::error::{ClientError, Result};
use crate::model::{
    ChangesSinceReturn, Conflict, ConflictChoice, Estimate, Evidence, EvidenceEdit, EvidenceQuery, Missing, NewComment, NewEvidence,
    NewReview, PlanActivity, PlanActivityDraft, ReportSection, ReportTemplateView, ReviewComment, ReviewDetail, ReviewSummary, Session,
    SessionRole, SignIn, SyncProgress, SyncStatus,
};
use crate::store::Store;
use crate::sync::{self, lock, LoginBody, ReturnComment, SyncClient, SyncReport};
use chrono::{DateTime, Utc};
use qar_core::protocol::Compat;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

mod attachments;
mod idle_lock;
mod invitations;
mod pause;
mod protect;
pub use pause::WritesPaused;
pub use protect::HandoverExport;
mod register;
pub mod reports;

/// File name of the store inside the app's data folder.
pub const STORE_FILE: &str = "qar-field.db";

pub struct Client {
    store: Mutex<Store>,
    /// Taken (stopped) only by a wipe.
    checkpointer: Mutex<Option<crate::store::Checkpointer>>,
    /// Replaced when someone signs in to another server address.
    sync: std::sync::RwLock<SyncClient>,
    syncing: AtomicBool,
    /// Records pulled so far by the sync in progress, when it is a long one.
    progress: Mutex<Option<SyncProgress>>,
    /// One sync at a time: a timer tick and a button press must not push the same ops twice.
    sync_gate: tokio::sync::Mutex<()>,
}

/// The server address as typed, without spaces or a trailing slash; only http(s) addresses.
fn server_address(typed: &str) -> Result<&str> {
    let url = typed.trim().trim_end_matches('/');
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(
            qar_core::ValidationError::WrongType { field: "Server address".into(), expected: "an address starting with https://" }.into()
        );
    }
    Ok(url)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Client {
    /// Opens an unencrypted store (tests and tools); the app uses [`Client::open_encrypted`].
    pub fn open(data_dir: &Path, server_url: &str) -> Result<Client> {
        Client::open_with(data_dir, server_url, None)
    }

    fn open_with(data_dir: &Path, server_url: &str, key: Option<&crate::vault::StoreKey>) -> Result<Client> {
        std::fs::create_dir_all(data_dir).map_err(|source| crate::ClientError::DataDir { path: data_dir.display().to_string(), source })?;
        let path = data_dir.join(STORE_FILE);
        let every = std::time::Duration::from_secs(1);
        let (store, checkpointer) = match key {
            Some(key) => (Store::open_encrypted(&path, key)?, crate::store::Checkpointer::start_keyed(&path, key, every)?),
            None => (Store::open(&path)?, crate::store::Checkpointer::start(&path, every)?),
        };
        // The address someone signed in to wins over the configured default.
        let url = store.session()?.map_or_else(|| server_url.to_owned(), |s| s.server_url);
        let sync = SyncClient::new(&url);
        sync.set_token(store.token()?);
        Ok(Client {
            store: Mutex::new(store),
            checkpointer: Mutex::new(Some(checkpointer)),
            sync: std::sync::RwLock::new(sync),
            syncing: AtomicBool::new(false),
            progress: Mutex::new(None),
            sync_gate: tokio::sync::Mutex::new(()),
        })
    }

    /// The signed-in server connection, for online-only hub administration (issue 9).
    pub fn server_api(&self) -> SyncClient {
        self.sync_client()
    }

    fn sync_client(&self) -> SyncClient {
        self.sync.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn session(&self) -> Result<Option<Session>> {
        let store = lock(&self.store);
        // Signed out (or never in): the token is what makes a session.
        if store.token()?.is_none() {
            return Ok(None);
        }
        store.session()
    }

    /// Signs this laptop in (online). Afterwards the app works offline under this person.
    pub async fn sign_in(&self, input: &SignIn) -> Result<Session> {
        let url = server_address(&input.server_url)?;
        let device_id = lock(&self.store).device_id();
        let device_name = input.device_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(default_device_name);
        let body = LoginBody {
            email: input.email.trim().to_owned(),
            password: input.password.clone(),
            totp_code: input.totp_code.trim().to_owned(),
            device_id,
            device_name: device_name.clone(),
        };
        let client = SyncClient::new(url);
        let grant = client.login(&body).await?;
        let session = Session {
            user_id: grant.user.id,
            name: grant.user.name,
            email: grant.user.email,
            server_url: url.to_owned(),
            roles: grant.user.roles.into_iter().map(|r| SessionRole { role: r.role, hub_id: r.hub_id }).collect(),
            device_name,
            signed_in_at: rfc3339(now_ms()).unwrap_or_default(),
        };
        lock(&self.store).save_session(&session, &grant.token)?;
        self.remember_password_for_lock(&input.password)?;
        client.set_token(Some(grant.token));
        *self.sync.write().unwrap_or_else(|p| p.into_inner()) = client;
        Ok(session)
    }

    /// Forgets this laptop's token (telling the server when it can be reached). The person's
    /// work stays here and syncs after they sign in again.
    pub async fn sign_out(&self) -> Result<()> {
        let client = self.sync_client();
        if client.has_token() {
            // Best effort: offline, the token simply expires or an admin revokes the laptop.
            let _ = client.logout().await;
        }
        client.set_token(None);
        lock(&self.store).clear_token()
    }

    /// Reviews that synced changes touched since the last call (for refreshing open screens).
    pub fn take_changed_reviews(&self) -> Vec<String> {
        lock(&self.store).take_changed_reviews()
    }

    pub fn wipe_check(&self) -> Result<crate::model::WipeCheck> {
        lock(&self.store).wipe_check()
    }

    /// What this laptop holds of a review, and whether its copy may be dropped now.
    pub fn local_copy(&self, review_id: &str) -> Result<crate::model::LocalCopy> {
        lock(&self.store).local_copy(review_id)
    }

    /// Removes this laptop's copy of an issued review whose work the server holds (decision 88).
    pub fn drop_local_copy(&self, review_id: &str) -> Result<crate::model::LocalCopy> {
        lock(&self.store).drop_local_copy(review_id, now_ms())
    }

    /// Days an issued review stays here after its issue (`None`: until removed by hand).
    pub fn keep_issued_days(&self) -> Result<Option<u32>> {
        lock(&self.store).keep_issued_days()
    }

    pub fn set_keep_issued_days(&self, days: Option<u32>) -> Result<()> {
        lock(&self.store).set_keep_issued_days(days)
    }

    pub fn review_detail(&self, id: &str) -> Result<ReviewDetail> {
        lock(&self.store).review_detail(id)
    }

    /// What changed in the report since the coordinator returned it (`None`: never returned).
    pub fn changes_since_return(&self, review_id: &str) -> Result<Option<ChangesSinceReturn>> {
        lock(&self.store).changes_since_return(review_id)
    }

    pub fn report_template(&self, review_id: &str) -> Result<ReportTemplateView> {
        Ok(lock(&self.store).report_template(review_id)?.into())
    }

    pub fn list_report_sections(&self, review_id: &str) -> Result<Vec<ReportSection>> {
        lock(&self.store).list_report_sections(review_id)
    }

    pub fn save_report_section(&self, review_id: &str, code: &str, body: &str) -> Result<ReportSection> {
        lock(&self.store).save_report_section(review_id, code, body, now_ms())
    }

    /// Lead Reviewer: the photos printed under a report section (issue 19).
    pub fn set_report_photos(&self, review_id: &str, code: &str, photos: &[qar_core::report_photos::ReportPhoto]) -> Result<ReportSection> {
        lock(&self.store).set_report_photos(review_id, code, photos, now_ms())
    }

    /// The school's previous issued review while preparing (issue 23), read offline.
    pub fn previous_review(&self, review_id: &str) -> Result<Option<crate::model::PreviousReviewView>> {
        lock(&self.store).previous_review(review_id)
    }

    /// What the host school wrote for the team before its visit (issue 22), read offline.
    pub fn school_statement(&self, review_id: &str) -> Result<Option<crate::model::SchoolStatementView>> {
        lock(&self.store).school_statement(review_id)
    }

    pub fn save_progress(&self, review_id: &str, number: u32, found: &str) -> Result<crate::model::ProgressPoint> {
        lock(&self.store).save_progress(review_id, number, found, now_ms())
    }

    pub fn list_comments(&self, review_id: &str) -> Result<Vec<ReviewComment>> {
        lock(&self.store).list_comments(review_id)
    }

    pub fn resolve_comment(&self, comment_id: &str) -> Result<ReviewComment> {
        lock(&self.store).resolve_comment(comment_id, now_ms())
    }

    pub fn submit_check(&self, review_id: &str) -> Result<Vec<Missing>> {
        lock(&self.store).submit_check(review_id)
    }

    pub fn list_conflicts(&self, review_id: Option<&str>) -> Result<Vec<Conflict>> {
        lock(&self.store).list_conflicts(review_id)
    }

    /// `merged_text` is what the person wrote from both sides (with `ConflictChoice::Merged`).
    pub fn resolve_conflict(&self, id: &str, choice: ConflictChoice, merged_text: Option<String>) -> Result<()> {
        lock(&self.store).resolve_conflict(id, choice, merged_text.map(Value::String), now_ms())
    }

    /// Coordinator: approves the report as this laptop shows it (online only). Local edits go
    /// first, so the server compares against the same report the coordinator read.
    pub async fn approve_review(&self, review_id: &str) -> Result<ReviewSummary> {
        self.sync_now().await?;
        let hash = lock(&self.store).report_hash(review_id)?;
        self.sync_client().approve(review_id, &hash).await?;
        self.sync_now().await?;
        self.review(review_id)
    }

    /// Coordinator: returns the report with comments (online only; at least one, none blank).
    pub async fn return_review(&self, review_id: &str, comments: &[NewComment]) -> Result<ReviewSummary> {
        if comments.is_empty() {
            return Err(qar_core::ValidationError::Empty { field: "Return comments" }.into());
        }
        let mut sent = Vec::with_capacity(comments.len());
        for c in comments {
            for (field, value) in [("target", &c.target), ("text", &c.text)] {
                qar_core::validate_field(qar_core::EntityKind::Comment, field, &Value::String(value.trim().to_owned()))?;
            }
            sent.push(ReturnComment { id: uuid::Uuid::now_v7(), target: c.target.clone(), text: c.text.trim().to_owned() });
        }
        self.sync_client().return_review(review_id, &sent).await?;
        self.sync_now().await?;
        self.review(review_id)
    }

    pub fn list_reviews(&self) -> Result<Vec<ReviewSummary>> {
        lock(&self.store).list_reviews()
    }

    pub fn create_review(&self, new: &NewReview) -> Result<ReviewSummary> {
        lock(&self.store).create_review(new, now_ms())
    }

    pub fn review(&self, id: &str) -> Result<ReviewSummary> {
        lock(&self.store).review(id)
    }

    pub fn list_evidence(&self, review_id: &str) -> Result<Vec<Evidence>> {
        lock(&self.store).list_evidence(review_id)
    }

    pub fn add_evidence(&self, new: &NewEvidence) -> Result<Evidence> {
        lock(&self.store).add_evidence(new, now_ms())
    }

    pub fn update_evidence_field(&self, id: &str, edit: EvidenceEdit) -> Result<Evidence> {
        let (field, value) = edit.into_field();
        lock(&self.store).update_evidence_field(id, field, value, now_ms())
    }

    pub fn transition_review(&self, review_id: &str, to_state: &str) -> Result<ReviewSummary> {
        lock(&self.store).transition_review(review_id, to_state, now_ms())
    }

    pub fn set_estimate(&self, review_id: &str, area_code: &str, value: &str, rationale: &str) -> Result<Estimate> {
        lock(&self.store).set_estimate(review_id, area_code, value, rationale, now_ms())
    }

    pub fn list_estimates(&self, review_id: &str) -> Result<Vec<Estimate>> {
        lock(&self.store).list_estimates(review_id)
    }

    pub fn save_plan_activity(&self, review_id: &str, id: Option<&str>, draft: &PlanActivityDraft) -> Result<PlanActivity> {
        lock(&self.store).save_plan_activity(review_id, id, draft, now_ms())
    }

    pub fn delete_plan_activity(&self, id: &str) -> Result<()> {
        lock(&self.store).delete_plan_activity(id, now_ms())
    }

    pub fn list_plan(&self, review_id: &str) -> Result<Vec<PlanActivity>> {
        lock(&self.store).list_plan(review_id)
    }

    pub fn delete_evidence(&self, id: &str) -> Result<()> {
        lock(&self.store).delete_evidence(id, now_ms())
    }

    pub fn search_evidence(&self, review_id: &str, query: &EvidenceQuery) -> Result<Vec<Evidence>> {
        lock(&self.store).search_evidence(review_id, query)
    }

    pub fn status(&self) -> Result<SyncStatus> {
        let store = lock(&self.store);
        let (last_error, last_error_code) = store.last_sync_error()?;
        let compat = store.server_compat()?;
        let refusals = store.refused_changes(now_ms())?;
        Ok(SyncStatus {
            pending_ops: store.pending_count()?,
            last_sync_at: store.last_sync_ms()?.and_then(rfc3339),
            last_error,
            last_error_code: last_error_code.as_deref().and_then(qar_core::ErrorCode::parse),
            server_url: self.sync_client().base_url().to_owned(),
            syncing: self.syncing.load(Ordering::Relaxed),
            clock_warning: store.clock_skew_ms()?.and_then(clock_warning),
            open_conflicts: store.open_conflict_count()?,
            progress: *self.progress.lock().unwrap_or_else(|p| p.into_inner()),
            needs_sign_in: store.needs_sign_in()?,
            revoked: store.revoked_reason()?.is_some(),
            revoked_reason: store.revoked_reason()?,
            update_notice: update_notice(compat.as_ref(), store.set_aside_count()?),
            update_required: compat.as_ref().is_some_and(Compat::update_required),
            refused_changes: refusals.len() as u32,
            last_refusal: refusals.first().map(|r| r.message.clone()),
            pending_records: store.pending_records()?,
            purge_notice: store.last_purge()?.and_then(|(records, at_ms)| purge_notice(records, at_ms, now_ms())),
            uploads: store.upload_status()?,
        })
    }

    /// Holds a pull open for up to `wait_ms` and applies whatever other devices changed.
    /// Returns how many records changed on this laptop.
    pub async fn wait_for_changes(&self, wait_ms: u64) -> Result<usize> {
        let client = self.sync_client();
        if let Some(reason) = lock(&self.store).revoked_reason()? {
            return Err(ClientError::Revoked { reason });
        }
        if !client.has_token() {
            return Err(ClientError::NotSignedIn);
        }
        let changed = match sync::wait_and_pull(&self.store, &client, wait_ms, now_ms).await {
            Err(ClientError::Revoked { reason }) => {
                lock(&self.store).mark_revoked(&reason)?;
                return Err(ClientError::Revoked { reason });
            }
            other => other?,
        };
        if changed > 0 {
            // A successful exchange: the status (and the screens that follow it) move on.
            lock(&self.store).record_sync_outcome(now_ms(), None)?;
        }
        Ok(changed)
    }

    /// Pushes and pulls once. A failure (server down, say) is recorded in the status in plain
    /// words and returned; local work is untouched either way.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let _gate = self.sync_gate.lock().await;
        let client = self.sync_client();
        if let Some(reason) = lock(&self.store).revoked_reason()? {
            return Err(ClientError::Revoked { reason });
        }
        if !client.has_token() {
            let e = ClientError::NotSignedIn;
            lock(&self.store).record_sync_outcome(now_ms(), Some((&e.to_string(), e.code().as_str())))?;
            return Err(e);
        }
        self.syncing.store(true, Ordering::Relaxed);
        // Shown once a sync has brought a page's worth: small syncs never flash a progress bar.
        let progress = |done: u64| {
            if done >= sync::PULL_PAGE as u64 {
                *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = Some(SyncProgress { done, total: None });
            }
        };
        let outcome = sync::sync_once_with_progress(&self.store, &client, now_ms, &progress).await;
        *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.syncing.store(false, Ordering::Relaxed);
        let failure = outcome.as_ref().err().map(|e| (e.to_string(), e.code().as_str().to_owned()));
        let store = lock(&self.store);
        store.record_sync_outcome(now_ms(), failure.as_ref().map(|(m, c)| (m.as_str(), c.as_str())))?;
        if failure.as_ref().is_some_and(|(_, c)| c == "signed_out") {
            store.mark_needs_sign_in()?;
        }
        if let Err(ClientError::Revoked { reason }) = &outcome {
            store.mark_revoked(reason)?;
        }
        if let Ok(report) = &outcome {
            store.record_clock_skew(report.warning_skew_ms())?;
        }
        drop(store);
        outcome
    }
}

fn rfc3339(ms: u64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms as i64).map(|t| t.to_rfc3339())
}

/// "Laptop (hostname)" when the system says its name; shown in the device list.
fn default_device_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty());
    host.map_or_else(|| "Laptop".to_owned(), |h| format!("Laptop ({h})"))
}

/// Words for a clock that is off by more than two minutes; `None` when it is close enough.
/// Order never depends on wall clocks (hybrid logical clocks), but times people read do.
fn clock_warning(skew_ms: i64) -> Option<String> {
    const LIMIT_MS: i64 = 2 * 60 * 1000;
    if skew_ms.abs() <= LIMIT_MS {
        return None;
    }
    let minutes = (skew_ms.abs() + 30_000) / 60_000;
    let way = if skew_ms > 0 { "behind" } else { "ahead of" };
    Some(format!(
        "This laptop's clock is about {minutes} minutes {way} the server's. Your notes stay in the right order, \
         but times shown may be off: set the date and time to update automatically."
    ))
}

/// What the sync panel says about a purge that removed records here, for two weeks after it.
fn purge_notice(records: u64, at_ms: u64, now_ms: u64) -> Option<String> {
    const SHOWN_MS: u64 = 14 * 24 * 60 * 60 * 1000;
    if records == 0 || now_ms.saturating_sub(at_ms) > SHOWN_MS {
        return None;
    }
    let day = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at_ms as i64)?.format("%-d %b %Y");
    let what = if records == 1 { "1 record of older reviews was".to_owned() } else { format!("{records} records of older reviews were") };
    Some(format!(
        "{what} removed from this laptop on {day}: the partnership keeps review notes only as long as its retention policy says. Issued reports stay on the server."
    ))
}

/// What the status bar says about updating, from what the server last said it accepts and what
/// this app had to keep aside (issue 17). `None` when this app is current.
fn update_notice(compat: Option<&Compat>, set_aside: u32) -> Option<String> {
    match compat {
        Some(c) if c.update_required() => Some(format!(
            "This version of QAR Field is too old for the server: your changes are not applied. They stay on this laptop and are kept on the server as conflicts for your team. Update QAR Field to version {} or later.",
            c.min_app_version
        )),
        Some(c) if c.update_available() && set_aside > 0 => Some(
            "A newer version of QAR Field is available. The server holds work this version cannot show yet; it is kept on this laptop until you update.".to_owned(),
        ),
        Some(c) if c.update_available() => Some("A newer version of QAR Field is available. Your work still syncs; update when convenient.".to_owned()),
        _ if set_aside > 0 => Some(
            "The server holds work this version of QAR Field cannot show yet; it is kept on this laptop. Update QAR Field to see it.".to_owned(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::clock_warning;

    #[test]
    fn a_purge_is_told_in_words_for_two_weeks() {
        let at = 1_796_601_600_000; // 7 Dec 2026, 00:00 UTC
        let said = super::purge_notice(12, at, at + 60_000).unwrap();
        assert!(said.starts_with("12 records of older reviews were removed from this laptop on 7 Dec 2026"), "{said}");
        assert!(super::purge_notice(1, at, at).unwrap().starts_with("1 record of older reviews was removed"));
        assert_eq!(super::purge_notice(12, at, at + 15 * 24 * 60 * 60 * 1000), None);
        assert_eq!(super::purge_notice(0, at, at), None);
    }

    #[test]
    fn clock_warning_only_beyond_two_minutes_and_says_which_way() {
        assert_eq!(clock_warning(119_000), None);
        assert_eq!(clock_warning(-120_000), None);
        assert!(clock_warning(10 * 60_000).unwrap().contains("about 10 minutes behind"));
        assert!(clock_warning(-3 * 60_000 - 40_000).unwrap().contains("about 4 minutes ahead of"));
    }
}
