//! The administrator's commands behind `qar-server create-admin` and `qar-server import-users`,
//! as functions the binary prints and the tests check.

use crate::auth::crypto::{self, CryptoError};
use crate::store::directory::{DirectoryError, DirectoryRole, DirectoryUser, UpsertKind};
use crate::store::ServerStore;
use qar_core::entities::User;
use std::collections::HashMap;
use std::io::Read;

/// What a new account's holder needs, shown once: the server keeps only the password's hash.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCredentials {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// `None` when the administrator chose the password (`--password-stdin`).
    pub password: Option<String>,
    pub totp_secret: String,
    pub otpauth_uri: String,
}

impl std::fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredentials").field("user_id", &self.user_id).field("email", &self.email).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("could not read the file: {0}")]
    Csv(#[from] csv::Error),
}

/// Checks a name and an email the way the app does (qar-core's `User::validate`), and refuses a
/// ':' in the email (it separates issuer and account in authenticator apps).
fn check_person(name: &str, email: &str) -> Result<(), String> {
    let user = User { id: uuid::Uuid::nil(), name: name.to_owned(), email: email.to_owned(), home_school_urn: None, roles: vec![] };
    user.validate().map_err(|e| e.to_string())?;
    if email.contains(':') {
        return Err(format!("'{email}' is not an email address"));
    }
    Ok(())
}

/// Checks a password an administrator chose: the rule of qar-core (issue 15).
pub fn check_chosen_password(password: &str) -> Result<(), AdminError> {
    qar_core::password::check_password(password).map_err(|problem| AdminError::Refused(problem.to_string()))
}

fn issue(user_id: &str, name: &str, email: &str, password: Option<String>) -> Result<(IssuedCredentials, String, String), AdminError> {
    let (shown, chosen) = match password {
        Some(p) => (None, p),
        None => {
            let p = crypto::generate_password()?;
            (Some(p.clone()), p)
        }
    };
    let hash = crypto::hash_password(&chosen)?;
    let secret = crypto::new_totp_secret()?;
    let uri = crypto::totp_uri(&secret, email)?;
    let issued = IssuedCredentials {
        user_id: user_id.to_owned(),
        name: name.to_owned(),
        email: email.to_owned(),
        password: shown,
        totp_secret: secret.clone(),
        otpauth_uri: uri,
    };
    Ok((issued, hash, secret))
}

/// `create-admin`: makes `email` an administrator with a new password (generated unless
/// given) and a new TOTP secret. Refused when an active administrator exists, unless `force`
/// (which also resets the credentials of an existing person with that email).
pub fn create_admin(
    store: &ServerStore,
    email: &str,
    name: &str,
    password: Option<String>,
    force: bool,
    now_ms: u64,
) -> Result<IssuedCredentials, AdminError> {
    let email = email.trim().to_lowercase();
    let name = name.trim();
    check_person(name, &email).map_err(AdminError::Refused)?;
    if let Some(p) = &password {
        check_chosen_password(p)?;
    }
    if !force {
        // Checked again inside the write; this only saves hashing a password for nothing.
        let admins = store.active_admin_emails()?;
        if !admins.is_empty() {
            return Err(AdminError::Refused(format!(
                "an administrator already exists ({}); use --force to add or reset one anyway",
                admins.join(", ")
            )));
        }
    }
    let (mut issued, hash, secret) = issue("", name, &email, password)?;
    issued.user_id = store.create_admin(&email, name, &hash, &secret, force, now_ms)?;
    Ok(issued)
}

/// What became of one line of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineOutcome {
    Added,
    Updated(Vec<&'static str>),
    Unchanged,
    Rejected(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// 1-based line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub email: String,
    pub outcome: LineOutcome,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub lines: Vec<ImportLine>,
    /// `(id, name)` of hubs the import created.
    pub hubs_created: Vec<(String, String)>,
    /// Initial sign-ins of people who had none: shown once.
    pub credentials: Vec<IssuedCredentials>,
}

impl ImportReport {
    pub fn count(&self, f: impl Fn(&LineOutcome) -> bool) -> usize {
        self.lines.iter().filter(|l| f(&l.outcome)).count()
    }
    pub fn rejected(&self) -> usize {
        self.count(|o| matches!(o, LineOutcome::Rejected(_)))
    }
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} unchanged, {} rejected",
            self.count(|o| *o == LineOutcome::Added),
            self.count(|o| matches!(o, LineOutcome::Updated(_))),
            self.count(|o| *o == LineOutcome::Unchanged),
            self.rejected()
        )
    }
}

const COLUMNS: [&str; 4] = ["name", "email", "role", "hub"];

/// `import-users`: reads CSV with the header `name,email,role,hub` (any order, any case) and
/// adds or updates each person, one at a time: a bad row is reported with its line number and
/// never stops the good ones. People without an account get initial credentials (in the
/// report, shown once). Running the same file again changes nothing.
///
/// Only a file that cannot be read as a whole (no or wrong header) is an `Err`.
pub fn import_users(store: &ServerStore, input: impl Read, now_ms: u64) -> Result<ImportReport, AdminError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(input);
    let headers = reader.headers()?.clone();
    let mut index = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim_start_matches('\u{feff}').trim().to_lowercase();
        if !COLUMNS.contains(&h.as_str()) {
            return Err(AdminError::Refused(format!("unknown column '{h}': the header must be {}", COLUMNS.join(","))));
        }
        if index.insert(h.clone(), i).is_some() {
            return Err(AdminError::Refused(format!("column '{h}' appears twice in the header")));
        }
    }
    if let Some(missing) = COLUMNS.iter().find(|c| !index.contains_key(**c)) {
        return Err(AdminError::Refused(format!("the header has no '{missing}' column: it must be {}", COLUMNS.join(","))));
    }
    let mut report = ImportReport::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                report.lines.push(ImportLine {
                    line,
                    email: String::new(),
                    outcome: LineOutcome::Rejected(format!("unreadable row: {e}")),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |name: &str| record.get(index[name]).unwrap_or("").to_owned();
        let email = field("email").to_lowercase();
        let reject = |report: &mut ImportReport, why: String| {
            report.lines.push(ImportLine { line, email: email.clone(), outcome: LineOutcome::Rejected(why) })
        };
        if record.len() != headers.len() {
            reject(&mut report, format!("expected {} values, found {}", headers.len(), record.len()));
            continue;
        }
        let (name, role_text, hub) = (field("name"), field("role"), field("hub"));
        if let Some(empty) = ["name", "email", "role"].into_iter().find(|c| field(c).is_empty()) {
            reject(&mut report, format!("no {empty}"));
            continue;
        }
        if let Err(why) = check_person(&name, &email) {
            reject(&mut report, why);
            continue;
        }
        let Some(role) = DirectoryRole::parse(&role_text) else {
            let roles: Vec<_> = DirectoryRole::ALL.iter().map(|r| r.as_str()).collect();
            reject(&mut report, format!("unknown role '{role_text}' (use {})", roles.join(", ")));
            continue;
        };
        if role == DirectoryRole::HubCoordinator && hub.is_empty() {
            reject(&mut report, "no hub: a hub coordinator needs the hub they coordinate".to_owned());
            continue;
        }
        if let Some(first) = seen.get(&email) {
            reject(&mut report, format!("{email} is already on line {first}"));
            continue;
        }
        seen.insert(email.clone(), line);
        let user = DirectoryUser { name: name.clone(), email: email.clone(), role, hub: (!hub.is_empty()).then_some(hub) };
        let outcome = match store.upsert_directory_user(&user) {
            Ok(o) => o,
            Err(DirectoryError::Refused(why)) => {
                reject(&mut report, why);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        report.hubs_created.extend(outcome.hub_created);
        if outcome.needs_credentials {
            let (issued, hash, secret) = issue(&outcome.user_id, &name, &email, None)?;
            if store.set_initial_credentials(&outcome.user_id, &hash, &secret, now_ms)? {
                report.credentials.push(issued);
            }
        }
        let outcome = match outcome.kind {
            UpsertKind::Added => LineOutcome::Added,
            UpsertKind::Updated(what) => LineOutcome::Updated(what),
            UpsertKind::Unchanged => LineOutcome::Unchanged,
        };
        report.lines.push(ImportLine { line, email, outcome });
    }
    Ok(report)
}

/// Issued credentials as CSV (for `--credentials-out`).
pub fn credentials_csv(credentials: &[IssuedCredentials]) -> Result<String, AdminError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["name", "email", "initial_password", "totp_secret", "otpauth_uri"])?;
    for c in credentials {
        w.write_record([&c.name, &c.email, c.password.as_deref().unwrap_or(""), &c.totp_secret, &c.otpauth_uri])?;
    }
    let bytes = w.into_inner().map_err(|e| AdminError::Refused(e.to_string()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `qar-server mail-dead`: undelivered mail, one line each (message id, template, recipient,
/// attempts, last error), or a sentence saying there is none.
pub fn dead_mail_lines(store: &ServerStore) -> Result<Vec<String>, crate::store::StoreError> {
    let dead = store.dead_mail_unchecked()?;
    if dead.is_empty() {
        return Ok(vec!["No undelivered mail.".into()]);
    }
    Ok(dead
        .iter()
        .map(|m| format!("{}  {}  to {}  after {} attempt(s): {}", m.message_id, m.template, m.recipient, m.attempts, m.last_error))
        .collect())
}

/// `qar-server mail-resend ID…`: puts undelivered mail back in the queue; a running server
/// sends it at its next look (within a minute). Returns a line per id.
pub fn resend_mail(store: &ServerStore, message_ids: &[String], now_ms: u64) -> Result<Vec<String>, crate::store::StoreError> {
    let mut lines = Vec::new();
    for id in message_ids {
        let (m, resent) = store.resend_mail_unchecked(None, id.trim(), now_ms)?;
        lines.push(match resent {
            true => format!("{}: queued again for {}", m.message_id, m.recipient),
            false => format!("{}: left as it is ({})", m.message_id, m.state),
        });
    }
    Ok(lines)
}

/// `qar-server purge --dry-run` / `--now`: applies retention (issue 24) at `now_ms` and says
/// what it did, or would do, in counts.
pub fn purge_line(store: &ServerStore, dry_run: bool, now_ms: u64) -> Result<String, crate::store::StoreError> {
    let c = store.purge(dry_run, now_ms)?;
    let what = if dry_run { "would soft-delete" } else { "soft-deleted" };
    let gone = if dry_run { "would purge" } else { "purged" };
    Ok(format!(
        "{what} {} records of issued reviews, {} of cancelled reviews and {} of reviews whose report's retention ended; {gone} {} records, \
         {} issued report versions and {} attachment files past their grace period; {} reviews touched",
        c.soft_deleted_evidence,
        c.soft_deleted_cancelled,
        c.soft_deleted_reports,
        c.purged,
        c.report_versions_removed,
        c.attachment_blobs_removed,
        c.reviews
    ))
}

/// `qar-server subject-access --user ID --out FILE` (issue 24): writes the export to a new file
/// readable by its owner only (an existing file is never overwritten) and says what it holds.
/// Audited with the operator as actor. The file is the operator's to hand over and delete.
pub fn subject_access_file(store: &ServerStore, user_id: &str, out: &std::path::Path, now_ms: u64) -> anyhow::Result<String> {
    // Checked before the export is made, so the audit chain does not record one nobody received.
    if out.exists() {
        anyhow::bail!("{} exists already: choose a new file (an existing file is never overwritten)", out.display());
    }
    let export = store.subject_access_by_operator(user_id, now_ms)?;
    let (bytes, manifest) = crate::subject_access_zip::pack(&export)?;
    crate::private_files::create_new_private(out, &bytes)
        .map_err(|e| anyhow::anyhow!("could not write {}: {e} (an existing file is never overwritten)", out.display()))?;
    let counts: Vec<String> = export.counts.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{k} {n}")).collect();
    Ok(format!(
        "wrote {} ({} bytes): {}; {} mentions of other people flagged for the DPO (see {}). Delete it once it is sent.\n{}",
        out.display(),
        bytes.len(),
        counts.join(", "),
        export.flags.len(),
        crate::subject_access_zip::MANIFEST_FILE,
        serde_json::to_string_pretty(&manifest)?
    ))
}
