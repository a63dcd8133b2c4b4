//! Where a mail goes: an SMTP server (lettre over tokio with rustls: STARTTLS, implicit TLS, or
//! plain for a relay on the same machine), or a folder of `.eml` files when none is configured.

use super::{MailConfig, Rendered, SmtpConfig, SmtpTls};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};

pub enum Transport {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, describe: String },
    Folder(PathBuf),
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The mail server could not be reached (refused, timed out, TLS failed), or the mail folder
    /// could not be written: no mail can go now, so the worker pauses the whole queue.
    Unreachable(String),
    /// The server answered "not now" for this mail (4xx): this mail is tried again later.
    Transient(String),
    /// Will never succeed as it is: the server refused for good (5xx), a bad address.
    Permanent(String),
}

impl SendError {
    pub fn text(&self) -> &str {
        match self {
            SendError::Unreachable(t) | SendError::Transient(t) | SendError::Permanent(t) => t,
        }
    }
}

impl Transport {
    /// The transport `config` asks for. Errors (a CA file that cannot be read, a bad host name)
    /// are found at start, not at the first mail.
    pub fn from_config(config: &MailConfig, data_dir: &Path) -> Result<Transport, String> {
        match &config.smtp {
            Some(smtp) => smtp_transport(smtp, config),
            None => Ok(Transport::Folder(config.mail_dir.clone().unwrap_or_else(|| data_dir.join("mail")))),
        }
    }

    /// Where mail goes, for the start-up log line (no credentials).
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { describe, .. } => describe.clone(),
            Transport::Folder(dir) => format!("no SMTP server configured: mail is written to {}", dir.display()),
        }
    }

    pub async fn send(&self, message_id: &str, message: &Message) -> Result<(), SendError> {
        match self {
            Transport::Smtp { transport, .. } => transport.send(message.clone()).await.map(|_| ()).map_err(|e| {
                // lettre's text says what the server answered or what failed; it never holds the
                // credentials (they are sent, not shown).
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else if e.is_transient() {
                    SendError::Transient(e.to_string())
                } else {
                    SendError::Unreachable(e.to_string())
                }
            }),
            Transport::Folder(dir) => {
                let (dir, id, bytes) = (dir.clone(), message_id.to_owned(), message.formatted());
                tokio::task::spawn_blocking(move || write_eml(&dir, &id, &bytes))
                    .await
                    .map_err(|e| SendError::Unreachable(e.to_string()))?
                    .map_err(|e| SendError::Unreachable(format!("writing the mail to its folder: {e}")))
            }
        }
    }
}

/// `<dir>/<message id>.eml`, written whole or not at all (a temporary file renamed), so a
/// file that is there is a complete mail, and writing it again replaces it with the same. The
/// folder is 0700 and the files 0600, like the data folder: an invitation carries its code.
fn write_eml(dir: &Path, message_id: &str, bytes: &[u8]) -> std::io::Result<()> {
    crate::private_files::private_dir(dir)?;
    let tmp = dir.join(format!(".{message_id}.eml.tmp"));
    // A temporary file left by a crash mid-write is replaced.
    let _ = std::fs::remove_file(&tmp);
    crate::private_files::create_new_private(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(format!("{message_id}.eml")))?;
    tracing::info!(message_id, folder = %dir.display(), "mail written to the mail folder (no SMTP server configured)");
    Ok(())
}

fn smtp_transport(smtp: &SmtpConfig, config: &MailConfig) -> Result<Transport, String> {
    let tls_parameters = || -> Result<TlsParameters, String> {
        let mut builder = TlsParameters::builder(smtp.host.clone());
        if let Some(path) = &smtp.ca_file {
            let pem = std::fs::read(path).map_err(|e| format!("reading the SMTP CA file {}: {e}", path.display()))?;
            let cert =
                Certificate::from_pem(&pem).map_err(|e| format!("the SMTP CA file {} is not a PEM certificate: {e}", path.display()))?;
            builder = builder.add_root_certificate(cert);
        }
        builder.build_rustls().map_err(|e| format!("setting up TLS for {}: {e}", smtp.host))
    };
    let (tls, default_port, how) = match smtp.tls {
        SmtpTls::StartTls => (Tls::Required(tls_parameters()?), 587, "STARTTLS"),
        SmtpTls::Implicit => (Tls::Wrapper(tls_parameters()?), 465, "implicit TLS"),
        SmtpTls::None => (Tls::None, 25, "no TLS"),
    };
    let port = smtp.port.unwrap_or(default_port);
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone()).port(port).tls(tls).timeout(Some(config.send_timeout));
    if let Some(user) = &smtp.username {
        let password = smtp.password.as_ref().map(|p| p.0.clone()).unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    let signed_in = if smtp.username.is_some() { ", signing in" } else { "" };
    let describe = format!("SMTP server {}:{port} ({how}{signed_in})", smtp.host);
    Ok(Transport::Smtp { transport: builder.build(), describe })
}

/// The mail as it goes out: plain text and HTML alternatives, with the outbox's message id as
/// `Message-ID`, so a receiver (or a test) can tell a mail sent twice from two mails.
pub fn build_message(from: &str, to: &str, message_id: &str, rendered: &Rendered) -> Result<Message, SendError> {
    let from: Mailbox = from.parse().map_err(|e| SendError::Permanent(format!("the From address '{from}' is not valid: {e}")))?;
    let to: Mailbox = to.parse().map_err(|e| SendError::Permanent(format!("the recipient address is not valid: {e}")))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .message_id(Some(format!("<{message_id}@{domain}>")))
        .from(from)
        .to(to)
        .subject(rendered.subject.clone())
        .header(AutoSubmitted)
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(rendered.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(rendered.html.clone())),
        )
        .map_err(|e| SendError::Permanent(format!("the mail cannot be built: {e}")))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies and other robots leave the
/// server's mail alone instead of answering an address nobody reads.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}
