//! Every stable error code the server, the laptop and the app's shell answer with (issue 16).
//!
//! One enum instead of string literals at each site, so a typo does not compile and the UI's
//! union type (`ui/src/lib/generated/ErrorCode.ts`) is generated from the same list. On the wire
//! a code is its snake_case name, exactly the strings shipped before this enum existed, so older
//! laptops and servers still understand each other. Wire types (`ErrorBody.code`,
//! `OpOutcome::Rejected.code`) keep a plain string: a newer server may send a code this build
//! does not know, and reading the reply must not fail because of it ([`ErrorCode::parse`]).
//!
//! Codes are only ever added: renaming or removing one breaks every laptop that branches on it.

use std::fmt;

/// Declares the enum once, with each variant's wire string beside it, so `as_str`, `parse` and
/// `ALL` cannot drift from the variants (a test checks serde says the same).
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $code:literal, )+) => {
        /// A stable, machine-readable error code. Clients branch on it, never on the message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as it travels on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $code, )+
                }
            }

            /// The code for a wire string, or `None` for one this build does not know (sent by a
            /// newer server or app): callers then show the message that came with it.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code {
                    $( $code => Some(ErrorCode::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // --- The request itself (server, before any rule runs) ---
    /// The body is not well-formed JSON (HTTP 400).
    MalformedJson = "malformed_json",
    /// The body is JSON but not of the shape the endpoint expects: a field missing or of the wrong type (422).
    InvalidBody = "invalid_body",
    /// The body was not sent as `Content-Type: application/json` (415).
    ExpectedJson = "expected_json",
    /// The body is larger than the endpoint accepts (413).
    BodyTooLarge = "body_too_large",
    /// The body was sent with a `Content-Encoding` the server does not read; the reply's
    /// `Accept-Encoding` names the ones it does (zstd, gzip) (415).
    UnsupportedEncoding = "unsupported_encoding",
    /// The body could not be read for another reason, e.g. the connection broke while sending it (400).
    BadBody = "bad_body",
    /// The query string has a parameter of the wrong type or out of range (400).
    BadQuery = "bad_query",
    /// The review id in the path is not a review id (a UUID) (400).
    InvalidReviewId = "invalid_review_id",
    /// The device id in the path is not a device id (a UUID) (400).
    InvalidDeviceId = "invalid_device_id",
    /// The version number in the path is not a number from 1, or the review has no such issued version (404).
    UnknownVersion = "unknown_version",
    /// No endpoint has this path (404).
    NotFound = "not_found",
    /// The endpoint exists but not for this HTTP method (405).
    MethodNotAllowed = "method_not_allowed",
    /// The `Host` header names a server this one is not (421).
    UnknownHost = "unknown_host",
    /// The request took longer than the server allows and was stopped (408).
    RequestTimeout = "request_timeout",
    /// The server hit an unexpected error; nothing was changed (500).
    Internal = "internal",
    /// Something stored on the server does not read back; nothing was changed (500).
    StoredDataUnreadable = "stored_data_unreadable",

    // --- Signing in and devices ---
    /// The request has no `Authorization: Bearer` token (401).
    Unauthenticated = "unauthenticated",
    /// The token is not one the server issued, or was signed out (401).
    InvalidToken = "invalid_token",
    /// This laptop's sign-in was revoked (by an administrator or another sign-in) (401); also the
    /// laptop's own code once it has been told so.
    DeviceRevoked = "device_revoked",
    /// This laptop's sign-in has expired (401).
    TokenExpired = "token_expired",
    /// Email, password or authenticator code is wrong (401). Deliberately does not say which.
    InvalidCredentials = "invalid_credentials",
    /// The account is switched off (403).
    AccountDisabled = "account_disabled",
    /// Too many sign-in attempts from this address or for this account; `details.retry_after_s` (429).
    TooManyAttempts = "too_many_attempts",
    /// The server is busy checking other sign-ins; try again in a few seconds (503).
    ServerBusy = "server_busy",
    /// This laptop's device id belongs to someone else's sign-in (409).
    DeviceInUse = "device_in_use",
    /// The device name sent at sign-in is empty or too long (422).
    InvalidDeviceName = "invalid_device_name",
    /// No laptop with that id has signed in (404).
    DeviceNotFound = "device_not_found",
    /// A laptop that is still signed in cannot be released; revoke it first (409).
    DeviceActive = "device_active",
    /// A sync request names another laptop than the one signed in (403).
    DeviceMismatch = "device_mismatch",
    /// Generic refusal of a sign-in or device action the caller may not take (403); also the
    /// laptop's code for any refusal by the permission table.
    Forbidden = "forbidden",

    // --- Sync ---
    /// A push does not continue from the device's last acknowledged op; `details.expected` (409).
    SeqGap = "seq_gap",
    /// The ops in one push do not have consecutive seq numbers (400).
    NotContiguous = "not_contiguous",
    /// The laptop writes an older data schema than the server accepts: update the app (426).
    UpdateRequired = "update_required",
    /// A push touches a review the pusher is not part of; none of it was saved (403).
    NotOnReview = "not_on_review",
    /// More ops in one push than the server accepts (413).
    TooManyOps = "too_many_ops",
    /// The pull cursor is larger than any position in the server's feed (400).
    CursorOutOfRange = "cursor_out_of_range",
    /// An op writes a field only the server writes (op refusal in a push).
    ServerField = "server_field",
    /// An op needs the review to be adopted into a hub first (op refusal in a push).
    NotAdopted = "not_adopted",
    /// An op changes a field the hub set when it scheduled the review (op refusal in a push).
    ScheduledField = "scheduled_field",
    /// An op asks for a state change only the server makes, live (op refusal in a push).
    ServerDecides = "server_decides",

    /// An op of someone taken off the review's team before it arrived; not saved (op refusal in a push).
    RemovedFromTeam = "removed_from_team",
    /// An op is written in a data schema newer than the server knows (op refusal in a push).
    UnknownSchema = "unknown_schema",
    /// An op would move a record to another review (op refusal in a push).
    WrongReview = "wrong_review",

    // --- The permission table (`DenialReason`) ---
    /// The caller's role on the review does not allow the action (403).
    NotYourRole = "not_your_role",
    /// A coordinator acting on another hub's review (403).
    OtherHub = "other_hub",
    /// Evidence can be changed only by the reviewer who recorded it (403).
    NotYourEvidence = "not_your_evidence",
    /// Evidence is frozen from submission on (403).
    EvidenceReadOnly = "evidence_read_only",
    /// The review is archived or cancelled: nothing changes any more (403; 409 when adopting).
    ReviewClosed = "review_closed",
    /// Right role, wrong moment in the review's lifecycle (403).
    WrongState = "wrong_state",
    /// The action must be decided by the server, live: the laptop is offline (403).
    NeedsConnection = "needs_connection",

    // --- Reviews, reports and their versions ---
    /// There is no review with this id (on the server: 404; on the laptop: `not_found`).
    UnknownReview = "unknown_review",
    /// The report changed after the coordinator read it; `details.current_hash` (409).
    ReportChanged = "report_changed",
    /// A value in the request breaks a field rule or limit (422; on the laptop: a validation error).
    Invalid = "invalid",
    /// A correction of an issued report must say why (400).
    ReasonRequired = "reason_required",
    /// The reason for a correction is longer than allowed (400).
    ReasonTooLong = "reason_too_long",

    // --- Hub administration and scheduling ---
    /// Only an administrator can do this (403).
    AdminOnly = "admin_only",
    /// Only the coordinator of this hub (or an administrator) can do this (403).
    NotYourHub = "not_your_hub",
    /// There is no hub with this id (404).
    UnknownHub = "unknown_hub",
    /// There is no such person in the directory (404, or 422 when named in the request body).
    UnknownUser = "unknown_user",
    /// No school with this URN is in the register (404, or 422 when named in the request body).
    UnknownSchool = "unknown_school",
    /// The school is in no hub yet (422).
    SchoolNotInHub = "school_not_in_hub",
    /// The review is already in a hub (409).
    AlreadyInHub = "already_in_hub",
    /// A hub with this name already exists (409).
    HubExists = "hub_exists",
    /// A review with this id already exists (409).
    ReviewExists = "review_exists",
    /// The change would leave no active administrator (409).
    LastAdmin = "last_admin",
    /// An administrator cannot deactivate their own account (409).
    CannotDeactivateSelf = "cannot_deactivate_self",
    /// The reason given for a deactivation is too long (422).
    InvalidReason = "invalid_reason",
    /// The visit days are not the right number, not school days, out of order or in the past (422).
    InvalidDates = "invalid_dates",
    /// No such framework version (422).
    UnknownFramework = "unknown_framework",
    /// The team has no Lead Reviewer (422).
    NoLeadReviewer = "no_lead_reviewer",
    /// A Lead Reviewer changing their own team would hand the lead on or leave it: only the coordinator can (403).
    LeadStays = "lead_stays",
    /// A Lead Reviewer tried to add people to the team: only the coordinator adds (403).
    CoordinatorAdds = "coordinator_adds",
    /// A person has more than one place on the team (422).
    DuplicateMember = "duplicate_member",
    /// A chosen team member is deactivated (422).
    UserDeactivated = "user_deactivated",
    /// The visit has started: its days can no longer be moved (409).
    VisitStarted = "visit_started",
    /// The team has started preparing against the framework: it can no longer change (409).
    FrameworkLocked = "framework_locked",
    /// The uploaded school register file cannot be read (422).
    InvalidFile = "invalid_file",
    /// The review chosen as a review's previous one is not an issued, earlier review of the same school (422).
    NotPreviousReview = "not_previous_review",

    // --- Invitations ---
    /// The invitation code is not recognised (404).
    UnknownCode = "unknown_code",
    /// The invitation code was already used (409).
    CodeUsed = "code_used",
    /// The invitation code has expired (410).
    CodeExpired = "code_expired",
    /// The invitation was withdrawn (410).
    InvitationCancelled = "invitation_cancelled",
    /// Too many wrong authenticator codes were tried for the invitation (410).
    TooManyCodes = "too_many_codes",
    /// Confirming before redeeming: set a password with the code first (409).
    NotRedeemed = "not_redeemed",
    /// The invited person can already sign in (409).
    AlreadyActive = "already_active",
    /// The person already has an invitation that has not expired (409).
    InvitationPending = "invitation_pending",
    /// The email address is not valid (422).
    InvalidEmail = "invalid_email",
    /// The person's name breaks the name rule (422).
    InvalidName = "invalid_name",
    /// The password breaks the password rule; `details.reason` says which part (422).
    WeakPassword = "weak_password",
    /// The authenticator code is not right; `details.tries_left` (422).
    InvalidTotp = "invalid_totp",

    // --- The laptop (qar-client) ---
    /// The server no longer accepts this laptop's sign-in (any 401 but wrong credentials), or nobody is signed in.
    SignedOut = "signed_out",
    /// The server asked this laptop to slow down (HTTP 429).
    RateLimited = "rate_limited",
    /// The server refused without a code this app understands: the message says why.
    ServerRefused = "server_refused",
    /// The sync server cannot be reached; work stays on the laptop.
    Offline = "offline",
    /// The server address is `http://` and not this laptop itself: nothing is sent.
    InsecureServer = "insecure_server",
    /// The server (or the shell) sent a reply this app does not understand.
    Protocol = "protocol",
    /// The report cannot be submitted yet: the message lists what is missing.
    Incomplete = "incomplete",
    /// This laptop holds another person's reviews.
    OtherUser = "other_user",
    /// The local store could not be decrypted with the key it was given.
    WrongKey = "wrong_key",
    /// The passphrase that protects the laptop's store is not the right one.
    WrongPassphrase = "wrong_passphrase",
    /// The store is protected by a passphrase that has not been entered.
    PassphraseNeeded = "passphrase_needed",
    /// The password typed at the idle lock is not the right one.
    WrongPassword = "wrong_password",
    /// The idle lock has nothing to check a password against yet: sign in again, online.
    LockNeedsSignIn = "lock_needs_sign_in",
    /// The keychain, a key file or a handover file could not be used.
    Vault = "vault",
    /// The report model could not be rendered.
    ReportInvalid = "report_invalid",
    /// The report file could not be saved.
    ExportFailed = "export_failed",
    /// The local database was written by a newer app.
    AppTooOld = "app_too_old",
    /// The local database or its folder could not be opened.
    StoreUnavailable = "store_unavailable",
    /// The local database refused a change; nothing was saved.
    StoreError = "store_error",

    // --- The app's shell (src-tauri) ---
    /// The store is not open yet (the app is still behind its unlock gate).
    Locked = "locked",
    /// This laptop was wiped: the app must be reopened.
    Wiped = "wiped",
    /// Wiping would lose changes that have not reached the server; export them or confirm.
    UnsentWork = "unsent_work",
    /// A downloaded update does not carry a valid signature from QAR Field's release key (tampered
    /// with, or signed by another key): it was not installed.
    UpdateNotVerified = "update_not_verified",
    /// Checking for, downloading or installing an update failed (no connection, no update server).
    UpdateFailed = "update_failed",

    // --- Attachment bytes (issue 19) ---
    /// A chunk of an upload does not start where the server's copy ends; `details.offset` is
    /// where it does, so the laptop resumes there (409).
    WrongOffset = "wrong_offset",
    /// An attachment is larger than the server keeps for one file, 25 MB (413).
    FileTooLarge = "file_too_large",
    /// The review's attachments already fill what the server keeps for one review (413).
    ReviewStorageFull = "review_storage_full",
    /// The uploaded bytes do not have the SHA-256 they were sent under: the copy is dropped (422).
    HashMismatch = "hash_mismatch",
    /// A photo chosen for the report has not reached the server (or this laptop) yet, so the
    /// report cannot be issued or printed with it: the message names the photo (409).
    PhotoNotUploaded = "photo_not_uploaded",

    // --- The host school's factual-accuracy check (issue 22) ---
    /// The report cannot be issued yet: the school is checking it for factual accuracy; the
    /// message names when the window closes (409).
    AccuracyCheckOpen = "accuracy_check_open",
    /// The school's factual-accuracy check is not open: the hub has none, the report is not
    /// approved, the days have passed or the head has finished (409).
    AccuracyCheckClosed = "accuracy_check_closed",
    /// The head commented on something that is not a matter of fact in a section of the report
    /// (an estimate, or the report as a whole) (422).
    NotAMatterOfFact = "not_a_matter_of_fact",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::BTreeSet;

    #[test]
    fn serde_says_what_as_str_says_and_parse_reads_it_back() {
        for &code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().to_owned()));
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert_eq!(serde_json::from_value::<ErrorCode>(serde_json::json!(code.as_str())).unwrap(), code);
        }
    }

    #[test]
    fn codes_are_unique_snake_case_and_unknown_ones_parse_to_none() {
        let strings: BTreeSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(strings.len(), ErrorCode::ALL.len(), "two variants share a wire string");
        for s in strings {
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !s.starts_with('_'), "'{s}' is not snake_case");
        }
        assert_eq!(ErrorCode::parse("a_code_from_a_newer_server"), None);
    }

    #[test]
    fn the_codes_shipped_before_the_enum_keep_their_strings() {
        // A sample across every sender: a change here breaks laptops and servers already out there.
        let shipped = [
            (ErrorCode::MalformedJson, "malformed_json"),
            (ErrorCode::InvalidCredentials, "invalid_credentials"),
            (ErrorCode::ReportChanged, "report_changed"),
            (ErrorCode::NotYourRole, "not_your_role"),
            (ErrorCode::CodeUsed, "code_used"),
            (ErrorCode::LockNeedsSignIn, "lock_needs_sign_in"),
            (ErrorCode::SignedOut, "signed_out"),
            (ErrorCode::UnsentWork, "unsent_work"),
        ];
        for (code, s) in shipped {
            assert_eq!(code.as_str(), s);
        }
    }
}
