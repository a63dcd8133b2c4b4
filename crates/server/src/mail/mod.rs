//! Mail that is delivered and never lost (issue 22). Events queue rows in the store's mail
//! outbox inside their own transaction (`store::mail_outbox`); the worker here sends what is due
//! over SMTP (or, with no SMTP server configured, writes `.eml` files to a folder), retries with
//! exponential back-off and jitter, and after the last attempt leaves a dead letter that an
//! administrator can list and resend.

mod template;
mod transport;
mod worker;

pub use template::{escape_html, RenderError, Rendered, Template};
pub use transport::{SendError, Transport};
pub use worker::{backoff, Worker};

use std::path::PathBuf;
use std::time::Duration;

/// How mail leaves the server.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// The SMTP server; `None`: mail is written to `mail_dir` as `.eml` files (the demo, tests).
    pub smtp: Option<SmtpConfig>,
    /// Where mail goes without SMTP. `None`: `mail` in the data folder.
    pub mail_dir: Option<PathBuf>,
    /// The From address, e.g. `QAR Field <qar-field@hub.example.org>`.
    pub from: String,
    /// The address people and laptops use to reach this server, for links in mail. `None`: the
    /// address the server listens on (right only on loopback).
    pub public_url: Option<String>,
    /// The first retry waits about this long; each next one twice as long, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Attempts before a mail becomes a dead letter.
    pub max_attempts: u32,
    /// How often overdue reports and laptops with old unsent work are looked for.
    pub check_every: Duration,
    /// An overdue report is reminded of once per this interval.
    pub overdue_every: Duration,
    /// Longest wait for the SMTP server in one attempt.
    pub send_timeout: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp: None,
            mail_dir: None,
            from: "QAR Field <qar-field@localhost>".into(),
            public_url: None,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(10 * 60),
            max_attempts: 30,
            check_every: Duration::from_secs(15 * 60),
            overdue_every: Duration::from_secs(7 * 24 * 60 * 60),
            send_timeout: Duration::from_secs(30),
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587 by default).
    StartTls,
    /// TLS from the first byte (SMTPS, port 465 by default).
    Implicit,
    /// No TLS at all (port 25 by default): only for a relay on the same machine.
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    /// `None`: the usual port for `tls`.
    pub port: Option<u16>,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// A PEM file of extra CA certificates to trust (a private mail server's CA).
    pub ca_file: Option<PathBuf>,
}

/// A credential: never shown by `Debug`, so it cannot reach a log line through a config dump.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}
