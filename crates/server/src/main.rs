//! `qar-server`: run the sync server. `qar-server --data-dir DIR --listen 127.0.0.1:8787`.
//! Administration: `qar-server create-admin …`, `qar-server import-users …` and
//! `qar-server import-schools …` (see `--help`).

mod mail_args;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "qar-server",
    version,
    about = "QAR Field sync server (embedded SQLite, no other service needed; or PostgreSQL for several instances)",
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Settings from a TOML file, one key per flag named as the flag (`listen = "…"`). A flag
    /// wins over its environment variable (QAR_…), which wins over the file. Unknown keys are refused.
    #[arg(long, value_name = "FILE", env = "QAR_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the server's database; created if missing.
    #[arg(long, default_value = "qar-server-data", env = "QAR_DATA_DIR")]
    data_dir: PathBuf,
    /// Address to listen on. Use 127.0.0.1 unless the server has its own TLS (--tls-cert) or a
    /// reverse proxy with TLS sits in front.
    #[arg(long, default_value = "127.0.0.1:8787", env = "QAR_LISTEN")]
    listen: SocketAddr,
    /// Serve HTTPS: the certificate chain (PEM, e.g. Let's Encrypt's fullchain.pem).
    #[arg(long, requires = "tls_key", env = "QAR_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM, e.g. privkey.pem).
    #[arg(long, requires = "tls_cert", env = "QAR_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// A host name clients use to reach this server (repeat for several). Requests naming any
    /// other host are refused (421). Loopback is always allowed. Without it: the listening
    /// address and, with --tls-cert, the names in the certificate.
    #[arg(long = "allowed-host", value_name = "NAME", env = "QAR_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// The address of a reverse proxy in front of this server (repeat for several): only its
    /// X-Forwarded-For header is believed, for per-address sign-in limits.
    #[arg(long = "trusted-proxy", value_name = "IP", env = "QAR_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Open connections at most (lowered to fit the open-file limit).
    #[arg(long, default_value_t = 10_000, env = "QAR_MAX_CONNECTIONS")]
    max_connections: usize,
    /// Seconds a client has to send a request's headers; also how long an idle connection is kept.
    #[arg(long, default_value_t = 10, env = "QAR_HEADER_TIMEOUT_S")]
    header_timeout_s: u64,
    /// Seconds to read a request's body and answer it (a long-poll gets its wait on top).
    #[arg(long, default_value_t = 60, env = "QAR_REQUEST_TIMEOUT_S")]
    request_timeout_s: u64,
    /// Failed sign-in attempts one client address may make at once...
    #[arg(long, default_value_t = 20, env = "QAR_SIGN_IN_BURST")]
    sign_in_burst: u32,
    /// ...and the seconds after which it may make one more.
    #[arg(long, default_value_t = 30, env = "QAR_SIGN_IN_REFILL_S")]
    sign_in_refill_s: u64,
    /// Load the synthetic demo hub, schools, people and reviews (only once per data folder).
    /// DEMO ONLY: the demo people get published passwords; never use on real data.
    #[arg(long)]
    demo: bool,
    /// With --demo: also three academic years of issued reviews, Areas of Excellence and consents
    /// for a few dozen invented schools in two hubs (what `./x run` shows).
    #[arg(long, requires = "demo")]
    demo_history: bool,
    #[command(flatten)]
    key: StoreArgs,
    /// Append the audit chain's head (`SEQ:MAC UNIX_MS`) to this file on a schedule and at
    /// shutdown. Keep it outside the data folder (another disk or machine): `verify-audit
    /// --expect-head` then finds a chain that was cut or rewritten.
    #[arg(long, env = "QAR_AUDIT_HEAD_EXPORT")]
    audit_head_export: Option<PathBuf>,
    /// Minutes between audit head exports (only a head that moved is written again).
    #[arg(long, default_value_t = 15, env = "QAR_AUDIT_HEAD_EVERY_MINUTES", value_parser = clap::value_parser!(u64).range(1..=1440))]
    audit_head_every_minutes: u64,
    /// How many minutes ahead of this server's clock a laptop's change may be stamped and still
    /// count as written then. A change stamped further ahead (a laptop clock set wrong) is kept,
    /// dated when it reaches the server, and its laptop is told to fix its clock.
    #[arg(long, default_value_t = qar_server::store::DEFAULT_MAX_CLOCK_AHEAD_MS / 60_000, env = "QAR_MAX_CLOCK_AHEAD_MINS", value_parser = clap::value_parser!(u64).range(1..=24 * 60))]
    max_clock_ahead_mins: u64,
    /// Serve /metrics (Prometheus text), /livez and /readyz on this separate address, plain
    /// HTTP: keep it on a network only operators reach (e.g. 127.0.0.1:9187). Off without it.
    #[arg(long, value_name = "ADDR", env = "QAR_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// `text` (for people) or `json` (one object a line, for a log collector).
    #[arg(long, value_enum, default_value = "text", env = "QAR_LOG_FORMAT")]
    log_format: LogFormat,
    #[command(flatten)]
    mail: mail_args::MailArgs,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

/// Where the store's database and the server key are, for serving and for every subcommand.
/// The key (issue 15) encrypts TOTP secrets and keys the audit chain: back it up apart from the
/// data folder; without it neither can be read.
#[derive(clap::Args, Debug, Clone)]
struct StoreArgs {
    /// The server key file (64 hex digits, mode 0600), created at first start when missing.
    /// Default: server.key in the data folder. Or set QAR_SERVER_KEY to the 64 hex digits.
    #[arg(long, env = "QAR_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// Keep the store in PostgreSQL instead of the SQLite file in the data folder:
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE`. Several servers may share one database.
    /// The server key and attachment files stay in the data folder. Put the password in the
    /// environment (QAR_DATABASE_URL) or the settings file rather than on the command line, where
    /// `ps` shows it; it is never logged.
    #[arg(long, value_name = "URL", env = "QAR_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

impl StoreArgs {
    fn source(&self) -> anyhow::Result<qar_server::KeySource> {
        let env = std::env::var(qar_server::server_key::KEY_ENV).ok().filter(|v| !v.trim().is_empty());
        match (env, &self.key_file) {
            (Some(_), Some(_)) => anyhow::bail!("give the server key either with --key-file or with QAR_SERVER_KEY, not both"),
            (Some(hex), None) => Ok(qar_server::KeySource::Hex(hex)),
            (None, Some(path)) => Ok(qar_server::KeySource::File(path.clone())),
            (None, None) => Ok(qar_server::KeySource::DataDir),
        }
    }

    fn open(&self, data_dir: &Path) -> anyhow::Result<qar_server::ServerStore> {
        let what = if self.database_url().is_some() { "opening the PostgreSQL store" } else { "opening the data folder" };
        qar_server::open_store(data_dir, self.database_url().as_deref(), &self.source()?).context(what)
    }

    /// The database's URL, if one was given (an empty QAR_DATABASE_URL counts as none).
    fn database_url(&self) -> Option<String> {
        self.database_url.clone().filter(|u| !u.trim().is_empty())
    }

    /// Backup and restore copy the SQLite file; a PostgreSQL store is backed up with
    /// PostgreSQL's own tools, which know its consistency rules (deploy/README.md).
    fn refuse_postgres(&self, what: &str, tool: &str) -> anyhow::Result<()> {
        if self.database_url().is_some() {
            anyhow::bail!(
                "`qar-server {what}` copies the SQLite store; this store is in PostgreSQL: use {tool} (see \"Backups\" in deploy/README.md)"
            );
        }
        Ok(())
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Make an administrator: prints an initial password and the TOTP secret, once.
    CreateAdmin {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from standard input (one line) instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// Go ahead although an administrator exists (also resets this email's sign-in).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Add or update people from a CSV file (header: name,email,role,hub).
    ///
    /// role: lead_reviewer, reviewer, hub_coordinator or admin; hub: a hub id or name, created if
    /// missing (required for a hub coordinator). Bad rows are reported with their line and
    /// skipped; good rows are imported. Running the same file again changes nothing. New people
    /// get an initial password and TOTP secret, shown once. Exits 2 when any row was rejected.
    ImportUsers {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        /// The CSV file.
        file: PathBuf,
        /// Write new people's initial passwords and TOTP secrets to this new file (mode 0600)
        /// instead of printing them.
        #[arg(long)]
        credentials_out: Option<PathBuf>,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Load or refresh the school register from the GIAS "all establishments" CSV.
    ///
    /// The file is edubasealldata{YYYYMMDD}.csv from get-information-schools.service.gov.uk, in
    /// UTF-8 or Windows-1252. Columns are found by name; URN, EstablishmentName,
    /// "PhaseOfEducation (name)", "EstablishmentStatus (name)" and "LA (name)" are required.
    /// All rows are written in one transaction; bad rows (bad URN, wrong number of values, a
    /// number or date that is not one) are reported with their line and skipped. Running the same
    /// file again changes nothing. Hubs of schools are kept. Exits 0 when the file was read, even
    /// if rows were rejected; 1 when it could not be (nothing is written then).
    ImportSchools {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        /// The GIAS CSV file.
        file: PathBuf,
        /// List every rejected row (otherwise the first 20).
        #[arg(long)]
        verbose: bool,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Check the audit chain with the server key, and every issued report version against it:
    /// exits 0 when all is intact, 1 naming the first entry that was changed or removed (or the
    /// versions that do not match).
    VerifyAudit {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        /// A head exported earlier (`SEQ:MAC`, from `audit-head` or `--audit-head-export`): the
        /// chain must still reach it unchanged, so a removed tail is found.
        #[arg(long)]
        expect_head: Option<String>,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Take a consistent backup of the store while the server runs (pushes go on meanwhile).
    ///
    /// The backup is one file, encrypted with a subkey of the server key (SQLCipher): without
    /// the key it cannot be read, so keep the key apart from the backups. The file must not
    /// exist yet; it is written under FILE.partial and named FILE only when whole and read back.
    Backup {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        /// The new backup file.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Bring a backup back into an EMPTY data folder (missing, empty, or holding only
    /// server.key). A folder holding anything else is refused with exit code 2: a live store is
    /// never overwritten. Needs the server key the backup was taken with. The restored store
    /// gets a new feed epoch, so laptops that saw newer changes pull again and re-send theirs.
    Restore {
        /// The backup file (from `qar-server backup`).
        #[arg(long)]
        from: PathBuf,
        /// The empty data folder to restore into.
        #[arg(long)]
        data_dir: PathBuf,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Run once on a store brought back by PostgreSQL's pg_restore, before any server serves it:
    /// gives it a new feed epoch (as `restore` does for SQLite), so laptops that saw changes the
    /// backup lacks pull again and re-send their own work, then checks the audit chain.
    AfterRestore {
        /// The server's data folder (for the server key).
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Print the audit chain's head (`SEQ:MAC`) to keep outside the data folder.
    AuditHead {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// List mail that was not delivered after its last attempt (message id, template, recipient,
    /// attempts, the last error).
    MailDead {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Apply the retention policy now (the server also does it hourly): soft-delete what is due,
    /// purge what was soft-deleted longer ago than the grace period. Prints counts, never content.
    Purge {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        /// Count what would happen and change nothing.
        #[arg(long, conflicts_with = "now", required_unless_present = "now")]
        dry_run: bool,
        /// Do it now.
        #[arg(long)]
        now: bool,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Export everything the server holds about one person (a subject access request): a zip
    /// with the data as JSON, a readable HTML summary and a manifest, written to a NEW file
    /// readable by you only. Mentions of other people in the person's own text are flagged for
    /// the data protection officer. Recorded in the audit chain; delete the file once it is sent.
    SubjectAccess {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        /// The person's id (as in the directory).
        #[arg(long)]
        user: String,
        /// The zip to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        key: StoreArgs,
    },
    /// Queue undelivered mail again, by message id (from `mail-dead`); a running server sends it
    /// within a minute, with its attempts counted afresh.
    MailResend {
        /// The server's data folder.
        #[arg(long, default_value = "qar-server-data")]
        data_dir: PathBuf,
        #[arg(required = true)]
        message_ids: Vec<String>,
        #[command(flatten)]
        key: StoreArgs,
    },
}

fn verify_audit(data_dir: &Path, expect_head: Option<&str>, key: &StoreArgs) -> anyhow::Result<()> {
    let expected = match expect_head {
        Some(text) => Some(
            qar_server::store::parse_head(text)
                .with_context(|| format!("--expect-head must be SEQ:MAC as exported (a number, a colon, 64 hex digits), not '{text}'"))?,
        ),
        None => None,
    };
    let store = key.open(data_dir)?;
    let verdict = store.verify_audit_against(expected)?;
    if let Some((seq, why)) = &verdict.broken {
        eprintln!("audit log BROKEN at entry {seq}: {why} ({} entries before it are intact)", verdict.entries);
        std::process::exit(1);
    }
    for problem in &verdict.version_problems {
        eprintln!("issued report NOT AS CHAINED: {problem}");
    }
    if !verdict.version_problems.is_empty() {
        std::process::exit(1);
    }
    println!(
        "audit log intact: {} entries ({} from before the chain was keyed, {} values pseudonymised); {} issued report versions match{}",
        verdict.entries,
        verdict.legacy_entries,
        verdict.pseudonymised,
        verdict.versions_checked,
        match verdict.versions_removed {
            0 => String::new(),
            n => format!(", {n} removed after their retention"),
        }
    );
    Ok(())
}

fn audit_head(data_dir: &Path, key: &StoreArgs) -> anyhow::Result<()> {
    match key.open(data_dir)?.audit_head()? {
        Some((seq, mac)) => println!("{seq}:{mac}"),
        None => anyhow::bail!("the audit chain is empty: nothing to export yet"),
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut command = Args::command();
    if let Some(path) = qar_server::config_file::config_path(&raw) {
        command = qar_server::config_file::with_file_defaults(command, &path).unwrap_or_else(|e| {
            eprintln!("qar-server: {e}");
            std::process::exit(2);
        });
    }
    let args = Args::from_arg_matches(&command.get_matches_from(raw)).unwrap_or_else(|e| e.exit());
    match args.command {
        None => serve(args),
        Some(Command::CreateAdmin { data_dir, email, name, password_stdin, force, key }) => {
            create_admin(&data_dir, &email, &name, password_stdin, force, &key)
        }
        Some(Command::ImportUsers { data_dir, file, credentials_out, key }) => {
            let all_accepted = import_users(&data_dir, &file, credentials_out.as_deref(), &key)?;
            if !all_accepted {
                std::process::exit(2);
            }
            Ok(())
        }
        Some(Command::ImportSchools { data_dir, file, verbose, key }) => import_schools(&data_dir, &file, verbose, &key),
        Some(Command::VerifyAudit { data_dir, expect_head, key }) => verify_audit(&data_dir, expect_head.as_deref(), &key),
        Some(Command::AuditHead { data_dir, key }) => audit_head(&data_dir, &key),
        Some(Command::AfterRestore { data_dir, key }) => {
            let epoch = key.open(&data_dir)?.renew_feed_epoch().context("giving the store a new feed epoch")?;
            println!("the store has a new feed epoch ({epoch}): laptops pull again and re-send their own work at their next sync");
            verify_audit(&data_dir, None, &key)
        }
        Some(Command::MailDead { data_dir, key }) => {
            qar_server::admin::dead_mail_lines(&key.open(&data_dir)?)?.iter().for_each(|l| println!("{l}"));
            Ok(())
        }
        Some(Command::Purge { data_dir, dry_run, now: _, key }) => {
            println!("{}", qar_server::admin::purge_line(&key.open(&data_dir)?, dry_run, qar_server::store::now_ms())?);
            Ok(())
        }
        Some(Command::SubjectAccess { data_dir, user, out, key }) => {
            println!("{}", qar_server::admin::subject_access_file(&key.open(&data_dir)?, &user, &out, qar_server::store::now_ms())?);
            Ok(())
        }
        Some(Command::MailResend { data_dir, message_ids, key }) => {
            qar_server::admin::resend_mail(&key.open(&data_dir)?, &message_ids, qar_server::store::now_ms())?
                .iter()
                .for_each(|l| println!("{l}"));
            Ok(())
        }
        Some(Command::Backup { data_dir, to, key }) => backup(&data_dir, &to, &key),
        Some(Command::Restore { from, data_dir, key }) => restore(&from, &data_dir, &key),
    }
}

fn backup(data_dir: &Path, to: &Path, key: &StoreArgs) -> anyhow::Result<()> {
    key.refuse_postgres("backup", "pg_dump --format=custom")?;
    let started = std::time::Instant::now();
    let s = qar_server::store::backup::backup(data_dir, &key.source()?, to).context("backup failed, nothing was written")?;
    println!(
        "backup written to {}: {} bytes, store schema {}, {} records up to server seq {}, {} audit entries ({:.2} s); encrypted with the server key",
        to.display(),
        s.bytes,
        s.schema,
        s.records,
        s.max_server_seq,
        s.audit_entries,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Exit code of a restore refused because the data folder is not empty.
const RESTORE_NOT_EMPTY: i32 = 2;

fn restore(from: &Path, data_dir: &Path, key: &StoreArgs) -> anyhow::Result<()> {
    key.refuse_postgres("restore", "pg_restore into a new, empty database")?;
    let started = std::time::Instant::now();
    match qar_server::store::backup::restore(from, data_dir, &key.source()?) {
        Ok(s) => {
            println!(
                "restored {} into {}: store schema {}, {} records up to server seq {}, {} audit entries ({:.2} s). \
                 Run `qar-server verify-audit` on it, then start the server with the same key; laptops re-sync on their own.",
                from.display(),
                data_dir.display(),
                s.schema,
                s.records,
                s.max_server_seq,
                s.audit_entries,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(e @ qar_server::store::backup::BackupError::NotEmpty { .. }) => {
            eprintln!("restore refused: {e}");
            std::process::exit(RESTORE_NOT_EMPTY);
        }
        Err(e) => Err(anyhow::Error::new(e).context("restore failed")),
    }
}

/// Rejected rows listed without `--verbose`.
const SHOWN_REJECTIONS: usize = 20;

fn import_schools(data_dir: &Path, file: &Path, verbose: bool, key: &StoreArgs) -> anyhow::Result<()> {
    let store = key.open(data_dir)?;
    let started = std::time::Instant::now();
    let summary =
        qar_server::gias::import(file, &store, qar_server::store::now_ms()).with_context(|| format!("importing {}", file.display()))?;
    let shown = if verbose { summary.rejections.len() } else { SHOWN_REJECTIONS };
    for r in summary.rejections.iter().take(shown) {
        match r.urn.as_str() {
            "" => println!("line {}: rejected: {}", r.line, r.reason),
            urn => println!("line {}: rejected URN {urn}: {}", r.line, r.reason),
        }
    }
    if summary.rejections.len() > shown {
        println!("… and {} more rejected rows (--verbose lists them all)", summary.rejections.len() - shown);
    }
    let encoding = match summary.encoding {
        qar_server::gias::FileEncoding::Utf8 => "UTF-8",
        qar_server::gias::FileEncoding::Windows1252 => "Windows-1252",
    };
    println!("{}: {} ({encoding}, {:.1} s).", file.display(), summary.summary(), started.elapsed().as_secs_f64());
    Ok(())
}

fn create_admin(data_dir: &Path, email: &str, name: &str, password_stdin: bool, force: bool, key: &StoreArgs) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the password from standard input")?;
        Some(text.lines().next().unwrap_or("").to_owned())
    } else {
        None
    };
    let store = key.open(data_dir)?;
    let issued = qar_server::admin::create_admin(&store, email, name, password, force, qar_server::store::now_ms())?;
    println!("Administrator {} <{}> (user id {}) can now sign in.", issued.name, issued.email, issued.user_id);
    if let Some(p) = &issued.password {
        println!("Initial password (shown once, not stored): {p}");
    }
    println!("Authenticator secret (base32):             {}", issued.totp_secret);
    println!("Authenticator URI (paste or make a QR code): {}", issued.otpauth_uri);
    println!("Keep these safe: the server cannot show the password again.");
    Ok(())
}

/// Returns whether every row was accepted.
fn import_users(data_dir: &Path, file: &Path, credentials_out: Option<&Path>, key: &StoreArgs) -> anyhow::Result<bool> {
    let input = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    // Created before importing, so a path we cannot write is found before anyone gets a password.
    let mut out = match credentials_out {
        Some(path) => Some((path, create_private_file(path)?)),
        None => None,
    };
    let store = key.open(data_dir)?;
    let report = qar_server::admin::import_users(&store, input, qar_server::store::now_ms())
        .with_context(|| format!("importing {}", file.display()))?;
    for l in &report.lines {
        use qar_server::admin::LineOutcome as O;
        match &l.outcome {
            O::Added => println!("line {}: added {}", l.line, l.email),
            O::Updated(what) => println!("line {}: updated {} ({})", l.line, l.email, what.join(", ")),
            O::Unchanged => println!("line {}: unchanged {}", l.line, l.email),
            O::Rejected(why) if l.email.is_empty() => println!("line {}: rejected: {why}", l.line),
            O::Rejected(why) => println!("line {}: rejected {}: {why}", l.line, l.email),
        }
    }
    for (id, name) in &report.hubs_created {
        println!("created hub '{name}' (id {id})");
    }
    println!("{}.", report.summary());
    if !report.credentials.is_empty() {
        match &mut out {
            Some((path, f)) => {
                f.write_all(qar_server::admin::credentials_csv(&report.credentials)?.as_bytes())
                    .and_then(|_| f.sync_all())
                    .with_context(|| format!("writing {}", path.display()))?;
                println!("Initial sign-ins of {} people written to {}.", report.credentials.len(), path.display());
            }
            None => {
                println!("\nInitial sign-ins (shown once; give each person theirs privately):");
                for c in &report.credentials {
                    println!(
                        "{} <{}>\n  password: {}\n  TOTP secret: {}\n  TOTP URI: {}",
                        c.name,
                        c.email,
                        c.password.as_deref().unwrap_or("(chosen by the administrator)"),
                        c.totp_secret,
                        c.otpauth_uri
                    );
                }
            }
        }
    }
    Ok(report.rejected() == 0)
}

/// A new file only its owner can read; refuses to overwrite an existing one.
fn create_private_file(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).with_context(|| format!("creating {} (it must not exist yet)", path.display()))
}

#[tokio::main]
async fn serve(args: Args) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "qar_server=info,tower_http=warn".into());
    match args.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        // One JSON object a line, the event's fields at the top level (a log collector's form).
        LogFormat::Json => tracing_subscriber::fmt().json().flatten_event(true).with_env_filter(filter).init(),
    }
    // Built together with the benchmarks (`cargo build --workspace`), the library carries the
    // test support that mints tokens without a password: say so loudly (issue 16).
    if cfg!(feature = "test-support") {
        tracing::warn!(
            "this qar-server was built with the test-support feature: build it alone (cargo build -p qar-server) for production"
        );
    }
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(qar_server::TlsFiles { cert, key }),
        _ => None,
    };
    let config = qar_server::ServerConfig {
        data_dir: args.data_dir.clone(),
        listen: args.listen,
        demo: args.demo,
        demo_history: args.demo_history,
        key: args.key.source()?,
        database_url: args.key.database_url(),
        audit_head_export: args.audit_head_export.clone(),
        audit_head_every: std::time::Duration::from_secs(args.audit_head_every_minutes * 60),
        max_clock_ahead_ms: args.max_clock_ahead_mins * 60_000,
        tls,
        allowed_hosts: args.allowed_hosts,
        trusted_proxies: args.trusted_proxies,
        max_connections: args.max_connections,
        header_timeout: std::time::Duration::from_secs(args.header_timeout_s.max(1)),
        request_timeout: std::time::Duration::from_secs(args.request_timeout_s.max(1)),
        sign_in_limit: qar_server::AttemptLimit {
            burst: args.sign_in_burst.max(1),
            refill_every: std::time::Duration::from_secs(args.sign_in_refill_s.max(1)),
        },
        metrics_listen: args.metrics_listen,
        mail: args.mail.config()?,
        ..Default::default()
    };
    let server = qar_server::start(&config).await.context("starting the sync server")?;
    if config.tls.is_none() && !args.listen.ip().is_loopback() {
        tracing::warn!("serving plain HTTP on a network address: put a TLS reverse proxy in front, or use --tls-cert/--tls-key");
    }
    if let Some(at) = server.metrics_addr {
        tracing::info!(metrics = %format!("http://{at}/metrics"), "metrics served on their own address");
    }
    let database = match &config.database_url {
        Some(url) => qar_server::store::db::shown_url(url),
        None => "SQLite in the data folder".to_owned(),
    };
    tracing::info!(url = %server.url(), max_connections = server.max_connections, data_dir = %args.data_dir.display(), %database, demo = args.demo, "qar-server listening");
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    server.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
