//! The server's mail settings on the command line (issue 22). The SMTP password comes only from
//! the environment (`QAR_SMTP_PASSWORD`) or a file, never a flag: a flag shows in `ps`.

use anyhow::Context;
use qar_server::mail::{MailConfig, Secret, SmtpConfig, SmtpTls};
use std::path::PathBuf;
use std::time::Duration;

/// The environment variable that holds the SMTP password.
pub const PASSWORD_ENV: &str = "QAR_SMTP_PASSWORD";

#[derive(clap::Args, Debug, Clone)]
pub struct MailArgs {
    /// The SMTP server that sends mail. Without it, mail is written as .eml files to --mail-dir.
    #[arg(long)]
    smtp_host: Option<String>,
    /// Its port (default: 587 with STARTTLS, 465 with implicit TLS, 25 without TLS).
    #[arg(long)]
    smtp_port: Option<u16>,
    /// starttls (the default), implicit (SMTPS), or none (only for a relay on this machine).
    #[arg(long, default_value = "starttls", value_parser = ["starttls", "implicit", "none"])]
    smtp_tls: String,
    /// The SMTP user name; the password is read from QAR_SMTP_PASSWORD or --smtp-password-file.
    #[arg(long)]
    smtp_user: Option<String>,
    /// A file whose first line is the SMTP password.
    #[arg(long)]
    smtp_password_file: Option<PathBuf>,
    /// Extra CA certificates (PEM) to trust for the SMTP server (a private CA).
    #[arg(long)]
    smtp_ca_file: Option<PathBuf>,
    /// The From address of the server's mail.
    #[arg(long, default_value = "QAR Field <qar-field@localhost>")]
    mail_from: String,
    /// Where mail is written when no SMTP server is set (default: mail/ in the data folder).
    #[arg(long)]
    mail_dir: Option<PathBuf>,
    /// The address people use to reach this server (e.g. https://qar.example.org), for the links
    /// in mail. Default: the address it listens on.
    #[arg(long)]
    public_url: Option<String>,
    /// Attempts to deliver a mail before it is kept as undelivered (see `mail-dead`).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=100))]
    mail_max_attempts: u32,
    /// Seconds before the first retry; each next retry waits twice as long, up to --mail-retry-max-s.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    mail_retry_base_s: u64,
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    mail_retry_max_s: u64,
    /// Hours between reminders of a report that is overdue.
    #[arg(long, default_value_t = 168, value_parser = clap::value_parser!(u64).range(1..=24 * 365))]
    overdue_reminder_every_hours: u64,
}

impl MailArgs {
    pub fn config(&self) -> anyhow::Result<MailConfig> {
        let password = match (&self.smtp_password_file, std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())) {
            (Some(_), Some(_)) => anyhow::bail!("give the SMTP password either in {PASSWORD_ENV} or with --smtp-password-file, not both"),
            (Some(path), None) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading the SMTP password file {}", path.display()))?;
                Some(Secret(text.lines().next().unwrap_or("").to_owned()))
            }
            (None, env) => env.map(Secret),
        };
        if password.is_some() && self.smtp_user.is_none() {
            anyhow::bail!("an SMTP password was given without --smtp-user");
        }
        let tls = match self.smtp_tls.as_str() {
            "implicit" => SmtpTls::Implicit,
            "none" => SmtpTls::None,
            _ => SmtpTls::StartTls,
        };
        let smtp = self.smtp_host.as_ref().map(|host| SmtpConfig {
            host: host.clone(),
            port: self.smtp_port,
            tls,
            username: self.smtp_user.clone(),
            password,
            ca_file: self.smtp_ca_file.clone(),
        });
        if let Some(s) = &smtp {
            if s.tls == SmtpTls::None && s.username.is_some() {
                anyhow::bail!("--smtp-tls none with --smtp-user would send the password in clear text: use starttls or implicit");
            }
        }
        Ok(MailConfig {
            smtp,
            mail_dir: self.mail_dir.clone(),
            from: self.mail_from.clone(),
            public_url: self.public_url.clone(),
            retry_base: Duration::from_secs(self.mail_retry_base_s),
            retry_max: Duration::from_secs(self.mail_retry_max_s.max(self.mail_retry_base_s)),
            max_attempts: self.mail_max_attempts,
            overdue_every: Duration::from_secs(self.overdue_reminder_every_hours * 3600),
            ..MailConfig::default()
        })
    }
}
