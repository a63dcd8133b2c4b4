//! What the client hands to the app (and, through IPC, to the UI). camelCase on the wire.

use serde::{Deserialize, Serialize};

/// The one definition of an issued version: the server lists it, the laptop keeps it, the UI shows it.
pub use qar_core::protocol::reports::ReportVersion;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub id: String,
    pub school_name: String,
    pub school_urn: String,
    pub start_date: String,
    pub state: String,
    pub evidence_count: u32,
    /// Local changes to this review not yet acknowledged by the server.
    pub pending_ops: u32,
    /// The signed-in person's team role (`lead_reviewer`, `reviewer`, `shadow`), if on the team.
    pub my_role: Option<String>,
    /// `local` (never acknowledged), `queued`, `sent` (in flight) or `acknowledged`.
    pub sync_badge: String,
    /// Approved, and the report has changed since: it needs approving again.
    pub changed_since_approval: bool,
    pub open_comments: u32,
    pub open_conflicts: u32,
    /// The Lead Reviewer's name, from the team list (None until it has synced).
    pub lead_reviewer: Option<String>,
    /// RFC 3339 time the review reached its current state (the state field's last write), when
    /// known: for a submitted report, when it was submitted.
    pub state_since: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub user_id: String,
    pub name: String,
    pub role: String,
}

/// One review with what its overview shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReviewDetail {
    pub summary: ReviewSummary,
    pub team: Vec<TeamMember>,
    pub hub_id: String,
    /// The visit days, `YYYY-MM-DD`.
    pub visit_days: Vec<String>,
    /// Action codes the permission table allows the signed-in person now.
    pub allowed_actions: Vec<String>,
    pub report_hash: String,
    pub approved_hash: String,
    pub approved_by: String,
    /// The school's facts from the register, when the review was scheduled by the hub (a review
    /// set up on the laptop has none).
    pub school: Option<qar_core::protocol::scheduling::SchoolContext>,
}

/// A resubmitted report as the coordinator reads it: what changed since their return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChangesSinceReturn {
    /// RFC 3339 time of the return (the server's clock).
    pub returned_at: String,
    /// Each section or estimate that differs, with a word diff; empty when nothing changed.
    pub changes: Vec<qar_core::report_diff::ReportChange>,
}

/// A global role as the screens see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionRole {
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub_id: Option<String>,
}

/// Who is signed in on this laptop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub server_url: String,
    pub roles: Vec<SessionRole>,
    pub device_name: String,
    pub signed_in_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    pub server_url: String,
    pub email: String,
    pub password: String,
    pub totp_code: String,
    #[serde(default)]
    pub device_name: Option<String>,
}

/// The report template as the screens read it (camelCase; the template file is snake_case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReportTemplateView {
    pub version: String,
    pub framework_version: String,
    pub title: String,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SectionView {
    pub code: String,
    pub title: String,
    pub kind: qar_core::report_template::SectionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    pub guidance: String,
    pub word_limit: u32,
    pub required: bool,
}

impl From<&qar_core::report_template::ReportTemplate> for ReportTemplateView {
    fn from(t: &qar_core::report_template::ReportTemplate) -> Self {
        ReportTemplateView {
            version: t.version.clone(),
            framework_version: t.framework_version.clone(),
            title: t.title.clone(),
            sections: t
                .sections
                .iter()
                .map(|s| SectionView {
                    code: s.code.clone(),
                    title: s.title.clone(),
                    kind: s.kind,
                    area_code: s.area_code.clone(),
                    guidance: s.guidance.clone(),
                    word_limit: s.word_limit,
                    required: s.required,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReportSection {
    pub code: String,
    pub body: String,
    /// Words as the school will read them: citations of notes are not counted.
    pub word_count: u32,
    pub updated_at: Option<String>,
    /// The notes this section cites, in order of their tokens in `body`.
    pub citations: Vec<Citation>,
    /// Photos from the team's notes chosen to print under this section (issue 19).
    pub photos: Vec<qar_core::report_photos::ReportPhoto>,
}

/// A note cited in a report section (`qar_core::citation`): shown to the team as a link to the
/// note, left out of every export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Citation {
    /// The exact text of the citation in the section's body.
    pub token: String,
    pub note_id: String,
    /// "Learning walk, 24 Nov 10:15" when the note is on this laptop; "a team note" when not
    /// (a coordinator does not hold the team's notes) or when it was deleted.
    pub label: String,
    /// Whether the note is on this laptop to be opened.
    pub available: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ReviewComment {
    pub id: String,
    pub review_id: String,
    /// `section:<code>` or `estimate:<area code>`.
    pub target: String,
    pub text: String,
    pub author_name: String,
    pub created_at: String,
    pub resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NewComment {
    pub target: String,
    pub text: String,
}

/// What still stops a submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Missing {
    #[serde(rename = "estimate", rename_all = "camelCase")]
    Estimate { area_code: String, area_label: String },
    #[serde(rename = "section", rename_all = "camelCase")]
    Section { code: String, title: String, area_label: Option<String> },
}

/// Two values of one field, both kept until a person chooses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub id: String,
    pub review_id: String,
    pub entity: String,
    pub record_id: String,
    pub field: String,
    pub field_label: String,
    pub record_label: String,
    pub current_value: serde_json::Value,
    pub other_value: serde_json::Value,
    pub current_is_mine: bool,
    pub kind: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConflictChoice {
    KeepCurrent,
    KeepOther,
    Merged,
}

/// How far a long sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NewReview {
    pub school_name: String,
    pub school_urn: String,
    pub start_date: String,
}

/// One evidence record as the app shows it: every field of the data model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub id: String,
    pub review_id: String,
    pub author_id: String,
    pub activity_type: String,
    /// `YYYY-MM-DDTHH:MM`, local time of the activity.
    pub started_at: Option<String>,
    pub year_group: String,
    pub subject: String,
    pub host_colleague_role: String,
    /// Framework area codes this evidence bears on.
    pub area_tags: Vec<String>,
    pub notes: String,
    pub strengths: String,
    pub development_points: String,
    /// RFC 3339, time of the last change on any device.
    pub updated_at: String,
}

/// A new note. Only the activity type is required; empty fields are simply not written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct NewEvidence {
    pub review_id: String,
    pub activity_type: String,
    pub started_at: Option<String>,
    pub year_group: String,
    pub subject: String,
    pub host_colleague_role: String,
    pub area_tags: Vec<String>,
    pub notes: String,
    pub strengths: String,
    pub development_points: String,
}

/// A photo or document on a note (issue 19): the synced record, and what this laptop holds of
/// its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: String,
    pub review_id: String,
    pub evidence_id: String,
    pub kind: qar_core::attachment::AttachmentKind,
    pub caption: String,
    pub sha256: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub mime: String,
    /// The face check found a face (the areas may have been blurred before saving).
    pub may_show_face: bool,
    /// The bytes are on this laptop (attached here, or downloaded since).
    pub held_here: bool,
    /// Attached here and not yet on the server.
    pub upload_pending: bool,
    /// Why the last upload attempt failed, in words, while it waits to be tried again.
    pub upload_error: Option<String>,
    pub created_at: String,
}

/// What the safe pipeline found in a picked file before anything is stored (issue 19): shown
/// to the person so they can decide about faces and size before saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentCheck {
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub mime: String,
    /// Pixel size of the cleaned photo; `None` for a document.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Bytes of the cleaned copy that would be kept.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
    /// Bytes of the file as picked.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub original_size: u64,
    /// The photo's location, camera details and other hidden data were removed (always true
    /// for a photo: it is re-encoded from its pixels).
    pub metadata_removed: bool,
    /// The face check found at least one face: the person must choose to blur or keep.
    pub may_show_face: bool,
}

/// A picked file to attach to a note, with the person's choices (the bytes travel beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct NewAttachment {
    pub evidence_id: String,
    /// The name the file had, used only in messages.
    pub file_name: String,
    pub kind: qar_core::attachment::AttachmentKind,
    pub caption: String,
    /// Keep a photo's own size instead of 2,048 px on its longest side.
    pub full_size: bool,
    /// Blur the areas the face check found before saving.
    pub blur_faces: bool,
}

/// The attachment upload queue as the sync panel shows it (issue 19).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UploadStatus {
    /// Files whose bytes the server does not hold whole yet.
    pub waiting_files: u32,
    /// Bytes of those files not on the server yet.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_left: u64,
    /// The file being sent right now, if any.
    pub sending: Option<SendingFile>,
    /// Estimated seconds until every waiting file is sent, from the speed of the current round.
    pub seconds_left: Option<u32>,
    /// Files sent whole since the app started.
    pub sent_files: u32,
    /// Files whose last attempt failed, with why, while they wait to be tried again.
    pub failed: Vec<FailedUpload>,
}

/// One file on its way: the `index`-th of the `of` files this round sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SendingFile {
    pub index: u32,
    pub of: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub sent: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FailedUpload {
    pub attachment_id: String,
    pub evidence_id: String,
    /// The caption, or the kind's label when there is none.
    pub label: String,
    pub reason: String,
}

/// A planned activity of the visit as the Lead Reviewer types it (issue 18): the form saves
/// the whole row; only what changed is written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct PlanActivityDraft {
    /// `YYYY-MM-DDTHH:MM`, on one of the visit's days.
    pub starts_at: String,
    /// `YYYY-MM-DDTHH:MM` later the same day, or `None`.
    pub ends_at: Option<String>,
    pub activity_type: String,
    /// Team members' user ids.
    pub reviewer_ids: Vec<String>,
    pub host_colleague: String,
    pub year_group: String,
    pub subject: String,
    /// What to look at.
    pub focus: String,
}

/// One planned activity of the visit's timetable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PlanActivity {
    pub id: String,
    pub review_id: String,
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub activity_type: String,
    pub reviewer_ids: Vec<String>,
    pub host_colleague: String,
    pub year_group: String,
    pub subject: String,
    pub focus: String,
    pub updated_at: String,
}

/// One edit of one field of a note, as the form saves it: the field and a value of that field's
/// type, so the UI's `updateEvidenceField` is checked by the compiler field by field. The author
/// and the tombstone are not editable this way (a delete is its own command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum EvidenceEdit {
    ActivityType(String),
    /// `YYYY-MM-DDTHH:MM`; `None` clears the time.
    StartedAt(Option<String>),
    YearGroup(String),
    Subject(String),
    HostColleagueRole(String),
    AreaTags(Vec<String>),
    Notes(String),
    Strengths(String),
    DevelopmentPoints(String),
}

impl EvidenceEdit {
    /// The field's name in the field table and its value as the op carries it.
    pub fn into_field(self) -> (&'static str, serde_json::Value) {
        use serde_json::json;
        match self {
            Self::ActivityType(v) => ("activity_type", json!(v)),
            Self::StartedAt(v) => ("started_at", json!(v)),
            Self::YearGroup(v) => ("year_group", json!(v)),
            Self::Subject(v) => ("subject", json!(v)),
            Self::HostColleagueRole(v) => ("host_colleague_role", json!(v)),
            Self::AreaTags(v) => ("area_tags", json!(v)),
            Self::Notes(v) => ("notes", json!(v)),
            Self::Strengths(v) => ("strengths", json!(v)),
            Self::DevelopmentPoints(v) => ("development_points", json!(v)),
        }
    }
}

/// The estimate for one area of one review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub id: String,
    pub review_id: String,
    /// Framework area code, e.g. `leadership`.
    pub area_code: String,
    /// Estimate scale code, e.g. `effective`.
    pub value: String,
    pub rationale: String,
    pub updated_at: String,
}

/// Search and filters over one review's evidence. Empty means "any".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct EvidenceQuery {
    /// Words to find in notes, strengths and development points (prefix match, all words).
    pub text: String,
    pub area: Option<String>,
    pub activity_type: Option<String>,
    pub author_id: Option<String>,
    /// `YYYY-MM-DD`: the day of the activity (or, without a time, of writing).
    pub day: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub pending_ops: u32,
    /// RFC 3339 time of the last sync that completed.
    pub last_sync_at: Option<String>,
    /// Why the last attempt failed, in plain words; `None` after a success.
    pub last_error: Option<String>,
    pub server_url: String,
    pub syncing: bool,
    /// Set when this laptop's clock disagrees with the server's by more than two minutes.
    pub clock_warning: Option<String>,
    /// Stable code of the last failure (`offline`, `signed_out`, …); `None` after a success.
    /// The last error's code when this build knows it (the UI branches on it); a code only a
    /// newer server sends is `None` here, and `last_error` still says what happened.
    pub last_error_code: Option<qar_core::ErrorCode>,
    pub open_conflicts: u32,
    pub progress: Option<SyncProgress>,
    /// The server no longer accepts this laptop's sign-in.
    pub needs_sign_in: bool,
    /// An administrator revoked this laptop: sync has stopped for good; offer export, then wipe.
    pub revoked: bool,
    pub revoked_reason: Option<String>,
    /// Set when a newer app is available or needed (the server knows a newer data schema, sent
    /// records this app cannot show yet, or no longer accepts this app's changes): what to do,
    /// in plain words (issue 17).
    pub update_notice: Option<String>,
    /// The server no longer accepts this app's changes: they stay on this laptop until it is
    /// updated.
    pub update_required: bool,
    /// Changes of this laptop the server refused for good.
    pub refused_changes: u32,
    /// Why the most recent of them was refused, as the server said it.
    pub last_refusal: Option<String>,
    /// What waits to sync, as a person counts it: records by kind (one note edited ten times is
    /// one note), kinds in the order of `EntityKind` codes.
    pub pending_records: Vec<PendingRecords>,
    /// Records the partnership's retention policy removed from this laptop at its last purge,
    /// in words, for two weeks after it (issue 24); `None` otherwise.
    pub purge_notice: Option<String>,
    /// Photos and documents on their way to the server (issue 19).
    pub uploads: UploadStatus,
}

/// How many records of one kind have changes waiting to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PendingRecords {
    /// An `EntityKind` code: `review`, `evidence`, `estimate`, `report_section`, `comment`.
    pub kind: String,
    pub records: u32,
}

/// Whether the server holds every change made on this laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WipeCheck {
    pub safe: bool,
    /// What is still only on this laptop, per review.
    pub unsent: Vec<UnsentWork>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UnsentWork {
    pub review_id: String,
    pub school_name: String,
    pub changes: u32,
    /// Photos and documents whose bytes the server does not hold yet (issue 19).
    pub files: u32,
}

/// What this laptop holds of one review, and whether its copy may be dropped now (issue 24,
/// decision 88): shown before the person confirms "Remove from this laptop".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LocalCopy {
    pub review_id: String,
    pub school_name: String,
    /// Evidence notes held here.
    pub notes: u32,
    pub comments: u32,
    /// Photos and documents whose sealed files are on this laptop.
    pub files: u32,
    /// Changes of this review not yet acknowledged by the server.
    pub unsent_changes: u32,
    /// Files of this review the server does not hold whole yet.
    pub unsent_files: u32,
    /// Why the copy may not be dropped now (`None`: it may).
    pub why_not: Option<String>,
    /// What the server keeps, in words for the person.
    pub kept_on_the_server: String,
}

/// Where an export was written and what it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExportedReport {
    pub path: String,
    pub bytes: u64,
    pub millis: u64,
}

/// A redeemed invitation: what the person adds to their authenticator app before confirming.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct InvitationSetup {
    pub email: String,
    /// Base32, for typing into an authenticator by hand.
    pub totp_secret: String,
    /// `otpauth://totp/…`: what the QR code holds.
    pub otpauth_uri: String,
}

/// Never print the secret in logs.
impl std::fmt::Debug for InvitationSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvitationSetup").field("email", &self.email).field("totp_secret", &"<redacted>").finish()
    }
}

/// The account an invitation switched on; the person signs in with it next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ActivatedAccount {
    pub user_id: String,
    pub name: String,
    pub email: String,
}

/// Where the store's key stands, as the unlock screen needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LockState {
    /// The store is open.
    Unlocked,
    /// A passphrase protects the store: ask for it.
    NeedsPassphrase,
    /// First start here without a keychain: ask the person to choose a passphrase.
    NeedsNewPassphrase,
    /// The keychain holds the key but did not give it: retry.
    KeychainError,
    /// The laptop was wiped: nothing to open (restart to start afresh).
    Wiped,
    /// The store was written by a newer QAR Field (the app was downgraded): nothing is opened
    /// and no passphrase is asked for; installing that version again finds everything as it was.
    NeedsNewerApp,
}

/// What `vault_status` answers: the store key's state and the idle lock's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct VaultStatus {
    pub state: LockState,
    pub protection: Option<crate::vault::Protection>,
    /// Which protection is in use, in words for the person.
    pub description: Option<String>,
    /// Why the last unlock failed (a keychain that did not answer), else null.
    pub message: Option<String>,
    /// Seconds without input before review content is hidden; 0 turns the idle lock off.
    pub idle_lock_secs: u64,
    pub min_passphrase_chars: usize,
    /// A suggested place for a handover file.
    pub default_handover_path: String,
}

/// One activity type as the note form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityTypeOption {
    pub code: &'static str,
    pub label: &'static str,
}

impl ActivityTypeOption {
    /// Every activity type, in the order the form lists them.
    pub fn all() -> Vec<ActivityTypeOption> {
        qar_core::ActivityType::ALL.iter().map(|a| ActivityTypeOption { code: a.code(), label: a.label() }).collect()
    }
}

/// What the `data-changed` event carries: the reviews synced changes touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DataChanged {
    pub review_ids: Vec<String>,
}

/// A newer QAR Field than this one, offered as "Update available" (issue 21). Checked against
/// the release's signed manifest; nothing is downloaded until the person asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub current_version: String,
    /// The release notes, as written for the release.
    pub notes: Option<String>,
    /// RFC 3339 date of the release, when the manifest gives one.
    pub date: Option<String>,
}

/// What the app says about itself: its version (shown in the session menu) and where its log is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    /// `windows`, `macos` or `linux`, and the processor (`x86_64`, `aarch64`).
    pub os: String,
    pub arch: String,
    /// The folder of the rotating log file, for a support e-mail; `None` when logging to a file failed.
    pub log_dir: Option<String>,
}

/// The register of Areas of Excellence (issue 23): an entry as the server publishes it.
pub use qar_core::protocol::register::{RegisterEntry, VisitRequest};
pub use qar_core::register::AoeTheme;

/// A search of this laptop's copy of the register: every filter optional, all together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RegisterFilter {
    /// Words, each matched as a word prefix in title, summary, school and local authority.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub disadvantaged_focus: Option<bool>,
    #[serde(default)]
    pub academic_year: Option<u16>,
    /// At most this many results (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What the register's filters can offer, from this laptop's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RegisterFacets {
    pub entries: u32,
    pub phases: Vec<String>,
    pub regions: Vec<String>,
    pub years: Vec<u16>,
    pub themes: Vec<AoeTheme>,
}

/// The school's previous issued review as the team prepares with it (issue 23): read-only,
/// held on the laptop so it is there offline. `None` for a first review of the school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PreviousReviewView {
    pub previous_review_id: String,
    pub school_name: String,
    pub school_urn: String,
    /// First day of that visit, `YYYY-MM-DD`.
    pub start_date: String,
    /// The day its report was issued, `YYYY-MM-DD` (UTC).
    pub issued_on: String,
    pub estimates: Vec<PreviousEstimateView>,
    /// Its Even better if points, numbered from 1, with what the team found this time.
    pub points: Vec<ProgressPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PreviousEstimateView {
    pub area_code: String,
    pub area_label: String,
    pub value_label: String,
}

/// One Even better if point of the previous report and the progress entry answering it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProgressPoint {
    pub number: u32,
    pub area_code: String,
    pub area_label: String,
    pub point: String,
    /// What the team found ("" until the Lead Reviewer writes it).
    pub found: String,
    pub updated_at: Option<String>,
}

/// What the host school wrote for the team before its visit (issue 22): its context statement
/// and its proposed Area of Excellence, as its headteacher saved them on the server. Read-only
/// on the laptop, held so it is there offline. `None` until the school has written something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SchoolStatementView {
    pub context_statement: String,
    pub aoe_title: String,
    pub aoe_summary: String,
    /// The headteacher who last saved it.
    pub written_by: String,
    /// When it was last saved, RFC 3339 (UTC).
    pub written_at: String,
}
